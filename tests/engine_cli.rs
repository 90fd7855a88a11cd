#![cfg(not(target_arch = "wasm32"))]
//! `veerkracht score` end to end on the real Rijnmond CBS squares, against an independent
//! calculation: the CSV parsed here with the `csv` crate and an O(N²) brute force written here
//! (not the engine's), using the x_rd_center / y_rd_center the data scout computed.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_veerkracht");

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("veerkracht-engine-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

struct Squares {
    ids: Vec<String>,
    x: Vec<f64>,
    y: Vec<f64>,
    cols: Vec<Vec<f64>>,
}

/// Reads the CSV; empty cells and the CBS codes -99997 / -99995 are missing (NaN).
fn read(path: &PathBuf, names: &[&str]) -> Squares {
    let mut rd = csv::Reader::from_path(path).unwrap();
    let h = rd.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (iid, ix, iy) = (at("crs28992res100m"), at("x_rd_center"), at("y_rd_center"));
    let icols: Vec<usize> = names.iter().map(|n| at(n)).collect();
    let mut s = Squares {
        ids: vec![],
        x: vec![],
        y: vec![],
        cols: vec![vec![]; names.len()],
    };
    for rec in rd.records() {
        let rec = rec.unwrap();
        s.ids.push(rec[iid].to_string());
        s.x.push(rec[ix].parse().unwrap());
        s.y.push(rec[iy].parse().unwrap());
        for (k, &i) in icols.iter().enumerate() {
            let v: f64 = rec[i].parse().unwrap_or(f64::NAN);
            s.cols[k].push(if v == -99_997.0 || v == -99_995.0 {
                f64::NAN
            } else {
                v
            });
        }
    }
    s
}

/// Σ over j within r of i, per column; `leave_out`: rows with any missing value take no part.
fn brute(s: &Squares, r: f64, leave_out: bool) -> Vec<Vec<f64>> {
    let n = s.x.len();
    let ok: Vec<bool> = (0..n)
        .map(|i| !leave_out || s.cols.iter().all(|c| !c[i].is_nan()))
        .collect();
    let mut out = vec![vec![f64::NAN; n]; s.cols.len()];
    for i in (0..n).filter(|&i| ok[i]) {
        let mut sums = vec![0.0; s.cols.len()];
        for j in (0..n).filter(|&j| ok[j]) {
            let (dx, dy) = (s.x[i] - s.x[j], s.y[i] - s.y[j]);
            if dx * dx + dy * dy <= r * r {
                for (k, c) in s.cols.iter().enumerate() {
                    if !c[j].is_nan() {
                        sums[k] += c[j];
                    }
                }
            }
        }
        for k in 0..s.cols.len() {
            out[k][i] = sums[k];
        }
    }
    out
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(BIN).arg("score").args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn cell(v: &str) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.parse().unwrap()
    }
}

fn check(input: &PathBuf, r: f64, suppress_below: f64, leave_out: bool) {
    let w = "aantal_woningen";
    let a = "aantal_huurwoningen_in_bezit_woningcorporaties";
    let b = "aantal_personen_met_uitkering_onder_aowlft";
    let out = tmp(&format!("out-{r}-{leave_out}.csv"));
    let (r_s, k_s) = (r.to_string(), suppress_below.to_string());
    let mut args = vec![
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--radius-m",
        &r_s,
        "--denominator",
        w,
        "--numerator",
        a,
        "--numerator",
        b,
        "--suppress-below",
        &k_s,
    ];
    if leave_out {
        args.extend(["--missing", "leave-out"]);
    }
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let s = read(input, &[w, a, b]);
    let want = brute(&s, r, leave_out);
    let mut rd = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        vec![
            "id".to_string(),
            format!("{w}_sum"),
            format!("{a}_sum"),
            format!("{a}_share"),
            format!("{b}_sum"),
            format!("{b}_share"),
        ]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), s.ids.len(), "one output row per input row");
    let mut shares_shown = 0;
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(&row[0], s.ids[i], "row {i}: id in input order");
        let den = want[0][i];
        let got_den = cell(&row[1]);
        assert_eq!(
            got_den.to_bits(),
            den.to_bits(),
            "row {i} {}: {w}_sum",
            s.ids[i]
        );
        for (k, (sum_col, share_col)) in [(2, 3), (4, 5)].into_iter().enumerate() {
            let num = want[k + 1][i];
            assert_eq!(
                cell(&row[sum_col]).to_bits(),
                num.to_bits(),
                "row {i}: sum {k}"
            );
            let share = if den > 0.0 && den >= suppress_below {
                num / den
            } else {
                f64::NAN
            };
            assert_eq!(
                cell(&row[share_col]).to_bits(),
                share.to_bits(),
                "row {i}: share {k}"
            );
            shares_shown += usize::from(!share.is_nan());
        }
    }
    assert!(
        shares_shown > rows.len() / 4,
        "many squares have shares ({shares_shown})"
    );
}

#[test]
fn rijnmond_squares_match_an_independent_brute_force() {
    check(
        &fixture("www/demo/cbs_vk100_rijnmond_2024.csv"),
        200.0,
        10.0,
        false,
    );
}

#[test]
fn raw_cbs_codes_are_missing_and_leave_out_works() {
    // The older export keeps -99997 for secret values: they must be missing, never -99997.
    let raw = fixture("tests/fixtures/cbs/grid_100m_rijnmond_raw_codes_2026-04-15.csv");
    check(&raw, 300.0, 0.0, true);
    check(&raw, 150.0, 10.0, false);
}

#[test]
fn bad_input_names_file_row_and_column_with_exit_code_2() {
    let demo = fixture("www/demo/cbs_vk100_rijnmond_2024.csv");
    let out = tmp("bad.csv");
    let base = |input: &str, num: &str| -> (i32, String) {
        let (code, _, err) = run(&[
            "--input",
            input,
            "--output",
            out.to_str().unwrap(),
            "--radius-m",
            "200",
            "--denominator",
            "aantal_woningen",
            "--numerator",
            num,
        ]);
        (code, err)
    };
    let (code, err) = base(demo.to_str().unwrap(), "no_such_column");
    assert_eq!(code, 2);
    assert!(
        err.contains("no_such_column") && err.contains("cbs_vk100"),
        "{err}"
    );

    let text = tmp("text.csv");
    std::fs::write(
        &text,
        "x,y,aantal_woningen,a\n90000,440000,5,1\n90100,440000,abc,2\n",
    )
    .unwrap();
    let (code, err) = base(text.to_str().unwrap(), "a");
    assert_eq!(code, 2);
    assert!(
        err.contains("abc") && err.contains("aantal_woningen") && err.contains("row"),
        "{err}"
    );

    let nolocation = tmp("noloc.csv");
    std::fs::write(&nolocation, "naam,aantal_woningen,a\np,5,1\nq,7,2\n").unwrap();
    let (code, err) = base(nolocation.to_str().unwrap(), "a");
    assert_eq!(code, 2);
    assert!(err.contains("location"), "{err}");

    let (code, _, err) = run(&["--input", "x.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("required"), "{err}");
}
