/**
 * Loading the user's own files: drag & drop or file picker → streamed to the worker in chunks,
 * with a progress bar (rows read) and Cancel; the detected location columns shown and overridable;
 * errors with file, row, column, value and reason; skipped rows counted and downloadable.
 * Several named layers side by side: removing or replacing one leaves the others untouched
 * (the worker swaps a layer only after the new one loaded completely).
 * Everything from a file (names, values, messages) is shown with textContent.
 *
 * @typedef {{ source: { kind: 'rd'|'latLon'|'squareId'|'areaCode', x?: string, y?: string,
 *             lat?: string, lon?: string, column?: string, sizeM?: number }, idColumn: string|null }} LocationMapping
 *   (IMPORT's `LocationMapping`, src/analysis/import/location.rs)
 * @typedef {{ id: string, name: string, fileName: string, rows: number, columns: string[],
 *             allColumns: string[], location: LocationMapping,
 *             skipped: { count: number, rows: {row: number, column: string, value: string, reason: string}[] } }} LoadedLayer
 */
import { t, tn } from './i18n/i18n.js';
import { createProgress } from './progress.js';
import { showFileError } from './file-error.js';
import { el } from './dom.js';

function baseName(fileName) {
  return fileName.replace(/\.[^.]+$/, '');
}

/** The columns each kind of location needs (IMPORT's `LocationSource`). */
const KINDS = {
  rd: ['x', 'y'],
  latLon: ['lat', 'lon'],
  squareId: ['column'],
  areaCode: ['column'],
};

/** CSV (`;`, for Dutch Excel) of the skipped rows. */
function skippedCsv(fileName, rows) {
  const q = (v) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const lines = [['file', 'row', 'column', 'value', 'reason'].join(';')];
  for (const r of rows) lines.push([q(fileName), r.row, q(r.column), q(r.value), q(r.reason)].join(';'));
  return new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
}

/**
 * @param {HTMLElement} root
 * @param {{ engine: ReturnType<import('./engine.js').createEngine>,
 *           onLoaded: (layer: LoadedLayer) => Promise<void>|void,
 *           onRemoved: (layerId: string) => void }} hooks
 */
