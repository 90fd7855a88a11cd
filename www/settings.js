/**
 * The score settings form: radius (m), missing-value policy, suppression k.
 * Emits `onChange(settings)` when the user commits a value (change event / Enter).
 *
 * @typedef {{ radiusM: number, missing: 'countAsZero'|'leaveOut', suppressBelow: number }} ScoreSettings
 */
import { t } from './i18n/i18n.js';

export const DEFAULT_SETTINGS = Object.freeze({ radiusM: 200, missing: 'countAsZero', suppressBelow: 10 });

/**
 * @param {HTMLFormElement} form with inputs named radiusM, missing (radio), suppressBelow and a
 *   `[data-missing-note]` element
 * @param {{ onChange: (s: ScoreSettings) => void }} hooks
 */
export function createSettings(form, { onChange }) {
  let current = { ...DEFAULT_SETTINGS };
  const radius = form.elements.namedItem('radiusM');
  const k = form.elements.namedItem('suppressBelow');
  const note = form.querySelector('[data-missing-note]');

  function write(s) {
    radius.value = String(s.radiusM);
    k.value = String(s.suppressBelow);
    for (const r of form.querySelectorAll('input[name="missing"]')) r.checked = r.value === s.missing;
    relabel();
  }

  function relabel() {
    note.textContent = t(current.missing === 'leaveOut' ? 'settings.missingNoteLeaveOut' : 'settings.missingNote');
  }

  function read() {
    const radiusM = Number(radius.value);
    const suppressBelow = Number(k.value);
    const missing = form.querySelector('input[name="missing"]:checked')?.value || 'countAsZero';
    return { radiusM, missing, suppressBelow };
  }

  function commit() {
    const next = read();
    const valid =
      Number.isFinite(next.radiusM) && next.radiusM > 0 && next.radiusM <= 10000 &&
      Number.isFinite(next.suppressBelow) && next.suppressBelow >= 0;
    radius.setCustomValidity(next.radiusM > 0 && next.radiusM <= 10000 ? '' : 'radius 1–10000 m');
    if (!valid) {
      form.reportValidity();
      return;
    }
    if (next.radiusM === current.radiusM && next.missing === current.missing && next.suppressBelow === current.suppressBelow) return;
    current = next;
    relabel();
    onChange({ ...current });
  }

  form.addEventListener('change', commit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    commit();
  });
  write(current);

  return {
    /** @returns {ScoreSettings} */
    get: () => ({ ...current }),
    /** Set values without emitting (e.g. restoring a project). */
    set(s) {
      current = { ...current, ...s };
      write(current);
    },
    relabel,
  };
}
