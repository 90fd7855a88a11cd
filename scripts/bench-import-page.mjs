#!/usr/bin/env node
// Loading a large CSV through the page, in headless Chromium (issue 3: "a 1 M-row, 60 MB CSV loads
// in under 5 s in Chromium"). See docs/BENCHMARKS.md.
//
//   node scripts/bench-import-page.mjs [--rows 1000000] [--repeat 3]
//
// Needs a built dist/ (./dev.sh build). Writes a seeded CSV (x/y in RD metres, six numeric columns
// and a buurt code, ~60 bytes a row) to a temporary file, serves dist/ on 127.0.0.1, opens the page in a
// fresh headless Chromium per run, waits for the demo, then times from handing the file to the
// page's file input until the layer is listed (read, parsed and checked in the worker, locations
// placed, its geometry back on the main thread). Prints one JSON object per run on stdout.
import { mkdtempSync, rmSync, createWriteStream, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const rows = Number(opt('--rows', '1000000'));
const repeat = Number(opt('--repeat', '3'));
if (!existsSync(join(root, 'dist', 'index.html'))) throw new Error('no dist/: run ./dev.sh build first');

/** SplitMix64-style seeded numbers (deterministic file for every run). */
function rng(seed) {
  let s = BigInt(seed);
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
  };
}

async function writeCsv(path, n) {
  const out = createWriteStream(path);
  const r = rng(7);
  out.write('id,x,y,woningen,corporatie,uitkering,inwoners,inkomen,huur,bouwjaar,buurt\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const x = Math.round(13000 + r() * 260000);
    const y = Math.round(306000 + r() * 310000);
    const w = 1 + Math.floor(r() * 60);
    chunk += `${i},${x},${y},${w},${Math.floor(r() * w)},${Math.floor(r() * 12)},${w * 2},${(20 + r() * 40).toFixed(1)},${(400 + r() * 900).toFixed(2)},${1900 + Math.floor(r() * 125)},BU${String(Math.floor(r() * 1e8)).padStart(8, '0')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'veerkracht-import-bench-'));
const csv = join(dir, `synthetisch_${rows}.csv`);
await writeCsv(csv, rows);
const bytes = statSync(csv).size;
const { server, url } = await serve({ dir: join(root, 'dist'), port: 0, quiet: true });
try {
  for (let run = 0; run < repeat; run++) {
    const profile = mkdtempSync(join(tmpdir(), 'veerkracht-bench-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] || (await context.newPage());
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
      await page.click('#tab-files');
      const before = await page.locator('.file-item').count();
      const t0 = Date.now();
      await page.setInputFiles('#file-input', csv);
      await page.waitForFunction((k) => document.querySelectorAll('.file-item').length > k
        || document.querySelector('.file-error:not([hidden])'), before, { timeout: 300_000, polling: 20 });
      const seconds = (Date.now() - t0) / 1000;
      const error = await page.locator('.file-error:not([hidden])').count();
      if (error) throw new Error(`load failed: ${await page.locator('.file-error').textContent()}`);
      const listed = await page.locator('.file-item').last().textContent();
      console.log(JSON.stringify({
        case: 'import-csv', engine: 'wasm-chromium', rows, bytes, seconds, listed: listed.replace(/\s+/g, ' ').trim().slice(0, 80),
      }));
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
