/**
 * The analysis charts of issue 4, drawn with Chart.js (no hand-made plotting):
 *  - index per band for two years, with the NL = 100 reference line;
 *  - mean score change per band, with the tipping point, its interval and the broken-line fit;
 *  - a development over the years, one line per class (Leefbaarometer level classes, or the
 *    dimensions for the bands ≥ 80 %).
 * Colours: Okabe–Ito for categories, viridis for ordered classes (both colour-blind safe).
 * Each function takes plain numbers (already computed in the worker) and returns the Chart.
 */
import {
  Chart, BarController, BarElement, LineController, LineElement, PointElement, ScatterController,
  CategoryScale, LinearScale, Legend, Tooltip, Filler,
} from 'chart.js';
import { palette } from './bands.js';
import { formatNumber } from './i18n/i18n.js';

Chart.register(
  BarController, BarElement, LineController, LineElement, PointElement, ScatterController,
  CategoryScale, LinearScale, Legend, Tooltip, Filler,
);

/** Okabe & Ito (2008), "Color Universal Design". */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
const REFERENCE_COLOUR = '#444444';
const TIPPING_COLOUR = '#d6336c';

const base = () => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: {
    legend: { position: 'bottom', labels: { boxWidth: 12, font: { size: 11 } } },
    tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatNumber(ctx.parsed.y, 1)}` } },
  },
});

function axisTitle(text) {
  return { display: !!text, text, font: { size: 11 } };
}

/**
 * Index per band for two (or more) years, as bars, with a dashed reference line (NL = 100).
 * @param {HTMLCanvasElement} canvas
 * @param {{ bandLabels: string[], years: { label: string, index: number[] }[],
 *           referenceLabel: string, axisX: string, axisY: string }} spec
 *   `index` per band (NaN = suppressed, not drawn)
 */
export function indexChart(canvas, spec) {
  const datasets = spec.years.map((y, i) => ({
    type: 'bar',
    label: y.label,
    data: y.index.map((v) => (Number.isFinite(v) ? v : null)),
    backgroundColor: OKABE_ITO[i % OKABE_ITO.length],
    maxBarThickness: 56,
    order: 2,
  }));
  // The reference line at 100 through the bands; with a single band (an area profile's one group)
  // a line has no length, so its one point is drawn as a wide dash instead.
  const single = spec.bandLabels.length === 1;
  datasets.push({
    type: 'line',
    label: spec.referenceLabel,
    data: spec.bandLabels.map(() => 100),
    borderColor: REFERENCE_COLOUR,
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointStyle: 'line',
    pointRadius: single ? 70 : 0,
    pointBorderWidth: single ? 1.5 : 0,
    pointBorderColor: REFERENCE_COLOUR,
    order: 1,
  });
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: spec.bandLabels, datasets },
    options: {
      ...base(),
      scales: {
        x: { title: axisTitle(spec.axisX), grid: { display: false }, ticks: { font: { size: 10 } } },
        y: { title: axisTitle(spec.axisY), beginAtZero: true, ticks: { callback: (v) => formatNumber(v) } },
      },
    },
  });
}

/**
 * Mean change of a score per band (points at band centres, x in percent), the broken-line fit,
 * and the tipping point with its interval drawn on the zero line.
 * @param {HTMLCanvasElement} canvas
 * @param {{ centresPct: number[], means: number[], counts: number[],
 *           fit?: { xPct: number, y: number }[],
 *           tipping?: { pct: number, loPct?: number, hiPct?: number, label: string },
 *           tippingFit?: { pct: number, loPct?: number, hiPct?: number, label: string },
 *           labels: { means: string, fit: string, interval: string, intervalFit?: string,
 *                     axisX: string, axisY: string } }} spec
 *   `tipping`: from the band means (dashed, interval along the bottom); `tippingFit`: the broken
 *   line's crossing (dotted, interval along the top)
 */
export function changeChart(canvas, spec) {
  const pts = spec.centresPct
    .map((x, i) => ({ x, y: spec.means[i], n: spec.counts[i] }))
    .filter((p) => Number.isFinite(p.y));
  const ys = pts.map((p) => p.y).concat(spec.fit?.map((p) => p.y) || [], [0]);
  const yMin = Math.min(...ys);
  const yMax = Math.max(...ys);
  const pad = (yMax - yMin) * 0.1 || 0.01;
  const datasets = [
    {
      type: 'line',
      label: spec.labels.means,
      data: pts,
      borderColor: OKABE_ITO[0],
      backgroundColor: OKABE_ITO[0],
      showLine: false,
      pointRadius: pts.map((p) => 3 + Math.min(5, Math.sqrt(p.n || 0) / 6)),
    },
    {
      type: 'line',
      label: '0',
      data: [{ x: 0, y: 0 }, { x: 100, y: 0 }],
      borderColor: '#999999',
      borderWidth: 1,
      pointRadius: 0,
    },
  ];
  if (spec.fit?.length) {
    datasets.push({
      type: 'line',
      label: spec.labels.fit,
      data: spec.fit.map((p) => ({ x: p.xPct, y: p.y })),
      borderColor: OKABE_ITO[1],
      borderWidth: 2,
      pointRadius: 0,
    });
  }
  if (spec.tipping && Number.isFinite(spec.tipping.pct)) {
    const tp = spec.tipping;
    if (Number.isFinite(tp.loPct) && Number.isFinite(tp.hiPct)) {
      datasets.push({
        type: 'line',
        label: spec.labels.interval,
        data: [{ x: tp.loPct, y: yMin - pad }, { x: tp.hiPct, y: yMin - pad }],
        borderColor: 'rgba(214, 51, 108, 0.35)',
        borderWidth: 8,
        pointRadius: 0,
      });
    }
    datasets.push({
      type: 'line',
      label: tp.label,
      data: [{ x: tp.pct, y: yMin - pad }, { x: tp.pct, y: yMax + pad }],
      borderColor: TIPPING_COLOUR,
      borderDash: [5, 3],
      borderWidth: 2,
      pointRadius: 0,
    });
  }
  // The broken line's own crossing and its interval, marked along the top edge.
  const tf = spec.tippingFit;
  if (tf && Number.isFinite(tf.pct)) {
    if (Number.isFinite(tf.loPct) && Number.isFinite(tf.hiPct)) {
      datasets.push({
        type: 'line',
        label: spec.labels.intervalFit || spec.labels.interval,
        data: [{ x: tf.loPct, y: yMax + pad }, { x: tf.hiPct, y: yMax + pad }],
        borderColor: 'rgba(230, 159, 0, 0.45)',
        borderWidth: 8,
        pointRadius: 0,
      });
    }
    datasets.push({
      type: 'line',
      label: tf.label,
      data: [{ x: tf.pct, y: yMin - pad }, { x: tf.pct, y: yMax + pad }],
      borderColor: OKABE_ITO[1],
      borderDash: [2, 3],
      borderWidth: 2,
      pointRadius: 0,
    });
  }
  return new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      ...base(),
      plugins: {
        ...base().plugins,
        legend: { position: 'bottom', labels: { boxWidth: 12, font: { size: 11 }, filter: (item) => item.text !== '0' } },
      },
      scales: {
        x: { type: 'linear', min: 0, max: 100, title: axisTitle(spec.labels.axisX), ticks: { stepSize: 10 } },
        y: { title: axisTitle(spec.labels.axisY), min: yMin - pad * 2, max: yMax + pad * 2, ticks: { callback: (v) => formatNumber(v, 2) } },
      },
    },
  });
}

/**
 * A development over the years, one line per class.
 * @param {HTMLCanvasElement} canvas
 * @param {{ years: (string|number)[], series: { label: string, values: number[] }[],
 *           ordered?: boolean, axisX?: string, axisY: string }} spec
 *   `ordered` classes get viridis colours (dark = low), otherwise Okabe–Ito
 */
export function trendChart(canvas, spec) {
  const colours = spec.ordered ? palette(spec.series.length) : OKABE_ITO;
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: spec.years.map(String),
      datasets: spec.series.map((s, i) => ({
        label: s.label,
        data: s.values.map((v) => (Number.isFinite(v) ? v : null)),
        borderColor: colours[i % colours.length],
        backgroundColor: colours[i % colours.length],
        borderWidth: 2,
        pointRadius: 2,
        spanGaps: true,
      })),
    },
    options: {
      ...base(),
      scales: {
        x: { title: axisTitle(spec.axisX), grid: { display: false } },
        y: { title: axisTitle(spec.axisY), ticks: { callback: (v) => formatNumber(v, 2) } },
      },
    },
  });
}
