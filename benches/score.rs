//! Native benchmark of the buffer-share scoring on seeded synthetic towns.
//!
//! `cargo bench --bench score -- [--n 1000000] [--radius-m 200] [--numerators 1] [--seed 1]
//! [--repeat 3] [--strips K] [--bands B] [--kernel lanes4,avx2]` prints one JSON object per case
//! on stdout (by default the fastest kernel this CPU has).
//! The time covers the index build and the scoring (`ScoreJob::new` … `finish`), not the
//! generation of the data.

use std::time::Instant;
use veerkracht::analysis::buffer_share::{ScoreJob, ScoreSettings};
use veerkracht::analysis::buffer_sum::{self, BufferSumJob, Kernel, MissingPolicy, SumColumn};
use veerkracht::analysis::synthetic::synthetic_towns_without_ids;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// CPU time of this thread in seconds (Linux: /proc/thread-self/schedstat), so figures taken on
/// a busy machine can be compared; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let list = |name: &str, default: &str| -> Vec<f64> {
        arg(&args, name)
            .unwrap_or_else(|| default.to_string())
            .split(',')
            .map(|v| v.parse().expect("a number"))
            .collect()
    };
    let ns = list("--n", "1000000");
    let radii = list("--radius-m", "200");
    let numerators = list("--numerators", "1");
    let seed: u64 = arg(&args, "--seed").map_or(1, |v| v.parse().expect("seed"));
    let repeat: usize = arg(&args, "--repeat").map_or(3, |v| v.parse().expect("repeat"));
    let strips: Option<f64> = arg(&args, "--strips").map(|v| v.parse().expect("strips"));
    let bands: Option<usize> = arg(&args, "--bands").map(|v| v.parse().expect("bands"));
    let kernels: Vec<Option<Kernel>> = match arg(&args, "--kernel") {
        None => vec![None],
        Some(list) => list
            .split(',')
            .map(|name| {
                let k = Kernel::available().into_iter().find(|k| k.name() == name);
                Some(k.unwrap_or_else(|| panic!("kernel {name} is not available on this CPU")))
            })
            .collect(),
    };
    let layout = (strips.is_some() || bands.is_some()).then(|| {
        (
            strips.unwrap_or(buffer_sum::STRIPS_PER_RADIUS),
            bands.unwrap_or(buffer_sum::QUERY_BANDS),
        )
    });
    for &n in &ns {
        let n = n as usize;
        let t0 = Instant::now();
        let table = synthetic_towns_without_ids(n, seed);
        let gen_s = t0.elapsed().as_secs_f64();
        for &r in &radii {
            for (&k, &kernel) in numerators
                .iter()
                .flat_map(|k| kernels.iter().map(move |c| (k, c)))
            {
                let nums: Vec<&str> =
                    ["corporatie", "uitkering", "woningen", "corporatie"][..k as usize].to_vec();
                let mut settings = ScoreSettings::new("woningen", &nums);
                settings.radius_m = r;
                let mut best = f64::MAX;
                let mut best_cpu = f64::MAX;
                let mut build_s = 0.0;
                let mut used = Kernel::Lanes4;
                let mut checksum = 0.0;
                for _ in 0..repeat {
                    let t = Instant::now();
                    let cpu0 = thread_cpu_seconds();
                    let result = if let Some((strips, bands)) = layout {
                        let cols: Vec<SumColumn> = std::iter::once("woningen")
                            .chain(nums.iter().copied())
                            .map(|c| SumColumn {
                                name: c,
                                values: &table.column(c).unwrap().values,
                            })
                            .collect();
                        let mut job = BufferSumJob::with_layout(
                            &table.x_rd,
                            &table.y_rd,
                            &cols,
                            r,
                            MissingPolicy::CountAsZero,
                            strips,
                            bands,
                        )
                        .unwrap();
                        if let Some(kernel) = kernel {
                            job.set_kernel(kernel).unwrap();
                        }
                        used = job.kernel();
                        build_s = t.elapsed().as_secs_f64();
                        job.step(&table.x_rd, &table.y_rd, usize::MAX);
                        job.finish().unwrap()[0].clone()
                    } else {
                        let mut job = ScoreJob::new(&table, &settings).unwrap();
                        if let Some(kernel) = kernel {
                            job.set_kernel(kernel).unwrap();
                        }
                        used = job.kernel();
                        build_s = t.elapsed().as_secs_f64();
                        job.step(&table, usize::MAX);
                        job.finish().unwrap().denominator_sum
                    };
                    best = best.min(t.elapsed().as_secs_f64());
                    if let (Some(a), Some(b)) = (cpu0, thread_cpu_seconds()) {
                        best_cpu = best_cpu.min(b - a);
                    }
                    checksum = result.iter().sum::<f64>();
                }
                println!(
                    "{{\"case\":\"score\",\"engine\":\"native\",\"n\":{n},\"radius_m\":{r},\"numerators\":{k},\"kernel\":\"{}\",\"seconds\":{best:.4},\"cpu_seconds\":{best_cpu:.4},\"index_seconds\":{build_s:.4},\"mean_denominator_sum\":{:.1},\"denominator_sum_total\":{checksum},\"generate_seconds\":{gen_s:.3}{}}}",
                    used.name(),
                    checksum / n as f64,
                    layout.map_or(String::new(), |(s, b)| format!(
                        ",\"strips_per_radius\":{s},\"query_bands\":{b}"
                    ))
                );
            }
        }
    }
}
