// The Analyses tab on real data (issue 4, page side): the tipping point of the Leefbaarometer
// change against corporation share for the buurten of Rotterdam, Schiedam and Vlaardingen, and
// the index per band on the CBS squares — charts drawn, and the numbers shown equal to the
// command line's (`veerkracht analyse …`, same engine, reading the same bundled files).
// Every chart of issue 4 is drawn and what it was given to draw (the canvas's data-series: the
// Chart.js datasets) is compared too: index per band for two years with the NL = 100 line, the
// mean change per band with both tipping points and their intervals marked, the Leefbaarometer per
// level class over the years, and each dimension for the bands ≥ 80 %. Screenshots of each chart
// go to docs/screenshots/ (see docs/SCREENSHOTS.md).
import { tmpdir } from 'node:os';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { ROOT, describe as describeSession } from './harness.mjs';
import { openDemo, cli, readDemo, bruteForceAll, loadFile, addIndicator, CORP, DWELLINGS, BENEFIT, INHABITANTS } from './app_support.mjs';

const DEMO = path.join(ROOT, 'www', 'demo');
// The screenshots in docs/ are rewritten only when asked (VEERKRACHT_SCREENSHOTS=1); a normal run
// writes them to a temporary folder, so running the tests leaves the tree clean.
const SHOTS = process.env.VEERKRACHT_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(tmpdir(), 'veerkracht-screenshots');

/** The Chart.js input of a chart canvas (written by analyses.js as data-series). */
async function chartSeries(page, selector) {
  return JSON.parse(await page.locator(selector).getAttribute('data-series'));
}
const dataset = (series, label) => series.datasets.find((d) => d.label === label);

/** A screenshot of one chart card, in a viewport tall enough for the whole card. */
async function shot(page, card, name) {
  mkdirSync(SHOTS, { recursive: true });
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1400, height: 2000 });
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: path.join(SHOTS, name) });
  await page.setViewportSize(before);
}
let s;
before(async () => {
  s = await openDemo();
  await s.page.click('#tab-analyses');
});
after(async () => {
  await s?.close();
});

/** Rows of a result table: [label, ...data-values as numbers]. */
async function tableValues(page, kind) {
  return page.evaluate((k) => [...document.querySelectorAll(`table.result-table[data-kind="${k}"] tbody tr`)].map((tr) => [
    tr.querySelector('th').textContent,
    ...[...tr.querySelectorAll('td')].map((td) => Number(td.dataset.value)),
  ]), kind);
}

/** Whether a chart canvas has something drawn on it. */
async function chartDrawn(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!c || !c.width) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 16) if (d[i] > 0) ink++;
    return ink > 200;
  }, selector);
}

