//! CBS / Leefbaarometer square ids (`crs28992res100m` such as `E0974N4514`) ⇄ RD New coordinates.
//!
//! The id gives the lower-left corner in hectometres: `E0974N4514` is the 100 m square with
//! lower-left corner x = 97 400, y = 451 400; a location stands for the square's centre (+50 m).
//! The 500 m files (`crs28992res500m`) use the same form (`E0975N4520`, corner 97 500, 452 000);
//! their corners are multiples of 500 m.

use thiserror::Error;

/// A checked square: lower-left corner and side length in RD metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SquareId {
    pub x_ll_rd: f64,
    pub y_ll_rd: f64,
    pub size_m: f64,
}

#[derive(Debug, Error, PartialEq)]
pub enum SquareIdError {
    #[error("invalid square id {id:?}: {reason}")]
    Malformed { id: String, reason: &'static str },
    #[error("invalid square id {id:?}: the corner is not on the {size_m} m grid")]
    OffGrid { id: String, size_m: u32 },
    #[error("invalid square size {size_m} m: must be a positive multiple of 100")]
    BadSize { size_m: u32 },
}

impl SquareId {
    /// The centre of the square in RD metres `(x_rd, y_rd)`.
    pub fn centre_rd(&self) -> (f64, f64) {
        (
            self.x_ll_rd + self.size_m / 2.0,
            self.y_ll_rd + self.size_m / 2.0,
        )
    }

    /// The id in CBS form (`E0974N4514`).
    pub fn to_id(&self) -> String {
        format!(
            "E{:04}N{:04}",
            (self.x_ll_rd / 100.0).round() as i64,
            (self.y_ll_rd / 100.0).round() as i64
        )
    }
}

/// Parses a 100 m square id (`E0974N4514`).
pub fn parse_square_id(id: &str) -> Result<SquareId, SquareIdError> {
    parse_square_id_sized(id, 100)
}

/// Parses a square id of the given size in metres (100 for `crs28992res100m`, 500 for
/// `crs28992res500m`); the corner must lie on that grid.
pub fn parse_square_id_sized(id: &str, size_m: u32) -> Result<SquareId, SquareIdError> {
    if size_m == 0 || size_m % 100 != 0 {
        return Err(SquareIdError::BadSize { size_m });
    }
    let malformed = |reason| SquareIdError::Malformed {
        id: id.to_string(),
        reason,
    };
    let s = id.trim().as_bytes();
    if s.len() != 10 {
        return Err(malformed("expected 10 characters like E0974N4514"));
    }
    if !s[0].eq_ignore_ascii_case(&b'E') || !s[5].eq_ignore_ascii_case(&b'N') {
        return Err(malformed(
            "expected E<4 digits>N<4 digits>, like E0974N4514",
        ));
    }
    let digits = |part: &[u8]| -> Option<u32> {
        part.iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let (Some(e_hm), Some(n_hm)) = (digits(&s[1..5]), digits(&s[6..10])) else {
        return Err(malformed("the parts after E and N must be 4 digits each"));
    };
    let step_hm = size_m / 100;
    if e_hm % step_hm != 0 || n_hm % step_hm != 0 {
        return Err(SquareIdError::OffGrid {
            id: id.to_string(),
            size_m,
        });
    }
    Ok(SquareId {
        x_ll_rd: f64::from(e_hm) * 100.0,
        y_ll_rd: f64::from(n_hm) * 100.0,
        size_m: f64::from(size_m),
    })
}

/// The square size named by a CBS id column (`crs28992res100m` → 100, `crs28992res500m` → 500),
/// case-insensitive; `None` for other names.
pub fn square_size_from_column(name: &str) -> Option<u32> {
    let lower = name.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("crs28992res")?.strip_suffix('m')?;
    let size: u32 = rest.parse().ok()?;
    (size > 0 && size % 100 == 0).then_some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        // METHOD.md: E0974N4514 = lower-left corner 97 400, 451 400; centre +50 m.
        let sq = parse_square_id("E0974N4514").unwrap();
        assert_eq!(
            (sq.x_ll_rd, sq.y_ll_rd, sq.size_m),
            (97_400.0, 451_400.0, 100.0)
        );
        assert_eq!(sq.centre_rd(), (97_450.0, 451_450.0));
        assert_eq!(sq.to_id(), "E0974N4514");
    }

    #[test]
    fn parses_500m_ids() {
        // grid_500m_rijnmond_stats.parquet has E0975N4520 in crs28992res500m.
        let sq = parse_square_id_sized("E0975N4520", 500).unwrap();
        assert_eq!(sq.centre_rd(), (97_750.0, 452_250.0));
        let e = parse_square_id_sized("E0974N4520", 500).unwrap_err();
        assert!(e.to_string().contains("E0974N4520"), "{e}");
        assert!(parse_square_id_sized("E0975N4520", 250).is_err());
    }

    #[test]
    fn errors_name_the_bad_value() {
        for bad in [
            "",
            "E0974N451",
            "X0974N4514",
            "E09a4N4514",
            "E0974 4514",
            "E0974N45144",
        ] {
            let e = parse_square_id(bad).unwrap_err();
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn matches_the_demo_file_centres() {
        // The demo CSV carries x_rd_center / y_rd_center computed independently by the data scout.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/www/demo/cbs_vk100_rijnmond_2024.csv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut n = 0;
        for line in text.lines().skip(1) {
            let mut f = line.split(',');
            let (id, x, y) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let (cx, cy) = parse_square_id(id).unwrap().centre_rd();
            assert_eq!((cx, cy), (x.parse().unwrap(), y.parse().unwrap()), "{id}");
            n += 1;
        }
        assert!(n > 16_000);
    }

    #[test]
    fn sizes_from_column_names() {
        assert_eq!(square_size_from_column("crs28992res100m"), Some(100));
        assert_eq!(square_size_from_column("CRS28992RES500M"), Some(500));
        assert_eq!(square_size_from_column("crs28992res"), None);
        assert_eq!(square_size_from_column("aantal_woningen"), None);
    }
}
