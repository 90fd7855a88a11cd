/**
 * The engine worker: the only code that touches wasm. Holds the loaded layers (wasm handles) and
 * runs long jobs in chunks — `job.step(…)`, then a yield to the event loop — so a
 * `{op:'cancel', target}` message is seen between chunks.
 *
 * Protocol (see engine.js): `{id, op, args}` → `{id, progress}`* → `{id, ok:true, result}` or
 * `{id, ok:false, error:{message, file, row, column, value, cancelled}, fatal}`. `fatal` means the
 * wasm instance trapped and is unusable: engine.js then starts a fresh worker.
 */
import * as wasmModule from './pkg/veerkracht.js';
import { wasmBytes } from './boot/wasm.js';

/** The wasm-bindgen exports, looked up when used: a missing one is a clear run-time error. */
const wasm = new Proxy(wasmModule, {
  get(target, name) {
    if (!(name in target)) throw new Error(`the wasm core has no export '${String(name)}'`);
    return target[name];
  },
});

/** The message of the last Rust panic (src/wasm/panic.rs hands it over before the trap). */
let lastPanic = null;
self.veerkrachtPanic = (message) => {
  lastPanic = String(message);
};

const wasmExports = wasm.initSync({ module: wasmBytes() });

/** @type {Map<string, { layer: any, fileName: string, source: object|null }>} */
const layers = new Map();
/** Plain tables (no locations), e.g. the Leefbaarometer per buurt and year. */
const tables = new Map();

/** The area layer to join area codes to: the chosen one, else the last GeoJSON layer loaded. */
function areasFor(areasLayerId, exceptLayerId) {
  if (areasLayerId && layers.has(areasLayerId)) return layers.get(areasLayerId).layer;
  const candidates = [...layers.entries()].filter(([id, e]) => id !== exceptLayerId && e.format === 'geoJson');
  return candidates.length ? candidates[candidates.length - 1][1].layer : null;
}

function tableOf(tableId) {
  const table = tables.get(tableId);
  if (!table) throw new Error(`no table ${tableId}`);
  return table;
}

/** Stream a File/Blob through a new importer in chunks; `finish(importer)` makes the result. */
async function readAll(file, fileName, id, progress, finish, options = {}) {
  const importer = new wasm.Importer(fileName, options);
  let finished = false;
  try {
    const total = file.size;
    for (let offset = 0; offset < total; offset += READ_CHUNK_BYTES) {
      const bytes = new Uint8Array(await file.slice(offset, offset + READ_CHUNK_BYTES).arrayBuffer());
      importer.push(bytes);
      progress({ bytesRead: Math.min(total, offset + bytes.length), totalBytes: total, rowsRead: importer.rowsRead() });
      await yieldToLoop();
      checkCancel(id);
    }
    const out = finish(importer);
    finished = true;
    return out;
  } finally {
    // After a trap the importer is still marked borrowed and free() throws: the trap is the error
    // to report (the instance is replaced anyway), not that.
    if (!finished) {
      try {
        importer.free();
      } catch {
        /* the instance trapped */
      }
    }
  }
}
/** Request ids whose cancel message arrived. */
const cancelled = new Set();
/** Request ids still running (a cancel for anything else is ignored). */
const running = new Set();

const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
/** Let queued messages (a cancel) run, without setTimeout's 4 ms clamp. */
function yieldToLoop() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.cancelled = true;
  }
}

function checkCancel(id) {
  if (cancelled.has(id)) throw new Cancelled();
}

/** Each chunk of a long job aims at this much work, so cancel and progress stay prompt. */
const CHUNK_TARGET_MS = 40;
const READ_CHUNK_BYTES = 4 << 20;

/**
 * Step a chunked job (`step(maxWork) → progress 0..1`) to the end, sizing each chunk from the time
 * the last one took, yielding to the event loop between chunks and stopping when cancelled.
 */
async function runChunked(id, step, progress) {
  let work = 256;
  for (;;) {
    const t0 = performance.now();
    const fraction = step(work);
    const ms = performance.now() - t0;
    progress({ fraction });
    if (fraction >= 1) return;
    work = Math.max(1, Math.min(work * 8, Math.round(work * (CHUNK_TARGET_MS / Math.max(ms, 0.5)))));
    await yieldToLoop();
    checkCancel(id);
  }
}

