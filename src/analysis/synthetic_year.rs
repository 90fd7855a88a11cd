//! A seeded synthetic *earlier* year of a count, for demos and tests of the two-year maps where no
//! public file has a second year (CBS publishes the 100 m squares with benefit counts for 2024
//! only). It is not data: the page labels it "synthetisch".
//!
//! For location `i` with count `c` (the later, real year): with `u` the `i`-th draw of
//! SplitMix64(`seed`) in [0, 1), the earlier count is `round(c · (1 − growth − spread · (2u − 1)))`,
//! at least 0; a missing count stays missing (and still takes its draw, so every location's draw
//! depends only on its row). With the defaults (growth 0.1, spread 0.3) counts were on average
//! 10 % lower, ±30 %.

use super::synthetic::SplitMix64;

/// The earlier year's counts (see the module docs).
pub fn synthetic_earlier_counts(counts: &[f64], seed: u64, growth: f64, spread: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    counts
        .iter()
        .map(|&c| {
            let u = rng.unit();
            if c.is_finite() {
                (c * (1.0 - growth - spread * (2.0 * u - 1.0)))
                    .round()
                    .max(0.0)
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_first_draws() {
        // SplitMix64(1), worked out separately (Python, the published algorithm): first output
        // 0x910A2DEC89025CC1, u = (x >> 11) / 2^53 = 0.566562; second 0xBEEB8DA1658EEC67,
        // u = 0.745782.
        // c = 100: 100 · (1 − 0.1 − 0.3 · (2 · 0.566562 − 1)) = 86.006 → 86;
        // c = 50: 50 · (1 − 0.1 − 0.3 · (2 · 0.745782 − 1)) = 37.627 → 38.
        let u1 = (0x910A_2DEC_8902_5CC1u64 >> 11) as f64 / (1u64 << 53) as f64;
        let u2 = (0xBEEB_8DA1_658E_EC67u64 >> 11) as f64 / (1u64 << 53) as f64;
        assert!((u1 - 0.566_562).abs() < 1e-6 && (u2 - 0.745_782).abs() < 1e-6);
        let out = synthetic_earlier_counts(&[100.0, 50.0, f64::NAN, 0.0], 1, 0.1, 0.3);
        assert_eq!(&out[..2], &[86.0, 38.0]);
        assert!(out[2].is_nan());
        assert_eq!(out[3], 0.0);
    }

    #[test]
    fn deterministic_and_bounded() {
        let c: Vec<f64> = (0..1000).map(|i| f64::from(i % 37)).collect();
        let a = synthetic_earlier_counts(&c, 7, 0.1, 0.3);
        assert_eq!(a, synthetic_earlier_counts(&c, 7, 0.1, 0.3));
        assert_ne!(a, synthetic_earlier_counts(&c, 8, 0.1, 0.3));
        for (x, y) in c.iter().zip(&a) {
            assert!(
                *y >= (x * 0.6).round() && *y <= (x * 1.2).round(),
                "{x} → {y}"
            );
        }
    }
}
