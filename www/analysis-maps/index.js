/**
 * Feature module www/analysis-maps/ (issue 4): maps of the change of a score between two years,
 * of level against change (3 × 3 bivariate class) and of a rule-based typology, for the
 * Leefbaarometer buurten with the CBS Kerncijfers per buurt, drawn on the buurt polygons.
 *
 * The worker computes (op `analysisMap`: the join and the classes, src/analysis/map_classes.rs,
 * bivariate.rs, typology.rs, with per-buurt suppression below k = settings.suppressBelow); this
 * module draws a MapLibre fill layer of its own over the map (the band map's layers are hidden
 * while it shows), puts a legend on the map, describes the map for exports (`app.describeMap`)
 * and keeps the classes per buurt in a hidden table (`table.amap-classes`, one row per buurt with
 * `data-code`, `data-class`, `data-key`) that tests and screen readers can read.
 * Going back to the band map (button, or another map layer chosen on the Kaart tab) removes it.
 */
import lbmCsv from '../demo/leefbaarometer_buurten_rdam_2002_2024.csv';
import kwbCsv from '../demo/cbs_kwb_buurt_2024_rijnmond.csv';
import buurtGeojson from '../demo/cbs_buurt_2024_rijnmond.geojson';
import { t, formatNumber, onLanguageChange } from '../i18n/i18n.js';
import './i18n.js';
import './analysis-maps.css';
import { changeLegend, bivariateLegend, typologyLegend, legendNode, fmt } from './legend.js';
import { defaultTypology, defaultLocationTypology, renderEditor, toSettings, parseList, OPS } from './editor.js';
import { NO_DATA_COLOUR, HUES } from './palettes.js';
import { registerProjectPart } from '../project/registry.js';
import { el, select } from '../dom.js';

const YEARS = [2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022, 2024];
const SCORES = ['afw', 'lbm', 'onv', 'fys', 'soc', 'vrz', 'won'];
const AREA_COLUMNS = [
  'perc_huurwoningen_in_bezit_woningcorporaties', 'woningvoorraad', 'aantal_inwoners', 'aantal_huishoudens',
  'percentage_huurwoningen', 'percentage_eenpersoonshuishoudens', 'percentage_personen_65_jaar_en_ouder',
  'gemiddelde_woningwaarde',
];
const UNIT_COLUMNS = ['woningvoorraad', 'aantal_inwoners', 'aantal_huishoudens'];
const DERIVED = ['bijstand_pct'];
const SRC = 'amap-areas';
/** The squares mode: the bundled CBS 100 m layer, persons on benefit per inhabitant. */
const SQUARES = {
  layerId: 'demo', group: 'aantal_personen_met_uitkering_onder_aowlft', denominator: 'aantal_inwoners',
  corporationIndicator: 'demo-corp', seed: 1,
};
const EMPTY = { type: 'FeatureCollection', features: [] };

function labelled(text, control) {
  const l = el('label', 'field');
  l.append(el('span', '', text), control);
  return l;
}

