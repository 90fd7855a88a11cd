//! Level against change: a location's level in year A set against its change A → B, as a 3 × 3
//! bivariate class. Each axis is split into low / mid / high by its tertiles (over the locations
//! with both values) or by two breaks the user gives.
//!
//! A value `v` is *low* when `v < break₁`, *mid* when `break₁ ≤ v < break₂`, *high* when
//! `v ≥ break₂`. The class number is `3 × level_class + change_class` (0 = low level and low
//! change … 8 = high level and high change); a location with a missing value has no class.
//! Tertiles are the 1/3 and 2/3 quantiles with linear interpolation between order statistics
//! (R's default, "type 7").

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::tipping_point::quantile_sorted;

/// How one axis is split into three.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum AxisBreaks {
    Tertiles,
    /// Two increasing breaks.
    Breaks {
        low: f64,
        high: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BivariateSettings {
    pub level: AxisBreaks,
    pub change: AxisBreaks,
}

impl Default for BivariateSettings {
    fn default() -> Self {
        BivariateSettings {
            level: AxisBreaks::Tertiles,
            change: AxisBreaks::Tertiles,
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum BivariateError {
    #[error("column {what} has {got} values, expected {expected} (one per location)")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("{axis} breaks must be finite and increasing (got {low} and {high})")]
    BadBreaks {
        axis: &'static str,
        low: f64,
        high: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BivariateResult {
    /// Per location: class 0..8, or 255 when a value is missing.
    pub classes: Vec<u8>,
    /// Breaks used for the level axis (`None` when no location has both values and tertiles
    /// were asked for).
    pub level_breaks: Option<[f64; 2]>,
    pub change_breaks: Option<[f64; 2]>,
    /// `counts[level_class][change_class]`.
    pub counts: [[u32; 3]; 3],
    pub locations_missing: u32,
}

/// No class (a value is missing).
pub const NO_CLASS: u8 = 255;

pub(crate) fn class_of(v: f64, b: [f64; 2]) -> u8 {
    if v < b[0] {
        0
    } else if v < b[1] {
        1
    } else {
        2
    }
}

pub(crate) fn breaks_for(
    axis: &'static str,
    spec: &AxisBreaks,
    values: impl Iterator<Item = f64>,
) -> Result<Option<[f64; 2]>, BivariateError> {
    match *spec {
        AxisBreaks::Breaks { low, high } => {
            if low.is_finite() && high.is_finite() && low <= high {
                Ok(Some([low, high]))
            } else {
                Err(BivariateError::BadBreaks { axis, low, high })
            }
        }
        AxisBreaks::Tertiles => {
            let mut v: Vec<f64> = values.collect();
            if v.is_empty() {
                return Ok(None);
            }
            v.sort_by(f64::total_cmp);
            Ok(Some([
                quantile_sorted(&v, 1.0 / 3.0),
                quantile_sorted(&v, 2.0 / 3.0),
            ]))
        }
    }
}

/// Classify every location by its level in year A and its change A → B (`level_b − level_a`).
pub fn bivariate(
    settings: &BivariateSettings,
    level_a: &[f64],
    level_b: &[f64],
) -> Result<BivariateResult, BivariateError> {
    if level_b.len() != level_a.len() {
        return Err(BivariateError::LengthMismatch {
            what: "level_b",
            got: level_b.len(),
            expected: level_a.len(),
        });
    }
    let complete = |i: &usize| level_a[*i].is_finite() && level_b[*i].is_finite();
    let idx: Vec<usize> = (0..level_a.len()).filter(complete).collect();
    let level_breaks = breaks_for("level", &settings.level, idx.iter().map(|&i| level_a[i]))?;
    let change_breaks = breaks_for(
        "change",
        &settings.change,
        idx.iter().map(|&i| level_b[i] - level_a[i]),
    )?;
    let mut classes = vec![NO_CLASS; level_a.len()];
    let mut counts = [[0u32; 3]; 3];
    if let (Some(lb), Some(cb)) = (level_breaks, change_breaks) {
        for &i in &idx {
            let l = class_of(level_a[i], lb);
            let c = class_of(level_b[i] - level_a[i], cb);
            classes[i] = 3 * l + c;
            counts[l as usize][c as usize] += 1;
        }
    }
    Ok(BivariateResult {
        classes,
        level_breaks,
        change_breaks,
        counts,
        locations_missing: (level_a.len() - idx.len()) as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_user_breaks() {
        // breaks level [1, 2], change [0, 0.5]
        // loc 0: level 0.5 (low), change +1 (high) → 3·0 + 2 = 2
        // loc 1: level 1.0 (mid: not < 1), change 0 (mid) → 4
        // loc 2: level 3 (high), change −1 (low) → 6
        // loc 3: missing → 255
        let s = BivariateSettings {
            level: AxisBreaks::Breaks {
                low: 1.0,
                high: 2.0,
            },
            change: AxisBreaks::Breaks {
                low: 0.0,
                high: 0.5,
            },
        };
        let r = bivariate(&s, &[0.5, 1.0, 3.0, f64::NAN], &[1.5, 1.0, 2.0, 1.0]).unwrap();
        assert_eq!(r.classes, vec![2, 4, 6, NO_CLASS]);
        assert_eq!(r.counts[0][2], 1);
        assert_eq!(r.locations_missing, 1);
    }

    #[test]
    fn hand_computed_tertiles() {
        // levels 1..=6: type-7 quantiles at 1/3 → 1 + 5/3 = 2.6667, at 2/3 → 1 + 10/3 = 4.3333
        // → classes low {1,2}, mid {3,4}, high {5,6}; change 0 everywhere → tertiles (0,0) → all
        // changes "high" (v ≥ 0).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let r = bivariate(&BivariateSettings::default(), &a, &a).unwrap();
        let lb = r.level_breaks.unwrap();
        assert!((lb[0] - 8.0 / 3.0).abs() < 1e-12 && (lb[1] - 13.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.classes, vec![2, 2, 5, 5, 8, 8]);
    }

    #[test]
    fn json_settings() {
        let s: BivariateSettings =
            serde_json::from_str(r#"{"level":{"kind":"breaks","low":-0.1,"high":0.1}}"#).unwrap();
        assert_eq!(s.change, AxisBreaks::Tertiles);
        assert!(bivariate(
            &BivariateSettings {
                level: AxisBreaks::Breaks {
                    low: 1.0,
                    high: 0.0
                },
                ..Default::default()
            },
            &[1.0],
            &[1.0]
        )
        .is_err());
    }

    proptest! {
        /// Second implementation: classes by counting how many breaks each value reaches, with
        /// breaks from a separately written type-7 quantile.
        #[test]
        fn matches_naive(pts in proptest::collection::vec((-5.0f64..5.0, -5.0f64..5.0), 1..60)) {
            let a: Vec<f64> = pts.iter().map(|p| p.0).collect();
            let b: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let r = bivariate(&BivariateSettings::default(), &a, &b).unwrap();
            let q = |mut v: Vec<f64>, p: f64| {
                v.sort_by(|x, y| x.partial_cmp(y).unwrap());
                let h = (v.len() as f64 - 1.0) * p;
                let (f, c) = (h.floor(), h.ceil());
                v[f as usize] + (h - f) * (v[c as usize] - v[f as usize])
            };
            let ch: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
            let lb = [q(a.clone(), 1.0 / 3.0), q(a.clone(), 2.0 / 3.0)];
            let cb = [q(ch.clone(), 1.0 / 3.0), q(ch.clone(), 2.0 / 3.0)];
            for i in 0..a.len() {
                let l = lb.iter().filter(|&&t| a[i] >= t).count() as u8;
                let c = cb.iter().filter(|&&t| ch[i] >= t).count() as u8;
                prop_assert_eq!(r.classes[i], 3 * l + c);
            }
            let total: u32 = r.counts.iter().flatten().sum();
            prop_assert_eq!(total as usize, a.len());
        }
    }
}
