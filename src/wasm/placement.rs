//! Placement check of candidate vacant dwellings (thin: the logic is in `analysis::placement`).
//!
//! JS API:
//!
//! ```js
//! placementCheck(layer, {
//!     dwellings: 'aantal_woningen', corporation: 'aantal_huurwoningen_in_bezit_woningcorporaties',
//!     group: 'aantal_personen_met_uitkering_onder_aowlft', groupDenominator: 'aantal_inwoners',
//!     missing: 'zero' | 'leave-out',
//!     settings: { radiusM: 200, groupThresholdPct: 20, corporationThresholdPct: 50, suppressBelow: 10 },
//!   },
//!   candidateX, candidateY,   // Float64Array, RD New metres (e.g. candidatesLayer.x()/.y(), or clicks)
//!   candidateIds)             // string[]
//! // → [{rank, candidate, id, groupShare|null, corporationShare|null, groupFlag, corporationFlag,
//! //     suppressed}], least concentrated first; throws with the reason on a bad column or point
//!
//! placementCheckScenario(layer, scenario, options, candidateX, candidateY, candidateIds)
//! // the same on a scenario's current counts: dwellings and corporation dwellings as the scenario
//! // (src/wasm/scenario.rs) has them after its steps; the group columns from the layer
//! ```

use serde::{Deserialize, Serialize as _};
use wasm_bindgen::prelude::*;

use super::layer::Layer;
use super::scenario::Scenario;
use crate::analysis::missing::MissingPolicy;
use crate::analysis::placement::{rank_candidates, Candidate, PlacementLayer, PlacementSettings};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlacementOptions {
    dwellings: String,
    corporation: String,
    group: String,
    group_denominator: String,
    #[serde(default)]
    missing: Option<String>,
    #[serde(default)]
    settings: PlacementSettings,
}

use super::js_err as err;

#[wasm_bindgen(js_name = placementCheck)]
pub fn placement_check(
    layer: &Layer,
    options: JsValue,
    candidate_x: Vec<f64>,
    candidate_y: Vec<f64>,
    candidate_ids: Vec<String>,
) -> Result<JsValue, JsError> {
    check(
        layer,
        None,
        options,
        candidate_x,
        candidate_y,
        candidate_ids,
    )
}

#[wasm_bindgen(js_name = placementCheckScenario)]
pub fn placement_check_scenario(
    layer: &Layer,
    scenario: &Scenario,
    options: JsValue,
    candidate_x: Vec<f64>,
    candidate_y: Vec<f64>,
    candidate_ids: Vec<String>,
) -> Result<JsValue, JsError> {
    check(
        layer,
        Some(scenario),
        options,
        candidate_x,
        candidate_y,
        candidate_ids,
    )
}

fn check(
    layer: &Layer,
    scenario: Option<&Scenario>,
    options: JsValue,
    candidate_x: Vec<f64>,
    candidate_y: Vec<f64>,
    candidate_ids: Vec<String>,
) -> Result<JsValue, JsError> {
    let o: PlacementOptions = serde_wasm_bindgen::from_value(options).map_err(err)?;
    let missing: MissingPolicy = o
        .missing
        .as_deref()
        .unwrap_or("zero")
        .parse()
        .map_err(err)?;
    if candidate_y.len() != candidate_x.len() || candidate_ids.len() != candidate_x.len() {
        return Err(err(format!(
            "candidates: {} x, {} y and {} ids must be equally many",
            candidate_x.len(),
            candidate_y.len(),
            candidate_ids.len()
        )));
    }
    let t = layer.table();
    let col = |name: &str| super::column_values(&t, name);
    let candidates: Vec<Candidate> = candidate_ids
        .into_iter()
        .zip(candidate_x.iter().zip(&candidate_y))
        .map(|(id, (&x_rd, &y_rd))| Candidate { id, x_rd, y_rd })
        .collect();
    let (dwellings, corporation) = match scenario {
        Some(s) if s.engine().len() == t.len() => {
            (s.engine().dwellings(), s.engine().corporation())
        }
        Some(s) => {
            return Err(err(format!(
                "the scenario has {} locations, the layer {}",
                s.engine().len(),
                t.len()
            )))
        }
        None => (col(&o.dwellings)?, col(&o.corporation)?),
    };
    let rows = rank_candidates(
        PlacementLayer {
            x_rd: &t.x_rd,
            y_rd: &t.y_rd,
            dwellings,
            corporation,
            group: col(&o.group)?,
            group_denominator: col(&o.group_denominator)?,
        },
        &candidates,
        missing,
        &o.settings,
    )
    .map_err(err)?;
    rows.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(err)
}
