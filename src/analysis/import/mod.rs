//! Reading the files Dutch corporations and municipalities have into tables of locations.
//!
//! - [`read_table`] reads any supported file (CSV/text in any Dutch dialect, Excel `.xlsx`/`.xls`/
//!   `.ods`, GeoJSON, Parquet) into an [`ImportedTable`]: named columns, numbers parsed per column
//!   (decimal comma or point detected per column; empty, `NA`, `-99997`, `-99995` → missing), the
//!   text of key and text columns kept, and the problems found per row.
//! - [`location::detect_location`] proposes a [`LocationMapping`] (RD x/y, lat/lon, CBS square ids,
//!   area codes) with warnings about swapped or out-of-range coordinates;
//!   [`to_location_table`] applies a (possibly user-edited) mapping and gives the engine's
//!   [`LocationTable`]. [`read_location_table`] does both with the detected mapping (the CLI).
//! - [`Importer`] is the streaming form: push chunks, see rows read, finish.
//!
//! Row numbers in every message are spreadsheet rows: the header is row 1, the first data row is
//! row 2 (for GeoJSON and Parquet, record `i` (0-based) is row `i + 2` likewise).

pub mod builder;
pub mod cfb_check;
pub mod delimited;
pub mod excel;
pub mod geojson;
pub mod location;
pub mod number;
pub mod parquet;
pub mod reader_fault;

use crate::analysis::table::LocationTable;
pub use delimited::CsvDialect;
pub use location::{
    detect_location, to_location_table, LocationDetection, LocationMapping, LocationSource,
};
pub use number::NumberFormat;
use serde::Serialize;
use thiserror::Error;

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Stop at the first problem (the command line) instead of skipping the row and reporting it.
    pub strict: bool,
    /// Force a delimiter instead of sniffing one.
    pub delimiter: Option<u8>,
    /// The Excel/ODS sheet to read (default: the first sheet with data).
    pub sheet: Option<String>,
    /// Force a format instead of detecting it from the name and the first bytes.
    pub format: Option<FileFormat>,
    /// Files larger than this are refused with a message about memory.
    pub max_bytes: usize,
}

/// Default size limit: in the browser, what fits with room to spare in a 4 GiB wasm memory
/// (a file costs about 2–3× its size while it is parsed).
pub const DEFAULT_MAX_BYTES: usize = if cfg!(target_arch = "wasm32") {
    768 << 20
} else {
    usize::MAX / 4
};

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            strict: false,
            delimiter: None,
            sheet: None,
            format: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FileFormat {
    Delimited,
    Xlsx,
    Xls,
    Ods,
    GeoJson,
    Parquet,
}

impl FileFormat {
    /// Detects the format from the file name and the first bytes (magic numbers win).
    pub fn detect(file_name: &str, first_bytes: &[u8]) -> FileFormat {
        let lower = file_name.to_ascii_lowercase();
        let ext = lower.rsplit('.').next().unwrap_or("");
        if first_bytes.starts_with(b"PAR1") {
            return FileFormat::Parquet;
        }
        if first_bytes.starts_with(b"PK\x03\x04") {
            return if ext == "ods" {
                FileFormat::Ods
            } else {
                FileFormat::Xlsx
            };
        }
        if first_bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return FileFormat::Xls;
        }
        match ext {
            "geojson" => FileFormat::GeoJson,
            "json" => FileFormat::GeoJson,
            "parquet" | "parq" => FileFormat::Parquet,
            "xlsx" | "xlsm" => FileFormat::Xlsx,
            "xls" => FileFormat::Xls,
            "ods" => FileFormat::Ods,
            _ => {
                let first = first_bytes.iter().find(|c| {
                    !c.is_ascii_whitespace() && **c != 0xEF && **c != 0xBB && **c != 0xBF
                });
                if first == Some(&b'{')
                    && first_bytes.windows(17).any(|w| w == b"FeatureCollection")
                {
                    FileFormat::GeoJson
                } else {
                    FileFormat::Delimited
                }
            }
        }
    }
}

/// A column's text cells, stored compactly (one string, end offsets).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextColumn {
    text: String,
    ends: Vec<u32>,
}

impl TextColumn {
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }
    /// Keeps only the rows where `keep[i]`.
    pub fn filter(&self, keep: &[bool]) -> TextColumn {
        let mut t = TextColumn::default();
        for (i, k) in keep.iter().enumerate() {
            if *k {
                t.push(self.get(i));
            }
        }
        t
    }
}

