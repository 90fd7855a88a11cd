//! The tipping point: for a score measured in two years (Leefbaarometer `afw`, a dimension such as
//! `onv`, …) the mean change per location against the corporation share, and the share at which
//! the mean change turns negative. Works for any locations: 100 m squares with a buffer share,
//! or areas (buurten) with a share from a loaded layer.
//!
//! Two estimates:
//! - **interpolated**: the mean change per band of corporation share, plotted at the band's mean
//!   share (or its midpoint, a setting); the first place where the line between two consecutive
//!   band means goes from ≥ 0 to < 0, by linear interpolation. Bands with fewer than
//!   `min_locations_per_band` locations are left out.
//! - **broken line**: a continuous two-segment least-squares fit
//!   `y = β0 + β1·x + β2·(x − c)₊` over all locations, with the breakpoint `c` chosen on a grid
//!   (`k · breakpoint_step`, at least `min_locations_per_segment` locations on either side) and the
//!   segments in closed form (3 × 3 normal equations from prefix sums over the locations sorted by
//!   share). The tipping point is where the fitted line first goes from ≥ 0 to < 0.
//!
//! Uncertainty: a seeded bootstrap over locations (resampling with replacement), percentile
//! interval at `confidence`; it reports how many replicates had a crossing at all.
//! A location with a missing share or score is left out (and counted).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::bands::{BandInfo, BandSettings, Bands, BandsError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BandPosition {
    /// The mean share of the band's locations.
    MeanShare,
    /// The middle of the band (open last band: lower edge + half the previous band's width).
    Midpoint,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TippingPointSettings {
    pub bands: BandSettings,
    pub band_position: BandPosition,
    /// Bands with fewer locations are left out of the interpolation.
    pub min_locations_per_band: u32,
    /// Grid step of the breakpoint search, in share (`0..1`).
    pub breakpoint_step: f64,
    /// Each segment of the broken line needs at least this many locations.
    pub min_locations_per_segment: u32,
    /// 0 = no bootstrap interval.
    pub bootstrap_replicates: u32,
    /// Interval coverage, e.g. 0.95.
    pub confidence: f64,
    pub seed: u32,
}

