"""Peer for benches/dce.rs: vectorised numpy LLSQ (Murase) extended Tofts on all voxels.
Args: data_dir n_frames n_voxels. Prints one line: voxels/s and peak RSS."""
import sys, time, resource
import numpy as np

d, nt, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = np.fromfile(f"{d}/conc.f32", dtype="<f4").reshape(-1, nt)[:n].astype(np.float64)
tcp = np.fromfile(f"{d}/t_cp.f64", dtype="<f8")
t, cp = tcp[:nt] / 60.0, tcp[nt:]
in_mb = c.size * 4 / 1e6
t0 = time.perf_counter()
dt = np.diff(t)
icp = np.concatenate([[0.0], np.cumsum(0.5 * (cp[1:] + cp[:-1]) * dt)])
ic = np.concatenate([np.zeros((c.shape[0], 1)), np.cumsum(0.5 * (c[:, 1:] + c[:, :-1]) * dt, axis=1)], axis=1)
# normal equations for columns [icp, -ic, cp], batched
A0, A2 = icp, cp
ata = np.empty((c.shape[0], 3, 3))
atb = np.empty((c.shape[0], 3))
ata[:, 0, 0] = A0 @ A0
ata[:, 0, 1] = ata[:, 1, 0] = -(ic @ A0)
ata[:, 0, 2] = ata[:, 2, 0] = A0 @ A2
ata[:, 1, 1] = np.einsum("ij,ij->i", ic, ic)
ata[:, 1, 2] = ata[:, 2, 1] = -(ic @ A2)
ata[:, 2, 2] = A2 @ A2
atb[:, 0] = c @ A0
atb[:, 1] = -np.einsum("ij,ij->i", ic, c)
atb[:, 2] = c @ A2
x = np.linalg.solve(ata, atb[:, :, None])[:, :, 0]
kep, vp = x[:, 1], x[:, 2]
ktrans = x[:, 0] - kep * vp
el = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
print(f"numpy LLSQ (vectorised): {el:.2f} s, {c.shape[0] / el:.0f} voxels/s, peak RSS {peak:.1f} MB "
      f"({peak / in_mb:.2f}× the f32 input), median Ktrans {np.median(ktrans):.4f}")
