/**
 * A file that could not be loaded: the file, where (row, column), the reason, the value, and what
 * stayed as it was. One job: fill an error box (`.file-error`, role alert) from a worker import
 * error or a ScoresFileError. Used by the Bestanden tab (files.js) and the area profile's
 * Leefbaarometer file (profile/sources.js).
 */
import { t } from './i18n/i18n.js';
import { el } from './dom.js';

/**
 * @param {HTMLElement} box
 * @param {string} fileName
 * @param {{ message: string, file?: string, row?: number, column?: string, value?: string, reason?: string }} err
 * @param {string} kept what stayed as it was
 */
export function showFileError(box, fileName, err, kept) {
  box.replaceChildren(el('strong', '', t('files.error', { file: fileName })));
  if (err.row !== undefined && err.row !== null) {
    box.append(el('div', 'err-where', `${err.file || fileName} — ${t('files.errorAt', { row: err.row, column: err.column ?? '–' })}`));
  }
  box.append(el('div', 'err-reason', err.reason || err.message));
  if (err.value !== undefined && err.value !== null && err.value !== '') {
    const v = String(err.value);
    box.append(el('div', 'err-value', `“${v.length > 60 ? v.slice(0, 57) + '…' : v}”`));
  }
  box.append(el('div', 'muted', kept));
  box.hidden = false;
}

export function clearFileError(box) {
  box.replaceChildren();
  box.hidden = true;
}
