// Exports (issue 5, www/export/): the map as PNG (map frame + legend panel + footer with method,
// radius, k, bands, sources and date) and the band table of the active map layer as CSV in both
// dialects (Dutch Excel: `;`, decimal comma, BOM; standard: `,`, decimal point). The CSV's numbers
// are checked against an independent calculation here: brute-force 200 m shares over the bundled
// CSV (app_support.mjs), the band per square in exact integer arithmetic, own values summed per
// band — and every figure from fewer than k units must be absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { describe as describeSession } from './harness.mjs';
import { readDemo, bruteForceAll, openDemo, CORP, DWELLINGS } from './app_support.mjs';
import { bandTable, publishable } from '../../www/export/table.js';
import { metresPerPixel, niceLength } from '../../www/export/png.js';

const RADIUS_M = 200;

let s;
let demo;
before(async () => {
  demo = readDemo();
  s = await openDemo();
  await s.page.waitForFunction(() => document.querySelector('#export')?.dataset.k === '10');
});
after(async () => {
  await s?.close();
});

/** Click an export control, return the download's path and suggested name. */
async function exportVia(page, selector) {
  const n = Number((await page.locator('#export').getAttribute('data-done')) || 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  await page.waitForFunction((m) => Number(document.querySelector('#export').dataset.done || 0) > m, n);
  assert.equal(await page.locator('#export').getAttribute('data-state'), 'done', await page.locator('.export-status').textContent());
  return { path: await download.path(), name: download.suggestedFilename() };
}

/** RFC 4180 reader (quotes, doubled quotes, CRLF) for either separator. */
function parseCsv(text, sep) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** The band table by brute force: bands from brute-force shares, own values summed per band. */
function expectedTable(k) {
  const corp = demo.col(CORP);
  const dw = demo.col(DWELLINGS);
  const { numSum, denSum, share } = bruteForceAll(demo, RADIUS_M, corp, dw, k);
  const rows = Array.from({ length: 10 }, () => ({ locations: 0, den: 0, num: 0 })); // 9 bands + none
  const total = { locations: 0, den: 0, num: 0 };
  for (let i = 0; i < share.length; i++) {
    let b = 9;
    if (!Number.isNaN(share[i])) {
      b = 0;
      for (let e = 1; e < 9; e++) if (100 * numSum[i] >= e * 10 * denSum[i]) b = e;
    }
    for (const r of [rows[b], total]) {
      r.locations++;
      if (!Number.isNaN(dw[i])) r.den += dw[i];
      if (!Number.isNaN(corp[i])) r.num += corp[i];
    }
  }
  // What may be published: no count below k; no share when either count is withheld.
  return [...rows, total].map((r) => ({
    locations: r.locations,
    den: r.den >= k ? r.den : null,
    num: r.den >= k && r.num >= k ? r.num : null,
    sharePct: r.den >= k && r.num >= k ? Math.round((r.num / r.den) * 10000) / 100 : null,
  }));
}

/** Check one CSV export against the brute force; returns the parsed table rows. */
async function checkCsv(page, format, k) {
  const { path, name } = await exportVia(page, `#export-csv-${format}`);
  assert.match(name, /\.csv$/);
  const raw = await readFile(path, 'utf8');
  const sep = format === 'nl' ? ';' : ',';
  assert.equal(raw.startsWith('\uFEFF'), format === 'nl', 'BOM only for Dutch Excel');
  const rows = parseCsv(raw.replace(/^\uFEFF/, ''), sep);
  const head = rows.findIndex((r) => r[0].startsWith('Band'));
  assert.ok(head > 0, 'a header row');
  assert.equal(rows[head].length, 6);
  assert.match(rows[head][2], /aantal_woningen/);
  const table = rows.slice(head + 1, head + 12);
  assert.deepEqual(table.map((r) => r[0]), ['0–10 %', '10–20 %', '20–30 %', '30–40 %', '40–50 %', '50–60 %', '60–70 %', '70–80 %', '≥ 80 %', 'Geen aandeel / onderdrukt', 'Totaal']);
  const num = (v) => {
    if (v === '') return null;
    if (format === 'nl') assert.doesNotMatch(v, /\./, `Dutch numbers have no decimal point: ${v}`);
    else assert.doesNotMatch(v, /,/, `standard numbers have no comma: ${v}`);
    return Number(format === 'nl' ? v.replace(',', '.') : v);
  };
  const got = table.map((r) => ({ locations: num(r[1]), den: num(r[2]), num: num(r[3]), sharePct: num(r[4]) }));
  assert.deepEqual(got, expectedTable(k), `${format}: the band table equals the brute force with k = ${k}`);
  // Every withheld figure says why; nothing below k is left in a count column.
  for (const r of table) {
    const counts = [r[2], r[3]].filter((v) => v !== '').map(num);
    for (const c of counts) assert.ok(c >= k, `${format}: no count below k (${c} < ${k}) in ${r[0]}`);
    if (r[2] === '' || r[3] === '') assert.match(r[5], /Onderdrukt|Geen locaties/, `${format}: a note on ${r[0]}`);
  }
  // The notes block: method, radius, k, sources, date.
  const notes = Object.fromEntries(rows.slice(rows.findIndex((r) => r[0] === 'Toelichting') + 1).filter((r) => r[0]).map((r) => [r[0], r[1]]));
  assert.match(notes.Methode, /straal R/);
  assert.match(notes.Methode, /RD/);
  assert.equal(num(notes['Straal (m)']), RADIUS_M);
  assert.equal(num(notes['Onderdrukking k']), k);
  assert.match(notes.Bronnen, /cbs_vk100_rijnmond_2024\.csv/);
  assert.match(notes.Bronnen, /CBS .*CC BY 4\.0/);
  assert.match(notes.Datum, /^\d{4}-\d{2}-\d{2}$/);
  return table;
}

test('the suppression rule (table.js): no count below k, no share from a withheld count', () => {
  const bands = Int8Array.from([0, 0, 1, 1, -1]);
  const table = bandTable({
    bands, nBands: 3, numerator: Float64Array.from([3, 4, 20, NaN, 1]), denominator: Float64Array.from([5, 4, 40, 10, NaN]),
  });
  assert.deepEqual(table.rows.map((r) => [r.locations, r.denominator, r.numerator]), [[2, 9, 7], [2, 50, 20], [0, 0, 0]]);
  assert.deepEqual(publishable(table.rows[0], 10), { locations: 2, denominator: null, numerator: null, sharePct: null, suppressed: 'denominator' });
  assert.deepEqual(publishable(table.rows[1], 10), { locations: 2, denominator: 50, numerator: 20, sharePct: 40, suppressed: null });
  assert.deepEqual(publishable(table.rows[1], 21), { locations: 2, denominator: 50, numerator: null, sharePct: null, suppressed: 'numerator' });
  assert.equal(publishable(table.rows[2], 10).suppressed, 'empty');
  assert.deepEqual([table.none.locations, table.none.denominator, table.none.numerator], [1, 0, 1]);
  assert.deepEqual([table.total.locations, table.total.denominator, table.total.numerator], [5, 59, 28]);
});

test('the map exports as a PNG with the map, a legend panel and a footer', async () => {
  const { page } = s;
  const { path, name } = await exportVia(page, '#export-png');
  assert.match(name, /^veerkracht-kaart-.*\.png$/);
  const info = await page.locator('#export').evaluate((e) => ({ ...e.dataset }));
  const lines = JSON.parse(info.pngLines);
  const canvas = await page.evaluate(() => {
    const c = document.querySelector('#map canvas');
    return { width: c.width, height: c.height };
  });
  assert.equal(Number(info.mapWidth), canvas.width, 'the map frame at its own size');
  assert.equal(Number(info.mapHeight), canvas.height);
  const png = await readFile(path);
  if (process.env.EXPORT_PNG_OUT) await writeFile(process.env.EXPORT_PNG_OUT, png); // to look at it
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  // Decode it in the page and look at its regions.
  const img = await page.evaluate(async ({ b64, mapW, mapH }) => {
    const im = new Image();
    im.src = `data:image/png;base64,${b64}`;
    await im.decode();
    const c = document.createElement('canvas');
    c.width = im.naturalWidth;
    c.height = im.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(im, 0, 0);
    const region = (x, y, w, h) => {
      const { data } = ctx.getImageData(x, y, w, h);
      const colours = new Set();
      let ink = 0; // dark pixels (text)
      for (let i = 0; i < data.length; i += 4) {
        colours.add(`#${[data[i], data[i + 1], data[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`);
        if (data[i] + data[i + 1] + data[i + 2] < 200) ink++;
      }
      return { colours: [...colours], ink };
    };
    const legend = region(mapW, 0, c.width - mapW, mapH);
    const footer = region(0, Math.max(mapH, c.height - 120), c.width, c.height - Math.max(mapH, c.height - 120));
    const map = region(0, 0, mapW, mapH);
    return {
      width: c.width, height: c.height,
      legendColours: legend.colours, legendInk: legend.ink,
      footerInk: footer.ink, footerColours: footer.colours.length,
      mapColours: map.colours.length,
    };
  }, { b64: png.toString('base64'), mapW: canvas.width, mapH: canvas.height });
  assert.equal(img.width, canvas.width + Number(info.legendWidth), 'map width plus the legend panel');
  assert.ok(img.height > canvas.height, 'map height plus the footer');
  assert.equal(img.width, Number(info.pngWidth));
  assert.equal(img.height, Number(info.pngHeight));
  assert.ok(img.mapColours > 5, `the map frame shows the squares (${img.mapColours} colours)`);
  // The legend panel holds the nine viridis swatches, the grey "no share" swatch, and text.
  for (const colour of ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725', '#c9c9c4']) {
    assert.ok(img.legendColours.includes(colour), `legend swatch ${colour}`);
  }
  assert.ok(img.legendInk > 500, `legend text drawn (${img.legendInk} dark pixels)`);
  assert.ok(img.footerInk > 500, `footer text drawn (${img.footerInk} dark pixels)`);
  // The text it drew: legend, scale, attribution and the footer's method, radius, k, bands, sources, date.
  const all = lines.join('\n');
  assert.ok(lines.includes('Aandeel corporatiewoningen') || /corporatie/i.test(all), all);
  assert.ok(lines.includes('binnen 200 m'), all);
  assert.ok(lines.includes('≥ 80 %'), all);
  assert.match(all, /^\d+(,\d+)? k?m$/m, 'a scale bar label');
  assert.match(all, /© CBS \(CC BY 4\.0\)/);
  assert.match(all, /Methode: aandeel binnen straal R/);
  assert.match(all, /vlakke afstand in RD/);
  assert.match(all, /Straal R: 200 m/);
  assert.match(all, /k = 10 eenheden/);
  assert.match(all, /Banden: 0–10 %/);
  assert.match(all, /Kantelpunten/);
  assert.match(all, /Bronnen: cbs_vk100_rijnmond_2024\.csv; CBS/);
  assert.match(all, /Gemaakt met Veerkracht op \d+ \S+ \d{4}/);
  assert.doesNotMatch(all, /PDOK/, 'no PDOK attribution while the base map is off');
  // The scale bar against MapLibre's own scale control (a second route: it measures the distance
  // across its own width near the map's lower left; ours is at the centre's latitude — within 2 %).
  const ours = Number(info.scaleLengthM) / Number(info.scaleBarPx);
  const theirs = await page.evaluate(() => {
    const ctl = document.querySelector('.maplibregl-ctrl-scale');
    const m = /([\d.,]+)\s*(k?m)/.exec(ctl.textContent);
    const metres = Number(m[1].replace(',', '.')) * (m[2] === 'km' ? 1000 : 1);
    return metres / parseFloat(ctl.style.width);
  });
  assert.ok(Math.abs(ours / theirs - 1) < 0.02, `metres per pixel: ours ${ours}, MapLibre's ${theirs}`);
  assert.ok(lines.includes(Number(info.scaleLengthM) >= 1000 ? `${Number(info.scaleLengthM) / 1000} km` : `${info.scaleLengthM} m`));
});

test('scale bar arithmetic (png.js): Web Mercator metres per pixel, round lengths', () => {
  // At the equator, zoom 0 shows the 40 075 016.686 m circumference on 512 px; at 60° half that.
  assert.ok(Math.abs(metresPerPixel(0, 0) - 40075016.686 / 512) < 1e-6);
  assert.ok(Math.abs(metresPerPixel(60, 3) - 40075016.686 / 512 / 2 / 8) < 1e-6);
  assert.deepEqual([5650, 1200, 260, 99, 1].map(niceLength), [5000, 1000, 200, 50, 1]);
});

test('the band table as CSV (both dialects) equals a brute force, k = 10', async () => {
  const table = await checkCsv(s.page, 'nl', 10);
  await checkCsv(s.page, 'standard', 10);
  // With k = 10 the "no share" row has fewer than k corporation dwellings: withheld.
  assert.equal(table[9][3], '');
});

test('with a high k some band figures are withheld, the rest still equals the brute force', async () => {
  const { page } = s;
  await page.fill('#k', '1000');
  await page.press('#k', 'Enter');
  await page.waitForFunction(() => document.querySelector('#export')?.dataset.k === '1000');
  const table = await checkCsv(page, 'nl', 1000);
  await checkCsv(page, 'standard', 1000);
  const withheld = table.filter((r) => r[3] === '').length;
  assert.ok(withheld >= 2, `some bands withheld (${withheld})`);
  assert.ok(table.some((r) => r[4] !== ''), 'some shares published');
  assert.deepEqual(s.pageErrors, [], describeSession(s));
});

test('the export buttons are keyboard-usable, and the card reads in English', async () => {
  const { page } = s;
  // Reached by the keyboard (Shift+Tab from the next button), so :focus-visible applies.
  await page.locator('#export-csv-nl').focus();
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'export-png');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'visible focus');
  const n = Number((await page.locator('#export').getAttribute('data-done')) || 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.match(download.suggestedFilename(), /\.png$/);
  await page.waitForFunction((m) => Number(document.querySelector('#export').dataset.done || 0) > m, n);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.locator('#export-png').textContent(), 'Map as PNG');
  await exportVia(page, '#export-png');
  const lines = JSON.parse(await page.locator('#export').getAttribute('data-png-lines')).join('\n');
  assert.match(lines, /Method: share within radius R/);
  assert.match(lines, /k = 1,000 units/);
  assert.match(lines, /Made with Veerkracht on \d+ \w+ \d{4}/);
  assert.match(await page.locator('#export-csv-standard').textContent(), /Standard/);
  const { path } = await exportVia(page, '#export-csv-standard');
  const text = await readFile(path, 'utf8');
  assert.match(text, /\r\nTotal,/);
  assert.match(text, /Suppressed: numerator below k = 1[,.]?000/);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'nl');
});

