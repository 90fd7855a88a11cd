/**
 * Squares (locations) per band as a Chart.js bar chart, bars coloured like the map.
 */
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } from 'chart.js';
import { palette } from './bands.js';
import { formatNumber } from './i18n/i18n.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * @param {HTMLCanvasElement} canvas
 * The same numbers are also written to a visually hidden table after the canvas's box, for screen
 * readers (and for tests, which read what a person could read).
 */
export function createHistogram(canvas) {
  let fullLabels = [];
  const table = document.createElement('table');
  table.className = 'sr-only histogram-table';
  canvas.parentElement.after(table);
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ data: [], backgroundColor: [], borderWidth: 0 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => fullLabels[items[0]?.dataIndex] ?? '',
            label: (ctx) => formatNumber(ctx.parsed.y),
          },
        },
      },
      scales: {
        x: { grid: { display: false }, title: { display: true, text: '' }, ticks: { font: { size: 10 }, maxRotation: 0, autoSkip: false } },
        y: { beginAtZero: true, title: { display: true, text: '' }, ticks: { font: { size: 10 }, callback: (v) => formatNumber(v) } },
      },
    },
  });

  return {
    /**
     * @param {{ labels: string[], fullLabels?: string[], counts: number[], axisX: string, axisY: string }} spec
     *   `labels` short tick labels (e.g. the lower edge), `fullLabels` for the tooltip
     */
    update(spec) {
      fullLabels = spec.fullLabels || spec.labels;
      chart.data.labels = spec.labels;
      chart.data.datasets[0].data = spec.counts;
      chart.data.datasets[0].backgroundColor = palette(spec.counts.length);
      chart.options.scales.x.title.text = spec.axisX;
      chart.options.scales.y.title.text = spec.axisY;
      chart.update();
      const head = document.createElement('tr');
      for (const text of [spec.axisX, spec.axisY]) {
        const th = document.createElement('th');
        th.textContent = text;
        head.append(th);
      }
      const rows = spec.counts.map((count, i) => {
        const tr = document.createElement('tr');
        tr.dataset.count = String(count);
        const th = document.createElement('th');
        th.textContent = fullLabels[i];
        const td = document.createElement('td');
        td.textContent = formatNumber(count);
        tr.append(th, td);
        return tr;
      });
      table.replaceChildren(head, ...rows);
    },
    /** The numbers currently drawn (for tests and exports). */
    values: () => chart.data.datasets[0].data.slice(),
    destroy: () => chart.destroy(),
  };
}
