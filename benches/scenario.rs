//! Native benchmark of incremental scenario updates on seeded synthetic towns.
//!
//! `cargo bench --bench scenario -- [--n 1000000] [--changes 1,100] [--steps 20] [--seed 1]`
//! prints one JSON object per case on stdout. A step changes `changes` locations at once (a
//! selection on the map: corporation dwellings sold); the time covers the incremental update of
//! every buffer sum within R, the new shares of the affected locations and their band moves —
//! all the map, histogram and counts need. Median and maximum over `steps` steps.

use std::time::Instant;
use veerkracht::analysis::bands::{BandSettings, Bands};
use veerkracht::analysis::missing::MissingPolicy;
use veerkracht::analysis::scenario::{Change, ChangeKind, ScenarioEngine, Step};
use veerkracht::analysis::suppression::Suppression;
use veerkracht::analysis::synthetic::{synthetic_towns_without_ids, SplitMix64};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--n").map_or(1_000_000, |v| v.parse().expect("n"));
    let steps: usize = arg(&args, "--steps").map_or(20, |v| v.parse().expect("steps"));
    let seed: u64 = arg(&args, "--seed").map_or(1, |v| v.parse().expect("seed"));
    let changes: Vec<usize> = arg(&args, "--changes")
        .unwrap_or_else(|| "1,100".into())
        .split(',')
        .map(|v| v.parse().expect("changes"))
        .collect();
    let t = synthetic_towns_without_ids(n, seed);
    let d = &t.column("woningen").expect("woningen").values;
    let c = &t.column("corporatie").expect("corporatie").values;
    let t0 = Instant::now();
    let mut e = ScenarioEngine::new(
        &t.x_rd,
        &t.y_rd,
        &[],
        d,
        c,
        200.0,
        MissingPolicy::CountAsZero,
    )
    .expect("scenario");
    let setup_s = t0.elapsed().as_secs_f64();
    let k = Suppression::default();
    let bands = Bands::new(&BandSettings::default()).expect("bands");
    let mut band_count = vec![0i64; bands.len() + 1];
    let mut band: Vec<usize> = (0..n)
        .map(|i| bands.band_of(e.share(i, k)).map_or(bands.len(), |b| b))
        .collect();
    for &b in &band {
        band_count[b] += 1;
    }
    let mut rng = SplitMix64::new(seed + 7);
    for &m in &changes {
        let mut times = Vec::with_capacity(steps);
        let mut touched = 0usize;
        for _ in 0..steps {
            let rows: Vec<u32> = (0..m)
                .map(|_| loop {
                    let j = (rng.next_u64() % n as u64) as u32;
                    if e.corporation()[j as usize] >= 1.0 {
                        break j;
                    }
                })
                .collect();
            let mut rows = rows;
            rows.sort_unstable();
            rows.dedup();
            let step = Step {
                label: "bench".into(),
                changes: rows
                    .iter()
                    .map(|&row| Change {
                        row,
                        kind: ChangeKind::Sell,
                        dwellings: 1,
                    })
                    .collect(),
            };
            let t = Instant::now();
            let up = e.apply(step).expect("apply");
            for &i in &up.affected_rows {
                let i = i as usize;
                let nb = bands.band_of(e.share(i, k)).map_or(bands.len(), |b| b);
                if nb != band[i] {
                    band_count[band[i]] -= 1;
                    band_count[nb] += 1;
                    band[i] = nb;
                }
            }
            times.push(t.elapsed().as_secs_f64());
            touched += up.affected_rows.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"case\":\"scenario-step\",\"engine\":\"native\",\"n\":{n},\"radius_m\":200,\"changed_locations\":{m},\"affected_locations_mean\":{},\"steps\":{steps},\"median_ms\":{:.3},\"max_ms\":{:.3},\"setup_seconds\":{setup_s:.3}}}",
            touched / steps,
            1e3 * times[steps / 2],
            1e3 * times[steps - 1],
        );
    }
}
