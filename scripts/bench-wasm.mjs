#!/usr/bin/env node
// Scoring benchmark as WebAssembly in headless Chromium (see docs/BENCHMARKS.md).
//
//   node scripts/bench-wasm.mjs [--n 1000000,8000000] [--radius-m 200] [--numerators 1]
//                               [--repeat 3] [--chunk 0] [--no-build] [--pkg DIR]
//
// Builds the crate for wasm32 (release, +simd128 from .cargo/config.toml) and runs wasm-bindgen
// --target web into target/bench-wasm/pkg (git-ignored), serves bench/ and that pkg on
// 127.0.0.1, opens bench/index.html in a fresh headless Chromium per case (so the wasm memory
// figure is that case's alone) and prints one JSON object per case on stdout.
// --pkg DIR serves another wasm-bindgen output instead (e.g. an older build, to compare the two
// in one run); it implies --no-build.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const list = (name, def) => String(opt(name, def)).split(',').map(Number);
const ns = list('--n', '1000000');
const radii = list('--radius-m', '200');
const numerators = list('--numerators', '1');
const repeat = Number(opt('--repeat', '3'));
const chunk = Number(opt('--chunk', '0'));
const pkgOpt = opt('--pkg', '');
const pkgDir = pkgOpt || join(root, 'target', 'bench-wasm', 'pkg');

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status})`);
}

if (!args.includes('--no-build') && !pkgOpt) {
  run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown']);
  const bindgen = existsSync(join(process.env.HOME || '', '.cargo/bin/wasm-bindgen'))
    ? join(process.env.HOME, '.cargo/bin/wasm-bindgen')
    : 'wasm-bindgen';
  run(bindgen, ['--target', 'web', '--out-dir', pkgDir,
    join(root, 'target/wasm32-unknown-unknown/release/veerkracht.wasm')]);
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const file = path.startsWith('/pkg/') ? join(pkgDir, path.slice(5)) : join(root, 'bench', path === '/' ? 'index.html' : path);
  try {
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/index.html`;

try {
  for (const n of ns) {
    for (const radiusM of radii) {
      for (const k of numerators) {
        const profile = mkdtempSync(join(tmpdir(), 'veerkracht-bench-'));
        const context = await chromium.launchPersistentContext(profile, {
          executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
          headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        });
        try {
          const page = context.pages()[0] || (await context.newPage());
          page.on('pageerror', (e) => console.error('page error:', e.message));
          await page.goto(url);
          await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
          const result = await page.evaluate(
            (c) => window.runCase(c),
            { n, radiusM, numerators: k, repeat, chunk },
          );
          console.log(JSON.stringify(result));
        } finally {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        }
      }
    }
  }
} finally {
  server.close();
}
