//! Delimited text (CSV, `;`-separated, tab, `|`), read in chunks as they arrive.
//!
//! - The delimiter is sniffed from the first 64 KiB (or an Excel `sep=;` first line).
//! - Quoting, embedded delimiters and newlines: `csv_core`, the push parser under the `csv` crate.
//! - Encoding: a UTF-8 BOM is dropped; UTF-16 (with BOM, as Excel's "Unicode text") is decoded on
//!   the fly; otherwise cells are kept as bytes and the whole file is read as UTF-8 if it is valid
//!   UTF-8, else as Windows-1252 (the two agree on every byte that matters for parsing).

use super::builder::{RawColumn, TextEncoding};
use super::{shorten, ImportError, ImportOptions, RowIssue};
use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use serde::Serialize;

const SNIFF_BYTES: usize = 64 * 1024;
const CANDIDATES: [u8; 4] = [b';', b',', b'\t', b'|'];

/// What was detected about a text file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvDialect {
    /// The delimiter as a one-character string (`";"`, `","`, `"\t"`, `"|"`).
    pub delimiter: String,
    /// `"UTF-8"`, `"UTF-8 with BOM"`, `"UTF-16LE"`, `"UTF-16BE"` or `"Windows-1252"`.
    pub encoding: String,
}

/// The raw result of reading a delimited file: named raw columns and the rows they came from.
pub struct RawTable {
    pub columns: Vec<RawColumn>,
    pub row_numbers: Vec<u32>,
    pub issues: Vec<RowIssue>,
    pub dialect: CsvDialect,
    pub encoding: TextEncoding,
}

