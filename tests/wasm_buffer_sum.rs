//! The buffer-sum kernel as it runs in the browser (simd128 lanes, f32 window test with the exact
//! f64 re-check) against the O(N²) brute force, bit for bit: seeded town-shaped data, points
//! exactly at distance R, stacks of duplicates, a missing value under both policies, and a job
//! stepped in small chunks. Run by `./dev.sh test` in headless Chromium.
#![cfg(target_arch = "wasm32")]

use veerkracht::analysis::buffer_sum::{brute_force_sums, buffer_sums, BufferSumJob, SumColumn};
use veerkracht::analysis::missing::MissingPolicy;
use veerkracht::analysis::synthetic::synthetic_towns;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn assert_bits(got: &[Vec<f64>], want: &[Vec<f64>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: columns");
    for (c, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: rows of column {c}");
        for (i, (a, b)) in g.iter().zip(w).enumerate() {
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{what}: column {c} row {i}: kernel {a} vs brute force {b}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn seeded_towns_equal_the_brute_force_bit_for_bit() {
    let t = synthetic_towns(3_000, 11);
    let cols: Vec<&[f64]> = ["woningen", "corporatie"]
        .iter()
        .map(|n| t.column(n).expect("synthetic column").values.as_slice())
        .collect();
    let sum_cols: Vec<SumColumn<'_>> = ["woningen", "corporatie"]
        .iter()
        .zip(&cols)
        .map(|(name, values)| SumColumn { name, values })
        .collect();
    for radius_m in [50.0, 200.0, 333.3] {
        let got = buffer_sums(
            &t.x_rd,
            &t.y_rd,
            &sum_cols,
            radius_m,
            MissingPolicy::CountAsZero,
        )
        .expect("valid input");
        let want = brute_force_sums(
            &t.x_rd,
            &t.y_rd,
            &cols,
            radius_m,
            MissingPolicy::CountAsZero,
        );
        assert_bits(&got, &want, &format!("R = {radius_m}"));
    }
}

#[wasm_bindgen_test]
fn points_at_exactly_r_duplicates_and_missing_values() {
    // A 7 × 7 lattice of 50 m (so many pairs lie exactly at R = 100 m and at √2·50), each site
    // three times (a stack of duplicates), odd values, one missing.
    let (mut x, mut y, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..7 {
        for j in 0..7 {
            for k in 0..3 {
                x.push(150_000.0 + 50.0 * f64::from(i));
                y.push(440_000.0 + 50.0 * f64::from(j));
                v.push(f64::from(i * 7 + j + k));
            }
        }
    }
    v[40] = f64::NAN;
    let cols: Vec<&[f64]> = vec![&v];
    let sum_cols = [SumColumn {
        name: "v",
        values: &v,
    }];
    for missing in [MissingPolicy::CountAsZero, MissingPolicy::LeaveOut] {
        for radius_m in [50.0, 100.0, 70.710_678_118_654_76] {
            let got = buffer_sums(&x, &y, &sum_cols, radius_m, missing).expect("valid input");
            let want = brute_force_sums(&x, &y, &cols, radius_m, missing);
            assert_bits(&got, &want, &format!("R = {radius_m}, {missing:?}"));
        }
    }
}

#[wasm_bindgen_test]
fn a_job_stepped_in_small_chunks_gives_the_same_sums() {
    let t = synthetic_towns(2_000, 5);
    let v = &t.column("woningen").expect("synthetic column").values;
    let sum_cols = [SumColumn {
        name: "woningen",
        values: v,
    }];
    let mut job = BufferSumJob::new(
        &t.x_rd,
        &t.y_rd,
        &sum_cols,
        200.0,
        MissingPolicy::CountAsZero,
    )
    .expect("valid input");
    let mut steps = 0;
    while !job.is_done() {
        job.step(&t.x_rd, &t.y_rd, 97);
        steps += 1;
    }
    assert!(steps > 5, "the job really ran in chunks ({steps})");
    let got = job.finish().expect("finished");
    let want = brute_force_sums(
        &t.x_rd,
        &t.y_rd,
        &[v.as_slice()],
        200.0,
        MissingPolicy::CountAsZero,
    );
    assert_bits(&got, &want, "chunked");
}
