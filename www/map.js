/**
 * The map (MapLibre GL). No base map by default: a plain background, and the locations drawn
 * from the worker's geometry — CBS squares as their real 100 m squares (RD corners converted to
 * lon/lat by the wasm core), other locations as dots. An opt-in online PDOK BRT-Achtergrondkaart
 * sits underneath when the user switches it on (the page then tells that PDOK sees the area).
 *
 * @typedef {{ kind: 'square'|'point', sizeM?: number, lon: Float64Array, lat: Float64Array,
 *             bounds: [number, number, number, number] }} Geometry
 *   For squares `lon`/`lat` hold 4 corners per location (lower-left, lower-right, upper-right,
 *   upper-left); for points one coordinate per location. `bounds` = [west, south, east, north].
 */
import * as maplibregl from 'maplibre-gl';
import { useInlineMapLibreWorker } from './boot/index.js';
import { NO_SHARE_COLOUR, palette } from './bands.js';
import { createBigLayer } from './map-big.js';

useInlineMapLibreWorker(maplibregl);

const PDOK_TILES =
  'https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png';
const SRC = 'locations';
const BACKGROUND = '#eef0ee';

const EMPTY = { type: 'FeatureCollection', features: [] };

/**
 * Layers with more locations than this are drawn by a custom WebGL layer from the geometry's typed
 * arrays (map-big.js), not as GeoJSON features: a GeoJSON source of a million features takes
 * gigabytes in MapLibre's worker and crashes the tab. Smaller layers keep the GeoJSON path.
 */
export const BIG_LAYER_THRESHOLD = 200_000;
const BIG = 'locations-big';
const BIG_SEL = 'locations-big-selected';
/** Every layer that draws the locations (either path) and their selection outline. */
const LOCATION_LAYERS = ['squares-fill', 'points', 'selected-line', 'selected-point', BIG, 'big-selected-line', 'big-selected-point'];

/**
 * Fill colour by class index (feature state `b` when set by `updateClasses`, else the feature
 * property `b`; -1 = none): `colours` or the band palette.
 */
function colourExpression(nBands, colours = palette(nBands)) {
  const expr = ['match', ['coalesce', ['feature-state', 'b'], ['get', 'b']]];
  colours.forEach((c, i) => expr.push(i, c));
  expr.push(NO_SHARE_COLOUR);
  return expr;
}

/**
 * GeoJSON features for a geometry and its band per location. The geometries of the last layer
 * are kept: a recomputation only makes new feature objects carrying the new band (`properties.b`).
 */
function toFeatures(cached, geometry, bands) {
  if (cached.geometry === geometry && cached.collection.features.length === bands.length) {
    // A new collection (MapLibre ignores setData with the object it already has) sharing the
    // geometries: only the small feature objects are made again.
    const prev = cached.collection.features;
    const features = new Array(bands.length);
    for (let i = 0; i < bands.length; i++) {
      features[i] = { type: 'Feature', id: i, properties: { b: bands[i] }, geometry: prev[i].geometry };
    }
    cached.collection = { type: 'FeatureCollection', features };
    return cached.collection;
  }
  const collection = buildFeatures(geometry, bands);
  cached.geometry = geometry;
  cached.collection = collection;
  return collection;
}

function buildFeatures(geometry, bands) {
  const features = new Array(bands.length);
  const { lon, lat } = geometry;
  if (geometry.kind === 'square') {
    for (let i = 0; i < bands.length; i++) {
      const o = i * 4;
      features[i] = {
        type: 'Feature',
        id: i,
        properties: { b: bands[i] },
        geometry: {
          type: 'Polygon',
          coordinates: [[
            [lon[o], lat[o]], [lon[o + 1], lat[o + 1]], [lon[o + 2], lat[o + 2]],
            [lon[o + 3], lat[o + 3]], [lon[o], lat[o]],
          ]],
        },
      };
    }
  } else {
    for (let i = 0; i < bands.length; i++) {
      features[i] = {
        type: 'Feature',
        id: i,
        properties: { b: bands[i] },
        geometry: { type: 'Point', coordinates: [lon[i], lat[i]] },
      };
    }
  }
  return { type: 'FeatureCollection', features };
}

/**
 * @param {HTMLElement} container
 * @param {{ onSelect: (index: number) => void, attribution: string,
 *           describe?: (index: number) => string }} opts  `describe` gives the hover label of the
 *   band map; a `show` with a `describe` of its own replaces it until the next `show` without one
 */
