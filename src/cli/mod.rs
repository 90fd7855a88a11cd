//! The native command line over the analysis half.
//!
//! `veerkracht <command> …` — each command lives in its own file and has a
//! `run(args) -> exit code` (0 = ok, 2 = bad input or settings, with a message on stderr).
pub mod analyse;
pub mod score;

const USAGE: &str = "usage: veerkracht <command> [options]\n\ncommands:\n  score     buffer sums and shares within a radius for every location (see `veerkracht score --help`)\n  analyse   bands, index, trend, tipping-point, bivariate, typology, series, profile (see `veerkracht analyse --help`)\n";

/// Runs `veerkracht <command> …` (arguments without the program name); returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("analyse") | Some("analyze") => analyse::run(&args[1..]),
        Some("score") => score::run(&args[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            print!("{USAGE}");
            0
        }
        other => {
            eprintln!(
                "veerkracht: unknown command {}\n{USAGE}",
                other.map_or("(none)".to_string(), |c| format!("'{c}'"))
            );
            2
        }
    }
}
