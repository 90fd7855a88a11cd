//! From locations to areas: the weighted mean of a value over the locations in each area, e.g.
//! the corporation share within 200 m of a buurt's 100 m squares, weighted by their dwellings
//! (the share of corporation dwellings in the *directe woonomgeving* of the buurt's dwellings).
//! With the squares' own shares and dwellings as weights it is simply `Σ corporation / Σ dwellings`.
//!
//! A location in no area (`u32::MAX`), with a missing value or a missing / non-positive weight is
//! left out. An area whose weight sum is below `suppress_below` (k) gets no value.

use serde::Serialize;
use thiserror::Error;

/// A location that lies in no area.
pub const NO_AREA: u32 = u32::MAX;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum AreaAggregateError {
    #[error("column {what} has {got} values, expected {expected} (one per location)")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("location {location} refers to area {area}, but there are only {areas} areas")]
    NoSuchArea {
        location: usize,
        area: u32,
        areas: usize,
    },
    #[error("suppression threshold must be a finite number ≥ 0 (got {0})")]
    BadSuppression(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaMeans {
    /// Weighted mean per area; NaN = no locations or suppressed.
    pub mean: Vec<f64>,
    /// Locations that took part, per area.
    pub locations: Vec<u32>,
    pub weight_sum: Vec<f64>,
    pub suppressed: Vec<bool>,
    pub locations_in_no_area: u32,
}

/// Weighted mean of `values` per area (`area_of_location[i]` = index of the area, or [`NO_AREA`]).
pub fn weighted_mean_per_area(
    area_of_location: &[u32],
    areas: usize,
    values: &[f64],
    weights: &[f64],
    suppress_below: f64,
) -> Result<AreaMeans, AreaAggregateError> {
    let n = area_of_location.len();
    for (what, got) in [("values", values.len()), ("weights", weights.len())] {
        if got != n {
            return Err(AreaAggregateError::LengthMismatch {
                what,
                got,
                expected: n,
            });
        }
    }
    if !(suppress_below.is_finite() && suppress_below >= 0.0) {
        return Err(AreaAggregateError::BadSuppression(suppress_below));
    }
    let mut sum = vec![0.0; areas];
    let mut wsum = vec![0.0; areas];
    let mut count = vec![0u32; areas];
    let mut outside = 0u32;
    for (i, &a) in area_of_location.iter().enumerate() {
        if a == NO_AREA {
            outside += 1;
            continue;
        }
        if a as usize >= areas {
            return Err(AreaAggregateError::NoSuchArea {
                location: i,
                area: a,
                areas,
            });
        }
        let (v, w) = (values[i], weights[i]);
        if v.is_finite() && w.is_finite() && w > 0.0 {
            sum[a as usize] += w * v;
            wsum[a as usize] += w;
            count[a as usize] += 1;
        }
    }
    let suppressed: Vec<bool> = wsum
        .iter()
        .zip(&count)
        .map(|(&w, &c)| c > 0 && w < suppress_below)
        .collect();
    Ok(AreaMeans {
        mean: (0..areas)
            .map(|a| {
                if count[a] == 0 || suppressed[a] {
                    f64::NAN
                } else {
                    sum[a] / wsum[a]
                }
            })
            .collect(),
        locations: count,
        weight_sum: wsum,
        suppressed,
        locations_in_no_area: outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed() {
        // Area 0: shares 0.2 (20 dwellings) and 0.5 (10) → (4 + 5) / 30 = 0.3.
        // Area 1: one square with 5 dwellings < k = 10 → suppressed.
        // Area 2: a square with a missing share only → no value, not suppressed.
        // Last location in no area.
        let r = weighted_mean_per_area(
            &[0, 0, 1, 2, NO_AREA],
            3,
            &[0.2, 0.5, 0.9, f64::NAN, 0.1],
            &[20.0, 10.0, 5.0, 30.0, 10.0],
            10.0,
        )
        .unwrap();
        assert!((r.mean[0] - 0.3).abs() < 1e-15);
        assert!(r.mean[1].is_nan() && r.suppressed[1]);
        assert!(r.mean[2].is_nan() && !r.suppressed[2]);
        assert_eq!(r.locations, vec![2, 1, 0]);
        assert_eq!(r.locations_in_no_area, 1);
        assert!(matches!(
            weighted_mean_per_area(&[3], 3, &[0.1], &[1.0], 0.0),
            Err(AreaAggregateError::NoSuchArea { area: 3, .. })
        ));
    }

    proptest! {
        /// Second implementation: for each area, filter its locations and divide the sums.
        #[test]
        fn matches_per_area_filter(rows in proptest::collection::vec((0u32..4, 0.0f64..1.0, 0u32..30), 0..60)) {
            let area: Vec<u32> = rows.iter().map(|r| if r.0 == 3 { NO_AREA } else { r.0 }).collect();
            let v: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let w: Vec<f64> = rows.iter().map(|r| f64::from(r.2)).collect();
            let r = weighted_mean_per_area(&area, 3, &v, &w, 0.0).unwrap();
            for a in 0..3u32 {
                let idx: Vec<usize> = (0..area.len()).filter(|&i| area[i] == a && w[i] > 0.0).collect();
                let ws: f64 = idx.iter().map(|&i| w[i]).sum();
                if idx.is_empty() {
                    prop_assert!(r.mean[a as usize].is_nan());
                } else {
                    let m = idx.iter().map(|&i| w[i] * v[i]).sum::<f64>() / ws;
                    prop_assert!((r.mean[a as usize] - m).abs() < 1e-12);
                }
            }
        }
    }
}