/// A push parser for delimited text.
pub struct DelimitedReader {
    file: String,
    strict: bool,
    forced_delimiter: Option<u8>,
    sniff: Vec<u8>,
    started: bool,
    delimiter: u8,
    reader: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    header: Option<Vec<Vec<u8>>>,
    columns: Vec<RawColumn>,
    row_numbers: Vec<u32>,
    /// Records seen, the header included (= spreadsheet row of the last record).
    records: u32,
    issues: Vec<RowIssue>,
    bom: Bom,
    utf16: Option<encoding_rs::Decoder>,
    utf16_buf: Vec<u8>,
    first_bytes: Vec<u8>,
    finished: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Bom {
    Unknown,
    None,
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl DelimitedReader {
    pub fn new(file: &str, options: &ImportOptions) -> DelimitedReader {
        DelimitedReader {
            file: file.to_string(),
            strict: options.strict,
            forced_delimiter: options.delimiter,
            sniff: Vec::new(),
            started: false,
            delimiter: b',',
            reader: Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            nout: 0,
            nend: 0,
            header: None,
            columns: Vec::new(),
            row_numbers: Vec::new(),
            records: 0,
            issues: Vec::new(),
            bom: Bom::Unknown,
            utf16: None,
            utf16_buf: Vec::new(),
            first_bytes: Vec::new(),
            finished: false,
        }
    }

    /// Data rows read so far (header excluded, skipped rows included).
    pub fn rows_read(&self) -> u32 {
        self.records.saturating_sub(1)
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        if self.bom == Bom::Unknown {
            self.first_bytes.extend_from_slice(chunk);
            if self.first_bytes.len() < 3 {
                return Ok(());
            }
            let first = std::mem::take(&mut self.first_bytes);
            self.detect_bom(&first);
            return self.push_decoded(&first, false);
        }
        self.push_decoded(chunk, false)
    }

    fn detect_bom(&mut self, first: &[u8]) {
        self.bom = if first.starts_with(b"\xef\xbb\xbf") {
            Bom::Utf8
        } else if first.starts_with(b"\xff\xfe") {
            self.utf16 = Some(encoding_rs::UTF_16LE.new_decoder_with_bom_removal());
            Bom::Utf16Le
        } else if first.starts_with(b"\xfe\xff") {
            self.utf16 = Some(encoding_rs::UTF_16BE.new_decoder_with_bom_removal());
            Bom::Utf16Be
        } else {
            Bom::None
        };
    }

    fn push_decoded(&mut self, chunk: &[u8], last: bool) -> Result<(), ImportError> {
        let mut chunk = chunk;
        if self.bom == Bom::Utf8
            && !self.started
            && self.sniff.is_empty()
            && chunk.starts_with(b"\xef\xbb\xbf")
        {
            chunk = &chunk[3..];
        }
        if let Some(dec) = self.utf16.as_mut() {
            let mut out = std::mem::take(&mut self.utf16_buf);
            out.clear();
            let mut src = chunk;
            loop {
                out.reserve(
                    dec.max_utf8_buffer_length(src.len())
                        .unwrap_or(src.len() * 3 + 16),
                );
                let start = out.len();
                let cap = out.capacity();
                out.resize(cap, 0);
                let (res, read, written, _) = dec.decode_to_utf8(src, &mut out[start..], last);
                out.truncate(start + written);
                src = &src[read..];
                if res == encoding_rs::CoderResult::InputEmpty {
                    break;
                }
            }
            let r = self.push_text(&out);
            self.utf16_buf = out;
            return r;
        }
        self.push_text(chunk)
    }

    fn push_text(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        if !self.started {
            self.sniff.extend_from_slice(chunk);
            if self.sniff.len() < SNIFF_BYTES {
                return Ok(());
            }
            self.start(false)?;
            return Ok(());
        }
        self.feed(chunk)
    }

    fn start(&mut self, final_chunk: bool) -> Result<(), ImportError> {
        self.started = true;
        let mut sniff = std::mem::take(&mut self.sniff);
        // Excel's `sep=;` hint line.
        let mut skip = 0;
        if sniff.len() >= 5 && sniff[..4].eq_ignore_ascii_case(b"sep=") {
            let d = sniff[4];
            let rest = &sniff[5..];
            let nl = rest.iter().take(3).position(|&c| c == b'\n');
            if let Some(nl) = nl {
                self.forced_delimiter.get_or_insert(d);
                skip = 5 + nl + 1;
            }
        }
        let body = &sniff[skip..];
        self.delimiter = match self.forced_delimiter {
            Some(d) => d,
            None => sniff_delimiter(body, final_chunk),
        };
        self.reader = ReaderBuilder::new().delimiter(self.delimiter).build();
        let body = body.to_vec();
        sniff.clear();
        self.feed(&body)
    }

    fn feed(&mut self, mut input: &[u8]) -> Result<(), ImportError> {
        let end_of_input = input.is_empty();
        loop {
            let (res, nin, nout, nend) = self.reader.read_record(
                input,
                &mut self.out[self.nout..],
                &mut self.ends[self.nend..],
            );
            input = &input[nin..];
            self.nout += nout;
            self.nend += nend;
            match res {
                ReadRecordResult::InputEmpty => {
                    if input.is_empty() && !end_of_input {
                        return Ok(());
                    }
                }
                ReadRecordResult::OutputFull => {
                    let n = self.out.len();
                    self.out.resize(n * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                ReadRecordResult::Record => {
                    self.record()?;
                    self.nout = 0;
                    self.nend = 0;
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }

    fn record(&mut self) -> Result<(), ImportError> {
        self.records += 1;
        let nend = self.nend;
        let field = |i: usize, _out: &[u8], ends: &[usize]| -> std::ops::Range<usize> {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            start..ends[i]
        };
        if self.header.is_none() {
            let names: Vec<Vec<u8>> = (0..nend)
                .map(|i| self.out[field(i, &self.out, &self.ends)].to_vec())
                .collect();
            self.columns = (0..nend).map(|_| RawColumn::new(String::new())).collect();
            self.header = Some(names);
            return Ok(());
        }
        let ncols = self.columns.len();
        // A blank line: skip silently.
        if nend == 1 && self.ends[0] == 0 && ncols > 1 {
            self.records -= 1;
            return Ok(());
        }
        let row = self.records;
        let mut n_use = nend;
        if nend > ncols {
            // Trailing empty fields (`a;b;c;`) are harmless.
            let extra_empty = (ncols..nend).all(|i| field(i, &self.out, &self.ends).is_empty());
            if extra_empty {
                n_use = ncols;
            }
        }
        if n_use != ncols {
            let line = String::from_utf8_lossy(
                &self.out[..self.ends[nend.saturating_sub(1)].min(self.out.len())],
            );
            if self.strict {
                return Err(ImportError::RaggedRow {
                    file: self.file.clone(),
                    row,
                    expected: ncols,
                    found: nend,
                    value: shorten(&line),
                });
            }
            self.issues.push(RowIssue {
                row,
                column: None,
                value: shorten(&line),
                reason: format!("has {nend} fields where the header has {ncols}; row skipped"),
                skipped: true,
            });
            return Ok(());
        }
        for i in 0..ncols {
            let r = field(i, &self.out, &self.ends);
            if self.columns[i].push_bytes(&self.out[r]).is_err() {
                return Err(out_of_memory(&self.file, row));
            }
        }
        self.row_numbers.push(row);
        Ok(())
    }

    /// Ends the input and returns the raw table.
    pub fn finish(mut self) -> Result<RawTable, ImportError> {
        if self.finished {
            return Err(ImportError::Empty {
                file: self.file.clone(),
            });
        }
        self.finished = true;
        if self.bom == Bom::Unknown {
            let first = std::mem::take(&mut self.first_bytes);
            self.detect_bom(&first);
            self.push_decoded(&first, true)?;
        } else if self.utf16.is_some() {
            self.push_decoded(&[], true)?;
        }
        if !self.started {
            self.start(true)?;
        }
        self.feed(&[])?;
        let Some(header) = self.header.take() else {
            return Err(ImportError::Empty { file: self.file });
        };
        if header
            .iter()
            .all(|h| h.iter().all(|c| c.is_ascii_whitespace()))
            && self.row_numbers.is_empty()
        {
            return Err(ImportError::Empty { file: self.file });
        }
        let utf8 = std::str::from_utf8(&header.concat()).is_ok()
            && self.columns.iter().all(|c| c.is_utf8());
        let encoding = if utf8 {
            TextEncoding::Utf8
        } else {
            TextEncoding::Windows1252
        };
        let names: Vec<String> = header
            .iter()
            .map(|h| super::builder::decode(h, encoding))
            .collect();
        for (c, name) in self.columns.iter_mut().zip(super::unique_names(names)) {
            c.name = name;
        }
        let enc_name = match (self.bom, encoding) {
            (Bom::Utf16Le, _) => "UTF-16LE",
            (Bom::Utf16Be, _) => "UTF-16BE",
            (Bom::Utf8, _) => "UTF-8 with BOM",
            (_, TextEncoding::Utf8) => "UTF-8",
            (_, TextEncoding::Windows1252) => "Windows-1252",
        };
        Ok(RawTable {
            columns: self.columns,
            row_numbers: self.row_numbers,
            issues: self.issues,
            dialect: CsvDialect {
                delimiter: (self.delimiter as char).to_string(),
                encoding: enc_name.to_string(),
            },
            encoding,
        })
    }
}

fn out_of_memory(file: &str, row: u32) -> ImportError {
    ImportError::TooLarge {
        file: file.to_string(),
        reason: format!("memory ran out at row {row}; the file is too large to load here"),
    }
}

/// Picks the delimiter whose field counts are most consistent over the first records, preferring
/// more fields.
pub fn sniff_delimiter(sample: &[u8], complete: bool) -> u8 {
    let mut best = (b',', 0.0f64, 0usize);
    for &d in &CANDIDATES {
        let counts = field_counts(sample, d, complete, 100);
        if counts.is_empty() {
            continue;
        }
        let header = counts[0];
        if header < 2 {
            continue;
        }
        let rest = &counts[1..];
        let consistent = if rest.is_empty() {
            1.0
        } else {
            rest.iter().filter(|&&c| c == header).count() as f64 / rest.len() as f64
        };
        let better =
            consistent > best.1 + 1e-9 || ((consistent - best.1).abs() <= 1e-9 && header > best.2);
        if better {
            best = (d, consistent, header);
        }
    }
    best.0
}

fn field_counts(sample: &[u8], delimiter: u8, complete: bool, max_records: usize) -> Vec<usize> {
    let mut rdr = ReaderBuilder::new().delimiter(delimiter).build();
    let mut out = vec![0u8; sample.len().max(16)];
    let mut ends = vec![0usize; 4096];
    let mut input = sample;
    let mut counts = Vec::new();
    let mut nend_total = 0;
    let mut nout_total = 0;
    while counts.len() < max_records {
        let (res, nin, nout, nend) =
            rdr.read_record(input, &mut out[nout_total..], &mut ends[nend_total..]);
        input = &input[nin..];
        nout_total += nout;
        nend_total += nend;
        match res {
            ReadRecordResult::Record => {
                if !(nend_total == 1 && ends[0] == 0) {
                    counts.push(nend_total);
                }
                nend_total = 0;
                nout_total = 0;
            }
            ReadRecordResult::InputEmpty => {
                if !complete {
                    break; // the last, partial record does not count
                }
            }
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => break,
            ReadRecordResult::End => break,
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n4;5,5;6\n", true), b';');
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n", true), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n", true), b'|');
        assert_eq!(sniff_delimiter(b"name;x\n\"a;b\";3\n", true), b';');
    }
}
