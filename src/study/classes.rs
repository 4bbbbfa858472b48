//! Beyond the paper: the voxel-level hypoxia–perfusion relation inside one lesion.
//!
//! Each tumour voxel (on the DCE grid, Ki taken from the PET series registered to the DCE peak
//! phase) is *hypoxic* if its Ki exceeds the paper's %HF threshold — mean + k_sd·SD of Ki in
//! the muscle ROI (k_sd = 2) — and *hyperperfused* if its Ktrans is at or above a fixed split,
//! by default 0.25 min⁻¹ (about the lowest subtype median of the paper's Table 2, ILC 0.26;
//! IDC 0.43 min⁻¹), so that a lesion's low-Ktrans parts count as hypoperfused. The four class fractions (percent of tumour voxels with finite Ki and
//! Ktrans) and the voxelwise Pearson r of Ki against Ktrans quantify what the paper's Fig. 2
//! shows qualitatively: hypoxic islands in both hypo- and hyperperfused parts.
use super::StudyError;
use crate::roi::Mask;
use crate::volume::Volume;

/// Default Ktrans split between hypo- and hyperperfused voxels (min⁻¹).
pub const KTRANS_SPLIT_PER_MIN: f64 = 0.25;

/// Result of [`voxel_classes`]: fractions in percent of the valid tumour voxels.
#[derive(Clone, Debug, PartialEq)]
pub struct VoxelClasses {
    pub hypoxic_hypo: f64,
    pub hypoxic_hyper: f64,
    pub normoxic_hypo: f64,
    pub normoxic_hyper: f64,
    /// Voxelwise Pearson r of Ki vs Ktrans (NaN with fewer than 3 voxels or no spread).
    pub r_ki_ktrans: f64,
    /// Tumour voxels with finite Ki and Ktrans.
    pub n: usize,
    /// The Ki threshold used (mL/cm³/min).
    pub ki_threshold: f64,
}

/// Classify tumour voxels; `ki` and `ktrans` must be 3-D volumes on the masks' grid.
pub fn voxel_classes(
    ki: &Volume,
    ktrans: &Volume,
    tumour: &Mask,
    muscle: &Mask,
    ktrans_split: f64,
    k_sd: f64,
) -> Result<VoxelClasses, StudyError> {
    let op = "voxel_classes";
    for (v, name) in [(ki, "ki"), (ktrans, "ktrans")] {
        v.require_3d(op)?;
        v.grid
            .require_same(&tumour.grid, op, &format!("{name} and the tumour mask"))?;
    }
    muscle
        .grid
        .require_same(&tumour.grid, op, "the muscle and tumour masks")?;
    if !(ktrans_split.is_finite() && k_sd.is_finite()) {
        return Err(StudyError::arg(
            op,
            "ktrans_split and k_sd must be finite numbers",
        ));
    }
    let (_, _, thr) = crate::pet::muscle_threshold(ki, muscle, k_sd, op)?;
    let (kis, kts) = (ki.as_slice(), ktrans.as_slice());
    let pairs: Vec<(f64, f64)> = tumour
        .indices()
        .into_iter()
        .map(|v| (kis[v] as f64, kts[v] as f64))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let n = pairs.len();
    if n == 0 {
        return Err(StudyError::arg(
            op,
            "no tumour voxel has both a finite Ki and a finite Ktrans",
        ));
    }
    let mut c = [0usize; 4];
    for &(k, t) in &pairs {
        c[(k > thr) as usize * 2 + (t >= ktrans_split) as usize] += 1;
    }
    let pct = |x: usize| 100.0 * x as f64 / n as f64;
    Ok(VoxelClasses {
        normoxic_hypo: pct(c[0]),
        normoxic_hyper: pct(c[1]),
        hypoxic_hypo: pct(c[2]),
        hypoxic_hyper: pct(c[3]),
        // NaN where undefined (fewer than 3 voxels, or Ki or Ktrans constant)
        r_ki_ktrans: {
            let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
            crate::stats::pearson(&x, &y).map_or(f64::NAN, |p| p.r)
        },
        n,
        ki_threshold: thr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::volume::Grid;
    use ndarray::Array3;

    #[test]
    fn four_classes_by_hand() {
        let g = Grid::axis_aligned([6, 1, 1], [1.0; 3], [0.0; 3]);
        let vol = |x: [f32; 6]| {
            Volume::from_3d(
                g.clone(),
                Array3::from_shape_vec((6, 1, 1), x.to_vec()).unwrap(),
            )
            .unwrap()
        };
        // muscle voxels 4, 5: Ki 1 and 3 → mean 2, SD √2, threshold 2 + 2√2 ≈ 4.83
        let ki = vol([10.0, 0.0, 10.0, 0.0, 1.0, 3.0]);
        let kt = vol([0.1, 0.1, 0.5, 0.5, 0.0, 0.0]);
        let tum = Mask::new(g.clone(), vec![true, true, true, true, false, false]).unwrap();
        let mus = Mask::new(g.clone(), vec![false, false, false, false, true, true]).unwrap();
        let c = voxel_classes(&ki, &kt, &tum, &mus, 0.25, 2.0).unwrap();
        assert_eq!(
            [
                c.hypoxic_hypo,
                c.hypoxic_hyper,
                c.normoxic_hypo,
                c.normoxic_hyper
            ],
            [25.0; 4]
        );
        assert!((c.ki_threshold - (2.0 + 2.0 * 2f64.sqrt())).abs() < 1e-12);
        // Ki = (10,0,10,0) vs Ktrans (0.1,0.1,0.5,0.5): uncorrelated
        assert!(c.r_ki_ktrans.abs() < 1e-12);
        let g2 = Grid::axis_aligned([6, 1, 1], [2.0; 3], [0.0; 3]);
        let other = Mask::full(g2);
        assert!(voxel_classes(&ki, &kt, &other, &mus, 0.25, 2.0)
            .unwrap_err()
            .to_string()
            .contains("different grids"));
    }
}
