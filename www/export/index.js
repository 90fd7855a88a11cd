/**
 * Feature module www/export/ (issue 5): exports of what the page shows, made in the browser and
 * downloaded as local files (blob URL + <a download>; nothing leaves the machine).
 *   - the map as PNG with legend, scale bar, attribution and a footer (png.js);
 *   - the band table of the active map layer as CSV, Dutch Excel or standard (table.js),
 *     with every figure from fewer than k units left out.
 * The card lives in `#export-host` (Kaart panel). Every export control carries `data-export`.
 * The card's dataset tells what an export states and what was made (for tests): `radius`, `k`,
 * `missing` (of the layer drawn now), `state`, `done` (a counter),
 * `pngLines` (the text drawn in the image, JSON), `pngWidth/Height`, `mapWidth/Height`.
 */
import { t, formatNumber, language, onLanguageChange } from '../i18n/i18n.js';
import { DEFAULT_EDGES_PCT, TIPPING_POINTS, bandLabels } from '../bands.js';
import { renderMapPng } from './png.js';
import { bandTable, publishable, tableCsv } from './table.js';
import './i18n.js';
import './export.css';
import { el } from '../dom.js';

function button(key, kind) {
  const b = el('button', 'btn btn-small', t(key));
  b.type = 'button';
  b.dataset.i18n = key;
  b.dataset.export = kind;
  b.id = `export-${kind}`;
  return b;
}

