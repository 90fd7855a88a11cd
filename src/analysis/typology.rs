//! Typology of locations or areas by user-editable rules, e.g. "nuisance ≥ X and vulnerable
//! share above 35 % → red; vulnerable share above 35 % and nuisance < X → blue", with an intensity from the
//! increase of vulnerable groups (darker = larger increase).
//!
//! Rules are data (serde): each has a class name, a label and a list of conditions that must all
//! hold; rules are evaluated in order and the first that matches gives the class. A condition
//! compares a named column with a threshold: a fixed value, or a quantile of that column over all
//! locations (e.g. `{"quantile": 0.667}` = the top third). A condition on a missing value is false.
//! Intensity = the number of intensity breaks at or below the location's value of the intensity
//! column (0 … number of breaks); missing → no intensity.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::tipping_point::quantile_sorted;

/// A named column, one value per location (NaN = missing).
#[derive(Clone, Copy, Debug)]
pub struct NamedColumn<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
}

impl Comparison {
    fn holds(self, v: f64, t: f64) -> bool {
        match self {
            Comparison::AtLeast => v >= t,
            Comparison::Above => v > t,
            Comparison::Below => v < t,
            Comparison::AtMost => v <= t,
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => "≥",
            Comparison::Above => ">",
            Comparison::Below => "<",
            Comparison::AtMost => "≤",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Threshold {
    /// A fixed value in the column's unit.
    Value(f64),
    /// A quantile (0..1) of the column over all locations with a value.
    Quantile(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub column: String,
    pub op: Comparison,
    pub threshold: Threshold,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Class key, e.g. `"red"` (the page maps it to a colour).
    pub class: String,
    /// Text for the legend.
    #[serde(default)]
    pub label: String,
    /// All must hold.
    pub when: Vec<Condition>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntensitySettings {
    /// The increase itself, or (with `column_b`) the year-A value.
    pub column: String,
    /// The year-B value: the increase is then `column_b − column`.
    #[serde(default)]
    pub column_b: Option<String>,
    /// Increasing.
    pub breaks: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TypologySettings {
    pub rules: Vec<Rule>,
    /// No intensity when left out of a settings object (the default settings have one).
    #[serde(default)]
    pub intensity: Option<IntensitySettings>,
}

impl Default for TypologySettings {
    /// The study's example: red = much nuisance (top third) and a vulnerable share above 35 %;
    /// blue = a vulnerable share above 35 % with less nuisance. Column names are placeholders
    /// the user maps to their own columns.
    fn default() -> Self {
        let nuisance = |op| Condition {
            column: "nuisance".into(),
            op,
            threshold: Threshold::Quantile(2.0 / 3.0),
        };
        let vulnerable = Condition {
            column: "vulnerable_share".into(),
            op: Comparison::Above,
            threshold: Threshold::Value(0.35),
        };
        TypologySettings {
            rules: vec![
                Rule {
                    class: "red".into(),
                    label: "Veel overlast en aandeel kwetsbaren > 35%".into(),
                    when: vec![nuisance(Comparison::AtLeast), vulnerable.clone()],
                },
                Rule {
                    class: "blue".into(),
                    label: "Aandeel kwetsbaren > 35%, minder overlast".into(),
                    when: vec![vulnerable, nuisance(Comparison::Below)],
                },
            ],
            intensity: Some(IntensitySettings {
                column: "vulnerable_share_increase".into(),
                column_b: None,
                breaks: vec![0.0, 0.02, 0.05],
            }),
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum TypologyError {
    #[error(
        "rule {rule} ({class}) uses column {column}, which is not loaded (available: {available})"
    )]
    UnknownColumn {
        rule: usize,
        class: String,
        column: String,
        available: String,
    },
    #[error("the intensity column {column} is not loaded (available: {available})")]
    UnknownIntensityColumn { column: String, available: String },
    #[error("column {column} has {got} values, expected {expected}")]
    LengthMismatch {
        column: String,
        got: usize,
        expected: usize,
    },
    #[error("rule {rule}: threshold {value} is not valid ({reason})")]
    BadThreshold {
        rule: usize,
        value: f64,
        reason: &'static str,
    },
    #[error("rule {rule} ({class}) has no conditions")]
    EmptyRule { rule: usize, class: String },
    #[error("at most 254 rules (got {0})")]
    TooManyRules(usize),
    #[error("intensity breaks must be finite and increasing (got {0:?})")]
    BadIntensityBreaks(Vec<f64>),
}

/// No rule matched / no intensity.
pub const NONE: u8 = 255;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedCondition {
    pub column: String,
    pub op: Comparison,
    /// The threshold as a value (quantiles resolved); `None` when the column has no values.
    pub value: Option<f64>,
    /// e.g. `"nuisance ≥ 12.5"`.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSummary {
    pub class: String,
    pub label: String,
    pub conditions: Vec<ResolvedCondition>,
    pub locations: u32,
    /// Locations of this class per intensity level.
    pub by_intensity: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypologyResult {
    /// Per location: index of the first matching rule, or 255.
    pub rule: Vec<u8>,
    /// Per location: intensity 0..=breaks, or 255 (missing, or no intensity set).
    pub intensity: Vec<u8>,
    pub rules: Vec<RuleSummary>,
    pub unclassified: u32,
}

/// Classify every location by the first rule whose conditions all hold.
pub fn typology(
    settings: &TypologySettings,
    columns: &[NamedColumn<'_>],
) -> Result<TypologyResult, TypologyError> {
    if settings.rules.len() > 254 {
        return Err(TypologyError::TooManyRules(settings.rules.len()));
    }
    let n = columns.first().map_or(0, |c| c.values.len());
    for c in columns {
        if c.values.len() != n {
            return Err(TypologyError::LengthMismatch {
                column: c.name.to_string(),
                got: c.values.len(),
                expected: n,
            });
        }
    }
    let available = || {
        columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let find = |rule: usize, class: &str, name: &str| {
        columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values)
            .ok_or_else(|| TypologyError::UnknownColumn {
                rule,
                class: class.to_string(),
                column: name.to_string(),
                available: available(),
            })
    };

    // Resolve every condition to (column values, op, threshold value).
    type ResolvedRule<'c> = Vec<(&'c [f64], Comparison, Option<f64>)>;
    let mut resolved: Vec<ResolvedRule<'_>> = vec![];
    let mut summaries = vec![];
    for (r, rule) in settings.rules.iter().enumerate() {
        if rule.when.is_empty() {
            return Err(TypologyError::EmptyRule {
                rule: r,
                class: rule.class.clone(),
            });
        }
        let mut conds = vec![];
        let mut texts = vec![];
        for c in &rule.when {
            let values = find(r, &rule.class, &c.column)?;
            let t = match c.threshold {
                Threshold::Value(v) if v.is_finite() => Some(v),
                Threshold::Value(v) => {
                    return Err(TypologyError::BadThreshold {
                        rule: r,
                        value: v,
                        reason: "not a finite number",
                    })
                }
                Threshold::Quantile(q) if (0.0..=1.0).contains(&q) => {
                    let mut v: Vec<f64> =
                        values.iter().copied().filter(|x| x.is_finite()).collect();
                    v.sort_by(f64::total_cmp);
                    (!v.is_empty()).then(|| quantile_sorted(&v, q))
                }
                Threshold::Quantile(q) => {
                    return Err(TypologyError::BadThreshold {
                        rule: r,
                        value: q,
                        reason: "a quantile lies between 0 and 1",
                    })
                }
            };
            conds.push((values, c.op, t));
            texts.push(ResolvedCondition {
                column: c.column.clone(),
                op: c.op,
                value: t,
                text: match t {
                    Some(t) => format!("{} {} {}", c.column, c.op.symbol(), round_for_text(t)),
                    None => format!("{} {} ?", c.column, c.op.symbol()),
                },
            });
        }
        resolved.push(conds);
        summaries.push(RuleSummary {
            class: rule.class.clone(),
            label: rule.label.clone(),
            conditions: texts,
            locations: 0,
            by_intensity: vec![],
        });
    }
    let intensity_cfg = match &settings.intensity {
        Some(cfg) => {
            let ok = cfg.breaks.iter().all(|b| b.is_finite())
                && cfg.breaks.windows(2).all(|w| w[0] < w[1]);
            if !ok {
                return Err(TypologyError::BadIntensityBreaks(cfg.breaks.clone()));
            }
            let get = |name: &String| {
                find(0, "", name).map_err(|_| TypologyError::UnknownIntensityColumn {
                    column: name.clone(),
                    available: available(),
                })
            };
            let a = get(&cfg.column)?;
            let b = cfg.column_b.as_ref().map(get).transpose()?;
            Some((a, b, &cfg.breaks))
        }
        None => None,
    };
    let levels = intensity_cfg.map_or(1, |(_, _, b)| b.len() + 1);
    summaries
        .iter_mut()
        .for_each(|s| s.by_intensity = vec![0; levels]);

    let mut rule_of = vec![NONE; n];
    let mut intensity = vec![NONE; n];
    let mut unclassified = 0u32;
    for i in 0..n {
        if let Some((a, b, breaks)) = intensity_cfg {
            let v = b.map_or(a[i], |b| b[i] - a[i]);
            if v.is_finite() {
                intensity[i] = breaks.partition_point(|&b| b <= v) as u8;
            }
        }
        let hit = resolved.iter().position(|conds| {
            conds.iter().all(|&(values, op, t)| {
                let v = values[i];
                matches!(t, Some(t) if v.is_finite() && op.holds(v, t))
            })
        });
        match hit {
            Some(r) => {
                rule_of[i] = r as u8;
                summaries[r].locations += 1;
                let level = if intensity_cfg.is_some() {
                    intensity[i]
                } else {
                    0
                };
                if level != NONE {
                    summaries[r].by_intensity[level as usize] += 1;
                }
            }
            None => unclassified += 1,
        }
    }
    Ok(TypologyResult {
        rule: rule_of,
        intensity,
        rules: summaries,
        unclassified,
    })
}

fn round_for_text(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn study_example_hand_computed() {
        // nuisance 1..6 → top-third threshold = type-7 quantile at 2/3 = 1 + 5·2/3 = 4.3333
        // loc: nuisance, vulnerable share, increase → expected
        // 0: 6, 0.40, 0.06 → red (6 ≥ 4.33, 0.40 > 0.35), intensity 3 (≥0, ≥0.02, ≥0.05)
        // 1: 5, 0.30, 0.01 → none (share not > 0.35)
        // 2: 1, 0.50, 0.03 → blue, intensity 2
        // 3: 2, 0.35, −0.1 → none (0.35 is not > 0.35), intensity 0
        // 4: NaN, 0.9, NaN → none (conditions on missing values are false), no intensity
        // 5: 4, 0.36, 0.0 → blue (4 < 4.33), intensity 1
        // 6: 3, 0.5, 0 (nuisance 3 counts in the quantile: values 1,2,3,4,5,6 without NaN)
        let nuisance = [6.0, 5.0, 1.0, 2.0, f64::NAN, 4.0, 3.0];
        let share = [0.40, 0.30, 0.50, 0.35, 0.9, 0.36, 0.5];
        let inc = [0.06, 0.01, 0.03, -0.1, f64::NAN, 0.0, 0.0];
        let cols = [
            NamedColumn {
                name: "nuisance",
                values: &nuisance,
            },
            NamedColumn {
                name: "vulnerable_share",
                values: &share,
            },
            NamedColumn {
                name: "vulnerable_share_increase",
                values: &inc,
            },
        ];
        let r = typology(&TypologySettings::default(), &cols).unwrap();
        assert_eq!(r.rule, vec![0, NONE, 1, NONE, NONE, 1, 1]);
        assert_eq!(r.intensity, vec![3, 1, 2, 0, NONE, 1, 1]);
        assert_eq!(r.rules[0].locations, 1);
        assert_eq!(r.rules[1].locations, 3);
        assert_eq!(r.rules[1].by_intensity, vec![0, 2, 1, 0]);
        assert_eq!(r.unclassified, 3);
        assert!((r.rules[0].conditions[0].value.unwrap() - 13.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.rules[0].conditions[1].text, "vulnerable_share > 0.35");
    }

    #[test]
    fn intensity_from_two_years() {
        // increase = b − a: 0.05 − 0.01 = 0.04 → breaks [0, 0.02, 0.05] → 2; 0.1 − 0.2 < 0 → 0.
        let (a, b) = ([0.01, 0.2], [0.05, 0.1]);
        let cols = [
            NamedColumn {
                name: "lvb_a",
                values: &a,
            },
            NamedColumn {
                name: "lvb_b",
                values: &b,
            },
        ];
        let s: TypologySettings = serde_json::from_str(
            r#"{"rules":[{"class":"x","when":[{"column":"lvb_b","op":">","threshold":{"value":0}}]}],
                "intensity":{"column":"lvb_a","columnB":"lvb_b","breaks":[0,0.02,0.05]}}"#,
        )
        .unwrap();
        let r = typology(&s, &cols).unwrap();
        assert_eq!(r.intensity, vec![2, 0]);
        assert_eq!(r.rules[0].by_intensity, vec![1, 0, 1, 0]);
    }

    #[test]
    fn rules_from_json_and_errors() {
        let json = r#"{"rules":[{"class":"red","when":[{"column":"n","op":">=","threshold":{"value":3}}]}]}"#;
        let s: TypologySettings = serde_json::from_str(json).unwrap();
        assert_eq!(s.intensity, None);
        let r = typology(
            &s,
            &[NamedColumn {
                name: "n",
                values: &[2.0, 3.0],
            }],
        )
        .unwrap();
        assert_eq!(r.rule, vec![NONE, 0]);
        let e = typology(
            &TypologySettings::default(),
            &[NamedColumn {
                name: "n",
                values: &[2.0],
            }],
        )
        .unwrap_err();
        assert!(e.to_string().contains("nuisance"));
        assert!(e.to_string().contains("available: n"));
    }

    proptest! {
        /// Second implementation: evaluate each rule as a boolean expression written out by hand.
        #[test]
        fn first_match_wins(rows in proptest::collection::vec((0.0f64..10.0, 0.0f64..1.0), 1..50), x in 0.0f64..10.0) {
            let nuisance: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let share: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let settings = TypologySettings {
                rules: vec![
                    Rule { class: "red".into(), label: String::new(), when: vec![
                        Condition { column: "n".into(), op: Comparison::AtLeast, threshold: Threshold::Value(x) },
                        Condition { column: "s".into(), op: Comparison::Above, threshold: Threshold::Value(0.35) }]},
                    Rule { class: "blue".into(), label: String::new(), when: vec![
                        Condition { column: "s".into(), op: Comparison::Above, threshold: Threshold::Value(0.35) }]},
                ],
                intensity: None,
            };
            let r = typology(&settings, &[NamedColumn { name: "n", values: &nuisance }, NamedColumn { name: "s", values: &share }]).unwrap();
            for i in 0..rows.len() {
                let expected = if nuisance[i] >= x && share[i] > 0.35 { 0 } else if share[i] > 0.35 { 1 } else { NONE };
                prop_assert_eq!(r.rule[i], expected);
            }
        }
    }
}
