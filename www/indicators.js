/**
 * The list of map layers ("kaartlagen"): each is a numerator / denominator pair on a loaded file,
 * shown as a share within the radius. One is active (drawn, in the legend and histogram).
 * Also the small form to add one from any loaded file's columns.
 *
 * @typedef {{ id: string, layerId: string, label: string, labelKey?: string,
 *             numerator: string, denominator: string }} Indicator
 */
import { t } from './i18n/i18n.js';
import { el, select } from './dom.js';

/**
 * @param {HTMLElement} root
 * @param {{ onActivate: (id: string) => void, onAdd: (ind: Omit<Indicator,'id'>) => void,
 *           onRemove: (id: string) => void }} hooks
 */
export function createIndicatorList(root, hooks) {
  let state = { indicators: [], activeId: null, layers: [], busy: new Set() };

  function labelOf(ind) {
    return ind.labelKey ? t(ind.labelKey) : ind.label;
  }

  function render() {
    const focused = root.contains(document.activeElement) ? document.activeElement : null;
    const focusedRadio = focused?.name === 'indicator' ? focused.value : null;
    const formOpen = root.querySelector('details.ind-add')?.open || false;
    root.replaceChildren();
    const list = el('div', 'indicators');
    list.setAttribute('role', 'radiogroup');
    list.setAttribute('aria-label', t('indicators.title'));
    if (state.indicators.length === 0) list.append(el('p', 'muted small', t('indicators.none')));
    for (const ind of state.indicators) {
      const row = el('div', 'indicator');
      const input = el('input');
      input.type = 'radio';
      input.name = 'indicator';
      input.id = `ind-${ind.id}`;
      input.value = ind.id;
      input.checked = ind.id === state.activeId;
      input.addEventListener('change', () => input.checked && hooks.onActivate(ind.id));
      const label = el('label');
      label.htmlFor = input.id;
      const layer = state.layers.find((l) => l.id === ind.layerId);
      label.append(
        el('span', 'ind-name', labelOf(ind)),
        el('span', 'ind-sub', `${ind.numerator} / ${ind.denominator}${layer ? ' — ' + layer.name : ''}`),
      );
      if (state.busy.has(ind.id)) label.append(el('span', 'ind-sub', t('indicators.stale')));
      const remove = el('button', 'btn btn-small btn-ghost', '×');
      remove.type = 'button';
      remove.title = t('indicators.remove');
      remove.setAttribute('aria-label', `${t('indicators.remove')}: ${labelOf(ind)}`);
      remove.addEventListener('click', () => hooks.onRemove(ind.id));
      row.append(input, label, remove);
      list.append(row);
    }
    root.append(list);
    if (state.layers.length) {
      const form = addForm();
      form.open = formOpen;
      root.append(form);
    }
    if (focusedRadio) root.querySelector(`input[name="indicator"][value="${CSS.escape(focusedRadio)}"]`)?.focus();
  }

  function addForm() {
    const details = el('details', 'ind-add');
    details.append(el('summary', '', t('indicators.add')));
    const form = el('form', 'ind-form');
    const layerSel = select('layer', state.layers.map((l) => ({ value: l.id, label: l.name })));
    const cols = () => {
      const layer = state.layers.find((l) => l.id === layerSel.value);
      return (layer?.columns || []).map((c) => ({ value: c, label: c }));
    };
    let num = select('numerator', cols());
    let den = select('denominator', cols());
    const name = el('input');
    name.type = 'text';
    name.name = 'name';
    const wrap = (key, control) => {
      const l = el('label', 'field');
      l.append(el('span', '', t(key)), control);
      return l;
    };
    const numWrap = wrap('indicators.numerator', num);
    const denWrap = wrap('indicators.denominator', den);
    layerSel.addEventListener('change', () => {
      const n2 = select('numerator', cols());
      const d2 = select('denominator', cols());
      num.replaceWith(n2);
      den.replaceWith(d2);
      num = n2;
      den = d2;
    });
    const submit = el('button', 'btn btn-primary btn-small', t('indicators.create'));
    submit.type = 'submit';
    form.append(wrap('indicators.layer', layerSel), numWrap, denWrap, wrap('indicators.name', name), submit);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!num.value || !den.value) return;
      hooks.onAdd({
        layerId: layerSel.value,
        numerator: num.value,
        denominator: den.value,
        label: name.value.trim() || `${num.value} / ${den.value}`,
      });
    });
    details.append(form);
    return details;
  }

  render();
  return {
    /** @param {{ indicators: Indicator[], activeId: string|null, layers: {id,name,columns}[], busy?: Set<string> }} next */
    update(next) {
      state = { ...state, ...next, busy: next.busy || new Set() };
      render();
    },
    relabel: render,
    labelOf,
  };
}