export function install(app) {
  const host = document.getElementById('analysis-maps-host');
  if (!host) return;

  /** What the user chose (kept across redraws and language switches). */
  const ui = {
    area: 'buurten', typologySq: defaultLocationTypology(),
    kind: 'change', score: 'afw', yearA: 2014, yearB: 2022, units: 'woningvoorraad',
    changeBreaks: 'auto', edges: '', bi: 'tertiles', levelBreaks: '', changeBreaksBi: '',
    typology: defaultTypology(),
  };
  let active = false; // our map is on screen
  let drawing = null; // the running draw (a newer one supersedes it)
  let lastIndicator = null;
  let tables = null;
  let polygons = null;
  let fitted = false;

  const card = el('section', 'card amap-card');
  const form = el('form', 'analysis-form amap-form');
  const editorBox = el('div');
  const status = el('p', 'muted small amap-status');
  status.setAttribute('aria-live', 'polite');
  const table = el('table', 'amap-classes');
  table.hidden = true;
  card.append(el('h3', '', ''), el('p', 'muted small', ''), form, editorBox, status, table);
  host.append(card);

  const overlay = el('div', 'amap-legend');
  overlay.id = 'amap-legend';
  overlay.hidden = true;
  app.mapView.map.getContainer().append(overlay);

  // ---- the form -------------------------------------------------------------------------------
  function columnChoices() {
    if (ui.area === 'squares') {
      return {
        columns: ['share_pct_a', 'share_pct_b', 'corporatie_pct'].map((c) => ({ value: `sq:${c}`, label: t(`amap.col.${c}`) })),
        scores: [{ value: 'share_pct', label: t('amap.col.share_pct') }],
      };
    }
    const scoreCols = [];
    for (const s of SCORES) {
      scoreCols.push({ value: `score:${s}:A`, label: `${s} ${ui.yearA} — ${t(`lbm.${s}`)}` });
      scoreCols.push({ value: `score:${s}:B`, label: `${s} ${ui.yearB} — ${t(`lbm.${s}`)}` });
    }
    const areaCols = [...DERIVED, ...AREA_COLUMNS].map((c) => ({ value: `area:${c}`, label: t(`amap.col.${c}`) }));
    return {
      columns: [...scoreCols, ...areaCols],
      scores: SCORES.map((s) => ({ value: s, label: `${s} — ${t(`lbm.${s}`)} (${ui.yearB} − ${ui.yearA})` })),
    };
  }

  function renderForm() {
    card.children[0].textContent = t('amap.title');
    card.children[1].textContent = t('amap.help');
    form.replaceChildren();
    const years = YEARS.map((y) => ({ value: String(y), label: String(y) }));
    const kind = select('kind', ['change', 'bivariate', 'typology'].map((k) => ({ value: k, label: t(`amap.kind.${k}`) })), ui.kind);
    const yearA = select('yearA', years, ui.yearA);
    const yearB = select('yearB', years, ui.yearB);
    const units = select('units', UNIT_COLUMNS.map((c) => ({ value: c, label: t(`amap.col.${c}`) })), ui.units);
    const area = select('area', ['buurten', 'squares'].map((a) => ({ value: a, label: t(`amap.area.${a}`) })), ui.area);
    area.addEventListener('change', () => { ui.area = area.value; renderForm(); follow(); });
    const sq = ui.area === 'squares';
    const parts = [labelled(t('amap.area'), area), labelled(t('amap.kind'), kind)];
    if (sq) parts.push(el('p', 'muted small field-wide amap-sq-note', t('amap.sq.help', { k: formatNumber(app.settings.get().suppressBelow) })));
    if (ui.kind !== 'typology' && !sq) {
      const score = select('score', SCORES.map((s) => ({ value: s, label: `${s} — ${t(`lbm.${s}`)}` })), ui.score);
      score.addEventListener('change', () => { ui.score = score.value; follow(); });
      parts.push(labelled(t('amap.score'), score));
    }
    if (!sq) parts.push(labelled(t('amap.yearA'), yearA), labelled(t('amap.yearB'), yearB), labelled(t('amap.units'), units));
    if (ui.kind === 'change') {
      const breaks = select('changeBreaks', [
        { value: 'auto', label: t('amap.breaks.auto') },
        { value: 'edges', label: t('amap.breaks.edges') },
      ], ui.changeBreaks);
      const edges = el('input');
      edges.type = 'text';
      edges.name = 'edges';
      edges.value = ui.edges;
      edges.disabled = ui.changeBreaks !== 'edges';
      breaks.addEventListener('change', () => { ui.changeBreaks = breaks.value; renderForm(); follow(); });
      edges.addEventListener('change', () => { ui.edges = edges.value; follow(); });
      parts.push(labelled(t('amap.breaks'), breaks), labelled(t('amap.edges'), edges));
    } else if (ui.kind === 'bivariate') {
      const breaks = select('biBreaks', [
        { value: 'tertiles', label: t('amap.bi.breaks.tertiles') },
        { value: 'user', label: t('amap.bi.breaks.user') },
      ], ui.bi);
      const lb = el('input');
      lb.type = 'text';
      lb.name = 'levelBreaks';
      lb.value = ui.levelBreaks;
      const cb = el('input');
      cb.type = 'text';
      cb.name = 'changeBreaksBi';
      cb.value = ui.changeBreaksBi;
      lb.disabled = cb.disabled = ui.bi !== 'user';
      breaks.addEventListener('change', () => { ui.bi = breaks.value; renderForm(); follow(); });
      lb.addEventListener('change', () => { ui.levelBreaks = lb.value; follow(); });
      cb.addEventListener('change', () => { ui.changeBreaksBi = cb.value; follow(); });
      parts.push(labelled(t('amap.breaks'), breaks), labelled(t('amap.bi.levelBreaks'), lb), labelled(t('amap.bi.changeBreaks'), cb));
    }
    const go = el('button', 'btn btn-primary btn-small', t('amap.draw'));
    go.type = 'submit';
    go.dataset.action = 'draw';
    const back = el('button', 'btn btn-small', t('amap.back'));
    back.type = 'button';
    back.dataset.action = 'back';
    back.addEventListener('click', () => backToBands());
    const buttons = el('div', 'amap-buttons');
    buttons.append(go, back);
    parts.push(buttons);
    form.append(...parts);
    if (!sq) form.append(el('p', 'muted small field-wide', t('amap.unitsNote', { k: formatNumber(app.settings.get().suppressBelow) })));
    kind.addEventListener('change', () => { ui.kind = kind.value; renderForm(); follow(); });
    yearA.addEventListener('change', () => { ui.yearA = Number(yearA.value); renderForm(); follow(); });
    yearB.addEventListener('change', () => { ui.yearB = Number(yearB.value); renderForm(); follow(); });
    units.addEventListener('change', () => { ui.units = units.value; follow(); });
    editorBox.replaceChildren();
    editorBox.hidden = ui.kind !== 'typology';
    if (ui.kind === 'typology') renderEditor(editorBox, sq ? ui.typologySq : ui.typology, columnChoices(), () => follow());
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    draw();
  });

  /** After an edit: the map follows when it is on screen. */
  function follow() {
    if (active) draw();
  }

  // ---- data -----------------------------------------------------------------------------------
  function loadTables() {
    if (!tables) {
      const load = (tableId, text, fileName) => app.engine.request(
        'importTable',
        { tableId, file: new File([text], fileName, { type: 'text/csv' }), fileName },
        { replayKey: `table:${tableId}` },
      ).promise;
      tables = Promise.all([
        load('amap-lbm', lbmCsv, 'leefbaarometer_buurten_rdam_2002_2024.csv'),
        load('amap-kwb', kwbCsv, 'cbs_kwb_buurt_2024_rijnmond.csv'),
      ]);
      tables.catch(() => (tables = null));
    }
    return tables;
  }

  /** The analysis's settings from the form; throws a readable error on bad numbers. */
  function request() {
    const k = app.settings.get().suppressBelow;
    const base = {
      kind: ui.kind,
      scores: { tableId: 'amap-lbm', codeColumn: 'bu_code', yearColumn: 'jaar' },
      areas: { tableId: 'amap-kwb', codeColumn: 'buurtcode' },
      yearA: ui.yearA, yearB: ui.yearB, scoreColumns: SCORES, areaColumns: AREA_COLUMNS,
      unitsColumn: ui.units, suppressBelow: k,
      valueA: `${ui.score}_${ui.yearA}`, valueB: `${ui.score}_${ui.yearB}`,
    };
    const list = (text, n) => {
      const v = parseList(text);
      if (!v || (n && v.length !== n)) throw new Error(t('amap.badNumbers'));
      return v;
    };
    if (ui.kind === 'change') {
      base.settings = ui.changeBreaks === 'edges'
        ? { breaks: { kind: 'edges', edges: list(ui.edges) } }
        : { breaks: { kind: 'absQuantiles', quantiles: [0.25, 0.5, 0.75] } };
    } else if (ui.kind === 'bivariate') {
      if (ui.bi === 'user') {
        const [ll, lh] = list(ui.levelBreaks, 2);
        const [cl, ch] = list(ui.changeBreaksBi, 2);
        base.settings = { level: { kind: 'breaks', low: ll, high: lh }, change: { kind: 'breaks', low: cl, high: ch } };
      } else base.settings = { level: { kind: 'tertiles' }, change: { kind: 'tertiles' } };
    } else {
      base.settings = toSettings(ui.area === 'squares' ? ui.typologySq : ui.typology, ui.yearA, ui.yearB);
    }
    if (ui.area === 'squares') {
      const share = app.state.results.get(SQUARES.corporationIndicator)?.share;
      const extra = share ? { corporatie_pct: Float64Array.from(share, (v) => v * 100) } : {};
      return {
        op: 'analysisMapLocations', kind: ui.kind, layerId: SQUARES.layerId, group: SQUARES.group,
        denominator: SQUARES.denominator, seed: SQUARES.seed, extra, suppressBelow: k, settings: base.settings,
        valueA: 'share_pct_a', valueB: 'share_pct_b', unitsColumn: 'aantal_inwoners',
      };
    }
    return { op: 'analysisMap', ...base };
  }

  // ---- drawing --------------------------------------------------------------------------------
  const map = app.mapView.map;
  let hover = null;

  function ensureLayers() {
    if (map.getSource(SRC)) return;
    map.addSource(SRC, { type: 'geojson', data: EMPTY, attribution: t('amap.source.polygons') });
    map.addLayer({
      id: 'amap-fill', type: 'fill', source: SRC,
      paint: { 'fill-color': ['coalesce', ['get', 'fill'], NO_DATA_COLOUR], 'fill-opacity': 0.92 },
    });
    map.addLayer({ id: 'amap-line', type: 'line', source: SRC, paint: { 'line-color': '#5b605b', 'line-width': 0.6 } });
    hover = el('div', 'map-hover');
    hover.hidden = true;
    map.getContainer().append(hover);
    map.on('mousemove', 'amap-fill', (ev) => {
      const f = ev.features?.[0];
      if (!f) return;
      hover.textContent = f.properties.text || '';
      hover.style.left = `${ev.point.x + 12}px`;
      hover.style.top = `${ev.point.y + 12}px`;
      hover.hidden = false;
    });
    map.on('mouseleave', 'amap-fill', () => (hover.hidden = true));
  }

  /** The band map's locations (GeoJSON or, above 200 000, the WebGL big layer) under ours. */
  function setBandLayers(visible) {
    app.mapView.setLocationsVisible(visible);
  }

  async function draw() {
    const mine = {};
    drawing = mine;
    status.textContent = t('amap.drawing');
    card.dataset.state = 'drawing';
    try {
      const { op, ...args } = request();
      if (op === 'analysisMap') await loadTables();
      const r = await app.engine.request(op, args).promise;
      if (drawing !== mine) return;
      await app.mapView.ready;
      if (op === 'analysisMap') show(r, args);
      else await showLocations(r, args);
      card.dataset.state = 'ready';
    } catch (err) {
      if (drawing !== mine) return;
      status.textContent = `${t('engine.error')}: ${err.message}`;
      card.dataset.state = 'error';
    }
  }

  function describeSpec(args) {
    if (args.layerId) {
      return {
        k: args.suppressBelow, unitsLabel: t('amap.sq.units'), noDataLabel: t('amap.sq.noData'), unit: t('amap.unit.square'),
        score: t('amap.sq.share'), scoreLabel: t('amap.sq.share'), yearA: t('amap.sq.yearA'), yearB: '2024',
        intensityBreaks: args.kind === 'typology' && args.settings.intensity ? args.settings.intensity.breaks : null,
        note: t('amap.sq.note'),
      };
    }
    return {
      k: args.suppressBelow, unitsLabel: t(`amap.col.${args.unitsColumn}`),
      score: ui.score, scoreLabel: t(`lbm.${ui.score}`), yearA: String(ui.yearA), yearB: String(ui.yearB),
      intensityBreaks: args.kind === 'typology' && args.settings.intensity ? args.settings.intensity.breaks : null,
    };
  }

  function show({ codes, columns, result }, args) {
    const legend = legendFor(result, args);
    const coreClass = args.kind === 'typology' ? result.rule : result.classes;
    const shown = args.kind === 'typology' ? null : columns[args.valueB];
    const byCode = new Map();
    codes.forEach((code, i) => byCode.set(code, i));

    polygons ||= JSON.parse(buurtGeojson);
    const features = polygons.features.map((f) => {
      const code = String(f.properties.buurtcode).trim().toUpperCase();
      const i = byCode.get(code);
      const item = i === undefined ? legend.noneItem : legend.perLocation[i];
      return {
        type: 'Feature', geometry: f.geometry,
        properties: { code, fill: item.colour, text: t('amap.hover', { code, cls: item.label }) },
      };
    });
    ensureLayers();
    map.getSource(SRC).setData({ type: 'FeatureCollection', features });
    setBandLayers(false);
    setOurLayers(true);
    if (!fitted) {
      fitted = true;
      const [w, s, e, n] = boundsOf(features.filter((f) => byCode.has(f.properties.code)));
      if (Number.isFinite(w)) map.fitBounds([[w, s], [e, n]], { padding: 24, animate: false });
    }

    showLegend(legend, args);

    // The classes per buurt, for tests and screen readers.
    const head = el('tr');
    for (const h of [t('amap.table.code'), t('amap.table.class'), t('amap.table.value')]) head.append(el('th', '', h));
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    codes.forEach((code, i) => {
      const tr = el('tr');
      tr.dataset.code = code;
      tr.dataset.class = String(coreClass[i]);
      if (args.kind === 'typology') tr.dataset.intensity = String(result.intensity[i]);
      const item = legend.perLocation[i];
      tr.dataset.key = item.key;
      const v = shown ? shown[i] : NaN;
      tr.append(el('th', '', code), el('td', '', item.label), el('td', 'num', args.kind === 'typology' ? '' : fmt(v)));
      tbody.append(tr);
    });
    table.replaceChildren(thead, tbody);
    delete table.dataset.classes;
    delete table.dataset.intensity;
    finishTable(legend, args, codes.length);
  }

  function legendFor(result, args) {
    const spec = describeSpec(args);
    const legend = args.kind === 'change'
      ? changeLegend(result, spec)
      : args.kind === 'bivariate' ? bivariateLegend(result, spec) : typologyLegend(result, spec);
    if (spec.note && args.kind === 'change') legend.note = spec.note;
    else if (spec.note) legend.note = `${spec.note} ${legend.note}`;
    return legend;
  }

  /** The squares (or other locations of a layer) coloured through the band map's own drawing. */
  async function showLocations({ columns, result }, args) {
    const layer = app.state.layers.get(args.layerId);
    if (!layer) throw new Error(`no layer ${args.layerId}`);
    const legend = legendFor(result, args);
    const colours = legend.items.map((it) => it.colour);
    const index = new Map(legend.items.map((it, i) => [it, i]));
    const classIndex = Int8Array.from(legend.perLocation, (it) => (it === legend.noneItem ? -1 : index.get(it)));
    if (map.getLayer('amap-fill')) setOurLayers(false);
    setBandLayers(true);
    const describe = hoverOfLocation(legend, columns, args);
    await app.mapView.show(layer.geometry, classIndex, { colours, fit: false, describe });
    showLegend(legend, args);
    const coreClass = args.kind === 'typology' ? result.rule : result.classes;
    table.replaceChildren();
    table.dataset.classes = Array.from(coreClass).join(',');
    if (args.kind === 'typology') table.dataset.intensity = Array.from(result.intensity).join(',');
    else delete table.dataset.intensity;
    finishTable(legend, args, coreClass.length);
  }

  /** The hover label of location i on a map of locations: its class, and for a change or a
   * level × change map its values in both years. */
  function hoverOfLocation(legend, columns, args) {
    const a = args.kind === 'typology' ? null : columns[args.valueA];
    const b = args.kind === 'typology' ? null : columns[args.valueB];
    return (i) => {
      const item = legend.perLocation[i];
      if (!item) return '';
      const classed = item !== legend.noneItem && item.key !== 'suppressed';
      return a && b && classed
        ? t('amap.hoverValues', { cls: item.label, a: fmt(a[i]), b: fmt(b[i]) })
        : item.label;
    };
  }

  function setOurLayers(visible) {
    map.setLayoutProperty('amap-fill', 'visibility', visible ? 'visible' : 'none');
    map.setLayoutProperty('amap-line', 'visibility', visible ? 'visible' : 'none');
  }

  function finishTable(legend, args, n) {
    table.dataset.kind = args.kind;
    table.dataset.area = args.layerId ? 'locations' : 'buurten';
    table.dataset.settings = JSON.stringify(args.settings);
    table.dataset.valueA = args.kind === 'typology' ? '' : args.valueA;
    table.dataset.valueB = args.kind === 'typology' ? '' : args.valueB;
    table.dataset.suppressBelow = String(args.suppressBelow);
    status.textContent = `${legend.title} — ${formatNumber(n)}`;
    document.body.dataset.analysisMap = args.kind;
  }

  /** The legend on the map, and the description for exports. */
  function showLegend(legend, args) {
    overlay.replaceChildren(legendNode(legend, { onClose: () => backToBands(), closeLabel: t('amap.back') }));
    overlay.hidden = false;
    overlay.dataset.kind = args.kind;
    active = true;
    lastIndicator = app.activeIndicator()?.id ?? null;
    app.describeMap({
      title: legend.title,
      subtitle: legend.subtitle,
      items: legend.items.filter((it) => it.count > 0 || it.key === 'none').map((it) => ({ colour: it.colour, label: `${it.label} (${it.count})` })),
      note: legend.note,
      sources: args.layerId
        ? [app.state.layers.get(args.layerId)?.fileName || args.layerId, t('amap.sq.yearA')]
        : [t('amap.source.lbm'), t('amap.source.kwb'), t('amap.source.polygons')],
    });
  }

  function boundsOf(features) {
    let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
    const walk = (c) => {
      if (typeof c[0] === 'number') {
        if (c[0] < w) w = c[0];
        if (c[0] > e) e = c[0];
        if (c[1] < s) s = c[1];
        if (c[1] > n) n = c[1];
      } else c.forEach(walk);
    };
    for (const f of features) walk(f.geometry.coordinates);
    return [w, s, e, n];
  }

  /** Hide our layer and legend; the band map comes back. */
  function hide() {
    active = false;
    drawing = null;
    overlay.hidden = true;
    if (map.getLayer('amap-fill')) setOurLayers(false);
    if (hover) hover.hidden = true;
    setBandLayers(true);
    delete document.body.dataset.analysisMap;
    status.textContent = '';
  }

  function backToBands() {
    hide();
    app.renderActive();
  }

  // The band map was drawn again: another map layer chosen → ours goes; the same one (new k,
  // another language) → ours is drawn again on top with the current settings.
  app.events.on('rendered', ({ indicator }) => {
    if (!active) return;
    if ((indicator?.id ?? null) !== lastIndicator) hide();
    else {
      renderForm();
      draw();
    }
  });
  onLanguageChange(() => renderForm());
  renderForm();

  // The choices and the typology rules go into a project file (www/project/); a map is drawn
  // again by the user after opening.
  registerProjectPart('analysisMaps', {
    save: () => JSON.parse(JSON.stringify(ui)),
    async restore(v) {
      if (!v || typeof v !== 'object') return;
      const pick = (key, allowed) => {
        if (allowed.includes(v[key])) ui[key] = v[key];
      };
      pick('area', ['buurten', 'squares']);
      pick('kind', ['change', 'bivariate', 'typology']);
      pick('score', SCORES);
      pick('yearA', YEARS);
      pick('yearB', YEARS);
      pick('units', UNIT_COLUMNS);
      pick('changeBreaks', ['auto', 'edges']);
      pick('bi', ['tertiles', 'user']);
      for (const key of ['edges', 'levelBreaks', 'changeBreaksBi']) if (typeof v[key] === 'string') ui[key] = v[key];
      if (validTypology(v.typology)) ui.typology = v.typology;
      if (validTypology(v.typologySq)) ui.typologySq = v.typologySq;
      if (active) backToBands();
      renderForm();
    },
  });
}

/** Whether a saved rule-editor state has the shape editor.js works with. */
function validTypology(ty) {
  const finite = (x) => typeof x === 'number' && Number.isFinite(x);
  const cond = (c) => c && typeof c.col === 'string' && OPS.includes(c.op)
    && c.thr && ['value', 'quantile'].includes(c.thr.kind) && finite(c.thr.v);
  const rule = (r) => r && HUES.includes(r.hue) && typeof (r.label ?? '') === 'string'
    && Array.isArray(r.when) && r.when.length > 0 && r.when.every(cond);
  return !!ty && Array.isArray(ty.rules) && ty.rules.every(rule)
    && ty.intensity && typeof ty.intensity.score === 'string'
    && Array.isArray(ty.intensity.breaks) && ty.intensity.breaks.every(finite);
}
