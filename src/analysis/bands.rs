//! Bands of corporation share: locations grouped by the share of corporation dwellings around them
//! (default 0–10, 10–20, …, 70–80, ≥ 80 %), with the number of locations and dwellings per band.
//!
//! A band is `[lower, next lower)`; the last band is open (`≥ lower`). Shares are `0..1`
//! (`share`), band edges are percentages (`*_pct`). A share is compared with `edge_pct / 100`, so
//! a share of exactly `0.1` lies in the band 10–20, never in 0–10. Shares that are missing (NaN)
//! or below the first edge belong to no band and are counted as *outside*.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The band edges, as the user sets them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BandSettings {
    /// Lower edges in percent, strictly increasing. Band `i` is `[edge_i, edge_{i+1})`; the last
    /// band is `≥ edge_last`.
    pub lower_edges_pct: Vec<f64>,
}

impl Default for BandSettings {
    fn default() -> Self {
        BandSettings {
            lower_edges_pct: (0..=8).map(|i| f64::from(i) * 10.0).collect(),
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum BandsError {
    #[error("no bands: the list of lower band edges is empty")]
    Empty,
    #[error("band edge {index} is not a finite number (got {value})")]
    NotFinite { index: usize, value: f64 },
    #[error("band edges must increase: edge {index} ({value}%) is not above the edge before it ({previous}%)")]
    NotIncreasing {
        index: usize,
        value: f64,
        previous: f64,
    },
    #[error("column {what} has {got} values, expected {expected} (one per location)")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
}

/// Validated bands: built once from [`BandSettings`], then every lookup is infallible.
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    lower_pct: Vec<f64>,
    lower_share: Vec<f64>,
}

/// One band as shown to the user.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandInfo {
    pub index: u32,
    /// e.g. `"0–10%"`, `"≥ 80%"`.
    pub label: String,
    pub lower_pct: f64,
    /// `None` for the open last band.
    pub upper_pct: Option<f64>,
}

impl Bands {
    pub fn new(settings: &BandSettings) -> Result<Self, BandsError> {
        let edges = &settings.lower_edges_pct;
        if edges.is_empty() {
            return Err(BandsError::Empty);
        }
        for (index, &value) in edges.iter().enumerate() {
            if !value.is_finite() {
                return Err(BandsError::NotFinite { index, value });
            }
            if index > 0 && value <= edges[index - 1] {
                return Err(BandsError::NotIncreasing {
                    index,
                    value,
                    previous: edges[index - 1],
                });
            }
        }
        Ok(Bands {
            lower_pct: edges.clone(),
            lower_share: edges.iter().map(|e| e / 100.0).collect(),
        })
    }

    /// Number of bands (at least one).
    pub fn len(&self) -> usize {
        self.lower_pct.len()
    }

    /// Always false: validated bands are never empty.
    pub fn is_empty(&self) -> bool {
        self.lower_pct.is_empty()
    }

    /// The band a share (`0..1`) falls in; `None` for NaN or a share below the first edge.
    pub fn band_of(&self, share: f64) -> Option<usize> {
        if share.is_nan() || share < self.lower_share[0] {
            return None;
        }
        Some(self.lower_share.partition_point(|&e| e <= share) - 1)
    }

    pub fn lower_pct(&self, band: usize) -> f64 {
        self.lower_pct[band]
    }

    /// Upper edge in percent; `None` for the last (open) band.
    pub fn upper_pct(&self, band: usize) -> Option<f64> {
        self.lower_pct.get(band + 1).copied()
    }

    /// Midpoint in share (`0..1`); for the open last band the lower edge plus half the width of
    /// the band before it (or the lower edge itself when there is only one band).
    pub fn midpoint_share(&self, band: usize) -> f64 {
        match self.upper_pct(band) {
            Some(upper) => (self.lower_pct[band] + upper) / 200.0,
            None if band > 0 => {
                let width = self.lower_pct[band] - self.lower_pct[band - 1];
                (self.lower_pct[band] + width / 2.0) / 100.0
            }
            None => self.lower_share[band],
        }
    }

