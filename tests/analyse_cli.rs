#![cfg(not(target_arch = "wasm32"))]
//! `veerkracht analyse …` end to end: the binary reads the real demo files through the import
//! readers and its JSON must equal the library's answer on the same data (read here with the
//! `csv` crate, independently of the readers), and bad input must stop with exit code 2.

use std::process::Command;

use veerkracht::analysis::buurt_join::{
    join_scores_to_areas, AreaShares, BuurtJoinSettings, LongScores, ShareUnit,
};
use veerkracht::analysis::tipping_point::{tipping_point, TippingInput, TippingPointSettings};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/");

fn veerkracht(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_veerkracht"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn column(path: &str, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records().map(|rec| rec.unwrap()[i].to_string()).collect()
}

fn num(s: &str) -> f64 {
    match s {
        "" | "NA" | "-99997" | "-99995" => f64::NAN,
        t => t.parse().unwrap(),
    }
}

#[test]
fn tipping_point_cli_equals_library() {
    let lbm = format!("{DEMO}leefbaarometer_buurten_rdam_2002_2024.csv");
    let kwb = format!("{DEMO}cbs_kwb_buurt_2024_rijnmond.csv");
    let (code, stdout, stderr) = veerkracht(&[
        "analyse",
        "tipping-point",
        "--scores",
        &lbm,
        "--score-column",
        "afw",
        "--year-a",
        "2014",
        "--year-b",
        "2022",
        "--areas",
        &kwb,
        "--share-column",
        "perc_huurwoningen_in_bezit_woningcorporaties",
        "--join",
        "bu_code=buurtcode",
        "--replicates",
        "200",
        "--seed",
        "7",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let cli: serde_json::Value = serde_json::from_str(&stdout).unwrap();

    let codes = column(&lbm, "bu_code");
    let years: Vec<f64> = column(&lbm, "jaar")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let afw: Vec<f64> = column(&lbm, "afw")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let area_codes = column(&kwb, "buurtcode");
    let share: Vec<f64> = column(&kwb, "perc_huurwoningen_in_bezit_woningcorporaties")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let joined = join_scores_to_areas(
        &BuurtJoinSettings {
            year_a: 2014,
            year_b: 2022,
            share_unit: ShareUnit::Percent,
        },
        &LongScores {
            codes: &codes,
            years: &years,
            values: &afw,
        },
        &AreaShares {
            codes: &area_codes,
            share: &share,
            dwellings: None,
        },
    )
    .unwrap();
    let settings = TippingPointSettings {
        bootstrap_replicates: 200,
        seed: 7,
        ..Default::default()
    };
    let lib = tipping_point(
        &settings,
        &TippingInput {
            corporation_share: &joined.corporation_share,
            score_a: &joined.score_a,
            score_b: &joined.score_b,
        },
    )
    .unwrap();
    // Through text and back, like the CLI's output: serde_json (without `float_roundtrip`) may
    // parse a float 1 ulp off, so both sides must take the same path to compare exactly.
    let lib: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&lib).unwrap()).unwrap();
    for key in [
        "locationsUsed",
        "locationsMissing",
        "bands",
        "interpolated",
        "brokenLine",
        "brokenLineCrossing",
    ] {
        assert_eq!(cli[key], lib[key], "{key}");
    }
    assert_eq!(cli["join"]["matched"], 192);
    assert_eq!(cli["settings"]["seed"], 7);
}

