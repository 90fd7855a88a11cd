// The demo page (issue 2): real CBS 100 m squares of Rijnmond 2024 drawn on the map with a legend
// and a histogram, and the numbers shown for a square equal to a brute-force computation from the
// bundled CSV (tests/e2e/app_support.mjs), reached both by the id search and by a click on the map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describe as describeSession, foreignRequests } from './harness.mjs';
import {
  readDemo, bruteForce, bruteForceBands, openDemo, searchId, readDetails, readHistogram,
  CORP, DWELLINGS, BENEFIT, INHABITANTS,
} from './app_support.mjs';

let s;
let demo;
before(async () => {
  demo = readDemo();
  s = await openDemo();
});
after(async () => {
  await s?.close();
});

test('the demo shows the map, a legend with the study bands and tipping points, and a histogram', async () => {
  const { page } = s;
  const canvas = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
  assert.ok(canvas.width > 600 && canvas.height > 500, `map is large: ${JSON.stringify(canvas)}`);
  assert.equal(await page.locator('#legend .legend-swatch').count(), 9, 'nine bands: 0–10 … 70–80, ≥ 80 %');
  assert.equal(await page.locator('#legend .legend-tip').count(), 3, 'tipping points 40–50, 60, 80 % marked');
  const legendText = await page.locator('#legend').textContent();
  assert.match(legendText, /200 m/);
  assert.match(legendText, /Aandeel corporatiewoningen/);
  // The map really drew squares: some pixels of the map canvas are not the plain background.
  // (polled: MapLibre draws a frame or two after the data arrive)
  const coloured = await page.waitForFunction(() => {
    const c = document.querySelector('#map canvas');
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 97) if (data[i] < 200 && data[i + 2] > 60) n++;
    return n > 100 ? n : false;
  }, null, { timeout: 30_000 }).then((h) => h.jsonValue()).catch(() => 0);
  assert.ok(coloured > 100, `squares drawn on the map (${coloured} sampled coloured pixels)`);
  assert.deepEqual(foreignRequests(s), [], 'nothing loaded from outside the page origin');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('the histogram counts squares per band exactly as a brute-force calculation does', async () => {
  const want = bruteForceBands(demo, 200, demo.col(CORP), demo.col(DWELLINGS), 10);
  const got = await readHistogram(s.page);
  assert.deepEqual(got, want.counts);
  assert.equal(got.reduce((a, b) => a + b, 0) + want.none, demo.ids.length);
  assert.match(await s.page.locator('#histogram-none').textContent(), new RegExp(`^${want.none.toLocaleString('nl-NL')} `));
});

test('the numbers shown for a square equal the brute-force sums within 200 m', async () => {
  const { page } = s;
  const num = demo.col(CORP);
  const den = demo.col(DWELLINGS);
  // Three kinds of square: the densest, one on the edge of the area, and one whose share is
  // suppressed (denominator sum below k = 10) — picked from the brute force, not by hand.
  const all = demo.ids.map((_, i) => ({ i, ...bruteForce(demo, i, 200, num, den, 10) }));
  const densest = all.reduce((a, b) => (b.denSum > a.denSum ? b : a));
  const westmost = all.reduce((a, b) => (demo.x[b.i] < demo.x[a.i] ? b : a));
  const suppressed = all.find((r) => r.denSum > 0 && r.denSum < 10);
  for (const want of [densest, westmost, suppressed].filter(Boolean)) {
    const id = demo.ids[want.i];
    await searchId(page, id);
    const got = await readDetails(page);
    assert.equal(got.sums[CORP], want.numSum, `${id}: corporation dwellings within 200 m`);
    assert.equal(got.sums[DWELLINGS], want.denSum, `${id}: dwellings within 200 m`);
    const ownNum = Number.isNaN(num[want.i]) ? NaN : num[want.i];
    assert.ok(Object.is(got.own[CORP], ownNum) || got.own[CORP] === ownNum, `${id}: own corporation dwellings`);
    if (Number.isNaN(want.share)) {
      assert.equal(got.shareState, want.denSum > 0 ? 'suppressed' : 'none', `${id}: share suppressed below k, or none`);
      assert.doesNotMatch(got.shareText, /%/, 'a suppressed share shows no percentage');
    } else {
      assert.equal(got.shareState, 'ok');
      assert.equal(got.share, want.share, `${id}: share within 200 m (exact)`);
      const pct = new Intl.NumberFormat('nl-NL', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(want.share);
      assert.equal(got.shareText, pct);
    }
  }
});

test('clicking a square on the map selects that square', async () => {
  const { page } = s;
  const num = demo.col(CORP);
  const den = demo.col(DWELLINGS);
  const i = demo.ids.findIndex((id) => id === 'E0921N4380');
  const id = i >= 0 ? demo.ids[i] : demo.ids[1000];
  const index = demo.ids.indexOf(id);
  await searchId(page, id); // centres the map on the square
  await page.locator('#details-search').fill('');
  await page.waitForTimeout(500);
  // Click the middle of the map: the selected square is there.
  const box = await page.locator('#map').boundingBox();
  await page.evaluate(() => {
    document.querySelector('#details .details-id').textContent = '';
  });
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction((want) => document.querySelector('.details-id')?.textContent === want, id);
  const got = await readDetails(page);
  const want = bruteForce(demo, index, 200, num, den, 10);
  assert.equal(got.sums[DWELLINGS], want.denSum);
  assert.equal(got.sums[CORP], want.numSum);
});

/** Pixels of the map in the light (high-share) end of viridis: green-yellow. */
async function lightPixels(page) {
  return page.evaluate(() => {
    const c = document.querySelector('#map canvas');
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 7) if (data[i + 1] > 180 && data[i + 2] < 120) n++;
    return n;
  });
}

test('the second layer shows the share of persons on benefit within the radius', async () => {
  const { page } = s;
  await page.click('#details-search'); // keep the pointer off the map
  const lightBefore = await lightPixels(page);
  await page.locator('.indicator label', { hasText: 'uitkering' }).click();
  await page.waitForFunction(() => /uitkering/.test(document.querySelector('#legend .legend-title')?.textContent));
  // The map is recoloured: benefit shares are mostly below 20 %, so far fewer light squares.
  await page.waitForFunction(async (before) => {
    const c = document.querySelector('#map canvas');
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 7) if (data[i + 1] > 180 && data[i + 2] < 120) n++;
    return n < before / 2;
  }, lightBefore, { timeout: 30_000 });
  const benefit = demo.col(BENEFIT);
  const inhabitants = demo.col(INHABITANTS);
  const all = demo.ids.map((_, i) => i);
  const i = all.reduce((a, b) => (inhabitants[b] > inhabitants[a] ? b : a));
  await searchId(page, demo.ids[i]);
  const got = await readDetails(page);
  const want = bruteForce(demo, i, 200, benefit, inhabitants, 10);
  assert.equal(got.sums[BENEFIT], want.numSum);
  assert.equal(got.sums[INHABITANTS], want.denSum);
  assert.equal(got.share, want.share);
  const hist = await readHistogram(page);
  assert.deepEqual(hist, bruteForceBands(demo, 200, benefit, inhabitants, 10).counts);
});

test('the interface switches to English, numbers formatted the English way', async () => {
  const { page } = s;
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await page.locator('#legend').textContent(), /within 200 m/);
  assert.match(await page.locator('#privacy').textContent(), /no data leaves this computer/);
  const share = await page.locator('.details-share-value').textContent();
  assert.match(share, /^\d+\.\d%$/, `English percent format: ${share}`);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'nl');
});
