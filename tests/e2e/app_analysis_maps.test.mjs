// The analysis maps on real data (issue 4): the change of a Leefbaarometer score between two
// years, level against change as a 3 × 3 class, and a rule typology, per buurt of Rotterdam,
// Schiedam and Vlaardingen on the CBS buurt polygons, with the CBS Kerncijfers 2024 per buurt.
// The classes the page shows (hidden table `table.amap-classes`, one row per buurt) and the counts
// in the legend on the map must equal the command line's (`veerkracht analyse change|bivariate|
// typology --count-column woningvoorraad --suppress-below 10`), run on a per-buurt table that this
// test joins itself from the raw files (the Leefbaarometer long table by bu_code and year, the KWB
// table by buurtcode) — a second join, independent of the worker's. Editing a typology threshold
// in the page's rule editor must change the classes exactly as the command line with that
// threshold says. On the CBS 100 m squares (persons on benefit per 100 inhabitants, 2024) the
// earlier year is a seeded synthetic count (src/analysis/synthetic_year.rs — not data; the page
// says so); this test makes that year again with its own SplitMix64 and checks the change and
// bivariate classes per square against the command line; hovering a square names its class (as the
// legend does) and its values, and back on the band map the hover shows the share again. Screenshots of each map go to docs/screenshots/analysis-map-*.png.
import { tmpdir } from 'node:os';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { ROOT, describe as describeSession } from './harness.mjs';
import { openDemo, cli, readDemo, searchId, readDetails, hoverAt } from './app_support.mjs';

const DEMO = path.join(ROOT, 'www', 'demo');
// The screenshots in docs/ are rewritten only when asked (VEERKRACHT_SCREENSHOTS=1); a normal run
// writes them to a temporary folder, so running the tests leaves the tree clean.
const SHOTS = process.env.VEERKRACHT_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(tmpdir(), 'veerkracht-screenshots');
const SCORES = ['afw', 'lbm', 'onv', 'fys', 'soc', 'vrz', 'won'];
const AREA_COLUMNS = [
  'perc_huurwoningen_in_bezit_woningcorporaties', 'woningvoorraad', 'aantal_inwoners', 'aantal_huishoudens',
  'percentage_huurwoningen', 'percentage_eenpersoonshuishoudens', 'percentage_personen_65_jaar_en_ouder',
  'gemiddelde_woningwaarde',
];
const K = 10;

/** A small quote-aware CSV reader (the Leefbaarometer file quotes its text fields). */
function readCsv(file) {
  const text = readFileSync(file, 'utf8');
  const rows = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    const cells = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  const header = rows[0];
  return { header, rows: rows.slice(1), idx: (name) => header.indexOf(name) };
}
const num = (s) => (s === '' || s === 'NA' || s === '-99997' || s === '-99995' ? NaN : Number(s));

/**
 * Per buurt (each bu_code with a row in year A or B, in order of first appearance): every score
 * in both years, the KWB columns, and bijstand per 100 inhabitants. Written as CSV for the CLI.
 */
