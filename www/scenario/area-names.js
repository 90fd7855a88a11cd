/**
 * Names of CBS areas the tool ships (CBS Kerncijfers wijken en buurten 2024, Rijnmond — the same
 * bundled file the tipping-point demo reads): buurtcode → buurtnaam, gemeentecode → gemeentenaam.
 * Used when an area file has codes but no names (the bundled buurt polygons have only codes).
 */
import kwbCsv from '../demo/cbs_kwb_buurt_2024_rijnmond.csv';

let names = null;

/** @returns {Map<string, string>} code (upper case) → name */
export function bundledAreaNames() {
  if (names) return names;
  names = new Map();
  const lines = kwbCsv.split(/\r?\n/);
  const head = lines[0].split(',');
  const col = (n) => head.indexOf(n);
  const [bu, bn, gm, gn] = ['buurtcode', 'buurtnaam', 'gemeentecode', 'gemeentenaam'].map(col);
  for (let i = 1; i < lines.length; i++) {
    // The first five columns are codes and names without quotes or commas (checked: the file has no quotes).
    const cells = lines[i].split(',', 6);
    if (cells.length < 5) continue;
    if (cells[bu]) names.set(cells[bu].toUpperCase(), cells[bn]);
    if (cells[gm] && !names.has(cells[gm].toUpperCase())) names.set(cells[gm].toUpperCase(), cells[gn]);
  }
  return names;
}
