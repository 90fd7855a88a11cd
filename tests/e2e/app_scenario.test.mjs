// The what-if tab (issue 6): a scenario built in the page — squares selected by a pasted id list
// and by a click on the map, dwellings sold, new social and mid-rent dwellings built — and the
// summary the page shows (crossings of 40/50/60/80 % in total, per buurt and per gemeente once the
// bundled buurt polygons are loaded as a file, band table before/after) checked against an
// independent calculation here: brute-force 200 m sums over the bundled CSV with the edited counts,
// shares suppressed below k = 10, crossings counted naively, each square's buurt found by a
// ray-casting point-in-polygon test in WGS84 (square centres converted with the published RD
// approximation of Schreutelkamp & Strang van Hees), per-area dwelling counts 1..k-1 suppressed.
// Also: undo/redo (buttons and Ctrl+Z / Ctrl+Y) restore the numbers, an impossible change shows an
// error and changes nothing, the CSV export, the time of an update touching ~100 locations, the
// placement check on the scenario's counts, and the scenario saved and loaded back exactly (undo
// position, selection, placement form).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe as describeSession } from './harness.mjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';
import { readDemo, bruteForce, bruteForceAll, openDemo, searchId, readDetails, hoverAt, loadFile, rdToWgs84, CORP, DWELLINGS, BENEFIT, INHABITANTS } from './app_support.mjs';

const BUURT_GEOJSON = path.join(ROOT, 'www', 'demo', 'cbs_buurt_2024_rijnmond.geojson');
const KWB_CSV = path.join(ROOT, 'www', 'demo', 'cbs_kwb_buurt_2024_rijnmond.csv');

const RADIUS_M = 200;
const K = 10;
const THRESHOLDS = [40, 50, 60, 80];
const EDGES = [0, 10, 20, 30, 40, 50, 60, 70, 80];

let s;
let demo;
let dw0;
let corp0;
before(async () => {
  demo = readDemo();
  dw0 = demo.col(DWELLINGS);
  corp0 = demo.col(CORP);
  s = await openDemo();
  await s.page.click('#tab-whatif');
  await s.page.waitForFunction(() => document.querySelector('#whatif .whatif-crossings'));
});
after(async () => {
  await s?.close();
});

// ---- the independent calculation ------------------------------------------------------------

/** Counts after some steps: `changes` [{row, kind, dwellings}], missing counted as 0 (the page's default). */
function editedCounts(steps) {
  const dw = Float64Array.from(dw0);
  const corp = Float64Array.from(corp0);
  const z = (v) => (Number.isNaN(v) ? 0 : v);
  for (const step of steps) {
    for (const { row, kind, dwellings: n } of step) {
      const [dd, dc] = {
        sell: [0, -n], liberalise: [0, -n], demolish: [-n, -n], newBuildSocial: [n, n], newBuildMidRent: [n, 0],
      }[kind];
      if (dd) dw[row] = z(dw[row]) + dd;
      if (dc) corp[row] = z(corp[row]) + dc;
    }
  }
  return { dw, corp };
}


/** Even-odd ray casting over every ring of a (Multi)Polygon (holes included). */
function inPolygon(geometry, lon, lat) {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let inside = false;
  for (const rings of polys) {
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

/** Each demo square's buurt code ('' = in none): the first polygon in file order that holds its centre. */
function buurtOfSquares() {
  const features = JSON.parse(readFileSync(BUURT_GEOJSON, 'utf8')).features;
  const boxes = features.map((f) => {
    const pts = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).flat(3);
    const xs = [];
    const ys = [];
    for (let i = 0; i < pts.length; i += 2) {
      xs.push(pts[i]);
      ys.push(pts[i + 1]);
    }
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  });
  return demo.ids.map((_, i) => {
    const [lon, lat] = rdToWgs84(demo.x[i], demo.y[i]);
    const k = features.findIndex((f, j) => {
      const b = boxes[j];
      return lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3] && inPolygon(f.geometry, lon, lat);
    });
    return k < 0 ? '' : String(features[k].properties.buurtcode).toUpperCase();
  });
}

/** Names from the bundled CBS Kerncijfers (buurtcode → buurtnaam, gemeentecode → gemeentenaam). */
function areaNames() {
  const lines = readFileSync(KWB_CSV, 'utf8').split(/\r?\n/).filter(Boolean);
  const head = lines[0].split(',');
  const names = new Map();
  for (const line of lines.slice(1)) {
    const c = line.split(',');
    names.set(c[head.indexOf('buurtcode')], c[head.indexOf('buurtnaam')]);
    if (!names.has(c[head.indexOf('gemeentecode')])) names.set(c[head.indexOf('gemeentecode')], c[head.indexOf('gemeentenaam')]);
  }
  return names;
}

