//! The spatial index the buffer sums walk: points sorted into horizontal strips (rows) of height
//! `strip_m`, and by x within each strip, stored as structure-of-arrays `f32` coordinates.
//!
//! Because a strip's points are sorted by x, the candidates of a query point in one strip are a
//! single contiguous range of the sorted arrays (found with two pointers that only move forward
//! while the query points of a strip are visited in x order). The strip height is a fraction of
//! the radius (`R / k`), so the candidate region is a stack of `2m + 1` narrow strips hugging the
//! circle instead of a 3 × 3 block of R-sized cells. Each strip starts on a block of [`LANES`]
//! slots and is padded with NaN to a whole number of blocks, so a kernel can work in whole blocks
//! without masking strip edges.
//!
//! Coordinates are stored in `f32` for 4-lane SIMD: x relative to the centre of the data's x
//! extent, y relative to the origin of the point's own strip. [`QueryPlan`] bounds the rounding
//! error of a squared distance computed from these, so a kernel can decide `d² ≤ R²` exactly:
//! outside the band the `f32` answer is certain; inside it (rare) the caller re-checks in `f64`
//! with the original coordinates, exactly as a brute force would.

use thiserror::Error;

/// Lanes of the SIMD kernels: each strip of the sorted arrays is padded to a multiple of this,
/// and two more blocks follow the last strip.
pub const LANES: usize = 4;

#[derive(Debug, Error, PartialEq)]
pub enum GridIndexError {
    #[error("location {row} has coordinates ({x_rd}, {y_rd}): they must be finite numbers")]
    NonFiniteCoordinate { row: usize, x_rd: f64, y_rd: f64 },
    #[error("x_rd has {x} values but y_rd has {y}")]
    Ragged { x: usize, y: usize },
    #[error("invalid strip height {strip_m} m: must be finite and > 0")]
    BadStrip { strip_m: f64 },
    #[error("too many locations ({n}): at most {max}")]
    TooMany { n: usize, max: usize },
}

/// Points sorted by (strip, x). Positions in the sorted order are "slots"; `order[slot]` is the
/// input row.
#[derive(Debug, Clone)]
pub struct GridIndex {
    strip_m: f64,
    y0: f64,
    x_centre: f64,
    /// Largest |x − x_centre| over the points (for the error bound).
    x_maxabs: f64,
    y_extent: f64,
    /// Strip `r` occupies the slots `row_start[r]..row_start[r + 1]`; each start is a multiple
    /// of [`LANES`], so a block of `LANES` slots never spans two strips. The points of strip `r`
    /// are `row_start[r]..row_end[r]`; the rest of its slots are padding (x, y NaN).
    row_start: Vec<u32>,
    row_end: Vec<u32>,
    /// Number of indexed points.
    n: usize,
    /// Input row of each slot; `u32::MAX` for padding.
    order: Vec<u32>,
    xf: Vec<f32>,
    yf: Vec<f32>,
}

