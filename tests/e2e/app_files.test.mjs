// Loading the user's own files through the page (issue 3, UI side; issue 5, markup injection):
// markup in file and column names is shown as text and never runs; a bad file names file, row and
// column and leaves the layers loaded before untouched; removing one layer leaves the others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describe as describeSession, foreignRequests } from './harness.mjs';
import { readFileSync } from 'node:fs';
import { openDemo, loadFile, addIndicator, searchId, readDetails, readHistogram, setRadius, syntheticCsv } from './app_support.mjs';

let s;
before(async () => {
  s = await openDemo();
});
after(async () => {
  await s?.close();
});

const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<b>vet</b><script>window.__pwned=2</script>';
const FILE_NAME = '<img src=y onerror=window.__pwned=3>.csv';

function markupCsv() {
  const q = (v) => `"${v.replace(/"/g, '""')}"`;
  const lines = [`id,x,y,${q(IMG)},${q(SCRIPT)}`];
  for (let i = 0; i < 30; i++) lines.push(`m${i},${150000 + (i % 6) * 100},${440000 + Math.floor(i / 6) * 100},${i % 4},${10 + i}`);
  return lines.join('\n') + '\n';
}

test('markup in a file name and in column names is shown as text and does not execute', async () => {
  const { page } = s;
  await loadFile(page, FILE_NAME, markupCsv());
  await page.click('#tab-files');
  const layerName = FILE_NAME.replace(/\.csv$/, '');
  assert.equal(await page.locator('.file-item .file-name').last().textContent(), layerName);
  await page.click('#tab-map');
  await addIndicator(page, { layerName, numerator: IMG, denominator: SCRIPT });
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done'
    && /onerror/.test(document.querySelector('#legend .legend-title')?.textContent));
  await searchId(page, 'm7');
  const details = await readDetails(page);
  assert.ok(IMG in details.sums && SCRIPT in details.sums, `column names shown literally: ${JSON.stringify(Object.keys(details.sums))}`);
  const sideText = await page.locator('#side').textContent();
  assert.ok(sideText.includes(IMG) && sideText.includes(SCRIPT), 'the names appear as text');
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    img: document.querySelectorAll('#side img, #toast img').length,
    bold: document.querySelectorAll('#side b').length,
    scripts: [...document.querySelectorAll('script')].filter((sc) => sc.textContent.includes('__pwned')).length,
  }));
  assert.deepEqual(injected, { pwned: undefined, img: 0, bold: 0, scripts: 0 });
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('a row that cannot be used is listed with file, row, column and reason, and can be downloaded', async () => {
  const { page } = s;
  // Row 3 (header = row 1) lies far outside the Netherlands: skipped, not silently dropped.
  const text = 'id,x,y,aantal\nr1,150000,440000,3\nr2,950100,440000,4\nr3,150200,440000,5\n';
  await loadFile(page, 'zeeland-fout.csv', text);
  await page.click('#tab-files');
  const item = page.locator('.file-item', { has: page.locator('.file-name', { hasText: /^zeeland-fout$/ }) });
  assert.match(await item.locator('.file-rows').textContent(), /^2 rijen$/);
  const skipped = await item.locator('.skipped').textContent();
  assert.match(skipped, /1 rij overgeslagen/);
  assert.match(skipped, /rij 3, kolom x/, `row and column named: ${skipped}`);
  assert.match(skipped, /950100/, 'offending value shown');
  const download = page.waitForEvent('download');
  await item.getByText('Download lijst').click();
  const file = await (await download).createReadStream();
  let csv = '';
  for await (const chunk of file) csv += chunk;
  assert.match(csv, /"zeeland-fout\.csv";3;"x";"950100, 440000";/);
  await item.getByRole('button', { name: /Verwijder/ }).click();
});