let buurtOf = null;

/** Crossings per threshold, total and per area (when the buurten are loaded), and the band tables — all naive loops. */
function expectedSummary(steps, { withAreas = buurtOf !== null } = {}) {
  const before = bruteForceAll(demo, RADIUS_M, corp0, dw0, K).share;
  const { dw, corp } = editedCounts(steps);
  const afterShare = bruteForceAll(demo, RADIUS_M, corp, dw, K).share;
  const z = (v) => (Number.isNaN(v) ? 0 : v);
  const blank = () => THRESHOLDS.map((t) => ({ thresholdPct: t, upLocations: 0, upDwellings: 0, downLocations: 0, downDwellings: 0 }));
  const total = blank();
  const perArea = new Map();
  let changed = 0;
  let undetermined = 0;
  for (let i = 0; i < before.length; i++) {
    const b = before[i];
    const a = afterShare[i];
    if (!Object.is(b, a)) changed++;
    if (Number.isNaN(b) || Number.isNaN(a)) {
      undetermined++;
      continue;
    }
    THRESHOLDS.forEach((t, k) => {
      const up = b < t / 100 && a >= t / 100;
      const down = b >= t / 100 && a < t / 100;
      if (!up && !down) return;
      const areasOfSquare = [];
      if (withAreas) {
        const bu = buurtOf[i];
        areasOfSquare.push(`buurt ${bu}`, `gemeente ${bu ? `GM${bu.slice(2, 6)}` : ''}`);
      }
      for (const area of areasOfSquare) if (!perArea.has(area)) perArea.set(area, blank());
      for (const c of [total[k], ...areasOfSquare.map((a) => perArea.get(a)[k])]) {
        if (up) {
          c.upLocations++;
          c.upDwellings += z(dw[i]);
        } else {
          c.downLocations++;
          c.downDwellings += z(dw[i]);
        }
      }
    });
  }
  const bands = (share, dwellings) => {
    const rows = EDGES.map(() => ({ locations: 0, dwellings: 0 }));
    let outside = 0;
    for (let i = 0; i < share.length; i++) {
      if (Number.isNaN(share[i])) {
        outside++;
        continue;
      }
      let band = 0;
      for (let e = 1; e < EDGES.length; e++) if (share[i] >= EDGES[e] / 100) band = e;
      rows[band].locations++;
      rows[band].dwellings += z(dwellings[i]);
    }
    return { rows, outside };
  };
  // Per level (buurt, then gemeente), by code, the squares in no area last; dwellings 1..k-1 → null.
  const areaRows = [];
  const order = (key) => {
    const [level, code] = key.split(' ');
    return [level === 'buurt' ? 0 : 1, code === '' ? 1 : 0, code];
  };
  const cmp = (a, b) => {
    const x = order(a[0]);
    const y = order(b[0]);
    return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
  };
  const guard = (v) => (v > 0 && v < K ? null : v);
  for (const [key, cs] of [...perArea].sort(cmp)) {
    const [level, area] = key.split(' ');
    for (const c of cs) {
      if (c.upLocations || c.downLocations) {
        areaRows.push({ level, area, ...c, upDwellings: guard(c.upDwellings), downDwellings: guard(c.downDwellings) });
      }
    }
  }
  return { total, areaRows, bandsBefore: bands(before, dw0), bandsAfter: bands(afterShare, dw), changed, undetermined };
}

// ---- reading the page -----------------------------------------------------------------------

async function readSummary(page) {
  return page.evaluate(() => {
    const num = (v) => Number(v);
    const cross = (tr) => ({
      thresholdPct: num(tr.dataset.threshold), upLocations: num(tr.dataset.upLocations), upDwellings: num(tr.dataset.upDwellings),
      downLocations: num(tr.dataset.downLocations), downDwellings: num(tr.dataset.downDwellings),
    });
    const bandRows = [...document.querySelectorAll('#whatif .whatif-bands tr[data-band]')];
    const facts = document.querySelector('#whatif .whatif-facts');
    return {
      total: [...document.querySelectorAll('#whatif .whatif-crossings tbody tr')].map(cross),
      areaRows: [...document.querySelectorAll('#whatif .whatif-area-table tbody tr')].map((tr) => ({
        level: tr.dataset.level, area: tr.dataset.area, ...cross(tr),
        upDwellings: tr.dataset.upDwellings === '' ? null : num(tr.dataset.upDwellings),
        downDwellings: tr.dataset.downDwellings === '' ? null : num(tr.dataset.downDwellings),
      })),
      noAreas: !!document.querySelector('#whatif [data-no-areas="true"]'),
      bandsBefore: {
        rows: bandRows.filter((tr) => tr.dataset.band !== 'none').map((tr) => ({ locations: num(tr.dataset.beforeLocations), dwellings: num(tr.dataset.beforeDwellings) })),
        outside: num(bandRows.find((tr) => tr.dataset.band === 'none').dataset.beforeLocations),
      },
      bandsAfter: {
        rows: bandRows.filter((tr) => tr.dataset.band !== 'none').map((tr) => ({ locations: num(tr.dataset.afterLocations), dwellings: num(tr.dataset.afterDwellings) })),
        outside: num(bandRows.find((tr) => tr.dataset.band === 'none').dataset.afterLocations),
      },
      changed: num(facts.dataset.changed),
      undetermined: num(facts.dataset.undetermined),
    };
  });
}

