//! The tipping-point input for areas: a long table of scores per area and year (the
//! Leefbaarometer file: `bu_code`, `jaar`, `afw`, …) joined by area code to a table with the
//! corporation share per area (CBS Kerncijfers wijken en buurten: `buurtcode`,
//! `perc_huurwoningen_in_bezit_woningcorporaties`, `woningvoorraad`).
//!
//! One output row per area code that has a score row in year A or year B, in order of first
//! appearance. Codes are compared trimmed and in upper case. A negative share (a CBS secret code
//! that slipped through) counts as missing. The share unit is a setting: percent (KWB), fraction,
//! or auto (percent when any share exceeds 1).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ShareUnit {
    Percent,
    Fraction,
    Auto,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BuurtJoinSettings {
    pub year_a: i32,
    pub year_b: i32,
    pub share_unit: ShareUnit,
}

impl Default for BuurtJoinSettings {
    fn default() -> Self {
        BuurtJoinSettings {
            year_a: 2014,
            year_b: 2022,
            share_unit: ShareUnit::Auto,
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum BuurtJoinError {
    #[error("column {what} has {got} values, expected {expected}")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("area {code} has two score rows for year {year} (rows {first} and {second})")]
    DuplicateScore {
        code: String,
        year: i32,
        first: usize,
        second: usize,
    },
    #[error("area {code} appears twice in the area table (rows {first} and {second})")]
    DuplicateArea {
        code: String,
        first: usize,
        second: usize,
    },
    #[error("year A and year B are both {0}: choose two different years")]
    SameYear(i32),
    #[error("no score rows for year {0}")]
    NoRowsForYear(i32),
}

/// Scores in long form: one row per (area, year).
#[derive(Clone, Copy, Debug)]
pub struct LongScores<'a> {
    pub codes: &'a [String],
    pub years: &'a [f64],
    pub values: &'a [f64],
}

/// One row per area: its code, corporation share and (optionally) its dwellings.
#[derive(Clone, Copy, Debug)]
pub struct AreaShares<'a> {
    pub codes: &'a [String],
    pub share: &'a [f64],
    pub dwellings: Option<&'a [f64]>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinReport {
    /// Distinct area codes with a score in year A or B.
    pub areas_with_scores: u32,
    /// Of those, found in the area table.
    pub matched: u32,
    /// Up to 20 score codes not found in the area table.
    pub unmatched_codes: Vec<String>,
    pub unmatched: u32,
    /// Matched areas whose share is missing.
    pub missing_share: u32,
    pub missing_score_a: u32,
    pub missing_score_b: u32,
    /// Whether the share was read as percent (`true`) or fraction.
    pub share_in_percent: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinedAreas {
    pub codes: Vec<String>,
    /// `0..1`, NaN = missing.
    pub corporation_share: Vec<f64>,
    pub score_a: Vec<f64>,
    pub score_b: Vec<f64>,
    /// NaN when unknown.
    pub dwellings: Vec<f64>,
    pub report: JoinReport,
}

fn key(code: &str) -> String {
    code.trim().to_uppercase()
}

/// Join two years of a long score table to the areas' corporation shares.
pub fn join_scores_to_areas(
    settings: &BuurtJoinSettings,
    scores: &LongScores<'_>,
    areas: &AreaShares<'_>,
) -> Result<JoinedAreas, BuurtJoinError> {
    let n = scores.codes.len();
    for (what, got) in [
        ("years", scores.years.len()),
        ("values", scores.values.len()),
    ] {
        if got != n {
            return Err(BuurtJoinError::LengthMismatch {
                what,
                got,
                expected: n,
            });
        }
    }
    let m = areas.codes.len();
    if areas.share.len() != m {
        return Err(BuurtJoinError::LengthMismatch {
            what: "share",
            got: areas.share.len(),
            expected: m,
        });
    }
    if let Some(d) = areas.dwellings {
        if d.len() != m {
            return Err(BuurtJoinError::LengthMismatch {
                what: "dwellings",
                got: d.len(),
                expected: m,
            });
        }
    }
    if settings.year_a == settings.year_b {
        return Err(BuurtJoinError::SameYear(settings.year_a));
    }

    let mut area_row: HashMap<String, usize> = HashMap::with_capacity(m);
    for (i, c) in areas.codes.iter().enumerate() {
        if let Some(first) = area_row.insert(key(c), i) {
            return Err(BuurtJoinError::DuplicateArea {
                code: c.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }

    let mut out_row: HashMap<String, usize> = HashMap::new();
    let mut codes: Vec<String> = vec![];
    let mut score_a: Vec<f64> = vec![];
    let mut score_b: Vec<f64> = vec![];
    let mut seen: HashMap<(usize, bool), usize> = HashMap::new();
    let (mut rows_a, mut rows_b) = (0u32, 0u32);
    for i in 0..n {
        let year = scores.years[i];
        let is_a = year == f64::from(settings.year_a);
        let is_b = year == f64::from(settings.year_b);
        if !is_a && !is_b {
            continue;
        }
        let k = key(&scores.codes[i]);
        let r = *out_row.entry(k.clone()).or_insert_with(|| {
            codes.push(k);
            score_a.push(f64::NAN);
            score_b.push(f64::NAN);
            codes.len() - 1
        });
        if let Some(first) = seen.insert((r, is_a), i) {
            return Err(BuurtJoinError::DuplicateScore {
                code: codes[r].clone(),
                year: if is_a {
                    settings.year_a
                } else {
                    settings.year_b
                },
                first: first + 1,
                second: i + 1,
            });
        }
        if is_a {
            score_a[r] = scores.values[i];
            rows_a += 1;
        } else {
            score_b[r] = scores.values[i];
            rows_b += 1;
        }
    }
    if rows_a == 0 {
        return Err(BuurtJoinError::NoRowsForYear(settings.year_a));
    }
    if rows_b == 0 {
        return Err(BuurtJoinError::NoRowsForYear(settings.year_b));
    }

    let in_percent = match settings.share_unit {
        ShareUnit::Percent => true,
        ShareUnit::Fraction => false,
        ShareUnit::Auto => areas.share.iter().any(|&s| s.is_finite() && s > 1.0),
    };
    let divisor = if in_percent { 100.0 } else { 1.0 };
    let mut share = vec![f64::NAN; codes.len()];
    let mut dwellings = vec![f64::NAN; codes.len()];
    let mut unmatched_codes = vec![];
    let (mut unmatched, mut missing_share) = (0u32, 0u32);
    for (r, code) in codes.iter().enumerate() {
        match area_row.get(code) {
            Some(&j) => {
                let s = areas.share[j];
                if s.is_finite() && s >= 0.0 {
                    share[r] = s / divisor;
                } else {
                    missing_share += 1;
                }
                if let Some(d) = areas.dwellings {
                    dwellings[r] = d[j];
                }
            }
            None => {
                unmatched += 1;
                if unmatched_codes.len() < 20 {
                    unmatched_codes.push(code.clone());
                }
            }
        }
    }
    let report = JoinReport {
        areas_with_scores: codes.len() as u32,
        matched: codes.len() as u32 - unmatched,
        unmatched_codes,
        unmatched,
        missing_share,
        missing_score_a: score_a.iter().filter(|v| !v.is_finite()).count() as u32,
        missing_score_b: score_b.iter().filter(|v| !v.is_finite()).count() as u32,
        share_in_percent: in_percent,
    };
    Ok(JoinedAreas {
        codes,
        corporation_share: share,
        score_a,
        score_b,
        dwellings,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn joins_two_years_by_code() {
        // BU1: 2014 → 0.1, 2022 → 0.3, share 40% → 0.4
        // BU2: only 2022 (→ score_a missing), share secret (−99997 → missing)
        // bu3 (lower case, spaces): both years, not in the area table
        let codes = s(&["BU1", "BU1", "BU1", "BU2", " bu3 ", "BU3"]);
        let years = [2014.0, 2018.0, 2022.0, 2022.0, 2014.0, 2022.0];
        let values = [0.1, 9.0, 0.3, 0.5, 0.0, f64::NAN];
        let area_codes = s(&["BU2", "bu1", "BU9"]);
        let j = join_scores_to_areas(
            &BuurtJoinSettings::default(),
            &LongScores {
                codes: &codes,
                years: &years,
                values: &values,
            },
            &AreaShares {
                codes: &area_codes,
                share: &[-99997.0, 40.0, 80.0],
                dwellings: Some(&[10.0, 20.0, 30.0]),
            },
        )
        .unwrap();
        assert_eq!(j.codes, s(&["BU1", "BU2", "BU3"]));
        assert_eq!(j.corporation_share[0], 0.4);
        assert!(j.corporation_share[1].is_nan());
        assert_eq!(j.score_a[0], 0.1);
        assert_eq!(j.score_b[0], 0.3);
        assert!(j.score_a[1].is_nan());
        assert_eq!(j.dwellings[0], 20.0);
        assert_eq!(j.report.matched, 2);
        assert_eq!(j.report.unmatched_codes, s(&["BU3"]));
        assert_eq!(j.report.missing_share, 1);
        assert_eq!(j.report.missing_score_a, 1);
        assert_eq!(j.report.missing_score_b, 1);
        assert!(j.report.share_in_percent);
    }

    #[test]
    fn refuses_duplicates_and_same_year() {
        let codes = s(&["BU1", "bu1"]);
        let e = join_scores_to_areas(
            &BuurtJoinSettings::default(),
            &LongScores {
                codes: &codes,
                years: &[2014.0, 2014.0],
                values: &[1.0, 2.0],
            },
            &AreaShares {
                codes: &[],
                share: &[],
                dwellings: None,
            },
        )
        .unwrap_err();
        assert!(matches!(
            e,
            BuurtJoinError::DuplicateScore {
                year: 2014,
                first: 1,
                second: 2,
                ..
            }
        ));
        let settings = BuurtJoinSettings {
            year_a: 2020,
            year_b: 2020,
            ..Default::default()
        };
        let e = join_scores_to_areas(
            &settings,
            &LongScores {
                codes: &codes,
                years: &[2014.0, 2014.0],
                values: &[1.0, 2.0],
            },
            &AreaShares {
                codes: &[],
                share: &[],
                dwellings: None,
            },
        )
        .unwrap_err();
        assert_eq!(e, BuurtJoinError::SameYear(2020));
    }

    #[test]
    fn fraction_unit_is_kept() {
        let codes = s(&["A", "A"]);
        let j = join_scores_to_areas(
            &BuurtJoinSettings::default(),
            &LongScores {
                codes: &codes,
                years: &[2014.0, 2022.0],
                values: &[1.0, 2.0],
            },
            &AreaShares {
                codes: &s(&["A"]),
                share: &[0.5],
                dwellings: None,
            },
        )
        .unwrap();
        assert_eq!(j.corporation_share, vec![0.5]);
        assert!(!j.report.share_in_percent);
    }
}
