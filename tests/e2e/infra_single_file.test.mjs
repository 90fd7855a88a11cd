// The single file (INFRA, issue 5): dist/veerkracht.html opened from file:// with the network off
// (every request that is not file:, blob: or data: is aborted, and the browser is set offline)
// computes the demo, draws the map and exports it (PNG, CSV), with everything inlined under a
// hash-only CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  SINGLE_FILE, TIMEOUT_MS, describe, distinctColours, foreignRequests, openFile, requireBuild,
} from './harness.mjs';

test('veerkracht.html from file:// with no network: the demo computes, the map draws and exports', { timeout: TIMEOUT_MS }, async () => {
  const s = await openFile();
  try {
    await s.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: TIMEOUT_MS });
    // The map canvas shows more than one colour: squares were drawn.
    const colours = await distinctColours(s, '#map');
    assert.ok(colours > 2, `the map shows drawn features (${colours} colours sampled)`);
    // The demo computed: the histogram has counted squares (when the page has one).
    if (await s.page.locator('#legend .legend-swatch').count()) {
      assert.equal(await s.page.locator('#legend .legend-swatch').count(), 9, 'the legend shows the nine bands');
    }
    // It exports with the network off: the map as PNG and the band table as CSV (www/export/).
    const exports = [
      ['#export-png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
      ['#export-csv-nl', (b) => b.toString('utf8').startsWith('\uFEFFVeerkracht') && /\r\nTotaal;\d+;/.test(b.toString('utf8'))],
      ['#export-csv-standard', (b) => /\r\nTotaal,\d+,/.test(b.toString('utf8'))],
    ];
    for (const [control, looksRight] of exports) {
      const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.click(control)]);
      const bytes = readFileSync(await download.path());
      assert.ok(looksRight(bytes), `${control}: the file it wrote (${bytes.length} bytes) is a PNG / the band table`);
    }
    assert.deepEqual(foreignRequests(s), [], 'nothing but file:, blob: and data:');
    assert.deepEqual(s.failedRequests, [], 'no request was attempted and refused');
    assert.deepEqual(s.consoleErrors, [], describe(s));
    assert.deepEqual(s.pageErrors, [], describe(s));
  } finally {
    await s.close();
  }
});

test('veerkracht.html inlines every script and style, allowed by hash only', () => {
  requireBuild();
  const html = readFileSync(SINGLE_FILE, 'utf8');
  assert.doesNotMatch(html, /<script\b[^>]*\bsrc=/i, 'no external script');
  assert.doesNotMatch(html, /<link\b[^>]*rel="?stylesheet/i, 'no external stylesheet');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
  assert.ok(csp, 'a CSP meta tag');
  const directive = (name) => csp.split(';').map((d) => d.trim().split(/\s+/)).find((d) => d[0] === name)?.slice(1) ?? [];
  const hashOf = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  assert.ok(scripts.length >= 1 && styles.length >= 1);
  assert.deepEqual(directive('script-src').sort(), [...scripts.map(hashOf), "'wasm-unsafe-eval'"].sort());
  assert.deepEqual(directive('style-src').sort(), styles.map(hashOf).sort());
  assert.deepEqual(directive('default-src'), ["'none'"]);
  assert.deepEqual(directive('worker-src'), ['blob:']);
});
