/**
 * The typology rule editor: an ordered list of rules (colour, description, conditions), each
 * condition a column, a comparison and a threshold (a value, or a quantile of the column), and
 * an optional intensity (the increase of a column between year A and B, cut by edges).
 * The state is plain data; `toSettings` turns it into the core's TypologySettings
 * (src/analysis/typology.rs) with real column names for the chosen years.
 *
 * Column keys: `score:<name>:A` / `score:<name>:B` (a Leefbaarometer score in year A/B) or
 * `area:<column>` (a column of the area table, e.g. `area:bijstand_pct`).
 */
import { t, formatNumber } from '../i18n/i18n.js';
import { HUES } from './palettes.js';
import { el, select } from '../dom.js';

export const OPS = ['>=', '>', '<', '<='];
const OP_TEXT = { '>=': '≥', '>': '>', '<': '<', '<=': '≤' };

/** The study's example on the buurt data: nuisance (onv, lower = worse) and welfare share. */
export function defaultTypology() {
  return {
    rules: [
      {
        hue: 'red', labelKey: 'amap.ty.defaultRed', label: '',
        when: [
          { col: 'score:onv:B', op: '<', thr: { kind: 'quantile', v: 1 / 3 } },
          { col: 'area:bijstand_pct', op: '>=', thr: { kind: 'value', v: 5 } },
        ],
      },
      {
        hue: 'blue', labelKey: 'amap.ty.defaultBlue', label: '',
        when: [
          { col: 'area:bijstand_pct', op: '>=', thr: { kind: 'value', v: 5 } },
          { col: 'score:onv:B', op: '>=', thr: { kind: 'quantile', v: 1 / 3 } },
        ],
      },
    ],
    intensity: { score: '', breaks: [0, 0.1] },
  };
}

/**
 * The same example on locations (e.g. CBS squares): much corporation property within the radius
 * and a high share on benefit (top third) → red; a high share with less corporation property →
 * blue; intensity from the increase of the share (percentage points) since the earlier year.
 */
export function defaultLocationTypology() {
  return {
    rules: [
      {
        hue: 'red', labelKey: 'amap.sq.defaultRed', label: '',
        when: [
          { col: 'sq:corporatie_pct', op: '>', thr: { kind: 'value', v: 50 } },
          { col: 'sq:share_pct_b', op: '>=', thr: { kind: 'quantile', v: 2 / 3 } },
        ],
      },
      {
        hue: 'blue', labelKey: 'amap.sq.defaultBlue', label: '',
        when: [
          { col: 'sq:share_pct_b', op: '>=', thr: { kind: 'quantile', v: 2 / 3 } },
          { col: 'sq:corporatie_pct', op: '<=', thr: { kind: 'value', v: 50 } },
        ],
      },
    ],
    intensity: { score: 'share_pct', breaks: [0, 2] },
  };
}

/** The real column name of a key for the chosen years. */
export function columnName(key, yearA, yearB) {
  const [kind, name, which] = key.split(':');
  if (kind === 'score') return `${name}_${which === 'A' ? yearA : yearB}`;
  return name;
}

/** Rule label: the user's text, else the default text in the current language. */
export function ruleLabel(rule) {
  return rule.label || (rule.labelKey ? t(rule.labelKey) : '');
}

/** The core's TypologySettings for this editor state. */
export function toSettings(state, yearA, yearB) {
  const s = state.intensity.score;
  // `share_pct` (locations): share_pct_a → share_pct_b; a score: <score>_<yearA> → <score>_<yearB>.
  const [a, b] = s === 'share_pct' ? ['share_pct_a', 'share_pct_b'] : [`${s}_${yearA}`, `${s}_${yearB}`];
  const intensity = s ? { column: a, columnB: b, breaks: state.intensity.breaks } : null;
  return {
    rules: state.rules.map((r) => ({
      class: r.hue,
      label: ruleLabel(r),
      when: r.when.map((c) => ({
        column: columnName(c.col, yearA, yearB),
        op: c.op,
        threshold: c.thr.kind === 'quantile' ? { quantile: c.thr.v } : { value: c.thr.v },
      })),
    })),
    intensity,
  };
}

/** "0,05" or "0.05" → 0.05; NaN when not a number. */
export function parseNumber(text) {
  const s = String(text).trim().replace(/\s/g, '').replace(',', '.');
  return s === '' ? NaN : Number(s);
}

/** "0,05; 0,1" → [0.05, 0.1] (null when any part is not a number). */
export function parseList(text) {
  const parts = String(text).split(/[;\s]+/).filter(Boolean).map(parseNumber);
  return parts.every(Number.isFinite) ? parts : null;
}

/**
 * Draw the editor into `root`; every edit updates `state` and calls `onChange()`.
 * @param {{ columns: {value: string, label: string}[], scores: {value: string, label: string}[] }} choices
 */
