//! Score series per group over the years, for the development charts:
//! - the Leefbaarometer score per **level class** (low / mid / high level in a base year, by
//!   tertiles or user breaks, as in [`super::bivariate`]) over all years — one line per class;
//! - each dimension per **band of corporation share** over the years (the page shows the bands
//!   ≥ 80 %).
//!
//! Input is a long table (area code, year, one or more score columns — the Leefbaarometer file),
//! plus for band grouping the areas' corporation share (`0..1`) by code. Per group, column and
//! year: the number of areas with a value and their unweighted mean. Codes are compared trimmed
//! and in upper case; an area with two rows for one year is an error.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bands::{BandSettings, Bands, BandsError};
use super::bivariate::{breaks_for, class_of, AxisBreaks, BivariateError};
use super::typology::NamedColumn;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum GroupBy {
    /// Classes low / mid / high of `column` in `base_year`.
    #[serde(rename_all = "camelCase")]
    Level {
        column: String,
        base_year: i32,
        breaks: AxisBreaks,
    },
    /// Bands of corporation share.
    #[serde(rename_all = "camelCase")]
    Band { bands: BandSettings },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeriesSettings {
    pub group_by: GroupBy,
}

impl Default for SeriesSettings {
    fn default() -> Self {
        SeriesSettings {
            group_by: GroupBy::Level {
                column: "lbm".into(),
                base_year: 2012,
                breaks: AxisBreaks::Tertiles,
            },
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum GroupStatsError {
    #[error(transparent)]
    Bands(#[from] BandsError),
    #[error(transparent)]
    Breaks(#[from] BivariateError),
    #[error("column {what} has {got} values, expected {expected}")]
    LengthMismatch {
        what: String,
        got: usize,
        expected: usize,
    },
    #[error("year {value} in row {row} is not a whole year")]
    BadYear { row: usize, value: f64 },
    #[error("area {code} has two rows for year {year} (rows {first} and {second})")]
    Duplicate {
        code: String,
        year: i32,
        first: usize,
        second: usize,
    },
    #[error("column {column} is not among the score columns ({available})")]
    UnknownColumn { column: String, available: String },
    #[error("no rows for base year {0}")]
    NoBaseYear(i32),
    #[error("grouping by band needs the areas' corporation shares")]
    NoShares,
}

/// The long table: one row per (area, year), with score columns.
#[derive(Clone, Copy, Debug)]
pub struct LongTable<'a> {
    pub codes: &'a [String],
    pub years: &'a [f64],
    pub columns: &'a [NamedColumn<'a>],
}

/// Corporation share (`0..1`) per area code.
#[derive(Clone, Copy, Debug)]
pub struct SharesByCode<'a> {
    pub codes: &'a [String],
    pub share: &'a [f64],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeanPoint {
    pub year: i32,
    pub locations: u32,
    pub mean: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnSeries {
    pub column: String,
    pub points: Vec<MeanPoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSeries {
    pub group: u32,
    /// `"low"`, `"mid"`, `"high"` or a band label such as `"≥ 80%"`.
    pub label: String,
    pub areas: u32,
    pub columns: Vec<ColumnSeries>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesResult {
    pub years: Vec<i32>,
    pub groups: Vec<GroupSeries>,
    /// Breaks of the level classes (level grouping).
    pub level_breaks: Option<[f64; 2]>,
    /// Areas in no group (no base-year value, or no share / outside every band).
    pub areas_without_group: u32,
}

fn key(code: &str) -> String {
    code.trim().to_uppercase()
}

/// Mean per group, column and year.
pub fn series(
    settings: &SeriesSettings,
    table: &LongTable<'_>,
    shares: Option<&SharesByCode<'_>>,
) -> Result<SeriesResult, GroupStatsError> {
    let n = table.codes.len();
    let mut lengths = vec![("years".to_string(), table.years.len())];
    lengths.extend(
        table
            .columns
            .iter()
            .map(|c| (c.name.to_string(), c.values.len())),
    );
    for (what, got) in lengths {
        if got != n {
            return Err(GroupStatsError::LengthMismatch {
                what,
                got,
                expected: n,
            });
        }
    }
    // Areas and years.
    let mut area_of: HashMap<String, usize> = HashMap::new();
    let mut area_codes: Vec<String> = vec![];
    let mut row_area = Vec::with_capacity(n);
    let mut row_year = Vec::with_capacity(n);
    let mut years = BTreeSet::new();
    let mut seen: HashMap<(usize, i32), usize> = HashMap::new();
    for i in 0..n {
        let y = table.years[i];
        if !(y.is_finite() && y.fract() == 0.0) {
            return Err(GroupStatsError::BadYear {
                row: i + 1,
                value: y,
            });
        }
        let y = y as i32;
        let k = key(&table.codes[i]);
        let a = *area_of.entry(k.clone()).or_insert_with(|| {
            area_codes.push(k);
            area_codes.len() - 1
        });
        if let Some(first) = seen.insert((a, y), i) {
            return Err(GroupStatsError::Duplicate {
                code: area_codes[a].clone(),
                year: y,
                first: first + 1,
                second: i + 1,
            });
        }
        row_area.push(a);
        row_year.push(y);
        years.insert(y);
    }
    let years: Vec<i32> = years.into_iter().collect();

    // The group of every area.
    let mut group = vec![-1i32; area_codes.len()];
    let (labels, level_breaks): (Vec<String>, Option<[f64; 2]>) = match &settings.group_by {
        GroupBy::Level {
            column,
            base_year,
            breaks,
        } => {
            let col = table
                .columns
                .iter()
                .find(|c| c.name == column)
                .ok_or_else(|| GroupStatsError::UnknownColumn {
                    column: column.clone(),
                    available: table
                        .columns
                        .iter()
                        .map(|c| c.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let mut base = vec![f64::NAN; area_codes.len()];
            let mut any = false;
            for i in 0..n {
                if row_year[i] == *base_year {
                    base[row_area[i]] = col.values[i];
                    any = true;
                }
            }
            if !any {
                return Err(GroupStatsError::NoBaseYear(*base_year));
            }
            let b = breaks_for(
                "level",
                breaks,
                base.iter().copied().filter(|v| v.is_finite()),
            )?;
            if let Some(b) = b {
                for (g, v) in group.iter_mut().zip(&base) {
                    if v.is_finite() {
                        *g = i32::from(class_of(*v, b));
                    }
                }
            }
            (vec!["low".into(), "mid".into(), "high".into()], b)
        }
        GroupBy::Band { bands } => {
            let bands = Bands::new(bands)?;
            let s = shares.ok_or(GroupStatsError::NoShares)?;
            if s.share.len() != s.codes.len() {
                return Err(GroupStatsError::LengthMismatch {
                    what: "share".into(),
                    got: s.share.len(),
                    expected: s.codes.len(),
                });
            }
            for (c, &v) in s.codes.iter().zip(s.share) {
                if let (Some(&a), Some(b)) = (area_of.get(&key(c)), bands.band_of(v)) {
                    group[a] = b as i32;
                }
            }
            ((0..bands.len()).map(|b| bands.label(b)).collect(), None)
        }
    };

    let g_n = labels.len();
    let y_index: HashMap<i32, usize> = years.iter().enumerate().map(|(i, &y)| (y, i)).collect();
    let mut areas = vec![0u32; g_n];
    for &g in &group {
        if g >= 0 {
            areas[g as usize] += 1;
        }
    }
    let mut groups: Vec<GroupSeries> = labels
        .iter()
        .enumerate()
        .map(|(g, label)| GroupSeries {
            group: g as u32,
            label: label.clone(),
            areas: areas[g],
            columns: vec![],
        })
        .collect();
    for col in table.columns {
        let mut sum = vec![vec![0.0; years.len()]; g_n];
        let mut cnt = vec![vec![0u32; years.len()]; g_n];
        for i in 0..n {
            let g = group[row_area[i]];
            let v = col.values[i];
            if g >= 0 && v.is_finite() {
                let y = y_index[&row_year[i]];
                sum[g as usize][y] += v;
                cnt[g as usize][y] += 1;
            }
        }
        for (g, gs) in groups.iter_mut().enumerate() {
            gs.columns.push(ColumnSeries {
                column: col.name.to_string(),
                points: years
                    .iter()
                    .enumerate()
                    .map(|(y, &year)| MeanPoint {
                        year,
                        locations: cnt[g][y],
                        mean: (cnt[g][y] > 0).then(|| sum[g][y] / f64::from(cnt[g][y])),
                    })
                    .collect(),
            });
        }
    }
    Ok(SeriesResult {
        years,
        groups,
        level_breaks,
        areas_without_group: group.iter().filter(|&&g| g < 0).count() as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn level_classes_hand_computed() {
        // Base year 2012 values A 1, B 2, C 3 → breaks (type-7 tertiles) 1.6667, 2.3333:
        // A low, B mid, C high. 2020: A 2, B NaN, C 5 → low mean 2 (1 area), mid none, high 5.
        let codes = s(&["A", "B", "C", "A", "B", "C"]);
        let years = [2012.0, 2012.0, 2012.0, 2020.0, 2020.0, 2020.0];
        let lbm = [1.0, 2.0, 3.0, 2.0, f64::NAN, 5.0];
        let cols = [NamedColumn {
            name: "lbm",
            values: &lbm,
        }];
        let r = series(
            &SeriesSettings::default(),
            &LongTable {
                codes: &codes,
                years: &years,
                columns: &cols,
            },
            None,
        )
        .unwrap();
        assert_eq!(r.years, vec![2012, 2020]);
        let low = &r.groups[0].columns[0].points;
        assert_eq!(low[1].mean, Some(2.0));
        assert_eq!(r.groups[1].columns[0].points[1].mean, None);
        assert_eq!(r.groups[1].columns[0].points[1].locations, 0);
        assert_eq!(r.groups[2].columns[0].points[1].mean, Some(5.0));
        assert_eq!(r.groups[2].label, "high");
    }

    #[test]
    fn bands_hand_computed_and_errors() {
        // A share 0.85 and B 0.9 (≥ 80%), C 0.05 (0–10%); onv 2014: A −0.1, B −0.3 → mean −0.2.
        let codes = s(&["A", "B", "C"]);
        let years = [2014.0, 2014.0, 2014.0];
        let onv = [-0.1, -0.3, 0.2];
        let cols = [NamedColumn {
            name: "onv",
            values: &onv,
        }];
        let settings = SeriesSettings {
            group_by: GroupBy::Band {
                bands: BandSettings::default(),
            },
        };
        let t = LongTable {
            codes: &codes,
            years: &years,
            columns: &cols,
        };
        let area_codes = s(&["a", "B", "C"]);
        let r = series(
            &settings,
            &t,
            Some(&SharesByCode {
                codes: &area_codes,
                share: &[0.85, 0.9, 0.05],
            }),
        )
        .unwrap();
        assert!((r.groups[8].columns[0].points[0].mean.unwrap() + 0.2).abs() < 1e-15);
        assert_eq!(r.groups[8].areas, 2);
        assert_eq!(r.groups[0].columns[0].points[0].mean, Some(0.2));
        assert_eq!(series(&settings, &t, None), Err(GroupStatsError::NoShares));
        let dup_codes = s(&["A", "a", "C"]);
        let t = LongTable {
            codes: &dup_codes,
            years: &years,
            columns: &cols,
        };
        assert!(matches!(
            series(&settings, &t, None),
            Err(GroupStatsError::Duplicate {
                first: 1,
                second: 2,
                ..
            })
        ));
    }
}
