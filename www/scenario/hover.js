/**
 * The map's hover label while the what-if view shows a scenario: the location's corporation share
 * within R in the scenario and its band, beside the share in the current situation (before any
 * step). The shares are the page's copies (`sc.shares` patched after each edit, `sc.sharesBefore`
 * as the scenario was created); NaN = no share (no dwellings within R, or fewer than k).
 */
import { t, formatShare, language } from '../i18n/i18n.js';
import { bandLabels, DEFAULT_EDGES_PCT } from '../bands.js';
import './i18n.js';

/** @param {{ shares: Float64Array, sharesBefore: Float64Array, bands: Int8Array } | null} sc */
export function scenarioHover(sc, index) {
  if (!sc || index < 0 || index >= sc.shares.length) return '';
  const shareText = (v) => (Number.isNaN(v) ? t('whatif.noShare') : formatShare(v));
  const before = shareText(sc.sharesBefore[index]);
  const band = sc.bands[index];
  if (band < 0) return t('whatif.hover.none', { before });
  const labels = bandLabels(DEFAULT_EDGES_PCT, (v) => (language() === 'nl' ? `${v} %` : `${v}%`));
  return t('whatif.hover', { share: shareText(sc.shares[index]), band: labels[band], before });
}