test('a file that cannot be loaded names file and reason, and leaves the loaded layers intact', async () => {
  const { page } = s;
  await page.click('#tab-map');
  await page.locator('.indicator label', { hasText: 'corporatiewoningen' }).click();
  await page.waitForFunction(() => /corporatiewoningen/.test(document.querySelector('#legend .legend-title')?.textContent));
  const histBefore = await readHistogram(page);
  const layersBefore = await page.locator('.file-item').count();
  const indicatorsBefore = await page.locator('.indicator').count();

  // Every point outside the Netherlands' RD extent: refused, with the columns and first row named.
  const bad = 'id,x,y,aantal\nr1,950000,440000,3\nr2,950100,440000,4\n';
  await loadFile(page, 'kapot.csv', bad, { expectError: true });
  await page.click('#tab-files');
  const err = await page.locator('#files .file-error').textContent();
  assert.match(err, /kapot\.csv/, `file named: ${err}`);
  assert.match(err, /`x`/, `column named: ${err}`);
  assert.match(err, /row 2/, `row named: ${err}`);
  assert.match(err, /950000/, `offending value shown: ${err}`);
  assert.match(err, /Eerder geladen lagen zijn ongewijzigd/);

  assert.equal(await page.locator('.file-item').count(), layersBefore, 'no layer added or lost');
  await page.click('#tab-map');
  assert.equal(await page.locator('.indicator').count(), indicatorsBefore);
  assert.deepEqual(await readHistogram(page), histBefore, 'the map layer is unchanged');
  await searchId(page, 'E0921N4380');
  assert.equal((await readDetails(page)).id, 'E0921N4380', 'the demo layer still answers');
});

test('a damaged file on which a reader stops (a wasm trap) names the file; the core restarts with every layer kept', async () => {
  const { page } = s;
  await page.click('#tab-map');
  const histBefore = await readHistogram(page);
  const layersBefore = await page.locator('.file-item').count();
  // A Parquet file the parquet crate panics on (fuzz find; tests/fixtures/import/crashes/README.md).
  const damaged = readFileSync(new URL('../fixtures/import/crashes/parquet-7d54ab223099818a.bin', import.meta.url));
  await page.click('#tab-files');
  await page.setInputFiles('#file-input', { name: 'kapot.parquet', mimeType: 'application/octet-stream', buffer: damaged });
  await page.waitForSelector('#files .file-error:not([hidden])');
  const err = await page.locator('#files .file-error').textContent();
  assert.match(err, /kapot\.parquet/, `file named: ${err}`);
  assert.match(err, /damaged data/, `reason given: ${err}`);
  assert.match(err, /decoder|Decoder/, `the reader's own words are kept: ${err}`);
  assert.equal(await page.locator('.file-item').count(), layersBefore, 'no layer added or lost');
  // The restarted core has the demo layer again (replayed): the map recomputes and answers.
  await page.click('#tab-map');
  await setRadius(page, 250);
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done'
    && /250 m/.test(document.querySelector('#legend')?.textContent), null, { timeout: 120_000 });
  await setRadius(page, 200);
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done'
    && /200 m/.test(document.querySelector('#legend')?.textContent), null, { timeout: 120_000 });
  assert.deepEqual(await readHistogram(page), histBefore, 'the same numbers after the restart');
});

test('when no location columns are recognised, the mapping step lets the user choose them', async () => {
  const { page } = s;
  const text = 'oost;noord;aantal\n150000;440000;3\n150100;440000;4\n150200;440100;5\n';
  await loadFile(page, 'kolommen.csv', text, { expectError: true });
  await page.click('#tab-files');
  const box = page.locator('#files .file-error');
  assert.match(await box.textContent(), /kolommen\.csv.*no location columns/);
  const form = box.locator('form.mapping');
  await form.locator('select[name="kind"]').selectOption('rd');
  await form.locator('select[name="x"]').selectOption('oost');
  await form.locator('select[name="y"]').selectOption('noord');
  await form.locator('button[type="submit"]').click();
  const item = page.locator('.file-item', { has: page.locator('.file-name', { hasText: /^kolommen$/ }) });
  await item.waitFor();
  assert.equal(await item.locator('.file-rows').textContent(), '3 rijen');
  assert.match(await item.locator('.mapping-details summary').textContent(), /RD x\/y.*oost, noord/);
  assert.ok(await page.locator('#files .file-error').isHidden());
  await item.getByRole('button', { name: /Verwijder/ }).click();
});

