//! Two years of a group: per band of corporation share the index in year A and in year B, the
//! change, and the **gap growth** between the high and the low bands:
//! `(I_high − I_low)_B / (I_high − I_low)_A − 1`.
//!
//! The two years may come from two columns of one layer or from two layers (different locations):
//! each year brings its own corporation share, group and denominator columns. `I_high` is the
//! index of the pooled high bands (`Σ group / Σ denominator` over all their locations, against
//! that year's reference), likewise `I_low`. Which bands are high or low is a setting: bands whose
//! lower edge is ≥ `high_from_pct` are high, bands whose upper edge is ≤ `low_up_to_pct` are low.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::band_index::{
    check_suppression, reference_share, share_and_index, sum_per_band, BandIndexError, GroupColumns,
};
use super::bands::{BandInfo, BandSettings, Bands};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TrendSettings {
    pub bands: BandSettings,
    /// Reference share in percent for year A; `None` = the whole loaded area of year A.
    pub reference_a_share_pct: Option<f64>,
    /// Reference share in percent for year B; `None` = the whole loaded area of year B.
    pub reference_b_share_pct: Option<f64>,
    pub suppress_below: f64,
    /// Bands with a lower edge at or above this percentage are "high".
    pub high_from_pct: f64,
    /// Bands with an upper edge at or below this percentage are "low".
    pub low_up_to_pct: f64,
}

