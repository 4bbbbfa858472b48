//! Baseline T1 from variable-flip-angle SPGR images (DESPOT1 linear fit and nonlinear fit),
//! with optional B1 correction of the flip angles.
use super::tofts::FitStatus;
use super::DceError;
use crate::fit::{line_fit, lm_bounded, LmOptions, LmStatus};
use crate::progress;
use crate::roi::Mask;
use crate::volume::Volume;
use ndarray::Array4;

/// One voxel's VFA fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VfaFit {
    pub t1_ms: f64,
    pub m0: f64,
    pub status: FitStatus,
}

impl VfaFit {
    fn failed() -> Self {
        VfaFit {
            t1_ms: f64::NAN,
            m0: f64::NAN,
            status: FitStatus::Failed,
        }
    }
}

/// Linear or nonlinear VFA fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VfaMethod {
    /// DESPOT1 (Deoni 2003): `S/sin α = E1·S/tan α + M0(1−E1)`, a straight line.
    Linear,
    /// Least squares on the SPGR equation in (M0, T1), bounded LM started from DESPOT1.
    Nonlinear,
}

/// Upper bound of fitted T1 (ms): beyond this a voxel is reported at the bound.
const T1_MAX_MS: f64 = 1e5;
const T1_MIN_MS: f64 = 1.0;

/// DESPOT1 fit of signals `s` at actual flip angles `fa_deg` (already B1-corrected), TR in ms.
/// Fails (NaN, status 4) on non-finite or non-positive signals or a slope outside (0, 1).
pub fn fit_vfa_linear(s: &[f64], fa_deg: &[f64], tr_ms: f64) -> VfaFit {
    if s.len() != fa_deg.len() || s.len() < 2 || s.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return VfaFit::failed();
    }
    let x: Vec<f64> = s
        .iter()
        .zip(fa_deg)
        .map(|(v, a)| v / a.to_radians().tan())
        .collect();
    let y: Vec<f64> = s
        .iter()
        .zip(fa_deg)
        .map(|(v, a)| v / a.to_radians().sin())
        .collect();
    let Some(l) = line_fit(&x, &y) else {
        return VfaFit::failed();
    };
    let e1 = l.slope;
    if !(e1 > 0.0 && e1 < 1.0) {
        return VfaFit::failed();
    }
    let t1 = -tr_ms / e1.ln();
    let m0 = l.intercept / (1.0 - e1);
    if !(t1.is_finite() && m0.is_finite()) {
        return VfaFit::failed();
    }
    let (t1c, status) = if t1 > T1_MAX_MS {
        (T1_MAX_MS, FitStatus::AtBound)
    } else {
        (t1, FitStatus::Converged)
    };
    VfaFit {
        t1_ms: t1c,
        m0,
        status,
    }
}

/// Nonlinear least-squares VFA fit of `S = M0·sin α·(1−E1)/(1−E1·cos α)`, `E1 = e^{−TR/T1}`,
/// over (M0, T1) with T1 in [1, 1e5] ms and M0 ≥ 0; started from DESPOT1 (or from
/// T1 = 1000 ms if that fails).
pub fn fit_vfa_nonlinear(s: &[f64], fa_deg: &[f64], tr_ms: f64) -> VfaFit {
    if s.len() != fa_deg.len() || s.len() < 2 || s.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return VfaFit::failed();
    }
    let lin = fit_vfa_linear(s, fa_deg, tr_ms);
    let (sin, cos): (Vec<f64>, Vec<f64>) = fa_deg
        .iter()
        .map(|a| (a.to_radians().sin(), a.to_radians().cos()))
        .unzip();
    let p0 = if lin.status == FitStatus::Converged && lin.m0 > 0.0 {
        [lin.m0, lin.t1_ms]
    } else {
        let t1 = 1000.0;
        let e = (-tr_ms / t1).exp();
        // M0 from the largest signal under T1 = 1000 ms
        let (i, smax) = s
            .iter()
            .enumerate()
            .fold((0, 0.0), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        [smax * (1.0 - e * cos[i]) / (sin[i] * (1.0 - e)), t1]
    };
    let model = |p: &[f64; 2], out: &mut [f64], jac: &mut [[f64; 2]]| {
        let (m0, t1) = (p[0], p[1]);
        let e = (-tr_ms / t1).exp();
        let de_dt1 = e * tr_ms / (t1 * t1);
        for i in 0..out.len() {
            let d = 1.0 - e * cos[i];
            let f = sin[i] * (1.0 - e) / d;
            out[i] = m0 * f;
            // dS/dE = M0 sin α (cos α − 1)/(1 − E cos α)²
            let ds_de = m0 * sin[i] * (cos[i] - 1.0) / (d * d);
            jac[i] = [f, ds_de * de_dt1];
        }
        true
    };
    let r = lm_bounded(
        model,
        s,
        p0,
        &[0.0, T1_MIN_MS],
        &[f64::INFINITY, T1_MAX_MS],
        &LmOptions::default(),
    );
    let status = match r.status {
        LmStatus::Converged => FitStatus::Converged,
        LmStatus::AtBound => FitStatus::AtBound,
        LmStatus::MaxIter => FitStatus::MaxIter,
        LmStatus::Failed => return VfaFit::failed(),
    };
    VfaFit {
        t1_ms: r.p[1],
        m0: r.p[0],
        status,
    }
}

