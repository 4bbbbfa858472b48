//! Volumes on a voxel grid: data, affine, time axis and metadata.
//!
//! Data are `f32` in an `Array4` of shape `[nx, ny, nz, nt]` in standard (row-major) layout, so
//! the time curve of one voxel is contiguous: voxel `v = (i·ny + j)·nz + k` owns
//! `data[v·nt .. (v+1)·nt]`. A 3-D volume has `nt = 1` and no time axis.
mod curve;
pub mod nifti_io;
pub mod ops;
pub mod register;
pub mod resample;

pub use curve::Curve;
use nalgebra::{Matrix4, Vector4};
use ndarray::{Array3, Array4, Axis};
use std::sync::Arc;

/// Errors of the volume layer; messages read `domain: where: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VolError {
    /// Reading or writing an image file failed.
    #[error("nifti: {path}: {what}")]
    Nifti { path: String, what: String },
    /// A JSON sidecar is unreadable or lacks a key.
    #[error("sidecar: {path}: {what}")]
    Sidecar { path: String, what: String },
    /// Two grids or shapes that must agree do not.
    #[error("volume: {op}: {what}")]
    Grid { op: String, what: String },
    /// A bad argument to a volume operation.
    #[error("volume: {op}: {what}")]
    Arg { op: String, what: String },
}

impl VolError {
    pub fn arg(op: &str, what: impl Into<String>) -> Self {
        VolError::Arg {
            op: op.into(),
            what: what.into(),
        }
    }
    pub fn grid(op: &str, what: impl Into<String>) -> Self {
        VolError::Grid {
            op: op.into(),
            what: what.into(),
        }
    }
}

/// A voxel grid: dimensions and the voxel-to-world (mm) affine.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub dim: [usize; 3],
    pub affine: Matrix4<f64>,
}

impl Grid {
    pub fn new(dim: [usize; 3], affine: Matrix4<f64>) -> Self {
        Grid { dim, affine }
    }
    /// Grid with an axis-aligned affine of the given voxel size and origin (mm).
    pub fn axis_aligned(dim: [usize; 3], voxel_mm: [f64; 3], origin_mm: [f64; 3]) -> Self {
        let mut a = Matrix4::identity();
        for d in 0..3 {
            a[(d, d)] = voxel_mm[d];
            a[(d, 3)] = origin_mm[d];
        }
        Grid { dim, affine: a }
    }
    pub fn n_voxels(&self) -> usize {
        self.dim[0] * self.dim[1] * self.dim[2]
    }
    /// Voxel size in mm: the lengths of the affine's first three columns.
    pub fn voxel_mm(&self) -> [f64; 3] {
        let a = &self.affine;
        [0, 1, 2].map(|c| (a[(0, c)].powi(2) + a[(1, c)].powi(2) + a[(2, c)].powi(2)).sqrt())
    }
    /// Volume of one voxel in mL (cm³).
    pub fn voxel_ml(&self) -> f64 {
        let m = self.affine.fixed_view::<3, 3>(0, 0);
        m.determinant().abs() / 1000.0
    }
    /// Flat voxel index of `(i, j, k)`.
    #[inline]
    pub fn index(&self, i: usize, j: usize, k: usize) -> usize {
        (i * self.dim[1] + j) * self.dim[2] + k
    }
    /// `(i, j, k)` of a flat voxel index.
    #[inline]
    pub fn ijk(&self, v: usize) -> [usize; 3] {
        let k = v % self.dim[2];
        let j = (v / self.dim[2]) % self.dim[1];
        let i = v / (self.dim[1] * self.dim[2]);
        [i, j, k]
    }
    /// World coordinates (mm) of a (possibly fractional) voxel position.
    pub fn world(&self, ijk: [f64; 3]) -> [f64; 3] {
        let w = self.affine * Vector4::new(ijk[0], ijk[1], ijk[2], 1.0);
        [w[0], w[1], w[2]]
    }
    /// True if dims agree and the affines agree to 1e-4 mm.
    pub fn same_as(&self, other: &Grid) -> bool {
        self.dim == other.dim && (self.affine - other.affine).abs().max() < 1e-4
    }
    /// Error unless `other` is the same grid; `op` names the operation, `what` the arguments.
    pub fn require_same(&self, other: &Grid, op: &str, what: &str) -> Result<(), VolError> {
        if self.same_as(other) {
            Ok(())
        } else {
            Err(VolError::grid(
                op,
                format!(
                    "{what} are on different grids ({} vs {}); resample one with .resample_to()",
                    self.describe(),
                    other.describe()
                ),
            ))
        }
    }
    /// Short description: dims and voxel size.
    pub fn describe(&self) -> String {
        let v = self.voxel_mm();
        format!(
            "{}×{}×{} @ {:.3}×{:.3}×{:.3} mm",
            self.dim[0], self.dim[1], self.dim[2], v[0], v[1], v[2]
        )
    }
}

