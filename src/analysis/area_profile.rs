//! The area profile ("sociale kaart") of one location or area: its own figures, the sums within
//! the radius, its corporation share and band, per group its share in year A and B (the trend) and
//! how that compares with the reference (index, reference = 100).
//!
//! With coordinates, the shares are taken over all locations within `radius_m` (planar RD metres,
//! `dx² + dy² ≤ R²`, the location itself included, a missing value counted as 0 — the same rule as
//! the buffer scores); without coordinates (areas such as buurten) over the area's own figures.
//! A share whose denominator is below `suppress_below` (k) is not shown, and neither is a figure
//! (own or within the radius) of a column used in a share whose denominator there is below k: the
//! corporation and dwellings counts are withheld when the dwellings are below k, a group's
//! numerator and denominator when its denominator is (`suppressed: true`, `value: null`). Columns
//! not used in any share are passed through as they are. The reference of a group is the national
//! figure the user typed, or the whole loaded area.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bands::{BandInfo, BandSettings, Bands, BandsError};
use super::typology::NamedColumn;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupSpec {
    /// Shown in the profile, e.g. "Bijstand".
    pub label: String,
    pub numerator: String,
    pub denominator: String,
    /// Columns for year B (leave out for one year).
    pub numerator_b: Option<String>,
    pub denominator_b: Option<String>,
    /// National reference in percent (year A, and B unless `reference_b_share_pct` is set);
    /// `None` = the whole loaded area.
    pub reference_share_pct: Option<f64>,
    pub reference_b_share_pct: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileSettings {
    pub radius_m: f64,
    pub suppress_below: f64,
    pub bands: BandSettings,
    /// Corporation dwellings (a count), summed within the radius.
    pub corporation_column: String,
    pub dwellings_column: String,
    /// For areas that come with a share instead of counts (KWB
    /// `perc_huurwoningen_in_bezit_woningcorporaties`): the location's own share is used.
    pub corporation_share_column: Option<String>,
    /// Whether `corporation_share_column` is in percent (KWB) rather than `0..1`.
    pub corporation_share_in_percent: bool,
    pub groups: Vec<GroupSpec>,
}

impl Default for ProfileSettings {
    fn default() -> Self {
        ProfileSettings {
            radius_m: 200.0,
            suppress_below: 10.0,
            bands: BandSettings::default(),
            corporation_column: "aantal_huurwoningen_in_bezit_woningcorporaties".into(),
            dwellings_column: "aantal_woningen".into(),
            corporation_share_column: None,
            corporation_share_in_percent: true,
            groups: vec![],
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ProfileError {
    #[error(transparent)]
    Bands(#[from] BandsError),
    #[error("location {location} does not exist (the layer has {len} locations)")]
    NoSuchLocation { location: usize, len: usize },
    #[error("column {column} is not loaded (available: {available})")]
    UnknownColumn { column: String, available: String },
    #[error("column {column} has {got} values, expected {expected}")]
    LengthMismatch {
        column: String,
        got: usize,
        expected: usize,
    },
    #[error("radius must be a finite distance ≥ 0 m (got {0})")]
    BadRadius(f64),
    #[error("reference share must be a percentage above 0 and at most 100 (got {0})")]
    BadReference(f64),
}

/// The locations: optional RD coordinates and named columns, all aligned.
#[derive(Clone, Copy, Debug)]
pub struct ProfileInput<'a> {
    pub x_rd: Option<&'a [f64]>,
    pub y_rd: Option<&'a [f64]>,
    pub columns: &'a [NamedColumn<'a>],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedValue {
    pub name: String,
    pub value: Option<f64>,
    /// Withheld because the denominator it belongs to is below k.
    pub suppressed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupProfile {
    pub label: String,
    pub share_a: Option<f64>,
    pub share_b: Option<f64>,
    /// `share_b − share_a` (share points, `0..1` scale).
    pub change: Option<f64>,
    pub index_a: Option<f64>,
    pub index_b: Option<f64>,
    pub reference_a: Option<f64>,
    pub reference_b: Option<f64>,
    pub suppressed_a: bool,
    pub suppressed_b: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AreaProfile {
    pub location: u32,
    /// `"radius"` (sums within the radius) or `"own"` (no coordinates: the area's own figures).
    pub scope: &'static str,
    pub radius_m: Option<f64>,
    pub own: Vec<NamedValue>,
    /// Sums of every column within the radius (`None` without coordinates).
    pub within_radius: Option<Vec<NamedValue>>,
    pub locations_within_radius: Option<u32>,
    pub corporation_share: Option<f64>,
    pub corporation_share_suppressed: bool,
    pub band: Option<BandInfo>,
    pub groups: Vec<GroupProfile>,
}

/// Build the profile of `location` (row index).
pub fn area_profile(
    settings: &ProfileSettings,
    input: &ProfileInput<'_>,
    location: usize,
) -> Result<AreaProfile, ProfileError> {
    let bands = Bands::new(&settings.bands)?;
    let r = settings.radius_m;
    if !(r.is_finite() && r >= 0.0) {
        return Err(ProfileError::BadRadius(r));
    }
    let n = input
        .columns
        .first()
        .map(|c| c.values.len())
        .or(input.x_rd.map(<[f64]>::len))
        .unwrap_or(0);
    let coords = match (input.x_rd, input.y_rd) {
        (Some(x), Some(y)) => Some((x, y)),
        _ => None,
    };
    let mut lengths: Vec<(&str, usize)> = input
        .columns
        .iter()
        .map(|c| (c.name, c.values.len()))
        .collect();
    if let Some((x, y)) = coords {
        lengths.push(("x_rd", x.len()));
        lengths.push(("y_rd", y.len()));
    }
    for (column, got) in lengths {
        if got != n {
            return Err(ProfileError::LengthMismatch {
                column: column.into(),
                got,
                expected: n,
            });
        }
    }
    if location >= n {
        return Err(ProfileError::NoSuchLocation { location, len: n });
    }
    let find = |name: &str| {
        input
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| ProfileError::UnknownColumn {
                column: name.into(),
                available: input
                    .columns
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    };
    let given_share = settings
        .corporation_share_column
        .as_deref()
        .map(find)
        .transpose()?;
    let (corp, dw) = match given_share {
        Some(_) => (None, None),
        None => (
            Some(find(&settings.corporation_column)?),
            Some(find(&settings.dwellings_column)?),
        ),
    };
    let mut group_cols = vec![];
    for g in &settings.groups {
        let a = (find(&g.numerator)?, find(&g.denominator)?);
        let b = match (&g.numerator_b, &g.denominator_b) {
            (Some(nb), Some(db)) => Some((find(nb)?, find(db)?)),
            (Some(nb), None) => Some((find(nb)?, a.1)),
            _ => None,
        };
        for p in [g.reference_share_pct, g.reference_b_share_pct]
            .into_iter()
            .flatten()
        {
            if !(p.is_finite() && p > 0.0 && p <= 100.0) {
                return Err(ProfileError::BadReference(p));
            }
        }
        group_cols.push((a, b));
    }

    // The denominators each column is used with (for suppressing small figures).
    let mut bases: Vec<Vec<usize>> = vec![vec![]; input.columns.len()];
    let mut pair = |num: usize, den: usize| {
        bases[num].push(den);
        bases[den].push(den);
    };
    if let (Some(c), Some(d)) = (corp, dw) {
        pair(c, d);
    }
    for &(a, b) in &group_cols {
        pair(a.0, a.1);
        if let Some(b) = b {
            pair(b.0, b.1);
        }
    }

    let own: Vec<f64> = input.columns.iter().map(|c| c.values[location]).collect();
    // Sums within the radius (missing counted as 0), or the own figures.
    let (basis, count) = match coords {
        Some((x, y)) => {
            let (x0, y0, r2) = (x[location], y[location], r * r);
            let mut sums = vec![0.0; input.columns.len()];
            let mut count = 0u32;
            for j in 0..n {
                let (dx, dy) = (x[j] - x0, y[j] - y0);
                if dx * dx + dy * dy <= r2 {
                    count += 1;
                    for (s, c) in sums.iter_mut().zip(input.columns) {
                        if !c.values[j].is_nan() {
                            *s += c.values[j];
                        }
                    }
                }
            }
            (sums, Some(count))
        }
        None => (own.clone(), None),
    };
    let k = settings.suppress_below;
    let share = |num: f64, den: f64| -> (Option<f64>, bool) {
        if den.is_nan() || num.is_nan() {
            (None, false)
        } else if den < k {
            (None, true)
        } else if den > 0.0 {
            (Some(num / den), false)
        } else {
            (None, false)
        }
    };
    let (corporation_share, corporation_share_suppressed) = match (given_share, corp, dw) {
        (Some(c), _, _) => {
            let v = input.columns[c].values[location];
            let divisor = if settings.corporation_share_in_percent {
                100.0
            } else {
                1.0
            };
            ((v.is_finite() && v >= 0.0).then(|| v / divisor), false)
        }
        (None, Some(corp), Some(dw)) => share(basis[corp], basis[dw]),
        _ => (None, false),
    };
    // Loaded-area reference share over the locations with both values (as in `band_index`).
    let reference = |num: usize, den: usize| -> Option<f64> {
        let (mut g, mut d) = (0.0, 0.0);
        for (&a, &b) in input.columns[num]
            .values
            .iter()
            .zip(input.columns[den].values)
        {
            if !a.is_nan() && !b.is_nan() {
                g += a;
                d += b;
            }
        }
        Some(g / d).filter(|v| v.is_finite() && *v > 0.0)
    };
    let groups = settings
        .groups
        .iter()
        .zip(&group_cols)
        .map(|(g, &(a, b))| {
            let (share_a, suppressed_a) = share(basis[a.0], basis[a.1]);
            let reference_a = match g.reference_share_pct {
                Some(p) => Some(p / 100.0),
                None => reference(a.0, a.1),
            };
            let (share_b, suppressed_b, reference_b) = match b {
                Some(b) => {
                    let (s, sup) = share(basis[b.0], basis[b.1]);
                    let rf = match g.reference_b_share_pct.or(g.reference_share_pct) {
                        Some(p) => Some(p / 100.0),
                        None => reference(b.0, b.1),
                    };
                    (s, sup, rf)
                }
                None => (None, false, None),
            };
            let index = |s: Option<f64>, rf: Option<f64>| Some(s? / rf? * 100.0);
            GroupProfile {
                label: if g.label.is_empty() {
                    g.numerator.clone()
                } else {
                    g.label.clone()
                },
                share_a,
                share_b,
                change: share_a.zip(share_b).map(|(a, b)| b - a),
                index_a: index(share_a, reference_a),
                index_b: index(share_b, reference_b),
                reference_a,
                reference_b,
                suppressed_a,
                suppressed_b,
            }
        })
        .collect();
    let named = |values: &[f64]| {
        input
            .columns
            .iter()
            .zip(values)
            .zip(&bases)
            .map(|((c, &v), base)| {
                // A missing denominator cannot show that the figure rests on k units or more.
                let suppressed = base.iter().any(|&d| values[d].is_nan() || values[d] < k);
                NamedValue {
                    name: c.name.to_string(),
                    value: (!v.is_nan() && !suppressed).then_some(v),
                    suppressed,
                }
            })
            .collect::<Vec<_>>()
    };
    Ok(AreaProfile {
        location: location as u32,
        scope: if coords.is_some() { "radius" } else { "own" },
        radius_m: coords.map(|_| r),
        own: named(&own),
        within_radius: coords.map(|_| named(&basis)),
        locations_within_radius: count,
        corporation_share,
        corporation_share_suppressed,
        band: corporation_share
            .and_then(|s| bands.band_of(s))
            .map(|b| bands.info(b)),
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ProfileSettings {
        ProfileSettings {
            corporation_column: "corp".into(),
            dwellings_column: "dw".into(),
            groups: vec![GroupSpec {
                label: "Bijstand".into(),
                numerator: "bijstand_a".into(),
                denominator: "inw".into(),
                numerator_b: Some("bijstand_b".into()),
                reference_share_pct: Some(5.0),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// Four locations: (0,0), (200,0) (exactly at R = 200 from the first), (0,150), (300,0).
    const SAMPLE_X: [f64; 4] = [0.0, 200.0, 0.0, 300.0];
    const SAMPLE_Y: [f64; 4] = [0.0, 0.0, 150.0, 0.0];

    /// Their columns: corporation dwellings (one missing), dwellings, a group in two years,
    /// inhabitants.
    fn sample_columns() -> Vec<NamedColumn<'static>> {
        vec![
            NamedColumn {
                name: "corp",
                values: &[10.0, 20.0, f64::NAN, 99.0],
            },
            NamedColumn {
                name: "dw",
                values: &[20.0, 20.0, 20.0, 99.0],
            },
            NamedColumn {
                name: "bijstand_a",
                values: &[1.0, 2.0, 3.0, 50.0],
            },
            NamedColumn {
                name: "bijstand_b",
                values: &[2.0, 4.0, 6.0, 50.0],
            },
            NamedColumn {
                name: "inw",
                values: &[40.0, 40.0, 40.0, 100.0],
            },
        ]
    }

    #[test]
    fn hand_computed_profile_within_radius() {
        // Locations at (0,0), (200,0) (exactly at R: included), (0,150), (300,0) (outside).
        // Within 200 m of location 0: rows 0,1,2.
        // corp = 10+20+NaN(→0) = 30, dw = 20+20+20 = 60 → share 0.5 → band 50–60%.
        // bijstand_a = 1+2+3 = 6, inw = 40+40+40 = 120 → 0.05 → index 0.05/0.05·100 = 100.
        // bijstand_b = 2+4+6 = 12 → 0.10 → index 200; change +0.05.
        let (x, y) = (SAMPLE_X, SAMPLE_Y);
        let cols = sample_columns();
        let p = area_profile(
            &settings(),
            &ProfileInput {
                x_rd: Some(&x),
                y_rd: Some(&y),
                columns: &cols,
            },
            0,
        )
        .unwrap();
        assert_eq!(p.locations_within_radius, Some(3));
        assert_eq!(p.corporation_share, Some(0.5));
        assert_eq!(p.band.as_ref().unwrap().label, "50–60%");
        let g = &p.groups[0];
        assert!((g.share_a.unwrap() - 0.05).abs() < 1e-15);
        assert!((g.index_a.unwrap() - 100.0).abs() < 1e-9);
        assert!((g.index_b.unwrap() - 200.0).abs() < 1e-9);
        assert!((g.change.unwrap() - 0.05).abs() < 1e-15);
        assert_eq!(p.own[0].value, Some(10.0));
        assert_eq!(p.within_radius.as_ref().unwrap()[0].value, Some(30.0));
    }

    #[test]
    fn small_figures_are_withheld_with_their_share() {
        // Location 3 (300, 0) alone within 50 m: dw 99, inw 100 → shown at k = 10. At k = 100 the
        // dwellings (99 < 100) withhold corp and dw; inw = 100 is not below k, so the group's
        // figures stay. Location 0 within 50 m: only itself, dw 20 < k = 30 → corp/dw withheld,
        // inw 40 ≥ 30 → bijstand shown.
        let (x, y) = (SAMPLE_X, SAMPLE_Y);
        let mut cols = sample_columns();
        cols.push(NamedColumn {
            name: "other",
            values: &[1.0, 1.0, 1.0, 1.0],
        });
        let input = ProfileInput {
            x_rd: Some(&x),
            y_rd: Some(&y),
            columns: &cols,
        };
        let mut s = settings();
        s.radius_m = 50.0;
        s.suppress_below = 100.0;
        let p = area_profile(&s, &input, 3).unwrap();
        let shown = |v: &[NamedValue]| v.iter().map(|n| n.value).collect::<Vec<_>>();
        assert_eq!(
            shown(&p.own),
            [None, None, Some(50.0), Some(50.0), Some(100.0), Some(1.0)]
        );
        assert!(p.own[0].suppressed && p.own[1].suppressed && !p.own[2].suppressed);
        assert!(p.corporation_share_suppressed);
        s.suppress_below = 30.0;
        let p = area_profile(&s, &input, 0).unwrap();
        assert_eq!(
            shown(p.within_radius.as_ref().unwrap()),
            [None, None, Some(1.0), Some(2.0), Some(40.0), Some(1.0)]
        );
        assert_eq!(p.groups[0].share_a, Some(1.0 / 40.0));
    }

    #[test]
    fn areas_without_coordinates_use_own_figures_and_loaded_area_reference() {
        // Area 1: corp 8 of dw 16 → 0.5 (k = 10 ok); bijstand 3 of inw 30 = 0.1.
        // Loaded-area reference: (1+3)/(50+30) = 0.05 → index 200. Year B: 6/30 = 0.2, ref 8/80
        // = 0.1 → index 200.
        let cols = [
            NamedColumn {
                name: "corp",
                values: &[1.0, 8.0],
            },
            NamedColumn {
                name: "dw",
                values: &[5.0, 16.0],
            },
            NamedColumn {
                name: "bijstand_a",
                values: &[1.0, 3.0],
            },
            NamedColumn {
                name: "bijstand_b",
                values: &[2.0, 6.0],
            },
            NamedColumn {
                name: "inw",
                values: &[50.0, 30.0],
            },
        ];
        let mut s = settings();
        s.groups[0].reference_share_pct = None;
        let p = area_profile(
            &s,
            &ProfileInput {
                x_rd: None,
                y_rd: None,
                columns: &cols,
            },
            1,
        )
        .unwrap();
        assert_eq!(p.scope, "own");
        assert_eq!(p.corporation_share, Some(0.5));
        assert!((p.groups[0].index_a.unwrap() - 200.0).abs() < 1e-9);
        assert!((p.groups[0].index_b.unwrap() - 200.0).abs() < 1e-9);
        // Area 0 has 5 dwellings < k = 10: its corporation share is suppressed.
        let p = area_profile(
            &s,
            &ProfileInput {
                x_rd: None,
                y_rd: None,
                columns: &cols,
            },
            0,
        )
        .unwrap();
        assert!(p.corporation_share_suppressed);
        assert_eq!(p.corporation_share, None);
        assert!(matches!(
            area_profile(
                &s,
                &ProfileInput {
                    x_rd: None,
                    y_rd: None,
                    columns: &cols
                },
                2
            ),
            Err(ProfileError::NoSuchLocation {
                location: 2,
                len: 2
            })
        ));
    }

    #[test]
    fn loaded_area_reference_uses_complete_rows_like_band_index() {
        // Row 2 has no inhabitants: it is left out of both sums, so the reference is
        // (3 + 1) / (30 + 50) = 0.05 and area 0's share 3/30 = 0.1 gives index 200
        // (counting row 2's 100 in the numerator would give 104/80 instead).
        let cols = [
            NamedColumn {
                name: "corp",
                values: &[8.0, 1.0, 1.0],
            },
            NamedColumn {
                name: "dw",
                values: &[16.0, 20.0, 20.0],
            },
            NamedColumn {
                name: "bijstand_a",
                values: &[3.0, 1.0, 100.0],
            },
            NamedColumn {
                name: "inw",
                values: &[30.0, 50.0, f64::NAN],
            },
        ];
        let mut s = settings();
        s.groups[0].numerator_b = None;
        s.groups[0].reference_share_pct = None;
        let p = area_profile(
            &s,
            &ProfileInput {
                x_rd: None,
                y_rd: None,
                columns: &cols,
            },
            0,
        )
        .unwrap();
        assert!((p.groups[0].reference_a.unwrap() - 0.05).abs() < 1e-15);
        assert!((p.groups[0].index_a.unwrap() - 200.0).abs() < 1e-9);
        // Second implementation: the band index's loaded-area reference on the same columns.
        let t = crate::analysis::band_index::band_index(
            &crate::analysis::band_index::IndexSettings::default(),
            &crate::analysis::band_index::GroupColumns {
                corporation_share: &[0.5, 0.05, 0.05],
                group: cols[2].values,
                denominator: cols[3].values,
            },
        )
        .unwrap();
        assert_eq!(t.reference_share, p.groups[0].reference_a.unwrap());
    }

    #[test]
    fn area_with_a_given_share_in_percent() {
        // KWB-style buurt: 57 % corporation share → 0.57 → band 50–60%; no counts needed.
        let cols = [NamedColumn {
            name: "perc",
            values: &[57.0, -99997.0],
        }];
        let s = ProfileSettings {
            corporation_share_column: Some("perc".into()),
            ..Default::default()
        };
        let input = ProfileInput {
            x_rd: None,
            y_rd: None,
            columns: &cols,
        };
        let p = area_profile(&s, &input, 0).unwrap();
        assert_eq!(p.corporation_share, Some(0.57));
        assert_eq!(p.band.unwrap().label, "50–60%");
        assert_eq!(area_profile(&s, &input, 1).unwrap().corporation_share, None);
    }
}
