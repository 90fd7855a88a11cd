/**
 * The Analyses tab (issue 4, page side): forms that ask the worker for an analysis and draw the
 * answer with charts.js, with the numbers also in a table (what a person can check and copy).
 *  - Index per band: a group's share per band of corporation share, as an index against the
 *    whole loaded area or a typed national figure (= 100), for one or two years.
 *  - Tipping point: mean change of a Leefbaarometer score per band of corporation share for the
 *    buurten, with the interpolated tipping point, the broken-line fit and bootstrap intervals.
 * Everything from files is set with textContent.
 */
import { t, formatNumber, formatShare, addTranslations } from './i18n/i18n.js';
import { indexChart, changeChart, trendChart } from './charts.js';
import { el, select } from './dom.js';
import { resultTable } from './table.js';

// The two tipping-point marks in the chart (the rest of this tab's texts is in i18n/nl.js, en.js).
addTranslations({
  nl: {
    'analyses.tipping.markBands': 'kantelpunt (banden)',
    'analyses.tipping.markFit': 'kantelpunt (gebroken lijn)',
    'analyses.tipping.intervalBands': 'interval (banden)',
    'analyses.tipping.intervalFit': 'interval (gebroken lijn)',
  },
  en: {
    'analyses.tipping.markBands': 'tipping point (bands)',
    'analyses.tipping.markFit': 'tipping point (broken line)',
    'analyses.tipping.intervalBands': 'interval (bands)',
    'analyses.tipping.intervalFit': 'interval (broken line)',
  },
});

function labelled(key, control) {
  const l = el('label', 'field');
  l.append(el('span', '', t(key)), control);
  return l;
}

const num = (v, digits = 0) => ({ text: v === null || v === undefined || Number.isNaN(v) ? '–' : formatNumber(v, digits), value: v ?? NaN });

/**
 * @param {HTMLElement} root
 * @param {{ engine: any, getContext: () => { layers: {id,name,columns}[],
 *   indicators: {id,label,layerId}[], shareOf: (indicatorId: string) => (Float64Array|null),
 *   labelOf: (ind) => string }, loadTippingDemo: () => Promise<{ scores: any, areas: any }|null> }} deps
 */
