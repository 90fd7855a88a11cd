//! Portfolio scenarios: what happens to the corporation share within the radius when a
//! corporation sells, liberalises, demolishes or builds at some locations — recomputed
//! incrementally.
//!
//! A change at location `j` alters `j`'s dwellings and corporation dwellings by whole numbers; the
//! buffer sums of exactly the locations within R of `j` change by the same amounts (distance is
//! symmetric, see [`crate::analysis::neighbours`]). So an edit touches only those sums, and
//! because the counts are integers the sums stay *bit-identical* to a from-scratch
//! [`buffer_sums`] over the edited counts, whatever the order of edits, undos and redos.
//!
//! What each kind of change does to the two counts at its location (`n` dwellings):
//!
//! | change | dwellings | corporation dwellings |
//! |---|---|---|
//! | sold, liberalised | — | −n |
//! | demolished | −n | −n |
//! | new-built social | +n | +n |
//! | new-built mid-rent | +n | — (let to middle incomes: it dilutes the concentration) |
//!
//! Missing counts: under [`MissingPolicy::CountAsZero`] a missing count is 0 and an edit starts
//! from 0; under [`MissingPolicy::LeaveOut`] a location with a missing count is not in any sum,
//! and an edit there is refused with a message saying so.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::buffer_sum::{buffer_sums, BufferSumError, SumColumn};
use super::grid_index::{GridIndex, GridIndexError};
use super::missing::MissingPolicy;
use super::neighbours::for_each_within;
use super::suppression::Suppression;

/// What a change does at one location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Sell,
    Liberalise,
    Demolish,
    NewBuildSocial,
    NewBuildMidRent,
}

impl ChangeKind {
    /// `(Δ dwellings, Δ corporation dwellings)` for `n` dwellings.
    pub fn deltas(self, n: u32) -> (f64, f64) {
        let n = f64::from(n);
        match self {
            ChangeKind::Sell | ChangeKind::Liberalise => (0.0, -n),
            ChangeKind::Demolish => (-n, -n),
            ChangeKind::NewBuildSocial => (n, n),
            ChangeKind::NewBuildMidRent => (n, 0.0),
        }
    }
}

/// `dwellings` dwellings at input row `row` are changed as `kind` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub row: u32,
    pub kind: ChangeKind,
    pub dwellings: u32,
}

/// One undoable step: the changes the user applied at once (e.g. to a selection of locations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub label: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Error, PartialEq)]
pub enum ScenarioError {
    #[error("row {row} does not exist: the layer has {n} locations")]
    RowOutOfRange { row: u32, n: usize },
    #[error(
        "location {id:?} (row {row}): cannot take away {wanted} corporation dwellings, it has {available}"
    )]
    TooFewCorporationDwellings {
        row: u32,
        id: String,
        wanted: f64,
        available: f64,
    },
    #[error(
        "location {id:?} (row {row}): cannot take away {wanted} dwellings, it has {available}"
    )]
    TooFewDwellings {
        row: u32,
        id: String,
        wanted: f64,
        available: f64,
    },
    #[error(
        "location {id:?} (row {row}) has a missing count and is left out of the sums (policy \"leave out\"); fill in its counts or count missing values as 0"
    )]
    LeftOut { row: u32, id: String },
    #[error("invalid radius {radius_m} m: must be a finite number ≥ 0")]
    BadRadius { radius_m: f64 },
    #[error("{what} has {got} values but there are {expected} locations")]
    Length {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error(transparent)]
    Sums(#[from] BufferSumError),
    #[error(transparent)]
    Index(#[from] GridIndexError),
}

/// The locations an edit changed: every row whose sums moved (sorted, unique).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Update {
    pub affected_rows: Vec<u32>,
}

/// Current counts and buffer sums of a layer under a scenario, with undo and redo.
#[derive(Debug, Clone)]
pub struct ScenarioEngine {
    x_rd: Vec<f64>,
    y_rd: Vec<f64>,
    ids: Vec<String>,
    radius_m: f64,
    missing: MissingPolicy,
    index: GridIndex,
    included: Vec<bool>,
    dwellings: Vec<f64>,
    corporation: Vec<f64>,
    dwellings_sum: Vec<f64>,
    corporation_sum: Vec<f64>,
    done: Vec<Step>,
    undone: Vec<Step>,
}

