//! Portfolio scenarios over a loaded layer (thin: the logic is in `analysis::scenario` and
//! `analysis::scenario_summary`).
//!
//! JS API:
//!
//! ```js
//! const sc = new Scenario(layer, {
//!   radiusM: 200, dwellings: 'aantal_woningen',
//!   corporation: 'aantal_huurwoningen_in_bezit_woningcorporaties',
//!   missing: 'zero' | 'leave-out', suppressBelow: 10 });
//! sc.apply({ label: 'Verkoop Oude Westen', changes: [
//!   { row: 12, kind: 'sell' | 'liberalise' | 'demolish' | 'newBuildSocial' | 'newBuildMidRent',
//!     dwellings: 8 }, … ] })     // → Uint32Array of the rows whose sums changed; throws (nothing
//!                                //   changed) when a change is impossible, naming the location
//! sc.undo() / sc.redo()          // → Uint32Array of changed rows, or undefined when nothing to do
//! sc.canUndo() / sc.canRedo()
//! sc.steps()                     // [{label, changes:[…]}] applied so far (for the project file)
//! sc.redoSteps()                 // the undone steps, next redo first (for the project file)
//! sc.sharesBefore()              // Float64Array: corporation share within R before any step (NaN = none/suppressed)
//! sc.shares()                    // Float64Array: the same now
//! sc.sharesAt(rows)              // Float64Array: the share now of the given rows (Uint32Array)
//! sc.setAreas(fileName, bytes)   // bind the locations to the areas of a polygon file (GeoJSON with
//!                                //   BU/WK/GM codes); → [{level, codes, names, located}] (buurt,
//!                                //   then gemeente read from the codes); the summary lists per area
//! sc.clearAreas()
//! sc.dwellings() / sc.corporation()          // Float64Array: current counts per location
//! sc.dwellingsSum() / sc.corporationSum()    // Float64Array: current sums within R
//! sc.summary(settings)           // ScenarioSummary (see analysis::scenario_summary): settings
//!                                //   {thresholdsPct:[40,50,60,80], bands:{lowerEdgesPct:[…]},
//!                                //   suppressBelow: 10} (all optional); per area when areas are set
//! sc.free()
//! ```

use js_sys::{Float64Array, Uint32Array};
use serde::{Deserialize, Serialize as _};
use wasm_bindgen::prelude::*;

use super::layer::Layer;
use crate::analysis::area_join::{area_levels, AreaAssignment, AreaLayer};
use crate::analysis::missing::MissingPolicy;
use crate::analysis::scenario::{ScenarioEngine, Step, Update};
use crate::analysis::scenario_summary::{summarise, AreaLevel, BeforeAfter, SummarySettings};
use crate::analysis::suppression::Suppression;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScenarioOptions {
    radius_m: f64,
    dwellings: String,
    corporation: String,
    #[serde(default)]
    missing: Option<String>,
    #[serde(default)]
    suppress_below: Option<f64>,
}

#[wasm_bindgen]
pub struct Scenario {
    engine: ScenarioEngine,
    suppression: Suppression,
    dwellings_before: Vec<f64>,
    shares_before: Vec<f64>,
    levels: Vec<AreaAssignment>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct LevelOut<'a> {
    level: &'a str,
    codes: &'a [String],
    names: &'a [String],
    /// Locations that lie in an area of this level.
    located: u32,
}

use super::js_err as err;

fn rows(u: Update) -> Uint32Array {
    Uint32Array::from(u.affected_rows.as_slice())
}

#[wasm_bindgen]
impl Scenario {
    #[wasm_bindgen(constructor)]
    pub fn new(layer: &Layer, options: JsValue) -> Result<Scenario, JsError> {
        let o: ScenarioOptions = serde_wasm_bindgen::from_value(options).map_err(err)?;
        let missing: MissingPolicy = o
            .missing
            .as_deref()
            .unwrap_or("zero")
            .parse()
            .map_err(err)?;
        let suppression = match o.suppress_below {
            Some(k) => Suppression::new(k).map_err(err)?,
            None => Suppression::default(),
        };
        let t = layer.table();
        let col = |name: &str| super::column_values(&t, name);
        let engine = ScenarioEngine::new(
            &t.x_rd,
            &t.y_rd,
            &t.ids,
            col(&o.dwellings)?,
            col(&o.corporation)?,
            o.radius_m,
            missing,
        )
        .map_err(err)?;
        Ok(Scenario {
            shares_before: engine.shares(suppression),
            dwellings_before: engine.dwellings().to_vec(),
            engine,
            suppression,
            levels: Vec::new(),
        })
    }

