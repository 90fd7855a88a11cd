/**
 * The map legend: one swatch per band (viridis), the edges in percent below them, the study's
 * tipping points (40–50 %, 60 %, 80 %) marked above, and a grey swatch for "no share / suppressed".
 * Built with DOM nodes and textContent only.
 */
import { DEFAULT_EDGES_PCT, NO_SHARE_COLOUR, TIPPING_POINTS, palette } from './bands.js';
import { t, formatNumber } from './i18n/i18n.js';
import { el } from './dom.js';

/**
 * @param {HTMLElement} root
 * @param {{ title: string, radiusM: number, edgesPct?: number[], counts?: number[], none?: number }} spec
 */
export function renderLegend(root, spec) {
  const edges = spec.edgesPct || DEFAULT_EDGES_PCT;
  const colours = palette(edges.length);
  const lastEdge = edges[edges.length - 1];
  // The open top band is drawn as wide as a regular one, ending at lastEdge + one step.
  const step = edges.length > 1 ? edges[1] - edges[0] : 10;
  const scaleMax = lastEdge + step;
  const pos = (pct) => `${(100 * (pct - edges[0])) / (scaleMax - edges[0])}%`;

  root.replaceChildren();
  root.classList.add('legend');
  root.append(el('div', 'legend-title', spec.title));
  root.append(el('div', 'legend-sub', t('legend.within', { radius: spec.radiusM })));

  const scale = el('div', 'legend-scale');
  scale.setAttribute('role', 'img');
  const described = [];

  const marks = el('div', 'legend-marks');
  for (const tp of TIPPING_POINTS) {
    const m = el('div', tp.fromPct === tp.toPct ? 'legend-tip legend-tip-point' : 'legend-tip legend-tip-range');
    m.style.left = pos(tp.fromPct);
    if (tp.toPct > tp.fromPct) m.style.width = `calc(${pos(tp.toPct)} - ${pos(tp.fromPct)})`;
    const label = tp.fromPct === tp.toPct ? `${tp.fromPct}` : `${tp.fromPct}–${tp.toPct}`;
    m.title = `${t('legend.tipping')} ${label} %`;
    marks.append(m);
    described.push(`${t('legend.tipping')} ${label} %`);
  }
  scale.append(marks);

  const bar = el('div', 'legend-bar');
  edges.forEach((lo, i) => {
    const hi = i + 1 < edges.length ? edges[i + 1] : null;
    const sw = el('div', 'legend-swatch');
    sw.style.background = colours[i];
    sw.dataset.band = String(i);
    const label = hi === null ? `≥ ${lo} %` : `${lo}–${hi} %`;
    const count = spec.counts ? spec.counts[i] : undefined;
    sw.title = count === undefined ? label : `${label}: ${formatNumber(count)}`;
    bar.append(sw);
    described.push(label);
  });
  scale.append(bar);

  const ticks = el('div', 'legend-ticks');
  for (const e of edges) {
    const tick = el('span', 'legend-tick', formatNumber(e));
    tick.style.left = pos(e);
    ticks.append(tick);
  }
  ticks.append(Object.assign(el('span', 'legend-tick legend-tick-end', '%'), {}));
  ticks.lastChild.style.left = '100%';
  scale.append(ticks);
  scale.setAttribute('aria-label', described.join(', '));
  root.append(scale);

  const none = el('div', 'legend-none');
  const sw = el('span', 'legend-none-swatch');
  sw.style.background = NO_SHARE_COLOUR;
  none.append(sw, el('span', '', spec.none === undefined ? t('legend.none') : `${t('legend.none')} (${formatNumber(spec.none)})`));
  root.append(none);

  const tipNote = el('div', 'legend-note');
  const tipSwatch = el('span', 'legend-tip-key');
  tipNote.append(tipSwatch, el('span', '', t('legend.tippingNote')));
  root.append(tipNote);
}
