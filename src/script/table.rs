//! Script functions of the `table` domain: the Polars-backed `Table`, its group-by, and the
//! paper-style formatters (median [range], mean ± SD, n (%), p values).
use super::convert::{f64_vec, num, Opts};
use super::docs::FnDoc;
use super::{err, rerr, RResult};
use crate::table::{format, Agg, Cell, JoinHow, Table};
use rhai::{Array, Dynamic, Engine, FnPtr, Map, NativeCallContext, FLOAT, INT};
use std::path::Path;

/// A pending group-by: `t.group_by(cols)`; `.agg(#{...})` makes the table.
#[derive(Clone, Debug)]
pub struct GroupBy {
    table: Table,
    keys: Vec<String>,
}

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "read_csv", domain: "table", signature: "read_csv(path) -> Table",
        doc: "Read a CSV file with a header row into a Table. Column types are inferred from all rows; empty fields and NA/NaN are missing values (`()` in scripts).",
        example: "let t = read_csv(\"derivatives/lesions.csv\");\nprint(t);" },
    FnDoc { name: "read_parquet", domain: "table", signature: "read_parquet(path) -> Table",
        doc: "Read a Parquet file into a Table.",
        example: "let t = read_parquet(\"lesions.parquet\");" },
    FnDoc { name: "table", domain: "table", signature: "table(#{col: array, …}) -> Table · table(#{…}, column_order)",
        doc: "A Table from equal-length arrays. A column of integers stays integer, numbers become float, strings stay strings; `()` and NaN are missing. Object-map keys are sorted, so pass the column order as a second argument to keep yours.",
        example: "let t = table(#{id: [1, 2, 3], ktrans: [0.4, (), 0.2]}, [\"id\", \"ktrans\"]);" },
    FnDoc { name: "columns", domain: "table", signature: "t.columns() -> array of strings",
        doc: "Column names in order.", example: "print(t.columns());" },
    FnDoc { name: "height", domain: "table", signature: "t.height() -> int",
        doc: "Number of rows.", example: "print(t.height());" },
    FnDoc { name: "width", domain: "table", signature: "t.width() -> int",
        doc: "Number of columns.", example: "print(t.width());" },
    FnDoc { name: "col", domain: "table", signature: "t.col(name) -> array · t[name]",
        doc: "The values of a column (missing values are `()`; the statistics functions skip them). Arrays of a `list(…)` aggregation come back as arrays.",
        example: "let k = t.col(\"ktrans\");\nprint(describe(k));" },
    FnDoc { name: "row", domain: "table", signature: "t.row(i) -> map",
        doc: "Row i (from 0) as an object map column → value.", example: "print(t.row(0).participant);" },
    FnDoc { name: "rows", domain: "table", signature: "t.rows() -> array of maps",
        doc: "All rows as object maps.", example: "for r in t.rows() { print(r.lesion); }" },
    FnDoc { name: "filter", domain: "table", signature: "t.filter(|row| bool) -> Table",
        doc: "The rows for which the closure returns true; `row` is an object map (missing values are `()`).",
        example: "let idc = t.filter(|r| r.subtype == \"IDC\" && r.adc != ());" },
    FnDoc { name: "sql", domain: "table", signature: "t.sql(query) -> Table",
        doc: "Run a SQL query (Polars SQL) in which the table is called `t`.",
        example: "print(t.sql(\"SELECT subtype, COUNT(*) AS n, MEDIAN(ktrans) AS ktrans FROM t GROUP BY subtype ORDER BY n DESC\"));" },
    FnDoc { name: "group_by", domain: "table", signature: "t.group_by(col_or_cols) -> GroupBy",
        doc: "Group by one column (string) or several (array); groups keep the order of first appearance. Follow with `.agg(#{out: \"fn(col)\", …})`.",
        example: "let g = t.group_by(\"subtype\").agg(#{n: \"count()\", ktrans: \"median(ktrans)\", ki: \"list(ki)\"});" },
    FnDoc { name: "agg", domain: "table", signature: "group_by.agg(#{out_col: \"fn(col)\", …}) -> Table",
        doc: "One row per group: the key columns, then one column per entry. Functions: count() (rows), count(col) (non-missing), sum, mean, median, min, max, sd (n − 1), first, n_unique, list (the group's non-missing values as an array, e.g. for kruskal). A bare function name applies to the column of the same name as the key: #{ktrans: \"median\"}.",
        example: "let g = t.group_by(\"grade\").agg(#{n: \"count()\", kep: \"median\", values: \"list(kep)\"});\nprint(kruskal(g.col(\"values\")));" },
    FnDoc { name: "join", domain: "table", signature: "t.join(other, on) · t.join(other, on, #{how: \"inner\"|\"left\"|\"full\"}) -> Table",
        doc: "Join two tables on key column(s) `on` (a string or an array); default how: \"left\".",
        example: "let both = lesions.join(clinical, \"participant\");" },
    FnDoc { name: "with_column", domain: "table", signature: "t.with_column(name, array) -> Table",
        doc: "The table with a column added (or replaced); the array must have one value per row.",
        example: "let t2 = t.with_column(\"ki_e3\", t.col(\"ki\").map(|x| if x == () { () } else { x * 1000.0 }));" },
    FnDoc { name: "select", domain: "table", signature: "t.select(cols) -> Table",
        doc: "Only the named columns, in that order.", example: "print(t.select([\"lesion\", \"ktrans\", \"hf\"]));" },
    FnDoc { name: "sort", domain: "table", signature: "t.sort(col) · t.sort(col, #{descending: true}) -> Table",
        doc: "Rows sorted by a column (stable; missing values last).", example: "print(t.sort(\"hf\", #{descending: true}).head(5));" },
    FnDoc { name: "head", domain: "table", signature: "t.head(n) -> Table",
        doc: "The first n rows.", example: "print(t.head(5));" },
    FnDoc { name: "append", domain: "table", signature: "t.append(other) -> Table",
        doc: "Rows of `other` appended (same columns and types).", example: "let all = a.append(b);" },
    FnDoc { name: "write_csv", domain: "table", signature: "t.write_csv(path)",
        doc: "Write CSV (header row, missing values as empty fields), atomically; never over an input file.",
        example: "t.write_csv(\"out/lesions.csv\");" },
    FnDoc { name: "write_parquet", domain: "table", signature: "t.write_parquet(path)",
        doc: "Write Parquet (readable by pandas, R arrow), atomically; never over an input file.",
        example: "t.write_parquet(\"out/lesions.parquet\");" },
    FnDoc { name: "to_markdown", domain: "table", signature: "t.to_markdown() -> string",
        doc: "The table as GitHub-flavoured Markdown (all rows; missing values empty).",
        example: "print(t.to_markdown());" },
    FnDoc { name: "write_text", domain: "table", signature: "write_text(path, text)",
        doc: "Write a text file (e.g. a Markdown table with its footnotes), atomically; never over an input file.",
        example: "write_text(\"out/table2.md\", t.to_markdown());" },
    FnDoc { name: "render", domain: "table", signature: "t.render(width) -> string",
        doc: "The box-drawn text of the table fitted to `width` characters (printing a table uses the terminal width, $COLUMNS or 100).",
        example: "print(t.render(80));" },
    FnDoc { name: "fmt_median_range", domain: "table", signature: "fmt_median_range(values, decimals = 2) -> string",
        doc: "`median [min–max]` of the non-missing values, e.g. `0.43 [0.14–1.97]`; one value gives `1.02 [−]`, none gives `–`.",
        example: "print(fmt_median_range(t.col(\"ktrans\")));" },
    FnDoc { name: "fmt_mean_sd", domain: "table", signature: "fmt_mean_sd(values, decimals = 2) -> string",
        doc: "`mean ± SD` (sample SD, n − 1) of the non-missing values, e.g. `0.25 ± 0.58`.",
        example: "print(fmt_mean_sd(t.col(\"suv_max\")));" },
    FnDoc { name: "fmt_n_pct", domain: "table", signature: "fmt_n_pct(n, total) -> string",
        doc: "`n (%)` with the percentage rounded to an integer, e.g. `21 (66)`.",
        example: "print(fmt_n_pct(21, 32));" },
    FnDoc { name: "fmt_p", domain: "table", signature: "fmt_p(p, letter = \"\", #{stars: false}) -> string",
        doc: "A p value as in the paper: 2 decimals, 3 below 0.01, `< 0.001` below that; optional stars (* p < 0.05, ** p < 0.01), then the footnote letter of the test: `0.77a`, `0.009**a`.",
        example: "print(fmt_p(kruskal(groups).p, \"a\", #{stars: true}));" },
    FnDoc { name: "fmt_r_p", domain: "table", signature: "fmt_r_p(r, p) -> string",
        doc: "A correlation as in Table 4: `r (p)` with stars, e.g. `0.48 (0.02*)`.",
        example: "let c = pearson(x, y);\nprint(fmt_r_p(c.r, c.p));" },
    FnDoc { name: "fmt_num", domain: "table", signature: "fmt_num(x, decimals) -> string",
        doc: "A number with fixed decimals (no `-0.00`); `()` or NaN give `–`.",
        example: "print(fmt_num(0.4267, 2));  // 0.43" },
    FnDoc { name: "size_class", domain: "table", signature: "size_class(mm, cut_mm = 20) -> string",
        doc: "The paper's size class of a longest diameter: `≤ 20 mm` or `> 20 mm` (empty string if missing).",
        example: "let t2 = t.with_column(\"size\", t.col(\"diameter_mm\").map(|d| size_class(d)));" },
];

