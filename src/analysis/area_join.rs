//! Joining rows to areas (buurten, wijken, gemeenten, postcodes): by area code to a loaded area
//! layer's centroid, and by point-in-polygon from locations to the area that contains them.
//!
//! An [`AreaLayer`] is built from an imported polygon file (GeoJSON, already in RD metres) or a
//! centroid table (codes plus x/y), and keys codes the way they are written in CBS files
//! (`BU05990110`, `WK059901`, `GM0599`, pc4 `3011`, pc6 `3011AB`), ignoring case and spaces.

use crate::analysis::import::{ImportError, ImportedTable};
use geo::{BoundingRect, Centroid, Contains, Geometry, Point, Rect};
use std::collections::HashMap;

/// Areas with a code, a centroid and (optionally) a polygon, in RD metres.
#[derive(Debug, Clone, Default)]
pub struct AreaLayer {
    pub name: String,
    pub codes: Vec<String>,
    pub centroid_x_rd: Vec<f64>,
    pub centroid_y_rd: Vec<f64>,
    pub polygons: Vec<Option<Geometry<f64>>>,
    /// The area's name where the file has one (`buurtnaam`, `gemeentenaam`, `naam`, …), else "".
    pub names: Vec<String>,
    bboxes: Vec<Option<Rect<f64>>>,
    by_code: HashMap<String, usize>,
}

/// The normal form of an area code: upper case, no spaces.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The column of an imported table that holds area codes: the first one whose cells look like
/// `BU…`/`WK…`/`GM…`/pc6, or a column named like a code.
pub fn code_column(t: &ImportedTable) -> Option<String> {
    use crate::analysis::import::location::looks_like_area_code;
    for c in &t.columns {
        if let Some(text) = &c.text {
            let mut n = 0;
            let mut hit = 0;
            for s in text.iter().take(500) {
                if s.trim().is_empty() {
                    continue;
                }
                n += 1;
                if looks_like_area_code(s.trim()) {
                    hit += 1;
                }
            }
            if n > 0 && hit * 10 >= n * 9 {
                return Some(c.name.clone());
            }
        }
    }
    t.columns
        .iter()
        .find(|c| crate::analysis::import::builder::is_key_name(&c.name))
        .map(|c| c.name.clone())
}

impl AreaLayer {
    /// Builds a layer from an imported table: areas keyed by `code_column`; geometry from the
    /// table's GeoJSON geometries (centroid computed), or centroids from `x`/`y` columns.
    pub fn from_table(
        name: &str,
        t: &ImportedTable,
        code_column: &str,
    ) -> Result<AreaLayer, ImportError> {
        let codes_col = t
            .column(code_column)
            .ok_or_else(|| ImportError::MissingColumn {
                file: t.file_name.clone(),
                column: code_column.to_string(),
                available: crate::analysis::import::location::column_list(t),
            })?;
        let n = t.n_rows();
        let names_col = NAME_COLUMNS
            .iter()
            .find_map(|name| t.column(name).filter(|c| c.text.is_some()));
        let mut layer = AreaLayer {
            name: name.to_string(),
            ..Default::default()
        };
        let centroid_cols = match &t.geometries {
            Some(_) => None,
            None => {
                let det = crate::analysis::import::detect_location(t);
                match det.mapping.map(|m| m.source) {
                    Some(crate::analysis::import::LocationSource::Rd { x, y }) => Some((x, y)),
                    _ => {
                        return Err(ImportError::NoLocation {
                            file: t.file_name.clone(),
                            available: crate::analysis::import::location::column_list(t),
                        })
                    }
                }
            }
        };
        for i in 0..n {
            let code = normalise_code(&codes_col.cell_text(i));
            if code.is_empty() {
                continue;
            }
            let (geom, cx, cy) = match (&t.geometries, &centroid_cols) {
                (Some(g), _) => {
                    let geom = g[i].clone();
                    let c = geom
                        .centroid()
                        .map(|p| (p.x(), p.y()))
                        .unwrap_or((f64::NAN, f64::NAN));
                    (Some(geom), c.0, c.1)
                }
                (None, Some((x, y))) => {
                    let vx = t
                        .column(x)
                        .and_then(|c| c.values.as_ref())
                        .map_or(f64::NAN, |v| v[i]);
                    let vy = t
                        .column(y)
                        .and_then(|c| c.values.as_ref())
                        .map_or(f64::NAN, |v| v[i]);
                    (None, vx, vy)
                }
                _ => (None, f64::NAN, f64::NAN),
            };
            let name = names_col.map_or(String::new(), |c| c.cell_text(i).trim().to_string());
            layer.push(code, name, cx, cy, geom);
        }
        Ok(layer)
    }

    /// Reads an area file (GeoJSON polygons, or a table with codes and x/y) and keys its areas by
    /// the column that holds area codes.
    pub fn from_file(file_name: &str, bytes: &[u8]) -> Result<AreaLayer, ImportError> {
        let t = crate::analysis::import::read_table(
            file_name,
            bytes,
            &crate::analysis::import::ImportOptions::default(),
        )?;
        let code = code_column(&t).ok_or_else(|| ImportError::MissingColumn {
            file: t.file_name.clone(),
            column: "area code (BU…, WK…, GM…)".to_string(),
            available: crate::analysis::import::location::column_list(&t),
        })?;
        AreaLayer::from_table(file_name, &t, &code)
    }

