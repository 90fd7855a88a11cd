/**
 * The area profile's part of a project file (www/project/registry.js), named `profile`. One job:
 * save and restore the two choices of the profile's "Buurtgegevens" block.
 *
 *   { buurtFile: 'auto' | 'bundled' | <layer id>,
 *     lbm: null (the bundled scores) | { fileName, size, data?: base64 of the file } }
 *
 * As with the layers, the scores file's bytes go along only with "gegevens meesturen"; a project
 * without them keeps the file loaded now when it is the same one (name and size), else the
 * profile goes back to the bundled scores and says which file to load. The buurt file itself is a layer: the layers part saves it.
 */
import { registerProjectPart } from '../project/registry.js';
import { toBase64, fromBase64 } from '../project/format.js';

/**
 * @param {{ buurten: any, lbm: any, sources: any, t: Function, onRestored: () => void }} deps
 */
export function registerProfilePart({ buurten, lbm, sources, t, onRestored }) {
  registerProjectPart('profile', {
    async save({ includeData }) {
      const cur = lbm.current();
      let scores = null;
      if (!cur.bundled) {
        scores = { fileName: cur.fileName, size: cur.file.size };
        if (includeData) scores.data = toBase64(new Uint8Array(await cur.file.arrayBuffer()));
      }
      return { buurtFile: buurten.choice(), lbm: scores };
    },
    async restore(value) {
      if (!value || typeof value !== 'object') return;
      buurten.setChoice(typeof value.buurtFile === 'string' ? value.buurtFile : 'auto');
      const s = value.lbm;
      let note = '';
      if (!s || typeof s !== 'object' || typeof s.fileName !== 'string') lbm.reset();
      else if (typeof s.data === 'string') {
        let bytes = null;
        try {
          bytes = fromBase64(s.data);
          await lbm.load(new File([bytes], s.fileName, { type: 'text/csv' }));
        } catch (err) {
          // Not what the project meant either way: the bundled scores, and say so.
          lbm.reset();
          note = bytes
            ? `${t('files.error', { file: s.fileName })}: ${err.reason || err.message}`
            : t('profile.lbm.projectBad', { file: s.fileName });
        }
      } else {
        const cur = lbm.current();
        const same = !cur.bundled && cur.fileName === s.fileName && cur.file.size === s.size;
        if (!same) {
          lbm.reset();
          note = t('profile.lbm.projectMissing', { file: s.fileName });
        }
      }
      sources.setNote(note);
      onRestored();
    },
  });
}
