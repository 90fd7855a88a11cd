/**
 * Wires the page's modules together and holds the page state (loaded layers, map layers and
 * their latest results). No computation here: the worker (via engine.js) computes, the other
 * modules draw.
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import demoCsv from './demo/cbs_vk100_rijnmond_2024.csv';
import lbmCsv from './demo/leefbaarometer_buurten_rdam_2002_2024.csv';
import kwbCsv from './demo/cbs_kwb_buurt_2024_rijnmond.csv';
import { createEngineWorker } from './boot/index.js';
import { createEngine } from './engine.js';
import { t, setLanguage, language, onLanguageChange, applyTranslations, formatSeconds, formatNumber, formatShare } from './i18n/i18n.js';
import { createMap } from './map.js';
import { createIndicatorList } from './indicators.js';
import { createSettings } from './settings.js';
import { createProgress } from './progress.js';
import { renderLegend } from './legend.js';
import { createHistogram } from './histogram.js';
import { createDetails } from './panels.js';
import { createFiles } from './files.js';
import { classify, countPerBand, bandLabels, palette, DEFAULT_EDGES_PCT, NO_SHARE_COLOUR } from './bands.js';
import { setupTabs } from './tabs.js';
import { createAnalyses } from './analyses.js';
import { setupPrivacy } from './privacy.js';
import { createWhatIf } from './scenario/whatif.js';
import { createEvents } from './events.js';
import { installFeatures } from './features.js';

const $ = (id) => document.getElementById(id);

const DEMO = {
  layerId: 'demo',
  fileName: 'cbs_vk100_rijnmond_2024.csv',
  name: 'CBS 100 m Rijnmond 2024',
  indicators: [
    {
      id: 'demo-corp', layerId: 'demo', labelKey: 'indicators.corporation',
      numerator: 'aantal_huurwoningen_in_bezit_woningcorporaties', denominator: 'aantal_woningen',
    },
    {
      id: 'demo-benefit', layerId: 'demo', labelKey: 'indicators.benefit',
      numerator: 'aantal_personen_met_uitkering_onder_aowlft', denominator: 'aantal_inwoners',
    },
  ],
};

const state = {
  /** @type {Map<string, {id, name, fileName, rows, columns: string[], kind, geometry}>} */
  layers: new Map(),
  /** @type {import('./indicators.js').Indicator[]} */
  indicators: [],
  /** indicator id → { settings, denominatorSum, numeratorSum, share, bands, counts, none } */
  results: new Map(),
  activeId: null,
  selected: -1,
  scoring: null,
};

function toast(message, kind = 'info') {
  const box = $('toast');
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 6000);
}

const engine = createEngine(() => createEngineWorker(), {
  onRestart: () => toast(t('engine.restarted'), 'info'),
});

