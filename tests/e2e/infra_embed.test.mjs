// Embedding (INFRA, issue 5): examples/intranet.html — an intranet page with its own strict CSP —
// includes dist/veerkracht-embed.js from a sub-folder, under a sub-path of the server, and uses
// <veerkracht-map> with a same-origin layer. The test drives it: the map loads, a click and the
// JavaScript API emit `veerkracht-select` with the share within the radius, equal to a brute-force
// sum over the example CSV; a new radius recomputes. No request leaves the origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST, ROOT, TIMEOUT_MS, describe, foreignRequests, openServed, requireBuild } from './harness.mjs';

const EXAMPLE_CSV = path.join(ROOT, 'examples', 'data', 'rijnmond_sample_vk100_2024.csv');
const NUM = 'aantal_huurwoningen_in_bezit_woningcorporaties';
const DEN = 'aantal_woningen';

/** The example layer in Node: centres from the square ids (E0974N4514 → 97 450, 451 450). */
function readExample() {
  const [head, ...lines] = readFileSync(EXAMPLE_CSV, 'utf8').trim().split('\n');
  const header = head.split(',');
  const rows = lines.map((l) => l.split(','));
  const col = (name) => rows.map((r) => (r[header.indexOf(name)] === '' ? NaN : Number(r[header.indexOf(name)])));
  const ids = rows.map((r) => r[0]);
  return {
    ids,
    x: ids.map((id) => Number(id.slice(1, 5)) * 100 + 50),
    y: ids.map((id) => Number(id.slice(6, 10)) * 100 + 50),
    num: col(NUM),
    den: col(DEN),
  };
}

/** Brute force: sums over every square within R (inclusive, itself included), missing as 0. */
function expected(data, i, radiusM, k = 10) {
  let num = 0;
  let den = 0;
  for (let j = 0; j < data.x.length; j++) {
    const dx = data.x[j] - data.x[i];
    const dy = data.y[j] - data.y[i];
    if (dx * dx + dy * dy <= radiusM * radiusM) {
      if (!Number.isNaN(data.num[j])) num += data.num[j];
      if (!Number.isNaN(data.den[j])) den += data.den[j];
    }
  }
  return { num, den, share: den >= k && den > 0 ? num / den : null };
}

let site;
let s;
const data = readExample();
const BASE = '/intranet/wijkkaart/';

before(async () => {
  requireBuild();
  // The intranet's folder: its page, script, style and data, with dist/ copied in as veerkracht/.
  site = mkdtempSync(path.join(os.tmpdir(), 'veerkracht-intranet-'));
  cpSync(path.join(ROOT, 'examples'), site, { recursive: true });
  cpSync(DIST, path.join(site, 'veerkracht'), { recursive: true });
  s = await openServed({ dir: site, base: BASE, path: 'intranet.html' });
  await s.page.evaluate(() => {
    window.__selects = [];
    document.addEventListener('veerkracht-select', (ev) => window.__selects.push(ev.detail));
  });
  await s.page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('kaart')?.dataset.state),
    null, { timeout: TIMEOUT_MS });
});
after(async () => {
  await s?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

async function lastSelect(page, count) {
  await page.waitForFunction((n) => window.__selects.length >= n, count, { timeout: 30_000 });
  return page.evaluate(() => window.__selects.at(-1));
}

function assertMatches(detail, radiusM) {
  const want = expected(data, detail.index, radiusM);
  assert.equal(detail.radiusM, radiusM);
  assert.equal(detail.denominatorSum, want.den, `dwellings within ${radiusM} m of ${data.ids[detail.index]}`);
  assert.equal(detail.numeratorSum, want.num, `corporation dwellings within ${radiusM} m of ${data.ids[detail.index]}`);
  if (want.share === null) assert.equal(detail.share, null);
  else assert.ok(Math.abs(detail.share - want.share) < 1e-12, `share ${detail.share} vs ${want.share}`);
}

test('the intranet page loads <veerkracht-map> under a sub-path with no request outside its origin', async () => {
  const state = await s.page.evaluate(() => document.getElementById('kaart').dataset.state);
  assert.equal(state, 'ready', describe(s));
  const box = await s.page.locator('#kaart canvas').first().boundingBox();
  assert.ok(box && box.width > 300 && box.height > 300, 'the map fills the element');
  assert.deepEqual(foreignRequests(s), []);
  assert.ok(s.requests.some((u) => u.endsWith(`${BASE}data/rijnmond_sample_vk100_2024.csv`)), 'the layer came from the page origin');
  assert.deepEqual(s.consoleErrors, [], describe(s));
  assert.deepEqual(s.pageErrors, [], describe(s));
});

test('a click on the map emits veerkracht-select with the brute-force share within 200 m', async () => {
  const { page } = s;
  const box = await page.locator('#kaart canvas').first().boundingBox();
  const before = await page.evaluate(() => window.__selects.length);
  // Click points on a grid around the centre until one lands on a square.
  for (const [fx, fy] of [[0.5, 0.5], [0.45, 0.5], [0.55, 0.5], [0.5, 0.45], [0.5, 0.55], [0.4, 0.4], [0.6, 0.6], [0.35, 0.6], [0.6, 0.35]]) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    await page.waitForTimeout(300);
    if ((await page.evaluate(() => window.__selects.length)) > before) break;
  }
  const detail = await lastSelect(page, before + 1);
  assertMatches(detail, 200);
  assert.match(await page.textContent('#selectie'), /binnen 200 m/);
});

test('the JavaScript API: setRadius(400) recomputes, select(i) reports the new sums', async () => {
  const { page } = s;
  await page.selectOption('#radius', '400');
  await page.waitForFunction(() => document.getElementById('kaart').getAttribute('radius-m') === '400'
    && document.getElementById('kaart').dataset.state === 'ready', null, { timeout: TIMEOUT_MS });
  const n = await page.evaluate(() => window.__selects.length);
  for (const index of [0, 650, data.ids.length - 1]) {
    await page.evaluate((i) => document.getElementById('kaart').select(i), index);
    const detail = await lastSelect(page, n + 1 + [0, 650, data.ids.length - 1].indexOf(index));
    assert.equal(detail.index, index);
    assertMatches(detail, 400);
  }
  assert.deepEqual(foreignRequests(s), []);
  assert.deepEqual(s.consoleErrors, [], describe(s));
});
