// The privacy promise (INFRA, issue 5): during a whole session — load, compute, export — the page
// makes no request outside its own origin, and afterwards the browser keeps nothing for it (no
// cookies, Web Storage, IndexedDB or Cache API entries).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT_MS, browserStorage, describe, foreignRequests, openServed } from './harness.mjs';

/** Controls that export something (map PNG, CSV tables, report). */
const EXPORTS = '[data-export], button[id^="export"]';

let s;
before(async () => {
  s = await openServed();
});
after(async () => {
  await s?.close();
});

test('load → compute → export: no request leaves the origin, nothing is stored', { timeout: 3 * TIMEOUT_MS }, async (t) => {
  const { page } = s;
  // Load: the demo opens and draws.
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: TIMEOUT_MS });

  // Compute: a new radius recomputes every layer in the worker.
  await page.fill('#radius', '300');
  await page.press('#radius', 'Enter');
  await page.waitForFunction(
    () => document.querySelector('#score-progress')?.dataset.state === 'done'
      && /300/.test(document.querySelector('#legend')?.textContent ?? ''),
    null,
    { timeout: TIMEOUT_MS },
  );

  // Export: every export control the page offers, each expected to produce a download or a print.
  const controls = page.locator(EXPORTS);
  const n = await controls.count();
  let exported = 0;
  const downloaded = new Set();
  for (let i = 0; i < n; i++) {
    const control = controls.nth(i);
    if (!(await control.isVisible()) || !(await control.isEnabled())) continue;
    const download = page.waitForEvent('download', { timeout: 15_000 }).catch(() => null);
    await control.click();
    const file = await download;
    if (file) {
      exported += 1;
      downloaded.add(await control.getAttribute('data-export'));
      assert.ok((await file.path()) !== null, 'the download completed');
    }
  }
  t.diagnostic(`${exported} of ${n} export controls produced a download`);
  // The map card's exports (www/export/) were really clicked and each made its file.
  for (const kind of ['png', 'csv-nl', 'csv-standard']) assert.ok(downloaded.has(kind), `export ${kind} produced a download`);

  assert.deepEqual(foreignRequests(s), [], `requests outside ${s.origin}`);
  assert.deepEqual(s.pageErrors, [], describe(s));
  assert.deepEqual(s.consoleErrors, [], describe(s));

  const stored = await browserStorage(s);
  assert.deepEqual(stored, { cookies: [], localStorage: [], sessionStorage: [], indexedDB: [], caches: [] },
    'the browser keeps nothing for the page');
});
