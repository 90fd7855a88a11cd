/**
 * Feature module www/profile/ (issues 4 and 5): the area profile ("sociale kaart") of the
 * selected location and its printable A4 report.
 *
 * For the location clicked on the map (a CBS square, a point, or an area such as a buurt) the
 * worker computes src/analysis/area_profile.rs over the active layer: its own figures, the sums
 * within the radius (areas: their own figures), the corporation share and its band, and per group
 * (every other map layer on the same file) its share as an index against the reference (the whole
 * loaded area = 100, or a national figure typed here). A square is placed in its buurt by the
 * user's buurt polygon file when one is loaded (the Bestanden tab), else by the bundled Rijnmond
 * polygons (CBS wijk- en buurtkaart 2024; point in polygon in Rust; buurt-polygons.js); a location
 * in neither is said to be so. The buurt's Leefbaarometer scores over the years are drawn as a
 * line chart, from a scores file the user loads in the card, else the bundled one (lbm-scores.js,
 * controls in sources.js, both choices in the project file: project-part.js). No figure based on
 * fewer than k units (settings.suppressBelow) is shown: the engine withholds it and the panel
 * says so.
 *
 * The card lives in `#profile-host` (Kaart panel, below Locatie). Exact numbers ride along in
 * `data-value` for tests; text from files is set with textContent.
 */
import { t, formatNumber, formatShare, onLanguageChange } from '../i18n/i18n.js';
import { palette, bandLabels, DEFAULT_EDGES_PCT } from '../bands.js';
import { indexChart, trendChart } from '../charts.js';
import { createReport } from './report.js';
import { createBuurtPolygons, BUNDLED_BUURT_FILE } from './buurt-polygons.js';
import { createLbmScores } from './lbm-scores.js';
import { createProfileSources } from './sources.js';
import { registerProfilePart } from './project-part.js';
import './i18n.js';
import './profile.css';
import { el } from '../dom.js';
import { resultTable } from '../table.js';

/** Lines in the buurt chart: the deviation score and the five dimensions (one scale). */
const LBM_CHART = ['afw', 'fys', 'onv', 'soc', 'vrz', 'won'];
export const SOURCES = {
  buurten: 'CBS Wijk- en buurtkaart 2024 (CC BY 4.0)',
  lbm: 'Leefbaarometer 3.x buurten 2002–2024, BZK (Rotterdam, Schiedam, Vlaardingen)',
};

/** A result table of the profile (www/table.js): rows `{ key, cells }`. */
const table = (kind, head, rows) => resultTable(kind, head, rows, { className: 'profile-table' });

const isAreaCode = (id) => /^(BU|WK|GM)\d{4,8}$/i.test(String(id || '').replace(/\s+/g, ''));