function layerOf(layerId) {
  const entry = layers.get(layerId);
  if (!entry) throw new Error(`no layer ${layerId}`);
  return entry;
}

/** Split the core's interleaved [lon0, lat0, lon1, lat1, …] into two arrays. */
function splitLonLat(lonLat) {
  const n = lonLat.length / 2;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lon[i] = lonLat[2 * i];
    lat[i] = lonLat[2 * i + 1];
  }
  return { lon, lat };
}

/** RD New → WGS84 for many points, by the wasm core (src/analysis/rd.rs via import.rs). */
function rdToLonLat(xs, ys) {
  const latLon = wasm.rdToWgs84(xs, ys); // interleaved [lat0, lon0, lat1, lon1, …]
  const n = xs.length;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lat[i] = latLon[2 * i];
    lon[i] = latLon[2 * i + 1];
  }
  return { lon, lat };
}

const ops = {
  /** Stream a File/Blob into the importer, then swap it in as `layerId`. */
  async importFile({ layerId, file, fileName, mapping, sheet, areasLayerId }, id, progress) {
    const options = { totalBytes: file.size };
    if (sheet) options.sheet = sheet;
    const table = await readAll(file, fileName, id, progress, (importer) => importer.finishTable(), options);
    let layer;
    try {
      // Area codes (BU…, WK…, pc4 …) are placed at the centroids of an area layer: the one the
      // user chose, else the most recently loaded GeoJSON layer.
      const kind = mapping?.source?.kind ?? table.preview().location?.source?.kind;
      const areas = kind === 'areaCode' ? areasFor(areasLayerId, layerId) : null;
      layer = areas ? table.toLayerWithAreas(mapping || null, areas) : table.toLayer(mapping || null);
    } catch (err) {
      // The file was read but its locations could not be used: send what the column-mapping
      // step needs (every column, the detected candidates, a suggested fix) with the error.
      try {
        err.preview = table.preview();
      } catch {
        /* the error alone then */
      }
      throw err;
    } finally {
      table.free();
    }
    const summary = layer.summary();
    const old = layers.get(layerId);
    layers.set(layerId, { layer, fileName, source: summary.location?.source || null, format: summary.format });
    old?.layer.free();
    return summary;
  },

  removeLayer({ layerId }) {
    const entry = layers.get(layerId);
    layers.delete(layerId);
    entry?.layer.free();
    return true;
  },

  /**
   * Lon/lat for drawing, converted from RD by the wasm core: 4 corners per CBS square
   * (lower-left, lower-right, upper-right, upper-left), or one point per other location.
   */
  geometry({ layerId }) {
    const { layer, source } = layerOf(layerId);
    const squareM = source?.kind === 'squareId' ? source.sizeM || 100 : 0;
    let lonLat;
    if (!squareM) lonLat = splitLonLat(layer.lonLatForDisplay());
    else {
      const x = layer.x();
      const y = layer.y();
      const n = x.length;
      const h = squareM / 2;
      const xs = new Float64Array(n * 4);
      const ys = new Float64Array(n * 4);
      const dx = [-h, h, h, -h];
      const dy = [-h, -h, h, h];
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 4; k++) {
          xs[i * 4 + k] = x[i] + dx[k];
          ys[i * 4 + k] = y[i] + dy[k];
        }
      }
      lonLat = rdToLonLat(xs, ys);
    }
    const { lon, lat } = lonLat;
    let w = Infinity, s = Infinity, e = -Infinity, nn = -Infinity;
    for (let i = 0; i < lon.length; i++) {
      if (!(lon[i] === lon[i]) || !(lat[i] === lat[i])) continue;
      if (lon[i] < w) w = lon[i];
      if (lon[i] > e) e = lon[i];
      if (lat[i] < s) s = lat[i];
      if (lat[i] > nn) nn = lat[i];
    }
    return { kind: squareM ? 'square' : 'point', sizeM: squareM || undefined, lon, lat, bounds: [w, s, e, nn] };
  },

  /** Buffer sums and shares for one denominator and its numerators, in chunks. */
  async score({ layerId, radiusM, denominator, numerators, missing, suppressBelow }, id, progress) {
    const { layer } = layerOf(layerId);
    const job = new wasm.ScoreJob(layer, {
      radiusM, denominator, numerators, suppressBelow,
      missing: missing === 'leaveOut' ? 'leave-out' : 'zero',
    });
    try {
      await runChunked(id, (work) => job.step(work), progress);
      return job.finish();
    } finally {
      job.free();
    }
  },

  /** Index per band (one year) or index per band for two years with the gap growth. */
  analyseIndex({ layerId, share, group, denominator, groupB, denominatorB, referenceSharePct, suppressBelow }) {
    const { layer } = layerOf(layerId);
    if (groupB && denominatorB) {
      return wasm.analyseTrend(
        share, layer.column(group), layer.column(denominator),
        share, layer.column(groupB), layer.column(denominatorB),
        { referenceASharePct: referenceSharePct, referenceBSharePct: referenceSharePct, suppressBelow },
      );
    }
    return wasm.analyseIndex(share, layer.column(group), layer.column(denominator), {
      referenceSharePct, suppressBelow,
    });
  },

  /** Read a file as a plain table (no locations), e.g. scores per area and year. */
  async importTable({ tableId, file, fileName }, id, progress) {
    const table = await readAll(file, fileName, id, progress, (importer) => importer.finishTable(), { totalBytes: file.size });
    const old = tables.get(tableId);
    tables.set(tableId, table);
    old?.free();
    return { rows: table.len(), columns: table.columnNames() };
  },

  /** Leefbaarometer-style scores per area and year joined to area shares, then the tipping point. */
  tippingPointAreas({ scores, areas, scoreColumn, yearA, yearB, settings }) {
    const st = tableOf(scores.tableId);
    const at = tableOf(areas.tableId);
    const joined = wasm.joinAreaScores(
      st.textColumn(scores.codeColumn), st.column(scores.yearColumn), st.column(scoreColumn),
      at.textColumn(areas.codeColumn), at.column(areas.shareColumn),
      areas.dwellingsColumn ? at.column(areas.dwellingsColumn) : new Float64Array(0),
      { yearA, yearB, shareUnit: 'auto' },
    );
    const tipping = wasm.analyseTippingPoint(joined.corporationShare, joined.scoreA, joined.scoreB, settings || null);
    return { report: joined.report, tipping };
  },

  /**
   * Scores per area and year (long table) averaged per group over the years: per level class
   * in a base year, or per band of the areas' corporation share (KWB percentages → 0..1).
   */
  seriesAreas({ scores, areas, columns, groupBy }) {
    const st = tableOf(scores.tableId);
    const parts = columns.map((c) => st.column(c));
    const values = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      values.set(p, at);
      at += p.length;
    }
    let shareCodes = [];
    let share = new Float64Array(0);
    if (groupBy.kind === 'band') {
      const t = tableOf(areas.tableId);
      shareCodes = t.textColumn(areas.codeColumn);
      share = t.column(areas.shareColumn).map((v) => v / 100);
    }
    return wasm.analyseSeries(
      st.textColumn(scores.codeColumn), st.column(scores.yearColumn), columns, values,
      shareCodes, share, { groupBy },
    );
  },

  /** One location's id, RD position and raw values of some columns. */
  row({ layerId, index, columns }) {
    const { layer } = layerOf(layerId);
    const r = layer.row(index, columns);
    return { id: r.id, xRd: r.xRd, yRd: r.yRd, values: columns.map((c) => r.values[c] ?? NaN) };
  },

  /** Row index of a location id, or -1. */
  findId({ layerId, id }) {
    const { layer } = layerOf(layerId);
    return layer.findId(id);
  },

  /** EXPORT (www/export/): whole columns of own values (NaN = missing), for aggregate tables. */
  columns({ layerId, names }) {
    const { layer } = layerOf(layerId);
    return Object.fromEntries(names.map((name) => [name, layer.column(name)]));
  },
};

