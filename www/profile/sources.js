/**
 * The profile card's "Buurtgegevens" block (www/profile/): which buurt file the profile looks in
 * and which Leefbaarometer scores file it draws the trend from. One job: these controls, keyboard
 * usable (a select, real buttons; the file picker opens from a button), with the usual error box
 * when a scores file cannot be used (nothing loaded before is lost).
 */
import { t, tn } from '../i18n/i18n.js';
import { el } from '../dom.js';
import { showFileError, clearFileError } from '../file-error.js';

/**
 * @param {HTMLElement} box
 * @param {{ buurten: ReturnType<import('./buurt-polygons.js').createBuurtPolygons>,
 *           lbm: ReturnType<import('./lbm-scores.js').createLbmScores>,
 *           onChange: () => void }} deps
 */
export function createProfileSources(box, { buurten, lbm, onChange }) {
  box.classList.add('profile-sources');
  const input = el('input');
  input.type = 'file';
  input.id = 'profile-lbm-file';
  input.accept = '.csv,.txt,.tsv,.xlsx,.xls,.ods,.parquet';
  input.hidden = true;
  const errorBox = el('div', 'file-error profile-lbm-error');
  errorBox.setAttribute('role', 'alert');
  errorBox.hidden = true;
  const body = el('div');
  box.append(body, input, errorBox);
  /** A message about the scores file (e.g. a project that used one not sent along). */
  let note = '';
  let busy = false;

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) await loadScores(file);
  });

  async function loadScores(file) {
    busy = true;
    box.dataset.state = 'loading';
    render();
    try {
      await lbm.load(file);
      clearFileError(errorBox);
      note = '';
      box.dataset.state = 'loaded';
    } catch (err) {
      if (err.cancelled) return;
      showFileError(errorBox, file.name, err, t('profile.lbm.kept', { file: lbm.current().fileName }));
      box.dataset.state = 'error';
    } finally {
      busy = false;
      render();
    }
    onChange();
  }

  function render() {
    const parts = [el('h4', '', t('profile.sources'))];
    // The buurt file.
    const label = el('label', 'field');
    const sel = el('select');
    sel.name = 'buurtFile';
    sel.dataset.profile = 'buurt-file';
    const option = (value, text) => {
      const o = el('option', '', text);
      o.value = value;
      sel.append(o);
    };
    option('auto', t('profile.buurtFile.auto'));
    for (const c of buurten.candidates()) option(c.id, `${c.name} (${c.fileName})`);
    option('bundled', t('profile.buurtFile.bundled'));
    const choice = buurten.choice();
    sel.value = [...sel.options].some((o) => o.value === choice) ? choice : 'auto';
    sel.addEventListener('change', () => {
      buurten.setChoice(sel.value);
      render();
      onChange();
    });
    label.append(el('span', 'small', t('profile.buurtFile')), sel);
    const using = buurten.inUse();
    const buurtStatus = el('p', 'muted small profile-buurt-file', using
      ? t('profile.buurtFile.using', { file: using })
      : t('profile.buurtFile.none'));
    buurtStatus.dataset.file = using || '';
    parts.push(label, buurtStatus);

    // The Leefbaarometer scores file.
    const cur = lbm.current();
    const lbmStatus = el('p', 'muted small profile-lbm-file', cur.bundled
      ? t('profile.lbm.bundled', { file: cur.fileName })
      : t('profile.lbm.using', { file: cur.fileName, rows: tn('profile.lbm.rows', cur.rows, { rows: cur.rows }) }));
    lbmStatus.dataset.file = cur.fileName;
    lbmStatus.dataset.bundled = String(cur.bundled);
    parts.push(lbmStatus);
    if (note) parts.push(el('p', 'small profile-lbm-note', note));
    const actions = el('div', 'profile-actions');
    const pick = el('button', 'btn btn-small', busy ? t('profile.lbm.loading') : t('profile.lbm.load'));
    pick.type = 'button';
    pick.dataset.profile = 'load-lbm';
    // Stays focusable while a file is read (a disabled button would drop the keyboard focus).
    pick.setAttribute('aria-disabled', String(busy));
    pick.title = t('profile.lbm.loadHint');
    pick.addEventListener('click', () => {
      if (!busy) input.click();
    });
    actions.append(pick);
    if (!cur.bundled) {
      const reset = el('button', 'btn btn-small', t('profile.lbm.reset'));
      reset.type = 'button';
      reset.dataset.profile = 'reset-lbm';
      reset.addEventListener('click', () => {
        lbm.reset();
        clearFileError(errorBox);
        render();
        onChange();
      });
      actions.append(reset);
    }
    parts.push(actions);
    const focused = box.contains(document.activeElement) ? document.activeElement?.dataset?.profile : null;
    body.replaceChildren(...parts);
    // Keyboard focus stays in the block (on the load button when its own control went away).
    if (focused) (body.querySelector(`[data-profile="${focused}"]`) || pick).focus();
  }

  render();
  return {
    render,
    loadScores,
    /** Say something about the scores file below its status (a project's missing file). */
    setNote(text) {
      note = text || '';
      render();
    },
  };
}
