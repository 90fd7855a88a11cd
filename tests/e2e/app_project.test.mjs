// The project file (issue 5, www/project/): a session — other radius, k and missing-value policy,
// an extra file loaded (a ;/decimal-comma Windows-1252 CSV), a map layer added on it, a small
// what-if scenario — saved with its data, the page reloaded fresh, the project opened: the same
// settings, layers, map layers, legend, histogram numbers and scenario summary. Saved without data,
// the page asks for the missing file by name. A broken file and a version-99 file are refused
// with a message and change nothing; nothing is kept in the browser. A project picked while the page
// is still starting waits (and says so) until the demo is drawn, then restores the same session;
// one saved while the page is still starting waits too, and holds the demo layer and its map layers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, browserStorage, describe as describeSession } from './harness.mjs';
import { readDemo, openDemo, loadFile, addIndicator, CORP } from './app_support.mjs';

const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'import', 'woningen_1252.csv');

let s;
let demo;
before(async () => {
  demo = readDemo();
  s = await openDemo();
});
after(async () => {
  await s?.close();
});

/** Everything the user sees of the session, in numbers and text. */
function snapshot(page) {
  return page.evaluate(() => ({
    radius: document.querySelector('#radius').value,
    k: document.querySelector('#k').value,
    missing: document.querySelector('input[name="missing"]:checked')?.value,
    layers: [...document.querySelectorAll('.file-item')].map((li) => li.querySelector('.file-item-head').textContent),
    indicators: [...document.querySelectorAll('#indicators .indicator')].map((r) => ({
      label: r.querySelector('label').textContent, checked: r.querySelector('input').checked,
    })),
    legend: document.querySelector('#legend').textContent,
    histogram: [...document.querySelectorAll('.histogram-table tr[data-count]')].map((tr) => Number(tr.dataset.count)),
    histogramNone: document.querySelector('#histogram-none').textContent,
    scenarioSteps: document.querySelector('#whatif').dataset.steps,
    scenarioList: [...document.querySelectorAll('#whatif-steps li')].map((li) => li.textContent),
    scenarioSummary: document.querySelector('#whatif-summary').textContent,
  }));
}

const doneCount = (page, sel) => page.evaluate((q) => Number(document.querySelector(q).dataset.done || 0), sel);
async function andWait(page, sel, action) {
  const n = await doneCount(page, sel);
  await action();
  await page.waitForFunction(({ q, m }) => Number(document.querySelector(q).dataset.done || 0) > m, { q: sel, m: n });
}

/** Open a project file through the header's file input; returns the host's state and message. */
async function openProject(page, name, buffer) {
  await andWait(page, '#project-host', () => page.setInputFiles('#project-file', { name, mimeType: 'application/json', buffer }));
  return page.locator('#project-host').evaluate((e) => ({ state: e.dataset.state, message: e.dataset.message }));
}

async function saveProject(page, withData) {
  await page.locator('#project-include-data').setChecked(withData);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#project-save')]);
  return readFile(await download.path());
}

/** A fresh page (same browser, reloaded: nothing of the session left) with the demo drawn. */
async function reloadFresh(page) {
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && document.querySelector('#export')?.dataset.k);
}

let before1;
let savedWithData;
let savedWithoutData;

