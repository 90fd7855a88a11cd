//! Where each row is: recognising the location columns of an imported table, checking the
//! coordinates (outside the Netherlands, lat/lon in x/y columns, x and y swapped — each with a
//! suggested fix), and building the engine's [`LocationTable`] in RD New metres.

use super::{shorten, ImportError, ImportedColumn, ImportedTable, RowIssue};
use crate::analysis::area_join::AreaLayer;
use crate::analysis::cbs_square::{parse_square_id_sized, square_size_from_column};
use crate::analysis::rd::wgs84_to_rd;
use crate::analysis::table::{Column, LocationTable};
use serde::{Deserialize, Serialize};

/// The RD New box the Netherlands (land and territorial sea) lies in, in metres.
pub const RD_X_MIN: f64 = -7_000.0;
pub const RD_X_MAX: f64 = 300_000.0;
pub const RD_Y_MIN: f64 = 289_000.0;
pub const RD_Y_MAX: f64 = 629_000.0;
/// The same box in WGS84 degrees (generous).
const LAT_RANGE: (f64, f64) = (50.6, 53.7);
const LON_RANGE: (f64, f64) = (3.2, 7.3);

pub fn in_rd_extent(x: f64, y: f64) -> bool {
    (RD_X_MIN..=RD_X_MAX).contains(&x) && (RD_Y_MIN..=RD_Y_MAX).contains(&y)
}

fn in_nl_degrees(lat: f64, lon: f64) -> bool {
    (LAT_RANGE.0..=LAT_RANGE.1).contains(&lat) && (LON_RANGE.0..=LON_RANGE.1).contains(&lon)
}

/// Where the locations come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum LocationSource {
    /// RD New metres.
    Rd { x: String, y: String },
    /// WGS84/ETRS89 degrees, converted to RD once.
    LatLon { lat: String, lon: String },
    /// CBS square ids (`E0974N4514`), the location is the square's centre.
    SquareId { column: String, size_m: u32 },
    /// Area codes (`BU…`, `WK…`, `GM…`, pc4, pc6) joined to a loaded area layer's centroids.
    AreaCode { column: String },
}

/// The user-editable mapping: where the locations come from and which column holds the ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationMapping {
    pub source: LocationSource,
    /// The id column; `None` = row numbers.
    pub id_column: Option<String>,
}

/// What detection found: the proposed mapping (if any), every candidate, and warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationDetection {
    pub mapping: Option<LocationMapping>,
    pub candidates: Vec<LocationSource>,
    /// A problem with the coordinates that stops the proposed mapping being used as is.
    pub problem: Option<String>,
    /// The mapping that fixes `problem`, if one was found (swap x/y, read x/y as lon/lat …).
    pub suggested_fix: Option<LocationMapping>,
}

impl LocationDetection {
    /// The mapping to use without a person looking at it: the proposed one when it has no
    /// problem, else an error carrying the message and the suggested fix.
    pub fn into_mapping(self, table: &ImportedTable) -> Result<LocationMapping, ImportError> {
        if let Some(problem) = self.problem {
            return Err(ImportError::Coordinates {
                file: table.file_name.clone(),
                reason: problem,
            });
        }
        self.mapping.ok_or_else(|| ImportError::NoLocation {
            file: table.file_name.clone(),
            available: column_list(table),
        })
    }
}

pub(crate) fn column_list(t: &ImportedTable) -> String {
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    shorten_list(&names.join(", "))
}

fn shorten_list(s: &str) -> String {
    if s.chars().count() > 300 {
        let mut t: String = s.chars().take(299).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

fn tokens(name: &str) -> Vec<String> {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Is the name an x (easting) column name? Scores 2 for an explicit RD name, 1 for plain `x`.
fn x_score(name: &str) -> u8 {
    axis_score(
        name,
        'x',
        &[
            "easting",
            "oostwaarde",
            "xcoord",
            "xcoordinaat",
            "xcoordinate",
            "rdx",
            "xrd",
        ],
    )
}
fn y_score(name: &str) -> u8 {
    axis_score(
        name,
        'y',
        &[
            "northing",
            "noordwaarde",
            "ycoord",
            "ycoordinaat",
            "ycoordinate",
            "rdy",
            "yrd",
        ],
    )
}

fn axis_score(name: &str, axis: char, words: &[&str]) -> u8 {
    let t = tokens(name);
    let a = axis.to_string();
    if t.iter().any(|w| words.contains(&w.as_str())) {
        return 2;
    }
    if t.contains(&a) {
        let rd = t.iter().any(|w| {
            matches!(
                w.as_str(),
                "rd" | "coord" | "coordinaat" | "center" | "centre" | "centroid" | "m"
            )
        });
        return if rd || t.len() == 1 { 2 } else { 1 };
    }
    0
}

fn is_lat(name: &str) -> bool {
    tokens(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "lat" | "latitude" | "breedtegraad" | "breedte" | "wgs84lat"
        )
    })
}
fn is_lon(name: &str) -> bool {
    tokens(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "lon" | "lng" | "long" | "longitude" | "lengtegraad" | "lengte" | "wgs84lon"
        )
    })
}

