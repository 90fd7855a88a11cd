/**
 * The project file format, version 1. One job: check a parsed file completely before anything in
 * the page changes, and move file bytes to and from base64.
 *
 * {
 *   format: 'veerkracht-project', version: 1, savedAt: ISO time, includesData: boolean,
 *   settings: { radiusM, missing: 'countAsZero'|'leaveOut', suppressBelow },
 *   layers: [{ id, name, fileName, size, rows, mapping: LocationMapping|null, sheet, areasLayerId,
 *              source, data?: base64 of the original file }],
 *   indicators: [{ id, layerId, label?, labelKey?, numerator, denominator }],
 *   activeId: string|null,
 *   parts: { view?: {center:[lon,lat], zoom}, scenario?: veerkracht-scenario|null, …other features' parts }
 * }
 */
export const FORMAT = 'veerkracht-project';
export const VERSION = 1;

/** A refusal with a translatable reason: `key` and its `vars`. */
export class ProjectError extends Error {
  constructor(key, vars = {}) {
    super(`${key} ${JSON.stringify(vars)}`);
    this.key = key;
    this.vars = vars;
  }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v) => typeof v === 'string';
const isName = (v) => typeof v === 'string' && v.length > 0;

function need(ok, field) {
  if (!ok) throw new ProjectError('project.err.field', { field });
}

/** Parse the text of a project file; throws ProjectError for broken JSON. */
export function parseProject(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ProjectError('project.err.json', { detail: err.message });
  }
}

/**
 * Check everything a restore will use; throws ProjectError naming the first problem.
 * @returns the project, with each layer's data decoded to bytes (`bytes`) when it carries data
 */
export function validateProject(p) {
  if (!isObject(p) || p.format !== FORMAT) throw new ProjectError('project.err.format');
  if (!Number.isInteger(p.version) || p.version < 1) throw new ProjectError('project.err.version', { version: String(p.version) });
  if (p.version > VERSION) throw new ProjectError('project.err.newer', { version: String(p.version), supported: String(VERSION) });

  const s = p.settings;
  need(isObject(s), 'settings');
  need(Number.isFinite(s.radiusM) && s.radiusM > 0 && s.radiusM <= 10000, 'settings.radiusM');
  need(Number.isFinite(s.suppressBelow) && s.suppressBelow >= 0, 'settings.suppressBelow');
  need(s.missing === 'countAsZero' || s.missing === 'leaveOut', 'settings.missing');

  need(Array.isArray(p.layers), 'layers');
  const ids = new Set();
  const layers = p.layers.map((l, i) => {
    const at = `layers[${i}]`;
    need(isObject(l) && isName(l.id) && !ids.has(l.id), `${at}.id`);
    ids.add(l.id);
    need(isText(l.name) && isName(l.fileName), `${at}.fileName`);
    need(l.mapping === null || l.mapping === undefined || (isObject(l.mapping) && isObject(l.mapping.source)), `${at}.mapping`);
    need(l.data === undefined || l.data === null || isText(l.data), `${at}.data`);
    let bytes = null;
    if (isText(l.data)) {
      try {
        bytes = fromBase64(l.data);
      } catch {
        throw new ProjectError('project.err.data', { layer: l.name || l.fileName });
      }
      if (Number.isFinite(l.size) && bytes.length !== l.size) throw new ProjectError('project.err.data', { layer: l.name || l.fileName });
    }
    return { ...l, bytes };
  });
  for (const l of layers) need(!l.areasLayerId || ids.has(l.areasLayerId), `layers.areasLayerId (${l.areasLayerId})`);

  need(Array.isArray(p.indicators), 'indicators');
  const indIds = new Set();
  p.indicators.forEach((ind, i) => {
    const at = `indicators[${i}]`;
    need(isObject(ind) && isName(ind.id) && !indIds.has(ind.id), `${at}.id`);
    indIds.add(ind.id);
    need(ids.has(ind.layerId), `${at}.layerId`);
    need(isName(ind.numerator) && isName(ind.denominator), `${at}.numerator/denominator`);
    need(isText(ind.label) || isName(ind.labelKey), `${at}.label`);
  });
  need(p.activeId === null || p.activeId === undefined || indIds.has(p.activeId), 'activeId');
  need(p.parts === undefined || isObject(p.parts), 'parts');
  return { ...p, layers };
}

/** Bytes → base64, in chunks (a large file would overflow the argument list of fromCharCode). */
export function toBase64(bytes) {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

/** base64 → bytes; throws on anything that is not base64. */
export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
