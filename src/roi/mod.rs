//! Regions of interest: boolean masks on a grid, ROI statistics and geometry.
use crate::volume::nifti_io::{self, OutType};
use crate::volume::{resample, Grid, VolError, Volume};
use nalgebra::Matrix4;
use ndarray::{Array3, Array4};
use std::path::Path;
use std::sync::Arc;

/// A boolean mask on a grid; voxel order as in [`Volume`] (flat index `(i·ny + j)·nz + k`).
#[derive(Clone, Debug)]
pub struct Mask {
    pub grid: Grid,
    pub data: Arc<Vec<bool>>,
}

/// Comparison operator for making masks from volumes.
#[derive(Clone, Copy, Debug)]
pub enum Cmp {
    Gt,
    Lt,
    Ge,
    Le,
}

impl Mask {
    pub fn new(grid: Grid, data: Vec<bool>) -> Result<Mask, VolError> {
        if data.len() != grid.n_voxels() {
            return Err(VolError::grid(
                "mask",
                format!(
                    "{} values for a grid of {} voxels",
                    data.len(),
                    grid.n_voxels()
                ),
            ));
        }
        Ok(Mask {
            grid,
            data: Arc::new(data),
        })
    }
    /// Mask of all voxels on a grid.
    pub fn full(grid: Grid) -> Mask {
        let n = grid.n_voxels();
        Mask {
            grid,
            data: Arc::new(vec![true; n]),
        }
    }
    /// Voxels of a 3-D volume that are non-zero (`label` None) or equal to `label`.
    pub fn from_volume(vol: &Volume, label: Option<f64>) -> Result<Mask, VolError> {
        vol.require_3d("mask from volume")?;
        let data = vol
            .as_slice()
            .iter()
            .map(|&x| match label {
                None => x != 0.0 && !x.is_nan(),
                Some(l) => (x as f64 - l).abs() < 1e-6,
            })
            .collect();
        Mask::new(vol.grid.clone(), data)
    }
    /// `vol op k` for a 3-D volume; NaN voxels are never in the mask.
    pub fn compare(vol: &Volume, k: f64, op: Cmp) -> Result<Mask, VolError> {
        vol.require_3d("comparison")?;
        let k = k as f32;
        let data = vol
            .as_slice()
            .iter()
            .map(|&x| match op {
                Cmp::Gt => x > k,
                Cmp::Lt => x < k,
                Cmp::Ge => x >= k,
                Cmp::Le => x <= k,
            })
            .collect();
        Mask::new(vol.grid.clone(), data)
    }
    /// Number of voxels in the mask.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&b| b).count()
    }
    /// Mask volume in mL.
    pub fn volume_ml(&self) -> f64 {
        self.count() as f64 * self.grid.voxel_ml()
    }
    /// Flat indices of the voxels in the mask.
    pub fn indices(&self) -> Vec<usize> {
        self.data
            .iter()
            .enumerate()
            .filter(|(_, &b)| b)
            .map(|(i, _)| i)
            .collect()
    }
    /// Combine two masks on the same grid voxel by voxel.
    pub fn combine(
        &self,
        other: &Mask,
        op: &str,
        f: impl Fn(bool, bool) -> bool,
    ) -> Result<Mask, VolError> {
        self.grid.require_same(&other.grid, op, "the two masks")?;
        Mask::new(
            self.grid.clone(),
            self.data
                .iter()
                .zip(other.data.iter())
                .map(|(&a, &b)| f(a, b))
                .collect(),
        )
    }
    pub fn not(&self) -> Mask {
        Mask {
            grid: self.grid.clone(),
            data: Arc::new(self.data.iter().map(|b| !b).collect()),
        }
    }
    fn neighbours6(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        let [nx, ny, nz] = self.grid.dim;
        let [i, j, k] = self.grid.ijk(v);
        let cand: [(isize, isize, isize); 6] = [
            (-1, 0, 0),
            (1, 0, 0),
            (0, -1, 0),
            (0, 1, 0),
            (0, 0, -1),
            (0, 0, 1),
        ];
        cand.into_iter().filter_map(move |(di, dj, dk)| {
            let (a, b, c) = (i as isize + di, j as isize + dj, k as isize + dk);
            if a < 0 || b < 0 || c < 0 || a >= nx as isize || b >= ny as isize || c >= nz as isize {
                None
            } else {
                Some(self.grid.index(a as usize, b as usize, c as usize))
            }
        })
    }
    /// Grow the mask by `n` voxels (6-connected steps).
    pub fn dilate(&self, n: usize) -> Mask {
        let mut cur = (*self.data).clone();
        for _ in 0..n {
            let prev = cur.clone();
            let mut grew = false;
            for v in 0..prev.len() {
                if !prev[v] && self.neighbours6(v).any(|u| prev[u]) {
                    cur[v] = true;
                    grew = true;
                }
            }
            if !grew {
                break; // filled (or empty): further steps change nothing
            }
        }
        Mask {
            grid: self.grid.clone(),
            data: Arc::new(cur),
        }
    }
    /// Shrink the mask by `n` voxels (6-connected steps; the grid edge counts as outside).
    pub fn erode(&self, n: usize) -> Mask {
        // more steps than the grid is wide erode everything, as that many do
        let n = n.min(self.grid.dim.iter().sum());
        self.not().dilate(n).not_with_edge(n, self)
    }
    fn not_with_edge(&self, n: usize, orig: &Mask) -> Mask {
        // voxels within n of the grid edge cannot survive n erosions
        let [nx, ny, nz] = self.grid.dim;
        let data = self
            .data
            .iter()
            .enumerate()
            .map(|(v, &b)| {
                let [i, j, k] = self.grid.ijk(v);
                let inside = i >= n && j >= n && k >= n && i + n < nx && j + n < ny && k + n < nz;
                !b && orig.data[v] && inside
            })
            .collect();
        Mask {
            grid: self.grid.clone(),
            data: Arc::new(data),
        }
    }
    /// The largest 6-connected component (empty mask stays empty).
    pub fn largest_component(&self) -> Mask {
        let n = self.data.len();
        let mut label = vec![0u32; n];
        let mut best = (0usize, 0u32);
        let mut next = 0u32;
        let mut stack = Vec::new();
        for s in 0..n {
            if !self.data[s] || label[s] != 0 {
                continue;
            }
            next += 1;
            label[s] = next;
            stack.push(s);
            let mut size = 0;
            while let Some(v) = stack.pop() {
                size += 1;
                for u in self.neighbours6(v) {
                    if self.data[u] && label[u] == 0 {
                        label[u] = next;
                        stack.push(u);
                    }
                }
            }
            if size > best.0 {
                best = (size, next);
            }
        }
        Mask {
            grid: self.grid.clone(),
            data: Arc::new(label.iter().map(|&l| l != 0 && l == best.1).collect()),
        }
    }
    /// Largest distance between the centres of two voxels of the mask, in world mm
    /// (0 for a single voxel). Uses the convex-hull-free exact search over boundary voxels.
    pub fn longest_diameter_mm(&self) -> Result<f64, VolError> {
        let idx = self.indices();
        if idx.is_empty() {
            return Err(VolError::arg("longest_diameter_mm", "the mask is empty"));
        }
        // only boundary voxels can be extreme points
        let pts: Vec<[f64; 3]> = idx
            .iter()
            .filter(|&&v| {
                let nb: Vec<usize> = self.neighbours6(v).collect();
                nb.len() < 6 || nb.iter().any(|&u| !self.data[u])
            })
            .map(|&v| {
                let [i, j, k] = self.grid.ijk(v);
                self.grid.world([i as f64, j as f64, k as f64])
            })
            .collect();
        use rayon::prelude::*;
        let best = (0..pts.len())
            .into_par_iter()
            .map(|a| {
                let p = pts[a];
                pts[a + 1..]
                    .iter()
                    .map(|q| (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2))
                    .fold(0.0f64, f64::max)
            })
            .reduce(|| 0.0, f64::max);
        Ok(best.sqrt())
    }
    /// Nearest-neighbour resampling onto another grid; outside the source → false.
    pub fn resample_to(&self, reference: &Grid) -> Result<Mask, VolError> {
        self.resample_with(reference, &Matrix4::identity())
    }
    /// Nearest-neighbour resampling after moving the mask by a world transform.
    pub fn resample_with(&self, reference: &Grid, world: &Matrix4<f64>) -> Result<Mask, VolError> {
        let idx = resample::nearest_indices(&self.grid, reference, world)?;
        Mask::new(
            reference.clone(),
            idx.into_iter()
                .map(|o| o.is_some_and(|v| self.data[v]))
                .collect(),
        )
    }
    /// The mask as a 0/1 volume.
    pub fn to_volume(&self) -> Volume {
        let [x, y, z] = self.grid.dim;
        let a = Array3::from_shape_vec(
            (x, y, z),
            self.data.iter().map(|&b| b as u8 as f32).collect(),
        )
        .expect("size matches grid");
        Volume::from_3d(self.grid.clone(), a).expect("shape matches grid")
    }
    /// Write as a uint8 NIfTI (1 inside, 0 outside).
    pub fn save(&self, path: &Path) -> Result<(), VolError> {
        nifti_io::write(&self.to_volume(), path, OutType::Uint8)
    }
    /// Read a mask: non-zero voxels, or voxels equal to `label`.
    pub fn load(path: &Path, label: Option<f64>) -> Result<Mask, VolError> {
        let v = nifti_io::read(path)?;
        if v.n_frames() != 1 {
            return Err(VolError::Nifti {
                path: path.display().to_string(),
                what: format!(
                    "a mask must be 3-D but the image has {} frames",
                    v.n_frames()
                ),
            });
        }
        Mask::from_volume(&v, label)
    }
    pub fn summary(&self) -> String {
        let d = self.grid.dim;
        format!(
            "Mask {}×{}×{}, {} voxels ({:.3} mL)",
            d[0],
            d[1],
            d[2],
            self.count(),
            self.volume_ml()
        )
    }
}

