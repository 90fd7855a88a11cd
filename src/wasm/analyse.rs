//! The analyses for the page (thin: convert, call one `analysis` function, convert back).
//!
//! Every function takes columns as `Float64Array` (one value per location, `NaN` = missing) and a
//! settings object (plain JSON; `undefined`/`null` or missing fields = defaults, see
//! [`defaultAnalysisSettings`]), and returns a plain object (camelCase fields, `null` for "no
//! value", shares `0..1`, percentages named `…Pct`). Errors are thrown as `Error` with a message
//! that names the bad value. The same results come out of `veerkracht analyse … --format json`
//! (see `docs/ANALYSE-FORMAT.md`).
//!
//! ```js
//! /** @typedef {{lowerEdgesPct: number[]}} BandSettings  default [0,10,…,80] */
//! /** @typedef {{index:number,label:string,lowerPct:number,upperPct:number|null}} BandInfo */
//!
//! defaultAnalysisSettings(kind)      // kind: "bands" | "index" | "trend" | "tippingPoint" |
//!                                    //   "bivariate" | "typology" | "profile" | "areaJoin"
//! bandOfLocations(share, settings)   // → Int32Array, band per location, -1 = none (map colours)
//! analyseBands(share, dwellings, settings)
//!   // dwellings may be an empty array; settings: BandSettings
//!   // → {bands:[BandInfo & {locations, dwellings|null}], outsideLocations, outsideDwellings,
//!   //    locationsMissingDwellings}
//! analyseIndex(share, group, denominator, settings)
//!   // settings {bands, referenceSharePct|null (null = whole loaded area), suppressBelow: 10}
//!   // → {rows:[BandInfo & {locations, denominatorSum, groupSum|null, share|null, index|null,
//!   //    suppressed}], referenceShare, referenceSource:"national"|"loadedArea",
//!   //    locationsUsed, locationsMissing, locationsOutsideBands}
//! analyseTrend(shareA, groupA, denominatorA, shareB, groupB, denominatorB, settings)
//!   // settings {bands, referenceASharePct, referenceBSharePct, suppressBelow, highFromPct: 80,
//!   //           lowUpToPct: 10}
//!   // → {rows:[BandInfo & {locationsA, locationsB, shareA, shareB, indexA, indexB, change,
//!   //    suppressedA, suppressedB}], gap:{highBands, lowBands, indexHighA, indexLowA,
//!   //    indexHighB, indexLowB, gapA, gapB, gapGrowth}, referenceAShare, referenceBShare, …}
//! joinAreaScores(scoreCodes, years, values, areaCodes, areaShare, areaDwellings, settings)
//!   // long score table (e.g. Leefbaarometer bu_code/jaar/afw) joined to areas (KWB buurtcode,
//!   // perc_huurwoningen_in_bezit_woningcorporaties, woningvoorraad); areaDwellings may be empty
//!   // settings {yearA: 2014, yearB: 2022, shareUnit: "auto"|"percent"|"fraction"}
//!   // → {codes, corporationShare, scoreA, scoreB, dwellings (Float64Array each, NaN = missing),
//!   //    report:{areasWithScores, matched, unmatched, unmatchedCodes, missingShare,
//!   //    missingScoreA, missingScoreB, shareInPercent}}
//! analyseTippingPoint(share, scoreA, scoreB, settings)
//!   // settings {bands, bandPosition:"meanShare"|"midpoint", minLocationsPerBand: 5,
//!   //   breakpointStep: 0.005, minLocationsPerSegment: 10, bootstrapReplicates: 1000,
//!   //   confidence: 0.95, seed: 1}
//!   // → {locationsUsed, locationsMissing, locationsOutsideBands, meanChange,
//!   //    bands:[BandInfo & {locations, positionShare, meanShare, meanChange, sdChange, used}],
//!   //    interpolated:{status, share, interval:{lower, upper, confidence,
//!   //                  replicatesWithEstimate}|null},
//!   //    brokenLine:{breakpoint, intercept, slopeBefore, slopeAfter, sse, minShare, maxShare,
//!   //                breakpointInterval}|null,
//!   //    brokenLineCrossing:{status, share, interval}, bootstrapReplicates, seed}
//!   // status: "crossing" | "neverNegative" | "negativeFromStart" | "tooFewData".
//!   // weighted: false (see analyseTippingPointWeighted)
//!   // Fitted line: y = intercept + slopeBefore·min(x, breakpoint)
//!   //                  + slopeAfter·max(x − breakpoint, 0)
//! analyseTippingPointWeighted(share, scoreA, scoreB, weights, settings)
//!   // the same with a weight per location (e.g. joinAreaScores(...).dwellings): weighted band
//!   // means, mean change and fit; locations with a missing or non-positive weight are left out
//! weightedMeanPerArea(areaOfLocation, areaCount, values, weights, suppressBelow)
//!   // areaOfLocation: Uint32Array (area index per location, 4294967295 = none), e.g. the
//!   // squares' buffer shares (values) weighted by their dwellings → the buurt share within the
//!   // radius, to pass as areaShare to joinAreaScores (settings.shareUnit "fraction")
//!   // → {mean: Float64Array (NaN = none/suppressed), locations: Uint32Array,
//!   //    weightSum: Float64Array, suppressed: boolean[], locationsInNoArea}
//! analyseBivariate(levelA, levelB, settings)
//!   // settings {level:{kind:"tertiles"}|{kind:"breaks",low,high}, change: same}
//!   // → {classes: Uint8Array (3·levelClass + changeClass, 255 = missing), levelBreaks,
//!   //    changeBreaks, counts[level][change], locationsMissing}
//! analyseTypology(columnNames, columnValues, settings)
//!   // columnValues: one Float64Array of all columns one after another (column-major, each
//!   //   of length columnValues.length / columnNames.length)
//!   // settings {rules:[{class, label, when:[{column, op:">="|">"|"<"|"<=",
//!   //            threshold:{value:x}|{quantile:q}}]}], intensity:{column, columnB?, breaks}|null}
//!   //   (intensity value = column, or columnB − column: the increase between two years)
//!   // → {rule: Uint8Array (rule index, 255 = none), intensity: Uint8Array (255 = none),
//!   //    rules:[{class, label, conditions:[{column, op, value, text}], locations,
//!   //    byIntensity}], unclassified}
//! analyseSeries(codes, years, columnNames, columnValues, shareCodes, share, settings)
//!   // long score table (codes, years, columns column-major as in analyseTypology); shareCodes/
//!   // share (0..1) per area for band grouping (may be empty for level grouping)
//!   // settings {groupBy:{kind:"level", column:"lbm", baseYear:2012, breaks:{kind:"tertiles"}}
//!   //           | {kind:"band", bands}}
//!   // → {years, groups:[{group, label:"low"|"mid"|"high"|band label, areas,
//!   //    columns:[{column, points:[{year, locations, mean}]}]}], levelBreaks, areasWithoutGroup}
//! areaProfile(columnNames, columnValues, xRd, yRd, location, settings)
//!   // xRd/yRd may be empty (areas: own figures); location = row index
//!   // settings {radiusM: 200, suppressBelow: 10, bands, corporationColumn, dwellingsColumn,
//!   //   corporationShareColumn|null (areas with a given share, e.g. KWB percent),
//!   //   corporationShareInPercent: true,
//!   //   groups:[{label, numerator, denominator, numeratorB, denominatorB,
//!   //            referenceSharePct, referenceBSharePct}]}
//!   // → {location, scope:"radius"|"own", radiusM, own:[{name, value}], withinRadius,
//!   //    locationsWithinRadius, corporationShare, corporationShareSuppressed, band,
//!   //    groups:[{label, shareA, shareB, change, indexA, indexB, referenceA, referenceB,
//!   //             suppressedA, suppressedB}]}
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::{
    area_profile, band_index, bands, bivariate, buurt_join, group_stats, map_classes,
    tipping_point, trend, typology,
};

