//! The inner loops of the buffer sums, per instruction set. Same arithmetic everywhere: IEEE f32
//! `dx = qx - x; dy = qy - y; d2 = dx*dx + dy*dy` (no fused multiply-add), so every instruction
//! set sorts every candidate into the same one of "certainly within R", "rounding band" and
//! "outside".
//!
//! The query points of a strip are scored a group at a time ([`Isa::GROUP`] neighbours in x
//! order, so their windows nearly coincide): each block of [`LANES`] candidates is loaded once and
//! tested against every query of the group.
//! An instruction set is an [`Isa`] value; it doubles as the proof that the CPU has the
//! instructions (an [`avx2::Avx2`] exists only after runtime detection).

use super::LANES;

/// The most queries a group can hold.
pub const MAX_GROUP: usize = 4;

/// The query points of a group, in the frame of the strip being scanned (only the first
/// [`Isa::GROUP`] are used; a short group repeats its last point).
#[derive(Debug, Clone, Copy)]
pub struct QueryGroup {
    pub qx: [f32; MAX_GROUP],
    pub qy: [f32; MAX_GROUP],
    /// `d2 <= r2_lo`: certainly within R; `d2 <= r2_hi` but not `<= r2_lo`: the rounding band.
    pub r2_lo: f32,
    pub r2_hi: f32,
}

/// An instruction set for the group kernel.
pub trait Isa: Copy {
    /// Queries scored together (at most [`MAX_GROUP`]).
    const GROUP: usize;
    /// A [`QueryGroup`] in registers.
    type Geo: Copy;
    /// One bit per (query, lane): see [`Isa::bits`].
    type Mask: Copy;
    /// Accumulators of the group's queries for an `i32` and an `f64` column.
    type AccI: Acc<Self, Elem = i32>;
    type AccF: Acc<Self, Elem = f64>;

    fn geo(self, q: &QueryGroup) -> Self::Geo;
    /// The (certainly within, within or in the rounding band) masks of the block at `x`, `y`.
    ///
    /// # Safety
    /// `x..x + LANES` and `y..y + LANES` must be readable.
    unsafe fn eval(self, g: &Self::Geo, x: *const f32, y: *const f32) -> (Self::Mask, Self::Mask);
    /// `acc | (maybe ^ sure)`: lanes in the rounding band.
    fn band_or(self, acc: Self::Mask, sure: Self::Mask, maybe: Self::Mask) -> Self::Mask;
    fn no_lanes(self) -> Self::Mask;
    /// Bit `LANES * q + k`: lane `k` for query `q` of the group.
    fn bits(self, m: Self::Mask) -> u32;
    /// Moves `pos` forward over the x-sorted slots `pos..end` while `xf[pos] < bound` (or `<=`
    /// with `inclusive`), 8 slots per step: the advance is the number of leading lanes that
    /// pass. (Usually one step, so the loop's branch is predictable.)
    ///
    /// # Safety
    /// `pos <= end`, and `xf` must be readable up to `end.next_multiple_of(LANES) + 2 * LANES`.
    unsafe fn advance(
        self,
        xf: &[f32],
        pos: usize,
        end: usize,
        bound: f32,
        inclusive: bool,
    ) -> usize;
}

/// Per-lane sums of one column for every query of a group.
pub trait Acc<K: Isa>: Copy {
    type Elem: Copy;
    fn zero(k: K) -> Self;
    /// Adds the values `p[0..LANES]` of the lanes selected in `m`, each to its query's sums.
    ///
    /// # Safety
    /// `p..p + LANES` must be readable.
    unsafe fn add_masked(self, k: K, p: *const Self::Elem, m: K::Mask) -> Self;
    /// The sums of the group's queries (entries from [`Isa::GROUP`] on are 0).
    fn sums(self, k: K) -> [f64; MAX_GROUP];
    fn elem_f64(e: Self::Elem) -> f64;
}

