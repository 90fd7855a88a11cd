// Worker side: the wasm bytes, inlined in the worker bundle as base64 (webpack `asset/inline` rule
// for `www/pkg/*.wasm`), so no request is ever made for them. In www/worker.js:
//
//   import { initSync } from '../pkg/veerkracht.js';   // wasm-bindgen --target web glue
//   import { wasmBytes } from './boot/wasm.js';
//   initSync({ module: wasmBytes() });
import wasmDataUrl from '../pkg/veerkracht_bg.wasm';

/** The engine's wasm module as bytes (decoded from the inlined base64 on each call: a restarted
 * worker starts from scratch anyway). @returns {Uint8Array} */
export function wasmBytes() {
  const base64 = wasmDataUrl.slice(wasmDataUrl.indexOf(',') + 1);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