/// T1, M0 and status maps (3-D) of a VFA fit.
#[derive(Clone, Debug)]
pub struct VfaMaps {
    pub t1_ms: Volume,
    pub m0: Volume,
    pub status: Volume,
}

/// Voxelwise VFA T1 over a 4-D series whose frames are the flip angles `fa_deg` (nominal, deg),
/// with TR in ms. `b1` (3-D, same grid) is the ratio actual/nominal flip angle and scales the
/// angles voxel by voxel; a voxel with a non-finite or non-positive B1 fails. Voxels outside
/// `mask` (all voxels if `None`) are NaN with status 0.
pub fn vfa_t1(
    vfa: &Volume,
    fa_deg: &[f64],
    tr_ms: f64,
    b1: Option<&Volume>,
    method: VfaMethod,
    mask: Option<&Mask>,
) -> Result<VfaMaps, DceError> {
    const OP: &str = "vfa_t1";
    let nt = vfa.n_frames();
    if fa_deg.len() != nt {
        return Err(DceError::arg(
            OP,
            format!(
                "{} flip angles given but the VFA series has {nt} frames (one frame per flip angle)",
                fa_deg.len()
            ),
        ));
    }
    if nt < 2 {
        return Err(DceError::arg(OP, "at least two flip angles are needed"));
    }
    if let Some(a) = fa_deg
        .iter()
        .find(|a| !(a.is_finite() && **a > 0.0 && **a < 90.0))
    {
        return Err(DceError::arg(
            OP,
            format!("flip angles must lie in (0, 90) degrees, got {a}"),
        ));
    }
    if !(tr_ms.is_finite() && tr_ms > 0.0) {
        return Err(DceError::arg(
            OP,
            format!("tr_ms must be positive, got {tr_ms}"),
        ));
    }
    if let Some(b) = b1 {
        b.require_3d("vfa_t1: b1")?;
        vfa.grid
            .require_same(&b.grid, OP, "the VFA series and the B1 map")?;
    }
    if let Some(m) = mask {
        vfa.grid
            .require_same(&m.grid, OP, "the VFA series and the mask")?;
    }
    let idx: Vec<usize> = match mask {
        Some(m) => m.indices(),
        None => (0..vfa.grid.n_voxels()).collect(),
    };
    let b1s = b1.map(|b| b.as_slice());
    let fits = progress::par_map("vfa_t1", idx.len(), 4096, |i| {
        let v = idx[i];
        let s: Vec<f64> = vfa.voxel_curve(v).iter().map(|&x| x as f64).collect();
        let scale = b1s.map(|b| b[v] as f64).unwrap_or(1.0);
        if !(scale.is_finite() && scale > 0.0) {
            return VfaFit::failed();
        }
        let fa: Vec<f64> = fa_deg.iter().map(|a| a * scale).collect();
        match method {
            VfaMethod::Linear => fit_vfa_linear(&s, &fa, tr_ms),
            VfaMethod::Nonlinear => fit_vfa_nonlinear(&s, &fa, tr_ms),
        }
    })?;
    let [nx, ny, nz] = vfa.grid.dim;
    let mut t1 = Array4::from_elem((nx, ny, nz, 1), f32::NAN);
    let mut m0 = Array4::from_elem((nx, ny, nz, 1), f32::NAN);
    let mut st = Array4::from_elem((nx, ny, nz, 1), 0f32);
    {
        let (t1s, m0s, sts) = (
            t1.as_slice_mut().expect("standard layout"),
            m0.as_slice_mut().expect("standard layout"),
            st.as_slice_mut().expect("standard layout"),
        );
        for (&v, f) in idx.iter().zip(&fits) {
            t1s[v] = f.t1_ms as f32;
            m0s[v] = f.m0 as f32;
            sts[v] = f.status.code() as f32;
        }
    }
    let mk = |a| -> Result<Volume, DceError> {
        let mut out = Volume::new(vfa.grid.clone(), a, None)?;
        out.codes = vfa.codes.clone();
        Ok(out)
    };
    Ok(VfaMaps {
        t1_ms: mk(t1)?,
        m0: mk(m0)?,
        status: mk(st)?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::spgr_signal;
    use super::*;

    #[test]
    fn noiseless_signals_give_back_t1() {
        let fa = [2.0, 5.0, 10.0, 15.0];
        let s: Vec<f64> = fa
            .iter()
            .map(|&a| spgr_signal(1000.0, 1.0 / 1.2, 5.0, a))
            .collect();
        for f in [
            fit_vfa_linear(&s, &fa, 5.0),
            fit_vfa_nonlinear(&s, &fa, 5.0),
        ] {
            assert_eq!(f.status, FitStatus::Converged);
            assert!(
                (f.t1_ms - 1200.0).abs() < 1e-4 && (f.m0 - 1000.0).abs() < 1e-4,
                "{f:?}"
            );
        }
        assert_eq!(
            fit_vfa_linear(&[1.0, -1.0], &[2.0, 5.0], 5.0).status,
            FitStatus::Failed
        );
        assert!(fit_vfa_nonlinear(&[1.0, f64::NAN], &[2.0, 5.0], 5.0)
            .t1_ms
            .is_nan());
    }
}
