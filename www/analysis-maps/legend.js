/**
 * Legends of the analysis maps, as data (per-class colour and label, for the map, the hidden
 * class table and `app.describeMap`) and as DOM (on the map: a list of swatches, or the 3 × 3
 * square of the bivariate map with its axes). Text only through textContent.
 */
import { t, formatNumber } from '../i18n/i18n.js';
import {
  changeColours, bivariateColour, typologyColour,
  NO_DATA_COLOUR, SUPPRESSED_COLOUR, UNCLASSIFIED_COLOUR,
} from './palettes.js';
import { el } from '../dom.js';

export const NO_CLASS = 255;
export const SUPPRESSED = 254;

/** A number with enough digits to show its (up to 4) significant figures. */
export function fmt(v) {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const digits = Math.min(8, Math.max(0, 3 - Math.floor(Math.log10(Math.abs(v)))));
  return formatNumber(v, digits);
}

function commonItems(spec, counts) {
  return [
    { key: 'none', colour: NO_DATA_COLOUR, label: spec.noDataLabel || t('amap.noData'), count: counts.none },
    {
      key: 'suppressed', colour: SUPPRESSED_COLOUR,
      label: t('amap.suppressed', { k: formatNumber(spec.k), column: spec.unitsLabel }), count: counts.suppressed,
    },
  ];
}

/**
 * The change map: classes 0 … 2m (m = middle = "about the same").
 * @returns {{ classOf: (i: number) => {key, colour, label}, items, title, subtitle, note }}
 */
export function changeLegend(r, spec) {
  const m = r.middleClass;
  const e = r.edges;
  const colours = changeColours(m);
  const label = (c) => {
    if (m === 0) return t('amap.change.only');
    if (c === m) return t('amap.change.middle', { lo: fmt(-e[0]), hi: fmt(e[0]) });
    const level = Math.abs(c - m);
    const down = c < m;
    if (level === m) return t(down ? 'amap.change.below' : 'amap.change.above', { a: fmt(e[m - 1]) });
    return t(down ? 'amap.change.downRange' : 'amap.change.upRange', { a: fmt(e[level - 1]), b: fmt(e[level]) });
  };
  const classes = [];
  for (let c = 2 * m; c >= 0; c--) classes.push({ key: String(c), colour: colours[c], label: label(c), count: r.counts[c] });
  return finish(r.classes, classes, spec, {
    title: t('amap.change.title', { score: spec.score, a: spec.yearA, b: spec.yearB }),
    subtitle: t('amap.change.subtitle', { label: spec.scoreLabel, unit: spec.unit || t('amap.unit.buurt') }),
    note: t('amap.change.note'),
  }, (c) => String(c));
}

/** The bivariate map: class 3 · level + change, a 3 × 3 square. */
export function bivariateLegend(r, spec) {
  const names = ['low', 'mid', 'high'].map((k) => t(`amap.bi.${k}`));
  const classes = [];
  for (let c = 0; c < 9; c++) {
    classes.push({
      key: String(c), colour: bivariateColour(c),
      label: t('amap.bi.item', { level: names[Math.floor(c / 3)], change: names[c % 3] }),
      count: r.counts[Math.floor(c / 3)][c % 3],
    });
  }
  const axis = (key, b) => (b ? t('amap.bi.axisBreaks', { axis: t(key), lo: fmt(b[0]), hi: fmt(b[1]) }) : '');
  const out = finish(r.classes, classes, spec, {
    title: t('amap.bi.title', { score: spec.score, a: spec.yearA, b: spec.yearB }),
    subtitle: t('amap.bi.subtitle', { a: spec.yearA, b: spec.yearB }),
    note: [axis('amap.bi.levelAxis', r.levelBreaks), axis('amap.bi.changeAxis', r.changeBreaks), t('amap.bi.note')].filter(Boolean).join(' · '),
  }, (c) => String(c));
  out.grid = { names, levelAxis: t('amap.bi.level', { a: spec.yearA }), changeAxis: t('amap.bi.change'), levelBreaks: r.levelBreaks, changeBreaks: r.changeBreaks };
  return out;
}

