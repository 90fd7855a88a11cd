//! Collects the raw cells of any reader column by column (one byte arena per column, so a
//! million-row file costs about its own size plus four bytes a cell), then turns each column into
//! numbers or text once all rows are in: the number format of a column is decided from all its
//! cells, not from the first few.

use super::number::{parse_cell_bytes, Cell, FormatEvidence, NumberFormat};
use super::{shorten, ImportError, ImportedColumn, RowIssue, TextColumn};

/// Raw cells of one column.
#[derive(Debug, Default, Clone)]
pub struct RawColumn {
    pub name: String,
    bytes: Vec<u8>,
    ends: Vec<u32>,
    /// Cells that came in as numbers (Excel, Parquet, GeoJSON) keep their value here, so the
    /// text round trip cannot change them.
    typed: Vec<(u32, f64)>,
}

impl RawColumn {
    pub fn new(name: String) -> RawColumn {
        RawColumn {
            name,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn bytes_len(&self) -> usize {
        self.bytes.len()
    }

    /// Appends a text cell. Fails (instead of aborting) when memory runs out.
    pub fn push_bytes(&mut self, cell: &[u8]) -> Result<(), std::collections::TryReserveError> {
        if self.bytes.capacity() - self.bytes.len() < cell.len() {
            let want = cell.len().max(self.bytes.capacity());
            self.bytes.try_reserve(want)?;
        }
        if self.ends.capacity() == self.ends.len() {
            self.ends.try_reserve(self.ends.len().max(64))?;
        }
        self.bytes.extend_from_slice(cell);
        self.ends.push(self.bytes.len() as u32);
        Ok(())
    }

    /// Appends a number cell (from a typed source).
    pub fn push_number(&mut self, v: f64) -> Result<(), std::collections::TryReserveError> {
        let row = self.ends.len() as u32;
        if v.is_finite() {
            let mut s = String::new();
            use std::fmt::Write;
            let _ = write!(s, "{v}");
            self.push_bytes(s.as_bytes())?;
            self.typed.push((row, v));
        } else {
            self.push_bytes(b"")?;
        }
        Ok(())
    }

    pub fn cell(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// Drops the last cell (a row that turned out ragged).
    pub fn pop(&mut self) {
        if let Some(_end) = self.ends.pop() {
            let start = self.ends.last().copied().unwrap_or(0) as usize;
            self.bytes.truncate(start);
            let n = self.ends.len() as u32;
            while self.typed.last().is_some_and(|(r, _)| *r >= n) {
                self.typed.pop();
            }
        }
    }

    /// True when every byte is ASCII or valid UTF-8 — decided for the whole file at the end.
    pub fn is_utf8(&self) -> bool {
        std::str::from_utf8(&self.bytes).is_ok()
    }
}

/// How text bytes are turned into strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
}

pub fn decode(bytes: &[u8], enc: TextEncoding) -> String {
    match enc {
        TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// A column name is a key (kept as text as well as numbers): ids, codes, postcodes, names.
pub fn is_key_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let tokens: Vec<&str> = n
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    tokens.iter().any(|t| {
        matches!(
            *t,
            "id" | "code"
                | "postcode"
                | "pc4"
                | "pc6"
                | "naam"
                | "name"
                | "nummer"
                | "nr"
                | "key"
                | "bag"
        ) || t.ends_with("code")
            || t.ends_with("naam")
            || t.starts_with("crs28992")
            || t.ends_with("id")
    }) || n == "id"
}

/// What the builder decided about the text cells of numeric columns.
pub struct FinishOptions<'a> {
    pub file: &'a str,
    pub strict: bool,
    /// Spreadsheet row number of kept row `i`.
    pub row_numbers: &'a [u32],
    pub encoding: TextEncoding,
    /// Share of number cells above which a column with some text is read as numeric.
    pub numeric_threshold: f64,
}

/// Turns raw columns into typed columns. Text in a mostly-numeric column is missing + an issue
/// (or, in strict mode, an error naming row, column and value).
pub fn finish_columns(
    raw: Vec<RawColumn>,
    opts: &FinishOptions,
    issues: &mut Vec<RowIssue>,
) -> Result<Vec<ImportedColumn>, ImportError> {
    // Evidence per column first: an ambiguous column (`245.000` only) follows the file's locale.
    let evidence: Vec<FormatEvidence> = raw
        .iter()
        .map(|c| {
            let mut e = FormatEvidence::default();
            if c.typed.len() != c.len() {
                for i in 0..c.len() {
                    e.observe_bytes(c.cell(i));
                }
            }
            e
        })
        .collect();
    let file_comma = evidence.iter().any(FormatEvidence::shows_comma_decimal);
    let file_dot = evidence.iter().any(FormatEvidence::shows_dot_decimal);
    let mut out = Vec::with_capacity(raw.len());
    for (col, e) in raw.into_iter().zip(evidence) {
        let format = e.format_in_file(file_comma, file_dot);
        out.push(finish_column(col, format, opts, issues)?);
    }
    Ok(out)
}

fn finish_column(
    col: RawColumn,
    format: NumberFormat,
    opts: &FinishOptions,
    issues: &mut Vec<RowIssue>,
) -> Result<ImportedColumn, ImportError> {
    let n = col.len();
    let mut values = Vec::new();
    if values.try_reserve_exact(n).is_err() {
        return Err(ImportError::TooLarge {
            file: opts.file.to_string(),
            reason: format!("no memory left for column `{}`", col.name),
        });
    }
    let mut typed = col.typed.iter().peekable();
    let mut bad: Vec<usize> = Vec::new();
    let mut numbers = 0usize;
    for i in 0..n {
        if let Some((r, v)) = typed.peek() {
            if *r as usize == i {
                values.push(if super::number::CBS_MISSING_CODES.contains(v) {
                    f64::NAN
                } else {
                    *v
                });
                numbers += 1;
                typed.next();
                continue;
            }
        }
        match parse_cell_bytes(col.cell(i), format) {
            Cell::Number(v) => {
                numbers += 1;
                values.push(v)
            }
            Cell::Missing => values.push(f64::NAN),
            Cell::Text => {
                bad.push(i);
                values.push(f64::NAN)
            }
        }
    }
    let key = is_key_name(&col.name);
    let numeric =
        numbers > 0 && (numbers as f64) >= opts.numeric_threshold * ((numbers + bad.len()) as f64);
    let keep_text = !numeric || !bad.is_empty() || key;
    let text = if keep_text {
        let mut t = TextColumn::default();
        if opts.encoding == TextEncoding::Utf8 {
            // Valid UTF-8 was checked for the whole file; lossy keeps us panic-free regardless.
            for i in 0..n {
                t.push(&String::from_utf8_lossy(col.cell(i)));
            }
        } else {
            for i in 0..n {
                t.push(&decode(col.cell(i), opts.encoding));
            }
        }
        Some(t)
    } else {
        None
    };
    if numeric && !bad.is_empty() {
        let row_of = |i: usize| opts.row_numbers.get(i).copied().unwrap_or(i as u32 + 2);
        let value_of = |i: usize| decode(col.cell(i), opts.encoding);
        if opts.strict {
            let i = bad[0];
            return Err(ImportError::NotNumeric {
                file: opts.file.to_string(),
                row: row_of(i),
                column: col.name.clone(),
                value: shorten(&value_of(i)),
                count: bad.len(),
            });
        }
        for &i in &bad {
            issues.push(RowIssue {
                row: row_of(i),
                column: Some(col.name.clone()),
                value: shorten(&value_of(i)),
                reason: "not a number; read as missing".to_string(),
                skipped: false,
            });
        }
    }
    Ok(ImportedColumn {
        name: col.name,
        values: if numeric { Some(values) } else { None },
        text,
        number_format: if numeric { Some(format) } else { None },
        bad_cells: if numeric { bad.len() } else { 0 },
    })
}