// ---- What-if scenarios (SCENARIO-UI, issue 6; the page side is www/scenario/) -----------------
// One wasm `Scenario` handle per scenarioId (src/wasm/scenario.rs). After each change only the rows
// whose sums moved travel back, with their new shares, so the page patches its copy.
const scenarios = new Map();

function scenarioOf(scenarioId) {
  const entry = scenarios.get(scenarioId);
  if (!entry) throw new Error(`no scenario ${scenarioId}`);
  return entry;
}

/** The answer to every edit: changed rows, their shares now (those rows only), undo/redo state. */
function scenarioChange(entry, rows) {
  const { sc } = entry;
  const changed = rows || new Uint32Array(0);
  const shares = changed.length ? sc.sharesAt(changed) : new Float64Array(0);
  return { rows: changed, shares, nothing: !rows, canUndo: sc.canUndo(), canRedo: sc.canRedo(), steps: sc.steps() };
}

Object.assign(ops, {
  /** A scenario on a layer: dwellings and corporation columns, radius, missing policy, k. */
  scenarioCreate({ scenarioId, layerId, radiusM, dwellings, corporation, missing, suppressBelow }) {
    const { layer } = layerOf(layerId);
    const sc = new wasm.Scenario(layer, {
      radiusM, dwellings, corporation, suppressBelow,
      missing: missing === 'leaveOut' ? 'leave-out' : 'zero',
    });
    scenarios.get(scenarioId)?.sc.free();
    const entry = { sc, layerId };
    scenarios.set(scenarioId, entry);
    return { n: layer.len(), shares: sc.sharesBefore() };
  },
  scenarioApply({ scenarioId, step }) {
    const entry = scenarioOf(scenarioId);
    const t0 = performance.now();
    const change = scenarioChange(entry, entry.sc.apply(step));
    change.workerMs = performance.now() - t0;
    return change;
  },
  scenarioUndo({ scenarioId }) {
    const entry = scenarioOf(scenarioId);
    const t0 = performance.now();
    const change = scenarioChange(entry, entry.sc.undo());
    change.workerMs = performance.now() - t0;
    return change;
  },
  scenarioRedo({ scenarioId }) {
    const entry = scenarioOf(scenarioId);
    const t0 = performance.now();
    const change = scenarioChange(entry, entry.sc.redo());
    change.workerMs = performance.now() - t0;
    return change;
  },
  /** The applied steps and the undone ones (next redo first), for a project file. */
  scenarioSteps({ scenarioId }) {
    const { sc } = scenarioOf(scenarioId);
    return { steps: sc.steps(), redo: sc.redoSteps() };
  },
  /** Bind the locations to the areas of an area file (buurt polygons): levels buurt, gemeente. */
  async scenarioAreas({ scenarioId, layerId, file, fileName }) {
    const { sc } = scenarioOf(scenarioId);
    const bytes = new Uint8Array(await file.arrayBuffer());
    return sc.setAreas(layerOf(layerId).layer, fileName, bytes);
  },
  scenarioClearAreas({ scenarioId }) {
    scenarioOf(scenarioId).sc.clearAreas();
    return true;
  },
  /** Crossings of the thresholds (total and per area) and the band tables before/after. */
  scenarioSummary({ scenarioId, settings }) {
    const entry = scenarioOf(scenarioId);
    const t0 = performance.now();
    const summary = entry.sc.summary(settings || null);
    summary.workerMs = performance.now() - t0;
    return summary;
  },
  /** Current own counts of some rows (dwellings, corporation dwellings). */
  scenarioCounts({ scenarioId, rows }) {
    const { sc } = scenarioOf(scenarioId);
    const d = sc.dwellings();
    const c = sc.corporation();
    return { dwellings: Float64Array.from(rows, (r) => d[r]), corporation: Float64Array.from(rows, (r) => c[r]) };
  },
  scenarioFree({ scenarioId }) {
    scenarios.get(scenarioId)?.sc.free();
    scenarios.delete(scenarioId);
    return true;
  },
  /** Rows of many location ids (a pasted or loaded list); ids not found come back in `missing`. */
  findIds({ layerId, ids }) {
    const { layer } = layerOf(layerId);
    const rows = [];
    const missing = [];
    for (const id of ids) {
      const r = layer.findId(id);
      if (r >= 0) rows.push(r);
      else missing.push(id);
    }
    return { rows, missing };
  },
  /** Location ids of some rows (to save a scenario by id). */
  rowIds({ layerId, rows }) {
    const { layer } = layerOf(layerId);
    return rows.map((r) => layer.id(r));
  },
  /**
   * Placement check of candidate locations (rows of the layer, e.g. the selection): the group
   * share and the corporation share within R of each, ranked least concentrated first, flagged.
   */
  placementCheck({ layerId, rows, dwellings, corporation, group, groupDenominator, missing, settings, scenarioId }) {
    const { layer } = layerOf(layerId);
    const x = layer.x();
    const y = layer.y();
    const options = { dwellings, corporation, group, groupDenominator, missing: missing === 'leaveOut' ? 'leave-out' : 'zero', settings };
    const cx = Float64Array.from(rows, (r) => x[r]);
    const cy = Float64Array.from(rows, (r) => y[r]);
    const ids = rows.map((r) => layer.id(r));
    // On a scenario's counts (after its steps) when one is given, else on the layer's own.
    const ranked = scenarioId
      ? wasm.placementCheckScenario(layer, scenarioOf(scenarioId).sc, options, cx, cy, ids)
      : wasm.placementCheck(layer, options, cx, cy, ids);
    return ranked.map((r) => ({ ...r, row: rows[r.candidate] }));
  },
});
// ---- end of what-if scenarios ------------------------------------------------------------------

