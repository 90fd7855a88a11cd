#![cfg(not(target_arch = "wasm32"))]
//! Locations bound to areas for the scenario summary per buurt: the gridded point-in-polygon
//! lookup against the bundled CBS buurt polygons of Rijnmond 2024 equals the plain scan over every
//! polygon (first match), and the gemeente level read from the buurt codes equals the code's
//! digits.

use veerkracht::analysis::area_join::{area_levels, code_column, AreaLayer};
use veerkracht::analysis::import::{read_location_table, read_table, ImportOptions};
use veerkracht::analysis::synthetic::SplitMix64;

fn buurten() -> AreaLayer {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/demo/cbs_buurt_2024_rijnmond.geojson"
    );
    let bytes = std::fs::read(path).unwrap();
    let t = read_table(
        "cbs_buurt_2024_rijnmond.geojson",
        &bytes,
        &ImportOptions::default(),
    )
    .unwrap();
    let code = code_column(&t).unwrap();
    AreaLayer::from_table("buurten", &t, &code).unwrap()
}

#[test]
fn gridded_lookup_equals_a_scan_over_every_polygon() {
    let layer = buurten();
    assert!(layer.len() > 500, "{} buurten", layer.len());
    // The CBS squares of the demo plus random points over (and beyond) the region.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/demo/cbs_vk100_rijnmond_2024.csv"
    );
    let squares = read_location_table(
        "cbs_vk100_rijnmond_2024.csv",
        &std::fs::read(path).unwrap(),
        &ImportOptions::default(),
    )
    .unwrap();
    let mut x = squares.x_rd.clone();
    let mut y = squares.y_rd.clone();
    let (x0, x1) = x
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let (y0, y1) = y
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let mut rng = SplitMix64::new(3);
    for _ in 0..20_000 {
        x.push(x0 - 2_000.0 + (x1 - x0 + 4_000.0) * rng.unit());
        y.push(y0 - 2_000.0 + (y1 - y0 + 4_000.0) * rng.unit());
    }
    let fast = layer.areas_of_points(&x, &y);
    let mut inside = 0;
    for i in 0..x.len() {
        let slow = layer
            .area_of_point(x[i], y[i])
            .map_or(u32::MAX, |a| a as u32);
        assert_eq!(fast[i], slow, "point {i} ({}, {})", x[i], y[i]);
        inside += usize::from(slow != u32::MAX);
    }
    // Most squares lie in a buurt of the region.
    assert!(inside > squares.len() * 9 / 10, "{inside} inside");
}

#[test]
fn gemeente_level_from_the_buurt_codes() {
    let layer = buurten();
    let mut rng = SplitMix64::new(4);
    let pts: Vec<(f64, f64)> = (0..layer.len())
        .map(|i| (layer.centroid_x_rd[i], layer.centroid_y_rd[i]))
        .chain((0..2_000).map(|_| {
            (
                60_000.0 + 60_000.0 * rng.unit(),
                420_000.0 + 40_000.0 * rng.unit(),
            )
        }))
        .collect();
    let x: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let y: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let levels = area_levels(&layer, &x, &y);
    assert_eq!(levels.len(), 2);
    assert_eq!(
        (levels[0].level.as_str(), levels[1].level.as_str()),
        ("buurt", "gemeente")
    );
    for i in 0..x.len() {
        let b = levels[0].area_of[i];
        let g = levels[1].area_of[i];
        if b == u32::MAX {
            assert_eq!(g, u32::MAX);
            continue;
        }
        let buurt = &levels[0].codes[b as usize];
        assert_eq!(levels[1].codes[g as usize], format!("GM{}", &buurt[2..6]));
    }
}
