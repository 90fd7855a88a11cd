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
            layer.push(code, cx, cy, geom);
        }
        Ok(layer)
    }

    /// Builds a layer of centroids from a table of locations whose ids are area codes (a buurt
    /// polygon file loaded as locations: ids = codes, x/y = polygon centroids).
    pub fn from_location_table(name: &str, t: &crate::analysis::table::LocationTable) -> AreaLayer {
        let mut layer = AreaLayer {
            name: name.to_string(),
            ..Default::default()
        };
        for i in 0..t.len() {
            layer.push(normalise_code(&t.ids[i]), t.x_rd[i], t.y_rd[i], None);
        }
        layer
    }

    fn push(&mut self, code: String, cx: f64, cy: f64, geom: Option<Geometry<f64>>) {
        let idx = self.codes.len();
        self.by_code.entry(code.clone()).or_insert(idx);
        self.codes.push(code);
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

    /// For each point, the index of its area (`u32::MAX` = in no area).
    pub fn areas_of_points(&self, x_rd: &[f64], y_rd: &[f64]) -> Vec<u32> {
        x_rd.iter()
            .zip(y_rd)
            .map(|(&x, &y)| self.area_of_point(x, y).map_or(u32::MAX, |i| i as u32))
            .collect()
    }
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
        l.push("BU00010001".into(), 5.0, 5.0, Some(sq(0.0)));
        l.push("BU00010002".into(), 15.0, 5.0, Some(sq(10.0)));
        assert_eq!(l.area_of_point(3.0, 3.0), Some(0));
        assert_eq!(l.area_of_point(13.0, 3.0), Some(1));
        assert_eq!(l.area_of_point(30.0, 3.0), None);
        assert_eq!(l.centroid_of("bu00010002"), Some((15.0, 5.0)));
        assert_eq!(l.index_of("BU 0001 0001"), Some(0));
    }
}