impl GridIndex {
    /// Indexes the points `(x_rd[i], y_rd[i])` for which `keep` is true (all when `None`), in
    /// strips of height `strip_m` (raised when needed so there are never many more strips than
    /// points).
    pub fn build(
        x_rd: &[f64],
        y_rd: &[f64],
        keep: Option<&[bool]>,
        strip_m: f64,
    ) -> Result<Self, GridIndexError> {
        if x_rd.len() != y_rd.len() {
            return Err(GridIndexError::Ragged {
                x: x_rd.len(),
                y: y_rd.len(),
            });
        }
        if !(strip_m.is_finite() && strip_m > 0.0) {
            return Err(GridIndexError::BadStrip { strip_m });
        }
        // Padding can make up to LANES slots per point.
        let max = (u32::MAX as usize - 2 * LANES) / LANES;
        if x_rd.len() > max {
            return Err(GridIndexError::TooMany { n: x_rd.len(), max });
        }
        let kept = |i: usize| keep.is_none_or(|k| k[i]);
        let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        let mut n = 0usize;
        for i in 0..x_rd.len() {
            if !kept(i) {
                continue;
            }
            let (x, y) = (x_rd[i], y_rd[i]);
            if !(x.is_finite() && y.is_finite()) {
                return Err(GridIndexError::NonFiniteCoordinate {
                    row: i,
                    x_rd: x,
                    y_rd: y,
                });
            }
            xmin = xmin.min(x);
            xmax = xmax.max(x);
            ymin = ymin.min(y);
            ymax = ymax.max(y);
            n += 1;
        }
        if n == 0 {
            return Ok(Self {
                strip_m,
                y0: 0.0,
                x_centre: 0.0,
                x_maxabs: 0.0,
                y_extent: 0.0,
                row_start: vec![0],
                row_end: Vec::new(),
                n: 0,
                order: vec![u32::MAX; 2 * LANES],
                xf: vec![f32::NAN; 2 * LANES],
                yf: vec![f32::NAN; 2 * LANES],
            });
        }
        // Never many more strips (or sort columns) than points.
        let cap = (2 * n + 16) as f64;
        let strip_m = strip_m.max((ymax - ymin) / cap);
        let col_m = strip_m.max((xmax - xmin) / cap);
        let n_rows = ((ymax - ymin) / strip_m) as usize + 1;
        let n_cols = ((xmax - xmin) / col_m) as usize + 1;
        let row_of = |y: f64| (((y - ymin) / strip_m) as usize).min(n_rows - 1);
        let col_of = |x: f64| (((x - xmin) / col_m) as usize).min(n_cols - 1);

        // Pass 1 (sequential over the input): counts per column and per row. Pass 2: each point,
        // with its row and f32 coordinates, goes to its column's place (counting sort). Pass 3:
        // stable counting sort of those by row into the final arrays. The input is only read in
        // order; the scattered writes are cheap. Then within a strip the points are sorted by
        // column, so an insertion sort by x only moves points within one cell.
        let x_centre = 0.5 * (xmin + xmax);
        let mut col_start = vec![0u32; n_cols + 1];
        let mut row_end = vec![0u32; n_rows];
        for i in (0..x_rd.len()).filter(|&i| kept(i)) {
            col_start[col_of(x_rd[i]) + 1] += 1;
            row_end[row_of(y_rd[i])] += 1;
        }
        for c in 0..n_cols {
            col_start[c + 1] += col_start[c];
        }
        // Each strip starts on a block boundary: its slots are its points, then padding up to a
        // multiple of LANES.
        let mut row_start = vec![0u32; n_rows + 1];
        for r in 0..n_rows {
            let count = row_end[r];
            row_end[r] = row_start[r] + count;
            row_start[r + 1] = row_start[r] + count.next_multiple_of(LANES as u32);
        }
        let padded = row_start[n_rows] as usize + 2 * LANES;
        #[derive(Clone, Copy, Default)]
        struct Entry {
            input: u32,
            row: u32,
            xf: f32,
            yf: f32,
        }
        let mut by_col = vec![Entry::default(); n];
        for i in (0..x_rd.len()).filter(|&i| kept(i)) {
            let (x, y) = (x_rd[i], y_rd[i]);
            let c = col_of(x);
            let r = row_of(y);
            by_col[col_start[c] as usize] = Entry {
                input: i as u32,
                row: r as u32,
                xf: (x - x_centre) as f32,
                yf: (y - (ymin + r as f64 * strip_m)) as f32,
            };
            col_start[c] += 1;
        }
        drop(col_start);
        let mut order = vec![u32::MAX; padded];
        let mut xf = vec![f32::NAN; padded];
        let mut yf = vec![f32::NAN; padded];
        {
            let mut next = row_start.clone();
            for e in &by_col {
                let s = next[e.row as usize] as usize;
                order[s] = e.input;
                xf[s] = e.xf;
                yf[s] = e.yf;
                next[e.row as usize] += 1;
            }
        }
        drop(by_col);
        for r in 0..n_rows {
            let (a, b) = (row_start[r] as usize, row_end[r] as usize);
            for t in a + 1..b {
                let (o, x, y) = (order[t], xf[t], yf[t]);
                let mut u = t;
                while u > a && xf[u - 1] > x {
                    order[u] = order[u - 1];
                    xf[u] = xf[u - 1];
                    yf[u] = yf[u - 1];
                    u -= 1;
                }
                order[u] = o;
                xf[u] = x;
                yf[u] = y;
            }
        }
        Ok(Self {
            strip_m,
            y0: ymin,
            x_centre,
            x_maxabs: (xmax - x_centre).max(x_centre - xmin),
            y_extent: ymax.abs().max(ymin.abs()),
            row_start,
            row_end,
            n,
            order,
            xf,
            yf,
        })
    }

    /// Number of indexed points.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of slots (points and padding), a multiple of [`LANES`] plus two blocks: the
    /// length of [`Self::xf`], [`Self::yf`], [`Self::order`] and of any array in slot order.
    pub fn slots_len(&self) -> usize {
        self.xf.len()
    }

    pub fn strip_m(&self) -> f64 {
        self.strip_m
    }

    pub fn n_rows(&self) -> usize {
        self.row_start.len() - 1
    }