/// Values of a 3-D volume inside a mask (NaN voxels are skipped). Errors if the grids differ,
/// the volume is 4-D or the mask is empty.
pub fn values(vol: &Volume, mask: &Mask, op: &str) -> Result<Vec<f64>, VolError> {
    vol.require_3d(op)?;
    vol.grid
        .require_same(&mask.grid, op, "the volume and the mask")?;
    if mask.count() == 0 {
        return Err(VolError::arg(op, "the mask is empty"));
    }
    Ok(vol
        .as_slice()
        .iter()
        .zip(mask.data.iter())
        .filter(|(x, &m)| m && !x.is_nan())
        .map(|(&x, _)| x as f64)
        .collect())
}

/// Summary statistics of an ROI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RoiStat {
    Mean,
    Median,
    Max,
    Min,
    /// Sample standard deviation (n − 1).
    Sd,
}

/// A statistic of a 3-D volume inside a mask; NaN if every voxel in the mask is NaN.
pub fn stat(vol: &Volume, mask: &Mask, s: RoiStat) -> Result<f64, VolError> {
    let name = format!("{s:?}").to_lowercase();
    let mut v = values(vol, mask, &name)?;
    let n = v.len();
    if n == 0 {
        return Ok(f64::NAN);
    }
    Ok(match s {
        RoiStat::Mean => v.iter().sum::<f64>() / n as f64,
        RoiStat::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        RoiStat::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        RoiStat::Median => {
            v.sort_by(|a, b| a.total_cmp(b));
            if n % 2 == 1 {
                v[n / 2]
            } else {
                0.5 * (v[n / 2 - 1] + v[n / 2])
            }
        }
        RoiStat::Sd => {
            if n < 2 {
                return Err(VolError::arg(
                    "sd",
                    "the sample SD needs at least two voxels in the mask",
                ));
            }
            let m = v.iter().sum::<f64>() / n as f64;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
        }
    })
}

