//! Excel `.xlsx`/`.xlsm`, legacy `.xls` and OpenDocument `.ods` workbooks (calamine): the chosen
//! sheet (default: the first with data), header = its first non-empty row.

use super::builder::{finish_columns, FinishOptions, RawColumn, TextEncoding};
use super::{unique_names, FileFormat, ImportError, ImportOptions, ImportedTable, RowIssue};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

fn format_error(file: &str, format: FileFormat, e: impl std::fmt::Display) -> ImportError {
    let name = match format {
        FileFormat::Xls => "Excel (.xls)",
        FileFormat::Ods => "OpenDocument (.ods)",
        _ => "Excel (.xlsx)",
    };
    ImportError::Format {
        file: file.to_string(),
        format: name.to_string(),
        reason: e.to_string(),
    }
}

/// calamine (0.38) still panics on some damaged legacy `.xls` records: see reader_fault.rs.
fn reader_stopped(file: &str, format: FileFormat, what: &str) -> ImportError {
    format_error(
        file,
        format,
        format!("the file is damaged (the workbook reader stopped: {what})"),
    )
}

/// A legacy `.xls` container is checked before calamine opens it (cfb_check.rs).
fn check_container(file: &str, bytes: &[u8], format: FileFormat) -> Result<(), ImportError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        super::cfb_check::check(bytes).map_err(|reason| format_error(file, format, reason))?;
    }
    Ok(())
}

/// Sheet names of a workbook, without reading the sheets.
pub fn sheet_names(
    file: &str,
    bytes: Vec<u8>,
    format: FileFormat,
) -> Result<Vec<String>, ImportError> {
    check_container(file, &bytes, format)?;
    super::reader_fault::guard(
        || {
            let wb = open_workbook_auto_from_rs(Cursor::new(bytes))
                .map_err(|e| format_error(file, format, e))?;
            Ok(wb.sheet_names())
        },
        |what| reader_stopped(file, format, what),
    )
}

fn cell_is_empty(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

pub fn read(
    file: &str,
    bytes: Vec<u8>,
    format: FileFormat,
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    check_container(file, &bytes, format)?;
    super::reader_fault::guard(
        || read_checked(file, bytes, format, options),
        |what| reader_stopped(file, format, what),
    )
}

fn read_checked(
    file: &str,
    bytes: Vec<u8>,
    format: FileFormat,
    options: &ImportOptions,
) -> Result<ImportedTable, ImportError> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format_error(file, format, e))?;
    let names = wb.sheet_names();
    let mut chosen = None;
    if let Some(want) = &options.sheet {
        let Some(name) = names
            .iter()
            .find(|n| *n == want || n.eq_ignore_ascii_case(want))
        else {
            return Err(ImportError::NoSuchSheet {
                file: file.to_string(),
                sheet: want.clone(),
                available: names.join(", "),
            });
        };
        let range = wb
            .worksheet_range(name)
            .map_err(|e| format_error(file, format, e))?;
        chosen = Some((name.clone(), range));
    } else {
        for name in &names {
            let range = wb
                .worksheet_range(name)
                .map_err(|e| format_error(file, format, e))?;
            if range.rows().any(|r| r.iter().any(|c| !cell_is_empty(c))) {
                chosen = Some((name.clone(), range));
                break;
            }
        }
    }
    let Some((sheet, range)) = chosen else {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    };
    let first_row = range.start().map_or(0, |(r, _)| r);
    let mut rows = range
        .rows()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !cell_is_empty(c)));
    let Some((_, header)) = rows.next() else {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    };
    let header_names: Vec<String> = header.iter().map(cell_text).collect();
    let mut columns: Vec<RawColumn> = unique_names(header_names)
        .into_iter()
        .map(RawColumn::new)
        .collect();
    let mut row_numbers = Vec::new();
    let mut issues: Vec<RowIssue> = Vec::new();
    for (idx, row) in rows {
        let row_no = first_row + idx as u32 + 1;
        for (c, col) in columns.iter_mut().enumerate() {
            let cell = row.get(c).unwrap_or(&Data::Empty);
            let r = match cell {
                Data::Int(i) => col.push_number(*i as f64),
                Data::Float(f) => col.push_number(*f),
                Data::Bool(b) => col.push_number(if *b { 1.0 } else { 0.0 }),
                Data::Error(e) => {
                    issues.push(RowIssue {
                        row: row_no,
                        column: Some(col.name.clone()),
                        value: format!("{e}"),
                        reason: "Excel error value; read as missing".into(),
                        skipped: false,
                    });
                    col.push_bytes(b"")
                }
                other => col.push_bytes(cell_text(other).as_bytes()),
            };
            if r.is_err() {
                return Err(ImportError::TooLarge {
                    file: file.to_string(),
                    reason: format!("memory ran out at row {row_no}"),
                });
            }
        }
        row_numbers.push(row_no);
    }
    if row_numbers.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.to_string(),
        });
    }
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
        format,
        dialect: None,
        sheet_names: names,
        sheet: Some(sheet),
        columns: super::drop_empty_unnamed(columns),
        row_numbers,
        issues,
        geometries: None,
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => format!("{dt}"),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}
