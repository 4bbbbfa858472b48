//! Integration tests: stats. Every function against scipy 1.17 / scikit-posthocs 0.17 /
//! statsmodels values computed on paper-shaped data by `tests/data/stats/make_reference.py`
//! (stored in `tests/data/stats/reference.json`): 1e-6 relative for statistics and p-values,
//! 1e-5 for DSCF.
use crate::util::{close, data, eval, eval_err};
use petmr::stats::{self, CompareOpts, Nonparametric};
use serde_json::Value;
use std::sync::OnceLock;

const RTOL: f64 = 1e-6;
const RTOL_DSCF: f64 = 1e-5;
/// Absolute floor for reference values that are exactly 0 (e.g. the median of %HF).
const ATOL: f64 = 1e-13;

fn reference() -> &'static Value {
    static R: OnceLock<Value> = OnceLock::new();
    R.get_or_init(|| {
        let text = std::fs::read_to_string(data("stats/reference.json")).expect("reference.json");
        serde_json::from_str(&text).expect("valid JSON")
    })
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN) // null = NaN
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

fn column(name: &str) -> Vec<f64> {
    nums(&reference()["data"][name])
}

/// Groups of a column by a label column, keeping NaN (the functions must drop it).
fn groups(col: &str, label: &str) -> Vec<Vec<f64>> {
    let x = column(col);
    let lab: Vec<usize> = reference()["labels"][label]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let k = lab.iter().max().unwrap() + 1;
    let mut g = vec![Vec::new(); k];
    for (v, l) in x.iter().zip(&lab) {
        g[*l].push(*v);
    }
    g
}

/// "ki" → the column; "ki|grade=1" → one group; "ki|grade" → all groups.
fn sample(name: &str) -> Vec<f64> {
    match name.split_once('|') {
        None => column(name),
        Some((col, rest)) => {
            let (lab, i) = rest.split_once('=').expect("label=index");
            groups(col, lab)[i.parse::<usize>().unwrap()].clone()
        }
    }
}

fn group_set(name: &str) -> Vec<Vec<f64>> {
    if let Some(set) = name.strip_prefix("set:") {
        return reference()["group_sets"][set]
            .as_array()
            .expect("group set")
            .iter()
            .map(nums)
            .collect();
    }
    let (col, lab) = name.split_once('|').unwrap();
    match lab.split_once('=') {
        None => groups(col, lab),
        Some((lab, idx)) => {
            let g = groups(col, lab);
            idx.split(',')
                .map(|i| g[i.parse::<usize>().unwrap()].clone())
                .collect()
        }
    }
}

/// Compares and tracks the largest relative error of one function.
struct Check {
    what: &'static str,
    rtol: f64,
    worst: f64,
    count: usize,
}

impl Check {
    fn new(what: &'static str, rtol: f64) -> Check {
        Check {
            what,
            rtol,
            worst: 0.0,
            count: 0,
        }
    }
    fn eq(&mut self, case: &str, key: &str, got: f64, want: f64) {
        self.count += 1;
        if want.is_nan() {
            assert!(
                got.is_nan(),
                "{} {case} {key}: got {got}, want NaN",
                self.what
            );
            return;
        }
        assert!(
            close(got, want, ATOL, self.rtol),
            "{} {case} {key}: got {got:e}, scipy {want:e} (rel. error {:e})",
            self.what,
            ((got - want) / want).abs()
        );
        if want != 0.0 {
            self.worst = self.worst.max(((got - want) / want).abs());
        }
    }
    fn done(self) {
        assert!(self.count > 0, "{}: no reference values", self.what);
        println!(
            "{}: {} values, largest relative error {:.2e}",
            self.what, self.count, self.worst
        );
    }
}

fn cases(key: &str) -> &'static Vec<Value> {
    reference()[key].as_array().expect(key)
}

#[test]
fn describe_matches_numpy() {
    let mut c = Check::new("describe", RTOL);
    for r in cases("describe") {
        let name = r["x"].as_str().unwrap();
        let d = stats::describe(&column(name)).unwrap();
        assert_eq!(d.n as u64, r["n"].as_u64().unwrap(), "{name}");
        for (k, v) in [
            ("mean", d.mean),
            ("sd", d.sd),
            ("median", d.median),
            ("min", d.min),
            ("max", d.max),
            ("q1", d.q1),
            ("q3", d.q3),
        ] {
            c.eq(name, k, v, num(&r[k]));
        }
    }
    c.done();
}

