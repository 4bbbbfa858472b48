//! The paper's rule for choosing a group comparison test.
use super::StatsError;
use super::{anderson_darling, anova, clean_groups, kruskal, mann_whitney, mood_median, ttest};

/// Which non-parametric test [`compare_groups`] uses when the parametric one does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nonparametric {
    /// Mann–Whitney U for 2 groups, Kruskal–Wallis H for more (default).
    Rank,
    /// Mood's median test for any number of groups.
    Median,
}

/// Options of [`compare_groups`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOpts {
    /// Significance level of the Anderson–Darling normality check (default 0.05): a group is
    /// treated as normal when its p ≥ alpha.
    pub alpha: f64,
    /// Smallest group for which normality can be assessed (default 8, the smallest n of
    /// D'Agostino & Stephens' table for the A²* p-value).
    pub min_n: usize,
    /// Student's (true, default) or Welch's (false) t-test for two normal groups.
    pub equal_var: bool,
    pub nonparametric: Nonparametric,
}

impl Default for CompareOpts {
    fn default() -> Self {
        CompareOpts {
            alpha: 0.05,
            min_n: 8,
            equal_var: true,
            nonparametric: Nonparametric::Rank,
        }
    }
}

/// The test chosen by [`compare_groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    TTest,
    Welch,
    Anova,
    MannWhitney,
    Kruskal,
    MoodMedian,
}

impl TestKind {
    /// Name as used by the script functions: "ttest", "welch", "anova", "mann_whitney",
    /// "kruskal", "mood_median".
    pub fn name(self) -> &'static str {
        match self {
            TestKind::TTest => "ttest",
            TestKind::Welch => "welch",
            TestKind::Anova => "anova",
            TestKind::MannWhitney => "mann_whitney",
            TestKind::Kruskal => "kruskal",
            TestKind::MoodMedian => "mood_median",
        }
    }
    /// Name of the statistic: "t", "f", "u", "h", "chi2".
    pub fn statistic_name(self) -> &'static str {
        match self {
            TestKind::TTest | TestKind::Welch => "t",
            TestKind::Anova => "f",
            TestKind::MannWhitney => "u",
            TestKind::Kruskal => "h",
            TestKind::MoodMedian => "chi2",
        }
    }
    /// Whether the test assumes normality.
    pub fn parametric(self) -> bool {
        matches!(self, TestKind::TTest | TestKind::Welch | TestKind::Anova)
    }
}

/// The normality check of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Normality {
    /// Group index (from 0) and its size after dropping NaN.
    pub group: usize,
    pub n: usize,
    /// Whether normality could be assessed (n ≥ min_n and not constant).
    pub assessed: bool,
    /// Anderson–Darling A² and p (NaN when not assessed).
    pub a2: f64,
    pub p: f64,
    /// Assessed and p ≥ alpha.
    pub normal: bool,
}

/// Result of [`compare_groups`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub test: TestKind,
    /// Why this test was chosen, in words.
    pub reason: String,
    /// The test statistic (t, F, U, H or χ², see [`TestKind::statistic_name`]) and p-value.
    pub statistic: f64,
    pub p: f64,
    /// Degrees of freedom (t: df; ANOVA: between-groups; H and χ²: k − 1; NaN for U) and the
    /// second df of ANOVA (NaN otherwise).
    pub df: f64,
    pub df2: f64,
    /// Per-group normality checks.
    pub normality: Vec<Normality>,
}

