//! A structural check of legacy `.xls` containers (OLE2 / Compound File Binary) before calamine
//! reads them. calamine follows sector chains without cycle detection and trusts sector counts, so a
//! damaged file can make it loop while allocating, index out of bounds, or read a partial sector
//! (found by fuzzing, see `tests/import_fuzz.rs`). Here every chain it will follow is walked once
//! with bounds and cycle checks; a file that fails is refused as damaged.

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;
const MAX_REGULAR: u32 = 0xFFFF_FFFA;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// `Err(reason)` when the container is damaged in a way that would trip its reader.
pub fn check(b: &[u8]) -> Result<(), String> {
    let bad = |what: &str| Err(format!("the file is damaged ({what})"));
    if b.len() < 512 || b[..8] != *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
        return bad("not an OLE2 container");
    }
    let size: usize = match u16_at(b, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return bad("sector size"),
    };
    if b.len() < size || (b.len() - size) % size != 0 {
        return bad("truncated: not a whole number of sectors");
    }
    let n_sectors = (b.len() - size) / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let id = id as usize;
        (id < n_sectors).then(|| &b[(id + 1) * size..(id + 2) * size])
    };
    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(b, 76 + 4 * i)).collect();
    let mut next = u32_at(b, 68).unwrap_or(ENDOFCHAIN);
    let mut steps = 0;
    while next < MAX_REGULAR {
        steps += 1;
        if steps > n_sectors {
            return bad("DIFAT chain loops");
        }
        let Some(s) = sector(next) else {
            return bad("DIFAT sector beyond the end");
        };
        let entries: Vec<u32> = (0..size / 4).filter_map(|i| u32_at(s, 4 * i)).collect();
        difat.extend_from_slice(&entries[..entries.len() - 1]);
        next = entries[entries.len() - 1];
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|id| *id < MAX_REGULAR) {
        let Some(s) = sector(id) else {
            return bad("FAT sector beyond the end");
        };
        fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    // Walks a chain; returns its length in sectors.
    let walk = |start: u32, table: &[u32], limit: usize| -> Result<usize, String> {
        let mut id = start;
        let mut n = 0usize;
        while id != ENDOFCHAIN {
            if id == FREESECT || id as usize >= table.len() || id as usize >= limit {
                return Err("the file is damaged (a sector chain points outside the file)".into());
            }
            n += 1;
            if n > table.len() {
                return Err("the file is damaged (a sector chain loops)".into());
            }
            id = table[id as usize];
        }
        Ok(n)
    };
    let dir_start = u32_at(b, 48).unwrap_or(ENDOFCHAIN);
    let dir_len = walk(dir_start, &fat, n_sectors)?;
    // Directory entries (128 bytes each) along the chain.
    let mut dirs: Vec<(u32, u64, u8, String)> = Vec::new();
    let mut id = dir_start;
    for _ in 0..dir_len {
        let Some(s) = sector(id) else {
            return bad("directory beyond the end");
        };
        for e in s.chunks_exact(128) {
            let kind = e[66];
            let start = u32_at(e, 116).unwrap_or(ENDOFCHAIN);
            let len = if size == 512 {
                u64::from(u32_at(e, 120).unwrap_or(0))
            } else {
                u64_at(e, 120).unwrap_or(0)
            };
            let name_len = (u16_at(e, 64).unwrap_or(0) as usize).min(64);
            let units: Vec<u16> = (0..name_len / 2)
                .filter_map(|i| u16_at(e, 2 * i))
                .take_while(|u| *u != 0)
                .collect();
            dirs.push((start, len, kind, String::from_utf16_lossy(&units)));
        }
        id = fat[id as usize];
    }
    if dirs.is_empty() {
        return bad("no directory");
    }
    let (root_start, root_len) = (dirs[0].0, dirs[0].1);
    let mini_fat_len = u32_at(b, 64).unwrap_or(0) as usize;
    let mini_fat_start = u32_at(b, 60).unwrap_or(ENDOFCHAIN);
    let mut mini_fat: Vec<u32> = Vec::new();
    if mini_fat_len > 0 {
        let n = walk(mini_fat_start, &fat, n_sectors)?;
        if n < mini_fat_len {
            return bad("mini FAT shorter than declared");
        }
        if root_len > b.len() as u64 {
            return bad("mini stream longer than the file");
        }
        walk(root_start, &fat, n_sectors)?;
        let mut id = mini_fat_start;
        for _ in 0..mini_fat_len {
            let s = sector(id).ok_or("the file is damaged (mini FAT beyond the end)")?;
            mini_fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
            id = fat[id as usize];
        }
    }
    let mini_sectors = (root_len / 64) as usize + 1;
    let mut workbook: Option<(u32, u64)> = None;
    for &(start, len, kind, ref name) in &dirs[1..] {
        if kind == 2 && (name == "Workbook" || name == "Book") && workbook.is_none() {
            workbook = Some((start, len));
        }
        if kind != 2 {
            continue; // only streams are read
        }
        if len > b.len() as u64 {
            return bad("a stream is longer than the file");
        }
        if len < 4096 {
            if len > 0 {
                walk(start, &mini_fat, mini_sectors)?;
            }
        } else {
            walk(start, &fat, n_sectors)?;
        }
    }
    // The workbook stream's records that calamine trusts without checking.
    if let Some((start, len)) = workbook {
        let stream = if len < 4096 {
            let mini = chain_bytes(b, size, &fat, root_start, n_sectors);
            let mut out = Vec::new();
            let mut id = start;
            let mut steps = 0;
            while id != ENDOFCHAIN && (id as usize) < mini_fat.len() && steps <= mini_fat.len() {
                let from = id as usize * 64;
                out.extend_from_slice(mini.get(from..(from + 64).min(mini.len())).unwrap_or(&[]));
                id = mini_fat[id as usize];
                steps += 1;
            }
            out
        } else {
            chain_bytes(b, size, &fat, start, n_sectors)
        };
        let stream = &stream[..(len as usize).min(stream.len())];
        check_biff(stream)?;
    }
    Ok(())
}