const doneCount = (page) => page.evaluate(() => Number(document.querySelector('#whatif').dataset.done || 0));

/** Run `action`, then wait until the tab finished one more operation. */
async function andWait(page, action) {
  const n = await doneCount(page);
  await action();
  await page.waitForFunction((m) => Number(document.querySelector('#whatif').dataset.done || 0) > m, n);
}

async function selectIds(page, ids) {
  const before = await page.locator('#whatif .whatif-selcount').getAttribute('data-count');
  await page.fill('#whatif-ids', ids.join('\n'));
  await andWait(page, () => page.click('#whatif-add-ids'));
  const after = Number(await page.locator('#whatif .whatif-selcount').getAttribute('data-count'));
  assert.ok(after >= Number(before), 'selection grew');
  return after;
}

async function clearSelection(page) {
  await page.click('#whatif-clear');
  await page.waitForFunction(() => document.querySelector('#whatif .whatif-selcount').dataset.count === '0');
}

async function applyChange(page, kind, n) {
  await page.selectOption('#whatif-kind', kind);
  await page.fill('#whatif-n', String(n));
  await andWait(page, () => page.click('#whatif-apply'));
}

const stepCount = (page) => page.evaluate(() => Number(document.querySelector('#whatif').dataset.steps));
const errorText = (page) => page.evaluate(() => {
  const box = document.querySelector('#whatif .whatif-error');
  return box.hidden ? '' : box.textContent;
});

async function assertSummary(page, steps, what) {
  const want = expectedSummary(steps);
  const got = await readSummary(page);
  assert.deepEqual(got.total, want.total, `${what}: crossings in total`);
  assert.deepEqual(got.areaRows, want.areaRows, `${what}: crossings per buurt and gemeente`);
  assert.equal(got.noAreas, buurtOf === null, `${what}: says when no areas are loaded`);
  assert.deepEqual(got.bandsBefore, want.bandsBefore, `${what}: band table now`);
  assert.deepEqual(got.bandsAfter, want.bandsAfter, `${what}: band table in the scenario`);
  assert.equal(got.changed, want.changed, `${what}: locations with another share`);
  assert.equal(got.undetermined, want.undetermined, `${what}: locations without a share`);
  return want;
}

// ---- the squares this test edits, picked from the data ---------------------------------------

const rowsBy = (score) => demo.ids.map((_, i) => i).filter((i) => Number.isFinite(score(i))).sort((a, b) => score(b) - score(a) || a - b);

/** The applied steps as the test knows them (to compare after undo/redo). */
const steps = [];

