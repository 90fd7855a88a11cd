// A map layer of a million locations: drawn by the custom WebGL layer (map-big.js), not as GeoJSON
// (which grew the renderer by ~50 MB/s until the tab crashed). The locations are drawn in their
// band colours (checked pixel by pixel against a brute-force share), the tab lives through 30 s
// idle with a bounded heap, a click selects the location under the pointer, and a recomputation
// with another radius recolours the map. An analysis map on the buurt polygons hides the layer
// (nothing but the background where it lies, no hover) until the band map is drawn again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDemo, addIndicator, searchId, setRadius, rdToWgs84 } from './app_support.mjs';

const SIDE = 1000; // SIDE × SIDE points
const STEP_M = 20;
const X0 = 150000;
const Y0 = 440000;
const B = 20; // denominator of every point
/** Numerator: blocks of 40 × 40 points (800 m) with shares 5 %, 15 %, … 95 % (mid-band). */
const numerator = (xi, yi) => 2 * ((Math.floor(xi / 40) + 3 * Math.floor(yi / 40)) % 10) + 1;
// Viridis, 9 steps (www/bands.js VIRIDIS_9): the default band colours.
const VIRIDIS_9 = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

let s;
let dir;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bigmap-'));
  const lines = ['id,x,y,a,b'];
  for (let yi = 0; yi < SIDE; yi++) {
    for (let xi = 0; xi < SIDE; xi++) lines.push(`p${yi * SIDE + xi},${X0 + xi * STEP_M},${Y0 + yi * STEP_M},${numerator(xi, yi)},${B}`);
  }
  writeFileSync(path.join(dir, 'big.csv'), lines.join('\n') + '\n');
  s = await openDemo();
});
after(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mercX = (lon) => (180 + lon) / 360;
const mercY = (lat) => (180 - (180 / Math.PI) * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))) / 360;

/**
 * Band of point (xi, yi) at `radiusM` by brute force over the grid points within the radius
 * (dx² + dy² ≤ R²), in integer arithmetic (100·num ≥ edge·den); null when a sum lies exactly on
 * a band edge (then the float engine may go either way).
 */
function expectedBand(xi, yi, radiusM) {
  const r = Math.floor(radiusM / STEP_M);
  let num = 0;
  let den = 0;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const x = xi + dx;
      const y = yi + dy;
      if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) continue;
      if ((dx * STEP_M) ** 2 + (dy * STEP_M) ** 2 > radiusM ** 2) continue;
      num += numerator(x, y);
      den += B;
    }
  }
  let band = 0;
  for (let b = 1; b < 9; b++) {
    if (100 * num === b * 10 * den) return null;
    if (100 * num > b * 10 * den) band = b;
  }
  return band;
}

/** Screen offset (CSS px) of grid point (xi, yi) from grid point (ax, ay) at zoom `zoom`. */
function offsetPx(xi, yi, ax, ay, zoom) {
  const world = 512 * 2 ** zoom;
  const [lonA, latA] = rdToWgs84(X0 + ax * STEP_M, Y0 + ay * STEP_M);
  const [lon, lat] = rdToWgs84(X0 + xi * STEP_M, Y0 + yi * STEP_M);
  return [(mercX(lon) - mercX(lonA)) * world, (mercY(lat) - mercY(latA)) * world];
}

/** RGB of the map canvas (its WebGL drawing buffer, kept) at CSS pixel positions. */
async function canvasPixels(page, points) {
  return page.evaluate((pts) => {
    const gl = document.querySelector('#map canvas.maplibregl-canvas');
    const c = document.createElement('canvas');
    c.width = gl.width;
    c.height = gl.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(gl, 0, 0);
    const k = gl.width / gl.clientWidth;
    return pts.map(([x, y]) => [...ctx.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data.slice(0, 3)]);
  }, points);
}

const hexRgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 3);

/** Wait until the page's main thread has had no timer gap over 100 ms for one second. */
async function quiet(page) {
  await page.evaluate(() => new Promise((resolve) => {
    let last = performance.now();
    let since = last;
    const t = setInterval(() => {
      const now = performance.now();
      if (now - last > 100) since = now;
      last = now;
      if (now - since > 1000) { clearInterval(t); resolve(); }
    }, 10);
  }));
}

const A = [500, 500]; // the location the map is centred on (through the id search)
const ZOOM = 14; // select(…, {fly}) zooms to at least 14; the fitted 20 km layer is below that

/** Sample grid points in view (away from the selection ring at A and the canvas edges). */
function samples(box) {
  const out = [];
  for (let dy = -28; dy <= 28; dy += 7) {
    for (let dx = -56; dx <= 56; dx += 8) {
      const xi = A[0] + dx;
      const yi = A[1] + dy;
      const [ox, oy] = offsetPx(xi, yi, A[0], A[1], ZOOM);
      const px = box.width / 2 + ox;
      const py = box.height / 2 + oy;
      if (Math.hypot(ox, oy) < 16 || px < 10 || py < 10 || px > box.width - 10 || py > box.height - 10) continue;
      out.push({ xi, yi, px, py });
    }
  }
  return out;
}

async function checkColours(page, box, radiusM) {
  const pts = samples(box);
  const rgb = await canvasPixels(page, pts.map((p) => [p.px, p.py]));
  const bands = [];
  let checked = 0;
  pts.forEach((p, i) => {
    const band = expectedBand(p.xi, p.yi, radiusM);
    bands.push(band);
    if (band === null) return;
    checked++;
    assert.ok(near(rgb[i], hexRgb(VIRIDIS_9[band])),
      `radius ${radiusM}: point (${p.xi}, ${p.yi}) at (${p.px.toFixed(1)}, ${p.py.toFixed(1)}) is ${rgb[i]}, band ${band} is ${VIRIDIS_9[band]}`);
  });
  assert.ok(checked >= 40, `enough samples checked: ${checked} of ${pts.length}`);
  return bands;
}

