//! Buffer sums: for every location, the sum of each chosen column over all locations within the
//! radius R (`dx² + dy² <= R²` in f64, inclusive, the location itself included), all columns in
//! one pass over the neighbours.
//!
//! The result equals the O(N²) brute force [`brute_force_sums`] exactly whenever the column values
//! are integers (the usual counts): each candidate pair is decided exactly (see
//! [`crate::analysis::grid_index`]) and integer sums do not depend on the order of addition.
//!
//! Speed: the index sorts points into strips of height R/3 and by x within a strip, each strip
//! starting on a block of 4 slots. The query points of a strip are visited in x order (in
//! [`QUERY_BANDS`] passes by their y within the strip), so the candidates in each neighbouring
//! strip are one contiguous block range found by forward-only pointers. The middle of that range, where every point is certainly within R, is
//! summed from prefix sums; the blocks on either side go through a branch-free 4-lane SIMD loop
//! over structure-of-arrays `f32` coordinates (`simd128` on wasm, SSE2 on x86-64):
//! `mask = d² <= r²; sum += mask & value`, whole blocks only (padding is NaN and never counts).
//! Integer columns whose total fits in `i32` are summed in `i32` lanes; other columns in `f64`
//! lanes.
//!
//! [`BufferSumJob`] does the work in chunks (`step(max_work)`), so a web worker can report
//! progress and cancel between chunks.

use super::grid_index::{GridIndex, GridIndexError, QueryPlan, LANES};

pub use super::missing::MissingPolicy;
use thiserror::Error;

/// Strips per radius: strip height = R / 3 (measured best of 2, 3, 4 on the benchmark data).
pub const STRIPS_PER_RADIUS: f64 = 3.0;

/// Query bands per strip (see [`QueryPlan`]). More bands narrow the windows (4 bands: 10 % fewer
/// instructions) but every band is one more pass over the neighbouring strips' data, which cost
/// more than it saved in wall time on the benchmark machine (docs/BENCHMARKS.md).
pub const QUERY_BANDS: usize = 1;