const mapView = createMap($('map'), {
  onSelect: (i) => selectLocation(i),
  attribution: '© CBS (CC BY 4.0)',
  describe: (i) => hoverText(i),
});
const indicatorList = createIndicatorList($('indicators'), {
  onActivate: (id) => activate(id),
  onAdd: (ind) => addIndicator(ind),
  onRemove: (id) => removeIndicator(id),
});
const progress = createProgress($('score-progress'));
const settings = createSettings($('settings'), { onChange: () => recomputeAll() });
const histogram = createHistogram($('histogram'));
const details = createDetails($('details'), { onSearch: (id) => searchId(id) });
const files = createFiles($('files'), {
  engine,
  onLoaded: (layer) => layerLoaded(layer),
  onRemoved: (layerId) => layerRemoved(layerId),
});
const analyses = createAnalyses($('charts'), {
  engine,
  getContext: () => ({
    layers: [...state.layers.values()].map((l) => ({ id: l.id, name: l.name, columns: l.columns })),
    indicators: state.indicators,
    shareOf: (id) => state.results.get(id)?.share || null,
    labelOf: (ind) => indicatorList.labelOf(ind),
    suppressBelow: settings.get().suppressBelow,
  }),
  loadTippingDemo: () => loadTippingDemo(),
});
// What-if scenarios (www/scenario/): the map shows the scenario while that tab is open.
const whatIf = createWhatIf($('whatif'), {
  engine,
  mapView,
  getContext: () => ({
    layers: [...state.layers.values()],
    activeLayerId: activeIndicator()?.layerId ?? null,
    settings: settings.get(),
  }),
  restoreMap: () => renderActive({ fit: false }),
});
// The analyses need room for their charts: the side panel widens while that tab is open.
setupTabs(document.querySelector('.tabs'), (tabId) => {
  // Only a change of the panel's width resizes (and so redraws) the map: redrawing a large layer
  // in software GL takes a second, and a tab switch should not cost that.
  const side = document.querySelector('.side');
  const wide = tabId === 'tab-analyses' || tabId === 'tab-whatif';
  if (side.classList.contains('wide') !== wide) {
    side.classList.toggle('wide', wide);
    mapView.resize();
  }
  whatIf.setActive(tabId === 'tab-whatif');
});
setupPrivacy({
  toggle: $('basemap-toggle'),
  indicator: $('privacy'),
  text: $('privacy-text'),
  notice: $('basemap-notice'),
  onBasemap: (on) => mapView.setBasemap(on, t('map.attributionPdok')),
});

$('lang-toggle').addEventListener('click', () => setLanguage(language() === 'nl' ? 'en' : 'nl'));
onLanguageChange(() => {
  applyTranslations();
  settings.relabel();
  indicatorList.relabel();
  details.relabel();
  files.relabel();
  analyses.relabel();
  whatIf.relabel();
  renderActive({ fit: false });
});
applyTranslations();
settings.relabel();

/**
 * What the map shows now, for exports and reports: set by whoever draws the map (the band map
 * here, the analysis maps and the scenario view in their modules).
 * @typedef {{ title: string, subtitle?: string, items: { colour: string, label: string }[],
 *             note?: string, sources: string[] }} MapDescription
 */
let mapDescription = null;
const events = createEvents();
/** Settles when the start-up (the demo loaded and drawn, or given up on an error) is over. */
let startedUp;
const started = new Promise((resolve) => (startedUp = resolve));

/**
 * The one object feature modules (www/export, www/project, www/profile, www/analysis-maps) get.
 * They read `state` and change it only through the functions here. Events: 'rendered' (the active
 * map layer was drawn: { indicator, result, layer }), 'selected' ({ index, layerId } or index -1),
 * 'layers' (a layer was loaded, replaced or removed), 'map' (the map description changed).
 */
const app = {
  engine, mapView, settings, progress, files, analyses, whatIf, events, state, toast,
  activeIndicator: () => activeIndicator(),
  labelOf: (ind) => indicatorList.labelOf(ind),
  addIndicator: (spec) => addIndicator(spec),
  removeIndicator: (id) => removeIndicator(id),
  activate: (id) => activate(id),
  selectLocation: (index, opts) => selectLocation(index, opts),
  recomputeAll: () => recomputeAll(),
  /** Resolves once the page has started (see `started`): what rebuilds the session waits for it. */
  whenReady: () => started,
  renderActive: (opts = { fit: false }) => renderActive(opts),
  /** @returns {MapDescription|null} */
  mapDescription: () => mapDescription,
  /** @param {MapDescription|null} d */
  describeMap(d) {
    mapDescription = d;
    events.emit('map', d);
  },
};

/**
 * The bundled Leefbaarometer buurten (Rotterdam, Schiedam, Vlaardingen, 2002–2024) and CBS
 * Kerncijfers 2024 per buurt, read once into the worker as plain tables for the tipping point.
 */