function joinedTable(yearA, yearB) {
  const lbm = readCsv(path.join(DEMO, 'leefbaarometer_buurten_rdam_2002_2024.csv'));
  const kwb = readCsv(path.join(DEMO, 'cbs_kwb_buurt_2024_rijnmond.csv'));
  const codes = [];
  const byCode = new Map();
  for (const r of lbm.rows) {
    const year = Number(r[lbm.idx('jaar')]);
    if (year !== yearA && year !== yearB) continue;
    const code = r[lbm.idx('bu_code')].trim().toUpperCase();
    if (!byCode.has(code)) {
      byCode.set(code, {});
      codes.push(code);
    }
    for (const s of SCORES) byCode.get(code)[`${s}_${year}`] = num(r[lbm.idx(s)]);
  }
  const kwbRow = new Map(kwb.rows.map((r) => [r[kwb.idx('buurtcode')].trim().toUpperCase(), r]));
  const names = [...SCORES.flatMap((s) => [`${s}_${yearA}`, `${s}_${yearB}`]), ...AREA_COLUMNS, 'bijstand_pct'];
  const lines = [['id', ...names].join(',')];
  for (const code of codes) {
    const v = byCode.get(code);
    const r = kwbRow.get(code);
    for (const c of AREA_COLUMNS) v[c] = r ? num(r[kwb.idx(c)]) : NaN;
    const b = r ? num(r[kwb.idx('aantal_personen_met_een_alg_bijstandsuitkering_tot')]) : NaN;
    const inw = r ? num(r[kwb.idx('aantal_inwoners')]) : NaN;
    v.bijstand_pct = inw > 0 ? (100 * b) / inw : NaN;
    lines.push([code, ...names.map((n) => (Number.isNaN(v[n] ?? NaN) ? '' : String(v[n])))].join(','));
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'veerkracht-amap-'));
  const file = path.join(dir, `buurten_${yearA}_${yearB}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, dir, codes };
}

function runCli(analysis, args) {
  return JSON.parse(cli(['analyse', analysis, ...args, '--count-column', 'woningvoorraad', '--suppress-below', String(K)]));
}

/** The page's classes per buurt (hidden table), once the map for `want` is drawn. */
async function pageClasses(page, want) {
  await page.waitForFunction((w) => {
    const card = document.querySelector('.amap-card');
    const t = document.querySelector('table.amap-classes');
    if (!card || card.dataset.state !== 'ready' || !t || t.dataset.kind !== w.kind) return false;
    if (w.valueB && t.dataset.valueB !== w.valueB) return false;
    return !w.settingsHas || t.dataset.settings.includes(w.settingsHas);
  }, want, { timeout: 60_000 });
  return page.evaluate(() => [...document.querySelectorAll('table.amap-classes tbody tr')].map((tr) => ({
    code: tr.dataset.code, cls: Number(tr.dataset.class), intensity: Number(tr.dataset.intensity ?? NaN), key: tr.dataset.key,
  })));
}

/** The legend on the map: count per item key. */
async function legendCounts(page) {
  return page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll('#amap-legend [data-key]')].map((n) => [n.dataset.key, Number(n.dataset.count)]),
  ));
}

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.locator('.map-wrap').screenshot({ path: path.join(SHOTS, name) });
}

function sameClasses(rows, ids, classes, what) {
  assert.equal(rows.length, ids.length, `${what}: one row per buurt`);
  const cliOf = new Map(ids.map((id, i) => [id, classes[i]]));
  for (const r of rows) assert.equal(r.cls, cliOf.get(r.code), `${what}: ${r.code}`);
}

let s;
let joined;
const host = '#analysis-maps-host';
before(async () => {
  s = await openDemo();
  await s.page.setViewportSize({ width: 1280, height: 820 });
  await s.page.click('#tab-analyses');
  joined = joinedTable(2014, 2022);
});
after(async () => {
  await s?.close();
});

test('change map of afw 2014 → 2022 per buurt equals the command line, legend counts included', async () => {
  const { page } = s;
  await page.selectOption(`${host} select[name="kind"]`, 'change');
  await page.selectOption(`${host} select[name="score"]`, 'afw');
  await page.selectOption(`${host} select[name="yearA"]`, '2014');
  await page.selectOption(`${host} select[name="yearB"]`, '2022');
  await page.click(`${host} button[data-action="draw"]`);
  const rows = await pageClasses(page, { kind: 'change', valueB: 'afw_2022' });
  const want = runCli('change', ['--input', joined.file, '--value-a', 'afw_2014', '--value-b', 'afw_2022']);
  sameClasses(rows, want.ids, want.classes, 'change class');
  assert.ok(want.locationsSuppressed > 0, 'some buurten have fewer than 10 dwellings (suppressed)');
  assert.equal(rows.filter((r) => r.cls === 254).length, want.locationsSuppressed);

  // The legend on the map: one item per class with the CLI's count, plus "geen gegevens" and
  // "onderdrukt"; the class edges printed are the CLI's (two significant digits).
  const counts = await legendCounts(page);
  want.counts.forEach((n, c) => assert.equal(counts[String(c)], n, `legend count of class ${c}`));
  assert.equal(counts.suppressed, want.locationsSuppressed);
  assert.equal(counts.none, want.locationsMissing);
  const legendText = await page.locator('#amap-legend').textContent();
  assert.match(legendText, /geen gegevens/);
  assert.match(legendText, /onderdrukt \(< 10/);
  for (const e of want.edges) assert.ok(legendText.includes(e.toLocaleString('nl-NL', { maximumFractionDigits: 8 })), `edge ${e} in the legend`);
  // The band map's layers are hidden and ours is visible on the map.
  assert.ok(await page.locator('#amap-legend').isVisible());
  await shot(page, 'analysis-map-change.png');
  // English as a switch: the map stays, its legend is redrawn in English, and back.
  await page.click('#lang-toggle');
  await page.waitForFunction(() => /no data/.test(document.getElementById('amap-legend').textContent), null, { timeout: 30_000 });
  assert.equal(await page.locator(`${host} select[name="kind"]`).inputValue(), 'change');
  await page.click('#lang-toggle');
  await page.waitForFunction(() => /geen gegevens/.test(document.getElementById('amap-legend').textContent), null, { timeout: 30_000 });
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('bivariate map of onv: level 2014 against change to 2022 equals the command line', async () => {
  const { page } = s;
  await page.selectOption(`${host} select[name="kind"]`, 'bivariate');
  await page.selectOption(`${host} select[name="score"]`, 'onv');
  await page.click(`${host} button[data-action="draw"]`);
  const rows = await pageClasses(page, { kind: 'bivariate', valueB: 'onv_2022' });
  const want = runCli('bivariate', ['--input', joined.file, '--level-a', 'onv_2014', '--level-b', 'onv_2022']);
  sameClasses(rows, want.ids, want.classes, 'bivariate class');
  // The 3 × 3 square: the count in each cell is the CLI's counts[level][change].
  const counts = await legendCounts(page);
  for (let c = 0; c < 9; c++) assert.equal(counts[String(c)], want.counts[Math.floor(c / 3)][c % 3], `cell ${c}`);
  assert.equal(await page.locator('#amap-legend .amap-bi-cell').count(), 9);
  const legendText = await page.locator('#amap-legend').textContent();
  assert.match(legendText, /Niveau 2014/);
  assert.match(legendText, /Verandering/);
  await shot(page, 'analysis-map-bivariate.png');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

/** The default rules of the page (www/analysis-maps/editor.js) written out for the CLI. */
function rules({ bijstandRed = 5, intensity = null } = {}) {
  return {
    rules: [
      {
        class: 'red', label: 'Veel overlast (onv laag) en hoog aandeel bijstand',
        when: [
          { column: 'onv_2022', op: '<', threshold: { quantile: 1 / 3 } },
          { column: 'bijstand_pct', op: '>=', threshold: { value: bijstandRed } },
        ],
      },
      {
        class: 'blue', label: 'Hoog aandeel bijstand, minder overlast',
        when: [
          { column: 'bijstand_pct', op: '>=', threshold: { value: 5 } },
          { column: 'onv_2022', op: '>=', threshold: { quantile: 1 / 3 } },
        ],
      },
    ],
    intensity,
  };
}

function typologyCli(settings) {
  const file = path.join(joined.dir, `rules-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(settings));
  return runCli('typology', ['--input', joined.file, '--settings', file]);
}