/// One column as read: numbers when the column is numeric, text when it is text or a key (ids,
/// codes, names), both for a key column that is also numeric.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedColumn {
    pub name: String,
    /// Numbers, NaN = missing. `None` for a text column.
    pub values: Option<Vec<f64>>,
    /// The cells as text (text and key columns).
    pub text: Option<TextColumn>,
    /// The detected number format (numeric columns).
    pub number_format: Option<NumberFormat>,
    /// Cells of a numeric column that held text (read as missing, listed in the issues).
    pub bad_cells: usize,
}

impl ImportedColumn {
    pub fn is_numeric(&self) -> bool {
        self.values.is_some()
    }
    /// The cell as text (from the text, or the number as written by Rust).
    pub fn cell_text(&self, i: usize) -> String {
        if let Some(t) = &self.text {
            return t.get(i).to_string();
        }
        match &self.values {
            Some(v) if v[i].is_finite() => format!("{}", v[i]),
            _ => String::new(),
        }
    }
}

/// A problem with one row or cell. `skipped`: the row was left out of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    pub row: u32,
    pub column: Option<String>,
    pub value: String,
    pub reason: String,
    pub skipped: bool,
}

/// A file read into columns.
#[derive(Debug, Clone)]
pub struct ImportedTable {
    pub file_name: String,
    pub format: FileFormat,
    /// Delimiter and encoding, for text files.
    pub dialect: Option<CsvDialect>,
    /// Sheet names of a workbook, and the one read.
    pub sheet_names: Vec<String>,
    pub sheet: Option<String>,
    pub columns: Vec<ImportedColumn>,
    /// Spreadsheet row number of each kept row.
    pub row_numbers: Vec<u32>,
    pub issues: Vec<RowIssue>,
    /// GeoJSON geometries in RD metres, one per row.
    pub geometries: Option<Vec<geo::Geometry<f64>>>,
}

impl ImportedTable {
    pub fn n_rows(&self) -> usize {
        self.row_numbers.len()
    }
    pub fn column(&self, name: &str) -> Option<&ImportedColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
    /// Rows left out, with their reasons (what the UI offers for download).
    pub fn skipped_rows(&self) -> impl Iterator<Item = &RowIssue> {
        self.issues.iter().filter(|i| i.skipped)
    }
    /// The issues as CSV text (`row;column;value;reason;skipped`), for download.
    pub fn issues_csv(&self) -> String {
        issues_csv(&self.issues)
    }
}

