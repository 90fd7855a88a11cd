/**
 * The placement check (issue 6), a card in the what-if tab: the selected locations are candidates
 * for a vacant dwelling; the worker (`placementCheck` → src/wasm/placement.rs) gives for each the
 * share of a vulnerable group (default: persons on benefit per inhabitant) and the corporation
 * share within the radius, ranked least concentrated first and flagged above the user's
 * thresholds. Shown as a table, outlined on the map (flagged in red), exportable as CSV with
 * suppressed shares left empty. While the what-if scenario has steps, the check runs on the
 * scenario's counts (dwellings and corporation dwellings after the steps) and says so; otherwise on
 * the current situation. Ids are set with textContent only.
 */
import { t, tn, formatShare, formatNumber } from '../i18n/i18n.js';
import { number } from './csv.js';
import { el } from '../dom.js';

const SRC = 'locations';
const LAYER = 'placement-flagged';
const DEFAULT_GROUP = 'aantal_personen_met_uitkering_onder_aowlft';
const DEFAULT_GROUP_DEN = 'aantal_inwoners';

function labelled(tag, key, className) {
  const node = el(tag, className, t(key));
  node.dataset.i18n = key;
  return node;
}

/**
 * @param {HTMLElement} card
 * @param {{ engine, mapView, getInput: () => ({ layerId: string, columns: string[], rows: number[],
 *   settings: {radiusM, missing, suppressBelow}, dwellings: string, corporation: string } | null),
 *   csvFormat: () => 'nl'|'standard', isActive: () => boolean }} deps
 */
