//! Hypothesis tests: normality, parametric and non-parametric group comparisons.
use super::{
    chi2_sf, clean_groups, clean_min, mean, norm_sf, rank_average, require_varying, ss,
    t_two_sided, tie_sum, var, StatsError,
};
use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal};

/// Anderson–Darling normality test with mean and SD estimated from the sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AndersonDarling {
    /// A² statistic (as scipy `anderson(x, 'norm')`).
    pub a2: f64,
    /// Small-sample adjusted statistic A²* = A²(1 + 0.75/n + 2.25/n²).
    pub a2_star: f64,
    /// p-value of D'Agostino & Stephens (1986) from A²* (large p: no evidence against normality).
    pub p: f64,
    pub n: usize,
}

/// Two-sample t-test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTest {
    /// t = (mean(x) − mean(y)) / SE.
    pub t: f64,
    /// Degrees of freedom: n1 + n2 − 2 (Student) or Welch–Satterthwaite.
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
    pub equal_var: bool,
    pub n1: usize,
    pub n2: usize,
}

/// One-way analysis of variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anova {
    pub f: f64,
    /// Between-groups (k − 1) and within-groups (N − k) degrees of freedom.
    pub df1: f64,
    pub df2: f64,
    pub p: f64,
    /// Total number of values used.
    pub n: usize,
}

/// Mann–Whitney U test (two-sided).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: number of pairs (x, y) with x > y, ties counting ½ (scipy's U1).
    pub u: f64,
    pub p: f64,
    /// True when the exact null distribution was used, false for the normal approximation.
    pub exact: bool,
    pub n1: usize,
    pub n2: usize,
}

/// Kruskal–Wallis H test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kruskal {
    /// Tie-corrected H.
    pub h: f64,
    pub df: f64,
    pub p: f64,
    pub n: usize,
}

/// Mood's median test.
#[derive(Debug, Clone, PartialEq)]
pub struct MoodMedian {
    /// Pearson chi-squared of the 2 × k table (Yates-corrected when k = 2).
    pub chi2: f64,
    pub df: f64,
    pub p: f64,
    /// Median of all values pooled.
    pub grand_median: f64,
    /// Per group: number of values above the grand median.
    pub above: Vec<usize>,
    /// Per group: number of values at or below the grand median (ties count as below).
    pub below: Vec<usize>,
}

/// Anderson–Darling test of normality with unknown mean and variance (Stephens 1974; D'Agostino
/// & Stephens, *Goodness-of-Fit Techniques*, 1986, §4.8). The statistic is computed with the
/// sample mean and the sample SD (n − 1), exactly as scipy `anderson(x, dist='norm')`, by
/// statrs' `anderson_darling`; the p-value is D'Agostino & Stephens' (1986, Table 4.9)
/// piecewise formula applied to A²* = A²(1 + 0.75/n + 2.25/n²), which is also what statrs and
/// statsmodels `normal_ad` return (scipy 1.17 only interpolates a table of critical values).
/// The formula is tabulated for n ≥ 8; it is returned for n ≥ 3 but [`super::compare_groups`]
/// treats smaller groups as not assessable by default. NaN is dropped; a constant sample is an
/// error.
pub fn anderson_darling(x: &[f64]) -> Result<AndersonDarling, StatsError> {
    const OP: &str = "anderson_darling";
    let v = clean_min(OP, "x", x, 3)?;
    require_varying(OP, "x", &v, "normality cannot be assessed")?;
    let n = v.len() as f64;
    let dist = Normal::new(mean(&v), var(&v).sqrt()).map_err(|e| StatsError::Undefined {
        op: OP,
        why: e.to_string(),
    })?;
    let (a2, p) =
        statrs::stats_tests::anderson_darling::anderson_darling(&v, &dist).map_err(|e| {
            StatsError::Undefined {
                op: OP,
                why: e.to_string(),
            }
        })?;
    let a2_star = a2 * (1.0 + 0.75 / n + 2.25 / (n * n));
    // Far from normal the formula leaves its range: a value ~8 SD out makes the normal CDF 1 and
    // A² infinite (p NaN), and exp(1.2937 − 5.709a + 0.0186a²) turns upward past its minimum at
    // a ≈ 153.5 (p > 1 from a ≈ 307). Both mean "certainly not normal": p = 0, as statsmodels.
    let p = if !a2_star.is_finite() || a2_star >= 153.467 {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    };
    Ok(AndersonDarling {
        a2,
        a2_star,
        p,
        n: v.len(),
    })
}

