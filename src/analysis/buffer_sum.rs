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
//! [`QUERY_BANDS`] passes by their y within the strip), a small group of x-neighbours at a time,
//! so the candidates of a group in each neighbouring strip are one contiguous block range found
//! by forward-only pointers. The middle of that range, where every point is certainly within R of
//! every query of the group, is summed from prefix sums; the blocks on either side go through a
//! branch-free SIMD loop over structure-of-arrays `f32` coordinates that loads each block once
//! and tests it against every query of the group: `mask = d² <= r²; sum += mask & value`, whole
//! blocks only (padding is NaN and never counts). The loop runs 4 lanes wide (`simd128` in the
//! browser, SSE2 on x86-64, groups of 2) or, on x86-64 CPUs with AVX2 (detected at run time),
//! 8 lanes wide (groups of 4) — see [`Kernel`] and `buffer_sum/kernel.rs`. Integer columns whose
//! total fits in `i32` are summed in `i32` lanes; other columns in `f64` lanes.
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
    #[error("the {kernel} kernel is not available on this CPU")]
    KernelUnavailable { kernel: &'static str },
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
    kernel: KernelChoice,
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
        // Each column read in slot order: a gather through the index's order (padding and
        // left-out rows read as 0, missing values as 0), as i32 with prefix sums when every
        // column is integer-valued with a total below 2³¹, else as f64.
        let order = index.order();
        let clean = |v: f64| if v.is_nan() { 0.0 } else { v };
        let value_at = |values: &[f64], i: u32| {
            if i == u32::MAX {
                0.0
            } else {
                clean(values[i as usize])
            }
        };
        let gather_int = |values: &[f64]| -> Option<(Vec<i32>, Vec<i32>)> {
            let mut out = Vec::with_capacity(order.len());
            let mut prefix = Vec::with_capacity(order.len() + 1);
            prefix.push(0i32);
            let (mut total, mut sum) = (0.0f64, 0i32);
            for &i in order {
                let v = value_at(values, i);
                if v.fract() != 0.0 {
                    return None;
                }
                total += v.abs();
                out.push(v as i32);
                sum = sum.wrapping_add(v as i32);
                prefix.push(sum);
            }
            (total < 2_147_483_647.0).then_some((out, prefix))
        };
        let ints: Option<Vec<(Vec<i32>, Vec<i32>)>> =
            columns.iter().map(|c| gather_int(c.values)).collect();
        let values = match ints {
            Some(ints) => {
                let (values, prefix) = ints.into_iter().unzip();
                SortedValues::Int { values, prefix }
            }
            None => SortedValues::F64(
                columns
                    .iter()
                    .map(|c| order.iter().map(|&i| value_at(c.values, i)).collect())
                    .collect(),
            ),
        };
        let sums = vec![vec![f64::NAN; n]; columns.len()];
        Ok(Self {
            index,
            plan,
            radius_m,
            values,
            sums,
            kernel: KernelChoice::best(),
            next_row: 0,
            next_slot: 0,
            done: 0,
        })
    }

    pub fn radius_m(&self) -> f64 {
        self.radius_m
    }

    /// The inner loop in use (by default the fastest this CPU has).
    pub fn kernel(&self) -> Kernel {
        self.kernel.kernel()
    }

    /// Chooses the inner loop (for tests and benchmarks: every kernel gives the same sums).
    pub fn set_kernel(&mut self, kernel: Kernel) -> Result<(), BufferSumError> {
        self.kernel = KernelChoice::of(kernel).ok_or(BufferSumError::KernelUnavailable {
            kernel: kernel.name(),
        })?;
        Ok(())
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
            let (cols, prefix) = match &self.values {
                SortedValues::Int { values, prefix } => {
                    (Cols::Int(&values[c0..c1]), Some(&prefix[c0..c1]))
                }
                SortedValues::F64(v) => (Cols::F64(&v[c0..c1]), None),
            };
            match self.kernel {
                #[cfg(target_arch = "x86_64")]
                KernelChoice::Avx2(k) => {
                    // SAFETY: `k` proves the CPU has AVX2.
                    unsafe { dispatch_avx2(k, &q, cols, prefix, out) }
                }
                KernelChoice::Lanes4 => {
                    dispatch(kernel::Lanes4::<LANES4_GROUP>, &q, cols, prefix, out)
                }
            }
            c0 = c1;
        }
    }
}

