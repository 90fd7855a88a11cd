#![cfg(not(target_arch = "wasm32"))]
//! The placement check on a scenario's counts (what the page does while a scenario has steps):
//! candidates ranked over the scenario engine's current dwellings and corporation dwellings equal
//! a brute force over counts edited independently here from the same steps (the change table of
//! `analysis::scenario`), and differ from the ranking on the counts before the scenario.

use veerkracht::analysis::missing::MissingPolicy;
use veerkracht::analysis::placement::{
    rank_candidates, Candidate, PlacementLayer, PlacementSettings,
};
use veerkracht::analysis::scenario::{Change, ChangeKind, ScenarioEngine, Step};
use veerkracht::analysis::synthetic::{synthetic_towns, SplitMix64};

#[test]
fn placement_on_scenario_counts_equals_brute_force() {
    let t = synthetic_towns(6_000, 21);
    let d0 = t.column("woningen").unwrap().values.clone();
    let c0 = t.column("corporatie").unwrap().values.clone();
    let g = t.column("uitkering").unwrap().values.clone();
    let mut e = ScenarioEngine::new(
        &t.x_rd,
        &t.y_rd,
        &t.ids,
        &d0,
        &c0,
        200.0,
        MissingPolicy::CountAsZero,
    )
    .unwrap();
    // Sell everything the corporation has at 300 random locations, build 30 social dwellings at
    // 100 others: enough to move shares around many candidates.
    let mut rng = SplitMix64::new(8);
    let mut pick = |k: usize| -> Vec<u32> {
        (0..k)
            .map(|_| (rng.next_u64() % t.len() as u64) as u32)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let sold = pick(300);
    let built = pick(100);
    let (mut d, mut c) = (d0.clone(), c0.clone());
    let mut sell = Vec::new();
    for &r in &sold {
        let n = c[r as usize] as u32;
        if n > 0 {
            sell.push(Change {
                row: r,
                kind: ChangeKind::Sell,
                dwellings: n,
            });
            c[r as usize] -= f64::from(n);
        }
    }
    e.apply(Step {
        label: "sell".into(),
        changes: sell,
    })
    .unwrap();
    e.apply(Step {
        label: "build".into(),
        changes: built
            .iter()
            .map(|&row| Change {
                row,
                kind: ChangeKind::NewBuildSocial,
                dwellings: 30,
            })
            .collect(),
    })
    .unwrap();
    for &r in &built {
        d[r as usize] += 30.0;
        c[r as usize] += 30.0;
    }
    let candidates: Vec<Candidate> = pick(150)
        .into_iter()
        .map(|r| Candidate {
            id: t.ids[r as usize].clone(),
            x_rd: t.x_rd[r as usize],
            y_rd: t.y_rd[r as usize],
        })
        .collect();
    let settings = PlacementSettings::default();
    let layer = |dw: &'_ [f64], corp: &'_ [f64]| -> Vec<_> {
        rank_candidates(
            PlacementLayer {
                x_rd: &t.x_rd,
                y_rd: &t.y_rd,
                dwellings: dw,
                corporation: corp,
                group: &g,
                group_denominator: dw,
            },
            &candidates,
            MissingPolicy::CountAsZero,
            &settings,
        )
        .unwrap()
    };
    let on_scenario = layer(e.dwellings(), e.corporation());
    let before = layer(&d0, &c0);
    // Brute force over the independently edited counts.
    let r2 = settings.radius_m * settings.radius_m;
    let mut changed = 0;
    for row in &on_scenario {
        let q = &candidates[row.candidate as usize];
        let (mut sd, mut sc, mut sg) = (0.0, 0.0, 0.0);
        for j in 0..t.len() {
            let (dx, dy) = (t.x_rd[j] - q.x_rd, t.y_rd[j] - q.y_rd);
            if dx * dx + dy * dy <= r2 {
                sd += d[j];
                sc += c[j];
                sg += g[j];
            }
        }
        let ok = sd > 0.0 && sd >= settings.suppress_below;
        assert_eq!(row.corporation_share, ok.then(|| sc / sd), "{}", row.id);
        assert_eq!(row.group_share, ok.then(|| sg / sd), "{}", row.id);
        let old = before
            .iter()
            .find(|r| r.candidate == row.candidate)
            .unwrap();
        changed += usize::from(old.corporation_share != row.corporation_share);
    }
    assert!(
        changed > 10,
        "the scenario changed {changed} candidates' shares"
    );
}
