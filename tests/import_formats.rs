#![cfg(not(target_arch = "wasm32"))]
//! Every format and dialect of issue 3 on a real or realistic file. The expected values of the
//! generated fixtures come from `tests/fixtures/import/woningen_expected.json`, written by the
//! same script (`make_fixtures.py`) from the values before they were formatted — not by our readers.

use serde_json::Value;
use veerkracht::analysis::area_join::AreaLayer;
use veerkracht::analysis::cbs_square::parse_square_id;
use veerkracht::analysis::import::location::locate;
use veerkracht::analysis::import::{
    detect_location, read_location_table, read_table, FileFormat, ImportOptions, ImportedTable,
    Importer, LocationMapping, LocationSource, NumberFormat,
};
use veerkracht::analysis::rd::wgs84_to_rd;

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn expected() -> Vec<Value> {
    serde_json::from_slice::<Value>(&bytes("tests/fixtures/import/woningen_expected.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn strict() -> ImportOptions {
    ImportOptions {
        strict: true,
        ..Default::default()
    }
}

fn num(t: &ImportedTable, col: &str) -> Vec<f64> {
    t.column(col)
        .unwrap_or_else(|| panic!("no column {col}"))
        .values
        .clone()
        .unwrap_or_else(|| panic!("{col} not numeric"))
}

fn text(t: &ImportedTable, col: &str) -> Vec<String> {
    let c = t.column(col).unwrap();
    (0..t.n_rows()).map(|i| c.cell_text(i)).collect()
}

/// Checks a dwellings table against the generator's values.
fn check_dwellings(t: &ImportedTable, rows: usize) {
    let exp = expected();
    assert_eq!(t.n_rows(), rows);
    let x = num(t, "x_rd");
    let huur = num(t, "netto_huur");
    let woz = num(t, "woz_waarde");
    let opp = num(t, "oppervlakte_m2");
    let straat = text(t, "straat");
    for i in 0..rows {
        let e = &exp[i];
        assert_eq!(x[i], e["x_rd"].as_f64().unwrap(), "x_rd row {i}");
        assert_eq!(
            huur[i],
            e["netto_huur"].as_f64().unwrap(),
            "netto_huur row {i}"
        );
        assert_eq!(
            woz[i],
            e["woz_waarde"].as_f64().unwrap(),
            "woz_waarde row {i}"
        );
        assert_eq!(opp[i], e["oppervlakte_m2"].as_f64().unwrap(), "opp row {i}");
        assert_eq!(straat[i], e["straat"].as_str().unwrap(), "straat row {i}");
    }
}

#[test]
fn windows_1252_semicolon_decimal_comma_csv() {
    let t = read_table(
        "woningen_1252.csv",
        &bytes("tests/fixtures/import/woningen_1252.csv"),
        &strict(),
    )
    .unwrap();
    let d = t.dialect.as_ref().unwrap();
    assert_eq!(
        (d.delimiter.as_str(), d.encoding.as_str()),
        (";", "Windows-1252")
    );
    check_dwellings(&t, 40);
    // é, ë, ’ and ß survive; the quoted note with `;` and a newline is one cell.
    let straat = text(&t, "straat");
    assert!(straat.contains(&"Laan van Nieuw Oost-Indië".to_string()));
    assert!(straat.contains(&"Rue d’Orléans".to_string()));
    assert!(straat.contains(&"Straße der Einheit".to_string()));
    assert_eq!(
        text(&t, "opmerking")[4],
        "Let op; lift buiten gebruik\nzie melding"
    );
    assert_eq!(
        t.column("netto_huur").unwrap().number_format,
        Some(NumberFormat::DecimalComma)
    );
    // `416.000` alone is ambiguous; in a decimal-comma file it is 416 000.
    assert_eq!(
        t.column("woz_waarde").unwrap().number_format,
        Some(NumberFormat::DecimalComma)
    );
    // Postcodes stay text; ids come from… no `id` column → row numbers; x/y detected.
    let lt = read_location_table(
        "woningen_1252.csv",
        &bytes("tests/fixtures/import/woningen_1252.csv"),
        &strict(),
    )
    .unwrap();
    assert_eq!(lt.len(), 40);
    assert_eq!(lt.x_rd[0], expected()[0]["x_rd"].as_f64().unwrap());
}

#[test]
fn xlsx_with_sheet_choice() {
    let b = bytes("tests/fixtures/import/woningen.xlsx");
    let t = read_table("woningen.xlsx", &b, &strict()).unwrap();
    assert_eq!(t.format, FileFormat::Xlsx);
    assert_eq!(t.sheet_names, vec!["Woningen", "Overlast 2024"]);
    assert_eq!(t.sheet.as_deref(), Some("Woningen"));
    // Row 3 of the sheet holds the rent typed as text "612,45": read as 612.45.
    let huur = num(&t, "netto_huur");
    assert_eq!(huur[1], 612.45);
    let opts = ImportOptions {
        sheet: Some("Overlast 2024".into()),
        ..strict()
    };
    let t2 = read_table("woningen.xlsx", &b, &opts).unwrap();
    assert_eq!(t2.n_rows(), 12);
    let det = detect_location(&t2);
    assert_eq!(
        det.mapping.unwrap().source,
        LocationSource::LatLon {
            lat: "lat".into(),
            lon: "lon".into()
        }
    );
    let bad = ImportOptions {
        sheet: Some("Blad1".into()),
        ..strict()
    };
    let e = read_table("woningen.xlsx", &b, &bad).unwrap_err();
    assert!(
        e.to_string().contains("Blad1") && e.to_string().contains("Overlast 2024"),
        "{e}"
    );
}

#[test]
fn xlsx_values_match_generator() {
    let t = read_table(
        "woningen.xlsx",
        &bytes("tests/fixtures/import/woningen.xlsx"),
        &strict(),
    )
    .unwrap();
    let exp = expected();
    let x = num(&t, "x_rd");
    let s = text(&t, "straat");
    for i in 0..40 {
        assert_eq!(x[i], exp[i]["x_rd"].as_f64().unwrap());
        assert_eq!(s[i], exp[i]["straat"].as_str().unwrap());
    }
    assert_eq!(t.row_numbers[0], 2);
}

#[test]
fn xls_and_ods() {
    for (name, format) in [
        ("woningen.xls", FileFormat::Xls),
        ("woningen.ods", FileFormat::Ods),
    ] {
        let t = read_table(
            name,
            &bytes(&format!("tests/fixtures/import/{name}")),
            &strict(),
        )
        .unwrap();
        assert_eq!(t.format, format);
        check_dwellings(&t, 40);
    }
}

#[test]
fn utf16_tab_export() {
    let t = read_table(
        "w.txt",
        &bytes("tests/fixtures/import/woningen_unicode_tab.txt"),
        &strict(),
    )
    .unwrap();
    let d = t.dialect.as_ref().unwrap();
    assert_eq!(
        (d.delimiter.as_str(), d.encoding.as_str()),
        ("\t", "UTF-16LE")
    );
    let exp = expected();
    let x = num(&t, "x_rd");
    let s = text(&t, "straat");
    for i in 0..15 {
        assert_eq!(x[i], exp[i]["x_rd"].as_f64().unwrap());
        assert_eq!(s[i], exp[i]["straat"].as_str().unwrap());
    }
}

#[test]
fn pipe_separated_lat_lon_converted_to_rd() {
    let b = bytes("tests/fixtures/import/adressen_latlon_pipe.csv");
    let t = read_table("a.csv", &b, &strict()).unwrap();
    assert_eq!(t.dialect.as_ref().unwrap().delimiter, "|");
    let lt = read_location_table("a.csv", &b, &strict()).unwrap();
    let lat = num(&t, "lat");
    let lon = num(&t, "lon");
    for i in 0..lt.len() {
        assert_eq!((lt.x_rd[i], lt.y_rd[i]), wgs84_to_rd(lat[i], lon[i]));
        // Rotterdam: RD x ≈ 92 km, y ≈ 437 km.
        assert!(
            (80_000.0..100_000.0).contains(&lt.x_rd[i])
                && (430_000.0..445_000.0).contains(&lt.y_rd[i])
        );
    }
}

#[test]
fn geojson_points_are_locations() {
    let b = bytes("tests/fixtures/import/overlast_meldingen.geojson");
    let t = read_table("overlast_meldingen.geojson", &b, &strict()).unwrap();
    assert_eq!(t.format, FileFormat::GeoJson);
    assert_eq!(t.n_rows(), 25);
    let doc: Value = serde_json::from_slice(&b).unwrap();
    let lt = read_location_table("overlast_meldingen.geojson", &b, &strict()).unwrap();
    for (i, f) in doc["features"].as_array().unwrap().iter().enumerate() {
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let (x, y) = wgs84_to_rd(c[1].as_f64().unwrap(), c[0].as_f64().unwrap());
        assert_eq!((lt.x_rd[i], lt.y_rd[i]), (x, y));
    }
    assert_eq!(lt.column("aantal").unwrap().values.len(), 25);
    assert_eq!(text(&t, "soort")[2], "verward persoon");
}

/// KWB buurt statistics (area codes) joined to the buurt polygons: every buurt code of the KWB
/// file that has a polygon gets its centroid; a point inside a polygon finds that buurt.
#[test]
fn area_codes_join_to_polygon_layer() {
    let poly = read_table(
        "cbs_buurt_2024_rijnmond.geojson",
        &bytes("www/demo/cbs_buurt_2024_rijnmond.geojson"),
        &strict(),
    )
    .unwrap();
    let layer = AreaLayer::from_table("buurten 2024", &poly, "buurtcode").unwrap();
    assert!(layer.len() > 500);
    let kwb = read_table(
        "kwb.csv",
        &bytes("www/demo/cbs_kwb_buurt_2024_rijnmond.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    let det = detect_location(&kwb);
    let mapping = det.mapping.unwrap();
    assert_eq!(
        mapping.source,
        LocationSource::AreaCode {
            column: "buurtcode".into()
        }
    );
    let (lt, issues) = locate(&kwb, &mapping, Some(&layer), false).unwrap();
    assert!(lt.len() + issues.iter().filter(|i| i.skipped).count() == kwb.n_rows());
    assert!(
        lt.len() as f64 >= 0.95 * kwb.n_rows() as f64,
        "{} of {}",
        lt.len(),
        kwb.n_rows()
    );
    // Each centroid lies in its own polygon for most buurten (concave ones may not): check the
    // join the other way round, point → area, with the polygon's own code.
    let mut same = 0;
    for i in 0..lt.len() {
        if let Some(a) = layer.area_of_point(lt.x_rd[i], lt.y_rd[i]) {
            if layer.codes[a] == lt.ids[i] {
                same += 1;
            }
        }
    }
    assert!(
        same as f64 >= 0.9 * lt.len() as f64,
        "{same} of {}",
        lt.len()
    );
    // Without a layer: a clear message.
    let e = read_location_table(
        "kwb.csv",
        &bytes("www/demo/cbs_kwb_buurt_2024_rijnmond.csv"),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("area layer"), "{e}");
}

#[test]
fn cbs_parquet_matches_the_csv() {
    let pq = read_table(
        "grid.parquet",
        &bytes("tests/fixtures/cbs/grid_100m_rijnmond_raw_codes.parquet"),
        &strict(),
    )
    .unwrap();
    let csv = read_table(
        "grid.csv",
        &bytes("tests/fixtures/cbs/grid_100m_rijnmond_raw_codes_2026-04-15.csv"),
        &strict(),
    )
    .unwrap();
    assert_eq!(pq.format, FileFormat::Parquet);
    assert_eq!(pq.n_rows(), csv.n_rows());
    for c in &csv.columns {
        // The CSV adds x_rd_center / y_rd_center (see its SOURCE); every other column is compared.
        let Some(p) = pq.column(&c.name) else {
            assert!(c.name.ends_with("_rd_center"), "parquet lacks {}", c.name);
            continue;
        };
        match (&c.values, &p.values) {
            (Some(a), Some(b)) => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    assert!(
                        x == y || (x.is_nan() && y.is_nan()),
                        "{} row {i}: {x} vs {y}",
                        c.name
                    );
                }
            }
            _ => assert_eq!(text(&csv, &c.name), text(&pq, &c.name)),
        }
    }
    let lt = read_location_table(
        "grid.parquet",
        &bytes("tests/fixtures/cbs/grid_100m_rijnmond_stats.parquet"),
        &strict(),
    )
    .unwrap();
    for i in 0..lt.len() {
        assert_eq!(
            parse_square_id(&lt.ids[i]).unwrap().centre_rd(),
            (lt.x_rd[i], lt.y_rd[i])
        );
    }
    let b = read_table(
        "buurt.parquet",
        &bytes("tests/fixtures/cbs/buurt_2024_stats.parquet"),
        &strict(),
    )
    .unwrap();
    assert!(b.n_rows() > 100);
}

#[test]
fn breda_bom_semicolon_and_square_id_form() {
    let t = read_table(
        "nuisance.csv",
        &bytes("tests/fixtures/breda/nuisance.csv"),
        &strict(),
    )
    .unwrap();
    let d = t.dialect.as_ref().unwrap();
    assert_eq!(
        (d.delimiter.as_str(), d.encoding.as_str()),
        (";", "UTF-8 with BOM")
    );
    assert_eq!(t.columns[0].name, "Districts and neighbourhoods");
    assert_eq!(num(&t, "Total nuisance registrations")[0], 5672.0);
    // Liveability per CBS cell in the `E1068N3982` form, in a column not named crs28992res100m.
    let b = bytes("tests/fixtures/breda/livability_index.csv");
    let lt = read_location_table("livability_index.csv", &b, &strict()).unwrap();
    assert_eq!(lt.ids[0], "E1068N3982");
    assert_eq!((lt.x_rd[0], lt.y_rd[0]), (106_850.0, 398_250.0));
    // Breda buurt polygons (CRS84) convert to RD inside Breda (x ≈ 105–120 km, y ≈ 393–406 km).
    let g = read_table(
        "Buurten.geojson",
        &bytes("tests/fixtures/breda/Buurten.geojson"),
        &strict(),
    )
    .unwrap();
    let x = num(&g, "x_rd");
    let y = num(&g, "y_rd");
    assert!(x
        .iter()
        .zip(&y)
        .all(|(x, y)| (100_000.0..125_000.0).contains(x) && (388_000.0..410_000.0).contains(y)));
}

#[test]
fn amsterdam_kwb_mixed_decimals() {
    for year in [2020, 2024] {
        let path = format!("tests/fixtures/kwb_amsterdam/Kerncijfers_wijken_en_buurten_{year}.csv");
        let t = read_table("kwb.csv", &bytes(&path), &ImportOptions::default()).unwrap();
        assert_eq!(t.dialect.as_ref().unwrap().delimiter, ";");
        let hh = t.column("Avg_Household_Size").unwrap();
        assert_eq!(hh.number_format, Some(NumberFormat::DecimalComma));
        // First row (Amsterdam as a whole) in both years: `1,8`.
        assert_eq!(hh.values.as_ref().unwrap()[0], 1.8);
        assert_eq!(
            num(&t, "Avg_Property_Value_1000EUR")[0],
            if year == 2020 { 416.0 } else { 498.0 }
        );
        let det = detect_location(&t);
        assert_eq!(
            det.mapping.unwrap().source,
            LocationSource::AreaCode {
                column: "Area_Code".into()
            }
        );
    }
}

#[test]
fn leefbaarometer_csv_opens() {
    let t = read_table(
        "lbm.csv",
        &bytes("www/demo/leefbaarometer_buurten_rdam_2002_2024.csv"),
        &strict(),
    )
    .unwrap();
    assert_eq!(t.n_rows(), 1_726);
    let onv = num(&t, "onv");
    assert!(onv[0].is_nan(), "NA is missing");
    assert_eq!(text(&t, "bu_code")[0], "BU05990110");
    assert_eq!(num(&t, "jaar")[0], 2002.0);
}

#[test]
fn swapped_and_wrong_coordinates_are_caught() {
    let e =
        read_location_table("s.csv", b"x,y\n437000,92000\n437100,92100\n", &strict()).unwrap_err();
    assert!(
        e.to_string().contains("swapped") && e.to_string().contains("Fix"),
        "{e}"
    );
    let t = read_table("s.csv", b"x,y\n437000,92000\n437100,92100\n", &strict()).unwrap();
    let fix = detect_location(&t).suggested_fix.unwrap();
    assert_eq!(
        fix.source,
        LocationSource::Rd {
            x: "y".into(),
            y: "x".into()
        }
    );
    let lt = veerkracht::analysis::import::to_location_table(&t, &fix).unwrap();
    assert_eq!((lt.x_rd[0], lt.y_rd[0]), (92000.0, 437000.0));

    let t = read_table("d.csv", b"x;y\n4,47;51,92\n4,48;51,93\n", &strict()).unwrap();
    let det = detect_location(&t);
    assert!(
        det.problem.as_ref().unwrap().contains("degrees"),
        "{:?}",
        det.problem
    );
    assert_eq!(
        det.suggested_fix.unwrap().source,
        LocationSource::LatLon {
            lat: "y".into(),
            lon: "x".into()
        }
    );

    let t = read_table("d.csv", b"lat,lon\n4.47,51.92\n4.48,51.93\n", &strict()).unwrap();
    let det = detect_location(&t);
    assert!(
        det.problem.as_ref().unwrap().contains("swapped"),
        "{:?}",
        det.problem
    );

    let e = read_location_table(
        "f.csv",
        b"x,y\n1000000,2000000\n1000100,2000100\n",
        &strict(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("outside the Netherlands"), "{e}");
    let e = read_location_table("k.csv", b"x,y\n92.5,437.1\n92.6,437.2\n", &strict()).unwrap_err();
    assert!(e.to_string().contains("kilometres"), "{e}");

    // One stray point: skipped with a reason in lenient mode, an error naming the row in strict.
    let csv = b"id,x,y\na,92000,437000\nb,9200000,437000\nc,92100,437100\n";
    let t = read_table("o.csv", csv, &ImportOptions::default()).unwrap();
    let m = LocationMapping {
        source: LocationSource::Rd {
            x: "x".into(),
            y: "y".into(),
        },
        id_column: Some("id".into()),
    };
    let (lt, issues) = locate(&t, &m, None, false).unwrap();
    assert_eq!(lt.ids, vec!["a", "c"]);
    assert_eq!((issues[0].row, issues[0].skipped), (3, true));
    let e = locate(&t, &m, None, true).unwrap_err();
    assert_eq!(e.row(), Some(3));
}

/// The streaming importer gives the same table as reading at once, for any chunking.
#[test]
fn streaming_equals_whole_file() {
    for path in [
        "tests/fixtures/import/woningen_1252.csv",
        "tests/fixtures/import/woningen_unicode_tab.txt",
        "tests/fixtures/breda/nuisance.csv",
        "www/demo/cbs_vk100_rijnmond_2024.csv",
        "tests/fixtures/import/woningen.xlsx",
    ] {
        let b = bytes(path);
        let whole = read_table(path, &b, &ImportOptions::default()).unwrap();
        for chunk in [1usize, 7, 4096, 65_537] {
            if chunk < 100 && b.len() > 100_000 {
                continue;
            }
            let mut imp = Importer::new(path, Some(b.len()), ImportOptions::default()).unwrap();
            for c in b.chunks(chunk) {
                imp.push(c).unwrap();
            }
            let t = imp.finish().unwrap();
            assert!(same_columns(&t, &whole), "{path} chunk {chunk}");
            assert_eq!(t.row_numbers, whole.row_numbers);
        }
    }
}

#[test]
fn too_large_is_refused_with_a_message() {
    let opts = ImportOptions {
        max_bytes: 1000,
        ..Default::default()
    };
    let e = Importer::new("big.csv", Some(5_000_000_000), opts.clone())
        .err()
        .unwrap();
    assert!(
        e.to_string().contains("MB") && e.to_string().contains("memory"),
        "{e}"
    );
    let mut imp = Importer::new("big.csv", None, opts).unwrap();
    let e = imp.push(&[b'1'; 2000]).unwrap_err();
    assert!(e.to_string().contains("memory"), "{e}");
}

/// Column equality with NaN equal to NaN (bitwise on the numbers).
fn same_columns(a: &ImportedTable, b: &ImportedTable) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| {
            x.name == y.name
                && x.text == y.text
                && x.number_format == y.number_format
                && match (&x.values, &y.values) {
                    (Some(u), Some(v)) => {
                        u.len() == v.len()
                            && u.iter().zip(v).all(|(p, q)| p.to_bits() == q.to_bits())
                    }
                    (None, None) => true,
                    _ => false,
                }
        })
}

/// A postcode column next to x/y is not an id (many dwellings share a postcode): row numbers.
#[test]
fn postcode_is_not_taken_as_id() {
    let csv = "postcode;x;y\n3011 AB;92000;437000\n3011 AB;92010;437010\n";
    let lt = read_location_table("p.csv", csv.as_bytes(), &strict()).unwrap();
    assert_eq!(lt.ids, vec!["1", "2"]);
    let t = read_table(
        "w.csv",
        &bytes("tests/fixtures/import/woningen_1252.csv"),
        &strict(),
    )
    .unwrap();
    assert_eq!(detect_location(&t).mapping.unwrap().id_column, None);
}

/// A buurt polygon file is placed by its geometry, but its buurt codes stay the ids: an area
/// layer built from it is keyed by them, so a KWB file's `BU…` codes join to it. (Regression:
/// after postcodes stopped being ids, the buurt codes of a GeoJSON file became row numbers.)
#[test]
fn buurt_polygons_keep_their_buurt_codes_as_ids() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/demo/cbs_buurt_2024_rijnmond.geojson"
    );
    let raw = std::fs::read(path).unwrap();
    let t = read_location_table(
        "cbs_buurt_2024_rijnmond.geojson",
        &raw,
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(t.ids[0], "BU04890101");
    assert!(t.ids.iter().all(|id| id.starts_with("BU")));
    let areas = AreaLayer::from_location_table("areas", &t);
    assert_eq!(areas.codes[0], "BU04890101");
}