// ---- Area profile (PROFILE, issue 4/5; the page side is www/profile/) --------------------------
/** Area polygons (e.g. the buurten) by id, for "which buurt is this square in". */
const polygonSets = new Map();

Object.assign(ops, {
  /**
   * The profile of one location (src/analysis/area_profile.rs): own figures, sums within the
   * radius (when `withinRadius`; else the area's own figures), corporation share and band, groups.
   */
  areaProfile({ layerId, index, columns, withinRadius, settings }) {
    const { layer } = layerOf(layerId);
    const parts = columns.map((c) => layer.column(c));
    const values = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    parts.forEach((p, i) => values.set(p, i * layer.len()));
    const empty = new Float64Array(0);
    const profile = wasm.areaProfile(
      columns, values, withinRadius ? layer.x() : empty, withinRadius ? layer.y() : empty, index, settings,
    );
    const r = layer.row(index, []);
    return { profile, id: r.id, xRd: r.xRd, yRd: r.yRd };
  },
  /** Keep an area file's polygons (GeoJSON) as `polygonsId`. */
  async areaPolygons({ polygonsId, file, fileName, codeColumn }) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const set = new wasm.AreaPolygons(fileName, bytes, codeColumn);
    polygonSets.get(polygonsId)?.free();
    polygonSets.set(polygonsId, set);
    return { areas: set.codes().length };
  },
  /** The area code containing each point (RD), '' where none. */
  areaOfPoints({ polygonsId, xRd, yRd }) {
    const set = polygonSets.get(polygonsId);
    if (!set) throw new Error(`no area polygons ${polygonsId}`);
    const codes = set.codes();
    return Array.from(set.areasOfPoints(Float64Array.from(xRd), Float64Array.from(yRd)), (i) => codes[i] ?? '');
  },
  /** The rows of one area in a long table (code, year, scores): years and each column's values. */
  areaRows({ tableId, codeColumn, yearColumn, code, columns, nameColumn }) {
    const t = tableOf(tableId);
    const codes = t.textColumn(codeColumn);
    const years = t.column(yearColumn);
    const cols = columns.map((c) => t.column(c));
    const want = String(code).replace(/\s+/g, '').toUpperCase();
    const rows = [];
    codes.forEach((c, i) => {
      if (String(c).replace(/\s+/g, '').toUpperCase() === want) rows.push(i);
    });
    rows.sort((a, b) => years[a] - years[b]);
    const name = nameColumn && rows.length ? t.textColumn(nameColumn)[rows[0]] : null;
    return { years: rows.map((i) => years[i]), values: cols.map((v) => rows.map((i) => v[i])), name };
  },
  /**
   * The first row of a long table (code, year, scores) that cannot be used: no area code, or a
   * year that is not four digits. `{ row (header = 1), column, value, reason: 'noCode'|'badYear' }`
   * or null.
   */
  areaRowsProblem({ tableId, codeColumn, yearColumn }) {
    const t = tableOf(tableId);
    const codes = t.textColumn(codeColumn);
    const years = t.textColumn(yearColumn);
    for (let i = 0; i < codes.length; i++) {
      if (!String(codes[i]).trim()) return { row: i + 2, column: codeColumn, value: '', reason: 'noCode' };
      if (!/^\d{4}$/.test(String(years[i]).trim())) return { row: i + 2, column: yearColumn, value: years[i], reason: 'badYear' };
    }
    return null;
  },
});
// ---- end of area profile ---------------------------------------------------------------------------

