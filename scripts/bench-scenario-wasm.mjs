#!/usr/bin/env node
// A what-if scenario step on the 1 M-location benchmark data, timed in the page in headless
// Chromium (issue 6: "the map, the band histogram and the counts update in under 50 ms for a change
// touching 100 locations on the 1 M-location benchmark data"). See docs/BENCHMARKS.md.
//
//   node scripts/bench-scenario-wasm.mjs [--n 1000000] [--seed 1] [--changes 100] [--steps 20]
//                                        [--settle-ms 500]
//
// Needs a built dist/ and www/pkg/ (./dev.sh build). Makes the seeded synthetic towns of
// src/analysis/synthetic.rs (`syntheticTowns(n, seed)` of the same wasm core, run in Node) and
// writes them as a CSV (id, x_rd, y_rd, aantal_woningen, aantal_huurwoningen_in_bezit_woningcorporaties)
// to a temporary file; serves dist/ on 127.0.0.1; loads the file through the page's file input,
// makes it the active map layer, opens the "Wat als" tab and selects `changes` locations spread
// over the layer (each with corporation dwellings) by pasting their ids. Then `steps` times: sell
// one corporation dwelling at each (timed), and undo it (timed). Per step the page reports
// - workerMs: the step inside the worker (incremental sums, the affected rows' new shares),
// - engineMs: the round trip to the worker (postMessage both ways included),
// - updateMs: from the start of the edit until the map colours, the band histogram and the counts
//   are updated on the page (what the target is about),
// - clickToUpdateMs: the same from the click on the Apply button (measured here),
// - frameMs: until MapLibre drew the next frame with the new colours (software GL in headless
//   Chromium: drawing, not computing),
// - summaryMs: until the whole summary (crossings per area, band table) is shown.
// Prints one JSON line per case (apply, undo) with the medians and maxima.
import { mkdtempSync, rmSync, createWriteStream, readFileSync, existsSync } from 'node:fs';
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
const n = Number(opt('--n', '1000000'));
const seed = Number(opt('--seed', '1'));
const changes = Number(opt('--changes', '100'));
const steps = Number(opt('--steps', '20'));
const settleMs = Number(opt('--settle-ms', '500'));
for (const f of ['dist/index.html', 'www/pkg/veerkracht.js', 'www/pkg/veerkracht_bg.wasm']) {
  if (!existsSync(join(root, f))) throw new Error(`no ${f}: run ./dev.sh build first`);
}

// ---- the data: the synthetic towns of the wasm core, as a CSV ------------------------------------
const wasm = await import(join(root, 'www/pkg/veerkracht.js'));
wasm.initSync({ module: readFileSync(join(root, 'www/pkg/veerkracht_bg.wasm')) });
const towns = wasm.syntheticTowns(n, seed);
const x = towns.x();
const y = towns.y();
const dwellings = towns.column('woningen');
const corporation = towns.column('corporatie');
towns.free();

