/**
 * The Leefbaarometer scores the area profile (www/profile/) draws a buurt's trend from. One job:
 * keep the scores file in use — the user's own, loaded in the profile card, else the bundled
 * Rotterdam / Schiedam / Vlaardingen extract — and give the rows of one buurt.
 *
 * A user's file is read by the page's import path (worker op `importTable`, errors with file, row,
 * column, value, reason) into the worker slot not in use, then checked (a buurt code column, a
 * year column, at least one score column; every row a code and a four-digit year). Only a file that
 * passes replaces the one in use, so a bad file loses nothing loaded before. Same shape as the
 * bundled file: `bu_code`, `bu_naam`, `jaar`, `lbm`, `afw`, `fys`, `onv`, `soc`, `vrz`, `won`
 * (names matched without regard to case; `buurtcode`/`statcode` and `year` are taken too).
 */
import lbmCsv from '../demo/leefbaarometer_buurten_rdam_2002_2024.csv';

export const BUNDLED_LBM_FILE = 'leefbaarometer_buurten_rdam_2002_2024.csv';
/** The score columns, in the order the profile shows them. */
export const LBM_COLUMNS = ['lbm', 'afw', 'fys', 'onv', 'soc', 'vrz', 'won'];
const BUNDLED = {
  tableId: 'profile-lbm', fileName: BUNDLED_LBM_FILE, file: null, bundled: true, rows: null,
  codeColumn: 'bu_code', yearColumn: 'jaar', nameColumn: 'bu_naam', columns: LBM_COLUMNS,
};
const SLOTS = ['profile-lbm-user-a', 'profile-lbm-user-b'];

/** An error shaped like the worker's import errors (file, row, column, value, reason). */
export class ScoresFileError extends Error {
  constructor(info) {
    super(info.message);
    Object.assign(this, info);
  }
}

/** The columns of a scores file the profile uses, or the name of the one missing. */
function columnsOf(names) {
  const find = (re) => names.find((n) => re.test(n.trim())) ?? null;
  const codeColumn = find(/^(bu_code|buurtcode|statcode)$/i);
  const yearColumn = find(/^(jaar|year)$/i);
  const nameColumn = find(/^(bu_naam|buurtnaam|statnaam)$/i);
  const columns = LBM_COLUMNS.map((c) => names.find((n) => n.trim().toLowerCase() === c) ?? null);
  return { codeColumn, yearColumn, nameColumn, columns };
}

/**
 * @param {any} app the page's context (www/main.js)
 * @param {{ t: (key: string, vars?: object) => string }} deps
 */
export function createLbmScores(app, { t }) {
  let inUse = BUNDLED;
  let bundledLoaded = null;
  let nextSlot = 0;

  function ensureBundled() {
    bundledLoaded ??= app.engine.request('importTable', {
      tableId: BUNDLED.tableId, file: new File([lbmCsv], BUNDLED.fileName, { type: 'text/csv' }), fileName: BUNDLED.fileName,
    }, { replayKey: `table:${BUNDLED.tableId}` }).promise.catch((err) => {
      bundledLoaded = null;
      throw err;
    });
    return bundledLoaded;
  }

  /**
   * Read and check a user's scores file; on success it is the one in use. Throws the worker's
   * import error or a ScoresFileError (nothing changes then).
   * @param {File} file
   */
  async function load(file) {
    const tableId = SLOTS[nextSlot];
    const replayKey = `table:${tableId}`;
    const fail = (info) => {
      app.engine.forget(replayKey);
      throw new ScoresFileError({ file: file.name, ...info });
    };
    const { rows, columns: names } = await app.engine.request('importTable', { tableId, file, fileName: file.name }, { replayKey }).promise;
    const cols = columnsOf(names);
    const missing = !cols.codeColumn ? 'bu_code' : !cols.yearColumn ? 'jaar' : cols.columns.every((c) => c === null) ? LBM_COLUMNS.join(', ') : null;
    if (missing) {
      fail({
        column: missing,
        message: t('profile.lbm.missingColumn', { file: file.name, column: missing, columns: names.join(', ') }),
      });
    }
    if (!rows) fail({ message: t('profile.lbm.empty', { file: file.name }) });
    const problem = await app.engine.request('areaRowsProblem', { tableId, codeColumn: cols.codeColumn, yearColumn: cols.yearColumn }).promise;
    if (problem) {
      fail({
        row: problem.row, column: problem.column, value: problem.value,
        reason: t(`profile.lbm.${problem.reason}`), message: t(`profile.lbm.${problem.reason}`),
      });
    }
    nextSlot = 1 - nextSlot;
    const old = inUse;
    inUse = { tableId, fileName: file.name, file, bundled: false, rows, ...cols };
    if (!old.bundled) app.engine.forget(`table:${old.tableId}`);
    return { fileName: file.name, rows };
  }

  return {
    load,
    /** Back to the bundled file. */
    reset() {
      if (!inUse.bundled) app.engine.forget(`table:${inUse.tableId}`);
      inUse = BUNDLED;
    },
    /** The file in use: `{ fileName, rows, bundled, file }`. */
    current: () => ({ fileName: inUse.fileName, rows: inUse.rows, bundled: inUse.bundled, file: inUse.file }),
    /**
     * The scores of one buurt, years ascending: `{ years, columns, values (per column), name, file }`
     * — only the score columns the file has.
     */
    async rowsOf(code) {
      const s = inUse;
      if (s.bundled) await ensureBundled();
      const present = LBM_COLUMNS.map((c, j) => [c, s.columns[j]]).filter(([, col]) => col !== null);
      const r = await app.engine.request('areaRows', {
        tableId: s.tableId, codeColumn: s.codeColumn, yearColumn: s.yearColumn, code,
        columns: present.map(([, col]) => col), nameColumn: s.nameColumn,
      }).promise;
      return { years: r.years, columns: present.map(([c]) => c), values: r.values, name: r.name || null, file: s.fileName, bundled: s.bundled };
    },
  };
}
