/**
 * Which buurt a location lies in, for the area profile (www/profile/). One job: keep the buurt
 * polygons the profile looks in and answer "which buurt contains this point".
 *
 * The user's own buurt file comes first: a polygon file (GeoJSON) loaded on the Bestanden tab —
 * the one chosen in the profile card, or else the last one loaded (as the what-if view picks its
 * area file). It is read into the worker as area polygons (op `areaPolygons`, point in polygon in
 * Rust) once per file. Then the bundled CBS wijk- en buurtkaart 2024 of Rijnmond. A point in
 * neither has no buurt, and the caller says so.
 *
 * The choice (`'auto'`, `'bundled'` or a layer id) goes into the project file; the layer itself is
 * saved by the project's layers part (its bytes only with "gegevens meesturen").
 */
import buurtGeojson from '../demo/cbs_buurt_2024_rijnmond.geojson';

export const BUNDLED_BUURT_FILE = 'cbs_buurt_2024_rijnmond.geojson';
const BUNDLED_ID = 'profile-buurten';
const USER_ID = 'profile-user-buurten';

/** Whether a loaded layer is an area polygon file (what the what-if view takes as one too). */
export const isPolygonLayer = (layer) => !!layer?.file && /\.(geo)?json$/i.test(layer.fileName || '');

/** The column of a polygon layer that holds the buurt codes. */
function codeColumnOf(layer) {
  const cols = layer.allColumns || layer.columns || [];
  // The id column of an area file placed by its geometry is its CBS area code column
  // (src/analysis/import/location.rs, detect_id_column).
  return cols.find((c) => /^(buurtcode|bu_code|statcode)$/i.test(c))
    || (layer.location?.idColumn && cols.includes(layer.location.idColumn) ? layer.location.idColumn : null)
    || null;
}

/** @param {any} app the page's context (www/main.js) */
export function createBuurtPolygons(app) {
  let choice = 'auto';
  let bundled = null; // Promise of the bundled set in the worker
  let user = null; // { key, promise, layer, error }

  /** Polygon layers with an area code column loaded on the Bestanden tab, in load order. */
  const candidates = () => [...app.state.layers.values()].filter((l) => isPolygonLayer(l) && codeColumnOf(l));

  /** The user's buurt layer in use now (null = only the bundled polygons). */
  function userLayer() {
    if (choice === 'bundled') return null;
    const list = candidates();
    // A chosen layer that is gone (removed, or skipped when a project opened): as 'auto'.
    return list.find((l) => l.id === choice) || (list.length ? list[list.length - 1] : null);
  }

  function ensureBundled() {
    bundled ??= app.engine.request('areaPolygons', {
      polygonsId: BUNDLED_ID, file: new File([buurtGeojson], BUNDLED_BUURT_FILE), fileName: BUNDLED_BUURT_FILE, codeColumn: 'buurtcode',
    }, { replayKey: `polygons:${BUNDLED_ID}` }).promise.catch((err) => {
      bundled = null;
      throw err;
    });
    return bundled;
  }

  /** The user's layer read into the worker (once per file); null when it cannot be used. */
  async function ensureUser(layer) {
    const key = `${layer.id}:${layer.rows}:${layer.fileName}:${layer.file.size}`;
    if (user?.key !== key) {
      const codeColumn = codeColumnOf(layer);
      const entry = { key, layer, error: null, promise: null };
      entry.promise = codeColumn
        ? app.engine.request('areaPolygons', { polygonsId: USER_ID, file: layer.file, fileName: layer.fileName, codeColumn }, { replayKey: `polygons:${USER_ID}` }).promise
        : Promise.reject(new Error(`${layer.fileName}: no buurt code column`)); // not offered, kept safe
      entry.promise = entry.promise.then(() => true, (err) => {
        entry.error = err;
        return false;
      });
      user = entry;
    }
    return (await user.promise) ? user : null;
  }

  async function lookup(polygonsId, xRd, yRd) {
    const [code] = await app.engine.request('areaOfPoints', { polygonsId, xRd: [xRd], yRd: [yRd] }).promise;
    return code || '';
  }

  return {
    /**
     * The buurt containing a point (RD): `{ code, file }` — file names the polygon file it came
     * from; code '' when neither the user's file nor the bundled one contains the point. `error`
     * tells why the user's file could not be used, `tried` which files were looked in.
     */
    async buurtAt(xRd, yRd) {
      const tried = [];
      let error = null;
      const layer = userLayer();
      if (layer) {
        const u = await ensureUser(layer);
        if (u) {
          tried.push(layer.fileName);
          const code = await lookup(USER_ID, xRd, yRd);
          if (code) return { code, file: layer.fileName, tried };
        } else error = user?.error ? { file: layer.fileName, message: user.error.message } : null;
      }
      await ensureBundled();
      tried.push(BUNDLED_BUURT_FILE);
      const code = await lookup(BUNDLED_ID, xRd, yRd);
      return { code, file: code ? BUNDLED_BUURT_FILE : null, tried, error };
    },
    /** The polygon layers the user may choose from: [{ id, name, fileName }]. */
    candidates: () => candidates().map(({ id, name, fileName }) => ({ id, name, fileName })),
    /** `'auto'` (the last loaded polygon file), `'bundled'` (Rijnmond only) or a layer id. */
    choice: () => choice,
    setChoice(value) {
      choice = typeof value === 'string' && value ? value : 'auto';
    },
    /** The user's file in use now, or null. */
    inUse: () => userLayer()?.fileName ?? null,
  };
}
