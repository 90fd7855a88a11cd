//! Reading files in the worker: a streaming importer handle, previews, and building a layer.
//!
//! JS API (all errors are `Error` objects with `message` plus, where known, `file`, `row`
//! (spreadsheet row: header = 1), `column` and `value` (shortened) properties):
//!
//! ```js
//! // 1. Stream the file in. options (all optional):
//! //    { mapping: LocationMapping, sheet: string, delimiter: ';', strict: false, totalBytes: file.size }
//! const imp = new Importer(file.name, options);       // throws if totalBytes is too large for memory
//! imp.push(uint8Array);                                // per chunk; throws on a fatal problem
//! imp.rowsRead();                                      // data rows parsed so far (text files; 0 for
//! imp.bytesRead();                                     //   xlsx/parquet/geojson until the end)
//! // Cancel = stop pushing and call imp.free().
//!
//! // 2a. Straight to a layer (ENGINE's `Layer`, see layer.rs), with options.mapping or the
//! //     detected one. `finishWithAreas(areas)`: `areas` is a loaded `Layer` whose ids are area
//! //     codes (e.g. a buurt GeoJSON: ids = buurtcode, x/y = centroids), needed when the
//! //     locations are area codes (BU…/WK…/GM…/pc4/pc6). Consumes the importer (don't free it).
//! const layer = imp.finish();                          // or imp.finishWithAreas(areasLayer)
//! layer.summary();   // ImportSummary (below) + { rows, columns } from the layer
//!
//! // 2b. Or first a table, to show a preview and let the user edit the mapping:
//! const table = imp.finishTable();                     // ImportedTable handle; consumes the importer
//! table.preview();                                     // ImportSummary without `location` chosen for sure
//! table.len(); table.columnNames();                    // all columns (numeric and text)
//! table.column(name);                                  // Float64Array (NaN = missing / not numeric)
//! table.textColumn(name);                              // string[] (cells as text)
//! table.issuesCsv();                                   // ';'-CSV of every problem, for download
//! const layer2 = table.toLayer(mapping);               // mapping null = detected; table stays usable
//! const layer3 = table.toLayerWithAreas(mapping, areasLayer);
//! table.free();
//!
//! // RD ⇄ WGS84 for many points (interleaved results):
//! rdToWgs84(xs, ys)      // Float64Array [lat0, lon0, lat1, lon1, …]
//! wgs84ToRd(lats, lons)  // Float64Array [x0, y0, x1, y1, …]
//! ```
//!
//! ```ts
//! type LocationMapping = {
//!   source: { kind: 'rd', x: string, y: string }
//!         | { kind: 'latLon', lat: string, lon: string }
//!         | { kind: 'squareId', column: string, sizeM: number }   // 100 or 500
//!         | { kind: 'areaCode', column: string },                  // needs `areas`
//!   idColumn: string | null,                                        // null = row numbers
//! };
//! type Issue = { row: number, column: string | null, value: string, reason: string, skipped: boolean };
//! type ImportSummary = {
//!   fileName: string, format: 'delimited'|'xlsx'|'xls'|'ods'|'geoJson'|'parquet',
//!   dialect: { delimiter: string, encoding: string } | null,
//!   sheets: string[], sheet: string | null,
//!   allColumns: string[], numericColumns: string[],
//!   numberFormats: { [column: string]: 'decimalPoint'|'decimalComma'|'mixed' },
//!   location: LocationMapping | null,            // the mapping used (finish/toLayer) or detected (preview)
//!   candidates: LocationMapping['source'][],     // every location the detector recognised
//!   warnings: string[],                          // e.g. "x and y seem swapped … (fix applied)"
//!   suggestedFix: LocationMapping | null,        // preview only: the mapping that fixes a problem
//!   skipped: { count: number, rows: Issue[] },   // rows left out (≤ 5,000 listed)
//!   issues: { count: number, rows: Issue[] },    // cells read as missing etc. (≤ 5,000 listed)
//! };
//! ```
//!
//! When the detected x/y columns are swapped or hold degrees, `finish`/`toLayer` without a
//! mapping apply the suggested fix and say so in `warnings`; coordinates that are simply outside
//! the Netherlands are an error naming the columns and the first row.