test('removing one layer leaves the others untouched; replacing with a bad file keeps the old one', async () => {
  const { page } = s;
  const a = 'id,x,y,n,d\na1,150000,441000,1,10\na2,150100,441000,2,10\n';
  const b = 'id,x,y,n,d\nb1,160000,441000,3,10\nb2,160100,441000,4,10\nb3,160200,441000,5,10\n';
  await loadFile(page, 'laag-a.csv', a);
  await loadFile(page, 'laag-b.csv', b);
  await page.click('#tab-files');
  const names = () => page.locator('.file-item .file-name').allTextContents();
  assert.ok((await names()).includes('laag-a') && (await names()).includes('laag-b'));
  await page.locator('.file-item', { hasText: 'laag-a' }).getByRole('button', { name: /Verwijder/ }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll('.file-name')].some((e) => e.textContent === 'laag-a'));
  assert.ok((await names()).includes('laag-b'));
  assert.ok((await names()).includes('CBS 100 m Rijnmond 2024'));
  const rowsB = await page.locator('.file-item', { hasText: 'laag-b' }).locator('.file-rows').textContent();
  assert.equal(rowsB, '3 rijen');

  // Replace laag-b with a broken file: the error shows, laag-b stays as it was.
  const chooser = page.waitForEvent('filechooser');
  await page.locator('.file-item', { hasText: 'laag-b' }).getByRole('button', { name: /Vervang/ }).click();
  await (await chooser).setFiles({ name: 'laag-b2.csv', mimeType: 'text/csv', buffer: Buffer.from('id,x,y,n,d\n') });
  await page.waitForSelector('#files .file-error:not([hidden])');
  assert.match(await page.locator('#files .file-error').textContent(), /laag-b2\.csv.*no data rows/);
  assert.equal(await page.locator('.file-item', { hasText: 'laag-b' }).locator('.file-rows').textContent(), rowsB);
  await page.click('#tab-map');
  await searchId(page, 'E0921N4380');
  assert.deepEqual(foreignRequests(s), []);
});

test('loading a large file shows rows read and can be cancelled; nothing is added', async () => {
  const { page } = s;
  await page.click('#tab-files');
  const before = await page.locator('.file-item').count();
  // About 1.5 million rows (~45 MB): read in 4 MB chunks, so there is time to cancel.
  const text = syntheticCsv(1_500_000, { spacingM: 1 });
  await page.setInputFiles('#file-input', { name: 'groot.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  const progress = page.locator('#files .progress');
  await page.waitForFunction(() => /[1-9][\d.]* rijen gelezen/.test(document.querySelector('#files .progress-status')?.textContent ?? ''));
  await progress.getByRole('button', { name: 'Annuleer' }).click();
  await page.waitForFunction(() => document.querySelector('#files .progress')?.dataset.state === 'failed');
  assert.match(await progress.textContent(), /Geannuleerd/);
  assert.equal(await page.locator('.file-item').count(), before, 'no layer added');
  assert.ok(await page.locator('#files .file-error').isHidden());
  await page.click('#tab-map');
  await searchId(page, 'E0921N4380');
});

test('area codes are placed on a loaded area layer: CBS Kerncijfers per buurt on the buurt polygons', async () => {
  const { page } = s;
  const { readFileSync } = await import('node:fs');
  const demo = (f) => readFileSync(new URL(`../../www/demo/${f}`, import.meta.url), 'utf8');
  await loadFile(page, 'cbs_buurt_2024_rijnmond.geojson', demo('cbs_buurt_2024_rijnmond.geojson'));
  await loadFile(page, 'cbs_kwb_buurt_2024_rijnmond.csv', demo('cbs_kwb_buurt_2024_rijnmond.csv'));
  await page.click('#tab-files');
  const kwb = page.locator('.file-item', { has: page.locator('.file-name', { hasText: /^cbs_kwb_buurt_2024_rijnmond$/ }) });
  assert.equal(await kwb.locator('.file-rows').textContent(), '625 rijen');
  assert.match(await kwb.locator('.mapping-details summary').textContent(), /Gebiedscode.*buurtcode/);
  // And it is a layer like any other: a map layer on it computes.
  await addIndicator(page, {
    layerName: 'cbs_kwb_buurt_2024_rijnmond', numerator: 'aantal_inwoners', denominator: 'aantal_inwoners', name: 'KWB-test',
  });
  await page.waitForFunction(() => document.querySelector('#score-progress')?.dataset.state === 'done'
    && /KWB-test/.test(document.querySelector('#legend .legend-title')?.textContent));
});
