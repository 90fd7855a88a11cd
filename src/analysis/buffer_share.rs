//! Buffer shares: for every location, numerator-sum / denominator-sum over the locations within
//! the radius (`S_i = Σ a_j / Σ w_j`, METHOD.md), with suppression: no share where the
//! denominator sum is 0 or below k.
//!
//! [`score`] does it in one call; [`ScoreJob`] in chunks (`new` → `step(max_work)` → `finish`),
//! so the web worker can show progress and cancel between chunks.

use super::buffer_sum::{BufferSumError, BufferSumJob, Kernel, SumColumn};
pub use super::missing::MissingPolicy;
use super::suppression::{Suppression, DEFAULT_SUPPRESS_BELOW};
use super::table::LocationTable;
use thiserror::Error;

/// What to compute. Column names refer to [`LocationTable::columns`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSettings {
    pub radius_m: f64,
    pub denominator: String,
    pub numerators: Vec<String>,
    pub missing: MissingPolicy,
    /// k: shares whose denominator sum is below this are suppressed (default 10).
    pub suppress_below: f64,
}

impl ScoreSettings {
    /// Radius 200 m, missing values counted as 0, k = 10.
    pub fn new(denominator: &str, numerators: &[&str]) -> Self {
        Self {
            radius_m: 200.0,
            denominator: denominator.to_string(),
            numerators: numerators.iter().map(|s| s.to_string()).collect(),
            missing: MissingPolicy::CountAsZero,
            suppress_below: DEFAULT_SUPPRESS_BELOW,
        }
    }
}

/// Per input row: the denominator sum, per numerator its sum and its share (0..1; `NaN` where
/// undefined or suppressed). Left-out locations (missing values under `LeaveOut`) have `NaN`
/// everywhere.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreResult {
    pub denominator_sum: Vec<f64>,
    pub numerator_sums: Vec<Vec<f64>>,
    pub shares: Vec<Vec<f64>>,
}

#[derive(Debug, Error, PartialEq)]
pub enum ScoreError {
    #[error("unknown column {name:?} (the table has: {available})")]
    UnknownColumn { name: String, available: String },
    #[error("no numerator column chosen")]
    NoNumerator,
    #[error("invalid suppression threshold {got}: must be a finite number ≥ 0")]
    BadSuppression { got: f64 },
    #[error(transparent)]
    Sum(#[from] BufferSumError),
}

/// A scoring in progress; see the module docs.
#[derive(Debug, Clone)]
pub struct ScoreJob {
    sums: BufferSumJob,
    suppression: Suppression,
    n_numerators: usize,
}

impl ScoreJob {
    /// Checks the settings against the table and builds the index (the first part of the work).
    pub fn new(table: &LocationTable, settings: &ScoreSettings) -> Result<Self, ScoreError> {
        let suppression = Suppression::new(settings.suppress_below)
            .map_err(|e| ScoreError::BadSuppression { got: e.got })?;
        if settings.numerators.is_empty() {
            return Err(ScoreError::NoNumerator);
        }
        let mut columns = Vec::with_capacity(1 + settings.numerators.len());
        for name in std::iter::once(&settings.denominator).chain(&settings.numerators) {
            let col = table
                .column(name)
                .ok_or_else(|| ScoreError::UnknownColumn {
                    name: name.clone(),
                    available: table.column_names().join(", "),
                })?;
            columns.push(SumColumn {
                name,
                values: &col.values,
            });
        }
        let sums = BufferSumJob::new(
            &table.x_rd,
            &table.y_rd,
            &columns,
            settings.radius_m,
            settings.missing,
        )?;
        Ok(Self {
            sums,
            suppression,
            n_numerators: settings.numerators.len(),
        })
    }

    /// Scores about `max_work` more locations; returns the progress 0..=1. `table` must be the
    /// table the job was created with.
    pub fn step(&mut self, table: &LocationTable, max_work: usize) -> f64 {
        self.sums.step(&table.x_rd, &table.y_rd, max_work)
    }

    pub fn progress(&self) -> f64 {
        self.sums.progress()
    }

    /// The buffer sums' inner loop (see [`BufferSumJob::kernel`]).
    pub fn kernel(&self) -> Kernel {
        self.sums.kernel()
    }

    /// Chooses the buffer sums' inner loop (for benchmarks; every kernel gives the same sums).
    pub fn set_kernel(&mut self, kernel: Kernel) -> Result<(), ScoreError> {
        Ok(self.sums.set_kernel(kernel)?)
    }

    pub fn is_done(&self) -> bool {
        self.sums.is_done()
    }

