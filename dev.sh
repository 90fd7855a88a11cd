#!/usr/bin/env bash
# Veerkracht developer commands. Each installs what is missing (and skips what is there), then:
#   ./dev.sh serve   build and serve the app on http://127.0.0.1:8080 (PORT=…, BASE=/sub/path/)
#   ./dev.sh build   build dist/ (index.html + main.js + main.css, and the single file veerkracht.html)
#   ./dev.sh test    every check: fmt, clippy, native tests, wasm tests in headless Chromium, build,
#                    end-to-end browser tests. .ci/run calls exactly this.
#   ./dev.sh setup   only install what is missing
set -euo pipefail
cd "$(dirname "$0")"

WASM_TARGET=wasm32-unknown-unknown
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMEDRIVER
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }
elapsed() { local s=$SECONDS; printf '%dm%02ds' $((s / 60)) $((s % 60)); }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

# The wasm-bindgen CLI must be exactly the version Cargo.toml pins (`wasm-bindgen = "=X"`).
pinned_wasm_bindgen() {
  sed -n 's/^wasm-bindgen *= *"=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found: this machine needs its Rust toolchain (rustup)"
  # (Captured first: `grep -q` closing a pipe early would fail the pipeline under pipefail.)
  local targets components
  targets="$(rustup target list --installed 2>/dev/null || true)"
  components="$(rustup component list --installed 2>/dev/null || true)"
  if ! grep -qx "$WASM_TARGET" <<<"$targets"; then
    step "installing Rust target $WASM_TARGET"
    rustup target add "$WASM_TARGET"
  fi
  grep -q '^rustfmt' <<<"$components" || rustup component add rustfmt
  grep -q '^clippy' <<<"$components" || rustup component add clippy
  local want have
  want="$(pinned_wasm_bindgen)"
  [ -n "$want" ] || die "no '=X.Y.Z' pin for wasm-bindgen found in Cargo.toml"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
    step "installing wasm-bindgen-cli $want (found: ${have:-none}); takes a few minutes"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null || {
    step "installing Node.js and npm (Debian)"
    apt_update_once
    as_root apt-get install -y nodejs npm
  }
  # npm ci when node_modules is missing or older than package-lock.json.
  local stamp=node_modules/.veerkracht-lock
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
    echo "$want" >"$stamp"
  fi
}

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update; APT_UPDATED=1; fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x "$CHROMEDRIVER" ]; then
    step "installing Chromium and ChromeDriver (Debian)"
    apt_update_once
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
}

ensure_all() {
  ensure_rust
  ensure_node
  ensure_chromium
}

build() {
  step "wasm: cargo build --release --target $WASM_TARGET"
  cargo build --release --target "$WASM_TARGET" --lib
  step "wasm-bindgen --target web -> www/pkg/"
  rm -rf www/pkg
  wasm-bindgen --target web --no-typescript --out-dir www/pkg \
    "${CARGO_TARGET_DIR:-target}/$WASM_TARGET/release/veerkracht.wasm"
  step "wasm-opt -O"
  # The features rustc enables for wasm32 by default, plus simd128 (.cargo/config.toml).
  node node_modules/binaryen/bin/wasm-opt -O \
    --enable-simd --enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
    --enable-multivalue --enable-call-indirect-overlong \
    www/pkg/veerkracht_bg.wasm -o www/pkg/veerkracht_bg.wasm
  step "webpack -> dist/"
  npx --no-install webpack --mode production
  printf 'wasm %s bytes, dist/veerkracht.html %s bytes\n' \
    "$(stat -c %s www/pkg/veerkracht_bg.wasm)" "$(stat -c %s dist/veerkracht.html)"
}

run_tests() {
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "cargo clippy --all-targets -- -D warnings"
  cargo clippy --all-targets -- -D warnings
  step "cargo test (native)"
  cargo test
  build
  # --release: the browser tests run the optimised code that ships, and reuse the dependencies the
  # build just compiled for wasm32 (a debug wasm build would compile them all a second time).
  step "cargo test --release --target $WASM_TARGET --test 'wasm_*' (headless Chromium via $CHROMEDRIVER)"
  cargo test --release --target "$WASM_TARGET" --test 'wasm_*'
  step "end-to-end tests: node --test tests/e2e/"
  # One file at a time (each starts Chromium); no test may hang the run: 5 min per test at most,
  # and the runner exits when the tests are done even if a failed test left a browser open.
  node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit tests/e2e/
}

cmd="${1:-}"
case "$cmd" in
  setup) ensure_all ;;
  build) ensure_rust; ensure_node; build ;;
  serve)
    ensure_all
    build
    step "serving dist/"
    exec node scripts/serve.mjs --dir dist --port "${PORT:-8080}" --base "${BASE:-/}"
    ;;
  test)
    ensure_all
    run_tests
    step "all tests passed in $(elapsed)"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || die "unknown command: $cmd"
    exit 2
    ;;
esac
