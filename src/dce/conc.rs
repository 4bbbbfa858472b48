//! SPGR signal → contrast-agent concentration.
use super::DceError;
use crate::progress;
use crate::roi::Mask;
use crate::volume::Volume;
use ndarray::Array4;

/// Acquisition parameters of the dynamic series.
#[derive(Clone, Copy, Debug)]
pub struct ConcParams {
    pub tr_ms: f64,
    /// Nominal flip angle (deg); a B1 map scales it voxel by voxel.
    pub fa_deg: f64,
    /// Relaxivity, L/mmol/s (default gadobutrol at 3 T, [`super::GADOBUTROL_R1_3T`]).
    pub r1_per_mm_s: f64,
    /// Pre-contrast frames: the baseline signal is the mean of frames `1 … n_baseline−1`.
    pub n_baseline: usize,
}

/// Pre-contrast T1: one value for every voxel, or a 3-D map (ms).
#[derive(Clone, Copy, Debug)]
pub enum T1Input<'a> {
    Scalar(f64),
    Map(&'a Volume),
}

/// Concentration curve (mM) from an SPGR signal curve `s`.
///
/// Baseline: the OSIPI SI_to_Conc definition, the mean of `s[1..n_baseline]` — the first frame
/// is skipped because it is often not at steady state. Then `S0 = Sb(1−E10·cos α)/(sin α(1−E10))`
/// with `E10 = e^{−TR/T10}`, `R1(t) = −ln[(S0 sin α − S)/(S0 sin α − S cos α)]/TR` and
/// `C = (R1 − 1/T10)/r1`. Frames where the logarithm is undefined (signal above the fully
/// relaxed limit) are NaN; the whole curve is NaN if the baseline is not positive or fewer
/// than two baseline frames are given.
pub fn signal_to_conc(
    s: &[f64],
    t10_ms: f64,
    tr_ms: f64,
    fa_deg: f64,
    r1_per_mm_s: f64,
    n_baseline: usize,
) -> Vec<f64> {
    let nan = || vec![f64::NAN; s.len()];
    if n_baseline < 2 || n_baseline > s.len() || !(t10_ms > 0.0) || !(tr_ms > 0.0) {
        return nan();
    }
    let sb = s[1..n_baseline].iter().sum::<f64>() / (n_baseline - 1) as f64;
    if !(sb.is_finite() && sb > 0.0) {
        return nan();
    }
    let (tr, t10) = (tr_ms / 1000.0, t10_ms / 1000.0);
    let a = fa_deg.to_radians();
    let (sin, cos) = (a.sin(), a.cos());
    let e10 = (-tr / t10).exp();
    let s0 = sb * (1.0 - cos * e10) / (sin * (1.0 - e10));
    let r10 = 1.0 / t10;
    s.iter()
        .map(|&st| {
            let ratio = (s0 * sin - st) / (s0 * sin - st * cos);
            if ratio > 0.0 && ratio.is_finite() {
                (-ratio.ln() / tr - r10) / r1_per_mm_s
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Voxelwise [`signal_to_conc`] over a 4-D dynamic series. `t1` is a scalar or a 3-D map on the
/// same grid; `b1` (ratio actual/nominal) scales the flip angle per voxel. Voxels outside
/// `mask` (all voxels if `None`), or with a non-finite/non-positive T1 or B1, are NaN.
pub fn spgr_conc(
    dce: &Volume,
    t1: T1Input,
    p: &ConcParams,
    b1: Option<&Volume>,
    mask: Option<&Mask>,
) -> Result<Volume, DceError> {
    const OP: &str = "spgr_conc";
    let nt = dce.n_frames();
    if !(p.tr_ms.is_finite() && p.tr_ms > 0.0) {
        return Err(DceError::arg(
            OP,
            format!("tr_ms must be positive, got {}", p.tr_ms),
        ));
    }
    if !(p.fa_deg.is_finite() && p.fa_deg > 0.0 && p.fa_deg < 180.0) {
        return Err(DceError::arg(
            OP,
            format!("fa_deg must lie in (0, 180), got {}", p.fa_deg),
        ));
    }
    if !(p.r1_per_mm_s.is_finite() && p.r1_per_mm_s > 0.0) {
        return Err(DceError::arg(
            OP,
            format!("r1_per_mm_s must be positive, got {}", p.r1_per_mm_s),
        ));
    }
    if p.n_baseline < 2 || p.n_baseline >= nt {
        return Err(DceError::arg(
            OP,
            format!(
                "n_baseline must be at least 2 (frame 0 is skipped) and less than the {nt} frames, got {}",
                p.n_baseline
            ),
        ));
    }
    match t1 {
        T1Input::Map(m) => {
            m.require_3d("spgr_conc: t1")?;
            dce.grid
                .require_same(&m.grid, OP, "the dynamic series and the T1 map")?;
        }
        T1Input::Scalar(v) => {
            if !(v.is_finite() && v > 0.0) {
                return Err(DceError::arg(
                    OP,
                    format!("T1 must be positive (ms), got {v}"),
                ));
            }
        }
    }
    if let Some(b) = b1 {
        b.require_3d("spgr_conc: b1")?;
        dce.grid
            .require_same(&b.grid, OP, "the dynamic series and the B1 map")?;
    }
    if let Some(m) = mask {
        dce.grid
            .require_same(&m.grid, OP, "the dynamic series and the mask")?;
    }
    let nv = dce.grid.n_voxels();
    let inside = |v: usize| mask.map(|m| m.data[v]).unwrap_or(true);
    let curves = progress::par_map(OP, nv, 4096, |v| -> Option<Vec<f32>> {
        if !inside(v) {
            return None;
        }
        let t10 = match t1 {
            T1Input::Scalar(x) => x,
            T1Input::Map(m) => m.as_slice()[v] as f64,
        };
        let scale = b1.map(|b| b.as_slice()[v] as f64).unwrap_or(1.0);
        if !(t10 > 0.0 && t10.is_finite() && scale > 0.0 && scale.is_finite()) {
            return None;
        }
        let s: Vec<f64> = dce.voxel_curve(v).iter().map(|&x| x as f64).collect();
        let c = signal_to_conc(
            &s,
            t10,
            p.tr_ms,
            p.fa_deg * scale,
            p.r1_per_mm_s,
            p.n_baseline,
        );
        Some(c.into_iter().map(|x| x as f32).collect())
    })?;
    let [nx, ny, nz] = dce.grid.dim;
    let mut out = Array4::from_elem((nx, ny, nz, nt), f32::NAN);
    out.as_slice_mut()
        .expect("standard layout")
        .chunks_exact_mut(nt)
        .zip(curves)
        .for_each(|(dst, c)| {
            if let Some(c) = c {
                dst.copy_from_slice(&c)
            }
        });
    Ok(dce.with_data(out)?)
}

#[cfg(test)]
mod tests {
    use super::super::spgr_signal;
    use super::*;

    #[test]
    fn inverts_the_spgr_forward_model() {
        // R1(t) = 1/T10 + r1·C(t)
        let c_true = [0.0, 0.0, 0.0, 0.5, 1.2, 0.8];
        let (t10, tr, fa, r1) = (1400.0, 4.0, 15.0, 4.97);
        let s: Vec<f64> = c_true
            .iter()
            .map(|c| spgr_signal(500.0, 1000.0 / t10 + r1 * c, tr, fa))
            .collect();
        let c = signal_to_conc(&s, t10, tr, fa, r1, 3);
        for (a, b) in c.iter().zip(c_true) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        assert!(signal_to_conc(&s, t10, tr, fa, r1, 1)[0].is_nan());
    }
}
