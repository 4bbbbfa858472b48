//! Script functions of the `stats` domain: arrays of numbers in, object maps out.
//!
//! Missing values may be given as `()` or NaN in the arrays; they are dropped (pairwise for two
//! paired arrays) and the `n` used is returned.
use super::convert::{f64_vec, groups, map_of, Opts};
use super::docs::FnDoc;
use super::{rerr, RResult};
use crate::stats::{self, CompareOpts, Nonparametric};
use rhai::{Array, Dynamic, Engine, Map, INT};

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "describe", domain: "stats", signature: "describe(x) -> #{n, n_missing, mean, sd, median, min, max, q1, q3}",
        doc: "Summary of an array: NaN/() dropped (n counts the values used), sample SD (n − 1; NaN for one value), quartiles by linear interpolation (numpy's default, type 7).",
        example: "let d = describe(t.col(\"ki\"));\nprint(`${d.median} [${d.min}–${d.max}]`);" },
    FnDoc { name: "pearson", domain: "stats", signature: "pearson(x, y) -> #{r, p, n}",
        doc: "Pearson correlation with the two-sided p-value from Student's t with n − 2 df (as scipy pearsonr). Pairs with a missing value are dropped; n is the number of complete pairs. A constant variable is an error.",
        example: "let c = pearson(t.col(\"ki\"), t.col(\"ktrans\"));\nprint(`r = ${c.r}, p = ${c.p} (n = ${c.n})`);" },
    FnDoc { name: "spearman", domain: "stats", signature: "spearman(x, y) -> #{rho, p, n}",
        doc: "Spearman rank correlation (mid-ranks for ties), two-sided p from the t approximation with n − 2 df (as scipy spearmanr). Pairs with a missing value are dropped.",
        example: "let s = spearman(t.col(\"hf\"), t.col(\"ve\"));\nprint(s.rho);" },
    FnDoc { name: "linreg", domain: "stats", signature: "linreg(x, y) -> #{slope, intercept, r, r2, p, stderr, intercept_stderr, n}",
        doc: "Least-squares line y = intercept + slope·x (as scipy linregress): p tests slope = 0 (t, n − 2 df); stderr and intercept_stderr are the standard errors. Pairs with a missing value are dropped; a constant x is an error.",
        example: "let l = linreg(t.col(\"ktrans\"), t.col(\"ki\"));\nprint(`y = ${l.intercept} + ${l.slope}·x, r² = ${l.r2}`);" },
    FnDoc { name: "anderson_darling", domain: "stats", signature: "anderson_darling(x) -> #{a2, a2_star, p, n}",
        doc: "Anderson–Darling normality test with mean and SD estimated from the data. a2 is scipy's statistic; p is D'Agostino & Stephens' (1986) p-value from the small-sample adjusted a2_star = a2·(1 + 0.75/n + 2.25/n²) (as statsmodels normal_ad). Small p: not normal. Needs ≥ 3 values, not all equal (the p formula is tabulated for n ≥ 8).",
        example: "let a = anderson_darling(t.col(\"ki\"));\nif a.p < 0.05 { print(\"Ki is not normally distributed\"); }" },
    FnDoc { name: "ttest", domain: "stats", signature: "ttest(x, y) · ttest(x, y, #{equal_var: true}) -> #{t, df, p, n1, n2}",
        doc: "Two-sample t-test, two-sided (as scipy ttest_ind): Student's with pooled variance (equal_var: true, default) or Welch's with Welch–Satterthwaite df (equal_var: false). NaN dropped per sample.",
        example: "let r = ttest(g2, g3, #{equal_var: false});\nprint(`t(${r.df}) = ${r.t}, p = ${r.p}`);" },
    FnDoc { name: "anova", domain: "stats", signature: "anova([g1, g2, …]) -> #{f, df1, df2, p, n}",
        doc: "One-way ANOVA F test (as scipy f_oneway). NaN dropped per group; needs ≥ 2 groups and more values than groups; a constant group is allowed, but not all groups constant.",
        example: "let a = anova([idc, ilc, mixed, imc]);\nprint(`F(${a.df1}, ${a.df2}) = ${a.f}, p = ${a.p}`);" },
    FnDoc { name: "mann_whitney", domain: "stats", signature: "mann_whitney(x, y) -> #{u, p, exact, n1, n2}",
        doc: "Mann–Whitney U test, two-sided (as scipy mannwhitneyu, method 'auto'): u is the U of x (pairs with x > y, ties ½). Exact p when a sample has ≤ 8 values and there are no ties, else the normal approximation with tie and continuity correction (exact tells which).",
        example: "let m = mann_whitney(grade2, grade3);\nprint(`U = ${m.u}, p = ${m.p}`);" },
    FnDoc { name: "kruskal", domain: "stats", signature: "kruskal([g1, g2, …]) -> #{h, df, p, n}",
        doc: "Kruskal–Wallis H test with tie correction, p from χ² with k − 1 df (as scipy kruskal). NaN dropped per group; all values equal is an error.",
        example: "let k = kruskal([idc, ilc, mixed, imc]);\nprint(`H = ${k.h}, p = ${k.p}`);" },
    FnDoc { name: "mood_median", domain: "stats", signature: "mood_median([g1, g2, …]) -> #{chi2, df, p, grand_median, above, below}",
        doc: "Mood's median test (as scipy median_test): counts above / at-or-below the grand median (ties count below), Pearson χ² of the 2 × k table, Yates-corrected only for 2 groups. above and below are the per-group counts.",
        example: "let m = mood_median([grade2, grade3]);\nprint(`median ${m.grand_median}: p = ${m.p}`);" },
    FnDoc { name: "dscf", domain: "stats", signature: "dscf([g1, g2, …]) -> [#{i, j, w, p}, …]",
        doc: "Dwass–Steel–Critchlow–Fligner all-pairs comparisons after Kruskal–Wallis (as scikit-posthocs posthoc_dscf): each pair re-ranked alone, tie-corrected variance, p from the studentized range with k groups and infinite df (computed by numerical integration). i < j are group indices from 0; w > 0 when group j tends to be larger. A pair whose values are all equal gets w = p = NaN.",
        example: "for pr in dscf([idc, ilc, mixed, imc]) {\n    print(`${pr.i} vs ${pr.j}: p = ${pr.p}`);\n}" },
    FnDoc { name: "compare_groups", domain: "stats", signature: "compare_groups([g1, g2, …]) · compare_groups(groups, #{alpha: 0.05, min_n: 8, equal_var: true, nonparametric: \"rank\"}) -> #{test, reason, statistic, p, df, df2, normality}",
        doc: "The paper's rule: each group's normality is checked with Anderson–Darling when it has ≥ min_n values and is not constant (normal when p ≥ alpha). All groups normal → t-test (2 groups; Welch if equal_var: false) or one-way ANOVA (more). Otherwise (non-normal, or normality could not be assessed) → Mann–Whitney U (2 groups) or Kruskal–Wallis H (more) with nonparametric: \"rank\", or Mood's median test with nonparametric: \"median\". test is \"ttest\", \"welch\", \"anova\", \"mann_whitney\", \"kruskal\" or \"mood_median\"; reason says why; normality is an array of #{group, n, assessed, a2, p, normal}.",
        example: "let c = compare_groups([idc, ilc, mixed, imc]);\nprint(`${c.test}: p = ${c.p} (${c.reason})`);" },
];

