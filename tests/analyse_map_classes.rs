#![cfg(not(target_arch = "wasm32"))]
//! `veerkracht analyse change|bivariate|typology --count-column …` end to end on a small table
//! whose classes are worked out by hand below (per-location suppression: a count below k, or a
//! missing count, gives no class — 254 in JSON, empty cells in CSV, values not printed).

use std::process::Command;

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

/// id, a, b, n (count), s (a share): six areas, the last with 4 dwellings (suppressed at k = 10)
/// and one with no count at all (suppressed too).
const TABLE: &str = "id,a,b,n,s\n\
A1,1.0,1.5,100,40\n\
A2,2.0,1.9,100,20\n\
A3,3.0,3.05,100,50\n\
A4,4.0,3.0,100,10\n\
A5,5.0,6.0,,60\n\
A6,6.0,9.0,4,70\n";

fn table() -> String {
    let dir = std::env::temp_dir().join(format!("veerkracht-map-classes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("areas.csv");
    std::fs::write(&p, TABLE).unwrap();
    p.to_string_lossy().into_owned()
}

fn classes(json: &str, key: &str) -> Vec<u64> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect()
}

#[test]
fn change_with_edges_and_counts() {
    let t = table();
    // Changes A1..A4: +0.5, −0.1, +0.05, −1.0; edges 0.08, 0.6 → classes (middle 2):
    // +0.5 → 3, −0.1 → 1, +0.05 → 2, −1.0 → 0; A5 (no count) and A6 (4 < 10) → 254.
    let (code, out, err) = veerkracht(&[
        "analyse",
        "change",
        "--input",
        &t,
        "--value-a",
        "a",
        "--value-b",
        "b",
        "--edges",
        "0.08,0.6",
        "--count-column",
        "n",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(classes(&out, "classes"), vec![3, 1, 2, 0, 254, 254]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["locationsSuppressed"], 2);
    assert_eq!(v["change"][5], serde_json::Value::Null);
    // CSV: the suppressed rows carry neither values nor a class.
    let (_, csv, _) = veerkracht(&[
        "analyse",
        "change",
        "--input",
        &t,
        "--value-a",
        "a",
        "--value-b",
        "b",
        "--edges",
        "0.08,0.6",
        "--count-column",
        "n",
        "--format",
        "csv",
    ]);
    assert!(csv.lines().any(|l| l == "A6,,,,"), "{csv}");
    // k = 3 lets A6 (4 dwellings) through: +3 ≥ 0.6 → 4.
    let (_, out, _) = veerkracht(&[
        "analyse",
        "change",
        "--input",
        &t,
        "--value-a",
        "a",
        "--value-b",
        "b",
        "--edges",
        "0.08,0.6",
        "--count-column",
        "n",
        "--suppress-below",
        "3",
    ]);
    assert_eq!(classes(&out, "classes")[5], 4);
}

#[test]
fn bivariate_and_typology_with_counts() {
    let t = table();
    // Bivariate, user breaks: level [2, 4) mid; change [0, 0.2) mid.
    // A1: level 1 low, +0.5 high → 2; A2: 2 mid, −0.1 low → 3; A3: 3 mid, +0.05 mid → 4;
    // A4: 4 high, −1 low → 6; A5, A6 suppressed.
    let (code, out, err) = veerkracht(&[
        "analyse",
        "bivariate",
        "--input",
        &t,
        "--level-a",
        "a",
        "--level-b",
        "b",
        "--level-breaks",
        "2,4",
        "--change-breaks",
        "0,0.2",
        "--count-column",
        "n",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(classes(&out, "classes"), vec![2, 3, 4, 6, 254, 254]);
    // Typology: s ≥ quantile 0.5 → rule 0. Over the unsuppressed s = 40, 20, 50, 10 the median
    // is 30 → A1, A3; with all six (… 60, 70) it would be 45 → only A3 of the first four.
    let dir = std::path::Path::new(&t).parent().unwrap().to_path_buf();
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"rules":[{"class":"red","when":[{"column":"s","op":">=","threshold":{"quantile":0.5}}]}]}"#,
    )
    .unwrap();
    let (code, out, err) = veerkracht(&[
        "analyse",
        "typology",
        "--input",
        &t,
        "--settings",
        rules.to_str().unwrap(),
        "--count-column",
        "n",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(classes(&out, "rule"), vec![0, 255, 0, 255, 254, 254]);
    let (_, out, _) = veerkracht(&[
        "analyse",
        "typology",
        "--input",
        &t,
        "--settings",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(classes(&out, "rule"), vec![255, 255, 0, 255, 0, 0]);
}