    /// Slots of the points of strip `r` (sorted by x).
    pub fn row_slots(&self, r: usize) -> std::ops::Range<usize> {
        self.row_start[r] as usize..self.row_end[r] as usize
    }

    /// Blocks of [`LANES`] slots of strip `r`: `start..end` covers its points and its padding
    /// (slots `LANES * start..LANES * end`).
    pub fn row_blocks(&self, r: usize) -> std::ops::Range<usize> {
        self.row_start[r] as usize / LANES..self.row_start[r + 1] as usize / LANES
    }

    /// Input row of each slot (`u32::MAX` for padding).
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// x − x_centre per slot; NaN for padding (each strip is padded to a multiple of [`LANES`],
    /// and two more blocks follow the last strip).
    pub fn xf(&self) -> &[f32] {
        &self.xf
    }

    /// y − (origin of the slot's strip) per slot, padded like [`Self::xf`].
    pub fn yf(&self) -> &[f32] {
        &self.yf
    }

    /// The strip a y coordinate falls in, or `None` outside the indexed strips.
    pub fn row_of_y(&self, y_rd: f64) -> Option<usize> {
        let r = ((y_rd - self.y0) / self.strip_m).floor();
        (r >= 0.0 && (r as usize) < self.n_rows()).then_some(r as usize)
    }

    /// The f64 origin (lower edge) of strip `r`.
    pub fn row_origin(&self, r: usize) -> f64 {
        self.y0 + r as f64 * self.strip_m
    }

    /// x of an arbitrary point in the stored frame.
    pub fn x_to_frame(&self, x_rd: f64) -> f32 {
        (x_rd - self.x_centre) as f32
    }

    /// How to query this index with radius `radius_m`, the query points of each strip taken in
    /// `subbands` passes by their y within the strip (see [`QueryPlan`]).
    pub fn plan(&self, radius_m: f64, subbands: usize) -> QueryPlan {
        let s = self.strip_m;
        let subbands = subbands.max(1);
        // Row assignment and strip origins are exact to a few f64 ulps of the coordinates.
        let tol_y = 1e-13 * (self.y_extent + s) + 1e-12;
        let m = (1.0 + (radius_m + tol_y) / s).floor() as usize;
        let r2 = radius_m * radius_m;
        // f32 rounding of stored coordinates: half an ulp of the largest magnitude, doubled.
        let ulp32 = f64::from(f32::EPSILON);
        let ex = (self.x_maxabs + 1.0) * ulp32;
        let ey = (m as f64 + 2.0) * s * ulp32 * 2.0;
        let d = radius_m + 2.0 * s + 1.0;
        let edx = 2.0 * ex + d * ulp32;
        let edy = 2.0 * ey + d * ulp32;
        let err = 2.0 * d * (edx + edy) + edx * edx + edy * edy + 4.0 * d * d * ulp32;
        let delta = 2.0 * err + 1e-9 * d * d;
        let tol_x = 8.0 * ex + 1e-5 * (radius_m + 1.0);
        // Every y below (query's and candidate's, relative to the query strip's origin) is
        // widened by this: row assignment, strip origins and the f32 rounding of stored y.
        let tol_dy = tol_y + 2.0 * ey + 1e-6 * s;
        let band_m = s / subbands as f64;
        let width = 2 * m + 1;
        let mut half_width = vec![-1.0f32; subbands * width];
        let mut core_half_width = vec![-1.0f32; subbands * width];
        for k in 0..subbands {
            // The query's y lies in [qa, qb], a candidate's in strip o in [ca, cb].
            let qa = k as f64 * band_m - tol_dy;
            let qb = (k + 1) as f64 * band_m + tol_dy;
            for (i, o) in (-(m as i64)..=m as i64).enumerate() {
                let ca = o as f64 * s - tol_dy;
                let cb = (o + 1) as f64 * s + tol_dy;
                let dy_min = (ca - qb).max(qa - cb).max(0.0);
                let dy_max = (cb - qa).max(qb - ca);
                if dy_min <= radius_m {
                    half_width[k * width + i] =
                        ((r2 - dy_min * dy_min).max(0.0).sqrt() + tol_x) as f32;
                }
                // Core: |dx| <= sqrt(R² - dy_max²) is certainly within R.
                if dy_max < radius_m {
                    let c = (r2 - dy_max * dy_max).sqrt() - 2.0 * tol_x;
                    if c >= 0.0 {
                        core_half_width[k * width + i] = c as f32;
                    }
                }
            }
        }
        QueryPlan {
            m,
            subbands,
            band_m,
            per_band_m: (1.0 / band_m) as f32,
            half_width,
            core_half_width,
            r2_lo: f32_down(r2 - delta),
            r2_hi: f32_up(r2 + delta),
            r2,
        }
    }
}