/** Download a blob under a file name (a blob: URL, revoked shortly after). */
export function download(blob, fileName) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const slug = (s) => String(s || 'kaart').normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 40) || 'kaart';
const isoDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function install(app) {
  const host = document.getElementById('export-host');
  if (!host) return;
  const card = el('section', 'card export-card');
  card.id = 'export';
  const title = el('h2', '', t('export.title'));
  title.dataset.i18n = 'export.title';
  const help = el('p', 'muted small export-help');
  const png = button('export.png', 'png');
  const csvNl = el('button', 'btn btn-small');
  const csvStd = el('button', 'btn btn-small');
  for (const [b, format] of [[csvNl, 'nl'], [csvStd, 'standard']]) {
    b.type = 'button';
    b.dataset.export = `csv-${format}`;
    b.id = `export-csv-${format}`;
  }
  const row = el('div', 'export-row');
  row.append(png, csvNl, csvStd);
  const status = el('p', 'small export-status');
  status.setAttribute('role', 'status');
  card.append(title, help, row, status);
  host.append(card);

  function relabel() {
    const k = app.settings.get().suppressBelow;
    help.textContent = t('export.help', { k });
    csvNl.textContent = `${t('export.csv')} — ${t('export.format.nl')}`;
    csvStd.textContent = `${t('export.csv')} — ${t('export.format.standard')}`;
    for (const b of [png, title]) b.textContent = t(b.dataset.i18n);
  }
  relabel();
  onLanguageChange(relabel);
  app.events.on('rendered', ({ result }) => {
    // What an export made now would state (a test waits for these after changing the settings).
    card.dataset.radius = String(result.settings.radiusM);
    card.dataset.k = String(result.settings.suppressBelow);
    card.dataset.missing = result.settings.missing;
    relabel();
  });

  let busy = false;
  let done = 0;
  function report(text, state) {
    status.textContent = text;
    card.dataset.state = state;
    if (state !== 'busy') card.dataset.done = String(++done);
  }
  async function run(fn) {
    if (busy) return;
    busy = true;
    for (const b of [png, csvNl, csvStd]) b.setAttribute('aria-busy', 'true');
    report(t('export.busy'), 'busy');
    try {
      report(await fn(), 'done');
    } catch (err) {
      console.warn(err);
      report(`${t('export.failed')} ${err.message}`, 'error');
    } finally {
      busy = false;
      for (const b of [png, csvNl, csvStd]) b.removeAttribute('aria-busy');
    }
  }

  /** What the active map layer is: indicator, its result (with the settings it was computed with) and layer. */
  function current() {
    const ind = app.activeIndicator();
    const result = ind && app.state.results.get(ind.id);
    const layer = ind && app.state.layers.get(ind.layerId);
    if (!ind || !result || !layer) throw new Error(t('export.nothing'));
    return { ind, result, layer };
  }

  function sourcesOf(layer, description) {
    const list = [...(description?.sources || [layer.fileName || layer.name])];
    if (/cbs|vk100/i.test(`${layer.fileName} ${layer.name}`)) list.push(t('export.cbs'));
    if (basemapOn()) list.push(t('export.pdok'));
    return [...new Set(list)];
  }
  const basemapOn = () => Boolean(app.mapView.map.getSource('pdok'));
  const missingText = (m) => t(`export.missing.${m === 'leaveOut' ? 'leaveOut' : 'countAsZero'}`);
  const bandsText = () => bandLabels(DEFAULT_EDGES_PCT, (v) => `${formatNumber(v)} %`).join(', ');

  /**
   * The footer lines of the PNG (the CSV states the same in its notes). The band map states its
   * layer and method; another map drawn by a feature (an analysis map, a scenario) states its own
   * title, note and sources, with the settings in force.
   */
  function footerLines(description, date) {
    const ind = app.activeIndicator();
    const result = ind && app.state.results.get(ind.id);
    const layer = ind && app.state.layers.get(ind.layerId);
    const s = result?.settings || app.settings.get();
    const bandMap = Boolean(result && layer && description.title === app.labelOf(ind));
    const lines = bandMap
      ? [
        t('export.layerLine', { name: app.labelOf(ind), numerator: ind.numerator, denominator: ind.denominator }),
        t('export.method'),
      ]
      : [t('export.mapLine', { title: [description.title, description.subtitle].filter(Boolean).join(' — ') })];
    lines.push(t('export.settingsLine', { radius: s.radiusM, k: s.suppressBelow, missing: missingText(s.missing) }));
    if (bandMap) lines.push(t('export.bandsLine', { bands: bandsText() }));
    // The what-if tab draws its scenario in the same bands.
    if (app.whatIf?.isActive?.()) lines.unshift(t('export.scenarioLine'));
    const sources = bandMap ? sourcesOf(layer, description) : [...(description.sources || []), ...(basemapOn() ? [t('export.pdok')] : [])];
    lines.push(
      t('export.sourcesLine', { sources: sources.join('; ') }),
      t('export.madeLine', { date: new Intl.DateTimeFormat(language() === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long' }).format(date) }),
    );
    return lines;
  }

  png.addEventListener('click', () => run(async () => {
    const description = app.mapDescription();
    if (!description) throw new Error(t('export.nothing'));
    const date = new Date();
    const attribution = [t('export.attrCbs')];
    if (basemapOn()) attribution.push(t('export.attrPdok'));
    const out = await renderMapPng({
      map: app.mapView.map,
      description,
      attribution,
      footer: footerLines(description, date),
      scaleLabel: (m) => (m >= 1000 ? `${formatNumber(m / 1000)} km` : `${formatNumber(m)} m`),
    });
    const file = `veerkracht-kaart-${slug(description.title)}-${isoDate(date)}.png`;
    Object.assign(card.dataset, {
      pngLines: JSON.stringify(out.lines), pngWidth: String(out.width), pngHeight: String(out.height),
      mapWidth: String(out.mapWidth), mapHeight: String(out.mapHeight), legendWidth: String(out.legendWidth),
      scaleLengthM: String(out.scale.lengthM), scaleBarPx: String(out.scale.barPx),
    });
    download(out.blob, file);
    return t('export.donePng', { file });
  }));

  async function exportCsv(format) {
    const { ind, result, layer } = current();
    const s = result.settings;
    const k = s.suppressBelow;
    const cols = await app.engine.request('columns', { layerId: layer.id, names: [ind.numerator, ind.denominator] }).promise;
    const table = bandTable({
      bands: result.bands, nBands: DEFAULT_EDGES_PCT.length,
      numerator: cols[ind.numerator], denominator: cols[ind.denominator],
    });
    const labels = bandLabels(DEFAULT_EDGES_PCT, (v) => `${v} %`);
    const rows = [
      ...table.rows.map((r, i) => ({ label: labels[i], r })),
      { label: t('export.row.none'), r: table.none },
      { label: t('export.row.total'), r: table.total },
    ].map(({ label, r }) => {
      const p = publishable(r, k);
      return {
        label,
        cells: [p.locations, p.denominator, p.numerator, p.sharePct],
        note: p.suppressed ? t(`export.note.${p.suppressed}`, { k }) : '',
      };
    });
    const date = new Date();
    const description = app.mapDescription();
    const text = tableCsv({
      format,
      title: [t('export.csv.title'), app.labelOf(ind)],
      header: [
        t('export.col.band'), t('export.col.locations'),
        t('export.col.denominator', { name: ind.denominator }), t('export.col.numerator', { name: ind.numerator }),
        t('export.col.share'), t('export.col.note'),
      ],
      rows,
      notesTitle: t('export.csv.notes'),
      notes: [
        [t('export.csv.layer'), `${layer.name} (${layer.fileName})`],
        [t('export.csv.method'), t('export.method')],
        [t('export.csv.table'), t('export.csv.tableText')],
        [t('export.csv.radius'), String(s.radiusM)],
        [t('export.csv.k'), String(k)],
        ['', t('export.csv.kText')],
        [t('export.csv.missing'), missingText(s.missing)],
        [t('export.csv.bands'), DEFAULT_EDGES_PCT.join(' | ')],
        [t('export.csv.tipping'), TIPPING_POINTS.map((p) => (p.fromPct === p.toPct ? `${p.fromPct}` : `${p.fromPct}–${p.toPct}`)).join(' | ')],
        [t('export.csv.sources'), sourcesOf(layer, description).join('; ')],
        [t('export.csv.date'), isoDate(date)],
      ],
    });
    const file = `veerkracht-banden-${slug(app.labelOf(ind))}-${format === 'nl' ? 'excel' : 'standaard'}-${isoDate(date)}.csv`;
    download(new Blob([text], { type: 'text/csv;charset=utf-8' }), file);
    return t('export.doneCsv', { file });
  }
  csvNl.addEventListener('click', () => run(() => exportCsv('nl')));
  csvStd.addEventListener('click', () => run(() => exportCsv('standard')));
}
