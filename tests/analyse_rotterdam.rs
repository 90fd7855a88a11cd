#![cfg(not(target_arch = "wasm32"))]
//! The tipping point on real data: Leefbaarometer 3.0 per buurt (Rotterdam, Schiedam,
//! Vlaardingen; `www/demo/leefbaarometer_buurten_rdam_2002_2024.csv`) joined by buurt code to the
//! corporation share of CBS Kerncijfers wijken en buurten 2024
//! (`www/demo/cbs_kwb_buurt_2024_rijnmond.csv`). Note: the share is the 2024 share for both years.
//!
//! The library's answer is checked against an independent computation written here from scratch:
//! a nested-loop join, per-band means by explicit interval filters, the polyline crossing, and
//! for the broken line a brute-force least squares (normal equations solved by Cramer's rule on
//! every breakpoint of the grid).

use std::collections::HashMap;

use veerkracht::analysis::bands::BandSettings;
use veerkracht::analysis::buurt_join::{
    join_scores_to_areas, AreaShares, BuurtJoinSettings, LongScores, ShareUnit,
};
use veerkracht::analysis::tipping_point::{
    tipping_point, CrossingStatus, TippingInput, TippingPointSettings,
};

const LBM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/www/demo/leefbaarometer_buurten_rdam_2002_2024.csv"
);
const KWB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/www/demo/cbs_kwb_buurt_2024_rijnmond.csv"
);