/// Frame timing of a 4-D series, in seconds from injection (or series start).
#[derive(Clone, Debug, PartialEq)]
pub struct TimeAxis {
    pub start_s: Vec<f64>,
    pub duration_s: Vec<f64>,
}

impl TimeAxis {
    /// Mid-frame times in seconds.
    pub fn mid_s(&self) -> Vec<f64> {
        self.start_s
            .iter()
            .zip(&self.duration_s)
            .map(|(s, d)| s + d / 2.0)
            .collect()
    }
    pub fn len(&self) -> usize {
        self.start_s.len()
    }
    pub fn is_empty(&self) -> bool {
        self.start_s.is_empty()
    }
}

/// What an image file said about its own spaces, kept so that writing preserves it.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceCodes {
    pub qform_code: i16,
    pub sform_code: i16,
}

impl Default for SpaceCodes {
    fn default() -> Self {
        SpaceCodes {
            qform_code: 1,
            sform_code: 1,
        }
    }
}

/// An image: f32 data on a grid, with optional frame timing and sidecar metadata.
#[derive(Clone, Debug)]
pub struct Volume {
    pub grid: Grid,
    pub data: Arc<Array4<f32>>,
    pub times: Option<TimeAxis>,
    pub meta: Arc<serde_json::Map<String, serde_json::Value>>,
    pub codes: SpaceCodes,
}

