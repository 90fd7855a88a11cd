// www/boot: how the page starts its workers and how the worker gets its wasm. Owned by INFRA.
// Page side (www/main.js, www/engine.js):
//   import { createEngineWorker, useInlineMapLibreWorker } from './boot/index.js';
// Worker side (www/worker.js): import { wasmBytes } from './boot/wasm.js';
export { createEngineWorker, engineWorkerUrl } from './engine-worker.js';
export { useInlineMapLibreWorker, maplibreWorkerUrl } from './maplibre-worker.js';
