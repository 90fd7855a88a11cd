#![cfg(not(target_arch = "wasm32"))]
//! Portfolio scenarios on the real CBS squares of Rijnmond 2024: random steps (sales,
//! liberalisation, demolition, new building) applied incrementally, checked against an
//! independent calculation — the O(N²) brute-force sums over the edited counts, and the
//! tipping-point crossings counted naively from those.

use veerkracht::analysis::buffer_sum::brute_force_sums;
use veerkracht::analysis::import::{read_location_table, ImportOptions};
use veerkracht::analysis::missing::MissingPolicy;
use veerkracht::analysis::scenario::{Change, ChangeKind, ScenarioEngine, Step};
use veerkracht::analysis::scenario_summary::{summarise, AreaLevel, BeforeAfter, SummarySettings};
use veerkracht::analysis::suppression::Suppression;
use veerkracht::analysis::synthetic::SplitMix64;
use veerkracht::analysis::table::LocationTable;

const DWELLINGS: &str = "aantal_woningen";
const CORPORATION: &str = "aantal_huurwoningen_in_bezit_woningcorporaties";

fn rijnmond() -> LocationTable {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/demo/cbs_vk100_rijnmond_2024.csv"
    );
    let bytes = std::fs::read(path).unwrap();
    read_location_table(
        "cbs_vk100_rijnmond_2024.csv",
        &bytes,
        &ImportOptions::default(),
    )
    .unwrap()
}

fn share(num: f64, den: f64, k: f64) -> f64 {
    if den > 0.0 && den >= k {
        num / den
    } else {
        f64::NAN
    }
}

#[test]
fn incremental_scenario_equals_brute_force_and_crossings_match_a_naive_count() {
    let t = rijnmond();
    let d0 = t.column(DWELLINGS).unwrap().values.clone();
    let c0 = t.column(CORPORATION).unwrap().values.clone();
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
    let k = Suppression::default();
    let before = e.shares(k);

    // A corporation's plan: sell 40 % of the stock in the 30 squares with the most corporation
    // dwellings, demolish 10 in the next 10, build 60 social and 40 mid-rent dwellings in 20 squares.
    let mut by_corp: Vec<usize> = (0..t.len()).filter(|&i| c0[i] >= 20.0).collect();
    by_corp.sort_by(|&a, &b| c0[b].total_cmp(&c0[a]).then(a.cmp(&b)));
    let sell: Vec<Change> = by_corp[..30]
        .iter()
        .map(|&i| Change {
            row: i as u32,
            kind: ChangeKind::Sell,
            dwellings: (c0[i] * 0.4).floor() as u32,
        })
        .collect();
    let demolish: Vec<Change> = by_corp[30..40]
        .iter()
        .map(|&i| Change {
            row: i as u32,
            kind: ChangeKind::Demolish,
            dwellings: 10,
        })
        .collect();
    let mut rng = SplitMix64::new(2024);
    let build: Vec<Change> = (0..20)
        .map(|q| Change {
            row: (rng.next_u64() % t.len() as u64) as u32,
            kind: if q % 2 == 0 {
                ChangeKind::NewBuildSocial
            } else {
                ChangeKind::NewBuildMidRent
            },
            dwellings: if q % 2 == 0 { 60 } else { 40 },
        })
        .collect();
    for (label, changes) in [("verkoop", sell), ("sloop", demolish), ("nieuwbouw", build)] {
        let up = e
            .apply(Step {
                label: label.into(),
                changes,
            })
            .unwrap();
        assert!(!up.affected_rows.is_empty());
    }
    // Undo and redo the last step on the way.
    e.undo().unwrap();
    e.redo().unwrap();

    // Independent: brute-force sums over the edited counts.
    let brute = brute_force_sums(
        &t.x_rd,
        &t.y_rd,
        &[e.dwellings(), e.corporation()],
        200.0,
        MissingPolicy::CountAsZero,
    );
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(e.dwellings_sum()), bits(&brute[0]));
    assert_eq!(bits(e.corporation_sum()), bits(&brute[1]));

    let after = e.shares(k);
    let naive_after: Vec<f64> = (0..t.len())
        .map(|i| share(brute[1][i], brute[0][i], k.k()))
        .collect();
    assert_eq!(bits(&after), bits(&naive_after));

    // Tipping-point crossings against a naive count.
    // Areas: the 1 km square read from the id (E0974N4514 → E097N451), as one level.
    let km: Vec<String> = t
        .ids
        .iter()
        .map(|id| format!("{}{}", &id[..4], &id[5..9]))
        .collect();
    let mut codes: Vec<String> = km.clone();
    codes.sort();
    codes.dedup();
    let area_of: Vec<u32> = km
        .iter()
        .map(|c| codes.binary_search(c).unwrap() as u32)
        .collect();
    let summary = summarise(
        BeforeAfter {
            share_before: &before,
            share_after: &after,
            dwellings_before: &d0,
            dwellings_after: e.dwellings(),
        },
        &[AreaLevel {
            level: "km",
            area_of: &area_of,
            codes: &codes,
        }],
        &SummarySettings::default(),
    )
    .unwrap();
    let mut moved_somewhere = 0;
    for c in &summary.crossings {
        let edge = c.threshold_pct / 100.0;
        let (mut up, mut down, mut up_dw) = (0u32, 0u32, 0.0);
        for i in 0..t.len() {
            let (b, a) = (before[i], after[i]);
            if b.is_nan() || a.is_nan() {
                continue;
            }
            if b < edge && edge <= a {
                up += 1;
                up_dw += e.dwellings()[i].max(0.0);
            }
            if a < edge && edge <= b {
                down += 1;
            }
        }
        assert_eq!(
            (c.up_locations, c.down_locations),
            (up, down),
            "{}%",
            c.threshold_pct
        );
        assert_eq!(c.up_dwellings, up_dw);
        moved_somewhere += up + down;
        // The per-area lists add up to the total.
        let area_up: u32 = summary
            .per_area
            .iter()
            .map(|a| {
                a.crossings
                    .iter()
                    .find(|x| x.threshold_pct == c.threshold_pct)
                    .unwrap()
                    .up_locations
            })
            .sum();
        assert_eq!(area_up, up);
    }
    // Selling 40 % of the largest corporation holdings must move squares below the thresholds.
    assert!(moved_somewhere > 0);
    assert!(summary.crossings.iter().any(|c| c.down_locations > 0));
}
