#!/usr/bin/env python3
"""Reference values for petmr's statistics (tests/it/stats.rs).

Paper-shaped synthetic data (32 lesions; histology groups of 21/6/3/2 and grade groups of
3/16/13; %HF with many zeros; rounded values with ties; an ADC column with missing values)
and the results of scipy / scikit-posthocs / statsmodels on them.

Run:  python3 make_reference.py > reference.json
Versions used are recorded in the output ("versions").
"""
import json
import math
import sys

import numpy as np
import scipy
import scipy.stats as ss
import scikit_posthocs as sp
import statsmodels
from statsmodels.stats.diagnostic import normal_ad

rng = np.random.default_rng(2021)
N = 32

ki = np.round(rng.lognormal(np.log(1.5), 0.6, N), 3)  # 1e-3 mL/cm3/min
ktrans = np.round(np.clip(0.25 - 0.03 * ki + rng.normal(0, 0.06, N), 0.02, None), 3)
ve = np.round(rng.beta(4, 6, N), 3)
kep = np.round(rng.normal(0.27, 0.06, N), 2)  # 2 decimals: ties
size_mm = np.clip(np.round(rng.normal(28, 10, N)), 8, None)  # integers: ties
hf = np.zeros(N)  # %HF: 18 zeros, 8 in (0, 1), 6 above 1, with ties
idx = rng.permutation(N)
hf[idx[:8]] = np.round(rng.uniform(0.01, 0.99, 8), 2)
hf[idx[8:14]] = np.round(rng.uniform(1.2, 9.0, 6), 1)
hf[idx[1]] = hf[idx[0]]  # an explicit tie among the non-zero values
adc = np.round(rng.normal(1.25, 0.25, N), 3)  # 1e-3 mm2/s, only 19 lesions have DWI
adc[rng.permutation(N)[:13]] = np.nan

histology = np.array([0] * 21 + [1] * 6 + [2] * 3 + [3] * 2)
rng.shuffle(histology)
grade = np.array([0] * 3 + [1] * 16 + [2] * 13)
rng.shuffle(grade)

data = {"ki": ki, "ktrans": ktrans, "ve": ve, "kep": kep, "size_mm": size_mm, "hf": hf,
        "adc": adc}
labels = {"histology": histology, "grade": grade}


