//! Rigid (6-DOF) registration by Mattes mutual information.
//!
//! The transform maps **fixed** world coordinates (mm) to **moving** world coordinates, as in ITK:
//! `T(x) = R·(x − c) + c + t`, with `R = Rz·Ry·Rx` (angles in degrees about the world axes), `c`
//! the centre of the fixed image and `t` the translation (mm). Resampling the moving image onto
//! the fixed grid is `resample::trilinear(moving, &fixed.grid, &t.matrix())`.
//!
//! Metric: Mattes et al. (IEEE TMI 2003) mutual information with 32 histogram bins, a zero-order
//! Parzen window for the fixed image and a cubic B-spline window for the moving one, over the
//! fixed voxels whose mapped position lies inside the moving image. Search: a 3-level pyramid
//! (block averages by 4, 2, 1), initialised by aligning the geometric image centres, with a
//! pattern search (Hooke–Jeeves style coordinate steps, halved on failure) on the six
//! parameters at each level. Cancellation is checked between steps.
use super::resample::{map_point, trilinear, trilinear_at, trilinear_corner, voxel_map};
use super::{Grid, VolError, Volume};
use nalgebra::{Matrix3, Matrix4, Vector3};
use ndarray::Array4;
use rayon::prelude::*;
use std::path::Path;

/// A rigid transform from fixed world (mm) to moving world (mm) coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct RigidTransform {
    /// Rotations about x, y, z in degrees (applied x first, then y, then z).
    pub rotation_deg: [f64; 3],
    /// Translation in mm.
    pub translation_mm: [f64; 3],
    /// Centre of rotation in world mm (the fixed image centre).
    pub centre_mm: [f64; 3],
}

impl Default for RigidTransform {
    fn default() -> Self {
        RigidTransform {
            rotation_deg: [0.0; 3],
            translation_mm: [0.0; 3],
            centre_mm: [0.0; 3],
        }
    }
}

fn rotation(deg: [f64; 3]) -> Matrix3<f64> {
    let [a, b, c] = deg.map(f64::to_radians);
    let rx = Matrix3::new(1.0, 0.0, 0.0, 0.0, a.cos(), -a.sin(), 0.0, a.sin(), a.cos());
    let ry = Matrix3::new(b.cos(), 0.0, b.sin(), 0.0, 1.0, 0.0, -b.sin(), 0.0, b.cos());
    let rz = Matrix3::new(c.cos(), -c.sin(), 0.0, c.sin(), c.cos(), 0.0, 0.0, 0.0, 1.0);
    rz * ry * rx
}