impl Volume {
    /// A volume from 4-D data `[nx, ny, nz, nt]`; `times` must have `nt` entries if given.
    pub fn new(grid: Grid, data: Array4<f32>, times: Option<TimeAxis>) -> Result<Self, VolError> {
        let s = data.shape();
        if [s[0], s[1], s[2]] != grid.dim {
            return Err(VolError::grid(
                "new",
                format!("data shape {:?} does not match grid {:?}", s, grid.dim),
            ));
        }
        if let Some(t) = &times {
            if t.len() != s[3] || t.duration_s.len() != s[3] {
                return Err(VolError::arg(
                    "new",
                    format!(
                        "time axis has {} entries but data has {} frames",
                        t.len(),
                        s[3]
                    ),
                ));
            }
        }
        let data = if data.is_standard_layout() {
            data
        } else {
            data.as_standard_layout().to_owned()
        };
        Ok(Volume {
            grid,
            data: Arc::new(data),
            times,
            meta: Arc::default(),
            codes: SpaceCodes::default(),
        })
    }
    /// A 3-D volume.
    pub fn from_3d(grid: Grid, data: Array3<f32>) -> Result<Self, VolError> {
        Volume::new(grid, data.insert_axis(Axis(3)), None)
    }
    /// A volume of `nt` frames filled with `value`.
    pub fn filled(grid: Grid, nt: usize, value: f32) -> Self {
        let [x, y, z] = grid.dim;
        Volume::new(grid, Array4::from_elem((x, y, z, nt), value), None)
            .expect("shape matches grid by construction")
    }
    /// Same grid, metadata and codes, new data (3-D or 4-D with the same frame count).
    pub fn with_data(&self, data: Array4<f32>) -> Result<Self, VolError> {
        let times = if data.shape()[3] == self.n_frames() {
            self.times.clone()
        } else {
            None
        };
        let mut v = Volume::new(self.grid.clone(), data, times)?;
        v.meta = self.meta.clone();
        v.codes = self.codes.clone();
        Ok(v)
    }
    pub fn n_frames(&self) -> usize {
        self.data.shape()[3]
    }
    pub fn is_4d(&self) -> bool {
        self.n_frames() > 1 || self.times.is_some()
    }
    /// Shape as a vector: 3 entries for a 3-D volume, 4 for a series.
    pub fn shape(&self) -> Vec<usize> {
        let mut s = self.grid.dim.to_vec();
        if self.is_4d() {
            s.push(self.n_frames());
        }
        s
    }
    /// Contiguous data slice (row-major, time fastest).
    pub fn as_slice(&self) -> &[f32] {
        self.data
            .as_slice()
            .expect("volumes are kept in standard layout")
    }
    /// Time curve of flat voxel `v`.
    pub fn voxel_curve(&self, v: usize) -> &[f32] {
        let nt = self.n_frames();
        &self.as_slice()[v * nt..(v + 1) * nt]
    }
    /// Frame timing, or an error naming `op` if the series has none.
    pub fn require_times(&self, op: &str) -> Result<&TimeAxis, VolError> {
        self.times.as_ref().ok_or_else(|| {
            VolError::arg(
                op,
                "the series has no frame timing (no FrameTimesStart/FrameDuration in its sidecar and pixdim[4] is 0)",
            )
        })
    }
    /// Error unless the volume is 3-D (one frame).
    pub fn require_3d(&self, op: &str) -> Result<(), VolError> {
        if self.n_frames() == 1 {
            Ok(())
        } else {
            Err(VolError::arg(
                op,
                format!(
                    "needs a 3-D volume but got {} frames; use .frame(i) or .mean_frames()",
                    self.n_frames()
                ),
            ))
        }
    }
    /// Frame `i` as a 3-D volume.
    pub fn frame(&self, i: usize) -> Result<Volume, VolError> {
        let nt = self.n_frames();
        if i >= nt {
            return Err(VolError::arg(
                "frame",
                format!("index {i} out of range: the series has {nt} frames"),
            ));
        }
        let f = self.data.index_axis(Axis(3), i).to_owned();
        let mut v = Volume::from_3d(self.grid.clone(), f)?;
        v.meta = self.meta.clone();
        v.codes = self.codes.clone();
        Ok(v)
    }
    /// Mean of the frames lying within `[start_min, end_min]` (minutes), weighted by frame
    /// duration. A frame counts if its mid-time lies in the window.
    pub fn mean_frames(&self, start_min: f64, end_min: f64) -> Result<Volume, VolError> {
        let t = self.require_times("mean_frames")?;
        if end_min <= start_min {
            return Err(VolError::arg(
                "mean_frames",
                format!("end {end_min} min is not after start {start_min} min"),
            ));
        }
        let (s, e) = (start_min * 60.0, end_min * 60.0);
        let sel: Vec<usize> = t
            .mid_s()
            .iter()
            .enumerate()
            .filter(|(_, &m)| m >= s && m <= e)
            .map(|(i, _)| i)
            .collect();
        if sel.is_empty() {
            return Err(VolError::arg(
                "mean_frames",
                format!(
                    "no frame has its mid-time in {start_min}–{end_min} min (frames span {:.1}–{:.1} min)",
                    t.start_s[0] / 60.0,
                    (t.start_s[t.len() - 1] + t.duration_s[t.len() - 1]) / 60.0
                ),
            ));
        }
        let wsum: f64 = sel.iter().map(|&i| t.duration_s[i]).sum();
        let w: Vec<f32> = sel
            .iter()
            .map(|&i| (t.duration_s[i] / wsum) as f32)
            .collect();
        let nt = self.n_frames();
        let out: Vec<f32> = self
            .as_slice()
            .chunks_exact(nt)
            .map(|c| sel.iter().zip(&w).map(|(&i, &wi)| c[i] * wi).sum())
            .collect();
        let [x, y, z] = self.grid.dim;
        let arr = Array3::from_shape_vec((x, y, z), out).expect("size matches grid");
        let mut v = Volume::from_3d(self.grid.clone(), arr)?;
        v.meta = self.meta.clone();
        v.codes = self.codes.clone();
        Ok(v)
    }
    /// Finite minimum and maximum over all data, or None if nothing is finite.
    pub fn range(&self) -> Option<(f32, f32)> {
        let mut lo = f32::INFINITY;
        let mut hi = f32::NEG_INFINITY;
        for &x in self.as_slice() {
            if x.is_finite() {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
        (lo <= hi).then_some((lo, hi))
    }
    /// One-line summary: shape, voxel size, value range.
    pub fn summary(&self) -> String {
        let shape = self
            .shape()
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("×");
        let v = self.grid.voxel_mm();
        let range = match self.range() {
            Some((lo, hi)) => format!("range [{}, {}]", fmt_num(lo as f64), fmt_num(hi as f64)),
            None => "no finite values".into(),
        };
        let frames = match &self.times {
            Some(t) if !t.is_empty() => format!(
                ", frames {:.1}–{:.1} min",
                t.start_s[0] / 60.0,
                (t.start_s[t.len() - 1] + t.duration_s[t.len() - 1]) / 60.0
            ),
            _ => String::new(),
        };
        format!(
            "Volume {shape} @ {:.3}×{:.3}×{:.3} mm, {range}{frames}",
            v[0], v[1], v[2]
        )
    }
}

/// Compact number formatting for summaries (4 significant digits).
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if (1e-3..1e5).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{x:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> Volume {
        let g = Grid::axis_aligned([2, 1, 1], [2.0, 2.0, 3.0], [0.0; 3]);
        let data =
            Array4::from_shape_vec((2, 1, 1, 3), vec![1.0, 2.0, 4.0, 10.0, 20.0, 40.0]).unwrap();
        let t = TimeAxis {
            start_s: vec![0.0, 60.0, 120.0],
            duration_s: vec![60.0, 60.0, 180.0],
        };
        Volume::new(g, data, Some(t)).unwrap()
    }

    #[test]
    fn mean_frames_weights_by_duration() {
        let v = series();
        // frames 2 and 3 (mid 1.5 min and 3.5 min): (2*60 + 4*180)/240 = 3.5
        let m = v.mean_frames(1.0, 5.0).unwrap();
        assert!((m.as_slice()[0] - 3.5).abs() < 1e-6);
        assert!((m.as_slice()[1] - 35.0).abs() < 1e-5);
        assert!(v
            .mean_frames(10.0, 20.0)
            .unwrap_err()
            .to_string()
            .contains("no frame"));
    }

    #[test]
    fn grid_indexing_and_voxel_volume() {
        let g = Grid::axis_aligned([3, 4, 5], [2.0, 2.0, 3.0], [0.0; 3]);
        let v = g.index(2, 3, 4);
        assert_eq!(g.ijk(v), [2, 3, 4]);
        assert!((g.voxel_ml() - 0.012).abs() < 1e-12);
        assert_eq!(g.voxel_mm(), [2.0, 2.0, 3.0]);
    }

    #[test]
    fn frame_out_of_range_is_an_error() {
        assert!(series()
            .frame(3)
            .unwrap_err()
            .to_string()
            .contains("3 frames"));
    }

    #[test]
    fn number_format() {
        assert_eq!(fmt_num(0.123456), "0.1235");
        assert_eq!(fmt_num(1234.0), "1234");
        assert_eq!(fmt_num(12.345678), "12.35");
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_num(1.5e-6), "1.500e-6");
    }
}
