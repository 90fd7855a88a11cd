// The area profile ("sociale kaart", issue 4) and its printable A4 report (issue 5) on the real
// Rotterdam squares. The numbers in the panel are checked against two other routes: a brute force
// over the bundled CSV in Node (app_support.mjs) and the command line (`veerkracht analyse
// profile`, same engine). The square's buurt is checked by a point-in-polygon written here over the
// bundled GeoJSON, its Leefbaarometer series against the bundled CSV read here. Suppression: with
// a k above every sum nothing is shown. The report: only it is visible in print media, it holds
// the figures, chart images and the footer, and Chromium's PDF of it is one or two A4 pages.
// Outside Rijnmond (synthetic Utrecht squares, buurt polygons and Leefbaarometer scores made in
// the test): without a buurt file a clear message; with the user's buurt file (Bestanden tab) and
// Leefbaarometer file (the card's button, by keyboard) their buurt and trend, equal to the files;
// bad scores files give the usual error and change nothing; both choices in the project file.
import { tmpdir } from 'node:os';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, describe as describeSession } from './harness.mjs';
import { openDemo, searchId, readDemo, bruteForce, cli, loadFile, addIndicator, rdToWgs84, CORP, DWELLINGS, BENEFIT, INHABITANTS } from './app_support.mjs';

const DEMO = path.join(ROOT, 'www', 'demo');
// The screenshots in docs/ are rewritten only when asked (VEERKRACHT_SCREENSHOTS=1); a normal run
// writes them to a temporary folder, so running the tests leaves the tree clean.
const SHOTS = process.env.VEERKRACHT_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(tmpdir(), 'veerkracht-screenshots');
const SQUARE = 'E0927N4391'; // Rotterdam: 170 dwellings of its own, 145 of them a corporation's
const GROUP_KEY = `${BENEFIT}/${INHABITANTS}`;
let s;
let demo;

before(async () => {
  demo = readDemo();
  s = await openDemo();
});
after(async () => {
  await s?.close();
});

/** The profile panel: figures (own, within), share, band, groups, Leefbaarometer rows. */
async function readProfile(page) {
  return page.evaluate(() => {
    const card = document.getElementById('profile');
    const rows = (kind) => Object.fromEntries([...card.querySelectorAll(`table[data-kind="${kind}"] tbody tr`)].map((tr) => [
      tr.dataset.key,
      [...tr.querySelectorAll('td')].map((td) => ({ value: Number(td.dataset.value), text: td.textContent, suppressed: td.dataset.suppressed === 'true' })),
    ]));
    const share = card.querySelector('.profile-share');
    return {
      state: card.dataset.state,
      id: card.dataset.id,
      text: card.innerText,
      share: Number(share?.dataset.value),
      shareState: share?.dataset.state,
      band: Number(card.querySelector('.profile-band')?.dataset.band ?? -1),
      buurt: card.querySelector('.profile-buurt')?.dataset.code,
      figures: rows('figures'),
      groups: rows('groups'),
      lbm: rows('lbm'),
      lbmYears: [...card.querySelectorAll('table[data-kind="lbm"] thead th')].slice(1).map((th) => Number(th.textContent)),
    };
  });
}

async function waitProfile(page, id) {
  await page.waitForFunction((want) => {
    const c = document.getElementById('profile');
    return c?.dataset.state === 'ready' && c.dataset.id === want;
  }, id);
}

/** Whether a canvas has something drawn on it. */
async function inked(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!c || !c.width) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 16) if (d[i] > 0) ink++;
    return ink > 200;
  }, selector);
}

/** Ray casting over a GeoJSON (multi)polygon in lon/lat — the test's own point-in-polygon. */
function inRing(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function buurtOfLonLat(lon, lat) {
  return buurtOfPoint(JSON.parse(readFileSync(path.join(DEMO, 'cbs_buurt_2024_rijnmond.geojson'), 'utf8')), lon, lat);
}
/** The buurt code of the polygon of a GeoJSON (any one coordinate system) that contains a point. */
function buurtOfPoint(gj, x, y) {
  for (const f of gj.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const rings of polys) {
      if (inRing(rings[0], x, y) && !rings.slice(1).some((h) => inRing(h, x, y))) return f.properties.buurtcode;
    }
  }
  return '';
}