impl RigidTransform {
    /// The world-space 4×4 matrix (fixed mm → moving mm).
    pub fn matrix(&self) -> Matrix4<f64> {
        let r = rotation(self.rotation_deg);
        let c = Vector3::from(self.centre_mm);
        let t = Vector3::from(self.translation_mm);
        let off = c + t - r * c;
        let mut m = Matrix4::identity();
        m.fixed_view_mut::<3, 3>(0, 0).copy_from(&r);
        m.fixed_view_mut::<3, 1>(0, 3).copy_from(&off);
        m
    }
    fn params(&self) -> [f64; 6] {
        let (r, t) = (self.rotation_deg, self.translation_mm);
        [r[0], r[1], r[2], t[0], t[1], t[2]]
    }
    fn with_params(&self, p: &[f64; 6]) -> RigidTransform {
        RigidTransform {
            rotation_deg: [p[0], p[1], p[2]],
            translation_mm: [p[3], p[4], p[5]],
            centre_mm: self.centre_mm,
        }
    }
    /// Resample `moving` onto `fixed_grid` through this transform (trilinear, outside → NaN).
    pub fn apply(&self, moving: &Volume, fixed_grid: &Grid) -> Result<Volume, VolError> {
        trilinear(moving, fixed_grid, &self.matrix())
    }
    /// Write as JSON (`rotation_deg`, `translation_mm`, `centre_mm`, `matrix`, and the grid the
    /// transform resamples onto if given), atomically.
    pub fn save(&self, path: &Path, grid: Option<&Grid>) -> Result<(), VolError> {
        let m = self.matrix();
        let rows: Vec<Vec<f64>> = (0..4)
            .map(|r| (0..4).map(|c| m[(r, c)]).collect())
            .collect();
        let mut j = serde_json::json!({
            "type": "rigid",
            "convention": "maps fixed world mm to moving world mm; R = Rz·Ry·Rx; x' = R(x − c) + c + t",
            "rotation_deg": self.rotation_deg,
            "translation_mm": self.translation_mm,
            "centre_mm": self.centre_mm,
            "matrix": rows,
        });
        if let Some(g) = grid {
            let a: Vec<Vec<f64>> = (0..4)
                .map(|r| (0..4).map(|c| g.affine[(r, c)]).collect())
                .collect();
            j["fixed_grid"] = serde_json::json!({"dim": g.dim, "affine": a});
        }
        let text = serde_json::to_string_pretty(&j).unwrap_or_default();
        crate::fsutil::write_atomic(path, |w| w.write_all(text.as_bytes()))
            .map_err(|e| VolError::arg("transform.save", format!("{}: {e}", path.display())))
    }
    /// Read a transform written by [`save`](Self::save); also returns the fixed grid if stored.
    pub fn load(path: &Path) -> Result<(RigidTransform, Option<Grid>), VolError> {
        let op = "load_transform";
        let bad = |w: String| VolError::arg(op, format!("{}: {w}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let j: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let three = |k: &str| -> Result<[f64; 3], VolError> {
            let a = j
                .get(k)
                .and_then(|v| v.as_array())
                .ok_or_else(|| bad(format!("missing array '{k}'")))?;
            let v: Vec<f64> = a.iter().filter_map(|x| x.as_f64()).collect();
            if v.len() != 3 || v.iter().any(|x| !x.is_finite()) {
                return Err(bad(format!("'{k}' must hold three finite numbers")));
            }
            Ok([v[0], v[1], v[2]])
        };
        let t = RigidTransform {
            rotation_deg: three("rotation_deg")?,
            translation_mm: three("translation_mm")?,
            centre_mm: three("centre_mm")?,
        };
        let grid = match j.get("fixed_grid") {
            None => None,
            Some(g) => {
                let dim: Vec<usize> = g["dim"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_u64())
                            .map(|x| x as usize)
                            .collect()
                    })
                    .unwrap_or_default();
                let rows: Vec<f64> = g["affine"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|r| r.as_array())
                            .flat_map(|r| r.iter().filter_map(|x| x.as_f64()))
                            .collect()
                    })
                    .unwrap_or_default();
                if dim.len() != 3 || rows.len() != 16 {
                    return Err(bad("'fixed_grid' must have dim[3] and a 4×4 affine".into()));
                }
                // a grid that NIfTI could hold: every dimension 1 … 2³¹−1 voxels, 2⁴⁰ in all
                let total = dim.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
                if dim.iter().any(|&d| d == 0 || d > i32::MAX as usize)
                    || total.is_none_or(|n| n > 1 << 40)
                {
                    return Err(bad(format!(
                        "'fixed_grid' dim {dim:?} is not a grid (each dimension must be ≥ 1)"
                    )));
                }
                Some(Grid::new(
                    [dim[0], dim[1], dim[2]],
                    Matrix4::from_row_slice(&rows),
                ))
            }
        };
        Ok((t, grid))
    }
    /// One-line summary.
    pub fn summary(&self) -> String {
        let (r, t) = (self.rotation_deg, self.translation_mm);
        format!(
            "Transform rotation [{:.3}, {:.3}, {:.3}]°, translation [{:.3}, {:.3}, {:.3}] mm",
            r[0], r[1], r[2], t[0], t[1], t[2]
        )
    }
}

