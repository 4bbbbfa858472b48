//! Integration tests: table — the script-level Table, the formatters, and the paper tables of
//! `stdlib/tables.rhai` on the fixture lesion table, checked against scipy
//! (`tests/data/table/reference.py` → `expected.json`), then against golden files.
use crate::util::{data, eval, eval_err, tmpdir};
use petmr::table::{Cell, Table};
use rhai::{Array, Map};
use serde_json::Value;

fn fixture() -> String {
    data("table/lesions.csv").display().to_string()
}

fn expected() -> Value {
    let s = std::fs::read_to_string(data("table/expected.json")).expect("expected.json");
    serde_json::from_str(&s).expect("expected.json parses")
}

/// Evaluate `tables::NAME_report(read_csv(fixture))` and return the report map.
fn report(call: &str) -> Map {
    let src = format!(
        "import \"tables\" as tables;\nlet t = read_csv(\"{}\");\ntables::{call}",
        fixture()
    );
    eval::<Map>(&src).unwrap_or_else(|e| panic!("{call}: {e}"))
}

fn table_of(m: &Map, key: &str) -> Table {
    m.get(key)
        .and_then(|d| d.clone().try_cast::<Table>())
        .unwrap_or_else(|| panic!("report has no Table '{key}'"))
}

fn strings(t: &Table, col: &str) -> Vec<String> {
    t.col(col)
        .unwrap()
        .into_iter()
        .map(|c| match c {
            Cell::Str(s) => s,
            other => panic!("{col}: expected strings, got {other:?}"),
        })
        .collect()
}

/// The table's cells, row-major, as strings.
fn cells(t: &Table) -> Vec<Vec<String>> {
    let cols: Vec<Vec<String>> = t.columns().iter().map(|c| strings(t, c)).collect();
    (0..t.height())
        .map(|i| cols.iter().map(|c| c[i].clone()).collect())
        .collect()
}

fn expected_cells(v: &Value) -> (Vec<String>, Vec<Vec<String>>) {
    let cols = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let rows = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    (cols, rows)
}

fn golden(name: &str, text: &str) {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", p.display()));
    assert!(
        want == text,
        "{name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)\n--- got:\n{text}"
    );
}

