/**
 * Colours of the analysis maps, all from published colour-blind-safe schemes:
 *  - change: ColorBrewer PuOr (diverging; orange = decline, purple = rise, light grey-white = 0);
 *  - level × change: Joshua Stevens' purple/gold 3 × 3 bivariate scheme (as in the R package
 *    `pals`, `stevens.purplegold`): gold along the level axis, purple along the change axis;
 *  - typology: ColorBrewer sequential ramps per hue (Reds, Blues, Oranges, Purples, Greens), a
 *    darker shade for a higher intensity.
 */

/** ColorBrewer PuOr, by number of classes (orange → purple). */
const PUOR = {
  1: ['#f7f7f7'],
  3: ['#f1a340', '#f7f7f7', '#998ec3'],
  5: ['#e66101', '#fdb863', '#f7f7f7', '#b2abd2', '#5e3c99'],
  7: ['#b35806', '#f1a340', '#fee0b6', '#f7f7f7', '#d8daeb', '#998ec3', '#542788'],
  9: ['#b35806', '#e08214', '#fdb863', '#fee0b6', '#f7f7f7', '#d8daeb', '#b2abd2', '#8073ac', '#542788'],
  11: ['#7f3b08', '#b35806', '#e08214', '#fdb863', '#fee0b6', '#f7f7f7', '#d8daeb', '#b2abd2', '#8073ac', '#542788', '#2d004b'],
};

/** Colours for `2m + 1` change classes (m ≤ 5), orange (decline) → purple (rise). */
export function changeColours(m) {
  const c = PUOR[2 * m + 1];
  if (!c) throw new Error(`at most 5 edges per side (got ${m})`);
  return c;
}

/**
 * Stevens purple/gold, row by row from the bottom: index = 3 · y + x, x = level class (→ gold),
 * y = change class (↑ purple).
 */
const STEVENS_PURPLE_GOLD = [
  '#e8e8e8', '#e4d9ac', '#c8b35a',
  '#cbb8d7', '#c8ada0', '#af8e53',
  '#9972af', '#976b82', '#804d36',
];

/** Colour of bivariate class `3 · level + change` (src/analysis/bivariate.rs). */
export function bivariateColour(cls) {
  const level = Math.floor(cls / 3);
  const change = cls % 3;
  return STEVENS_PURPLE_GOLD[3 * change + level];
}

/** ColorBrewer 5-class sequential ramps, light → dark. */
const RAMPS = {
  red: ['#fee5d9', '#fcae91', '#fb6a4a', '#de2d26', '#a50f15'],
  blue: ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'],
  orange: ['#feedde', '#fdbe85', '#fd8d3c', '#e6550d', '#a63603'],
  purple: ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'],
  green: ['#edf8e9', '#bae4b3', '#74c476', '#31a354', '#006d2c'],
};
export const HUES = Object.keys(RAMPS);

/** Which ramp steps to use for n intensity levels (lightest left out where possible). */
const STEPS = { 1: [3], 2: [1, 3], 3: [1, 2, 4], 4: [1, 2, 3, 4], 5: [0, 1, 2, 3, 4] };

/** Colour of a typology class (`hue` key) at intensity `level` of `levels` (1 = no intensity). */
export function typologyColour(hue, level, levels) {
  const ramp = RAMPS[hue] || RAMPS.purple;
  const steps = STEPS[Math.min(Math.max(levels, 1), 5)];
  return ramp[steps[Math.min(level, steps.length - 1)]];
}

export const NO_DATA_COLOUR = '#d4d4d0';
export const SUPPRESSED_COLOUR = '#7d7d78';
export const UNCLASSIFIED_COLOUR = '#ffffff';