/// Issues as a `;`-separated CSV with a header.
pub fn issues_csv(issues: &[RowIssue]) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let _ = w.write_record(["row", "column", "value", "reason", "skipped"]);
    for i in issues {
        let _ = w.write_record([
            i.row.to_string().as_str(),
            i.column.as_deref().unwrap_or(""),
            i.value.as_str(),
            i.reason.as_str(),
            if i.skipped { "yes" } else { "no" },
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Every way reading a file can fail. Each names the file and, where there is one, the row,
/// column and offending value (shortened).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ImportError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: the file has a header row but no data rows")]
    HeaderOnly { file: String },
    #[error("{file}, row {row}, column `{column}`: `{value}` is not a number ({count} such cell(s) in this column)")]
    NotNumeric {
        file: String,
        row: u32,
        column: String,
        value: String,
        count: usize,
    },
    #[error("{file}: required column `{column}` is missing (columns: {available})")]
    MissingColumn {
        file: String,
        column: String,
        available: String,
    },
    #[error("{file}, row {row}: {found} fields where the header has {expected} (`{value}`)")]
    RaggedRow {
        file: String,
        row: u32,
        expected: usize,
        found: usize,
        value: String,
    },
    #[error("{file}, row {row}, column `{column}`: id `{value}` also occurs in row {first_row}")]
    DuplicateId {
        file: String,
        row: u32,
        column: String,
        value: String,
        first_row: u32,
    },
    #[error("{file}: no location columns found — need x/y (RD metres), lat/lon, a CBS square id column (crs28992res100m) or an area code joined to an area layer (columns: {available})")]
    NoLocation { file: String, available: String },
    #[error("{file}, row {row}, column `{column}`: `{value}` {reason}")]
    BadLocation {
        file: String,
        row: u32,
        column: String,
        value: String,
        reason: String,
    },
    #[error("{file}: {reason}")]
    Coordinates { file: String, reason: String },
    #[error("{file}: {reason}")]
    TooLarge { file: String, reason: String },
    #[error("{file}: cannot read this {format} file: {reason}")]
    Format {
        file: String,
        format: String,
        reason: String,
    },
    #[error("{file}: no sheet `{sheet}` (sheets: {available})")]
    NoSuchSheet {
        file: String,
        sheet: String,
        available: String,
    },
}

impl ImportError {
    pub fn file(&self) -> &str {
        use ImportError::*;
        match self {
            Empty { file }
            | HeaderOnly { file }
            | NotNumeric { file, .. }
            | MissingColumn { file, .. }
            | RaggedRow { file, .. }
            | DuplicateId { file, .. }
            | NoLocation { file, .. }
            | BadLocation { file, .. }
            | Coordinates { file, .. }
            | TooLarge { file, .. }
            | Format { file, .. }
            | NoSuchSheet { file, .. } => file,
        }
    }
    pub fn row(&self) -> Option<u32> {
        use ImportError::*;
        match self {
            NotNumeric { row, .. }
            | RaggedRow { row, .. }
            | DuplicateId { row, .. }
            | BadLocation { row, .. } => Some(*row),
            _ => None,
        }
    }
    pub fn column(&self) -> Option<&str> {
        use ImportError::*;
        match self {
            NotNumeric { column, .. }
            | MissingColumn { column, .. }
            | DuplicateId { column, .. }
            | BadLocation { column, .. } => Some(column),
            _ => None,
        }
    }
    pub fn value(&self) -> Option<&str> {
        use ImportError::*;
        match self {
            NotNumeric { value, .. }
            | RaggedRow { value, .. }
            | DuplicateId { value, .. }
            | BadLocation { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// Shortens a value for a message: at most 40 characters, with `…`.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    let s = s.trim();
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX - 1).collect();
        t.push('…');
        t
    }
}

/// Header names made usable: trimmed, empty ones named `column_N`, repeats suffixed `_2`, `_3`.
pub fn unique_names(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for (i, n) in names.into_iter().enumerate() {
        let mut n = n.trim().trim_start_matches('\u{feff}').trim().to_string();
        if n.is_empty() {
            n = format!("column_{}", i + 1);
        }
        let base = n.clone();
        let mut k = 2;
        while out.contains(&n) {
            n = format!("{base}_{k}");
            k += 1;
        }
        out.push(n);
    }
    out
}

/// A streaming import: push the file in chunks (the worker shows `rows_read` and may drop the
/// importer to cancel), then `finish`. Delimited text is parsed as it arrives; the other formats
/// need the whole file and are parsed in `finish`.
pub struct Importer {
    file: String,
    options: ImportOptions,
    format: Option<FileFormat>,
    bytes_seen: usize,
    head: Vec<u8>,
    text: Option<delimited::DelimitedReader>,
    whole: Vec<u8>,
}

impl Importer {
    /// `total_bytes`, when known, lets a file that is too large be refused before reading it.
    pub fn new(
        file_name: &str,
        total_bytes: Option<usize>,
        options: ImportOptions,
    ) -> Result<Importer, ImportError> {
        if let Some(n) = total_bytes {
            check_size(file_name, n, &options)?;
        }
        Ok(Importer {
            file: file_name.to_string(),
            format: options.format,
            options,
            bytes_seen: 0,
            head: Vec::new(),
            text: None,
            whole: Vec::new(),
        })
    }

    /// Feeds the next chunk.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.bytes_seen += chunk.len();
        check_size(&self.file, self.bytes_seen, &self.options)?;
        if self.format.is_none() {
            self.head.extend_from_slice(chunk);
            if self.head.len() < 4096 {
                return Ok(());
            }
            let head = std::mem::take(&mut self.head);
            self.begin(&head)?;
            return Ok(());
        }
        self.route(chunk)
    }

    fn begin(&mut self, head: &[u8]) -> Result<(), ImportError> {
        let format = FileFormat::detect(&self.file, head);
        self.format = Some(format);
        self.route(head)
    }

    fn route(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        match self.format {
            Some(FileFormat::Delimited) => {
                let file = self.file.clone();
                let opts = self.options.clone();
                self.text
                    .get_or_insert_with(|| delimited::DelimitedReader::new(&file, &opts))
                    .push(chunk)
            }
            _ => {
                if self.whole.try_reserve(chunk.len()).is_err() {
                    return Err(ImportError::TooLarge {
                        file: self.file.clone(),
                        reason: "memory ran out while reading the file".into(),
                    });
                }
                self.whole.extend_from_slice(chunk);
                Ok(())
            }
        }
    }

    /// Bytes pushed so far.
    pub fn bytes_read(&self) -> usize {
        self.bytes_seen
    }

    /// Data rows parsed so far (delimited text; 0 for formats parsed at the end).
    pub fn rows_read(&self) -> u32 {
        self.text.as_ref().map(|t| t.rows_read()).unwrap_or(0)
    }

    /// Ends the input and builds the table.
    pub fn finish(mut self) -> Result<ImportedTable, ImportError> {
        if self.format.is_none() {
            let head = std::mem::take(&mut self.head);
            if head.is_empty() {
                return Err(ImportError::Empty { file: self.file });
            }
            self.begin(&head)?;
        }
        let format = self.format.unwrap_or(FileFormat::Delimited);
        match format {
            FileFormat::Delimited => {
                let file = self.file.clone();
                let reader = self
                    .text
                    .unwrap_or_else(|| delimited::DelimitedReader::new(&file, &self.options));
                let raw = reader.finish()?;
                finish_raw(&self.file, raw, &self.options)
            }
            FileFormat::Xlsx | FileFormat::Xls | FileFormat::Ods => {
                excel::read(&self.file, self.whole, format, &self.options)
            }
            FileFormat::GeoJson => geojson::read(&self.file, &self.whole, &self.options),
            FileFormat::Parquet => parquet::read(&self.file, self.whole, &self.options),
        }
    }
}

fn check_size(file: &str, n: usize, options: &ImportOptions) -> Result<(), ImportError> {
    if n > options.max_bytes {
        return Err(ImportError::TooLarge {
            file: file.to_string(),
            reason: format!(
                "the file is {} MB; this page can load files up to {} MB before memory runs out — split the file, \
                 keep only the columns you need, or use the command line",
                n >> 20,
                options.max_bytes >> 20
            ),
        });
    }
    Ok(())
}

/// Raw delimited columns → typed table.
fn finish_raw(
    file: &str,
    raw: delimited::RawTable,
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    let delimited::RawTable {
        columns,
        row_numbers,
        mut issues,
        dialect,
        encoding,
    } = raw;
    if row_numbers.is_empty() {
        if issues.is_empty() {
            return Err(ImportError::HeaderOnly {
                file: file.to_string(),
            });
        }
        // Every row was ragged: say so about the first.
        let first = &issues[0];
        return Err(ImportError::RaggedRow {
            file: file.to_string(),
            row: first.row,
            expected: columns.len(),
            found: 0,
            value: first.value.clone(),
        });
    }
    let opts = builder::FinishOptions {
        file,
        strict: options.strict,
        row_numbers: &row_numbers,
        encoding,
        numeric_threshold: 0.8,
    };
    let columns = builder::finish_columns(columns, &opts, &mut issues)?;
    let columns = drop_empty_unnamed(columns);
    Ok(ImportedTable {
        file_name: file.to_string(),
        format: FileFormat::Delimited,
        dialect: Some(dialect),
        sheet_names: Vec::new(),
        sheet: None,
        columns,
        row_numbers,
        issues,
        geometries: None,
    })
}

/// Drops `column_N` columns (no header) that hold nothing: the trailing `;` of some exports.
pub(crate) fn drop_empty_unnamed(columns: Vec<ImportedColumn>) -> Vec<ImportedColumn> {
    columns
        .into_iter()
        .filter(|c| {
            let unnamed = c.name.starts_with("column_");
            let empty = match (&c.values, &c.text) {
                (Some(v), _) => {
                    v.iter().all(|x| x.is_nan())
                        && c.text
                            .as_ref()
                            .is_none_or(|t| t.iter().all(|s| s.trim().is_empty()))
                }
                (None, Some(t)) => t.iter().all(|s| s.trim().is_empty()),
                _ => true,
            };
            !(unnamed && empty)
        })
        .collect()
}

/// Reads a whole file (any supported format) into columns.
pub fn read_table(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    check_size(file_name, bytes.len(), options)?;
    let format = options
        .format
        .unwrap_or_else(|| FileFormat::detect(file_name, &bytes[..bytes.len().min(4096)]));
    match format {
        FileFormat::Delimited => {
            let mut r = delimited::DelimitedReader::new(file_name, options);
            r.push(bytes)?;
            finish_raw(file_name, r.finish()?, options)
        }
        FileFormat::Xlsx | FileFormat::Xls | FileFormat::Ods => {
            excel::read(file_name, bytes.to_vec(), format, options)
        }
        FileFormat::GeoJson => geojson::read(file_name, bytes, options),
        FileFormat::Parquet => parquet::read(file_name, bytes.to_vec(), options),
    }
}

/// Reads a file and turns it into a table of locations with the detected location mapping (what
/// the command line does). Fails when no location columns are found or the coordinates look
/// wrong (the message suggests the fix).
pub fn read_location_table(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<LocationTable, ImportError> {
    let table = read_table(file_name, bytes, options)?;
    let detection = detect_location(&table);
    let mapping = detection.into_mapping(&table)?;
    location::locate(&table, &mapping, None, options.strict).map(|(t, _)| t)
}
