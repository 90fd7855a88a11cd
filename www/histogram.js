/**
 * Squares (locations) per band as a Chart.js bar chart, bars coloured like the map.
 */
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } from 'chart.js';
import { palette } from './bands.js';
import { formatNumber } from './i18n/i18n.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** @param {HTMLCanvasElement} canvas */
export function createHistogram(canvas) {
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ data: [], backgroundColor: [], borderWidth: 0 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => formatNumber(ctx.parsed.y) } },
      },
      scales: {
        x: { grid: { display: false }, title: { display: true, text: '' }, ticks: { font: { size: 10 }, maxRotation: 0, autoSkip: false } },
        y: { beginAtZero: true, title: { display: true, text: '' }, ticks: { font: { size: 10 }, callback: (v) => formatNumber(v) } },
      },
    },
  });

  return {
    /**
     * @param {{ labels: string[], counts: number[], axisX: string, axisY: string }} spec
     */
    update(spec) {
      chart.data.labels = spec.labels;
      chart.data.datasets[0].data = spec.counts;
      chart.data.datasets[0].backgroundColor = palette(spec.counts.length);
      chart.options.scales.x.title.text = spec.axisX;
      chart.options.scales.y.title.text = spec.axisY;
      chart.update();
    },
    /** The numbers currently drawn (for tests and exports). */
    values: () => chart.data.datasets[0].data.slice(),
    destroy: () => chart.destroy(),
  };
}
