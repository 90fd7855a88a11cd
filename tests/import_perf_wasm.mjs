// Load time of a 1 M-row, ~57 MB CSV through the wasm Importer (the worker's path: 4 MiB chunks,
// then finish() → Layer), in Node's V8 — the engine Chromium uses. Needs the built package
// (`./dev.sh build` writes www/pkg/). Run:
//
//   node --expose-gc tests/import_perf_wasm.mjs          (REPS=3 for more runs)
//
// Prints one JSON object per run; the first run is the cold one (fresh wasm memory).
// The data mirror tests/import_perf.rs (seeded synthetic CBS-like squares).
import { readFileSync } from 'node:fs';
import * as w from '../www/pkg/veerkracht.js';
w.initSync({ module: readFileSync(new URL('../www/pkg/veerkracht_bg.wasm', import.meta.url)) });
const rows = 1_000_000;
const parts = ['crs28992res100m,x_rd,y_rd,aantal_woningen,aantal_corporatie,aantal_inwoners,uitkering,aandeel,woz\n'];
let state = 0x9E3779B97F4A7C15n;
const mask = (1n << 64n) - 1n;
function next() { state ^= (state << 13n) & mask; state ^= state >> 7n; state ^= (state << 17n) & mask; return state; }
for (let i = 0; i < rows; i++) {
  const e = 100 + (i % 1500), n = 3000 + Math.floor(i / 1500);
  const r = next();
  const rn = Number(r & 0xffffffffn), rh = Number(r >> 32n);
  parts.push(`E${String(e).padStart(4,'0')}N${String(n).padStart(4,'0')},${e*100+50}.0,${n*100+50}.0,${rn%400},${(rn>>>9)%200},${(rn>>>17)%900},${rn%7===0?'-99997':(rh%50)},${((rh>>>3)%10000)/10000},${100000+(rh%900000)}\n`);
}
const bytes = new TextEncoder().encode(parts.join(''));
parts.length = 0;
if (globalThis.gc) globalThis.gc();
console.log(`input: ${rows} rows, ${(bytes.length/1e6).toFixed(1)} MB`);
for (let rep = 0; rep < (+process.env.REPS || 3); rep++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const imp = new w.Importer('big.csv', { totalBytes: bytes.length });
  const CH = 4 << 20;
  for (let o = 0; o < bytes.length; o += CH) { imp.push(bytes.subarray(o, o + CH)); imp.rowsRead(); }
  const t1 = performance.now();
  const layer = imp.finish();
  const t2 = performance.now();
  const sum = layer.summary();
  console.log(JSON.stringify({ case: 'import_csv', engine: 'wasm-node' + process.versions.node, rows: layer.len(), bytes: bytes.length, chunk: CH, push_s: +((t1-t0)/1000).toFixed(3), finish_s: +((t2-t1)/1000).toFixed(3), seconds: +((t2-t0)/1000).toFixed(3), location: sum.location.source.kind, cpu_s: +((process.cpuUsage(c0).user + process.cpuUsage(c0).system)/1e6).toFixed(3) }));
  layer.free(); imp.free();
}
