"""numpy peer of benches/pet.rs: voxelwise Patlak OLS on 1 M voxels x 12 frames and two-point
ADC on a 1 M-voxel pair, vectorised the way a careful numpy user would write them. Prints
voxels/s and peak RSS so the Rust bench can put them side by side."""
import resource
import time

import numpy as np

N, NT = 1_000_000, 12
rng = np.random.default_rng(1)

# Patlak coordinates shared by all voxels: x (min), 1/Cp at 12 mid-frame times
x = np.linspace(150.0, 260.0, NT)
inv_cp = 1.0 / np.linspace(3.6, 3.1, NT)
ct = (0.004 * rng.random((N, 1)) * x / inv_cp + 0.4 / inv_cp).astype(np.float32)
ct *= (1 + 0.05 * (rng.random((N, NT)) - 0.5)).astype(np.float32)


def patlak(ct):
    y = ct.astype(np.float64) * inv_cp  # (N, NT)
    xm = x - x.mean()
    sxx = (xm * xm).sum()
    ym = y.mean(axis=1, keepdims=True)
    dy = y - ym
    sxy = dy @ xm
    syy = (dy * dy).sum(axis=1)
    ki = sxy / sxx
    v0 = ym[:, 0] - ki * x.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = 1.0 - np.maximum(syy - ki * sxy, 0.0) / syy
    return ki.astype(np.float32), v0.astype(np.float32), r2.astype(np.float32)


def adc(s0, sb, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (s0 > 0) & (sb > 0)
        out = np.where(ok, np.log(np.where(ok, s0 / sb, 1.0)) / b, np.nan)
    return out.astype(np.float32)


def best(f, *a, reps=3):
    t = np.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        f(*a)
        t = min(t, time.perf_counter() - t0)
    return t


tp = best(patlak, ct)
s0 = (500 + 1000 * rng.random(N)).astype(np.float32)
sb = (s0 * np.exp(-900 * (0.5e-3 + 2e-3 * rng.random(N)))).astype(np.float32)
ta = best(adc, s0, sb, 900.0, reps=5)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"  numpy {np.__version__} Patlak        : {tp*1e3:8.1f} ms  patlak voxels_per_s={N/tp:.4g}")
print(f"  numpy ADC                   : {ta*1e3:8.1f} ms  adc voxels_per_s={N/ta:.4g}")
print(f"  numpy peak RSS: {rss:.0f} MB")