/// Two-sample t-test, two-sided, as scipy `ttest_ind`: Student's test with the pooled variance
/// and n1 + n2 − 2 df when `equal_var`, else Welch's test with the Welch–Satterthwaite df
/// (Welch 1947). NaN is dropped per sample. Student needs n ≥ 1 in each sample and ≥ 3 in
/// all; Welch needs n ≥ 2 in each; zero variance in both samples is an error.
pub fn ttest(x: &[f64], y: &[f64], equal_var: bool) -> Result<TTest, StatsError> {
    const OP: &str = "ttest";
    let need = if equal_var { 1 } else { 2 };
    let a = clean_min(OP, "x", x, need)?;
    let b = clean_min(OP, "y", y, need)?;
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if equal_var && a.len() + b.len() < 3 {
        return Err(StatsError::TooFew {
            op: OP,
            what: "x and y together".into(),
            n: a.len() + b.len(),
            need: 3,
        });
    }
    let (ssa, ssb) = (ss(&a), ss(&b));
    if ssa == 0.0 && ssb == 0.0 {
        return Err(StatsError::Undefined {
            op: OP,
            why: "x and y: both samples have zero variance; the t statistic is undefined".into(),
        });
    }
    let diff = mean(&a) - mean(&b);
    let (t, df) = if equal_var {
        let df = n1 + n2 - 2.0;
        let sp2 = (ssa + ssb) / df;
        (diff / (sp2 * (1.0 / n1 + 1.0 / n2)).sqrt(), df)
    } else {
        let (va, vb) = (ssa / (n1 - 1.0) / n1, ssb / (n2 - 1.0) / n2);
        let df = (va + vb).powi(2) / (va * va / (n1 - 1.0) + vb * vb / (n2 - 1.0));
        (diff / (va + vb).sqrt(), df)
    };
    Ok(TTest {
        t,
        df,
        p: t_two_sided(t, df),
        equal_var,
        n1: a.len(),
        n2: b.len(),
    })
}

/// One-way ANOVA F test (Fisher 1925), as scipy `f_oneway`: F = [SS_between/(k − 1)] /
/// [SS_within/(N − k)], p from the F(k − 1, N − k) upper tail. Sums of squares are computed
/// about the group and grand means (two-pass) rather than with statrs' `f_oneway`, which
/// refuses a group whose values are all equal (common for %HF, where many lesions have 0) and
/// takes p as 1 − CDF. Needs ≥ 2 groups, ≥ 1 value per group and N > k; zero within-group
/// variance (every group constant) is an error.
pub fn anova<S: AsRef<[f64]>>(groups: &[S]) -> Result<Anova, StatsError> {
    const OP: &str = "anova";
    let g = clean_groups(OP, groups, 2, 1)?;
    let k = g.len() as f64;
    let all: Vec<f64> = g.iter().flatten().copied().collect();
    let n = all.len() as f64;
    if n <= k {
        return Err(StatsError::Undefined {
            op: OP,
            why: format!("groups: {n} values in {k} groups; needs more values than groups"),
        });
    }
    let grand = mean(&all);
    let ssw: f64 = g.iter().map(|x| ss(x)).sum();
    let ssb: f64 = g
        .iter()
        .map(|x| x.len() as f64 * (mean(x) - grand).powi(2))
        .sum();
    if ssw == 0.0 {
        return Err(StatsError::Undefined {
            op: OP,
            why: "groups: every group is constant (zero within-group variance); F is undefined"
                .into(),
        });
    }
    let (df1, df2) = (k - 1.0, n - k);
    let f = (ssb / df1) / (ssw / df2);
    let p = FisherSnedecor::new(df1, df2)
        .map(|d| d.sf(f))
        .unwrap_or(f64::NAN);
    Ok(Anova {
        f,
        df1,
        df2,
        p,
        n: all.len(),
    })
}

