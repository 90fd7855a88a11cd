#![cfg(not(target_arch = "wasm32"))]
//! CSV / delimited text on real and realistic files: the CBS demo squares, raw CBS codes, the
//! Dutch `;`/decimal-comma dialect, and every error the issue lists.

use veerkracht::analysis::cbs_square::parse_square_id;
use veerkracht::analysis::import::{
    detect_location, read_location_table, read_table, ImportError, ImportOptions, LocationSource,
    NumberFormat,
};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn strict() -> ImportOptions {
    ImportOptions {
        strict: true,
        ..Default::default()
    }
}

/// The demo file: 16,383 squares; locations from the x/y centre columns must equal the centres
/// computed independently from the square ids (ENGINE's `parse_square_id`).
#[test]
fn cbs_demo_squares_locate_at_their_centres() {
    let bytes = fixture("www/demo/cbs_vk100_rijnmond_2024.csv");
    let t = read_location_table("cbs_vk100_rijnmond_2024.csv", &bytes, &strict()).unwrap();
    assert_eq!(t.len(), 16_383);
    for i in 0..t.len() {
        let (cx, cy) = parse_square_id(&t.ids[i]).unwrap().centre_rd();
        assert_eq!((t.x_rd[i], t.y_rd[i]), (cx, cy), "row {i} id {}", t.ids[i]);
    }
    let w = t.column("aantal_woningen").unwrap();
    assert!(w.values.iter().all(|v| v.is_nan() || *v >= 0.0));
}

/// Raw CBS codes: `-99997` is missing, never a number.
#[test]
fn cbs_secret_codes_are_missing() {
    let bytes = fixture("tests/fixtures/cbs/grid_100m_rijnmond_raw_codes_2026-04-15.csv");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let secret_cells = text
        .lines()
        .skip(1)
        .flat_map(|l| l.split(','))
        .filter(|c| *c == "-99997" || *c == "-99995")
        .count();
    assert!(secret_cells > 0);
    let t = read_table("raw.csv", &bytes, &strict()).unwrap();
    let mut nan = 0;
    for c in &t.columns {
        if let Some(v) = &c.values {
            assert!(
                v.iter().all(|x| *x != -99997.0 && *x != -99995.0),
                "{}",
                c.name
            );
            nan += v.iter().filter(|x| x.is_nan()).count();
        }
    }
    assert!(nan >= secret_cells);
}

#[test]
fn semicolon_and_decimal_comma() {
    let csv = "id;x;y;aandeel;woningen\n1;155000;463000;12,5;1.234\n2;155100;463100;7,25;88\n";
    let t = read_table("a.csv", csv.as_bytes(), &strict()).unwrap();
    assert_eq!(t.dialect.as_ref().unwrap().delimiter, ";");
    let a = t.column("aandeel").unwrap();
    assert_eq!(a.number_format, Some(NumberFormat::DecimalComma));
    assert_eq!(a.values.as_ref().unwrap(), &vec![12.5, 7.25]);
    let w = t.column("woningen").unwrap();
    // `1.234` alone is ambiguous; the point reads as a decimal point.
    assert_eq!(w.values.as_ref().unwrap()[1], 88.0);
    let det = detect_location(&t);
    assert_eq!(
        det.mapping.unwrap().source,
        LocationSource::Rd {
            x: "x".into(),
            y: "y".into()
        }
    );
}

#[test]
fn row_number_ids_when_no_id_column() {
    let csv = "x_rd,y_rd,n\n155000,463000,1\n155100,463100,2\n";
    let t = read_location_table("b.csv", csv.as_bytes(), &strict()).unwrap();
    assert_eq!(t.ids, vec!["1", "2"]);
    assert_eq!(t.column("n").unwrap().values, vec![1.0, 2.0]);
}

#[test]
fn errors_name_file_row_column_value() {
    let e = read_table("e.csv", b"", &strict()).unwrap_err();
    assert_eq!(
        e,
        ImportError::Empty {
            file: "e.csv".into()
        }
    );
    let e = read_table("h.csv", b"x;y;n\n", &strict()).unwrap_err();
    assert_eq!(
        e,
        ImportError::HeaderOnly {
            file: "h.csv".into()
        }
    );
    let csv = "x,y,n\n155000,463000,1\n155100,463100,2\n155200,463200,3\n155300,463300,4\n155400,463400,5\n155500,463500,zes\n";
    let e = read_table("n.csv", csv.as_bytes(), &strict()).unwrap_err();
    assert_eq!(
        (e.row(), e.column(), e.value()),
        (Some(7), Some("n"), Some("zes")),
        "{e}"
    );
    assert!(
        e.to_string()
            .starts_with("n.csv, row 7, column `n`: `zes` is not a number"),
        "{e}"
    );
    let e = read_table("r.csv", b"x,y,n\n1,2,3\n1,2\n", &strict()).unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::RaggedRow {
                row: 3,
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = read_location_table(
        "d.csv",
        b"id,x,y\na,155000,463000\na,155100,463100\n",
        &strict(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ImportError::DuplicateId {
                row: 3,
                first_row: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = read_location_table("l.csv", b"a,b\n1,2\n", &strict()).unwrap_err();
    assert!(matches!(e, ImportError::NoLocation { .. }), "{e}");
}

#[test]
fn lenient_mode_skips_and_reports() {
    let csv = "x,y,n\n155000,463000,1\n155100,463100\n155200,463200,3\n155300,463300,4\n155400,463400,5\n155500,463500,zes\n";
    let t = read_table("s.csv", csv.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(t.n_rows(), 5);
    let skipped: Vec<_> = t.skipped_rows().collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].row, 3);
    let bad: Vec<_> = t.issues.iter().filter(|i| !i.skipped).collect();
    assert_eq!((bad[0].row, bad[0].value.as_str()), (7, "zes"));
    assert!(t
        .issues_csv()
        .starts_with("row;column;value;reason;skipped\n"));
}
