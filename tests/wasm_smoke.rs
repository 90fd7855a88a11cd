//! Browser smoke test (INFRA): the crate compiles to wasm32 with simd128, runs in headless
//! Chromium, moves a column across the JS boundary as a typed array and computes with it.
//! Run by `./dev.sh test` (`cargo test --target wasm32-unknown-unknown --test 'wasm_*'`).
#![cfg(target_arch = "wasm32")]

use veerkracht::analysis::bands::{BandSettings, Bands};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The buffer-sum kernel relies on `simd128` (set in .cargo/config.toml for this target).
#[wasm_bindgen_test]
fn built_with_simd128() {
    assert!(cfg!(target_feature = "simd128"));
}

/// Shares k/40 (k = 0..=44) and a missing one go to JS as a `Float64Array` and back, then get
/// their default band (0–10 … 70–80, ≥ 80 %). The expected band is computed independently by the
/// browser's own `Math`: `min(floor(k / 4), 8)` — k/40 ≥ i/10 exactly when k ≥ 4i, and both
/// sides are correctly rounded divisions, so there is no rounding edge.
#[wasm_bindgen_test]
fn a_column_crosses_the_boundary_and_gets_its_bands() {
    let mut shares: Vec<f64> = (0..=44).map(|k| f64::from(k) / 40.0).collect();
    shares.push(f64::NAN);
    let in_js = js_sys::Float64Array::from(&shares[..]);
    assert_eq!(in_js.length() as usize, shares.len());
    let back = in_js.to_vec();

    let bands = Bands::new(&BandSettings::default()).expect("default bands are valid");
    let assigned = bands.assign(&back);

    for (k, band) in assigned.iter().take(45).enumerate() {
        let expected = js_sys::Math::min(js_sys::Math::floor(k as f64 / 4.0), 8.0);
        assert_eq!(f64::from(*band), expected, "share {k}/40");
    }
    assert_eq!(assigned[45], -1, "a missing share is in no band");
}