/// Registration options.
#[derive(Clone, Debug)]
pub struct RigidOptions {
    /// Histogram bins of the Mattes metric (32).
    pub bins: usize,
    /// Pyramid shrink factors, coarse to fine ([4, 2, 1]). A coarse level at which the fixed or
    /// the moving image would have fewer than [`MIN_LEVEL_VOXELS`] voxels along an axis is
    /// skipped (mutual information over a handful of voxels sends the search astray); the finest
    /// level always runs.
    pub levels: Vec<usize>,
    /// Starting transform (None: align the image centres).
    pub init: Option<RigidTransform>,
    /// Final step of the search in mm / degrees (0.02).
    pub tolerance: f64,
}

impl Default for RigidOptions {
    fn default() -> Self {
        RigidOptions {
            bins: 32,
            levels: vec![4, 2, 1],
            init: None,
            tolerance: 0.02,
        }
    }
}

/// Fewest voxels along any axis of a shrunk image for a coarse pyramid level to run.
pub const MIN_LEVEL_VOXELS: usize = 8;

/// Result of a registration.
#[derive(Clone, Debug)]
pub struct RigidResult {
    pub transform: RigidTransform,
    /// The pyramid levels that ran (the requested ones minus those too coarse for the images).
    pub levels: Vec<usize>,
    /// Mutual information (nats) at the solution, on the finest level.
    pub mi: f64,
    /// Metric evaluations used.
    pub evaluations: usize,
}

/// Block-average a 3-D volume by `f` along each axis (the pyramid level), keeping world
/// positions: the new voxel centre is the centre of its block.
fn shrink(vol: &Volume, f: usize) -> Volume {
    if f <= 1 {
        return vol.clone();
    }
    let d = vol.grid.dim;
    let nd = d.map(|n| (n / f).max(1));
    let fs = [0, 1, 2].map(|a| f.min(d[a]));
    let src = vol.as_slice();
    let mut out = vec![0f32; nd[0] * nd[1] * nd[2]];
    out.par_chunks_mut(nd[1] * nd[2])
        .enumerate()
        .for_each(|(i, slab)| {
            for j in 0..nd[1] {
                for k in 0..nd[2] {
                    let (mut s, mut n) = (0.0f64, 0usize);
                    for a in 0..fs[0] {
                        for b in 0..fs[1] {
                            for c in 0..fs[2] {
                                let x = src
                                    [vol.grid.index(i * fs[0] + a, j * fs[1] + b, k * fs[2] + c)];
                                if x.is_finite() {
                                    s += x as f64;
                                    n += 1;
                                }
                            }
                        }
                    }
                    slab[j * nd[2] + k] = if n > 0 {
                        (s / n as f64) as f32
                    } else {
                        f32::NAN
                    };
                }
            }
        });
    let mut sc = Matrix4::identity();
    for a in 0..3 {
        sc[(a, a)] = fs[a] as f64;
        sc[(a, 3)] = (fs[a] as f64 - 1.0) / 2.0;
    }
    let g = Grid::new(nd, vol.grid.affine * sc);
    let arr = Array4::from_shape_vec((nd[0], nd[1], nd[2], 1), out).expect("size matches");
    Volume::new(g, arr, None).expect("shape matches grid")
}

fn finite_range(v: &Volume) -> Option<(f64, f64)> {
    v.range().map(|(a, b)| (a as f64, b as f64))
}

/// Cubic B-spline kernel.
#[inline]
fn bspline3(u: f64) -> f64 {
    let a = u.abs();
    if a < 1.0 {
        (4.0 - 6.0 * a * a + 3.0 * a * a * a) / 6.0
    } else if a < 2.0 {
        let b = 2.0 - a;
        b * b * b / 6.0
    } else {
        0.0
    }
}