#[derive(Debug, Error, PartialEq)]
pub enum BufferSumError {
    #[error("invalid radius {radius_m} m: must be a finite number ≥ 0")]
    BadRadius { radius_m: f64 },
    #[error("column {column:?} has {got} values but there are {expected} locations")]
    ColumnLength {
        column: String,
        got: usize,
        expected: usize,
    },
    #[error("column {column:?}, location {row}: value {value} is not a finite number")]
    NonFinite {
        column: String,
        row: usize,
        value: f64,
    },
    #[error(transparent)]
    Index(#[from] GridIndexError),
    #[error("the buffer sums are not finished yet ({done} of {total} locations)")]
    NotFinished { done: usize, total: usize },
}

/// How the values of the summed columns are held in sorted order.
#[derive(Debug, Clone)]
enum SortedValues {
    /// Every column integer-valued with Σ|v| < 2³¹: exact in i32 lanes. With prefix sums
    /// (`prefix[j] = Σ values[..j]`, also exact in i32) for the core of each window.
    Int {
        values: Vec<Vec<i32>>,
        prefix: Vec<Vec<i32>>,
    },
    F64(Vec<Vec<f64>>),
}

/// A buffer-sum computation in progress. Create with [`BufferSumJob::new`], call
/// [`BufferSumJob::step`] until it returns 1.0, then [`BufferSumJob::finish`].
#[derive(Debug, Clone)]
pub struct BufferSumJob {
    index: GridIndex,
    plan: QueryPlan,
    radius_m: f64,
    values: SortedValues,
    /// Per column, per input row; NaN for left-out rows.
    sums: Vec<Vec<f64>>,
    /// Next query strip and slot.
    next_row: usize,
    next_slot: usize,
    done: usize,
}

/// One column to sum, by name (for messages) and values (NaN = missing).
#[derive(Debug, Clone, Copy)]
pub struct SumColumn<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

impl BufferSumJob {
    /// Validates the input, applies the missing-value policy and builds the index.
    pub fn new(
        x_rd: &[f64],
        y_rd: &[f64],
        columns: &[SumColumn<'_>],
        radius_m: f64,
        missing: MissingPolicy,
    ) -> Result<Self, BufferSumError> {
        Self::with_strips(x_rd, y_rd, columns, radius_m, missing, STRIPS_PER_RADIUS)
    }

    /// As [`Self::new`] with a chosen number of strips per radius (for benchmarks).
    pub fn with_strips(
        x_rd: &[f64],
        y_rd: &[f64],
        columns: &[SumColumn<'_>],
        radius_m: f64,
        missing: MissingPolicy,
        strips_per_radius: f64,
    ) -> Result<Self, BufferSumError> {
        Self::with_layout(
            x_rd,
            y_rd,
            columns,
            radius_m,
            missing,
            strips_per_radius,
            QUERY_BANDS,
        )
    }

    /// As [`Self::new`] with a chosen number of strips per radius and of query bands per strip
    /// (for benchmarks and tests; every choice gives the same sums).
    pub fn with_layout(
        x_rd: &[f64],
        y_rd: &[f64],
        columns: &[SumColumn<'_>],
        radius_m: f64,
        missing: MissingPolicy,
        strips_per_radius: f64,
        query_bands: usize,
    ) -> Result<Self, BufferSumError> {
        if !(radius_m.is_finite() && radius_m >= 0.0) {
            return Err(BufferSumError::BadRadius { radius_m });
        }
        let n = x_rd.len();
        for c in columns {
            if c.values.len() != n {
                return Err(BufferSumError::ColumnLength {
                    column: c.name.to_string(),
                    got: c.values.len(),
                    expected: n,
                });
            }
            if let Some(row) = c.values.iter().position(|v| v.is_infinite()) {
                return Err(BufferSumError::NonFinite {
                    column: c.name.to_string(),
                    row,
                    value: c.values[row],
                });
            }
        }
        let keep: Option<Vec<bool>> = match missing {
            MissingPolicy::CountAsZero => None,
            MissingPolicy::LeaveOut => Some(
                (0..n)
                    .map(|i| columns.iter().all(|c| !c.values[i].is_nan()))
                    .collect(),
            ),
        };
        // A strip height that is a little more than R/k keeps the strip count per side at k.
        let strip_m = if radius_m > 0.0 {
            radius_m / strips_per_radius.max(1.0) * (1.0 + 1e-6)
        } else {
            100.0
        };
        let index = GridIndex::build(x_rd, y_rd, keep.as_deref(), strip_m)?;
        drop(keep);
        let plan = index.plan(radius_m, query_bands);
        let padded = index.slots_len();
        let clean = |v: f64| if v.is_nan() { 0.0 } else { v };
        // Slot of each input row (u32::MAX: left out), so the columns are scattered into slot
        // order while being read in input order.
        let mut slot_of = vec![u32::MAX; n];
        for (s, &i) in index.order().iter().enumerate() {
            if i != u32::MAX {
                slot_of[i as usize] = s as u32;
            }
        }
        let all_int = columns.iter().all(|c| {
            let mut total = 0.0;
            c.values.iter().zip(&slot_of).all(|(&v, &s)| {
                let v = if s == u32::MAX { 0.0 } else { clean(v) };
                total += v.abs();
                v.fract() == 0.0
            }) && total < 2_147_483_647.0
        });
        fn scatter<T: Copy>(
            values: &[f64],
            slot_of: &[u32],
            padded: usize,
            zero: T,
            f: impl Fn(f64) -> T,
        ) -> Vec<T> {
            let mut out = vec![zero; padded];
            for (&v, &s) in values.iter().zip(slot_of) {
                if s != u32::MAX {
                    out[s as usize] = f(v);
                }
            }
            out
        }
        let values = if all_int {
            let values: Vec<Vec<i32>> = columns
                .iter()
                .map(|c| scatter(c.values, &slot_of, padded, 0i32, |v| clean(v) as i32))
                .collect();
            let prefix = values
                .iter()
                .map(|v| {
                    let mut p = Vec::with_capacity(v.len() + 1);
                    let mut s = 0i32;
                    p.push(0);
                    for &x in v {
                        s = s.wrapping_add(x);
                        p.push(s);
                    }
                    p
                })
                .collect();
            SortedValues::Int { values, prefix }
        } else {
            SortedValues::F64(
                columns
                    .iter()
                    .map(|c| scatter(c.values, &slot_of, padded, 0.0f64, clean))
                    .collect(),
            )
        };
        drop(slot_of);
        let sums = vec![vec![f64::NAN; n]; columns.len()];
        Ok(Self {
            index,
            plan,
            radius_m,
            values,
            sums,
            next_row: 0,
            next_slot: 0,
            done: 0,
        })
    }

    pub fn radius_m(&self) -> f64 {
        self.radius_m
    }

    /// Locations that take part (all, or those without missing values under `LeaveOut`).
    pub fn indexed_len(&self) -> usize {
        self.index.len()
    }

    /// Fraction done, 0..=1.
    pub fn progress(&self) -> f64 {
        if self.index.is_empty() {
            1.0
        } else {
            self.done as f64 / self.index.len() as f64
        }
    }

    pub fn is_done(&self) -> bool {
        self.done == self.index.len()
    }

    /// Computes the sums of about `max_work` more locations (at least one), and returns the
    /// progress. `x_rd`/`y_rd` must be the coordinates the job was created with (used for the
    /// rare exact re-check of pairs at distance ≈ R).
    pub fn step(&mut self, x_rd: &[f64], y_rd: &[f64], max_work: usize) -> f64 {
        assert_eq!(x_rd.len(), self.sums.first().map_or(x_rd.len(), Vec::len));
        let mut budget = max_work.max(1);
        while budget > 0 && self.next_row < self.index.n_rows() {
            let slots = self.index.row_slots(self.next_row);
            let from = self.next_slot.max(slots.start);
            let to = slots.end.min(from.saturating_add(budget));
            if from < to {
                self.score_slots(x_rd, y_rd, self.next_row, from, to);
                budget -= to - from;
                self.done += to - from;
            }
            if to >= slots.end {
                self.next_row += 1;
                self.next_slot = 0;
            } else {
                self.next_slot = to;
            }
        }
        self.progress()
    }

    /// The sums per column, per input row (NaN for left-out rows).
    pub fn finish(self) -> Result<Vec<Vec<f64>>, BufferSumError> {
        if !self.is_done() {
            return Err(BufferSumError::NotFinished {
                done: self.done,
                total: self.index.len(),
            });
        }
        Ok(self.sums)
    }

    /// Sums for the query slots `from..to` of strip `row`, all columns (in groups of up to 4).
    fn score_slots(&mut self, x_rd: &[f64], y_rd: &[f64], row: usize, from: usize, to: usize) {
        let q = Query {
            index: &self.index,
            plan: &self.plan,
            x_rd,
            y_rd,
            row,
            from,
            to,
        };
        let n_cols = self.sums.len();
        let mut c0 = 0;
        while c0 < n_cols {
            let c1 = (c0 + 4).min(n_cols);
            let out = &mut self.sums[c0..c1];
            match &self.values {
                SortedValues::Int { values, prefix } => {
                    dispatch::<kernel::I4>(&q, &values[c0..c1], Some(&prefix[c0..c1]), out)
                }
                SortedValues::F64(v) => dispatch::<kernel::D2>(&q, &v[c0..c1], None, out),
            }
            c0 = c1;
        }
    }
}

/// One segment of query slots within one strip.
struct Query<'a> {
    index: &'a GridIndex,
    plan: &'a QueryPlan,
    x_rd: &'a [f64],
    y_rd: &'a [f64],
    row: usize,
    from: usize,
    to: usize,
}

fn dispatch<A: kernel::Acc>(
    q: &Query<'_>,
    cols: &[Vec<A::Elem>],
    prefix: Option<&[Vec<i32>]>,
    out: &mut [Vec<f64>],
) {
    fn arr<T, const C: usize>(v: &[Vec<T>]) -> [&[T]; C] {
        std::array::from_fn(|c| v[c].as_slice())
    }
    match cols.len() {
        1 => score_points::<A, 1>(q, arr(cols), prefix.map(arr), out),
        2 => score_points::<A, 2>(q, arr(cols), prefix.map(arr), out),
        3 => score_points::<A, 3>(q, arr(cols), prefix.map(arr), out),
        _ => score_points::<A, 4>(q, arr(cols), prefix.map(arr), out),
    }
}

/// The candidates of one neighbouring strip for the current query point, as slot pointers that
/// only move forward: slots `lo..hi` may be within R; the core `clo..chi` (inside `lo..hi`)
/// certainly is. The kernel works on the blocks of [`LANES`] slots around these: the core's
/// whole blocks come from prefix sums, every other block of the window is tested point by point.
struct Strip {
    /// One past the strip's last point.
    end: usize,
    lo: usize,
    hi: usize,
    clo: usize,
    chi: usize,
    y_off: f32,
    hw: f32,
    /// Core half-width; negative = no core.
    core_hw: f32,
}

fn score_points<A: kernel::Acc, const C: usize>(
    q: &Query<'_>,
    cols: [&[A::Elem]; C],
    prefix: Option<[&[i32]; C]>,
    out: &mut [Vec<f64>],
) {
    let (idx, plan) = (q.index, q.plan);
    let xf = idx.xf();
    let yf = idx.yf();
    let order = idx.order();
    for c in cols {
        assert_eq!(c.len(), xf.len(), "value columns are padded like the index");
    }
    if let Some(p) = prefix {
        for c in p {
            assert_eq!(c.len(), xf.len() + 1, "prefix sums cover every slot");
        }
    }
    let m = plan.m as i64;
    let width = 2 * plan.m + 1;
    let origin = idx.row_origin(q.row);
    let col_ptrs: [*const A::Elem; C] = std::array::from_fn(|c| cols[c].as_ptr());
    let mut ambiguous: Vec<u32> = Vec::new();
    let mut strips: Vec<Strip> = Vec::with_capacity(width);
    // The query slots grouped by band, each group in x order (counting sort).
    let mut band_start = vec![0usize; plan.subbands + 1];
    for s in q.from..q.to {
        band_start[plan.band_of(yf[s]) + 1] += 1;
    }
    for k in 0..plan.subbands {
        band_start[k + 1] += band_start[k];
    }
    let mut by_band = vec![0u32; q.to - q.from];
    {
        let mut next = band_start.clone();
        for (s, &y) in (q.from..q.to).zip(&yf[q.from..q.to]) {
            let k = plan.band_of(y);
            by_band[next[k]] = s as u32;
            next[k] += 1;
        }
    }
    for band in 0..plan.subbands {
        let queries = &by_band[band_start[band]..band_start[band + 1]];
        let Some(&first) = queries.first() else {
            continue;
        };
        let first = first as usize;
        strips.clear();
        let qx0 = xf[first];
        for o in -m..=m {
            let rr = q.row as i64 + o;
            if rr < 0 || rr >= idx.n_rows() as i64 {
                continue;
            }
            let slots = idx.row_slots(rr as usize);
            let k = band * width + (o + m) as usize;
            let hw = plan.half_width[k];
            if slots.is_empty() || hw < 0.0 {
                continue;
            }
            let lo = slots.start + xf[slots.clone()].partition_point(|&x| x < qx0 - hw);
            let core_hw = if prefix.is_some() {
                plan.core_half_width[k]
            } else {
                -1.0
            };
            strips.push(Strip {
                end: slots.end,
                lo,
                hi: lo,
                clo: lo,
                chi: lo,
                y_off: (origin - idx.row_origin(rr as usize)) as f32,
                hw,
                core_hw,
            });
        }
        for &s in queries {
            let s = s as usize;
            let qx = xf[s];
            let mut acc = [A::zero(); C];
            let mut core = [0i32; C];
            for st in strips.iter_mut() {
                let (w_lo, w_hi) = (qx - st.hw, qx + st.hw);
                // SAFETY (advance): every pointer stays within its strip's points (lo <= hi <=
                // end, and clo, chi between lo and hi); each strip is padded to a whole block
                // and two more blocks follow the last strip.
                st.lo = unsafe { kernel::advance(xf, st.lo, st.end, w_lo, false) };
                st.hi = unsafe { kernel::advance(xf, st.hi.max(st.lo), st.end, w_hi, true) };
                let g = kernel::Geometry {
                    xf,
                    yf,
                    qx,
                    qy: yf[s] + st.y_off,
                    r2_lo: plan.r2_lo,
                    r2_hi: plan.r2_hi,
                };
                // The window's blocks: from the one holding `lo` to the one holding `hi - 1`.
                let (lo_b, hi_b) = (st.lo / LANES, st.hi.div_ceil(LANES));
                match prefix {
                    Some(prefix) if st.core_hw >= 0.0 => {
                        let (c_lo, c_hi) = (qx - st.core_hw, qx + st.core_hw);
                        // SAFETY: as above.
                        st.clo =
                            unsafe { kernel::advance(xf, st.clo.max(st.lo), st.hi, c_lo, false) };
                        // SAFETY: as above.
                        st.chi =
                            unsafe { kernel::advance(xf, st.chi.max(st.clo), st.hi, c_hi, true) };
                        // The core's whole blocks (none when it is shorter than a block).
                        let clo_b = st.clo.div_ceil(LANES);
                        let chi_b = (st.chi / LANES).max(clo_b);
                        let (a, b) = (clo_b * LANES, chi_b * LANES);
                        for c in 0..C {
                            core[c] = core[c].wrapping_add(prefix[c][b].wrapping_sub(prefix[c][a]));
                        }
                        // SAFETY: lo_b <= clo_b <= chi_b <= hi_b <= the strip's last block; xf,
                        // yf and the value columns (asserted above) hold every block of every
                        // strip.
                        acc = unsafe {
                            kernel::blocks::<A, C>(
                                &g,
                                &col_ptrs,
                                lo_b,
                                (clo_b, chi_b),
                                hi_b,
                                acc,
                                &mut ambiguous,
                            )
                        };
                    }
                    _ => {
                        // SAFETY: lo_b <= hi_b <= the strip's last block; xf, yf and the value
                        // columns (asserted above) hold every block of every strip.
                        acc = unsafe {
                            kernel::blocks::<A, C>(
                                &g,
                                &col_ptrs,
                                lo_b,
                                (hi_b, hi_b),
                                hi_b,
                                acc,
                                &mut ambiguous,
                            )
                        };
                    }
                }
            }
            let qi = order[s] as usize;
            let mut extra = [0.0f64; C];
            for &j in &ambiguous {
                // The rounding band: decide exactly as the brute force does.
                let ji = order[j as usize] as usize;
                let dx = q.x_rd[qi] - q.x_rd[ji];
                let dy = q.y_rd[qi] - q.y_rd[ji];
                if dx * dx + dy * dy <= plan.r2 {
                    for c in 0..C {
                        extra[c] += A::elem_f64(cols[c][j as usize]);
                    }
                }
            }
            ambiguous.clear();
            for c in 0..C {
                out[c][qi] = acc[c].sum() + f64::from(core[c]) + extra[c];
            }
        }
    }
}

/// The reference: O(N²) sums with the same definition (f64, `dx*dx + dy*dy <= R*R`, missing
/// values as the policy says), summing in input order. For tests and benchmarks only.
pub fn brute_force_sums(
    x_rd: &[f64],
    y_rd: &[f64],
    columns: &[&[f64]],
    radius_m: f64,
    missing: MissingPolicy,
) -> Vec<Vec<f64>> {
    let n = x_rd.len();
    let keep: Vec<bool> = (0..n)
        .map(|i| missing == MissingPolicy::CountAsZero || columns.iter().all(|c| !c[i].is_nan()))
        .collect();
    let r2 = radius_m * radius_m;
    let mut out = vec![vec![f64::NAN; n]; columns.len()];
    for i in 0..n {
        if !keep[i] {
            continue;
        }
        for (c, col) in columns.iter().enumerate() {
            let mut s = 0.0;
            for j in 0..n {
                let dx = x_rd[i] - x_rd[j];
                let dy = y_rd[i] - y_rd[j];
                if keep[j] && dx * dx + dy * dy <= r2 && !col[j].is_nan() {
                    s += col[j];
                }
            }
            out[c][i] = s;
        }
    }
    out
}

/// Convenience: all sums at once.
pub fn buffer_sums(
    x_rd: &[f64],
    y_rd: &[f64],
    columns: &[SumColumn<'_>],
    radius_m: f64,
    missing: MissingPolicy,
) -> Result<Vec<Vec<f64>>, BufferSumError> {
    let mut job = BufferSumJob::new(x_rd, y_rd, columns, radius_m, missing)?;
    job.step(x_rd, y_rd, usize::MAX);
    job.finish()
}

/// The 4-lane inner loops. One implementation per instruction set, same arithmetic everywhere:
/// IEEE f32 `dx = qx - x; dy = qy - y; d2 = dx*dx + dy*dy` (no fused multiply-add).
mod kernel {
    use super::LANES;

    /// Where the query point is, in the frame of the strip being scanned.
    pub struct Geometry<'a> {
        pub xf: &'a [f32],
        pub yf: &'a [f32],
        pub qx: f32,
        pub qy: f32,
        pub r2_lo: f32,
        pub r2_hi: f32,
    }

    /// A 4-lane accumulator for one column.
    pub trait Acc: Copy {
        type Elem: Copy;
        fn zero() -> Self;
        /// Adds the lanes of `p[0..4]` selected by `m`.
        ///
        /// # Safety
        /// `p..p + 4` must be readable.
        unsafe fn add_masked(self, p: *const Self::Elem, m: imp::M4) -> Self;
        fn sum(self) -> f64;
        fn elem_f64(e: Self::Elem) -> f64;
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod imp {
        use core::arch::wasm32::*;
        pub type F4 = v128;
        pub type M4 = v128;
        #[derive(Clone, Copy)]
        pub struct I4(v128);
        #[derive(Clone, Copy)]
        pub struct D2(v128);
        /// # Safety
        /// `p..p + 4` must be readable.
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> F4 {
            // SAFETY: the caller guarantees 4 readable lanes; v128_load allows unaligned pointers.
            unsafe { v128_load(p as *const v128) }
        }
        #[inline(always)]
        pub fn splat(v: f32) -> F4 {
            f32x4_splat(v)
        }
        #[inline(always)]
        pub fn d2(qx: F4, qy: F4, x: F4, y: F4) -> F4 {
            let dx = f32x4_sub(qx, x);
            let dy = f32x4_sub(qy, y);
            f32x4_add(f32x4_mul(dx, dx), f32x4_mul(dy, dy))
        }
        #[inline(always)]
        pub fn le(a: F4, b: F4) -> M4 {
            f32x4_le(a, b)
        }
        #[inline(always)]
        pub fn lt(a: F4, b: F4) -> M4 {
            f32x4_lt(a, b)
        }
        #[inline(always)]
        pub fn or(a: M4, b: M4) -> M4 {
            v128_or(a, b)
        }
        #[inline(always)]
        pub fn xor(a: M4, b: M4) -> M4 {
            v128_xor(a, b)
        }
        #[inline(always)]
        pub fn splat_mask_zero() -> M4 {
            i32x4_splat(0)
        }
        #[inline(always)]
        pub fn bitmask(m: M4) -> u32 {
            u32::from(i32x4_bitmask(m))
        }
        impl super::Acc for I4 {
            type Elem = i32;
            #[inline(always)]
            fn zero() -> Self {
                I4(i32x4_splat(0))
            }
            #[inline(always)]
            unsafe fn add_masked(self, p: *const i32, m: M4) -> Self {
                // SAFETY: the caller guarantees 4 readable lanes.
                let v = unsafe { v128_load(p as *const v128) };
                I4(i32x4_add(self.0, v128_and(v, m)))
            }
            fn sum(self) -> f64 {
                let l = [
                    i32x4_extract_lane::<0>(self.0),
                    i32x4_extract_lane::<1>(self.0),
                    i32x4_extract_lane::<2>(self.0),
                    i32x4_extract_lane::<3>(self.0),
                ];
                l.iter().map(|&v| i64::from(v)).sum::<i64>() as f64
            }
            fn elem_f64(e: i32) -> f64 {
                f64::from(e)
            }
        }
        impl super::Acc for D2 {
            type Elem = f64;
            #[inline(always)]
            fn zero() -> Self {
                D2(f64x2_splat(0.0))
            }
            #[inline(always)]
            unsafe fn add_masked(self, p: *const f64, m: M4) -> Self {
                // SAFETY: the caller guarantees 4 readable lanes, read as two pairs.
                let (a, b) = unsafe {
                    (
                        v128_load(p as *const v128),
                        v128_load(p.add(2) as *const v128),
                    )
                };
                let lo = i64x2_extend_low_i32x4(m);
                let hi = i64x2_extend_high_i32x4(m);
                let s = f64x2_add(self.0, v128_and(a, lo));
                D2(f64x2_add(s, v128_and(b, hi)))
            }
            fn sum(self) -> f64 {
                f64x2_extract_lane::<0>(self.0) + f64x2_extract_lane::<1>(self.0)
            }
            fn elem_f64(e: f64) -> f64 {
                e
            }
        }
    }

    // SSE2 is part of the x86-64 baseline, so these intrinsics are always available; the
    // `unsafe` blocks assert that (and, for loads, the caller's bounds guarantee).
    #[cfg(target_arch = "x86_64")]
    #[allow(unused_unsafe)]
    mod imp {
        use core::arch::x86_64::*;
        pub type F4 = __m128;
        pub type M4 = __m128;
        #[derive(Clone, Copy)]
        pub struct I4(__m128i);
        #[derive(Clone, Copy)]
        pub struct D2(__m128d);
        /// # Safety
        /// `p..p + 4` must be readable.
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> F4 {
            // SAFETY: the caller guarantees 4 readable lanes; loadu allows unaligned pointers.
            unsafe { _mm_loadu_ps(p) }
        }
        #[inline(always)]
        pub fn splat(v: f32) -> F4 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_set1_ps(v) }
        }
        #[inline(always)]
        pub fn d2(qx: F4, qy: F4, x: F4, y: F4) -> F4 {
            // SAFETY: SSE2 baseline.
            unsafe {
                let dx = _mm_sub_ps(qx, x);
                let dy = _mm_sub_ps(qy, y);
                _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy))
            }
        }
        #[inline(always)]
        pub fn le(a: F4, b: F4) -> M4 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_cmple_ps(a, b) }
        }
        #[inline(always)]
        pub fn lt(a: F4, b: F4) -> M4 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_cmplt_ps(a, b) }
        }
        #[inline(always)]
        pub fn or(a: M4, b: M4) -> M4 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_or_ps(a, b) }
        }
        #[inline(always)]
        pub fn xor(a: M4, b: M4) -> M4 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_xor_ps(a, b) }
        }
        #[inline(always)]
        pub fn splat_mask_zero() -> M4 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_setzero_ps() }
        }
        #[inline(always)]
        pub fn bitmask(m: M4) -> u32 {
            // SAFETY: SSE2 baseline.
            unsafe { _mm_movemask_ps(m) as u32 }
        }
        impl super::Acc for I4 {
            type Elem = i32;
            #[inline(always)]
            fn zero() -> Self {
                // SAFETY: SSE2 baseline.
                I4(unsafe { _mm_setzero_si128() })
            }
            #[inline(always)]
            unsafe fn add_masked(self, p: *const i32, m: M4) -> Self {
                // SAFETY: the caller guarantees 4 readable lanes; SSE2 baseline.
                unsafe {
                    let v = _mm_loadu_si128(p as *const __m128i);
                    I4(_mm_add_epi32(self.0, _mm_and_si128(v, _mm_castps_si128(m))))
                }
            }
            fn sum(self) -> f64 {
                let mut a = [0i32; 4];
                // SAFETY: `a` has room for 4 lanes.
                unsafe { _mm_storeu_si128(a.as_mut_ptr() as *mut __m128i, self.0) };
                a.iter().map(|&v| i64::from(v)).sum::<i64>() as f64
            }
            fn elem_f64(e: i32) -> f64 {
                f64::from(e)
            }
        }
        impl super::Acc for D2 {
            type Elem = f64;
            #[inline(always)]
            fn zero() -> Self {
                // SAFETY: SSE2 baseline.
                D2(unsafe { _mm_setzero_pd() })
            }
            #[inline(always)]
            unsafe fn add_masked(self, p: *const f64, m: M4) -> Self {
                // SAFETY: the caller guarantees 4 readable lanes, read as two pairs.
                unsafe {
                    let a = _mm_loadu_pd(p);
                    let b = _mm_loadu_pd(p.add(2));
                    let lo = _mm_castps_pd(_mm_unpacklo_ps(m, m));
                    let hi = _mm_castps_pd(_mm_unpackhi_ps(m, m));
                    let s = _mm_add_pd(self.0, _mm_and_pd(a, lo));
                    D2(_mm_add_pd(s, _mm_and_pd(b, hi)))
                }
            }
            fn sum(self) -> f64 {
                let mut a = [0f64; 2];
                // SAFETY: `a` has room for 2 lanes.
                unsafe { _mm_storeu_pd(a.as_mut_ptr(), self.0) };
                a[0] + a[1]
            }
            fn elem_f64(e: f64) -> f64 {
                e
            }
        }
    }

    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    mod imp {
        pub type F4 = [f32; 4];
        pub type M4 = [bool; 4];
        #[derive(Clone, Copy)]
        pub struct I4([i32; 4]);
        #[derive(Clone, Copy)]
        pub struct D2([f64; 2]);
        /// # Safety
        /// `p..p + 4` must be readable.
        pub unsafe fn load(p: *const f32) -> F4 {
            // SAFETY: the caller guarantees 4 readable lanes.
            unsafe { std::array::from_fn(|k| *p.add(k)) }
        }
        pub fn splat(v: f32) -> F4 {
            [v; 4]
        }
        pub fn d2(qx: F4, qy: F4, x: F4, y: F4) -> F4 {
            std::array::from_fn(|k| {
                let dx = qx[k] - x[k];
                let dy = qy[k] - y[k];
                dx * dx + dy * dy
            })
        }
        pub fn le(a: F4, b: F4) -> M4 {
            std::array::from_fn(|k| a[k] <= b[k])
        }
        pub fn lt(a: F4, b: F4) -> M4 {
            std::array::from_fn(|k| a[k] < b[k])
        }
        pub fn or(a: M4, b: M4) -> M4 {
            std::array::from_fn(|k| a[k] || b[k])
        }
        pub fn xor(a: M4, b: M4) -> M4 {
            std::array::from_fn(|k| a[k] != b[k])
        }
        pub fn splat_mask_zero() -> M4 {
            [false; 4]
        }
        pub fn bitmask(m: M4) -> u32 {
            (0..4).map(|k| u32::from(m[k]) << k).sum()
        }
        impl super::Acc for I4 {
            type Elem = i32;
            fn zero() -> Self {
                I4([0; 4])
            }
            unsafe fn add_masked(mut self, p: *const i32, m: M4) -> Self {
                for k in 0..4 {
                    if m[k] {
                        // SAFETY: the caller guarantees 4 readable lanes.
                        self.0[k] += unsafe { *p.add(k) };
                    }
                }
                self
            }
            fn sum(self) -> f64 {
                self.0.iter().map(|&v| i64::from(v)).sum::<i64>() as f64
            }
            fn elem_f64(e: i32) -> f64 {
                f64::from(e)
            }
        }
        impl super::Acc for D2 {
            type Elem = f64;
            fn zero() -> Self {
                D2([0.0; 2])
            }
            unsafe fn add_masked(mut self, p: *const f64, m: M4) -> Self {
                for k in 0..4 {
                    if m[k] {
                        // SAFETY: the caller guarantees 4 readable lanes.
                        self.0[k % 2] += unsafe { *p.add(k) };
                    }
                }
                self
            }
            fn sum(self) -> f64 {
                self.0[0] + self.0[1]
            }
            fn elem_f64(e: f64) -> f64 {
                e
            }
        }
    }

    use imp::{bitmask, d2, le, load, lt, or, splat, splat_mask_zero, xor};

    pub use imp::{D2, I4};

    /// Moves `pos` forward over the x-sorted slots `pos..end` while `xf[pos] < bound` (or `<=`
    /// with `inclusive`), 8 slots per step: the advance is the number of leading lanes that pass.
    /// (Usually one step, so the loop's branch is predictable, unlike a slot-by-slot loop.)
    ///
    /// # Safety
    /// `pos <= end`, and `xf` must be readable up to `end.next_multiple_of(LANES) + 2 * LANES`.
    #[inline(always)]
    pub unsafe fn advance(
        xf: &[f32],
        mut pos: usize,
        end: usize,
        bound: f32,
        inclusive: bool,
    ) -> usize {
        let b = splat(bound);
        let pass = |v| bitmask(if inclusive { le(v, b) } else { lt(v, b) });
        while pos < end {
            // SAFETY: pos < end, so pos + 8 is within the padding.
            let (v0, v1) = unsafe {
                (
                    load(xf.as_ptr().add(pos)),
                    load(xf.as_ptr().add(pos + LANES)),
                )
            };
            let n = (!(pass(v0) | pass(v1) << LANES)).trailing_zeros() as usize;
            pos += n.min(2 * LANES);
            if n < 2 * LANES {
                break;
            }
        }
        pos.min(end)
    }

    /// Adds the values of the pairs certainly within R among the blocks `lo..hi` except
    /// `skip.0..skip.1` (slots `LANES * b..LANES * (b + 1)`) to `acc`, and pushes the slots of
    /// pairs in the rounding band onto `ambiguous` (to be decided in f64). Padding (NaN) lanes
    /// are neither. One loop jumps over the skipped blocks (a window's core), so a strip costs
    /// one loop exit, not two.
    ///
    /// # Safety
    /// `lo <= skip.0 <= skip.1 <= hi`, and `g.xf`, `g.yf` and every column must be readable up
    /// to `LANES * hi`.
    #[inline(always)]
    pub unsafe fn blocks<A: Acc, const C: usize>(
        g: &Geometry<'_>,
        cols: &[*const A::Elem; C],
        lo: usize,
        skip: (usize, usize),
        hi: usize,
        mut acc: [A; C],
        ambiguous: &mut Vec<u32>,
    ) -> [A; C] {
        debug_assert!(lo <= skip.0 && skip.0 <= skip.1 && skip.1 <= hi);
        debug_assert!(LANES * hi <= g.xf.len().min(g.yf.len()));
        let (xp, yp) = (g.xf.as_ptr(), g.yf.as_ptr());
        let qx = splat(g.qx);
        let qy = splat(g.qy);
        let r2_lo = splat(g.r2_lo);
        let r2_hi = splat(g.r2_hi);
        // SAFETY: base + LANES <= LANES * hi, readable by the function's contract.
        let eval = |base: usize| unsafe {
            let d = d2(qx, qy, load(xp.add(base)), load(yp.add(base)));
            (le(d, r2_lo), le(d, r2_hi))
        };
        // Lanes in the rounding band are rare: collect them in a second pass over the range
        // only if there is one (`maybe` includes `sure`, so `maybe ^ sure` is the band).
        let mut any_band = splat_mask_zero();
        let mut b = if lo == skip.0 { skip.1 } else { lo };
        while b < hi {
            let base = b * LANES;
            let (sure, maybe) = eval(base);
            for c in 0..C {
                // SAFETY: as above.
                acc[c] = unsafe { acc[c].add_masked(cols[c].add(base), sure) };
            }
            any_band = or(any_band, xor(maybe, sure));
            b += 1;
            b = if b == skip.0 { skip.1 } else { b };
        }
        if bitmask(any_band) != 0 {
            collect_band((lo..skip.0).chain(skip.1..hi), eval, ambiguous);
        }
        acc
    }

    #[cold]
    #[inline(never)]
    fn collect_band(
        blocks: impl Iterator<Item = usize>,
        eval: impl Fn(usize) -> (imp::M4, imp::M4),
        ambiguous: &mut Vec<u32>,
    ) {
        for b in blocks {
            let base = b * LANES;
            let (sure, maybe) = eval(base);
            let mut bits = bitmask(xor(maybe, sure));
            while bits != 0 {
                ambiguous.push((base + bits.trailing_zeros() as usize) as u32);
                bits &= bits - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    fn check(x: &[f64], y: &[f64], cols: &[Vec<f64>], r: f64, missing: MissingPolicy) {
        let named: Vec<SumColumn> = cols
            .iter()
            .map(|c| SumColumn {
                name: "c",
                values: c,
            })
            .collect();
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let want = brute_force_sums(x, y, &refs, r, missing);
        for (strips, bands) in [(1.0, 1), (2.0, 3), (3.0, 1), (3.0, 4), (4.0, 2), (4.0, 7)] {
            let mut job =
                BufferSumJob::with_layout(x, y, &named, r, missing, strips, bands).unwrap();
            // Small chunks exercise resuming in the middle of a strip.
            while job.step(x, y, 7) < 1.0 {}
            let got = job.finish().unwrap();
            for c in 0..cols.len() {
                for i in 0..x.len() {
                    assert_eq!(
                        got[c][i].to_bits(),
                        want[c][i].to_bits(),
                        "strips {strips} bands {bands} column {c} row {i}: {} vs {}",
                        got[c][i],
                        want[c][i]
                    );
                }
            }
        }
    }

    #[test]
    fn random_points_match_brute_force() {
        let mut seed = 42;
        let n = 2000;
        let x: Vec<f64> = (0..n).map(|_| 92_000.0 + 1500.0 * lcg(&mut seed)).collect();
        let y: Vec<f64> = (0..n)
            .map(|_| 437_000.0 + 1200.0 * lcg(&mut seed))
            .collect();
        let a: Vec<f64> = (0..n).map(|_| (lcg(&mut seed) * 30.0).floor()).collect();
        let b: Vec<f64> = (0..n)
            .map(|i| {
                if i % 13 == 0 {
                    f64::NAN
                } else {
                    (lcg(&mut seed) * 5.0).floor()
                }
            })
            .collect();
        for r in [0.0, 25.0, 200.0, 333.3] {
            check(
                &x,
                &y,
                &[a.clone(), b.clone()],
                r,
                MissingPolicy::CountAsZero,
            );
            check(&x, &y, &[a.clone(), b.clone()], r, MissingPolicy::LeaveOut);
        }
        // Five columns: two column groups.
        let cols: Vec<Vec<f64>> = (0..5)
            .map(|k| a.iter().map(|v| v + k as f64).collect())
            .collect();
        check(&x, &y, &cols, 150.0, MissingPolicy::CountAsZero);
    }

    #[test]
    fn points_exactly_at_the_radius_count() {
        // Integer coordinates on 3-4-5 triangles scaled by 40: distances of exactly 200 m.
        let mut x = vec![];
        let mut y = vec![];
        let base = (100_000.0, 450_000.0);
        for (dx, dy) in [
            (0, 0),
            (120, 160),
            (160, 120),
            (-120, 160),
            (200, 0),
            (0, -200),
            (-160, -120),
            (0, 200),
            (-200, 0),
            (120, -160),
            (201, 0),
        ] {
            x.push(base.0 + dx as f64);
            y.push(base.1 + dy as f64);
        }
        let ones = vec![1.0; x.len()];
        check(
            &x,
            &y,
            std::slice::from_ref(&ones),
            200.0,
            MissingPolicy::CountAsZero,
        );
        let got = buffer_sums(
            &x,
            &y,
            &[SumColumn {
                name: "one",
                values: &ones,
            }],
            200.0,
            MissingPolicy::CountAsZero,
        )
        .unwrap();
        assert_eq!(got[0][0], 10.0, "all but the 201 m point");
    }

    #[test]
    fn grid_points_at_strip_boundaries() {
        // A 100 m lattice: many pairs at exactly 100, 200 m and on strip edges.
        let mut x = vec![];
        let mut y = vec![];
        for i in 0..30 {
            for j in 0..30 {
                x.push(97_400.0 + 100.0 * i as f64 + 50.0);
                y.push(451_400.0 + 100.0 * j as f64 + 50.0);
            }
        }
        let v: Vec<f64> = (0..x.len()).map(|i| (i % 17) as f64).collect();
        for r in [100.0, 200.0, 250.0, 300.0] {
            check(
                &x,
                &y,
                std::slice::from_ref(&v),
                r,
                MissingPolicy::CountAsZero,
            );
        }
    }

    #[test]
    fn duplicates_single_and_empty() {
        let x = vec![5.0; 50];
        let y = vec![7.0; 50];
        let v: Vec<f64> = (0..50).map(|i| i as f64).collect();
        check(&x, &y, &[v], 0.0, MissingPolicy::CountAsZero);
        check(
            &[1.0],
            &[2.0],
            &[vec![3.0]],
            200.0,
            MissingPolicy::CountAsZero,
        );
        check(
            &[1.0],
            &[2.0],
            &[vec![f64::NAN]],
            200.0,
            MissingPolicy::LeaveOut,
        );
        check(&[], &[], &[vec![]], 200.0, MissingPolicy::CountAsZero);
    }

    #[test]
    fn fractional_and_large_values_use_f64_lanes() {
        let mut seed = 3;
        let n = 800;
        let x: Vec<f64> = (0..n).map(|_| 1000.0 * lcg(&mut seed)).collect();
        let y: Vec<f64> = (0..n).map(|_| 1000.0 * lcg(&mut seed)).collect();
        // Integers too large for i32 lanes: still exact in f64 lanes.
        let big: Vec<f64> = (0..n).map(|_| (lcg(&mut seed) * 1e9).floor()).collect();
        check(&x, &y, &[big], 120.0, MissingPolicy::CountAsZero);
        // Fractions: the order of addition differs from the brute force; equal within rounding.
        let frac: Vec<f64> = (0..n).map(|_| lcg(&mut seed)).collect();
        let want = brute_force_sums(&x, &y, &[&frac], 120.0, MissingPolicy::CountAsZero);
        let got = buffer_sums(
            &x,
            &y,
            &[SumColumn {
                name: "f",
                values: &frac,
            }],
            120.0,
            MissingPolicy::CountAsZero,
        )
        .unwrap();
        for i in 0..n {
            assert!((got[0][i] - want[0][i]).abs() <= 1e-12 * want[0][i].abs().max(1.0));
        }
    }

    #[test]
    fn far_apart_coordinates_use_the_exact_recheck() {
        // Points spread over the whole Netherlands box but in tight pairs at ≈ R: the f32 band is
        // widest here, so many pairs go through the f64 re-check.
        let mut seed = 11;
        let mut x = vec![];
        let mut y = vec![];
        for _ in 0..400 {
            let (cx, cy) = (
                13_000.0 + 265_000.0 * lcg(&mut seed),
                306_000.0 + 313_000.0 * lcg(&mut seed),
            );
            let a = lcg(&mut seed) * std::f64::consts::TAU;
            x.push(cx);
            y.push(cy);
            x.push(cx + 200.0 * a.cos());
            y.push(cy + 200.0 * a.sin());
            x.push(cx + 120.0);
            y.push(cy + 160.0);
        }
        let ones = vec![1.0; x.len()];
        check(&x, &y, &[ones], 200.0, MissingPolicy::CountAsZero);
    }

    #[test]
    fn kernel_sorts_lanes_into_certain_band_and_outside() {
        use kernel::Acc;
        // Two blocks; squared distances 0, 1, 4, 9 | 16, 25, NaN padding, NaN padding.
        let nan = f32::NAN;
        let xf = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, nan, nan, nan, nan, nan, nan];
        let yf = [0.0; 12];
        let values: Vec<i32> = (0..12).map(|k| 1 << k).collect();
        let g = kernel::Geometry {
            xf: &xf,
            yf: &yf,
            qx: 0.0,
            qy: 0.0,
            r2_lo: 1.5,
            r2_hi: 16.0,
        };
        let mut ambiguous = Vec::new();
        // SAFETY: two whole blocks of xf, yf and values.
        let acc = unsafe {
            kernel::blocks::<kernel::I4, 1>(
                &g,
                &[values.as_ptr()],
                0,
                (2, 2),
                2,
                [kernel::I4::zero()],
                &mut ambiguous,
            )
        };
        // Certain: d² <= 1.5 (lanes 0, 1); band: 1.5 < d² <= 16 (lanes 2, 3, 4); outside: 25
        // and NaN.
        assert_eq!(acc[0].sum(), 3.0);
        assert_eq!(ambiguous, vec![2, 3, 4]);
        // Only the second block: one band lane, found by the second pass over that range.
        ambiguous.clear();
        // SAFETY: as above.
        let acc = unsafe {
            kernel::blocks::<kernel::I4, 1>(
                &g,
                &[values.as_ptr()],
                1,
                (1, 1),
                2,
                [kernel::I4::zero()],
                &mut ambiguous,
            )
        };
        assert_eq!(acc[0].sum(), 0.0);
        assert_eq!(ambiguous, vec![4]);
        // Both blocks but the first skipped (as a core is), and the second skipped.
        for (skip, sum, band) in [((0, 1), 0.0, vec![4]), ((1, 2), 3.0, vec![2, 3])] {
            ambiguous.clear();
            // SAFETY: as above.
            let acc = unsafe {
                kernel::blocks::<kernel::I4, 1>(
                    &g,
                    &[values.as_ptr()],
                    0,
                    skip,
                    2,
                    [kernel::I4::zero()],
                    &mut ambiguous,
                )
            };
            assert_eq!((acc[0].sum(), &ambiguous), (sum, &band), "skip {skip:?}");
        }
    }

    #[test]
    fn advance_moves_past_many_equal_values_and_stops_at_the_end() {
        // 21 points (stacks of equal x), padded with NaN as the index does.
        let mut xf: Vec<f32> = (0..21).map(|i| (i / 5) as f32).collect();
        xf.resize(21usize.next_multiple_of(LANES) + 2 * LANES, f32::NAN);
        for (pos, bound, inclusive, want) in [
            (0, 0.0, false, 0),
            (0, 0.0, true, 5),
            (0, 3.0, false, 15),
            (0, 3.0, true, 20),
            (3, 10.0, true, 21),
            (7, 1.0, false, 7),
            (21, 10.0, false, 21),
        ] {
            // SAFETY: xf is padded like the index.
            let got = unsafe { kernel::advance(&xf, pos, 21, bound, inclusive) };
            assert_eq!(got, want, "from {pos} to {bound} inclusive {inclusive}");
        }
        // A strip end before the padding: never past it.
        // SAFETY: as above.
        assert_eq!(unsafe { kernel::advance(&xf, 0, 9, 10.0, true) }, 9);
    }

    #[test]
    fn stacks_of_equal_locations_and_odd_strip_lengths() {
        // Apartment stacks (many points at one location) next to single points, in strips whose
        // lengths are not multiples of the block size, with chunks that split strips anywhere.
        let mut seed = 17;
        let (mut x, mut y) = (vec![], vec![]);
        for k in 0..60 {
            let (cx, cy) = (
                120_000.0 + 600.0 * lcg(&mut seed),
                480_000.0 + 600.0 * lcg(&mut seed),
            );
            for _ in 0..(1 + (k % 7) * (k % 5)) {
                x.push(cx);
                y.push(cy);
            }
        }
        let v: Vec<f64> = (0..x.len()).map(|i| (i % 11) as f64).collect();
        let w: Vec<f64> = (0..x.len()).map(|i| (i % 3) as f64).collect();
        for r in [50.0, 200.0] {
            check(
                &x,
                &y,
                &[v.clone(), w.clone()],
                r,
                MissingPolicy::CountAsZero,
            );
        }
    }

    #[test]
    fn rejects_bad_input() {
        let e =
            BufferSumJob::new(&[0.0], &[0.0], &[], -1.0, MissingPolicy::CountAsZero).unwrap_err();
        assert!(e.to_string().contains("-1"));
        let e = BufferSumJob::new(
            &[0.0],
            &[0.0],
            &[SumColumn {
                name: "w",
                values: &[f64::INFINITY],
            }],
            1.0,
            MissingPolicy::CountAsZero,
        )
        .unwrap_err();
        assert!(e.to_string().contains("\"w\""), "{e}");
        let job = BufferSumJob::new(
            &[0.0],
            &[0.0],
            &[SumColumn {
                name: "w",
                values: &[1.0],
            }],
            1.0,
            MissingPolicy::CountAsZero,
        )
        .unwrap();
        assert!(matches!(
            job.finish(),
            Err(BufferSumError::NotFinished { .. })
        ));
    }
}
