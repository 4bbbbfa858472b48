"""Peer for benches/dce.rs: scipy.optimize.curve_fit (bounded TRF) extended Tofts, voxel by
voxel on a subset, with an exact piecewise-linear convolution like petmr's.
Args: data_dir n_frames n_voxels. Prints one line: voxels/s."""
import sys, time
import numpy as np
from scipy.optimize import curve_fit

d, nt, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = np.fromfile(f"{d}/conc.f32", dtype="<f4").reshape(-1, nt)[:n].astype(np.float64)
tcp = np.fromfile(f"{d}/t_cp.f64", dtype="<f8")
t, cp = tcp[:nt] / 60.0, tcp[nt:]
dt = np.diff(t)

def conv(k):
    x = k * dt
    e = np.exp(-x)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(x > 1e-6, (1 - e) / x, 1 - x / 2)
        wb = np.where(x > 1e-6, (1 - g) / x, 0.5)
        wa = np.where(x > 1e-6, (g - e) / x, 0.5)
    inc = dt * (cp[1:] * wb + cp[:-1] * wa)
    out = np.zeros(nt)
    acc = 0.0
    for i in range(1, nt):
        acc = acc * e[i - 1] + inc[i - 1]
        out[i] = acc
    return out

def model(_t, k, ve, vp):
    return k * conv(k / ve) + vp * cp

t0 = time.perf_counter()
ks = []
for y in c:
    try:
        p, _ = curve_fit(model, t, y, p0=[0.1, 0.2, 0.01], bounds=([0, 1e-4, 0], [5, 1, 1]))
        ks.append(p[0])
    except Exception:
        ks.append(np.nan)
el = time.perf_counter() - t0
print(f"scipy curve_fit (TRF, {n} voxels): {el:.2f} s, {n / el:.0f} voxels/s, median Ktrans {np.nanmedian(ks):.4f}")
