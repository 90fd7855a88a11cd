//! Missing values: how sums treat them, and how CBS secrecy codes become missing.

use thiserror::Error;

/// What a buffer sum does with a missing (`NaN`) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingPolicy {
    /// A missing value counts as 0 (the default; the UI says so).
    #[default]
    CountAsZero,
    /// A location with a missing value in any column used by the calculation is left out: it adds
    /// nothing to any sum and gets no result itself.
    LeaveOut,
}

#[derive(Debug, Error, PartialEq)]
#[error("unknown missing-value policy {got:?}: use \"zero\" or \"leave-out\"")]
pub struct MissingPolicyError {
    pub got: String,
}

impl std::str::FromStr for MissingPolicy {
    type Err = MissingPolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zero" | "count-as-zero" | "0" => Ok(Self::CountAsZero),
            "leave-out" | "leaveout" | "skip" => Ok(Self::LeaveOut),
            _ => Err(MissingPolicyError { got: s.to_string() }),
        }
    }
}

/// CBS writes these codes instead of a number: -99997 (secret / too few units) and -99995.
pub const CBS_MISSING_CODES: [f64; 2] = [-99_997.0, -99_995.0];

/// A CBS value as read from a file: the secrecy codes become `NaN` (missing), anything else is kept.
pub fn cbs_value(v: f64) -> f64 {
    if CBS_MISSING_CODES.contains(&v) {
        f64::NAN
    } else {
        v
    }
}

/// Replaces the CBS secrecy codes in a column by `NaN`, in place; returns how many were replaced.
pub fn replace_cbs_codes(values: &mut [f64]) -> usize {
    let mut n = 0;
    for v in values.iter_mut() {
        if CBS_MISSING_CODES.contains(v) {
            *v = f64::NAN;
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbs_codes_become_missing() {
        assert!(cbs_value(-99_997.0).is_nan());
        assert!(cbs_value(-99_995.0).is_nan());
        assert_eq!(cbs_value(-99_996.0), -99_996.0);
        assert_eq!(cbs_value(0.0), 0.0);
        let mut v = vec![1.0, -99_997.0, -99_995.0, 5.0];
        assert_eq!(replace_cbs_codes(&mut v), 2);
        assert!(v[1].is_nan() && v[2].is_nan());
        assert_eq!((v[0], v[3]), (1.0, 5.0));
    }

    #[test]
    fn raw_code_fixture_has_codes_that_become_missing() {
        // The raw-code export keeps -99997 where the cleaned parquet has null.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cbs/grid_100m_rijnmond_raw_codes_2026-04-15.csv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let codes = text.matches("-99997").count();
        assert!(codes > 0);
    }

    #[test]
    fn parses_policies() {
        assert_eq!("zero".parse(), Ok(MissingPolicy::CountAsZero));
        assert_eq!("leave-out".parse(), Ok(MissingPolicy::LeaveOut));
        let e = "drop".parse::<MissingPolicy>().unwrap_err();
        assert!(e.to_string().contains("\"drop\""));
        assert_eq!(MissingPolicy::default(), MissingPolicy::CountAsZero);
    }
}
