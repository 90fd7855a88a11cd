//! Placement check: for candidate vacant dwellings, the share of a vulnerable group and the
//! corporation share within the radius around each, ranked from least to most concentrated and
//! flagged above the user's thresholds — the study's advice to avoid placing more vulnerable
//! households where they already concentrate, made operational.
//!
//! A candidate is any point (an address from a file, or a click on the map); the sums are over the
//! layer's locations within R of it (`dx² + dy² <= R²` in f64, as everywhere). A share whose
//! denominator sum is below the suppression k is not computed: such a candidate is marked
//! `suppressed`, carries no share and ranks last.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::grid_index::{GridIndex, GridIndexError};
use super::missing::MissingPolicy;
use super::neighbours::for_each_within;
use super::suppression::{Suppression, SuppressionError};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlacementSettings {
    pub radius_m: f64,
    /// Flag a candidate whose vulnerable-group share within R is above this (percent).
    pub group_threshold_pct: f64,
    /// Flag a candidate whose corporation share within R is above this (percent).
    pub corporation_threshold_pct: f64,
    pub suppress_below: f64,
}

impl Default for PlacementSettings {
    fn default() -> Self {
        Self {
            radius_m: 200.0,
            group_threshold_pct: 20.0,
            corporation_threshold_pct: 50.0,
            suppress_below: super::suppression::DEFAULT_SUPPRESS_BELOW,
        }
    }
}

/// The layer the candidates are checked against: coordinates and four aligned columns.
#[derive(Clone, Copy, Debug)]
pub struct PlacementLayer<'a> {
    pub x_rd: &'a [f64],
    pub y_rd: &'a [f64],
    pub dwellings: &'a [f64],
    pub corporation: &'a [f64],
    /// The vulnerable group (e.g. persons on benefit) and what it is a share of (e.g. inhabitants).
    pub group: &'a [f64],
    pub group_denominator: &'a [f64],
}

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub x_rd: f64,
    pub y_rd: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementRow {
    /// 1 = least concentrated.
    pub rank: u32,
    /// Position in the candidate list.
    pub candidate: u32,
    pub id: String,
    pub group_share: Option<f64>,
    pub corporation_share: Option<f64>,
    pub group_flag: bool,
    pub corporation_flag: bool,
    /// A share was not computed because too few units lie within the radius.
    pub suppressed: bool,
}

