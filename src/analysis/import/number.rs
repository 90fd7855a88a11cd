//! Numbers as Dutch and international files write them: `1234.5`, `1234,5`, `1.234,5`,
//! `1,234.5`, `1 234,5`, plus the missing-value spellings (empty, `NA`, `-99997`, …).
//!
//! The decimal separator is detected once per column ([`detect_format`]) from evidence in its
//! cells, then every cell of that column is parsed with the same [`NumberFormat`].

use serde::Serialize;

/// How one column writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NumberFormat {
    /// `1234.5`, thousands (if any) with `,`: `1,234.5`.
    DecimalPoint,
    /// `1234,5`, thousands (if any) with `.`: `1.234,5`.
    DecimalComma,
    /// Both `1.5` and `1,5` occur as decimal separators; no thousands separators.
    Mixed,
}

/// The outcome of reading one cell as a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A finite number (CBS secrecy codes already turned into `Missing`).
    Number(f64),
    /// Empty, `NA`, `-99997`, … — a missing value.
    Missing,
    /// Text that is not a number.
    Text,
}

/// CBS codes for secret / not applicable values: read as missing, never as numbers.
pub const CBS_MISSING_CODES: [f64; 2] = [-99997.0, -99995.0];

/// Spellings of "no value" that are read as missing (compared case-insensitively, trimmed).
const MISSING_TOKENS: [&str; 12] = [
    "", "na", "n/a", "nan", "null", "none", "-", ".", "x", "?", "#n/a", "geheim",
];

/// True when a trimmed cell spells a missing value.
pub fn is_missing_token(s: &str) -> bool {
    s.len() <= 6 && MISSING_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(s))
}

/// Per-column evidence about the separators, gathered cell by cell.
#[derive(Debug, Default, Clone, Copy)]
pub struct FormatEvidence {
    comma_decimal: u32,
    dot_decimal: u32,
    /// `1,234` (single comma, exactly three digits after it): decimal or thousands.
    comma_ambiguous: u32,
    /// `1.234`: decimal or thousands.
    dot_ambiguous: u32,
}

impl FormatEvidence {
    /// Looks at one cell (already trimmed). Cells that are not number-shaped are ignored.
    pub fn observe(&mut self, s: &str) {
        self.observe_bytes(s.as_bytes())
    }