    /// The result; fails if `step` has not reached 1.0.
    pub fn finish(self) -> Result<ScoreResult, ScoreError> {
        let suppression = self.suppression;
        let n_num = self.n_numerators;
        let mut sums = self.sums.finish()?.into_iter();
        let denominator_sum = sums.next().unwrap_or_default();
        let numerator_sums: Vec<Vec<f64>> = sums.take(n_num).collect();
        let shares = numerator_sums
            .iter()
            .map(|num| {
                num.iter()
                    .zip(&denominator_sum)
                    .map(|(&a, &w)| suppression.share(a, w))
                    .collect()
            })
            .collect();
        Ok(ScoreResult {
            denominator_sum,
            numerator_sums,
            shares,
        })
    }
}

/// Scores the whole table in one call.
pub fn score(table: &LocationTable, settings: &ScoreSettings) -> Result<ScoreResult, ScoreError> {
    let mut job = ScoreJob::new(table, settings)?;
    job.step(table, usize::MAX);
    job.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::buffer_sum::brute_force_sums;

    fn table() -> LocationTable {
        // Four squares in a row, 100 m apart; w = dwellings, a = corporation dwellings.
        let mut t = LocationTable::new(
            vec![0.0, 100.0, 200.0, 300.0],
            vec![0.0; 4],
            vec!["p".into(), "q".into(), "r".into(), "s".into()],
        )
        .unwrap();
        t.push_column("w", vec![10.0, 0.0, 4.0, f64::NAN]).unwrap();
        t.push_column("a", vec![5.0, 0.0, 4.0, 3.0]).unwrap();
        t
    }

    #[test]
    fn shares_with_suppression_and_missing() {
        let t = table();
        let r = score(&t, &ScoreSettings::new("w", &["a"])).unwrap();
        // Sums by hand: p: 10+0+4 = 14 (a 9); q: all four, w 14 (a 12); r: 14 (a 12); s: 4 (a 7).
        assert_eq!(r.denominator_sum, vec![14.0, 14.0, 14.0, 4.0]);
        assert_eq!(r.numerator_sums[0], vec![9.0, 12.0, 12.0, 7.0]);
        assert_eq!(r.shares[0][0], 9.0 / 14.0);
        assert!(r.shares[0][3].is_nan(), "4 < k = 10");

        let mut s = ScoreSettings::new("w", &["a"]);
        s.missing = MissingPolicy::LeaveOut;
        s.suppress_below = 0.0;
        let r = score(&t, &s).unwrap();
        assert_eq!(r.denominator_sum[..3], [14.0, 14.0, 14.0]);
        assert_eq!(r.numerator_sums[0][..3], [9.0, 9.0, 9.0]);
        assert!(r.denominator_sum[3].is_nan() && r.shares[0][3].is_nan());
    }

    #[test]
    fn zero_denominator_has_no_share() {
        let mut t = LocationTable::new(vec![0.0, 1000.0], vec![0.0, 0.0], vec![]).unwrap();
        t.push_column("w", vec![0.0, 20.0]).unwrap();
        t.push_column("a", vec![0.0, 5.0]).unwrap();
        let mut s = ScoreSettings::new("w", &["a"]);
        s.suppress_below = 0.0;
        let r = score(&t, &s).unwrap();
        assert!(r.shares[0][0].is_nan());
        assert_eq!(r.shares[0][1], 0.25);
    }

    #[test]
    fn rijnmond_squares_match_brute_force() {
        // The real CBS 100 m squares (demo CSV), read here with the csv crate.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/www/demo/cbs_vk100_rijnmond_2024.csv"
        );
        let mut rd = csv::Reader::from_path(path).unwrap();
        let h = rd.headers().unwrap().clone();
        let col = |name: &str| h.iter().position(|c| c == name).unwrap();
        let (ix, iy) = (col("x_rd_center"), col("y_rd_center"));
        let (iw, ia) = (
            col("aantal_woningen"),
            col("aantal_huurwoningen_in_bezit_woningcorporaties"),
        );
        let (mut x, mut y, mut w, mut a) = (vec![], vec![], vec![], vec![]);
        let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
        for rec in rd.records() {
            let rec = rec.unwrap();
            x.push(num(&rec[ix]));
            y.push(num(&rec[iy]));
            w.push(num(&rec[iw]));
            a.push(num(&rec[ia]));
        }
        let mut t = LocationTable::new(x.clone(), y.clone(), vec![]).unwrap();
        t.push_column("w", w.clone()).unwrap();
        t.push_column("a", a.clone()).unwrap();
        for missing in [MissingPolicy::CountAsZero, MissingPolicy::LeaveOut] {
            let mut s = ScoreSettings::new("w", &["a"]);
            s.missing = missing;
            let got = score(&t, &s).unwrap();
            let want = brute_force_sums(&x, &y, &[&w, &a], 200.0, missing);
            for (i, (&w_sum, &a_sum)) in want[0].iter().zip(&want[1]).enumerate() {
                assert_eq!(got.denominator_sum[i].to_bits(), w_sum.to_bits(), "row {i}");
                assert_eq!(
                    got.numerator_sums[0][i].to_bits(),
                    a_sum.to_bits(),
                    "row {i}"
                );
                let share = if w_sum >= 10.0 {
                    a_sum / w_sum
                } else {
                    f64::NAN
                };
                assert_eq!(got.shares[0][i].to_bits(), share.to_bits(), "row {i}");
            }
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let t = table();
        let e = score(&t, &ScoreSettings::new("w", &["nope"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown column \"nope\" (the table has: w, a)"
        );
        assert_eq!(
            score(&t, &ScoreSettings::new("w", &[])).unwrap_err(),
            ScoreError::NoNumerator
        );
        let mut s = ScoreSettings::new("w", &["a"]);
        s.suppress_below = -3.0;
        assert!(score(&t, &s).unwrap_err().to_string().contains("-3"));
        s.suppress_below = 10.0;
        s.radius_m = f64::NAN;
        assert!(score(&t, &s).unwrap_err().to_string().contains("NaN"));
    }

    #[test]
    fn job_reports_progress_and_refuses_early_finish() {
        let t = table();
        let s = ScoreSettings::new("w", &["a"]);
        let job = ScoreJob::new(&t, &s).unwrap();
        assert_eq!(job.progress(), 0.0);
        assert!(job.clone().finish().is_err());
        let mut job = job;
        let p = job.step(&t, 1);
        assert!(p > 0.0 && p < 1.0);
        while job.step(&t, 1) < 1.0 {}
        assert!(job.is_done());
        // NaN != NaN, so compare the printed results.
        assert_eq!(
            format!("{:?}", job.finish().unwrap()),
            format!("{:?}", score(&t, &s).unwrap())
        );
    }
}
