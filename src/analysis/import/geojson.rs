//! GeoJSON FeatureCollections: points become locations, polygons become areas (with their
//! properties as columns). WGS84 coordinates (the GeoJSON standard) are converted to RD New once
//! here; files that declare EPSG:28992 (or plainly hold metres) are kept as they are. Every
//! feature gets `x_rd`/`y_rd` columns: the point, or the centroid of its polygon.

use super::builder::{finish_columns, FinishOptions, RawColumn, TextEncoding};
use super::{FileFormat, ImportError, ImportOptions, ImportedTable, RowIssue};
use crate::analysis::rd::wgs84_to_rd;
use geo::{Centroid, Coord, Geometry, LineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::Value;

fn err(file: &str, reason: impl Into<String>) -> ImportError {
    ImportError::Format {
        file: file.to_string(),
        format: "GeoJSON".into(),
        reason: reason.into(),
    }
}

/// Column names added for the location of each feature.
pub const X_COLUMN: &str = "x_rd";
pub const Y_COLUMN: &str = "y_rd";

pub fn read(
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| err(file, e.to_string()))?;
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| err(file, "a FeatureCollection without a `features` array"))?
            .iter()
            .collect(),
        Some("Feature") => vec![&doc],
        _ => return Err(err(file, "not a GeoJSON FeatureCollection or Feature")),
    };
    let declared_rd = doc
        .get("crs")
        .and_then(|c| c.get("properties"))
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .is_some_and(|n| n.contains("28992"));
    // Property names in order of first appearance.
    let mut names: Vec<String> = Vec::new();
    for f in &features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for k in props.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
    }
    let mut raw: Vec<RawColumn> = names.iter().cloned().map(RawColumn::new).collect();
    // Geometries first, to decide the CRS from the data when it is not declared.
    let mut geoms_raw: Vec<Option<Geometry<f64>>> = Vec::with_capacity(features.len());
    let mut issues: Vec<RowIssue> = Vec::new();
    let mut max_abs: f64 = 0.0;
    for (i, f) in features.iter().enumerate() {
        let g = match f.get("geometry") {
            None | Some(Value::Null) => None,
            Some(g) => match parse_geometry(g) {
                Ok(g) => Some(g),
                Err(reason) => {
                    issues.push(RowIssue {
                        row: i as u32 + 2,
                        column: Some("geometry".into()),
                        value: String::new(),
                        reason,
                        skipped: false,
                    });
                    None
                }
            },
        };
        if let Some(g) = &g {
            use geo::CoordsIter;
            for c in g.coords_iter().take(4) {
                max_abs = max_abs.max(c.x.abs()).max(c.y.abs());
            }
        }
        geoms_raw.push(g);
    }
    let is_rd = declared_rd || max_abs > 360.0;
    let mut xs = RawColumn::new(X_COLUMN.into());
    let mut ys = RawColumn::new(Y_COLUMN.into());
    let mut geometries = Vec::with_capacity(features.len());
    let mut row_numbers = Vec::with_capacity(features.len());
    for (i, (f, g)) in features.iter().zip(geoms_raw).enumerate() {
        let g = g.map(|g| if is_rd { g } else { to_rd(g) });
        let (cx, cy) = match &g {
            Some(Geometry::Point(p)) => (p.x(), p.y()),
            Some(other) => other
                .centroid()
                .map_or((f64::NAN, f64::NAN), |p| (p.x(), p.y())),
            None => (f64::NAN, f64::NAN),
        };
        let oom = |_| ImportError::TooLarge {
            file: file.to_string(),
            reason: format!("memory ran out at feature {}", i + 1),
        };
        xs.push_number(cx).map_err(oom)?;
        ys.push_number(cy).map_err(oom)?;
        let props = f.get("properties").and_then(Value::as_object);
        for (c, name) in names.iter().enumerate() {
            let v = props.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
            let r = match v {
                Value::Null => raw[c].push_bytes(b""),
                Value::Bool(b) => raw[c].push_number(if *b { 1.0 } else { 0.0 }),
                Value::Number(n) => raw[c].push_number(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(s) => raw[c].push_bytes(s.as_bytes()),
                other => raw[c].push_bytes(other.to_string().as_bytes()),
            };
            r.map_err(oom)?;
        }
        geometries.push(
            g.unwrap_or(Geometry::GeometryCollection(geo::GeometryCollection(
                vec![],
            ))),
        );
        row_numbers.push(i as u32 + 2);
    }
    if row_numbers.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.to_string(),
        });
    }
    // Location columns come first; a property of the same name is kept under its own name + `_2`.
    let mut all = vec![xs, ys];
    all.extend(raw);
    let uniq = super::unique_names(all.iter().map(|c| c.name.clone()).collect());
    for (c, n) in all.iter_mut().zip(uniq) {
        c.name = n;
    }
    let opts = FinishOptions {
        file,
        strict: options.strict,
        row_numbers: &row_numbers,
        encoding: TextEncoding::Utf8,
        numeric_threshold: 0.8,
    };
    let columns = finish_columns(all, &opts, &mut issues)?;
    Ok(ImportedTable {
        file_name: file.to_string(),
        format: FileFormat::GeoJson,
        dialect: None,
        sheet_names: Vec::new(),
        sheet: None,
        columns,
        row_numbers,
        issues,
        geometries: Some(geometries),
    })
}

