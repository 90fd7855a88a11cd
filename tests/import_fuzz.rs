#![cfg(not(target_arch = "wasm32"))]
//! Fuzzing the readers: no input may make them panic (a panic traps the wasm instance).
//!
//! - A short proptest run in the normal suite: arbitrary bytes and mutated real files, per format,
//!   through `read_table`, location detection and `locate`, and the streaming importer with random
//!   chunk sizes. More cases: `PROPTEST_CASES=5000 cargo test --release --test import_fuzz`.
//! - A long, time-boxed run (ignored by default), per format:
//!   ```text
//!   IMPORT_FUZZ_SECONDS=600 IMPORT_FUZZ_FORMATS=csv,xlsx,xls,ods,geojson,parquet \
//!     cargo test --release --test import_fuzz -- --ignored --nocapture fuzz_for_a_while
//!   ```
//!   Inputs that panic are written to `tests/fixtures/import/crashes/` and the test fails;
//!   `crashes_stay_fixed` below replays every file there (the regression tests).

use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use veerkracht::analysis::import::location::{detect_location, locate};
use veerkracht::analysis::import::{read_table, FileFormat, ImportOptions, Importer};

/// The long run refuses any single allocation above this (default: no limit), so a reader that
/// grows without bound stops (an abort; the input is then in `crashes/<format>-pending.bin`)
/// instead of taking the machine's memory.
static ALLOC_LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

struct Limited;
// SAFETY: forwards to the system allocator; refusing (null) is allowed by the GlobalAlloc contract.
unsafe impl GlobalAlloc for Limited {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if l.size() > ALLOC_LIMIT.load(Relaxed) {
            return std::ptr::null_mut();
        }
        System.alloc(l)
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if l.size() > ALLOC_LIMIT.load(Relaxed) {
            return std::ptr::null_mut();
        }
        System.alloc_zeroed(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        if new_size > ALLOC_LIMIT.load(Relaxed) {
            return std::ptr::null_mut();
        }
        System.realloc(p, l, new_size)
    }
}

#[global_allocator]
static GLOBAL: Limited = Limited;

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// (name, format, seed file) per reader.
fn seeds() -> Vec<(&'static str, FileFormat, Vec<u8>)> {
    let mut csv = bytes("tests/fixtures/import/woningen_1252.csv");
    csv.truncate(4000);
    vec![
        ("csv", FileFormat::Delimited, csv),
        (
            "csv-utf16",
            FileFormat::Delimited,
            bytes("tests/fixtures/import/woningen_unicode_tab.txt"),
        ),
        (
            "csv-bom",
            FileFormat::Delimited,
            bytes("tests/fixtures/breda/nuisance.csv"),
        ),
        (
            "xlsx",
            FileFormat::Xlsx,
            bytes("tests/fixtures/import/woningen.xlsx"),
        ),
        (
            "xls",
            FileFormat::Xls,
            bytes("tests/fixtures/import/woningen.xls"),
        ),
        (
            "ods",
            FileFormat::Ods,
            bytes("tests/fixtures/import/woningen.ods"),
        ),
        (
            "geojson",
            FileFormat::GeoJson,
            bytes("tests/fixtures/import/overlast_meldingen.geojson"),
        ),
        (
            "parquet",
            FileFormat::Parquet,
            bytes("tests/fixtures/cbs/buurt_2024_stats.parquet"),
        ),
    ]
}

/// Everything a file goes through in the app: read, detect, locate (lenient and strict).
fn exercise(format: FileFormat, data: &[u8], chunk: usize) {
    let opts = ImportOptions {
        format: Some(format),
        ..Default::default()
    };
    if let Ok(t) = read_table("fuzz", data, &opts) {
        let det = detect_location(&t);
        for m in det.mapping.iter().chain(det.suggested_fix.iter()) {
            let _ = locate(&t, m, None, false);
            let _ = locate(&t, m, None, true);
        }
        let _ = t.issues_csv();
    }
    if format == FileFormat::Delimited {
        let mut imp = Importer::new("fuzz.csv", None, opts).unwrap();
        for c in data.chunks(chunk.max(1)) {
            if imp.push(c).is_err() {
                return;
            }
        }
        let _ = imp.finish();
    }
}