export function install(app) {
  const host = document.getElementById('profile-host');
  if (!host) return;
  const card = el('section', 'card profile-card');
  card.id = 'profile';
  const title = el('h2', '', t('profile.title'));
  const body = el('div', 'profile-body');
  body.setAttribute('aria-live', 'polite');
  const sourcesBox = el('div');
  card.append(title, body, sourcesBox);
  host.append(card);

  /** National reference per group (key numerator/denominator) in percent; absent = loaded area. */
  const references = new Map();
  /** Year B of a group (key numerator/denominator): the numerator column of the second year. */
  const secondYear = new Map();
  const charts = new Map();
  let current = null; // { view, … } the profile on screen
  let token = 0;
  const buurten = createBuurtPolygons(app);
  const lbm = createLbmScores(app, { t });
  /** After a change of buurt file or scores file: the profile on screen follows. */
  const again = () => {
    if (current) compute(current.index);
  };
  const sources = createProfileSources(sourcesBox, { buurten, lbm, onChange: again });
  registerProfilePart({ buurten, lbm, sources, t, onRestored: again });
  const report = createReport(app, { current: () => current, sources: { ...SOURCES, bundledBuurtFile: BUNDLED_BUURT_FILE } });

  function drawChart(key, canvas, make) {
    charts.get(key)?.destroy();
    charts.set(key, make(canvas));
  }

  function hint(text) {
    for (const c of charts.values()) c.destroy();
    charts.clear();
    body.replaceChildren(el('p', 'muted small', text));
    card.dataset.state = 'empty';
  }

  /** What to compute for the active layer: the corporation pair, the groups, the settings. */
  function spec(ind, layer, result) {
    const onLayer = app.state.indicators.filter((i) => i.layerId === layer.id);
    const withinRadius = layer.location?.source?.kind !== 'areaCode';
    // Areas (buurten placed by code) that come with their own corporation share in percent (CBS
    // Kerncijfers `perc_huurwoningen_in_bezit_woningcorporaties`): their band follows that share,
    // and every map layer on them is a group (so each figure keeps its denominator for k).
    const shareColumn = withinRadius ? null : (layer.columns || []).find((col) => /^perc.*corporatie/i.test(col)) || null;
    const corp = shareColumn ? null : onLayer.find((i) => /corporatie/i.test(i.numerator)) || ind;
    const groups = onLayer.filter((i) => i !== corp).map((i) => {
      const key = `${i.numerator}/${i.denominator}`;
      return {
        key,
        label: app.labelOf(i),
        numerator: i.numerator,
        denominator: i.denominator,
        referenceSharePct: references.has(key) ? references.get(key) : null,
        // Year B over the same denominator column (as a layer with e.g. bijstand_2012, bijstand_2018).
        ...(secondYear.has(key) && (layer.columns || []).includes(secondYear.get(key))
          ? { numeratorB: secondYear.get(key), denominatorB: i.denominator }
          : {}),
      };
    });
    const s = result?.settings || app.settings.get();
    const columns = [...new Set([
      ...(corp ? [corp.numerator, corp.denominator] : [shareColumn]),
      ...groups.flatMap((g) => [g.numerator, g.denominator, ...(g.numeratorB ? [g.numeratorB] : [])]),
    ])];
    return {
      corp, groups, columns, withinRadius,
      settings: {
        radiusM: s.radiusM,
        suppressBelow: s.suppressBelow,
        bands: { lowerEdgesPct: DEFAULT_EDGES_PCT },
        ...(corp
          ? { corporationColumn: corp.numerator, dwellingsColumn: corp.denominator }
          : { corporationShareColumn: shareColumn, corporationShareInPercent: true }),
        groups: groups.map(({ key, ...g }) => g),
      },
    };
  }


  /**
   * The buurt of the location: its own id when that is a buurt code, else by polygon (the user's
   * buurt file first, then the bundled one). `{ code, via: 'id'|'polygon'|'none', file, error }`.
   */
  async function buurtOf(p) {
    if (isAreaCode(p.id)) return { code: p.id.replace(/\s+/g, '').toUpperCase(), via: 'id', file: null, error: null };
    if (!Number.isFinite(p.xRd) || !Number.isFinite(p.yRd)) return { code: '', via: 'none', file: null, error: null };
    const r = await buurten.buurtAt(p.xRd, p.yRd);
    return { code: r.code, via: r.code ? 'polygon' : 'none', file: r.file, error: r.error };
  }

  async function compute(index) {
    const my = ++token;
    const ind = app.activeIndicator();
    const layer = ind && app.state.layers.get(ind.layerId);
    const result = ind && app.state.results.get(ind.id);
    if (!layer || index < 0 || index >= (layer.rows ?? Infinity)) {
      current = null;
      report.clear();
      hint(t('profile.hint'));
      return;
    }
    card.dataset.state = 'loading';
    const sp = spec(ind, layer, result);
    try {
      const p = await app.engine.request('areaProfile', {
        layerId: layer.id, index, columns: sp.columns, withinRadius: sp.withinRadius, settings: sp.settings,
      }).promise;
      if (my !== token) return;
      let buurt = { code: '', via: 'none', name: null, years: [], columns: [], values: [], lbmFile: lbm.current().fileName };
      try {
        const where = await buurtOf(p);
        buurt = { ...buurt, code: where.code, via: where.via, buurtFile: where.file, buurtError: where.error };
        if (where.code) {
          const rows = await lbm.rowsOf(where.code);
          buurt = { ...buurt, name: rows.name, years: rows.years, columns: rows.columns, values: rows.values, lbmFile: rows.file, lbmBundled: rows.bundled };
        }
      } catch (err) {
        console.warn('profile: buurt lookup failed', err);
      }
      if (my !== token) return;
      current = { index, layer, indicator: ind, spec: sp, id: p.id, xRd: p.xRd, yRd: p.yRd, profile: p.profile, buurt };
      render();
    } catch (err) {
      if (my !== token) return;
      current = null;
      hint(t('profile.error', { message: err.message }));
    }
  }

  const figureText = (v) => (v.suppressed ? t('profile.suppressedCell') : v.value === null ? '–' : formatNumber(v.value));
  const shareCell = (share, suppressed, k) => ({
    text: suppressed ? t('profile.suppressed', { k }) : formatShare(share),
    value: share ?? NaN,
    suppressed,
  });

  /** Build the panel (and the parts the report reuses) from `current`. */
  function render() {
    const c = current;
    const p = c.profile;
    const { settings } = c.spec;
    const k = settings.suppressBelow;
    const radius = settings.radiusM;
    const parts = [];

    const head = el('div', 'profile-head');
    head.append(el('div', 'profile-id', c.id), el('div', 'muted small', `${t('profile.layer')}: ${c.layer.name}`));
    const buurtLine = el('div', 'small profile-buurt');
    buurtLine.dataset.code = c.buurt.code || '';
    buurtLine.dataset.via = c.buurt.via;
    buurtLine.dataset.file = c.buurt.buurtFile || '';
    buurtLine.textContent = `${t('profile.buurt')}: ${c.buurt.code ? `${c.buurt.code}${c.buurt.name ? ` ${c.buurt.name}` : ''}` : t('profile.noBuurt')}`;
    if (c.buurt.buurtFile) buurtLine.title = t('profile.buurtFrom', { file: c.buurt.buurtFile });
    head.append(buurtLine);
    parts.push(head);
    if (!c.buurt.code) {
      // Not an empty section: say why there is no buurt, and what to do about it.
      const why = el('p', 'small profile-no-buurt', t('profile.notInBuurtFile'));
      why.setAttribute('role', 'status');
      parts.push(why);
      if (c.buurt.buurtError) {
        parts.push(el('p', 'small profile-buurt-error', t('profile.buurtFileFailed', { file: c.buurt.buurtError.file, message: c.buurt.buurtError.message })));
      }
    }

    // Corporation share and band.
    const share = el('div', 'profile-share');
    share.dataset.value = String(p.corporationShare ?? NaN);
    share.dataset.state = p.corporationShare !== null ? 'ok' : p.corporationShareSuppressed ? 'suppressed' : 'none';
    const label = p.scope === 'radius' ? t('profile.corporation', { radius }) : t('profile.corporationOwn');
    const value = el('div', 'profile-share-value', p.corporationShare !== null
      ? formatShare(p.corporationShare)
      : p.corporationShareSuppressed ? t('profile.suppressed', { k }) : t('profile.noShare'));
    share.append(el('div', 'muted small', label), value);
    if (p.band) {
      const band = el('div', 'small profile-band');
      band.dataset.band = String(p.band.index);
      const sw = el('span', 'profile-swatch');
      sw.style.background = palette(DEFAULT_EDGES_PCT.length)[p.band.index];
      band.append(sw, document.createTextNode(`${t('profile.band')}: ${bandLabels(DEFAULT_EDGES_PCT, (v) => `${formatNumber(v)} %`)[p.band.index]}`));
      share.append(band);
    }
    parts.push(share);

    // Own figures and within the radius.
    const figHead = [t('profile.figure'), t('profile.own')];
    if (p.withinRadius) figHead.push(t('profile.within', { radius }));
    const figRows = p.own.map((o, i) => {
      const cells = [{ text: o.name }, { text: figureText(o), value: o.value ?? NaN, suppressed: o.suppressed }];
      if (p.withinRadius) {
        const w = p.withinRadius[i];
        cells.push({ text: figureText(w), value: w.value ?? NaN, suppressed: w.suppressed });
      }
      return { key: o.name, cells };
    });
    parts.push(el('h4', '', t('profile.figures')), table('figures', figHead, figRows));
    if (p.locationsWithinRadius !== null) {
      parts.push(el('p', 'muted small', t('profile.locations', { count: p.locationsWithinRadius, radius })));
    }

    // Groups against the reference.
    parts.push(el('h4', '', t('profile.groups')));
    let indexCanvas = null;
    if (!p.groups.length) parts.push(el('p', 'muted small', t('profile.noGroups')));
    else {
      const two = p.groups.some((g) => g.shareB !== null || g.suppressedB);
      const headG = [t('profile.group'), t('profile.share'), t('profile.reference'), t('profile.index')];
      if (two) headG.push(t('profile.shareB'), t('profile.indexB'), t('profile.change'));
      const rowsG = p.groups.map((g, i) => {
        const cells = [
          { text: g.label },
          shareCell(g.shareA, g.suppressedA, k),
          { text: formatShare(g.referenceA), value: g.referenceA ?? NaN },
          { text: g.indexA === null ? '–' : formatNumber(g.indexA, 0), value: g.indexA ?? NaN },
        ];
        if (two) {
          cells.push(
            shareCell(g.shareB, g.suppressedB, k),
            { text: g.indexB === null ? '–' : formatNumber(g.indexB, 0), value: g.indexB ?? NaN },
            { text: g.change === null ? '–' : formatShare(g.change), value: g.change ?? NaN },
          );
        }
        return { key: c.spec.groups[i].key, cells };
      });
      parts.push(table('groups', headG, rowsG));
      const box = el('div', 'chart-box profile-chart');
      indexCanvas = el('canvas');
      indexCanvas.dataset.chart = 'index';
      indexCanvas.setAttribute('role', 'img');
      indexCanvas.setAttribute('aria-label', t('profile.indexChart'));
      box.append(indexCanvas);
      parts.push(box);
      // The reference: a national figure per group, or the loaded area.
      const refs = el('div', 'profile-refs');
      c.spec.groups.forEach((g) => {
        const l = el('label', 'field');
        const input = el('input');
        input.type = 'number';
        input.min = '0';
        input.max = '100';
        input.step = 'any';
        input.name = 'referencePct';
        input.dataset.group = g.key;
        input.placeholder = t('profile.refNationalHint');
        if (references.has(g.key)) input.value = String(references.get(g.key));
        input.addEventListener('change', () => {
          const v = Number(input.value);
          if (input.value.trim() === '' || !(v > 0 && v <= 100)) references.delete(g.key);
          else references.set(g.key, v);
          compute(c.index);
        });
        l.append(el('span', 'small', t('profile.refNational', { group: g.label })), input);
        // A second year: another numerator column of the same layer (same denominator).
        const lb = el('label', 'field');
        const sel = el('select');
        sel.name = 'secondYear';
        sel.dataset.group = g.key;
        const none = el('option', '', '—');
        none.value = '';
        sel.append(none);
        for (const col of c.layer.columns || []) {
          const o = el('option', '', col);
          o.value = col;
          sel.append(o);
        }
        sel.value = secondYear.get(g.key) || '';
        sel.addEventListener('change', () => {
          if (sel.value) secondYear.set(g.key, sel.value);
          else secondYear.delete(g.key);
          compute(c.index);
        });
        lb.append(el('span', 'small', t('profile.secondYear', { group: g.label })), sel);
        refs.append(l, lb);
      });
      parts.push(refs);
    }

    // The buurt's Leefbaarometer over the years.
    let trendCanvas = null;
    parts.push(el('h4', '', t('profile.trend')));
    const years = c.buurt.years || [];
    if (!c.buurt.code) parts.push(el('p', 'muted small profile-no-trend', t('profile.noTrendNoBuurt')));
    else if (years.length < 2) {
      parts.push(el('p', 'muted small profile-no-trend', years.length
        ? t('profile.oneYear', { code: c.buurt.code, file: c.buurt.lbmFile })
        : t('profile.noTrendIn', { code: c.buurt.code, file: c.buurt.lbmFile })));
    } else {
      const box = el('div', 'chart-box profile-chart');
      trendCanvas = el('canvas');
      trendCanvas.dataset.chart = 'trend';
      trendCanvas.setAttribute('role', 'img');
      trendCanvas.setAttribute('aria-label', t('profile.trend'));
      box.append(trendCanvas);
      const rowsL = c.buurt.columns.map((col, j) => ({
        key: col,
        cells: [{ text: col, title: t(`lbm.${col}`) }, ...c.buurt.values[j].map((v) => ({ text: formatNumber(v, 3), value: v }))],
      }));
      const wrap = el('div', 'table-scroll');
      wrap.append(table('lbm', [t('profile.score'), ...years.map(String)], rowsL));
      const from = el('p', 'muted small profile-lbm-from', t('profile.lbmFrom', { file: c.buurt.lbmFile }));
      from.dataset.file = c.buurt.lbmFile || '';
      parts.push(box, el('p', 'muted small', t('profile.trendNote')), from, wrap);
    }

    const actions = el('div', 'profile-actions');
    const print = el('button', 'btn btn-small', t('profile.print'));
    print.type = 'button';
    print.dataset.profile = 'print';
    print.title = t('profile.printHint');
    print.addEventListener('click', () => report.print());
    actions.append(print);
    parts.push(actions);

    for (const ch of charts.values()) ch.destroy();
    charts.clear();
    body.replaceChildren(...parts);
    card.dataset.state = 'ready';
    card.dataset.id = c.id;
    if (indexCanvas) drawChart('index', indexCanvas, (cv) => indexChart(cv, indexSpec()));
    if (trendCanvas) drawChart('trend', trendCanvas, (cv) => trendChart(cv, trendSpec()));
  }

  /** Chart specs (also drawn again, larger, for the report). */
  function indexSpec() {
    const p = current.profile;
    const two = p.groups.some((g) => g.indexB !== null);
    const years = [{ label: 'A', index: p.groups.map((g) => g.indexA ?? NaN) }];
    if (two) years.push({ label: 'B', index: p.groups.map((g) => g.indexB ?? NaN) });
    if (!two) years[0].label = t('profile.index');
    return {
      bandLabels: p.groups.map((g) => g.label), years, referenceLabel: t('profile.refLine'),
      axisX: t('profile.group'), axisY: t('profile.index'),
    };
  }
  function trendSpec() {
    const b = current.buurt;
    return {
      years: b.years,
      series: LBM_CHART.filter((col) => b.columns.includes(col))
        .map((col) => ({ label: `${col} — ${t(`lbm.${col}`)}`, values: b.values[b.columns.indexOf(col)] })),
      axisX: t('profile.year'), axisY: t('profile.score'),
    };
  }
  report.setSpecs({ index: () => (current?.profile.groups.length ? indexSpec() : null), trend: () => ((current?.buurt.years || []).length >= 2 ? trendSpec() : null) });

  let selectedLayer = null;
  app.events.on('selected', ({ index, layerId }) => {
    selectedLayer = layerId;
    compute(index);
  });
  // A new radius or k changes every figure: recompute the shown one; another layer: clear.
  app.events.on('rendered', ({ indicator }) => {
    if (app.state.selected >= 0 && indicator?.layerId === selectedLayer) compute(app.state.selected);
    else if (current) compute(-1);
  });
  // A layer loaded or removed may be the buurt file: the choices offered and the profile follow.
  app.events.on('layers', () => {
    sources.render();
    if (current && !app.state.layers.has(current.layer.id)) compute(-1);
    else if (current && app.state.selected === current.index) compute(current.index);
  });
  onLanguageChange(() => {
    title.textContent = t('profile.title');
    sources.render();
    if (current) render();
    else hint(t('profile.hint'));
  });
  hint(t('profile.hint'));
}