    /// Builds a layer of centroids from a table of locations whose ids are area codes (a buurt
    /// polygon file loaded as locations: ids = codes, x/y = polygon centroids).
    pub fn from_location_table(name: &str, t: &crate::analysis::table::LocationTable) -> AreaLayer {
        let mut layer = AreaLayer {
            name: name.to_string(),
            ..Default::default()
        };
        for i in 0..t.len() {
            layer.push(
                normalise_code(&t.ids[i]),
                String::new(),
                t.x_rd[i],
                t.y_rd[i],
                None,
            );
        }
        layer
    }

    fn push(&mut self, code: String, name: String, cx: f64, cy: f64, geom: Option<Geometry<f64>>) {
        let idx = self.codes.len();
        self.by_code.entry(code.clone()).or_insert(idx);
        self.codes.push(code);
        self.names.push(name);
        self.centroid_x_rd.push(cx);
        self.centroid_y_rd.push(cy);
        self.bboxes
            .push(geom.as_ref().and_then(|g| g.bounding_rect()));
        self.polygons.push(geom);
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Index of an area by code (any case, spaces ignored). A pc4 written as a number (`3011.0`)
    /// also matches.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        let norm = normalise_code(code);
        if let Some(&i) = self.by_code.get(&norm) {
            return Some(i);
        }
        let trimmed = norm.strip_suffix(".0").unwrap_or(&norm);
        self.by_code.get(trimmed).copied()
    }

    /// The centroid of an area, when its code is known and it has one.
    pub fn centroid_of(&self, code: &str) -> Option<(f64, f64)> {
        let i = self.index_of(code)?;
        let (x, y) = (self.centroid_x_rd[i], self.centroid_y_rd[i]);
        (x.is_finite() && y.is_finite()).then_some((x, y))
    }

    /// The area that contains the point, by polygon (first match); `None` outside every polygon.
    pub fn area_of_point(&self, x_rd: f64, y_rd: f64) -> Option<usize> {
        let p = Point::new(x_rd, y_rd);
        for (i, g) in self.polygons.iter().enumerate() {
            let (Some(g), Some(bb)) = (g, &self.bboxes[i]) else {
                continue;
            };
            if x_rd < bb.min().x || x_rd > bb.max().x || y_rd < bb.min().y || y_rd > bb.max().y {
                continue;
            }
            if g.contains(&p) {
                return Some(i);
            }
        }
        None
    }

    /// For each point, the index of its area (`u32::MAX` = in no area): the same answer as
    /// [`AreaLayer::area_of_point`] (first polygon that contains it), found through a grid over
    /// the polygons' bounding boxes so a million points against thousands of areas stay fast.
    pub fn areas_of_points(&self, x_rd: &[f64], y_rd: &[f64]) -> Vec<u32> {
        let grid = BoxGrid::new(&self.bboxes);
        x_rd.iter()
            .zip(y_rd)
            .map(|(&x, &y)| {
                let p = Point::new(x, y);
                grid.candidates(x, y)
                    .iter()
                    .copied()
                    .find(|&i| {
                        let i = i as usize;
                        let (Some(g), Some(bb)) = (&self.polygons[i], &self.bboxes[i]) else {
                            return false;
                        };
                        x >= bb.min().x
                            && x <= bb.max().x
                            && y >= bb.min().y
                            && y <= bb.max().y
                            && g.contains(&p)
                    })
                    .unwrap_or(u32::MAX)
            })
            .collect()
    }
}

/// Columns that name an area, most specific first (CBS wijk- en buurtkaart, generic).
const NAME_COLUMNS: [&str; 6] = [
    "buurtnaam",
    "wijknaam",
    "gemeentenaam",
    "statnaam",
    "naam",
    "name",
];

/// A uniform grid over bounding boxes: each cell lists (in ascending order) the boxes that
/// overlap it.
struct BoxGrid {
    x0: f64,
    y0: f64,
    cell_m: f64,
    nx: usize,
    ny: usize,
    cells: Vec<Vec<u32>>,
}