fn terr(e: crate::table::TableError) -> Box<rhai::EvalAltResult> {
    rerr(e)
}

/// A Rhai value as a table cell (error naming `what` for arrays, maps and other types).
fn to_cell(d: &Dynamic, what: &str) -> RResult<Cell> {
    if d.is_unit() {
        Ok(Cell::Null)
    } else if let Ok(i) = d.as_int() {
        Ok(Cell::Int(i))
    } else if let Ok(f) = d.as_float() {
        Ok(if f.is_nan() {
            Cell::Null
        } else {
            Cell::Float(f)
        })
    } else if let Ok(b) = d.as_bool() {
        Ok(Cell::Bool(b))
    } else if let Ok(c) = d.as_char() {
        Ok(Cell::Str(c.to_string()))
    } else if d.is_string() {
        Ok(Cell::Str(d.clone().into_string().unwrap_or_default()))
    } else {
        Err(err(format!(
            "{what}: a table cell must be a number, string, bool or (), got {}",
            d.type_name()
        )))
    }
}

fn cells(a: &Array, what: &str) -> RResult<Vec<Cell>> {
    a.iter()
        .enumerate()
        .map(|(i, d)| to_cell(d, &format!("{what}[{i}]")))
        .collect()
}

/// A table cell as a Rhai value (missing → `()`).
fn to_dyn(c: Cell) -> Dynamic {
    match c {
        Cell::Null => Dynamic::UNIT,
        Cell::Bool(b) => Dynamic::from_bool(b),
        Cell::Int(i) => Dynamic::from_int(i),
        Cell::Float(f) => Dynamic::from_float(f),
        Cell::Str(s) => Dynamic::from(s),
        Cell::List(v) => Dynamic::from_array(v.into_iter().map(to_dyn).collect()),
    }
}