export function createFiles(root, { engine, onLoaded, onRemoved }) {
  /** @type {Map<string, LoadedLayer & { file: File }>} */
  const layers = new Map();
  let nextId = 1;
  let replaceTarget = null;

  const drop = el('div', 'drop');
  const input = el('input');
  input.type = 'file';
  input.multiple = true;
  input.hidden = true;
  input.accept = '.csv,.txt,.tsv,.xlsx,.xls,.ods,.geojson,.json,.parquet';
  input.id = 'file-input';
  const dropText = el('span', '', t('files.drop') + ' ');
  const pick = el('button', 'pick', t('files.pick'));
  pick.type = 'button';
  const formats = el('p', 'muted small', t('files.formats'));
  drop.append(dropText, pick, formats, input);

  const progressBox = el('div');
  const progress = createProgress(progressBox);
  const errorBox = el('div', 'file-error');
  errorBox.hidden = true;
  errorBox.setAttribute('role', 'alert');
  const list = el('ul', 'file-list');
  const empty = el('p', 'muted small', t('files.none'));
  root.append(drop, progressBox, errorBox, empty, list);

  pick.addEventListener('click', () => {
    replaceTarget = null;
    input.click();
  });
  input.addEventListener('change', async () => {
    const chosen = [...input.files];
    input.value = '';
    const target = replaceTarget;
    replaceTarget = null;
    for (const f of chosen) {
      if (target) await load(f, { layerId: target, name: layers.get(target)?.name });
      else await load(f);
    }
  });
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (ev) => {
      ev.preventDefault();
      drop.classList.add('over');
    });
  }
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    for (const f of ev.dataTransfer?.files || []) await load(f);
  });

  /**
   * @param {string} fileName
   * @param {any} err  the worker's error (file, row, column, value, and `preview` when the file
   *   was read but its locations could not be used)
   * @param {{ file: File, layerId: string, name: string }} [retry] offer the mapping step for this
   */
  function showError(fileName, err, retry) {
    showFileError(errorBox, fileName, err, t('files.errorKept'));
    if (retry && err.preview?.allColumns?.length) {
      // The column-mapping step: choose the location columns by hand and load again.
      const p = err.preview;
      const proposal = p.suggestedFix || p.location || (p.candidates?.[0] ? { source: p.candidates[0], idColumn: null } : null);
      const form = mappingForm({
        id: retry.layerId, name: retry.name, file: retry.file,
        allColumns: p.allColumns, location: proposal, sheets: p.sheets || [], sheet: p.sheet || null,
      });
      form.open = true;
      errorBox.append(form);
    }
  }

  /**
   * Load (or replace, when `opts.layerId` is a loaded layer) one file.
   * @param {File} file
   * @param {{ layerId?: string, name?: string, mapping?: LocationMapping, sheet?: string, source?: string,
   *           areasLayerId?: string }} [opts]  areasLayerId: the area layer for area codes
   * @returns {Promise<LoadedLayer|null>} null when cancelled or failed (shown to the user)
   */
  async function load(file, opts = {}) {
    const layerId = opts.layerId || `layer-${nextId++}`;
    // A layer restored from a project keeps its id: new ids continue after it.
    const restored = /^layer-(\d+)$/.exec(layerId);
    if (restored) nextId = Math.max(nextId, Number(restored[1]) + 1);
    const name = opts.name || baseName(file.name);
    errorBox.hidden = true;
    let handle = null;
    progress.start(`${t('progress.loading')}: ${file.name}`, () => handle?.cancel());
    document.body.dataset.loading = 'true';
    try {
      handle = engine.request(
        'importFile',
        {
          layerId, file, fileName: file.name, mapping: opts.mapping || null, sheet: opts.sheet || null,
          areasLayerId: opts.areasLayerId || null,
        },
        {
          replayKey: `layer:${layerId}`,
          onProgress: (p) => {
            const fraction = p.totalBytes ? p.bytesRead / p.totalBytes : null;
            progress.update(fraction, t('progress.rows', { rows: p.rowsRead ?? 0 }));
          },
        },
      );
      const result = await handle.promise;
      /** @type {LoadedLayer & {file: File}} */
      const layer = {
        id: layerId,
        name,
        fileName: file.name,
        file,
        source: opts.source || layers.get(layerId)?.source || '',
        rows: result.rows,
        columns: result.columns,
        allColumns: result.allColumns || result.columns,
        location: result.location,
        sheets: result.sheets || [],
        sheet: result.sheet || opts.sheet || null,
        areasLayerId: opts.areasLayerId || null,
        skipped: result.skipped || { count: 0, rows: [] },
        issues: result.issues || { count: 0, rows: [] },
        warnings: result.warnings || [],
      };
      layers.set(layerId, layer);
      progress.finish(`${file.name}: ${tn('files.rows', layer.rows, { rows: layer.rows })}`);
      render();
      await onLoaded(layer);
      return layer;
    } catch (err) {
      if (err.cancelled) progress.fail(t('progress.cancelled'));
      else {
        progress.hide();
        showError(file.name, err, { file, layerId, name });
      }
      return null;
    } finally {
      document.body.dataset.loading = 'false';
    }
  }

  async function remove(layerId) {
    layers.delete(layerId);
    engine.forget(`layer:${layerId}`);
    await engine.request('removeLayer', { layerId }).promise.catch(() => {});
    render();
    onRemoved(layerId);
  }

  function mappingForm(layer) {
    const details = el('details', 'mapping-details');
    const summary = el('summary', 'small', layer.location?.source
      ? `${t('files.mapping')}: ${describeMapping(layer.location)}`
      : t('files.mappingChoose'));
    details.append(summary);
    const form = el('form', 'mapping');
    form.append(el('p', 'muted small field-wide', t('files.mappingHelp')));
    const kind = el('select');
    kind.name = 'kind';
    for (const k of Object.keys(KINDS)) {
      const o = el('option', '', t(`files.kind.${k}`));
      o.value = k;
      kind.append(o);
    }
    const src = layer.location?.source || {};
    kind.value = KINDS[src.kind] ? src.kind : 'rd';
    const kindLabel = el('label', '', t('files.mappingKind'));
    kindLabel.append(kind);
    form.append(kindLabel);
    const colBox = el('div', 'mapping-cols');
    colBox.style.display = 'contents';
    form.append(colBox);
    const drawCols = () => {
      colBox.replaceChildren();
      KINDS[kind.value].forEach((role, roleIndex) => {
        const s = el('select');
        s.name = role;
        for (const c of layer.allColumns) {
          const o = el('option', '', c);
          o.value = c;
          s.append(o);
        }
        if (src.kind === kind.value && src[role]) s.value = src[role];
        else if (layer.allColumns[roleIndex]) s.value = layer.allColumns[roleIndex]; // x, y: 1st, 2nd
        const l = el('label', '', t(`files.col.${role}`));
        l.append(s);
        colBox.append(l);
      });
      if (kind.value === 'areaCode') {
        // Area codes are placed at the centroids of a loaded area layer (e.g. buurt GeoJSON).
        const a = el('select');
        a.name = 'areasLayerId';
        const auto = el('option', '', t('files.areasAuto'));
        auto.value = '';
        a.append(auto);
        for (const other of layers.values()) {
          if (other.id === layer.id) continue;
          const o = el('option', '', other.name);
          o.value = other.id;
          a.append(o);
        }
        const l = el('label', '', t('files.areasLayer'));
        l.append(a);
        colBox.append(l);
      }
    };
    kind.addEventListener('change', drawCols);
    drawCols();
    const idSel = el('select');
    idSel.name = 'idColumn';
    const none = el('option', '', t('files.col.rowNumber'));
    none.value = '';
    idSel.append(none);
    for (const c of layer.allColumns) {
      const o = el('option', '', c);
      o.value = c;
      idSel.append(o);
    }
    idSel.value = layer.location?.idColumn || '';
    const idLabel = el('label', '', t('files.col.id'));
    idLabel.append(idSel);
    form.append(idLabel);
    if (layer.sheets.length > 1) {
      const s = el('select');
      s.name = 'sheet';
      for (const name of layer.sheets) {
        const o = el('option', '', name);
        o.value = name;
        s.append(o);
      }
      if (layer.sheet) s.value = layer.sheet;
      const l = el('label', '', t('files.sheet'));
      l.append(s);
      form.append(l);
    }
    const apply = el('button', 'btn btn-small btn-primary', t('files.load'));
    apply.type = 'submit';
    form.append(apply);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const source = { kind: kind.value };
      for (const role of KINDS[kind.value]) source[role] = form.elements.namedItem(role).value;
      if (kind.value === 'squareId') source.sizeM = src.sizeM || 100;
      const mapping = { source, idColumn: idSel.value || null };
      const sheet = form.elements.namedItem('sheet')?.value;
      const areasLayerId = form.elements.namedItem('areasLayerId')?.value || null;
      load(layer.file, { layerId: layer.id, name: layer.name, mapping, sheet, areasLayerId });
    });
    details.append(form);
    return details;
  }

  function describeMapping(m) {
    const src = m?.source;
    if (!src) return '–';
    const cols = KINDS[src.kind]?.map((r) => src[r]).filter(Boolean) || [];
    return `${t(`files.kind.${src.kind}`)}${cols.length ? ' (' + cols.join(', ') + ')' : ''}`;
  }

  function render() {
    list.replaceChildren();
    empty.hidden = layers.size > 0;
    for (const layer of layers.values()) {
      const li = el('li', 'file-item');
      li.dataset.layerId = layer.id;
      const head = el('div', 'file-item-head');
      head.append(el('span', 'file-name', layer.name), el('span', 'muted small file-rows', tn('files.rows', layer.rows, { rows: layer.rows })));
      li.append(head);
      const sub = el('div', 'muted small', `${layer.fileName} · ${tn('files.columns', layer.columns.length)}${layer.source ? ' · ' + layer.source : ''}`);
      li.append(sub);
      for (const w of layer.warnings || []) li.append(el('div', 'small file-warning', `${t('files.warning')}: ${w}`));
      if (layer.skipped.count > 0) {
        // Which rows, where and why: the first few here, all of them in the download.
        const sk = el('div', 'small skipped');
        sk.append(el('span', '', tn('files.skipped', layer.skipped.count) + ' '));
        const dl = el('a', '', t('files.skippedDownload'));
        dl.href = URL.createObjectURL(skippedCsv(layer.fileName, layer.skipped.rows));
        dl.download = `${baseName(layer.fileName)}-overgeslagen.csv`;
        sk.append(dl);
        const list = el('ul', 'skipped-rows');
        for (const r of layer.skipped.rows.slice(0, 5)) {
          const where = t('files.errorAt', { row: r.row, column: r.column ?? '–' });
          const v = String(r.value ?? '');
          list.append(el('li', '', `${where}: ${r.reason}${v ? ` (“${v.length > 40 ? v.slice(0, 37) + '…' : v}”)` : ''}`));
        }
        if (layer.skipped.count > 5) list.append(el('li', 'muted', t('files.skippedMore', { count: layer.skipped.count - 5 })));
        sk.append(list);
        li.append(sk);
      }
      if (layer.issues?.count > 0) li.append(el('div', 'small muted', tn('files.issues', layer.issues.count)));
      li.append(mappingForm(layer));
      const actions = el('div', 'file-actions');
      const replace = el('button', 'btn btn-small', t('files.replace'));
      replace.type = 'button';
      replace.setAttribute('aria-label', `${t('files.replace')}: ${layer.name}`);
      replace.addEventListener('click', () => {
        replaceTarget = layer.id;
        input.click();
      });
      const rm = el('button', 'btn btn-small btn-danger', t('files.remove'));
      rm.type = 'button';
      rm.setAttribute('aria-label', `${t('files.remove')}: ${layer.name}`);
      rm.addEventListener('click', () => remove(layer.id));
      actions.append(replace, rm);
      li.append(actions);
      list.append(li);
    }
  }

  return {
    load,
    remove,
    layers: () => [...layers.values()],
    relabel() {
      dropText.textContent = t('files.drop') + ' ';
      pick.textContent = t('files.pick');
      formats.textContent = t('files.formats');
      empty.textContent = t('files.none');
      render();
    },
  };
}