/// Share of the non-missing cells of a text column that satisfy `f` (first 1,000 cells).
fn text_share(c: &ImportedColumn, f: impl Fn(&str) -> bool) -> f64 {
    let Some(t) = &c.text else { return 0.0 };
    let mut n = 0;
    let mut hit = 0;
    for s in t.iter().take(1000) {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        n += 1;
        if f(s) {
            hit += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        hit as f64 / n as f64
    }
}

/// `E0974N4514`-shaped.
pub fn looks_like_square_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[0].eq_ignore_ascii_case(&b'E')
        && b[5].eq_ignore_ascii_case(&b'N')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[6..10].iter().all(u8::is_ascii_digit)
}

/// `BU05990110`, `WK059901`, `GM0599` (since 2024 also `BU0363AA01`), or a pc6 `3011 AB` / `3011AB`.
pub fn looks_like_area_code(s: &str) -> bool {
    let b = s.as_bytes();
    let prefixed = b.len() >= 6
        && (b[..2].eq_ignore_ascii_case(b"BU")
            || b[..2].eq_ignore_ascii_case(b"WK")
            || b[..2].eq_ignore_ascii_case(b"GM"))
        && b.len() <= 10
        && b[2..6].iter().all(u8::is_ascii_digit)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    prefixed || looks_like_pc6(s)
}

fn looks_like_pc6(s: &str) -> bool {
    let c: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    c.len() == 6
        && c[..4].iter().all(u8::is_ascii_digit)
        && c[4..].iter().all(u8::is_ascii_alphabetic)
}

fn is_pc4_name(name: &str) -> bool {
    tokens(name)
        .iter()
        .any(|w| matches!(w.as_str(), "pc4" | "postcode4" | "pc" | "postcode"))
}

fn numeric_medians(t: &ImportedTable, col: &str) -> Option<f64> {
    let v = t.column(col)?.values.as_ref()?;
    let mut f: Vec<f64> = v
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .take(5000)
        .collect();
    if f.is_empty() {
        return None;
    }
    f.sort_by(f64::total_cmp);
    Some(f[f.len() / 2])
}

