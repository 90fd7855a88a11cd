#![cfg(not(target_arch = "wasm32"))]
//! The analyses on the real CBS 100 m squares of Rijnmond 2024 (`www/demo/cbs_vk100_rijnmond_2024.csv`)
//! with the corporation share within 200 m from the engine's buffer scores.
//!
//! No public file has two years of indicator counts per square, so the year A / year B counts of
//! a vulnerable group and the two-year scores are **generated here with a fixed seed**
//! (SplitMix64, seed in each test): the group is more frequent, and grows faster, where the
//! corporation share is high; the score change has a built-in kink. The analyses are then checked
//! against independent computations written in this file.

use std::time::Instant;

use veerkracht::analysis::area_profile::{area_profile, ProfileInput, ProfileSettings};
use veerkracht::analysis::band_index::GroupColumns;
use veerkracht::analysis::buffer_share::{score, ScoreSettings};
use veerkracht::analysis::table::{Column, LocationTable};
use veerkracht::analysis::tipping_point::{
    tipping_point, CrossingStatus, TippingInput, TippingPointSettings,
};
use veerkracht::analysis::trend::{trend, TrendSettings};
use veerkracht::analysis::typology::NamedColumn;

const SQUARES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/www/demo/cbs_vk100_rijnmond_2024.csv"
);

struct Squares {
    x: Vec<f64>,
    y: Vec<f64>,
    dwellings: Vec<f64>,
    corp: Vec<f64>,
    inhabitants: Vec<f64>,
}

fn squares() -> Squares {
    let mut r = csv::Reader::from_path(SQUARES).unwrap();
    let h = r.headers().unwrap().clone();
    let idx = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (ix, iy, iw, ic, ii) = (
        idx("x_rd_center"),
        idx("y_rd_center"),
        idx("aantal_woningen"),
        idx("aantal_huurwoningen_in_bezit_woningcorporaties"),
        idx("aantal_inwoners"),
    );
    let num = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
    let mut s = Squares {
        x: vec![],
        y: vec![],
        dwellings: vec![],
        corp: vec![],
        inhabitants: vec![],
    };
    for rec in r.records() {
        let rec = rec.unwrap();
        s.x.push(num(&rec[ix]));
        s.y.push(num(&rec[iy]));
        s.dwellings.push(num(&rec[iw]));
        s.corp.push(num(&rec[ic]));
        s.inhabitants.push(num(&rec[ii]));
    }
    s
}

/// The engine's buffer share of corporation dwellings within 200 m.
fn buffer_share(s: &Squares) -> Vec<f64> {
    let mut t = LocationTable::new(
        s.x.clone(),
        s.y.clone(),
        (0..s.x.len()).map(|i| i.to_string()).collect(),
    )
    .unwrap();
    t.columns.push(Column {
        name: "woningen".into(),
        values: s.dwellings.clone(),
    });
    t.columns.push(Column {
        name: "corp".into(),
        values: s.corp.clone(),
    });
    let r = score(&t, &ScoreSettings::new("woningen", &["corp"])).unwrap();
    r.shares[0].clone()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Binomial(n, p) by n Bernoulli draws (n is small: inhabitants of one square).
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        (0..n as u32).filter(|_| self.next() < p).count() as f64
    }
}

