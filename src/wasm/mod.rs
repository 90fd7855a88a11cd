//! The thin binding half: each export converts its inputs, calls one analysis function and
//! converts the answer back. No logic lives here.
pub mod analyse;
pub mod import;
pub mod layer;
pub mod placement;
pub mod scenario;
pub mod score;