#[test]
fn csv_output_and_bad_input() {
    let lbm = format!("{DEMO}leefbaarometer_buurten_rdam_2002_2024.csv");
    let (code, stdout, _) = veerkracht(&[
        "analyse",
        "series",
        "--scores",
        &lbm,
        "--score-column",
        "lbm",
        "--group-by",
        "level",
        "--base-year",
        "2012",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("group,label,areas,column,year,locations,mean")
    );
    assert_eq!(stdout.lines().count(), 1 + 3 * 9);

    let (code, _, stderr) = veerkracht(&[
        "analyse",
        "tipping-point",
        "--scores",
        &lbm,
        "--score-column",
        "nope",
        "--year-a",
        "2014",
        "--year-b",
        "2022",
        "--areas",
        &lbm,
        "--share-column",
        "lbm",
        "--join",
        "bu_code=bu_code",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nope"), "{stderr}");
    let (code, _, stderr) = veerkracht(&["analyse", "bands", "--input", &lbm, "--bogus", "1"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("share-column") || stderr.contains("bogus"),
        "{stderr}"
    );
}

/// The buurt share from the squares (dwelling-weighted mean of the squares' 200 m corporation
/// share), checked against a brute-force O(N²) buffer sum and per-buurt sums written here; the
/// square → buurt assignment uses the import's polygon layer (tested by the import's own tests).
#[test]
fn tipping_point_with_buurt_shares_from_squares_matches_brute_force() {
    use std::collections::HashMap;
    use veerkracht::analysis::area_join::AreaLayer;
    use veerkracht::analysis::import::{read_table, ImportOptions};

    let lbm = format!("{DEMO}leefbaarometer_buurten_rdam_2002_2024.csv");
    let squares = format!("{DEMO}cbs_vk100_rijnmond_2024.csv");
    let polygons = format!("{DEMO}cbs_buurt_2024_rijnmond.geojson");
    let (code, stdout, stderr) = veerkracht(&[
        "analyse",
        "tipping-point",
        "--scores",
        &lbm,
        "--score-column",
        "onv",
        "--year-a",
        "2014",
        "--year-b",
        "2018",
        "--squares",
        &squares,
        "--area-polygons",
        &polygons,
        "--join",
        "bu_code=buurtcode",
        "--replicates",
        "0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let cli: serde_json::Value = serde_json::from_str(&stdout).unwrap();

    // Squares, read with the csv crate.
    let x: Vec<f64> = column(&squares, "x_rd_center")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let y: Vec<f64> = column(&squares, "y_rd_center")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let zero = |v: f64| if v.is_nan() { 0.0 } else { v };
    let dw: Vec<f64> = column(&squares, "aantal_woningen")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let corp: Vec<f64> = column(&squares, "aantal_huurwoningen_in_bezit_woningcorporaties")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let bytes = std::fs::read(&polygons).unwrap();
    let t = read_table("buurten.geojson", &bytes, &ImportOptions::default()).unwrap();
    let layer = AreaLayer::from_table("buurten", &t, "buurtcode").unwrap();
    let area = layer.areas_of_points(&x, &y);

    // Buurten with Leefbaarometer scores in both years.
    let codes = column(&lbm, "bu_code");
    let years = column(&lbm, "jaar");
    let onv: Vec<f64> = column(&lbm, "onv")
        .iter()
        .map(String::as_str)
        .map(num)
        .collect();
    let mut change: HashMap<String, (f64, f64)> = HashMap::new();
    for i in 0..codes.len() {
        let e = change
            .entry(codes[i].clone())
            .or_insert((f64::NAN, f64::NAN));
        match years[i].as_str() {
            "2014" => e.0 = onv[i],
            "2018" => e.1 = onv[i],
            _ => {}
        }
    }
    // Brute-force 200 m share for the squares in those buurten; per buurt Σ dw·share / Σ dw.
    let mut per_buurt: HashMap<String, (f64, f64)> = HashMap::new();
    for i in 0..x.len() {
        if area[i] == u32::MAX {
            continue;
        }
        let code = &layer.codes[area[i] as usize];
        if !change.contains_key(code) || dw[i].is_nan() || dw[i] <= 0.0 {
            continue;
        }
        let (mut sc, mut sd) = (0.0, 0.0);
        for j in 0..x.len() {
            let (dx, dy) = (x[j] - x[i], y[j] - y[i]);
            if dx * dx + dy * dy <= 200.0 * 200.0 {
                sc += zero(corp[j]);
                sd += zero(dw[j]);
            }
        }
        if sd < 10.0 {
            continue; // suppressed buffer share
        }
        let e = per_buurt.entry(code.clone()).or_insert((0.0, 0.0));
        e.0 += dw[i] * sc / sd;
        e.1 += dw[i];
    }
    let mut pairs = vec![];
    for (code, (a, b)) in &change {
        if let Some(&(s, w)) = per_buurt.get(code) {
            if w >= 10.0 && a.is_finite() && b.is_finite() {
                pairs.push((s / w, b - a));
            }
        }
    }
    assert_eq!(cli["locationsUsed"], pairs.len());
    for (b, row) in cli["bands"].as_array().unwrap().iter().enumerate() {
        let lo = f64::from(b as u32 * 10) / 100.0;
        let hi = if b == 8 {
            f64::INFINITY
        } else {
            f64::from((b as u32 + 1) * 10) / 100.0
        };
        let inside: Vec<f64> = pairs
            .iter()
            .filter(|p| p.0 >= lo && p.0 < hi)
            .map(|p| p.1)
            .collect();
        assert_eq!(row["locations"], inside.len(), "band {b}");
        if !inside.is_empty() {
            let mean = inside.iter().sum::<f64>() / inside.len() as f64;
            assert!(
                (row["meanChange"].as_f64().unwrap() - mean).abs() < 1e-12,
                "band {b}"
            );
        }
    }
}

/// `trend` with year B from a second layer (`--input-b`), in CSV: seeded synthetic squares
/// (generated here: no public file has two years of counts) written with `;` and decimal commas,
/// read back through the import readers, against the library on the same numbers.
#[test]
fn trend_from_two_layers_equals_library() {
    use veerkracht::analysis::band_index::GroupColumns;
    use veerkracht::analysis::trend::{trend, TrendSettings};
    let dir = std::env::temp_dir().join(format!("veerkracht-analyse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut seed = 99u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut layer = |name: &str, rate_slope: f64| {
        let (mut share, mut group, mut den) = (vec![], vec![], vec![]);
        let mut text = String::from("id;x;y;corp_pct;bijstand;inwoners\n");
        for i in 0..300 {
            let s = (next() * 1000.0).round() / 10.0; // percent with one decimal
            let d = 20.0 + (next() * 80.0).round();
            let g = (d * (0.02 + rate_slope * s / 100.0) * next() * 2.0).round();
            text.push_str(&format!(
                "{i};{};{};{};{};{}\n",
                90_000 + i * 100,
                440_000,
                format!("{s}").replace('.', ","),
                g,
                d
            ));
            share.push(s / 100.0);
            group.push(g);
            den.push(d);
        }
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        (path.to_string_lossy().into_owned(), share, group, den)
    };
    let (pa, sa, ga, da) = layer("a.csv", 0.05);
    let (pb, sb, gb, db) = layer("b.csv", 0.10);
    let (code, stdout, stderr) = veerkracht(&[
        "analyse",
        "trend",
        "--input",
        &pa,
        "--input-b",
        &pb,
        "--share-column",
        "corp_pct",
        "--group-a",
        "bijstand",
        "--denominator-a",
        "inwoners",
        "--group-b",
        "bijstand",
        "--denominator-b",
        "inwoners",
        "--format",
        "csv",
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0, "{stderr}");
    let lib = trend(
        &TrendSettings::default(),
        &GroupColumns {
            corporation_share: &sa,
            group: &ga,
            denominator: &da,
        },
        &GroupColumns {
            corporation_share: &sb,
            group: &gb,
            denominator: &db,
        },
    )
    .unwrap();
    let gap_row = stdout.lines().find(|l| l.starts_with(",gap,")).unwrap();
    let growth: f64 = gap_row.rsplit(',').next().unwrap().parse().unwrap();
    assert!(
        (growth - lib.gap.gap_growth.unwrap()).abs() < 1e-12,
        "{gap_row} vs {:?}",
        lib.gap
    );
    let band8 = stdout.lines().find(|l| l.starts_with("8,")).unwrap();
    let index_b: f64 = band8.split(',').nth(9).unwrap().parse().unwrap();
    assert!((index_b - lib.rows[8].index_b.unwrap()).abs() < 1e-9);
}