/// Adds the values of the pairs certainly within R among the blocks `lo..hi` except
/// `skip.0..skip.1` (slots `LANES * b..LANES * (b + 1)`) to `acc`, and pushes the slots of
/// pairs in the rounding band onto `ambiguous[query]` (to be decided in f64). Padding (NaN) lanes
/// are neither. One loop jumps over the skipped blocks (a window's core), so a strip costs one
/// loop exit, not two.
///
/// # Safety
/// `lo <= skip.0 <= skip.1 <= hi`, and `xf`, `yf` and every column must be readable up to
/// `LANES * hi`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub unsafe fn blocks<K: Isa, A: Acc<K>, const C: usize>(
    k: K,
    g: &K::Geo,
    (xf, yf): (*const f32, *const f32),
    cols: &[*const A::Elem; C],
    lo: usize,
    skip: (usize, usize),
    hi: usize,
    mut acc: [A; C],
    ambiguous: &mut [Vec<u32>; MAX_GROUP],
) -> [A; C] {
    debug_assert!(lo <= skip.0 && skip.0 <= skip.1 && skip.1 <= hi);
    // Lanes in the rounding band are rare: collect them in a second pass over the range only if
    // there is one.
    let mut any_band = k.no_lanes();
    let mut b = if lo == skip.0 { skip.1 } else { lo };
    while b < hi {
        let base = b * LANES;
        // SAFETY: base + LANES <= LANES * hi, readable by the function's contract.
        let (sure, maybe) = unsafe { k.eval(g, xf.add(base), yf.add(base)) };
        for c in 0..C {
            // SAFETY: as above.
            acc[c] = unsafe { acc[c].add_masked(k, cols[c].add(base), sure) };
        }
        any_band = k.band_or(any_band, sure, maybe);
        b += 1;
        b = if b == skip.0 { skip.1 } else { b };
    }
    if k.bits(any_band) != 0 {
        for b in (lo..skip.0).chain(skip.1..hi) {
            let base = b * LANES;
            // SAFETY: as above.
            let (sure, maybe) = unsafe { k.eval(g, xf.add(base), yf.add(base)) };
            let mut bits = k.bits(k.band_or(k.no_lanes(), sure, maybe));
            while bits != 0 {
                let t = bits.trailing_zeros() as usize;
                ambiguous[t / LANES].push((base + t % LANES) as u32);
                bits &= bits - 1;
            }
        }
    }
    acc
}

/// 4-lane vectors: simd128 on wasm, SSE2 (the x86-64 baseline) on x86-64, plain arrays elsewhere.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes4 {
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
    pub fn no_lanes() -> M4 {
        i32x4_splat(0)
    }
    #[inline(always)]
    pub fn bitmask(m: M4) -> u32 {
        u32::from(i32x4_bitmask(m))
    }
    impl super::Acc4 for I4 {
        type Elem = i32;
        #[inline(always)]
        fn zero() -> Self {
            I4(i32x4_splat(0))
        }
        /// # Safety
        /// `p..p + 4` must be readable.
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
    }
    impl super::Acc4 for D2 {
        type Elem = f64;
        #[inline(always)]
        fn zero() -> Self {
            D2(f64x2_splat(0.0))
        }
        /// # Safety
        /// `p..p + 4` must be readable.
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
    }
}

