//! The cohort table: a thin wrapper over a Polars `DataFrame`.
//!
//! This module is the only place in petmr that calls Polars, so that changes of the Polars API
//! stay here. Everything else sees [`Table`], [`Cell`] (one value) and plain Rust types.
//! Missing values are nulls; NaN coming from scripts is stored as null.
pub mod format;
mod render;

use polars::prelude::*;
use std::path::Path;

pub use render::{render_box, term_width};

/// Errors of the table layer (`table: where: what`).
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("table: {0}: {1}")]
    Io(String, String),
    #[error("table: {op}: {msg}")]
    Arg { op: String, msg: String },
    #[error("table: {op}: {msg}")]
    Polars { op: String, msg: String },
}

fn pe(op: &str) -> impl Fn(PolarsError) -> TableError + '_ {
    move |e| TableError::Polars {
        op: op.to_string(),
        msg: e.to_string(),
    }
}

fn arg(op: &str, msg: impl Into<String>) -> TableError {
    TableError::Arg {
        op: op.to_string(),
        msg: msg.into(),
    }
}

/// One value of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Cell>),
}

impl Cell {
    /// The value as a number (Int, Float, Bool as 0/1); None for null, strings and lists.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            Cell::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        }
    }
}

fn cell_of(av: AnyValue) -> Cell {
    match av {
        AnyValue::Null => Cell::Null,
        AnyValue::Boolean(b) => Cell::Bool(b),
        AnyValue::String(s) => Cell::Str(s.to_string()),
        AnyValue::StringOwned(s) => Cell::Str(s.to_string()),
        AnyValue::UInt8(v) => Cell::Int(v as i64),
        AnyValue::UInt16(v) => Cell::Int(v as i64),
        AnyValue::UInt32(v) => Cell::Int(v as i64),
        AnyValue::UInt64(v) => Cell::Int(v as i64),
        AnyValue::Int8(v) => Cell::Int(v as i64),
        AnyValue::Int16(v) => Cell::Int(v as i64),
        AnyValue::Int32(v) => Cell::Int(v as i64),
        AnyValue::Int64(v) => Cell::Int(v),
        AnyValue::Float32(v) => Cell::Float(v as f64),
        AnyValue::Float64(v) => Cell::Float(v),
        AnyValue::List(s) => Cell::List(
            (0..s.len())
                .map(|i| s.get(i).map(cell_of).unwrap_or(Cell::Null))
                .collect(),
        ),
        other => match other.get_str() {
            Some(s) => Cell::Str(s.to_string()),
            None => Cell::Str(other.to_string()),
        },
    }
}