#[test]
fn trend_on_real_squares_with_seeded_counts_matches_naive() {
    let s = squares();
    let share = buffer_share(&s);
    // Seed 20121018: year A rate 3% + 6%·share, year B rate 3% + 12%·share (the gap grows).
    let mut rng = Rng(20_121_018);
    let inh: Vec<f64> = s
        .inhabitants
        .iter()
        .map(|v| if v.is_nan() { 0.0 } else { *v })
        .collect();
    let (mut ga, mut gb) = (vec![], vec![]);
    for i in 0..inh.len() {
        let sh = if share[i].is_nan() { 0.0 } else { share[i] };
        ga.push(rng.binomial(inh[i], 0.03 + 0.06 * sh));
        gb.push(rng.binomial(inh[i], 0.03 + 0.12 * sh));
    }
    let settings = TrendSettings::default();
    let t = trend(
        &settings,
        &GroupColumns {
            corporation_share: &share,
            group: &ga,
            denominator: &inh,
        },
        &GroupColumns {
            corporation_share: &share,
            group: &gb,
            denominator: &inh,
        },
    )
    .unwrap();

    // Independent: pooled sums by explicit interval tests; reference = whole area of each year.
    let naive_index = |g: &[f64], lo: f64, hi: f64| {
        let reference = g.iter().sum::<f64>() / inh.iter().sum::<f64>();
        let (mut gs, mut ds) = (0.0, 0.0);
        for i in 0..g.len() {
            if share[i] >= lo && share[i] < hi {
                gs += g[i];
                ds += inh[i];
            }
        }
        gs / ds / reference * 100.0
    };
    let gap_a = naive_index(&ga, 0.8, f64::INFINITY) - naive_index(&ga, 0.0, 0.1);
    let gap_b = naive_index(&gb, 0.8, f64::INFINITY) - naive_index(&gb, 0.0, 0.1);
    let growth = gap_b / gap_a - 1.0;
    assert!((t.gap.gap_growth.unwrap() - growth).abs() < 1e-9, "{t:?}");
    // The generated counts make the gap grow; the index of the ≥ 80% band rises.
    assert!(growth > 0.2, "{growth}");
    assert!(t.rows[8].change.unwrap() > 0.0);
    for (b, row) in t.rows.iter().enumerate() {
        let lo = f64::from(b as u32 * 10) / 100.0;
        let hi = if b == 8 {
            f64::INFINITY
        } else {
            f64::from((b as u32 + 1) * 10) / 100.0
        };
        let naive = naive_index(&ga, lo, hi);
        assert!((row.index_a.unwrap() - naive).abs() < 1e-9, "band {b}");
    }
}

#[test]
fn profile_within_radius_equals_the_engine_buffer_share() {
    // Two implementations of "share within 200 m": the engine's grid-indexed buffer sums and the
    // profile's direct O(N) loop. Counts are integers, so the sums are exact in any order.
    let s = squares();
    let share = buffer_share(&s);
    let cols = [
        NamedColumn {
            name: "aantal_woningen",
            values: &s.dwellings,
        },
        NamedColumn {
            name: "aantal_huurwoningen_in_bezit_woningcorporaties",
            values: &s.corp,
        },
    ];
    let input = ProfileInput {
        x_rd: Some(&s.x),
        y_rd: Some(&s.y),
        columns: &cols,
    };
    let mut rng = Rng(7);
    for _ in 0..200 {
        let i = (rng.next() * s.x.len() as f64) as usize;
        let p = area_profile(&ProfileSettings::default(), &input, i).unwrap();
        match p.corporation_share {
            Some(v) => assert_eq!(v, share[i], "square {i}"),
            None => assert!(share[i].is_nan(), "square {i}"),
        }
    }
}

#[test]
fn tipping_point_on_real_squares_with_a_seeded_kink() {
    let s = squares();
    let share = buffer_share(&s);
    // Seed 2018: score A ~ U(−0.2, 0.2); change = 0.04 − 0.3·(share − 0.5)₊ − 0.01·share + noise
    // (uniform ±0.05). The true line crosses zero where 0.04 − 0.005 − 0.3·(x − 0.5) = 0 …
    // more exactly f(x) = 0.04 − 0.01·x − 0.3·(x − 0.5) = 0 → x = 0.19 / 0.31 = 0.6129.
    let mut rng = Rng(2018);
    let mut a = vec![];
    let mut b = vec![];
    for &sh in &share {
        let base = rng.next() * 0.4 - 0.2;
        let x = if sh.is_nan() { 0.0 } else { sh };
        let change = 0.04 - 0.01 * x - 0.3 * (x - 0.5).max(0.0) + (rng.next() - 0.5) * 0.1;
        a.push(base);
        b.push(base + change);
    }
    let settings = TippingPointSettings {
        bootstrap_replicates: 1000,
        seed: 5,
        ..Default::default()
    };
    let started = Instant::now();
    let r = tipping_point(
        &settings,
        &TippingInput {
            corporation_share: &share,
            score_a: &a,
            score_b: &b,
        },
    )
    .unwrap();
    eprintln!(
        "{} squares, 1000 bootstrap replicates: {:.2} s (debug build)",
        r.locations_used,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(r.broken_line_crossing.status, CrossingStatus::Crossing);
    let est = r.broken_line_crossing.share.unwrap();
    assert!((est - 0.19 / 0.31).abs() < 0.02, "{est}");
    let iv = r.broken_line_crossing.interval.clone().unwrap();
    assert!(iv.lower <= est && est <= iv.upper);
    let bp = r.broken_line.as_ref().unwrap().breakpoint;
    assert!((bp - 0.5).abs() < 0.03, "{bp}");
    assert_eq!(r.interpolated.status, CrossingStatus::Crossing);
    assert!((r.interpolated.share.unwrap() - 0.19 / 0.31).abs() < 0.05);
}
