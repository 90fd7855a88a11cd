/**
 * Class breaks and colours shared by the map, the legend and the histogram.
 * Default bands are those of the Aedes study: 0–10, 10–20, …, 70–80, ≥ 80 % corporation share.
 * The palette is viridis (perceptually uniform, readable with the common colour-vision
 * deficiencies and in greyscale); missing or suppressed shares are a neutral grey.
 */

/** Lower edges in percent; the last band is open (≥ last edge). */
export const DEFAULT_EDGES_PCT = [0, 10, 20, 30, 40, 50, 60, 70, 80];

/** Tipping points from the study, in percent: a range (40–50) and two single values. */
export const TIPPING_POINTS = [
  { fromPct: 40, toPct: 50, key: 'liveability' },
  { fromPct: 60, toPct: 60, key: 'safety' },
  { fromPct: 80, toPct: 80, key: 'worst' },
];

/** Viridis sampled at 9 even steps (matplotlib's `viridis`, endpoints included). */
const VIRIDIS_9 = [
  '#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725',
];
const VIRIDIS_ANCHORS = VIRIDIS_9.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

/** Colour for missing or suppressed shares. */
export const NO_SHARE_COLOUR = '#c9c9c4';

/** `n` viridis colours from dark to light (interpolated between the 9 anchors). */
export function palette(n) {
  if (n === VIRIDIS_9.length) return VIRIDIS_9.slice();
  const out = [];
  for (let i = 0; i < n; i++) {
    const pos = n === 1 ? 0 : (i / (n - 1)) * (VIRIDIS_ANCHORS.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, VIRIDIS_ANCHORS.length - 1);
    const f = pos - lo;
    const rgb = VIRIDIS_ANCHORS[lo].map((c, k) => Math.round(c + (VIRIDIS_ANCHORS[hi][k] - c) * f));
    out.push('#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join(''));
  }
  return out;
}

/**
 * Band index of a share (0..1) for the given lower edges in percent, or -1 for NaN.
 * A share exactly on an edge belongs to the band above it (10 % is in 10–20).
 * Edges are compared as `edge / 100` so `3 / 10` lands on the 30 % edge exactly.
 */
export function bandOf(share, edgesPct = DEFAULT_EDGES_PCT) {
  if (!(share === share)) return -1; // NaN
  let band = 0;
  for (let i = 1; i < edgesPct.length; i++) {
    if (share >= edgesPct[i] / 100) band = i;
    else break;
  }
  return band;
}

/** Band index per share as an Int8Array (-1 = none). */
export function classify(shares, edgesPct = DEFAULT_EDGES_PCT) {
  const out = new Int8Array(shares.length);
  for (let i = 0; i < shares.length; i++) out[i] = bandOf(shares[i], edgesPct);
  return out;
}

/** Number of locations per band, plus the count without a share. */
export function countPerBand(bandIdx, nBands) {
  const counts = new Array(nBands).fill(0);
  let none = 0;
  for (const b of bandIdx) {
    if (b < 0) none++;
    else counts[b]++;
  }
  return { counts, none };
}

/** Labels such as `0–10 %` … `≥ 80 %` (the percent sign placed per language by the caller). */
export function bandLabels(edgesPct = DEFAULT_EDGES_PCT, percent = (v) => `${v}%`) {
  return edgesPct.map((lo, i) =>
    i + 1 < edgesPct.length ? `${lo}–${percent(edgesPct[i + 1])}` : `≥ ${percent(lo)}`,
  );
}