test('a session with changed settings, an extra file, a map layer and a scenario saves as a project', async () => {
  const { page } = s;
  // Settings: radius 300, k 20, missing values leave the location out.
  await page.fill('#radius', '300');
  await page.press('#radius', 'Enter');
  await page.fill('#k', '20');
  await page.press('#k', 'Enter');
  await page.check('input[name="missing"][value="leaveOut"]');
  await page.waitForFunction(() => {
    const d = document.querySelector('#export').dataset;
    return d.radius === '300' && d.k === '20' && d.missing === 'leaveOut' && document.body.dataset.busy === 'false';
  });
  // An extra file (bytes as they are: Windows-1252) and a map layer on it.
  await loadFile(page, 'woningen_1252.csv', readFileSync(FIXTURE));
  await addIndicator(page, { layerName: 'woningen_1252', numerator: 'netto_huur', denominator: 'oppervlakte_m2', name: 'Huur per m²' });
  await page.waitForFunction(() => /Huur per m²/.test(document.querySelector('#legend').textContent) && document.body.dataset.busy === 'false');
  // Back to the corporation layer (on the demo): the scenario works on the active layer.
  await page.click('#indicators label:has-text("corporatie")');
  await page.waitForFunction(() => /corporatie/i.test(document.querySelector('#legend .legend-title').textContent));
  // A small scenario: sell 2 corporation dwellings at the 5 squares with the most of them.
  const corp = demo.col(CORP);
  const rows = demo.ids.map((_, i) => i).filter((i) => corp[i] >= 20).slice(0, 5);
  await page.click('#tab-whatif');
  await page.waitForFunction(() => document.querySelector('#whatif .whatif-crossings'));
  await page.fill('#whatif-ids', rows.map((i) => demo.ids[i]).join('\n'));
  await andWait(page, '#whatif', () => page.click('#whatif-add-ids'));
  await page.selectOption('#whatif-kind', 'sell');
  await page.fill('#whatif-n', '2');
  await andWait(page, '#whatif', () => page.click('#whatif-apply'));
  assert.equal(await page.locator('#whatif').getAttribute('data-steps'), '1');
  await page.click('#tab-map');

  before1 = await snapshot(page);
  assert.equal(before1.layers.length, 2);
  assert.equal(before1.indicators.length, 3);
  assert.equal(before1.histogram.length, 9);
  assert.ok(before1.histogram.reduce((a, b) => a + b, 0) > 1000, 'the histogram counts squares');
  assert.match(before1.legend, /binnen 300 m/);
  assert.equal(before1.scenarioList.length, 1);
  assert.match(before1.scenarioSummary, /\d/, 'the scenario summary has numbers');

  savedWithData = await saveProject(page, true);
  const p = JSON.parse(savedWithData.toString('utf8'));
  assert.equal(p.format, 'veerkracht-project');
  assert.equal(p.version, 1);
  assert.ok(!Number.isNaN(Date.parse(p.savedAt)));
  assert.deepEqual(p.settings, { radiusM: 300, missing: 'leaveOut', suppressBelow: 20 });
  assert.deepEqual(p.layers.map((l) => l.fileName), ['cbs_vk100_rijnmond_2024.csv', 'woningen_1252.csv']);
  assert.ok(p.layers.every((l) => typeof l.data === 'string' && l.mapping?.source), 'data and mapping per layer');
  assert.deepEqual(Buffer.from(p.layers[1].data, 'base64'), readFileSync(FIXTURE), 'the original bytes');
  assert.equal(p.indicators.length, 3);
  assert.equal(p.parts.scenario.steps.length, 1);
  assert.equal(p.indicators.find((i) => i.id === p.activeId).numerator, CORP);

  savedWithoutData = await saveProject(page, false);
  const q = JSON.parse(savedWithoutData.toString('utf8'));
  assert.ok(q.layers.every((l) => l.data === undefined), 'no data without the tick');
  assert.ok(savedWithoutData.length < 20_000, `small without data (${savedWithoutData.length} bytes)`);
});