/// Largest of the two samples for which the exact Mann–Whitney distribution is computed.
const EXACT_MAX_N: usize = 1000;

/// P(U ≤ u) × C(m+n, m) for the Mann–Whitney U of a sample of size `m` against `n` without
/// ties: counts from the recursion of Mann & Whitney (1947), f(m, n; u) = f(m − 1, n; u − n) +
/// f(m, n − 1; u), run over n with all additions (no cancellation).
fn mwu_exact_cdf(u: usize, m: usize, n: usize) -> f64 {
    // f[j][v]: number of arrangements of j values of the first sample among the first n'
    // values of the second with U = v.
    let mut f = vec![vec![0.0f64; u + 1]; m + 1];
    for row in f.iter_mut() {
        row[0] = 1.0;
    }
    // n' = 0: only U = 0 is possible, for every j.
    for np in 1..=n {
        // The largest value is in sample 1 (it beats all n' values of sample 2: U += n') or in
        // sample 2 (U += 0): new f[j] = new f[j − 1] shifted by n' + old f[j], j ascending.
        for j in 1..=m {
            let (lo, hi) = f.split_at_mut(j);
            let prev = &lo[j - 1];
            let cur = &mut hi[0];
            for v in np..=u {
                cur[v] += prev[v - np];
            }
        }
    }
    f[m].iter().sum()
}

/// Mann–Whitney U test, two-sided, as scipy `mannwhitneyu(x, y)` with `method='auto'`
/// (Mann & Whitney 1947). U is the statistic of `x` (pairs with x > y, ties ½). When at least
/// one sample has ≤ 8 values and there are no ties (and the other has ≤ 1000 values), p is exact: 2·P(U ≥ max(U₁, U₂)) from the null distribution of U
/// (clipped to 1). Otherwise the normal approximation with the tie-corrected variance
/// σ² = n₁n₂/12·[(N + 1) − Σ(t³ − t)/(N(N − 1))] and continuity correction ½. (statrs'
/// `mannwhitneyu` is not used: its exact method refuses ties and its asymptotic p is 1 − CDF.)
/// NaN is dropped per sample; each sample needs ≥ 1 value. If all values are equal, p = 1.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Result<MannWhitney, StatsError> {
    const OP: &str = "mann_whitney";
    let a = clean_min(OP, "x", x, 1)?;
    let b = clean_min(OP, "y", y, 1)?;
    let (n1, n2) = (a.len(), b.len());
    let mut all = a.clone();
    all.extend_from_slice(&b);
    let (ranks, ties) = rank_average(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let umax = u1.max(u2);
    let has_ties = ties.iter().any(|&t| t > 1);
    let (small, large) = (n1.min(n2), n1.max(n2));
    let exact = !has_ties && small <= 8 && large <= EXACT_MAX_N;
    let p = if exact {
        // P(U ≥ umax) = P(U ≤ n1·n2 − umax) by symmetry; U values are integers without ties.
        let ulow = ((n1 * n2) as f64 - umax).round() as usize;
        let total: f64 = (1..=small).fold(1.0, |c, i| c * (large + i) as f64 / i as f64);
        2.0 * mwu_exact_cdf(ulow, small, large) / total
    } else {
        let (f1, f2) = (n1 as f64, n2 as f64);
        let n = f1 + f2;
        let s = (f1 * f2 / 12.0 * ((n + 1.0) - tie_sum(&ties) / (n * (n - 1.0)))).sqrt();
        let z = (umax - f1 * f2 / 2.0 - 0.5) / s;
        if z.is_nan() {
            1.0
        } else {
            2.0 * norm_sf(z)
        }
    };
    Ok(MannWhitney {
        u: u1,
        p: p.clamp(0.0, 1.0),
        exact,
        n1,
        n2,
    })
}

