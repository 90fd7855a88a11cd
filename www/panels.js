/**
 * The details panel for a selected location: its id, its own counts, the sums within the radius
 * and the share. Everything that may come from a user's file (ids, column names) is set with
 * textContent, never innerHTML.
 *
 * @typedef {{ label: string, value: number }} LabelledValue
 * @typedef {{
 *   layerName: string, id: string, xRd: number, yRd: number, radiusM: number, k: number,
 *   own: LabelledValue[], sums: LabelledValue[],
 *   share: number, shareState: 'ok'|'suppressed'|'none', band: string, indicator: string
 * }} LocationDetails
 */
import { t, formatNumber, formatShare } from './i18n/i18n.js';
import { el } from './dom.js';

/** Rows of [label, text, className?, exact value?]; the exact number rides along in data-value. */
function table(rows, kind) {
  const tbl = el('table', 'kv');
  if (kind) tbl.dataset.kind = kind;
  const body = el('tbody');
  for (const [k, v, cls, value] of rows) {
    const tr = el('tr', cls);
    const td = el('td', 'num', v);
    if (value !== undefined) td.dataset.value = String(value);
    tr.dataset.label = k;
    tr.append(el('th', '', k), td);
    body.append(tr);
  }
  tbl.append(body);
  return tbl;
}

/**
 * @param {HTMLElement} root
 * @param {{ onSearch: (id: string) => void }} hooks
 */
export function createDetails(root, { onSearch }) {
  const form = el('form', 'search');
  form.setAttribute('role', 'search');
  const input = el('input');
  input.type = 'search';
  input.name = 'id';
  input.id = 'details-search';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.dataset.i18nPlaceholder = 'details.search';
  input.placeholder = t('details.search');
  input.setAttribute('aria-label', t('details.search'));
  const go = el('button', 'btn btn-small', t('details.searchButton'));
  go.type = 'submit';
  go.dataset.i18n = 'details.searchButton';
  form.append(input, go);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = input.value.trim();
    if (id) onSearch(id);
  });

  const body = el('div', 'details-body');
  body.setAttribute('aria-live', 'polite');
  root.append(form, body);
  let last = null;

  function hint(text) {
    body.replaceChildren(el('p', 'muted', text));
  }

  function render(d) {
    const head = el('div', 'details-head');
    head.append(el('div', 'details-id', d.id), el('div', 'muted small', d.layerName));
    const shareText =
      d.shareState === 'ok'
        ? formatShare(d.share)
        : d.shareState === 'suppressed'
          ? t('details.suppressed', { k: d.k })
          : t('details.noShare');
    const share = el('div', 'details-share');
    share.dataset.value = String(d.share);
    share.append(
      el('div', 'muted small', `${d.indicator} — ${t('details.share', { radius: d.radiusM })}`),
      el('div', `details-share-value ${d.shareState}`, shareText),
    );
    if (d.shareState === 'ok') share.append(el('div', 'muted small', `${t('details.band')}: ${d.band}`));
    share.dataset.state = d.shareState;

    const fmt = (v) => (Number.isNaN(v) ? t('details.missing') : formatNumber(v));
    body.replaceChildren(
      head,
      share,
      el('h4', '', t('details.own')),
      table(d.own.map((r) => [r.label, fmt(r.value), '', r.value]), 'own'),
      el('h4', '', t('details.within', { radius: d.radiusM })),
      table(d.sums.map((r) => [r.label, fmt(r.value), '', r.value]), 'sums'),
      table([[t('details.xy'), `${formatNumber(d.xRd, 0)}, ${formatNumber(d.yRd, 0)}`, 'muted']]),
    );
  }

  hint(t('details.hint'));
  return {
    /** @param {LocationDetails} d */
    show(d) {
      last = d;
      render(d);
    },
    clear() {
      last = null;
      hint(t('details.hint'));
    },
    notFound(id, layerName) {
      last = null;
      hint(t('details.notFound', { id, layer: layerName }));
    },
    relabel() {
      if (last) render(last);
      else hint(t('details.hint'));
    },
  };
}