test('a scenario built in the page: the summary equals a brute-force calculation', async () => {
  const { page } = s;
  assert.equal(await stepCount(page), 0);
  // Step 1: sell 6 corporation dwellings at the 12 squares with the most corporation dwellings.
  const sellRows = rowsBy((i) => corp0[i]).slice(0, 12);
  assert.ok(sellRows.every((i) => corp0[i] >= 6));
  assert.equal(await selectIds(page, sellRows.map((i) => demo.ids[i])), 12);
  await applyChange(page, 'sell', 6);
  assert.equal(await errorText(page), '');
  assert.equal(await stepCount(page), 1);
  steps.push(sellRows.map((row) => ({ row, kind: 'sell', dwellings: 6 })));
  const want1 = await assertSummary(page, steps, 'after selling (no areas loaded: whole area only)');
  assert.ok(want1.total.some((c) => c.downLocations > 0), 'selling moves some locations below a tipping point');

  // The bundled buurt polygons loaded as a file: the summary now lists per buurt and per gemeente.
  await loadFile(page, 'cbs_buurt_2024_rijnmond.geojson', readFileSync(BUURT_GEOJSON, 'utf8'));
  buurtOf = buurtOfSquares();
  await andWait(page, () => page.click('#tab-whatif'));
  const perArea = await assertSummary(page, steps, 'after selling, per buurt');
  assert.ok(perArea.areaRows.some((r) => r.level === 'buurt' && r.area), 'some buurt has a movement');
  assert.ok(perArea.areaRows.some((r) => r.level === 'gemeente' && r.area === 'GM0599'), 'Rotterdam has a movement');
  // Names from the bundled CBS figures beside the codes.
  const names = areaNames();
  const firstBuurt = perArea.areaRows.find((r) => r.level === 'buurt' && r.area);
  const shown = await page.locator(`#whatif .whatif-area-table tr[data-area="${firstBuurt.area}"] td`).first().textContent();
  assert.equal(shown, names.get(firstBuurt.area));

  // Step 2: new social housing, 40 dwellings at each of 8 squares with many dwellings but no
  // corporation count (CBS leaves counts below 5 empty; missing counts as 0 by default); one of
  // them selected by a click on the map, the rest by id.
  await clearSelection(page);
  const buildRows = rowsBy((i) => (dw0[i] >= 40 && Number.isNaN(corp0[i]) ? dw0[i] : NaN)).slice(0, 8);
  assert.equal(buildRows.length, 8);
  await page.click('#tab-map');
  await searchId(page, demo.ids[buildRows[0]]); // centres the map on that square
  await page.click('#tab-whatif');
  await page.waitForTimeout(300);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('#whatif .whatif-selcount').dataset.count === '1');
  assert.equal(await selectIds(page, buildRows.slice(1).map((i) => demo.ids[i])), 8);
  await applyChange(page, 'newBuildSocial', 40);
  steps.push(buildRows.map((row) => ({ row, kind: 'newBuildSocial', dwellings: 40 })));
  const want2 = await assertSummary(page, steps, 'after new social housing');
  assert.ok(want2.total.some((c) => c.upLocations > 0), 'new social housing moves some locations above a tipping point');

  // Step 3: mid-rent new-build at the squares sold in step 1 (keeps the selection logic honest:
  // the same rows again, another kind of change).
  await clearSelection(page);
  await selectIds(page, sellRows.slice(0, 5).map((i) => demo.ids[i]));
  await applyChange(page, 'newBuildMidRent', 25);
  steps.push(sellRows.slice(0, 5).map((row) => ({ row, kind: 'newBuildMidRent', dwellings: 25 })));
  await assertSummary(page, steps, 'after mid-rent new-build');
  assert.equal(await stepCount(page), 3);
  assert.equal(await page.locator('#whatif-steps li').count(), 3);
  assert.match(await page.locator('#whatif-steps li').first().textContent(), /verkocht: 6 woningen op 12 locaties/);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('undo and redo (buttons, Ctrl+Z, Ctrl+Y) restore the numbers exactly', async () => {
  const { page } = s;
  await page.locator('#whatif-undo').focus();
  await andWait(page, () => page.keyboard.press('Control+z'));
  assert.equal(await stepCount(page), 2);
  await assertSummary(page, steps.slice(0, 2), 'after one undo');
  await andWait(page, () => page.click('#whatif-undo'));
  await andWait(page, () => page.click('#whatif-undo'));
  assert.equal(await stepCount(page), 0);
  const none = await assertSummary(page, [], 'after undoing everything');
  assert.ok(none.total.every((c) => c.upLocations === 0 && c.downLocations === 0));
  await andWait(page, () => page.click('#whatif-redo'));
  await assertSummary(page, steps.slice(0, 1), 'after one redo');
  await page.locator('#whatif-redo').focus();
  await andWait(page, () => page.keyboard.press('Control+y'));
  await andWait(page, () => page.keyboard.press('Control+y'));
  assert.equal(await stepCount(page), 3);
  await assertSummary(page, steps, 'after redoing everything');
  assert.ok(await page.locator('#whatif-redo').isDisabled(), 'nothing left to redo');
});

test('an impossible change shows an error and changes nothing', async () => {
  const { page } = s;
  const before = await readSummary(page);
  // A square with a few corporation dwellings; sell one more than it has.
  const row = rowsBy((i) => (corp0[i] > 0 && corp0[i] < 8 ? -i : NaN))[0];
  await clearSelection(page);
  await selectIds(page, [demo.ids[row]]);
  await applyChange(page, 'sell', corp0[row] + 1);
  const message = await errorText(page);
  assert.match(message, /Niet toegepast/);
  assert.ok(message.includes(demo.ids[row]), `the error names the square: ${message}`);
  assert.ok(message.includes(String(corp0[row])), `the error says how many it has: ${message}`);
  assert.equal(await stepCount(page), 3, 'no step added');
  assert.deepEqual(await readSummary(page), before, 'numbers unchanged');
  await assertSummary(page, steps, 'after the refused change');
  // A valid change afterwards clears the message.
  await applyChange(page, 'sell', 1);
  assert.equal(await errorText(page), '');
  await andWait(page, () => page.click('#whatif-undo'));
  await assertSummary(page, steps, 'after undoing the valid change');
});

test('an update touching ~100 locations is fast (timed in the page)', async () => {
  const { page } = s;
  await clearSelection(page);
  // 100 squares with dwellings spread over the area: every k-th square in file order.
  const withDwellings = demo.ids.map((_, i) => i).filter((i) => dw0[i] > 0);
  const stride = Math.floor(withDwellings.length / 100);
  const rows = withDwellings.filter((_, j) => j % stride === 0).slice(0, 100);
  await selectIds(page, rows.map((i) => demo.ids[i]));
  const runs = [];
  for (let r = 0; r < 7; r++) {
    await applyChange(page, 'newBuildMidRent', 1);
    const apply = await page.locator('#whatif-timing').evaluate((e) => ({ ...e.dataset }));
    await andWait(page, () => page.click('#whatif-undo'));
    const undo = await page.locator('#whatif-timing').evaluate((e) => ({ ...e.dataset }));
    runs.push({ apply, undo });
  }
  await assertSummary(page, steps, 'after the timing runs (all undone)');
  const med = (xs) => xs.map(Number).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const figure = {
    changedLocations: Number(runs[0].apply.locations),
    recomputedLocations: Number(runs[0].apply.rows),
    engineRoundTripMsMedian: med(runs.map((r) => r.apply.engineMs)),
    mapAndCountsMsMedian: med(runs.map((r) => r.apply.updateMs)),
    withSummaryMsMedian: med(runs.map((r) => r.apply.summaryMs)),
    summaryRoundTripMsMedian: med(runs.map((r) => r.apply.summaryEngineMs)),
    applyInWorkerMsMedian: med(runs.map((r) => r.apply.workerMs)),
    summaryInWorkerMsMedian: med(runs.map((r) => r.apply.summaryWorkerMs)),
    undoMapAndCountsMsMedian: med(runs.map((r) => r.undo.updateMs)),
    layerLocations: demo.ids.length,
  };
  console.log(`what-if update timing (Chromium, ${demo.ids.length} squares, R = 200 m): ${JSON.stringify(figure)}`);
  assert.equal(figure.changedLocations, 100);
  assert.ok(figure.mapAndCountsMsMedian < 250, `update took ${figure.mapAndCountsMsMedian} ms`);
});

test('the summary exports as CSV (Dutch Excel and standard), per-area small counts suppressed', async () => {
  const { page } = s;
  const want = expectedSummary(steps);
  await page.fill('#whatif-name', 'Proef "Zuid"');
  for (const format of ['nl', 'standard']) {
    await page.selectOption('#whatif-csv-format', format);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#whatif-export')]);
    const text = await readFile(await download.path(), 'utf8');
    const sep = format === 'nl' ? ';' : ',';
    assert.equal(text.startsWith('\uFEFF'), format === 'nl', 'BOM only for Dutch Excel');
    const lines = text.replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(lines[0], `Scenario${sep}"Proef ""Zuid"""`);
    const names = areaNames();
    for (const c of want.total) {
      const line = ['', 'Totaal', '', c.thresholdPct, c.upLocations, c.upDwellings, c.downLocations, c.downDwellings].join(sep);
      assert.ok(lines.includes(line), `${format}: total line ${line}`);
    }
    assert.ok(want.areaRows.length > 0);
    for (const c of want.areaRows) {
      const dw = (v) => (v === null ? `<${K}` : String(v));
      const name = c.area ? names.get(c.area) ?? '' : 'buiten de gebieden';
      const line = [c.level, c.area, name, c.thresholdPct, c.upLocations, dw(c.upDwellings), c.downLocations, dw(c.downDwellings)].join(sep);
      assert.ok(lines.includes(line), `${format}: area line ${line}`);
    }
    // Nothing per area between 0 and k.
    for (const line of lines.filter((l) => /^(buurt|gemeente)/.test(l))) {
      const cells = line.split(sep);
      for (const v of [cells[5], cells[7]]) assert.ok(v === `<${K}` || Number(v) === 0 || Number(v) >= K, `${format}: ${line}`);
    }
  }
});

test('placement check on the scenario: the selection ranked by group and corporation share within 200 m, as brute force over the edited counts', async () => {
  const { page } = s;
  const { dw: dwS, corp: corpS } = editedCounts(steps);
  await clearSelection(page);
  const benefit = demo.col(BENEFIT);
  const inhabitants = demo.col(INHABITANTS);
  // 15 candidates spread over the file, plus one whose surroundings hold fewer than k inhabitants.
  const spread = demo.ids.map((_, i) => i).filter((i) => dw0[i] > 0);
  const rows = spread.filter((_, j) => j % Math.floor(spread.length / 15) === 0).slice(0, 15);
  const thin = demo.ids.findIndex((_, i) => {
    const g = bruteForce(demo, i, RADIUS_M, benefit, inhabitants, K);
    return g.denSum > 0 && g.denSum < K;
  });
  if (thin >= 0 && !rows.includes(thin)) rows.push(thin);
  // And three squares the scenario changed (their surroundings certainly did change).
  for (const st of steps) if (!rows.includes(st[0].row)) rows.push(st[0].row);
  await selectIds(page, rows.map((i) => demo.ids[i]));
  await page.fill('#placement-group-pct', '20');
  await page.fill('#placement-corp-pct', '50');
  const n = Number(await page.locator('#placement').getAttribute('data-done') || 0);
  await page.click('#placement-run');
  await page.waitForFunction((m) => Number(document.querySelector('#placement').dataset.done || 0) > m, n);
  const got = await page.evaluate(() => [...document.querySelectorAll('#placement-result tbody tr')].map((tr) => ({
    rank: Number(tr.dataset.rank), id: tr.dataset.id, groupShare: tr.dataset.groupShare === '' ? null : Number(tr.dataset.groupShare),
    corporationShare: tr.dataset.corporationShare === '' ? null : Number(tr.dataset.corporationShare),
    groupFlag: tr.dataset.groupFlag === 'true', corporationFlag: tr.dataset.corporationFlag === 'true', suppressed: tr.dataset.suppressed === 'true',
  })));
  // Independent: brute-force shares, suppression below k, flags strictly above the thresholds,
  // ordered unsuppressed first, then by group share, then corporation share, then list order.
  const want = rows.map((i, q) => {
    const g = bruteForce(demo, i, RADIUS_M, benefit, inhabitants, K).share;
    const c = bruteForce(demo, i, RADIUS_M, corpS, dwS, K).share;
    const gs = Number.isNaN(g) ? null : g;
    const cs = Number.isNaN(c) ? null : c;
    return {
      q, id: demo.ids[i], groupShare: gs, corporationShare: cs,
      groupFlag: gs !== null && gs * 100 > 20, corporationFlag: cs !== null && cs * 100 > 50, suppressed: gs === null || cs === null,
    };
  }).sort((a, b) => (a.suppressed - b.suppressed) || ((a.groupShare ?? Infinity) - (b.groupShare ?? Infinity))
    || ((a.corporationShare ?? Infinity) - (b.corporationShare ?? Infinity)) || a.q - b.q)
    .map(({ q, ...r }, k) => ({ rank: k + 1, ...r }));
  assert.deepEqual(got, want);
  if (thin >= 0) assert.ok(got.at(-1).suppressed, 'a candidate with fewer than k within the radius is suppressed and ranks last');
  assert.ok(got.some((r) => r.groupFlag || r.corporationFlag), 'some candidates are flagged');
  // The page says it ranked on the scenario, and the scenario did change some candidate's share.
  const basis = await page.locator('#placement-basis').evaluate((e) => ({ ...e.dataset, text: e.textContent }));
  assert.equal(basis.basis, 'scenario');
  assert.equal(basis.steps, String(steps.length));
  assert.match(basis.text, /scenario/);
  const unchanged = rows.every((i) => Object.is(bruteForce(demo, i, RADIUS_M, corp0, dw0, K).share, bruteForce(demo, i, RADIUS_M, corpS, dwS, K).share));
  assert.ok(!unchanged, 'the scenario changes some candidate\'s corporation share');
});

test('the scenario saves as JSON (steps, undo position, selection, placement form) and loads back exactly', async () => {
  const { page } = s;
  // One step undone (so one redo waits), three squares selected, the placement form changed.
  await andWait(page, () => page.click('#whatif-undo'));
  assert.equal(await stepCount(page), 2);
  await clearSelection(page);
  const chosen = rowsBy((i) => dw0[i]).slice(0, 3).map((i) => demo.ids[i]);
  await selectIds(page, chosen);
  await page.fill('#placement-group-pct', '25');
  await page.fill('#placement-corp-pct', '55');
  const save = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#whatif-save')]);
    return JSON.parse(await readFile(await download.path(), 'utf8'));
  };
  const saved = await save();
  assert.equal(saved.kind, 'veerkracht-scenario');
  assert.equal(saved.version, 2);
  assert.equal(saved.name, 'Proef "Zuid"');
  const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const plain = (st) => st.map((c) => ({ id: demo.ids[c.row], kind: c.kind, dwellings: c.dwellings })).sort(byId);
  assert.deepEqual(saved.steps.map((st) => st.changes.slice().sort(byId)), steps.slice(0, 2).map(plain));
  // Next redo first: the step just undone, then the one the timing test left undone.
  assert.deepEqual(saved.undone[0].changes.slice().sort(byId), plain(steps[2]));
  assert.equal(saved.undone.length, 2);
  assert.ok(saved.undone[1].changes.every((c) => c.kind === 'newBuildMidRent' && c.dwellings === 1));
  assert.deepEqual(saved.selection.slice().sort(), chosen.slice().sort());
  assert.deepEqual(saved.placement, { group: BENEFIT, groupDenominator: INHABITANTS, groupThresholdPct: 25, corporationThresholdPct: 55 });

  await andWait(page, () => page.click('#whatif-reset'));
  await page.fill('#whatif-name', 'iets anders');
  await page.fill('#placement-group-pct', '20');
  assert.equal(await stepCount(page), 0);
  await assertSummary(page, [], 'after clearing');
  await andWait(page, () => page.setInputFiles('#whatif-load', { name: 'scenario.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(saved)) }));
  assert.equal(await stepCount(page), 2);
  assert.equal(await errorText(page), '');
  assert.ok(!(await page.locator('#whatif-redo').isDisabled()), 'the undone step can be redone');
  assert.equal(await page.locator('#whatif .whatif-selcount').getAttribute('data-count'), '3');
  assert.equal(await page.inputValue('#whatif-name'), 'Proef "Zuid"');
  assert.equal(await page.inputValue('#placement-group-pct'), '25');
  await assertSummary(page, steps.slice(0, 2), 'after loading the saved scenario');
  // Saved again: the same file.
  assert.deepEqual(await save(), saved);

  // A second scenario beside it; the first is kept and comes back with the same numbers.
  await andWait(page, () => page.click('#whatif-new'));
  assert.equal(await stepCount(page), 0);
  assert.equal(await page.inputValue('#whatif-name'), 'Scenario 2');
  await selectIds(page, [demo.ids[steps[0][0].row]]);
  await applyChange(page, 'sell', 1);
  const two = await save();
  const { position, otherScenarios, ...first } = saved;
  assert.deepEqual([position, otherScenarios], [0, []]);
  assert.equal(two.name, 'Scenario 2');
  assert.equal(two.steps.length, 1);
  assert.equal(two.position, 1);
  assert.deepEqual(two.otherScenarios, [first]);
  assert.deepEqual(await page.locator('#whatif-scenario option').allTextContents(), ['Proef "Zuid"', 'Scenario 2']);
  await andWait(page, () => page.selectOption('#whatif-scenario', '0'));
  assert.equal(await stepCount(page), 2);
  assert.equal(await page.inputValue('#whatif-name'), 'Proef "Zuid"');
  await assertSummary(page, steps.slice(0, 2), 'the first scenario again');
  // Both scenarios through the file (what the project file holds) and back: the same again.
  const both = await save();
  assert.equal(both.otherScenarios.length, 1);
  await andWait(page, () => page.click('#whatif-reset'));
  await andWait(page, () => page.setInputFiles('#whatif-load', { name: 'scenarios.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(both)) }));
  assert.deepEqual(await save(), both);
  assert.equal(await page.locator('#whatif-scenario option').count(), 2);
  await andWait(page, () => page.click('#whatif-redo'));
  await assertSummary(page, steps, 'after redoing the loaded undone step');
  await clearSelection(page);
});

test('the tab reads in English after the language switch', async () => {
  const { page } = s;
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.locator('#tab-whatif').textContent(), 'What if');
  assert.match(await page.locator('#whatif-steps li').first().textContent(), /sold: 6 dwellings at 12 locations/);
  assert.match(await page.locator('#whatif .whatif-crossings thead').textContent(), /Up: locations/);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'nl');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('shift-drag on the map selects every square in the box', async () => {
  const { page } = s;
  // Centre the map on a square in a built-up block (the id search zooms in), then drag a box of
  // 80 px (~500 m at that zoom) around it. The brute force says how many squares lie in ±2 squares.
  const centre = rowsBy((i) => corp0[i])[0];
  const near = demo.ids.filter((_, j) => Math.abs(demo.x[j] - demo.x[centre]) <= 200 && Math.abs(demo.y[j] - demo.y[centre]) <= 200).length;
  assert.ok(near > 3, `${demo.ids[centre]} has neighbours`);
  await page.click('#tab-map');
  await searchId(page, demo.ids[centre]);
  await page.click('#tab-whatif');
  await page.waitForTimeout(2000); // the scenario colours are re-tiled before a box can query them
  await clearSelection(page);
  const box = await page.locator('#map').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.keyboard.down('Shift');
  try {
    await page.mouse.move(cx - 40, cy - 40);
    await page.mouse.down();
    await page.mouse.move(cx, cy, { steps: 4 });
    await page.mouse.move(cx + 40, cy + 40, { steps: 4 });
    await page.mouse.up();
  } finally {
    await page.keyboard.up('Shift');
  }
  const selected = await page.waitForFunction(() => {
    const n = Number(document.querySelector('#whatif .whatif-selcount').dataset.count);
    return n > 1 && n;
  }, null, { timeout: 10_000 }).then((h) => h.jsonValue()).catch(() => page.locator('#whatif .whatif-selcount').getAttribute('data-count'));
  assert.ok(Number(selected) > 1, `squares selected by the box: ${selected}`);
  await clearSelection(page);
});

test('hovering a changed square tells its share and band in the scenario and its share now; back on the Kaart tab the band map text', async () => {
  const { page } = s;
  // The scenario now holds all the steps (the save/load test redid the last one).
  assert.equal(await stepCount(page), steps.length);
  const { dw, corp } = editedCounts(steps);
  const pct = (text) => Number(text.replace(',', '.'));
  const bandOfShare = (v) => EDGES.reduce((band, e, b) => (v >= e / 100 ? b : band), 0);
  // A square the steps changed whose share within 200 m moved by more than what one decimal shows,
  // away from a band edge (brute force over the edited counts, not the page's numbers).
  const row = [...new Set(steps.flat().map((c) => c.row))].find((i) => {
    const now = bruteForce(demo, i, RADIUS_M, corp0, dw0, K).share;
    const after = bruteForce(demo, i, RADIUS_M, corp, dw, K).share;
    return Number.isFinite(now) && Number.isFinite(after) && Math.abs(after - now) > 0.005
      && EDGES.every((e) => Math.abs(after - e / 100) > 1e-6);
  });
  assert.ok(row !== undefined, 'a changed square with both shares');
  const now = bruteForce(demo, row, RADIUS_M, corp0, dw0, K).share;
  const after = bruteForce(demo, row, RADIUS_M, corp, dw, K).share;

  // The id search (Kaart tab) selects the square and centres the map on it; the band map's hover
  // text is the share the details panel shows.
  await page.click('#tab-map');
  await searchId(page, demo.ids[row]);
  const bandText = (await readDetails(page)).shareText;
  await page.click('#tab-whatif');
  await page.waitForFunction(() => document.querySelector('#whatif').dataset.active === 'true');
  let box = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
  const text = await hoverAt(page, box.x + box.width / 2, box.y + box.height / 2, (t) => t.startsWith('Scenario'));
  const m = /^Scenario: ([\d,]+)\s?% \((.+)\) · nu: ([\d,]+)\s?%$/.exec(text ?? '');
  assert.ok(m, `hover on ${demo.ids[row]} in the what-if view: "${text}"`);
  assert.ok(Math.abs(pct(m[1]) - 100 * after) <= 0.05 + 1e-9, `scenario share ${m[1]} vs brute force ${100 * after}`);
  assert.ok(Math.abs(pct(m[3]) - 100 * now) <= 0.05 + 1e-9, `share now ${m[3]} vs brute force ${100 * now}`);
  const b = bandOfShare(after);
  assert.equal(m[2], b + 1 < EDGES.length ? `${EDGES[b]}–${EDGES[b + 1]} %` : `≥ ${EDGES[b]} %`, 'the scenario band');
  assert.notEqual(text, bandText);

  // Leaving the what-if view: the hover tells the band map's share again.
  await page.click('#tab-map');
  await page.waitForFunction(() => document.querySelector('#whatif').dataset.active === 'false');
  box = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
  const again = await hoverAt(page, box.x + box.width / 2, box.y + box.height / 2, (t) => t === bandText);
  assert.equal(again, bandText, 'the band map hover is back');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});