/// Share of rows (first 5,000 with both values) for which `f(a, b)` holds.
fn pair_share(t: &ImportedTable, a: &str, b: &str, f: impl Fn(f64, f64) -> bool) -> f64 {
    let (Some(va), Some(vb)) = (
        t.column(a).and_then(|c| c.values.as_ref()),
        t.column(b).and_then(|c| c.values.as_ref()),
    ) else {
        return 0.0;
    };
    let mut n = 0;
    let mut hit = 0;
    for (x, y) in va
        .iter()
        .zip(vb)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .take(5000)
    {
        n += 1;
        if f(*x, *y) {
            hit += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        hit as f64 / n as f64
    }
}

/// Proposes a location mapping for a table and checks the coordinates.
pub fn detect_location(t: &ImportedTable) -> LocationDetection {
    let mut candidates = Vec::new();
    let numeric: Vec<&ImportedColumn> = t.columns.iter().filter(|c| c.is_numeric()).collect();
    // x/y pairs: best-scoring x with the y whose name is the x name with x→y.
    let xs: Vec<&&ImportedColumn> = numeric.iter().filter(|c| x_score(&c.name) > 0).collect();
    let ys: Vec<&&ImportedColumn> = numeric.iter().filter(|c| y_score(&c.name) > 0).collect();
    let mut xy_pairs: Vec<(u8, String, String)> = Vec::new();
    for x in &xs {
        for y in &ys {
            let twin = swap_axis(&x.name) == y.name;
            let score = x_score(&x.name) + y_score(&y.name) + if twin { 4 } else { 0 };
            xy_pairs.push((score, x.name.clone(), y.name.clone()));
        }
    }
    xy_pairs.sort_by_key(|p| std::cmp::Reverse(p.0));
    for (_, x, y) in &xy_pairs {
        candidates.push(LocationSource::Rd {
            x: x.clone(),
            y: y.clone(),
        });
    }
    let lat = numeric.iter().find(|c| is_lat(&c.name));
    let lon = numeric.iter().find(|c| is_lon(&c.name));
    if let (Some(lat), Some(lon)) = (lat, lon) {
        candidates.push(LocationSource::LatLon {
            lat: lat.name.clone(),
            lon: lon.name.clone(),
        });
    }
    for c in &t.columns {
        if let Some(size) = square_size_from_column(&c.name) {
            candidates.push(LocationSource::SquareId {
                column: c.name.clone(),
                size_m: size,
            });
        } else if text_share(c, looks_like_square_id) >= 0.9 {
            candidates.push(LocationSource::SquareId {
                column: c.name.clone(),
                size_m: 100,
            });
        }
    }
    for c in &t.columns {
        let prefixed = text_share(c, looks_like_area_code) >= 0.9;
        let pc4 = is_pc4_name(&c.name)
            && c.is_numeric()
            && numeric_medians(t, &c.name).is_some_and(|m| (1000.0..=9999.0).contains(&m));
        if prefixed || pc4 {
            candidates.push(LocationSource::AreaCode {
                column: c.name.clone(),
            });
        }
    }
    let mut problem = None;
    let mut suggested_fix = None;
    let mut chosen = None;
    // Coordinates first (x/y, then lat/lon), then square ids, then area codes.
    for cand in &candidates {
        match cand {
            LocationSource::Rd { x, y } => {
                match check_rd_columns(t, x, y) {
                    RdCheck::Ok => {
                        chosen = Some(cand.clone());
                    }
                    RdCheck::Problem { message, fix } => {
                        if problem.is_none() {
                            problem = Some(message);
                            suggested_fix = fix.map(|source| LocationMapping {
                                source,
                                id_column: None,
                            });
                            chosen = Some(cand.clone());
                        }
                        continue;
                    }
                }
                break;
            }
            LocationSource::LatLon { lat, lon } => {
                if chosen.is_some() {
                    break;
                }
                let ok = pair_share(t, lat, lon, in_nl_degrees);
                let swapped = pair_share(t, lon, lat, in_nl_degrees);
                if ok < 0.5 && swapped >= 0.5 {
                    problem = Some(format!(
                        "columns `{lat}` and `{lon}` seem swapped: `{lat}` holds longitudes and `{lon}` latitudes. \
                         Fix: use `{lon}` as latitude and `{lat}` as longitude"
                    ));
                    suggested_fix = Some(LocationMapping {
                        source: LocationSource::LatLon {
                            lat: lon.clone(),
                            lon: lat.clone(),
                        },
                        id_column: None,
                    });
                }
                chosen = Some(cand.clone());
                break;
            }
            _ => {
                if chosen.is_none() {
                    chosen = Some(cand.clone());
                }
                break;
            }
        }
    }
    // A detected x/y problem wins over nothing, but a clean later candidate (lat/lon, square id)
    // is preferred to a broken x/y pair.
    if problem.is_some() {
        if let Some(alt) = candidates
            .iter()
            .find(|c| !matches!(c, LocationSource::Rd { .. }))
        {
            if !matches!(alt, LocationSource::AreaCode { .. }) && suggested_fix.is_none() {
                chosen = Some(alt.clone());
                problem = None;
            }
        }
    }
    if let Some(fix) = suggested_fix.as_mut() {
        fix.id_column = detect_id_column(t, &fix.source, &candidates);
    }
    LocationDetection {
        mapping: chosen.map(|source| {
            let id_column = detect_id_column(t, &source, &candidates);
            LocationMapping { source, id_column }
        }),
        candidates,
        problem,
        suggested_fix,
    }
}

fn swap_axis(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'x' => 'y',
            'X' => 'Y',
            _ => c,
        })
        .collect()
}

enum RdCheck {
    Ok,
    Problem {
        message: String,
        fix: Option<LocationSource>,
    },
}