fn settings<T: DeserializeOwned + Default>(v: JsValue) -> Result<T, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| JsError::new(&format!("settings: {e}")))
}

fn out<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

use super::js_err as err;

fn set(obj: &JsValue, key: &str, value: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("cannot set a result field"))
}

/// `columnValues` split into `columnNames.len()` columns.
fn columns<'a>(
    names: &'a [String],
    values: &'a [f64],
) -> Result<Vec<typology::NamedColumn<'a>>, JsError> {
    if names.is_empty() {
        return Ok(vec![]);
    }
    if values.len() % names.len() != 0 {
        return Err(JsError::new(&format!(
            "columnValues has {} numbers, not a multiple of the {} column names",
            values.len(),
            names.len()
        )));
    }
    let n = values.len() / names.len();
    Ok(names
        .iter()
        .zip(values.chunks(n.max(1)))
        .map(|(name, v)| typology::NamedColumn { name, values: v })
        .collect())
}

/// The default settings object of an analysis (to build the settings form).
#[wasm_bindgen(js_name = defaultAnalysisSettings)]
pub fn default_analysis_settings(kind: &str) -> Result<JsValue, JsError> {
    match kind {
        "bands" => out(&bands::BandSettings::default()),
        "index" => out(&band_index::IndexSettings::default()),
        "trend" => out(&trend::TrendSettings::default()),
        "tippingPoint" => out(&tipping_point::TippingPointSettings::default()),
        "bivariate" => out(&bivariate::BivariateSettings::default()),
        "typology" => out(&typology::TypologySettings::default()),
        "profile" => out(&area_profile::ProfileSettings::default()),
        "areaJoin" => out(&buurt_join::BuurtJoinSettings::default()),
        "series" => out(&group_stats::SeriesSettings::default()),
        "change" => out(&map_classes::ChangeSettings::default()),
        other => Err(JsError::new(&format!("unknown analysis '{other}'"))),
    }
}

