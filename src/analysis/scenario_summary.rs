//! What a scenario does to the tipping points: how many locations (and dwellings) move from below
//! to at-or-above each threshold of corporation share within the radius, or back, in total and
//! per area, with the band table before and after.
//!
//! A share `s` is "at or above" a threshold `t %` when `s ≥ t / 100` — the same rule as the bands
//! (a share of exactly 0.5 lies in the band 50–60). A location whose share is undefined or
//! suppressed before or after cannot be placed and is counted as `undetermined`. Dwellings are
//! those at the location after the scenario (a demolished dwelling is gone).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bands::{count_per_band, BandCountTable, BandSettings, BandsError};

/// The thresholds (percent) and bands a summary uses; every one a setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummarySettings {
    /// Tipping points of the study: 40 %, 50 %, 60 % (safety) and 80 %.
    pub thresholds_pct: Vec<f64>,
    pub bands: BandSettings,
}

impl Default for SummarySettings {
    fn default() -> Self {
        Self {
            thresholds_pct: vec![40.0, 50.0, 60.0, 80.0],
            bands: BandSettings::default(),
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum SummaryError {
    #[error("{what} has {got} values but there are {expected} locations")]
    Length {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("invalid threshold {got}%: must be a finite percentage")]
    BadThreshold { got: f64 },
    #[error(transparent)]
    Bands(#[from] BandsError),
}

/// Movements across one threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Crossing {
    pub threshold_pct: f64,
    /// From below the threshold to at or above it.
    pub up_locations: u32,
    pub up_dwellings: f64,
    /// From at or above the threshold to below it.
    pub down_locations: u32,
    pub down_dwellings: f64,
}

/// The movements within one area (e.g. a buurt).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaCrossings {
    pub area: String,
    pub crossings: Vec<Crossing>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSummary {
    pub crossings: Vec<Crossing>,
    /// Only areas with at least one movement, sorted by area code.
    pub per_area: Vec<AreaCrossings>,
    pub bands_before: BandCountTable,
    pub bands_after: BandCountTable,
    /// Locations whose share changed at all.
    pub changed_locations: u32,
    /// Locations with an undefined or suppressed share before or after.
    pub undetermined_locations: u32,
}

/// The per-location inputs: shares (`0..1`, NaN = none) and dwellings before and after.
#[derive(Clone, Copy, Debug)]
pub struct BeforeAfter<'a> {
    pub share_before: &'a [f64],
    pub share_after: &'a [f64],
    pub dwellings_before: &'a [f64],
    pub dwellings_after: &'a [f64],
}

/// Summarises the movement across each threshold; `areas` (one code per location, empty string =
/// no area) adds the per-area list.
pub fn summarise(
    data: BeforeAfter<'_>,
    areas: Option<&[String]>,
    settings: &SummarySettings,
) -> Result<ScenarioSummary, SummaryError> {
    let n = data.share_before.len();
    for (what, got) in [
        ("share after", data.share_after.len()),
        ("dwellings before", data.dwellings_before.len()),
        ("dwellings after", data.dwellings_after.len()),
        ("areas", areas.map_or(n, <[String]>::len)),
    ] {
        if got != n {
            return Err(SummaryError::Length {
                what,
                got,
                expected: n,
            });
        }
    }
    if let Some(&got) = settings.thresholds_pct.iter().find(|t| !t.is_finite()) {
        return Err(SummaryError::BadThreshold { got });
    }
    let empty = |t: f64| Crossing {
        threshold_pct: t,
        up_locations: 0,
        up_dwellings: 0.0,
        down_locations: 0,
        down_dwellings: 0.0,
    };
    let blank: Vec<Crossing> = settings.thresholds_pct.iter().map(|&t| empty(t)).collect();
    let mut total = blank.clone();
    let mut per_area: BTreeMap<&str, Vec<Crossing>> = BTreeMap::new();
    let (mut changed, mut undetermined) = (0u32, 0u32);
    for i in 0..n {
        let (b, a) = (data.share_before[i], data.share_after[i]);
        if b.to_bits() != a.to_bits() {
            changed += 1;
        }
        if b.is_nan() || a.is_nan() {
            undetermined += 1;
            continue;
        }
        let dwellings = data.dwellings_after[i];
        let dwellings = if dwellings.is_nan() { 0.0 } else { dwellings };
        for (k, &t) in settings.thresholds_pct.iter().enumerate() {
            let edge = t / 100.0;
            let up = b < edge && a >= edge;
            let down = b >= edge && a < edge;
            if !(up || down) {
                continue;
            }
            let record = |c: &mut Crossing| {
                if up {
                    c.up_locations += 1;
                    c.up_dwellings += dwellings;
                } else {
                    c.down_locations += 1;
                    c.down_dwellings += dwellings;
                }
            };
            record(&mut total[k]);
            if let Some(code) = areas.map(|a| a[i].as_str()).filter(|c| !c.is_empty()) {
                record(&mut per_area.entry(code).or_insert_with(|| blank.clone())[k]);
            }
        }
    }
    Ok(ScenarioSummary {
        crossings: total,
        per_area: per_area
            .into_iter()
            .map(|(area, crossings)| AreaCrossings {
                area: area.to_string(),
                crossings,
            })
            .collect(),
        bands_before: count_per_band(
            &settings.bands,
            data.share_before,
            Some(data.dwellings_before),
        )?,
        bands_after: count_per_band(
            &settings.bands,
            data.share_after,
            Some(data.dwellings_after),
        )?,
        changed_locations: changed,
        undetermined_locations: undetermined,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_crossings_by_hand() {
        // Row 0: 0.39 → 0.41 crosses 40 up. Row 1: 0.50 → 0.49 crosses 50 down (0.50 counted as
        // at-or-above). Row 2: 0.35 → 0.85 crosses 40, 50, 60 and 80 up. Row 3: unchanged.
        // Row 4: suppressed after → undetermined.
        let before = [0.39, 0.50, 0.35, 0.7, 0.45];
        let after = [0.41, 0.49, 0.85, 0.7, f64::NAN];
        let dw_before = [10.0, 20.0, 30.0, 40.0, 50.0];
        let dw_after = [10.0, 18.0, 36.0, 40.0, 5.0];
        let areas: Vec<String> = ["BU1", "BU2", "BU1", "BU2", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = summarise(
            BeforeAfter {
                share_before: &before,
                share_after: &after,
                dwellings_before: &dw_before,
                dwellings_after: &dw_after,
            },
            Some(&areas),
            &SummarySettings::default(),
        )
        .unwrap();
        let c40 = &s.crossings[0];
        assert_eq!((c40.up_locations, c40.up_dwellings), (2, 46.0));
        assert_eq!((c40.down_locations, c40.down_dwellings), (0, 0.0));
        let c50 = &s.crossings[1];
        assert_eq!((c50.up_locations, c50.down_locations), (1, 1));
        assert_eq!(c50.down_dwellings, 18.0);
        assert_eq!(s.crossings[3].up_locations, 1);
        assert_eq!(s.changed_locations, 4);
        assert_eq!(s.undetermined_locations, 1);
        assert_eq!(s.per_area.len(), 2);
        assert_eq!(s.per_area[0].area, "BU1");
        assert_eq!(s.per_area[0].crossings[0].up_locations, 2);
        assert_eq!(s.per_area[1].crossings[1].down_locations, 1);
        // Bands: before 0.39 and 0.35 in 30–40, after 0.85 in ≥ 80.
        assert_eq!(s.bands_before.bands[3].locations, 2);
        assert_eq!(s.bands_after.bands[8].locations, 1);
    }

    #[test]
    fn rejects_misaligned_input() {
        let e = summarise(
            BeforeAfter {
                share_before: &[0.1, 0.2],
                share_after: &[0.1],
                dwellings_before: &[1.0, 1.0],
                dwellings_after: &[1.0, 1.0],
            },
            None,
            &SummarySettings::default(),
        )
        .unwrap_err();
        assert!(matches!(
            e,
            SummaryError::Length {
                got: 1,
                expected: 2,
                ..
            }
        ));
    }
}
