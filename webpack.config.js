// Builds dist/ from www/ in two steps (see ARCHITECTURE.md, "one code path everywhere"):
//  1. `workers`: www/worker.js (with the wasm bytes inlined as base64) and MapLibre's worker, each
//     as one classic script, into node_modules/.cache/veerkracht-workers/.
//  2. `page`: www/main.js with both worker scripts inlined as strings (started from `blob:` URLs by
//     www/boot/), its CSS extracted to main.css, and the pages dist/index.html (served site) and
//     dist/veerkracht.html (single self-contained file) written by scripts/webpack-html.mjs.
// `./dev.sh build` runs wasm-bindgen (into www/pkg/) before this.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniCssExtractPlugin from 'mini-css-extract-plugin';
import TerserPlugin from 'terser-webpack-plugin';
import { VeerkrachtHtmlPlugin } from './scripts/webpack-html.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
// VEERKRACHT_WWW: build another copy of www/ (used only to try changes outside the tree).
const www = process.env.VEERKRACHT_WWW ? path.resolve(process.env.VEERKRACHT_WWW) : path.join(root, 'www');
const workersOut = path.join(root, 'node_modules', '.cache', 'veerkracht-workers');
const engineWorkerSource = path.join(workersOut, 'engine-worker.js');
const maplibreWorkerSource = path.join(workersOut, 'maplibre-worker.js');

const common = {
  context: root,
  // No eval-based source maps: the CSP allows no eval.
  devtool: false,
  performance: { hints: false },
  stats: 'errors-warnings',
};

const workers = {
  ...common,
  name: 'workers',
  target: 'webworker',
  entry: {
    'engine-worker': path.join(www, 'worker.js'),
    'maplibre-worker': 'maplibre-gl/dist/maplibre-gl-worker.mjs',
  },
  output: { path: workersOut, filename: '[name].js', iife: true, clean: true },
  // MapLibre's worker ships minified and ours is mostly base64: minifying again only costs time.
  optimization: { splitChunks: false, runtimeChunk: false, minimize: false },
  module: {
    parser: { javascript: { url: false } },
    rules: [
      { test: /\.wasm$/, type: 'asset/inline', generator: { dataUrl: { mimetype: 'application/wasm' } } },
      { test: /[\\/]pkg[\\/]veerkracht\.js$/, loader: path.join(root, 'scripts', 'strip-import-meta-loader.cjs') },
      { test: /\.(csv|geojson|txt)$/, type: 'asset/source' },
      // MapLibre's importScriptInWorkers path (`import(url)`), unused here.
      { test: /maplibre-gl-worker\.mjs$/, parser: { exprContextCritical: false } },
    ],
  },
};

const page = {
  ...common,
  name: 'page',
  dependencies: ['workers'],
  target: 'web',
  entry: {
    main: path.join(www, 'main.js'),
    // <veerkracht-map> for intranet pages (www/embed/); same workers, no demo data.
    'veerkracht-embed': path.join(www, 'embed', 'index.js'),
  },
  output: { path: path.join(root, 'dist'), filename: '[name].js', clean: true },
  optimization: {
    splitChunks: false,
    runtimeChunk: false,
    // Licence comments stay in the bundle (no separate LICENSE.txt), so the single file carries them.
    minimizer: [new TerserPlugin({ extractComments: false })],
  },
  resolve: {
    alias: {
      '@veerkracht-build/engine-worker-source$': engineWorkerSource,
      '@veerkracht-build/maplibre-worker-source$': maplibreWorkerSource,
    },
  },
  module: {
    parser: { javascript: { url: false } },
    rules: [
      { include: [engineWorkerSource, maplibreWorkerSource], type: 'asset/source' },
      // `import css from 'x.css?raw'`: the CSS as a string (the embed adopts it as a constructed sheet).
      { test: /\.css$/, resourceQuery: /raw/, type: 'asset/source' },
      {
        test: /\.css$/,
        resourceQuery: { not: [/raw/] },
        use: [MiniCssExtractPlugin.loader, { loader: 'css-loader', options: { url: false } }],
      },
      // Demo and example data: imported as strings, so the single file carries them too.
      { test: /\.(csv|geojson|txt)$/, type: 'asset/source' },
    ],
  },
  plugins: [
    new MiniCssExtractPlugin({ filename: '[name].css' }),
    new VeerkrachtHtmlPlugin({ template: path.join(www, 'index.html'), singleFile: 'veerkracht.html' }),
  ],
};

export default [workers, page];