/// Mean time curve of a 4-D series in a mask: `(mid-frame times s, means)`.
pub fn roi_curve(vol: &Volume, mask: &Mask) -> Result<(Vec<f64>, Vec<f64>), VolError> {
    vol.grid
        .require_same(&mask.grid, "roi_curve", "the series and the mask")?;
    let t = vol.require_times("roi_curve")?;
    let idx = mask.indices();
    if idx.is_empty() {
        return Err(VolError::arg("roi_curve", "the mask is empty"));
    }
    let nt = vol.n_frames();
    let mut sum = vec![0f64; nt];
    let mut cnt = vec![0usize; nt];
    for &v in &idx {
        for (t, &x) in vol.voxel_curve(v).iter().enumerate() {
            if !x.is_nan() {
                sum[t] += x as f64;
                cnt[t] += 1;
            }
        }
    }
    let means = sum
        .iter()
        .zip(&cnt)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect();
    Ok((t.mid_s(), means))
}

/// A 3-D volume with NaN outside the mask (for display and saving maps).
pub fn masked(vol: &Volume, mask: &Mask) -> Result<Volume, VolError> {
    vol.grid
        .require_same(&mask.grid, "masked", "the volume and the mask")?;
    let nt = vol.n_frames();
    let mut out: Array4<f32> = (*vol.data).clone();
    out.as_slice_mut()
        .expect("standard layout")
        .chunks_exact_mut(nt)
        .zip(mask.data.iter())
        .for_each(|(c, &m)| {
            if !m {
                c.fill(f32::NAN)
            }
        });
    vol.with_data(out)
}