/// Kruskal–Wallis H test (Kruskal & Wallis 1952), as scipy `kruskal`: H = 12/(N(N + 1)) ·
/// Σ nᵢ(R̄ᵢ − (N + 1)/2)² divided by the tie correction 1 − Σ(t³ − t)/(N³ − N), p from χ²
/// with k − 1 df. NaN dropped per group; needs ≥ 2 groups of ≥ 1 value; all values equal is
/// an error.
pub fn kruskal<S: AsRef<[f64]>>(groups: &[S]) -> Result<Kruskal, StatsError> {
    const OP: &str = "kruskal";
    let g = clean_groups(OP, groups, 2, 1)?;
    let all: Vec<f64> = g.iter().flatten().copied().collect();
    require_varying(OP, "groups", &all, "H is undefined")?;
    let (ranks, ties) = rank_average(&all);
    let n = all.len() as f64;
    let centre = (n + 1.0) / 2.0;
    let mut h = 0.0;
    let mut start = 0;
    for x in &g {
        let r = &ranks[start..start + x.len()];
        start += x.len();
        let rbar = r.iter().sum::<f64>() / x.len() as f64;
        h += x.len() as f64 * (rbar - centre).powi(2);
    }
    h *= 12.0 / (n * (n + 1.0));
    h /= 1.0 - tie_sum(&ties) / (n * n * n - n);
    let df = g.len() as f64 - 1.0;
    Ok(Kruskal {
        h,
        df,
        p: chi2_sf(h, df),
        n: all.len(),
    })
}