def clean(v):
    """JSON value: NaN becomes null."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    v = float(v)
    return None if math.isnan(v) else v


def groups_of(col, lab):
    g = [data[col][labels[lab] == i] for i in range(labels[lab].max() + 1)]
    return [x[~np.isnan(x)] for x in g]


def ad(x):
    x = np.asarray(x, float)
    x = x[~np.isnan(x)]
    a2_scipy = float(ss.anderson(x, dist="norm", method="interpolate").statistic)
    a2_sm, p_sm = normal_ad(x)
    assert abs(a2_scipy - a2_sm) <= 1e-12 * abs(a2_scipy), (a2_scipy, a2_sm)
    return a2_scipy, float(p_sm)


out = {
    "versions": {"scipy": scipy.__version__, "numpy": np.__version__,
                 "scikit_posthocs": sp.__version__ if hasattr(sp, "__version__") else "0.17.1",
                 "statsmodels": statsmodels.__version__},
    "data": {k: clean(v) for k, v in data.items()},
    "labels": {k: [int(i) for i in v] for k, v in labels.items()},
}

# describe: numpy mean, SD (ddof 1), median, min, max, quartiles (linear, type 7)
out["describe"] = []
for col in data:
    x = data[col][~np.isnan(data[col])]
    out["describe"].append({
        "x": col, "n": int(x.size), "mean": x.mean(), "sd": x.std(ddof=1),
        "median": float(np.median(x)), "min": x.min(), "max": x.max(),
        "q1": float(np.percentile(x, 25)), "q3": float(np.percentile(x, 75))})

# correlations and regression, NaN pairs dropped
pairs = [("ki", "ktrans"), ("hf", "ktrans"), ("ki", "ve"), ("hf", "ve"), ("kep", "hf"),
         ("size_mm", "ki"), ("adc", "ktrans"), ("adc", "hf")]
out["pearson"], out["spearman"], out["linreg"] = [], [], []
for a, b in pairs:
    x, y = data[a], data[b]
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    r = ss.pearsonr(x, y)
    out["pearson"].append({"x": a, "y": b, "r": r.statistic, "p": r.pvalue, "n": int(x.size)})
    s = ss.spearmanr(x, y)
    out["spearman"].append({"x": a, "y": b, "rho": s.statistic, "p": s.pvalue,
                            "n": int(x.size)})
    l = ss.linregress(x, y)
    out["linreg"].append({"x": a, "y": b, "slope": l.slope, "intercept": l.intercept,
                          "r": l.rvalue, "p": l.pvalue, "stderr": l.stderr,
                          "intercept_stderr": l.intercept_stderr, "n": int(x.size)})

# Anderson-Darling: statistic from scipy (== statsmodels), p of D'Agostino & Stephens
# (statsmodels normal_ad; scipy 1.17 only interpolates critical values)
out["anderson_darling"] = []
for col in data:
    a2, p = ad(data[col])
    out["anderson_darling"].append({"x": col, "a2": a2, "p": p})
for lab in labels:
    for col in ["ki", "ktrans", "kep"]:
        for i, g in enumerate(groups_of(col, lab)):
            if g.size >= 8:
                a2, p = ad(g)
                out["anderson_darling"].append({"x": f"{col}|{lab}={i}", "a2": a2, "p": p})

# two-sample tests on group pairs
two = [("grade", 1, 2), ("histology", 0, 1), ("histology", 1, 2), ("histology", 0, 3),
       ("grade", 0, 2)]
out["ttest"], out["mann_whitney"] = [], []
for col in data:
    for lab, i, j in two:
        g = groups_of(col, lab)
        x, y = g[i], g[j]
        name = f"{col}|{lab}={i}", f"{col}|{lab}={j}"
        for ev in (True, False):
            if not ev and (x.size < 2 or y.size < 2):
                continue
            if np.var(x) == 0 and np.var(y) == 0:
                continue
            t = ss.ttest_ind(x, y, equal_var=ev)
            out["ttest"].append({"x": name[0], "y": name[1], "equal_var": ev,
                                 "t": t.statistic, "df": float(t.df), "p": t.pvalue})
        m = ss.mannwhitneyu(x, y, alternative="two-sided", method="auto")
        xy = np.concatenate([x, y])
        exact = (min(x.size, y.size) <= 8) and np.unique(xy).size == xy.size
        out["mann_whitney"].append({"x": name[0], "y": name[1], "u": m.statistic,
                                    "p": m.pvalue, "exact": bool(exact)})

# k-group tests
out["anova"], out["kruskal"], out["mood_median"], out["dscf"] = [], [], [], []
for col in data:
    for lab in labels:
        g = groups_of(col, lab)
        name = f"{col}|{lab}"
        f = ss.f_oneway(*g)
        out["anova"].append({"groups": name, "f": f.statistic, "p": f.pvalue,
                             "df1": len(g) - 1, "df2": int(sum(x.size for x in g) - len(g))})
        h = ss.kruskal(*g)
        out["kruskal"].append({"groups": name, "h": h.statistic, "p": h.pvalue})
        stat, p, med, table = ss.median_test(*g)  # ties='below', correction=True
        out["mood_median"].append({"groups": name, "chi2": stat, "p": p, "grand_median": med,
                                   "above": [int(v) for v in table[0]],
                                   "below": [int(v) for v in table[1]]})
        # DSCF: p from scikit-posthocs; |W| by its formula (its internal compare()), with the
        # sign of (U_j - n_i n_j / 2) from scipy's Mann-Whitney U
        vals = np.concatenate(g)
        grp = np.concatenate([[k] * x.size for k, x in enumerate(g)])
        pm = sp.posthoc_dscf(
            __import__("pandas").DataFrame({"v": vals, "g": grp}), val_col="v", group_col="g")
        for i in range(len(g)):
            for j in range(i + 1, len(g)):
                ni, nj = g[i].size, g[j].size
                ranks = ss.rankdata(np.concatenate([g[i], g[j]]))
                _, tc = np.unique(ranks, return_counts=True)
                s = ni + nj
                var = ni * nj / (s * (s - 1.0)) * ((s**3 - s) / 12.0 - np.sum((tc**3 - tc) / 12.0))
                uj = ss.mannwhitneyu(g[j], g[i]).statistic  # pairs with group j above group i
                w = math.sqrt(2.0) * (uj - ni * nj / 2.0) / math.sqrt(var) if var > 0 else np.nan
                out["dscf"].append({"groups": name, "i": i, "j": j, "w": w,
                                    "p": float(pm.iloc[i, j])})

# compare_groups: the paper's rule, written independently here
def rule(g, min_n=8, alpha=0.05):
    normal = all(x.size >= min_n and np.ptp(x) > 0 and normal_ad(x)[1] >= alpha for x in g)
    if normal:
        if len(g) == 2:
            t = ss.ttest_ind(*g)
            return "ttest", t.statistic, t.pvalue
        f = ss.f_oneway(*g)
        return "anova", f.statistic, f.pvalue
    if len(g) == 2:
        m = ss.mannwhitneyu(*g, alternative="two-sided")
        return "mann_whitney", m.statistic, m.pvalue
    h = ss.kruskal(*g)
    return "kruskal", h.statistic, h.pvalue


out["compare_groups"] = []
for col in data:
    for lab in labels:
        g = groups_of(col, lab)
        test, stat, p = rule(g)
        out["compare_groups"].append({"groups": f"{col}|{lab}", "test": test,
                                      "statistic": stat, "p": p})
    g = groups_of(col, "grade")[1:]  # grade 2 vs 3 (16 vs 13)
    test, stat, p = rule(g)
    out["compare_groups"].append({"groups": f"{col}|grade=1,2", "test": test,
                                  "statistic": stat, "p": p})


# Mood's median test with 2 groups (Yates' correction) and compare_groups with Mood's test
for col in data:
    g = groups_of(col, "grade")[1:]
    stat, p, med, table = ss.median_test(*g)
    out["mood_median"].append({"groups": f"{col}|grade=1,2", "chi2": stat, "p": p,
                               "grand_median": med, "above": [int(v) for v in table[0]],
                               "below": [int(v) for v in table[1]]})
    out["compare_groups"].append({"groups": f"{col}|grade=1,2", "nonparametric": "median",
                                  "test": "ttest" if rule(g)[0] == "ttest" else "mood_median",
                                  "statistic": rule(g)[1] if rule(g)[0] == "ttest" else stat,
                                  "p": rule(g)[2] if rule(g)[0] == "ttest" else p})

# DSCF with pairs of all-equal values (scikit-posthocs gives NaN) and %HF's many zeros
g = [np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, 0.3, 1.2, 0.0, 2.5]),
     np.array([0.14, 0.59, 0.0, 0.0, 0.59, 3.8, 0.0])]
out["group_sets"] = {"hf_zero_groups": [list(map(float, x)) for x in g]}
vals = np.concatenate(g)
grp = np.concatenate([[k] * x.size for k, x in enumerate(g)])
import pandas as pd
with np.errstate(all="ignore"):
    pm = sp.posthoc_dscf(pd.DataFrame({"v": vals, "g": grp}), val_col="v", group_col="g")
for i in range(len(g)):
    for j in range(i + 1, len(g)):
        ni, nj = g[i].size, g[j].size
        ranks = ss.rankdata(np.concatenate([g[i], g[j]]))
        _, tc = np.unique(ranks, return_counts=True)
        s_ = ni + nj
        var = ni * nj / (s_ * (s_ - 1.0)) * ((s_**3 - s_) / 12.0 - np.sum((tc**3 - tc) / 12.0))
        uj = ss.mannwhitneyu(g[j], g[i]).statistic
        w = math.sqrt(2.0) * (uj - ni * nj / 2.0) / math.sqrt(var) if var > 0 else np.nan
        out["dscf"].append({"groups": "set:hf_zero_groups", "i": i, "j": j, "w": w,
                            "p": float(pm.iloc[i, j])})

# studentized range upper tail with infinite df (scipy's integration is accurate to about
# 1e-9 relative for p > 1e-8; beyond that it computes 1 - CDF and loses digits)
out["studentized_range"] = []
for k in [2, 3, 4, 5, 10]:
    for q in [0.5, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0]:
        out["studentized_range"].append({"q": q, "k": k,
                                         "sf": float(ss.studentized_range.sf(q, k, np.inf))})

# small p-values: well separated samples (relative accuracy in the tails)
x = np.round(np.linspace(1.0, 4.0, 12) + rng.normal(0, 0.05, 12), 4)
y = np.round(x + np.linspace(6.0, 9.0, 12), 4)
out["data"]["sep_x"] = x.tolist()
out["data"]["sep_y"] = y.tolist()
out["data"]["sep_line"] = np.round(2.0 * x + 1.0 + rng.normal(0, 0.01, 12), 4).tolist()
t = ss.ttest_ind(x, y)
out["ttest"].append({"x": "sep_x", "y": "sep_y", "equal_var": True, "t": t.statistic,
                     "df": float(t.df), "p": t.pvalue})
m = ss.mannwhitneyu(x, y, alternative="two-sided")
out["mann_whitney"].append({"x": "sep_x", "y": "sep_y", "u": m.statistic, "p": m.pvalue,
                            "exact": False})
r = ss.pearsonr(x, out["data"]["sep_line"])
out["pearson"].append({"x": "sep_x", "y": "sep_line", "r": r.statistic, "p": r.pvalue,
                       "n": 12})


def to_py(o):
    if isinstance(o, dict):
        return {k: to_py(v) for k, v in o.items()}
    if isinstance(o, list):
        return [to_py(v) for v in o]
    if isinstance(o, (np.floating, float)):
        return None if math.isnan(o) else float(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, np.bool_):
        return bool(o)
    return o


json.dump(to_py(out), sys.stdout, indent=1)
sys.stdout.write("\n")