fn markdown(call: &str) -> String {
    let src = format!(
        "import \"tables\" as tables;\nlet t = read_csv(\"{}\");\ntables::markdown(tables::{call})",
        fixture()
    );
    eval::<String>(&src).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn rel_close(a: f64, b: f64, rtol: f64) -> bool {
    (a - b).abs() <= rtol * b.abs().max(1e-300)
}

/// The `r`, `p` and `n` columns of a correlation table against scipy's rows (r to 1e-9, p to
/// 1e-6 relative, n exactly).
fn assert_r_p_n(t: &Table, want: &[Value]) {
    let (rr, pp, nn) = (
        t.col_f64("r").unwrap(),
        t.col_f64("p").unwrap(),
        t.col_f64("n").unwrap(),
    );
    assert_eq!(rr.len(), want.len());
    for (i, w) in want.iter().enumerate() {
        assert!(
            rel_close(rr[i], f(&w["r"]), 1e-9),
            "r[{i}] {} vs {}",
            rr[i],
            w["r"]
        );
        assert!(
            rel_close(pp[i], f(&w["p"]), 1e-6),
            "p[{i}] {} vs {}",
            pp[i],
            w["p"]
        );
        assert_eq!(nn[i], f(&w["n"]), "n[{i}]");
    }
}

// ------------------------------------------------------------------ the Table in scripts

#[test]
fn table_from_map_columns_rows_and_missing_values() {
    let n: i64 = eval("table(#{a: [1, 2, 3], b: [0.5, (), 2.0]}).height()").unwrap();
    assert_eq!(n, 3);
    let cols: Array = eval("table(#{z: [1], a: [2]}, [\"z\", \"a\"]).columns()").unwrap();
    let cols: Vec<String> = cols.into_iter().map(|d| d.into_string().unwrap()).collect();
    assert_eq!(cols, ["z", "a"]);
    let b: Array = eval("let t = table(#{b: [0.5, (), 2.0]}); t.col(\"b\")").unwrap();
    assert!(b[1].is_unit() && b[0].as_float().unwrap() == 0.5);
    let v: i64 = eval("table(#{k: [1, 2]}).row(1).k").unwrap();
    assert_eq!(v, 2);
    // NaN from arithmetic is stored as missing
    let b: Array = eval("table(#{x: [0.0 / 0.0, 1.0]}).col(\"x\")").unwrap();
    assert!(b[0].is_unit());
}

#[test]
fn filter_sql_group_by_join_sort_with_column() {
    let src = format!("let t = read_csv(\"{}\");", fixture());
    let n: i64 = eval(&format!(
        "{src} t.filter(|r| r.subtype == \"IDC\" && r.adc != ()).height()"
    ))
    .unwrap();
    // independent count from the CSV text
    let (h, rows) = crate::util::csv("table/lesions.csv");
    let si = h.iter().position(|c| c == "subtype").unwrap();
    let ai = h.iter().position(|c| c == "adc").unwrap();
    let want = rows
        .iter()
        .filter(|r| r[si] == "IDC" && !r[ai].is_empty())
        .count();
    assert_eq!(n as usize, want);

    // SQL: counts per subtype
    let m: Map = eval(&format!(
        "{src} let s = t.sql(\"SELECT subtype, COUNT(*) AS n FROM t GROUP BY subtype ORDER BY subtype\");
         #{{s: s.col(\"subtype\"), n: s.col(\"n\")}}"
    ))
    .unwrap();
    let subs: Vec<String> = m["s"]
        .clone()
        .into_array()
        .unwrap()
        .into_iter()
        .map(|d| d.into_string().unwrap())
        .collect();
    assert_eq!(subs, ["IDC", "ILC", "IMC", "Mixed"]);
    let ns: Vec<i64> = m["n"]
        .clone()
        .into_array()
        .unwrap()
        .into_iter()
        .map(|d| d.as_int().unwrap())
        .collect();
    assert_eq!(ns, [21, 6, 2, 3]);

    // group_by / agg: median Ktrans per subtype equals the formatter's median; lists of values
    let m: Map = eval(&format!(
        "{src} let g = t.group_by(\"subtype\").agg(#{{n: \"count()\", k: \"median(ktrans)\", v: \"list(ktrans)\"}});
         #{{first: g.col(\"subtype\")[0], n: g.col(\"n\")[0], k: g.col(\"k\")[0], v: g.col(\"v\")[0]}}"
    ))
    .unwrap();
    assert_eq!(m["first"].clone().into_string().unwrap(), "IDC");
    assert_eq!(m["n"].as_int().unwrap(), 21);
    let v: Vec<f64> = m["v"]
        .clone()
        .into_array()
        .unwrap()
        .iter()
        .map(|d| d.as_float().unwrap())
        .collect();
    assert_eq!(
        v.len(),
        20,
        "the IDC lesion without DCE is dropped from the list"
    );
    let mut s = v.clone();
    s.sort_by(|a, b| a.total_cmp(b));
    let med = 0.5 * (s[9] + s[10]);
    assert!((m["k"].as_float().unwrap() - med).abs() < 1e-12);

    // join with a clinical table on participant; sort descending; with_column
    let m: Map = eval(&format!(
        "{src} let c = table(#{{participant: [\"sub-01\", \"sub-02\"], bmi: [22.5, 30.1]}});
         let j = t.join(c, \"participant\");
         let s = t.sort(\"hf\", #{{descending: true}});
         let w = t.with_column(\"ki_e3\", t.col(\"ki\").map(|x| x * 1000.0));
         #{{h: j.height(), bmi: j.col(\"bmi\"), top: s.col(\"hf\")[0], last: s.col(\"hf\")[31], w: w.width()}}"
    ))
    .unwrap();
    assert_eq!(m["h"].as_int().unwrap(), 32);
    let bmi = m["bmi"].clone().into_array().unwrap();
    assert_eq!(bmi[0].as_float().unwrap(), 22.5);
    assert!(bmi[5].is_unit());
    let hf: Vec<f64> = rows
        .iter()
        .map(|r| {
            r[h.iter().position(|c| c == "hf").unwrap()]
                .parse()
                .unwrap()
        })
        .collect();
    let max = hf.iter().cloned().fold(f64::MIN, f64::max);
    assert_eq!(m["top"].as_float().unwrap(), max);
    assert_eq!(m["last"].as_float().unwrap(), 0.0);
    assert_eq!(m["w"].as_int().unwrap(), 21);
}

#[test]
fn csv_and_parquet_round_trip_through_scripts() {
    let d = tmpdir("table-io");
    let pq = d.join("lesions.parquet").display().to_string();
    let cs = d.join("sub/lesions.csv").display().to_string();
    let ok: bool = eval(&format!(
        "let t = read_csv(\"{}\");
         t.write_parquet(\"{pq}\");
         t.write_csv(\"{cs}\");
         let p = read_parquet(\"{pq}\");
         let c = read_csv(\"{cs}\");
         p.columns() == t.columns() && p.height() == 32 && c.height() == 32
           && p.col(\"adc\") == t.col(\"adc\") && c.col(\"path_size_mm\") == t.col(\"path_size_mm\")
           && p.col(\"subtype\") == t.col(\"subtype\")",
        fixture()
    ))
    .unwrap();
    assert!(ok);
    // an input is never overwritten
    let e = eval_err(&format!(
        "let t = read_csv(\"{0}\"); t.write_csv(\"{0}\")",
        fixture()
    ));
    assert!(e.contains("refusing to overwrite"), "{e}");
}

#[test]
fn bad_input_gives_named_errors() {
    let e = eval_err("read_csv(\"/no/such/file.csv\")");
    assert!(
        e.contains("/no/such/file.csv") && e.contains("no such file"),
        "{e}"
    );
    let e = eval_err("table(#{a: [1, 2], b: [1]})");
    assert!(e.contains("has 1 values"), "{e}");
    let e = eval_err("table(#{a: [1, \"x\"]})");
    assert!(e.contains("column 'a' mixes"), "{e}");
    let e = eval_err("table(#{a: [1]}).col(\"b\")");
    assert!(
        e.contains("no column 'b'") && e.contains("columns: a"),
        "{e}"
    );
    let e = eval_err("table(#{a: [1]}).group_by(\"a\").agg(#{x: \"mode(a)\"})");
    assert!(e.contains("unknown aggregation"), "{e}");
    let e = eval_err("table(#{a: [1]}).sort(\"a\", #{desc: true})");
    assert!(e.contains("unknown option 'desc'"), "{e}");
    let e = eval_err("table(#{a: [1]}).filter(|r| 1)");
    assert!(e.contains("must return true or false"), "{e}");
    let e = eval_err("table(#{a: [1]}).sql(\"SELECT nope FROM t\")");
    assert!(e.contains("table: sql"), "{e}");
    let e = eval_err("table(#{a: [1]}).with_column(\"b\", [1, 2])");
    assert!(e.contains("'b' has 2 values for 1 rows"), "{e}");
}

#[test]
fn printing_is_a_box_that_fits_the_width() {
    let s: String = eval(&format!(
        "let t = read_csv(\"{}\"); t.render(80)",
        fixture()
    ))
    .unwrap();
    assert!(s.starts_with('┌'), "{s}");
    for line in s.lines() {
        assert!(line.chars().count() <= 80, "line too wide: {line:?}");
    }
    assert!(
        s.contains("32 rows × 20 columns") && s.contains("not shown"),
        "{s}"
    );
    assert!(!s.contains("⋮"), "32 rows are shown in full: {s}");
}

#[test]
fn formatters_follow_the_paper() {
    let m: Map = eval(
        "#{a: fmt_median_range([0.14, 0.43, 1.97, ()]), b: fmt_mean_sd([-0.16, 0.66]),
          c: fmt_n_pct(21, 32), d: fmt_p(0.0091, \"a\", #{stars: true}), e: fmt_p(0.77, \"a\"),
          f: size_class(20), g: size_class(20.5), h: fmt_r_p(0.476, 0.0213), i: fmt_num((), 2)}",
    )
    .unwrap();
    let g = |k: &str| m[k].clone().into_string().unwrap();
    assert_eq!(g("a"), "0.43 [0.14–1.97]");
    assert_eq!(g("b"), "0.25 ± 0.58");
    assert_eq!(g("c"), "21 (66)");
    assert_eq!(g("d"), "0.009**a");
    assert_eq!(g("e"), "0.77a");
    assert_eq!(g("f"), "≤ 20 mm");
    assert_eq!(g("g"), "> 20 mm");
    assert_eq!(g("h"), "0.48 (0.02*)");
    assert_eq!(g("i"), "–");
}

// ------------------------------------------------------------------ paper tables vs scipy

#[test]
fn table1_counts_equal_the_reference() {
    let e = expected();
    let r = report("table1_report(t)");
    let t = table_of(&r, "table");
    let (cols, rows) = expected_cells(&e["table1"]);
    assert_eq!(t.columns(), cols);
    assert_eq!(cells(&t), rows);
    let title = r["title"].clone().into_string().unwrap();
    assert!(title.ends_with(&format!(
        "(n = {})",
        e["table1"]["n_participants"].as_i64().unwrap()
    )));
    golden("table1.md", &markdown("table1_report(t)"));
}

fn check_by_group(name: &str, call: &str) {
    let e = expected();
    let r = report(call);
    // statistics first: each test's statistic and p equal scipy's
    let tests = table_of(&r, "tests");
    let params = strings(&tests, "parameter");
    let kinds = strings(&tests, "test");
    let stat = tests.col_f64("statistic").unwrap();
    let p = tests.col_f64("p").unwrap();
    let want = e[name]["tests"].as_array().unwrap();
    assert_eq!(params.len(), want.len());
    for (i, w) in want.iter().enumerate() {
        assert_eq!(params[i], w["parameter"].as_str().unwrap());
        assert_eq!(kinds[i], w["test"].as_str().unwrap());
        assert!(
            rel_close(stat[i], f(&w["statistic"]), 1e-9),
            "{name} {}: statistic {} vs scipy {}",
            params[i],
            stat[i],
            w["statistic"]
        );
        assert!(
            rel_close(p[i], f(&w["p"]), 1e-6),
            "{name} {}: p {} vs scipy {}",
            params[i],
            p[i],
            w["p"]
        );
    }
    let d = table_of(&r, "dscf");
    let want = e[name]["dscf"].as_array().unwrap();
    assert_eq!(d.height(), want.len());
    let dp = d.col_f64("p").unwrap();
    for (i, w) in want.iter().enumerate() {
        assert!(
            rel_close(dp[i], f(&w["p"]), 1e-6),
            "{name} DSCF pair {i}: p {} vs scikit-posthocs {}",
            dp[i],
            w["p"]
        );
    }
    // then every formatted cell (summaries from numpy, p values from scipy)
    check_cells_and_golden(&e, name, &r, call);
}

/// Every formatted cell of a report's table equals the reference's, and its Markdown the golden
/// file `{name}.md`.
fn check_cells_and_golden(e: &Value, name: &str, r: &Map, call: &str) {
    let t = table_of(r, "table");
    let (cols, rows) = expected_cells(&e[name]);
    assert_eq!(t.columns(), cols);
    assert_eq!(cells(&t), rows);
    golden(&format!("{name}.md"), &markdown(call));
}

#[test]
fn table2_equals_scipy() {
    check_by_group("table2", "table2_report(t)");
}

#[test]
fn table3_equals_scipy() {
    check_by_group("table3", "table3_report(t)");
}

#[test]
fn table4_equals_scipy() {
    let e = expected();
    let r = report("table4_report(t)");
    assert_r_p_n(
        &table_of(&r, "tests"),
        e["table4"]["stats"].as_array().unwrap(),
    );
    check_cells_and_golden(&e, "table4", &r, "table4_report(t)");
}

#[test]
fn correlations_equal_scipy() {
    let e = expected();
    let r = report("correlations_report(t)");
    let t = table_of(&r, "table");
    let want = e["correlations"].as_array().unwrap();
    assert_r_p_n(&t, want);
    let cell = strings(&t, "r (p)");
    for (i, w) in want.iter().enumerate() {
        assert_eq!(cell[i], w["cell"].as_str().unwrap(), "cell[{i}]");
    }
    golden("correlations.md", &markdown("correlations_report(t)"));
}

/// Footnote marks run past the alphabet (Table 3 can need one per test and per DSCF pair).
#[test]
fn footnote_letters_continue_after_z() {
    let l: Array = eval(
        r#"import "tables" as t; [t::letter(0), t::letter(12), t::letter(25), t::letter(26), t::letter(27), t::letter(51), t::letter(52)]"#,
    )
    .unwrap();
    let l: Vec<String> = l.into_iter().map(|x| x.into_string().unwrap()).collect();
    assert_eq!(l, ["a", "m", "z", "aa", "ab", "az", "ba"]);
}
