#![cfg(not(target_arch = "wasm32"))]
//! Load time of a 1 M-row, ~60 MB CSV (issue 3: < 5 s in Chromium). Not a timed test: run
//!
//! ```text
//! cargo test --release --test import_perf -- --ignored --nocapture
//! ```
//!
//! and it prints the native figures (streamed in 1 MiB chunks, as the worker does, and in one
//! piece). The data are seeded synthetic CBS-like squares: id, x, y, six count/share columns.

use std::time::Instant;
use veerkracht::analysis::import::location::{detect_location, locate};
use veerkracht::analysis::import::{ImportOptions, Importer};

/// A deterministic ~60 MB CSV with `rows` rows.
pub fn synthetic_csv(rows: usize) -> Vec<u8> {
    let mut s = String::with_capacity(rows * 64);
    s.push_str("crs28992res100m,x_rd,y_rd,aantal_woningen,aantal_corporatie,aantal_inwoners,uitkering,aandeel,woz\n");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    use std::fmt::Write;
    for i in 0..rows {
        let e = 100 + (i % 1500) as u64;
        let n = 3000 + (i / 1500) as u64;
        let r = next();
        let _ = writeln!(
            s,
            "E{e:04}N{n:04},{}.0,{}.0,{},{},{},{},{:.4},{}",
            e * 100 + 50,
            n * 100 + 50,
            r % 400,
            (r >> 9) % 200,
            (r >> 17) % 900,
            if r % 7 == 0 {
                "-99997".to_string()
            } else {
                ((r >> 23) % 50).to_string()
            },
            ((r >> 29) % 10_000) as f64 / 10_000.0,
            100_000 + (r >> 33) % 900_000
        );
    }
    s.into_bytes()
}

/// CPU time of this thread in seconds (Linux `schedstat`), so a busy shared machine does not
/// inflate the figure; wall time is printed as well.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |ns| ns / 1e9)
}

#[test]
#[ignore]
fn one_million_rows() {
    let csv = synthetic_csv(1_000_000);
    println!(
        "input: {} rows, {:.1} MB",
        1_000_000,
        csv.len() as f64 / 1e6
    );
    for chunk in [1usize << 20, csv.len()] {
        let c0 = cpu_s();
        let t0 = Instant::now();
        let mut imp = Importer::new("big.csv", Some(csv.len()), ImportOptions::default()).unwrap();
        for c in csv.chunks(chunk) {
            imp.push(c).unwrap();
        }
        let c1 = cpu_s();
        let table = imp.finish().unwrap();
        let c2 = cpu_s();
        let det = detect_location(&table);
        let (lt, _) = locate(&table, &det.mapping.unwrap(), None, false).unwrap();
        let t3 = Instant::now();
        let c3 = cpu_s();
        assert_eq!(lt.len(), 1_000_000);
        println!(
            "{{\"case\":\"import_csv\",\"engine\":\"native\",\"rows\":1000000,\"bytes\":{},\"chunk\":{},\"cpu_parse_s\":{:.3},\"cpu_columns_s\":{:.3},\"cpu_locate_s\":{:.3},\"cpu_seconds\":{:.3},\"wall_seconds\":{:.3}}}",
            csv.len(),
            chunk,
            c1 - c0,
            c2 - c1,
            c3 - c2,
            c3 - c0,
            (t3 - t0).as_secs_f64()
        );
    }
}
