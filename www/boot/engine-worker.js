// Page side: starts the engine worker (www/worker.js, bundled with the wasm bytes inlined) from a
// `blob:` URL. The same code path runs on a web server, on an intranet share and from `file://`:
// nothing is fetched, so the worker works with the network off and under any sub-path.
//
// The worker source is a string produced by the `workers` compiler in webpack.config.js.
import workerSource from '@veerkracht-build/engine-worker-source';

let workerUrl = null;

/** The `blob:` URL of the engine worker script, made once per page and kept (workers are
 * restarted after a wasm trap, so the URL must stay valid). */
export function engineWorkerUrl() {
  if (workerUrl === null) {
    workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  }
  return workerUrl;
}

/**
 * A new engine worker (a classic worker: Chromium will not start a module worker from a `blob:`
 * URL on a `file://` page). Call again to restart after a trap; terminate the old one first.
 * @param {string} [name] shown in the browser's dev tools
 * @returns {Worker}
 */
export function createEngineWorker(name = 'veerkracht-engine') {
  return new Worker(engineWorkerUrl(), { name });
}
