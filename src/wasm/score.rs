//! Buffer sums and shares over a layer, in chunks (thin: convert, call `analysis::buffer_share`).
//!
//! JS API:
//!
//! ```js
//! /** @typedef {{radiusM?: number, denominator: string, numerators: string[],
//!  *             missing?: "zero"|"leave-out", suppressBelow?: number}} ScoreSettings
//!  *  defaults: radiusM 200, missing "zero" (a missing value counts as 0), suppressBelow 10 */
//! const job = new ScoreJob(layer, settings); // validates and builds the index; throws Error
//!                                            //   naming the bad column/value
//! let p = 0;
//! while (p < 1) { p = job.step(50000); /* yield to the event loop; cancel = stop + job.free() */ }
//!   // step(maxWork): scores about maxWork more locations (≈ 1 µs each at R = 200 m);
//!   // returns the progress 0..1. job.progress() returns it too.
//! const r = job.finish();   // throws if progress < 1; the job is spent afterwards (free it)
//!   // r = {radiusM, denominatorSum: Float64Array, numeratorSums: Float64Array[],
//!   //      shares: Float64Array[]}   one entry per numerator, in settings order;
//!   // one value per location in layer order; NaN = missing: a share where the denominator
//!   // sum is 0 or below suppressBelow, and everything of a location left out under "leave-out"
//! job.free();
//!
//! syntheticTowns(n, seed)   // a Layer of n seeded town-shaped locations (benchmarks; columns
//!                           //   woningen, corporatie, uitkering)
//! ```
//!
//! The job shares the layer's table (no copy), so the layer may be freed before the job.

use std::rc::Rc;

use js_sys::{Array, Float64Array, Object, Reflect};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::layer::Layer;
use crate::analysis::buffer_share::{self, ScoreResult, ScoreSettings};
use crate::analysis::missing::MissingPolicy;
use crate::analysis::suppression::DEFAULT_SUPPRESS_BELOW;
use crate::analysis::synthetic::synthetic_towns_without_ids;
use crate::analysis::table::LocationTable;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsIn {
    radius_m: Option<f64>,
    denominator: String,
    numerators: Vec<String>,
    missing: Option<String>,
    suppress_below: Option<f64>,
}

#[wasm_bindgen(js_name = ScoreJob)]
pub struct ScoreJobHandle {
    table: Rc<LocationTable>,
    radius_m: f64,
    job: Option<buffer_share::ScoreJob>,
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("cannot set a result field"))
}

fn arrays(columns: &[Vec<f64>]) -> Array {
    columns
        .iter()
        .map(|c| JsValue::from(Float64Array::from(c.as_slice())))
        .collect()
}

#[wasm_bindgen(js_class = ScoreJob)]
impl ScoreJobHandle {
    #[wasm_bindgen(constructor)]
    pub fn new(layer: &Layer, settings: JsValue) -> Result<ScoreJobHandle, JsError> {
        let s: SettingsIn = serde_wasm_bindgen::from_value(settings)
            .map_err(|e| JsError::new(&format!("score settings: {e}")))?;
        let missing = match s.missing.as_deref() {
            None => MissingPolicy::CountAsZero,
            Some(m) => m.parse().map_err(|e| JsError::new(&format!("{e}")))?,
        };
        let settings = ScoreSettings {
            radius_m: s.radius_m.unwrap_or(200.0),
            denominator: s.denominator,
            numerators: s.numerators,
            missing,
            suppress_below: s.suppress_below.unwrap_or(DEFAULT_SUPPRESS_BELOW),
        };
        let table = layer.table();
        let job = buffer_share::ScoreJob::new(&table, &settings)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(ScoreJobHandle {
            table,
            radius_m: settings.radius_m,
            job: Some(job),
        })
    }

    pub fn step(&mut self, max_work: u32) -> Result<f64, JsError> {
        let job = self
            .job
            .as_mut()
            .ok_or_else(|| JsError::new("this score job is already finished"))?;
        Ok(job.step(&self.table, max_work as usize))
    }

    pub fn progress(&self) -> f64 {
        self.job.as_ref().map_or(1.0, |j| j.progress())
    }

    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        if !self.job.as_ref().is_some_and(|j| j.is_done()) {
            return Err(JsError::new(&format!(
                "this score job is not finished (progress {:.3}) or already taken",
                self.progress()
            )));
        }
        let job = self
            .job
            .take()
            .ok_or_else(|| JsError::new("this score job is already finished"))?;
        let r: ScoreResult = job.finish().map_err(|e| JsError::new(&e.to_string()))?;
        let out = Object::new();
        set(&out, "radiusM", &JsValue::from_f64(self.radius_m))?;
        set(
            &out,
            "denominatorSum",
            &Float64Array::from(r.denominator_sum.as_slice()).into(),
        )?;
        set(&out, "numeratorSums", &arrays(&r.numerator_sums).into())?;
        set(&out, "shares", &arrays(&r.shares).into())?;
        Ok(out.into())
    }
}

#[wasm_bindgen(js_name = syntheticTowns)]
pub fn synthetic_towns(n: u32, seed: u32) -> Layer {
    Layer::from_table(synthetic_towns_without_ids(n as usize, u64::from(seed)))
}