/// The Mattes metric on one pyramid level.
struct Mattes<'a> {
    fixed: &'a Volume,
    moving: &'a Volume,
    bins: usize,
    /// fixed bin of each fixed voxel (usize::MAX for NaN)
    fbin: Vec<usize>,
    /// number of finite fixed voxels
    nfix: usize,
    mmin: f64,
    mscale: f64,
}

const PAD: usize = 2;

impl<'a> Mattes<'a> {
    fn new(fixed: &'a Volume, moving: &'a Volume, bins: usize) -> Result<Self, VolError> {
        let op = "register_rigid";
        let (fmin, fmax) =
            finite_range(fixed).ok_or_else(|| VolError::arg(op, "fixed has no finite values"))?;
        let (mmin, mmax) =
            finite_range(moving).ok_or_else(|| VolError::arg(op, "moving has no finite values"))?;
        if fmax <= fmin {
            return Err(VolError::arg(
                op,
                "fixed is constant; there is nothing to align",
            ));
        }
        if mmax <= mmin {
            return Err(VolError::arg(
                op,
                "moving is constant; there is nothing to align",
            ));
        }
        let inner = (bins - 2 * PAD) as f64;
        let fscale = inner / (fmax - fmin);
        let fbin: Vec<usize> = fixed
            .as_slice()
            .iter()
            .map(|&x| {
                if x.is_finite() {
                    let b = ((x as f64 - fmin) * fscale).floor() as isize;
                    (b.clamp(0, inner as isize - 1)) as usize + PAD
                } else {
                    usize::MAX
                }
            })
            .collect();
        let nfix = fbin.iter().filter(|&&b| b != usize::MAX).count();
        Ok(Mattes {
            fixed,
            moving,
            bins,
            fbin,
            nfix,
            mmin,
            mscale: inner / (mmax - mmin),
        })
    }

    /// Mutual information (nats) of the fixed image and the moving image mapped through `t`;
    /// NaN if fewer than 10 % of the fixed voxels land inside the moving image.
    fn mi(&self, t: &RigidTransform) -> f64 {
        let nb = self.bins;
        let m = match voxel_map(&self.moving.grid, &self.fixed.grid, &t.matrix()) {
            Ok(m) => m,
            Err(_) => return f64::NAN,
        };
        let [_, ny, nz] = self.fixed.grid.dim;
        let mdim = self.moving.grid.dim;
        let mdata = self.moving.as_slice();
        let inner_max = (nb - 2 * PAD) as f64;
        let (hist, count) = (0..self.fixed.grid.dim[0])
            .into_par_iter()
            .fold(
                || (vec![0f64; nb * nb], 0usize),
                |(mut h, mut n), i| {
                    for j in 0..ny {
                        for k in 0..nz {
                            let v = (i * ny + j) * nz + k;
                            let fb = self.fbin[v];
                            if fb == usize::MAX {
                                continue;
                            }
                            let p = map_point(&m, i, j, k);
                            let Some((b, f)) = trilinear_corner(mdim, p) else {
                                continue;
                            };
                            let x = trilinear_at(mdata, mdim, 1, 0, b, f);
                            if !x.is_finite() {
                                continue;
                            }
                            let c =
                                ((x - self.mmin) * self.mscale).clamp(0.0, inner_max) + PAD as f64;
                            let c0 = c.floor() as isize;
                            let row = &mut h[fb * nb..(fb + 1) * nb];
                            for o in -1..=2isize {
                                let bin = c0 + o;
                                if bin >= 0 && (bin as usize) < nb {
                                    row[bin as usize] += bspline3(bin as f64 - c);
                                }
                            }
                            n += 1;
                        }
                    }
                    (h, n)
                },
            )
            .reduce(
                || (vec![0f64; nb * nb], 0usize),
                |(mut a, na), (b, nb_)| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    (a, na + nb_)
                },
            );
        if count == 0 || (count as f64) < 0.1 * self.nfix as f64 {
            return f64::NAN;
        }
        let total: f64 = hist.iter().sum();
        let mut pf = vec![0f64; nb];
        let mut pm = vec![0f64; nb];
        for a in 0..nb {
            for b in 0..nb {
                let p = hist[a * nb + b] / total;
                pf[a] += p;
                pm[b] += p;
            }
        }
        let mut mi = 0.0;
        for a in 0..nb {
            for b in 0..nb {
                let p = hist[a * nb + b] / total;
                if p > 1e-16 {
                    mi += p * (p / (pf[a] * pm[b])).ln();
                }
            }
        }
        mi
    }
}