#[test]
fn correlations_and_regression_match_scipy() {
    let mut c = Check::new("pearson/spearman/linreg", RTOL);
    let pair = |r: &Value| {
        let (xn, yn) = (r["x"].as_str().unwrap(), r["y"].as_str().unwrap());
        (format!("{xn}~{yn}"), column(xn), column(yn))
    };
    for r in cases("pearson") {
        let (case, x, y) = pair(r);
        let p = stats::pearson(&x, &y).unwrap();
        assert_eq!(p.n as u64, r["n"].as_u64().unwrap(), "{case}");
        c.eq(&case, "r", p.r, num(&r["r"]));
        c.eq(&case, "p", p.p, num(&r["p"]));
    }
    for r in cases("spearman") {
        let (case, x, y) = pair(r);
        let s = stats::spearman(&x, &y).unwrap();
        assert_eq!(s.n as u64, r["n"].as_u64().unwrap(), "{case}");
        c.eq(&case, "rho", s.rho, num(&r["rho"]));
        c.eq(&case, "spearman p", s.p, num(&r["p"]));
    }
    for r in cases("linreg") {
        let (case, x, y) = pair(r);
        let l = stats::linreg(&x, &y).unwrap();
        assert_eq!(l.n as u64, r["n"].as_u64().unwrap(), "{case}");
        for (k, v) in [
            ("slope", l.slope),
            ("intercept", l.intercept),
            ("r", l.r),
            ("p", l.p),
            ("stderr", l.stderr),
            ("intercept_stderr", l.intercept_stderr),
        ] {
            c.eq(&case, k, v, num(&r[k]));
        }
    }
    c.done();
}

#[test]
fn anderson_darling_matches_scipy_statistic_and_dagostino_p() {
    let mut c = Check::new("anderson_darling", RTOL);
    for r in cases("anderson_darling") {
        let name = r["x"].as_str().unwrap();
        let a = stats::anderson_darling(&sample(name)).unwrap();
        c.eq(name, "a2", a.a2, num(&r["a2"]));
        c.eq(name, "p", a.p, num(&r["p"]));
    }
    c.done();
}

#[test]
fn ttest_matches_scipy() {
    let mut c = Check::new("ttest", RTOL);
    for r in cases("ttest") {
        let (xn, yn) = (r["x"].as_str().unwrap(), r["y"].as_str().unwrap());
        let ev = r["equal_var"].as_bool().unwrap();
        let case = format!("{xn} vs {yn} equal_var={ev}");
        let t = stats::ttest(&sample(xn), &sample(yn), ev).unwrap();
        c.eq(&case, "t", t.t, num(&r["t"]));
        c.eq(&case, "df", t.df, num(&r["df"]));
        c.eq(&case, "p", t.p, num(&r["p"]));
    }
    c.done();
}

#[test]
fn mann_whitney_matches_scipy_exact_and_asymptotic() {
    let mut c = Check::new("mann_whitney", RTOL);
    let (mut n_exact, mut n_asym) = (0, 0);
    for r in cases("mann_whitney") {
        let (xn, yn) = (r["x"].as_str().unwrap(), r["y"].as_str().unwrap());
        let case = format!("{xn} vs {yn}");
        let m = stats::mann_whitney(&sample(xn), &sample(yn)).unwrap();
        assert_eq!(m.exact, r["exact"].as_bool().unwrap(), "{case}: method");
        if m.exact {
            n_exact += 1;
        } else {
            n_asym += 1;
        }
        c.eq(&case, "u", m.u, num(&r["u"]));
        c.eq(&case, "p", m.p, num(&r["p"]));
    }
    assert!(
        n_exact >= 5 && n_asym >= 5,
        "{n_exact} exact, {n_asym} asymptotic"
    );
    c.done();
}

