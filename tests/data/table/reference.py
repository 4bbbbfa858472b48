"""Expected Tables 1-4 and correlations for lesions.csv, computed with numpy/scipy/
scikit-posthocs (independently of petmr), written to expected.json.

Statistics: scipy.stats.median_test (Mood, ties below), mannwhitneyu (two-sided, method auto),
f_oneway (ANOVA), kruskal, pearsonr; scikit_posthocs.posthoc_dscf (DSCF pairs). The formatted
cells follow the paper: median [min-max] and mean +- SD with 2 decimals, p with 2 decimals
(3 below 0.01, "< 0.001" below that), stars (* < 0.05, ** < 0.01), then the footnote letter.
Run: python3 reference.py"""
import json
import numpy as np
import pandas as pd
import scipy
import scipy.stats as st
import scikit_posthocs as sp

t = pd.read_csv("lesions.csv")

def fixed(x, d=2):
    s = f"{x:.{d}f}"
    if s.startswith("-") and set(s[1:]) <= set("0."):
        s = s[1:]
    return s

def med_range(v, d=2):
    v = np.sort(np.asarray(v, float)[~np.isnan(v)])
    if len(v) == 0:
        return "–"
    if len(v) == 1:
        return f"{fixed(v[0], d)} [−]"
    return f"{fixed(np.median(v), d)} [{fixed(v[0], d)}–{fixed(v[-1], d)}]"

def mean_sd(v, d=2):
    v = np.asarray(v, float)[~np.isnan(v)]
    if len(v) == 0:
        return "–"
    if len(v) == 1:
        return f"{fixed(v[0], d)} ± −"
    return f"{fixed(v.mean(), d)} ± {fixed(v.std(ddof=1), d)}"

def n_pct(n, tot):
    return f"{n} ({int(np.floor(100 * n / tot + 0.5 + 1e-9))})"

def stars(p):
    return "**" if p < 0.01 else "*" if p < 0.05 else ""

def fmt_p(p, letter="", with_stars=True):
    s = "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.01 else f"{p:.2f}"
    return s + (stars(p) if with_stars else "") + letter

def r_p(r, p):
    return f"{fixed(r)} ({fmt_p(p)})"

LABEL = {"ktrans": "Ktrans", "kep": "kep", "ve": "ve", "vp": "vp", "adc": "ADC (× 10⁻³)",
         "ki": "Ki (× 10⁻³)", "hf": "%HF", "suv_max": "SUVmax", "suv_mean": "SUVmean",
         "tmax_m": "Tmax/M", "tmax_p": "Tmax/P"}
SCALE = {"adc": 1000.0, "ki": 1000.0}
PARAMS = ["ktrans", "kep", "ve", "vp", "adc", "ki", "hf", "suv_max", "suv_mean", "tmax_m",
          "tmax_p"]

def vals(col, mask=None):
    v = t[col].to_numpy(float) * SCALE.get(col, 1.0)
    return v if mask is None else v[mask]

# ---------------------------------------------------------------- Table 1
def table1():
    first = t.drop_duplicates("participant")
    n = len(t)
    rows = [["Age at diagnosis (years)ᵃ", med_range(first.age.to_numpy(float), 0)],
            ["Lesions", str(n)],
            ["Pathological size (mm)ᵃᵇ", med_range(t.path_size_mm.to_numpy(float), 0)],
            ["Lesion longest diameter on MRI", ""],
            ["  ≤ 20 mm", n_pct(int((t.diameter_mm <= 20).sum()), n)],
            ["  > 20 mm", n_pct(int((t.diameter_mm > 20).sum()), n)],
            ["Histopathological subtype", ""]]
    for lab, s in [("Ductal (IDC)", "IDC"), ("Lobular (ILC)", "ILC"), ("Mucinous (IMC)", "IMC"),
                   ("Mixedᶜ", "Mixed")]:
        rows.append(["  " + lab, n_pct(int((t.subtype == s).sum()), n)])
    rows.append(["Histological gradeᵈ", ""])
    for g in (1, 2, 3):
        rows.append([f"  {g}", n_pct(int((t.grade == g).sum()), n)])
    rows.append(["Hormone-receptor statusᵉ", ""])
    rows.append(["  Positive (ER or PR)", n_pct(int((t.hr == "pos").sum()), n)])
    rows.append(["  Negative", n_pct(int((t.hr == "neg").sum()), n)])
    rows.append(["HER2 statusᶠ", ""])
    rows.append(["  Positive", n_pct(int((t.her2 == "pos").sum()), n)])
    rows.append(["  Negative", n_pct(int((t.her2 == "neg").sum()), n)])
    return {"columns": ["Characteristic", "n (%)"], "rows": rows,
            "n_participants": int(t.participant.nunique())}

# ---------------------------------------------------------------- Tables 2 and 3
TEST_NAME = {"mood": "Mood's median", "mann_whitney": "Mann-Whitney U", "anova": "ANOVA",
             "kruskal": "Kruskal-Wallis H"}

