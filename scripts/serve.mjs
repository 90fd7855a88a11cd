#!/usr/bin/env node
// A tiny dependency-free static file server for dist/ (or any folder), sending Veerkracht's
// Content-Security-Policy header. For development and the end-to-end tests; in production any
// static web server or file share does (see README, "Hosting").
//
//   node scripts/serve.mjs [--dir dist] [--port 8080] [--host 127.0.0.1] [--base /sub/path/]
//
// --base serves the folder under a sub-path (as an intranet server would), e.g. /tools/veerkracht/.
// Port 0 picks a free port; the first line printed is `serving <url>`.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { servedCspHeader } from './csp.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.parquet': 'application/octet-stream',
  '.xlsx': 'application/octet-stream',
};

function headers(extra = {}) {
  return {
    'Content-Security-Policy': servedCspHeader(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...extra,
  };
}

/**
 * Start serving `dir` under `base`. Resolves to { server, url } once listening.
 * @param {{ dir: string, port?: number, host?: string, base?: string, quiet?: boolean }} options
 */
export function serve({ dir, port = 8080, host = '127.0.0.1', base = '/', quiet = false }) {
  const root = path.resolve(dir);
  const prefix = `/${base.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const server = createServer(async (req, res) => {
    const log = (status) => { if (!quiet) console.log(`${status} ${req.method} ${req.url}`); };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, headers({ Allow: 'GET, HEAD' })).end();
        return log(405);
      }
      const { pathname } = new URL(req.url, 'http://x');
      if (pathname === prefix.slice(0, -1)) {
        res.writeHead(301, headers({ Location: prefix })).end();
        return log(301);
      }
      if (!pathname.startsWith(prefix)) {
        res.writeHead(404, headers({ 'Content-Type': 'text/plain' })).end('not found');
        return log(404);
      }
      let rel = decodeURIComponent(pathname.slice(prefix.length));
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(root, rel);
      if (file !== root && !file.startsWith(root + path.sep)) {
        res.writeHead(403, headers()).end();
        return log(403);
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404, headers({ 'Content-Type': 'text/plain' })).end('not found');
        return log(404);
      }
      const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, headers({ 'Content-Type': type, 'Content-Length': info.size }));
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
      return log(200);
    } catch (err) {
      res.writeHead(500, headers()).end();
      return log(`500 ${err.message}`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}${prefix}` });
    });
  });
}

function parseArgs(argv) {
  const options = { dir: 'dist' };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (name === '--dir') options.dir = value;
    else if (name === '--port') options.port = Number(value);
    else if (name === '--host') options.host = value;
    else if (name === '--base') options.base = value;
    else throw new Error(`unknown option ${name} (expected --dir, --port, --host, --base)`);
  }
  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = parseArgs(process.argv.slice(2));
  const { url } = await serve(options);
  console.log(`serving ${url}  (${path.resolve(options.dir)}; Ctrl-C stops)`);
}