test('tipping point of the Leefbaarometer change for the Rotterdam buurten equals the command line', async () => {
  const { page } = s;
  const card = page.locator('.chart-card', { hasText: 'Kantelpunt' });
  await card.locator('select[name="yearA"]').selectOption('2014');
  await card.locator('select[name="yearB"]').selectOption('2018');
  await card.locator('select[name="score"]').selectOption('onv');
  await card.locator('button[type="submit"]').click();
  await card.locator('table.result-table').waitFor();
  assert.ok(await chartDrawn(page, '.chart-card:has(.tip-summary) canvas'), 'the tipping-point chart is drawn');

  const want = JSON.parse(cli([
    'analyse', 'tipping-point',
    '--scores', path.join(DEMO, 'leefbaarometer_buurten_rdam_2002_2024.csv'), '--score-column', 'onv',
    '--year-a', '2014', '--year-b', '2018',
    '--areas', path.join(DEMO, 'cbs_kwb_buurt_2024_rijnmond.csv'),
    '--share-column', 'perc_huurwoningen_in_bezit_woningcorporaties', '--join', 'bu_code=buurtcode',
  ]));
  const result = want.result ?? want.tipping ?? want;
  const rows = await tableValues(page, 'tipping');
  assert.equal(rows.length, result.bands.length);
  rows.forEach(([label, locations, meanChange], i) => {
    const b = result.bands[i];
    assert.equal(locations, b.locations, `${label}: buurten in band`);
    if (b.meanChange === null) assert.ok(Number.isNaN(meanChange));
    else assert.equal(meanChange, b.meanChange, `${label}: mean change`);
  });
  const used = await card.locator('dd[data-key="locationsUsed"]').textContent();
  assert.equal(used, result.locationsUsed.toLocaleString('nl-NL'));
  const interp = await card.locator('dd[data-key="interpolated"]').textContent();
  // docs/ANALYSE-FORMAT.md: on this data onv 2014→2018 turns negative (62.6 % from the band means).
  assert.equal(result.interpolated.status, 'crossing');
  {
    const pct = new Intl.NumberFormat('nl-NL', { style: 'percent', maximumFractionDigits: 0 }).format(result.interpolated.share);
    assert.ok(interp.startsWith(pct), `interpolated tipping point ${interp} vs CLI ${pct}`);
  }

  // What the chart draws: the band means at their positions, and both tipping points with their
  // bootstrap intervals at the command line's shares (x in percent).
  const series = await chartSeries(page, '.chart-card:has(.tip-summary) canvas');
  const means = series.datasets[0].data;
  const usedBands = result.bands.filter((b) => b.used && b.meanChange !== null);
  assert.equal(means.length, usedBands.length, 'one point per band used');
  usedBands.forEach((b, k) => {
    assert.ok(Math.abs(means[k].x - b.positionShare * 100) < 1e-9, `${b.label}: position`);
    assert.equal(means[k].y, b.meanChange, `${b.label}: mean change`);
  });
  const close = (a, b) => Math.abs(a - b) < 1e-9;
  for (const [key, mark, interval] of [
    ['interpolated', 'kantelpunt (banden)', 'interval (banden)'],
    ['brokenLineCrossing', 'kantelpunt (gebroken lijn)', 'interval (gebroken lijn)'],
  ]) {
    const e = result[key];
    assert.equal(e.status, 'crossing', `${key} crosses on this data`);
    const m = dataset(series, mark);
    assert.ok(m, `${mark} is marked`);
    assert.ok(m.data.every((p) => close(p.x, e.share * 100)), `${mark} at ${e.share * 100}`);
    assert.ok(e.interval, `${key} has a bootstrap interval`);
    const iv = dataset(series, interval);
    assert.ok(iv, `${interval} is marked`);
    assert.ok(close(iv.data[0].x, e.interval.lower * 100) && close(iv.data[1].x, e.interval.upper * 100), `${interval}`);
  }
  await shot(page, card, 'analyses-tipping-point.png');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('index per band of persons on benefit on the CBS squares equals the command line', async () => {
  const { page } = s;
  const card = page.locator('.chart-card', { hasText: 'Index per band' });
  await card.locator('select[name="group"]').selectOption(BENEFIT);
  await card.locator('select[name="denominator"]').selectOption(INHABITANTS);
  await card.locator('button[type="submit"]').click();
  await card.locator('table.result-table').waitFor();
  assert.ok(await chartDrawn(page, '.chart-card:has(table[data-kind="index"]) canvas'), 'the index chart is drawn');

  // The command line gets the corporation share per square from an independent brute force
  // (tests/e2e/app_support.mjs), written next to the group and denominator columns.
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const os = await import('node:os');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'veerkracht-index-'));
  const demo = readDemo();
  const { share } = bruteForceAll(demo, 200, demo.col(CORP), demo.col(DWELLINGS), 10);
  const g = demo.col(BENEFIT);
  const d = demo.col(INHABITANTS);
  const cell = (v) => (Number.isNaN(v) ? '' : String(v));
  const lines = ['share,group,denominator'];
  for (let i = 0; i < share.length; i++) lines.push(`${cell(share[i])},${cell(g[i])},${cell(d[i])}`);
  const joined = path.join(dir, 'joined.csv');
  writeFileSync(joined, lines.join('\n') + '\n');
  const want = JSON.parse(cli(['analyse', 'index', '--input', joined, '--share-column', 'share',
    '--group', 'group', '--denominator', 'denominator', '--share-unit', 'fraction']));
  const result = want.result ?? want;
  const rows = await tableValues(page, 'index');
  assert.equal(rows.length, result.rows.length);
  rows.forEach(([label, locations, share, index], i) => {
    const r = result.rows[i];
    assert.equal(locations, r.locations, `${label}: squares`);
    if (r.index === null) assert.ok(Number.isNaN(index));
    else assert.equal(index, r.index, `${label}: index`);
  });
  const series = await chartSeries(page, '.chart-card:has(table[data-kind="index"]) canvas');
  assert.deepEqual(series.datasets[0].data, result.rows.map((r) => r.index), 'the bars are the indices');
  assert.ok(series.datasets[1].data.length === result.rows.length && series.datasets[1].data.every((v) => v === 100), 'the reference line is at 100');
});

