/**
 * The interface language: Dutch by default, English as a switch. One job: turn keys into text
 * and numbers into locale-formatted strings (Intl), and relabel elements marked `data-i18n`.
 * Text is always set with textContent, never as HTML.
 */
import nl from './nl.js';
import en from './en.js';

const DICTS = { nl, en };
const LOCALES = { nl: 'nl-NL', en: 'en-GB' };
let lang = 'nl';
const listeners = new Set();

/**
 * Add a feature's own texts (kept beside the feature, e.g. `www/export/i18n.js`), so features do
 * not all edit nl.js/en.js. A key already present keeps its first text (no silent overrides).
 * @param {{ nl: Record<string, string>, en: Record<string, string> }} dicts
 */
export function addTranslations(dicts) {
  for (const [code, entries] of Object.entries(dicts)) {
    const dict = DICTS[code];
    if (!dict) throw new Error(`addTranslations: unknown language '${code}'`);
    for (const [key, text] of Object.entries(entries)) {
      if (key in dict && dict[key] !== text) throw new Error(`addTranslations: key '${key}' already has a text`);
      dict[key] = text;
    }
  }
}

/** @returns {'nl'|'en'} */
export function language() {
  return lang;
}

/** @param {'nl'|'en'} next */
export function setLanguage(next) {
  if (!DICTS[next] || next === lang) return;
  lang = next;
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

/** Calls `fn(lang)` after every language switch. Returns an unsubscribe function. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Translate `key`, filling `{name}` placeholders from `vars` (numbers are formatted).
 * @param {string} key
 * @param {Record<string, string|number>} [vars]
 */
export function t(key, vars) {
  const text = DICTS[lang][key] ?? DICTS.nl[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => {
    const v = vars[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? formatNumber(v) : String(v);
  });
}

/** Like `t`, but uses `key.one` when `count` is 1 (and that key exists). `{count}` is filled in. */
export function tn(key, count, vars = {}) {
  const one = `${key}.one`;
  const k = count === 1 && (DICTS[lang][one] ?? DICTS.nl[one]) ? one : key;
  return t(k, { ...vars, count });
}

const numberFormats = new Map();
function fmt(opts) {
  const key = lang + JSON.stringify(opts);
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[lang], opts);
    numberFormats.set(key, f);
  }
  return f;
}

/** A number in the current language (`1.234,5` in Dutch, `1,234.5` in English). */
export function formatNumber(value, maximumFractionDigits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return fmt({ maximumFractionDigits }).format(value);
}

/** A share 0..1 as a percentage (`42,3 %` / `42.3%`). */
export function formatShare(share, fractionDigits = 1) {
  if (share === null || share === undefined || Number.isNaN(share)) return '–';
  return fmt({
    style: 'percent',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(share);
}

/** Seconds with one decimal. */
export function formatSeconds(seconds) {
  return fmt({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(seconds);
}

/**
 * Relabel every element under `root` that carries `data-i18n` (textContent),
 * `data-i18n-title`, `data-i18n-aria-label` or `data-i18n-placeholder`.
 */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}