#[derive(Debug, Error, PartialEq)]
pub enum PlacementError {
    #[error("{what} has {got} values but there are {expected} locations")]
    Length {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("invalid radius {radius_m} m: must be a finite number ≥ 0")]
    BadRadius { radius_m: f64 },
    #[error("candidate {id:?} has no valid RD coordinates (x {x_rd}, y {y_rd})")]
    BadCandidate { id: String, x_rd: f64, y_rd: f64 },
    #[error(transparent)]
    Suppression(#[from] SuppressionError),
    #[error(transparent)]
    Index(#[from] GridIndexError),
}

/// Ranks `candidates` by the group share within the radius, then the corporation share (both
/// ascending; suppressed candidates last; ties by input order).
pub fn rank_candidates(
    layer: PlacementLayer<'_>,
    candidates: &[Candidate],
    missing: MissingPolicy,
    settings: &PlacementSettings,
) -> Result<Vec<PlacementRow>, PlacementError> {
    let n = layer.x_rd.len();
    let columns = [
        layer.dwellings,
        layer.corporation,
        layer.group,
        layer.group_denominator,
    ];
    for (what, got) in [
        ("y_rd", layer.y_rd.len()),
        ("dwellings", layer.dwellings.len()),
        ("corporation dwellings", layer.corporation.len()),
        ("group", layer.group.len()),
        ("group denominator", layer.group_denominator.len()),
    ] {
        if got != n {
            return Err(PlacementError::Length {
                what,
                got,
                expected: n,
            });
        }
    }
    let radius_m = settings.radius_m;
    if !(radius_m.is_finite() && radius_m >= 0.0) {
        return Err(PlacementError::BadRadius { radius_m });
    }
    if let Some(c) = candidates
        .iter()
        .find(|c| !(c.x_rd.is_finite() && c.y_rd.is_finite()))
    {
        return Err(PlacementError::BadCandidate {
            id: c.id.clone(),
            x_rd: c.x_rd,
            y_rd: c.y_rd,
        });
    }
    let k = Suppression::new(settings.suppress_below)?;
    let keep: Vec<bool> = (0..n)
        .map(|i| missing == MissingPolicy::CountAsZero || columns.iter().all(|c| !c[i].is_nan()))
        .collect();
    let index = GridIndex::build(layer.x_rd, layer.y_rd, Some(&keep), radius_m.max(1.0))?;
    let value = |c: &[f64], j: usize| if c[j].is_nan() { 0.0 } else { c[j] };
    let mut rows: Vec<PlacementRow> = candidates
        .iter()
        .enumerate()
        .map(|(q, c)| {
            let mut s = [0.0f64; 4];
            for_each_within(
                &index,
                layer.x_rd,
                layer.y_rd,
                c.x_rd,
                c.y_rd,
                radius_m,
                |j| {
                    for (acc, col) in s.iter_mut().zip(&columns) {
                        *acc += value(col, j);
                    }
                },
            );
            let group_share = Some(k.share(s[2], s[3])).filter(|v| !v.is_nan());
            let corporation_share = Some(k.share(s[1], s[0])).filter(|v| !v.is_nan());
            PlacementRow {
                rank: 0,
                candidate: q as u32,
                id: c.id.clone(),
                group_flag: group_share.is_some_and(|v| v * 100.0 > settings.group_threshold_pct),
                corporation_flag: corporation_share
                    .is_some_and(|v| v * 100.0 > settings.corporation_threshold_pct),
                suppressed: group_share.is_none() || corporation_share.is_none(),
                group_share,
                corporation_share,
            }
        })
        .collect();
    let key = |r: &PlacementRow| {
        (
            r.suppressed,
            r.group_share.unwrap_or(f64::INFINITY),
            r.corporation_share.unwrap_or(f64::INFINITY),
        )
    };
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.total_cmp(&kb.2))
            .then(a.candidate.cmp(&b.candidate))
    });
    for (r, row) in rows.iter_mut().enumerate() {
        row.rank = r as u32 + 1;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::synthetic::{synthetic_towns, SplitMix64};

    #[test]
    fn ranks_and_flags_by_hand() {
        // Two clusters 1 km apart. West: 20 dwellings, 15 corporation (75 %), 10 of 40 residents
        // on benefit (25 %). East: 20 dwellings, 4 corporation (20 %), 2 of 40 (5 %).
        let x = [0.0, 50.0, 1_000.0, 1_050.0];
        let y = [0.0; 4];
        let layer = PlacementLayer {
            x_rd: &x,
            y_rd: &y,
            dwellings: &[10.0, 10.0, 10.0, 10.0],
            corporation: &[8.0, 7.0, 2.0, 2.0],
            group: &[6.0, 4.0, 1.0, 1.0],
            group_denominator: &[20.0, 20.0, 20.0, 20.0],
        };
        let candidates = vec![
            Candidate {
                id: "west".into(),
                x_rd: 25.0,
                y_rd: 0.0,
            },
            Candidate {
                id: "east".into(),
                x_rd: 1_025.0,
                y_rd: 0.0,
            },
            Candidate {
                id: "nowhere".into(),
                x_rd: 5_000.0,
                y_rd: 0.0,
            },
        ];
        let rows = rank_candidates(
            layer,
            &candidates,
            MissingPolicy::CountAsZero,
            &PlacementSettings::default(),
        )
        .unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["east", "west", "nowhere"]);
        assert_eq!(rows[0].group_share, Some(0.05));
        assert_eq!(rows[0].corporation_share, Some(0.2));
        assert!(!rows[0].group_flag && !rows[0].corporation_flag);
        assert_eq!(rows[1].group_share, Some(0.25));
        assert_eq!(rows[1].corporation_share, Some(0.75));
        assert!(rows[1].group_flag && rows[1].corporation_flag);
        assert!(rows[2].suppressed && rows[2].group_share.is_none());
        assert_eq!(rows[2].rank, 3);
    }

    #[test]
    fn shares_equal_a_brute_force_sum_around_each_candidate() {
        let t = synthetic_towns(5_000, 11);
        let d = &t.column("woningen").unwrap().values;
        let c = &t.column("corporatie").unwrap().values;
        let g = &t.column("uitkering").unwrap().values;
        let layer = PlacementLayer {
            x_rd: &t.x_rd,
            y_rd: &t.y_rd,
            dwellings: d,
            corporation: c,
            group: g,
            group_denominator: d,
        };
        let mut rng = SplitMix64::new(5);
        let candidates: Vec<Candidate> = (0..100)
            .map(|q| {
                let j = (rng.next_u64() % t.len() as u64) as usize;
                Candidate {
                    id: format!("c{q}"),
                    x_rd: t.x_rd[j] + 80.0 * (rng.unit() - 0.5),
                    y_rd: t.y_rd[j] + 80.0 * (rng.unit() - 0.5),
                }
            })
            .collect();
        let settings = PlacementSettings::default();
        let rows =
            rank_candidates(layer, &candidates, MissingPolicy::CountAsZero, &settings).unwrap();
        let r2 = settings.radius_m * settings.radius_m;
        for row in &rows {
            let cand = &candidates[row.candidate as usize];
            let (mut sd, mut sc, mut sg) = (0.0, 0.0, 0.0);
            for j in 0..t.len() {
                let (dx, dy) = (t.x_rd[j] - cand.x_rd, t.y_rd[j] - cand.y_rd);
                if dx * dx + dy * dy <= r2 {
                    sd += d[j];
                    sc += c[j];
                    sg += g[j];
                }
            }
            let ok = sd >= settings.suppress_below && sd > 0.0;
            assert_eq!(row.corporation_share, ok.then(|| sc / sd), "{}", row.id);
            assert_eq!(row.group_share, ok.then(|| sg / sd), "{}", row.id);
        }
        // Ranked: non-decreasing group share among the unsuppressed.
        let shares: Vec<f64> = rows.iter().filter_map(|r| r.group_share).collect();
        assert!(shares.windows(2).all(|w| w[0] <= w[1]));
    }
}
