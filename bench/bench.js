// The wasm side of the scoring benchmark (see docs/BENCHMARKS.md). Loads the wasm-bindgen output
// from ./pkg/, then waits for `window.runCase({n, radiusM, numerators, seed, repeat, chunk})`
// calls from scripts/bench-wasm.mjs. Each case times new ScoreJob(...) … finish() — the index
// build included, the data generation not — and reports the wasm memory size afterwards.
import init, * as wasm from './pkg/veerkracht.js';

const NUMERATORS = ['corporatie', 'uitkering', 'woningen', 'corporatie'];

const exports = await init({ module_or_path: new URL('./pkg/veerkracht_bg.wasm', import.meta.url) });

window.runCase = ({ n, radiusM = 200, numerators = 1, seed = 1, repeat = 3, chunk = 0 }) => {
  const t0 = performance.now();
  const layer = wasm.syntheticTowns(n, seed);
  const generateSeconds = (performance.now() - t0) / 1000;
  const settings = { radiusM, denominator: 'woningen', numerators: NUMERATORS.slice(0, numerators) };
  let best = Infinity;
  let chunks = 0;
  let indexSeconds = 0;
  let checksum = 0;
  for (let k = 0; k < repeat; k++) {
    const t = performance.now();
    const job = new wasm.ScoreJob(layer, settings);
    indexSeconds = (performance.now() - t) / 1000;
    let p = 0;
    chunks = 0;
    while (p < 1) {
      p = job.step(chunk > 0 ? chunk : 0xffffffff);
      chunks++;
    }
    const r = job.finish();
    const seconds = (performance.now() - t) / 1000;
    job.free();
    best = Math.min(best, seconds);
    checksum = 0;
    for (const v of r.denominatorSum) checksum += v;
  }
  const memoryBytes = exports.memory.buffer.byteLength;
  layer.free();
  return {
    case: 'score',
    engine: 'wasm-chromium',
    n,
    radius_m: radiusM,
    numerators,
    seconds: Number(best.toFixed(4)),
    index_seconds: Number(indexSeconds.toFixed(4)),
    chunks,
    wasm_memory_bytes: memoryBytes,
    wasm_memory_bytes_per_point: Number((memoryBytes / n).toFixed(1)),
    mean_denominator_sum: Number((checksum / n).toFixed(1)),
    // Exact for integer counts: compare builds (and with the native benchmark) digit for digit.
    denominator_sum_total: checksum,
    generate_seconds: Number(generateSeconds.toFixed(3)),
  };
};
window.benchReady = true;