/// Mood's median test (Mood 1950), as scipy `median_test(*groups)` with its defaults
/// (`ties='below'`, `correction=True`, `lambda_=1`): the grand median of all values pooled
/// splits each group into counts above it and at-or-below it; Pearson's χ² of that 2 × k table
/// with k − 1 df, with Yates' continuity correction only when k = 2 (1 df). NaN dropped per
/// group; needs ≥ 2 groups of ≥ 1 value; no value above the grand median is an error.
pub fn mood_median<S: AsRef<[f64]>>(groups: &[S]) -> Result<MoodMedian, StatsError> {
    const OP: &str = "mood_median";
    let g = clean_groups(OP, groups, 2, 1)?;
    let mut all: Vec<f64> = g.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let med = super::quantile(&all, 0.5);
    let above: Vec<usize> = g
        .iter()
        .map(|x| x.iter().filter(|&&v| v > med).count())
        .collect();
    let below: Vec<usize> = g.iter().zip(&above).map(|(x, a)| x.len() - a).collect();
    let (ta, tb): (usize, usize) = (above.iter().sum(), below.iter().sum());
    if ta == 0 {
        return Err(StatsError::Undefined {
            op: OP,
            why: format!(
                "groups: no value is above the grand median ({med}; ties count as below), so \
                 the test is undefined"
            ),
        });
    }
    let n = all.len() as f64;
    let k = g.len();
    let yates = k == 2;
    let mut chi2 = 0.0;
    for c in 0..k {
        let col = (above[c] + below[c]) as f64;
        for (obs, row) in [(above[c] as f64, ta as f64), (below[c] as f64, tb as f64)] {
            let e = row * col / n;
            let mut d = (obs - e).abs();
            if yates {
                d = (d - 0.5).max(0.0);
            }
            chi2 += d * d / e;
        }
    }
    let df = (k - 1) as f64;
    Ok(MoodMedian {
        chi2,
        df,
        p: chi2_sf(chi2, df),
        grand_median: med,
        above,
        below,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Far from normal, p is 0 (statsmodels `normal_ad` gives 0.0 for both samples below), never
    /// NaN or above 1, so `compare_groups` cannot take such data for normal.
    #[test]
    fn anderson_darling_far_from_normal_gives_p_zero() {
        // one value ~10 SD from 99 equal ones: the normal CDF reaches 1, A² is infinite
        let mut x = vec![0.0; 99];
        x.push(1.0);
        let r = anderson_darling(&x).unwrap();
        assert!(r.a2.is_infinite() && r.p == 0.0, "{r:?}");
        // a bimodal sample of 2000: statsmodels A² = 323.2075015724222 (A²* past the formula's
        // minimum at 153.5, where exp(…) would climb back above 1)
        let y: Vec<f64> = (0..2000)
            .map(|i| if i % 2 == 0 { -1.0 } else { 1.0 } + 0.05 * (i as f64).sin())
            .collect();
        let r = anderson_darling(&y).unwrap();
        assert!((r.a2 - 323.2075015724222).abs() < 1e-9 * 323.2, "{r:?}");
        assert_eq!(r.p, 0.0);
    }

    /// Brute force: enumerate all C(m+n, m) label assignments.
    fn brute_cdf(u: usize, m: usize, n: usize) -> f64 {
        let total = m + n;
        let mut count = 0.0;
        for mask in 0u32..(1 << total) {
            if mask.count_ones() as usize != m {
                continue;
            }
            // U = pairs (first-sample element above second-sample element); positions = ranks.
            let mut uu = 0;
            let mut seen_second = 0;
            for pos in 0..total {
                if mask & (1 << pos) != 0 {
                    uu += seen_second;
                } else {
                    seen_second += 1;
                }
            }
            if uu <= u {
                count += 1.0;
            }
        }
        count
    }

    #[test]
    fn exact_counts_match_enumeration() {
        for (m, n) in [(1, 1), (2, 3), (3, 5), (4, 7), (5, 6)] {
            for u in 0..=(m * n) {
                assert_eq!(
                    mwu_exact_cdf(u, m, n),
                    brute_cdf(u, m, n),
                    "m={m} n={n} u={u}"
                );
            }
        }
    }

    #[test]
    fn mann_whitney_textbook() {
        // Complete separation, 3 vs 3: P(U ≥ 9) = 1/20, two-sided 0.1.
        let r = mann_whitney(&[4.0, 5.0, 6.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!(r.exact && r.u == 9.0 && (r.p - 0.1).abs() < 1e-15, "{r:?}");
        let r = mann_whitney(&[1.0, 1.0], &[1.0, 1.0, 1.0]).unwrap();
        assert_eq!(r.p, 1.0);
    }

    #[test]
    fn anova_agrees_with_statrs_when_statrs_applies() {
        let g = vec![
            vec![1.0, 2.5, 3.1, 4.0],
            vec![2.2, 3.3, 5.9],
            vec![6.0, 7.5, 6.6, 8.1, 5.5],
        ];
        let a = anova(&g).unwrap();
        let (f, p) = statrs::stats_tests::f_oneway::f_oneway(
            g.clone(),
            statrs::stats_tests::NaNPolicy::Error,
        )
        .unwrap();
        assert!(
            (a.f - f).abs() < 1e-12 * f && (a.p - p).abs() < 1e-12,
            "{a:?} {f} {p}"
        );
        assert!(anova(&[vec![1.0, 1.0], vec![2.0, 2.0]]).is_err());
        // One constant group is fine.
        assert!(anova(&[vec![0.0, 0.0, 0.0], vec![0.1, 0.5, 0.2]]).is_ok());
    }

    #[test]
    fn errors_name_the_problem() {
        let e = kruskal(&[vec![1.0, 1.0], vec![1.0]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("kruskal: groups: all values are equal"), "{e}");
        let e = kruskal(&[vec![1.0, 2.0], vec![f64::NAN]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("groups[1]: no values"), "{e}");
        let e = anderson_darling(&[2.0; 10]).unwrap_err().to_string();
        assert!(e.contains("normality cannot be assessed"), "{e}");
        let e = ttest(&[1.0], &[2.0, 3.0], false).unwrap_err().to_string();
        assert!(e.contains("ttest: x: 1 value(s)"), "{e}");
        let e = mood_median(&[vec![1.0]]).unwrap_err().to_string();
        assert!(e.contains("1 group(s) given, needs at least 2"), "{e}");
    }
}