fn f(x: f64) -> Dynamic {
    Dynamic::from_float(x)
}

fn i(x: usize) -> Dynamic {
    Dynamic::from_int(x as INT)
}

fn arr(a: &Array, what: &str) -> RResult<Vec<f64>> {
    f64_vec(a, what)
}

fn describe(x: Array) -> RResult<Map> {
    let d = stats::describe(&arr(&x, "describe: x")?).map_err(rerr)?;
    Ok(map_of(vec![
        ("n", i(d.n)),
        ("n_missing", i(d.n_missing)),
        ("mean", f(d.mean)),
        ("sd", f(d.sd)),
        ("median", f(d.median)),
        ("min", f(d.min)),
        ("max", f(d.max)),
        ("q1", f(d.q1)),
        ("q3", f(d.q3)),
    ]))
}

fn xy(op: &str, x: &Array, y: &Array) -> RResult<(Vec<f64>, Vec<f64>)> {
    Ok((arr(x, &format!("{op}: x"))?, arr(y, &format!("{op}: y"))?))
}

fn pearson(x: Array, y: Array) -> RResult<Map> {
    let (x, y) = xy("pearson", &x, &y)?;
    let r = stats::pearson(&x, &y).map_err(rerr)?;
    Ok(map_of(vec![("r", f(r.r)), ("p", f(r.p)), ("n", i(r.n))]))
}