/// The sphere of a given volume, centred on a voxel of a mask, where a 3-D image's mean is
/// highest (SUVpeak, hotspot ROIs).
#[derive(Clone, Debug, PartialEq)]
pub struct PeakSphere {
    /// Mean of the image over the voxels whose centres lie in the sphere (NaN voxels skipped).
    pub mean: f64,
    /// Flat index of the centre voxel.
    pub centre: usize,
    /// Centre in world mm.
    pub centre_mm: [f64; 3],
    /// Voxel offsets `(di, dj, dk)` inside the sphere.
    pub offsets: Vec<[isize; 3]>,
}

/// Voxel offsets whose centres lie within `radius_mm` of the origin, through the affine.
fn sphere_offsets(grid: &Grid, radius_mm: f64) -> Vec<[isize; 3]> {
    let vox = grid.voxel_mm();
    // offsets beyond the grid's size cannot reach a voxel of it from any voxel
    let ext =
        [0, 1, 2].map(|d| ((radius_mm / vox[d]).ceil() + 1.0).min(grid.dim[d] as f64) as isize);
    let lin = grid.affine.fixed_view::<3, 3>(0, 0).into_owned();
    let mut out = Vec::new();
    for a in -ext[0]..=ext[0] {
        for b in -ext[1]..=ext[1] {
            for c in -ext[2]..=ext[2] {
                let w = lin * nalgebra::Vector3::new(a as f64, b as f64, c as f64);
                if w.norm() <= radius_mm + 1e-9 {
                    out.push([a, b, c]);
                }
            }
        }
    }
    out
}