    pub fn label(&self, band: usize) -> String {
        match self.upper_pct(band) {
            Some(upper) => format!("{}–{}%", fmt_pct(self.lower_pct[band]), fmt_pct(upper)),
            None => format!("≥ {}%", fmt_pct(self.lower_pct[band])),
        }
    }

    pub fn info(&self, band: usize) -> BandInfo {
        BandInfo {
            index: band as u32,
            label: self.label(band),
            lower_pct: self.lower_pct[band],
            upper_pct: self.upper_pct(band),
        }
    }

    /// The band of every location (`-1` = outside every band), aligned with `share`.
    pub fn assign(&self, share: &[f64]) -> Vec<i32> {
        share
            .iter()
            .map(|&s| self.band_of(s).map_or(-1, |b| b as i32))
            .collect()
    }
}

fn fmt_pct(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Per band: how many locations, and how many dwellings they hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandCountRow {
    #[serde(flatten)]
    pub band: BandInfo,
    pub locations: u32,
    /// Sum of the dwellings column over the band's locations (missing counted as 0); `None` when
    /// no dwellings column was given.
    pub dwellings: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandCountTable {
    pub bands: Vec<BandCountRow>,
    /// Locations whose share is missing or below the first edge.
    pub outside_locations: u32,
    pub outside_dwellings: Option<f64>,
    /// Locations in a band whose dwellings value is missing (counted as 0 dwellings).
    pub locations_missing_dwellings: u32,
}

/// Count locations (and, if given, dwellings) per band of `share` (`0..1`, one per location).
pub fn count_per_band(
    settings: &BandSettings,
    share: &[f64],
    dwellings: Option<&[f64]>,
) -> Result<BandCountTable, BandsError> {
    let bands = Bands::new(settings)?;
    if let Some(d) = dwellings {
        if d.len() != share.len() {
            return Err(BandsError::LengthMismatch {
                what: "dwellings",
                got: d.len(),
                expected: share.len(),
            });
        }
    }
    let mut locations = vec![0u32; bands.len()];
    let mut dwelling_sums = vec![0.0f64; bands.len()];
    let (mut outside, mut outside_dw, mut missing_dw) = (0u32, 0.0f64, 0u32);
    for (i, &s) in share.iter().enumerate() {
        let dw = dwellings.map_or(0.0, |d| d[i]);
        match bands.band_of(s) {
            Some(b) => {
                locations[b] += 1;
                if dw.is_nan() {
                    if dwellings.is_some() {
                        missing_dw += 1;
                    }
                } else {
                    dwelling_sums[b] += dw;
                }
            }
            None => {
                outside += 1;
                if !dw.is_nan() {
                    outside_dw += dw;
                }
            }
        }
    }
    let has_dw = dwellings.is_some();
    Ok(BandCountTable {
        bands: (0..bands.len())
            .map(|b| BandCountRow {
                band: bands.info(b),
                locations: locations[b],
                dwellings: has_dw.then_some(dwelling_sums[b]),
            })
            .collect(),
        outside_locations: outside,
        outside_dwellings: has_dw.then_some(outside_dw),
        locations_missing_dwellings: missing_dw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_bands_and_edges() {
        let b = Bands::new(&BandSettings::default()).unwrap();
        assert_eq!(b.len(), 9);
        assert_eq!(b.label(0), "0–10%");
        assert_eq!(b.label(8), "≥ 80%");
        assert_eq!(b.band_of(0.0), Some(0));
        assert_eq!(b.band_of(0.0999), Some(0));
        // 1/10 computed as a share lands on the edge 10/100: upper edges are exclusive.
        assert_eq!(b.band_of(1.0 / 10.0), Some(1));
        assert_eq!(b.band_of(0.7), Some(7));
        assert_eq!(b.band_of(0.8), Some(8));
        assert_eq!(b.band_of(1.0), Some(8));
        assert_eq!(b.band_of(-0.01), None);
        assert_eq!(b.band_of(f64::NAN), None);
        assert_eq!(b.midpoint_share(0), 0.05);
        assert_eq!(b.midpoint_share(8), 0.85);
    }

    #[test]
    fn bad_edges_are_refused_with_the_value() {
        let e = Bands::new(&BandSettings {
            lower_edges_pct: vec![0.0, 20.0, 20.0],
        })
        .unwrap_err();
        assert_eq!(
            e,
            BandsError::NotIncreasing {
                index: 2,
                value: 20.0,
                previous: 20.0
            }
        );
        assert!(e.to_string().contains("20%"));
        assert_eq!(
            Bands::new(&BandSettings {
                lower_edges_pct: vec![]
            }),
            Err(BandsError::Empty)
        );
    }

    #[test]
    fn hand_computed_counts() {
        // shares 0.05, 0.15, 0.15, 0.85, NaN with dwellings 10, 20, NaN, 40, 5:
        // 0–10: 1 loc, 10 dw; 10–20: 2 locs, 20 dw (one missing); ≥80: 1 loc, 40 dw; outside 1, 5 dw.
        let t = count_per_band(
            &BandSettings::default(),
            &[0.05, 0.15, 0.15, 0.85, f64::NAN],
            Some(&[10.0, 20.0, f64::NAN, 40.0, 5.0]),
        )
        .unwrap();
        assert_eq!(t.bands[0].locations, 1);
        assert_eq!(t.bands[0].dwellings, Some(10.0));
        assert_eq!(t.bands[1].locations, 2);
        assert_eq!(t.bands[1].dwellings, Some(20.0));
        assert_eq!(t.bands[8].locations, 1);
        assert_eq!(t.bands[8].dwellings, Some(40.0));
        assert_eq!(t.outside_locations, 1);
        assert_eq!(t.outside_dwellings, Some(5.0));
        assert_eq!(t.locations_missing_dwellings, 1);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["bands"][8]["upperPct"], serde_json::Value::Null);
        assert_eq!(json["bands"][1]["lowerPct"], 10.0);
    }

    #[test]
    fn settings_from_json_with_defaults() {
        let s: BandSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, BandSettings::default());
        let s: BandSettings = serde_json::from_str(r#"{"lowerEdgesPct":[0,40,50,80]}"#).unwrap();
        assert_eq!(Bands::new(&s).unwrap().label(3), "≥ 80%");
    }

    proptest! {
        /// Second implementation: a linear scan over explicit intervals.
        #[test]
        fn band_of_matches_interval_scan(
            mut edges in proptest::collection::vec(0.0f64..100.0, 1..8),
            share in -0.1f64..1.1,
        ) {
            edges.sort_by(f64::total_cmp);
            edges.dedup();
            let bands = Bands::new(&BandSettings { lower_edges_pct: edges.clone() }).unwrap();
            let mut naive = None;
            for (i, lo) in edges.iter().enumerate() {
                let hi = edges.get(i + 1).map_or(f64::INFINITY, |h| h / 100.0);
                if share >= lo / 100.0 && share < hi {
                    naive = Some(i);
                }
            }
            prop_assert_eq!(bands.band_of(share), naive);
        }

        #[test]
        fn counts_add_up(shares in proptest::collection::vec(prop_oneof![Just(f64::NAN), -0.2f64..1.2], 0..60)) {
            let dw: Vec<f64> = (0..shares.len()).map(|i| i as f64).collect();
            let t = count_per_band(&BandSettings::default(), &shares, Some(&dw)).unwrap();
            let n: u32 = t.bands.iter().map(|r| r.locations).sum::<u32>() + t.outside_locations;
            prop_assert_eq!(n as usize, shares.len());
            let total: f64 = t.bands.iter().map(|r| r.dwellings.unwrap()).sum::<f64>() + t.outside_dwellings.unwrap();
            prop_assert_eq!(total, dw.iter().sum::<f64>());
        }
    }
}
