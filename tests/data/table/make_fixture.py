"""Write lesions.csv: a paper-like lesion table (32 lesions of 29 patients with the counts of
Table 1 of the paper) with plausible, seeded values. Ties (values rounded to 2 decimals),
zeros for %HF (18/32), one lesion without DCE parameters, 13 lesions without ADC and 11
without pathological size. Run: python3 make_fixture.py  (numpy only)."""
import numpy as np

rng = np.random.default_rng(20210101)
N = 32
subtype = np.array(["IDC"] * 21 + ["ILC"] * 6 + ["Mixed"] * 3 + ["IMC"] * 2)
grade = np.array([1] * 3 + [2] * 16 + [3] * 13)
rng.shuffle(grade)
hr = np.array(["pos"] * 31 + ["neg"])
rng.shuffle(hr)
her2 = np.array(["pos"] * 7 + ["neg"] * 25)
rng.shuffle(her2)
# 29 participants: lesions 3/4, 12/13 and 25/26 are bilateral pairs of one participant
pid, p = [], 0
for i in range(N):
    if i not in (4, 13, 26):
        p += 1
    pid.append(f"sub-{p:02d}")
ages = {}
age_pool = np.clip(np.round(rng.normal(57, 10, 29)), 37, 78).astype(int)
age_pool[0], age_pool[1], age_pool[2] = 37, 78, 57
for k, s in enumerate(sorted(set(pid))):
    ages[s] = int(age_pool[k])
# MRI longest diameter: 10 lesions <= 20 mm (one exactly 20), 22 above
diam = np.concatenate([rng.uniform(9, 20, 9).round(1), [20.0], rng.uniform(21, 80, 22).round(1)])
rng.shuffle(diam)
# pathological size for 21 lesions, integer mm, median 26, range 10..142
path = np.full(N, np.nan)
have_path = rng.choice(N, 21, replace=False)
ps = np.clip(np.round(diam[have_path] * rng.uniform(0.7, 1.3, 21)), 10, 142)
ps[np.argmin(ps)] = 10
ps[np.argmax(ps)] = 142
path[have_path] = ps
g = grade.astype(float)
ktrans = np.clip(rng.lognormal(np.log(0.4), 0.5, N), 0.10, 1.97).round(2)
kep = np.clip(0.16 + 0.05 * (g - 1) + rng.normal(0, 0.04, N), 0.10, 0.35).round(2)
ve = np.clip(rng.normal(0.46, 0.16, N), 0.21, 0.95).round(2)
vp = np.clip(rng.lognormal(np.log(0.07), 0.8, N) - 0.02, 0, 0.55).round(2)
no_dce = 7
ktrans[no_dce] = kep[no_dce] = ve[no_dce] = vp[no_dce] = np.nan
adc = np.full(N, np.nan)
have_adc = [i for i in rng.permutation(N) if i != no_dce][:19]
adc[have_adc] = np.clip(rng.normal(1.0, 0.3, 19), 0.42, 2.46).round(3) / 1000
# hypoxia: Ki (mL/cm3/min) falling with Ktrans; %HF: 18 zeros, 8 in (0, 1), 6 above 1
kt = np.nan_to_num(ktrans, nan=0.4)
ki = (0.2 - 0.5 * (kt - 0.4) + rng.normal(0, 0.5, N)).round(2) / 1000
order = np.argsort(-(ki * 1000 + 0.02 * np.nan_to_num(path, nan=25)))
hf = np.zeros(N)
hf[order[:6]] = rng.uniform(1.05, 4.74, 6).round(2)
hf[order[6:14]] = rng.uniform(0.01, 0.95, 8).round(2)
suv_max = (1.5 + 0.006 * (diam - 30) + rng.normal(0, 0.3, N)).round(2)
suv_mean = (0.75 * suv_max + rng.normal(0, 0.08, N)).round(2)
tmax_m = (suv_max / 1.5 + rng.normal(0, 0.1, N)).round(2)
tmax_p = (suv_max / 1.8 + rng.normal(0, 0.1, N)).round(2)

def f(x, d):
    return "" if np.isnan(x) else f"{x:.{d}f}"

with open("lesions.csv", "w") as out:
    out.write("participant,lesion,subtype,grade,hr,her2,path_size_mm,age,ktrans,kep,ve,vp,adc,"
              "ki,hf,suv_max,suv_mean,tmax_m,tmax_p,diameter_mm\n")
    for i in range(N):
        row = [pid[i], f"L{i + 1:02d}", subtype[i], str(grade[i]), hr[i], her2[i],
               f(path[i], 0), str(ages[pid[i]]), f(ktrans[i], 2), f(kep[i], 2), f(ve[i], 2),
               f(vp[i], 2), f(adc[i], 6), f(ki[i], 5), f(hf[i], 2), f(suv_max[i], 2),
               f(suv_mean[i], 2), f(tmax_m[i], 2), f(tmax_p[i], 2), f(diam[i], 1)]
        out.write(",".join(row) + "\n")
