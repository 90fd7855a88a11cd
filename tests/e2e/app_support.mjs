// Shared helpers for the APP end-to-end tests (tests/e2e/app_*.test.mjs): reading the bundled demo
// CSV in Node and computing buffer sums by brute force — an independent O(N²) calculation that the
// numbers on the page must equal — plus small page helpers. Not a test file itself.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, openServed } from './harness.mjs';

export const DEMO_CSV = path.join(ROOT, 'www', 'demo', 'cbs_vk100_rijnmond_2024.csv');
export const CORP = 'aantal_huurwoningen_in_bezit_woningcorporaties';
export const DWELLINGS = 'aantal_woningen';
export const BENEFIT = 'aantal_personen_met_uitkering_onder_aowlft';
export const INHABITANTS = 'aantal_inwoners';

/**
 * The demo file as columns. It has no quoted fields (checked here), so a plain split is exact.
 * Empty cells (CBS secret / missing) become NaN.
 */
export function readDemo(file = DEMO_CSV) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('"')) throw new Error('demo CSV has quotes: this reader cannot handle it');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const col = (name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`no column ${name}`);
    return Float64Array.from(rows, (r) => (r[i] === '' ? NaN : Number(r[i])));
  };
  // Square centre from the id itself (E0974N4514 → 97 400 + 50, 451 400 + 50), not from the file's
  // own x/y columns: a second, independent route to the location.
  const ids = rows.map((r) => r[header.indexOf('crs28992res100m')]);
  const x = Float64Array.from(ids, (id) => Number(id.slice(1, 5)) * 100 + 50);
  const y = Float64Array.from(ids, (id) => Number(id.slice(6, 10)) * 100 + 50);
  return { header, ids, x, y, col };
}

/**
 * Sums of `num` and `den` over every square within `radiusM` (dx² + dy² ≤ R², itself included),
 * missing counted as 0, and the share (NaN when the denominator sum is below k or 0).
 */
export function bruteForce(data, index, radiusM, num, den, k = 10) {
  const r2 = radiusM * radiusM;
  let numSum = 0;
  let denSum = 0;
  for (let j = 0; j < data.x.length; j++) {
    const dx = data.x[j] - data.x[index];
    const dy = data.y[j] - data.y[index];
    if (dx * dx + dy * dy <= r2) {
      if (!Number.isNaN(num[j])) numSum += num[j];
      if (!Number.isNaN(den[j])) denSum += den[j];
    }
  }
  const share = denSum >= k && denSum > 0 ? numSum / denSum : NaN;
  return { numSum, denSum, share };
}

/**
 * Buffer sums and shares for every square by brute force (each pair tested with dx² + dy² ≤ R²;
 * the squares are bucketed in cells of R only so that this takes seconds, not minutes, in Node —
 * every pair within R lies in the same or a neighbouring cell).
 * @returns {{ numSum: Float64Array, denSum: Float64Array, share: Float64Array }}
 */
export function bruteForceAll(data, radiusM, num, den, k = 10) {
  const n = data.x.length;
  const cell = Math.max(radiusM, 100);
  const buckets = new Map();
  const key = (cx, cy) => `${cx},${cy}`;
  for (let j = 0; j < n; j++) {
    const k2 = key(Math.floor(data.x[j] / cell), Math.floor(data.y[j] / cell));
    if (!buckets.has(k2)) buckets.set(k2, []);
    buckets.get(k2).push(j);
  }
  const r2 = radiusM * radiusM;
  const numSum = new Float64Array(n);
  const denSum = new Float64Array(n);
  const share = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cx = Math.floor(data.x[i] / cell);
    const cy = Math.floor(data.y[i] / cell);
    let a = 0;
    let w = 0;
    for (let ox = -1; ox <= 1; ox++) {
      for (let oy = -1; oy <= 1; oy++) {
        for (const j of buckets.get(key(cx + ox, cy + oy)) || []) {
          const dx = data.x[j] - data.x[i];
          const dy = data.y[j] - data.y[i];
          if (dx * dx + dy * dy <= r2) {
            if (!Number.isNaN(num[j])) a += num[j];
            if (!Number.isNaN(den[j])) w += den[j];
          }
        }
      }
    }
    numSum[i] = a;
    denSum[i] = w;
    share[i] = w >= k && w > 0 ? a / w : NaN;
  }
  return { numSum, denSum, share };
}

