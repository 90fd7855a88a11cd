//! Apache Parquet files (the public CBS files come as Snappy-compressed Parquet): every top-level
//! primitive column; numbers as numbers, strings as text, nulls as missing.

use super::builder::{finish_columns, FinishOptions, RawColumn, TextEncoding};
use super::{unique_names, FileFormat, ImportError, ImportOptions, ImportedTable};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

fn err(file: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::Format {
        file: file.to_string(),
        format: "Parquet".into(),
        reason: e.to_string(),
    }
}

/// The parquet crate (60.1) still panics on some damaged page data (a run-length header longer
/// than a varint may be, a dictionary-encoded page without a dictionary): see reader_fault.rs.
pub fn read(
    file: &str,
    bytes: Vec<u8>,
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    super::reader_fault::guard(
        || read_unguarded(file, bytes, options),
        |what| {
            err(
                file,
                format!("the file is damaged (the Parquet reader stopped: {what})"),
            )
        },
    )
}

fn read_unguarded(
    file: &str,
    bytes: Vec<u8>,
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let file_len = bytes.len() as u64;
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).map_err(|e| err(file, e))?;
    // The parquet crate asserts (panics) on negative or out-of-file column chunk ranges when it
    // reads them (found by fuzzing): refuse such a file first.
    for rg in reader.metadata().row_groups() {
        for c in rg.columns() {
            let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
            let len = c.compressed_size();
            if start < 0 || len < 0 || (start as u64).saturating_add(len as u64) > file_len {
                return Err(err(
                    file,
                    "the file is damaged (a column chunk lies outside the file)",
                ));
            }
        }
    }
    let schema = reader.metadata().file_metadata().schema();
    let names: Vec<String> = schema
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut columns: Vec<RawColumn> = unique_names(names.clone())
        .into_iter()
        .map(RawColumn::new)
        .collect();
    let mut row_numbers = Vec::new();
    let iter = reader.get_row_iter(None).map_err(|e| err(file, e))?;
    for (i, row) in iter.enumerate() {
        let row = row.map_err(|e| err(file, e))?;
        let row_no = i as u32 + 2;
        for (c, (_, field)) in row.get_column_iter().enumerate() {
            let Some(col) = columns.get_mut(c) else { break };
            let r = match field {
                Field::Null => col.push_bytes(b""),
                Field::Bool(b) => col.push_number(if *b { 1.0 } else { 0.0 }),
                Field::Byte(v) => col.push_number(f64::from(*v)),
                Field::Short(v) => col.push_number(f64::from(*v)),
                Field::Int(v) => col.push_number(f64::from(*v)),
                Field::Long(v) => col.push_number(*v as f64),
                Field::UByte(v) => col.push_number(f64::from(*v)),
                Field::UShort(v) => col.push_number(f64::from(*v)),
                Field::UInt(v) => col.push_number(f64::from(*v)),
                Field::ULong(v) => col.push_number(*v as f64),
                Field::Float16(v) => col.push_number(f64::from(*v)),
                Field::Float(v) => col.push_number(f64::from(*v)),
                Field::Double(v) => col.push_number(*v),
                Field::Str(s) => col.push_bytes(s.as_bytes()),
                other => col.push_bytes(other.to_string().as_bytes()),
            };
            if r.is_err() {
                return Err(ImportError::TooLarge {
                    file: file.to_string(),
                    reason: format!("memory ran out at row {row_no}"),
                });
            }
        }
        // A row with fewer fields than the schema (nested files): pad.
        let filled = row.len();
        for col in columns.iter_mut().skip(filled) {
            let _ = col.push_bytes(b"");
        }
        row_numbers.push(row_no);
    }
    if row_numbers.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.to_string(),
        });
    }
    let mut issues = Vec::new();
    let opts = FinishOptions {
        file,
        strict: options.strict,
        row_numbers: &row_numbers,
        encoding: TextEncoding::Utf8,
        numeric_threshold: 0.8,
    };
    let columns = finish_columns(columns, &opts, &mut issues)?;
    Ok(ImportedTable {
        file_name: file.to_string(),
        format: FileFormat::Parquet,
        dialect: None,
        sheet_names: Vec::new(),
        sheet: None,
        columns,
        row_numbers,
        issues,
        geometries: None,
    })
}