test('index per band for two years (year B seeded) with the gap growth equals the command line', async () => {
  const { page } = s;
  // No public file has two years of these counts per square: year B of the persons on benefit is
  // generated here with a fixed seed (so say the labels): B = round(A × (0.85 + 0.5·c + 0.2·u)),
  // c = the square's own corporation share (0 when unknown), u uniform from an LCG seeded 2018.
  const demo = readDemo();
  const corp = demo.col(CORP);
  const dw = demo.col(DWELLINGS);
  const g = demo.col(BENEFIT);
  const d = demo.col(INHABITANTS);
  let seed = 2018;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const gB = Float64Array.from(g, (v, i) => {
    const u = rand();
    const c = dw[i] > 0 && !Number.isNaN(corp[i]) ? corp[i] / dw[i] : 0;
    return Number.isNaN(v) ? NaN : Math.round(v * (0.85 + 0.5 * c + 0.2 * u));
  });
  const cell = (v) => (Number.isNaN(v) ? '' : String(v));
  const lines = [`crs28992res100m,${DWELLINGS},${CORP},${INHABITANTS},${BENEFIT},uitkering_jaar_b`];
  for (let i = 0; i < demo.ids.length; i++) {
    lines.push([demo.ids[i], cell(dw[i]), cell(corp[i]), cell(d[i]), cell(g[i]), cell(gB[i])].join(','));
  }
  await loadFile(page, 'rotterdam_twee_jaren.csv', lines.join('\n') + '\n');
  await addIndicator(page, { layerName: 'rotterdam_twee_jaren', numerator: CORP, denominator: DWELLINGS, name: 'Corporatie (twee jaren)' });
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  await page.click('#tab-analyses');
  const card = page.locator('.chart-card', { hasText: 'Index per band' });
  const shareSel = card.locator('select[name="share"]');
  const value = await shareSel.evaluate((sel) => [...sel.options].find((o) => o.textContent === 'Corporatie (twee jaren)')?.value);
  assert.ok(value, 'the new map layer is offered as the share');
  await shareSel.selectOption(value);
  await card.locator('select[name="group"]').selectOption(BENEFIT);
  await card.locator('select[name="denominator"]').selectOption(INHABITANTS);
  await card.locator('select[name="groupB"]').selectOption('uitkering_jaar_b');
  await card.locator('select[name="denominatorB"]').selectOption(INHABITANTS);
  await card.locator('input[name="labelA"]').fill('2024');
  await card.locator('input[name="labelB"]').fill('B (synthetisch)');
  await card.locator('button[type="submit"]').click();
  await card.locator('table.result-table[data-kind="index"]').waitFor();

  const { share } = bruteForceAll(demo, 200, corp, dw, 10);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'veerkracht-trend-'));
  const joined = path.join(dir, 'joined.csv');
  const out = ['share,ga,da,gb,db'];
  for (let i = 0; i < share.length; i++) out.push([share[i], g[i], d[i], gB[i], d[i]].map(cell).join(','));
  writeFileSync(joined, out.join('\n') + '\n');
  const want = JSON.parse(cli(['analyse', 'trend', '--input', joined, '--share-column', 'share', '--share-unit', 'fraction',
    '--group-a', 'ga', '--denominator-a', 'da', '--group-b', 'gb', '--denominator-b', 'db']));
  const result = want.result ?? want;
  const rows = await tableValues(page, 'index');
  assert.equal(rows.length, result.rows.length);
  const same = (got, v, what) => (v === null ? assert.ok(Number.isNaN(got), what) : assert.equal(got, v, what));
  rows.forEach(([label, indexA, indexB, change], i) => {
    const r = result.rows[i];
    same(indexA, r.indexA, `${label}: index A`);
    same(indexB, r.indexB, `${label}: index B`);
    same(change, r.change, `${label}: change`);
  });
  const gap = await card.locator('p.small').last().textContent();
  const growth = new Intl.NumberFormat('nl-NL', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(result.gap.gapGrowth);
  assert.ok(gap.includes(growth), `gap growth ${gap} vs CLI ${growth}`);

  const series = await chartSeries(page, '.chart-card:has(table[data-kind="index"]) canvas');
  assert.ok(await chartDrawn(page, '.chart-card:has(table[data-kind="index"]) canvas'), 'the two-year index chart is drawn');
  assert.deepEqual(dataset(series, '2024').data, result.rows.map((r) => r.indexA), 'bars of year A');
  assert.deepEqual(dataset(series, 'B (synthetisch)').data, result.rows.map((r) => r.indexB), 'bars of year B');
  const ref = series.datasets[2];
  assert.ok(ref.data.every((v) => v === 100), 'the NL = 100 line');
  await shot(page, card, 'analyses-index-two-years.png');
});