use js_sys::Float64Array;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::layer::Layer;
use crate::analysis::area_join::AreaLayer;
use crate::analysis::import::location::{detect_location, locate, LocationMapping, LocationSource};
use crate::analysis::import::{self as imp, ImportError, ImportOptions, ImportedTable, RowIssue};
use crate::analysis::rd::{rd_to_wgs84, wgs84_to_rd};

/// How many issues a summary lists (the count is always complete; `issuesCsv` has them all).
const LIST_MAX: usize = 5_000;

/// An `Error` carrying where the problem is.
fn js_error(e: &ImportError) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("file", JsValue::from_str(e.file()));
    if let Some(r) = e.row() {
        set("row", JsValue::from_f64(f64::from(r)));
    }
    if let Some(c) = e.column() {
        set("column", JsValue::from_str(c));
    }
    if let Some(v) = e.value() {
        set("value", JsValue::from_str(v));
    }
    err.into()
}

fn plain_error(msg: &str) -> JsValue {
    js_sys::Error::new(msg).into()
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| plain_error(&e.to_string()))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ImporterOptions {
    mapping: Option<LocationMapping>,
    sheet: Option<String>,
    delimiter: Option<String>,
    strict: Option<bool>,
    total_bytes: Option<f64>,
}

fn parse_options(
    options: JsValue,
) -> Result<(ImportOptions, Option<LocationMapping>, Option<usize>), JsValue> {
    let o: ImporterOptions = if options.is_undefined() || options.is_null() {
        ImporterOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| plain_error(&format!("importer options: {e}")))?
    };
    let delimiter = match o.delimiter.as_deref() {
        None | Some("") => None,
        Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
        Some("\\t") | Some("tab") => Some(b'\t'),
        Some(d) => {
            return Err(plain_error(&format!(
                "importer options: delimiter {d:?} must be one character"
            )))
        }
    };
    let opts = ImportOptions {
        strict: o.strict.unwrap_or(false),
        delimiter,
        sheet: o.sheet,
        ..Default::default()
    };
    Ok((opts, o.mapping, o.total_bytes.map(|b| b as usize)))
}

/// A file being read, chunk by chunk.
#[wasm_bindgen]
pub struct Importer {
    inner: Option<imp::Importer>,
    mapping: Option<LocationMapping>,
    strict: bool,
}

fn gone() -> JsValue {
    plain_error("this importer has already finished")
}

#[wasm_bindgen]
impl Importer {
    #[wasm_bindgen(constructor)]
    pub fn new(file_name: &str, options: JsValue) -> Result<Importer, JsValue> {
        let (opts, mapping, total) = parse_options(options)?;
        let strict = opts.strict;
        let inner = imp::Importer::new(file_name, total, opts).map_err(|e| js_error(&e))?;
        Ok(Importer {
            inner: Some(inner),
            mapping,
            strict,
        })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .push(chunk)
            .map_err(|e| js_error(&e))
    }

    #[wasm_bindgen(js_name = rowsRead)]
    pub fn rows_read(&self) -> u32 {
        self.inner.as_ref().map_or(0, |i| i.rows_read())
    }

    #[wasm_bindgen(js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |i| i.bytes_read() as f64)
    }

    /// Ends the input and returns the table handle.
    #[wasm_bindgen(js_name = finishTable)]
    pub fn finish_table(&mut self) -> Result<ImportedTableHandle, JsValue> {
        let inner = self.inner.take().ok_or_else(gone)?;
        let table = inner.finish().map_err(|e| js_error(&e))?;
        Ok(ImportedTableHandle {
            table,
            mapping: self.mapping.clone(),
            strict: self.strict,
        })
    }

    /// Ends the input and builds the layer (with `options.mapping`, else the detected one).
    pub fn finish(&mut self) -> Result<Layer, JsValue> {
        let t = self.finish_table()?;
        t.layer(JsValue::NULL, None)
    }

    /// As `finish`, placing area codes at the centroids of `areas` (a layer whose ids are codes).
    #[wasm_bindgen(js_name = finishWithAreas)]
    pub fn finish_with_areas(&mut self, areas: &Layer) -> Result<Layer, JsValue> {
        let t = self.finish_table()?;
        t.layer(JsValue::NULL, Some(areas))
    }
}