/**
 * Squares per band (0–10 … 70–80, ≥ 80 %) by brute force, the band found in exact integer
 * arithmetic (100·num ≥ edge·den), plus the count without a share.
 */
export function bruteForceBands(data, radiusM, num, den, k = 10) {
  const { numSum, denSum, share } = bruteForceAll(data, radiusM, num, den, k);
  const counts = new Array(9).fill(0);
  let none = 0;
  for (let i = 0; i < share.length; i++) {
    if (Number.isNaN(share[i])) {
      none++;
      continue;
    }
    let band = 0;
    for (let b = 1; b < 9; b++) if (100 * numSum[i] >= b * 10 * denSum[i]) band = b;
    counts[band]++;
  }
  return { counts, none };
}

/** dist/ served, the demo loaded and drawn (body[data-ready=true]). */
export async function openDemo() {
  const s = await openServed();
  await s.page.waitForFunction(() => document.body.dataset.ready === 'true');
  return s;
}

/** Select a location through the id search box (keyboard path) and wait for its details. */
export async function searchId(page, id) {
  await page.fill('#details-search', id);
  await page.press('#details-search', 'Enter');
  await page.waitForFunction((want) => document.querySelector('.details-id')?.textContent === want, id);
}

/** The text of the map's hover label once `accept` takes it: the mouse moves to (x, y) and a pixel
 * beside it in turns (MapLibre reports a hover on a move, once the layer's tiles are drawn). */
export async function hoverAt(page, x, y, accept) {
  let text = null;
  for (let k = 0; k < 40; k++) {
    await page.mouse.move(x + (k % 2), y);
    await page.waitForTimeout(250);
    text = await page.evaluate(() => [...document.querySelectorAll('.map-hover')].find((h) => !h.hidden)?.textContent ?? null);
    if (text !== null && accept(text)) break;
  }
  await page.mouse.move(0, 0);
  return text;
}

/** What the details panel shows, with the exact numbers from data-value. */
export async function readDetails(page) {
  return page.evaluate(() => {
    const table = (kind) => Object.fromEntries(
      [...document.querySelectorAll(`#details table[data-kind="${kind}"] tr`)].map((tr) => [
        tr.dataset.label, Number(tr.querySelector('td').dataset.value),
      ]),
    );
    const share = document.querySelector('#details .details-share');
    return {
      id: document.querySelector('.details-id')?.textContent,
      shareText: share?.querySelector('.details-share-value')?.textContent,
      shareState: share?.dataset.state,
      share: Number(share?.dataset.value),
      own: table('own'),
      sums: table('sums'),
      heading: document.querySelector('#details h4:nth-of-type(2)')?.textContent,
    };
  });
}

/** The histogram's numbers as written in its (visually hidden) table. */
export async function readHistogram(page) {
  return page.evaluate(() => [...document.querySelectorAll('.histogram-table tr[data-count]')].map((tr) => Number(tr.dataset.count)));
}

/** Change the radius like a user: type, then commit with Enter. */
export async function setRadius(page, radiusM) {
  await page.fill('#radius', String(radiusM));
  await page.press('#radius', 'Enter');
}

/**
 * A synthetic point file (RD x/y on a regular grid inside the Netherlands) as CSV text, seeded:
 * `a` in 0..9 and `b` = 10 for every point, so shares are a/10-averages. For jobs long enough
 * to cancel.
 */
export function syntheticCsv(n, { spacingM = 10, seed = 42, x0 = 150000, y0 = 440000 } = {}) {
  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const side = Math.ceil(Math.sqrt(n));
  const lines = ['id,x,y,a,b'];
  for (let i = 0; i < n; i++) {
    const x = x0 + (i % side) * spacingM;
    const y = y0 + Math.floor(i / side) * spacingM;
    lines.push(`p${i},${x},${y},${Math.floor(rand() * 10)},10`);
  }
  return lines.join('\n') + '\n';
}

