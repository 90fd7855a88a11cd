//! Classes for the analysis maps: the change of a value between two years in classes centred on
//! 0, and per-location suppression for the change, bivariate and typology classes.
//!
//! **Change classes.** With positive, increasing edges `e₁ < … < e_m` there are `2m + 1` classes;
//! class `m` is "about unchanged" (`|v| < e₁`), and a change `v` gets class
//! `m + sign(v) · #{k : e_k ≤ |v|}` — symmetric around 0, so `−e₁` and `+e₁` both leave the
//! middle class. The edges are given, or (default) the type-7 quantiles of `|change|` at
//! 1/4, 2/4, 3/4 over the shown locations, rounded to two significant digits so a legend can
//! print them exactly; edges that round to 0 or to an earlier edge are dropped.
//!
//! **Suppression.** When a count per location is given (e.g. the dwellings of a buurt), a location
//! whose count is missing or below k gets no class ([`SUPPRESSED`]) and no change value, and it
//! takes no part in tertiles or quantiles. The values are masked first, then classified.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bivariate::{bivariate, BivariateError, BivariateResult, BivariateSettings};
use super::suppression::{Suppression, SuppressionError};
use super::tipping_point::quantile_sorted;
use super::typology::{typology, NamedColumn, TypologyError, TypologyResult, TypologySettings};

/// A missing value: no class.
pub const NO_CLASS: u8 = 255;
/// The count behind the figure is below k (or unknown): no class, shown as "onderdrukt".
pub const SUPPRESSED: u8 = 254;