impl Default for TippingPointSettings {
    fn default() -> Self {
        TippingPointSettings {
            bands: BandSettings::default(),
            band_position: BandPosition::MeanShare,
            min_locations_per_band: 5,
            breakpoint_step: 0.005,
            min_locations_per_segment: 10,
            bootstrap_replicates: 1000,
            confidence: 0.95,
            seed: 1,
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum TippingPointError {
    #[error(transparent)]
    Bands(#[from] BandsError),
    #[error("column {what} has {got} values, expected {expected} (one per location)")]
    LengthMismatch {
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("breakpoint step must be a share above 0 and at most 0.5 (got {0})")]
    BadStep(f64),
    #[error("confidence must lie strictly between 0 and 1 (got {0})")]
    BadConfidence(f64),
    #[error("at most 100000 bootstrap replicates (got {0})")]
    TooManyReplicates(u32),
}

/// Per location: corporation share (`0..1`) and the score in year A and year B.
#[derive(Clone, Copy, Debug)]
pub struct TippingInput<'a> {
    pub corporation_share: &'a [f64],
    pub score_a: &'a [f64],
    pub score_b: &'a [f64],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CrossingStatus {
    /// The mean change goes from ≥ 0 to < 0 at `share`.
    Crossing,
    /// The mean change is ≥ 0 everywhere.
    NeverNegative,
    /// The mean change is < 0 already at the lowest share and never crosses downward.
    NegativeFromStart,
    /// Not enough bands or locations to estimate.
    TooFewData,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
    pub confidence: f64,
    /// Bootstrap replicates that gave an estimate (the interval is over these).
    pub replicates_with_estimate: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub status: CrossingStatus,
    /// The share (`0..1`) where the mean change turns negative.
    pub share: Option<f64>,
    pub interval: Option<Interval>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BandMean {
    #[serde(flatten)]
    pub band: BandInfo,
    pub locations: u32,
    /// Where the band is plotted (mean share or midpoint), `0..1`.
    pub position_share: Option<f64>,
    pub mean_share: Option<f64>,
    pub mean_change: Option<f64>,
    /// Sample standard deviation of the change (n − 1).
    pub sd_change: Option<f64>,
    /// Whether the band has enough locations to take part in the interpolation.
    pub used: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokenLineFit {
    /// Breakpoint `c` (share, `0..1`).
    pub breakpoint: f64,
    pub intercept: f64,
    pub slope_before: f64,
    pub slope_after: f64,
    /// Residual sum of squares at the chosen breakpoint.
    pub sse: f64,
    /// The data range the line is fitted over.
    pub min_share: f64,
    pub max_share: f64,
    pub breakpoint_interval: Option<Interval>,
}

impl BrokenLineFit {
    /// The fitted mean change at share `x`.
    pub fn value_at(&self, x: f64) -> f64 {
        let before = self.intercept + self.slope_before * x.min(self.breakpoint);
        before + self.slope_after * (x - self.breakpoint).max(0.0)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TippingPointResult {
    /// Locations with a share in a band and both scores present.
    pub locations_used: u32,
    pub locations_missing: u32,
    pub locations_outside_bands: u32,
    pub mean_change: Option<f64>,
    /// Whether means and fit are weighted (see [`tipping_point_weighted`]).
    pub weighted: bool,
    pub bands: Vec<BandMean>,
    pub interpolated: Estimate,
    pub broken_line: Option<BrokenLineFit>,
    pub broken_line_crossing: Estimate,
    pub bootstrap_replicates: u32,
    pub seed: u32,
}

/// The locations that take part, sorted by share.
struct Prepared {
    x: Vec<f64>,
    y: Vec<f64>,
    band: Vec<usize>,
    /// Weight per location (1 when unweighted).
    wt: Vec<f64>,
}

/// Estimate the tipping point, every location counting once. Validates the settings, then
/// cannot fail on the data.
pub fn tipping_point(
    settings: &TippingPointSettings,
    input: &TippingInput<'_>,
) -> Result<TippingPointResult, TippingPointError> {
    tipping_point_weighted(settings, input, None)
}

/// Like [`tipping_point`], with a weight per location (e.g. its dwellings): band means, the
/// overall mean and the broken line become weighted; the minimum numbers of locations per band
/// and per segment still count locations, and the bootstrap still resamples locations. A location
/// with a missing or non-positive weight is left out (counted as missing).
pub fn tipping_point_weighted(
    settings: &TippingPointSettings,
    input: &TippingInput<'_>,
    weights: Option<&[f64]>,
) -> Result<TippingPointResult, TippingPointError> {
    let bands = Bands::new(&settings.bands)?;
    let n = input.corporation_share.len();
    for (what, got) in [
        ("score_a", input.score_a.len()),
        ("score_b", input.score_b.len()),
        ("weights", weights.map_or(n, <[f64]>::len)),
    ] {
        if got != n {
            return Err(TippingPointError::LengthMismatch {
                what,
                got,
                expected: n,
            });
        }
    }
    let step = settings.breakpoint_step;
    if !(step > 0.0 && step <= 0.5) {
        return Err(TippingPointError::BadStep(step));
    }
    if !(settings.confidence > 0.0 && settings.confidence < 1.0) {
        return Err(TippingPointError::BadConfidence(settings.confidence));
    }
    if settings.bootstrap_replicates > 100_000 {
        return Err(TippingPointError::TooManyReplicates(
            settings.bootstrap_replicates,
        ));
    }

    let (mut missing, mut outside) = (0u32, 0u32);
    let mut rows: Vec<(f64, f64, usize, f64)> = Vec::with_capacity(n);
    for i in 0..n {
        let (s, a, b) = (
            input.corporation_share[i],
            input.score_a[i],
            input.score_b[i],
        );
        let wt = weights.map_or(1.0, |w| w[i]);
        if !(s.is_finite() && a.is_finite() && b.is_finite() && wt.is_finite() && wt > 0.0) {
            missing += 1;
            continue;
        }
        match bands.band_of(s) {
            Some(band) => rows.push((s, b - a, band, wt)),
            None => outside += 1,
        }
    }
    rows.sort_by(|p, q| p.0.total_cmp(&q.0));
    let data = Prepared {
        x: rows.iter().map(|r| r.0).collect(),
        y: rows.iter().map(|r| r.1).collect(),
        band: rows.iter().map(|r| r.2).collect(),
        wt: rows.iter().map(|r| r.3).collect(),
    };
    let ones = vec![1.0; data.x.len()];

    let means = band_means(&bands, &data, &ones);
    let points = interpolation_points(&bands, &means, settings);
    let interp = crossing_of_points(&points);
    let line = fit_broken_line(&data.x, &data.y, &data.wt, &ones, settings);
    let line_crossing = line
        .as_ref()
        .map_or((CrossingStatus::TooFewData, None), |l| {
            crossing_of_line(l, data.x[0], data.x[data.x.len() - 1])
        });

    // Bootstrap over locations.
    let reps = settings.bootstrap_replicates;
    let (mut boot_interp, mut boot_line, mut boot_break) = (vec![], vec![], vec![]);
    if reps > 0 && !data.x.is_empty() {
        let mut rng = SplitMix64::new(u64::from(settings.seed));
        let mut w = vec![0.0; data.x.len()];
        let mut ww = vec![0.0; data.x.len()];
        for _ in 0..reps {
            w.iter_mut().for_each(|v| *v = 0.0);
            for _ in 0..data.x.len() {
                w[rng.below(data.x.len())] += 1.0;
            }
            for ((v, &c), &t) in ww.iter_mut().zip(&w).zip(&data.wt) {
                *v = c * t;
            }
            let m = band_means(&bands, &data, &w);
            if let (CrossingStatus::Crossing, Some(s)) =
                crossing_of_points(&interpolation_points(&bands, &m, settings))
            {
                boot_interp.push(s);
            }
            if let Some(l) = fit_broken_line(&data.x, &data.y, &ww, &w, settings) {
                boot_break.push(l.breakpoint);
                let (lo, hi) = weighted_range(&data.x, &w);
                if let (CrossingStatus::Crossing, Some(s)) = crossing_of_line(&l, lo, hi) {
                    boot_line.push(s);
                }
            }
        }
    }
    let interval = |v: &mut Vec<f64>| percentile_interval(v, settings.confidence);

    let used = data.x.len();
    Ok(TippingPointResult {
        locations_used: used as u32,
        locations_missing: missing,
        locations_outside_bands: outside,
        mean_change: (used > 0).then(|| {
            let sw: f64 = data.wt.iter().sum();
            data.y.iter().zip(&data.wt).map(|(y, w)| y * w).sum::<f64>() / sw
        }),
        weighted: weights.is_some(),
        bands: (0..bands.len())
            .map(|b| {
                let m = &means[b];
                BandMean {
                    band: bands.info(b),
                    locations: m.count as u32,
                    position_share: points.iter().find(|p| p.0 == b).map(|p| p.1),
                    mean_share: m.mean_x,
                    mean_change: m.mean_y,
                    sd_change: m.sd_y,
                    used: m.count >= f64::from(settings.min_locations_per_band.max(1)),
                }
            })
            .collect(),
        interpolated: Estimate {
            status: interp.0,
            share: interp.1,
            interval: interval(&mut boot_interp),
        },
        broken_line: line.map(|mut l| {
            l.breakpoint_interval = interval(&mut boot_break);
            l
        }),
        broken_line_crossing: Estimate {
            status: line_crossing.0,
            share: line_crossing.1,
            interval: interval(&mut boot_line),
        },
        bootstrap_replicates: reps,
        seed: settings.seed,
    })
}

struct Mean {
    /// Number of locations (bootstrap multiplicities included).
    count: f64,
    mean_x: Option<f64>,
    mean_y: Option<f64>,
    sd_y: Option<f64>,
}

/// Weighted band means; `mult` is the number of times each location counts (1, or its bootstrap
/// multiplicity), its weight is `mult × d.wt`.
fn band_means(bands: &Bands, d: &Prepared, mult: &[f64]) -> Vec<Mean> {
    let k = bands.len();
    let (mut sw, mut sx, mut sy) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut count = vec![0.0; k];
    for ((((&b, &x), &y), &c), &t) in d.band.iter().zip(&d.x).zip(&d.y).zip(mult).zip(&d.wt) {
        let w = c * t;
        count[b] += c;
        sw[b] += w;
        sx[b] += w * x;
        sy[b] += w * y;
    }
    let mut ss = vec![0.0; k];
    for (((&b, &y), &c), &t) in d.band.iter().zip(&d.y).zip(mult).zip(&d.wt) {
        if sw[b] > 0.0 {
            let r = y - sy[b] / sw[b];
            ss[b] += c * t * r * r;
        }
    }
    (0..k)
        .map(|b| Mean {
            count: count[b],
            mean_x: (sw[b] > 0.0).then(|| sx[b] / sw[b]),
            mean_y: (sw[b] > 0.0).then(|| sy[b] / sw[b]),
            // Weighted variance with the n / (n − 1) correction (the sample sd when unweighted).
            sd_y: (count[b] > 1.0 && sw[b] > 0.0)
                .then(|| (ss[b] / sw[b] * count[b] / (count[b] - 1.0)).sqrt()),
        })
        .collect()
}

/// `(band, position, mean change)` of the bands that take part, in band order.
fn interpolation_points(
    bands: &Bands,
    means: &[Mean],
    settings: &TippingPointSettings,
) -> Vec<(usize, f64, f64)> {
    let min = f64::from(settings.min_locations_per_band.max(1));
    means
        .iter()
        .enumerate()
        .filter(|(_, m)| m.count >= min)
        .filter_map(|(b, m)| {
            let x = match settings.band_position {
                BandPosition::MeanShare => m.mean_x?,
                BandPosition::Midpoint => bands.midpoint_share(b),
            };
            Some((b, x, m.mean_y?))
        })
        .collect()
}

/// The first downward zero crossing of the polyline through the points.
fn crossing_of_points(points: &[(usize, f64, f64)]) -> (CrossingStatus, Option<f64>) {
    if points.len() < 2 {
        return (CrossingStatus::TooFewData, None);
    }
    for pair in points.windows(2) {
        let ((_, x0, y0), (_, x1, y1)) = (pair[0], pair[1]);
        if y0 >= 0.0 && y1 < 0.0 {
            return (
                CrossingStatus::Crossing,
                Some(x0 + (x1 - x0) * y0 / (y0 - y1)),
            );
        }
    }
    if points[0].2 < 0.0 {
        (CrossingStatus::NegativeFromStart, None)
    } else {
        (CrossingStatus::NeverNegative, None)
    }
}

/// The first downward zero crossing of a fitted broken line on `[lo, hi]`.
fn crossing_of_line(l: &BrokenLineFit, lo: f64, hi: f64) -> (CrossingStatus, Option<f64>) {
    let c = l.breakpoint.clamp(lo, hi);
    let mut knots = vec![
        (lo, l.value_at(lo)),
        (c, l.value_at(c)),
        (hi, l.value_at(hi)),
    ];
    knots.dedup_by(|a, b| a.0 == b.0);
    let pts: Vec<(usize, f64, f64)> = knots.iter().map(|&(x, y)| (0, x, y)).collect();
    if pts.len() < 2 {
        return (CrossingStatus::TooFewData, None);
    }
    crossing_of_points(&pts)
}

fn weighted_range(x: &[f64], w: &[f64]) -> (f64, f64) {
    let lo = x
        .iter()
        .zip(w)
        .find(|(_, &w)| w > 0.0)
        .map_or(0.0, |p| *p.0);
    let hi = x
        .iter()
        .zip(w)
        .rev()
        .find(|(_, &w)| w > 0.0)
        .map_or(0.0, |p| *p.0);
    (lo, hi)
}

/// Least-squares broken line over `x` sorted ascending, with weights. `None` when no breakpoint
/// on the grid leaves enough locations on both sides (or every system is singular).
fn fit_broken_line(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    counts: &[f64],
    settings: &TippingPointSettings,
) -> Option<BrokenLineFit> {
    let n = x.len();
    if n == 0 {
        return None;
    }
    // Prefix sums: p[k] = Σ over the first k locations.
    let mut pw = vec![0.0; n + 1];
    let mut pc = vec![0.0; n + 1];
    let mut px = vec![0.0; n + 1];
    let mut pxx = vec![0.0; n + 1];
    let mut py = vec![0.0; n + 1];
    let mut pxy = vec![0.0; n + 1];
    let mut syy = 0.0;
    for i in 0..n {
        pw[i + 1] = pw[i] + w[i];
        pc[i + 1] = pc[i] + counts[i];
        px[i + 1] = px[i] + w[i] * x[i];
        pxx[i + 1] = pxx[i] + w[i] * x[i] * x[i];
        py[i + 1] = py[i] + w[i] * y[i];
        pxy[i + 1] = pxy[i] + w[i] * x[i] * y[i];
        syy += w[i] * y[i] * y[i];
    }
    let min_seg = f64::from(settings.min_locations_per_segment.max(2));
    let step = settings.breakpoint_step;
    let (lo, hi) = weighted_range(x, counts);
    let k_first = (lo / step).floor() as i64;
    let k_last = (hi / step).ceil() as i64;
    if k_last - k_first > 1_000_000 {
        // Shares far outside 0..1 (a percentage read as a share): no sensible grid.
        return None;
    }
    let mut best: Option<(f64, f64, [f64; 3])> = None;
    let mut split = 0usize;
    for k in k_first..=k_last {
        let c = k as f64 * step;
        while split < n && x[split] <= c {
            split += 1;
        }
        let c_left = pc[split];
        if c_left < min_seg || pc[n] - c_left < min_seg {
            continue;
        }
        let rw = pw[n] - pw[split];
        let rx = px[n] - px[split];
        let rxx = pxx[n] - pxx[split];
        let ry = py[n] - py[split];
        let rxy = pxy[n] - pxy[split];
        let sz = rx - c * rw;
        let sxz = rxx - c * rx;
        let szz = rxx - 2.0 * c * rx + c * c * rw;
        let szy = rxy - c * ry;
        let a = [[pw[n], px[n], sz], [px[n], pxx[n], sxz], [sz, sxz, szz]];
        let rhs = [py[n], pxy[n], szy];
        let Some(beta) = solve3(a, rhs) else {
            continue;
        };
        let sse = syy - (beta[0] * rhs[0] + beta[1] * rhs[1] + beta[2] * rhs[2]);
        if best.is_none_or(|b| sse < b.1) {
            best = Some((c, sse, beta));
        }
    }
    let (c, _, beta) = best?;
    let mut fit = BrokenLineFit {
        breakpoint: c,
        intercept: beta[0],
        slope_before: beta[1],
        slope_after: beta[1] + beta[2],
        sse: 0.0,
        min_share: lo,
        max_share: hi,
        breakpoint_interval: None,
    };
    // Report the residual sum of squares computed directly, not from the prefix sums.
    fit.sse = (0..n)
        .map(|i| w[i] * (y[i] - fit.value_at(x[i])).powi(2))
        .sum();
    Some(fit)
}

/// Gaussian elimination with partial pivoting; `None` for a (nearly) singular system.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    let scale = a
        .iter()
        .flat_map(|r| r.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return None;
    }
    for col in 0..3 {
        let piv = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..3 {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (v, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *v -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Percentile interval (linear interpolation between order statistics, "type 7").
fn percentile_interval(v: &mut [f64], confidence: f64) -> Option<Interval> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    Some(Interval {
        lower: quantile_sorted(v, alpha),
        upper: quantile_sorted(v, 1.0 - alpha),
        confidence,
        replicates_with_estimate: v.len() as u32,
    })
}

pub(crate) fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// SplitMix64 (Steele, Lea & Flood 2014): small, seeded, the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (multiply-shift; bias below 2⁻³² for any n used here).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn no_bootstrap() -> TippingPointSettings {
        TippingPointSettings {
            bootstrap_replicates: 0,
            min_locations_per_band: 1,
            min_locations_per_segment: 3,
            ..Default::default()
        }
    }

    #[test]
    fn interpolation_hand_computed() {
        // band 0–10: shares 0.04, 0.06, changes +0.03, +0.01 → (0.05, +0.02)
        // band 10–20: shares 0.14, 0.16, changes −0.01, −0.03 → (0.15, −0.02)
        // crossing = 0.05 + (0.15 − 0.05) × 0.02 / (0.02 + 0.02) = 0.10
        let r = tipping_point(
            &no_bootstrap(),
            &TippingInput {
                corporation_share: &[0.04, 0.06, 0.14, 0.16, f64::NAN],
                score_a: &[0.0, 0.0, 0.0, 0.0, 0.0],
                score_b: &[0.03, 0.01, -0.01, -0.03, 1.0],
            },
        )
        .unwrap();
        assert_eq!(r.interpolated.status, CrossingStatus::Crossing);
        assert!((r.interpolated.share.unwrap() - 0.10).abs() < 1e-12);
        assert_eq!(r.locations_used, 4);
        assert_eq!(r.locations_missing, 1);
        assert_eq!(r.bands[0].locations, 2);
        assert!((r.bands[1].mean_change.unwrap() + 0.02).abs() < 1e-15);
        // sd of (−0.01, −0.03) = sqrt((0.01² + 0.01²)/1) = 0.0141421…
        assert!((r.bands[1].sd_change.unwrap() - 0.02f64.sqrt() / 10.0).abs() < 1e-12);
    }

    #[test]
    fn interpolation_with_band_midpoints_and_statuses() {
        let s = TippingPointSettings {
            band_position: BandPosition::Midpoint,
            ..no_bootstrap()
        };
        // Band means +0.01 at 0.05 (midpoint of 0–10) and −0.03 at 0.25 (20–30):
        // crossing = 0.05 + 0.2 × 0.01/0.04 = 0.10
        let r = tipping_point(
            &s,
            &TippingInput {
                corporation_share: &[0.01, 0.22],
                score_a: &[1.0, 1.0],
                score_b: &[1.01, 0.97],
            },
        )
        .unwrap();
        assert!((r.interpolated.share.unwrap() - 0.10).abs() < 1e-12);
        let r = tipping_point(
            &s,
            &TippingInput {
                corporation_share: &[0.01, 0.22],
                score_a: &[1.0, 1.0],
                score_b: &[0.9, 0.97],
            },
        )
        .unwrap();
        assert_eq!(r.interpolated.status, CrossingStatus::NegativeFromStart);
        let r = tipping_point(
            &s,
            &TippingInput {
                corporation_share: &[0.01],
                score_a: &[1.0],
                score_b: &[0.9],
            },
        )
        .unwrap();
        assert_eq!(r.interpolated.status, CrossingStatus::TooFewData);
        assert!(r.broken_line.is_none());
    }

    /// y = 0.1 − 0.05·x − 0.45·(x − 0.4)₊ at x = 0.00, 0.01, …, 1.00, no noise.
    /// At the kink f(0.4) = 0.1 − 0.02 = 0.08; after it the slope is −0.5, so
    /// f(x) = 0 at x = 0.4 + 0.08/0.5 = 0.56 (hand-computed).
    fn exact_kink() -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..=100).map(|i| f64::from(i) / 100.0).collect();
        let y = x
            .iter()
            .map(|&x| 0.1 - 0.05 * x - 0.45 * (x - 0.4f64).max(0.0))
            .collect();
        (x, y)
    }

    #[test]
    fn broken_line_recovers_an_exact_kink() {
        let (x, y) = exact_kink();
        let zeros = vec![0.0; x.len()];
        let r = tipping_point(
            &no_bootstrap(),
            &TippingInput {
                corporation_share: &x,
                score_a: &zeros,
                score_b: &y,
            },
        )
        .unwrap();
        let l = r.broken_line.unwrap();
        assert!((l.breakpoint - 0.4).abs() < 1e-9, "{}", l.breakpoint);
        assert!((l.intercept - 0.1).abs() < 1e-9);
        assert!((l.slope_before + 0.05).abs() < 1e-9);
        assert!((l.slope_after + 0.5).abs() < 1e-9);
        assert!(l.sse < 1e-20);
        assert_eq!(r.broken_line_crossing.status, CrossingStatus::Crossing);
        assert!((r.broken_line_crossing.share.unwrap() - 0.56).abs() < 1e-9);
    }

    /// Independent second implementation: for each breakpoint, least squares by modified
    /// Gram–Schmidt QR on the n × 3 design matrix, SSE = |residual|².
    fn sse_qr(x: &[f64], y: &[f64], c: f64) -> Option<f64> {
        let cols: Vec<Vec<f64>> = vec![
            vec![1.0; x.len()],
            x.to_vec(),
            x.iter().map(|&v| (v - c).max(0.0)).collect(),
        ];
        let mut q: Vec<Vec<f64>> = vec![];
        for col in cols {
            let mut v = col;
            for qk in &q {
                let d: f64 = v.iter().zip(qk).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(qk).for_each(|(a, b)| *a -= d * b);
            }
            let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm < 1e-9 {
                return None;
            }
            q.push(v.iter().map(|a| a / norm).collect());
        }
        let mut r = y.to_vec();
        for qk in &q {
            let d: f64 = r.iter().zip(qk).map(|(a, b)| a * b).sum();
            r.iter_mut().zip(qk).for_each(|(a, b)| *a -= d * b);
        }
        Some(r.iter().map(|a| a * a).sum())
    }

    fn noisy_kink(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = SplitMix64::new(seed);
        let mut unif = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let x: Vec<f64> = (0..n).map(|_| unif()).collect();
        let y = x
            .iter()
            .map(|&x| 0.05 - 0.02 * x - 0.4 * (x - 0.45f64).max(0.0) + 0.03 * (unif() - 0.5))
            .collect();
        (x, y)
    }

    #[test]
    fn broken_line_matches_brute_force_sse_on_the_same_and_a_finer_grid() {
        for seed in 1..6 {
            let (x, y) = noisy_kink(seed, 300);
            let zeros = vec![0.0; x.len()];
            let s = no_bootstrap();
            let r = tipping_point(
                &s,
                &TippingInput {
                    corporation_share: &x,
                    score_a: &zeros,
                    score_b: &y,
                },
            )
            .unwrap();
            let l = r.broken_line.unwrap();
            let brute = |step: f64| {
                let mut best = (f64::NAN, f64::INFINITY);
                for k in 0..=(1.0 / step).round() as i64 {
                    let c = k as f64 * step;
                    let left = x.iter().filter(|&&v| v <= c).count();
                    if left < 3 || x.len() - left < 3 {
                        continue;
                    }
                    if let Some(sse) = sse_qr(&x, &y, c) {
                        if sse < best.1 {
                            best = (c, sse);
                        }
                    }
                }
                best
            };
            let same = brute(s.breakpoint_step);
            assert!(
                (l.sse - same.1).abs() <= 1e-10 * same.1.max(1e-12),
                "seed {seed}: {} vs {}",
                l.sse,
                same.1
            );
            assert!((l.breakpoint - same.0).abs() < 1e-12);
            let fine = brute(0.0005);
            assert!(fine.1 <= l.sse * (1.0 + 1e-9));
            assert!((fine.0 - l.breakpoint).abs() <= 0.02, "seed {seed}");
            // the true kink is at 0.45
            assert!((l.breakpoint - 0.45).abs() < 0.05);
        }
    }

    #[test]
    fn bootstrap_is_seeded_and_covers_the_estimate() {
        let (x, y) = noisy_kink(7, 400);
        let zeros = vec![0.0; x.len()];
        let s = TippingPointSettings {
            bootstrap_replicates: 200,
            seed: 42,
            ..Default::default()
        };
        let input = TippingInput {
            corporation_share: &x,
            score_a: &zeros,
            score_b: &y,
        };
        let r1 = tipping_point(&s, &input).unwrap();
        let r2 = tipping_point(&s, &input).unwrap();
        assert_eq!(r1, r2);
        let iv = r1.broken_line_crossing.interval.clone().unwrap();
        let est = r1.broken_line_crossing.share.unwrap();
        assert!(iv.lower <= est && est <= iv.upper, "{iv:?} {est}");
        assert!(iv.upper - iv.lower < 0.2);
        let iv = r1.interpolated.interval.clone().unwrap();
        assert!(iv.lower <= r1.interpolated.share.unwrap());
        assert!(r1.interpolated.share.unwrap() <= iv.upper);
        let r3 = tipping_point(&TippingPointSettings { seed: 43, ..s }, &input).unwrap();
        assert_ne!(
            r1.broken_line_crossing.interval,
            r3.broken_line_crossing.interval
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let input = TippingInput {
            corporation_share: &[0.1],
            score_a: &[0.0],
            score_b: &[0.0, 1.0],
        };
        assert!(matches!(
            tipping_point(&TippingPointSettings::default(), &input),
            Err(TippingPointError::LengthMismatch {
                what: "score_b",
                ..
            })
        ));
        let ok = TippingInput {
            corporation_share: &[0.1],
            score_a: &[0.0],
            score_b: &[0.0],
        };
        let s = TippingPointSettings {
            breakpoint_step: 0.0,
            ..Default::default()
        };
        assert_eq!(tipping_point(&s, &ok), Err(TippingPointError::BadStep(0.0)));
        let s = TippingPointSettings {
            confidence: 1.0,
            ..Default::default()
        };
        assert_eq!(
            tipping_point(&s, &ok),
            Err(TippingPointError::BadConfidence(1.0))
        );
    }

    #[test]
    fn weights_hand_computed_and_as_repetition() {
        // Band 0–10: changes +0.03 (weight 1) and −0.01 (weight 3) → (0.03 − 0.03)/4 = 0.0;
        // band 10–20: −0.02 (weight 2) → −0.02. Shares 0.02, 0.08 → weighted mean share
        // (0.02 + 0.24)/4 = 0.065; crossing at 0.065 exactly (the mean there is 0).
        let input = TippingInput {
            corporation_share: &[0.02, 0.08, 0.15, 0.5],
            score_a: &[0.0; 4],
            score_b: &[0.03, -0.01, -0.02, 1.0],
        };
        let r =
            tipping_point_weighted(&no_bootstrap(), &input, Some(&[1.0, 3.0, 2.0, 0.0])).unwrap();
        assert!(r.weighted);
        assert_eq!(r.locations_missing, 1); // weight 0
        assert_eq!(r.bands[0].locations, 2);
        assert!(r.bands[0].mean_change.unwrap().abs() < 1e-15);
        assert!((r.interpolated.share.unwrap() - 0.065).abs() < 1e-12);

        // Second implementation: integer weights = repeating the location that many times.
        let (x, y) = noisy_kink(11, 120);
        let wts: Vec<f64> = (0..x.len())
            .map(|i| f64::from(1 + (i % 3) as u32))
            .collect();
        let (mut xr, mut yr) = (vec![], vec![]);
        for i in 0..x.len() {
            for _ in 0..wts[i] as usize {
                xr.push(x[i]);
                yr.push(y[i]);
            }
        }
        let s = TippingPointSettings {
            min_locations_per_segment: 1,
            ..no_bootstrap()
        };
        let zeros = vec![0.0; x.len()];
        let w = tipping_point_weighted(
            &s,
            &TippingInput {
                corporation_share: &x,
                score_a: &zeros,
                score_b: &y,
            },
            Some(&wts),
        )
        .unwrap();
        let zr = vec![0.0; xr.len()];
        let rep = tipping_point(
            &s,
            &TippingInput {
                corporation_share: &xr,
                score_a: &zr,
                score_b: &yr,
            },
        )
        .unwrap();
        let (lw, lr) = (w.broken_line.unwrap(), rep.broken_line.unwrap());
        assert!((lw.sse - lr.sse).abs() < 1e-9 * lr.sse);
        assert_eq!(lw.breakpoint, lr.breakpoint);
        for (a, b) in w.bands.iter().zip(&rep.bands) {
            if let (Some(p), Some(q)) = (a.mean_change, b.mean_change) {
                assert!((p - q).abs() < 1e-12);
            }
        }
        assert!((w.mean_change.unwrap() - rep.mean_change.unwrap()).abs() < 1e-12);
    }

    #[test]
    fn percentages_by_mistake_do_not_hang() {
        // Shares 0..100 instead of 0..1 with a step of 1e-6: 10⁸ grid points are refused.
        let x: Vec<f64> = (0..50).map(f64::from).map(|v| v * 2.0).collect();
        let zeros = vec![0.0; x.len()];
        let s = TippingPointSettings {
            breakpoint_step: 1e-6,
            ..no_bootstrap()
        };
        let input = TippingInput {
            corporation_share: &x,
            score_a: &zeros,
            score_b: &x,
        };
        let r = tipping_point(&s, &input).unwrap();
        assert!(r.broken_line.is_none());
        assert_eq!(r.broken_line_crossing.status, CrossingStatus::TooFewData);
    }

    #[test]
    fn quantile_type_7() {
        // R: quantile(c(1,2,3,4), 0.25) = 1.75
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile_sorted(&[5.0], 0.9), 5.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The broken line never fits worse than one straight line (β2 = 0 is allowed), computed
        /// here by the textbook simple-regression formula.
        #[test]
        fn broken_line_beats_one_line(pts in proptest::collection::vec((0.0f64..1.0, -1.0f64..1.0), 30..120)) {
            let x: Vec<f64> = pts.iter().map(|p| p.0).collect();
            let y: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let zeros = vec![0.0; x.len()];
            let r = tipping_point(&no_bootstrap(), &TippingInput { corporation_share: &x, score_a: &zeros, score_b: &y }).unwrap();
            let n = x.len() as f64;
            let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
            let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
            let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
            let slope = sxy / sxx;
            let sse1: f64 = x.iter().zip(&y).map(|(a, b)| (b - my - slope * (a - mx)).powi(2)).sum();
            if let Some(l) = r.broken_line {
                prop_assert!(l.sse <= sse1 * (1.0 + 1e-9) + 1e-12);
            }
        }

        /// Second implementation of the interpolated estimate: band means by explicit interval
        /// filters, then the first ≥ 0 → < 0 step of the polyline through (mean share, mean).
        #[test]
        fn interpolation_matches_naive(pts in proptest::collection::vec((0.0f64..1.0, -1.0f64..1.0), 5..120)) {
            let x: Vec<f64> = pts.iter().map(|p| p.0).collect();
            let y: Vec<f64> = pts.iter().map(|p| p.1 - 0.8 * p.0).collect();
            let zeros = vec![0.0; x.len()];
            let s = TippingPointSettings { bootstrap_replicates: 0, min_locations_per_band: 3, ..Default::default() };
            let r = tipping_point(&s, &TippingInput { corporation_share: &x, score_a: &zeros, score_b: &y }).unwrap();
            let mut line = vec![];
            for b in 0..9u32 {
                let lo = f64::from(b * 10) / 100.0;
                let hi = if b == 8 { f64::INFINITY } else { f64::from((b + 1) * 10) / 100.0 };
                let idx: Vec<usize> = (0..x.len()).filter(|&i| x[i] >= lo && x[i] < hi).collect();
                if idx.len() >= 3 {
                    let n = idx.len() as f64;
                    line.push((idx.iter().map(|&i| x[i]).sum::<f64>() / n, idx.iter().map(|&i| y[i]).sum::<f64>() / n));
                }
            }
            let naive = line.windows(2).find(|w| w[0].1 >= 0.0 && w[1].1 < 0.0)
                .map(|w| w[0].0 + (w[1].0 - w[0].0) * w[0].1 / (w[0].1 - w[1].1));
            match (r.interpolated.share, naive) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        /// The order of the locations does not matter.
        #[test]
        fn order_does_not_matter(pts in proptest::collection::vec((0.0f64..1.0, -1.0f64..1.0), 20..80), rot in 0usize..80) {
            let x: Vec<f64> = pts.iter().map(|p| p.0).collect();
            let y: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let zeros = vec![0.0; x.len()];
            let s = TippingPointSettings { bootstrap_replicates: 0, ..Default::default() };
            let r1 = tipping_point(&s, &TippingInput { corporation_share: &x, score_a: &zeros, score_b: &y }).unwrap();
            let k = rot % x.len();
            let (mut x2, mut y2) = (x.clone(), y.clone());
            x2.rotate_left(k);
            y2.rotate_left(k);
            let r2 = tipping_point(&s, &TippingInput { corporation_share: &x2, score_a: &zeros, score_b: &y2 }).unwrap();
            prop_assert_eq!(r1.interpolated.status, r2.interpolated.status);
            if let (Some(a), Some(b)) = (r1.interpolated.share, r2.interpolated.share) {
                prop_assert!((a - b).abs() < 1e-9);
            }
            prop_assert_eq!(r1.broken_line.is_some(), r2.broken_line.is_some());
        }
    }
}
