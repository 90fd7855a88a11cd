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
    let mut dirs: Vec<(u32, u64, u8)> = Vec::new();
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
            dirs.push((start, len, kind));
        }
        id = fat[id as usize];
    }
    if dirs.is_empty() {
        return bad("no directory");
    }
    let (root_start, root_len, _) = dirs[0];
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
    for &(start, len, kind) in &dirs[1..] {
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
    Ok(())
}