// ---- Analysis maps (MAPS, issue 4; the page side is www/analysis-maps/) -------------------------
Object.assign(ops, {
  /**
   * Per area: two years of some score columns from a long table (Leefbaarometer `bu_code`/`jaar`,
   * joined by the core's joinAreaScores; columns `<score>_<year>`), some columns of an area table
   * by code (KWB `buurtcode`), `bijstand_pct` (= 100 × bijstand / inhabitants when both are
   * there); then the classes of one map: `change` (valueA → valueB), `bivariate` (level in A
   * against change A → B) or `typology` (rules over the columns), with per-area suppression of
   * areas whose `unitsColumn` is below `suppressBelow` (src/analysis/map_classes.rs).
   */
  analysisMap({ kind, scores, areas, yearA, yearB, scoreColumns, areaColumns, unitsColumn, suppressBelow, settings, valueA, valueB }) {
    const st = tableOf(scores.tableId);
    const at = tableOf(areas.tableId);
    const scoreCodes = st.textColumn(scores.codeColumn);
    const years = st.column(scores.yearColumn);
    const areaCodes = at.textColumn(areas.codeColumn);
    const none = new Float64Array(areaCodes.length);
    const columns = {};
    let codes = null;
    for (const c of scoreColumns) {
      const j = wasm.joinAreaScores(scoreCodes, years, st.column(c), areaCodes, none, new Float64Array(0), { yearA, yearB, shareUnit: 'fraction' });
      codes = j.codes;
      columns[`${c}_${yearA}`] = j.scoreA;
      columns[`${c}_${yearB}`] = j.scoreB;
    }
    const rowOf = new Map(areaCodes.map((c, i) => [String(c).trim().toUpperCase(), i]));
    const rows = codes.map((c) => rowOf.get(c) ?? -1);
    const fromAreas = (values) => Float64Array.from(rows, (r) => (r < 0 ? NaN : values[r]));
    const kwb = new Set(at.columnNames());
    for (const c of areaColumns) if (kwb.has(c)) columns[c] = fromAreas(at.column(c));
    const BIJSTAND = 'aantal_personen_met_een_alg_bijstandsuitkering_tot';
    if (kwb.has(BIJSTAND) && kwb.has('aantal_inwoners')) {
      const b = fromAreas(at.column(BIJSTAND));
      const inw = fromAreas(at.column('aantal_inwoners'));
      columns.bijstand_pct = b.map((v, i) => (inw[i] > 0 ? (100 * v) / inw[i] : NaN));
    }
    const units = unitsColumn ? columns[unitsColumn] : new Float64Array(0);
    const result = mapClasses(kind, columns, codes.length, units, suppressBelow, settings, valueA, valueB);
    return { codes, columns, result };
  },

  /**
   * The same maps on the locations of a layer (e.g. the CBS squares): a group's share of a
   * denominator in percent, in year B from the layer and in year A from a seeded synthetic earlier
   * count (src/analysis/synthetic_year.rs — not data; the page says so), as `share_pct_a` /
   * `share_pct_b`, plus `extra` columns (e.g. the corporation share within the radius); an
   * area whose denominator is below `suppressBelow` gets no class.
   */
  analysisMapLocations({ kind, layerId, group, denominator, seed, extra, suppressBelow, settings, valueA, valueB }) {
    const { layer } = layerOf(layerId);
    const g = layer.column(group);
    const d = layer.column(denominator);
    const pct = (num) => Float64Array.from(num, (v, i) => (d[i] > 0 ? (100 * v) / d[i] : NaN));
    const columns = { share_pct_a: pct(wasm.syntheticEarlierCounts(g, seed, 0.1, 0.3)), share_pct_b: pct(g), ...(extra || {}) };
    const result = mapClasses(kind, columns, d.length, d, suppressBelow, settings, valueA, valueB);
    return { columns, result };
  },
});