/// The bytes of a (validated) FAT chain.
fn chain_bytes(b: &[u8], size: usize, fat: &[u32], start: u32, n_sectors: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut id = start;
    let mut steps = 0;
    while id != ENDOFCHAIN
        && (id as usize) < n_sectors
        && (id as usize) < fat.len()
        && steps <= fat.len()
    {
        let at = (id as usize + 1) * size;
        out.extend_from_slice(&b[at..at + size]);
        id = fat[id as usize];
        steps += 1;
    }
    out
}

/// BIFF records calamine 0.38 uses unchecked: sheet offsets (BoundSheet8) must lie inside the
/// stream, and sheet dimensions must be ordered and within Excel's limits (it reserves
/// rows × cols cells up front). calamine reads each sheet's records starting at the sheet's own
/// offset, which a damaged file can point into the middle of a record: the records are walked
/// from the stream's start and again from every sheet offset, as calamine will walk them.
fn check_biff(stream: &[u8]) -> Result<(), String> {
    let offsets = check_records(stream, 0)?;
    for offset in offsets {
        check_records(stream, offset)?;
        check_sheet_cells(stream, offset)?;
    }
    Ok(())
}

/// Legacy sheets have at most 256 columns (and 65,536 rows: cell records store the row as u16).
const MAX_XLS_COLS: u32 = 256;
/// calamine makes one dense grid over the cells' bounding box (`Range::from_sparse`, 32 bytes a
/// cell): a box above this many cells must also be reasonably filled to be read.
const SPARSE_BOX_CELLS: u64 = 1 << 22;
const SPARSE_CELLS_PER_RECORD: u64 = 64;