#[test]
fn anova_kruskal_mood_match_scipy() {
    let mut c = Check::new("anova/kruskal/mood_median", RTOL);
    for r in cases("anova") {
        let name = r["groups"].as_str().unwrap();
        let a = stats::anova(&group_set(name)).unwrap();
        c.eq(name, "f", a.f, num(&r["f"]));
        c.eq(name, "p", a.p, num(&r["p"]));
        c.eq(name, "df1", a.df1, num(&r["df1"]));
        c.eq(name, "df2", a.df2, num(&r["df2"]));
    }
    for r in cases("kruskal") {
        let name = r["groups"].as_str().unwrap();
        let k = stats::kruskal(&group_set(name)).unwrap();
        c.eq(name, "h", k.h, num(&r["h"]));
        c.eq(name, "p", k.p, num(&r["p"]));
    }
    for r in cases("mood_median") {
        let name = r["groups"].as_str().unwrap();
        let m = stats::mood_median(&group_set(name)).unwrap();
        c.eq(name, "chi2", m.chi2, num(&r["chi2"]));
        c.eq(name, "p", m.p, num(&r["p"]));
        c.eq(
            name,
            "grand_median",
            m.grand_median,
            num(&r["grand_median"]),
        );
        let counts = |k: &str| -> Vec<usize> {
            r[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect()
        };
        assert_eq!(m.above, counts("above"), "{name}");
        assert_eq!(m.below, counts("below"), "{name}");
    }
    c.done();
}

#[test]
fn dscf_matches_scikit_posthocs() {
    let mut c = Check::new("dscf", RTOL_DSCF);
    let mut last = String::new();
    let mut pairs = Vec::new();
    for r in cases("dscf") {
        let name = r["groups"].as_str().unwrap();
        if name != last {
            pairs = stats::dscf(&group_set(name)).unwrap();
            last = name.to_string();
        }
        let (i, j) = (
            r["i"].as_u64().unwrap() as usize,
            r["j"].as_u64().unwrap() as usize,
        );
        let p = pairs.iter().find(|p| p.i == i && p.j == j).expect("pair");
        let case = format!("{name} {i}-{j}");
        c.eq(&case, "w", p.w, num(&r["w"]));
        c.eq(&case, "p", p.p, num(&r["p"]));
    }
    c.done();
}

#[test]
fn studentized_range_tail_matches_scipy() {
    let mut c = Check::new("studentized_range_sf_inf", RTOL);
    for r in cases("studentized_range") {
        let (q, k) = (num(&r["q"]), r["k"].as_u64().unwrap() as usize);
        let got = stats::studentized_range_sf_inf(q, k);
        c.eq(&format!("q={q} k={k}"), "sf", got, num(&r["sf"]));
    }
    c.done();
}

#[test]
fn compare_groups_follows_the_rule_like_the_reference() {
    let mut c = Check::new("compare_groups", RTOL);
    let mut tests = Vec::new();
    for r in cases("compare_groups") {
        let name = r["groups"].as_str().unwrap();
        let opts = CompareOpts {
            nonparametric: match r["nonparametric"].as_str() {
                Some("median") => Nonparametric::Median,
                _ => Nonparametric::Rank,
            },
            ..CompareOpts::default()
        };
        let cmp = stats::compare_groups(&group_set(name), &opts).unwrap();
        assert_eq!(
            cmp.test.name(),
            r["test"].as_str().unwrap(),
            "{name}: {}",
            cmp.reason
        );
        c.eq(name, "statistic", cmp.statistic, num(&r["statistic"]));
        c.eq(name, "p", cmp.p, num(&r["p"]));
        tests.push(cmp.test.name());
    }
    // the reference exercises both branches of the rule
    for t in ["ttest", "mann_whitney", "kruskal", "mood_median"] {
        assert!(tests.contains(&t), "no {t} case: {tests:?}");
    }
    c.done();
}

/// Script arrays for one reference sample (NaN as `()`).
fn rhai_array(x: &[f64]) -> String {
    let items: Vec<String> = x
        .iter()
        .map(|v| {
            if v.is_nan() {
                "()".into()
            } else {
                format!("{v:?}")
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
}

#[test]
fn script_functions_return_the_documented_maps() {
    let r = &cases("pearson")[6]; // adc ~ ktrans: missing ADC values dropped pairwise
    let (x, y) = (column("adc"), column("ktrans"));
    assert!(x.iter().any(|v| v.is_nan()));
    let src = format!(
        "let c = pearson({}, {}); [c.r, c.p, c.n]",
        rhai_array(&x),
        rhai_array(&y)
    );
    let v: rhai::Array = eval(&src).unwrap();
    assert!(close(v[0].as_float().unwrap(), num(&r["r"]), 0.0, RTOL));
    assert!(close(v[1].as_float().unwrap(), num(&r["p"]), 0.0, RTOL));
    assert_eq!(v[2].as_int().unwrap() as u64, r["n"].as_u64().unwrap());

    let g = group_set("hf|histology");
    let garr = format!(
        "[{}]",
        g.iter()
            .map(|x| rhai_array(x))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let kr = &cases("kruskal")
        .iter()
        .find(|c| c["groups"] == "hf|histology")
        .unwrap();
    let src = format!("let c = compare_groups({garr}); [c.test, c.statistic, c.p, c.reason]");
    let v: rhai::Array = eval(&src).unwrap();
    assert_eq!(v[0].clone().into_string().unwrap(), "kruskal");
    assert!(close(v[1].as_float().unwrap(), num(&kr["h"]), 0.0, RTOL));
    assert!(close(v[2].as_float().unwrap(), num(&kr["p"]), 0.0, RTOL));
    assert!(v[3]
        .clone()
        .into_string()
        .unwrap()
        .contains("could not be assessed"));

    // every documented key is present
    for (call, keys) in [
        ("describe([1, 2, 3])", "n mean sd median min max q1 q3"),
        ("spearman([1, 2, 3, 4], [1, 3, 2, 4])", "rho p n"),
        ("linreg([1, 2, 3, 4], [1, 3, 2, 4])", "slope intercept r2 p"),
        ("anderson_darling([1, 2, 4, 3, 7, 5])", "a2 p"),
        ("ttest([1, 2, 3], [4, 5, 7], #{equal_var: false})", "t df p"),
        ("anova([[1, 2, 3], [4, 5, 7]])", "f df1 df2 p"),
        ("mann_whitney([1, 2, 3], [4, 5, 7])", "u p"),
        ("kruskal([[1, 2, 3], [4, 5, 7]])", "h df p"),
        (
            "mood_median([[1, 2, 3], [4, 5, 7]])",
            "chi2 df p grand_median",
        ),
        ("dscf([[1, 2, 3], [4, 5, 7], [2, 8]])[0]", "i j w p"),
        (
            "compare_groups([[1, 2, 3], [4, 5, 7]], #{nonparametric: \"median\"})",
            "test reason statistic p",
        ),
    ] {
        let m: rhai::Map = eval(call).unwrap_or_else(|e| panic!("{call}: {e}"));
        for k in keys.split_whitespace() {
            assert!(m.contains_key(k), "{call}: no key {k} in {m:?}");
        }
    }
}

#[test]
fn bad_input_gives_clear_errors() {
    for (src, want) in [
        (
            "pearson([1, 2, 3], [1, 2])",
            "pearson: x and y differ in length (3 vs 2)",
        ),
        (
            "pearson([1, 2, 3], [5, 5, 5])",
            "pearson: y: all values are equal (5)",
        ),
        (
            "pearson([1, (), 3], [1, 2, ()])",
            "pearson: x, y (complete pairs): 1 value(s)",
        ),
        ("describe([])", "describe: x: no values"),
        ("kruskal([[1, 2], []])", "kruskal: groups[1]: no values"),
        (
            "anova([[1, 2, 3]])",
            "anova: groups: 1 group(s) given, needs at least 2",
        ),
        (
            "anderson_darling([2, 2, 2, 2])",
            "normality cannot be assessed",
        ),
        (
            "ttest([1, 2], [3, 4], #{equal_varr: true})",
            "ttest: unknown option 'equal_varr'",
        ),
        (
            "kruskal([[1, \"a\"], [2]])",
            "kruskal: groups[0][1]: expected a number",
        ),
        (
            "compare_groups([[1, 2], [3, 4]], #{nonparametric: \"x\"})",
            "'x' is not one of rank, median",
        ),
        (
            "mood_median([[1, 1], [1]])",
            "mood_median: groups: no value is above the grand median",
        ),
    ] {
        let e = eval_err(src);
        assert!(e.contains(want), "{src}: {e}");
    }
}
