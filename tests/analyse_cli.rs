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