/// Which inner loop scores the points. Every choice gives the same sums for integer columns
/// (and the same up to the order of addition for others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// 4-lane vectors: simd128 in the browser, SSE2 on x86-64, plain Rust elsewhere.
    Lanes4,
    /// x86-64 with AVX2 (detected at run time): 8 lanes, two queries per register.
    Avx2,
}

impl Kernel {
    /// The kernels this CPU can run, fastest last.
    pub fn available() -> Vec<Kernel> {
        #[allow(unused_mut)]
        let mut v = vec![Kernel::Lanes4];
        #[cfg(target_arch = "x86_64")]
        if Avx2Kernel::detect().is_some() {
            v.push(Kernel::Avx2);
        }
        v
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Lanes4 => "lanes4",
            Kernel::Avx2 => "avx2",
        }
    }
}

/// A [`Kernel`] this CPU has (the AVX2 variant carries the detection's proof).
#[derive(Debug, Clone, Copy)]
enum KernelChoice {
    Lanes4,
    #[cfg(target_arch = "x86_64")]
    Avx2(Avx2Kernel),
}

/// Queries per group of the 4-lane kernel. Measured (docs/BENCHMARKS.md, wasm 1 M in Chromium,
/// same runs): single queries 0.65 s, groups of 2 0.48 s, of 4 0.59 s (the browser's compiler
/// runs out of registers).
const LANES4_GROUP: usize = 2;

/// The AVX2 kernel with its number of 8-lane registers per group (2 queries each). Measured
/// (native 1 M, same runs): 1 register 0.40 s, 2 registers 0.36 s; 2, 3, 4 registers 0.30,
/// 0.29, 0.33 s.
#[cfg(target_arch = "x86_64")]
type Avx2Kernel = kernel::avx2::Avx2<2>;

impl KernelChoice {
    fn best() -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = Avx2Kernel::detect() {
            return KernelChoice::Avx2(k);
        }
        KernelChoice::Lanes4
    }

    fn of(kernel: Kernel) -> Option<Self> {
        match kernel {
            Kernel::Lanes4 => Some(KernelChoice::Lanes4),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => Avx2Kernel::detect().map(KernelChoice::Avx2),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 => None,
        }
    }

    fn kernel(self) -> Kernel {
        match self {
            KernelChoice::Lanes4 => Kernel::Lanes4,
            #[cfg(target_arch = "x86_64")]
            KernelChoice::Avx2(_) => Kernel::Avx2,
        }
    }
}

