//! A columnar table of locations: RD New coordinates (metres), an id per row and any number of
//! named numeric columns. Missing values are `f64::NAN`.

use thiserror::Error;

/// One named numeric column; `NaN` marks a missing value.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Vec<f64>,
}

/// Locations (rows) with x/y in RD New metres (EPSG:28992), ids and named columns, all aligned by
/// row index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationTable {
    pub x_rd: Vec<f64>,
    pub y_rd: Vec<f64>,
    pub ids: Vec<String>,
    pub columns: Vec<Column>,
}

#[derive(Debug, Error, PartialEq)]
pub enum TableError {
    #[error("column {name:?} has {got} values but the table has {expected} rows")]
    ColumnLength {
        name: String,
        got: usize,
        expected: usize,
    },
    #[error("column {name:?} already exists")]
    DuplicateColumn { name: String },
    #[error("x_rd has {x} values, y_rd {y} and ids {ids}: they must be equally long")]
    RaggedLocations { x: usize, y: usize, ids: usize },
}

impl LocationTable {
    /// A table with locations only. `ids` may be empty: then the row numbers (1-based) are used.
    pub fn new(x_rd: Vec<f64>, y_rd: Vec<f64>, ids: Vec<String>) -> Result<Self, TableError> {
        let ids = if ids.is_empty() {
            (1..=x_rd.len()).map(|i| i.to_string()).collect()
        } else {
            ids
        };
        if x_rd.len() != y_rd.len() || ids.len() != x_rd.len() {
            return Err(TableError::RaggedLocations {
                x: x_rd.len(),
                y: y_rd.len(),
                ids: ids.len(),
            });
        }
        Ok(Self {
            x_rd,
            y_rd,
            ids,
            columns: Vec::new(),
        })
    }

    /// Number of locations (rows).
    pub fn len(&self) -> usize {
        self.x_rd.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x_rd.is_empty()
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Adds a column; it must have one value per row and a new name.
    pub fn push_column(
        &mut self,
        name: impl Into<String>,
        values: Vec<f64>,
    ) -> Result<(), TableError> {
        let name = name.into();
        if values.len() != self.len() {
            return Err(TableError::ColumnLength {
                name,
                got: values.len(),
                expected: self.len(),
            });
        }
        if self.column(&name).is_some() {
            return Err(TableError::DuplicateColumn { name });
        }
        self.columns.push(Column { name, values });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_finds_columns() {
        let mut t = LocationTable::new(vec![1.0, 2.0], vec![3.0, 4.0], vec![]).unwrap();
        assert_eq!(t.ids, vec!["1", "2"]);
        t.push_column("a", vec![1.0, f64::NAN]).unwrap();
        assert_eq!(t.len(), 2);
        assert!(!t.is_empty());
        assert_eq!(t.column_index("a"), Some(0));
        assert!(t.column("a").unwrap().values[1].is_nan());
        assert!(t.column("b").is_none());
        assert_eq!(t.column_names(), vec!["a"]);
    }

    #[test]
    fn rejects_bad_columns() {
        let mut t = LocationTable::new(vec![1.0], vec![3.0], vec!["x".into()]).unwrap();
        let e = t.push_column("a", vec![]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column \"a\" has 0 values but the table has 1 rows"
        );
        t.push_column("a", vec![1.0]).unwrap();
        assert!(matches!(
            t.push_column("a", vec![2.0]),
            Err(TableError::DuplicateColumn { .. })
        ));
        assert!(LocationTable::new(vec![1.0], vec![], vec![]).is_err());
    }

    #[test]
    fn empty_table() {
        let t = LocationTable::default();
        assert!(t.is_empty());
        assert_eq!(t.len(), 0);
    }
}