/** The classes of one analysis map over named columns (src/analysis/map_classes.rs). */
function mapClasses(kind, columns, n, units, suppressBelow, settings, valueA, valueB) {
  const col = (name) => {
    if (!columns[name]) throw new Error(`unknown column ${name}`);
    return columns[name];
  };
  if (kind === 'change') return wasm.analyseChange(col(valueA), col(valueB), units, { ...settings, suppressBelow });
  if (kind === 'bivariate') return wasm.analyseBivariateSuppressed(col(valueA), col(valueB), units, suppressBelow, settings);
  if (kind === 'typology') {
    const names = Object.keys(columns);
    const values = new Float64Array(names.length * n);
    names.forEach((name, i) => values.set(columns[name], i * n));
    return wasm.analyseTypologySuppressed(names, values, units, suppressBelow, settings);
  }
  throw new Error(`unknown map ${kind}`);
}
// ---- end of analysis maps ----------------------------------------------------------------------

/**
 * A wasm trap: the core stopped on a fault (a reader's panic on a damaged file, say). Name the
 * file being read, if any, and what the core said before it stopped.
 */
function trapInfo(err, args) {
  const fault = lastPanic || String(err?.message ?? err);
  lastPanic = null;
  const file = args.fileName || args.file?.name;
  return file
    ? { message: `${file}: the file could not be read — the reader stopped on damaged data (${fault})`, file }
    : { message: `the computing core stopped (${fault})` };
}