impl ScenarioEngine {
    /// Starts from the current situation: computes the buffer sums once (the same engine as every
    /// score) and indexes the locations for the incremental updates. `ids` may be empty.
    pub fn new(
        x_rd: &[f64],
        y_rd: &[f64],
        ids: &[String],
        dwellings: &[f64],
        corporation: &[f64],
        radius_m: f64,
        missing: MissingPolicy,
    ) -> Result<Self, ScenarioError> {
        let n = x_rd.len();
        if !(radius_m.is_finite() && radius_m >= 0.0) {
            return Err(ScenarioError::BadRadius { radius_m });
        }
        for (what, got) in [
            ("y_rd", y_rd.len()),
            ("dwellings", dwellings.len()),
            ("corporation dwellings", corporation.len()),
        ] {
            if got != n {
                return Err(ScenarioError::Length {
                    what,
                    got,
                    expected: n,
                });
            }
        }
        if !ids.is_empty() && ids.len() != n {
            return Err(ScenarioError::Length {
                what: "ids",
                got: ids.len(),
                expected: n,
            });
        }
        let columns = [
            SumColumn {
                name: "dwellings",
                values: dwellings,
            },
            SumColumn {
                name: "corporation dwellings",
                values: corporation,
            },
        ];
        let mut sums = buffer_sums(x_rd, y_rd, &columns, radius_m, missing)?;
        let corporation_sum = sums.pop().unwrap_or_default();
        let dwellings_sum = sums.pop().unwrap_or_default();
        let included: Vec<bool> = (0..n)
            .map(|i| {
                missing == MissingPolicy::CountAsZero
                    || !(dwellings[i].is_nan() || corporation[i].is_nan())
            })
            .collect();
        let index = GridIndex::build(x_rd, y_rd, Some(&included), radius_m.max(1.0))?;
        Ok(Self {
            x_rd: x_rd.to_vec(),
            y_rd: y_rd.to_vec(),
            ids: if ids.is_empty() {
                (1..=n).map(|i| i.to_string()).collect()
            } else {
                ids.to_vec()
            },
            radius_m,
            missing,
            index,
            included,
            dwellings: dwellings.to_vec(),
            corporation: corporation.to_vec(),
            dwellings_sum,
            corporation_sum,
            done: Vec::new(),
            undone: Vec::new(),
        })
    }

    pub fn len(&self) -> usize {
        self.x_rd.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x_rd.is_empty()
    }

    pub fn radius_m(&self) -> f64 {
        self.radius_m
    }

    pub fn missing_policy(&self) -> MissingPolicy {
        self.missing
    }

    /// Current dwellings per location (NaN = missing and never edited).
    pub fn dwellings(&self) -> &[f64] {
        &self.dwellings
    }

    /// Current corporation dwellings per location.
    pub fn corporation(&self) -> &[f64] {
        &self.corporation
    }

    /// Current sum of dwellings within the radius (NaN for a left-out location).
    pub fn dwellings_sum(&self) -> &[f64] {
        &self.dwellings_sum
    }

    /// Current sum of corporation dwellings within the radius.
    pub fn corporation_sum(&self) -> &[f64] {
        &self.corporation_sum
    }

    /// The corporation share within the radius at `row` (NaN where undefined or suppressed).
    pub fn share(&self, row: usize, suppression: Suppression) -> f64 {
        suppression.share(self.corporation_sum[row], self.dwellings_sum[row])
    }

    /// The corporation share within the radius of every location.
    pub fn shares(&self, suppression: Suppression) -> Vec<f64> {
        (0..self.len())
            .map(|i| self.share(i, suppression))
            .collect()
    }

    /// The steps applied so far, oldest first (what a project file saves).
    pub fn steps(&self) -> &[Step] {
        &self.done
    }

