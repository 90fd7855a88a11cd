/**
 * `<veerkracht-map>`: the Veerkracht map as a custom element for an intranet page (issue 5).
 *
 *   <script src="/tools/veerkracht/veerkracht-embed.js"></script>
 *   <veerkracht-map radius-m="200" lang="nl" style="height: 480px">
 *     <script type="application/json">
 *       { "layers": [{ "url": "data/squares.csv", "denominator": "aantal_woningen",
 *                      "numerator": "aantal_huurwoningen_in_bezit_woningcorporaties",
 *                      "label": "Aandeel corporatiewoningen" }],
 *         "bandsPct": [0, 10, 20, 30, 40, 50, 60, 70, 80], "suppressBelow": 10 }
 *     </script>
 *   </veerkracht-map>
 *
 * Configuration: a JSON child `<script type="application/json">` (never executed) or a `config`
 * attribute holding the same JSON; the attributes `radius-m`, `bands` ("0,10,…,80"), `lang`
 * (nl | en) and `suppress-below` override it. Layers load only from same-origin URLs, and all
 * computing happens in a Web Worker in the visitor's browser: nothing is sent anywhere.
 *
 * Events (bubbling, composed):
 *   veerkracht-ready   detail { layers: [{ label, count }], radiusM }
 *   veerkracht-select  detail { layer, index, id, share, denominatorSum, numeratorSum, band, radiusM }
 *   veerkracht-error   detail { message }
 * JavaScript API: `el.ready` (a promise), `await el.setRadius(m)`, `el.select(index)`, `el.result`.
 * The host page's CSP must allow `worker-src blob:` and `script-src 'wasm-unsafe-eval'`.
 */
import * as maplibregl from 'maplibre-gl';
import maplibreCss from 'maplibre-gl/dist/maplibre-gl.css?raw';
import { createEngineWorker } from '../boot/index.js';
import { createEngine } from '../engine.js';
import { createMap } from '../map.js';
import { DEFAULT_EDGES_PCT, classify } from '../bands.js';
import { setLanguage } from '../i18n/i18n.js';

const TAG = 'veerkracht-map';
const DEFAULTS = Object.freeze({ radiusM: 200, bandsPct: DEFAULT_EDGES_PCT, suppressBelow: 10, missing: 'countAsZero', lang: 'nl' });
const ELEMENT_CSS = `${TAG} { display: block; position: relative; min-height: 320px; }
${TAG} > .veerkracht-map-canvas { position: absolute; inset: 0; }`;

