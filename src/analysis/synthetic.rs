//! Seeded synthetic locations shaped like Dutch towns, for benchmarks and scale tests: towns of
//! Pareto-distributed size scattered over an RD box, each a disc of addresses whose density falls
//! off from the centre, with stacked apartments (several addresses at one point). The density is
//! calibrated so that a location has about 260 others within 200 m on average (measured by
//! `mean_neighbours_near_target` below), like the urban addresses the engine is built for.
//!
//! Columns (all integer counts): `woningen` (dwellings at the address, 1–4),
//! `corporatie` (of which owned by a corporation; the share varies by town and neighbourhood),
//! `uitkering` (persons on benefit, 0–3).

use super::table::LocationTable;

/// Addresses per m² at a town centre; see the module docs for how it was calibrated.
pub const CENTRE_DENSITY_PER_M2: f64 = 0.0032;

/// A small deterministic generator (SplitMix64); no dependency, same stream on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` synthetic town-shaped locations from `seed` (see the module docs); ids "1", "2", ….
pub fn synthetic_towns(n: usize, seed: u64) -> LocationTable {
    generate(n, seed, true)
}

fn generate(n: usize, seed: u64, with_ids: bool) -> LocationTable {
    let mut rng = SplitMix64::new(seed);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut woningen = Vec::with_capacity(n);
    let mut corporatie = Vec::with_capacity(n);
    let mut uitkering = Vec::with_capacity(n);
    // Towns cover about a tenth of a square box; 8 M locations span roughly the Netherlands.
    let side_m = (n as f64 / CENTRE_DENSITY_PER_M2 * 12.0)
        .sqrt()
        .max(2_000.0);
    let (x0, y0) = (13_000.0, 306_000.0);
    let max_town = (n / 5).max(500) as f64;
    while x.len() < n {
        // Pareto(α = 1.1) sizes between 300 and n/5.
        let size = (300.0 / (1.0 - rng.unit()).powf(1.0 / 1.1)).min(max_town) as usize;
        let size = size.min(n - x.len());
        let density = CENTRE_DENSITY_PER_M2 * (0.7 + 0.6 * rng.unit());
        // Density ∝ (1 − (ρ/r)²) has mean density half the centre's: area = n / (density / 2).
        let radius = (2.0 * size as f64 / (std::f64::consts::PI * density)).sqrt();
        let (cx, cy) = (x0 + side_m * rng.unit(), y0 + side_m * rng.unit());
        let p_corp = 0.05 + 0.45 * rng.unit();
        let mut k = 0;
        while k < size {
            // Radius with density ∝ 1 − (ρ/r)²: invert the CDF 2u − u² (u = (ρ/r)²).
            let u = 1.0 - (1.0 - rng.unit()).sqrt();
            let rho = radius * u.sqrt();
            let a = rng.unit() * std::f64::consts::TAU;
            // Coordinates to the millimetre, like BAG addresses.
            let px = ((cx + rho * a.cos()) * 1000.0).round() / 1000.0;
            let py = ((cy + rho * a.sin()) * 1000.0).round() / 1000.0;
            // Neighbourhoods differ in corporation share.
            let local = p_corp * (1.0 + 0.8 * (px / 350.0).sin() * (py / 410.0).cos());
            // An apartment building: 1–12 addresses at the same point.
            let stack = if rng.unit() < 0.08 {
                1 + (rng.unit() * 12.0) as usize
            } else {
                1
            };
            for _ in 0..stack.min(size - k) {
                x.push(px);
                y.push(py);
                let w = 1 + (rng.unit().powi(6) * 4.0) as u32;
                let c = (0..w).filter(|_| rng.unit() < local).count();
                woningen.push(f64::from(w));
                corporatie.push(c as f64);
                uitkering.push((rng.unit().powi(4) * 4.0).floor());
                k += 1;
            }
        }
    }
    let mut t = LocationTable {
        x_rd: x,
        y_rd: y,
        ids: Vec::new(),
        columns: Vec::new(),
    };
    if with_ids {
        t.ids = (1..=n).map(|i| i.to_string()).collect();
    }
    for (name, values) in [
        ("woningen", woningen),
        ("corporatie", corporatie),
        ("uitkering", uitkering),
    ] {
        t.push_column(name, values)
            .expect("columns are built with one value per location");
    }
    t
}

/// Like [`synthetic_towns`] with empty ids (the benchmark measures memory per location; ids are
/// strings the engine never touches).
pub fn synthetic_towns_without_ids(n: usize, seed: u64) -> LocationTable {
    generate(n, seed, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::buffer_sum::{buffer_sums, MissingPolicy, SumColumn};

    #[test]
    fn is_deterministic_and_integer_valued() {
        let a = synthetic_towns(5000, 9);
        let b = synthetic_towns(5000, 9);
        assert_eq!(a, b);
        assert_ne!(a.x_rd, synthetic_towns(5000, 10).x_rd);
        assert_eq!(a.len(), 5000);
        for c in &a.columns {
            assert!(c.values.iter().all(|v| v.fract() == 0.0 && *v >= 0.0));
        }
        let w = &a.column("woningen").unwrap().values;
        let c = &a.column("corporatie").unwrap().values;
        assert!(w.iter().zip(c).all(|(w, c)| c <= w));
    }

    #[test]
    fn mean_neighbours_near_target() {
        let t = synthetic_towns(200_000, 1);
        let ones = vec![1.0; t.len()];
        let col = SumColumn {
            name: "one",
            values: &ones,
        };
        let sums =
            buffer_sums(&t.x_rd, &t.y_rd, &[col], 200.0, MissingPolicy::CountAsZero).unwrap();
        let mean = sums[0].iter().sum::<f64>() / t.len() as f64;
        eprintln!("mean neighbours {mean}");
        assert!((230.0..=290.0).contains(&mean), "mean neighbours {mean}");
    }
}