const dir = mkdtempSync(join(tmpdir(), 'veerkracht-scenario-bench-'));
const csv = join(dir, `synthetische_steden_${n}.csv`);
{
  const out = createWriteStream(csv);
  out.write('id,x_rd,y_rd,aantal_woningen,aantal_huurwoningen_in_bezit_woningcorporaties\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `L${i},${x[i]},${y[i]},${dwellings[i]},${corporation[i]}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
// The changed locations: spread over the file, each with at least one corporation dwelling.
const withCorporation = [];
for (let i = 0; i < n; i++) if (corporation[i] >= 1) withCorporation.push(i);
const stride = Math.max(1, Math.floor(withCorporation.length / changes));
const chosen = withCorporation.filter((_, j) => j % stride === 0).slice(0, changes).map((i) => `L${i}`);

const { server, url } = await serve({ dir: join(root, 'dist'), port: 0, quiet: true });
const profile = mkdtempSync(join(tmpdir(), 'veerkracht-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  // Software WebGL (SwiftShader), as the end-to-end tests draw the map.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const long = { timeout: 600_000 };
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(600_000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, long);

  // Load the file, make it the active map layer (the what-if tab works on the active layer).
  await page.click('#tab-files');
  const before = await page.locator('.file-item').count();
  const tLoad = Date.now();
  await page.setInputFiles('#file-input', csv);
  await page.waitForFunction((k) => document.querySelectorAll('.file-item').length > k
    || document.querySelector('.file-error:not([hidden])'), before, long);
  if (await page.locator('.file-error:not([hidden])').count()) {
    throw new Error(`load failed: ${await page.locator('.file-error').textContent()}`);
  }
  const loadSeconds = (Date.now() - tLoad) / 1000;
  const layerName = `synthetische_steden_${n}`;
  await page.click('#tab-map');
  await page.waitForFunction((name) => [...document.querySelectorAll('.ind-add select[name="layer"] option')]
    .some((o) => o.textContent === name), layerName, long);
  const form = page.locator('.ind-add');
  if (!(await form.evaluate((d) => d.open))) await form.locator('summary').click();
  await form.locator('select[name="layer"]').selectOption({ label: layerName });
  await form.locator('select[name="numerator"]').selectOption({ label: 'aantal_huurwoningen_in_bezit_woningcorporaties' });
  await form.locator('select[name="denominator"]').selectOption({ label: 'aantal_woningen' });
  await form.locator('button[type="submit"]').click();
  await page.waitForFunction(() => document.body.dataset.busy !== 'true', null, long);

  // The what-if tab builds the scenario on that layer (the whole layer once), then the selection.
  const done = () => page.evaluate(() => Number(document.querySelector('#whatif').dataset.done || 0));
  const waitDone = (m) => page.waitForFunction((k) => Number(document.querySelector('#whatif').dataset.done || 0) > k, m, long);
  const tOpen = Date.now();
  let d = await done();
  await page.click('#tab-whatif');
  await waitDone(d);
  await page.waitForFunction((k) => document.querySelector('#whatif .whatif-layer')?.textContent.includes(k), layerName, long);
  const openSeconds = (Date.now() - tOpen) / 1000;
  d = await done();
  await page.fill('#whatif-ids', chosen.join('\n'));
  await page.click('#whatif-add-ids');
  await waitDone(d);
  const selected = Number(await page.locator('#whatif .whatif-selcount').getAttribute('data-count'));
  if (selected !== chosen.length) throw new Error(`selected ${selected} of ${chosen.length}`);
  await page.selectOption('#whatif-kind', 'sell');
  await page.fill('#whatif-n', '1');
  // Let the map finish drawing the layer before timing.
  await page.evaluate(() => new Promise((ok) => setTimeout(ok, 2000)));

  /** Click a button, time until the page's counts/map were updated and until the step finished. */
  const timedClick = async (selector) => {
    const before = await done();
    const clickToUpdateMs = await page.evaluate((sel) => new Promise((resolve) => {
      const el = document.querySelector('#whatif-timing');
      const was = el.dataset.updateMs;
      const t0 = performance.now();
      const mo = new MutationObserver(() => {
        if (el.dataset.updateMs !== was) {
          mo.disconnect();
          resolve(performance.now() - t0);
        }
      });
      mo.observe(el, { attributes: true });
      document.querySelector(sel).click();
    }), selector);
    await waitDone(before);
    // Wait for the frame with the new colours, then read what the page measured; then let the
    // page settle (the map's last tiles, the summary) before the next click, as a user would.
    await page.waitForFunction(() => document.querySelector('#whatif-timing').dataset.frameMs !== '', null, { timeout: 120_000 }).catch(() => {});
    const t = await page.locator('#whatif-timing').evaluate((e) => ({ ...e.dataset }));
    await page.waitForTimeout(settleMs);
    return { ...t, clickToUpdateMs };
  };
  const runs = { apply: [], undo: [] };
  // A failure part-way (e.g. the tab crashing on a crowded machine) still reports the steps done.
  let failure = null;
  try {
    for (let k = 0; k < steps; k++) {
      runs.apply.push(await timedClick('#whatif-apply'));
      runs.undo.push(await timedClick('#whatif-undo'));
      if (process.env.BENCH_VERBOSE) {
        const heapMb = await page.evaluate(() => Math.round((performance.memory?.usedJSHeapSize ?? 0) / 1e6));
        console.error(`step ${k + 1}: heap ${heapMb} MB`, JSON.stringify(runs.apply.at(-1)), JSON.stringify(runs.undo.at(-1)));
      }
    }
  } catch (err) {
    failure = String(err.message).split('\n')[0];
    process.exitCode = 1;
  }
  const stat = (rs, key) => {
    const v = rs.map((r) => Number(r[key])).filter(Number.isFinite).sort((a, b) => a - b);
    return v.length ? { median: v[Math.floor(v.length / 2)], max: v[v.length - 1] } : null;
  };
  for (const [kind, rs] of Object.entries(runs)) {
    if (!rs.length) continue;
    const out = {
      case: `scenario-step-${kind}`, engine: 'wasm-chromium', n, radius_m: 200, changed_locations: kind === 'apply' ? changes : 0,
      affected_locations_mean: Math.round(rs.reduce((a, r) => a + Number(r.rows), 0) / rs.length),
      recoloured_locations_mean: Math.round(rs.reduce((a, r) => a + Number(r.recoloured || 0), 0) / rs.length),
      steps: rs.length,
    };
    for (const key of ['workerMs', 'engineMs', 'updateMs', 'clickToUpdateMs', 'frameMs', 'summaryMs', 'summaryWorkerMs']) {
      const st = stat(rs, key);
      if (st) {
        out[`${key.replace(/Ms$/, '')}_median_ms`] = st.median;
        out[`${key.replace(/Ms$/, '')}_max_ms`] = st.max;
      }
    }
    if (failure) out.error = `stopped after ${rs.length} of ${steps} steps: ${failure}`;
    out.load_seconds = loadSeconds;
    out.open_tab_seconds = openSeconds;
    console.log(JSON.stringify(out));
  }
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