fn spearman(x: Array, y: Array) -> RResult<Map> {
    let (x, y) = xy("spearman", &x, &y)?;
    let r = stats::spearman(&x, &y).map_err(rerr)?;
    Ok(map_of(vec![
        ("rho", f(r.rho)),
        ("p", f(r.p)),
        ("n", i(r.n)),
    ]))
}

fn linreg(x: Array, y: Array) -> RResult<Map> {
    let (x, y) = xy("linreg", &x, &y)?;
    let l = stats::linreg(&x, &y).map_err(rerr)?;
    Ok(map_of(vec![
        ("slope", f(l.slope)),
        ("intercept", f(l.intercept)),
        ("r", f(l.r)),
        ("r2", f(l.r2)),
        ("p", f(l.p)),
        ("stderr", f(l.stderr)),
        ("intercept_stderr", f(l.intercept_stderr)),
        ("n", i(l.n)),
    ]))
}

fn anderson_darling(x: Array) -> RResult<Map> {
    let a = stats::anderson_darling(&arr(&x, "anderson_darling: x")?).map_err(rerr)?;
    Ok(map_of(vec![
        ("a2", f(a.a2)),
        ("a2_star", f(a.a2_star)),
        ("p", f(a.p)),
        ("n", i(a.n)),
    ]))
}

fn ttest(x: Array, y: Array, opts: Map) -> RResult<Map> {
    let o = Opts::new("ttest", opts, &["equal_var"])?;
    let equal_var = o.bool("equal_var", true)?;
    let (x, y) = xy("ttest", &x, &y)?;
    let t = stats::ttest(&x, &y, equal_var).map_err(rerr)?;
    Ok(map_of(vec![
        ("t", f(t.t)),
        ("df", f(t.df)),
        ("p", f(t.p)),
        ("equal_var", Dynamic::from_bool(t.equal_var)),
        ("n1", i(t.n1)),
        ("n2", i(t.n2)),
    ]))
}

fn grp(op: &str, g: &Array) -> RResult<Vec<Vec<f64>>> {
    groups(g, &format!("{op}: groups"))
}

fn anova(g: Array) -> RResult<Map> {
    let a = stats::anova(&grp("anova", &g)?).map_err(rerr)?;
    Ok(map_of(vec![
        ("f", f(a.f)),
        ("df1", f(a.df1)),
        ("df2", f(a.df2)),
        ("p", f(a.p)),
        ("n", i(a.n)),
    ]))
}

fn mann_whitney(x: Array, y: Array) -> RResult<Map> {
    let (x, y) = xy("mann_whitney", &x, &y)?;
    let m = stats::mann_whitney(&x, &y).map_err(rerr)?;
    Ok(map_of(vec![
        ("u", f(m.u)),
        ("p", f(m.p)),
        ("exact", Dynamic::from_bool(m.exact)),
        ("n1", i(m.n1)),
        ("n2", i(m.n2)),
    ]))
}

