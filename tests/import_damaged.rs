#![cfg(not(target_arch = "wasm32"))]
//! Damaged files that once broke a third-party reader, found by `tests/import_fuzz.rs` (long runs)
//! and kept in tests/fixtures/import/crashes/: each is refused with a format error naming the file.
//! - legacy `.xls` whose cells lie absurdly far apart (a column beyond 256): calamine 0.38 makes a
//!   dense grid over their bounding box (137 GB) and the process aborts, so src/analysis/import/
//!   cfb_check.rs refuses them before calamine runs;
//! - legacy `.xls` whose records are too short for what calamine reads from them (it indexes past
//!   their end and panics), and Parquet with damaged page data on which the parquet crate (60.1)
//!   panics: the panic becomes the file's format error (src/analysis/import/reader_fault.rs;
//!   natively — in the browser the worker reports the trap and restarts, see www/worker.js).

use veerkracht::analysis::import::{cfb_check, read_table, FileFormat, ImportError, ImportOptions};

fn crash(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/crashes/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn impossible_sheet_dimensions_are_refused_before_calamine_reads_them() {
    for name in ["xls-oom-parse_workbook.bin", "xls-oom-2.bin"] {
        let data = crash(name);
        let reason = cfb_check::check(&data).expect_err(name);
        assert!(reason.contains("damaged"), "{name}: {reason}");
        // The reader says so too, naming the file (and does not abort).
        let opts = ImportOptions::default();
        match read_table("kapot.xls", &data, &opts) {
            Err(e @ ImportError::Format { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("kapot.xls") && msg.contains("damaged"),
                    "{msg}"
                );
            }
            other => panic!("{name}: expected a format error, got {other:?}"),
        }
    }
}

/// Every crash input whose name starts with `prefix` (at least `at_least` of them) is refused as
/// a damaged file of `format`, with a format error naming the file.
fn each_crash_input_is_refused(prefix: &str, format: FileFormat, file: &str, at_least: usize) {
    let dir = format!(
        "{}/tests/fixtures/import/crashes",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with(prefix) || name.contains("pending") {
            continue;
        }
        seen += 1;
        let data = std::fs::read(entry.path()).unwrap();
        let opts = ImportOptions {
            format: Some(format),
            ..Default::default()
        };
        match read_table(file, &data, &opts) {
            Err(e @ ImportError::Format { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(file) && msg.contains("damaged"),
                    "{name}: {msg}"
                );
            }
            Err(e) => panic!("{name}: expected a format error, got {e}"),
            Ok(_) => panic!("{name}: a damaged file was read"),
        }
    }
    assert!(
        seen >= at_least,
        "crash inputs {prefix}* are missing ({seen} found in {dir})"
    );
}

#[test]
fn parquet_pages_the_reader_panics_on_are_a_format_error() {
    each_crash_input_is_refused("parquet-", FileFormat::Parquet, "kapot.parquet", 13);
}

#[test]
fn every_xls_crash_input_is_a_format_error_naming_the_file() {
    each_crash_input_is_refused("xls-", FileFormat::Xls, "kapot.xls", 13);
}