/** The bundled Leefbaarometer rows of one buurt, read here (quoted CSV, NA = missing). */
function lbmRows(code) {
  return lbmRowsFrom(readFileSync(path.join(DEMO, 'leefbaarometer_buurten_rdam_2002_2024.csv'), 'utf8'), code);
}
/** The rows of one buurt in a Leefbaarometer CSV text (no commas inside quotes), years ascending. */
function lbmRowsFrom(text, code) {
  const lines = text.split(/\r?\n/).filter(Boolean);
  const head = lines[0].split(',').map((h) => h.replace(/"/g, ''));
  return lines.slice(1).map((l) => l.split(',').map((c) => c.replace(/"/g, '')))
    .filter((r) => r[0] === code)
    .map((r) => Object.fromEntries(head.map((h, i) => [h, h === 'bu_code' || h === 'bu_naam' ? r[i] : r[i] === 'NA' ? NaN : Number(r[i])])))
    .sort((a, b) => a.jaar - b.jaar);
}

test('the profile of a Rotterdam square equals a brute force and the command line', async () => {
  const { page } = s;
  await searchId(page, SQUARE);
  await waitProfile(page, SQUARE);
  const p = await readProfile(page);
  const i = demo.ids.indexOf(SQUARE);
  assert.ok(i >= 0);

  // Own figures and sums within 200 m: brute force over the CSV.
  const corp = bruteForce(demo, i, 200, demo.col(CORP), demo.col(DWELLINGS), 10);
  const benefit = bruteForce(demo, i, 200, demo.col(BENEFIT), demo.col(INHABITANTS), 10);
  const own = (name) => demo.col(name)[i];
  assert.equal(p.figures[DWELLINGS][0].value, own(DWELLINGS));
  assert.equal(p.figures[DWELLINGS][1].value, corp.denSum);
  assert.equal(p.figures[CORP][1].value, corp.numSum);
  assert.equal(p.figures[INHABITANTS][1].value, benefit.denSum);
  assert.equal(p.figures[BENEFIT][1].value, benefit.numSum);
  assert.ok(Number.isNaN(own(CORP)) ? Number.isNaN(p.figures[CORP][0].value) : p.figures[CORP][0].value === own(CORP));
  assert.equal(p.share, corp.share, 'corporation share within 200 m');
  // Band by exact integer arithmetic (100·num ≥ edge·den), as in app_support's bruteForceBands.
  let band = 0;
  for (let b = 1; b < 9; b++) if (100 * corp.numSum >= b * 10 * corp.denSum) band = b;
  assert.equal(p.band, band);

  // The group against the whole loaded area = 100: reference over the rows with both values.
  const g = demo.col(BENEFIT);
  const d = demo.col(INHABITANTS);
  let gs = 0;
  let ds = 0;
  for (let j = 0; j < g.length; j++) if (!Number.isNaN(g[j]) && !Number.isNaN(d[j])) { gs += g[j]; ds += d[j]; }
  const [shareA, ref, index] = p.groups[GROUP_KEY];
  assert.equal(shareA.value, benefit.share);
  assert.ok(Math.abs(ref.value - gs / ds) < 1e-15, `reference ${ref.value} vs ${gs / ds}`);
  assert.ok(Math.abs(index.value - (benefit.share / (gs / ds)) * 100) < 1e-9);

  // The command line over the same file (all its numeric columns; the figures shown are a subset).
  const want = JSON.parse(cli([
    'analyse', 'profile', '--input', path.join(DEMO, 'cbs_vk100_rijnmond_2024.csv'), '--id', SQUARE,
    '--corporation-column', CORP, '--dwellings-column', DWELLINGS, '--radius-m', '200',
    '--group', `Uitkering=${BENEFIT}/${INHABITANTS}`,
  ]));
  const r = want.result ?? want;
  const within = Object.fromEntries(r.withinRadius.map((v) => [v.name, v.value]));
  for (const name of [CORP, DWELLINGS, BENEFIT, INHABITANTS]) assert.equal(p.figures[name][1].value, within[name], name);
  assert.equal(p.share, r.corporationShare);
  assert.equal(p.band, r.band.index);
  assert.equal(shareA.value, r.groups[0].shareA);
  assert.equal(index.value, r.groups[0].indexA);

  // The buurt (own point-in-polygon on the square's centre) and its Leefbaarometer years.
  const [lon, lat] = rdToWgs84(demo.x[i], demo.y[i]);
  const code = buurtOfLonLat(lon, lat);
  assert.ok(code.startsWith('BU0599'), `a Rotterdam buurt, got ${code}`);
  assert.equal(p.buurt, code);
  const rows = lbmRows(code);
  assert.deepEqual(p.lbmYears, rows.map((x) => x.jaar));
  for (const col of ['lbm', 'afw', 'onv']) {
    p.lbm[col].forEach((cell, k) => {
      const v = rows[k][col];
      if (Number.isNaN(v)) assert.ok(Number.isNaN(cell.value));
      else assert.ok(Math.abs(cell.value - v) < 1e-12, `${col} ${rows[k].jaar}`);
    });
  }
  assert.ok(await inked(page, '#profile canvas[data-chart="trend"]'), 'the buurt trend chart is drawn');
  assert.ok(await inked(page, '#profile canvas[data-chart="index"]'), 'the index chart is drawn');
  mkdirSync(SHOTS, { recursive: true });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1400, height: 2400 });
  await page.locator('#profile').scrollIntoViewIfNeeded();
  await page.locator('#profile').screenshot({ path: path.join(SHOTS, 'profile-panel.png') });
  await page.setViewportSize(viewport);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('a typed national figure becomes the reference (= 100)', async () => {
  const { page } = s;
  const input = page.locator(`#profile input[name="referencePct"][data-group="${GROUP_KEY}"]`);
  await input.fill('5');
  await input.press('Enter');
  await input.dispatchEvent('change');
  await page.waitForFunction((key) => {
    const tr = document.querySelector(`#profile table[data-kind="groups"] tr[data-key="${key}"]`);
    return tr && Number(tr.querySelectorAll('td')[1].dataset.value) === 0.05;
  }, GROUP_KEY);
  const p = await readProfile(page);
  const [shareA, ref, index] = p.groups[GROUP_KEY];
  assert.equal(ref.value, 0.05);
  assert.ok(Math.abs(index.value - (shareA.value / 0.05) * 100) < 1e-9);
  await input.fill('');
  await input.dispatchEvent('change');
});

test('a second year per group: share, index and change for year B', async () => {
  const { page } = s;
  // The bundled squares have one year only. The mechanics are checked with year B = the same
  // column: then share B = share A, index B = index A (each against its own loaded-area
  // reference, here the same) and the change is 0 — any mix-up of columns or references shows.
  const sel = page.locator(`#profile select[name="secondYear"][data-group="${GROUP_KEY}"]`);
  await sel.selectOption(BENEFIT);
  await page.waitForFunction((key) => document.querySelectorAll(`#profile table[data-kind="groups"] tr[data-key="${key}"] td`).length === 6, GROUP_KEY);
  const p = await readProfile(page);
  const [shareA, refA, indexA, shareB, indexB, change] = p.groups[GROUP_KEY];
  void refA;
  assert.equal(shareB.value, shareA.value);
  assert.equal(indexB.value, indexA.value);
  assert.equal(change.value, 0);
  const series = await page.evaluate(() => document.querySelectorAll('#profile canvas[data-chart="index"]').length);
  assert.equal(series, 1);
  await page.locator(`#profile select[name="secondYear"][data-group="${GROUP_KEY}"]`).selectOption('');
  await page.waitForFunction((key) => document.querySelectorAll(`#profile table[data-kind="groups"] tr[data-key="${key}"] td`).length === 3, GROUP_KEY);
});

test('with k above every sum, no figure of the profile is shown', async () => {
  const { page } = s;
  const i = demo.ids.indexOf(SQUARE);
  const corp = bruteForce(demo, i, 200, demo.col(CORP), demo.col(DWELLINGS), 10);
  await page.fill('#k', '1000000');
  await page.press('#k', 'Enter');
  await page.waitForFunction(() => {
    const c = document.getElementById('profile');
    return c?.dataset.state === 'ready' && c.querySelector('.profile-share')?.dataset.state === 'suppressed';
  });
  const p = await readProfile(page);
  for (const [name, cells] of Object.entries(p.figures)) {
    for (const c of cells) {
      assert.ok(c.suppressed && Number.isNaN(c.value), `${name} withheld`);
    }
  }
  const [shareA, , index] = p.groups[GROUP_KEY];
  assert.ok(shareA.suppressed && Number.isNaN(shareA.value) && Number.isNaN(index.value));
  assert.ok(Number.isNaN(p.share));
  // None of the withheld sums appears anywhere in the panel's text.
  const shown = (v) => new RegExp(`(^|[^\\d,.])${v.toLocaleString('nl-NL').replace('.', '\\.')}([^\\d,.]|$)`).test(p.text);
  for (const v of [corp.denSum, corp.numSum]) assert.ok(!shown(v), `${v} not shown`);
  await page.fill('#k', '10');
  await page.press('#k', 'Enter');
  await page.waitForFunction(() => document.querySelector('#profile .profile-share')?.dataset.state === 'ok');
});

test('the printable A4 report: only the report in print, figures, charts, footer; one or two A4 pages', async () => {
  const { page } = s;
  await waitProfile(page, SQUARE);
  // The print dialog itself cannot be driven headless: count the call, keep the page.
  await page.evaluate(() => {
    window.__printCalls = 0;
    window.print = () => { window.__printCalls++; };
  });
  await page.click('#profile button[data-profile="print"]');
  assert.equal(await page.evaluate(() => window.__printCalls), 1);
  await page.emulateMedia({ media: 'print' });
  const view = await page.evaluate(() => {
    const shown = (el) => el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
    const report = document.getElementById('profile-report');
    return {
      reportShown: shown(report),
      othersShown: [...document.body.children].filter((e) => e !== report && shown(e)).map((e) => e.tagName + (e.id ? `#${e.id}` : '')),
      text: report.innerText,
      images: [...report.querySelectorAll('img')].map((img) => ({ chart: img.dataset.chart || 'map', w: img.naturalWidth, src: img.src.slice(0, 22) })),
      footer: report.querySelector('.report-foot')?.innerText || '',
      share: Number(report.querySelector('.report-share')?.dataset.value),
      figures: [...report.querySelectorAll('table[data-kind="figures"] td')].map((td) => Number(td.dataset.value)),
    };
  });
  assert.ok(view.reportShown, 'the report is shown in print');
  assert.deepEqual(view.othersShown, [], 'everything else is hidden in print');
  assert.ok(view.text.includes(`Gebiedsprofiel ${SQUARE}`), 'title');
  const i = demo.ids.indexOf(SQUARE);
  const corp = bruteForce(demo, i, 200, demo.col(CORP), demo.col(DWELLINGS), 10);
  assert.equal(view.share, corp.share);
  assert.ok(view.figures.includes(corp.denSum), 'the dwellings within 200 m are in the report');
  assert.ok(view.text.includes(corp.denSum.toLocaleString('nl-NL')));
  for (const chart of ['index', 'trend', 'map']) {
    const img = view.images.find((x) => x.chart === chart);
    assert.ok(img && img.w > 100 && img.src.startsWith('data:image/png'), `${chart} image in the report`);
  }
  assert.match(view.footer, /200 m/, 'footer states the radius');
  assert.match(view.footer, /k = 10/, 'footer states k');
  assert.match(view.footer, /≥ 80 %/, 'footer states the bands');
  assert.match(view.footer, /cbs_vk100_rijnmond_2024\.csv/, 'footer names the data source');
  assert.match(view.footer, /Leefbaarometer/, 'footer names the Leefbaarometer');
  assert.match(view.footer, /Datum: \d/, 'footer has the date');

  const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  mkdirSync(path.join(ROOT, 'target'), { recursive: true });
  writeFileSync(path.join(ROOT, 'target', 'profile-report.pdf'), pdf); // to look at by hand
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page\b/g) || []).length;
  assert.ok(pages >= 1 && pages <= 2, `one or two pages, got ${pages}`);
  const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(boxes.length >= 1 && boxes.every(([w, h]) => Math.abs(w - 595.28) < 2 && Math.abs(h - 841.89) < 2), `A4 pages: ${JSON.stringify(boxes)}`);
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: path.join(SHOTS, 'profile-report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1280, height: 860 });

  // Suppression holds in the report too: with k above every sum, no figure is printed.
  await page.fill('#k', '1000000');
  await page.press('#k', 'Enter');
  await page.waitForFunction(() => document.querySelector('#profile .profile-share')?.dataset.state === 'suppressed');
  await page.click('#profile button[data-profile="print"]');
  const withheld = await page.evaluate(() => {
    const report = document.getElementById('profile-report');
    return {
      share: report.querySelector('.report-share')?.dataset.value,
      cells: [...report.querySelectorAll('table[data-kind="figures"] td, table[data-kind="groups"] td')]
        .map((td) => ({ value: td.dataset.value, suppressed: td.dataset.suppressed === 'true' })),
      k: report.querySelector('.report-foot')?.dataset.k,
    };
  });
  assert.equal(withheld.share, 'NaN');
  assert.equal(withheld.k, '1000000', 'the footer states the k used');
  const figures = withheld.cells.filter((c) => c.suppressed);
  assert.ok(figures.length >= 6, 'own and within-radius figures and the group share are withheld');
  for (const c of figures) assert.equal(c.value, 'NaN');
  await page.fill('#k', '10');
  await page.press('#k', 'Enter');
  await page.waitForFunction(() => document.querySelector('#profile .profile-share')?.dataset.state === 'ok');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('the profile of a buurt (areas placed by code): own figures, its KWB share and band, its Leefbaarometer — equal to the CLI', async () => {
  const { page } = s;
  await page.emulateMedia({ media: 'screen' });
  const BUURT = 'BU05990535';
  const kwb = path.join(DEMO, 'cbs_kwb_buurt_2024_rijnmond.csv');
  // The buurt polygons first (area codes are placed on the last area file loaded), then the
  // Kerncijfers per buurt, then a map layer on them.
  await loadFile(page, 'cbs_buurt_2024_rijnmond.geojson', readFileSync(path.join(DEMO, 'cbs_buurt_2024_rijnmond.geojson'), 'utf8'));
  await loadFile(page, 'cbs_kwb_buurt_2024_rijnmond.csv', readFileSync(kwb, 'utf8'));
  await addIndicator(page, { layerName: 'cbs_kwb_buurt_2024_rijnmond', numerator: 'geboorte_totaal', denominator: 'aantal_inwoners', name: 'Geboorten' });
  await page.waitForFunction(() => document.body.dataset.busy === 'false');
  await searchId(page, BUURT);
  await waitProfile(page, BUURT);
  const p = await readProfile(page);
  const want = JSON.parse(cli([
    'analyse', 'profile', '--input', kwb, '--id', BUURT,
    '--corporation-share-column', 'perc_huurwoningen_in_bezit_woningcorporaties',
    '--group', 'Geboorten=geboorte_totaal/aantal_inwoners',
  ]));
  const r = want.result ?? want;
  assert.equal(r.scope, 'own');
  const own = Object.fromEntries(r.own.map((v) => [v.name, v.value]));
  for (const name of ['geboorte_totaal', 'aantal_inwoners', 'perc_huurwoningen_in_bezit_woningcorporaties']) {
    assert.equal(p.figures[name][0].value, own[name], name);
    assert.equal(p.figures[name].length, 1, `${name}: own figures only (no radius for areas)`);
  }
  assert.equal(p.share, r.corporationShare, 'the buurt\'s own KWB corporation share');
  assert.equal(p.band, r.band.index);
  const [shareA, ref, index] = p.groups['geboorte_totaal/aantal_inwoners'];
  assert.equal(shareA.value, r.groups[0].shareA);
  assert.ok(Math.abs(ref.value - r.groups[0].referenceA) < 1e-15, 'loaded-area reference');
  assert.ok(Math.abs(index.value - r.groups[0].indexA) < 1e-9);
  assert.equal(p.buurt, BUURT);
  assert.deepEqual(p.lbmYears, lbmRows(BUURT).map((x) => x.jaar));
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

// ---- A corporation outside Rijnmond (Utrecht) with its own buurt and Leefbaarometer files ----
// SYNTHETIC data, made here for this test (not real figures): six CBS-style 100 m squares in
// Utrecht, two rectangular buurt polygons around them in RD metres (codes in the form of CBS
// buurt codes of gemeente Utrecht, 0344, with made-up numbers) and a Leefbaarometer file of the
// bundled file's shape with made-up scores. The expected buurt and trend are computed here from
// the same texts the page is given.
const U_SQUARES = ['E1360N4557', 'E1361N4557', 'E1362N4557', 'E1360N4558', 'E1361N4558', 'E1362N4558'];
const U_SQUARE = 'E1361N4557'; // centre (136 150, 455 750)
const U_LAYER = 'utrecht_vk100_synthetisch';
const U_BUURT_FILE = 'utrecht_buurten_synthetisch.geojson';
const U_LBM_FILE = 'utrecht_leefbaarometer_synthetisch.csv';
const rect = (x0, y0, x1, y1) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];
const U_BUURTEN = {
  type: 'FeatureCollection',
  crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
  features: [
    { code: 'BU03449901', name: 'Proefbuurt West', ring: rect(135950, 455650, 136100, 455900) },
    { code: 'BU03449902', name: 'Proefbuurt Oost', ring: rect(136100, 455650, 136300, 455900) },
  ].map((b) => ({ type: 'Feature', properties: { buurtcode: b.code, buurtnaam: b.name }, geometry: { type: 'Polygon', coordinates: b.ring } })),
};
const U_CSV = ['crs28992res100m,aantal_woningen,aantal_huurwoningen_in_bezit_woningcorporaties',
  ...U_SQUARES.map((id, k) => `${id},${40 + 10 * k},${12 + 3 * k}`)].join('\n') + '\n';
/** Made-up scores per buurt and year (one missing value, written NA as in the bundled file). */
function utrechtLbmCsv() {
  const head = '"bu_code","bu_naam","jaar","lbm","afw","fys","onv","soc","vrz","won"';
  const lines = [head];
  U_BUURTEN.features.forEach((f, b) => {
    [2016, 2018, 2020, 2022].forEach((jaar, j) => {
      const v = (base, step) => (base + step * (b + 1) * (j + 1)).toFixed(6);
      const fys = b === 1 && j === 0 ? 'NA' : v(-0.02, 0.003);
      lines.push(`"${f.properties.buurtcode}","${f.properties.buurtnaam}",${jaar},${v(4.1, 0.011)},${v(-0.05, 0.007)},${fys},${v(0.01, -0.004)},${v(-0.03, 0.002)},${v(0.02, 0.001)},${v(0.0, 0.005)}`);
    });
  });
  return lines.join('\n') + '\n';
}

/**
 * Load a scores file with the profile card's Leefbaarometer button, by keyboard (Enter opens the
 * file chooser). One file-chooser listener for the whole page: Playwright switches the chooser
 * interception on and off with its listeners, and a chooser opened while it switches is lost.
 */
const choosers = new WeakMap();
async function loadScoresByKeyboard(page, name, text) {
  if (!choosers.has(page)) {
    const waiting = [];
    page.on('filechooser', (c) => waiting.shift()?.(c));
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    choosers.set(page, waiting);
  }
  const button = page.locator('#profile button[data-profile="load-lbm"]');
  await button.focus();
  const chosen = new Promise((resolve) => choosers.get(page).push(resolve));
  await page.keyboard.press('Enter');
  const chooser = await Promise.race([chosen, new Promise((_, reject) => setTimeout(() => reject(new Error('no file chooser after Enter')), 30_000))]);
  await chooser.setFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

test('outside Rijnmond: without a buurt file the profile says so; with the user\'s buurt and Leefbaarometer files (loaded by keyboard) it shows their buurt and trend', async () => {
  const { page } = s;
  await page.emulateMedia({ media: 'screen' });
  await loadFile(page, `${U_LAYER}.csv`, U_CSV);
  await addIndicator(page, { layerName: U_LAYER, numerator: CORP, denominator: DWELLINGS, name: 'Corporatie Utrecht' });
  await page.waitForFunction(() => document.body.dataset.busy === 'false');

  // A click on the square (the id search centres the map on it first).
  await searchId(page, U_SQUARE);
  await page.locator('#details-search').fill('');
  await page.evaluate(() => {
    document.querySelector('#details .details-id').textContent = '';
  });
  await page.waitForTimeout(500);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction((want) => document.querySelector('.details-id')?.textContent === want, U_SQUARE);
  await waitProfile(page, U_SQUARE);

  // No buurt file holds this point (the bundled Rijnmond polygons, nor the Rijnmond copy the test
  // before loaded): a clear message, no buurt code, no trend.
  let p = await readProfile(page);
  assert.equal(p.buurt, '');
  const message = await page.locator('#profile .profile-no-buurt').textContent();
  assert.match(message, /niet in een geladen buurtbestand/);
  assert.match(message, /CBS Wijk- en buurtkaart/);
  assert.deepEqual(p.lbmYears, []);

  // The user's buurt file: the profile follows (no new click needed) with the buurt the test's own
  // point in polygon finds for the square's centre (from its id).
  const x = Number(U_SQUARE.slice(1, 5)) * 100 + 50;
  const y = Number(U_SQUARE.slice(6, 10)) * 100 + 50;
  const code = buurtOfPoint(U_BUURTEN, x, y);
  assert.ok(code, 'the square lies in one of the test\'s buurten');
  await loadFile(page, U_BUURT_FILE, JSON.stringify(U_BUURTEN));
  await page.waitForFunction((want) => document.querySelector('#profile .profile-buurt')?.dataset.code === want, code);
  p = await readProfile(page);
  assert.equal(await page.locator('#profile .profile-buurt').getAttribute('data-file'), U_BUURT_FILE);
  assert.equal(await page.locator('#profile .profile-no-buurt').count(), 0);
  // Not in the bundled Leefbaarometer file: said so, naming the file.
  assert.match(await page.locator('#profile .profile-no-trend').textContent(), new RegExp(`${code}.*leefbaarometer_buurten_rdam`));

  // Bad scores files: the page's error (file, row, column, reason); nothing changes.
  const status = () => page.locator('#profile .profile-lbm-file').getAttribute('data-file');
  const before = await status();
  await loadScoresByKeyboard(page, 'zonder_jaar.csv', '"bu_code","lbm"\n"BU03449902",4.1\n');
  await page.waitForSelector('#profile .profile-lbm-error:not([hidden])');
  let err = await page.locator('#profile .profile-lbm-error').textContent();
  assert.match(err, /zonder_jaar\.csv/);
  assert.match(err, /jaar/);
  assert.equal(await status(), before, 'the scores file in use is unchanged');
  await loadScoresByKeyboard(page, 'fout_jaar.csv', '"bu_code","jaar","lbm"\n"BU03449902",2018,4.1\n"BU03449902",2O20,4.2\n');
  await page.waitForFunction(() => /fout_jaar/.test(document.querySelector('#profile .profile-lbm-error')?.textContent || ''));
  err = await page.locator('#profile .profile-lbm-error').textContent();
  assert.match(err, /rij 3, kolom jaar/);
  assert.equal(await status(), before);

  // The user's Leefbaarometer file: the buurt's trend comes from it.
  const lbmText = utrechtLbmCsv();
  await loadScoresByKeyboard(page, U_LBM_FILE, lbmText);
  await page.waitForFunction((f) => document.querySelector('#profile .profile-lbm-from')?.dataset.file === f, U_LBM_FILE);
  assert.equal(await page.locator('#profile .profile-lbm-error').isHidden(), true);
  p = await readProfile(page);
  assert.equal(p.buurt, code);
  const want = lbmRowsFrom(lbmText, code);
  assert.ok(want.length >= 2);
  assert.deepEqual(p.lbmYears, want.map((r) => r.jaar));
  for (const col of ['lbm', 'afw', 'fys', 'onv', 'soc', 'vrz', 'won']) {
    assert.equal(p.lbm[col].length, want.length, col);
    p.lbm[col].forEach((cell, k) => {
      const v = want[k][col];
      if (Number.isNaN(v)) assert.ok(Number.isNaN(cell.value), `${col} ${want[k].jaar} missing`);
      else assert.ok(Math.abs(cell.value - v) < 1e-12, `${col} ${want[k].jaar}: ${cell.value} vs ${v}`);
    });
  }
  assert.ok(await inked(page, '#profile canvas[data-chart="trend"]'), 'the trend chart is drawn');
  assert.ok((await page.locator('#profile .profile-buurt').textContent()).includes('Proefbuurt Oost'), 'the buurt name from the scores file');

  // Both choices in the project file: the scores file's bytes only with "gegevens meesturen".
  const saved = async (withData) => {
    await page.locator('#project-include-data').setChecked(withData);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#project-save')]);
    return JSON.parse(readFileSync(await download.path(), 'utf8'));
  };
  const withData = await saved(true);
  assert.equal(withData.parts.profile.buurtFile, 'auto');
  assert.equal(withData.parts.profile.lbm.fileName, U_LBM_FILE);
  assert.equal(Buffer.from(withData.parts.profile.lbm.data, 'base64').toString('utf8'), lbmText);
  assert.ok(withData.layers.some((l) => l.fileName === U_BUURT_FILE && l.data), 'the buurt file is a saved layer');
  const withoutData = await saved(false);
  assert.equal(withoutData.parts.profile.lbm.fileName, U_LBM_FILE);
  assert.equal(withoutData.parts.profile.lbm.data, undefined);

  // Back to the bundled scores, then the project (with data) brings the user's file back.
  await page.click('#profile button[data-profile="reset-lbm"]');
  await page.waitForFunction(() => document.querySelector('#profile .profile-lbm-file')?.dataset.bundled === 'true');
  const n = await page.evaluate(() => Number(document.querySelector('#project-host').dataset.done || 0));
  await page.setInputFiles('#project-file', { name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(withData)) });
  await page.waitForFunction((m) => Number(document.querySelector('#project-host').dataset.done || 0) > m, n, { timeout: 120_000 });
  assert.equal(await page.locator('#project-host').getAttribute('data-state'), 'done');
  await page.waitForFunction((f) => document.querySelector('#profile .profile-lbm-file')?.dataset.file === f, U_LBM_FILE);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});
