/**
 * Feature module www/project/ (issue 5): "Project opslaan" / "Project openen" in the header
 * (`#project-host`). A project is a local, versioned JSON file (format.js) built from the parts
 * registered in registry.js: this module registers settings, layers (with their column mapping,
 * and the file bytes only when the user ticks "gegevens meesturen"), indicators (map layers and
 * the active one), the map view and the what-if scenario; other features may register more.
 *
 * Opening checks the whole file first (broken JSON, another format, a newer version, a bad field:
 * a clear message and nothing changes). Layers saved without data are taken from the page when the
 * same file is loaded already (the bundled demo), otherwise the user is asked for the files by name;
 * a layer still without a file is skipped and named. Then the session is rebuilt: settings, layers
 * loaded with their saved mapping, map layers recomputed, the active one drawn, the scenario
 * replayed. Nothing is kept in the browser. A project picked while the page is still starting (the
 * demo being loaded and drawn) waits until it has started, and says so; so does saving (else the
 * layers still loading would be left out).
 *
 * The host's dataset tells a test what happened: `state` (idle|busy|done|refused|cancelled),
 * `done` (a counter), `message`.
 */
import { t, onLanguageChange } from '../i18n/i18n.js';
import { registerProjectPart, projectParts } from './registry.js';
import { FORMAT, VERSION, ProjectError, parseProject, validateProject, toBase64 } from './format.js';
import './i18n.js';
import './project.css';
import { el } from '../dom.js';

const isoDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const CORE = new Set(['settings', 'layers', 'indicators']);

