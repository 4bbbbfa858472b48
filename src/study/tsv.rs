//! Tab-separated tables as BIDS uses them: a header row, `n/a` for a missing value.
use super::StudyError;
use std::collections::HashMap;
use std::path::Path;

/// A TSV file: column names and rows of cells (trimmed; `n/a` and empty cells are `None`).
#[derive(Clone, Debug, Default)]
pub struct Tsv {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub path: String,
}

impl Tsv {
    /// Read a TSV; every row must have as many cells as the header.
    pub fn read(path: &Path) -> Result<Tsv, StudyError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| StudyError::file(&p, format!("cannot read: {e}")))?;
        let text = text.trim_start_matches('\u{feff}');
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let (_, head) = lines
            .next()
            .ok_or_else(|| StudyError::file(&p, "the file is empty (no header row)"))?;
        let columns: Vec<String> = head.split('\t').map(|c| c.trim().to_string()).collect();
        let mut rows = Vec::new();
        for (n, l) in lines {
            let cells: Vec<Option<String>> = l
                .split('\t')
                .map(|c| {
                    let c = c.trim();
                    (!c.is_empty() && c != "n/a" && c != "NA").then(|| c.to_string())
                })
                .collect();
            if cells.len() != columns.len() {
                return Err(StudyError::file(
                    &p,
                    format!(
                        "line {}: {} cells but the header has {} columns (cells are separated by tabs)",
                        n + 1,
                        cells.len(),
                        columns.len()
                    ),
                ));
            }
            rows.push(cells);
        }
        Ok(Tsv {
            columns,
            rows,
            path: p,
        })
    }
    /// Index of a column, or an error naming the file and the column.
    pub fn col(&self, name: &str) -> Result<usize, StudyError> {
        self.columns.iter().position(|c| c == name).ok_or_else(|| {
            StudyError::file(
                &self.path,
                format!("no column '{name}' (columns: {})", self.columns.join(", ")),
            )
        })
    }
    /// Rows as maps column → cell.
    pub fn records(&self) -> Vec<HashMap<String, Option<String>>> {
        self.rows
            .iter()
            .map(|r| {
                self.columns
                    .iter()
                    .cloned()
                    .zip(r.iter().cloned())
                    .collect()
            })
            .collect()
    }
    /// A numeric cell of row `r` (None if missing), or an error naming row and column.
    pub fn num(&self, r: usize, name: &str) -> Result<Option<f64>, StudyError> {
        let c = self.col(name)?;
        match &self.rows[r][c] {
            None => Ok(None),
            Some(s) => s.parse::<f64>().map(Some).map_err(|_| {
                StudyError::file(
                    &self.path,
                    format!("row {}: {name} = '{s}' is not a number", r + 1),
                )
            }),
        }
    }
    /// A text cell of row `r`.
    pub fn text(&self, r: usize, name: &str) -> Result<Option<String>, StudyError> {
        let c = self.col(name)?;
        Ok(self.rows[r][c].clone())
    }
}

/// Format a number for a TSV cell (`n/a` for NaN or None).
pub fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.6}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.to_string()
            }
        }
        _ => "n/a".into(),
    }
}

/// Write a TSV atomically from a header and rows of already formatted cells.
pub fn write(path: &Path, columns: &[&str], rows: &[Vec<String>]) -> Result<(), StudyError> {
    let mut s = columns.join("\t");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join("\t"));
        s.push('\n');
    }
    crate::fsutil::write_atomic(path, |w| w.write_all(s.as_bytes()))
        .map_err(|e| StudyError::file(&path.display().to_string(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_missing_cells() {
        let d = std::env::temp_dir().join(format!("petmr-tsv-{}", std::process::id()));
        let p = d.join("t.tsv");
        write(
            &p,
            &["a", "b"],
            &[
                vec!["1".into(), cell(None)],
                vec!["x".into(), cell(Some(2.5))],
            ],
        )
        .unwrap();
        let t = Tsv::read(&p).unwrap();
        assert_eq!(t.columns, ["a", "b"]);
        assert_eq!(t.num(0, "b").unwrap(), None);
        assert_eq!(t.num(1, "b").unwrap(), Some(2.5));
        assert!(t
            .num(1, "a")
            .unwrap_err()
            .to_string()
            .contains("not a number"));
        assert!(t
            .col("c")
            .unwrap_err()
            .to_string()
            .contains("no column 'c'"));
        std::fs::write(&p, "a\tb\n1\n").unwrap();
        assert!(Tsv::read(&p).unwrap_err().to_string().contains("line 2"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
