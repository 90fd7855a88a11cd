//! Veerkracht: where vulnerable residents concentrate around corporation dwellings, and whether
//! that concentration and liveability change. Computes, in RD New metres (EPSG:28992):
//!
//! - `analysis::table` — a columnar table of locations (x, y, named numeric columns, missing kept).
//! - `analysis::cbs_square` — CBS / Leefbaarometer 100 m square ids ⇄ RD coordinates.
//! - `analysis::grid_index` — the cell-sorted spatial index the buffer sums walk.
//! - `analysis::buffer_sum` — per-location sums of columns over all locations within a radius.
//! - `analysis::buffer_share` — numerator / denominator shares from those sums, with suppression.
//! - `analysis::rd` — RD New ⇄ ETRS89/WGS84 conversion.
//! - `analysis::import` — CSV (any Dutch dialect), Excel/ODS, GeoJSON and Parquet readers.
//! - `analysis::{bands, band_index, trend, tipping_point, bivariate, typology, area_profile}` —
//!   the analyses of the Aedes study *Veerkracht in het corporatiebezit*.
//! - `wasm` — the thin WebAssembly binding over all of the above.
//! - `cli` — the native command line (`veerkracht score`, `veerkracht analyse`).

pub mod analysis;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod wasm;