export function install(app) {
  const host = document.getElementById('project-host');
  if (!host) return;

  // ---- the controls ---------------------------------------------------------------------------
  const group = el('div', 'project');
  group.setAttribute('role', 'group');
  const save = el('button', 'btn btn-small');
  save.type = 'button';
  save.id = 'project-save';
  const dataLabel = el('label', 'project-data');
  const dataBox = el('input');
  dataBox.type = 'checkbox';
  dataBox.id = 'project-include-data';
  const dataText = el('span');
  dataLabel.append(dataBox, dataText);
  const open = el('button', 'btn btn-small');
  open.type = 'button';
  open.id = 'project-open';
  const input = el('input');
  input.type = 'file';
  input.id = 'project-file';
  input.accept = '.json,application/json';
  input.hidden = true;
  group.append(save, dataLabel, open, input);
  host.append(group);

  const dialog = el('dialog', 'project-dialog');
  dialog.id = 'project-dialog';
  document.body.append(dialog);

  function relabel() {
    group.setAttribute('aria-label', t('project.group'));
    save.textContent = t('project.save');
    open.textContent = t('project.open');
    dataText.textContent = t('project.includeData');
    dataLabel.title = t('project.includeDataTitle');
  }
  relabel();
  onLanguageChange(relabel);

  let done = 0;
  function report(message, state, kind = 'info') {
    host.dataset.state = state;
    host.dataset.message = message;
    if (state !== 'busy') host.dataset.done = String(++done);
    if (message && state !== 'busy') app.toast(message, kind);
  }
  host.dataset.state = 'idle';

  // ---- the parts this module saves --------------------------------------------------------------
  registerProjectPart('settings', {
    save: () => app.settings.get(),
    restore: async (s) => app.settings.set({ radiusM: s.radiusM, missing: s.missing, suppressBelow: s.suppressBelow }),
  });

  registerProjectPart('layers', {
    async save({ includeData }) {
      const out = [];
      for (const l of app.files.layers()) {
        if (!app.state.layers.has(l.id)) continue; // still loading
        const entry = {
          id: l.id, name: l.name, fileName: l.fileName, size: l.file.size, rows: l.rows,
          mapping: l.location || null, sheet: l.sheet || null, areasLayerId: l.areasLayerId || null,
          source: l.source || '',
        };
        if (includeData) entry.data = toBase64(new Uint8Array(await l.file.arrayBuffer()));
        out.push(entry);
      }
      return out;
    },
    // Restored by `openProject` (it needs the files the user picked); see restoreLayers.
    restore: async () => {},
  });

  registerProjectPart('indicators', {
    save: () => ({
      list: app.state.indicators.map(({ id, layerId, label, labelKey, numerator, denominator }) => ({
        id, layerId, ...(labelKey ? { labelKey } : { label: label ?? '' }), numerator, denominator,
      })),
      activeId: app.state.activeId,
    }),
    restore: async () => {},
  });

  registerProjectPart('view', {
    save: () => {
      const c = app.mapView.map.getCenter();
      return { center: [c.lng, c.lat], zoom: app.mapView.map.getZoom() };
    },
    restore: async (v) => {
      if (!v || !Array.isArray(v.center) || !v.center.every(Number.isFinite) || !Number.isFinite(v.zoom)) return;
      app.mapView.map.jumpTo({ center: v.center, zoom: v.zoom });
    },
  });

  registerProjectPart('scenario', {
    save: async () => (await app.whatIf.toJSON()) ?? null,
    async restore(value) {
      if (value) return app.whatIf.fromJSON(value);
      // Saved without a scenario: clear one that this session has.
      if (await app.whatIf.toJSON()) return app.whatIf.fromJSON({ kind: 'veerkracht-scenario', version: 1, name: '', steps: [] });
      return undefined;
    },
  });

  // Opening rebuilds the session, so not while the page is still starting (the demo being loaded
  // and drawn builds one too): a project picked before that waits for it, and says so. Saving
  // waits too: a layer still loading is not in the session yet and would be left out.
  let pageReady = false;
  const ready = app.whenReady().then(() => (pageReady = true));
  async function untilStarted(key) {
    if (pageReady) return;
    report(t(key), 'busy');
    app.toast(t(key));
    await ready;
  }

  // ---- save -------------------------------------------------------------------------------------
  async function buildProject(includeData) {
    const project = {
      format: FORMAT, version: VERSION, savedAt: new Date().toISOString(), includesData: includeData,
      settings: null, layers: [], indicators: [], activeId: null, parts: {},
    };
    for (const [name, part] of projectParts()) {
      const value = await part.save({ includeData });
      if (name === 'settings') project.settings = value;
      else if (name === 'layers') project.layers = value;
      else if (name === 'indicators') {
        project.indicators = value.list;
        project.activeId = value.activeId;
      } else project.parts[name] = value ?? null;
    }
    return project;
  }

  save.addEventListener('click', async () => {
    save.disabled = true;
    try {
      await untilStarted('project.saveWaiting');
      const includeData = dataBox.checked;
      const project = await buildProject(includeData);
      const file = `veerkracht-project-${isoDate(new Date())}.json`;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(project)], { type: 'application/json' }));
      a.download = file;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      report(t(includeData ? 'project.saved' : 'project.savedNoData', { file }), 'done');
    } catch (err) {
      report(`${t('engine.error')}: ${err.message}`, 'refused', 'error');
    } finally {
      save.disabled = false;
    }
  });

  // ---- open -------------------------------------------------------------------------------------
  open.addEventListener('click', () => input.click());
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) await openProject(file);
  });

  /** A loaded layer that already is what the project describes (same file, same mapping). */
  async function alreadyLoaded(pl) {
    const l = app.files.layers().find((x) => x.id === pl.id);
    if (!l || !app.state.layers.has(l.id)) return false;
    const same = l.fileName === pl.fileName && l.rows === pl.rows && l.file.size === pl.size
      && JSON.stringify(l.location || null) === JSON.stringify(pl.mapping || null) && (l.sheet || null) === (pl.sheet || null);
    if (!same || !pl.bytes) return same;
    const bytes = new Uint8Array(await l.file.arrayBuffer());
    return bytes.length === pl.bytes.length && bytes.every((b, i) => b === pl.bytes[i]);
  }

  /** Ask for the files of layers saved without data: Map layerId → File, or null when cancelled. */
  function askForFiles(missing) {
    return new Promise((resolve) => {
      dialog.replaceChildren();
      const form = el('form', 'project-missing');
      form.method = 'dialog';
      form.append(el('h2', '', t('project.missingTitle')), el('p', 'small', t('project.missingText')));
      const inputs = [];
      for (const pl of missing) {
        const label = el('label', 'project-missing-file');
        label.append(el('span', '', t('project.missingFile', { name: pl.name, file: pl.fileName })));
        const f = el('input');
        f.type = 'file';
        f.dataset.layerId = pl.id;
        f.dataset.fileName = pl.fileName;
        f.accept = `.${pl.fileName.split('.').pop()}`;
        label.append(f);
        inputs.push(f);
        form.append(label);
      }
      form.append(el('p', 'muted small', t('project.missingSkip')));
      const buttons = el('div', 'project-dialog-buttons');
      const ok = el('button', 'btn btn-primary btn-small', t('project.missingOpen'));
      ok.type = 'submit';
      ok.id = 'project-missing-open';
      const cancel = el('button', 'btn btn-small', t('project.cancel'));
      cancel.type = 'button';
      cancel.id = 'project-missing-cancel';
      buttons.append(ok, cancel);
      form.append(buttons);
      dialog.append(form);
      let answered = false;
      const finish = (value) => {
        if (answered) return;
        answered = true;
        if (dialog.open) dialog.close();
        resolve(value);
      };
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const picked = new Map();
        for (const f of inputs) if (f.files?.[0]) picked.set(f.dataset.layerId, f.files[0]);
        finish(picked);
      });
      cancel.addEventListener('click', () => finish(null));
      dialog.addEventListener('cancel', () => finish(null), { once: true }); // Escape
      dialog.showModal();
      inputs[0]?.focus();
    });
  }

  let opening = false;
  async function openProject(file) {
    if (opening) return;
    opening = true;
    await untilStarted('project.waiting');
    report(t('project.opening'), 'busy');
    let changed = false;
    try {
      const project = validateProject(parseProject(await file.text()));
      // Which layers need a file: no data in the project and not already loaded as saved.
      const keep = new Set();
      const missing = [];
      for (const pl of project.layers) {
        if (await alreadyLoaded(pl)) keep.add(pl.id);
        else if (!pl.bytes) missing.push(pl);
      }
      let picked = new Map();
      if (missing.length) {
        picked = await askForFiles(missing);
        if (!picked) {
          report(t('project.cancelled'), 'cancelled');
          return;
        }
      }
      changed = true;
      const skipped = await restore(project, keep, picked);
      report(skipped.length
        ? t('project.openedMissing', { file: file.name, layers: skipped.map((l) => `${l.name} (${l.fileName})`).join(', ') })
        : t('project.opened', { file: file.name }), 'done');
    } catch (err) {
      if (err instanceof ProjectError && !changed) {
        report(t('project.refused', { reason: t(err.key, err.vars) }), 'refused', 'error');
      } else {
        // Refused half-way (a file that no longer loads): say so, without promising nothing changed.
        console.warn(err);
        report(t('project.failed', { detail: err.message }), 'refused', 'error');
      }
    } finally {
      opening = false;
    }
  }

  /** Rebuild the session from a checked project. Returns the layers skipped for want of a file. */
  async function restore(project, keep, picked) {
    app.state.scoring?.cancel();
    for (const ind of [...app.state.indicators]) app.removeIndicator(ind.id);
    if (app.state.selected >= 0) app.selectLocation(-1);

    // Settings first: everything computed below uses them.
    await partNamed('settings').restore(project.settings);

    // Layers: drop those the project does not have, load the others with their saved mapping.
    // (A layer loaded under a project layer's id is replaced by the load itself.)
    const willLoad = new Set(project.layers.filter((l) => keep.has(l.id) || l.bytes || picked.has(l.id)).map((l) => l.id));
    for (const l of app.files.layers()) if (!willLoad.has(l.id)) await app.files.remove(l.id);
    const skipped = [];
    for (const pl of project.layers) {
      if (keep.has(pl.id)) continue;
      const file = pl.bytes
        ? new File([pl.bytes], pl.fileName, { type: 'application/octet-stream' })
        : picked.get(pl.id);
      if (!file) {
        skipped.push(pl);
        continue;
      }
      const loaded = await app.files.load(file, {
        layerId: pl.id, name: pl.name, mapping: pl.mapping || undefined, sheet: pl.sheet || undefined,
        areasLayerId: pl.areasLayerId || undefined, source: pl.source || undefined,
      });
      if (!loaded) throw new Error(`${pl.fileName}: ${t('files.error', { file: pl.fileName })}`);
    }

    // Map layers on the layers that are there, recomputed with the restored settings.
    const present = new Set(app.state.layers.keys());
    const indicators = project.indicators.filter((i) => present.has(i.layerId));
    app.state.indicators.push(...indicators.map((i) => ({ ...i })));
    app.state.activeId = indicators.some((i) => i.id === project.activeId) ? project.activeId : indicators[0]?.id ?? null;
    // New map layers added later get ids of their own (Date-based), no clash with restored ones.
    if (indicators.length) await app.recomputeAll();

    // The other parts (view, scenario, other features') in their registered order.
    const parts = project.parts || {};
    for (const [name, part] of projectParts()) {
      if (CORE.has(name) || !(name in parts)) continue;
      if (name === 'scenario' && skipped.some((l) => l.name === parts.scenario?.layer)) continue;
      await part.restore(parts[name]);
    }
    return skipped;
  }

  function partNamed(name) {
    return projectParts().find(([n]) => n === name)[1];
  }
}
