//! Statistics of the paper's "Statistics" section, on plain `&[f64]` slices, matching scipy 1.17
//! and scikit-posthocs 0.17 (the field's reference implementations).
//!
//! * [`describe`] — n, mean, SD, median, quartiles, range.
//! * [`pearson`], [`spearman`], [`linreg`] — correlation and least-squares line.
//! * [`anderson_darling`] — normality (statistic as scipy, D'Agostino–Stephens p-value).
//! * [`ttest`] (Student or Welch), [`anova`] (one-way) — parametric comparisons.
//! * [`mann_whitney`], [`kruskal`], [`mood_median`] — non-parametric comparisons.
//! * [`dscf`] — Dwass–Steel–Critchlow–Fligner pairwise procedure after Kruskal–Wallis.
//! * [`compare_groups`] — the paper's rule for choosing between them.
//!
//! Missing values: NaN is dropped (pairwise for two paired arrays, per group otherwise) and the
//! `n` actually used is returned. Infinite values, empty or too-small samples and samples for
//! which a test is undefined (e.g. a constant variable in a correlation) give a [`StatsError`].
//! Groups may be given as `&[Vec<f64>]`, `&[&[f64]]` or anything whose items are `AsRef<[f64]>`.
mod compare;
mod correlation;
mod descriptive;
mod dscf;
mod hypothesis;

pub use compare::{compare_groups, CompareOpts, Comparison, Nonparametric, Normality, TestKind};
pub use correlation::{linreg, pearson, spearman, LinReg, Pearson, Spearman};
pub use descriptive::{describe, quantile, Describe};
pub use dscf::{dscf, studentized_range_sf_inf, DscfPair};
pub use hypothesis::{
    anderson_darling, anova, kruskal, mann_whitney, mood_median, ttest, AndersonDarling, Anova,
    Kruskal, MannWhitney, MoodMedian, TTest,
};

use thiserror::Error;

/// Errors of the statistics domain: `stats: <function>: <argument>: <problem>`.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StatsError {
    #[error("stats: {op}: {what}: no values (after dropping NaN)")]
    Empty { op: &'static str, what: String },
    #[error("stats: {op}: {what}: {n} value(s) after dropping NaN, needs at least {need}")]
    TooFew {
        op: &'static str,
        what: String,
        n: usize,
        need: usize,
    },
    #[error("stats: {op}: {what}: all values are equal ({value}); {why}")]
    Constant {
        op: &'static str,
        what: String,
        value: f64,
        why: &'static str,
    },
    #[error("stats: {op}: {what}[{index}]: infinite value ({value})")]
    NotFinite {
        op: &'static str,
        what: String,
        index: usize,
        value: f64,
    },
    #[error("stats: {op}: x and y differ in length ({nx} vs {ny})")]
    Length {
        op: &'static str,
        nx: usize,
        ny: usize,
    },
    #[error("stats: {op}: groups: {k} group(s) given, needs at least {need}")]
    Groups {
        op: &'static str,
        k: usize,
        need: usize,
    },
    #[error("stats: {op}: {why}")]
    Undefined { op: &'static str, why: String },
}

/// The finite values of `x` (NaN dropped); an infinite value is an error naming its index.
pub(crate) fn clean(op: &'static str, what: &str, x: &[f64]) -> Result<Vec<f64>, StatsError> {
    let mut out = Vec::with_capacity(x.len());
    for (i, &v) in x.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        if v.is_infinite() {
            return Err(StatsError::NotFinite {
                op,
                what: what.to_string(),
                index: i,
                value: v,
            });
        }
        out.push(v);
    }
    Ok(out)
}

/// [`clean`] plus a minimum size.
pub(crate) fn clean_min(
    op: &'static str,
    what: &str,
    x: &[f64],
    need: usize,
) -> Result<Vec<f64>, StatsError> {
    let v = clean(op, what, x)?;
    if v.is_empty() {
        return Err(StatsError::Empty {
            op,
            what: what.to_string(),
        });
    }
    if v.len() < need {
        return Err(StatsError::TooFew {
            op,
            what: what.to_string(),
            n: v.len(),
            need,
        });
    }
    Ok(v)
}

/// Pairs `(x[i], y[i])` where neither is NaN (pairwise deletion); infinite values are errors.
pub(crate) fn clean_pairs(
    op: &'static str,
    x: &[f64],
    y: &[f64],
    need: usize,
) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::Length {
            op,
            nx: x.len(),
            ny: y.len(),
        });
    }
    let mut a = Vec::with_capacity(x.len());
    let mut b = Vec::with_capacity(x.len());
    for (i, (&u, &v)) in x.iter().zip(y).enumerate() {
        for (w, val) in [("x", u), ("y", v)] {
            if val.is_infinite() {
                return Err(StatsError::NotFinite {
                    op,
                    what: w.to_string(),
                    index: i,
                    value: val,
                });
            }
        }
        if u.is_nan() || v.is_nan() {
            continue;
        }
        a.push(u);
        b.push(v);
    }
    if a.is_empty() {
        return Err(StatsError::Empty {
            op,
            what: "x, y (complete pairs)".into(),
        });
    }
    if a.len() < need {
        return Err(StatsError::TooFew {
            op,
            what: "x, y (complete pairs)".into(),
            n: a.len(),
            need,
        });
    }
    Ok((a, b))
}

