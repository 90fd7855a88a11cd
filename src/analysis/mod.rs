//! The pure analysis half: no wasm types, compiled and tested natively.
pub mod area_join;
pub mod band_index;
pub mod bands;
pub mod bivariate;
pub mod buffer_share;
pub mod buffer_sum;
pub mod buurt_join;
pub mod cbs_square;
pub mod grid_index;
pub mod import;
pub mod missing;
pub mod rd;
pub mod suppression;
pub mod table;
pub mod tipping_point;
pub mod trend;
pub mod typology;