let stylesAdopted = false;
/** MapLibre's CSS and ours, as constructed style sheets: allowed under a host CSP without 'unsafe-inline'. */
function adoptStyles() {
  if (stylesAdopted) return;
  stylesAdopted = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`${maplibreCss}\n${ELEMENT_CSS}`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

function sameOrigin(url) {
  const u = new URL(url, document.baseURI);
  if (u.origin !== window.location.origin) {
    throw new Error(`${TAG}: layer ${u.href} is not on this page's origin (${window.location.origin}); only same-origin layers are loaded`);
  }
  return u;
}

/** The element's settings: JSON config, then attributes on top. */
export function readConfig(el) {
  const json = el.getAttribute('config') ?? el.querySelector(':scope > script[type="application/json"]')?.textContent ?? '{}';
  let config;
  try {
    config = JSON.parse(json);
  } catch (e) {
    throw new Error(`${TAG}: the configuration is not valid JSON (${e.message})`);
  }
  const merged = { ...DEFAULTS, ...config };
  if (el.hasAttribute('radius-m')) merged.radiusM = Number(el.getAttribute('radius-m'));
  if (el.hasAttribute('suppress-below')) merged.suppressBelow = Number(el.getAttribute('suppress-below'));
  if (el.hasAttribute('bands')) merged.bandsPct = el.getAttribute('bands').split(',').map(Number);
  if (el.hasAttribute('lang')) merged.lang = el.getAttribute('lang');
  if (!(merged.radiusM > 0)) throw new Error(`${TAG}: radius-m must be a positive number of metres (got ${merged.radiusM})`);
  if (!Array.isArray(merged.layers) || merged.layers.length === 0) throw new Error(`${TAG}: no layers configured`);
  return merged;
}

export class VeerkrachtMap extends HTMLElement {
  constructor() {
    super();
    this.result = null;
    this._engine = null;
    this._map = null;
    this._layers = [];
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    this.ready.catch(() => {});
  }

  connectedCallback() {
    if (this._started) return;
    this._started = true;
    this._start().catch((err) => this._fail(err));
  }

  disconnectedCallback() {
    // Kept simple: a removed element releases its worker and map.
    this._engine?.terminate?.();
    this._map?.map?.remove?.();
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  _fail(err) {
    this.dataset.state = 'error';
    this._emit('veerkracht-error', { message: err.message });
    this._rejectReady(err);
  }

  async _start() {
    this.dataset.state = 'loading';
    this.config = readConfig(this);
    setLanguage(this.config.lang === 'en' ? 'en' : 'nl');
    adoptStyles();
    const holder = document.createElement('div');
    holder.className = 'veerkracht-map-canvas';
    this.append(holder);
    this._engine = createEngine(() => createEngineWorker(`${TAG}-engine`));
    this._map = createMap(holder, {
      onSelect: (index) => this.select(index),
      attribution: this.config.attribution ?? 'CBS',
      describe: (index) => this._describe(index),
    });
    this._layers = [];
    for (const [i, spec] of this.config.layers.entries()) {
      const url = sameOrigin(spec.url);
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${TAG}: ${url.pathname}: HTTP ${response.status}`);
      const fileName = url.pathname.split('/').pop() || `layer-${i}.csv`;
      const file = new File([await response.blob()], fileName);
      const layerId = `embed-${i}`;
      const summary = await this._engine.request('importFile', { layerId, file, fileName }).promise;
      const geometry = await this._engine.request('geometry', { layerId }).promise;
      const count = Number.isInteger(summary?.rows) ? summary.rows : geometry.lon.length / (geometry.kind === 'square' ? 4 : 1);
      this._layers.push({ spec, layerId, geometry, count });
    }
    await this._score({ fit: true });
    this.dataset.state = 'ready';
    const detail = { layers: this._layers.map((l) => ({ label: l.spec.label ?? l.spec.numerator, count: l.count })), radiusM: this.config.radiusM };
    this._emit('veerkracht-ready', detail);
    this._resolveReady(detail);
  }

  /** Score the first layer (the one drawn) with the current settings and draw it. */
  async _score({ fit }) {
    const layer = this._layers[0];
    const { spec } = layer;
    const r = await this._engine.request('score', {
      layerId: layer.layerId,
      radiusM: this.config.radiusM,
      denominator: spec.denominator,
      numerators: [spec.numerator],
      missing: this.config.missing,
      suppressBelow: this.config.suppressBelow,
    }).promise;
    const share = r.shares[0];
    const bands = classify(share, this.config.bandsPct);
    this.result = { layer: layer.spec.label ?? spec.numerator, radiusM: this.config.radiusM, share, bands,
      denominatorSum: r.denominatorSum, numeratorSum: r.numeratorSums[0] };
    await this._map.show(layer.geometry, bands, { fit });
  }

  _describe(index) {
    const share = this.result?.share[index];
    return Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : '–';
  }

  /** Recompute with another radius (metres). */
  async setRadius(radiusM) {
    await this.ready;
    if (!(radiusM > 0)) throw new Error(`${TAG}: radius must be a positive number of metres (got ${radiusM})`);
    this.config.radiusM = radiusM;
    this.setAttribute('radius-m', String(radiusM));
    this.dataset.state = 'computing';
    await this._score({ fit: false });
    this.dataset.state = 'ready';
  }

  /** Select a location by row index: highlights it and emits `veerkracht-select`. */
  async select(index) {
    if (!this.result) return;
    await this._map.select(index);
    const layer = this._layers[0];
    const id = await this._engine.request('row', { layerId: layer.layerId, index, columns: [] }).promise
      .then((row) => row?.id ?? null, () => null);
    const share = this.result.share[index];
    this._emit('veerkracht-select', {
      layer: this.result.layer,
      index,
      id,
      share: Number.isFinite(share) ? share : null,
      denominatorSum: this.result.denominatorSum[index],
      numeratorSum: this.result.numeratorSum[index],
      band: this.result.bands[index],
      radiusM: this.result.radiusM,
    });
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, VeerkrachtMap);