fn centre_of(g: &Grid) -> [f64; 3] {
    g.world([0, 1, 2].map(|a| (g.dim[a] as f64 - 1.0) / 2.0))
}

/// Register `moving` to `fixed` (both 3-D): the returned transform maps fixed world mm to moving
/// world mm, so `transform.apply(moving, &fixed.grid)` lies on top of `fixed`.
pub fn register_rigid(
    moving: &Volume,
    fixed: &Volume,
    opts: &RigidOptions,
) -> Result<RigidResult, VolError> {
    let op = "register_rigid";
    moving.require_3d("register_rigid: moving")?;
    fixed.require_3d("register_rigid: fixed")?;
    if !(8..=256).contains(&opts.bins) {
        return Err(VolError::arg(
            op,
            format!("bins must be 8–256, got {}", opts.bins),
        ));
    }
    if opts.levels.is_empty() || opts.levels.contains(&0) {
        return Err(VolError::arg(
            op,
            "levels must be shrink factors ≥ 1, e.g. [4, 2, 1]",
        ));
    }
    if opts.tolerance.is_nan() || opts.tolerance <= 0.0 {
        return Err(VolError::arg(op, "tolerance must be > 0"));
    }
    let cf = centre_of(&fixed.grid);
    let cm = centre_of(&moving.grid);
    let mut tr = opts.init.clone().unwrap_or(RigidTransform {
        rotation_deg: [0.0; 3],
        translation_mm: [cm[0] - cf[0], cm[1] - cf[1], cm[2] - cf[2]],
        centre_mm: cf,
    });
    let finest = *opts.levels.last().expect("levels checked non-empty");
    let big_enough = |v: &Volume, f: usize| v.grid.dim.iter().all(|&n| n / f >= MIN_LEVEL_VOXELS);
    let levels: Vec<usize> = opts
        .levels
        .iter()
        .copied()
        .filter(|&f| f == finest || (big_enough(fixed, f) && big_enough(moving, f)))
        .collect();
    let mut evals = 0usize;
    let mut last_mi = f64::NAN;
    for &f in &levels {
        crate::progress::check().map_err(|e| VolError::arg(op, e.to_string()))?;
        let fl = shrink(fixed, f);
        let ml = shrink(moving, f);
        let metric = Mattes::new(&fl, &ml, opts.bins)?;
        let vox = fl.grid.voxel_mm();
        let vmin = vox.iter().cloned().fold(f64::INFINITY, f64::min);
        // radius of the fixed field of view: turns degrees into mm at its edge
        let ext = [0, 1, 2].map(|a| fl.grid.dim[a] as f64 * vox[a] / 2.0);
        let radius = (ext[0] * ext[0] + ext[1] * ext[1] + ext[2] * ext[2])
            .sqrt()
            .max(1.0);
        let deg_per_mm = (1.0 / radius).to_degrees();
        // start with a step of one level voxel, stop at the tolerance (finest) or a tenth of a
        // level voxel (coarser levels)
        let mut step = vmin;
        let stop = if f == finest {
            opts.tolerance
        } else {
            (vmin / 10.0).max(opts.tolerance)
        };
        let scale = [deg_per_mm, deg_per_mm, deg_per_mm, 1.0, 1.0, 1.0];
        let mut p = tr.params();
        let cost = |p: &[f64; 6], evals: &mut usize| -> f64 {
            *evals += 1;
            let v = metric.mi(&tr.with_params(p));
            if v.is_nan() {
                f64::INFINITY
            } else {
                -v
            }
        };
        let mut best = cost(&p, &mut evals);
        if !best.is_finite() {
            return Err(VolError::arg(
                op,
                "the images do not overlap at the start; check their affines (or give init)",
            ));
        }
        let mut guard = 0;
        while step >= stop && guard < 2000 {
            guard += 1;
            crate::progress::check().map_err(|e| VolError::arg(op, e.to_string()))?;
            let base = p;
            let mut improved = false;
            for d in 0..6 {
                for s in [1.0, -1.0] {
                    let mut q = p;
                    q[d] += s * step * scale[d];
                    let c = cost(&q, &mut evals);
                    if c < best {
                        best = c;
                        p = q;
                        improved = true;
                        break;
                    }
                }
            }
            if improved {
                // pattern move: try continuing in the direction just taken
                let mut q = p;
                for d in 0..6 {
                    q[d] += p[d] - base[d];
                }
                let c = cost(&q, &mut evals);
                if c < best {
                    best = c;
                    p = q;
                }
            } else {
                step /= 2.0;
            }
        }
        tr = tr.with_params(&p);
        last_mi = -best;
    }
    Ok(RigidResult {
        transform: tr,
        levels,
        mi: last_mi,
        evaluations: evals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transform_file_with_an_empty_grid_is_refused() {
        let dir = std::env::temp_dir().join(format!("petmr-reg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.json");
        let g = Grid::axis_aligned([4, 3, 2], [1.0; 3], [0.0; 3]);
        RigidTransform::default().save(&p, Some(&g)).unwrap();
        assert_eq!(RigidTransform::load(&p).unwrap().1.unwrap().dim, [4, 3, 2]);
        let text = std::fs::read_to_string(&p).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for bad in [
            serde_json::json!([4, 0, 2]),
            serde_json::json!([1u64 << 31, 1, 1]),
        ] {
            let mut w = v.clone();
            w["fixed_grid"]["dim"] = bad;
            std::fs::write(&p, w.to_string()).unwrap();
            let e = RigidTransform::load(&p).unwrap_err().to_string();
            assert!(e.contains("is not a grid"), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn matrix_rotates_about_the_centre() {
        let t = RigidTransform {
            rotation_deg: [0.0, 0.0, 90.0],
            translation_mm: [1.0, 2.0, 3.0],
            centre_mm: [10.0, 0.0, 0.0],
        };
        let m = t.matrix();
        // centre maps to centre + t
        let c = m * nalgebra::Vector4::new(10.0, 0.0, 0.0, 1.0);
        assert!((c - nalgebra::Vector4::new(11.0, 2.0, 3.0, 1.0)).norm() < 1e-12);
        // x-axis offset (1,0,0) from the centre rotates to (0,1,0)
        let p = m * nalgebra::Vector4::new(11.0, 0.0, 0.0, 1.0);
        assert!((p - nalgebra::Vector4::new(11.0, 3.0, 3.0, 1.0)).norm() < 1e-12);
    }

    #[test]
    fn shrink_keeps_world_positions() {
        let g = Grid::axis_aligned([8, 4, 4], [1.0; 3], [0.0; 3]);
        // f = x (world): block averages equal the block-centre x
        let a = ndarray::Array3::from_shape_fn((8, 4, 4), |(i, _, _)| i as f32);
        let v = Volume::from_3d(g, a).unwrap();
        let s = shrink(&v, 2);
        assert_eq!(s.grid.dim, [4, 2, 2]);
        for (n, &x) in s.as_slice().iter().enumerate() {
            let [i, j, k] = s.grid.ijk(n);
            let w = s.grid.world([i as f64, j as f64, k as f64]);
            assert!((x as f64 - w[0]).abs() < 1e-6);
        }
    }
}