// SSE2 is part of the x86-64 baseline, so these intrinsics are always available; the `unsafe`
// blocks assert that (and, for loads, the caller's bounds guarantee).
#[cfg(target_arch = "x86_64")]
#[allow(unused_unsafe)]
mod lanes4 {
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
    pub fn no_lanes() -> M4 {
        // SAFETY: SSE2 baseline.
        unsafe { _mm_setzero_ps() }
    }
    #[inline(always)]
    pub fn bitmask(m: M4) -> u32 {
        // SAFETY: SSE2 baseline.
        unsafe { _mm_movemask_ps(m) as u32 }
    }
    impl super::Acc4 for I4 {
        type Elem = i32;
        #[inline(always)]
        fn zero() -> Self {
            // SAFETY: SSE2 baseline.
            I4(unsafe { _mm_setzero_si128() })
        }
        /// # Safety
        /// `p..p + 4` must be readable.
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
    }
    impl super::Acc4 for D2 {
        type Elem = f64;
        #[inline(always)]
        fn zero() -> Self {
            // SAFETY: SSE2 baseline.
            D2(unsafe { _mm_setzero_pd() })
        }
        /// # Safety
        /// `p..p + 4` must be readable.
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
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
mod lanes4 {
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
    pub fn no_lanes() -> M4 {
        [false; 4]
    }
    pub fn bitmask(m: M4) -> u32 {
        (0..4).map(|k| u32::from(m[k]) << k).sum()
    }
    impl super::Acc4 for I4 {
        type Elem = i32;
        fn zero() -> Self {
            I4([0; 4])
        }
        /// # Safety
        /// `p..p + 4` must be readable.
        unsafe fn add_masked(mut self, p: *const i32, m: M4) -> Self {
            for k in 0..4 {
                if m[k] {
                    // SAFETY: the caller guarantees 4 readable lanes.
                    self.0[k] = self.0[k].wrapping_add(unsafe { *p.add(k) });
                }
            }
            self
        }
        fn sum(self) -> f64 {
            self.0.iter().map(|&v| i64::from(v)).sum::<i64>() as f64
        }
    }
    impl super::Acc4 for D2 {
        type Elem = f64;
        fn zero() -> Self {
            D2([0.0; 2])
        }
        /// # Safety
        /// `p..p + 4` must be readable.
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
    }
}

/// The group kernel on 4-lane vectors: the block is loaded once and tested against each of the
/// `G` queries in its own 4 lanes. Available everywhere.
#[derive(Debug, Clone, Copy)]
pub struct Lanes4<const G: usize>;

#[derive(Clone, Copy)]
pub struct Lanes4Geo<const G: usize> {
    qx: [lanes4::F4; G],
    qy: [lanes4::F4; G],
    r2_lo: lanes4::F4,
    r2_hi: lanes4::F4,
}

impl<const G: usize> Isa for Lanes4<G> {
    const GROUP: usize = G;
    type Geo = Lanes4Geo<G>;
    type Mask = [lanes4::M4; G];
    type AccI = [lanes4::I4; G];
    type AccF = [lanes4::D2; G];

