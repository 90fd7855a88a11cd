/**
 * The result tables of the Analyses tab and of the area profile: a header row, then a row per
 * entry whose first cell is its row header (th) and whose other cells are numbers (class `num`).
 * Exact numbers ride along in `data-value` for tests and for checking by hand; text is set with
 * textContent only.
 */
import { el } from './dom.js';

/**
 * @typedef {{ text: string, value?: number, cls?: string, suppressed?: boolean, title?: string }} Cell
 *   `cls` an extra class of the cell, `suppressed` marks a figure withheld below k
 * @param {string} kind  the table's data-kind
 * @param {string[]} head
 * @param {(Cell[] | { key?: string, cells: Cell[] })[]} rows  a row's cells, or its cells with a data-key
 * @param {{ className?: string }} [opts]  classes besides `result-table`
 * @returns {HTMLTableElement}
 */
export function resultTable(kind, head, rows, { className = '' } = {}) {
  const tbl = el('table', `result-table ${className}`.trim());
  tbl.dataset.kind = kind;
  const thead = el('thead');
  const tr = el('tr');
  for (const h of head) tr.append(el('th', '', h));
  thead.append(tr);
  const tbody = el('tbody');
  for (const r of rows) {
    const row = el('tr');
    const cells = Array.isArray(r) ? r : r.cells;
    if (!Array.isArray(r) && r.key !== undefined) row.dataset.key = r.key;
    cells.forEach((c, i) => {
      const td = el(i === 0 ? 'th' : 'td', i === 0 ? '' : `num ${c.cls || ''}`.trim(), c.text);
      if (c.value !== undefined) td.dataset.value = String(c.value);
      if (c.suppressed) td.dataset.suppressed = 'true';
      if (c.title) td.title = c.title;
      row.append(td);
    });
    tbody.append(row);
  }
  tbl.append(thead, tbody);
  return tbl;
}