def run_test(test, groups):
    if test == "mood":
        s, p, _, _ = st.median_test(*groups)
    elif test == "mann_whitney":
        r = st.mannwhitneyu(groups[0], groups[1], alternative="two-sided")
        s, p = r.statistic, r.pvalue
    elif test == "anova":
        s, p = st.f_oneway(*groups)
    else:
        s, p = st.kruskal(*groups)
    return float(s), float(p)

def by_group(gcol, groups, labels, rules, two=None):
    """rules: param -> (summary, test); two: the two groups of the Mann-Whitney test."""
    rows, tests, letters, prev_n = [], [], {}, None
    pending = []
    for c in PARAMS:
        summary, test = rules[c]
        gv = [vals(c, (t[gcol] == g).to_numpy()) for g in groups]
        gv = [v[~np.isnan(v)] for v in gv]
        ns = [len(v) for v in gv]
        if ns != prev_n:
            rows.append([f"Lesions (n = {sum(ns)})"] + [str(n) for n in ns] + [""])
            prev_n = ns
        cells = [med_range(v) if summary == "median" else mean_sd(v) for v in gv]
        if test == "mann_whitney":
            used = [gv[groups.index(g)] for g in two]
        else:
            used = [v for v in gv if len(v) > 0]
        s, p = run_test(test, used)
        if test not in letters:
            letters[test] = "abcdefgh"[len(letters)]
        tests.append({"parameter": c, "test": test, "statistic": s, "p": p})
        rows.append([LABEL[c]] + cells + [fmt_p(p, letters[test])])
        if test == "kruskal" and p < 0.05:
            pending.append((len(rows) - 1, c, gv))
    dscf = []
    for (ri, c, gv) in pending:
        df = pd.DataFrame({"v": np.concatenate(gv),
                           "g": np.concatenate([[i] * len(v) for i, v in enumerate(gv)])})
        m = sp.posthoc_dscf(df, val_col="v", group_col="g")
        marks = [[] for _ in groups]
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                p = float(m.loc[i, j])
                dscf.append({"parameter": c, "i": i, "j": j, "p": p})
                if p < 0.05:
                    letter = "abcdefgh"[len(letters)]
                    letters[("dscf", c, i, j)] = letter
                    marks[i].append(letter)
                    marks[j].append(letter)
        for k, m in enumerate(marks):
            if m:
                rows[ri][1 + k] = rows[ri][1 + k].replace(" [", "*" + ",".join(m) + " [", 1)
    return {"columns": ["Parameter"] + labels + ["p value"], "rows": rows, "tests": tests,
            "dscf": dscf}

R2 = {c: ("median", "mood") for c in ["ktrans", "kep", "ve", "vp", "hf"]}
R2["adc"] = ("median", "mann_whitney")
R2.update({c: ("mean", "anova") for c in ["ki", "suv_max", "suv_mean", "tmax_m", "tmax_p"]})
R3 = {c: ("median", "kruskal") for c in ["ktrans", "kep", "ve", "vp", "hf"]}
R3["adc"] = ("median", "mann_whitney")
R3.update({c: ("mean", "anova") for c in ["ki", "suv_max", "suv_mean", "tmax_m", "tmax_p"]})

# ---------------------------------------------------------------- Table 4, correlations
def pear(x, y):
    x, y = vals(x), vals(y)
    ok = ~np.isnan(x) & ~np.isnan(y)
    r, p = st.pearsonr(x[ok], y[ok])
    return float(r), float(p), int(ok.sum())

def table4():
    rows, stats, prev = [], [], None
    for c in PARAMS:
        a = pear(c, "diameter_mm")
        b = pear(c, "path_size_mm")
        if [a[2], b[2]] != prev:
            rows.append(["Lesions (n)", str(a[2]), str(b[2])])
            prev = [a[2], b[2]]
        rows.append([LABEL[c], r_p(a[0], a[1]), r_p(b[0], b[1])])
        stats.append({"parameter": c, "size": "diameter_mm", "r": a[0], "p": a[1], "n": a[2]})
        stats.append({"parameter": c, "size": "path_size_mm", "r": b[0], "p": b[1], "n": b[2]})
    return {"columns": ["Parameter", "Longest diameter on MRI", "Pathological size"],
            "rows": rows, "stats": stats}

def correlations():
    pairs = [(y, x) for y in ["ki", "hf"] for x in ["ktrans", "kep", "ve", "vp"]]
    pairs += [("adc", x) for x in ["ktrans", "kep", "ve", "vp", "ki", "hf", "suv_max",
                                   "suv_mean", "tmax_m", "tmax_p"]]
    out = []
    for y, x in pairs:
        r, p, n = pear(y, x)
        out.append({"y": y, "x": x, "n": n, "r": r, "p": p, "cell": r_p(r, p)})
    return out

exp = {"scipy": scipy.__version__, "table1": table1(),
       "table2": by_group("subtype", ["IDC", "ILC", "Mixed", "IMC"],
                          ["IDC", "ILC", "Mixed", "IMC"], R2, two=["IDC", "ILC"]),
       "table3": by_group("grade", [1, 2, 3], ["Grade 1", "Grade 2", "Grade 3"], R3,
                          two=[2, 3]),
       "table4": table4(), "correlations": correlations()}
with open("expected.json", "w") as f:
    json.dump(exp, f, indent=1, ensure_ascii=False)