fn to_rd(g: Geometry<f64>) -> Geometry<f64> {
    use geo::MapCoords;
    g.map_coords(|c: Coord<f64>| {
        let (x, y) = wgs84_to_rd(c.y, c.x);
        Coord { x, y }
    })
}

fn coord(v: &Value) -> Result<Coord<f64>, String> {
    let a = v.as_array().ok_or("a position is not an array")?;
    let x = a
        .first()
        .and_then(Value::as_f64)
        .ok_or("a position has no x")?;
    let y = a
        .get(1)
        .and_then(Value::as_f64)
        .ok_or("a position has no y")?;
    if !x.is_finite() || !y.is_finite() {
        return Err("a position is not finite".into());
    }
    Ok(Coord { x, y })
}

fn ring(v: &Value) -> Result<LineString<f64>, String> {
    let a = v.as_array().ok_or("a ring is not an array")?;
    Ok(LineString(a.iter().map(coord).collect::<Result<_, _>>()?))
}

fn polygon(v: &Value) -> Result<Polygon<f64>, String> {
    let rings = v.as_array().ok_or("a polygon is not an array of rings")?;
    let mut it = rings.iter();
    let outer = ring(it.next().ok_or("a polygon without rings")?)?;
    let inner = it.map(ring).collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(outer, inner))
}

fn parse_geometry(g: &Value) -> Result<Geometry<f64>, String> {
    let kind = g
        .get("type")
        .and_then(Value::as_str)
        .ok_or("a geometry without a type")?;
    let coords = g.get("coordinates");
    let need = || coords.ok_or_else(|| format!("a {kind} without coordinates"));
    Ok(match kind {
        "Point" => Geometry::Point(Point(coord(need()?)?)),
        "MultiPoint" => {
            let a = need()?.as_array().ok_or("bad MultiPoint")?;
            Geometry::MultiPoint(MultiPoint(
                a.iter()
                    .map(|c| coord(c).map(Point))
                    .collect::<Result<_, _>>()?,
            ))
        }
        "LineString" => Geometry::LineString(ring(need()?)?),
        "Polygon" => Geometry::Polygon(polygon(need()?)?),
        "MultiPolygon" => {
            let a = need()?.as_array().ok_or("bad MultiPolygon")?;
            Geometry::MultiPolygon(MultiPolygon(
                a.iter().map(polygon).collect::<Result<_, _>>()?,
            ))
        }
        other => return Err(format!("geometry type {other} is not supported")),
    })
}