let tippingDemo = null;
function loadTippingDemo() {
  if (!tippingDemo) {
    const table = (tableId, text, fileName) => engine.request(
      'importTable',
      { tableId, file: new File([text], fileName, { type: 'text/csv' }), fileName },
      { replayKey: `table:${tableId}` },
    ).promise;
    tippingDemo = Promise.all([
      table('lbm', lbmCsv, 'leefbaarometer_buurten_rdam_2002_2024.csv'),
      table('kwb', kwbCsv, 'cbs_kwb_buurt_2024_rijnmond.csv'),
    ]).then(() => ({
      scores: { tableId: 'lbm', codeColumn: 'bu_code', yearColumn: 'jaar' },
      areas: {
        tableId: 'kwb', codeColumn: 'buurtcode',
        shareColumn: 'perc_huurwoningen_in_bezit_woningcorporaties', dwellingsColumn: 'woningvoorraad',
      },
    }));
    tippingDemo.catch(() => (tippingDemo = null));
  }
  return tippingDemo;
}

function refreshIndicatorList() {
  analyses.refresh();
  indicatorList.update({
    indicators: state.indicators,
    activeId: state.activeId,
    layers: [...state.layers.values()].map((l) => ({ id: l.id, name: l.name, columns: l.columns })),
    busy: new Set(state.indicators.filter((i) => !state.results.has(i.id)).map((i) => i.id)),
  });
}

/** Run the score for one indicator; resolves to its result (not yet committed). */
function scoreIndicator(ind, s, onProgress) {
  const handle = engine.request(
    'score',
    {
      layerId: ind.layerId,
      radiusM: s.radiusM,
      denominator: ind.denominator,
      numerators: [ind.numerator],
      missing: s.missing,
      suppressBelow: s.suppressBelow,
    },
    { onProgress },
  );
  const promise = handle.promise.then((r) => {
    const share = r.shares[0];
    const bands = classify(share, DEFAULT_EDGES_PCT);
    const { counts, none } = countPerBand(bands, DEFAULT_EDGES_PCT.length);
    return {
      settings: { ...s },
      denominatorSum: r.denominatorSum,
      numeratorSum: r.numeratorSums[0],
      share,
      bands,
      counts,
      none,
    };
  });
  return { promise, cancel: handle.cancel };
}

/**
 * Recompute every map layer with the current settings, under one progress bar with Cancel.
 * Results are committed together only when all succeeded, so the page never mixes radii.
 */
async function recomputeAll(only) {
  // While a full recomputation runs, a single new layer joins a fresh full one (one radius on screen).
  if (only && state.scoring) only = null;
  const s = settings.get();
  const todo = only ? state.indicators.filter((i) => only.includes(i.id)) : state.indicators.slice();
  if (!todo.length) return;
  // A new full recomputation replaces one still running (its results would be stale anyway).
  if (state.scoring) state.scoring.cancel();
  const started = performance.now();
  let current = null;
  const job = { cancelled: false, cancel: () => { job.cancelled = true; current?.cancel(); } };
  state.scoring = job;
  const isCurrent = () => state.scoring === job;
  progress.start(`${t('progress.scoring')} — ${formatNumber(s.radiusM)} m`, () => job.cancel());
  document.body.dataset.busy = 'true';
  const fresh = new Map();
  try {
    for (let k = 0; k < todo.length; k++) {
      if (job.cancelled) throw Object.assign(new Error('cancelled'), { cancelled: true });
      current = scoreIndicator(todo[k], s, (p) => {
        if (isCurrent()) progress.update((k + (p.fraction ?? 0)) / todo.length);
      });
      fresh.set(todo[k].id, await current.promise);
    }
    if (job.cancelled) throw Object.assign(new Error('cancelled'), { cancelled: true });
    for (const [id, r] of fresh) state.results.set(id, r);
    progress.finish(t('progress.done', { seconds: formatSeconds((performance.now() - started) / 1000) }));
    renderActive({ fit: false });
  } catch (err) {
    if (!isCurrent()) return; // superseded by a newer recomputation, which reports for itself
    if (err.cancelled) {
      progress.fail(t('progress.cancelled'));
      // Show the settings the map still reflects.
      const shown = state.results.get(state.activeId)?.settings;
      if (shown) settings.set(shown);
    } else {
      progress.fail(`${t('engine.error')}: ${err.message}`);
    }
  } finally {
    if (isCurrent()) {
      state.scoring = null;
      document.body.dataset.busy = 'false';
    }
    refreshIndicatorList();
  }
}

