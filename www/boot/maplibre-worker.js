// Page side: MapLibre GL (v6) runs its tile/GeoJSON work in its own worker, which by default it
// loads from `maplibre-gl-worker.mjs` next to its module (a network request, and impossible from
// `file://`). We bundle that worker as a classic script (webpack.config.js, `workers` compiler)
// and hand MapLibre a `blob:` URL for it. The `#…cjs` fragment tells MapLibre to start it as a
// classic worker (its check is `url.endsWith('.cjs')`); the fragment is ignored when the blob is
// resolved. Classic, because Chromium refuses module workers from `blob:` on opaque origins.
import maplibreWorkerSource from '@veerkracht-build/maplibre-worker-source';

let workerUrl = null;

/** The `blob:` URL of MapLibre's worker script, made once per page. */
export function maplibreWorkerUrl() {
  if (workerUrl === null) {
    const blob = new Blob([maplibreWorkerSource], { type: 'text/javascript' });
    workerUrl = `${URL.createObjectURL(blob)}#maplibre-gl-worker.cjs`;
  }
  return workerUrl;
}

/**
 * Point MapLibre at the inlined worker. Call once, before the first `new maplibregl.Map(...)`.
 * @param {{ setWorkerUrl(url: string): void }} maplibregl the imported `maplibre-gl` module
 */
export function useInlineMapLibreWorker(maplibregl) {
  maplibregl.setWorkerUrl(maplibreWorkerUrl());
}