fn check_rd_columns(t: &ImportedTable, x: &str, y: &str) -> RdCheck {
    let inside = pair_share(t, x, y, in_rd_extent);
    if inside >= 0.5 {
        return RdCheck::Ok;
    }
    let swapped = pair_share(t, y, x, in_rd_extent);
    if swapped >= 0.5 {
        return RdCheck::Problem {
            message: format!(
                "x and y seem swapped: `{x}` holds northings (RD y) and `{y}` eastings (RD x). Fix: use `{y}` as x and `{x}` as y"
            ),
            fix: Some(LocationSource::Rd { x: y.to_string(), y: x.to_string() }),
        };
    }
    let lonlat = pair_share(t, x, y, |a, b| in_nl_degrees(b, a));
    if lonlat >= 0.5 {
        return RdCheck::Problem {
            message: format!(
                "`{x}`/`{y}` hold degrees (longitude/latitude), not RD metres. Fix: read `{x}` as longitude and `{y}` as latitude"
            ),
            fix: Some(LocationSource::LatLon { lat: y.to_string(), lon: x.to_string() }),
        };
    }
    let latlon = pair_share(t, x, y, in_nl_degrees);
    if latlon >= 0.5 {
        return RdCheck::Problem {
            message: format!(
                "`{x}`/`{y}` hold degrees (latitude in `{x}`, longitude in `{y}`), not RD metres. Fix: read `{x}` as latitude and `{y}` as longitude"
            ),
            fix: Some(LocationSource::LatLon { lat: x.to_string(), lon: y.to_string() }),
        };
    }
    let km = pair_share(t, x, y, |a, b| in_rd_extent(a * 1000.0, b * 1000.0));
    let first = first_pair(t, x, y);
    let msg = if km >= 0.5 {
        format!("`{x}`/`{y}` look like RD kilometres, not metres (first row: {first}); multiply by 1000 before loading")
    } else {
        format!(
            "most points in `{x}`/`{y}` lie outside the Netherlands' RD New extent (x {RD_X_MIN}…{RD_X_MAX} m, y {RD_Y_MIN}…{RD_Y_MAX} m; first row: {first}). \
             Are these RD New (EPSG:28992) metres?"
        )
    };
    RdCheck::Problem {
        message: msg,
        fix: None,
    }
}

fn first_pair(t: &ImportedTable, x: &str, y: &str) -> String {
    let (Some(cx), Some(cy)) = (t.column(x), t.column(y)) else {
        return String::new();
    };
    (0..t.n_rows())
        .find(|&i| cx.values.as_ref().is_some_and(|v| v[i].is_finite()))
        .map(|i| {
            format!(
                "row {}: x = {}, y = {}",
                t.row_numbers[i],
                shorten(&cx.cell_text(i)),
                shorten(&cy.cell_text(i))
            )
        })
        .unwrap_or_default()
}

/// The id column: `id` when the file has one, else the square-id / area-code column that places
/// the rows, else a CBS square-id column next to x/y, else none (row numbers). A postcode column
/// next to x/y is not an id: many dwellings share one.
fn detect_id_column(
    t: &ImportedTable,
    source: &LocationSource,
    candidates: &[LocationSource],
) -> Option<String> {
    if let Some(c) = t.columns.iter().find(|c| c.name.eq_ignore_ascii_case("id")) {
        return Some(c.name.clone());
    }
    match source {
        LocationSource::SquareId { column, .. } | LocationSource::AreaCode { column } => {
            Some(column.clone())
        }
        // A CBS file with x/y centre columns: its square ids are still the ids; so are the
        // buurt/wijk/gemeente codes of an area file placed by its geometry (an area layer is
        // keyed by them). A postcode is not: many dwellings share one.
        _ => candidates.iter().find_map(|c| match c {
            LocationSource::SquareId { column, .. } => Some(column.clone()),
            LocationSource::AreaCode { column } if holds_cbs_area_codes(t, column) => {
                Some(column.clone())
            }
            _ => None,
        }),
    }
}

/// Whether a column's first filled cell is a CBS area code (`BU…`, `WK…`, `GM…`).
fn holds_cbs_area_codes(t: &ImportedTable, name: &str) -> bool {
    t.column(name)
        .and_then(|c| c.text.as_ref())
        .and_then(|text| text.iter().map(|s| s.trim()).find(|s| !s.is_empty()))
        .is_some_and(|s| {
            let s = s.to_ascii_uppercase();
            s.starts_with("BU") || s.starts_with("WK") || s.starts_with("GM")
        })
}