fn row_map(t: &Table, i: usize) -> Map {
    t.row(i)
        .into_iter()
        .map(|(k, c)| (k.into(), to_dyn(c)))
        .collect()
}

/// A column name or an array of names.
fn names(d: &Dynamic, what: &str) -> RResult<Vec<String>> {
    if d.is_string() {
        return Ok(vec![d.clone().into_string().unwrap_or_default()]);
    }
    if let Some(a) = d.clone().try_cast::<Array>() {
        return a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.clone().into_string().map_err(|t| {
                    err(format!(
                        "{what}[{i}]: expected a column name (string), got {t}"
                    ))
                })
            })
            .collect();
    }
    Err(err(format!(
        "{what}: expected a column name or an array of names, got {}",
        d.type_name()
    )))
}

fn from_map(m: Map, order: Option<Array>) -> RResult<Table> {
    let mut keys: Vec<String> = m.keys().map(|k| k.to_string()).collect();
    if let Some(o) = order {
        let o = names(&Dynamic::from_array(o), "table: column_order")?;
        for k in &o {
            if !m.contains_key(k.as_str()) {
                return Err(err(format!(
                    "table: column_order names '{k}', which is not a column"
                )));
            }
        }
        let rest: Vec<String> = keys.iter().filter(|k| !o.contains(k)).cloned().collect();
        keys = o.into_iter().chain(rest).collect();
    }
    let mut cols = Vec::new();
    for k in keys {
        let v = &m[k.as_str()];
        let arr = v.clone().try_cast::<Array>().ok_or_else(|| {
            err(format!(
                "table: column '{k}' must be an array, got {}",
                v.type_name()
            ))
        })?;
        let c = cells(&arr, &format!("table: column '{k}'"))?;
        cols.push((k, c));
    }
    Table::from_columns(cols).map_err(terr)
}