/// An imported table (all columns), kept in wasm memory.
#[wasm_bindgen(js_name = ImportedTable)]
pub struct ImportedTableHandle {
    table: ImportedTable,
    mapping: Option<LocationMapping>,
    strict: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueList<'a> {
    count: usize,
    rows: Vec<&'a RowIssue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    file_name: &'a str,
    format: imp::FileFormat,
    dialect: Option<&'a imp::CsvDialect>,
    sheets: &'a [String],
    sheet: Option<&'a str>,
    all_columns: Vec<&'a str>,
    numeric_columns: Vec<&'a str>,
    number_formats: serde_json::Map<String, serde_json::Value>,
    location: Option<LocationMapping>,
    candidates: Vec<LocationSource>,
    warnings: Vec<String>,
    suggested_fix: Option<LocationMapping>,
    skipped: IssueList<'a>,
    issues: IssueList<'a>,
}

fn summary<'a>(
    t: &'a ImportedTable,
    extra: &'a [RowIssue],
    location: Option<LocationMapping>,
    candidates: Vec<LocationSource>,
    warnings: Vec<String>,
    suggested_fix: Option<LocationMapping>,
) -> Summary<'a> {
    let all = || t.issues.iter().chain(extra.iter());
    let list = |skipped: bool| IssueList {
        count: all().filter(|i| i.skipped == skipped).count(),
        rows: all()
            .filter(|i| i.skipped == skipped)
            .take(LIST_MAX)
            .collect(),
    };
    let mut number_formats = serde_json::Map::new();
    for c in &t.columns {
        if let Some(f) = c.number_format {
            number_formats.insert(c.name.clone(), serde_json::to_value(f).unwrap_or_default());
        }
    }
    Summary {
        file_name: &t.file_name,
        format: t.format,
        dialect: t.dialect.as_ref(),
        sheets: &t.sheet_names,
        sheet: t.sheet.as_deref(),
        all_columns: t.columns.iter().map(|c| c.name.as_str()).collect(),
        numeric_columns: t
            .columns
            .iter()
            .filter(|c| c.is_numeric())
            .map(|c| c.name.as_str())
            .collect(),
        number_formats,
        location,
        candidates,
        warnings,
        suggested_fix,
        skipped: list(true),
        issues: list(false),
    }
}

#[wasm_bindgen(js_class = ImportedTable)]
impl ImportedTableHandle {
    pub fn len(&self) -> u32 {
        self.table.n_rows() as u32
    }

    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.table.n_rows() == 0
    }

    #[wasm_bindgen(js_name = columnNames)]
    pub fn column_names(&self) -> Vec<String> {
        self.table.columns.iter().map(|c| c.name.clone()).collect()
    }

    pub fn column(&self, name: &str) -> Result<Float64Array, JsValue> {
        let c = self
            .table
            .column(name)
            .ok_or_else(|| unknown(&self.table, name))?;
        Ok(match &c.values {
            Some(v) => Float64Array::from(v.as_slice()),
            None => Float64Array::from(vec![f64::NAN; self.table.n_rows()].as_slice()),
        })
    }

    #[wasm_bindgen(js_name = textColumn)]
    pub fn text_column(&self, name: &str) -> Result<Vec<String>, JsValue> {
        let c = self
            .table
            .column(name)
            .ok_or_else(|| unknown(&self.table, name))?;
        Ok((0..self.table.n_rows()).map(|i| c.cell_text(i)).collect())
    }

    #[wasm_bindgen(js_name = issuesCsv)]
    pub fn issues_csv(&self) -> String {
        self.table.issues_csv()
    }

    /// The preview: columns, dialect, sheets, detected location mapping, problems.
    pub fn preview(&self) -> Result<JsValue, JsValue> {
        let det = detect_location(&self.table);
        let location = self.mapping.clone().or(det.mapping);
        let warnings = det.problem.into_iter().collect();
        to_js(&summary(
            &self.table,
            &[],
            location,
            det.candidates,
            warnings,
            det.suggested_fix,
        ))
    }

    /// A layer from this table, with `mapping` (null = the importer's option, else detected).
    #[wasm_bindgen(js_name = toLayer)]
    pub fn to_layer(&self, mapping: JsValue) -> Result<Layer, JsValue> {
        self.layer(mapping, None)
    }

    /// As `toLayer`, placing area codes at the centroids of `areas` (a layer whose ids are codes).
    #[wasm_bindgen(js_name = toLayerWithAreas)]
    pub fn to_layer_with_areas(&self, mapping: JsValue, areas: &Layer) -> Result<Layer, JsValue> {
        self.layer(mapping, Some(areas))
    }
}