/// The cell records of the sheet at `offset`, walked as calamine walks them (nested substreams
/// such as embedded charts skipped, up to the sheet's EOF): every column within the legacy limit,
/// MulRk column ranges ordered, and the cells' bounding box not absurdly larger than the cells
/// (a damaged file made calamine allocate 137 GB for two cells far apart).
fn check_sheet_cells(stream: &[u8], offset: usize) -> Result<(), String> {
    let bad = |what: String| Err(format!("the file is damaged ({what})"));
    let (mut row_min, mut row_max, mut col_min, mut col_max) = (u32::MAX, 0u32, u32::MAX, 0u32);
    let mut cells = 0u64;
    let mut depth = 0usize;
    let mut seen_bof = false;
    let mut pos = offset;
    while pos + 4 <= stream.len() {
        let typ = u16_at(stream, pos).unwrap_or(0);
        let len = u16_at(stream, pos + 2).unwrap_or(0) as usize;
        let data = &stream[pos + 4..(pos + 4 + len).min(stream.len())];
        pos += 4 + len;
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let (row, first, last) = match typ {
            0x0809 if seen_bof => {
                depth += 1;
                continue;
            }
            0x0809 => {
                seen_bof = true;
                continue;
            }
            0x000A => break,
            // Number, Label, RString, BoolErr, Rk, LabelSst, Formula: row, column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) else {
                    continue; // calamine refuses a short record itself
                };
                (u32::from(r), u32::from(c), u32::from(c))
            }
            // MulRk: row, first column, six bytes per cell, last column.
            0x00BD if data.len() >= 6 => {
                let r = u16_at(data, 0).unwrap_or(0);
                let first = u16_at(data, 2).unwrap_or(0);
                let last = u16_at(data, data.len() - 2).unwrap_or(0);
                if last < first {
                    return bad(format!(
                        "a cell run ends in column {last} before it starts in {first}"
                    ));
                }
                (u32::from(r), u32::from(first), u32::from(last))
            }
            _ => continue,
        };
        if last >= MAX_XLS_COLS {
            return bad(format!(
                "a cell in column {} of at most {MAX_XLS_COLS}",
                last + 1
            ));
        }
        row_min = row_min.min(row);
        row_max = row_max.max(row);
        col_min = col_min.min(first);
        col_max = col_max.max(last);
        cells += u64::from(last - first + 1);
    }
    if cells > 0 {
        let area = u64::from(row_max - row_min + 1) * u64::from(col_max - col_min + 1);
        if area > SPARSE_BOX_CELLS && area > cells.saturating_mul(SPARSE_CELLS_PER_RECORD) {
            return bad(format!(
                "{cells} cells spread over {} rows × {} columns",
                row_max - row_min + 1,
                col_max - col_min + 1
            ));
        }
    }
    Ok(())
}

/// Walk the records from `start`; returns the sheet offsets found (BoundSheet8).
fn check_records(stream: &[u8], start: usize) -> Result<Vec<usize>, String> {
    let bad = |what: &str| Err(format!("the file is damaged ({what})"));
    let mut offsets = Vec::new();
    let mut pos = start;
    while pos + 4 <= stream.len() {
        let typ = u16_at(stream, pos).unwrap_or(0);
        let len = u16_at(stream, pos + 2).unwrap_or(0) as usize;
        let data = &stream[pos + 4..(pos + 4 + len).min(stream.len())];
        match typ {
            0x0085 => {
                if data.len() < 8 {
                    return bad("sheet record too short");
                }
                let offset = u32_at(data, 0).unwrap_or(u32::MAX) as usize;
                if offset >= stream.len() {
                    return bad("a sheet starts beyond the end of the workbook");
                }
                offsets.push(offset);
            }
            0x0200 => {
                let (rf, rl, cf, cl) = match data.len() {
                    10 => (
                        u32::from(u16_at(data, 0).unwrap_or(0)),
                        u32::from(u16_at(data, 2).unwrap_or(0)),
                        u32::from(u16_at(data, 4).unwrap_or(0)),
                        u32::from(u16_at(data, 6).unwrap_or(0)),
                    ),
                    14 | 16 => (
                        u32_at(data, 0).unwrap_or(0),
                        u32_at(data, 4).unwrap_or(0),
                        u32::from(u16_at(data, 8).unwrap_or(0)),
                        u32::from(u16_at(data, 10).unwrap_or(0)),
                    ),
                    _ => (0, 0, 0, 0),
                };
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                // BIFF8 sheets have at most 65,536 rows × 256 columns.
                if rl >= 1
                    && cl >= 1
                    && (rl - 1 < rf || cl - 1 < cf || rl - rf > 65_536 || cl - cf > 256)
                {
                    return bad("sheet dimensions out of range");
                }
            }
            _ => {}
        }
        pos += 4 + len;
    }
    Ok(offsets)
}