fn decimals(d: INT, what: &str) -> RResult<usize> {
    if (0..=12).contains(&d) {
        Ok(d as usize)
    } else {
        Err(err(format!("{what}: decimals must be 0..12, got {d}")))
    }
}

fn values(a: &Array, what: &str) -> RResult<Vec<f64>> {
    f64_vec(a, what)
}

fn write_text(path: &str, text: &str) -> RResult<()> {
    crate::fsutil::write_atomic(Path::new(path), |w| w.write_all(text.as_bytes()))
        .map_err(|e| err(format!("write_text: {path}: {e}")))
}

/// Register this domain's types and functions.
pub fn register(e: &mut Engine) {
    e.register_type_with_name::<Table>("Table")
        .register_type_with_name::<GroupBy>("GroupBy");

    // ---- construction and I/O
    e.register_fn("read_csv", |p: &str| {
        Table::read_csv(Path::new(p)).map_err(terr)
    });
    e.register_fn("read_parquet", |p: &str| {
        Table::read_parquet(Path::new(p)).map_err(terr)
    });
    e.register_fn("table", |m: Map| from_map(m, None));
    e.register_fn("table", |m: Map, order: Array| from_map(m, Some(order)));
    e.register_fn("write_csv", |t: &mut Table, p: &str| {
        t.write_csv(Path::new(p)).map_err(terr)
    });
    e.register_fn("write_parquet", |t: &mut Table, p: &str| {
        t.write_parquet(Path::new(p)).map_err(terr)
    });
    e.register_fn("to_markdown", |t: &mut Table| t.to_markdown());
    e.register_fn("write_text", write_text);
    e.register_fn("render", |t: &mut Table, w: INT| {
        t.render(w.clamp(12, 10_000) as usize)
    });
    e.register_fn("to_string", |t: &mut Table| t.to_string());
    e.register_fn("to_debug", |t: &mut Table| t.to_string());
    e.register_fn("to_string", |g: &mut GroupBy| {
        format!("GroupBy by [{}]: call .agg(#{{…}})", g.keys.join(", "))
    });
    e.register_fn("to_debug", |g: &mut GroupBy| {
        format!("GroupBy by [{}]", g.keys.join(", "))
    });

    // ---- inspection
    e.register_fn("columns", |t: &mut Table| -> Array {
        t.columns().into_iter().map(Dynamic::from).collect()
    });
    e.register_fn("height", |t: &mut Table| t.height() as INT);
    e.register_fn("width", |t: &mut Table| t.width() as INT);
    e.register_fn("len", |t: &mut Table| t.height() as INT);
    e.register_fn("col", |t: &mut Table, name: &str| -> RResult<Array> {
        Ok(t.col(name).map_err(terr)?.into_iter().map(to_dyn).collect())
    });
    e.register_indexer_get(|t: &mut Table, name: &str| -> RResult<Dynamic> {
        Ok(Dynamic::from_array(
            t.col(name).map_err(terr)?.into_iter().map(to_dyn).collect(),
        ))
    });
    e.register_fn("row", |t: &mut Table, i: INT| -> RResult<Map> {
        if i < 0 || i as usize >= t.height() {
            return Err(err(format!("row: index {i} is outside 0..{}", t.height())));
        }
        Ok(row_map(t, i as usize))
    });
    e.register_fn("rows", |t: &mut Table| -> Array {
        (0..t.height())
            .map(|i| Dynamic::from_map(row_map(t, i)))
            .collect()
    });

    // ---- transformations
    e.register_fn(
        "filter",
        |ctx: NativeCallContext, t: &mut Table, f: FnPtr| -> RResult<Table> {
            let mut mask = Vec::with_capacity(t.height());
            for i in 0..t.height() {
                let r: Dynamic = f.call_within_context(&ctx, (row_map(t, i),))?;
                let keep = r.as_bool().map_err(|ty| {
                    err(format!(
                        "filter: the closure must return true or false, got {ty} for row {i}"
                    ))
                })?;
                mask.push(keep);
            }
            t.filter_mask(&mask).map_err(terr)
        },
    );
    e.register_fn("sql", |t: &mut Table, q: &str| t.sql(q).map_err(terr));
    e.register_fn(
        "group_by",
        |t: &mut Table, by: Dynamic| -> RResult<GroupBy> {
            let keys = names(&by, "group_by: cols")?;
            if keys.is_empty() {
                return Err(err("group_by: give at least one column"));
            }
            for k in &keys {
                t.col(k).map_err(|_| {
                    err(format!(
                        "group_by: no column '{k}' (columns: {})",
                        t.columns().join(", ")
                    ))
                })?;
            }
            Ok(GroupBy {
                table: t.clone(),
                keys,
            })
        },
    );
    e.register_fn("agg", |g: &mut GroupBy, m: Map| -> RResult<Table> {
        let mut aggs = Vec::new();
        for (k, v) in m {
            let spec = v.clone().into_string().map_err(|t| {
                err(format!(
                    "agg: '{k}' must be a string such as \"median(ktrans)\", got {t}"
                ))
            })?;
            aggs.push((k.to_string(), Agg::parse(&spec, &k).map_err(terr)?));
        }
        g.table.group_by(&g.keys, &aggs).map_err(terr)
    });
    let join = |t: &mut Table, o: Table, on: Dynamic, opts: Map| -> RResult<Table> {
        let o2 = Opts::new("join", opts, &["how"])?;
        let how = match o2
            .choice("how", "left", &["inner", "left", "full"])?
            .as_str()
        {
            "inner" => JoinHow::Inner,
            "full" => JoinHow::Full,
            _ => JoinHow::Left,
        };
        let on = names(&on, "join: on")?;
        t.join(&o, &on, how).map_err(terr)
    };
    e.register_fn("join", join);
    e.register_fn("join", move |t: &mut Table, o: Table, on: Dynamic| {
        join(t, o, on, Map::new())
    });
    e.register_fn(
        "with_column",
        |t: &mut Table, name: &str, a: Array| -> RResult<Table> {
            let c = cells(&a, &format!("with_column: '{name}'"))?;
            t.with_column(name, &c).map_err(terr)
        },
    );
    e.register_fn("select", |t: &mut Table, cols: Dynamic| -> RResult<Table> {
        t.select(&names(&cols, "select: cols")?).map_err(terr)
    });
    e.register_fn("sort", |t: &mut Table, c: &str| {
        t.sort(c, false).map_err(terr)
    });
    e.register_fn("sort", |t: &mut Table, c: &str, m: Map| -> RResult<Table> {
        let o = Opts::new("sort", m, &["descending"])?;
        t.sort(c, o.bool("descending", false)?).map_err(terr)
    });
    e.register_fn("head", |t: &mut Table, n: INT| {
        t.slice(0, n.max(0) as usize)
    });
    e.register_fn("append", |t: &mut Table, o: Table| {
        t.vstack(&o).map_err(terr)
    });

    // ---- paper-style formatters
    e.register_fn("fmt_median_range", |a: Array| -> RResult<String> {
        Ok(format::median_range(
            &values(&a, "fmt_median_range: values")?,
            2,
        ))
    });
    e.register_fn("fmt_median_range", |a: Array, d: INT| -> RResult<String> {
        Ok(format::median_range(
            &values(&a, "fmt_median_range: values")?,
            decimals(d, "fmt_median_range")?,
        ))
    });
    e.register_fn("fmt_mean_sd", |a: Array| -> RResult<String> {
        Ok(format::mean_sd(&values(&a, "fmt_mean_sd: values")?, 2))
    });
    e.register_fn("fmt_mean_sd", |a: Array, d: INT| -> RResult<String> {
        Ok(format::mean_sd(
            &values(&a, "fmt_mean_sd: values")?,
            decimals(d, "fmt_mean_sd")?,
        ))
    });
    e.register_fn("fmt_n_pct", |n: INT, total: INT| -> RResult<String> {
        if n < 0 || total < 0 {
            return Err(err(format!(
                "fmt_n_pct: counts must be ≥ 0, got {n}, {total}"
            )));
        }
        Ok(format::n_pct(n as usize, total as usize))
    });
    let fmt_p = |p: Dynamic, letter: &str, m: Map| -> RResult<String> {
        let o = Opts::new("fmt_p", m, &["stars"])?;
        let p = if p.is_unit() {
            f64::NAN
        } else {
            num(&p, "fmt_p: p")?
        };
        Ok(format::p_value(p, letter, o.bool("stars", false)?))
    };
    e.register_fn("fmt_p", fmt_p);
    e.register_fn("fmt_p", move |p: Dynamic, l: &str| fmt_p(p, l, Map::new()));
    e.register_fn("fmt_p", move |p: Dynamic| fmt_p(p, "", Map::new()));
    e.register_fn("fmt_r_p", |r: Dynamic, p: Dynamic| -> RResult<String> {
        let r = if r.is_unit() {
            f64::NAN
        } else {
            num(&r, "fmt_r_p: r")?
        };
        let p = if p.is_unit() {
            f64::NAN
        } else {
            num(&p, "fmt_r_p: p")?
        };
        Ok(format::r_p(r, p))
    });
    e.register_fn("fmt_num", |x: Dynamic, d: INT| -> RResult<String> {
        let x = if x.is_unit() {
            f64::NAN
        } else {
            num(&x, "fmt_num: x")?
        };
        Ok(format::fixed(x, decimals(d, "fmt_num")?))
    });
    let size_class = |mm: Dynamic, cut: FLOAT| -> RResult<String> {
        let mm = if mm.is_unit() {
            f64::NAN
        } else {
            num(&mm, "size_class: mm")?
        };
        Ok(format::size_class(mm, cut))
    };
    e.register_fn("size_class", move |mm: Dynamic| size_class(mm, 20.0));
    e.register_fn("size_class", move |mm: Dynamic, cut: Dynamic| {
        size_class(mm, num(&cut, "size_class: cut_mm")?)
    });
}
