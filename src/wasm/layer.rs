//! A loaded table of locations, kept in wasm memory behind a handle (thin: no logic here).
//!
//! JS API (a `Layer` comes from the importer, `importer.finish()`, or from
//! `syntheticTowns(n, seed)`; free it with `layer.free()` when it is replaced or removed):
//!
//! ```js
//! layer.len()                 // number of locations (rows)
//! layer.x()  / layer.y()      // Float64Array, RD New metres (copies; safe to keep)
//! layer.column(name)          // Float64Array of one column, NaN = missing; throws on an unknown name
//! layer.columnNames()         // string[] of the numeric columns, in file order
//! layer.ids()                 // string[] of the location ids (row numbers "1", "2", … if the file had none)
//! layer.id(index)             // one id
//! layer.findId(id)            // row index of an id, or -1
//! layer.row(index, columns)   // {index, id, xRd, yRd, values: {name: number|null}} for the given
//!                             //   column names (all columns when `columns` is empty)
//! layer.summary()             // {rows, columns: string[], …fields the importer adds (location kind, …)}
//! layer.lonLatForDisplay()    // Float64Array [lon0, lat0, lon1, lat1, …] (WGS84, for drawing only)
//! ```
//!
//! Rust side: IMPORT builds a layer with [`Layer::from_table`] / [`Layer::with_summary`]; the
//! scoring job ([`super::score`]) shares the table through [`Layer::table`] without copying it.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Float64Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::rd::rd_to_wgs84;
use crate::analysis::table::LocationTable;

#[wasm_bindgen]
pub struct Layer {
    table: Rc<LocationTable>,
    summary: serde_json::Value,
    id_index: OnceCell<HashMap<String, u32>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowOut {
    index: u32,
    id: String,
    x_rd: f64,
    y_rd: f64,
    values: serde_json::Map<String, serde_json::Value>,
}

impl Layer {
    /// A layer over a table, with a summary of just rows and columns.
    pub fn from_table(table: LocationTable) -> Layer {
        Layer::with_summary(table, serde_json::Value::Object(Default::default()))
    }

    /// A layer with extra summary fields (an object; `rows` and `columns` are filled in here).
    pub fn with_summary(table: LocationTable, summary: serde_json::Value) -> Layer {
        let mut summary = match summary {
            serde_json::Value::Object(m) => m,
            _ => Default::default(),
        };
        summary.insert("rows".into(), table.len().into());
        summary.insert("columns".into(), table.column_names().into());
        Layer {
            table: Rc::new(table),
            summary: serde_json::Value::Object(summary),
            id_index: OnceCell::new(),
        }
    }

    /// The shared table (for jobs that outlive a call).
    pub fn table(&self) -> Rc<LocationTable> {
        Rc::clone(&self.table)
    }
}

fn json<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

#[wasm_bindgen]
impl Layer {
    pub fn len(&self) -> u32 {
        self.table.len() as u32
    }

    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn x(&self) -> Float64Array {
        Float64Array::from(self.table.x_rd.as_slice())
    }

    pub fn y(&self) -> Float64Array {
        Float64Array::from(self.table.y_rd.as_slice())
    }

    pub fn column(&self, name: &str) -> Result<Float64Array, JsError> {
        self.table
            .column(name)
            .map(|c| Float64Array::from(c.values.as_slice()))
            .ok_or_else(|| {
                JsError::new(&format!(
                    "unknown column {name:?} (the layer has: {})",
                    self.table.column_names().join(", ")
                ))
            })
    }

    #[wasm_bindgen(js_name = columnNames)]
    pub fn column_names(&self) -> Vec<String> {
        self.table.columns.iter().map(|c| c.name.clone()).collect()
    }

    pub fn ids(&self) -> Vec<String> {
        self.table.ids.clone()
    }

    pub fn id(&self, index: u32) -> Result<String, JsError> {
        self.table.ids.get(index as usize).cloned().ok_or_else(|| {
            JsError::new(&format!(
                "no location {index} (the layer has {})",
                self.table.len()
            ))
        })
    }

    #[wasm_bindgen(js_name = findId)]
    pub fn find_id(&self, id: &str) -> i32 {
        let index = self.id_index.get_or_init(|| {
            let mut m = HashMap::with_capacity(self.table.len());
            for (i, id) in self.table.ids.iter().enumerate().rev() {
                m.insert(id.clone(), i as u32);
            }
            m
        });
        index.get(id).map_or(-1, |&i| i as i32)
    }

    pub fn row(&self, index: u32, columns: Vec<String>) -> Result<JsValue, JsError> {
        let i = index as usize;
        if i >= self.table.len() {
            return Err(JsError::new(&format!(
                "no location {index} (the layer has {})",
                self.table.len()
            )));
        }
        let names: Vec<String> = if columns.is_empty() {
            self.column_names()
        } else {
            columns
        };
        let mut values = serde_json::Map::new();
        for name in names {
            let col = self
                .table
                .column(&name)
                .ok_or_else(|| JsError::new(&format!("unknown column {name:?}")))?;
            let v = col.values[i];
            values.insert(
                name,
                serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into),
            );
        }
        json(&RowOut {
            index,
            id: self.table.ids.get(i).cloned().unwrap_or_default(),
            x_rd: self.table.x_rd[i],
            y_rd: self.table.y_rd[i],
            values,
        })
    }

    pub fn summary(&self) -> Result<JsValue, JsError> {
        json(&self.summary)
    }

    #[wasm_bindgen(js_name = lonLatForDisplay)]
    pub fn lon_lat_for_display(&self) -> Float64Array {
        let mut out = Vec::with_capacity(2 * self.table.len());
        for (&x, &y) in self.table.x_rd.iter().zip(&self.table.y_rd) {
            let (lat, lon) = rd_to_wgs84(x, y);
            out.push(lon);
            out.push(lat);
        }
        Float64Array::from(out.as_slice())
    }
}
