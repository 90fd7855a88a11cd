//! What a scenario does to the tipping points: how many locations (and dwellings) move from below
//! to at-or-above each threshold of corporation share within the radius, or back, in total and
//! per area (e.g. per buurt and per gemeente), with the band table before and after.
//!
//! A share `s` is "at or above" a threshold `t %` when `s ≥ t / 100` — the same rule as the bands
//! (a share of exactly 0.5 lies in the band 50–60). A location whose share is undefined or
//! suppressed before or after cannot be placed and is counted as `undetermined`. Dwellings are
//! those at the location after the scenario (a demolished dwelling is gone).
//!
//! Per area, a dwelling count above 0 but below the suppression k is not given (`None`): no small
//! count of dwellings of one area leaves the tool. The totals over all locations are given whole.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bands::{count_per_band, BandCountTable, BandSettings, BandsError};
use super::suppression::{Suppression, SuppressionError, DEFAULT_SUPPRESS_BELOW};

/// The thresholds (percent), bands and suppression a summary uses; every one a setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummarySettings {
    /// Tipping points of the study: 40 %, 50 %, 60 % (safety) and 80 %.
    pub thresholds_pct: Vec<f64>,
    pub bands: BandSettings,
    /// Per-area dwelling counts above 0 and below this are suppressed.
    pub suppress_below: f64,
}

impl Default for SummarySettings {
    fn default() -> Self {
        Self {
            thresholds_pct: vec![40.0, 50.0, 60.0, 80.0],
            bands: BandSettings::default(),
            suppress_below: DEFAULT_SUPPRESS_BELOW,
        }
    }
}

/// A location in no area of a level.
pub const NO_AREA: u32 = u32::MAX;

/// One division of the locations into areas (e.g. buurten): the area of each location, as an index
/// into `codes` ([`NO_AREA`] = in none).
#[derive(Clone, Copy, Debug)]
pub struct AreaLevel<'a> {
    /// What the areas are, e.g. `"buurt"` or `"gemeente"`.
    pub level: &'a str,
    pub area_of: &'a [u32],
    pub codes: &'a [String],
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
    #[error("location {row} lies in area {area} of level {level:?}, which has {n} areas")]
    BadArea {
        level: String,
        row: usize,
        area: u32,
        n: usize,
    },
    #[error(transparent)]
    Suppression(#[from] SuppressionError),
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

/// Movements across one threshold within one area; dwellings `None` = above 0 but below k.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaCrossing {
    pub threshold_pct: f64,
    pub up_locations: u32,
    pub up_dwellings: Option<f64>,
    pub down_locations: u32,
    pub down_dwellings: Option<f64>,
}

/// The movements within one area.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaCrossings {
    /// The level the area belongs to (`"buurt"`, `"gemeente"`, …).
    pub level: String,
    /// The area's code; empty = the locations of this level that lie in no area.
    pub area: String,
    pub crossings: Vec<AreaCrossing>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSummary {
    pub crossings: Vec<Crossing>,
    /// Per level (in the order given), the areas with at least one movement, sorted by code; the
    /// locations in no area (code "") last.
    pub per_area: Vec<AreaCrossings>,
    pub bands_before: BandCountTable,
    pub bands_after: BandCountTable,
    /// Locations whose share changed at all.
    pub changed_locations: u32,
    /// Locations with an undefined or suppressed share before or after.
    pub undetermined_locations: u32,
    /// The k applied to the per-area dwelling counts.
    pub suppress_below: f64,
}

/// The per-location inputs: shares (`0..1`, NaN = none) and dwellings before and after.
#[derive(Clone, Copy, Debug)]
pub struct BeforeAfter<'a> {
    pub share_before: &'a [f64],
    pub share_after: &'a [f64],
    pub dwellings_before: &'a [f64],
    pub dwellings_after: &'a [f64],
}

