// End-to-end harness (INFRA): a static server for dist/, Debian Chromium through playwright-core,
// and a record of everything a page does that a test may want to refuse: every request, console
// errors (CSP violations land there), uncaught page errors.
//
//   import { openServed, openFile, foreignRequests } from './harness.mjs';
//   const s = await openServed();            // dist/ over http on a free port, page loaded
//   ... s.page (a playwright Page), s.requests, s.consoleErrors, s.pageErrors ...
//   assert.deepEqual(foreignRequests(s), []);
//   await s.close();
//
// Tests run with `node --test tests/e2e/` after `./dev.sh build` (./dev.sh test does both).
import { existsSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const SINGLE_FILE = path.join(DIST, 'veerkracht.html');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Generous: a fresh CI machine of 2 cores also compiles wasm in the worker. */
export const TIMEOUT_MS = 120_000;

/** The flags Chromium needs here: root (no sandbox), no GPU, and none of its own phoning home. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--use-gl=angle', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  // The browser's own services, pointed at a host that does not exist (see BROWSER_SERVICE_HOST).
  '--gaia-url=http://browser-services.invalid', '--google-apis-url=http://browser-services.invalid',
  '--lso-url=http://browser-services.invalid', '--component-updater=url-source=http://browser-services.invalid',
  '--disable-features=OptimizationHints,OptimizationGuideModelDownloading,Translate,MediaRouter,AutofillServerCommunication,NetworkTimeServiceQuerying',
];

/** Where the flags above send the browser's own service traffic (sign-in, component updates): a
 * reserved name that never resolves. Such requests come from the browser, not from the page, and
 * are left out of foreignRequests. */
export const BROWSER_SERVICE_HOST = 'browser-services.invalid';

/** Everything a test opened (browsers, servers, proxies), closed after the test file even when a
 * test failed before it could close its own — otherwise a leftover browser keeps node running. */
const open = new Set();
function track(closer) {
  const entry = { closer };
  open.add(entry);
  return async () => {
    if (!open.delete(entry)) return;
    await closer();
  };
}
export async function closeAll() {
  const pending = [...open];
  open.clear();
  await Promise.allSettled(pending.map((e) => e.closer()));
}
// Under `node --test` (which sets NODE_TEST_CONTEXT in each test file's process).
if (process.env.NODE_TEST_CONTEXT) after(closeAll);

/** Fails with a helpful message when dist/ was not built. */
export function requireBuild() {
  for (const file of [path.join(DIST, 'index.html'), SINGLE_FILE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run ./dev.sh build first`);
  }
}

/**
 * Serve a folder (default dist/) on 127.0.0.1 on a free port.
 * @param {{ dir?: string, base?: string }} [options] base: serve under a sub-path, e.g. '/intranet/veerkracht/'
 * @returns {Promise<{ url: string, origin: string, close: () => Promise<void> }>}
 */
export async function startServer({ dir = DIST, base = '/' } = {}) {
  const { server, url } = await serve({ dir, port: 0, base, quiet: true });
  return {
    url,
    origin: new URL(url).origin,
    close: track(() => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); })),
  };
}

/**
 * A recording HTTP proxy that all of the browser's traffic goes through — the page's, its
 * workers' (which playwright's request events do not show) and the browser's own. It forwards
 * requests to the `allow`ed origins (the test server) and refuses everything else.
 * @param {string[]} allow origins to forward, e.g. ['http://127.0.0.1:4711']
 */
export async function startRecordingProxy(allow = []) {
  const log = [];
  const hopByHop = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive']);
  const server = http.createServer((req, res) => {
    log.push(req.url);
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!allow.includes(target.origin)) {
      res.writeHead(502, { 'Content-Type': 'text/plain' }).end('refused by the test proxy');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !hopByHop.has(k)));
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket) => {
    log.push(`https://${req.url}/`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  server.on('upgrade', (req, socket) => {
    log.push(req.url);
    socket.destroy();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    log,
    close: track(() => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); })),
  };
}

/**
 * Launch Chromium with a fresh, empty profile; every page in it is recorded, and all network
 * traffic goes through a recording proxy (`networkLog`).
 * @param {{ offline?: boolean, allow?: string[] }} [options]
 *   offline: abort every request that is not file:, blob: or data:
 *   allow: origins the proxy forwards (the test server's)
 */