/// What a query over an index needs for one radius.
///
/// The query points of a strip are visited in `subbands` passes: pass `k` takes those whose y
/// (relative to the strip's origin) lies in the `k`-th of `subbands` equal bands. Knowing the
/// query's y to within a band narrows, for each neighbouring strip, both the x window that can
/// hold points within R and the core of the window where every point is certainly within R.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    /// Strips −m..=m around the query's strip are visited.
    pub m: usize,
    pub subbands: usize,
    /// Height of a query band: strip height / subbands.
    pub band_m: f64,
    /// 1 / band_m.
    pub per_band_m: f32,
    /// Half-width of the x window (f32 rounding of the stored x included), per band `k` and
    /// strip offset `o`: index `k * (2m + 1) + o + m`. Negative: no point of that strip can be
    /// within R.
    pub half_width: Vec<f32>,
    /// Half-width of the x window within which every point is certainly within R of the query
    /// (rounding tolerance already taken off), indexed like `half_width`; negative: no core.
    pub core_half_width: Vec<f32>,
    /// `d2_f32 <= r2_lo` ⇒ certainly within R; `d2_f32 > r2_hi` ⇒ certainly not.
    pub r2_lo: f32,
    pub r2_hi: f32,
    /// R² in f64, for the exact re-check.
    pub r2: f64,
}

impl QueryPlan {
    /// The band of a query point with stored y `yf` (relative to its strip's origin).
    #[inline]
    pub fn band_of(&self, yf: f32) -> usize {
        // Truncation maps NaN and negatives to 0; the bands' bounds carry the tolerance.
        // (An f32 product is off by far less than the bands' tolerance.)
        ((yf * self.per_band_m) as usize).min(self.subbands - 1)
    }
}

/// Largest f32 ≤ v.
fn f32_down(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) > v {
        step_f32(f, -1.0)
    } else {
        f
    }
}

/// Smallest f32 ≥ v.
fn f32_up(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) < v {
        step_f32(f, 1.0)
    } else {
        f
    }
}