/// Build a Polars column from cells, inferring its type: all integers (or null) → Int64, numbers
/// → Float64 (NaN → null), strings → String, booleans → Boolean. Mixed kinds are an error.
fn column_of(op: &str, name: &str, cells: &[Cell]) -> Result<Column, TableError> {
    let (mut ints, mut floats, mut strs, mut bools, mut lists) = (0, 0, 0, 0, 0);
    for c in cells {
        match c {
            Cell::Null => {}
            Cell::Int(_) => ints += 1,
            Cell::Float(_) => floats += 1,
            Cell::Str(_) => strs += 1,
            Cell::Bool(_) => bools += 1,
            Cell::List(_) => lists += 1,
        }
    }
    let name: PlSmallStr = name.into();
    if lists > 0 {
        return Err(arg(
            op,
            format!("column '{name}': arrays cannot be table cells"),
        ));
    }
    let kinds = [ints + floats > 0, strs > 0, bools > 0]
        .iter()
        .filter(|&&k| k)
        .count();
    if kinds > 1 {
        return Err(arg(
            op,
            format!(
                "column '{name}' mixes numbers, strings and booleans; give one kind per column"
            ),
        ));
    }
    Ok(if strs > 0 {
        let v: Vec<Option<String>> = cells
            .iter()
            .map(|c| match c {
                Cell::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        Column::new(name, v)
    } else if bools > 0 {
        let v: Vec<Option<bool>> = cells
            .iter()
            .map(|c| match c {
                Cell::Bool(b) => Some(*b),
                _ => None,
            })
            .collect();
        Column::new(name, v)
    } else if floats == 0 && ints > 0 {
        let v: Vec<Option<i64>> = cells
            .iter()
            .map(|c| match c {
                Cell::Int(i) => Some(*i),
                _ => None,
            })
            .collect();
        Column::new(name, v)
    } else {
        let v: Vec<Option<f64>> = cells
            .iter()
            .map(|c| c.as_f64().filter(|x| !x.is_nan()))
            .collect();
        Column::new(name, v)
    })
}

/// How two tables are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinHow {
    Inner,
    Left,
    Full,
}

/// An aggregation of a group-by.
#[derive(Clone, Debug, PartialEq)]
pub enum Agg {
    /// Number of rows in the group.
    Len,
    /// Number of non-null values of a column.
    Count(String),
    Sum(String),
    Mean(String),
    Median(String),
    Min(String),
    Max(String),
    /// Sample standard deviation (n − 1).
    Sd(String),
    First(String),
    NUnique(String),
    /// The group's values as a list (array in scripts).
    List(String),
}

impl Agg {
    /// Parse `"median(ktrans)"`, `"count()"`/`"len()"`, or a bare function name applied to
    /// `default_col` (`"median"`).
    pub fn parse(spec: &str, default_col: &str) -> Result<Agg, TableError> {
        let s = spec.trim();
        let (f, c) = match s.find('(') {
            Some(i) if s.ends_with(')') => (s[..i].trim(), s[i + 1..s.len() - 1].trim()),
            _ => (s, default_col),
        };
        let c = if c.is_empty() { default_col } else { c }.to_string();
        Ok(match f {
            "len" | "rows" => Agg::Len,
            "count" | "n" => {
                if s.ends_with("()") {
                    Agg::Len
                } else {
                    Agg::Count(c)
                }
            }
            "sum" => Agg::Sum(c),
            "mean" => Agg::Mean(c),
            "median" => Agg::Median(c),
            "min" => Agg::Min(c),
            "max" => Agg::Max(c),
            "sd" | "std" => Agg::Sd(c),
            "first" => Agg::First(c),
            "n_unique" => Agg::NUnique(c),
            "list" | "values" => Agg::List(c),
            _ => {
                return Err(arg(
                    "agg",
                    format!(
                        "'{spec}': unknown aggregation (known: len, count, sum, mean, median, min, max, sd, first, n_unique, list)"
                    ),
                ))
            }
        })
    }
    fn column(&self) -> Option<&str> {
        match self {
            Agg::Len => None,
            Agg::Count(c)
            | Agg::Sum(c)
            | Agg::Mean(c)
            | Agg::Median(c)
            | Agg::Min(c)
            | Agg::Max(c)
            | Agg::Sd(c)
            | Agg::First(c)
            | Agg::NUnique(c)
            | Agg::List(c) => Some(c),
        }
    }
    fn expr(&self) -> Expr {
        match self {
            Agg::Len => len(),
            Agg::Count(c) => col(c.as_str()).count(),
            Agg::Sum(c) => col(c.as_str()).sum(),
            Agg::Mean(c) => col(c.as_str()).mean(),
            Agg::Median(c) => col(c.as_str()).median(),
            Agg::Min(c) => col(c.as_str()).min(),
            Agg::Max(c) => col(c.as_str()).max(),
            Agg::Sd(c) => col(c.as_str()).std(1),
            Agg::First(c) => col(c.as_str()).first(),
            Agg::NUnique(c) => col(c.as_str()).n_unique(),
            Agg::List(c) => col(c.as_str()).drop_nulls(),
        }
    }
}

/// A cohort table (one row per lesion, say), backed by a Polars `DataFrame`.
#[derive(Clone, Debug, Default)]
pub struct Table {
    df: DataFrame,
}

impl Table {
    /// Read a CSV file with a header row. Empty fields and `NA`/`NaN` are missing values.
    pub fn read_csv(path: &Path) -> Result<Table, TableError> {
        let p = path.display().to_string();
        if !path.is_file() {
            return Err(TableError::Io(p, "no such file".into()));
        }
        let nulls = NullValues::AllColumns(
            ["", "NA", "na", "NaN", "nan", "null"]
                .iter()
                .map(|s| PlSmallStr::from(*s))
                .collect(),
        );
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(None)
            .map_parse_options(move |o| o.with_null_values(Some(nulls.clone())))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| TableError::Io(p.clone(), format!("cannot read CSV: {e}")))?;
        crate::fsutil::register_input(path);
        Ok(Table { df })
    }

    /// Read a Parquet file.
    pub fn read_parquet(path: &Path) -> Result<Table, TableError> {
        let p = path.display().to_string();
        let f = std::fs::File::open(path).map_err(|e| TableError::Io(p.clone(), e.to_string()))?;
        let df = ParquetReader::new(f)
            .finish()
            .map_err(|e| TableError::Io(p.clone(), format!("cannot read Parquet: {e}")))?;
        crate::fsutil::register_input(path);
        Ok(Table { df })
    }

    /// A table from named columns of equal length (order kept).
    pub fn from_columns(cols: Vec<(String, Vec<Cell>)>) -> Result<Table, TableError> {
        let op = "table";
        if let Some((_, first)) = cols.first() {
            for (n, c) in &cols {
                if c.len() != first.len() {
                    return Err(arg(
                        op,
                        format!(
                            "column '{n}' has {} values but '{}' has {}",
                            c.len(),
                            cols[0].0,
                            first.len()
                        ),
                    ));
                }
            }
        }
        let columns = cols
            .iter()
            .map(|(n, c)| column_of(op, n, c))
            .collect::<Result<Vec<_>, _>>()?;
        let height = cols.first().map_or(0, |c| c.1.len());
        let df = DataFrame::new(height, columns).map_err(pe(op))?;
        Ok(Table { df })
    }

    /// Column names in order.
    pub fn columns(&self) -> Vec<String> {
        self.df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// Number of rows.
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// Number of columns.
    pub fn width(&self) -> usize {
        self.df.width()
    }

    fn column(&self, op: &str, name: &str) -> Result<&Column, TableError> {
        self.df.column(name).map_err(|_| {
            arg(
                op,
                format!(
                    "no column '{name}' (columns: {})",
                    self.columns().join(", ")
                ),
            )
        })
    }

    /// The values of one column.
    pub fn col(&self, name: &str) -> Result<Vec<Cell>, TableError> {
        let c = self.column("col", name)?;
        Ok((0..c.len())
            .map(|i| c.get(i).map(cell_of).unwrap_or(Cell::Null))
            .collect())
    }

    /// A numeric column as f64 (null → NaN); an error for a non-numeric column.
    pub fn col_f64(&self, name: &str) -> Result<Vec<f64>, TableError> {
        let c = self.column("col_f64", name)?;
        if !c.dtype().is_primitive_numeric() && !c.dtype().is_bool() && !c.dtype().is_null() {
            return Err(arg(
                "col_f64",
                format!("column '{name}' is {}, not numeric", c.dtype()),
            ));
        }
        let f = c.cast(&DataType::Float64).map_err(pe("col_f64"))?;
        let ca = f.f64().map_err(pe("col_f64"))?;
        Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// Row `i` as (column, value) pairs.
    pub fn row(&self, i: usize) -> Vec<(String, Cell)> {
        self.df
            .columns()
            .iter()
            .map(|c| {
                (
                    c.name().to_string(),
                    c.get(i).map(cell_of).unwrap_or(Cell::Null),
                )
            })
            .collect()
    }

    /// The rows where `mask` is true.
    pub fn filter_mask(&self, mask: &[bool]) -> Result<Table, TableError> {
        if mask.len() != self.height() {
            return Err(arg(
                "filter",
                format!("mask has {} values for {} rows", mask.len(), self.height()),
            ));
        }
        let m = BooleanChunked::from_slice("mask".into(), mask);
        Ok(Table {
            df: self.df.filter(&m).map_err(pe("filter"))?,
        })
    }

    /// Run a SQL query in which this table is called `t`.
    pub fn sql(&self, query: &str) -> Result<Table, TableError> {
        let mut ctx = polars::sql::SQLContext::new();
        ctx.register("t", self.df.clone().lazy());
        let df = ctx
            .execute(query)
            .and_then(|lf| lf.collect())
            .map_err(pe("sql"))?;
        Ok(Table { df })
    }

    /// Group by `keys` (groups in order of first appearance) and aggregate: each `(name, agg)`
    /// gives one output column.
    pub fn group_by(&self, keys: &[String], aggs: &[(String, Agg)]) -> Result<Table, TableError> {
        if keys.is_empty() {
            return Err(arg("group_by", "give at least one key column"));
        }
        for k in keys {
            self.column("group_by", k)?;
        }
        for (_, a) in aggs {
            if let Some(c) = a.column() {
                self.column("agg", c)?;
            }
        }
        let by: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
        let exprs: Vec<Expr> = aggs
            .iter()
            .map(|(n, a)| a.expr().alias(n.as_str()))
            .collect();
        let df = self
            .df
            .clone()
            .lazy()
            .group_by_stable(by)
            .agg(exprs)
            .collect()
            .map_err(pe("group_by"))?;
        Ok(Table { df })
    }

    /// Join with `other` on the columns `on` (present in both).
    pub fn join(&self, other: &Table, on: &[String], how: JoinHow) -> Result<Table, TableError> {
        if on.is_empty() {
            return Err(arg("join", "give at least one key column"));
        }
        for k in on {
            self.column("join (left table)", k)?;
            other.column("join (right table)", k)?;
        }
        let keys: Vec<Expr> = on.iter().map(|k| col(k.as_str())).collect();
        let jt = match how {
            JoinHow::Inner => JoinType::Inner,
            JoinHow::Left => JoinType::Left,
            JoinHow::Full => JoinType::Full,
        };
        let mut args = JoinArgs::new(jt);
        if how == JoinHow::Full {
            args = args.with_coalesce(JoinCoalesce::CoalesceColumns);
        }
        let df = self
            .df
            .clone()
            .lazy()
            .join(other.df.clone().lazy(), &keys, &keys, args)
            .collect()
            .map_err(pe("join"))?;
        Ok(Table { df })
    }

    /// The table with column `name` added or replaced.
    pub fn with_column(&self, name: &str, values: &[Cell]) -> Result<Table, TableError> {
        if values.len() != self.height() && self.width() > 0 {
            return Err(arg(
                "with_column",
                format!(
                    "'{name}' has {} values for {} rows",
                    values.len(),
                    self.height()
                ),
            ));
        }
        let c = column_of("with_column", name, values)?;
        let mut df = self.df.clone();
        df.with_column(c).map_err(pe("with_column"))?;
        Ok(Table { df })
    }

    /// The table with only `cols`, in that order.
    pub fn select(&self, cols: &[String]) -> Result<Table, TableError> {
        for c in cols {
            self.column("select", c)?;
        }
        Ok(Table {
            df: self.df.select(cols.iter().cloned()).map_err(pe("select"))?,
        })
    }

    /// Sorted by `by` (stable; missing values last).
    pub fn sort(&self, by: &str, descending: bool) -> Result<Table, TableError> {
        self.column("sort", by)?;
        let o = SortMultipleOptions::default()
            .with_order_descending(descending)
            .with_nulls_last(true)
            .with_maintain_order(true);
        Ok(Table {
            df: self.df.sort([by], o).map_err(pe("sort"))?,
        })
    }

    /// Rows `[offset, offset + n)`.
    pub fn slice(&self, offset: usize, n: usize) -> Table {
        Table {
            df: self.df.slice(offset as i64, n),
        }
    }

    /// Vertical concatenation (same columns).
    pub fn vstack(&self, other: &Table) -> Result<Table, TableError> {
        if self.width() == 0 {
            return Ok(other.clone());
        }
        Ok(Table {
            df: self.df.vstack(&other.df).map_err(pe("append"))?,
        })
    }

    /// Write CSV (header row; missing values as empty fields), atomically.
    pub fn write_csv(&self, path: &Path) -> Result<(), TableError> {
        let mut df = self.df.clone();
        crate::fsutil::write_atomic(path, |w| {
            CsvWriter::new(w)
                .finish(&mut df)
                .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .map_err(|e| TableError::Io(path.display().to_string(), e))
    }

    /// Write Parquet, atomically.
    pub fn write_parquet(&self, path: &Path) -> Result<(), TableError> {
        let mut df = self.df.clone();
        crate::fsutil::write_atomic(path, |w| {
            ParquetWriter::new(w)
                .finish(&mut df)
                .map(|_| ())
                .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .map_err(|e| TableError::Io(path.display().to_string(), e))
    }

    /// All cells as display strings, row-major, with the header first.
    fn display_cells(&self) -> (Vec<String>, Vec<Vec<(String, bool)>>) {
        let header = self.columns();
        let rows = (0..self.height())
            .map(|i| {
                self.row(i)
                    .into_iter()
                    .map(|(_, c)| {
                        let right = matches!(c, Cell::Int(_) | Cell::Float(_));
                        (format::cell(&c), right)
                    })
                    .collect()
            })
            .collect();
        (header, rows)
    }

    /// A box-drawn rendering that fits `max_width` characters (columns that do not fit are
    /// replaced by one "…" column; long tables show their head and tail).
    pub fn render(&self, max_width: usize) -> String {
        let (header, rows) = self.display_cells();
        render_box(&header, &rows, max_width, 60, self.height(), self.width())
    }

    /// GitHub-flavoured Markdown (all rows, all columns).
    pub fn to_markdown(&self) -> String {
        let (header, rows) = self.display_cells();
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            header
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let aligns: Vec<&str> = (0..header.len())
            .map(|j| {
                if rows.iter().all(|r| r[j].1 || r[j].0 == "null") && !rows.is_empty() {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", aligns.join(" | ")));
        for r in rows {
            let cells: Vec<String> = r
                .iter()
                .map(|(s, _)| if s == "null" { String::new() } else { esc(s) })
                .collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(term_width()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Table {
        Table::from_columns(vec![
            (
                "g".into(),
                ["a", "b", "a", "b", "a"]
                    .iter()
                    .map(|s| Cell::Str(s.to_string()))
                    .collect(),
            ),
            (
                "x".into(),
                vec![
                    Cell::Float(1.0),
                    Cell::Float(2.0),
                    Cell::Null,
                    Cell::Int(4),
                    Cell::Float(5.0),
                ],
            ),
            ("k".into(), (1..=5).map(Cell::Int).collect()),
        ])
        .unwrap()
    }

    #[test]
    fn columns_types_and_nulls() {
        let t = demo();
        assert_eq!(t.columns(), vec!["g", "x", "k"]);
        assert_eq!(t.height(), 5);
        assert_eq!(t.col("k").unwrap()[2], Cell::Int(3));
        assert_eq!(t.col("x").unwrap()[2], Cell::Null);
        assert_eq!(t.col("x").unwrap()[3], Cell::Float(4.0));
        assert!(t.col_f64("x").unwrap()[2].is_nan());
        assert!(t
            .col("nope")
            .unwrap_err()
            .to_string()
            .contains("no column 'nope'"));
        assert!(t.col_f64("g").is_err());
    }

    #[test]
    fn mixed_kinds_and_lengths_are_errors() {
        let e = Table::from_columns(vec![(
            "a".into(),
            vec![Cell::Int(1), Cell::Str("x".into())],
        )])
        .unwrap_err()
        .to_string();
        assert!(e.contains("column 'a' mixes"), "{e}");
        let e = Table::from_columns(vec![
            ("a".into(), vec![Cell::Int(1)]),
            ("b".into(), vec![Cell::Int(1), Cell::Int(2)]),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("'b' has 2 values"), "{e}");
    }

    #[test]
    fn group_by_sql_sort_join() {
        let t = demo();
        let g = t
            .group_by(
                &["g".into()],
                &[
                    ("n".into(), Agg::parse("count()", "").unwrap()),
                    ("med".into(), Agg::parse("median(x)", "").unwrap()),
                    ("xs".into(), Agg::parse("list(x)", "").unwrap()),
                ],
            )
            .unwrap();
        assert_eq!(g.col("g").unwrap()[0], Cell::Str("a".into()));
        assert_eq!(g.col_f64("n").unwrap(), vec![3.0, 2.0]);
        assert_eq!(g.col_f64("med").unwrap(), vec![3.0, 3.0]);
        assert_eq!(
            g.col("xs").unwrap()[0],
            Cell::List(vec![Cell::Float(1.0), Cell::Float(5.0)])
        );
        let s = t
            .sql("SELECT g, SUM(k) AS s FROM t GROUP BY g ORDER BY g")
            .unwrap();
        assert_eq!(s.col_f64("s").unwrap(), vec![9.0, 6.0]);
        let so = t.sort("x", true).unwrap();
        assert_eq!(so.col_f64("k").unwrap()[..4], [5.0, 4.0, 2.0, 1.0]);
        assert_eq!(so.col("x").unwrap()[4], Cell::Null);
        let other = Table::from_columns(vec![
            (
                "g".into(),
                vec![Cell::Str("a".into()), Cell::Str("c".into())],
            ),
            ("y".into(), vec![Cell::Int(10), Cell::Int(30)]),
        ])
        .unwrap();
        let j = t.join(&other, &["g".into()], JoinHow::Left).unwrap();
        assert_eq!(j.height(), 5);
        assert_eq!(j.col("y").unwrap()[1], Cell::Null);
        let j = t.join(&other, &["g".into()], JoinHow::Inner).unwrap();
        assert_eq!(j.height(), 3);
    }

    #[test]
    fn csv_and_parquet_round_trip() {
        let d = std::env::temp_dir().join(format!("petmr-table-unit-{}", std::process::id()));
        let t = demo();
        t.write_csv(&d.join("a.csv")).unwrap();
        t.write_parquet(&d.join("a.parquet")).unwrap();
        let c = Table::read_csv(&d.join("a.csv")).unwrap();
        let p = Table::read_parquet(&d.join("a.parquet")).unwrap();
        for r in [&c, &p] {
            assert_eq!(r.columns(), t.columns());
            assert_eq!(r.col("x").unwrap()[2], Cell::Null);
            assert_eq!(r.col("g").unwrap(), t.col("g").unwrap());
        }
        assert_eq!(p.col("x").unwrap(), t.col("x").unwrap());
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn render_fits_width() {
        let t = demo();
        let s = t.render(200);
        assert!(s.contains('┌') && s.contains("null"), "{s}");
        for w in [20usize, 30, 60] {
            let s = t.render(w);
            for line in s.lines() {
                assert!(line.chars().count() <= w, "{w}: {line:?}\n{s}");
            }
        }
        let md = t.to_markdown();
        assert!(md.starts_with("| g | x | k |"), "{md}");
    }
}
