// The served site (INFRA, issues 2 and 5): dist/ over http loads with its strict CSP, makes no
// request outside its own origin, logs no console error (a CSP violation would be one), and works
// the same when an intranet server puts it under a sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, TIMEOUT_MS, describe, foreignRequests, openServed, requireBuild, startServer } from './harness.mjs';
import { servedCsp, servedCspHeader } from '../../scripts/csp.mjs';

const READY = () => document.body.dataset.ready === 'true';

for (const base of ['/', '/intranet/tools/veerkracht/']) {
  test(`served under ${base}: loads, draws, no request outside its origin, no console error`, { timeout: TIMEOUT_MS }, async () => {
    const s = await openServed({ base });
    try {
      await s.page.waitForFunction(READY, null, { timeout: TIMEOUT_MS });
      const canvas = await s.page.locator('#map canvas').first().boundingBox();
      assert.ok(canvas && canvas.width > 100 && canvas.height > 100, 'the map has a canvas');
      assert.deepEqual(foreignRequests(s), [], 'every request stays on the page origin');
      assert.ok(s.requests.every((u) => !u.startsWith('http') || new URL(u).pathname.startsWith(base)),
        `every request stays under the sub-path: ${s.requests.join(', ')}`);
      assert.deepEqual(s.consoleErrors, [], describe(s));
      assert.deepEqual(s.pageErrors, [], describe(s));
    } finally {
      await s.close();
    }
  });
}

test('the server sends the CSP header and the page carries the same policy as a meta tag', async () => {
  requireBuild();
  const server = await startServer();
  try {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), servedCspHeader());
    const html = await res.text();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(meta, 'dist/index.html has a CSP meta tag');
    assert.equal(meta[1].replace(/&#39;|&quot;/g, "'"), servedCsp());
    for (const forbidden of ["'unsafe-inline'", "'unsafe-eval'", 'http:', '*']) {
      assert.ok(!servedCspHeader().split(/[\s;]+/).includes(forbidden), `CSP has no ${forbidden}`);
    }
    // A path outside the served folder is refused.
    const outside = await fetch(new URL('/../package.json', server.url));
    assert.equal(outside.status, 404);
  } finally {
    await server.close();
  }
});

test('dist/ holds the served page, its bundle and the single file, and nothing refers to another host', () => {
  requireBuild();
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  assert.match(html, /<script[^>]+src="main\.js"/);
  const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(refs.filter((r) => /^(?:[a-z]+:)?\/\//i.test(r)), [], 'no src/href to another host');
});