/// The sphere of `sphere_ml` mL (radius (3V/4π)^⅓) centred on the voxel of `mask` that maximises
/// the mean of `vol` over the voxel centres inside it. The sphere may reach outside the mask
/// (as PERCIST's SUVpeak); voxels outside the grid or NaN are skipped.
pub fn peak_sphere(
    vol: &Volume,
    mask: &Mask,
    sphere_ml: f64,
    op: &str,
) -> Result<PeakSphere, VolError> {
    vol.require_3d(op)?;
    vol.grid
        .require_same(&mask.grid, op, "the volume and the mask")?;
    if !(sphere_ml.is_finite() && sphere_ml > 0.0) {
        return Err(VolError::arg(
            op,
            format!("the sphere volume must be > 0 mL, got {sphere_ml}"),
        ));
    }
    let idx = mask.indices();
    if idx.is_empty() {
        return Err(VolError::arg(op, "the mask is empty"));
    }
    let r = (3.0 * sphere_ml * 1000.0 / (4.0 * std::f64::consts::PI)).cbrt();
    let offs = sphere_offsets(&vol.grid, r);
    let dim = vol.grid.dim.map(|d| d as isize);
    let data = vol.as_slice();
    use rayon::prelude::*;
    let best = idx
        .par_iter()
        .map(|&v| {
            let [i, j, k] = vol.grid.ijk(v);
            let (mut s, mut n) = (0.0f64, 0usize);
            for o in &offs {
                let (a, b, c) = (i as isize + o[0], j as isize + o[1], k as isize + o[2]);
                if a < 0 || b < 0 || c < 0 || a >= dim[0] || b >= dim[1] || c >= dim[2] {
                    continue;
                }
                let x = data[vol.grid.index(a as usize, b as usize, c as usize)];
                if !x.is_nan() {
                    s += x as f64;
                    n += 1;
                }
            }
            (
                if n > 0 {
                    s / n as f64
                } else {
                    f64::NEG_INFINITY
                },
                v,
            )
        })
        .reduce(
            || (f64::NEG_INFINITY, usize::MAX),
            |a, b| {
                if b.0 > a.0 || (b.0 == a.0 && b.1 < a.1) {
                    b
                } else {
                    a
                }
            },
        );
    if best.1 == usize::MAX {
        return Err(VolError::arg(op, "every voxel around the mask is NaN"));
    }
    let [i, j, k] = vol.grid.ijk(best.1);
    Ok(PeakSphere {
        mean: best.0,
        centre: best.1,
        centre_mm: vol.grid.world([i as f64, j as f64, k as f64]),
        offsets: offs,
    })
}