impl Default for TrendSettings {
    fn default() -> Self {
        TrendSettings {
            bands: BandSettings::default(),
            reference_a_share_pct: None,
            reference_b_share_pct: None,
            suppress_below: 10.0,
            high_from_pct: 80.0,
            low_up_to_pct: 10.0,
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrendError {
    #[error("year {year}: {source}")]
    Year {
        year: &'static str,
        source: BandIndexError,
    },
    #[error(transparent)]
    Index(#[from] BandIndexError),
    #[error("no band has a lower edge at or above high_from_pct = {0}%")]
    NoHighBands(f64),
    #[error("no band has an upper edge at or below low_up_to_pct = {0}%")]
    NoLowBands(f64),
    #[error("high and low bands overlap (high from {high_from_pct}%, low up to {low_up_to_pct}%)")]
    Overlap {
        high_from_pct: f64,
        low_up_to_pct: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendRow {
    #[serde(flatten)]
    pub band: BandInfo,
    pub locations_a: u32,
    pub locations_b: u32,
    pub share_a: Option<f64>,
    pub share_b: Option<f64>,
    pub index_a: Option<f64>,
    pub index_b: Option<f64>,
    /// `index_b − index_a` (index points).
    pub change: Option<f64>,
    pub suppressed_a: bool,
    pub suppressed_b: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    pub high_bands: Vec<u32>,
    pub low_bands: Vec<u32>,
    pub index_high_a: Option<f64>,
    pub index_low_a: Option<f64>,
    pub index_high_b: Option<f64>,
    pub index_low_b: Option<f64>,
    /// `I_high − I_low` in year A.
    pub gap_a: Option<f64>,
    pub gap_b: Option<f64>,
    /// `gap_b / gap_a − 1`; `None` if a gap is undefined or `gap_a` is 0.
    pub gap_growth: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendTable {
    pub rows: Vec<TrendRow>,
    pub gap: Gap,
    pub reference_a_share: f64,
    pub reference_b_share: f64,
    pub locations_used_a: u32,
    pub locations_used_b: u32,
    pub locations_missing_a: u32,
    pub locations_missing_b: u32,
}

/// Index per band in two years, the change and the gap growth.
pub fn trend(
    settings: &TrendSettings,
    year_a: &GroupColumns<'_>,
    year_b: &GroupColumns<'_>,
) -> Result<TrendTable, TrendError> {
    let bands = Bands::new(&settings.bands).map_err(BandIndexError::from)?;
    check_suppression(settings.suppress_below)?;
    let high: Vec<usize> = (0..bands.len())
        .filter(|&b| bands.lower_pct(b) >= settings.high_from_pct)
        .collect();
    let low: Vec<usize> = (0..bands.len())
        .filter(|&b| {
            bands
                .upper_pct(b)
                .is_some_and(|u| u <= settings.low_up_to_pct)
        })
        .collect();
    if high.is_empty() {
        return Err(TrendError::NoHighBands(settings.high_from_pct));
    }
    if low.is_empty() {
        return Err(TrendError::NoLowBands(settings.low_up_to_pct));
    }
    if high.iter().any(|b| low.contains(b)) {
        return Err(TrendError::Overlap {
            high_from_pct: settings.high_from_pct,
            low_up_to_pct: settings.low_up_to_pct,
        });
    }
    let year = |y: &'static str| move |source| TrendError::Year { year: y, source };
    let sums_a = sum_per_band(&bands, year_a).map_err(year("A"))?;
    let sums_b = sum_per_band(&bands, year_b).map_err(year("B"))?;
    let (ref_a, _) = reference_share(settings.reference_a_share_pct, &sums_a).map_err(year("A"))?;
    let (ref_b, _) = reference_share(settings.reference_b_share_pct, &sums_b).map_err(year("B"))?;
    let k = settings.suppress_below;

    let rows = (0..bands.len())
        .map(|b| {
            let (share_a, index_a, suppressed_a) =
                share_and_index(sums_a.group[b], sums_a.denominator[b], ref_a, k);
            let (share_b, index_b, suppressed_b) =
                share_and_index(sums_b.group[b], sums_b.denominator[b], ref_b, k);
            TrendRow {
                band: bands.info(b),
                locations_a: sums_a.locations[b],
                locations_b: sums_b.locations[b],
                share_a,
                share_b,
                index_a,
                index_b,
                change: index_a.zip(index_b).map(|(a, b)| b - a),
                suppressed_a,
                suppressed_b,
            }
        })
        .collect();

    let pooled = |sums: &super::band_index::BandSums, set: &[usize], reference: f64| {
        let g: f64 = set.iter().map(|&b| sums.group[b]).sum();
        let d: f64 = set.iter().map(|&b| sums.denominator[b]).sum();
        share_and_index(g, d, reference, k).1
    };
    let index_high_a = pooled(&sums_a, &high, ref_a);
    let index_low_a = pooled(&sums_a, &low, ref_a);
    let index_high_b = pooled(&sums_b, &high, ref_b);
    let index_low_b = pooled(&sums_b, &low, ref_b);
    let gap_a = index_high_a.zip(index_low_a).map(|(h, l)| h - l);
    let gap_b = index_high_b.zip(index_low_b).map(|(h, l)| h - l);
    let gap_growth = match (gap_a, gap_b) {
        (Some(a), Some(b)) if a != 0.0 => Some(b / a - 1.0),
        _ => None,
    };
    Ok(TrendTable {
        rows,
        gap: Gap {
            high_bands: high.iter().map(|&b| b as u32).collect(),
            low_bands: low.iter().map(|&b| b as u32).collect(),
            index_high_a,
            index_low_a,
            index_high_b,
            index_low_b,
            gap_a,
            gap_b,
            gap_growth,
        },
        reference_a_share: ref_a,
        reference_b_share: ref_b,
        locations_used_a: sums_a.used,
        locations_used_b: sums_b.used,
        locations_missing_a: sums_a.missing,
        locations_missing_b: sums_b.missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_gap_growth() {
        // Bands 0–10, 10–80, ≥80; high = ≥80, low = 0–10; national reference 10% in both years.
        // Year A: low (5 of 100) → 5% → index 50; high (20 of 100) → 20% → index 200. gap 150.
        // Year B: low (4 of 100) → index 40; high (30 of 100) → index 300. gap 260.
        // gap growth = 260/150 − 1 = 0.733333…
        let settings = TrendSettings {
            bands: BandSettings {
                lower_edges_pct: vec![0.0, 10.0, 80.0],
            },
            reference_a_share_pct: Some(10.0),
            reference_b_share_pct: Some(10.0),
            ..Default::default()
        };
        let share = [0.05, 0.5, 0.9];
        let t = trend(
            &settings,
            &GroupColumns {
                corporation_share: &share,
                group: &[5.0, 10.0, 20.0],
                denominator: &[100.0, 100.0, 100.0],
            },
            &GroupColumns {
                corporation_share: &share,
                group: &[4.0, 10.0, 30.0],
                denominator: &[100.0, 100.0, 100.0],
            },
        )
        .unwrap();
        assert!((t.gap.gap_a.unwrap() - 150.0).abs() < 1e-9);
        assert!((t.gap.gap_b.unwrap() - 260.0).abs() < 1e-9);
        assert!((t.gap.gap_growth.unwrap() - (260.0 / 150.0 - 1.0)).abs() < 1e-12);
        assert!((t.rows[2].change.unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(t.gap.high_bands, vec![2]);
        assert_eq!(t.gap.low_bands, vec![0]);
    }

    #[test]
    fn two_layers_with_different_locations() {
        // Year A has 2 locations, year B 3; loaded-area references: A = 10/200, B = 30/300.
        // A: low 2/100 → 0.02/0.05 = 40; high 8/100 → 160; gap 120.
        // B: low 5/100 → 0.05/0.1 = 50; high 20/100 → 200, middle ignored; gap 150 → growth 0.25.
        let t = trend(
            &TrendSettings::default(),
            &GroupColumns {
                corporation_share: &[0.05, 0.95],
                group: &[2.0, 8.0],
                denominator: &[100.0, 100.0],
            },
            &GroupColumns {
                corporation_share: &[0.05, 0.5, 0.85],
                group: &[5.0, 5.0, 20.0],
                denominator: &[100.0, 100.0, 100.0],
            },
        )
        .unwrap();
        assert!((t.gap.gap_growth.unwrap() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn bad_high_low_settings() {
        let cols = GroupColumns {
            corporation_share: &[0.5],
            group: &[1.0],
            denominator: &[10.0],
        };
        let s = TrendSettings {
            high_from_pct: 95.0,
            ..Default::default()
        };
        assert_eq!(trend(&s, &cols, &cols), Err(TrendError::NoHighBands(95.0)));
        let s = TrendSettings {
            low_up_to_pct: 100.0,
            high_from_pct: 50.0,
            ..Default::default()
        };
        assert!(matches!(
            trend(&s, &cols, &cols),
            Err(TrendError::Overlap { .. })
        ));
    }

    proptest! {
        /// Second implementation: pooled sums by explicit intervals, computed from scratch.
        #[test]
        fn gap_growth_matches_naive(
            a in proptest::collection::vec((0.0f64..1.0, 0u32..30, 30u32..60), 4..50),
            b in proptest::collection::vec((0.0f64..1.0, 0u32..30, 30u32..60), 4..50),
        ) {
            let split = |v: &Vec<(f64, u32, u32)>| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
                (v.iter().map(|r| r.0).collect(), v.iter().map(|r| f64::from(r.1)).collect(), v.iter().map(|r| f64::from(r.2)).collect())
            };
            let (sa, ga, da) = split(&a);
            let (sb, gb, db) = split(&b);
            let settings = TrendSettings { suppress_below: 0.0, high_from_pct: 60.0, low_up_to_pct: 30.0, ..Default::default() };
            let t = match trend(&settings,
                &GroupColumns { corporation_share: &sa, group: &ga, denominator: &da },
                &GroupColumns { corporation_share: &sb, group: &gb, denominator: &db }) {
                Ok(t) => t,
                Err(TrendError::Year { .. }) => return Ok(()),
                Err(e) => panic!("{e}"),
            };
            let naive_index = |s: &[f64], g: &[f64], d: &[f64], lo: f64, hi: f64| -> Option<f64> {
                let reference = g.iter().sum::<f64>() / d.iter().sum::<f64>();
                let (mut gs, mut ds) = (0.0, 0.0);
                for i in 0..s.len() { if s[i] >= lo && s[i] < hi { gs += g[i]; ds += d[i]; } }
                (ds > 0.0).then(|| gs / ds / reference * 100.0)
            };
            let gap = |s: &[f64], g: &[f64], d: &[f64]| {
                Some(naive_index(s, g, d, 0.6, f64::INFINITY)? - naive_index(s, g, d, 0.0, 0.3)?)
            };
            let naive = match (gap(&sa, &ga, &da), gap(&sb, &gb, &db)) {
                // A gap near 0 in year A makes the ratio ill-conditioned: skip such cases.
                (Some(x), Some(_)) if x.abs() < 1e-6 => return Ok(()),
                (Some(x), Some(y)) => Some(y / x - 1.0),
                _ => None,
            };
            match (t.gap.gap_growth, naive) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-6 * y.abs().max(1.0), "{} vs {}", x, y),
                (x, y) => prop_assert_eq!(x, y),
            }
        }
    }
}
