//! The locations within a radius of one point, found through a [`GridIndex`] and decided exactly
//! in `f64` (`dx*dx + dy*dy <= R*R`, the same test the buffer sums and their brute force use).
//!
//! The buffer-sum kernel answers "for every location"; this answers "for this one point" — what an
//! edit (a scenario change at one location) or a candidate dwelling (a placement check) needs.
//! Because `d(i, j)` computed in `f64` is symmetric, the locations whose buffer contains `j` are
//! exactly the locations within R of `j`.

use super::grid_index::GridIndex;

/// Margin (m) added to the x window and strip range before the exact test: covers the `f32`
/// rounding of the index's stored x (well under a metre for RD coordinates).
const WINDOW_MARGIN_M: f64 = 1.0;

/// Calls `visit(row)` for every indexed row within `radius_m` of `(qx_rd, qy_rd)`, in no
/// particular order. `x_rd`/`y_rd` are the coordinates the index was built from.
pub fn for_each_within(
    index: &GridIndex,
    x_rd: &[f64],
    y_rd: &[f64],
    qx_rd: f64,
    qy_rd: f64,
    radius_m: f64,
    mut visit: impl FnMut(usize),
) {
    let usable = radius_m >= 0.0 && qx_rd.is_finite() && qy_rd.is_finite();
    if index.is_empty() || !usable {
        return;
    }
    let r2 = radius_m * radius_m;
    let reach = radius_m + WINDOW_MARGIN_M;
    let strip = index.strip_m();
    let n_rows = index.n_rows();
    // Strips whose y range can meet [qy − reach, qy + reach].
    let first = ((qy_rd - reach - index.row_origin(0)) / strip).floor();
    let last = ((qy_rd + reach - index.row_origin(0)) / strip).floor();
    if last < 0.0 || first >= n_rows as f64 {
        return;
    }
    let first = first.max(0.0) as usize;
    let last = (last as usize).min(n_rows - 1);
    let (lo, hi) = (
        index.x_to_frame(qx_rd - reach),
        index.x_to_frame(qx_rd + reach),
    );
    let xf = index.xf();
    let order = index.order();
    for r in first..=last {
        let slots = index.row_slots(r);
        let row_x = &xf[slots.clone()];
        // Within a strip the slots are sorted by x.
        let a = slots.start + row_x.partition_point(|&x| x < lo);
        let b = slots.start + row_x.partition_point(|&x| x <= hi);
        for &row in &order[a..b] {
            let j = row as usize;
            let dx = x_rd[j] - qx_rd;
            let dy = y_rd[j] - qy_rd;
            if dx * dx + dy * dy <= r2 {
                visit(j);
            }
        }
    }
}

/// The rows within `radius_m` of `(qx_rd, qy_rd)`, sorted.
pub fn rows_within(
    index: &GridIndex,
    x_rd: &[f64],
    y_rd: &[f64],
    qx_rd: f64,
    qy_rd: f64,
    radius_m: f64,
) -> Vec<u32> {
    let mut rows = Vec::new();
    for_each_within(index, x_rd, y_rd, qx_rd, qy_rd, radius_m, |j| {
        rows.push(j as u32)
    });
    rows.sort_unstable();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::synthetic::SplitMix64;

    fn brute(x: &[f64], y: &[f64], qx: f64, qy: f64, r: f64) -> Vec<u32> {
        (0..x.len())
            .filter(|&j| {
                let (dx, dy) = (x[j] - qx, y[j] - qy);
                dx * dx + dy * dy <= r * r
            })
            .map(|j| j as u32)
            .collect()
    }

    #[test]
    fn equals_brute_force_on_random_points_and_queries() {
        let mut rng = SplitMix64::new(7);
        let n = 3_000;
        let x: Vec<f64> = (0..n).map(|_| 90_000.0 + 3_000.0 * rng.unit()).collect();
        let y: Vec<f64> = (0..n).map(|_| 430_000.0 + 2_000.0 * rng.unit()).collect();
        for strip in [50.0, 66.7, 200.0, 1_000.0] {
            let index = GridIndex::build(&x, &y, None, strip).unwrap();
            for q in 0..200 {
                // Half the queries at data points, half anywhere (also outside the data).
                let (qx, qy) = if q % 2 == 0 {
                    (x[q * 7], y[q * 7])
                } else {
                    (
                        89_500.0 + 4_000.0 * rng.unit(),
                        429_500.0 + 3_000.0 * rng.unit(),
                    )
                };
                for r in [0.0, 50.0, 200.0, 750.0] {
                    assert_eq!(
                        rows_within(&index, &x, &y, qx, qy, r),
                        brute(&x, &y, qx, qy, r),
                        "strip {strip} query {q} radius {r}"
                    );
                }
            }
        }
    }

    #[test]
    fn points_exactly_at_the_radius_are_inside() {
        // 3-4-5 triangles: distance exactly 200 m, exact in f64. Rows 4 and 5 lie just outside
        // (200.5 m; 160² + 120.5² = 40 120.25 > 200²).
        let x = [
            100_000.0, 100_120.0, 99_880.0, 100_000.0, 100_000.0, 100_160.0,
        ];
        let y = [
            450_000.0, 450_160.0, 449_840.0, 450_200.0, 450_200.5, 450_120.5,
        ];
        let index = GridIndex::build(&x, &y, None, 66.0).unwrap();
        assert_eq!(
            rows_within(&index, &x, &y, 100_000.0, 450_000.0, 200.0),
            vec![0, 1, 2, 3]
        );
    }

    #[test]
    fn left_out_rows_are_not_visited() {
        let x = [0.0, 10.0, 20.0];
        let y = [0.0, 0.0, 0.0];
        let keep = [true, false, true];
        let index = GridIndex::build(&x, &y, Some(&keep), 100.0).unwrap();
        assert_eq!(rows_within(&index, &x, &y, 10.0, 0.0, 50.0), vec![0, 2]);
    }
}