/// Hotspot ROI: the voxels of `mask` inside the sphere of `sphere_ml` mL where `vol` is highest
/// on average (see [`peak_sphere`]); for the paper's supplementary hotspot analysis.
pub fn hotspot(vol: &Volume, mask: &Mask, sphere_ml: f64) -> Result<Mask, VolError> {
    let p = peak_sphere(vol, mask, sphere_ml, "hotspot")?;
    let g = &vol.grid;
    let [i, j, k] = g.ijk(p.centre);
    let mut data = vec![false; g.n_voxels()];
    for o in &p.offsets {
        let (a, b, c) = (i as isize + o[0], j as isize + o[1], k as isize + o[2]);
        if a < 0
            || b < 0
            || c < 0
            || a >= g.dim[0] as isize
            || b >= g.dim[1] as isize
            || c >= g.dim[2] as isize
        {
            continue;
        }
        let v = g.index(a as usize, b as usize, c as usize);
        data[v] = mask.data[v];
    }
    Mask::new(g.clone(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_dilate_and_erode_counts_saturate_instead_of_hanging() {
        let g = Grid::axis_aligned([5, 4, 3], [1.0; 3], [0.0; 3]);
        let mut d = vec![false; 60];
        d[g.index(2, 2, 1)] = true;
        let m = Mask::new(g.clone(), d).unwrap();
        assert_eq!(m.dilate(usize::MAX).count(), 60);
        assert_eq!(m.dilate(usize::MAX).erode(usize::MAX).count(), 0);
        assert_eq!(m.dilate(1).count(), 7);
        assert_eq!(
            Mask::new(g, vec![true; 60]).unwrap().erode(1).count(),
            3 * 2
        );
    }

    fn cube_mask() -> Mask {
        let g = Grid::axis_aligned([7, 7, 7], [1.0, 2.0, 3.0], [0.0; 3]);
        let data = (0..343)
            .map(|v| {
                let [i, j, k] = g.ijk(v);
                (2..5).contains(&i) && (2..5).contains(&j) && (2..5).contains(&k)
            })
            .collect();
        Mask::new(g, data).unwrap()
    }

    #[test]
    fn geometry() {
        let m = cube_mask();
        assert_eq!(m.count(), 27);
        assert!((m.volume_ml() - 27.0 * 6.0 / 1000.0).abs() < 1e-12);
        // diagonal of a 2×2×2-voxel span: sqrt(2² + 4² + 6²)
        assert!((m.longest_diameter_mm().unwrap() - (4.0f64 + 16.0 + 36.0).sqrt()).abs() < 1e-9);
        assert_eq!(m.erode(1).count(), 1);
        assert_eq!(m.dilate(1).count(), 27 + 6 * 9);
        assert_eq!(m.erode(1).dilate(1).count(), 7);
    }

    #[test]
    fn largest_component_keeps_biggest() {
        let g = Grid::axis_aligned([5, 1, 1], [1.0; 3], [0.0; 3]);
        let m = Mask::new(g, vec![true, false, true, true, false]).unwrap();
        assert_eq!(
            *m.largest_component().data,
            vec![false, false, true, true, false]
        );
    }

    #[test]
    fn roi_statistics() {
        let g = Grid::axis_aligned([4, 1, 1], [1.0; 3], [0.0; 3]);
        let v = Volume::from_3d(
            g.clone(),
            Array3::from_shape_vec((4, 1, 1), vec![1.0, 2.0, 4.0, f32::NAN]).unwrap(),
        )
        .unwrap();
        let m = Mask::full(g);
        assert_eq!(stat(&v, &m, RoiStat::Mean).unwrap(), 7.0 / 3.0);
        assert_eq!(stat(&v, &m, RoiStat::Median).unwrap(), 2.0);
        assert_eq!(stat(&v, &m, RoiStat::Max).unwrap(), 4.0);
        let sd = ((1.0f64 - 7.0 / 3.0).powi(2)
            + (2.0f64 - 7.0 / 3.0).powi(2)
            + (4.0f64 - 7.0 / 3.0).powi(2))
            / 2.0;
        assert!((stat(&v, &m, RoiStat::Sd).unwrap() - sd.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn peak_sphere_finds_the_hot_blob() {
        // a Gaussian blob at (20, 12, 15) on 1 mm voxels, anisotropic grid axis order kept simple
        let g = Grid::axis_aligned([30, 30, 30], [1.0; 3], [0.0; 3]);
        let f = |i: usize, j: usize, k: usize| {
            let d2 =
                (i as f64 - 20.0).powi(2) + (j as f64 - 12.0).powi(2) + (k as f64 - 15.0).powi(2);
            1.0 + 10.0 * (-d2 / 20.0).exp()
        };
        let a = Array3::from_shape_fn((30, 30, 30), |(i, j, k)| f(i, j, k) as f32);
        let v = Volume::from_3d(g.clone(), a).unwrap();
        let m = Mask::full(g.clone());
        let p = peak_sphere(&v, &m, 1.0, "t").unwrap();
        assert_eq!(p.centre_mm, [20.0, 12.0, 15.0]);
        // brute force: every voxel within r = (3000/4π)^⅓ = 6.2035 mm of the centre
        let r2 = (3000.0 / (4.0 * std::f64::consts::PI)).powf(2.0 / 3.0);
        let (mut s, mut n) = (0.0, 0);
        for i in 0..30 {
            for j in 0..30 {
                for k in 0..30 {
                    let d2 = (i as f64 - 20.0).powi(2)
                        + (j as f64 - 12.0).powi(2)
                        + (k as f64 - 15.0).powi(2);
                    if d2 <= r2 {
                        s += f(i, j, k);
                        n += 1;
                    }
                }
            }
        }
        assert_eq!(n, p.offsets.len());
        assert!(
            (p.mean - s / n as f64).abs() < 1e-5,
            "{} vs {}",
            p.mean,
            s / n as f64
        );
        // a mask that excludes the blob centre moves the sphere to the best allowed voxel
        let half = Mask::new(g.clone(), (0..27000).map(|v| g.ijk(v)[0] < 18).collect()).unwrap();
        assert_eq!(
            peak_sphere(&v, &half, 1.0, "t").unwrap().centre_mm,
            [17.0, 12.0, 15.0]
        );
        let h = hotspot(&v, &m, 1.0).unwrap();
        assert_eq!(h.count(), n);
        assert!((h.volume_ml() - 1.0).abs() < 0.05, "{}", h.volume_ml());
    }
}
