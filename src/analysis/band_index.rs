//! Index of a group per band of corporation share: the group's share within the band
//! (`Σ group / Σ denominator` over the band's locations) divided by a reference share × 100.
//! The reference is a national figure the user types in, or the whole loaded area (= 100).
//!
//! A location whose group or denominator value is missing is left out of every sum (and counted).
//! A location whose corporation share is missing still counts towards the loaded-area reference.
//! A band whose denominator sum is below `suppress_below` (k, default 10) shows no share and no
//! index, and no group sum.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bands::{BandInfo, BandSettings, Bands, BandsError};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IndexSettings {
    pub bands: BandSettings,
    /// A national (or other) reference share in percent; `None` = the whole loaded area.
    pub reference_share_pct: Option<f64>,
    /// Suppress a band whose denominator sum is below this (k).
    pub suppress_below: f64,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings {
            bands: BandSettings::default(),
            reference_share_pct: None,
            suppress_below: 10.0,
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum BandIndexError {
    #[error(transparent)]
    Bands(#[from] BandsError),
    #[error("reference share must be a percentage above 0 and at most 100 (got {0})")]
    BadReference(f64),
    #[error("suppression threshold must be a finite number ≥ 0 (got {0})")]
    BadSuppression(f64),
    #[error("no reference: the loaded area has a group sum of {group_sum} and a denominator sum of {denominator_sum} (both must be above 0)")]
    NoReference {
        group_sum: f64,
        denominator_sum: f64,
    },
    #[error("column {what} has {got} values, expected {expected} (one per location)")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
}

/// The columns of one year: corporation share (`0..1`), group count and denominator per location.
#[derive(Clone, Copy, Debug)]
pub struct GroupColumns<'a> {
    pub corporation_share: &'a [f64],
    pub group: &'a [f64],
    pub denominator: &'a [f64],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandIndexRow {
    #[serde(flatten)]
    pub band: BandInfo,
    pub locations: u32,
    pub denominator_sum: f64,
    /// `None` when suppressed.
    pub group_sum: Option<f64>,
    /// Group share within the band, `0..1`; `None` when suppressed or the denominator is 0.
    pub share: Option<f64>,
    /// `share / reference share × 100`.
    pub index: Option<f64>,
    pub suppressed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandIndexTable {
    pub rows: Vec<BandIndexRow>,
    /// The reference share used, `0..1`.
    pub reference_share: f64,
    /// `"national"` (typed by the user) or `"loadedArea"`.
    pub reference_source: &'static str,
    /// Locations with both group and denominator present.
    pub locations_used: u32,
    /// Locations left out because group or denominator is missing.
    pub locations_missing: u32,
    /// Used locations whose corporation share is in no band.
    pub locations_outside_bands: u32,
}

/// Raw per-band sums, shared with [`crate::analysis::trend`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BandSums {
    pub group: Vec<f64>,
    pub denominator: Vec<f64>,
    pub locations: Vec<u32>,
    pub total_group: f64,
    pub total_denominator: f64,
    pub used: u32,
    pub missing: u32,
    pub outside: u32,
}

pub(crate) fn sum_per_band(
    bands: &Bands,
    cols: &GroupColumns<'_>,
) -> Result<BandSums, BandIndexError> {
    let n = cols.corporation_share.len();
    for (what, got) in [
        ("group", cols.group.len()),
        ("denominator", cols.denominator.len()),
    ] {
        if got != n {
            return Err(BandIndexError::LengthMismatch {
                what,
                got,
                expected: n,
            });
        }
    }
    let mut s = BandSums {
        group: vec![0.0; bands.len()],
        denominator: vec![0.0; bands.len()],
        locations: vec![0; bands.len()],
        total_group: 0.0,
        total_denominator: 0.0,
        used: 0,
        missing: 0,
        outside: 0,
    };
    for i in 0..n {
        let (g, d) = (cols.group[i], cols.denominator[i]);
        if g.is_nan() || d.is_nan() {
            s.missing += 1;
            continue;
        }
        s.used += 1;
        s.total_group += g;
        s.total_denominator += d;
        match bands.band_of(cols.corporation_share[i]) {
            Some(b) => {
                s.group[b] += g;
                s.denominator[b] += d;
                s.locations[b] += 1;
            }
            None => s.outside += 1,
        }
    }
    Ok(s)
}

pub(crate) fn check_suppression(k: f64) -> Result<(), BandIndexError> {
    if !k.is_finite() || k < 0.0 {
        return Err(BandIndexError::BadSuppression(k));
    }
    Ok(())
}

/// The reference share (`0..1`) and its source.
pub(crate) fn reference_share(
    reference_share_pct: Option<f64>,
    sums: &BandSums,
) -> Result<(f64, &'static str), BandIndexError> {
    match reference_share_pct {
        Some(p) if p.is_finite() && p > 0.0 && p <= 100.0 => Ok((p / 100.0, "national")),
        Some(p) => Err(BandIndexError::BadReference(p)),
        None if sums.total_denominator > 0.0 && sums.total_group > 0.0 => {
            Ok((sums.total_group / sums.total_denominator, "loadedArea"))
        }
        None => Err(BandIndexError::NoReference {
            group_sum: sums.total_group,
            denominator_sum: sums.total_denominator,
        }),
    }
}

/// Share and index of a pooled sum, `None` when suppressed or undefined.
pub(crate) fn share_and_index(
    group: f64,
    denominator: f64,
    reference: f64,
    k: f64,
) -> (Option<f64>, Option<f64>, bool) {
    let suppressed = denominator < k;
    if suppressed || denominator <= 0.0 {
        return (None, None, suppressed);
    }
    let share = group / denominator;
    (Some(share), Some(share / reference * 100.0), false)
}

/// The index table of one group for one year.
pub fn band_index(
    settings: &IndexSettings,
    cols: &GroupColumns<'_>,
) -> Result<BandIndexTable, BandIndexError> {
    let bands = Bands::new(&settings.bands)?;
    check_suppression(settings.suppress_below)?;
    let sums = sum_per_band(&bands, cols)?;
    let (reference, source) = reference_share(settings.reference_share_pct, &sums)?;
    let rows = (0..bands.len())
        .map(|b| {
            let (share, index, suppressed) = share_and_index(
                sums.group[b],
                sums.denominator[b],
                reference,
                settings.suppress_below,
            );
            BandIndexRow {
                band: bands.info(b),
                locations: sums.locations[b],
                denominator_sum: sums.denominator[b],
                group_sum: (!suppressed).then_some(sums.group[b]),
                share,
                index,
                suppressed,
            }
        })
        .collect();
    Ok(BandIndexTable {
        rows,
        reference_share: reference,
        reference_source: source,
        locations_used: sums.used,
        locations_missing: sums.missing,
        locations_outside_bands: sums.outside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn two_bands() -> IndexSettings {
        IndexSettings {
            bands: BandSettings {
                lower_edges_pct: vec![0.0, 50.0],
            },
            reference_share_pct: None,
            suppress_below: 10.0,
        }
    }

    #[test]
    fn hand_computed_loaded_area_reference() {
        // band 0–50: locations (g,d) = (2,20),(3,30) → 5/50 = 0.10
        // band ≥50:  (6,20),(2,10) → 8/30 = 0.2667
        // location with missing share (1,10) counts for the reference only.
        // reference = (5+8+1)/(50+30+10) = 14/90 = 0.15556
        // index 0–50 = 0.10/0.15556×100 = 64.2857; ≥50 = 0.26667/0.15556×100 = 171.4286
        let t = band_index(
            &two_bands(),
            &GroupColumns {
                corporation_share: &[0.1, 0.2, 0.6, 0.9, f64::NAN, 0.3],
                group: &[2.0, 3.0, 6.0, 2.0, 1.0, f64::NAN],
                denominator: &[20.0, 30.0, 20.0, 10.0, 10.0, 5.0],
            },
        )
        .unwrap();
        assert!((t.reference_share - 14.0 / 90.0).abs() < 1e-15);
        assert!((t.rows[0].index.unwrap() - 64.285_714_285_714_29).abs() < 1e-9);
        assert!((t.rows[1].index.unwrap() - 171.428_571_428_571_4).abs() < 1e-9);
        assert_eq!(t.locations_used, 5);
        assert_eq!(t.locations_missing, 1);
        assert_eq!(t.locations_outside_bands, 1);
        assert_eq!(t.reference_source, "loadedArea");
    }

    #[test]
    fn national_reference_and_suppression() {
        // band 0–50: 1/5 with k = 10 → suppressed; ≥50: 3/12 = 0.25 against 5% → index 500.
        let mut s = two_bands();
        s.reference_share_pct = Some(5.0);
        let t = band_index(
            &s,
            &GroupColumns {
                corporation_share: &[0.1, 0.7],
                group: &[1.0, 3.0],
                denominator: &[5.0, 12.0],
            },
        )
        .unwrap();
        assert!(t.rows[0].suppressed);
        assert_eq!(t.rows[0].index, None);
        assert_eq!(t.rows[0].group_sum, None);
        assert!((t.rows[1].index.unwrap() - 500.0).abs() < 1e-12);
        s.reference_share_pct = Some(0.0);
        assert_eq!(
            band_index(
                &s,
                &GroupColumns {
                    corporation_share: &[0.1],
                    group: &[1.0],
                    denominator: &[5.0],
                }
            ),
            Err(BandIndexError::BadReference(0.0))
        );
    }

    proptest! {
        /// Second implementation: per band, filter the locations by the explicit interval and sum.
        #[test]
        fn matches_naive_filter(
            rows in proptest::collection::vec((0.0f64..1.0, 0u32..50, 1u32..100), 1..80),
        ) {
            let share: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let group: Vec<f64> = rows.iter().map(|r| f64::from(r.1.min(r.2))).collect();
            let denom: Vec<f64> = rows.iter().map(|r| f64::from(r.2)).collect();
            let settings = IndexSettings { suppress_below: 0.0, ..Default::default() };
            let cols = GroupColumns { corporation_share: &share, group: &group, denominator: &denom };
            let t = match band_index(&settings, &cols) {
                Ok(t) => t,
                Err(BandIndexError::NoReference { .. }) => return Ok(()),
                Err(e) => panic!("{e}"),
            };
            let reference = group.iter().sum::<f64>() / denom.iter().sum::<f64>();
            for (b, row) in t.rows.iter().enumerate() {
                let lo = b as f64 * 10.0 / 100.0;
                let hi = if b == 8 { f64::INFINITY } else { (b as f64 + 1.0) * 10.0 / 100.0 };
                let (mut g, mut d) = (0.0, 0.0);
                for i in 0..share.len() {
                    if share[i] >= lo && share[i] < hi { g += group[i]; d += denom[i]; }
                }
                prop_assert_eq!(row.denominator_sum, d);
                if d > 0.0 {
                    let naive = g / d / reference * 100.0;
                    prop_assert!((row.index.unwrap() - naive).abs() <= 1e-9 * naive.abs().max(1.0));
                } else {
                    prop_assert_eq!(row.index, None);
                }
            }
        }
    }
}