#[wasm_bindgen(js_name = bandOfLocations)]
pub fn band_of_locations(share: &[f64], settings_js: JsValue) -> Result<Vec<i32>, JsError> {
    let s: bands::BandSettings = settings(settings_js)?;
    Ok(bands::Bands::new(&s).map_err(err)?.assign(share))
}

#[wasm_bindgen(js_name = analyseBands)]
pub fn analyse_bands(
    share: &[f64],
    dwellings: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: bands::BandSettings = settings(settings_js)?;
    let dw = (!dwellings.is_empty()).then_some(dwellings);
    out(&bands::count_per_band(&s, share, dw).map_err(err)?)
}

#[wasm_bindgen(js_name = analyseIndex)]
pub fn analyse_index(
    share: &[f64],
    group: &[f64],
    denominator: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: band_index::IndexSettings = settings(settings_js)?;
    let cols = band_index::GroupColumns {
        corporation_share: share,
        group,
        denominator,
    };
    out(&band_index::band_index(&s, &cols).map_err(err)?)
}

#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = analyseTrend)]
pub fn analyse_trend(
    share_a: &[f64],
    group_a: &[f64],
    denominator_a: &[f64],
    share_b: &[f64],
    group_b: &[f64],
    denominator_b: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: trend::TrendSettings = settings(settings_js)?;
    let a = band_index::GroupColumns {
        corporation_share: share_a,
        group: group_a,
        denominator: denominator_a,
    };
    let b = band_index::GroupColumns {
        corporation_share: share_b,
        group: group_b,
        denominator: denominator_b,
    };
    out(&trend::trend(&s, &a, &b).map_err(err)?)
}

#[wasm_bindgen(js_name = joinAreaScores)]
pub fn join_area_scores(
    score_codes: Vec<String>,
    years: &[f64],
    values: &[f64],
    area_codes: Vec<String>,
    area_share: &[f64],
    area_dwellings: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: buurt_join::BuurtJoinSettings = settings(settings_js)?;
    let joined = buurt_join::join_scores_to_areas(
        &s,
        &buurt_join::LongScores {
            codes: &score_codes,
            years,
            values,
        },
        &buurt_join::AreaShares {
            codes: &area_codes,
            share: area_share,
            dwellings: (!area_dwellings.is_empty()).then_some(area_dwellings),
        },
    )
    .map_err(err)?;
    let obj = JsValue::from(js_sys::Object::new());
    set(&obj, "report", &out(&joined.report)?)?;
    let codes: js_sys::Array = joined.codes.iter().map(|c| JsValue::from_str(c)).collect();
    set(&obj, "codes", &codes)?;
    for (key, v) in [
        ("corporationShare", &joined.corporation_share),
        ("scoreA", &joined.score_a),
        ("scoreB", &joined.score_b),
        ("dwellings", &joined.dwellings),
    ] {
        set(&obj, key, &js_sys::Float64Array::from(&v[..]))?;
    }
    Ok(obj)
}

#[wasm_bindgen(js_name = analyseTippingPoint)]
pub fn analyse_tipping_point(
    share: &[f64],
    score_a: &[f64],
    score_b: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: tipping_point::TippingPointSettings = settings(settings_js)?;
    let input = tipping_point::TippingInput {
        corporation_share: share,
        score_a,
        score_b,
    };
    out(&tipping_point::tipping_point(&s, &input).map_err(err)?)
}

#[wasm_bindgen(js_name = analyseBivariate)]
pub fn analyse_bivariate(
    level_a: &[f64],
    level_b: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: bivariate::BivariateSettings = settings(settings_js)?;
    let mut r = bivariate::bivariate(&s, level_a, level_b).map_err(err)?;
    let classes = std::mem::take(&mut r.classes);
    let obj = out(&r)?;
    set(&obj, "classes", &js_sys::Uint8Array::from(&classes[..]))?;
    Ok(obj)
}