test('with the online base map on, the PNG credits PDOK in its attribution and sources', async () => {
  const { page } = s;
  // (The test proxy refuses the tile requests: the export must not wait for tiles forever.)
  await page.check('#basemap-toggle');
  await page.waitForFunction(() => document.querySelector('#privacy').dataset.state === 'online');
  await exportVia(page, '#export-png');
  const lines = JSON.parse(await page.locator('#export').getAttribute('data-png-lines'));
  const all = lines.join('\n');
  assert.match(all, /© CBS \(CC BY 4\.0\) · PDOK BRT-Achtergrondkaart © Kadaster \(CC BY 4\.0\)/);
  assert.match(all, /Bronnen: .*PDOK BRT-Achtergrondkaart/);
  await page.uncheck('#basemap-toggle');
  await page.waitForFunction(() => document.querySelector('#privacy').dataset.state === 'local');
});

test('an analysis map (www/analysis-maps) exports with its own legend and sources, not the band method', async () => {
  const { page } = s;
  const host = '#analysis-maps-host';
  await page.click('#tab-analyses');
  await page.selectOption(`${host} select[name="kind"]`, 'change');
  await page.selectOption(`${host} select[name="score"]`, 'afw');
  await page.click(`${host} button[data-action="draw"]`);
  await page.waitForFunction(() => document.querySelector('.amap-card')?.dataset.state === 'ready', null, { timeout: 60_000 });
  await page.click('#tab-map');
  await exportVia(page, '#export-png');
  const lines = JSON.parse(await page.locator('#export').getAttribute('data-png-lines'));
  const all = lines.join('\n');
  const title = await page.evaluate(() => document.querySelector('#amap-legend')?.textContent ?? '');
  assert.match(all, /^Kaart: /m, all);
  assert.ok(lines.some((l) => l.length > 3 && title.includes(l)), 'the legend panel draws the analysis map\'s legend');
  assert.match(all, /Bronnen: .*Leefbaarometer/i);
  assert.doesNotMatch(all, /Methode: aandeel binnen straal/, 'not the band map\'s method');
  assert.match(all, /k = 1\.000 eenheden/);
});