    /// As [`FormatEvidence::observe`], on raw bytes (trimmed here).
    pub fn observe_bytes(&mut self, raw: &[u8]) {
        let b = trim_bytes(raw);
        if b.is_empty() || b.len() > 40 {
            return;
        }
        let mut commas = 0u32;
        let mut dots = 0u32;
        let mut last_comma = 0usize;
        let mut last_dot = 0usize;
        for (i, &c) in b.iter().enumerate() {
            match c {
                b',' => {
                    commas += 1;
                    last_comma = i;
                }
                b'.' => {
                    dots += 1;
                    last_dot = i;
                }
                b'0'..=b'9' | b'-' | b'+' | b' ' | b'e' | b'E' => {}
                _ => return,
            }
        }
        let digits_after = |pos: usize| {
            b[pos + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        match (commas, dots) {
            (0, 0) => {}
            (1, 0) => {
                if digits_after(last_comma) == 3 && last_comma > 0 {
                    self.comma_ambiguous += 1
                } else {
                    self.comma_decimal += 1
                }
            }
            (0, 1) => {
                if digits_after(last_dot) == 3 && last_dot > 0 && !b.contains(&b'e') {
                    self.dot_ambiguous += 1
                } else {
                    self.dot_decimal += 1
                }
            }
            (_, 0) => self.dot_decimal += 1, // 1,234,567: comma thousands
            (0, _) => self.comma_decimal += 1, // 1.234.567: dot thousands
            _ => {
                if last_comma > last_dot {
                    self.comma_decimal += 1
                } else {
                    self.dot_decimal += 1
                }
            }
        }
    }

    /// The format this evidence points to. With no evidence either way a point is the decimal
    /// separator, except that a lone `1,234` reads as a decimal comma (Dutch exports rarely
    /// write thousands separators, and often write decimal commas).
    pub fn format(&self) -> NumberFormat {
        match (self.comma_decimal > 0, self.dot_decimal > 0) {
            (true, false) => NumberFormat::DecimalComma,
            (false, true) => NumberFormat::DecimalPoint,
            (true, true) => NumberFormat::Mixed,
            (false, false) => match (self.comma_ambiguous > 0, self.dot_ambiguous > 0) {
                (true, false) => NumberFormat::DecimalComma,
                (true, true) => NumberFormat::Mixed,
                _ => NumberFormat::DecimalPoint,
            },
        }
    }
}

impl FormatEvidence {
    /// True when some cell shows a decimal comma (`1,5`, `1.234,5`).
    pub fn shows_comma_decimal(&self) -> bool {
        self.comma_decimal > 0
    }
    /// True when some cell shows a decimal point (`1.5`, `1,234.5`).
    pub fn shows_dot_decimal(&self) -> bool {
        self.dot_decimal > 0
    }
    /// The format, letting the rest of the file settle a column that is ambiguous on its own:
    /// in a file whose other columns use decimal commas (and none a decimal point), `245.000`
    /// is 245 000 (a Dutch thousands separator), and vice versa for `245,000`.
    pub fn format_in_file(&self, file_comma: bool, file_dot: bool) -> NumberFormat {
        if self.comma_decimal == 0 && self.dot_decimal == 0 {
            if self.dot_ambiguous > 0 && self.comma_ambiguous == 0 && file_comma && !file_dot {
                return NumberFormat::DecimalComma;
            }
            if self.comma_ambiguous > 0 && self.dot_ambiguous == 0 && file_dot && !file_comma {
                return NumberFormat::DecimalPoint;
            }
        }
        self.format()
    }
}

/// Detects the number format of a column from its cells.
pub fn detect_format<'a>(cells: impl Iterator<Item = &'a str>) -> NumberFormat {
    let mut e = FormatEvidence::default();
    for c in cells {
        e.observe(c.trim());
    }
    e.format()
}

/// Reads one cell with the column's format.
pub fn parse_cell(raw: &str, format: NumberFormat) -> Cell {
    parse_cell_bytes(raw.as_bytes(), format)
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    let is_space = |c: &u8| *c == b' ' || *c == b'\t' || *c == b'\r' || *c == b'\n';
    let start = b.iter().position(|c| !is_space(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !is_space(c))
        .map_or(start, |e| e + 1);
    let mut t = &b[start..end.max(start)];
    // A non-breaking space (UTF-8 C2 A0 or Windows-1252 A0) at either end.
    while let Some(rest) = t
        .strip_prefix(b"\xc2\xa0")
        .or_else(|| t.strip_prefix(b"\xa0"))
    {
        t = rest;
    }
    while let Some(rest) = t
        .strip_suffix(b"\xc2\xa0")
        .or_else(|| t.strip_suffix(b"\xa0"))
    {
        t = rest;
    }
    t
}

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Reads one cell (raw bytes, any ASCII-compatible encoding) with the column's format.
pub fn parse_cell_bytes(raw: &[u8], format: NumberFormat) -> Cell {
    let b = trim_bytes(raw);
    if b.is_empty() {
        return Cell::Missing;
    }
    if b.len() <= 6 && !b[b.len() - 1].is_ascii_digit() {
        if let Ok(s) = std::str::from_utf8(b) {
            if is_missing_token(s) {
                return Cell::Missing;
            }
        }
    }
    if b.len() == 1 && (b[0] == b'-' || b[0] == b'.') {
        return Cell::Missing;
    }
    let mut buf = [0u8; 48];
    if b.len() > buf.len() {
        return Cell::Text;
    }
    let (dec, thou): (u8, Option<u8>) = match format {
        NumberFormat::DecimalPoint => (b'.', Some(b',')),
        NumberFormat::DecimalComma => (b',', Some(b'.')),
        NumberFormat::Mixed => {
            if b.contains(&b',') {
                (b',', None)
            } else {
                (b'.', None)
            }
        }
    };
    let mut n = 0usize;
    let mut seen_dec = false;
    let mut seen_exp = false;
    let mut digits = 0usize;
    // Thousands groups: digits since the last thousands separator (must be 3 each).
    let mut group_digits: Option<usize> = None;
    let mut int_digits = 0usize;
    // Clinger's fast path: up to 15 significant digits and no exponent give an exact mantissa,
    // and one division by an exact power of ten is then correctly rounded.
    let mut mant: u64 = 0;
    let mut sig = 0usize;
    let mut frac = 0usize;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                if !seen_exp {
                    if sig > 0 || c != b'0' {
                        sig += 1;
                    }
                    if sig <= 15 {
                        mant = mant * 10 + u64::from(c - b'0');
                    }
                    if seen_dec {
                        frac += 1;
                    }
                }
                if !seen_dec && !seen_exp {
                    int_digits += 1;
                    if let Some(g) = group_digits.as_mut() {
                        *g += 1;
                    }
                }
                buf[n] = c;
                n += 1;
            }
            b'-' | b'+' => {
                let at_start = i == 0;
                let after_exp = i > 0 && matches!(b[i - 1], b'e' | b'E');
                if !(at_start || after_exp) {
                    return Cell::Text;
                }
                buf[n] = c;
                n += 1;
            }
            b'e' | b'E' => {
                if seen_exp || digits == 0 || i + 1 == b.len() {
                    return Cell::Text;
                }
                seen_exp = true;
                buf[n] = b'e';
                n += 1;
            }
            _ if c == dec => {
                if seen_dec || seen_exp {
                    return Cell::Text;
                }
                if let Some(g) = group_digits {
                    if g != 3 {
                        return Cell::Text;
                    }
                }
                seen_dec = true;
                buf[n] = b'.';
                n += 1;
            }
            _ if Some(c) == thou || (c == b' ' && thou.is_some()) => {
                if seen_dec || seen_exp || int_digits == 0 {
                    return Cell::Text;
                }
                match group_digits {
                    None if int_digits > 3 => return Cell::Text,
                    Some(g) if g != 3 => return Cell::Text,
                    _ => {}
                }
                group_digits = Some(0);
            }
            _ => return Cell::Text,
        }
    }
    if digits == 0 {
        return Cell::Text;
    }
    if let Some(g) = group_digits {
        if !seen_dec && g != 3 {
            return Cell::Text;
        }
    }
    let v = if !seen_exp && sig <= 15 && frac < POW10.len() {
        let m = mant as f64 / POW10[frac];
        if b[0] == b'-' {
            -m
        } else {
            m
        }
    } else {
        let Ok(text) = std::str::from_utf8(&buf[..n]) else {
            return Cell::Text;
        };
        match text.parse::<f64>() {
            Ok(v) => v,
            Err(_) => return Cell::Text,
        }
    };
    if !v.is_finite() {
        Cell::Text
    } else if CBS_MISSING_CODES.contains(&v) {
        Cell::Missing
    } else {
        Cell::Number(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str, f: NumberFormat) -> Option<f64> {
        match parse_cell(s, f) {
            Cell::Number(v) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn plain_and_dutch_numbers() {
        use NumberFormat::*;
        assert_eq!(num("1234.5", DecimalPoint), Some(1234.5));
        assert_eq!(num("1,234.5", DecimalPoint), Some(1234.5));
        assert_eq!(num("1234,5", DecimalComma), Some(1234.5));
        assert_eq!(num("1.234,5", DecimalComma), Some(1234.5));
        assert_eq!(num("1 234,5", DecimalComma), Some(1234.5));
        assert_eq!(num("-1.234.567", DecimalComma), Some(-1234567.0));
        assert_eq!(num(" 42 ", DecimalPoint), Some(42.0));
        assert_eq!(num("1e3", DecimalPoint), Some(1000.0));
        assert_eq!(num("1,5", Mixed), Some(1.5));
        assert_eq!(num("2.5", Mixed), Some(2.5));
        assert_eq!(num("12,34.5", DecimalPoint), None);
        assert_eq!(num("abc", DecimalPoint), None);
        assert_eq!(num("inf", DecimalPoint), None);
        assert_eq!(num("1-2", DecimalPoint), None);
        assert_eq!(parse_cell("-99997", DecimalPoint), Cell::Missing);
        assert_eq!(parse_cell("-99995", DecimalComma), Cell::Missing);
        assert_eq!(parse_cell("NA", DecimalPoint), Cell::Missing);
        assert_eq!(parse_cell("", DecimalPoint), Cell::Missing);
    }

    #[test]
    fn detects_per_column() {
        assert_eq!(
            detect_format(["1,8", "2", "3,25"].into_iter()),
            NumberFormat::DecimalComma
        );
        assert_eq!(
            detect_format(["416.0", "3"].into_iter()),
            NumberFormat::DecimalPoint
        );
        assert_eq!(
            detect_format(["1.234,5", "1.000"].into_iter()),
            NumberFormat::DecimalComma
        );
        assert_eq!(
            detect_format(["1,234.5", "1,000"].into_iter()),
            NumberFormat::DecimalPoint
        );
        assert_eq!(
            detect_format(["1,5", "2.5"].into_iter()),
            NumberFormat::Mixed
        );
        assert_eq!(
            detect_format(["12", "13"].into_iter()),
            NumberFormat::DecimalPoint
        );
    }
}
