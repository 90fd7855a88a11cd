/**
 * The engine worker: the only code that touches wasm. Holds the loaded layers (wasm handles) and
 * runs long jobs in chunks — `job.step(…)`, then a yield to the event loop — so a
 * `{op:'cancel', target}` message is seen between chunks.
 *
 * Protocol (see engine.js): `{id, op, args}` → `{id, progress}`* → `{id, ok:true, result}` or
 * `{id, ok:false, error:{message, file, row, column, value, cancelled}, fatal}`. `fatal` means the
 * wasm instance trapped and is unusable: engine.js then starts a fresh worker.
 */
import * as wasm from '../pkg/veerkracht.js';
import { wasmBytes } from './boot/wasm.js';

const wasmExports = wasm.initSync({ module: wasmBytes() });

/** @type {Map<string, { layer: any, fileName: string, kind: string }>} */
const layers = new Map();
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

/** Work units per chunk: about 10–30 ms of work, so cancel and progress stay prompt. */
const SCORE_CHUNK = 200_000;
const READ_CHUNK_BYTES = 4 << 20;

function layerOf(layerId) {
  const entry = layers.get(layerId);
  if (!entry) throw new Error(`no layer ${layerId}`);
  return entry;
}

const ops = {
  /** Stream a File/Blob into the importer, then swap it in as `layerId`. */
  async importFile({ layerId, file, fileName, mapping, sheet }, id, progress) {
    const importer = new wasm.Importer(fileName, { mapping: mapping || undefined, sheet: sheet || undefined });
    let done = false;
    try {
      const total = file.size;
      for (let offset = 0; offset < total; offset += READ_CHUNK_BYTES) {
        const bytes = new Uint8Array(await file.slice(offset, offset + READ_CHUNK_BYTES).arrayBuffer());
        importer.push(bytes);
        progress({ bytesRead: Math.min(total, offset + bytes.length), totalBytes: total, rowsRead: importer.rowsRead() });
        await yieldToLoop();
        checkCancel(id);
      }
      const layer = importer.finish();
      done = true;
      const summary = layer.summary();
      const old = layers.get(layerId);
      layers.set(layerId, { layer, fileName, kind: summary.location?.kind });
      old?.layer.free();
      return summary;
    } finally {
      if (!done) importer.free();
    }
  },

  removeLayer({ layerId }) {
    const entry = layers.get(layerId);
    layers.delete(layerId);
    entry?.layer.free();
    return true;
  },

  /** Lon/lat for drawing: 4 corners per CBS square, or one point per location. */
  geometry({ layerId }) {
    const { layer } = layerOf(layerId);
    const g = layer.displayGeometry();
    return g;
  },

  /** Buffer sums and shares for one denominator and its numerators, in chunks. */
  async score({ layerId, radiusM, denominator, numerators, missing, suppressBelow }, id, progress) {
    const { layer } = layerOf(layerId);
    const job = new wasm.ScoreJob(layer, { radiusM, denominator, numerators, missing, suppressBelow });
    try {
      for (;;) {
        const fraction = job.step(SCORE_CHUNK);
        progress({ fraction });
        if (fraction >= 1) break;
        await yieldToLoop();
        checkCancel(id);
      }
      return job.finish();
    } finally {
      job.free();
    }
  },

  /** One location's id, RD position and raw values of some columns. */
  row({ layerId, index, columns }) {
    const { layer } = layerOf(layerId);
    return layer.row(index, columns);
  },

  /** Row index of a location id, or -1. */
  findId({ layerId, id }) {
    const { layer } = layerOf(layerId);
    return layer.findId(id);
  },
};

function errorInfo(err) {
  if (err && err.cancelled) return { message: 'cancelled', cancelled: true };
  const info = { message: String(err?.message ?? err) };
  // Import errors carry where the problem is (see src/wasm/import.rs).
  for (const key of ['file', 'row', 'column', 'value', 'reason']) {
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
    self.postMessage({ id, ok: false, error: errorInfo(err), fatal });
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