/// How the change axis is cut.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ChangeBreaks {
    /// Quantiles (0..1, increasing) of `|change|`, rounded to two significant digits.
    AbsQuantiles { quantiles: Vec<f64> },
    /// Positive, increasing edges in the value's unit.
    Edges { edges: Vec<f64> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeSettings {
    pub breaks: ChangeBreaks,
    /// k: a location whose count is below this gets no class (only when counts are given).
    pub suppress_below: f64,
}

impl Default for ChangeSettings {
    fn default() -> Self {
        ChangeSettings {
            breaks: ChangeBreaks::AbsQuantiles {
                quantiles: vec![0.25, 0.5, 0.75],
            },
            suppress_below: 10.0,
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum MapClassError {
    #[error("column {what} has {got} values, expected {expected} (one per location)")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("change edges must be finite, positive and increasing (got {0:?})")]
    BadEdges(Vec<f64>),
    #[error("change quantiles must lie in (0, 1] and increase (got {0:?})")]
    BadQuantiles(Vec<f64>),
    #[error("at most 100 change edges (got {0})")]
    TooManyEdges(usize),
    #[error(transparent)]
    Suppression(#[from] SuppressionError),
    #[error(transparent)]
    Bivariate(#[from] BivariateError),
    #[error(transparent)]
    Typology(#[from] TypologyError),
}

/// Per location: which locations are suppressed (count missing or below k). `None` = no counts.
fn suppressed_mask(
    units: Option<&[f64]>,
    k: f64,
    n: usize,
) -> Result<Option<Vec<bool>>, MapClassError> {
    let Some(units) = units else {
        return Ok(None);
    };
    let s = Suppression::new(k)?;
    if units.len() != n {
        return Err(MapClassError::LengthMismatch {
            what: "counts",
            got: units.len(),
            expected: n,
        });
    }
    Ok(Some(units.iter().map(|&u| !s.allows(u)).collect()))
}

fn masked(values: &[f64], mask: &Option<Vec<bool>>) -> Vec<f64> {
    match mask {
        None => values.to_vec(),
        Some(m) => values
            .iter()
            .zip(m)
            .map(|(&v, &s)| if s { f64::NAN } else { v })
            .collect(),
    }
}

fn count_true(mask: &Option<Vec<bool>>) -> u32 {
    mask.as_ref()
        .map_or(0, |m| m.iter().filter(|&&s| s).count() as u32)
}

/// `x` rounded to two significant digits.
fn round2(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor() as i32 - 1;
    let f = 10f64.powi(e);
    // Parse back from text so 0.034 is the float nearest 0.034 (what a legend prints).
    let r = (x / f).round() * f;
    format!("{r:.*}", (-e).max(0) as usize).parse().unwrap_or(r)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeResult {
    /// `b − a` per location; NaN when missing or suppressed.
    pub change: Vec<f64>,
    /// Class 0 ..= 2m per location (m = middle, "about unchanged"); 255 missing, 254 suppressed.
    pub classes: Vec<u8>,
    /// The positive edges used (`m` of them).
    pub edges: Vec<f64>,
    /// The middle class (= number of edges).
    pub middle_class: u8,
    /// Locations per class.
    pub counts: Vec<u32>,
    pub locations_missing: u32,
    pub locations_suppressed: u32,
}

/// Change `b − a` per location in classes centred on 0 (see the module docs).
pub fn change_classes(
    settings: &ChangeSettings,
    a: &[f64],
    b: &[f64],
    units: Option<&[f64]>,
) -> Result<ChangeResult, MapClassError> {
    let n = a.len();
    if b.len() != n {
        return Err(MapClassError::LengthMismatch {
            what: "value_b",
            got: b.len(),
            expected: n,
        });
    }
    let mask = suppressed_mask(units, settings.suppress_below, n)?;
    let suppressed = |i: usize| mask.as_ref().is_some_and(|m| m[i]);
    let change: Vec<f64> = (0..n)
        .map(|i| {
            let d = b[i] - a[i];
            if suppressed(i) || !d.is_finite() {
                f64::NAN
            } else {
                d
            }
        })
        .collect();
    let edges = match &settings.breaks {
        ChangeBreaks::Edges { edges } => {
            let ok = edges.iter().all(|e| e.is_finite() && *e > 0.0)
                && edges.windows(2).all(|w| w[0] < w[1]);
            if !ok {
                return Err(MapClassError::BadEdges(edges.clone()));
            }
            edges.clone()
        }
        ChangeBreaks::AbsQuantiles { quantiles } => {
            let ok = quantiles.iter().all(|q| *q > 0.0 && *q <= 1.0)
                && quantiles.windows(2).all(|w| w[0] < w[1]);
            if !ok {
                return Err(MapClassError::BadQuantiles(quantiles.clone()));
            }
            let mut abs: Vec<f64> = change
                .iter()
                .filter(|v| v.is_finite())
                .map(|v| v.abs())
                .collect();
            abs.sort_by(f64::total_cmp);
            let mut edges: Vec<f64> = vec![];
            if !abs.is_empty() {
                for &q in quantiles {
                    let e = round2(quantile_sorted(&abs, q));
                    if e > 0.0 && edges.last().is_none_or(|&last| e > last) {
                        edges.push(e);
                    }
                }
            }
            edges
        }
    };
    if edges.len() > 100 {
        return Err(MapClassError::TooManyEdges(edges.len()));
    }
    let m = edges.len();
    let mut classes = vec![NO_CLASS; n];
    let mut counts = vec![0u32; 2 * m + 1];
    let mut missing = 0u32;
    for i in 0..n {
        if suppressed(i) {
            classes[i] = SUPPRESSED;
            continue;
        }
        let v = change[i];
        if !v.is_finite() {
            missing += 1;
            continue;
        }
        let level = edges.partition_point(|&e| e <= v.abs());
        let c = if v < 0.0 { m - level } else { m + level };
        classes[i] = c as u8;
        counts[c] += 1;
    }
    Ok(ChangeResult {
        change,
        classes,
        edges,
        middle_class: m as u8,
        counts,
        locations_missing: missing,
        locations_suppressed: count_true(&mask),
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppressed<T> {
    #[serde(flatten)]
    pub result: T,
    /// Locations left without a class because their count is below k or unknown.
    pub locations_suppressed: u32,
}

/// The bivariate class (level A against change A → B) with per-location suppression: suppressed
/// locations get class [`SUPPRESSED`] and take no part in the tertiles.
pub fn bivariate_suppressed(
    settings: &BivariateSettings,
    a: &[f64],
    b: &[f64],
    units: Option<&[f64]>,
    suppress_below: f64,
) -> Result<Suppressed<BivariateResult>, MapClassError> {
    let mask = suppressed_mask(units, suppress_below, a.len())?;
    let mut r = bivariate(settings, &masked(a, &mask), &masked(b, &mask))?;
    let suppressed = count_true(&mask);
    if let Some(m) = &mask {
        for (c, &s) in r.classes.iter_mut().zip(m) {
            if s {
                *c = SUPPRESSED;
            }
        }
        r.locations_missing -= suppressed;
    }
    Ok(Suppressed {
        result: r,
        locations_suppressed: suppressed,
    })
}

/// The typology with per-location suppression: a suppressed location gets rule [`SUPPRESSED`],
/// no intensity, and takes no part in quantile thresholds.
pub fn typology_suppressed(
    settings: &TypologySettings,
    columns: &[NamedColumn<'_>],
    units: Option<&[f64]>,
    suppress_below: f64,
) -> Result<Suppressed<TypologyResult>, MapClassError> {
    let n = columns.first().map_or(0, |c| c.values.len());
    let mask = suppressed_mask(units, suppress_below, n)?;
    let values: Vec<Vec<f64>> = columns.iter().map(|c| masked(c.values, &mask)).collect();
    let cols: Vec<NamedColumn<'_>> = columns
        .iter()
        .zip(&values)
        .map(|(c, v)| NamedColumn {
            name: c.name,
            values: v,
        })
        .collect();
    let mut r = typology(settings, &cols)?;
    let suppressed = count_true(&mask);
    if let Some(m) = &mask {
        for (i, _) in m.iter().enumerate().filter(|(_, &s)| s) {
            r.rule[i] = SUPPRESSED;
            r.intensity[i] = NO_CLASS;
        }
        r.unclassified -= suppressed;
    }
    Ok(Suppressed {
        result: r,
        locations_suppressed: suppressed,
    })
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use crate::analysis::bivariate::AxisBreaks;
    use crate::analysis::typology::{Comparison, Condition, Rule, Threshold};
    use proptest::prelude::*;

    fn edges(e: &[f64]) -> ChangeSettings {
        ChangeSettings {
            breaks: ChangeBreaks::Edges { edges: e.to_vec() },
            suppress_below: 10.0,
        }
    }

    #[test]
    fn change_classes_hand_computed() {
        // edges [0.1, 0.3] → 5 classes, middle 2.
        // changes: 0 → 2; 0.1 → 3 (|v| ≥ e1); −0.1 → 1; 0.35 → 4; −0.5 → 0; 0.0999 → 2;
        // missing → 255; count 5 < 10 → 254 (and its change hidden).
        let a = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, f64::NAN, 1.0];
        let b = [1.0, 1.1, 0.9, 1.35, 0.5, 1.0999, 1.0, 3.0];
        let units = [20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 5.0];
        let r = change_classes(&edges(&[0.1, 0.3]), &a, &b, Some(&units)).unwrap();
        // 1.1 − 1.0 is 0.10000000000000009 ≥ 0.1; 0.9 − 1.0 = −0.09999999999999998 (|v| < 0.1).
        assert_eq!(r.classes, vec![2, 3, 2, 4, 0, 2, NO_CLASS, SUPPRESSED]);
        assert_eq!(r.middle_class, 2);
        assert_eq!(r.counts, vec![1, 0, 3, 1, 1]);
        assert_eq!(r.locations_missing, 1);
        assert_eq!(r.locations_suppressed, 1);
        assert!(r.change[7].is_nan());
        // Without counts nothing is suppressed: +2 ≥ 0.3 → 4.
        let r = change_classes(&edges(&[0.1, 0.3]), &a, &b, None).unwrap();
        assert_eq!(r.classes[7], 4);
        assert_eq!(r.locations_suppressed, 0);
    }

    #[test]
    fn exact_negative_edge_leaves_the_middle() {
        let r =
            change_classes(&edges(&[0.5]), &[0.0, 0.0, 0.0], &[-0.5, 0.5, -0.25], None).unwrap();
        assert_eq!(r.classes, vec![0, 2, 1]);
    }

    #[test]
    fn auto_edges_from_abs_quantiles() {
        // |change| = 1, 2, …, 8 (signs alternate) → type-7 quantiles at 1/4, 1/2, 3/4:
        // h = 7p → 2.75, 4.5, 6.25 → rounded to two digits 2.8, 4.5, 6.3.
        let b: Vec<f64> = (1..=8)
            .map(|k| if k % 2 == 0 { k as f64 } else { -(k as f64) })
            .collect();
        let a = vec![0.0; 8];
        let r = change_classes(&ChangeSettings::default(), &a, &b, None).unwrap();
        assert_eq!(r.edges, vec![2.8, 4.5, 6.3]);
        // −1 → 3, 2 → 3, −3 → 2, 4 → 4, −5 → 1, 6 → 5, −7 → 0, 8 → 6
        assert_eq!(r.classes, vec![3, 3, 2, 4, 1, 5, 0, 6]);
        // Suppressed locations take no part: with the last four suppressed, |change| = 1..4 →
        // quantiles 1.75, 2.5, 3.25 → 1.8, 2.5, 3.3.
        let units = [10.0, 10.0, 10.0, 10.0, 1.0, 1.0, 1.0, f64::NAN];
        let r = change_classes(&ChangeSettings::default(), &a, &b, Some(&units)).unwrap();
        assert_eq!(r.edges, vec![1.8, 2.5, 3.3]);
        assert_eq!(r.locations_suppressed, 4);
    }

    #[test]
    fn round2_prints_exactly() {
        assert_eq!(round2(0.034_49), 0.034);
        assert_eq!(round2(123.0), 120.0);
        assert_eq!(round2(0.0995), 0.1);
        assert_eq!(format!("{}", round2(0.012_345)), "0.012");
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(change_classes(&edges(&[0.0, 1.0]), &[0.0], &[0.0], None).is_err());
        assert!(change_classes(&edges(&[2.0, 1.0]), &[0.0], &[0.0], None).is_err());
        let s = ChangeSettings {
            suppress_below: -1.0,
            ..ChangeSettings::default()
        };
        assert!(change_classes(&s, &[0.0], &[0.0], Some(&[1.0])).is_err());
        let e = change_classes(
            &ChangeSettings::default(),
            &[0.0],
            &[0.0],
            Some(&[1.0, 2.0]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("counts has 2 values, expected 1"));
    }

    #[test]
    fn bivariate_with_suppression_hand_computed() {
        // Levels 1..=6 as in bivariate's own test, the 6th suppressed: tertiles of 1..=5 at
        // 1/3 and 2/3 (type 7): 1 + 4/3 = 2.333, 1 + 8/3 = 3.667 → levels 1,2 low; 3 mid; 4,5 high.
        // Change 0 everywhere → change breaks (0, 0) → change class high (2).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let units = [10.0, 10.0, 10.0, 10.0, 10.0, 9.0];
        let r = bivariate_suppressed(&BivariateSettings::default(), &a, &a, Some(&units), 10.0)
            .unwrap();
        assert_eq!(r.result.classes, vec![2, 2, 5, 8, 8, SUPPRESSED]);
        assert_eq!(r.locations_suppressed, 1);
        assert_eq!(r.result.locations_missing, 0);
    }

    #[test]
    fn typology_with_suppression_hand_computed() {
        // Rule: n ≥ quantile 0.5 → "red". n = 1, 2, 3, 100 with the last suppressed: the median
        // of 1, 2, 3 is 2 → classes red for 2 and 3, none for 1, suppressed for the fourth
        // (without suppression the median would be 2.5 and 2 would not be red).
        let n = [1.0, 2.0, 3.0, 100.0];
        let s = TypologySettings {
            rules: vec![Rule {
                class: "red".into(),
                label: String::new(),
                when: vec![Condition {
                    column: "n".into(),
                    op: Comparison::AtLeast,
                    threshold: Threshold::Quantile(0.5),
                }],
            }],
            intensity: None,
        };
        let cols = [NamedColumn {
            name: "n",
            values: &n,
        }];
        let r = typology_suppressed(&s, &cols, Some(&[50.0, 50.0, 50.0, 3.0]), 10.0).unwrap();
        assert_eq!(r.result.rule, vec![255, 0, 0, SUPPRESSED]);
        assert_eq!(r.result.unclassified, 1);
        assert_eq!(r.locations_suppressed, 1);
        let r = typology_suppressed(&s, &cols, None, 10.0).unwrap();
        assert_eq!(r.result.rule, vec![255, 255, 0, 0]);
    }

    proptest! {
        /// Second implementation: the class from explicit interval tests on the signed change.
        #[test]
        fn change_classes_match_interval_tests(
            rows in proptest::collection::vec((-3.0f64..3.0, -3.0f64..3.0, 0.0f64..30.0), 1..60),
            e1 in 0.01f64..1.0, d2 in 0.01f64..1.0, d3 in 0.01f64..1.0,
        ) {
            let e = [e1, e1 + d2, e1 + d2 + d3];
            let a: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let b: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let u: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let r = change_classes(&edges(&e), &a, &b, Some(&u)).unwrap();
            for i in 0..a.len() {
                let v = b[i] - a[i];
                let expected = if u[i] < 10.0 { SUPPRESSED }
                    else if v <= -e[2] { 0 } else if v <= -e[1] { 1 } else if v <= -e[0] { 2 }
                    else if v < e[0] { 3 } else if v < e[1] { 4 } else if v < e[2] { 5 } else { 6 };
                prop_assert_eq!(r.classes[i], expected, "v = {}", v);
            }
        }

        /// Suppressing = classifying only the unsuppressed locations on their own.
        #[test]
        fn bivariate_suppressed_equals_subset(
            rows in proptest::collection::vec((-5.0f64..5.0, -5.0f64..5.0, 0.0f64..20.0), 1..50),
        ) {
            let a: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let b: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let u: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let s = BivariateSettings { level: AxisBreaks::Tertiles, change: AxisBreaks::Tertiles };
            let r = bivariate_suppressed(&s, &a, &b, Some(&u), 10.0).unwrap();
            let keep: Vec<usize> = (0..a.len()).filter(|&i| u[i] >= 10.0).collect();
            let sa: Vec<f64> = keep.iter().map(|&i| a[i]).collect();
            let sb: Vec<f64> = keep.iter().map(|&i| b[i]).collect();
            let sub = bivariate(&s, &sa, &sb).unwrap();
            let mut k = 0;
            for i in 0..a.len() {
                if u[i] >= 10.0 {
                    prop_assert_eq!(r.result.classes[i], sub.classes[k]);
                    k += 1;
                } else {
                    prop_assert_eq!(r.result.classes[i], SUPPRESSED);
                }
            }
        }
    }
}
