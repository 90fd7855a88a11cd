//! `veerkracht score`: buffer sums and shares for every location of a file.
//!
//! ```text
//! veerkracht score --input IN.csv --output OUT.csv --radius-m 200 --denominator COL
//!                  --numerator COL [--numerator COL …] [--suppress-below K]
//!                  [--missing zero|leave-out]
//! ```
//! Output: one row per input row, in input order: `id` (the input's id or `crs28992res100m`
//! column, else the row number), `<denominator>_sum`, and per numerator `<numerator>_sum` and
//! `<numerator>_share` (0..1; empty where not defined or suppressed). `--output -` writes to
//! stdout. Bad input stops with a message naming the file, row and column, and exit code 2.

use crate::analysis::buffer_share::{score, ScoreError, ScoreSettings};
use crate::analysis::import::number::{detect_format, parse_cell, Cell};
use crate::analysis::import::{read_location_table, read_table, ImportOptions};
use crate::analysis::missing::MissingPolicy;
use crate::analysis::suppression::DEFAULT_SUPPRESS_BELOW;

const USAGE: &str = "usage: veerkracht score --input IN.csv --output OUT.csv --radius-m 200 \
--denominator COL --numerator COL [--numerator COL …] [--suppress-below K] [--missing zero|leave-out]\n\
\n\
For every location: the sums of the denominator and numerator columns over all locations within\n\
the radius (planar RD distance, inclusive, the location itself included) and numerator/denominator\n\
shares. Shares whose denominator sum is below K (default 10) are left empty. Missing values\n\
(empty, -99997, -99995) count as 0 unless --missing leave-out, which leaves such locations out.\n";

#[derive(Debug)]
struct Args {
    input: String,
    output: String,
    settings: ScoreSettings,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut input = None;
    let mut output = None;
    let mut radius_m = None;
    let mut denominator = None;
    let mut numerators = Vec::new();
    let mut suppress_below = DEFAULT_SUPPRESS_BELOW;
    let mut missing = MissingPolicy::CountAsZero;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| format!("{name}: {v:?} is not a number"))
        };
        match a.as_str() {
            "--input" => input = Some(value(a)?),
            "--output" => output = Some(value(a)?),
            "--radius-m" => radius_m = Some(number(a, value(a)?)?),
            "--denominator" => denominator = Some(value(a)?),
            "--numerator" => numerators.push(value(a)?),
            "--suppress-below" => suppress_below = number(a, value(a)?)?,
            "--missing" => missing = value(a)?.parse().map_err(|e| format!("--missing: {e}"))?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let need = |v: Option<String>, name: &str| v.ok_or_else(|| format!("{name} is required"));
    let input = need(input, "--input")?;
    let output = need(output, "--output")?;
    let denominator = need(denominator, "--denominator")?;
    if numerators.is_empty() {
        return Err("at least one --numerator is required".into());
    }
    Ok(Args {
        input,
        output,
        settings: ScoreSettings {
            radius_m: radius_m.ok_or("--radius-m is required")?,
            denominator,
            numerators,
            missing,
            suppress_below,
        },
    })
}

fn number_text(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// Runs `veerkracht score …` (arguments after `score`); returns the exit code.
pub fn run(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return 0;
    }
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("veerkracht score: {e}\n{USAGE}");
            return 2;
        }
    };
    match score_file(&a) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("veerkracht score: {e}");
            2
        }
    }
}

/// When `column` is in the file but was read as text: the first cell that is not a number, as
/// "file, row R, column `C`: `V` is not a number".
fn not_numeric(file: &str, bytes: &[u8], options: &ImportOptions, column: &str) -> Option<String> {
    let t = read_table(file, bytes, options).ok()?;
    let c = t.column(column)?;
    let text = c.text.as_ref()?;
    let format = detect_format(text.iter());
    let i = (0..text.len()).find(|&i| parse_cell(text.get(i), format) == Cell::Text)?;
    Some(format!(
        "{file}, row {}, column `{column}`: `{}` is not a number",
        t.row_numbers.get(i).copied().unwrap_or(0),
        text.get(i)
    ))
}

fn score_file(a: &Args) -> Result<(), String> {
    let bytes = std::fs::read(&a.input).map_err(|e| format!("{}: cannot read: {e}", a.input))?;
    let options = ImportOptions {
        strict: true,
        ..ImportOptions::default()
    };
    let table = read_location_table(&a.input, &bytes, &options).map_err(|e| e.to_string())?;
    let result = score(&table, &a.settings).map_err(|e| match &e {
        ScoreError::UnknownColumn { name, .. } => not_numeric(&a.input, &bytes, &options, name)
            .unwrap_or_else(|| format!("{}: {e}", a.input)),
        _ => format!("{}: {e}", a.input),
    })?;
    drop(bytes);
    let write = |w: Box<dyn std::io::Write>| -> Result<(), String> {
        let mut out = csv::Writer::from_writer(w);
        let s = &a.settings;
        let mut header = vec!["id".to_string(), format!("{}_sum", s.denominator)];
        for n in &s.numerators {
            header.push(format!("{n}_sum"));
            header.push(format!("{n}_share"));
        }
        let err = |e: csv::Error| format!("{}: cannot write: {e}", a.output);
        out.write_record(&header).map_err(err)?;
        let mut record = Vec::with_capacity(header.len());
        for i in 0..table.len() {
            record.clear();
            record.push(table.ids[i].clone());
            record.push(number_text(result.denominator_sum[i]));
            for k in 0..s.numerators.len() {
                record.push(number_text(result.numerator_sums[k][i]));
                record.push(number_text(result.shares[k][i]));
            }
            out.write_record(&record).map_err(err)?;
        }
        out.flush()
            .map_err(|e| format!("{}: cannot write: {e}", a.output))
    };
    if a.output == "-" {
        write(Box::new(std::io::stdout().lock()))
    } else {
        let f = std::fs::File::create(&a.output)
            .map_err(|e| format!("{}: cannot create: {e}", a.output))?;
        write(Box::new(std::io::BufWriter::new(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_the_documented_form() {
        let a = parse(&args(
            "--input a.csv --output b.csv --radius-m 250 --denominator w --numerator a \
             --numerator b --suppress-below 5 --missing leave-out",
        ))
        .unwrap();
        assert_eq!(a.settings.radius_m, 250.0);
        assert_eq!(a.settings.numerators, vec!["a", "b"]);
        assert_eq!(a.settings.suppress_below, 5.0);
        assert_eq!(a.settings.missing, MissingPolicy::LeaveOut);
    }

    #[test]
    fn reports_what_is_wrong() {
        let e = parse(&args(
            "--input a.csv --output b.csv --radius-m x --denominator w",
        ))
        .unwrap_err();
        assert!(e.contains("\"x\""), "{e}");
        let e = parse(&args(
            "--input a.csv --output b.csv --radius-m 200 --denominator w",
        ))
        .unwrap_err();
        assert!(e.contains("--numerator"), "{e}");
        let e = parse(&args("--bogus")).unwrap_err();
        assert!(e.contains("--bogus"), "{e}");
        assert_eq!(number_text(f64::NAN), "");
        assert_eq!(number_text(14.0), "14");
    }
}