/// Clean every group (NaN dropped), require `k ≥ min_groups` and `n ≥ min_n` per group.
pub(crate) fn clean_groups<S: AsRef<[f64]>>(
    op: &'static str,
    groups: &[S],
    min_groups: usize,
    min_n: usize,
) -> Result<Vec<Vec<f64>>, StatsError> {
    if groups.len() < min_groups {
        return Err(StatsError::Groups {
            op,
            k: groups.len(),
            need: min_groups,
        });
    }
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| clean_min(op, &format!("groups[{i}]"), g.as_ref(), min_n))
        .collect()
}

/// Error if every value of `x` is the same.
pub(crate) fn require_varying(
    op: &'static str,
    what: &str,
    x: &[f64],
    why: &'static str,
) -> Result<(), StatsError> {
    if let Some(&first) = x.first() {
        if x.iter().all(|&v| v == first) {
            return Err(StatsError::Constant {
                op,
                what: what.to_string(),
                value: first,
                why,
            });
        }
    }
    Ok(())
}

pub(crate) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sum of squared deviations from the mean (two-pass).
pub(crate) fn ss(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum()
}

/// Sample variance (n − 1).
pub(crate) fn var(x: &[f64]) -> f64 {
    ss(x) / (x.len() as f64 - 1.0)
}

/// Average ranks (1-based, ties get the mean of their ranks, as scipy `rankdata('average')`)
/// and the sizes of the tie groups (only groups of size ≥ 1, in sorted order).
pub(crate) fn rank_average(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; n];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        // positions i..j (0-based) share ranks i+1..=j
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        ties.push(j - i);
        i = j;
    }
    (ranks, ties)
}

/// Σ (t³ − t) over tie groups.
pub(crate) fn tie_sum(ties: &[usize]) -> f64 {
    ties.iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum()
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom: `I_{df/(df+t²)}(df/2, 1/2)`.
pub(crate) fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    statrs::function::beta::beta_reg(df / 2.0, 0.5, x)
}

/// Upper tail of the chi-squared distribution.
pub(crate) fn chi2_sf(x: f64, df: f64) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    if x.is_nan() {
        return f64::NAN;
    }
    ChiSquared::new(df).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}

/// Standard normal upper tail `Q(z) = 1 − Φ(z)`, accurate in both tails.
pub(crate) fn norm_sf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(z / std::f64::consts::SQRT_2)
}

/// Standard normal CDF `Φ(z)`, accurate in both tails.
pub(crate) fn norm_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_with_ties() {
        let (r, t) = rank_average(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        assert_eq!(r, vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(t, vec![1, 1, 3]);
        assert_eq!(tie_sum(&t), 24.0);
    }

    #[test]
    fn cleaning() {
        assert_eq!(
            clean("f", "x", &[1.0, f64::NAN, 2.0]).unwrap(),
            vec![1.0, 2.0]
        );
        let e = clean("f", "x", &[1.0, f64::INFINITY])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "stats: f: x[1]: infinite value (inf)");
        let e = clean_min("f", "x", &[f64::NAN], 1).unwrap_err().to_string();
        assert!(e.contains("no values"), "{e}");
        let (a, b) = clean_pairs("f", &[1.0, f64::NAN, 3.0], &[4.0, 5.0, f64::NAN], 1).unwrap();
        assert_eq!((a, b), (vec![1.0], vec![4.0]));
        assert!(clean_pairs("f", &[1.0], &[1.0, 2.0], 1).is_err());
    }

    #[test]
    fn t_p_value_analytic() {
        // df = 1: Cauchy, P(|T| > 1) = 1/2; df = 2: P(|T| > t) = 1 − t/√(2 + t²).
        assert!((t_two_sided(1.0, 1.0) - 0.5).abs() < 1e-14);
        let t: f64 = 1.7;
        assert!((t_two_sided(t, 2.0) - (1.0 - t / (2.0 + t * t).sqrt())).abs() < 1e-14);
        // statrs 0.19's erfc carries ~5e-11 relative error (Boost's rational approximations
        // with their offsets truncated to 10 digits), which bounds the agreement of normal
        // tail probabilities with scipy to about 1e-10.
        let q = norm_sf(1.959963984540054);
        assert!((q - 0.025).abs() < 1e-9 * 0.025, "{q:e}");
        assert!((norm_cdf(-1.959963984540054) - 0.025).abs() < 1e-9 * 0.025);
    }
}