    /// The steps undone and not yet redone, the next redo first.
    pub fn redo_steps(&self) -> Vec<Step> {
        self.undone.iter().rev().cloned().collect()
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    /// Applies a step: checks every change first (nothing changes when one is refused), then
    /// updates the counts and the sums of the locations within R of each changed location.
    /// Clears the redo list.
    pub fn apply(&mut self, step: Step) -> Result<Update, ScenarioError> {
        let deltas = self.check(&step)?;
        let update = self.add(&deltas, 1.0);
        self.done.push(step);
        self.undone.clear();
        Ok(update)
    }

    /// Takes back the last step; `None` when there is none.
    pub fn undo(&mut self) -> Option<Update> {
        let step = self.done.pop()?;
        let deltas: Vec<_> = net_deltas(&step).into_iter().collect();
        let update = self.add(&deltas, -1.0);
        self.undone.push(step);
        Some(update)
    }

    /// Applies the last undone step again; `None` when there is none.
    pub fn redo(&mut self) -> Option<Update> {
        let step = self.undone.pop()?;
        let deltas: Vec<_> = net_deltas(&step).into_iter().collect();
        let update = self.add(&deltas, 1.0);
        self.done.push(step);
        Some(update)
    }

    /// The net change per row of a step, after checking rows exist, are in the sums, and keep
    /// non-negative counts.
    fn check(&self, step: &Step) -> Result<Vec<RowDelta>, ScenarioError> {
        let n = self.len();
        let deltas = net_deltas(step);
        for (&row, &(dd, dc)) in &deltas {
            let i = row as usize;
            if i >= n {
                return Err(ScenarioError::RowOutOfRange { row, n });
            }
            let id = || self.ids[i].clone();
            if !self.included[i] {
                return Err(ScenarioError::LeftOut { row, id: id() });
            }
            let corporation = zero_if_missing(self.corporation[i]);
            if corporation + dc < 0.0 {
                return Err(ScenarioError::TooFewCorporationDwellings {
                    row,
                    id: id(),
                    wanted: -dc,
                    available: corporation,
                });
            }
            let dwellings = zero_if_missing(self.dwellings[i]);
            if dwellings + dd < 0.0 {
                return Err(ScenarioError::TooFewDwellings {
                    row,
                    id: id(),
                    wanted: -dd,
                    available: dwellings,
                });
            }
        }
        Ok(deltas.into_iter().collect())
    }

    fn add(&mut self, deltas: &[RowDelta], sign: f64) -> Update {
        let mut affected = Vec::new();
        for &(row, (dd, dc)) in deltas {
            let (dd, dc) = (sign * dd, sign * dc);
            if dd == 0.0 && dc == 0.0 {
                continue;
            }
            let j = row as usize;
            self.dwellings[j] = zero_if_missing(self.dwellings[j]) + dd;
            self.corporation[j] = zero_if_missing(self.corporation[j]) + dc;
            let (dsum, csum) = (&mut self.dwellings_sum, &mut self.corporation_sum);
            for_each_within(
                &self.index,
                &self.x_rd,
                &self.y_rd,
                self.x_rd[j],
                self.y_rd[j],
                self.radius_m,
                |i| {
                    dsum[i] += dd;
                    csum[i] += dc;
                    affected.push(i as u32);
                },
            );
        }
        affected.sort_unstable();
        affected.dedup();
        Update {
            affected_rows: affected,
        }
    }
}

/// A row and its net `(Δ dwellings, Δ corporation dwellings)`.
type RowDelta = (u32, (f64, f64));

fn zero_if_missing(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// Net `(Δ dwellings, Δ corporation)` per row, rows in ascending order.
fn net_deltas(step: &Step) -> std::collections::BTreeMap<u32, (f64, f64)> {
    let mut net = std::collections::BTreeMap::new();
    for c in &step.changes {
        let (dd, dc) = c.kind.deltas(c.dwellings);
        let e = net.entry(c.row).or_insert((0.0, 0.0));
        e.0 += dd;
        e.1 += dc;
    }
    net
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::synthetic::{synthetic_towns, SplitMix64};

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// From scratch: the same engine's batch sums over the edited counts.
    fn assert_matches_from_scratch(e: &ScenarioEngine) {
        let cols = [
            SumColumn {
                name: "d",
                values: e.dwellings(),
            },
            SumColumn {
                name: "c",
                values: e.corporation(),
            },
        ];
        let fresh = buffer_sums(&e.x_rd, &e.y_rd, &cols, e.radius_m, e.missing).unwrap();
        assert_eq!(bits(e.dwellings_sum()), bits(&fresh[0]));
        assert_eq!(bits(e.corporation_sum()), bits(&fresh[1]));
    }

    fn engine(n: usize, seed: u64, missing: MissingPolicy) -> ScenarioEngine {
        let t = synthetic_towns(n, seed);
        let d = &t.column("woningen").unwrap().values;
        let mut c = t.column("corporatie").unwrap().values.clone();
        // Some missing counts, so both policies are exercised.
        for v in c.iter_mut().step_by(37) {
            *v = f64::NAN;
        }
        ScenarioEngine::new(&t.x_rd, &t.y_rd, &t.ids, d, &c, 200.0, missing).unwrap()
    }

    fn random_step(e: &ScenarioEngine, rng: &mut SplitMix64) -> Step {
        let kinds = [
            ChangeKind::Sell,
            ChangeKind::Liberalise,
            ChangeKind::Demolish,
            ChangeKind::NewBuildSocial,
            ChangeKind::NewBuildMidRent,
        ];
        let k = 1 + (rng.next_u64() % 5) as usize;
        let changes = (0..k)
            .map(|_| {
                let row = (rng.next_u64() % e.len() as u64) as u32;
                let kind = kinds[(rng.next_u64() % 5) as usize];
                let corp = zero_if_missing(e.corporation()[row as usize]);
                let dw = zero_if_missing(e.dwellings()[row as usize]);
                let most = match kind {
                    ChangeKind::Sell | ChangeKind::Liberalise => corp,
                    ChangeKind::Demolish => corp.min(dw),
                    _ => 40.0,
                };
                let dwellings = (rng.unit() * (most + 1.0)).floor().min(most) as u32;
                Change {
                    row,
                    kind,
                    dwellings,
                }
            })
            .collect();
        Step {
            label: "random".into(),
            changes,
        }
    }

    #[test]
    fn random_edit_sequences_with_undo_and_redo_equal_from_scratch() {
        for (seed, missing) in [
            (1, MissingPolicy::CountAsZero),
            (2, MissingPolicy::CountAsZero),
            (3, MissingPolicy::LeaveOut),
        ] {
            let mut e = engine(4_000, seed, missing);
            let mut rng = SplitMix64::new(seed + 100);
            for round in 0..60 {
                match rng.next_u64() % 6 {
                    0 => {
                        e.undo();
                    }
                    1 => {
                        e.redo();
                    }
                    _ => {
                        let step = random_step(&e, &mut rng);
                        // Steps on left-out rows are refused and change nothing.
                        let before = (bits(e.dwellings_sum()), bits(e.corporation_sum()));
                        if e.apply(step).is_err() {
                            assert_eq!(
                                before,
                                (bits(e.dwellings_sum()), bits(e.corporation_sum()))
                            );
                        }
                    }
                }
                if round % 10 == 9 {
                    assert_matches_from_scratch(&e);
                }
            }
            assert_matches_from_scratch(&e);
            // Undoing everything gives back the start exactly.
            while e.undo().is_some() {}
            let start = engine(4_000, seed, missing);
            assert_eq!(bits(e.dwellings_sum()), bits(start.dwellings_sum()));
            assert_eq!(bits(e.corporation_sum()), bits(start.corporation_sum()));
        }
    }

    #[test]
    fn steps_and_redo_steps_rebuild_the_same_state() {
        // What a project file does: replay the applied steps and the undone ones into a fresh
        // engine, then undo as many as were undone. Same sums (bit for bit), same lists.
        let mut e = engine(3_000, 7, MissingPolicy::CountAsZero);
        let mut rng = SplitMix64::new(77);
        for _ in 0..12 {
            let step = random_step(&e, &mut rng);
            let _ = e.apply(step);
        }
        for _ in 0..4 {
            e.undo();
        }
        assert_eq!(e.redo_steps().len(), 4);
        let mut f = engine(3_000, 7, MissingPolicy::CountAsZero);
        for step in e.steps().iter().chain(&e.redo_steps()) {
            f.apply(step.clone()).unwrap();
        }
        for _ in 0..e.redo_steps().len() {
            f.undo().unwrap();
        }
        assert_eq!(f.steps(), e.steps());
        assert_eq!(f.redo_steps(), e.redo_steps());
        assert_eq!(bits(f.dwellings_sum()), bits(e.dwellings_sum()));
        assert_eq!(bits(f.corporation_sum()), bits(e.corporation_sum()));
        // And the next redo is the same step on both.
        e.redo().unwrap();
        f.redo().unwrap();
        assert_eq!(bits(f.corporation_sum()), bits(e.corporation_sum()));
    }

    #[test]
    fn a_sale_changes_exactly_the_locations_within_the_radius_by_hand() {
        // Four locations on a line, 150 m apart; radius 200 m.
        let x = [0.0, 150.0, 300.0, 450.0];
        let y = [0.0; 4];
        let d = [10.0, 20.0, 30.0, 40.0];
        let c = [10.0, 10.0, 10.0, 10.0];
        let mut e =
            ScenarioEngine::new(&x, &y, &[], &d, &c, 200.0, MissingPolicy::CountAsZero).unwrap();
        // Before: row 1 sees rows 0,1,2 → dwellings 60, corporation 30.
        assert_eq!(e.dwellings_sum()[1], 60.0);
        assert_eq!(e.corporation_sum()[1], 30.0);
        let step = Step {
            label: "verkoop".into(),
            changes: vec![Change {
                row: 2,
                kind: ChangeKind::Sell,
                dwellings: 6,
            }],
        };
        let up = e.apply(step).unwrap();
        // Row 2 is within 200 m of rows 1, 2, 3 (150 m), not of row 0 (300 m).
        assert_eq!(up.affected_rows, vec![1, 2, 3]);
        assert_eq!(e.corporation_sum(), &[20.0, 24.0, 24.0, 14.0]);
        assert_eq!(e.dwellings_sum(), &[30.0, 60.0, 90.0, 70.0]);
        assert_eq!(e.share(1, Suppression::default()), 24.0 / 60.0);
        e.undo().unwrap();
        assert_eq!(e.corporation_sum(), &[20.0, 30.0, 30.0, 20.0]);
        e.redo().unwrap();
        assert_eq!(e.corporation_sum(), &[20.0, 24.0, 24.0, 14.0]);
        assert_eq!(e.steps().len(), 1);
    }

    #[test]
    fn refuses_impossible_changes_and_changes_nothing() {
        let x = [0.0, 100.0];
        let y = [0.0, 0.0];
        let mut e = ScenarioEngine::new(
            &x,
            &y,
            &["A".into(), "B".into()],
            &[10.0, f64::NAN],
            &[5.0, 2.0],
            200.0,
            MissingPolicy::LeaveOut,
        )
        .unwrap();
        let sell = |row, n| Step {
            label: "x".into(),
            changes: vec![Change {
                row,
                kind: ChangeKind::Sell,
                dwellings: n,
            }],
        };
        let err = e.apply(sell(0, 6)).unwrap_err();
        assert!(err.to_string().contains("\"A\""), "{err}");
        assert!(matches!(
            err,
            ScenarioError::TooFewCorporationDwellings { wanted, available, .. } if wanted == 6.0 && available == 5.0
        ));
        assert!(matches!(
            e.apply(sell(1, 1)).unwrap_err(),
            ScenarioError::LeftOut { row: 1, .. }
        ));
        assert!(matches!(
            e.apply(sell(7, 1)).unwrap_err(),
            ScenarioError::RowOutOfRange { row: 7, n: 2 }
        ));
        assert_eq!(e.corporation_sum()[0], 5.0);
        assert!(!e.can_undo());
        // Two changes at one row are checked together: demolish 5 then sell 1 more is too many.
        let both = Step {
            label: "x".into(),
            changes: vec![
                Change {
                    row: 0,
                    kind: ChangeKind::Demolish,
                    dwellings: 5,
                },
                Change {
                    row: 0,
                    kind: ChangeKind::Sell,
                    dwellings: 1,
                },
            ],
        };
        assert!(e.apply(both).is_err());
        assert_eq!(e.corporation_sum()[0], 5.0);
    }

    #[test]
    fn new_build_at_a_missing_count_starts_from_zero() {
        let x = [0.0, 50.0];
        let y = [0.0, 0.0];
        let mut e = ScenarioEngine::new(
            &x,
            &y,
            &[],
            &[f64::NAN, 10.0],
            &[f64::NAN, 0.0],
            100.0,
            MissingPolicy::CountAsZero,
        )
        .unwrap();
        e.apply(Step {
            label: "nieuwbouw".into(),
            changes: vec![Change {
                row: 0,
                kind: ChangeKind::NewBuildSocial,
                dwellings: 12,
            }],
        })
        .unwrap();
        assert_eq!(e.dwellings()[0], 12.0);
        assert_eq!(e.dwellings_sum(), &[22.0, 22.0]);
        assert_eq!(e.corporation_sum(), &[12.0, 12.0]);
        assert_matches_from_scratch(&e);
    }
}