function errorInfo(err) {
  if (err && err.cancelled) return { message: 'cancelled', cancelled: true };
  const info = { message: String(err?.message ?? err) };
  // Import errors carry where the problem is (see src/wasm/import.rs).
  for (const key of ['file', 'row', 'column', 'value', 'reason', 'preview']) {
    if (err && err[key] !== undefined) info[key] = err[key];
  }
  return info;
}

self.onmessage = async (ev) => {
  const { id, op, args } = ev.data;
  if (op === 'cancel') {
    if (running.has(ev.data.target)) cancelled.add(ev.data.target);
    return;
  }
  const fn = ops[op];
  if (!fn) {
    self.postMessage({ id, ok: false, error: { message: `unknown op ${op}` } });
    return;
  }
  running.add(id);
  try {
    const result = await fn(args || {}, id, (p) => self.postMessage({ id, progress: p }));
    self.postMessage({ id, ok: true, result }, transferables(result));
  } catch (err) {
    const fatal = err instanceof WebAssembly.RuntimeError;
    const error = fatal ? trapInfo(err, args || {}) : errorInfo(err);
    self.postMessage({ id, ok: false, error, fatal });
  } finally {
    running.delete(id);
    cancelled.delete(id);
  }
};

/** Typed arrays in a result are moved, not copied. */
function transferables(result) {
  const out = [];
  const seen = new Set();
  const walk = (v, depth) => {
    if (!v || typeof v !== 'object' || depth > 3) return;
    if (ArrayBuffer.isView(v)) {
      // Never move wasm memory itself, nor a buffer shared with other data.
      const whole = v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
      if (whole && v.buffer !== wasmExports.memory?.buffer && !seen.has(v.buffer) && v.buffer instanceof ArrayBuffer) {
        seen.add(v.buffer);
        out.push(v.buffer);
      }
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
  };
  walk(result, 0);
  return out;
}
