/**
 * The scenario summary as CSV: crossings of each threshold (total and per area), the band table
 * before/after and the steps. Two dialects: `nl` (`;` separated, decimal comma, UTF-8 BOM — what
 * Dutch Excel opens directly) and `standard` (RFC 4180: `,` and decimal point).
 *
 * Suppression: a share from fewer than k dwellings within the radius is already no share (the
 * engine leaves such locations out of every crossing). On top of that, a dwelling count in the
 * per-area rows that is above 0 but below k comes from the engine as `null` (src/analysis/
 * scenario_summary.rs) and is written as `<k`, so no small count of dwellings of one area leaves
 * the tool. Per-area rows carry the level (buurt, gemeente), the code and the name.
 */

/** @param {string} text */
function quote(text, sep) {
  const s = String(text);
  return /["\r\n]/.test(s) || s.includes(sep) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function number(v, format) {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  const s = String(v);
  return format === 'nl' ? s.replace('.', ',') : s;
}

/**
 * @param {{ summary: any, steps: {label: string, changes: {row, kind, dwellings}[]}[], name: string,
 *           layerName: string, settings: {radiusM: number, suppressBelow: number}, format: 'nl'|'standard',
 *           labels: Record<string, any> }} spec
 * @returns {string}
 */
export function scenarioCsv({ summary, steps, name, layerName, settings, format, labels: L }) {
  const sep = format === 'nl' ? ';' : ',';
  const k = settings.suppressBelow;
  const lines = [];
  const row = (...cells) => lines.push(cells.map((c) => quote(c, sep)).join(sep));
  const num = (v) => number(v, format);
  const guarded = (v) => (v === null || v === undefined || (v > 0 && v < k) ? `<${num(k)}` : num(v));

  row(L.scenario, name);
  row(L.layer, layerName);
  row(L.radius, num(settings.radiusM));
  row(L.k, num(k));
  row(L.suppressed);
  row();
  row(L.level, L.area, L.name, L.threshold, L.upLoc, L.upDw, L.downLoc, L.downDw);
  for (const c of summary.crossings) {
    row('', L.total, '', num(c.thresholdPct), num(c.upLocations), num(c.upDwellings), num(c.downLocations), num(c.downDwellings));
  }
  for (const a of summary.perArea) {
    for (const c of a.crossings) {
      if (!c.upLocations && !c.downLocations) continue;
      row(
        L.levelName(a.level), a.area, a.area ? L.areaName(a.level, a.area) : L.outside, num(c.thresholdPct),
        num(c.upLocations), guarded(c.upDwellings), num(c.downLocations), guarded(c.downDwellings),
      );
    }
  }
  row();
  row(L.band, L.before, L.after, L.dwBefore, L.dwAfter);
  summary.bandsBefore.bands.forEach((b, i) => {
    const a = summary.bandsAfter.bands[i];
    row(b.label, num(b.locations), num(a.locations), num(b.dwellings ?? 0), num(a.dwellings ?? 0));
  });
  row(L.noShare, num(summary.bandsBefore.outsideLocations), num(summary.bandsAfter.outsideLocations), '', '');
  row();
  row(L.steps);
  steps.forEach((s, i) => {
    const kinds = [...new Set(s.changes.map((c) => L.kind(c.kind)))].join(' / ');
    const total = s.changes.reduce((acc, c) => acc + c.dwellings, 0);
    row(num(i + 1), s.label, kinds, num(s.changes.length), num(total));
  });
  const text = lines.join('\r\n') + '\r\n';
  return format === 'nl' ? `\uFEFF${text}` : text;
}