/// A simple deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Mutates a seed: byte flips, interesting bytes, deletions, duplications, truncation.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut d = seed.to_vec();
    let n = 1 + rng.below(8);
    const INTERESTING: [u8; 12] = [
        0, b'"', b';', b',', b'\n', b'\r', b'\t', 0xff, 0x80, 0xc3, b'-', b'9',
    ];
    for _ in 0..n {
        if d.is_empty() {
            d.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(d.len());
        match rng.below(7) {
            0 => d[at] ^= 1 << rng.below(8),
            1 => d[at] = INTERESTING[rng.below(INTERESTING.len())],
            2 => d[at] = rng.next() as u8,
            3 => {
                let len = rng.below(64).min(d.len() - at);
                d.drain(at..at + len);
            }
            4 => {
                let len = rng.below(64).min(d.len() - at);
                let piece: Vec<u8> = d[at..at + len].to_vec();
                let to = rng.below(d.len());
                d.splice(to..to, piece);
            }
            5 => d.truncate(at),
            _ => {
                // Overwrite 4 bytes with a big or small little-endian integer (sizes in headers).
                let v: u32 = if rng.below(2) == 0 {
                    u32::MAX - rng.below(16) as u32
                } else {
                    rng.below(256) as u32
                };
                for (k, b) in v.to_le_bytes().iter().enumerate() {
                    if at + k < d.len() {
                        d[at + k] = *b;
                    }
                }
            }
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn csv_never_panics_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..70) {
        exercise(FileFormat::Delimited, &data, chunk);
    }

    #[test]
    fn csv_never_panics_on_csv_like_text(
        cells in proptest::collection::vec("[0-9a-zA-Z ,.;\"\\-\n]{0,12}", 0..60),
        chunk in 1usize..50,
    ) {
        let data = cells.join(";");
        exercise(FileFormat::Delimited, data.as_bytes(), chunk);
    }

    #[test]
    fn mutated_real_files_never_panic(which in 0usize..8, seed in any::<u64>(), chunk in 1usize..5000) {
        let s = seeds();
        let (_, format, base) = &s[which % s.len()];
        let mut rng = Rng(seed | 1);
        let data = mutate(base, &mut rng);
        exercise(*format, &data, chunk);
    }
}

fn crash_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/crashes")
}

fn format_of_crash(name: &str) -> Option<FileFormat> {
    let kind = name.split('-').next()?;
    Some(match kind {
        "csv" => FileFormat::Delimited,
        "xlsx" => FileFormat::Xlsx,
        "xls" => FileFormat::Xls,
        "ods" => FileFormat::Ods,
        "geojson" => FileFormat::GeoJson,
        "parquet" => FileFormat::Parquet,
        _ => return None,
    })
}

/// Every input that once panicked is replayed here (regression tests).
#[test]
fn crashes_stay_fixed() {
    let Ok(dir) = std::fs::read_dir(crash_dir()) else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.contains("pending") {
            continue; // the input a long run is working on right now
        }
        let Some(format) = format_of_crash(&name) else {
            continue;
        };
        let data = std::fs::read(entry.path()).unwrap();
        let r = catch_unwind(AssertUnwindSafe(|| exercise(format, &data, 4096)));
        assert!(r.is_ok(), "crash input {name} panics again");
    }
}

#[test]
#[ignore]
fn fuzz_for_a_while() {
    let seconds: u64 = std::env::var("IMPORT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let wanted = std::env::var("IMPORT_FUZZ_FORMATS")
        .unwrap_or_else(|_| "csv,xlsx,xls,ods,geojson,parquet".into());
    let seed0: u64 = std::env::var("IMPORT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED);
    let limit_mb: usize = std::env::var("IMPORT_FUZZ_MAX_ALLOC_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    ALLOC_LIMIT.store(limit_mb << 20, Relaxed);
    std::panic::set_hook(Box::new(|_| {})); // quiet; panics are counted and saved
    let mut failures = 0;
    for kind in wanted.split(',') {
        let group: Vec<(&str, FileFormat, Vec<u8>)> = seeds()
            .into_iter()
            .filter(|(n, _, _)| n.split('-').next() == Some(kind))
            .collect();
        if group.is_empty() {
            continue;
        }
        let mut rng = Rng(seed0 ^ (kind.len() as u64 * 0x9E37_79B9));
        let start = std::time::Instant::now();
        let mut cases = 0u64;
        let mut crashes = 0u64;
        while start.elapsed().as_secs() < seconds {
            let (_, format, base) = &group[rng.below(group.len())];
            let data = if rng.below(50) == 0 {
                (0..rng.below(2000)).map(|_| rng.next() as u8).collect()
            } else {
                mutate(base, &mut rng)
            };
            let chunk = 1 + rng.below(8192);
            let _ = std::fs::create_dir_all(crash_dir());
            let pending = crash_dir().join(format!("{kind}-pending.bin"));
            let _ = std::fs::write(&pending, &data);
            let r = catch_unwind(AssertUnwindSafe(|| exercise(*format, &data, chunk)));
            cases += 1;
            if r.is_err() {
                crashes += 1;
                failures += 1;
                let _ = std::fs::create_dir_all(crash_dir());
                let name = format!("{kind}-{:016x}.bin", rng.next());
                let _ = std::fs::write(crash_dir().join(&name), &data);
                eprintln!("{kind}: crash saved as {name}");
            }
        }
        let _ = std::fs::remove_file(crash_dir().join(format!("{kind}-pending.bin")));
        println!(
            "{{\"case\":\"fuzz\",\"format\":\"{kind}\",\"seconds\":{},\"inputs\":{cases},\"crashes\":{crashes}}}",
            start.elapsed().as_secs()
        );
    }
    let _ = std::panic::take_hook();
    ALLOC_LIMIT.store(usize::MAX, Relaxed);
    assert_eq!(
        failures, 0,
        "crashing inputs saved in tests/fixtures/import/crashes/"
    );
}
