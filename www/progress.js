/**
 * A progress bar with a label and a Cancel button, for one long job at a time.
 * `start(label, onCancel)` shows it; `update(fraction, text)`; `finish(text)` / `fail(text)`.
 */
import { t } from './i18n/i18n.js';

/** @param {HTMLElement} root an empty container */
export function createProgress(root) {
  root.classList.add('progress');
  root.hidden = true;
  const label = document.createElement('div');
  label.className = 'progress-label';
  const row = document.createElement('div');
  row.className = 'progress-row';
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = 0;
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'btn btn-small';
  cancel.dataset.i18n = 'progress.cancel';
  cancel.textContent = t('progress.cancel');
  row.append(bar, cancel);
  const status = document.createElement('div');
  status.className = 'progress-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  root.append(label, row, status);

  let onCancel = null;
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    onCancel?.();
  });

  return {
    /** @param {string} text  @param {() => void} [cancelFn] */
    start(text, cancelFn) {
      onCancel = cancelFn;
      root.hidden = false;
      root.dataset.state = 'running';
      label.textContent = text;
      bar.removeAttribute('value'); // indeterminate until the first report
      bar.hidden = false;
      cancel.hidden = !cancelFn;
      cancel.disabled = false;
      status.textContent = '';
    },
    /** @param {number|null} fraction 0..1, or null for indeterminate  @param {string} [text] */
    update(fraction, text) {
      if (fraction === null || fraction === undefined) bar.removeAttribute('value');
      else bar.value = Math.max(0, Math.min(1, fraction));
      if (text !== undefined) status.textContent = text;
    },
    finish(text) {
      root.dataset.state = 'done';
      bar.value = 1;
      bar.hidden = true;
      cancel.hidden = true;
      status.textContent = text || '';
      onCancel = null;
    },
    fail(text) {
      root.dataset.state = 'failed';
      bar.hidden = true;
      cancel.hidden = true;
      status.textContent = text;
      onCancel = null;
    },
    hide() {
      root.hidden = true;
    },
  };
}