impl ImportedTableHandle {
    fn layer(&self, mapping: JsValue, areas: Option<&Layer>) -> Result<Layer, JsValue> {
        let given: Option<LocationMapping> = if mapping.is_null() || mapping.is_undefined() {
            self.mapping.clone()
        } else {
            Some(
                serde_wasm_bindgen::from_value(mapping)
                    .map_err(|e| plain_error(&format!("mapping: {e}")))?,
            )
        };
        let det = detect_location(&self.table);
        let mut warnings = Vec::new();
        let mapping = match given {
            Some(m) => m,
            None => match (
                det.problem.clone(),
                det.suggested_fix.clone(),
                det.mapping.clone(),
            ) {
                (Some(p), Some(fix), _) => {
                    warnings.push(format!("{p} (fix applied)"));
                    fix
                }
                (None, _, Some(m)) => m,
                _ => {
                    let e = detect_location(&self.table)
                        .into_mapping(&self.table)
                        .err()
                        .unwrap_or(ImportError::NoLocation {
                            file: self.table.file_name.clone(),
                            available: String::new(),
                        });
                    return Err(js_error(&e));
                }
            },
        };
        let area_layer = areas.map(|l| AreaLayer::from_location_table("areas", &l.table()));
        let (table, located) = locate(&self.table, &mapping, area_layer.as_ref(), self.strict)
            .map_err(|e| js_error(&e))?;
        let s = summary(
            &self.table,
            &located,
            Some(mapping),
            det.candidates,
            warnings,
            None,
        );
        let value = serde_json::to_value(&s).map_err(|e| plain_error(&e.to_string()))?;
        Ok(Layer::with_summary(table, value))
    }
}

fn unknown(t: &ImportedTable, name: &str) -> JsValue {
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    plain_error(&format!(
        "unknown column {name:?} (the file has: {})",
        names.join(", ")
    ))
}

/// RD New → WGS84 for many points: `[lat0, lon0, lat1, lon1, …]`.
#[wasm_bindgen(js_name = rdToWgs84)]
pub fn rd_to_wgs84_many(xs: &[f64], ys: &[f64]) -> Float64Array {
    let mut out = Vec::with_capacity(2 * xs.len());
    for (&x, &y) in xs.iter().zip(ys) {
        let (lat, lon) = rd_to_wgs84(x, y);
        out.push(lat);
        out.push(lon);
    }
    Float64Array::from(out.as_slice())
}

/// WGS84 → RD New for many points: `[x0, y0, x1, y1, …]`.
#[wasm_bindgen(js_name = wgs84ToRd)]
pub fn wgs84_to_rd_many(lats: &[f64], lons: &[f64]) -> Float64Array {
    let mut out = Vec::with_capacity(2 * lats.len());
    for (&lat, &lon) in lats.iter().zip(lons) {
        let (x, y) = wgs84_to_rd(lat, lon);
        out.push(x);
        out.push(y);
    }
    Float64Array::from(out.as_slice())
}