/// Up to 4 value columns in slot order.
#[derive(Clone, Copy)]
enum Cols<'a> {
    Int(&'a [Vec<i32>]),
    F64(&'a [Vec<f64>]),
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

/// [`dispatch`] compiled with AVX2 enabled, so the [`kernel::avx2`] intrinsics inline.
///
/// # Safety
/// The CPU must have AVX2 (`k` proves it).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dispatch_avx2(
    k: Avx2Kernel,
    q: &Query<'_>,
    cols: Cols<'_>,
    prefix: Option<&[Vec<i32>]>,
    out: &mut [Vec<f64>],
) {
    dispatch(k, q, cols, prefix, out)
}

#[inline(always)]
fn dispatch<K: kernel::Isa>(
    k: K,
    q: &Query<'_>,
    cols: Cols<'_>,
    prefix: Option<&[Vec<i32>]>,
    out: &mut [Vec<f64>],
) {
    #[inline(always)]
    fn by_count<K: kernel::Isa, A: kernel::Acc<K>>(
        k: K,
        q: &Query<'_>,
        cols: &[Vec<A::Elem>],
        prefix: Option<&[Vec<i32>]>,
        out: &mut [Vec<f64>],
    ) {
        fn arr<T, const C: usize>(v: &[Vec<T>]) -> [&[T]; C] {
            std::array::from_fn(|c| v[c].as_slice())
        }
        match cols.len() {
            1 => score_points::<K, A, 1>(k, q, arr(cols), prefix.map(arr), out),
            2 => score_points::<K, A, 2>(k, q, arr(cols), prefix.map(arr), out),
            3 => score_points::<K, A, 3>(k, q, arr(cols), prefix.map(arr), out),
            _ => score_points::<K, A, 4>(k, q, arr(cols), prefix.map(arr), out),
        }
    }
    match cols {
        Cols::Int(c) => by_count::<K, K::AccI>(k, q, c, prefix, out),
        Cols::F64(c) => by_count::<K, K::AccF>(k, q, c, prefix, out),
    }
}

/// The candidates of one neighbouring strip for the current query group, as slot pointers that
/// only move forward: slots `lo..hi` may be within R of some query of the group; the core
/// `clo..chi` (inside `lo..hi`) certainly is within R of all. The kernel works on the blocks of [`LANES`]
/// slots around these: the core's whole blocks come from prefix sums, every other block of the
/// window is tested point by point.
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

#[inline(always)]
fn score_points<K: kernel::Isa, A: kernel::Acc<K>, const C: usize>(
    k: K,
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
    let mut ambiguous: [Vec<u32>; kernel::MAX_GROUP] = std::array::from_fn(|_| Vec::new());
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
            let kk = band * width + (o + m) as usize;
            let hw = plan.half_width[kk];
            if slots.is_empty() || hw < 0.0 {
                continue;
            }
            let lo = slots.start + xf[slots.clone()].partition_point(|&x| x < qx0 - hw);
            let core_hw = if prefix.is_some() {
                plan.core_half_width[kk]
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
        // The queries a group at a time, in x order: the first one's window starts first, the
        // last one's ends last; a short last group repeats its last query.
        for group in queries.chunks(K::GROUP) {
            let g_len = group.len();
            let sq: [usize; kernel::MAX_GROUP] =
                std::array::from_fn(|i| group[i.min(g_len - 1)] as usize);
            let (qxa, qxb) = (xf[sq[0]], xf[sq[g_len - 1]]);
            let mut acc = [A::zero(k); C];
            let mut core = [0i32; C];
            for st in strips.iter_mut() {
                // SAFETY (advance): every pointer stays within its strip's points (lo <= hi <=
                // end, and clo, chi between lo and hi); each strip is padded to a whole block
                // and two more blocks follow the last strip.
                st.lo = unsafe { k.advance(xf, st.lo, st.end, qxa - st.hw, false) };
                st.hi = unsafe { k.advance(xf, st.hi.max(st.lo), st.end, qxb + st.hw, true) };
                let g = k.geo(&kernel::QueryGroup {
                    qx: sq.map(|s| xf[s]),
                    qy: sq.map(|s| yf[s] + st.y_off),
                    r2_lo: plan.r2_lo,
                    r2_hi: plan.r2_hi,
                });
                // The window's blocks: from the one holding `lo` to the one holding `hi - 1`.
                let (lo_b, hi_b) = (st.lo / LANES, st.hi.div_ceil(LANES));
                // The blocks summed from prefix sums (none without a core): within R of the last
                // query from the left and of the first from the right, so of all.
                let mut skip = (hi_b, hi_b);
                if let Some(prefix) = prefix.filter(|_| st.core_hw >= 0.0) {
                    // SAFETY: as above.
                    st.clo =
                        unsafe { k.advance(xf, st.clo.max(st.lo), st.hi, qxb - st.core_hw, false) };
                    // SAFETY: as above.
                    st.chi =
                        unsafe { k.advance(xf, st.chi.max(st.clo), st.hi, qxa + st.core_hw, true) };
                    // The core's whole blocks (none when it is shorter than a block).
                    let clo_b = st.clo.div_ceil(LANES);
                    let chi_b = (st.chi / LANES).max(clo_b);
                    let (a, b) = (clo_b * LANES, chi_b * LANES);
                    for c in 0..C {
                        core[c] = core[c].wrapping_add(prefix[c][b].wrapping_sub(prefix[c][a]));
                    }
                    skip = (clo_b, chi_b);
                }
                // SAFETY: lo_b <= skip.0 <= skip.1 <= hi_b <= the strip's last block; xf, yf
                // and the value columns (asserted above) hold every block of every strip.
                acc = unsafe {
                    kernel::blocks::<K, A, C>(
                        k,
                        &g,
                        (xf.as_ptr(), yf.as_ptr()),
                        &col_ptrs,
                        lo_b,
                        skip,
                        hi_b,
                        acc,
                        &mut ambiguous,
                    )
                };
            }
            let sums = acc.map(|a| a.sums(k));
            for (which, &s) in sq.iter().enumerate().take(g_len) {
                let qi = order[s] as usize;
                let mut extra = [0.0f64; C];
                for &j in &ambiguous[which] {
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
                for c in 0..C {
                    out[c][qi] = sums[c][which] + f64::from(core[c]) + extra[c];
                }
            }
            for a in &mut ambiguous {
                a.clear();
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

mod kernel;

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
        let layouts = [(1.0, 1), (2.0, 3), (3.0, 1), (3.0, 4), (4.0, 2), (4.0, 7)];
        for (kernel, (strips, bands)) in Kernel::available()
            .into_iter()
            .flat_map(|k| layouts.map(|l| (k, l)))
        {
            let mut job =
                BufferSumJob::with_layout(x, y, &named, r, missing, strips, bands).unwrap();
            job.set_kernel(kernel).unwrap();
            // Small chunks exercise resuming in the middle of a strip.
            while job.step(x, y, 7) < 1.0 {}
            let got = job.finish().unwrap();
            for c in 0..cols.len() {
                for i in 0..x.len() {
                    assert_eq!(
                        got[c][i].to_bits(),
                        want[c][i].to_bits(),
                        "{kernel:?} strips {strips} bands {bands} column {c} row {i}: {} vs {}",
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

    /// Runs `f` with every kernel this CPU has, and with the 4-lane kernel at each group size.
    fn for_each_isa(f: &mut dyn FnMut(&dyn KernelCases)) {
        f(&kernel::Lanes4::<1>);
        f(&kernel::Lanes4::<2>);
        f(&kernel::Lanes4::<4>);
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = kernel::avx2::Avx2::<1>::detect() {
            f(&k);
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = kernel::avx2::Avx2::<2>::detect() {
            f(&k);
        }
    }

    /// The kernel-level checks, written once for any instruction set.
    trait KernelCases {
        fn name(&self) -> String;
        fn group(&self) -> usize;
        /// (sums per query, band slots per query) over blocks `lo..hi` except `skip`.
        fn blocks(
            &self,
            data: (&[f32], &[f32], &[i32]),
            q: &kernel::QueryGroup,
            range: (usize, (usize, usize), usize),
        ) -> ([f64; kernel::MAX_GROUP], [Vec<u32>; kernel::MAX_GROUP]);
        fn advance(&self, xf: &[f32], pos: usize, end: usize, bound: f32, inclusive: bool)
            -> usize;
    }

    impl<K: kernel::Isa + std::fmt::Debug> KernelCases for K {
        fn name(&self) -> String {
            format!("{self:?} (group {})", K::GROUP)
        }
        fn group(&self) -> usize {
            K::GROUP
        }
        fn blocks(
            &self,
            (xf, yf, values): (&[f32], &[f32], &[i32]),
            q: &kernel::QueryGroup,
            (lo, skip, hi): (usize, (usize, usize), usize),
        ) -> ([f64; kernel::MAX_GROUP], [Vec<u32>; kernel::MAX_GROUP]) {
            use kernel::Acc;
            assert!(LANES * hi <= xf.len().min(yf.len()).min(values.len()));
            let mut ambiguous = std::array::from_fn(|_| Vec::new());
            let g = self.geo(q);
            // SAFETY: asserted above that every block up to `hi` is readable.
            let acc = unsafe {
                kernel::blocks::<K, K::AccI, 1>(
                    *self,
                    &g,
                    (xf.as_ptr(), yf.as_ptr()),
                    &[values.as_ptr()],
                    lo,
                    skip,
                    hi,
                    [K::AccI::zero(*self)],
                    &mut ambiguous,
                )
            };
            (acc[0].sums(*self), ambiguous)
        }
        fn advance(
            &self,
            xf: &[f32],
            pos: usize,
            end: usize,
            bound: f32,
            inclusive: bool,
        ) -> usize {
            assert!(pos <= end && end.next_multiple_of(LANES) + 2 * LANES <= xf.len());
            // SAFETY: asserted above.
            unsafe { kernel::Isa::advance(*self, xf, pos, end, bound, inclusive) }
        }
    }

    #[test]
    fn kernel_sorts_lanes_into_certain_band_and_outside() {
        // Two blocks: x 0..5 then NaN padding, y 0. Queries at x 0, 3, 1, 5 (y 0): squared
        // distances 0, 1, 4, 9 | 16, 25, NaN, NaN from the first, and so on. Certain:
        // d² <= 1.5; band: 1.5 < d² <= 16; outside: > 16 and NaN. Expected values are worked
        // out here lane by lane in f32, the way the kernel is specified.
        let nan = f32::NAN;
        let xf = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, nan, nan, nan, nan, nan, nan];
        let yf = [0.0; 12];
        let values: Vec<i32> = (0..12).map(|k| 1 << k).collect();
        let data = (&xf[..], &yf[..], &values[..]);
        let group = kernel::QueryGroup {
            qx: [0.0, 3.0, 1.0, 5.0],
            qy: [0.0; kernel::MAX_GROUP],
            r2_lo: 1.5,
            r2_hi: 16.0,
        };
        let expect = |g: usize, (lo, skip, hi): (usize, (usize, usize), usize)| {
            let mut sums = [0.0; kernel::MAX_GROUP];
            let mut band: [Vec<u32>; kernel::MAX_GROUP] = std::array::from_fn(|_| Vec::new());
            for q in 0..g {
                for b in (lo..skip.0).chain(skip.1..hi) {
                    for slot in b * LANES..(b + 1) * LANES {
                        let (dx, dy) = (group.qx[q] - xf[slot], group.qy[q] - yf[slot]);
                        let d2 = dx * dx + dy * dy;
                        if d2 <= group.r2_lo {
                            sums[q] += f64::from(values[slot]);
                        } else if d2 <= group.r2_hi {
                            band[q].push(slot as u32);
                        }
                    }
                }
            }
            (sums, band)
        };
        for_each_isa(&mut |k| {
            let g = k.group();
            // Both blocks; only the second (one band lane, found by the second pass over that
            // range); both but the first skipped (as a core is); both but the second skipped.
            for range in [
                (0, (2, 2), 2),
                (1, (1, 1), 2),
                (0, (0, 1), 2),
                (0, (1, 2), 2),
            ] {
                let got = k.blocks(data, &group, range);
                assert_eq!(got, expect(g, range), "{} blocks {range:?}", k.name());
            }
        });
        // The expectation itself, by hand for the first two queries over both blocks: query 0
        // has lanes 0, 1 certain (1 + 2) and 2, 3, 4 in the band; query 1 (x 3) has lanes 2, 3,
        // 4 certain (4 + 8 + 16) and 0, 1, 5 in the band.
        let (sums, band) = expect(2, (0, (2, 2), 2));
        assert_eq!((sums[0], sums[1]), (3.0, 28.0));
        assert_eq!((&band[0], &band[1]), (&vec![2, 3, 4], &vec![0, 1, 5]));
    }

    #[test]
    fn advance_moves_past_many_equal_values_and_stops_at_the_end() {
        // 21 points (stacks of equal x), padded with NaN as the index does.
        let mut xf: Vec<f32> = (0..21).map(|i| (i / 5) as f32).collect();
        xf.resize(21usize.next_multiple_of(LANES) + 2 * LANES, f32::NAN);
        for_each_isa(&mut |k| {
            for (pos, bound, inclusive, want) in [
                (0, 0.0, false, 0),
                (0, 0.0, true, 5),
                (0, 3.0, false, 15),
                (0, 3.0, true, 20),
                (3, 10.0, true, 21),
                (7, 1.0, false, 7),
                (21, 10.0, false, 21),
            ] {
                let got = k.advance(&xf, pos, 21, bound, inclusive);
                assert_eq!(
                    got,
                    want,
                    "{} from {pos} to {bound} inclusive {inclusive}",
                    k.name()
                );
            }
            // A strip end before the padding: never past it.
            assert_eq!(k.advance(&xf, 0, 9, 10.0, true), 9, "{}", k.name());
        });
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