/// The neighbouring f32 of a finite non-zero `f` in direction `dir` (`f32::next_up` needs a newer
/// Rust than our MSRV).
fn step_f32(f: f32, dir: f32) -> f32 {
    if f == 0.0 {
        return dir * f32::from_bits(1);
    }
    let bits = f.to_bits();
    let away = (f > 0.0) == (dir > 0.0);
    f32::from_bits(if away { bits + 1 } else { bits - 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn sorts_by_strip_then_x_and_keeps_every_point_once() {
        let mut seed = 7;
        let n = 5000;
        let x: Vec<f64> = (0..n).map(|_| 90_000.0 + 3000.0 * lcg(&mut seed)).collect();
        let y: Vec<f64> = (0..n)
            .map(|_| 440_000.0 + 2000.0 * lcg(&mut seed))
            .collect();
        let keep: Vec<bool> = (0..n).map(|i| i % 7 != 3).collect();
        let idx = GridIndex::build(&x, &y, Some(&keep), 66.7).unwrap();
        let mut seen = vec![false; n];
        for r in 0..idx.n_rows() {
            let slots = idx.row_slots(r);
            for s in slots.clone() {
                let i = idx.order()[s] as usize;
                assert!(keep[i] && !seen[i]);
                seen[i] = true;
                assert_eq!(idx.row_of_y(y[i]), Some(r));
                if s > slots.start {
                    // Sorted by the stored f32 x (ties in f32 may differ in f64 by < 1 mm).
                    assert!(idx.xf()[s - 1] <= idx.xf()[s]);
                    assert!(x[idx.order()[s - 1] as usize] <= x[i] + 1e-3);
                }
                assert!((f64::from(idx.yf()[s]) - (y[i] - idx.row_origin(r))).abs() < 1e-3);
            }
        }
        assert_eq!(
            seen.iter().filter(|&&b| b).count(),
            keep.iter().filter(|&&b| b).count()
        );
        assert_eq!(idx.xf().len() % LANES, 0);
    }

    #[test]
    fn plan_visits_enough_strips() {
        let strip = 200.0 / 3.0 * (1.0 + 1e-6);
        let idx = GridIndex::build(&[0.0, 1000.0], &[0.0, 1000.0], None, strip).unwrap();
        let plan = idx.plan(200.0, 1);
        assert_eq!(plan.m, 3);
        assert_eq!(plan.half_width.len(), 7);
        assert_eq!(idx.plan(200.0, 4).half_width.len(), 28);
        assert!(plan.r2_lo < 40_000.0 && plan.r2_hi > 40_000.0);
        // Exactly R/k strips would need one more; the planner is conservative either way.
        assert!(
            GridIndex::build(&[0.0], &[0.0], None, 100.0)
                .unwrap()
                .plan(200.0, 1)
                .m
                >= 2
        );
    }

    #[test]
    fn band_windows_hold_every_neighbour_and_cores_only_neighbours() {
        // Random pairs near one another, checked against the plan of the query's band: a pair
        // within R must lie inside the x window, a pair inside the core must be within R.
        let mut seed = 5;
        let n = 4000;
        let x: Vec<f64> = (0..n).map(|_| 150_000.0 + 900.0 * lcg(&mut seed)).collect();
        let y: Vec<f64> = (0..n).map(|_| 420_000.0 + 900.0 * lcg(&mut seed)).collect();
        let (mut inside, mut in_core) = (0, 0);
        for (strip, bands, r) in [(66.7, 4, 200.0), (50.0, 3, 120.0), (200.0, 1, 150.0)] {
            let idx = GridIndex::build(&x, &y, None, strip).unwrap();
            let plan = idx.plan(r, bands);
            let width = 2 * plan.m + 1;
            let slot_of = |i: usize| idx.order().iter().position(|&o| o as usize == i).unwrap();
            for i in (0..n).step_by(37) {
                let (si, ri) = (slot_of(i), idx.row_of_y(y[i]).unwrap());
                let band = plan.band_of(idx.yf()[si]);
                for j in 0..n {
                    let rj = idx.row_of_y(y[j]).unwrap();
                    let o = rj as i64 - ri as i64;
                    let (dx, dy) = (x[i] - x[j], y[i] - y[j]);
                    let within = dx * dx + dy * dy <= r * r;
                    let dxf = (idx.xf()[slot_of(j)] - idx.xf()[si]).abs();
                    if o.unsigned_abs() as usize > plan.m {
                        assert!(!within);
                        continue;
                    }
                    let k = band * width + (o + plan.m as i64) as usize;
                    if within {
                        inside += 1;
                        assert!(dxf <= plan.half_width[k], "{i} {j} window");
                    }
                    if dxf <= plan.core_half_width[k] {
                        in_core += 1;
                        assert!(within, "{i} {j} core");
                    }
                }
            }
        }
        assert!(inside > 1000 && in_core > 500, "{inside} {in_core}");
    }

    #[test]
    fn strips_start_on_block_boundaries_with_nan_padding() {
        let mut seed = 9;
        let x: Vec<f64> = (0..999).map(|_| 1000.0 * lcg(&mut seed)).collect();
        let y: Vec<f64> = (0..999).map(|_| 1000.0 * lcg(&mut seed)).collect();
        let idx = GridIndex::build(&x, &y, None, 30.0).unwrap();
        assert_eq!(idx.len(), 999);
        assert_eq!(idx.slots_len(), idx.order().len());
        let mut points = 0;
        for r in 0..idx.n_rows() {
            let (slots, blocks) = (idx.row_slots(r), idx.row_blocks(r));
            assert_eq!(slots.start, blocks.start * LANES);
            assert!(slots.end <= blocks.end * LANES && blocks.end * LANES < slots.end + LANES);
            for s in slots.end..blocks.end * LANES {
                assert!(idx.xf()[s].is_nan() && idx.yf()[s].is_nan());
                assert_eq!(idx.order()[s], u32::MAX);
            }
            points += slots.len();
        }
        assert_eq!(points, 999);
    }

    #[test]
    fn rounding_helpers_bracket_the_value() {
        for v in [40_000.0 - 1e-3, 40_000.0 + 1e-3, 1e-30, -5.5e-3, 0.1] {
            assert!(
                f64::from(f32_down(v)) <= v && f64::from(f32_up(v)) >= v,
                "{v}"
            );
            assert!(f32_up(v) > f32_down(v));
        }
        assert_eq!(f32_down(0.0), 0.0);
    }

    #[test]
    fn empty_and_bad_input() {
        let idx = GridIndex::build(&[], &[], None, 50.0).unwrap();
        assert!(idx.is_empty());
        assert_eq!(idx.n_rows(), 0);
        let e = GridIndex::build(&[1.0, f64::NAN], &[1.0, 2.0], None, 50.0).unwrap_err();
        assert!(e.to_string().contains("location 1"), "{e}");
        assert!(GridIndex::build(&[1.0], &[1.0], None, 0.0).is_err());
    }
}