    #[inline(always)]
    fn geo(self, q: &QueryGroup) -> Lanes4Geo<G> {
        use lanes4::splat;
        Lanes4Geo {
            qx: std::array::from_fn(|i| splat(q.qx[i])),
            qy: std::array::from_fn(|i| splat(q.qy[i])),
            r2_lo: splat(q.r2_lo),
            r2_hi: splat(q.r2_hi),
        }
    }
    #[inline(always)]
    unsafe fn eval(
        self,
        g: &Lanes4Geo<G>,
        x: *const f32,
        y: *const f32,
    ) -> (Self::Mask, Self::Mask) {
        use lanes4::{d2, le, load};
        // SAFETY: the caller guarantees LANES readable values at x and y.
        let (xv, yv) = unsafe { (load(x), load(y)) };
        let d: [lanes4::F4; G] = std::array::from_fn(|i| d2(g.qx[i], g.qy[i], xv, yv));
        (d.map(|d| le(d, g.r2_lo)), d.map(|d| le(d, g.r2_hi)))
    }
    #[inline(always)]
    fn band_or(self, acc: Self::Mask, sure: Self::Mask, maybe: Self::Mask) -> Self::Mask {
        use lanes4::{or, xor};
        std::array::from_fn(|i| or(acc[i], xor(maybe[i], sure[i])))
    }
    #[inline(always)]
    fn no_lanes(self) -> Self::Mask {
        [lanes4::no_lanes(); G]
    }
    #[inline(always)]
    fn bits(self, m: Self::Mask) -> u32 {
        let mut bits = 0;
        for (i, m) in m.into_iter().enumerate() {
            bits |= lanes4::bitmask(m) << (LANES * i);
        }
        bits
    }
    #[inline(always)]
    unsafe fn advance(
        self,
        xf: &[f32],
        mut pos: usize,
        end: usize,
        bound: f32,
        inclusive: bool,
    ) -> usize {
        use lanes4::{bitmask, le, load, lt, splat};
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
}

/// The group's sums in a [`MAX_GROUP`] array.
#[inline(always)]
fn spread<const G: usize>(sums: [f64; G]) -> [f64; MAX_GROUP] {
    std::array::from_fn(|i| if i < G { sums[i] } else { 0.0 })
}

/// A 4-lane accumulator of one column for one query: `lanes4::I4` (i32) or `lanes4::D2` (f64).
pub trait Acc4: Copy {
    type Elem: Copy + Into<f64>;
    fn zero() -> Self;
    /// Adds the values `p[0..4]` of the lanes selected in `m`.
    ///
    /// # Safety
    /// `p..p + 4` must be readable.
    unsafe fn add_masked(self, p: *const Self::Elem, m: lanes4::M4) -> Self;
    fn sum(self) -> f64;
}

impl<const G: usize, T: Acc4> Acc<Lanes4<G>> for [T; G] {
    type Elem = T::Elem;
    #[inline(always)]
    fn zero(_: Lanes4<G>) -> Self {
        [T::zero(); G]
    }
    #[inline(always)]
    unsafe fn add_masked(self, _: Lanes4<G>, p: *const T::Elem, m: [lanes4::M4; G]) -> Self {
        // SAFETY: the caller guarantees LANES readable values.
        std::array::from_fn(|i| unsafe { self[i].add_masked(p, m[i]) })
    }
    #[inline(always)]
    fn sums(self, _: Lanes4<G>) -> [f64; MAX_GROUP] {
        spread(self.map(T::sum))
    }
    #[inline(always)]
    fn elem_f64(e: T::Elem) -> f64 {
        e.into()
    }
}

/// The group kernel on x86-64 with AVX2: two queries per 8-lane register (the block broadcast
/// to both halves), `H` registers, so one instruction tests 4 candidates against 2 queries.
#[cfg(target_arch = "x86_64")]
pub mod avx2 {
    use super::{Acc, Isa, QueryGroup, LANES, MAX_GROUP};
    use core::arch::x86_64::*;

    /// Proof that the CPU has AVX2: only [`Avx2::detect`] makes one. Its methods must run inside
    /// a `#[target_feature(enable = "avx2")]` function so that their intrinsics are inlined.
    #[derive(Debug, Clone, Copy)]
    pub struct Avx2<const H: usize>(());

    impl<const H: usize> Avx2<H> {
        pub fn detect() -> Option<Self> {
            is_x86_feature_detected!("avx2").then_some(Avx2(()))
        }
    }

    #[derive(Clone, Copy)]
    pub struct Geo<const H: usize> {
        qx: [__m256; H],
        qy: [__m256; H],
        r2_lo: __m256,
        r2_hi: __m256,
    }

    /// `i32` sums: register `h`, lanes 0–3 for query `2h`, 4–7 for query `2h + 1`.
    #[derive(Clone, Copy)]
    pub struct I8<const H: usize>([__m256i; H]);
    /// `f64` sums: one register of 4 lanes per query.
    #[derive(Clone, Copy)]
    pub struct F8<const H: usize>([[__m256d; 2]; H]);