#[wasm_bindgen(js_name = analyseTypology)]
pub fn analyse_typology(
    column_names: Vec<String>,
    column_values: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: typology::TypologySettings = settings(settings_js)?;
    let cols = columns(&column_names, column_values)?;
    let mut r = typology::typology(&s, &cols).map_err(err)?;
    let (rule, intensity) = (
        std::mem::take(&mut r.rule),
        std::mem::take(&mut r.intensity),
    );
    let obj = out(&r)?;
    set(&obj, "rule", &js_sys::Uint8Array::from(&rule[..]))?;
    set(&obj, "intensity", &js_sys::Uint8Array::from(&intensity[..]))?;
    Ok(obj)
}

#[wasm_bindgen(js_name = areaProfile)]
pub fn area_profile_of(
    column_names: Vec<String>,
    column_values: &[f64],
    x_rd: &[f64],
    y_rd: &[f64],
    location: u32,
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: area_profile::ProfileSettings = settings(settings_js)?;
    let cols = columns(&column_names, column_values)?;
    let has_xy = !x_rd.is_empty();
    let input = area_profile::ProfileInput {
        x_rd: has_xy.then_some(x_rd),
        y_rd: has_xy.then_some(y_rd),
        columns: &cols,
    };
    out(&area_profile::area_profile(&s, &input, location as usize).map_err(err)?)
}

#[wasm_bindgen(js_name = analyseSeries)]
pub fn analyse_series(
    codes: Vec<String>,
    years: &[f64],
    column_names: Vec<String>,
    column_values: &[f64],
    share_codes: Vec<String>,
    share: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: group_stats::SeriesSettings = settings(settings_js)?;
    let cols = columns(&column_names, column_values)?;
    let table = group_stats::LongTable {
        codes: &codes,
        years,
        columns: &cols,
    };
    let shares = group_stats::SharesByCode {
        codes: &share_codes,
        share,
    };
    let shares = (!share_codes.is_empty()).then_some(&shares);
    out(&group_stats::series(&s, &table, shares).map_err(err)?)
}

#[wasm_bindgen(js_name = analyseTippingPointWeighted)]
pub fn analyse_tipping_point_weighted(
    share: &[f64],
    score_a: &[f64],
    score_b: &[f64],
    weights: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: tipping_point::TippingPointSettings = settings(settings_js)?;
    let input = tipping_point::TippingInput {
        corporation_share: share,
        score_a,
        score_b,
    };
    out(&tipping_point::tipping_point_weighted(&s, &input, Some(weights)).map_err(err)?)
}

#[wasm_bindgen(js_name = weightedMeanPerArea)]
pub fn weighted_mean_per_area(
    area_of_location: &[u32],
    area_count: u32,
    values: &[f64],
    weights: &[f64],
    suppress_below: f64,
) -> Result<JsValue, JsError> {
    let r = crate::analysis::area_aggregate::weighted_mean_per_area(
        area_of_location,
        area_count as usize,
        values,
        weights,
        suppress_below,
    )
    .map_err(err)?;
    let obj = out(&serde_json::json!({
        "suppressed": r.suppressed,
        "locationsInNoArea": r.locations_in_no_area,
    }))?;
    set(&obj, "mean", &js_sys::Float64Array::from(&r.mean[..]))?;
    set(
        &obj,
        "locations",
        &js_sys::Uint32Array::from(&r.locations[..]),
    )?;
    set(
        &obj,
        "weightSum",
        &js_sys::Float64Array::from(&r.weight_sum[..]),
    )?;
    Ok(obj)
}

// ---- Analysis maps (www/analysis-maps/): classes per location with per-location suppression ----
// `units`: the count behind each location's figure (e.g. dwellings); empty = no suppression.
// Class 254 = suppressed (count below `suppressBelow` or unknown), 255 = missing.
//   analyseChange(valueA, valueB, units, settings)
//     settings {breaks:{kind:"absQuantiles", quantiles:[0.25,0.5,0.75]}|{kind:"edges", edges},
//               suppressBelow: 10}
//     → {change: Float64Array, classes: Uint8Array, edges, middleClass, counts,
//        locationsMissing, locationsSuppressed}
//   analyseBivariateSuppressed(levelA, levelB, units, suppressBelow, settings)
//     → analyseBivariate's object + locationsSuppressed
//   analyseTypologySuppressed(columnNames, columnValues, units, suppressBelow, settings)
//     → analyseTypology's object + locationsSuppressed