export function createPlacement(card, { engine, mapView, getInput, csvFormat, isActive }) {
  let result = null;
  let input = null;

  const help = labelled('p', 'placement.help', 'muted small');
  const form = el('form', 'placement-form');
  form.noValidate = true;
  const field = (key, control, id) => {
    const f = el('div', 'field');
    const l = labelled('label', key);
    control.id = id;
    l.htmlFor = id;
    f.append(l, control);
    return f;
  };
  const group = el('select');
  const groupDen = el('select');
  const groupPct = el('input');
  groupPct.type = 'number';
  groupPct.min = '0';
  groupPct.max = '100';
  groupPct.step = 'any';
  groupPct.value = '20';
  const corpPct = el('input');
  corpPct.type = 'number';
  corpPct.min = '0';
  corpPct.max = '100';
  corpPct.step = 'any';
  corpPct.value = '50';
  const run = labelled('button', 'placement.run', 'btn btn-primary');
  run.type = 'submit';
  run.id = 'placement-run';
  form.append(
    field('placement.group', group, 'placement-group'),
    field('placement.groupDen', groupDen, 'placement-group-den'),
    field('placement.groupPct', groupPct, 'placement-group-pct'),
    field('placement.corpPct', corpPct, 'placement-corp-pct'),
    run,
  );
  const status = el('p', 'muted small placement-status');
  status.setAttribute('aria-live', 'polite');
  const basis = el('p', 'small placement-basis');
  basis.id = 'placement-basis';
  const out = el('div', 'placement-out');
  out.id = 'placement-result';
  const exportBtn = labelled('button', 'placement.export', 'btn btn-small');
  exportBtn.type = 'button';
  exportBtn.id = 'placement-export';
  exportBtn.disabled = true;
  card.append(labelled('h2', 'placement.title'), help, form, status, basis, out, exportBtn);

  function fillColumns() {
    const cols = getInput()?.columns || [];
    const fill = (sel, preferred) => {
      const keep = sel.value;
      sel.replaceChildren(...cols.map((c) => {
        const o = el('option', '', c);
        o.value = c;
        return o;
      }));
      sel.value = cols.includes(keep) ? keep : cols.includes(preferred) ? preferred : cols[0] || '';
    };
    fill(group, DEFAULT_GROUP);
    fill(groupDen, DEFAULT_GROUP_DEN);
  }

  const pct = (share) => (share === null || share === undefined ? t('placement.suppressed') : formatShare(share));

  function render() {
    if (!result) {
      out.replaceChildren();
      basis.textContent = '';
      exportBtn.disabled = true;
      return;
    }
    const table = el('table', 'result-table placement-table');
    const head = el('tr');
    for (const k of ['placement.col.rank', 'placement.col.id', 'placement.col.group', 'placement.col.corp', 'placement.col.flag']) head.append(el('th', '', t(k)));
    const thead = el('thead');
    thead.append(head);
    const body = el('tbody');
    for (const r of result.rows) {
      const tr = el('tr', r.groupFlag || r.corporationFlag ? 'placement-flagged' : '');
      Object.assign(tr.dataset, {
        rank: String(r.rank), id: r.id, row: String(r.row), groupShare: String(r.groupShare ?? ''),
        corporationShare: String(r.corporationShare ?? ''), groupFlag: String(r.groupFlag),
        corporationFlag: String(r.corporationFlag), suppressed: String(r.suppressed),
      });
      const flags = [r.groupFlag && t('placement.flag.group'), r.corporationFlag && t('placement.flag.corp')].filter(Boolean).join(', ');
      tr.append(
        el('td', 'num', formatNumber(r.rank)), el('td', '', r.id), el('td', 'num', pct(r.groupShare)),
        el('td', 'num', pct(r.corporationShare)), el('td', '', flags || '–'),
      );
      body.append(tr);
    }
    table.append(thead, body);
    out.replaceChildren(table);
    exportBtn.disabled = false;
    status.textContent = t('placement.status', {
      n: result.rows.length, flagged: result.rows.filter((r) => r.groupFlag || r.corporationFlag).length,
      radius: result.settings.radiusM, k: result.settings.suppressBelow,
    });
    basis.textContent = result.scenario
      ? tn('placement.basis.scenario', result.scenario.steps, { name: result.scenario.name })
      : t('placement.basis.now');
    basis.dataset.basis = result.scenario ? 'scenario' : 'now';
    basis.dataset.steps = String(result.scenario?.steps ?? 0);
    showOnMap();
  }

  async function ensureLayer() {
    await mapView.ready;
    const map = mapView.map;
    if (!map.getLayer(LAYER)) {
      map.addLayer({
        id: LAYER, type: 'line', source: SRC, filter: ['==', ['id'], -1],
        paint: { 'line-color': '#d6336c', 'line-width': 3 },
      });
    }
    return map;
  }

  async function showOnMap() {
    const map = await ensureLayer();
    const flagged = result && isActive() ? result.rows.filter((r) => r.groupFlag || r.corporationFlag).map((r) => r.row) : [];
    map.setFilter(LAYER, ['in', ['id'], ['literal', flagged]]);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    input = getInput();
    if (!input || !input.rows.length) {
      status.textContent = t('whatif.emptySelection');
      return;
    }
    const settings = {
      radiusM: input.settings.radiusM, suppressBelow: input.settings.suppressBelow,
      groupThresholdPct: Number(groupPct.value), corporationThresholdPct: Number(corpPct.value),
    };
    run.disabled = true;
    status.textContent = '…';
    try {
      const rows = await engine.request('placementCheck', {
        layerId: input.layerId, rows: input.rows, dwellings: input.dwellings, corporation: input.corporation,
        group: group.value, groupDenominator: groupDen.value, missing: input.settings.missing, settings,
        scenarioId: input.scenarioId || null,
      }).promise;
      const scenario = input.scenarioId ? { name: input.scenarioName, steps: input.scenarioSteps } : null;
      result = { rows, settings, group: group.value, groupDen: groupDen.value, scenario };
      render();
    } catch (err) {
      result = null;
      render();
      status.textContent = `${t('engine.error')}: ${err.message}`;
    } finally {
      run.disabled = false;
      card.dataset.done = String(Number(card.dataset.done || 0) + 1);
    }
  });

  exportBtn.addEventListener('click', () => {
    if (!result) return;
    const format = csvFormat();
    const sep = format === 'nl' ? ';' : ',';
    const q = (v) => (/[";\r\n,]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const share = (v) => (v === null || v === undefined ? '' : number(v, format));
    const lines = [
      [t('placement.col.rank'), t('placement.col.id'), `${result.group}/${result.groupDen}`, t('placement.col.corp'),
        t('placement.flag.group'), t('placement.flag.corp'), t('placement.suppressed')].map(q).join(sep),
      ...result.rows.map((r) => [r.rank, q(r.id), share(r.groupShare), share(r.corporationShare),
        r.groupFlag ? 1 : 0, r.corporationFlag ? 1 : 0, r.suppressed ? 1 : 0].join(sep)),
    ];
    const text = `${format === 'nl' ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    a.download = 'plaatsingstoets.csv';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });

  /** The form's values (for the project file) and back. */
  function getState() {
    return { group: group.value, groupDenominator: groupDen.value, groupThresholdPct: Number(groupPct.value), corporationThresholdPct: Number(corpPct.value) };
  }
  function setState(st) {
    if (!st) return;
    fillColumns();
    const pick = (sel, v) => {
      if (v !== undefined && [...sel.options].some((o) => o.value === v)) sel.value = v;
    };
    pick(group, st.group);
    pick(groupDen, st.groupDenominator);
    if (Number.isFinite(st.groupThresholdPct)) groupPct.value = String(st.groupThresholdPct);
    if (Number.isFinite(st.corporationThresholdPct)) corpPct.value = String(st.corporationThresholdPct);
  }

  return {
    getState,
    setState,
    refresh() {
      fillColumns();
    },
    relabel() {
      render();
    },
    showOnMap: () => showOnMap(),
  };
}