    /// The engine (current counts) for the placement check on the scenario.
    pub(crate) fn engine(&self) -> &ScenarioEngine {
        &self.engine
    }

    pub fn apply(&mut self, step: JsValue) -> Result<Uint32Array, JsError> {
        let step: Step = serde_wasm_bindgen::from_value(step).map_err(err)?;
        self.engine.apply(step).map(rows).map_err(err)
    }

    pub fn undo(&mut self) -> Option<Uint32Array> {
        self.engine.undo().map(rows)
    }

    pub fn redo(&mut self) -> Option<Uint32Array> {
        self.engine.redo().map(rows)
    }

    #[wasm_bindgen(js_name = canUndo)]
    pub fn can_undo(&self) -> bool {
        self.engine.can_undo()
    }

    #[wasm_bindgen(js_name = canRedo)]
    pub fn can_redo(&self) -> bool {
        self.engine.can_redo()
    }

    #[wasm_bindgen(js_name = redoSteps)]
    pub fn redo_steps(&self) -> Result<JsValue, JsError> {
        self.engine
            .redo_steps()
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(err)
    }

    #[wasm_bindgen(js_name = sharesAt)]
    pub fn shares_at(&self, rows: &[u32]) -> Result<Float64Array, JsError> {
        let n = self.engine.len();
        if let Some(&row) = rows.iter().find(|&&r| r as usize >= n) {
            return Err(err(format!(
                "row {row} does not exist: the layer has {n} locations"
            )));
        }
        let out: Vec<f64> = rows
            .iter()
            .map(|&r| self.engine.share(r as usize, self.suppression))
            .collect();
        Ok(Float64Array::from(out.as_slice()))
    }

    #[wasm_bindgen(js_name = setAreas)]
    pub fn set_areas(
        &mut self,
        layer: &Layer,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<JsValue, JsError> {
        let areas = AreaLayer::from_file(file_name, bytes).map_err(err)?;
        let t = layer.table();
        if t.len() != self.engine.len() {
            return Err(err(format!(
                "the layer has {} locations, the scenario {}",
                t.len(),
                self.engine.len()
            )));
        }
        self.levels = area_levels(&areas, &t.x_rd, &t.y_rd);
        let out: Vec<LevelOut> = self
            .levels
            .iter()
            .map(|l| LevelOut {
                level: &l.level,
                codes: &l.codes,
                names: &l.names,
                located: l.area_of.iter().filter(|&&a| a != u32::MAX).count() as u32,
            })
            .collect();
        out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(err)
    }

    #[wasm_bindgen(js_name = clearAreas)]
    pub fn clear_areas(&mut self) {
        self.levels.clear();
    }

    pub fn steps(&self) -> Result<JsValue, JsError> {
        self.engine
            .steps()
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(err)
    }

    #[wasm_bindgen(js_name = sharesBefore)]
    pub fn shares_before(&self) -> Float64Array {
        Float64Array::from(self.shares_before.as_slice())
    }

    pub fn shares(&self) -> Float64Array {
        Float64Array::from(self.engine.shares(self.suppression).as_slice())
    }

    pub fn dwellings(&self) -> Float64Array {
        Float64Array::from(self.engine.dwellings())
    }

    pub fn corporation(&self) -> Float64Array {
        Float64Array::from(self.engine.corporation())
    }

    #[wasm_bindgen(js_name = dwellingsSum)]
    pub fn dwellings_sum(&self) -> Float64Array {
        Float64Array::from(self.engine.dwellings_sum())
    }

    #[wasm_bindgen(js_name = corporationSum)]
    pub fn corporation_sum(&self) -> Float64Array {
        Float64Array::from(self.engine.corporation_sum())
    }

    pub fn summary(&self, settings: JsValue) -> Result<JsValue, JsError> {
        let settings: SummarySettings = if settings.is_undefined() || settings.is_null() {
            SummarySettings {
                suppress_below: self.suppression.k(),
                ..Default::default()
            }
        } else {
            serde_wasm_bindgen::from_value(settings).map_err(err)?
        };
        let levels: Vec<AreaLevel> = self
            .levels
            .iter()
            .map(|l| AreaLevel {
                level: &l.level,
                area_of: &l.area_of,
                codes: &l.codes,
            })
            .collect();
        let after = self.engine.shares(self.suppression);
        let s = summarise(
            BeforeAfter {
                share_before: &self.shares_before,
                share_after: &after,
                dwellings_before: &self.dwellings_before,
                dwellings_after: self.engine.dwellings(),
            },
            &levels,
            &settings,
        )
        .map_err(err)?;
        s.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(err)
    }
}