/// Compare two or more groups with the rule of the paper's Statistics section (Carmona-Bozo
/// et al., Eur Radiol 2021): "Continuous data were assessed for normality using the
/// Anderson-Darling test … t tests were used for comparison between means of two groups, and
/// ANOVA when more than two groups were compared. Where data were not normally distributed, or
/// normality could not be assessed, Mann-Whitney U and Mood's median or Kruskal-Wallis H tests
/// were employed".
///
/// Precisely:
/// 1. NaN values are dropped per group; there must be ≥ 2 groups, each with ≥ 1 value.
/// 2. Each group's normality is assessed with [`anderson_darling`] when it has at least
///    `opts.min_n` values (default 8) and is not constant; it counts as normal when p ≥
///    `opts.alpha` (default 0.05). A group too small or constant is "not assessable".
/// 3. If every group was assessed and found normal: 2 groups → Student's t-test (Welch's when
///    `equal_var` is false), more → one-way ANOVA.
/// 4. Otherwise (any group non-normal or not assessable): with `Nonparametric::Rank` (default)
///    2 groups → Mann–Whitney U, more → Kruskal–Wallis H; with `Nonparametric::Median`, Mood's
///    median test for any number of groups.
///
/// Errors of the chosen test (e.g. all values equal in Kruskal–Wallis) are returned as is.
pub fn compare_groups<S: AsRef<[f64]>>(
    groups: &[S],
    opts: &CompareOpts,
) -> Result<Comparison, StatsError> {
    const OP: &str = "compare_groups";
    if !(opts.alpha > 0.0 && opts.alpha < 1.0) {
        return Err(StatsError::Undefined {
            op: OP,
            why: format!("alpha: {} is not in (0, 1)", opts.alpha),
        });
    }
    let g = clean_groups(OP, groups, 2, 1)?;
    let k = g.len();
    let normality: Vec<Normality> = g
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let ad = if x.len() >= opts.min_n.max(3) {
                anderson_darling(x).ok()
            } else {
                None
            };
            match ad {
                Some(a) => Normality {
                    group: i,
                    n: x.len(),
                    assessed: true,
                    a2: a.a2,
                    p: a.p,
                    normal: a.p >= opts.alpha,
                },
                None => Normality {
                    group: i,
                    n: x.len(),
                    assessed: false,
                    a2: f64::NAN,
                    p: f64::NAN,
                    normal: false,
                },
            }
        })
        .collect();
    let not_assessed: Vec<String> = normality
        .iter()
        .filter(|c| !c.assessed)
        .map(|c| format!("{} (n = {})", c.group, c.n))
        .collect();
    let non_normal: Vec<String> = normality
        .iter()
        .filter(|c| c.assessed && !c.normal)
        .map(|c| format!("{} (p = {:.3})", c.group, c.p))
        .collect();
    let parametric = not_assessed.is_empty() && non_normal.is_empty();
    let mut reason = if parametric {
        format!(
            "all {k} groups normal by Anderson–Darling (p ≥ {})",
            opts.alpha
        )
    } else {
        let mut parts = Vec::new();
        if !non_normal.is_empty() {
            parts.push(format!(
                "not normal by Anderson–Darling (p < {}): group {}",
                opts.alpha,
                non_normal.join(", ")
            ));
        }
        if !not_assessed.is_empty() {
            parts.push(format!(
                "normality could not be assessed (n < {} or constant): group {}",
                opts.min_n,
                not_assessed.join(", ")
            ));
        }
        parts.join("; ")
    };
    let nan = f64::NAN;
    let (test, statistic, p, df, df2) = if parametric {
        if k == 2 {
            let t = ttest(&g[0], &g[1], opts.equal_var)?;
            let kind = if opts.equal_var {
                TestKind::TTest
            } else {
                TestKind::Welch
            };
            (kind, t.t, t.p, t.df, nan)
        } else {
            let a = anova(&g)?;
            (TestKind::Anova, a.f, a.p, a.df1, a.df2)
        }
    } else {
        match (opts.nonparametric, k) {
            (Nonparametric::Rank, 2) => {
                let m = mann_whitney(&g[0], &g[1])?;
                (TestKind::MannWhitney, m.u, m.p, nan, nan)
            }
            (Nonparametric::Rank, _) => {
                let h = kruskal(&g)?;
                (TestKind::Kruskal, h.h, h.p, h.df, nan)
            }
            (Nonparametric::Median, _) => {
                let m = mood_median(&g)?;
                (TestKind::MoodMedian, m.chi2, m.p, m.df, nan)
            }
        }
    };
    reason = format!("{reason} → {}", test.name());
    Ok(Comparison {
        test,
        reason,
        statistic,
        p,
        df,
        df2,
        normality,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_groups_go_non_parametric() {
        let g = vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.5]];
        let c = compare_groups(&g, &CompareOpts::default()).unwrap();
        assert_eq!(c.test, TestKind::MannWhitney);
        assert!(c.reason.contains("could not be assessed"), "{}", c.reason);
        let c = compare_groups(
            &g,
            &CompareOpts {
                nonparametric: Nonparametric::Median,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.test, TestKind::MoodMedian);
    }

    #[test]
    fn normal_groups_go_parametric() {
        // Evenly spread normal quantiles: Anderson–Darling cannot reject.
        let q = [-1.53, -0.89, -0.49, -0.16, 0.16, 0.49, 0.89, 1.53];
        let g: Vec<Vec<f64>> = (0..3)
            .map(|s| q.iter().map(|v| v + s as f64).collect())
            .collect();
        let c = compare_groups(&g, &CompareOpts::default()).unwrap();
        assert_eq!(c.test, TestKind::Anova, "{}", c.reason);
        assert!(c.normality.iter().all(|n| n.assessed && n.normal));
        let c = compare_groups(&g[..2], &CompareOpts::default()).unwrap();
        assert_eq!(c.test, TestKind::TTest);
    }
}