    // SAFETY (every `unsafe` block below that only calls intrinsics): an `Avx2` value exists
    // only when the CPU has AVX2 (`detect`).
    #[allow(unused_unsafe)]
    impl<const H: usize> Isa for Avx2<H> {
        const GROUP: usize = 2 * H;
        type Geo = Geo<H>;
        type Mask = [__m256; H];
        type AccI = I8<H>;
        type AccF = F8<H>;

        #[inline(always)]
        fn geo(self, q: &QueryGroup) -> Geo<H> {
            // (No closures here or below: a closure would not inherit AVX2 and its intrinsics
            // would become calls.)
            // SAFETY: AVX2 present (see above).
            unsafe {
                let mut g = Geo {
                    qx: [_mm256_setzero_ps(); H],
                    qy: [_mm256_setzero_ps(); H],
                    r2_lo: _mm256_set1_ps(q.r2_lo),
                    r2_hi: _mm256_set1_ps(q.r2_hi),
                };
                for h in 0..H {
                    let (a, b) = (2 * h, 2 * h + 1);
                    g.qx[h] = _mm256_set_m128(_mm_set1_ps(q.qx[b]), _mm_set1_ps(q.qx[a]));
                    g.qy[h] = _mm256_set_m128(_mm_set1_ps(q.qy[b]), _mm_set1_ps(q.qy[a]));
                }
                g
            }
        }
        #[inline(always)]
        unsafe fn eval(
            self,
            g: &Geo<H>,
            x: *const f32,
            y: *const f32,
        ) -> ([__m256; H], [__m256; H]) {
            // SAFETY: the caller guarantees LANES readable values at x and y; AVX2 present.
            unsafe {
                let xl = _mm_loadu_ps(x);
                let yl = _mm_loadu_ps(y);
                let (xv, yv) = (_mm256_set_m128(xl, xl), _mm256_set_m128(yl, yl));
                let mut sure = [_mm256_setzero_ps(); H];
                let mut maybe = [_mm256_setzero_ps(); H];
                for h in 0..H {
                    let dx = _mm256_sub_ps(g.qx[h], xv);
                    let dy = _mm256_sub_ps(g.qy[h], yv);
                    let d = _mm256_add_ps(_mm256_mul_ps(dx, dx), _mm256_mul_ps(dy, dy));
                    sure[h] = _mm256_cmp_ps::<_CMP_LE_OQ>(d, g.r2_lo);
                    maybe[h] = _mm256_cmp_ps::<_CMP_LE_OQ>(d, g.r2_hi);
                }
                (sure, maybe)
            }
        }
        #[inline(always)]
        fn band_or(self, acc: [__m256; H], sure: [__m256; H], maybe: [__m256; H]) -> [__m256; H] {
            let mut out = acc;
            for h in 0..H {
                // SAFETY: AVX2 present.
                out[h] = unsafe { _mm256_or_ps(acc[h], _mm256_xor_ps(maybe[h], sure[h])) };
            }
            out
        }
        #[inline(always)]
        fn no_lanes(self) -> [__m256; H] {
            // SAFETY: AVX2 present.
            unsafe { [_mm256_setzero_ps(); H] }
        }
        #[inline(always)]
        fn bits(self, m: [__m256; H]) -> u32 {
            let mut bits = 0;
            for (h, m) in m.into_iter().enumerate() {
                // SAFETY: AVX2 present.
                bits |= (unsafe { _mm256_movemask_ps(m) } as u32) << (2 * LANES * h);
            }
            bits
        }
        #[inline(always)]
        unsafe fn advance(
            self,
            xf: &[f32],
            mut pos: usize,
            end: usize,
            bound: f32,
            inclusive: bool,
        ) -> usize {
            // SAFETY: AVX2 present; pos < end inside the loop, so pos + 8 is within the padding.
            unsafe {
                let b = _mm256_set1_ps(bound);
                while pos < end {
                    let v = _mm256_loadu_ps(xf.as_ptr().add(pos));
                    let m = if inclusive {
                        _mm256_cmp_ps::<_CMP_LE_OQ>(v, b)
                    } else {
                        _mm256_cmp_ps::<_CMP_LT_OQ>(v, b)
                    };
                    let n = (!(_mm256_movemask_ps(m) as u32)).trailing_zeros() as usize;
                    pos += n;
                    if n < 2 * LANES {
                        break;
                    }
                }
            }
            pos.min(end)
        }
    }