/// Applies a mapping without an area layer (area codes need [`to_location_table_with_areas`]).
pub fn to_location_table(
    t: &ImportedTable,
    mapping: &LocationMapping,
) -> Result<LocationTable, ImportError> {
    to_location_table_with_areas(t, mapping, None)
}

fn need<'a>(t: &'a ImportedTable, name: &str) -> Result<&'a ImportedColumn, ImportError> {
    t.column(name).ok_or_else(|| ImportError::MissingColumn {
        file: t.file_name.clone(),
        column: name.to_string(),
        available: column_list(t),
    })
}

fn need_numeric<'a>(t: &'a ImportedTable, name: &str) -> Result<&'a [f64], ImportError> {
    let c = need(t, name)?;
    match &c.values {
        Some(v) => Ok(v),
        None => {
            let i = c
                .text
                .as_ref()
                .and_then(|tx| tx.iter().position(|s| !s.trim().is_empty()))
                .unwrap_or(0);
            Err(ImportError::NotNumeric {
                file: t.file_name.clone(),
                row: t.row_numbers.get(i).copied().unwrap_or(2),
                column: name.to_string(),
                value: shorten(&c.cell_text(i)),
                count: c.text.as_ref().map_or(0, |tx| tx.len()),
            })
        }
    }
}

/// Applies a mapping: computes RD x/y per row, the ids, and the numeric columns (those used for
/// the location are left out). Rows without a valid location are skipped and listed in the
/// returned table's issues (or, when `t` was read strict, … see [`to_location_table_strict`]).
pub fn to_location_table_with_areas(
    t: &ImportedTable,
    mapping: &LocationMapping,
    areas: Option<&AreaLayer>,
) -> Result<LocationTable, ImportError> {
    locate(t, mapping, areas, true).map(|(table, _)| table)
}

