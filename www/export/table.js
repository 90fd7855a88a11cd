/**
 * The band table of a map layer, and its CSV. One job: aggregate own values per band and write
 * them with suppression, in one of two dialects:
 *   `nl`       `;` separated, decimal comma, UTF-8 BOM (what Dutch Excel opens directly)
 *   `standard` RFC 4180: `,` separated, decimal point, no BOM.
 *
 * Per band (a location's band is that of its share within the radius): the number of locations,
 * the sum of their own denominator values (e.g. dwellings) and own numerator values (e.g.
 * corporation dwellings), and the share numerator / denominator of the band.
 *
 * Suppression (k = the settings' suppressBelow): no figure based on fewer than k units leaves the
 * tool. A band whose denominator sum is below k gets no sums and no share; a numerator sum below k
 * (0 included) is left out too, and so is the share (it would give the numerator back). Such cells
 * are empty and the row's note says why. Location counts are counts of places (squares, addresses)
 * that the histogram shows anyway; they stay.
 */

/**
 * @param {{ bands: Int8Array, nBands: number, numerator: Float64Array, denominator: Float64Array,
 *           k: number }} spec  own values per location (NaN = missing, not counted)
 * @returns {{ rows: { band: number, locations: number, denominator: number, numerator: number,
 *             share: number }[], none: object, total: object }}  band -1 = no share
 */
export function bandTable({ bands, nBands, numerator, denominator }) {
  const blank = (band) => ({ band, locations: 0, denominator: 0, numerator: 0, share: NaN });
  const rows = Array.from({ length: nBands }, (_, b) => blank(b));
  const none = blank(-1);
  const total = blank(null);
  for (let i = 0; i < bands.length; i++) {
    const row = bands[i] >= 0 ? rows[bands[i]] : none;
    const d = denominator[i];
    const n = numerator[i];
    for (const r of [row, total]) {
      r.locations++;
      if (d === d) r.denominator += d;
      if (n === n) r.numerator += n;
    }
  }
  for (const r of [...rows, none, total]) r.share = r.denominator > 0 ? r.numerator / r.denominator : NaN;
  return { rows, none, total };
}

/**
 * The figures of one row as they may be published: null for a suppressed cell, and why.
 * @returns {{ locations: number, denominator: number|null, numerator: number|null,
 *             sharePct: number|null, suppressed: 'denominator'|'numerator'|'empty'|null }}
 */
export function publishable(row, k) {
  const out = { locations: row.locations, denominator: row.denominator, numerator: row.numerator, sharePct: null, suppressed: null };
  if (row.denominator < k) {
    return { ...out, denominator: null, numerator: null, suppressed: row.locations > 0 ? 'denominator' : 'empty' };
  }
  if (row.numerator < k) return { ...out, numerator: null, suppressed: 'numerator' };
  if (row.denominator > 0) out.sharePct = roundPct(row.share);
  return out;
}

/** A share 0..1 as a percentage with two decimals (the CSV's precision). */
export function roundPct(share) {
  return Math.round(share * 10000) / 100;
}

function quote(text, sep) {
  const s = String(text ?? '');
  return /["\r\n]/.test(s) || s.includes(sep) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A number in the dialect: plain digits, no thousands separators; `,` as decimal mark for `nl`. */
export function csvNumber(v, format) {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  const s = String(v);
  return format === 'nl' ? s.replace('.', ',') : s;
}

/**
 * The CSV text: a title row, the table (header, one row per band, no share, total), then a block
 * headed by `labels.notes` with method, radius, k, bands, sources and date (key, value rows).
 * @param {{ format: 'nl'|'standard', title: [string, string], header: string[],
 *           rows: { label: string, cells: (number|null)[], note: string }[],
 *           notes: [string, string][], notesTitle: string }} spec
 */
export function tableCsv({ format, title, header, rows, notes, notesTitle }) {
  const sep = format === 'nl' ? ';' : ',';
  const lines = [];
  const line = (...cells) => lines.push(cells.map((c) => quote(c, sep)).join(sep));
  line(...title);
  line();
  line(...header);
  for (const r of rows) line(r.label, ...r.cells.map((v) => csvNumber(v, format)), r.note);
  line();
  line(notesTitle);
  for (const [key, value] of notes) line(key, value);
  const text = lines.join('\r\n') + '\r\n';
  return format === 'nl' ? `\uFEFF${text}` : text;
}