impl BoxGrid {
    fn new(bboxes: &[Option<Rect<f64>>]) -> BoxGrid {
        let boxes: Vec<(usize, &Rect<f64>)> = bboxes
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.as_ref().map(|b| (i, b)))
            .filter(|(_, b)| b.min().x.is_finite() && b.max().y.is_finite())
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (_, b) in &boxes {
            x0 = x0.min(b.min().x);
            y0 = y0.min(b.min().y);
            x1 = x1.max(b.max().x);
            y1 = y1.max(b.max().y);
        }
        if boxes.is_empty() {
            return BoxGrid {
                x0: 0.0,
                y0: 0.0,
                cell_m: 1.0,
                nx: 0,
                ny: 0,
                cells: Vec::new(),
            };
        }
        // About four cells per area, at most a million cells.
        let (w, h) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
        let want = (4 * boxes.len()).clamp(1, 1 << 20) as f64;
        let cell_m = (w * h / want).sqrt().max(1.0);
        let nx = ((w / cell_m).floor() as usize + 1).min(4096);
        let ny = ((h / cell_m).floor() as usize + 1).min(4096);
        let cell_m = cell_m.max(w / nx as f64).max(h / ny as f64);
        let mut cells = vec![Vec::new(); nx * ny];
        let clamp = |v: f64, n: usize| (v.max(0.0) as usize).min(n - 1);
        for (i, b) in boxes {
            let (cx0, cx1) = (
                clamp((b.min().x - x0) / cell_m, nx),
                clamp((b.max().x - x0) / cell_m, nx),
            );
            let (cy0, cy1) = (
                clamp((b.min().y - y0) / cell_m, ny),
                clamp((b.max().y - y0) / cell_m, ny),
            );
            for cy in cy0..=cy1 {
                for cx in cx0..=cx1 {
                    cells[cy * nx + cx].push(i as u32);
                }
            }
        }
        BoxGrid {
            x0,
            y0,
            cell_m,
            nx,
            ny,
            cells,
        }
    }

    fn candidates(&self, x: f64, y: f64) -> &[u32] {
        let (fx, fy) = ((x - self.x0) / self.cell_m, (y - self.y0) / self.cell_m);
        // (The grid covers every box: nx · cell ≥ width; a point on the far edge is in the last cell.)
        if self.nx == 0 || !(fx >= 0.0 && fy >= 0.0 && fx <= self.nx as f64 && fy <= self.ny as f64)
        {
            return &[];
        }
        let (cx, cy) = (
            (fx as usize).min(self.nx - 1),
            (fy as usize).min(self.ny - 1),
        );
        &self.cells[cy * self.nx + cx]
    }
}

/// The locations' areas at one level, owned (see [`area_levels`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAssignment {
    /// `"buurt"`, `"wijk"`, `"gemeente"`, or `"gebied"` when the codes say nothing.
    pub level: String,
    /// Per location, an index into `codes` (`u32::MAX` = in no area).
    pub area_of: Vec<u32>,
    pub codes: Vec<String>,
    pub names: Vec<String>,
}

/// The level CBS codes are at, by their prefix.
fn level_of(codes: &[String]) -> &'static str {
    let all = |p: &str| !codes.is_empty() && codes.iter().all(|c| c.starts_with(p));
    if all("BU") {
        "buurt"
    } else if all("WK") {
        "wijk"
    } else if all("GM") {
        "gemeente"
    } else {
        "gebied"
    }
}

/// Points to the areas of `layer` by polygon; for buurt or wijk codes (`BU05990110`,
/// `WK059901`) also the gemeente, read from the code (`GM0599`) — a second level for free.
pub fn area_levels(layer: &AreaLayer, x_rd: &[f64], y_rd: &[f64]) -> Vec<AreaAssignment> {
    let area_of = layer.areas_of_points(x_rd, y_rd);
    let level = level_of(&layer.codes);
    let mut out = vec![AreaAssignment {
        level: level.to_string(),
        area_of,
        codes: layer.codes.clone(),
        names: layer.names.clone(),
    }];
    let gemeente_of_code = |c: &str| {
        let digits = c.get(2..6)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| format!("GM{digits}"))
    };
    if level == "buurt" || level == "wijk" {
        let mut gm_codes: Vec<String> = Vec::new();
        let mut gm_index: HashMap<String, u32> = HashMap::new();
        let map: Vec<u32> = layer
            .codes
            .iter()
            .map(|c| match gemeente_of_code(c) {
                Some(gm) => *gm_index.entry(gm.clone()).or_insert_with(|| {
                    gm_codes.push(gm);
                    gm_codes.len() as u32 - 1
                }),
                None => u32::MAX,
            })
            .collect();
        let area_of = out[0]
            .area_of
            .iter()
            .map(|&a| if a == u32::MAX { a } else { map[a as usize] })
            .collect();
        out.push(AreaAssignment {
            level: "gemeente".to_string(),
            area_of,
            names: vec![String::new(); gm_codes.len()],
            codes: gm_codes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn point_in_polygon_and_codes() {
        let mut l = AreaLayer {
            name: "t".into(),
            ..Default::default()
        };
        let sq = |x0: f64| {
            Geometry::Polygon(
                polygon![(x: x0, y: 0.0), (x: x0 + 10.0, y: 0.0), (x: x0 + 10.0, y: 10.0), (x: x0, y: 10.0)],
            )
        };
        l.push("BU00010001".into(), String::new(), 5.0, 5.0, Some(sq(0.0)));
        l.push(
            "BU00010002".into(),
            String::new(),
            15.0,
            5.0,
            Some(sq(10.0)),
        );
        assert_eq!(l.area_of_point(3.0, 3.0), Some(0));
        assert_eq!(l.area_of_point(13.0, 3.0), Some(1));
        assert_eq!(l.area_of_point(30.0, 3.0), None);
        assert_eq!(l.centroid_of("bu00010002"), Some((15.0, 5.0)));
        assert_eq!(l.index_of("BU 0001 0001"), Some(0));
    }
}