export function createMap(container, { onSelect, attribution, describe }) {
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: {
        [SRC]: { type: 'geojson', data: EMPTY, attribution },
      },
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } }],
    },
    center: [4.48, 51.92],
    zoom: 10,
    attributionControl: { compact: false },
    dragRotate: false,
    pitchWithRotate: false,
    maxPitch: 0,
    // Keep the drawn frame readable, so the map can be exported (and checked) as an image.
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');

  const ready = new Promise((resolve) => map.once('load', resolve));
  const hover = document.createElement('div');
  hover.className = 'map-hover';
  hover.hidden = true;
  container.append(hover);
  let geometry = null;
  let kind = null;
  let describeNow = describe; // the hover label of what is drawn now (see show)
  const cached = { geometry: null, collection: null }; // this map's features (see toFeatures)
  let selected = -1;
  let classStates = false; // feature states set by updateClasses, cleared by show()
  let hidden = false; // the locations hidden (setLocationsVisible), until the next show()
  const big = createBigLayer(BIG); // big layers (see BIG_LAYER_THRESHOLD)

  ready.then(() => {
    map.addLayer({
      id: 'squares-fill', type: 'fill', source: SRC,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': colourExpression(9), 'fill-opacity': 0.88 },
    });
    map.addLayer({
      id: 'points', type: 'circle', source: SRC,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': colourExpression(9),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 1.5, 12, 3, 16, 7],
        'circle-stroke-width': 0,
      },
    });
    map.addLayer({
      id: 'selected-line', type: 'line', source: SRC,
      filter: ['all', ['==', ['geometry-type'], 'Polygon'], ['==', ['id'], -1]],
      paint: { 'line-color': '#e4003b', 'line-width': 2.5 },
    });
    map.addLayer({
      id: 'selected-point', type: 'circle', source: SRC,
      filter: ['all', ['==', ['geometry-type'], 'Point'], ['==', ['id'], -1]],
      paint: { 'circle-radius': 8, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e4003b', 'circle-stroke-width': 2.5 },
    });
    // Big layers: drawn under the (then empty) GeoJSON layers; the selection outline is a one-feature
    // GeoJSON source of its own.
    map.addLayer(big.layer, 'squares-fill');
    map.addSource(BIG_SEL, { type: 'geojson', data: EMPTY });
    map.addLayer({
      id: 'big-selected-line', type: 'line', source: BIG_SEL, filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'line-color': '#e4003b', 'line-width': 2.5 },
    });
    map.addLayer({
      id: 'big-selected-point', type: 'circle', source: BIG_SEL, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 8, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e4003b', 'circle-stroke-width': 2.5 },
    });
    const pickBig = (ev) => big.pick(ev.lngLat, map.transform?.worldSize ?? 512 * 2 ** map.getZoom(), map.getZoom());
    map.on('click', (ev) => {
      if (!big.active || hidden) return;
      const i = pickBig(ev);
      if (i >= 0) onSelect(i);
    });
    let hoverPending = null;
    map.on('mousemove', (ev) => {
      if (!big.active || hidden) return;
      const first = !hoverPending;
      hoverPending = ev;
      if (!first) return;
      setTimeout(() => {
        const e = hoverPending;
        hoverPending = null;
        if (!big.active || hidden) return;
        const i = pickBig(e);
        map.getCanvas().style.cursor = i >= 0 ? 'pointer' : '';
        if (i < 0 || !describeNow) {
          hover.hidden = true;
          return;
        }
        hover.textContent = describeNow(i);
        hover.style.left = `${e.point.x + 12}px`;
        hover.style.top = `${e.point.y + 12}px`;
        hover.hidden = false;
      }, 60);
    });
    map.on('mouseout', () => {
      if (big.active) hover.hidden = true;
    });
    for (const id of ['squares-fill', 'points']) {
      map.on('click', id, (ev) => {
        const f = ev.features?.[0];
        if (f && typeof f.id === 'number') onSelect(f.id);
      });
      map.on('mouseenter', id, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', id, () => {
        map.getCanvas().style.cursor = '';
        hover.hidden = true;
      });
      map.on('mousemove', id, (ev) => {
        const f = ev.features?.[0];
        if (!describeNow || !f || typeof f.id !== 'number') return;
        hover.textContent = describeNow(f.id);
        hover.style.left = `${ev.point.x + 12}px`;
        hover.style.top = `${ev.point.y + 12}px`;
        hover.hidden = false;
      });
    }
  });

  /** One feature: the outline of location `i` of `geom`. */
  function outlineFeature(geom, i) {
    const { lon, lat } = geom;
    if (geom.kind === 'square') {
      const ring = [0, 1, 2, 3, 0].map((k) => [lon[i * 4 + k], lat[i * 4 + k]]);
      return { type: 'Feature', id: i, properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } };
    }
    return { type: 'Feature', id: i, properties: {}, geometry: { type: 'Point', coordinates: [lon[i], lat[i]] } };
  }

  function applySelection() {
    const bigGeom = big.geometry;
    const sel = bigGeom && selected >= 0 && selected < bigGeom.lon.length / (bigGeom.kind === 'square' ? 4 : 1);
    map.getSource(BIG_SEL)?.setData(sel ? { type: 'FeatureCollection', features: [outlineFeature(bigGeom, selected)] } : EMPTY);
    const f = ['==', ['id'], selected];
    map.setFilter('selected-line', ['all', ['==', ['geometry-type'], 'Polygon'], f]);
    map.setFilter('selected-point', ['all', ['==', ['geometry-type'], 'Point'], f]);
  }

  function setVisible(visible) {
    hidden = !visible;
    for (const id of LOCATION_LAYERS) {
      if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
    }
    if (hidden) hover.hidden = true;
  }

  /** The GeoJSON path of `show` (layers up to BIG_LAYER_THRESHOLD locations). */
  function showFeatures(geom, bands, colours) {
    map.setPaintProperty('squares-fill', 'fill-color', colourExpression(colours.length, colours));
    map.setPaintProperty('points', 'circle-color', colourExpression(colours.length, colours));
    if (classStates) {
      map.removeFeatureState({ source: SRC });
      classStates = false;
    }
    map.getSource(SRC).setData(toFeatures(cached, geom, bands));
  }

  return {
    map,
    ready,
    /**
     * Show a layer's locations coloured by band (Int8Array, -1 = none). Other classifications
     * (a change map, bivariate classes, a typology) pass their own `colours`, one per class index,
     * and their own `describe` (the hover label of location i); without it the hover shows the
     * band map's label again.
     * @param {Geometry} geom  @param {Int8Array} bands
     * @param {{ fit?: boolean, nBands?: number, colours?: string[],
     *           describe?: (index: number) => string }} [opts]
     */
    async show(geom, bands, opts = {}) {
      await ready;
      describeNow = opts.describe || describe;
      if (hidden) setVisible(true);
      const fit = opts.fit ?? geom !== geometry;
      geometry = geom;
      kind = geom.kind;
      const colours = opts.colours || palette(opts.nBands || 9);
      if (bands.length > BIG_LAYER_THRESHOLD) {
        if (!big.active) {
          // From the GeoJSON path: free its features.
          map.getSource(SRC).setData(EMPTY);
          cached.geometry = null;
          cached.collection = null;
          if (classStates) map.removeFeatureState({ source: SRC });
          classStates = false;
        }
        big.set(geom, bands, colours, NO_SHARE_COLOUR);
        applySelection();
      } else {
        if (big.active) {
          big.clear();
          applySelection();
        }
        showFeatures(geom, bands, colours);
      }
      if (fit && geom.bounds) {
        map.resize();
        const [w, s, e, n] = geom.bounds;
        map.fitBounds([[w, s], [e, n]], { padding: 24, animate: false });
      }
    },
    /**
     * Recolour some locations without re-tiling the layer (e.g. a what-if change): class index
     * `classes[k]` for location `indices[k]`, kept until the next `show`. The map must be ready.
     */
    updateClasses(indices, classes) {
      if (big.active) {
        big.setClasses(indices, classes);
        return;
      }
      for (let k = 0; k < indices.length; k++) map.setFeatureState({ source: SRC, id: indices[k] }, { b: classes[k] });
      if (indices.length) classStates = true;
    },
    async clear() {
      await ready;
      geometry = null;
      describeNow = describe;
      map.getSource(SRC).setData(EMPTY);
      big.clear();
      selected = -1;
      applySelection();
    },
    /** Outline location `index` (or -1 for none); `fly` centres the map on it. */
    async select(index, { fly = false } = {}) {
      await ready;
      selected = index;
      applySelection();
      if (fly && geometry && index >= 0) {
        const o = kind === 'square' ? index * 4 : index;
        const c = kind === 'square'
          ? [(geometry.lon[o] + geometry.lon[o + 2]) / 2, (geometry.lat[o] + geometry.lat[o + 2]) / 2]
          : [geometry.lon[o], geometry.lat[o]];
        map.jumpTo({ center: c, zoom: Math.max(map.getZoom(), 14) });
      }
    },
    /** Switch the online PDOK base map on or off. */
    async setBasemap(on, pdokAttribution) {
      await ready;
      if (on && !map.getSource('pdok')) {
        map.addSource('pdok', {
          type: 'raster', tiles: [PDOK_TILES], tileSize: 256, maxzoom: 19,
          attribution: pdokAttribution,
        });
        map.addLayer({ id: 'pdok', type: 'raster', source: 'pdok' }, BIG);
        map.setPaintProperty('squares-fill', 'fill-opacity', 0.7);
        big.setOpacity(0.7);
      } else if (!on && map.getSource('pdok')) {
        map.removeLayer('pdok');
        map.removeSource('pdok');
        map.setPaintProperty('squares-fill', 'fill-opacity', 0.88);
        big.setOpacity(0.88);
      }
    },
    /**
     * Hide (or show again) the locations — GeoJSON and big layers alike, with their selection
     * outline, hover and click — while something else covers the map (an analysis map on the buurt
     * polygons). The next `show` shows them again. The map must be ready.
     */
    setLocationsVisible: (visible) => setVisible(visible),
    resize: () => map.resize(),
    /** The hover label of location `index` in what is drawn now ('' when nothing says). */
    describe: (index) => (describeNow ? describeNow(index) : ''),
  };
}