/// Like [`to_location_table_with_areas`] but returns the rows left out and why, and with
/// `strict` the first such row is an error instead.
pub fn locate(
    t: &ImportedTable,
    mapping: &LocationMapping,
    areas: Option<&AreaLayer>,
    strict: bool,
) -> Result<(LocationTable, Vec<RowIssue>), ImportError> {
    let n = t.n_rows();
    let file = &t.file_name;
    let mut xs = vec![f64::NAN; n];
    let mut ys = vec![f64::NAN; n];
    // Rows without a usable location: (row index, column, value, reason).
    let mut bad: Vec<(usize, String, String, String)> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    match &mapping.source {
        LocationSource::Rd { x, y } => {
            let vx = need_numeric(t, x)?;
            let vy = need_numeric(t, y)?;
            used.extend([x.as_str(), y.as_str()]);
            for i in 0..n {
                if !vx[i].is_finite() || !vy[i].is_finite() {
                    let col = if vx[i].is_finite() { y } else { x };
                    bad.push((
                        i,
                        col.clone(),
                        need(t, col)?.cell_text(i),
                        "has no coordinate".into(),
                    ));
                } else if !in_rd_extent(vx[i], vy[i]) {
                    bad.push((
                        i,
                        x.clone(),
                        format!("{}, {}", vx[i], vy[i]),
                        "lies outside the Netherlands' RD extent".into(),
                    ));
                } else {
                    xs[i] = vx[i];
                    ys[i] = vy[i];
                }
            }
        }
        LocationSource::LatLon { lat, lon } => {
            let va = need_numeric(t, lat)?;
            let vo = need_numeric(t, lon)?;
            used.extend([lat.as_str(), lon.as_str()]);
            for i in 0..n {
                if !va[i].is_finite() || !vo[i].is_finite() {
                    let col = if va[i].is_finite() { lon } else { lat };
                    bad.push((
                        i,
                        col.clone(),
                        need(t, col)?.cell_text(i),
                        "has no coordinate".into(),
                    ));
                    continue;
                }
                let (x, y) = wgs84_to_rd(va[i], vo[i]);
                if !in_rd_extent(x, y) {
                    bad.push((
                        i,
                        lat.clone(),
                        format!("{}, {}", va[i], vo[i]),
                        "lies outside the Netherlands".into(),
                    ));
                } else {
                    xs[i] = x;
                    ys[i] = y;
                }
            }
        }
        LocationSource::SquareId { column, size_m } => {
            let c = need(t, column)?;
            used.push(column.as_str());
            for i in 0..n {
                let owned;
                let s = match &c.text {
                    Some(tx) => tx.get(i),
                    None => {
                        owned = c.cell_text(i);
                        owned.as_str()
                    }
                };
                match parse_square_id_sized(s.trim(), *size_m) {
                    Ok(sq) => {
                        let (x, y) = sq.centre_rd();
                        xs[i] = x;
                        ys[i] = y;
                    }
                    Err(e) => bad.push((
                        i,
                        column.clone(),
                        s.to_string(),
                        format!("is not a CBS square id ({e})"),
                    )),
                }
            }
        }
        LocationSource::AreaCode { column } => {
            let c = need(t, column)?;
            let Some(areas) = areas else {
                return Err(ImportError::Coordinates {
                    file: file.clone(),
                    reason: format!("column `{column}` holds area codes; load an area layer (e.g. buurt polygons) to place them"),
                });
            };
            for i in 0..n {
                let s = c.cell_text(i);
                match areas.centroid_of(s.trim()) {
                    Some((x, y)) => {
                        xs[i] = x;
                        ys[i] = y;
                    }
                    None => bad.push((
                        i,
                        column.clone(),
                        s,
                        format!("is not in the area layer `{}`", areas.name),
                    )),
                }
            }
        }
    }
    let mut issues = Vec::new();
    for (i, column, value, reason) in &bad {
        let i = *i;
        {
            let row = t.row_numbers[i];
            if strict {
                return Err(ImportError::BadLocation {
                    file: file.clone(),
                    row,
                    column: column.clone(),
                    value: shorten(value),
                    reason: reason.clone(),
                });
            }
            issues.push(RowIssue {
                row,
                column: Some(column.clone()),
                value: shorten(value),
                reason: format!("{reason}; row skipped"),
                skipped: true,
            });
        }
    }
    let mut keep = vec![true; n];
    for b in &bad {
        keep[b.0] = false;
    }
    let kept = keep.iter().filter(|k| **k).count();
    if kept == 0 && n > 0 {
        let first = &issues[0];
        return Err(ImportError::BadLocation {
            file: file.clone(),
            row: first.row,
            column: first.column.clone().unwrap_or_default(),
            value: first.value.clone(),
            reason: format!("— no row has a usable location ({})", first.reason),
        });
    }
    let filter = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| *x)
            .collect()
    };
    // Ids.
    let ids: Vec<String> = match &mapping.id_column {
        Some(name) => {
            let c = need(t, name)?;
            let ids: Vec<String> = (0..n)
                .filter(|&i| keep[i])
                .map(|i| match &c.text {
                    Some(tx) => tx.get(i).trim().to_string(),
                    None => c.cell_text(i),
                })
                .collect();
            let rows: Vec<u32> = (0..n)
                .filter(|&i| keep[i])
                .map(|i| t.row_numbers[i])
                .collect();
            let mut seen: std::collections::HashMap<&str, u32> =
                std::collections::HashMap::with_capacity(ids.len());
            for (id, &row) in ids.iter().zip(&rows) {
                if let Some(&first_row) = seen.get(id.as_str()) {
                    if strict {
                        return Err(ImportError::DuplicateId {
                            file: file.clone(),
                            row,
                            column: name.clone(),
                            value: shorten(id),
                            first_row,
                        });
                    }
                    issues.push(RowIssue {
                        row,
                        column: Some(name.clone()),
                        value: shorten(id),
                        reason: format!("id also occurs in row {first_row}"),
                        skipped: false,
                    });
                } else {
                    seen.insert(id.as_str(), row);
                }
            }
            drop(seen);
            ids
        }
        None => (0..n)
            .filter(|&i| keep[i])
            .map(|i| (t.row_numbers[i] - 1).to_string())
            .collect(),
    };
    let mut table = LocationTable {
        x_rd: filter(&xs),
        y_rd: filter(&ys),
        ids,
        columns: Vec::new(),
    };
    for c in &t.columns {
        if used.contains(&c.name.as_str()) {
            continue;
        }
        if let Some(v) = &c.values {
            table.columns.push(Column {
                name: c.name.clone(),
                values: filter(v),
            });
        }
    }
    Ok((table, issues))
}