/** The typology: one class per rule (× intensity level), plus "no rule applies". */
export function typologyLegend(r, spec) {
  const breaks = spec.intensityBreaks || null;
  const levels = breaks ? breaks.length + 1 : 1;
  const classes = [];
  r.rules.forEach((rule, k) => {
    const text = rule.label || rule.conditions.map((c) => c.text).join(' & ');
    for (let lvl = 0; lvl < levels; lvl++) {
      let label = text;
      if (levels > 1) {
        const range = lvl === 0
          ? t('amap.ty.levelBelow', { hi: fmt(breaks[0]) })
          : lvl === levels - 1
            ? t('amap.ty.levelAbove', { lo: fmt(breaks[lvl - 1]) })
            : t('amap.ty.levelRange', { lo: fmt(breaks[lvl - 1]), hi: fmt(breaks[lvl]) });
        label = `${text} — ${range}`;
      }
      classes.push({ key: `${k}:${lvl}`, colour: typologyColour(rule.class, lvl, levels), label, count: 0 });
    }
  });
  classes.push({ key: 'unclassified', colour: UNCLASSIFIED_COLOUR, label: t('amap.unclassified'), count: 0 });
  const keyOf = (rule, i) => {
    if (rule === NO_CLASS) return 'unclassified';
    const lvl = levels > 1 && r.intensity[i] !== NO_CLASS ? r.intensity[i] : 0;
    return `${rule}:${lvl}`;
  };
  return finish(r.rule, classes, spec, {
    title: t('amap.ty.title'),
    subtitle: t('amap.ty.subtitle'),
    note: r.rules.map((rule) => `${rule.label ? `${rule.label}: ` : ''}${rule.conditions.map((c) => c.text).join(' & ')}`).join(' · '),
  }, keyOf, true);
}

/**
 * Per location its class item; counts filled in; the missing / suppressed items appended.
 * `codeClasses[i]` is the core's class (255 missing, 254 suppressed), `keyOf` maps it to an item.
 */
function finish(codeClasses, classes, spec, texts, keyOf, countHere = false) {
  const byKey = new Map(classes.map((c) => [c.key, c]));
  const counts = { none: 0, suppressed: 0 };
  const common = commonItems(spec, counts);
  const noneItem = common[0];
  const suppressedItem = common[1];
  const perLocation = new Array(codeClasses.length);
  for (let i = 0; i < codeClasses.length; i++) {
    const c = codeClasses[i];
    let item;
    if (c === SUPPRESSED) {
      item = suppressedItem;
      counts.suppressed++;
    } else if (c === NO_CLASS && !countHere) {
      item = noneItem;
      counts.none++;
    } else {
      item = byKey.get(keyOf(c, i)) || noneItem;
      if (countHere) item.count++;
    }
    perLocation[i] = item;
  }
  noneItem.count = counts.none;
  suppressedItem.count = counts.suppressed;
  return { ...texts, items: [...classes, ...common], perLocation, noneItem };
}

/** The legend on the map: title, subtitle, swatches with counts (or the 3 × 3 square), note. */
export function legendNode(legend, { onClose, closeLabel }) {
  const box = el('div', 'amap-legend-box');
  const head = el('div', 'amap-legend-head');
  head.append(el('div', 'legend-title', legend.title));
  const close = el('button', 'btn btn-ghost btn-small amap-legend-close', '×');
  close.type = 'button';
  close.title = closeLabel;
  close.setAttribute('aria-label', closeLabel);
  close.addEventListener('click', onClose);
  head.append(close);
  box.append(head, el('div', 'legend-sub', legend.subtitle));
  const list = el('ul', 'amap-items');
  const item = (it) => {
    const li = el('li', 'amap-item');
    li.dataset.key = it.key;
    li.dataset.count = String(it.count);
    const sw = el('span', 'amap-swatch');
    sw.style.background = it.colour;
    li.append(sw, el('span', 'amap-item-label', it.label), el('span', 'amap-item-count', formatNumber(it.count)));
    return li;
  };
  if (legend.grid) {
    box.append(bivariateSquare(legend));
    for (const it of legend.items.slice(9)) list.append(item(it));
  } else {
    for (const it of legend.items) list.append(item(it));
  }
  box.append(list, el('div', 'legend-note amap-note', legend.note));
  return box;
}

/** The 3 × 3 square: level to the right (gold), change upwards (purple), counts in the cells. */
function bivariateSquare(legend) {
  const g = legend.grid;
  const wrap = el('div', 'amap-bi');
  wrap.setAttribute('role', 'img');
  wrap.setAttribute('aria-label', legend.items.slice(0, 9).map((it) => `${it.label}: ${it.count}`).join('; '));
  const yAxis = el('div', 'amap-bi-yaxis', g.changeAxis);
  const square = el('div', 'amap-bi-square');
  for (let y = 2; y >= 0; y--) {
    for (let x = 0; x < 3; x++) {
      const it = legend.items[3 * x + y];
      const cell = el('div', 'amap-bi-cell', formatNumber(it.count));
      cell.style.background = it.colour;
      cell.dataset.key = it.key;
      cell.dataset.count = String(it.count);
      cell.title = it.label;
      square.append(cell);
    }
  }
  const yTicks = el('div', 'amap-bi-yticks');
  for (const n of [...g.names].reverse()) yTicks.append(el('span', '', n));
  const xTicks = el('div', 'amap-bi-xticks');
  for (const n of g.names) xTicks.append(el('span', '', n));
  const xAxis = el('div', 'amap-bi-xaxis', g.levelAxis);
  wrap.append(yAxis, yTicks, square, el('span'), el('span'), xTicks, el('span'), el('span'), xAxis);
  return wrap;
}
