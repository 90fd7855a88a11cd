//! Suppression: no figure about fewer than k units (default 10 dwellings or households) is shown
//! or exported.

use thiserror::Error;

/// The default k: a share whose denominator sum is below 10 is suppressed.
pub const DEFAULT_SUPPRESS_BELOW: f64 = 10.0;

/// A checked suppression threshold k (finite, ≥ 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suppression {
    k: f64,
}

#[derive(Debug, Error, PartialEq)]
#[error("invalid suppression threshold {got}: must be a finite number ≥ 0")]
pub struct SuppressionError {
    pub got: f64,
}

impl Default for Suppression {
    fn default() -> Self {
        Self {
            k: DEFAULT_SUPPRESS_BELOW,
        }
    }
}

impl Suppression {
    pub fn new(k: f64) -> Result<Self, SuppressionError> {
        if k.is_finite() && k >= 0.0 {
            Ok(Self { k })
        } else {
            Err(SuppressionError { got: k })
        }
    }

    pub fn k(&self) -> f64 {
        self.k
    }

    /// Whether a figure based on `units` units may be shown (`units ≥ k`; missing never).
    pub fn allows(&self, units: f64) -> bool {
        units >= self.k
    }

    /// `numerator / denominator`, or `NaN` when the denominator is missing, not positive or below k.
    pub fn share(&self, numerator: f64, denominator: f64) -> f64 {
        if denominator > 0.0 && self.allows(denominator) {
            numerator / denominator
        } else {
            f64::NAN
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppresses_below_k() {
        let s = Suppression::default();
        assert_eq!(s.k(), 10.0);
        assert!(s.share(3.0, 9.0).is_nan());
        assert_eq!(s.share(3.0, 10.0), 0.3);
        assert!(s.share(3.0, f64::NAN).is_nan());
    }

    #[test]
    fn zero_denominator_never_gives_a_share() {
        let s = Suppression::new(0.0).unwrap();
        assert!(s.share(0.0, 0.0).is_nan());
        assert!(s.share(1.0, -2.0).is_nan());
        assert_eq!(s.share(1.0, 4.0), 0.25);
    }

    #[test]
    fn rejects_bad_k() {
        assert!(Suppression::new(-1.0).is_err());
        let e = Suppression::new(f64::NAN).unwrap_err();
        assert!(e.to_string().contains("NaN"));
    }
}