test('opened in a freshly loaded page, the project restores the same session', async () => {
  const { page } = s;
  await reloadFresh(page);
  const fresh = await snapshot(page);
  assert.notDeepEqual(fresh, before1, 'the reload started over');
  const r = await openProject(page, 'project.json', savedWithData);
  assert.equal(r.state, 'done', r.message);
  const after1 = await snapshot(page);
  assert.deepEqual(after1, before1);
  // And the restored session still works: a new map layer gets its own id, the map redraws.
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('a broken file and a version-99 file are refused with a message, and nothing changes', async () => {
  const { page } = s;
  const now = await snapshot(page);
  let r = await openProject(page, 'kapot.json', Buffer.from('{"format": "veerkracht-project", "version": 1, "settings": {'));
  assert.equal(r.state, 'refused');
  assert.match(r.message, /geen geldige JSON/);
  assert.match(r.message, /niets veranderd/);
  assert.deepEqual(await snapshot(page), now);

  const newer = JSON.parse(savedWithoutData.toString('utf8'));
  newer.version = 99;
  newer.settings.radiusM = 900;
  r = await openProject(page, 'nieuw.json', Buffer.from(JSON.stringify(newer)));
  assert.equal(r.state, 'refused');
  assert.match(r.message, /nieuwere versie van Veerkracht \(formaatversie 99\)/);
  assert.deepEqual(await snapshot(page), now);

  r = await openProject(page, 'ander.json', Buffer.from(JSON.stringify({ kind: 'veerkracht-scenario', steps: [] })));
  assert.equal(r.state, 'refused');
  assert.match(r.message, /geen Veerkracht-projectbestand/);
  const bad = JSON.parse(savedWithoutData.toString('utf8'));
  bad.indicators[0].layerId = 'nergens';
  r = await openProject(page, 'fout.json', Buffer.from(JSON.stringify(bad)));
  assert.equal(r.state, 'refused');
  assert.match(r.message, /indicators\[0\]\.layerId/);
  assert.deepEqual(await snapshot(page), now);
});

test('saved without data: the page asks for the missing file by name; cancel changes nothing', async () => {
  const { page } = s;
  await reloadFresh(page);
  const fresh = await snapshot(page);
  // Cancel: nothing changes.
  const n = await doneCount(page, '#project-host');
  await page.setInputFiles('#project-file', { name: 'p.json', mimeType: 'application/json', buffer: savedWithoutData });
  await page.waitForSelector('#project-dialog[open]');
  const asked = await page.locator('#project-dialog input[type="file"]').evaluateAll((l) => l.map((i) => i.dataset.fileName));
  assert.deepEqual(asked, ['woningen_1252.csv'], 'only the file not in the page (the demo is bundled)');
  assert.match(await page.locator('#project-dialog').textContent(), /woningen_1252\.csv/);
  await page.click('#project-missing-cancel');
  await page.waitForFunction((m) => Number(document.querySelector('#project-host').dataset.done) > m, n);
  assert.equal(await page.locator('#project-host').getAttribute('data-state'), 'cancelled');
  assert.deepEqual(await snapshot(page), fresh);
  // Now give the file: the same session as saved with data.
  const m = await doneCount(page, '#project-host');
  await page.setInputFiles('#project-file', { name: 'p.json', mimeType: 'application/json', buffer: savedWithoutData });
  await page.waitForSelector('#project-dialog[open]');
  await page.setInputFiles('#project-dialog input[type="file"]', FIXTURE);
  await page.click('#project-missing-open');
  await page.waitForFunction((k) => Number(document.querySelector('#project-host').dataset.done) > k, m);
  assert.equal(await page.locator('#project-host').getAttribute('data-state'), 'done');
  assert.deepEqual(await snapshot(page), before1);
});

test('without the file, the settings are restored and the missing layer is named', async () => {
  const { page } = s;
  await reloadFresh(page);
  const n = await doneCount(page, '#project-host');
  await page.setInputFiles('#project-file', { name: 'p.json', mimeType: 'application/json', buffer: savedWithoutData });
  await page.waitForSelector('#project-dialog[open]');
  await page.click('#project-missing-open');
  await page.waitForFunction((m) => Number(document.querySelector('#project-host').dataset.done) > m, n);
  const r = await page.locator('#project-host').evaluate((e) => ({ state: e.dataset.state, message: e.dataset.message }));
  assert.equal(r.state, 'done');
  assert.match(r.message, /Niet geladen \(bestand ontbreekt\): woningen_1252 \(woningen_1252\.csv\)/);
  const got = await snapshot(page);
  assert.deepEqual([got.radius, got.k, got.missing], ['300', '20', 'leaveOut']);
  assert.equal(got.layers.length, 1);
  assert.equal(got.indicators.length, 2, 'the map layer on the missing file is left out');
  assert.equal(got.scenarioSteps, '1', 'the scenario (on the demo) is restored');
  assert.deepEqual(await browserStorage(s), { cookies: [], localStorage: [], sessionStorage: [], indexedDB: [], caches: [] });
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('opened while the page is still loading the demo, the project waits for it and then restores the same session', async () => {
  const { page } = s;
  // Reload and pick the project at once, before the demo is loaded and drawn.
  await page.reload({ waitUntil: 'commit' });
  await page.waitForSelector('#project-file', { state: 'attached' });
  // Each message of the project host, with whether the page was ready at that moment.
  await page.evaluate(() => {
    const host = document.querySelector('#project-host');
    window.projectLog = [];
    new MutationObserver(() => window.projectLog.push({ message: host.dataset.message, ready: document.body.dataset.ready }))
      .observe(host, { attributes: true, attributeFilter: ['data-message'] });
  });
  await page.setInputFiles('#project-file', { name: 'vroeg.json', mimeType: 'application/json', buffer: savedWithData });
  const early = await page.evaluate(() => {
    const host = document.querySelector('#project-host');
    return { ready: document.body.dataset.ready, state: host.dataset.state, message: host.dataset.message, toast: document.querySelector('#toast').textContent };
  });
  assert.notEqual(early.ready, 'true', 'the file was picked before the page was ready');
  // The page says it waits (as the host's state and as a toast), and nothing is opened yet.
  assert.equal(early.state, 'busy');
  assert.match(early.message, /wordt geopend zodra de pagina geladen is/);
  assert.equal(early.toast, early.message);
  await page.waitForFunction(() => document.querySelector('#project-host').dataset.state !== 'busy', null, { timeout: 120_000 });
  const r = await page.locator('#project-host').evaluate((e) => ({ state: e.dataset.state, message: e.dataset.message }));
  assert.equal(r.state, 'done', r.message);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && document.body.dataset.busy === 'false');
  // Opening began only once the page had started.
  const opening = (await page.evaluate(() => window.projectLog)).find((e) => e.message === 'Project openen…');
  assert.equal(opening?.ready, 'true', 'the project was opened after the start-up');
  // The project's session, not the demo's start-up mixed into it.
  assert.deepEqual(await snapshot(page), before1);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('saved while the page is still loading the demo, the project waits for it and holds the demo layer and its map layers', async () => {
  const { page } = s;
  // Reload and save at once, before the demo is loaded and drawn.
  await page.reload({ waitUntil: 'commit' });
  await page.waitForSelector('#project-save', { state: 'attached' });
  await page.locator('#project-include-data').setChecked(false);
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.click('#project-save');
  const early = await page.evaluate(() => {
    const host = document.querySelector('#project-host');
    return { ready: document.body.dataset.ready, state: host.dataset.state, message: host.dataset.message, toast: document.querySelector('#toast').textContent };
  });
  assert.notEqual(early.ready, 'true', 'saved before the page was ready');
  // The page says it waits (as the host's state and as a toast).
  assert.equal(early.state, 'busy');
  assert.match(early.message, /wordt opgeslagen zodra de pagina geladen is/);
  assert.equal(early.toast, early.message);
  const p = JSON.parse(await readFile(await (await download).path(), 'utf8'));
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', 'saved once the page had started');
  assert.match(await page.locator('#project-host').getAttribute('data-message'), /Project opgeslagen als/);
  // The session the page starts with: the demo layer and its two map layers (the corporation one
  // active), default settings — none of it left out for still loading.
  assert.deepEqual(p.layers.map((l) => l.fileName), ['cbs_vk100_rijnmond_2024.csv']);
  assert.equal(p.indicators.length, 2);
  assert.equal(p.indicators.find((i) => i.id === p.activeId)?.numerator, CORP);
  const defaults = await page.evaluate(() => ({
    radiusM: Number(document.querySelector('#radius').value), suppressBelow: Number(document.querySelector('#k').value),
  }));
  assert.deepEqual({ radiusM: p.settings.radiusM, suppressBelow: p.settings.suppressBelow }, defaults);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});