export function createAnalyses(root, { engine, getContext, loadTippingDemo }) {
  const charts = new Map();
  function draw(key, canvas, make) {
    charts.get(key)?.destroy();
    const chart = make(canvas);
    charts.set(key, chart);
    // What the chart was given to draw (labels, series, marks), for tests and for checking by hand.
    canvas.dataset.series = JSON.stringify({
      labels: chart.data.labels || null,
      datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
    });
  }

  // ---- Index per band --------------------------------------------------------------------
  const indexCard = el('section', 'chart-card');
  const indexForm = el('form', 'analysis-form');
  const indexOut = el('div', 'analysis-out');
  indexCard.append(el('h3', '', t('analyses.index.title')), el('p', 'muted small', t('analyses.index.help')), indexForm, indexOut);

  function renderIndexForm() {
    const ctx = getContext();
    indexForm.replaceChildren();
    const shareInds = ctx.indicators.map((i) => ({ value: i.id, label: ctx.labelOf(i) }));
    const shareSel = select('share', shareInds, indexForm.dataset.share || shareInds[0]?.value);
    const layerOf = () => ctx.layers.find((l) => l.id === ctx.indicators.find((i) => i.id === shareSel.value)?.layerId);
    const cols = () => (layerOf()?.columns || []).map((c) => ({ value: c, label: c }));
    const none = { value: '', label: '—' };
    const defaults = { group: 'aantal_personen_met_uitkering_onder_aowlft', denominator: 'aantal_inwoners' };
    const group = select('group', cols(), defaults.group);
    const den = select('denominator', cols(), defaults.denominator);
    const groupB = select('groupB', [none, ...cols()], '');
    const denB = select('denominatorB', [none, ...cols()], '');
    const refKind = select('refKind', [
      { value: 'area', label: t('analyses.index.refArea') },
      { value: 'national', label: t('analyses.index.refNational') },
    ]);
    const refPct = el('input');
    refPct.type = 'number';
    refPct.name = 'refPct';
    refPct.min = '0';
    refPct.max = '100';
    refPct.step = 'any';
    refPct.disabled = true;
    refKind.addEventListener('change', () => (refPct.disabled = refKind.value !== 'national'));
    const labelA = el('input');
    labelA.type = 'text';
    labelA.name = 'labelA';
    labelA.value = '2024';
    const labelB = el('input');
    labelB.type = 'text';
    labelB.name = 'labelB';
    labelB.value = '';
    const go = el('button', 'btn btn-primary btn-small', t('analyses.run'));
    go.type = 'submit';
    indexForm.append(
      labelled('analyses.index.share', shareSel),
      labelled('analyses.index.group', group),
      labelled('analyses.index.denominator', den),
      labelled('analyses.index.labelA', labelA),
      labelled('analyses.index.groupB', groupB),
      labelled('analyses.index.denominatorB', denB),
      labelled('analyses.index.labelB', labelB),
      labelled('analyses.index.reference', refKind),
      labelled('analyses.index.refPct', refPct),
      go,
    );
    shareSel.addEventListener('change', () => {
      indexForm.dataset.share = shareSel.value;
      renderIndexForm();
    });
  }

  indexForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const ctx = getContext();
    const f = indexForm.elements;
    const ind = ctx.indicators.find((i) => i.id === f.namedItem('share').value);
    const share = ind && ctx.shareOf(ind.id);
    if (!share) return;
    const two = f.namedItem('groupB').value && f.namedItem('denominatorB').value;
    const refPct = f.namedItem('refKind').value === 'national' ? Number(f.namedItem('refPct').value) : null;
    indexOut.replaceChildren(el('p', 'muted small', t('analyses.running')));
    try {
      const r = await engine.request('analyseIndex', {
        layerId: ind.layerId,
        share,
        group: f.namedItem('group').value,
        denominator: f.namedItem('denominator').value,
        groupB: two ? f.namedItem('groupB').value : null,
        denominatorB: two ? f.namedItem('denominatorB').value : null,
        referenceSharePct: refPct,
        suppressBelow: ctx.suppressBelow,
      }).promise;
      const labelA = f.namedItem('labelA').value || 'A';
      const labelB = f.namedItem('labelB').value || 'B';
      showIndex(r, two, labelA, labelB, refPct);
    } catch (err) {
      indexOut.replaceChildren(el('p', 'file-error', err.message));
    }
  });

  function showIndex(r, two, labelA, labelB, refPct) {
    const rows = two ? r.rows : r.rows;
    const bandLabels = rows.map((b) => b.label);
    const years = two
      ? [
        { label: labelA, index: rows.map((b) => b.indexA ?? NaN) },
        { label: labelB, index: rows.map((b) => b.indexB ?? NaN) },
      ]
      : [{ label: labelA, index: rows.map((b) => b.index ?? NaN) }];
    const box = el('div', 'chart-box');
    const canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', t('analyses.index.title'));
    box.append(canvas);
    const refLabel = refPct === null ? t('analyses.index.ref100Area') : t('analyses.index.ref100National');
    const head = two
      ? [t('details.band'), `${t('analyses.index.indexCol')} ${labelA}`, `${t('analyses.index.indexCol')} ${labelB}`, t('analyses.index.change')]
      : [t('details.band'), t('analyses.index.locations'), t('analyses.index.shareCol'), t('analyses.index.indexCol')];
    const body = two
      ? rows.map((b) => [{ text: b.label }, num(b.indexA, 0), num(b.indexB, 0), num(b.change, 0)])
      : rows.map((b) => [{ text: b.label }, num(b.locations), { text: b.share === null ? '–' : formatShare(b.share), value: b.share ?? NaN }, num(b.index, 0)]);
    const parts = [box, resultTable('index', head, body)];
    if (two && r.gap) {
      parts.push(el('p', 'small', t('analyses.index.gap', {
        growth: r.gap.gapGrowth === null ? '–' : formatShare(r.gap.gapGrowth),
      })));
    }
    indexOut.replaceChildren(...parts);
    draw('index', canvas, (c) => indexChart(c, {
      bandLabels, years, referenceLabel: refLabel,
      axisX: t('analyses.axis.band'), axisY: t('analyses.axis.index'),
    }));
  }

  // ---- Tipping point ---------------------------------------------------------------------
  const tipCard = el('section', 'chart-card');
  const tipForm = el('form', 'analysis-form');
  const tipOut = el('div', 'analysis-out');
  tipCard.append(el('h3', '', t('analyses.tipping.title')), el('p', 'muted small', t('analyses.tipping.help')), tipForm, tipOut);
  const YEARS = [2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022, 2024];
  const SCORES = ['afw', 'lbm', 'onv', 'fys', 'soc', 'vrz', 'won'];

  function renderTipForm() {
    tipForm.replaceChildren();
    const ya = select('yearA', YEARS.map((y) => ({ value: String(y), label: String(y) })), '2014');
    const yb = select('yearB', YEARS.map((y) => ({ value: String(y), label: String(y) })), '2018');
    const sc = select('score', SCORES.map((s) => ({ value: s, label: `${s} — ${t(`lbm.${s}`)}` })), 'onv');
    const go = el('button', 'btn btn-primary btn-small', t('analyses.run'));
    go.type = 'submit';
    tipForm.append(labelled('analyses.tipping.yearA', ya), labelled('analyses.tipping.yearB', yb), labelled('analyses.tipping.score', sc), go);
  }

  tipForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = tipForm.elements;
    tipOut.replaceChildren(el('p', 'muted small', t('analyses.running')));
    try {
      const sources = await loadTippingDemo();
      if (!sources) throw new Error(t('analyses.tipping.noData'));
      const r = await engine.request('tippingPointAreas', {
        ...sources,
        scoreColumn: f.namedItem('score').value,
        yearA: Number(f.namedItem('yearA').value),
        yearB: Number(f.namedItem('yearB').value),
      }).promise;
      showTipping(r, f.namedItem('score').value, f.namedItem('yearA').value, f.namedItem('yearB').value);
    } catch (err) {
      tipOut.replaceChildren(el('p', 'file-error', err.message));
    }
  });

  function estimateText(e) {
    if (!e) return '–';
    if (e.status === 'crossing' && e.share !== null) {
      const iv = e.interval ? ` [${formatShare(e.interval.lower, 0)} – ${formatShare(e.interval.upper, 0)}]` : '';
      return `${formatShare(e.share, 0)}${iv}`;
    }
    return t(`analyses.tipping.status.${e.status}`);
  }

  function showTipping(res, score, yearA, yearB) {
    const r = res.tipping;
    const box = el('div', 'chart-box');
    const canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', t('analyses.tipping.title'));
    box.append(canvas);
    const summary = el('dl', 'tip-summary');
    const add = (k, v, key) => {
      const dd = el('dd', '', v);
      if (key) dd.dataset.key = key;
      summary.append(el('dt', '', k), dd);
    };
    add(t('analyses.tipping.interpolated'), estimateText(r.interpolated), 'interpolated');
    add(t('analyses.tipping.brokenLine'), estimateText(r.brokenLineCrossing), 'brokenLine');
    add(t('analyses.tipping.areas'), formatNumber(r.locationsUsed), 'locationsUsed');
    add(t('analyses.tipping.join'), t('analyses.tipping.joinText', {
      matched: res.report.matched, total: res.report.areasWithScores,
    }));
    const body = r.bands.map((b) => [
      { text: b.label }, num(b.locations), num(b.meanChange, 3),
    ]);
    const fit = r.brokenLine
      ? Array.from({ length: 41 }, (_, i) => {
        const x = r.brokenLine.minShare + ((r.brokenLine.maxShare - r.brokenLine.minShare) * i) / 40;
        const bl = r.brokenLine;
        return { xPct: x * 100, y: bl.intercept + bl.slopeBefore * Math.min(x, bl.breakpoint) + bl.slopeAfter * Math.max(x - bl.breakpoint, 0) };
      })
      : [];
    const tipShare = r.interpolated?.status === 'crossing' ? r.interpolated : null;
    const fitShare = r.brokenLineCrossing?.status === 'crossing' ? r.brokenLineCrossing : null;
    const mark = (e, label) => ({
      pct: e.share * 100,
      loPct: e.interval ? e.interval.lower * 100 : NaN,
      hiPct: e.interval ? e.interval.upper * 100 : NaN,
      label,
    });
    tipOut.replaceChildren(box, summary, resultTable('tipping', [t('details.band'), t('analyses.tipping.areas'), t('analyses.tipping.meanChange')], body));
    draw('tipping', canvas, (c) => changeChart(c, {
      centresPct: r.bands.map((b) => (b.positionShare ?? NaN) * 100),
      means: r.bands.map((b) => (b.used ? b.meanChange ?? NaN : NaN)),
      counts: r.bands.map((b) => b.locations),
      fit,
      tipping: tipShare ? mark(tipShare, t('analyses.tipping.markBands')) : undefined,
      tippingFit: fitShare ? mark(fitShare, t('analyses.tipping.markFit')) : undefined,
      labels: {
        means: t('analyses.tipping.means', { score, a: yearA, b: yearB }),
        fit: t('analyses.tipping.fit'),
        interval: t('analyses.tipping.intervalBands'),
        intervalFit: t('analyses.tipping.intervalFit'),
        axisX: t('analyses.axis.corporationShare'),
        axisY: t('analyses.tipping.axisY', { score, a: yearA, b: yearB }),
      },
    }));
  }

  // ---- Development over the years ----------------------------------------------------------
  const seriesCard = el('section', 'chart-card');
  const seriesForm = el('form', 'analysis-form');
  const seriesOut = el('div', 'analysis-out');
  seriesCard.append(el('h3', '', t('analyses.series.title')), el('p', 'muted small', t('analyses.series.help')), seriesForm, seriesOut);
  const DIMENSIONS = ['fys', 'onv', 'soc', 'vrz', 'won'];

  function renderSeriesForm() {
    seriesForm.replaceChildren();
    const mode = select('mode', [
      { value: 'level', label: t('analyses.series.byLevel') },
      { value: 'band', label: t('analyses.series.byBand') },
    ]);
    const go = el('button', 'btn btn-primary btn-small', t('analyses.run'));
    go.type = 'submit';
    seriesForm.append(labelled('analyses.series.mode', mode), go);
  }

  seriesForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const mode = seriesForm.elements.namedItem('mode').value;
    seriesOut.replaceChildren(el('p', 'muted small', t('analyses.running')));
    try {
      const sources = await loadTippingDemo();
      if (!sources) throw new Error(t('analyses.tipping.noData'));
      const byLevel = mode === 'level';
      const r = await engine.request('seriesAreas', {
        scores: sources.scores,
        areas: sources.areas,
        columns: byLevel ? ['lbm'] : DIMENSIONS,
        groupBy: byLevel
          ? { kind: 'level', column: 'lbm', baseYear: 2012, breaks: { kind: 'tertiles' } }
          : { kind: 'band', bands: { lowerEdgesPct: [0, 10, 20, 30, 40, 50, 60, 70, 80] } },
      }).promise;
      showSeries(r, byLevel);
    } catch (err) {
      seriesOut.replaceChildren(el('p', 'file-error', err.message));
    }
  });

  function showSeries(r, byLevel) {
    const years = r.years;
    const meanAt = (col, y) => col.points.find((p) => p.year === y)?.mean ?? NaN;
    let series;
    let note;
    if (byLevel) {
      series = r.groups.map((g) => ({
        label: `${t(`analyses.series.level.${g.label}`)} (${formatNumber(g.areas)})`,
        values: years.map((y) => meanAt(g.columns[0], y)),
      }));
      note = t('analyses.series.levelNote');
    } else {
      const top = r.groups[r.groups.length - 1];
      series = (top?.columns || []).map((c) => ({
        label: `${c.column} — ${t(`lbm.${c.column}`)}`,
        values: years.map((y) => meanAt(c, y)),
      }));
      note = t('analyses.series.bandNote', { areas: top?.areas ?? 0, band: top?.label ?? '≥ 80 %' });
    }
    const box = el('div', 'chart-box');
    const canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', t('analyses.series.title'));
    box.append(canvas);
    const head = [t('analyses.series.line'), ...years.map(String)];
    const body = series.map((sr) => [{ text: sr.label }, ...sr.values.map((v) => num(v, 3))]);
    const tbl = resultTable(byLevel ? 'series-level' : 'series-band', head, body);
    const wrap = el('div', 'table-scroll');
    wrap.append(tbl);
    seriesOut.replaceChildren(box, el('p', 'muted small', note), wrap);
    draw('series', canvas, (c) => trendChart(c, {
      years, series, ordered: byLevel,
      axisX: t('analyses.series.axisX'), axisY: byLevel ? t('analyses.series.axisLbm') : t('analyses.series.axisDim'),
    }));
  }

  let lastKey = '';
  root.replaceChildren(indexCard, tipCard, seriesCard);
  renderSeriesForm();
  renderIndexForm();
  renderTipForm();
  return {
    /** Layers or map layers changed: refresh the choices (only when they really changed). */
    refresh() {
      const ctx = getContext();
      const key = JSON.stringify([ctx.indicators.map((i) => i.id), ctx.layers.map((l) => [l.id, l.columns.length])]);
      if (key === lastKey) return;
      lastKey = key;
      renderIndexForm();
    },
    relabel() {
      indexCard.firstChild.textContent = t('analyses.index.title');
      indexCard.children[1].textContent = t('analyses.index.help');
      tipCard.firstChild.textContent = t('analyses.tipping.title');
      tipCard.children[1].textContent = t('analyses.tipping.help');
      seriesCard.firstChild.textContent = t('analyses.series.title');
      seriesCard.children[1].textContent = t('analyses.series.help');
      renderSeriesForm();
      renderIndexForm();
      renderTipForm();
    },
  };
}
