/**
 * The parts a project file is made of. Each feature that has something worth saving registers a
 * part under a stable name; the project module (www/project/) asks every part to save into the
 * file and, on open, gives each part back what it saved. One job: keep that list.
 *
 * A part: { save(options) → JSON-able value (may be a Promise); restore(value) → Promise }, where
 * options = { includeData: boolean } (data rows only when the user ticked it).
 * Parts restore in the order they registered (layers before what is computed on them).
 */
const parts = new Map();

/** @param {string} name @param {{ save: Function, restore: Function }} part */
export function registerProjectPart(name, part) {
  if (parts.has(name)) throw new Error(`project part '${name}' registered twice`);
  if (typeof part?.save !== 'function' || typeof part?.restore !== 'function') {
    throw new Error(`project part '${name}' needs save() and restore()`);
  }
  parts.set(name, part);
}

/** The registered parts, in registration order: [name, part][] */
export function projectParts() {
  return [...parts.entries()];
}