fn units(u: &[f64]) -> Option<&[f64]> {
    (!u.is_empty()).then_some(u)
}

#[wasm_bindgen(js_name = analyseChange)]
pub fn analyse_change(
    value_a: &[f64],
    value_b: &[f64],
    units_js: &[f64],
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: map_classes::ChangeSettings = settings(settings_js)?;
    let mut r = map_classes::change_classes(&s, value_a, value_b, units(units_js)).map_err(err)?;
    let (change, classes) = (
        std::mem::take(&mut r.change),
        std::mem::take(&mut r.classes),
    );
    let obj = out(&r)?;
    set(&obj, "change", &js_sys::Float64Array::from(&change[..]))?;
    set(&obj, "classes", &js_sys::Uint8Array::from(&classes[..]))?;
    Ok(obj)
}

#[wasm_bindgen(js_name = analyseBivariateSuppressed)]
pub fn analyse_bivariate_suppressed(
    level_a: &[f64],
    level_b: &[f64],
    units_js: &[f64],
    suppress_below: f64,
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: bivariate::BivariateSettings = settings(settings_js)?;
    let mut r =
        map_classes::bivariate_suppressed(&s, level_a, level_b, units(units_js), suppress_below)
            .map_err(err)?;
    let classes = std::mem::take(&mut r.result.classes);
    let obj = out(&r)?;
    set(&obj, "classes", &js_sys::Uint8Array::from(&classes[..]))?;
    Ok(obj)
}

#[wasm_bindgen(js_name = analyseTypologySuppressed)]
pub fn analyse_typology_suppressed(
    column_names: Vec<String>,
    column_values: &[f64],
    units_js: &[f64],
    suppress_below: f64,
    settings_js: JsValue,
) -> Result<JsValue, JsError> {
    let s: typology::TypologySettings = settings(settings_js)?;
    let cols = columns(&column_names, column_values)?;
    let mut r = map_classes::typology_suppressed(&s, &cols, units(units_js), suppress_below)
        .map_err(err)?;
    let (rule, intensity) = (
        std::mem::take(&mut r.result.rule),
        std::mem::take(&mut r.result.intensity),
    );
    let obj = out(&r)?;
    set(&obj, "rule", &js_sys::Uint8Array::from(&rule[..]))?;
    set(&obj, "intensity", &js_sys::Uint8Array::from(&intensity[..]))?;
    Ok(obj)
}

// ---- Area profile (www/profile/): the area (e.g. buurt) that contains a location -------------
//   new AreaPolygons(fileName, bytes, codeColumn)  // an area file with polygons (GeoJSON), kept
//                                                 // in wasm memory; free() when done
//   .codes() → string[] (area codes, normalised), .areasOfPoints(xRd, yRd) → Uint32Array
//   (area index per point, first polygon containing it; 4294967295 = in no area)

/// Polygons of areas (buurten, wijken, …) for point-in-polygon lookups.
#[wasm_bindgen]
pub struct AreaPolygons(crate::analysis::area_join::AreaLayer);

#[wasm_bindgen]
impl AreaPolygons {
    #[wasm_bindgen(constructor)]
    pub fn new(file_name: &str, bytes: &[u8], code_column: &str) -> Result<AreaPolygons, JsError> {
        use crate::analysis::import::{read_table, ImportOptions};
        let t = read_table(file_name, bytes, &ImportOptions::default()).map_err(err)?;
        crate::analysis::area_join::AreaLayer::from_table("areas", &t, code_column)
            .map(AreaPolygons)
            .map_err(err)
    }

    pub fn codes(&self) -> Vec<String> {
        self.0.codes.clone()
    }

    #[wasm_bindgen(js_name = areasOfPoints)]
    pub fn areas_of_points(&self, x_rd: &[f64], y_rd: &[f64]) -> Vec<u32> {
        self.0.areas_of_points(x_rd, y_rd)
    }
}

/// A seeded synthetic earlier year of a count (src/analysis/synthetic_year.rs): for demos and
/// tests of the two-year maps where no second year exists; the page labels it synthetic.
#[wasm_bindgen(js_name = syntheticEarlierCounts)]
pub fn synthetic_earlier_counts(counts: &[f64], seed: u32, growth: f64, spread: f64) -> Vec<f64> {
    crate::analysis::synthetic_year::synthetic_earlier_counts(
        counts,
        u64::from(seed),
        growth,
        spread,
    )
}