test('typology map follows the rule editor exactly as the command line says', async () => {
  const { page } = s;
  await page.selectOption(`${host} select[name="kind"]`, 'typology');
  await page.click(`${host} button[data-action="draw"]`);
  const before1 = await pageClasses(page, { kind: 'typology', settingsHas: '"value":5' });
  const want1 = typologyCli(rules());
  sameClasses(before1, want1.ids, want1.rule, 'typology rule');
  const counts1 = await legendCounts(page);
  assert.equal(counts1['0:0'], want1.rules[0].locations, 'red in the legend');
  assert.equal(counts1['1:0'], want1.rules[1].locations, 'blue in the legend');
  assert.equal(counts1.unclassified, want1.unclassified);
  assert.ok(want1.rules[0].locations > 0 && want1.rules[1].locations > 0, 'both colours occur');
  await shot(page, 'analysis-map-typology.png');

  // Edit rule 1's welfare threshold 5 → 3 in the editor: the map follows without a click.
  const threshold = page.locator(`${host} .amap-rule[data-rule="0"] .amap-cond[data-cond="1"] input[name="threshold"]`);
  await threshold.fill('3');
  await threshold.press('Enter');
  await threshold.dispatchEvent('change');
  const after = await pageClasses(page, { kind: 'typology', settingsHas: '"value":3' });
  const want2 = typologyCli(rules({ bijstandRed: 3 }));
  sameClasses(after, want2.ids, want2.rule, 'typology rule after the edit');
  const changed = after.filter((r, i) => r.cls !== before1[i].cls).length;
  assert.ok(changed > 0, 'a lower threshold turns some buurten red');

  // Intensity from the change of afw between the years, edges 0 and 0.1: as the CLI says.
  await page.selectOption(`${host} select[name="intensityScore"]`, 'afw');
  await page.fill(`${host} input[name="intensityBreaks"]`, '0; 0,1');
  await page.locator(`${host} input[name="intensityBreaks"]`).dispatchEvent('change');
  const withIntensity = await pageClasses(page, { kind: 'typology', settingsHas: '"breaks":[0,0.1]' });
  const want3 = typologyCli(rules({ bijstandRed: 3, intensity: { column: 'afw_2014', columnB: 'afw_2022', breaks: [0, 0.1] } }));
  sameClasses(withIntensity, want3.ids, want3.rule, 'typology rule with intensity');
  const intensityOf = new Map(want3.ids.map((id, i) => [id, want3.intensity[i]]));
  for (const r of withIntensity) assert.equal(r.intensity, intensityOf.get(r.code), `intensity ${r.code}`);
  const counts3 = await legendCounts(page);
  want3.rules.forEach((rule, k) => rule.byIntensity.forEach((n, lvl) => {
    // Rule locations without an intensity value are drawn in the lightest shade (level 0).
    const missing = lvl === 0 ? rule.locations - rule.byIntensity.reduce((a, b) => a + b, 0) : 0;
    assert.equal(counts3[`${k}:${lvl}`], n + missing, `rule ${k} intensity ${lvl}`);
  }));

  // Back to the band map: our legend goes, the band legend is the map's again.
  await page.click(`${host} button[data-action="back"]`);
  await page.waitForFunction(() => document.getElementById('amap-legend').hidden);
  assert.equal(await page.evaluate(() => document.body.dataset.analysisMap), undefined);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

/** SplitMix64 (BigInt), the published algorithm: u = (x >> 11) / 2^53 per draw. */
function splitmixUnits(n, seed) {
  const M = (1n << 64n) - 1n;
  let state = BigInt(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x9E3779B97F4A7C15n) & M;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M;
    z ^= z >> 31n;
    out[i] = Number(z >> 11n) / 2 ** 53;
  }
  return out;
}

/** The page's classes per square (data-classes, in the layer's row order), once drawn. */
async function locationClasses(page, kind) {
  await page.waitForFunction((k) => {
    const card = document.querySelector('.amap-card');
    const t = document.querySelector('table.amap-classes');
    return card?.dataset.state === 'ready' && t?.dataset.area === 'locations' && t.dataset.kind === k;
  }, kind, { timeout: 60_000 });
  return page.evaluate(() => document.querySelector('table.amap-classes').dataset.classes.split(',').map(Number));
}

test('change and bivariate maps on the CBS squares with a seeded synthetic earlier year equal the command line', async () => {
  const { page } = s;
  const demo = readDemo();
  const group = demo.col('aantal_personen_met_uitkering_onder_aowlft');
  const inhabitants = demo.col('aantal_inwoners');
  const u = splitmixUnits(group.length, 1);
  const earlier = group.map((c, i) => (Number.isNaN(c) ? NaN : Math.max(0, Math.round(c * (1 - 0.1 - 0.3 * (2 * u[i] - 1))))));
  const pct = (v, i) => (inhabitants[i] > 0 ? (100 * v) / inhabitants[i] : NaN);
  const cell = (v) => (Number.isNaN(v) ? '' : String(v));
  const lines = ['id,share_pct_a,share_pct_b,aantal_inwoners'];
  for (let i = 0; i < group.length; i++) {
    lines.push([demo.ids[i], cell(pct(earlier[i], i)), cell(pct(group[i], i)), cell(inhabitants[i])].join(','));
  }
  const file = path.join(joined.dir, 'squares.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);

  await page.selectOption(`${host} select[name="area"]`, 'squares');
  await page.selectOption(`${host} select[name="kind"]`, 'change');
  await page.click(`${host} button[data-action="draw"]`);
  const change = await locationClasses(page, 'change');
  const wantChange = JSON.parse(cli(['analyse', 'change', '--input', file, '--value-a', 'share_pct_a', '--value-b', 'share_pct_b',
    '--count-column', 'aantal_inwoners', '--suppress-below', String(K)]));
  assert.equal(change.length, wantChange.classes.length, 'one class per square');
  assert.deepEqual(change, wantChange.classes, 'change class per square');
  assert.ok(wantChange.locationsSuppressed > 0, 'squares with fewer than 10 inhabitants are suppressed');
  const legendText = await page.locator('#amap-legend').textContent();
  assert.match(legendText, /synthetisch/);
  const counts = await legendCounts(page);
  wantChange.counts.forEach((n, c) => assert.equal(counts[String(c)], n, `legend count of class ${c}`));
  await shot(page, 'analysis-map-squares-change.png');

  await page.selectOption(`${host} select[name="kind"]`, 'bivariate');
  await page.click(`${host} button[data-action="draw"]`);
  const bi = await locationClasses(page, 'bivariate');
  const wantBi = JSON.parse(cli(['analyse', 'bivariate', '--input', file, '--level-a', 'share_pct_a', '--level-b', 'share_pct_b',
    '--count-column', 'aantal_inwoners', '--suppress-below', String(K)]));
  assert.deepEqual(bi, wantBi.classes, 'bivariate class per square');

  // The typology on squares draws too (its corporation share comes from the page's own scores).
  await page.selectOption(`${host} select[name="kind"]`, 'typology');
  await page.click(`${host} button[data-action="draw"]`);
  const ty = await locationClasses(page, 'typology');
  assert.equal(ty.length, group.length);
  assert.ok(ty.some((c) => c === 0) && ty.some((c) => c === 1), 'both colours occur on the squares');
  await page.click(`${host} button[data-action="back"]`);
  await page.waitForFunction(() => document.getElementById('amap-legend').hidden);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('hovering a square on an analysis map names its class and values; back on the band map its share', async () => {
  const { page } = s;
  const demo = readDemo();
  const group = demo.col('aantal_personen_met_uitkering_onder_aowlft');
  const inhabitants = demo.col('aantal_inwoners');
  // A square in a built-up block with inhabitants enough for a class (and so for a share).
  const i = demo.ids.findIndex((_, j) => inhabitants[j] >= 50 && !Number.isNaN(group[j])
    && demo.ids.filter((__, m) => Math.abs(demo.x[m] - demo.x[j]) <= 100 && Math.abs(demo.y[m] - demo.y[j]) <= 100).length === 9);
  assert.ok(i >= 0, 'a square with all eight neighbours');
  // The id search selects the square and centres the map on it.
  await page.click('#tab-map');
  await searchId(page, demo.ids[i]);
  const bandShare = (await readDetails(page)).shareText;
  await page.click('#tab-analyses');
  await page.selectOption(`${host} select[name="area"]`, 'squares');
  await page.selectOption(`${host} select[name="kind"]`, 'change');
  await page.click(`${host} button[data-action="draw"]`);
  const classes = await locationClasses(page, 'change');
  assert.ok(classes[i] < 254, `${demo.ids[i]} has a change class`);
  // The label of that class as the legend on the map names it.
  const label = await page.locator(`#amap-legend [data-key="${classes[i]}"] .amap-item-label`).textContent();
  const box = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const text = await hoverAt(page, cx, cy, (t) => t.startsWith(label));
  assert.ok(text?.startsWith(`${label} (`), `hover on ${demo.ids[i]}: "${text}" names its class "${label}"`);
  assert.notEqual(text, bandShare, 'not the band map text');
  // …and its value in 2024: persons on benefit per 100 inhabitants (to the four figures shown).
  const b = Number(text.match(/→ ([\d,.]+)\)$/)?.[1].replace(',', '.'));
  const want = (100 * group[i]) / inhabitants[i];
  assert.ok(Math.abs(b - want) <= 1e-3 * want, `value ${b} vs ${want}`);

  // Back to the band map: the hover tells the share within the radius again.
  await page.click(`${host} button[data-action="back"]`);
  await page.waitForFunction(() => document.getElementById('amap-legend').hidden);
  const again = await hoverAt(page, cx, cy, (t) => t === bandShare);
  assert.equal(again, bandShare, 'the band map hover is back');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('the map choices and the edited typology rules are saved in a project file', async () => {
  const { page } = s;
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#project-save')]);
  const project = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const saved = project.parts.analysisMaps;
  assert.ok(saved, 'the project has an analysisMaps part');
  // From the typology test: rule 1's welfare threshold edited to 3, intensity from afw.
  assert.equal(saved.typology.rules[0].when[1].thr.v, 3);
  assert.equal(saved.typology.intensity.score, 'afw');
  assert.deepEqual(saved.typology.intensity.breaks, [0, 0.1]);
  assert.equal(saved.area, 'squares');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});