test('Leefbaarometer development per level class (and per dimension for ≥ 80 %) equals the command line', async () => {
  const { page } = s;
  await page.click('#tab-analyses');
  const card = page.locator('.chart-card', { hasText: 'Ontwikkeling' });
  await card.locator('select[name="mode"]').selectOption('level');
  await card.locator('button[type="submit"]').click();
  await card.locator('table[data-kind="series-level"]').waitFor();
  assert.ok(await chartDrawn(page, '.chart-card:has(table[data-kind="series-level"]) canvas'), 'the series chart is drawn');
  const want = JSON.parse(cli([
    'analyse', 'series', '--scores', path.join(DEMO, 'leefbaarometer_buurten_rdam_2002_2024.csv'),
    '--score-column', 'lbm', '--group-by', 'level', '--level-column', 'lbm', '--base-year', '2012',
  ]));
  const result = want.result ?? want;
  const rows = await tableValues(page, 'series-level');
  assert.equal(rows.length, result.groups.length, 'one line per level class');
  rows.forEach(([label, ...means], g) => {
    const col = result.groups[g].columns[0];
    result.years.forEach((year, k) => {
      const p = col.points.find((q) => q.year === year);
      if (!p || p.mean === null) assert.ok(Number.isNaN(means[k]));
      else assert.equal(means[k], p.mean, `${label} ${year}`);
    });
  });

  const levelSeries = await chartSeries(page, '.chart-card:has(table[data-kind="series-level"]) canvas');
  assert.equal(levelSeries.datasets.length, result.groups.length, 'one line per level class in the chart');
  await shot(page, card, 'analyses-series-level.png');

  await card.locator('select[name="mode"]').selectOption('band');
  await card.locator('button[type="submit"]').click();
  await card.locator('table[data-kind="series-band"]').waitFor();
  assert.ok(await chartDrawn(page, '.chart-card:has(table[data-kind="series-band"]) canvas'), 'the dimensions chart is drawn');
  const dims = await tableValues(page, 'series-band');
  assert.equal(dims.length, 5, 'one line per dimension (fys, onv, soc, vrz, won)');
  const wantB = JSON.parse(cli([
    'analyse', 'series', '--scores', path.join(DEMO, 'leefbaarometer_buurten_rdam_2002_2024.csv'),
    '--score-column', 'fys,onv,soc,vrz,won', '--group-by', 'band',
    '--areas', path.join(DEMO, 'cbs_kwb_buurt_2024_rijnmond.csv'),
    '--share-column', 'perc_huurwoningen_in_bezit_woningcorporaties', '--join', 'bu_code=buurtcode',
  ]));
  const rb = wantB.result ?? wantB;
  const top = rb.groups[rb.groups.length - 1];
  assert.match(top.label, /80/, `the last group is the band ≥ 80 % (${top.label})`);
  assert.ok(top.areas > 0, 'buurten in the band ≥ 80 %');
  dims.forEach(([label, ...means], k) => {
    const col = top.columns[k];
    assert.ok(label.startsWith(col.column), `${label} is ${col.column}`);
    rb.years.forEach((year, y) => {
      const p = col.points.find((q) => q.year === year);
      if (!p || p.mean === null) assert.ok(Number.isNaN(means[y]), `${label} ${year}`);
      else assert.equal(means[y], p.mean, `${label} ${year}`);
    });
  });
  await shot(page, card, 'analyses-series-band80.png');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});