/** The hover label on the map: the share within the radius, or why there is none. */
function hoverText(index) {
  const ind = activeIndicator();
  const result = ind && state.results.get(ind.id);
  if (!result) return '';
  const share = result.share[index];
  if (!Number.isNaN(share)) return formatShare(share);
  return result.denominatorSum[index] > 0
    ? t('details.suppressed', { k: result.settings.suppressBelow })
    : t('details.noShare');
}

function activeIndicator() {
  return state.indicators.find((i) => i.id === state.activeId) || null;
}

async function renderActive({ fit }) {
  const ind = activeIndicator();
  const result = ind && state.results.get(ind.id);
  const layer = ind && state.layers.get(ind.layerId);
  if (!ind || !result || !layer) {
    $('legend').replaceChildren();
    return;
  }
  const title = indicatorList.labelOf(ind);
  renderLegend($('legend'), {
    title, radiusM: result.settings.radiusM, counts: result.counts, none: result.none,
  });
  histogram.update({
    labels: DEFAULT_EDGES_PCT.map((e, i) => (i + 1 < DEFAULT_EDGES_PCT.length ? String(e) : `≥${e}`)),
    fullLabels: bandLabels(DEFAULT_EDGES_PCT, (v) => `${v} %`),
    counts: result.counts,
    axisX: `${t('histogram.axisX')} (%)`,
    axisY: t('histogram.axisY'),
  });
  $('histogram-none').textContent = t('histogram.none', { count: result.none });
  await mapView.show(layer.geometry, result.bands, { fit });
  app.describeMap(describeBandMap(title, result, layer));
  document.body.dataset.ready = 'true';
  events.emit('rendered', { indicator: ind, result, layer });
  if (state.selected >= 0) showDetails(state.selected);
}

/** The band map's legend as data (for exports): the study's bands and "no share". */
function describeBandMap(title, result, layer) {
  const colours = palette(DEFAULT_EDGES_PCT.length);
  const labels = bandLabels(DEFAULT_EDGES_PCT, (v) => `${formatNumber(v)} %`);
  return {
    title,
    subtitle: t('legend.within', { radius: result.settings.radiusM }),
    items: [
      ...labels.map((label, i) => ({ colour: colours[i], label })),
      { colour: NO_SHARE_COLOUR, label: t('legend.none') },
    ],
    note: t('legend.tippingNote'),
    sources: [layer.fileName || layer.name],
  };
}

function activate(id) {
  if (state.activeId === id) return;
  const prevLayer = activeIndicator()?.layerId;
  state.activeId = id;
  const ind = activeIndicator();
  if (ind?.layerId !== prevLayer) {
    state.selected = -1;
    mapView.select(-1);
    details.clear();
  }
  refreshIndicatorList();
  renderActive({ fit: ind?.layerId !== prevLayer });
}

async function addIndicator(spec) {
  const ind = { ...spec, id: `ind-${Date.now().toString(36)}` };
  const prevLayer = activeIndicator()?.layerId;
  state.indicators.push(ind);
  state.activeId = ind.id;
  if (ind.layerId !== prevLayer) {
    // A selection on another layer means nothing here (its row index may not even exist).
    state.selected = -1;
    mapView.select(-1);
    details.clear();
  }
  refreshIndicatorList();
  await recomputeAll([ind.id]);
  renderActive({ fit: true });
}

function removeIndicator(id) {
  state.indicators = state.indicators.filter((i) => i.id !== id);
  state.results.delete(id);
  if (state.activeId === id) state.activeId = state.indicators[0]?.id || null;
  refreshIndicatorList();
  if (state.activeId) renderActive({ fit: false });
  else {
    mapView.clear();
    $('legend').replaceChildren();
    histogram.update({ labels: [], counts: [], axisX: '', axisY: '' });
  }
}