fn kruskal(g: Array) -> RResult<Map> {
    let k = stats::kruskal(&grp("kruskal", &g)?).map_err(rerr)?;
    Ok(map_of(vec![
        ("h", f(k.h)),
        ("df", f(k.df)),
        ("p", f(k.p)),
        ("n", i(k.n)),
    ]))
}

fn counts(v: &[usize]) -> Dynamic {
    Dynamic::from_array(v.iter().map(|&c| i(c)).collect())
}

fn mood_median(g: Array) -> RResult<Map> {
    let m = stats::mood_median(&grp("mood_median", &g)?).map_err(rerr)?;
    Ok(map_of(vec![
        ("chi2", f(m.chi2)),
        ("df", f(m.df)),
        ("p", f(m.p)),
        ("grand_median", f(m.grand_median)),
        ("above", counts(&m.above)),
        ("below", counts(&m.below)),
    ]))
}

fn dscf(g: Array) -> RResult<Array> {
    let pairs = stats::dscf(&grp("dscf", &g)?).map_err(rerr)?;
    Ok(pairs
        .into_iter()
        .map(|p| {
            Dynamic::from_map(map_of(vec![
                ("i", i(p.i)),
                ("j", i(p.j)),
                ("w", f(p.w)),
                ("p", f(p.p)),
            ]))
        })
        .collect())
}

fn compare_groups(g: Array, opts: Map) -> RResult<Map> {
    const OP: &str = "compare_groups";
    let o = Opts::new(OP, opts, &["alpha", "min_n", "equal_var", "nonparametric"])?;
    let d = CompareOpts::default();
    let min_n = o.int("min_n", d.min_n as i64)?;
    if min_n < 1 {
        return Err(super::err(format!(
            "{OP}: option 'min_n': {min_n} is not a positive integer"
        )));
    }
    let co = CompareOpts {
        alpha: o.f64("alpha", d.alpha)?,
        min_n: min_n as usize,
        equal_var: o.bool("equal_var", d.equal_var)?,
        nonparametric: match o
            .choice("nonparametric", "rank", &["rank", "median"])?
            .as_str()
        {
            "median" => Nonparametric::Median,
            _ => Nonparametric::Rank,
        },
    };
    let c = stats::compare_groups(&grp(OP, &g)?, &co).map_err(rerr)?;
    let normality: Array = c
        .normality
        .iter()
        .map(|n| {
            Dynamic::from_map(map_of(vec![
                ("group", i(n.group)),
                ("n", i(n.n)),
                ("assessed", Dynamic::from_bool(n.assessed)),
                ("a2", f(n.a2)),
                ("p", f(n.p)),
                ("normal", Dynamic::from_bool(n.normal)),
            ]))
        })
        .collect();
    Ok(map_of(vec![
        ("test", c.test.name().into()),
        ("reason", c.reason.into()),
        ("statistic", f(c.statistic)),
        ("statistic_name", c.test.statistic_name().into()),
        ("p", f(c.p)),
        ("df", f(c.df)),
        ("df2", f(c.df2)),
        ("parametric", Dynamic::from_bool(c.test.parametric())),
        ("normality", Dynamic::from_array(normality)),
    ]))
}

/// Register this domain's types and functions.
pub fn register(engine: &mut Engine) {
    engine.register_fn("describe", describe);
    engine.register_fn("pearson", pearson);
    engine.register_fn("spearman", spearman);
    engine.register_fn("linreg", linreg);
    engine.register_fn("anderson_darling", anderson_darling);
    engine.register_fn("ttest", |x: Array, y: Array| ttest(x, y, Map::new()));
    engine.register_fn("ttest", ttest);
    engine.register_fn("anova", anova);
    engine.register_fn("mann_whitney", mann_whitney);
    engine.register_fn("kruskal", kruskal);
    engine.register_fn("mood_median", mood_median);
    engine.register_fn("dscf", dscf);
    engine.register_fn("compare_groups", |g: Array| compare_groups(g, Map::new()));
    engine.register_fn("compare_groups", compare_groups);
}