    #[allow(unused_unsafe)]
    impl<const H: usize> Acc<Avx2<H>> for I8<H> {
        type Elem = i32;
        #[inline(always)]
        fn zero(_: Avx2<H>) -> Self {
            // SAFETY: AVX2 present.
            I8(unsafe { [_mm256_setzero_si256(); H] })
        }
        #[inline(always)]
        unsafe fn add_masked(self, _: Avx2<H>, p: *const i32, m: [__m256; H]) -> Self {
            // SAFETY: the caller guarantees LANES readable values; AVX2 present.
            unsafe {
                let v = _mm_loadu_si128(p as *const __m128i);
                let v = _mm256_set_m128i(v, v);
                let mut acc = self.0;
                for h in 0..H {
                    let add = _mm256_and_si256(v, _mm256_castps_si256(m[h]));
                    acc[h] = _mm256_add_epi32(acc[h], add);
                }
                I8(acc)
            }
        }
        #[inline(always)]
        fn sums(self, _: Avx2<H>) -> [f64; MAX_GROUP] {
            let mut out = [0.0; MAX_GROUP];
            for (h, v) in self.0.into_iter().enumerate() {
                let mut a = [0i32; 8];
                // SAFETY: `a` has room for 8 lanes; AVX2 present.
                unsafe { _mm256_storeu_si256(a.as_mut_ptr() as *mut __m256i, v) };
                for (q, half) in a.chunks(LANES).enumerate() {
                    out[2 * h + q] = half.iter().map(|&v| i64::from(v)).sum::<i64>() as f64;
                }
            }
            out
        }
        #[inline(always)]
        fn elem_f64(e: i32) -> f64 {
            f64::from(e)
        }
    }

    #[allow(unused_unsafe)]
    impl<const H: usize> Acc<Avx2<H>> for F8<H> {
        type Elem = f64;
        #[inline(always)]
        fn zero(_: Avx2<H>) -> Self {
            // SAFETY: AVX2 present.
            F8(unsafe { [[_mm256_setzero_pd(); 2]; H] })
        }
        #[inline(always)]
        unsafe fn add_masked(self, _: Avx2<H>, p: *const f64, m: [__m256; H]) -> Self {
            // SAFETY: the caller guarantees LANES readable values; AVX2 present.
            unsafe {
                let v = _mm256_loadu_pd(p);
                let mut acc = self.0;
                for h in 0..H {
                    let m = _mm256_castps_si256(m[h]);
                    let ma = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(m)));
                    let mb = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(
                        _mm256_extracti128_si256::<1>(m),
                    ));
                    acc[h][0] = _mm256_add_pd(acc[h][0], _mm256_and_pd(v, ma));
                    acc[h][1] = _mm256_add_pd(acc[h][1], _mm256_and_pd(v, mb));
                }
                F8(acc)
            }
        }
        #[inline(always)]
        fn sums(self, _: Avx2<H>) -> [f64; MAX_GROUP] {
            let mut out = [0.0; MAX_GROUP];
            for (h, pair) in self.0.into_iter().enumerate() {
                for (q, v) in pair.into_iter().enumerate() {
                    let mut a = [0f64; 4];
                    // SAFETY: `a` has room for 4 lanes; AVX2 present.
                    unsafe { _mm256_storeu_pd(a.as_mut_ptr(), v) };
                    out[2 * h + q] = (a[0] + a[1]) + (a[2] + a[3]);
                }
            }
            out
        }
        #[inline(always)]
        fn elem_f64(e: f64) -> f64 {
            e
        }
    }
}