/** Load a file through the page's file input (Files tab), wait until it is listed. */
export async function loadFile(page, name, text, { expectError = false } = {}) {
  await page.click('#tab-files');
  const before = await page.locator('.file-item').count();
  await page.setInputFiles('#file-input', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  if (expectError) {
    await page.waitForSelector('#files .file-error:not([hidden])');
  } else {
    await page.waitForFunction((n) => document.querySelectorAll('.file-item').length > n || document.querySelector('#files .file-error:not([hidden])'), before);
    const err = await page.locator('#files .file-error:not([hidden])').count();
    if (err) throw new Error(`load failed: ${await page.locator('#files .file-error').textContent()}`);
  }
  await page.click('#tab-map');
}

/** Add a map layer (numerator / denominator) on a loaded file through the side panel form. */
export async function addIndicator(page, { layerName, numerator, denominator, name }) {
  await page.click('#tab-map');
  // The layer is offered once its geometry arrived from the worker.
  await page.waitForFunction((n) => [...document.querySelectorAll('.ind-add select[name="layer"] option')]
    .some((o) => o.textContent === n), layerName);
  const form = page.locator('.ind-add');
  if (!(await form.evaluate((d) => d.open))) await form.locator('summary').click();
  await form.locator('select[name="layer"]').selectOption({ label: layerName });
  await form.locator('select[name="numerator"]').selectOption({ label: numerator });
  await form.locator('select[name="denominator"]').selectOption({ label: denominator });
  if (name) await form.locator('input[name="name"]').fill(name);
  await form.locator('button[type="submit"]').click();
}

/**
 * Run the command line (`veerkracht …`) — the same engine as the page, a second route to the
 * numbers. The binary is always the current one: see cliBinary.
 * @returns {string} stdout
 */
export function cli(args) {
  return execFileSync(cliBinary(), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
}

let builtCli = null;
/**
 * The command line binary, built once per process at first use by the build `cargo test` does
 * (the CLI's own integration test, tests/engine_cli.rs, which needs the binary: same profile and
 * the same dev-dependency features). So it is never older than the source — not a release (or
 * debug) binary left from an earlier build — and after `cargo test` (./dev.sh test runs it before
 * the e2e tests) this is only cargo's up-to-date check, no second variant of the crate. Cargo says
 * where the binary is, so CARGO_TARGET_DIR is respected.
 * @returns {string} the binary's path
 */
export function cliBinary() {
  if (builtCli) return builtCli;
  const out = execFileSync(
    'cargo',
    ['test', '--quiet', '--no-run', '--test', 'engine_cli', '--message-format=json-render-diagnostics'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line);
    if (m.reason === 'compiler-artifact' && m.target?.name === 'veerkracht' && m.target.kind.includes('bin') && m.executable) {
      builtCli = m.executable;
    }
  }
  if (!builtCli) throw new Error('cargo built no veerkracht binary');
  return builtCli;
}

/**
 * RD New → WGS84 [lon, lat], the published approximation (Schreutelkamp & Strang van Hees 2001,
 * ~1 m): independent of the app's own conversion, for tests that place the map on a location.
 */
export function rdToWgs84(x, y) {
  const dX = (x - 155000) * 1e-5;
  const dY = (y - 463000) * 1e-5;
  const K = [[0, 1, 3235.65389], [2, 0, -32.58297], [0, 2, -0.2475], [2, 1, -0.84978], [0, 3, -0.0655], [2, 2, -0.01709],
    [1, 0, -0.00738], [4, 0, 0.0053], [2, 3, -0.00039], [4, 1, 0.00033], [1, 1, -0.00012]];
  const L = [[1, 0, 5260.52916], [1, 1, 105.94684], [1, 2, 2.45656], [3, 0, -0.81885], [1, 3, 0.05594], [3, 1, -0.05607],
    [0, 1, 0.01199], [3, 2, -0.00256], [1, 4, 0.00128], [0, 2, 0.00022], [2, 0, -0.00022], [5, 0, 0.00026]];
  const sum = (terms) => terms.reduce((a, [p, q, c]) => a + c * dX ** p * dY ** q, 0);
  return [5.38720621 + sum(L) / 3600, 52.1551744 + sum(K) / 3600];
}