fn read_csv(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn num(s: &str) -> f64 {
    match s.trim() {
        "" | "NA" => f64::NAN,
        t => {
            let v: f64 = t.parse().unwrap();
            if v == -99997.0 || v == -99995.0 {
                f64::NAN
            } else {
                v
            }
        }
    }
}

struct Data {
    lbm_header: Vec<String>,
    lbm: Vec<Vec<String>>,
    kwb_header: Vec<String>,
    kwb: Vec<Vec<String>>,
}

fn data() -> Data {
    let (lbm_header, lbm) = read_csv(LBM);
    let (kwb_header, kwb) = read_csv(KWB);
    Data {
        lbm_header,
        lbm,
        kwb_header,
        kwb,
    }
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// The library path: columns → join → tipping point.
fn library(
    d: &Data,
    column: &str,
    year_a: i32,
    year_b: i32,
    settings: &TippingPointSettings,
) -> (
    veerkracht::analysis::buurt_join::JoinedAreas,
    veerkracht::analysis::tipping_point::TippingPointResult,
) {
    let (c_code, c_year, c_val) = (
        col(&d.lbm_header, "bu_code"),
        col(&d.lbm_header, "jaar"),
        col(&d.lbm_header, column),
    );
    let codes: Vec<String> = d.lbm.iter().map(|r| r[c_code].clone()).collect();
    let years: Vec<f64> = d.lbm.iter().map(|r| num(&r[c_year])).collect();
    let values: Vec<f64> = d.lbm.iter().map(|r| num(&r[c_val])).collect();
    let (k_code, k_share, k_dw) = (
        col(&d.kwb_header, "buurtcode"),
        col(
            &d.kwb_header,
            "perc_huurwoningen_in_bezit_woningcorporaties",
        ),
        col(&d.kwb_header, "woningvoorraad"),
    );
    let area_codes: Vec<String> = d.kwb.iter().map(|r| r[k_code].clone()).collect();
    let share: Vec<f64> = d.kwb.iter().map(|r| num(&r[k_share])).collect();
    let dwellings: Vec<f64> = d.kwb.iter().map(|r| num(&r[k_dw])).collect();
    let joined = join_scores_to_areas(
        &BuurtJoinSettings {
            year_a,
            year_b,
            share_unit: ShareUnit::Percent,
        },
        &LongScores {
            codes: &codes,
            years: &years,
            values: &values,
        },
        &AreaShares {
            codes: &area_codes,
            share: &share,
            dwellings: Some(&dwellings),
        },
    )
    .unwrap();
    let result = tipping_point(
        settings,
        &TippingInput {
            corporation_share: &joined.corporation_share,
            score_a: &joined.score_a,
            score_b: &joined.score_b,
        },
    )
    .unwrap();
    (joined, result)
}

/// Independent: (share 0..1, change) for every buurt with both years and a share, by nested loops.
fn independent_pairs(d: &Data, column: &str, year_a: &str, year_b: &str) -> Vec<(f64, f64)> {
    let (c_code, c_year, c_val) = (
        col(&d.lbm_header, "bu_code"),
        col(&d.lbm_header, "jaar"),
        col(&d.lbm_header, column),
    );
    let k_code = col(&d.kwb_header, "buurtcode");
    let k_share = col(
        &d.kwb_header,
        "perc_huurwoningen_in_bezit_woningcorporaties",
    );
    let mut by_code: HashMap<&str, (f64, f64)> = HashMap::new();
    for r in &d.lbm {
        let e = by_code
            .entry(r[c_code].as_str())
            .or_insert((f64::NAN, f64::NAN));
        if r[c_year] == year_a {
            e.0 = num(&r[c_val]);
        } else if r[c_year] == year_b {
            e.1 = num(&r[c_val]);
        }
    }
    let mut out = vec![];
    for (code, (a, b)) in by_code {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        for k in &d.kwb {
            if k[k_code] == code {
                let s = num(&k[k_share]);
                if s.is_finite() && s >= 0.0 {
                    out.push((s / 100.0, b - a));
                }
            }
        }
    }
    out
}

/// Independent band means at the mean share of each default band (0–10 … ≥ 80), bands with
/// at least `min` buurten, and the first downward crossing of the polyline through them.
fn independent_crossing(pairs: &[(f64, f64)], min: usize) -> (Vec<(usize, f64)>, Option<f64>) {
    let mut pts = vec![];
    let mut counts = vec![];
    for b in 0..9 {
        let lo = f64::from(b * 10) / 100.0;
        let hi = if b == 8 {
            f64::INFINITY
        } else {
            f64::from((b + 1) * 10) / 100.0
        };
        let inside: Vec<&(f64, f64)> = pairs.iter().filter(|p| p.0 >= lo && p.0 < hi).collect();
        let n = inside.len();
        counts.push((n, inside.iter().map(|p| p.1).sum::<f64>() / n as f64));
        if n >= min {
            let mx = inside.iter().map(|p| p.0).sum::<f64>() / n as f64;
            let my = inside.iter().map(|p| p.1).sum::<f64>() / n as f64;
            pts.push((mx, my));
        }
    }
    let mut crossing = None;
    for w in pts.windows(2) {
        if w[0].1 >= 0.0 && w[1].1 < 0.0 {
            crossing = Some(w[0].0 + (w[1].0 - w[0].0) * w[0].1 / (w[0].1 - w[1].1));
            break;
        }
    }
    (counts, crossing)
}

/// Brute-force broken line: on every grid breakpoint, build the 3 × 3 normal equations from
/// scratch and solve them by Cramer's rule; keep the smallest SSE (computed from residuals).
fn brute_force_broken_line(
    pairs: &[(f64, f64)],
    step: f64,
    min_seg: usize,
) -> (f64, f64, [f64; 3]) {
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let mut best = (f64::NAN, f64::INFINITY, [0.0; 3]);
    for k in 0..=(1.0 / step).round() as i64 {
        let c = k as f64 * step;
        let left = pairs.iter().filter(|p| p.0 <= c).count();
        if left < min_seg || pairs.len() - left < min_seg {
            continue;
        }
        let mut a = [[0.0; 3]; 3];
        let mut rhs = [0.0; 3];
        for &(x, y) in pairs {
            let row = [1.0, x, (x - c).max(0.0)];
            for i in 0..3 {
                for j in 0..3 {
                    a[i][j] += row[i] * row[j];
                }
                rhs[i] += row[i] * y;
            }
        }
        let d = det3(a);
        if d.abs() < 1e-14 {
            continue;
        }
        let mut beta = [0.0; 3];
        for (i, b) in beta.iter_mut().enumerate() {
            let mut m = a;
            for r in 0..3 {
                m[r][i] = rhs[r];
            }
            *b = det3(m) / d;
        }
        let sse: f64 = pairs
            .iter()
            .map(|&(x, y)| (y - beta[0] - beta[1] * x - beta[2] * (x - c).max(0.0)).powi(2))
            .sum();
        if sse < best.1 {
            best = (c, sse, beta);
        }
    }
    best
}

fn settings(replicates: u32) -> TippingPointSettings {
    TippingPointSettings {
        bands: BandSettings::default(),
        bootstrap_replicates: replicates,
        seed: 2018,
        ..Default::default()
    }
}

fn check_against_independent(column: &str, year_a: i32, year_b: i32) -> CrossingStatus {
    let d = data();
    let s = settings(200);
    let (joined, r) = library(&d, column, year_a, year_b, &s);
    let pairs = independent_pairs(&d, column, &year_a.to_string(), &year_b.to_string());

    // The join: every Leefbaarometer buurt of these years is in the KWB 2024 file.
    assert_eq!(joined.report.unmatched, 0, "{:?}", joined.report);
    assert_eq!(r.locations_used as usize, pairs.len());
    assert_eq!(
        r.locations_used + r.locations_missing + r.locations_outside_bands,
        joined.codes.len() as u32
    );

    // Band means.
    let (counts, crossing) = independent_crossing(&pairs, s.min_locations_per_band as usize);
    for (b, row) in r.bands.iter().enumerate() {
        assert_eq!(row.locations as usize, counts[b].0, "band {b}");
        if counts[b].0 > 0 {
            assert!(
                (row.mean_change.unwrap() - counts[b].1).abs() < 1e-12,
                "band {b}"
            );
        }
    }
    match (r.interpolated.share, crossing) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
        (a, b) => assert_eq!(a, b),
    }

    // Broken line against brute force.
    let fit = r.broken_line.clone().unwrap();
    let (c, sse, beta) = brute_force_broken_line(
        &pairs,
        s.breakpoint_step,
        s.min_locations_per_segment as usize,
    );
    assert!(
        (fit.breakpoint - c).abs() < 1e-12,
        "{} vs {c}",
        fit.breakpoint
    );
    assert!((fit.sse - sse).abs() <= 1e-9 * sse, "{} vs {sse}", fit.sse);
    assert!((fit.intercept - beta[0]).abs() < 1e-7);
    assert!((fit.slope_before - beta[1]).abs() < 1e-6);
    assert!((fit.slope_after - (beta[1] + beta[2])).abs() < 1e-6);

    // The bootstrap interval brackets the estimate when there is one.
    if let (Some(est), Some(iv)) = (r.interpolated.share, &r.interpolated.interval) {
        assert!(iv.lower <= est && est <= iv.upper, "{iv:?} {est}");
    }
    eprintln!(
        "{column} {year_a}→{year_b}: n = {}, interpolated {:?} {:?}, broken line c = {:.3}, crossing {:?} {:?}",
        r.locations_used,
        r.interpolated.status,
        r.interpolated.share,
        fit.breakpoint,
        r.broken_line_crossing.status,
        r.broken_line_crossing.share
    );
    r.interpolated.status
}

#[test]
fn afw_2014_2022_matches_independent_computation() {
    // In these buurten the mean afw change 2014→2022 is positive in every band (a Python check
    // during development gave band means 0.016 … 0.058 … 0.009), so no crossing is expected.
    assert_eq!(
        check_against_independent("afw", 2014, 2022),
        CrossingStatus::NeverNegative
    );
}

#[test]
fn onv_2014_2018_matches_independent_computation() {
    // Overlast en onveiligheid 2014→2018 turns negative between the 50–60 and 60–70 bands.
    assert_eq!(
        check_against_independent("onv", 2014, 2018),
        CrossingStatus::Crossing
    );
}

#[test]
fn afw_2014_2018_and_2020_2024_match_independent_computation() {
    check_against_independent("afw", 2014, 2018);
    check_against_independent("afw", 2020, 2024);
}

/// Development of `lbm` per level class (tertiles of 2012), checked against a from-scratch
/// computation: per-buurt 2012 values sorted, type-7 tertiles, then means per class and year.
#[test]
fn lbm_series_per_level_class_matches_independent_computation() {
    use veerkracht::analysis::group_stats::{series, LongTable, SeriesSettings};
    use veerkracht::analysis::typology::NamedColumn;
    let d = data();
    let (c_code, c_year, c_lbm) = (
        col(&d.lbm_header, "bu_code"),
        col(&d.lbm_header, "jaar"),
        col(&d.lbm_header, "lbm"),
    );
    let codes: Vec<String> = d.lbm.iter().map(|r| r[c_code].clone()).collect();
    let years: Vec<f64> = d.lbm.iter().map(|r| num(&r[c_year])).collect();
    let lbm: Vec<f64> = d.lbm.iter().map(|r| num(&r[c_lbm])).collect();
    let cols = [NamedColumn {
        name: "lbm",
        values: &lbm,
    }];
    let r = series(
        &SeriesSettings::default(),
        &LongTable {
            codes: &codes,
            years: &years,
            columns: &cols,
        },
        None,
    )
    .unwrap();

    // Independent: base values, tertiles, classes, means.
    let mut base: HashMap<&str, f64> = HashMap::new();
    for r in &d.lbm {
        if r[c_year] == "2012" && num(&r[c_lbm]).is_finite() {
            base.insert(r[c_code].as_str(), num(&r[c_lbm]));
        }
    }
    let mut v: Vec<f64> = base.values().copied().collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let q = |p: f64| {
        let h = (v.len() - 1) as f64 * p;
        v[h.floor() as usize] + (h - h.floor()) * (v[h.ceil() as usize] - v[h.floor() as usize])
    };
    let (t1, t2) = (q(1.0 / 3.0), q(2.0 / 3.0));
    for year in ["2002", "2012", "2018", "2024"] {
        for (class, lo, hi) in [
            (0, f64::NEG_INFINITY, t1),
            (1, t1, t2),
            (2, t2, f64::INFINITY),
        ] {
            let vals: Vec<f64> = d
                .lbm
                .iter()
                .filter(|row| row[c_year] == year)
                .filter(|row| {
                    base.get(row[c_code].as_str())
                        .is_some_and(|&b| b >= lo && b < hi)
                })
                .map(|row| num(&row[c_lbm]))
                .filter(|x| x.is_finite())
                .collect();
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            let p = r.groups[class].columns[0]
                .points
                .iter()
                .find(|p| p.year.to_string() == year)
                .unwrap();
            assert_eq!(p.locations as usize, vals.len(), "class {class} {year}");
            assert!(
                (p.mean.unwrap() - mean).abs() < 1e-12,
                "class {class} {year}"
            );
        }
    }
}
