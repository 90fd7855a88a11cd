/**
 * The "Wat als" (what-if) tab: portfolio scenarios on the map (issue 6).
 *
 * The user selects locations (click on the map toggles one, shift-drag a box adds all inside, or a
 * pasted/loaded list of ids), picks a change (sold, liberalised, demolished, new-built social or
 * mid-rent) and a number of dwellings per location, and applies it. Every step can be undone and
 * redone (buttons, Ctrl+Z / Ctrl+Y). The worker recomputes only the locations within the radius of
 * a changed one and sends back just those rows with their new shares; this module patches its copy
 * of the shares, the map colours of the locations whose band changed (feature state, no re-tiling)
 * and the band counts, then asks for the summary: locations and dwellings moving across
 * 40/50/60/80 %, in total and per area (per buurt and per gemeente, when an area file with buurt
 * polygons is loaded; small per-area dwelling counts shown as <k), and the band table before and
 * after. Exportable as CSV. The placement check uses the scenario's counts while it has steps.
 *
 * All computing is in the worker (`scenario*` ops in worker.js → src/wasm/scenario.rs); text from
 * files (ids) is set with textContent only.
 */
import { t, tn, formatNumber, language } from '../i18n/i18n.js';
import { classify, bandOf, bandLabels, DEFAULT_EDGES_PCT } from '../bands.js';
import { scenarioCsv } from './csv.js';
import { createPlacement } from './placement.js';
import { bundledAreaNames } from './area-names.js';
import { scenarioHover } from './hover.js';
import './i18n.js';
import './whatif.css';
import { el } from '../dom.js';

export const DWELLINGS = 'aantal_woningen';
export const CORPORATION = 'aantal_huurwoningen_in_bezit_woningcorporaties';
export const THRESHOLDS_PCT = [40, 50, 60, 80];
export const KINDS = ['sell', 'liberalise', 'demolish', 'newBuildSocial', 'newBuildMidRent'];

const SRC = 'locations';
const SEL_LAYER = 'whatif-selected';
const CHANGED_LAYER = 'whatif-changed';
const SEL_POINTS = 'whatif-selected-points';
const CHANGED_POINTS = 'whatif-changed-points';
/** The outlines of the selected and changed locations: their own small source, so that drawing
 * them never makes MapLibre re-tile the (possibly million-feature) layer itself. */
const MARKS = 'whatif-marks';

function labelled(tag, key, className) {
  const node = el(tag, className, t(key));
  node.dataset.i18n = key;
  return node;
}

function button(key, className = 'btn btn-small') {
  const b = labelled('button', key, className);
  b.type = 'button';
  return b;
}

/** The engine's (English) refusals in the interface language; anything else as it came. */
export function explainError(message) {
  let m = /location "([^"]*)" \(row (\d+)\): cannot take away (\d+) corporation dwellings, it has (\d+)/.exec(message);
  if (m) return t('whatif.err.corporation', { id: m[1], wanted: Number(m[3]), available: Number(m[4]) });
  m = /location "([^"]*)" \(row (\d+)\): cannot take away (\d+) dwellings, it has (\d+)/.exec(message);
  if (m) return t('whatif.err.dwellings', { id: m[1], wanted: Number(m[3]), available: Number(m[4]) });
  m = /location "([^"]*)" \(row (\d+)\) has a missing count/.exec(message);
  if (m) return t('whatif.err.leftOut', { id: m[1] });
  return message;
}

/**
 * @param {HTMLElement} root
 * @param {{
 *   engine: ReturnType<import('../engine.js').createEngine>,
 *   mapView: ReturnType<import('../map.js').createMap>,
 *   getContext: () => { layers: {id, name, columns: string[], geometry}[], activeLayerId: string|null,
 *                       settings: { radiusM: number, missing: string, suppressBelow: number } },
 *   restoreMap: () => void,
 * }} deps
 */