/// Summarises the movement across each threshold; each of `levels` adds a per-area list.
pub fn summarise(
    data: BeforeAfter<'_>,
    levels: &[AreaLevel<'_>],
    settings: &SummarySettings,
) -> Result<ScenarioSummary, SummaryError> {
    let n = data.share_before.len();
    for (what, got) in [
        ("share after", data.share_after.len()),
        ("dwellings before", data.dwellings_before.len()),
        ("dwellings after", data.dwellings_after.len()),
    ] {
        if got != n {
            return Err(SummaryError::Length {
                what,
                got,
                expected: n,
            });
        }
    }
    for l in levels {
        if l.area_of.len() != n {
            return Err(SummaryError::Length {
                what: "area per location",
                got: l.area_of.len(),
                expected: n,
            });
        }
        if let Some((row, &area)) = l
            .area_of
            .iter()
            .enumerate()
            .find(|(_, &a)| a != NO_AREA && a as usize >= l.codes.len())
        {
            return Err(SummaryError::BadArea {
                level: l.level.to_string(),
                row,
                area,
                n: l.codes.len(),
            });
        }
    }
    if let Some(&got) = settings.thresholds_pct.iter().find(|t| !t.is_finite()) {
        return Err(SummaryError::BadThreshold { got });
    }
    let k = Suppression::new(settings.suppress_below)?;
    let empty = |t: f64| Crossing {
        threshold_pct: t,
        up_locations: 0,
        up_dwellings: 0.0,
        down_locations: 0,
        down_dwellings: 0.0,
    };
    let blank: Vec<Crossing> = settings.thresholds_pct.iter().map(|&t| empty(t)).collect();
    let mut total = blank.clone();
    // Per level, per area (last slot: no area), filled when an area has a movement.
    let mut per_level: Vec<Vec<Option<Vec<Crossing>>>> = levels
        .iter()
        .map(|l| vec![None; l.codes.len() + 1])
        .collect();
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
        for (t, &threshold) in settings.thresholds_pct.iter().enumerate() {
            let edge = threshold / 100.0;
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
            record(&mut total[t]);
            for (l, slots) in levels.iter().zip(per_level.iter_mut()) {
                let area = l.area_of[i];
                let slot = if area == NO_AREA {
                    l.codes.len()
                } else {
                    area as usize
                };
                record(&mut slots[slot].get_or_insert_with(|| blank.clone())[t]);
            }
        }
    }
    let guard = |v: f64| (v <= 0.0 || k.allows(v)).then_some(v);
    let mut per_area = Vec::new();
    for (l, slots) in levels.iter().zip(per_level) {
        let mut found: Vec<(String, Vec<Crossing>)> = slots
            .into_iter()
            .enumerate()
            .filter_map(|(a, c)| c.map(|c| (l.codes.get(a).cloned().unwrap_or_default(), c)))
            .collect();
        found.sort_by(|x, y| (x.0.is_empty(), &x.0).cmp(&(y.0.is_empty(), &y.0)));
        per_area.extend(found.into_iter().map(|(area, cs)| {
            AreaCrossings {
                level: l.level.to_string(),
                area,
                crossings: cs
                    .into_iter()
                    .map(|c| AreaCrossing {
                        threshold_pct: c.threshold_pct,
                        up_locations: c.up_locations,
                        up_dwellings: guard(c.up_dwellings),
                        down_locations: c.down_locations,
                        down_dwellings: guard(c.down_dwellings),
                    })
                    .collect(),
            }
        }));
    }
    Ok(ScenarioSummary {
        crossings: total,
        per_area,
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
        suppress_below: k.k(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn counts_crossings_by_hand() {
        // Row 0: 0.39 → 0.41 crosses 40 up. Row 1: 0.50 → 0.49 crosses 50 down (0.50 counted as
        // at-or-above). Row 2: 0.35 → 0.85 crosses 40, 50, 60 and 80 up. Row 3: unchanged.
        // Row 4: suppressed after → undetermined. Row 5: 0.45 → 0.55 up across 50, in no buurt.
        let before = [0.39, 0.50, 0.35, 0.7, 0.45, 0.45];
        let after = [0.41, 0.49, 0.85, 0.7, f64::NAN, 0.55];
        let dw_before = [10.0, 20.0, 30.0, 40.0, 50.0, 3.0];
        let dw_after = [10.0, 18.0, 36.0, 40.0, 5.0, 3.0];
        let buurten = codes(&["BU1", "BU2"]);
        let buurt_of = [0, 1, 0, 1, NO_AREA, NO_AREA];
        let gemeenten = codes(&["GM1"]);
        let gemeente_of = [0, 0, 0, 0, NO_AREA, NO_AREA];
        let s = summarise(
            BeforeAfter {
                share_before: &before,
                share_after: &after,
                dwellings_before: &dw_before,
                dwellings_after: &dw_after,
            },
            &[
                AreaLevel {
                    level: "buurt",
                    area_of: &buurt_of,
                    codes: &buurten,
                },
                AreaLevel {
                    level: "gemeente",
                    area_of: &gemeente_of,
                    codes: &gemeenten,
                },
            ],
            &SummarySettings::default(),
        )
        .unwrap();
        let c40 = &s.crossings[0];
        assert_eq!((c40.up_locations, c40.up_dwellings), (2, 46.0));
        assert_eq!((c40.down_locations, c40.down_dwellings), (0, 0.0));
        let c50 = &s.crossings[1];
        assert_eq!((c50.up_locations, c50.down_locations), (2, 1));
        assert_eq!(c50.down_dwellings, 18.0);
        assert_eq!(s.crossings[3].up_locations, 1);
        assert_eq!(s.changed_locations, 5);
        assert_eq!(s.undetermined_locations, 1);
        let keys: Vec<(&str, &str)> = s
            .per_area
            .iter()
            .map(|a| (a.level.as_str(), a.area.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("buurt", "BU1"),
                ("buurt", "BU2"),
                ("buurt", ""),
                ("gemeente", "GM1"),
                ("gemeente", "")
            ]
        );
        let bu1 = &s.per_area[0].crossings[0];
        assert_eq!((bu1.up_locations, bu1.up_dwellings), (2, Some(46.0)));
        assert_eq!(s.per_area[1].crossings[1].down_locations, 1);
        assert_eq!(s.per_area[1].crossings[1].down_dwellings, Some(18.0));
        // The square outside every buurt moved 3 dwellings: fewer than k = 10, suppressed; a
        // count of 0 stays 0.
        let outside = &s.per_area[2].crossings[1];
        assert_eq!((outside.up_locations, outside.up_dwellings), (1, None));
        assert_eq!(outside.down_dwellings, Some(0.0));
        // Bands: before 0.39 and 0.35 in 30–40, after 0.85 in ≥ 80.
        assert_eq!(s.bands_before.bands[3].locations, 2);
        assert_eq!(s.bands_after.bands[8].locations, 1);
    }

    #[test]
    fn per_area_lists_add_up_to_the_total_on_random_data() {
        // Independent check: every movement is in exactly one area of each level (or in "no
        // area"), so the per-area location counts add up to the totals, and the dwellings do too
        // when nothing is suppressed (k = 0).
        use crate::analysis::synthetic::SplitMix64;
        let mut rng = SplitMix64::new(9);
        let n = 5_000;
        let before: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
        let after: Vec<f64> = before
            .iter()
            .map(|b| (b + 0.3 * (rng.unit() - 0.5)).clamp(0.0, 1.0))
            .collect();
        let dw: Vec<f64> = (0..n).map(|_| (rng.next_u64() % 40) as f64).collect();
        let codes: Vec<String> = (0..30).map(|a| format!("BU{a:08}")).collect();
        let area_of: Vec<u32> = (0..n)
            .map(|_| match rng.next_u64() % 31 {
                30 => NO_AREA,
                a => a as u32,
            })
            .collect();
        let level = [AreaLevel {
            level: "buurt",
            area_of: &area_of,
            codes: &codes,
        }];
        let settings = SummarySettings {
            suppress_below: 0.0,
            ..Default::default()
        };
        let data = BeforeAfter {
            share_before: &before,
            share_after: &after,
            dwellings_before: &dw,
            dwellings_after: &dw,
        };
        let s = summarise(data, &level, &settings).unwrap();
        for (t, c) in s.crossings.iter().enumerate() {
            let edge = c.threshold_pct / 100.0;
            let naive_up = (0..n)
                .filter(|&i| before[i] < edge && after[i] >= edge)
                .count() as u32;
            assert_eq!(c.up_locations, naive_up);
            let up: u32 = s.per_area.iter().map(|a| a.crossings[t].up_locations).sum();
            let down: u32 = s
                .per_area
                .iter()
                .map(|a| a.crossings[t].down_locations)
                .sum();
            let up_dw: f64 = s
                .per_area
                .iter()
                .map(|a| a.crossings[t].up_dwellings.unwrap())
                .sum();
            assert_eq!((up, down), (c.up_locations, c.down_locations));
            assert_eq!(up_dw, c.up_dwellings);
        }
        // With k = 10 every per-area dwelling count shown is 0 or ≥ 10.
        let s = summarise(data, &level, &SummarySettings::default()).unwrap();
        for a in &s.per_area {
            for c in &a.crossings {
                for v in [c.up_dwellings, c.down_dwellings].into_iter().flatten() {
                    assert!(v == 0.0 || v >= 10.0, "{v}");
                }
            }
        }
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
            &[],
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
        let codes = vec!["BU1".to_string()];
        let e = summarise(
            BeforeAfter {
                share_before: &[0.1],
                share_after: &[0.1],
                dwellings_before: &[1.0],
                dwellings_after: &[1.0],
            },
            &[AreaLevel {
                level: "buurt",
                area_of: &[3],
                codes: &codes,
            }],
            &SummarySettings::default(),
        )
        .unwrap_err();
        assert!(matches!(e, SummaryError::BadArea { area: 3, n: 1, .. }));
    }
}
