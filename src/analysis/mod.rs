//! The pure analysis half: no wasm types, compiled and tested natively.