export function createWhatIf(root, { engine, mapView, getContext, restoreMap }) {
  let active = false;
  /** The scenario in the worker and the page's copy of its shares and bands. */
  let sc = null;
  let nextScenario = 1;
  /** Selected rows (on sc's layer). */
  const selection = new Set();
  /** Requests to the worker run one after another. */
  let chain = Promise.resolve();
  let lastSummary = null;
  let lastTiming = null;
  /**
   * The areas the scenario's locations are bound to: the area file's layer id and name, and per
   * level {level, codes, names, located}; or an error message.
   */
  let areas = null;
  let error = '';

  // ---- the panel ----------------------------------------------------------------------------
  const intro = el('p', 'muted small');
  const layerInfo = el('p', 'small whatif-layer');

  const nameField = el('div', 'field');
  const nameLabel = labelled('label', 'whatif.name');
  const nameInput = el('input');
  nameInput.id = 'whatif-name';
  nameLabel.htmlFor = nameInput.id;
  nameInput.value = t('whatif.defaultName');
  nameField.append(nameLabel, nameInput);

  const cardScenario = el('section', 'card');
  // Several named scenarios: one live in the worker, the others kept as their saved form.
  const listField = el('div', 'field whatif-row');
  const listLabel = labelled('label', 'whatif.scenarios');
  const listSelect = el('select');
  listSelect.id = 'whatif-scenario';
  listLabel.htmlFor = listSelect.id;
  const newBtn = button('whatif.newScenario');
  newBtn.id = 'whatif-new';
  listField.append(listLabel, listSelect, newBtn);
  cardScenario.append(labelled('h2', 'whatif.title'), intro, layerInfo, nameField, listField);

  // Selection
  const selCount = el('p', 'whatif-selcount');
  selCount.setAttribute('aria-live', 'polite');
  const selHint = labelled('p', 'whatif.selectHint', 'muted small');
  const idsLabel = labelled('label', 'whatif.ids', 'small');
  const idsInput = el('textarea', 'whatif-ids');
  idsInput.id = 'whatif-ids';
  idsInput.rows = 2;
  idsInput.spellcheck = false;
  idsLabel.htmlFor = idsInput.id;
  const addIds = button('whatif.addIds');
  addIds.id = 'whatif-add-ids';
  const fileLabel = el('label', 'btn btn-small whatif-file');
  const fileText = labelled('span', 'whatif.loadIds');
  const fileInput = el('input');
  fileInput.type = 'file';
  fileInput.accept = '.txt,.csv,text/plain,text/csv';
  fileInput.id = 'whatif-ids-file';
  fileInput.className = 'sr-only';
  fileLabel.append(fileText, fileInput);
  const clearSel = button('whatif.clearSelection');
  clearSel.id = 'whatif-clear';
  const idsNote = el('p', 'muted small whatif-ids-note');
  idsNote.setAttribute('aria-live', 'polite');
  const selRow = el('div', 'whatif-row');
  selRow.append(addIds, fileLabel, clearSel);
  const cardSel = el('section', 'card');
  cardSel.append(labelled('h2', 'whatif.selection'), selCount, selHint, idsLabel, idsInput, selRow, idsNote);

  // Change
  const form = el('form', 'whatif-form');
  form.noValidate = true;
  const kindField = el('div', 'field');
  const kindLabel = labelled('label', 'whatif.kind');
  const kindSelect = el('select');
  kindSelect.id = 'whatif-kind';
  kindLabel.htmlFor = kindSelect.id;
  kindField.append(kindLabel, kindSelect);
  const nField = el('div', 'field');
  const nLabel = labelled('label', 'whatif.perLocation');
  const nInput = el('input');
  nInput.type = 'number';
  nInput.min = '1';
  nInput.step = '1';
  nInput.value = '1';
  nInput.inputMode = 'numeric';
  nInput.id = 'whatif-n';
  nLabel.htmlFor = nInput.id;
  nField.append(nLabel, nInput);
  const apply = labelled('button', 'whatif.apply', 'btn btn-primary');
  apply.type = 'submit';
  apply.id = 'whatif-apply';
  form.append(kindField, nField, apply);
  const errorBox = el('div', 'whatif-error');
  errorBox.setAttribute('role', 'alert');
  errorBox.hidden = true;
  const undoBtn = button('whatif.undo');
  undoBtn.id = 'whatif-undo';
  undoBtn.setAttribute('aria-keyshortcuts', 'Control+Z');
  const redoBtn = button('whatif.redo');
  redoBtn.id = 'whatif-redo';
  redoBtn.setAttribute('aria-keyshortcuts', 'Control+Y');
  const resetBtn = button('whatif.reset', 'btn btn-small btn-danger');
  resetBtn.id = 'whatif-reset';
  const undoRow = el('div', 'whatif-row');
  undoRow.append(undoBtn, redoBtn, resetBtn);
  const timing = el('p', 'muted small whatif-timing');
  timing.id = 'whatif-timing';
  const cardChange = el('section', 'card');
  cardChange.append(labelled('h2', 'whatif.change'), form, errorBox, undoRow, timing);

  // Steps
  const stepList = el('ol', 'whatif-steps');
  stepList.id = 'whatif-steps';
  const noSteps = labelled('p', 'whatif.noSteps', 'muted small');
  const cardSteps = el('section', 'card');
  cardSteps.append(labelled('h2', 'whatif.steps'), noSteps, stepList);

  // Comparison
  const compare = el('div', 'whatif-compare');
  compare.id = 'whatif-summary';
  compare.setAttribute('aria-live', 'polite');
  const exportFormat = el('select');
  exportFormat.id = 'whatif-csv-format';
  const exportLabel = labelled('label', 'whatif.csvFormat', 'small');
  exportLabel.htmlFor = exportFormat.id;
  const exportBtn = button('whatif.export');
  exportBtn.id = 'whatif-export';
  const exportRow = el('div', 'whatif-row');
  exportRow.append(exportLabel, exportFormat, exportBtn);
  // Save / load the scenario itself (name, settings and steps by location id) as JSON.
  const saveBtn = button('whatif.save');
  saveBtn.id = 'whatif-save';
  const loadLabel = el('label', 'btn btn-small whatif-file');
  const loadInput = el('input');
  loadInput.type = 'file';
  loadInput.accept = '.json,application/json';
  loadInput.id = 'whatif-load';
  loadInput.className = 'sr-only';
  loadLabel.append(labelled('span', 'whatif.load'), loadInput);
  exportRow.append(saveBtn, loadLabel);
  const cardCompare = el('section', 'card');
  cardCompare.append(labelled('h2', 'whatif.compare'), compare, exportRow);

  const cardPlacement = el('section', 'card placement');
  cardPlacement.id = 'placement';
  root.replaceChildren(cardScenario, cardSel, cardChange, cardSteps, cardCompare, cardPlacement);
  const placement = createPlacement(cardPlacement, {
    engine,
    mapView,
    getInput: () => (sc ? {
      layerId: sc.layerId, columns: pickLayer()?.columns || [], rows: [...selection].sort((a, b) => a - b),
      settings: sc.settings, dwellings: DWELLINGS, corporation: CORPORATION,
      // While the scenario has steps, the check runs on its counts (src/wasm/placement.rs).
      scenarioId: sc.steps.length ? sc.id : null, scenarioName: nameInput.value.trim() || t('whatif.defaultName'),
      scenarioSteps: sc.steps.length,
    } : null),
    csvFormat: () => exportFormat.value,
    isActive: () => active,
  });

  function fillSelects() {
    const kind = kindSelect.value || KINDS[0];
    kindSelect.replaceChildren(...KINDS.map((k) => {
      const o = el('option', '', t(`whatif.kind.${k}`));
      o.value = k;
      return o;
    }));
    kindSelect.value = kind;
    const fmt = exportFormat.value || (language() === 'nl' ? 'nl' : 'standard');
    exportFormat.replaceChildren(...['nl', 'standard'].map((f) => {
      const o = el('option', '', t(`whatif.csv.${f}`));
      o.value = f;
      return o;
    }));
    exportFormat.value = fmt;
  }
  fillSelects();

  // ---- state → screen -------------------------------------------------------------------------
  function setBusy(busy) {
    root.dataset.busy = String(busy);
    const can = !!sc && !busy;
    apply.disabled = !can || selection.size === 0;
    newBtn.disabled = !can;
    listSelect.disabled = !can;
    undoBtn.disabled = !can || !sc.canUndo;
    redoBtn.disabled = !can || !sc.canRedo;
    resetBtn.disabled = !can || !sc.steps.length;
    exportBtn.disabled = !can || !lastSummary;
  }

  function showError(message) {
    error = message;
    errorBox.textContent = message;
    errorBox.hidden = !message;
    root.dataset.error = message ? 'true' : 'false';
  }

  function renderIntro() {
    const s = sc?.settings || getContext().settings;
    intro.textContent = t('whatif.intro', { radius: s.radiusM, k: s.suppressBelow });
    layerInfo.textContent = sc ? t('whatif.layer', { layer: sc.layerName, n: sc.n }) : t('whatif.noLayer', { dwellings: DWELLINGS, corporation: CORPORATION });
  }

  function renderSelection() {
    selCount.textContent = tn('whatif.selected', selection.size);
    selCount.dataset.count = String(selection.size);
    setMapSelection();
    setBusy(root.dataset.busy === 'true');
  }

  function describeStep(step) {
    const first = step.changes[0];
    const same = step.changes.every((c) => c.kind === first?.kind && c.dwellings === first?.dwellings);
    if (!first) return step.label;
    const kind = same ? t(`whatif.kind.${first.kind}`) : t('whatif.mixed');
    const total = step.changes.reduce((a, c) => a + c.dwellings, 0);
    return t('whatif.stepText', {
      kind, n: same ? first.dwellings : '…', locations: step.changes.length, total,
    });
  }

  function renderSteps() {
    const steps = sc?.steps || [];
    noSteps.hidden = steps.length > 0;
    stepList.replaceChildren(...steps.map((step, i) => {
      const li = el('li', '', describeStep(step));
      li.dataset.index = String(i);
      return li;
    }));
    root.dataset.steps = String(steps.length);
  }

  function renderTiming() {
    if (!lastTiming) {
      timing.textContent = '';
      return;
    }
    const { engineMs, updateMs, summaryMs, rows, locations } = lastTiming;
    Object.assign(timing.dataset, {
      engineMs: String(engineMs), updateMs: String(updateMs), summaryMs: String(summaryMs ?? ''), rows: String(rows), locations: String(locations),
      summaryEngineMs: String(lastTiming.summaryEngineMs ?? ''),
      workerMs: String(lastTiming.workerMs ?? ''), summaryWorkerMs: String(lastTiming.summaryWorkerMs ?? ''),
      recoloured: String(lastTiming.recoloured ?? ''), frameMs: String(lastTiming.frameMs ?? ''),
    });
    timing.textContent = t('whatif.timing', {
      update: formatNumber(updateMs, 1), engine: formatNumber(engineMs, 1),
      summary: summaryMs === undefined ? '…' : formatNumber(summaryMs, 1),
      rows, locations,
    });
  }

  function cell(tag, text, cls, data) {
    const c = el(tag, cls, text);
    if (data) Object.assign(c.dataset, data);
    return c;
  }

  function headRow(keys) {
    const tr = el('tr');
    for (const k of keys) tr.append(cell('th', t(k), k.startsWith('whatif.col.num') ? 'num' : ''));
    return tr;
  }

  /** The band table before/after, the crossings in total and per area. */
  function renderSummary() {
    const s = lastSummary;
    if (!sc || !s) {
      compare.replaceChildren(labelled('p', 'whatif.noSummary', 'muted small'));
      return;
    }
    const n = (v) => formatNumber(v, 0);
    const delta = (v) => (v > 0 ? `+${n(v)}` : v < 0 ? `−${n(-v)}` : '0');
    // Bands before / after
    const bands = el('table', 'result-table whatif-bands');
    const bh = el('thead');
    bh.append(headRow(['whatif.col.band', 'whatif.col.numBefore', 'whatif.col.numAfter', 'whatif.col.numDelta', 'whatif.col.numDwBefore', 'whatif.col.numDwAfter']));
    const bb = el('tbody');
    const labels = bandLabels(DEFAULT_EDGES_PCT, (v) => (language() === 'nl' ? `${v} %` : `${v}%`));
    const maxLoc = Math.max(1, ...s.bandsBefore.bands.map((b) => b.locations), ...s.bandsAfter.bands.map((b) => b.locations));
    s.bandsBefore.bands.forEach((before, i) => {
      const after = s.bandsAfter.bands[i];
      const tr = el('tr');
      Object.assign(tr.dataset, {
        band: String(i), beforeLocations: String(before.locations), afterLocations: String(after.locations),
        beforeDwellings: String(before.dwellings ?? 0), afterDwellings: String(after.dwellings ?? 0),
      });
      const th = el('th', 'whatif-band-label');
      const bar = el('span', 'whatif-bar');
      const b1 = el('span', 'whatif-bar-before');
      b1.style.width = `${(100 * before.locations) / maxLoc}%`;
      const b2 = el('span', 'whatif-bar-after');
      b2.style.width = `${(100 * after.locations) / maxLoc}%`;
      bar.append(b1, b2);
      th.append(el('span', '', labels[i] ?? before.label), bar);
      const d = after.locations - before.locations;
      tr.append(
        th, cell('td', n(before.locations), 'num'), cell('td', n(after.locations), 'num'),
        cell('td', delta(d), `num ${d > 0 ? 'up' : d < 0 ? 'down' : ''}`),
        cell('td', n(before.dwellings ?? 0), 'num'), cell('td', n(after.dwellings ?? 0), 'num'),
      );
      bb.append(tr);
    });
    const none = el('tr', 'muted');
    none.dataset.band = 'none';
    none.dataset.beforeLocations = String(s.bandsBefore.outsideLocations);
    none.dataset.afterLocations = String(s.bandsAfter.outsideLocations);
    none.append(
      cell('th', t('whatif.noShare')), cell('td', n(s.bandsBefore.outsideLocations), 'num'),
      cell('td', n(s.bandsAfter.outsideLocations), 'num'),
      cell('td', delta(s.bandsAfter.outsideLocations - s.bandsBefore.outsideLocations), 'num'), cell('td', ''), cell('td', ''),
    );
    bb.append(none);
    bands.append(bh, bb);

    // Crossings in total
    const cross = el('table', 'result-table whatif-crossings');
    const ch = el('thead');
    ch.append(headRow(['whatif.col.threshold', 'whatif.col.numUpLoc', 'whatif.col.numUpDw', 'whatif.col.numDownLoc', 'whatif.col.numDownDw']));
    const cb = el('tbody');
    for (const c of s.crossings) cb.append(crossRow(c, null));
    cross.append(ch, cb);

    // Per area (buurt, gemeente) when an area file is loaded; else say so.
    const areaBlock = renderAreas(s);

    const facts = el('p', 'muted small whatif-facts', t('whatif.facts', {
      changed: s.changedLocations, undetermined: s.undeterminedLocations, k: sc.settings.suppressBelow,
    }));
    Object.assign(facts.dataset, { changed: String(s.changedLocations), undetermined: String(s.undeterminedLocations) });

    compare.replaceChildren(
      el('h4', '', t('whatif.bandsTitle', { radius: sc.settings.radiusM })), bands,
      el('h4', '', t('whatif.crossingsTitle')), cross, areaBlock, facts,
    );
  }

  /** Name of an area: from the area file, else from the bundled CBS names, else none. */
  function areaName(level, code) {
    const l = areas?.levels?.find((x) => x.level === level);
    const i = l ? l.index.get(code) : undefined;
    return (i !== undefined && l.names[i]) || bundledAreaNames().get(code) || '';
  }

  function renderAreas(s) {
    const box = el('div', 'whatif-areas-box');
    if (!areas?.levels?.length) {
      const p = el('p', 'muted small whatif-no-areas', areas?.error || t('whatif.areas.none'));
      p.dataset.noAreas = 'true';
      box.append(p);
      return box;
    }
    const k = s.suppressBelow ?? sc.settings.suppressBelow;
    const dw = (v) => (v === null || v === undefined ? `<${formatNumber(k, 0)}` : formatNumber(v, 0));
    const first = areas.levels[0];
    box.append(el('p', 'muted small whatif-areas-from', t('whatif.areas.from', {
      file: areas.fileName, located: formatNumber(first.located, 0), n: formatNumber(sc.n, 0),
    })));
    for (const l of areas.levels) {
      const list = s.perArea.filter((a) => a.level === l.level);
      const details = el('details', 'whatif-areas');
      details.dataset.level = l.level;
      details.open = list.length > 0 && list.length <= 12;
      const levelText = t(`whatif.areas.level.${l.level}`);
      details.append(el('summary', '', tn('whatif.areas.count', list.filter((a) => a.area).length, { level: levelText })));
      const table = el('table', 'result-table whatif-area-table');
      table.dataset.level = l.level;
      const head = el('thead');
      head.append(headRow(['whatif.col.area', 'whatif.col.areaName', 'whatif.col.threshold', 'whatif.col.numUpLoc', 'whatif.col.numUpDw', 'whatif.col.numDownLoc', 'whatif.col.numDownDw']));
      const body = el('tbody');
      for (const a of list) {
        const name = a.area ? areaName(l.level, a.area) : t('whatif.areas.outside');
        for (const c of a.crossings) {
          if (!c.upLocations && !c.downLocations) continue;
          const tr = el('tr');
          Object.assign(tr.dataset, {
            level: l.level, area: a.area, threshold: String(c.thresholdPct), upLocations: String(c.upLocations),
            upDwellings: c.upDwellings === null ? '' : String(c.upDwellings), downLocations: String(c.downLocations),
            downDwellings: c.downDwellings === null ? '' : String(c.downDwellings),
          });
          const pct = language() === 'nl' ? `${formatNumber(c.thresholdPct)} %` : `${formatNumber(c.thresholdPct)}%`;
          tr.append(
            cell('th', a.area || '–'), cell('td', name), cell('td', pct),
            cell('td', formatNumber(c.upLocations, 0), 'num'), cell('td', dw(c.upDwellings), 'num'),
            cell('td', formatNumber(c.downLocations, 0), 'num'), cell('td', dw(c.downDwellings), 'num'),
          );
          body.append(tr);
        }
      }
      table.append(head, body);
      details.append(table);
      box.append(details);
    }
    box.append(el('p', 'muted small', t('whatif.areas.suppressed', { k: formatNumber(k, 0) })));
    return box;
  }

  function crossRow(c, area) {
    const tr = el('tr');
    Object.assign(tr.dataset, {
      threshold: String(c.thresholdPct), upLocations: String(c.upLocations), upDwellings: String(c.upDwellings),
      downLocations: String(c.downLocations), downDwellings: String(c.downDwellings),
    });
    if (area !== null) {
      tr.dataset.area = area;
      tr.append(cell('th', area));
    }
    const pct = language() === 'nl' ? `${formatNumber(c.thresholdPct)} %` : `${formatNumber(c.thresholdPct)}%`;
    tr.append(
      cell(area === null ? 'th' : 'td', pct),
      cell('td', formatNumber(c.upLocations, 0), 'num'), cell('td', formatNumber(c.upDwellings, 0), 'num'),
      cell('td', formatNumber(c.downLocations, 0), 'num'), cell('td', formatNumber(c.downDwellings, 0), 'num'),
    );
    return tr;
  }

  function renderAll() {
    renderScenarioList();
    renderIntro();
    renderSelection();
    renderSteps();
    renderSummary();
    renderTiming();
    setBusy(root.dataset.busy === 'true');
  }

  // ---- the map --------------------------------------------------------------------------------
  // While the tab is open the map shows the scenario's bands; main.js's redraws of the base layer
  // (language switch, recomputation) are held back until the tab closes.
  const baseShow = mapView.show.bind(mapView);
  mapView.show = (geom, bands, opts) => {
    if (active && sc) return Promise.resolve();
    return baseShow(geom, bands, opts);
  };
  let mapWired = false;
  async function wireMap() {
    if (mapWired) return;
    mapWired = true;
    await mapView.ready;
    const map = mapView.map;
    map.addSource(MARKS, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    const hidden = { visibility: 'none' };
    const is = (m, type) => ['all', ['==', ['get', 'm'], m], ['==', ['geometry-type'], type]];
    map.addLayer({
      id: CHANGED_LAYER, type: 'line', source: MARKS, filter: is('changed', 'Polygon'),
      paint: { 'line-color': '#111', 'line-width': 1.5, 'line-dasharray': [2, 1] }, layout: hidden,
    });
    map.addLayer({
      id: CHANGED_POINTS, type: 'circle', source: MARKS, filter: is('changed', 'Point'),
      paint: { 'circle-radius': 5, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#111', 'circle-stroke-width': 1.5 }, layout: hidden,
    });
    map.addLayer({
      id: SEL_LAYER, type: 'line', source: MARKS, filter: is('selected', 'Polygon'),
      paint: { 'line-color': '#ff7f00', 'line-width': 2.5 }, layout: hidden,
    });
    map.addLayer({
      id: SEL_POINTS, type: 'circle', source: MARKS, filter: is('selected', 'Point'),
      paint: { 'circle-radius': 6, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#ff7f00', 'circle-stroke-width': 2.5 }, layout: hidden,
    });
    for (const layer of ['squares-fill', 'points']) {
      map.on('click', layer, (ev) => {
        if (!active || !sc || ev.originalEvent.shiftKey) return;
        const f = ev.features?.[0];
        if (!f || typeof f.id !== 'number') return;
        if (selection.has(f.id)) selection.delete(f.id);
        else selection.add(f.id);
        renderSelection();
      });
    }
    // Shift-drag: a box that adds every location inside it (MapLibre's own box zoom is off meanwhile).
    let box = null;
    map.on('mousedown', (ev) => {
      if (!active || !sc || !ev.originalEvent.shiftKey || ev.originalEvent.button !== 0) return;
      ev.preventDefault();
      const start = ev.point;
      const div = el('div', 'whatif-box');
      map.getCanvasContainer().append(div);
      box = { start, div };
      const move = (e) => {
        const p = mousePoint(map, e);
        const x0 = Math.min(start.x, p.x), y0 = Math.min(start.y, p.y);
        Object.assign(div.style, {
          left: `${x0}px`, top: `${y0}px`, width: `${Math.abs(p.x - start.x)}px`, height: `${Math.abs(p.y - start.y)}px`,
        });
      };
      const up = (e) => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
        div.remove();
        box = null;
        const p = mousePoint(map, e);
        const found = map.queryRenderedFeatures([[Math.min(start.x, p.x), Math.min(start.y, p.y)], [Math.max(start.x, p.x), Math.max(start.y, p.y)]], {
          layers: ['squares-fill', 'points'],
        });
        for (const f of found) if (typeof f.id === 'number') selection.add(f.id);
        renderSelection();
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
    void box;
    setMapSelection();
  }

  function mousePoint(map, e) {
    const r = map.getCanvasContainer().getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /** A location's outline (square) or position (point) from the layer's display geometry. */
  function markFeature(geom, row, m) {
    const { lon, lat } = geom;
    if (geom.kind === 'square') {
      const o = row * 4;
      const ring = [0, 1, 2, 3, 0].map((k) => [lon[o + k], lat[o + k]]);
      return { type: 'Feature', properties: { m }, geometry: { type: 'Polygon', coordinates: [ring] } };
    }
    return { type: 'Feature', properties: { m }, geometry: { type: 'Point', coordinates: [lon[row], lat[row]] } };
  }

  let marksKey = '';
  function setMapSelection() {
    const map = mapView.map;
    if (!mapWired || !map.getLayer(SEL_LAYER)) return;
    const vis = active && sc ? 'visible' : 'none';
    for (const id of [SEL_LAYER, SEL_POINTS, CHANGED_LAYER, CHANGED_POINTS]) {
      if (map.getLayoutProperty(id, 'visibility') !== vis) map.setLayoutProperty(id, 'visibility', vis);
    }
    const changed = new Set();
    for (const step of sc?.steps || []) for (const c of step.changes) changed.add(c.row);
    const sel = [...selection];
    const key = sc ? `${sc.id}|${sel.join(',')}|${[...changed].join(',')}` : '';
    if (key === marksKey) return;
    marksKey = key;
    const features = [];
    if (sc?.geometry) {
      for (const r of changed) features.push(markFeature(sc.geometry, r, 'changed'));
      for (const r of sel) features.push(markFeature(sc.geometry, r, 'selected'));
    }
    map.getSource(MARKS).setData({ type: 'FeatureCollection', features });
  }

  async function drawScenarioMap({ fit = false } = {}) {
    if (!sc || !active) return;
    // The hover tells the scenario's figures until the band map is drawn again (restoreMap).
    await baseShow(sc.geometry, sc.bands, { fit, describe: (i) => scenarioHover(sc, i) });
    if (active) {
      mapView.map.boxZoom.disable();
      setMapSelection();
    }
  }

  /**
   * Recolour the locations whose band changed: feature state on the map (no re-tiling of the
   * layer), else a GeoJSON diff on a map without `updateClasses`.
   */
  function patchMap(rows) {
    if (!active || !rows.length) return;
    const classes = new Int8Array(rows.length);
    for (let i = 0; i < rows.length; i++) classes[i] = sc.bands[rows[i]];
    if (mapView.updateClasses) {
      mapView.updateClasses(rows, classes);
      return;
    }
    const update = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) update[i] = { id: rows[i], addOrUpdateProperties: [{ key: 'b', value: classes[i] }] };
    mapView.map.getSource(SRC).updateData({ update });
  }

  // ---- the scenario in the worker ---------------------------------------------------------------
  function pickLayer() {
    const ctx = getContext();
    const ok = (l) => l.geometry && l.columns?.includes(DWELLINGS) && l.columns?.includes(CORPORATION);
    return ctx.layers.find((l) => l.id === ctx.activeLayerId && ok(l)) || ctx.layers.find(ok) || null;
  }

  /** Bumped after every finished operation (done or refused), so a test can wait for it. */
  let done = 0;
  function queue(fn) {
    const run = chain.then(async () => {
      setBusy(true);
      try {
        return await fn();
      } catch (err) {
        showError(`${t('engine.error')}: ${err.message}`);
        return false;
      } finally {
        setBusy(false);
        root.dataset.done = String(++done);
      }
    });
    chain = run.catch(() => {});
    return run;
  }

  /**
   * A request on the scenario. After a worker restart (a wasm trap elsewhere) the worker no longer
   * holds it: rebuild it from the steps the page keeps, then try once more.
   */
  async function request(op, args) {
    try {
      return await engine.request(op, { scenarioId: sc?.id, ...args }).promise;
    } catch (err) {
      if (!sc || !(err.restarted || /^no scenario /.test(err.message))) throw err;
      const steps = sc.steps;
      sc = { ...sc, geometry: null, steps };
      await ensureScenario();
      return engine.request(op, { scenarioId: sc?.id, ...args }).promise;
    }
  }

  function sameSettings(a, b) {
    return a.radiusM === b.radiusM && a.missing === b.missing && a.suppressBelow === b.suppressBelow;
  }

  /**
   * Make sure the worker holds a scenario for the current layer and settings; a change of radius,
   * missing policy or k rebuilds it and replays the steps so far. True when it (re)built.
   */
  async function ensureScenario() {
    const layer = pickLayer();
    const settings = getContext().settings;
    if (sc && layer && sc.layerId === layer.id && sc.geometry === layer.geometry && sameSettings(sc.settings, settings)) {
      if (await syncAreas()) {
        await refreshSummary();
        renderSummary();
      }
      return false;
    }
    const replay = sc && layer && sc.layerId === layer.id ? sc.steps : [];
    if (sc) engine.request('scenarioFree', { scenarioId: sc.id });
    if (!sc || sc.layerId !== layer?.id || sc.geometry !== layer?.geometry) selection.clear();
    sc = null;
    lastSummary = null;
    lastTiming = null;
    if (!layer) {
      renderAll();
      return true;
    }
    const id = `whatif-${nextScenario++}`;
    const r = await engine.request('scenarioCreate', {
      scenarioId: id, layerId: layer.id, radiusM: settings.radiusM, dwellings: DWELLINGS, corporation: CORPORATION,
      missing: settings.missing, suppressBelow: settings.suppressBelow,
    }).promise;
    const bands = classify(r.shares, DEFAULT_EDGES_PCT);
    // Locations per band (last slot: no share), kept up to date per change on this thread.
    const counts = new Array(DEFAULT_EDGES_PCT.length + 1).fill(0);
    for (const b of bands) counts[b < 0 ? DEFAULT_EDGES_PCT.length : b]++;
    sc = {
      id, layerId: layer.id, layerName: layer.name, geometry: layer.geometry, settings: { ...settings }, n: r.n,
      shares: r.shares, sharesBefore: Float64Array.from(r.shares), bands, counts, steps: [], canUndo: false, canRedo: false,
    };
    let dropped = 0;
    for (const step of replay) {
      try {
        const c = await request('scenarioApply', { step });
        absorb(c);
      } catch {
        dropped++;
      }
    }
    if (dropped) showError(t('whatif.replayDropped', { count: dropped }));
    await syncAreas();
    await refreshSummary();
    renderAll();
    placement.refresh();
    await drawScenarioMap({ fit: false });
    return true;
  }

  /** Take a change from the worker into the page's copy; returns the rows whose band changed. */
  function absorb(c) {
    const { rows, shares } = c;
    const none = DEFAULT_EDGES_PCT.length;
    const moved = [];
    for (let i = 0; i < rows.length; i++) {
      const old = sc.bands[rows[i]];
      const b = bandOf(shares[i], DEFAULT_EDGES_PCT);
      sc.shares[rows[i]] = shares[i];
      if (b === old) continue;
      sc.bands[rows[i]] = b;
      sc.counts[old < 0 ? none : old]--;
      sc.counts[b < 0 ? none : b]++;
      moved.push(rows[i]);
    }
    sc.steps = c.steps;
    sc.canUndo = c.canUndo;
    sc.canRedo = c.canRedo;
    return moved;
  }

  async function refreshSummary() {
    lastSummary = await request('scenarioSummary', {
      settings: { thresholdsPct: THRESHOLDS_PCT, suppressBelow: sc.settings.suppressBelow },
    });
  }

  /** The area file to count per area with: the last GeoJSON layer loaded (not the scenario's own). */
  function pickAreaLayer() {
    const ctx = getContext();
    const files = ctx.layers.filter((l) => l.id !== sc?.layerId && l.file && /\.(geo)?json$/i.test(l.fileName || ''));
    return files.length ? files[files.length - 1] : null;
  }

  /** Bind the scenario's locations to the current area file (or to none); true when that changed. */
  async function syncAreas() {
    if (!sc) return false;
    const layer = pickAreaLayer();
    const key = layer ? `${layer.id}:${layer.rows}:${layer.fileName}` : null;
    if ((areas?.key ?? null) === key && areas?.scenarioId === sc.id) return false;
    if (!layer) {
      if (!areas) return false;
      if (areas.scenarioId === sc.id) await request('scenarioClearAreas', {});
      areas = null;
      return true;
    }
    try {
      const levels = await request('scenarioAreas', { layerId: sc.layerId, file: layer.file, fileName: layer.fileName });
      for (const l of levels) l.index = new Map(l.codes.map((c, i) => [c, i]));
      areas = { key, scenarioId: sc.id, layerId: layer.id, fileName: layer.fileName, levels };
    } catch (err) {
      areas = { key, scenarioId: sc.id, layerId: layer.id, fileName: layer.fileName, levels: [], error: t('whatif.areas.failed', { file: layer.fileName, message: err.message }) };
    }
    return true;
  }

  /** The band table's "scenario" column from this thread's counts, before the summary arrives. */
  function patchBandCounts() {
    const rows = compare.querySelectorAll('.whatif-bands tr[data-band]');
    let maxLoc = 1;
    for (const tr of rows) {
      if (tr.dataset.band === 'none') continue;
      maxLoc = Math.max(maxLoc, Number(tr.dataset.beforeLocations), sc.counts[Number(tr.dataset.band)]);
    }
    for (const tr of rows) {
      const i = tr.dataset.band === 'none' ? DEFAULT_EDGES_PCT.length : Number(tr.dataset.band);
      const after = sc.counts[i];
      // The histogram bars (before / scenario) beside the band label.
      const bars = tr.querySelectorAll('.whatif-bar span');
      if (bars.length === 2) {
        bars[0].style.width = `${(100 * Number(tr.dataset.beforeLocations)) / maxLoc}%`;
        bars[1].style.width = `${(100 * after) / maxLoc}%`;
      }
      const d = after - Number(tr.dataset.beforeLocations);
      tr.dataset.afterLocations = String(after);
      const cells = tr.querySelectorAll('td');
      cells[1].textContent = formatNumber(after, 0);
      cells[2].textContent = d > 0 ? `+${formatNumber(d, 0)}` : d < 0 ? `−${formatNumber(-d, 0)}` : '0';
    }
  }

  /** One edit (apply / undo / redo) end to end, timed. */
  async function edit(op, args, locations) {
    const t0 = performance.now();
    let c;
    try {
      c = await request(op, args);
    } catch (err) {
      showError(`${t('whatif.refused')} ${explainError(err.message)}`);
      root.dataset.lastError = err.message;
      return false;
    }
    const t1 = performance.now();
    showError('');
    if (c.nothing) return false;
    const moved = absorb(c);
    patchMap(moved);
    patchBandCounts();
    renderSteps();
    setMapSelection();
    const t2 = performance.now();
    lastTiming = {
      engineMs: round(t1 - t0), workerMs: round(c.workerMs ?? NaN), updateMs: round(t2 - t0), rows: c.rows.length,
      recoloured: moved.length, locations,
    };
    renderTiming();
    // When the map has drawn the frame with the new colours (drawing, not computing: reported apart).
    const timed = lastTiming;
    if (active) {
      mapView.map.once('render', () => {
        timed.frameMs = round(performance.now() - t0);
        timing.dataset.frameMs = String(timed.frameMs);
      });
      mapView.map.triggerRepaint();
    }
    const t3 = performance.now();
    await refreshSummary();
    lastTiming.summaryEngineMs = round(performance.now() - t3);
    lastTiming.summaryWorkerMs = round(lastSummary.workerMs ?? NaN);
    renderSummary();
    lastTiming.summaryMs = round(performance.now() - t0);
    renderTiming();
    return true;
  }

  const round = (ms) => Math.round(ms * 100) / 100;

  function applySelection() {
    return queue(async () => {
      await ensureScenario();
      if (!sc) return false;
      const n = Number(nInput.value);
      if (!Number.isInteger(n) || n < 1) {
        showError(t('whatif.badNumber'));
        nInput.focus();
        return false;
      }
      if (!selection.size) {
        showError(t('whatif.emptySelection'));
        return false;
      }
      const kind = kindSelect.value;
      const rows = [...selection].sort((a, b) => a - b);
      const step = {
        label: `${t(`whatif.kind.${kind}`)} ${n} × ${rows.length}`,
        changes: rows.map((row) => ({ row, kind, dwellings: n })),
      };
      return edit('scenarioApply', { step }, rows.length);
    });
  }

  const undo = () => queue(async () => sc?.canUndo && edit('scenarioUndo', {}, 0));
  const redo = () => queue(async () => sc?.canRedo && edit('scenarioRedo', {}, 0));

  function reset() {
    return queue(async () => {
      if (!sc) return;
      engine.request('scenarioFree', { scenarioId: sc.id });
      sc = null;
      showError('');
      await ensureScenario();
    });
  }

  /** Add ids (pasted or from a file) to the selection; report those not found. */
  function addIdList(text) {
    const ids = [...new Set(text.split(/[\s,;\t"']+/).map((s) => s.trim()).filter(Boolean))];
    if (!ids.length) return Promise.resolve();
    return queue(async () => {
      await ensureScenario();
      if (!sc) return;
      const { rows, missing } = await engine.request('findIds', { layerId: sc.layerId, ids }).promise;
      for (const r of rows) selection.add(r);
      idsNote.textContent = missing.length
        ? t('whatif.idsMissing', { added: rows.length, missing: missing.length, examples: missing.slice(0, 5).join(', ') })
        : t('whatif.idsAdded', { added: rows.length });
      renderSelection();
    });
  }

  // ---- events --------------------------------------------------------------------------------
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    applySelection();
  });
  undoBtn.addEventListener('click', () => undo());
  redoBtn.addEventListener('click', () => redo());
  resetBtn.addEventListener('click', () => reset());
  clearSel.addEventListener('click', () => {
    selection.clear();
    idsNote.textContent = '';
    renderSelection();
  });
  addIds.addEventListener('click', () => addIdList(idsInput.value));
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (file) await addIdList(await file.text());
    fileInput.value = '';
  });
  exportBtn.addEventListener('click', () => queue(async () => exportCsv()));
  saveBtn.addEventListener('click', async () => {
    const data = await toJSON();
    if (!data) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' }));
    a.download = `${(data.name || 'scenario').replace(/[^\p{L}\p{N}_-]+/gu, '_')}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  loadInput.addEventListener('change', async () => {
    const file = loadInput.files?.[0];
    loadInput.value = '';
    if (!file) return;
    try {
      await fromJSON(JSON.parse(await file.text()));
    } catch (err) {
      showError(`${t('whatif.loadFailed')} ${err.message}`);
    }
  });

  /**
   * The live scenario by location id (not row): its name, the settings it was computed with, the
   * applied steps (oldest first), the undone steps that can still be redone (next redo first — so
   * the undo position comes back), the selection (the placement candidates) and the placement form.
   */
  async function snapshot() {
    if (!sc) return null;
    const { steps, redo } = await request('scenarioSteps', {});
    const sel = [...selection].sort((a, b) => a - b);
    const rows = [...new Set([...steps, ...redo].flatMap((st) => st.changes.map((c) => c.row)).concat(sel))];
    const ids = rows.length ? await engine.request('rowIds', { layerId: sc.layerId, rows }).promise : [];
    const idOf = new Map(rows.map((r, i) => [r, ids[i]]));
    const plain = (st) => ({ label: st.label, changes: st.changes.map((c) => ({ id: idOf.get(c.row), kind: c.kind, dwellings: c.dwellings })) });
    return {
      kind: 'veerkracht-scenario', version: 2, name: nameInput.value.trim(), layer: sc.layerName,
      settings: { ...sc.settings },
      steps: steps.map(plain),
      undone: redo.map(plain),
      selection: sel.map((r) => idOf.get(r)),
      placement: placement.getState(),
    };
  }

  /** Make a saved scenario (version 1 or 2) the live one (inside the queue). */
  async function loadSpec(data) {
    if (sc) engine.request('scenarioFree', { scenarioId: sc.id });
    sc = null;
    await ensureScenario();
    if (!sc) return;
    nameInput.value = data.name ? String(data.name) : t('whatif.defaultName');
    const undone = Array.isArray(data.undone) ? data.undone : [];
    const all = [...data.steps, ...undone];
    const wanted = Array.isArray(data.selection) ? data.selection.map(String) : [];
    const ids = [...new Set(all.flatMap((st) => st.changes.map((c) => String(c.id))).concat(wanted))];
    const { rows, missing } = ids.length ? await engine.request('findIds', { layerId: sc.layerId, ids }).promise : { rows: [], missing: [] };
    if (missing.length) throw new Error(t('whatif.idsMissing', { added: rows.length, missing: missing.length, examples: missing.slice(0, 5).join(', ') }));
    const rowOf = new Map(ids.map((id, i) => [id, rows[i]]));
    let applied = 0;
    for (const st of all) {
      const step = { label: String(st.label ?? ''), changes: st.changes.map((c) => ({ row: rowOf.get(String(c.id)), kind: c.kind, dwellings: Number(c.dwellings) })) };
      if (!(await edit('scenarioApply', { step }, step.changes.length))) break;
      applied++;
    }
    for (let i = Math.max(0, applied - data.steps.length); i > 0; i--) await edit('scenarioUndo', {}, 0);
    selection.clear();
    for (const id of wanted) selection.add(rowOf.get(id));
    placement.setState(data.placement);
    renderAll();
    await drawScenarioMap();
  }

  /**
   * The scenarios of this page. `book[live]` is null: that one lives in the worker; the others are
   * kept in their saved form and rebuilt when chosen.
   * @type {(object|null)[]}
   */
  let book = [null];
  let live = 0;

  function renderScenarioList() {
    const names = book.map((spec, i) => (i === live ? nameInput.value.trim() : spec?.name) || t('whatif.defaultName'));
    listSelect.replaceChildren(...names.map((name, i) => {
      const o = el('option', '', name);
      o.value = String(i);
      return o;
    }));
    listSelect.value = String(live);
    listField.dataset.count = String(book.length);
  }

  function newScenario() {
    return queue(async () => {
      book[live] = await snapshot();
      book.push(null);
      live = book.length - 1;
      if (sc) engine.request('scenarioFree', { scenarioId: sc.id });
      sc = null;
      await ensureScenario();
      nameInput.value = `Scenario ${book.length}`;
      renderAll();
      await drawScenarioMap();
    });
  }

  function switchScenario(i) {
    if (i === live || !book[i]) return Promise.resolve();
    return queue(async () => {
      book[live] = await snapshot();
      const spec = book[i];
      book[i] = null;
      live = i;
      await loadSpec(spec);
    });
  }

  /**
   * For a project file (and the Save button): the live scenario (version 2, as `snapshot`) with
   * the page's other scenarios in `otherScenarios` and its place among them in `position`.
   */
  async function toJSON() {
    const current = await snapshot();
    if (!current) return null;
    return { ...current, position: live, otherScenarios: book.filter((b, i) => i !== live) };
  }

  /**
   * Replace the page's scenarios by saved ones: the live one rebuilt (steps replayed by id, undone
   * ones applied and undone again, selection and placement form), the others kept as saved.
   */
  function fromJSON(data) {
    if (data?.kind !== 'veerkracht-scenario' || !Array.isArray(data.steps)) throw new Error(t('whatif.notScenario'));
    return queue(async () => {
      const others = Array.isArray(data.otherScenarios) ? data.otherScenarios.filter((o) => o?.kind === 'veerkracht-scenario' && Array.isArray(o.steps)) : [];
      const position = Math.min(Math.max(0, Number(data.position) || 0), others.length);
      book = [...others.slice(0, position), null, ...others.slice(position)];
      live = position;
      const { otherScenarios, position: _p, ...self } = data;
      void otherScenarios;
      void _p;
      await loadSpec(self);
      renderScenarioList();
    });
  }

  newBtn.addEventListener('click', () => newScenario());
  listSelect.addEventListener('change', () => switchScenario(Number(listSelect.value)));
  nameInput.addEventListener('input', () => renderScenarioList());

  document.addEventListener('keydown', (ev) => {
    if (!active || !(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
    const target = ev.target;
    if (target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const key = ev.key.toLowerCase();
    if (key === 'z' && !ev.shiftKey) {
      ev.preventDefault();
      undo();
    } else if (key === 'y' || (key === 'z' && ev.shiftKey)) {
      ev.preventDefault();
      redo();
    }
  });

  function exportCsv() {
    if (!sc || !lastSummary) return;
    const format = exportFormat.value;
    const name = nameInput.value.trim() || t('whatif.defaultName');
    const text = scenarioCsv({
      summary: lastSummary, steps: sc.steps, name, layerName: sc.layerName, settings: sc.settings, format,
      labels: {
        scenario: t('whatif.title'), layer: t('whatif.csv.layer'), radius: t('whatif.csv.radius'), k: t('whatif.csv.k'),
        area: t('whatif.col.area'), total: t('whatif.csv.total'), threshold: t('whatif.col.threshold'),
        level: t('whatif.csv.level'), name: t('whatif.col.areaName'), outside: t('whatif.areas.outside'),
        levelName: (level) => level, areaName: (level, code) => areaName(level, code),
        upLoc: t('whatif.col.numUpLoc'), upDw: t('whatif.col.numUpDw'), downLoc: t('whatif.col.numDownLoc'), downDw: t('whatif.col.numDownDw'),
        band: t('whatif.col.band'), before: t('whatif.col.numBefore'), after: t('whatif.col.numAfter'),
        dwBefore: t('whatif.col.numDwBefore'), dwAfter: t('whatif.col.numDwAfter'), noShare: t('whatif.noShare'),
        steps: t('whatif.steps'), suppressed: t('whatif.csv.suppressed', { k: sc.settings.suppressBelow }),
        kind: (k) => t(`whatif.kind.${k}`),
      },
    });
    const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${name.replace(/[^\p{L}\p{N}_-]+/gu, '_')}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  renderAll();
  setBusy(false);

  return {
    /** The tab opened or closed: show the scenario on the map, or give the map back. */
    async setActive(on) {
      if (on === active) return;
      active = on;
      root.dataset.active = String(on);
      const map = mapView.map;
      if (on) {
        await wireMap();
        const built = await queue(() => ensureScenario());
        if (!built) await drawScenarioMap();
      } else {
        map.boxZoom.enable();
        setMapSelection();
        restoreMap();
      }
      placement.showOnMap();
    },
    relabel() {
      fillSelects();
      renderAll();
      placement.relabel();
    },
    isActive: () => active,
    /** For a project file (APP): the scenario as plain JSON, and back. */
    toJSON,
    fromJSON,
  };
}
