//! `veerkracht analyse …` (being written).

/// Runs `veerkracht analyse <analysis> …`; returns the exit code.
pub fn run(_args: &[String]) -> i32 {
    eprintln!("veerkracht analyse: not ready yet");
    2
}
