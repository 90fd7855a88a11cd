// The Content-Security-Policy of Veerkracht, in one place. Used by webpack.config.js (meta tags in
// dist/index.html and dist/veerkracht.html), scripts/serve.mjs (HTTP header) and the README.
//
// Nothing is loaded from another origin. Only exception, in img-src/connect-src: the PDOK
// BRT-Achtergrondkaart, requested only when the user switches the online base map on.
export const PDOK_ORIGIN = 'https://service.pdok.nl';

/** Directives both variants share. `blob:` workers: the engine and MapLibre's worker are started
 * from inlined sources. `'wasm-unsafe-eval'` allows compiling WebAssembly and nothing else. */
function common() {
  return {
    'default-src': ["'none'"],
    'worker-src': ['blob:'],
    'img-src': ["'self'", 'data:', 'blob:', PDOK_ORIGIN],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", 'blob:', 'data:', PDOK_ORIGIN],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'object-src': ["'none'"],
  };
}

function render(directives) {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The served site: scripts and styles come from the page's own origin. */
export function servedCsp() {
  return render({
    ...common(),
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'style-src': ["'self'"],
  });
}

/** The HTTP header adds what a meta tag cannot carry. */
export function servedCspHeader() {
  return `${servedCsp()}; frame-ancestors 'self'`;
}

/** The single file: its inline scripts and styles are allowed by hash, nothing else. */
export function singleFileCsp({ scriptHashes, styleHashes }) {
  const quoted = (hashes) => hashes.map((h) => `'sha256-${h}'`);
  return render({
    ...common(),
    'script-src': [...quoted(scriptHashes), "'wasm-unsafe-eval'"],
    'style-src': quoted(styleHashes),
  });
}
