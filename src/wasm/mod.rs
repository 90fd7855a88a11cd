//! The thin binding half: each export converts its inputs, calls one analysis function and
//! converts the answer back. No logic lives here.
pub mod analyse;
pub mod import;
pub mod layer;
mod panic;
pub mod placement;
pub mod scenario;
pub mod score;

use wasm_bindgen::JsError;

use crate::analysis::table::LocationTable;

/// An analysis error as a JS `Error` carrying the error's own message.
pub(crate) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// One column of a layer's table by name, or an error naming it.
pub(crate) fn column_values<'a>(t: &'a LocationTable, name: &str) -> Result<&'a [f64], JsError> {
    t.column(name)
        .map(|c| c.values.as_slice())
        .ok_or_else(|| js_err(format!("unknown column {name:?}")))
}
