//! Veerkracht: where vulnerable residents concentrate around corporation dwellings, and whether
//! that concentration and liveability change. Computes, in RD New metres (EPSG:28992):
//!
//! - `analysis::table` — a columnar table of locations (x, y, named numeric columns, missing kept).
//! - `analysis::cbs_square` — CBS / Leefbaarometer 100 m square ids ⇄ RD coordinates.
//! - `analysis::missing`, `analysis::suppression` — missing-value policy; no figure below k units.
//! - `analysis::grid_index` — the strip-sorted spatial index the buffer sums walk.
//! - `analysis::buffer_sum` — per-location sums of columns over all locations within a radius.
//! - `analysis::buffer_share` — numerator / denominator shares from those sums, with suppression.
//! - `analysis::neighbours` — the locations within a radius of one point (exact).
//! - `analysis::rd` — RD New ⇄ ETRS89/WGS84 conversion.
//! - `analysis::import` — CSV (any Dutch dialect), Excel/ODS, GeoJSON and Parquet readers and
//!   location detection; `analysis::area_join` — points to areas (buurt, wijk, gemeente).
//! - `analysis::{bands, band_index, trend, tipping_point, bivariate, typology, area_profile}` —
//!   the analyses of the Aedes study *Veerkracht in het corporatiebezit*; `buurt_join`,
//!   `area_aggregate` and `group_stats` feed them (Leefbaarometer × KWB join, buffer shares per
//!   area, score series per class).
//! - `analysis::scenario`, `analysis::scenario_summary` — portfolio what-ifs, recomputed
//!   incrementally, and the locations they move across the tipping points.
//! - `analysis::placement` — candidate dwellings ranked by concentration within the radius.
//! - `analysis::synthetic` — seeded town-shaped test and benchmark data.
//! - `wasm` — the thin WebAssembly binding over all of the above.
//! - `cli` — the native command line (`veerkracht score`, `veerkracht analyse`).

pub mod analysis;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod wasm;