export async function launch({ offline = false, allow = [] } = {}) {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'veerkracht-e2e-'));
  const proxy = await startRecordingProxy(allow);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // `<-loopback>` removes Chromium's implicit proxy bypass for localhost.
    args: [...CHROMIUM_ARGS, `--proxy-server=${proxy.url}`, '--proxy-bypass-list=<-loopback>'],
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const record = { requests: [], failedRequests: [], consoleErrors: [], consoleMessages: [], pageErrors: [] };
  context.on('request', (req) => record.requests.push(req.url()));
  context.on('requestfailed', (req) => record.failedRequests.push({ url: req.url(), error: req.failure()?.errorText }));
  if (offline) {
    await context.route('**/*', (route) => {
      const { protocol } = new URL(route.request().url());
      return ['file:', 'blob:', 'data:'].includes(protocol) ? route.continue() : route.abort('internetdisconnected');
    });
  }
  const watch = (page) => {
    page.on('console', (msg) => {
      const entry = { type: msg.type(), text: msg.text(), location: msg.location()?.url };
      record.consoleMessages.push(entry);
      if (msg.type() === 'error') record.consoleErrors.push(entry.text);
    });
    page.on('pageerror', (err) => record.pageErrors.push(String(err?.stack ?? err)));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    ...record,
    networkLog: proxy.log,
    close: track(async () => {
      await context.close().catch(() => {});
      await proxy.close();
      await rm(profile, { recursive: true, force: true });
    }),
  };
}

/**
 * dist/ served over http, opened in a fresh browser. `s.close()` stops both.
 * @param {{ path?: string, base?: string, dir?: string, waitUntil?: 'load'|'domcontentloaded'|'networkidle' }} [options]
 *   path: page relative to the served root (default index.html)
 */
export async function openServed({ path: page = '', base = '/', dir = DIST, waitUntil = 'load' } = {}) {
  requireBuild();
  const server = await startServer({ dir, base });
  const browser = await launch({ allow: [server.origin] });
  const url = new URL(page, server.url).href;
  const closeBrowser = browser.close;
  const session = Object.assign(browser, {
    url,
    origin: server.origin,
    server,
    async close() {
      await closeBrowser();
      await server.close();
    },
  });
  await browser.page.goto(url, { waitUntil });
  return session;
}

/**
 * A local HTML file (default dist/veerkracht.html) opened from file:// with the network off.
 * @param {{ file?: string, waitUntil?: 'load'|'domcontentloaded' }} [options]
 */
export async function openFile({ file = SINGLE_FILE, waitUntil = 'load' } = {}) {
  requireBuild();
  const browser = await launch({ offline: true });
  await browser.context.setOffline(true);
  const url = pathToFileURL(file).href;
  await browser.page.goto(url, { waitUntil });
  return Object.assign(browser, { url, origin: 'file://' });
}

/**
 * Requests that left the page's own origin (blob: and data: never leave the browser): those the
 * page made (playwright's log) and everything that reached the network from any of its workers
 * (the recording proxy's log).
 */
export function foreignRequests(session) {
  return [...new Set([...session.requests, ...(session.networkLog ?? [])])].filter((url) => {
    const u = new URL(url);
    if (u.protocol === 'blob:' || u.protocol === 'data:') return false;
    if (u.hostname === BROWSER_SERVICE_HOST) return false;
    if (session.origin === 'file://') return u.protocol !== 'file:';
    return u.origin !== session.origin;
  });
}

/** Everything the browser keeps for the page's origin: cookies, Web Storage, IndexedDB, Cache API. */
export async function browserStorage(session) {
  const cookies = await session.context.cookies();
  const inPage = await session.page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [],
    caches: typeof caches !== 'undefined' ? await caches.keys() : [],
  }));
  return { cookies: cookies.map((c) => c.name), ...inPage };
}

/** A compact description for assertion messages. */
export function describe(session) {
  return JSON.stringify({
    consoleErrors: session.consoleErrors,
    pageErrors: session.pageErrors,
    failedRequests: session.failedRequests,
  }, null, 1);
}

/**
 * How many distinct colours a screenshot of `selector` shows (sampled; capped at `cap`). Works for
 * WebGL canvases without preserveDrawingBuffer: it reads what is on screen, decoded in the page.
 */
export async function distinctColours(session, selector = '#map', cap = 64) {
  const png = await session.page.locator(selector).first().screenshot();
  return session.page.evaluate(async ({ b64, cap: max }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const seen = new Set();
    for (let i = 0; i < data.length && seen.size < max; i += 4 * 13) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  }, { b64: png.toString('base64'), cap });
}