async function selectLocation(index, { fly = false } = {}) {
  state.selected = index;
  mapView.select(index, { fly });
  events.emit('selected', { index, layerId: activeIndicator()?.layerId ?? null });
  await showDetails(index);
  $('details').closest('.card').scrollIntoView({ block: 'nearest' });
}

async function showDetails(index) {
  const ind = activeIndicator();
  const result = ind && state.results.get(ind.id);
  const layer = ind && state.layers.get(ind.layerId);
  if (!result || !layer || index < 0) return;
  const row = await engine.request('row', {
    layerId: layer.id, index, columns: [ind.numerator, ind.denominator],
  }).promise;
  const den = result.denominatorSum[index];
  const share = result.share[index];
  const k = result.settings.suppressBelow;
  const shareState = !Number.isNaN(share) ? 'ok' : den > 0 ? 'suppressed' : 'none';
  const labels = bandLabels(DEFAULT_EDGES_PCT, (v) => `${v} %`);
  details.show({
    layerName: layer.name,
    indicator: indicatorList.labelOf(ind),
    id: row.id,
    xRd: row.xRd,
    yRd: row.yRd,
    radiusM: result.settings.radiusM,
    k,
    own: [
      { label: ind.numerator, value: row.values[0] },
      { label: ind.denominator, value: row.values[1] },
    ],
    sums: [
      { label: ind.numerator, value: result.numeratorSum[index] },
      { label: ind.denominator, value: den },
    ],
    share,
    shareState,
    band: result.bands[index] >= 0 ? labels[result.bands[index]] : '–',
  });
}

async function searchId(id) {
  const ind = activeIndicator();
  const layer = ind && state.layers.get(ind.layerId);
  if (!layer) return;
  const index = await engine.request('findId', { layerId: layer.id, id }).promise;
  if (index < 0) details.notFound(id, layer.name);
  else selectLocation(index, { fly: true });
}

/** A layer finished loading (files.js): fetch its geometry, keep it. */
async function layerLoaded(layer) {
  const geometry = await engine.request('geometry', { layerId: layer.id }).promise;
  const replaced = state.layers.has(layer.id);
  state.layers.set(layer.id, { ...layer, geometry });
  if (replaced) {
    // Same layer id, new contents: recompute its map layers.
    const ids = state.indicators.filter((i) => i.layerId === layer.id).map((i) => i.id);
    for (const id of ids) state.results.delete(id);
    state.selected = -1;
    details.clear();
    refreshIndicatorList();
    if (ids.length) await recomputeAll(ids);
    renderActive({ fit: true });
  } else refreshIndicatorList();
  events.emit('layers', state.layers);
}

function layerRemoved(layerId) {
  state.layers.delete(layerId);
  const gone = state.indicators.filter((i) => i.layerId === layerId).map((i) => i.id);
  for (const id of gone) removeIndicator(id);
  refreshIndicatorList();
  events.emit('layers', state.layers);
}

async function boot() {
  document.body.dataset.ready = 'false';
  const blob = new Blob([demoCsv], { type: 'text/csv' });
  const file = new File([blob], DEMO.fileName, { type: 'text/csv' });
  const layer = await files.load(file, {
    layerId: DEMO.layerId, name: DEMO.name, source: t('files.kept'),
    // The squares themselves (drawn as 100 m squares), not the centre x/y columns beside them.
    mapping: { source: { kind: 'squareId', column: 'crs28992res100m', sizeM: 100 }, idColumn: 'crs28992res100m' },
  });
  if (!layer) return;
  state.indicators.push(...DEMO.indicators);
  state.activeId = DEMO.indicators[0].id;
  refreshIndicatorList();
  await recomputeAll();
  await renderActive({ fit: true });
}

installFeatures(app);

boot().catch((err) => {
  console.error(err);
  toast(`${t('engine.error')}: ${err.message}`, 'error');
}).finally(() => startedUp());