test('a layer of 1 M points: drawn in band colours, alive after 30 s idle, click selects, new radius recolours', { timeout: 180_000 }, async () => {
  const { page } = s;
  const t0 = Date.now();
  await page.click('#tab-files');
  const count = await page.locator('.file-item').count();
  await page.setInputFiles('#file-input', path.join(dir, 'big.csv'));
  await page.waitForFunction((n) => document.querySelectorAll('.file-item').length > n, count, { timeout: 120_000 });
  await addIndicator(page, { layerName: 'big', numerator: 'a', denominator: 'b' });
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done', null, { timeout: 120_000 });

  // Centre on A (the search selects it and flies there) and check colours around it.
  const idA = `p${A[1] * SIDE + A[0]}`;
  await searchId(page, idA);
  await quiet(page);
  const box = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
  const bands200 = await checkColours(page, box, 200);
  const loaded = Date.now() - t0;

  // Idle: the renderer used to grow ~50 MB/s and crash within a minute here.
  const heap0 = await page.evaluate(() => performance.memory.usedJSHeapSize);
  await page.waitForTimeout(30_000);
  const heap1 = await page.evaluate(() => performance.memory.usedJSHeapSize);
  assert.ok(heap1 < 600e6, `JS heap bounded after 30 s idle: ${(heap1 / 1e6).toFixed(0)} MB`);
  assert.ok(heap1 - heap0 < 50e6, `JS heap did not grow while idle: ${(heap0 / 1e6).toFixed(0)} → ${(heap1 / 1e6).toFixed(0)} MB`);
  assert.equal(await page.evaluate(() => document.querySelector('.details-id')?.textContent), idA, 'the page still answers');

  // Click on a neighbour of A: the details show that location.
  const target = [A[0] + 7, A[1] - 4];
  const [ox, oy] = offsetPx(target[0], target[1], A[0], A[1], ZOOM);
  await page.mouse.click(box.x + box.width / 2 + ox, box.y + box.height / 2 + oy);
  const idB = `p${target[1] * SIDE + target[0]}`;
  await page.waitForFunction((want) => document.querySelector('.details-id')?.textContent === want, idB, { timeout: 10_000 });
  await page.mouse.move(0, 0); // (the hover label is a DOM element, not on the canvas, anyway)

  // Another radius: recomputed, and the map shows the new bands.
  await setRadius(page, 400);
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done', null, { timeout: 120_000 });
  await quiet(page);
  const bands400 = await checkColours(page, box, 400);
  const changed = bands200.filter((b, i) => b !== null && bands400[i] !== null && b !== bands400[i]).length;
  assert.ok(changed >= 5, `the new radius changes the band of some sampled points: ${changed}`);
  console.log(`bigmap: loaded+drawn ${loaded} ms, heap ${(heap0 / 1e6).toFixed(0)} → ${(heap1 / 1e6).toFixed(0)} MB, ${changed} samples recoloured`);
});

test('an analysis map on the buurten hides the big layer (drawing, hover); back on the band map it is drawn again', { timeout: 120_000 }, async () => {
  const { page } = s;
  const host = '#analysis-maps-host';
  const BACKGROUND = '#eef0ee'; // www/map.js: the plain map background (no base map)
  await page.click('#tab-analyses');
  await page.selectOption(`${host} select[name="area"]`, 'buurten');
  await page.selectOption(`${host} select[name="kind"]`, 'change');
  await page.click(`${host} button[data-action="draw"]`);
  await page.waitForFunction(() => document.querySelector('.amap-card')?.dataset.state === 'ready'
    && document.querySelector('table.amap-classes')?.dataset.area === 'buurten', null, { timeout: 60_000 });
  // The buurt map is fitted to the buurten (Rijnmond); the id search takes the map back to A, which
  // lies far east of every buurt polygon: nothing but the background may be drawn there.
  await page.click('#tab-map');
  await searchId(page, `p${A[1] * SIDE + A[0]}`);
  await quiet(page);
  assert.equal(await page.evaluate(() => document.getElementById('amap-legend').hidden), false, 'the analysis map is still shown');
  const box = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
  const pts = samples(box);
  const rgb = await canvasPixels(page, pts.map((p) => [p.px, p.py]));
  const drawn = pts.filter((_, i) => !near(rgb[i], hexRgb(BACKGROUND)));
  assert.equal(drawn.length, 0, `big layer drawn under the buurt map at ${drawn.length} of ${pts.length} samples, e.g. (${drawn[0]?.xi}, ${drawn[0]?.yi}) ${rgb[pts.indexOf(drawn[0])]}`);
  // Nor does the hidden layer answer the hover.
  await page.mouse.move(box.x + pts[0].px, box.y + pts[0].py);
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => [...document.querySelectorAll('.map-hover')].some((h) => !h.hidden)), false, 'no hover label');
  await page.mouse.move(0, 0);

  // Back to the band map (the legend's close button): the big layer in its band colours again.
  await page.click('#amap-legend .amap-legend-close');
  await page.waitForFunction(() => document.getElementById('amap-legend').hidden);
  await quiet(page);
  await checkColours(page, box, 400);
});