export function renderEditor(root, state, choices, onChange) {
  root.replaceChildren();
  root.classList.add('amap-editor');
  const changed = (rerender = false) => {
    if (rerender) renderEditor(root, state, choices, onChange);
    onChange();
  };
  root.append(el('h4', '', t('amap.ty.rules')));
  const list = el('ol', 'amap-rules');
  state.rules.forEach((rule, r) => {
    const li = el('li', 'amap-rule');
    li.dataset.rule = String(r);
    const head = el('div', 'amap-rule-head');
    const hue = select('hue', HUES.map((h) => ({ value: h, label: t(`amap.hue.${h}`) })), rule.hue);
    hue.setAttribute('aria-label', t('amap.ty.colour'));
    hue.addEventListener('change', () => { rule.hue = hue.value; changed(); });
    const label = el('input');
    label.type = 'text';
    label.name = 'label';
    label.value = ruleLabel(rule);
    label.setAttribute('aria-label', t('amap.ty.label'));
    label.addEventListener('change', () => { rule.label = label.value; rule.labelKey = ''; changed(); });
    const up = el('button', 'btn btn-ghost btn-small', '↑');
    up.type = 'button';
    up.title = t('amap.ty.up');
    up.setAttribute('aria-label', t('amap.ty.up'));
    up.disabled = r === 0;
    up.addEventListener('click', () => {
      [state.rules[r - 1], state.rules[r]] = [state.rules[r], state.rules[r - 1]];
      changed(true);
    });
    const remove = el('button', 'btn btn-ghost btn-small btn-danger', t('amap.ty.remove'));
    remove.type = 'button';
    remove.dataset.action = 'remove-rule';
    remove.addEventListener('click', () => { state.rules.splice(r, 1); changed(true); });
    head.append(el('span', 'amap-rule-n', t('amap.ty.rule', { n: r + 1 })), hue, label, up, remove);
    li.append(head);
    rule.when.forEach((cond, k) => {
      const row = el('div', 'amap-cond');
      row.dataset.cond = String(k);
      const col = select('column', choices.columns, cond.col);
      col.setAttribute('aria-label', t('amap.ty.column'));
      col.addEventListener('change', () => { cond.col = col.value; changed(); });
      const op = select('op', OPS.map((o) => ({ value: o, label: OP_TEXT[o] })), cond.op);
      op.setAttribute('aria-label', t('amap.ty.op'));
      op.addEventListener('change', () => { cond.op = op.value; changed(); });
      const kind = select('thresholdKind', [
        { value: 'value', label: t('amap.ty.value') },
        { value: 'quantile', label: t('amap.ty.quantile') },
      ], cond.thr.kind);
      kind.setAttribute('aria-label', t('amap.ty.thresholdKind'));
      kind.addEventListener('change', () => { cond.thr.kind = kind.value; changed(); });
      const value = el('input');
      value.type = 'text';
      value.inputMode = 'decimal';
      value.name = 'threshold';
      value.size = 7;
      value.value = formatNumber(cond.thr.v, 4);
      value.setAttribute('aria-label', t('amap.ty.threshold'));
      value.addEventListener('change', () => {
        const v = parseNumber(value.value);
        value.setCustomValidity(Number.isFinite(v) ? '' : t('amap.badNumbers'));
        if (!Number.isFinite(v)) return value.reportValidity();
        cond.thr.v = v;
        changed();
      });
      const del = el('button', 'btn btn-ghost btn-small', '×');
      del.type = 'button';
      del.setAttribute('aria-label', t('amap.ty.remove'));
      del.disabled = rule.when.length <= 1;
      del.addEventListener('click', () => { rule.when.splice(k, 1); changed(true); });
      row.append(col, op, kind, value, del);
      li.append(row);
    });
    const addCond = el('button', 'btn btn-ghost btn-small', t('amap.ty.addCondition'));
    addCond.type = 'button';
    addCond.addEventListener('click', () => {
      rule.when.push({ col: choices.columns[0].value, op: '>=', thr: { kind: 'quantile', v: 0.5 } });
      changed(true);
    });
    li.append(addCond);
    list.append(li);
  });
  root.append(list);
  const addRule = el('button', 'btn btn-small', t('amap.ty.addRule'));
  addRule.type = 'button';
  addRule.dataset.action = 'add-rule';
  addRule.addEventListener('click', () => {
    state.rules.push({
      hue: HUES[state.rules.length % HUES.length], labelKey: '', label: '',
      when: [{ col: choices.columns[0].value, op: '>=', thr: { kind: 'quantile', v: 0.5 } }],
    });
    changed(true);
  });
  root.append(addRule);

  // Intensity: the increase of one score between the two years.
  const box = el('div', 'amap-intensity');
  box.append(el('h4', '', t('amap.ty.intensity')));
  const score = select('intensityScore', [{ value: '', label: t('amap.ty.intensityNone') }, ...choices.scores], state.intensity.score);
  score.addEventListener('change', () => { state.intensity.score = score.value; changed(); });
  const breaks = el('input');
  breaks.type = 'text';
  breaks.name = 'intensityBreaks';
  breaks.value = state.intensity.breaks.map((b) => formatNumber(b, 4)).join('; ');
  breaks.addEventListener('change', () => {
    const list2 = parseList(breaks.value);
    breaks.setCustomValidity(list2 ? '' : t('amap.badNumbers'));
    if (!list2) return breaks.reportValidity();
    state.intensity.breaks = list2;
    changed();
  });
  const l1 = el('label', 'field');
  l1.append(el('span', '', t('amap.ty.intensityColumn')), score);
  const l2 = el('label', 'field');
  l2.append(el('span', '', t('amap.ty.intensityBreaks')), breaks);
  box.append(l1, l2, el('p', 'muted small', t('amap.ty.intensityNote')));
  root.append(box);
}
