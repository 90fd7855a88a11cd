// The e2e tests' command-line helper (app_support.mjs `cli`) must run a binary built from the
// current source, never one left in target/release or target/debug by an earlier build, and must
// build where CARGO_TARGET_DIR says. Checked on a copy of the helper in a throw-away tree whose
// `veerkracht` crate is a two-line stand-in (compiled in a second), with stale stand-in binaries
// planted in target/release and target/debug beforehand.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, symlinkSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const tree = mkdtempSync(path.join(os.tmpdir(), 'veerkracht-cli-helper-'));
after(() => rmSync(tree, { recursive: true, force: true }));

function write(rel, text, mode) {
  const file = path.join(tree, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  if (mode) chmodSync(file, mode);
}

/** A crate named veerkracht whose binary prints `word` and its arguments. */
function crate(word) {
  write('Cargo.toml', '[package]\nname = "veerkracht"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n');
  write('src/main.rs', `fn main() {\n    let a: Vec<String> = std::env::args().skip(1).collect();\n    println!("${word} {}", a.join(" "));\n}\n`);
  write('tests/engine_cli.rs', '#[test]\nfn runs() {}\n');
}

// The helper and its imports, as in the repository.
mkdirSync(path.join(tree, 'tests', 'e2e'), { recursive: true });
for (const f of ['app_support.mjs', 'harness.mjs']) copyFileSync(path.join(ROOT, 'tests', 'e2e', f), path.join(tree, 'tests', 'e2e', f));
symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
symlinkSync(path.join(ROOT, 'scripts'), path.join(tree, 'scripts'));

/** `cli(args)` of the copied helper in a fresh Node process: { out, bin }. */
function runHelper(args, env = {}) {
  const base = { ...process.env };
  for (const k of ['NODE_TEST_CONTEXT', 'CARGO_TARGET_DIR', 'CARGO_BUILD_TARGET_DIR']) delete base[k];
  const script = `
    const m = await import(${JSON.stringify(path.join(tree, 'tests', 'e2e', 'app_support.mjs'))});
    const out = m.cli(JSON.parse(process.argv[1]));
    process.stdout.write(JSON.stringify({ out, bin: m.cliBinary?.() ?? null }));`;
  const text = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], {
    cwd: tree, encoding: 'utf8', env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(text);
}

const STALE = '#!/bin/sh\necho stale\n';

test('cli() runs the binary of the current source, not a stale release or debug one', () => {
  crate('fresh');
  write('target/release/veerkracht', STALE, 0o755);
  write('target/debug/veerkracht', STALE, 0o755);
  const { out } = runHelper(['a', 'b']);
  assert.equal(out, 'fresh a b\n');
});

test('cli() builds in CARGO_TARGET_DIR when it is set, and runs the source as it is now', () => {
  crate('changed');
  const elsewhere = path.join(tree, 'elsewhere');
  write('elsewhere/release/veerkracht', STALE, 0o755);
  const { out, bin } = runHelper(['c'], { CARGO_TARGET_DIR: elsewhere });
  assert.equal(out, 'changed c\n');
  assert.ok(bin?.startsWith(elsewhere + path.sep), `binary ${bin} under ${elsewhere}`);
});
