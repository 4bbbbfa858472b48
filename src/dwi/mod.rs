//! Diffusion-weighted imaging: apparent diffusion coefficient (ADC) maps in mm²/s.
//!
//! Model: S(b) = S0·exp(−b·ADC), b in s/mm². Two-point ADC = ln(S0/Sb)/b; with more b-values an
//! ordinary least-squares line of ln S against b. A voxel with a non-positive or non-finite
//! signal at any b-value gets NaN (the logarithm is undefined), never a clipped value.
use crate::progress::{self, Cancelled};
use crate::volume::{VolError, Volume};
use ndarray::Array4;

/// Errors of the DWI layer; messages read `dwi: where: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DwiError {
    #[error("dwi: {op}: {what}")]
    Arg { op: String, what: String },
    #[error(transparent)]
    Vol(#[from] VolError),
    #[error("dwi: {0}")]
    Cancelled(#[from] Cancelled),
}

fn arg(op: &str, what: impl Into<String>) -> DwiError {
    DwiError::Arg {
        op: op.into(),
        what: what.into(),
    }
}

/// Signal of the mono-exponential model: S0·exp(−b·ADC).
pub fn adc_signal(s0: f64, b_s_mm2: f64, adc_mm2_s: f64) -> f64 {
    s0 * (-b_s_mm2 * adc_mm2_s).exp()
}

/// Two-point ADC of one voxel; NaN if a signal is non-positive or not finite.
#[inline]
pub fn adc_two_point_value(s0: f64, sb: f64, b_s_mm2: f64) -> f64 {
    if s0 > 0.0 && sb > 0.0 && s0.is_finite() && sb.is_finite() {
        (s0 / sb).ln() / b_s_mm2
    } else {
        f64::NAN
    }
}

/// Two-point ADC of a run of voxels, 8 lanes at a time (f32: the logarithm of a ratio of f32
/// signals loses nothing f64 would keep; `wide`'s ln is within 1 ulp of libm's). `out` sets the
/// length; NaN where a signal is non-positive or not finite.
fn adc_two_point_run(s0: &[f32], sb: &[f32], b_s_mm2: f64, out: &mut [f32]) {
    use wide::f32x8;
    let inv_b = f32x8::splat((1.0 / b_s_mm2) as f32);
    let zero = f32x8::ZERO;
    let nan = f32x8::splat(f32::NAN);
    for (k, o) in out.chunks_mut(8).enumerate() {
        let m = o.len();
        let (mut a, mut b) = ([1f32; 8], [1f32; 8]); // the lanes past a short tail stay 1
        a[..m].copy_from_slice(&s0[8 * k..8 * k + m]);
        b[..m].copy_from_slice(&sb[8 * k..8 * k + m]);
        let (a, b) = (f32x8::from(a), f32x8::from(b));
        let ok = a.simd_gt(zero) & b.simd_gt(zero) & a.is_finite() & b.is_finite();
        let r = ok.select((a / b).ln() * inv_b, nan);
        o.copy_from_slice(&r.to_array()[..m]);
    }
}

fn map3(like: &Volume, vals: Vec<f32>) -> Result<Volume, DwiError> {
    let [x, y, z] = like.grid.dim;
    let a = Array4::from_shape_vec((x, y, z, 1), vals).expect("size matches grid");
    let mut v = Volume::new(like.grid.clone(), a, None)?;
    v.codes = like.codes.clone();
    Ok(v)
}

/// Two-point ADC map (mm²/s) from a b = 0 image and a b = `b_s_mm2` image on the same grid.
pub fn adc_two_point(b0: &Volume, bhigh: &Volume, b_s_mm2: f64) -> Result<Volume, DwiError> {
    let op = "adc";
    if !(b_s_mm2.is_finite() && b_s_mm2 > 0.0) {
        return Err(arg(op, format!("b_s_mm2 must be > 0, got {b_s_mm2}")));
    }
    b0.require_3d("adc: b0_vol")?;
    bhigh.require_3d("adc: bhigh_vol")?;
    b0.grid
        .require_same(&bhigh.grid, op, "b0_vol and bhigh_vol")?;
    let (s0, sb) = (b0.as_slice(), bhigh.as_slice());
    let mut out = vec![0f32; s0.len()];
    progress::par_chunks_mut("ADC", &mut out, 65536, |start, piece| {
        adc_two_point_run(&s0[start..], &sb[start..], b_s_mm2, piece)
    })?;
    map3(b0, out)
}

/// Log-linear least-squares ADC map (mm²/s) from a 4-D series with one b-value (s/mm²) per frame.
/// Needs at least two distinct b-values.
pub fn adc_fit(dwi: &Volume, b_values: &[f64]) -> Result<Volume, DwiError> {
    let op = "adc";
    let nt = dwi.n_frames();
    if b_values.len() != nt {
        return Err(arg(
            op,
            format!(
                "b_values has {} entries but the series has {nt} frames",
                b_values.len()
            ),
        ));
    }
    if let Some(i) = b_values.iter().position(|b| !(b.is_finite() && *b >= 0.0)) {
        return Err(arg(
            op,
            format!("b_values[{i}] = {} must be ≥ 0 s/mm²", b_values[i]),
        ));
    }
    let n = nt as f64;
    let mb = b_values.iter().sum::<f64>() / n;
    let db: Vec<f64> = b_values.iter().map(|b| b - mb).collect();
    let sbb: f64 = db.iter().map(|d| d * d).sum();
    if sbb.is_nan() || sbb <= 0.0 {
        return Err(arg(op, "b_values needs at least two distinct b-values"));
    }
    let data = dwi.as_slice();
    let out = progress::par_map("ADC", dwi.grid.n_voxels(), 8192, |v| {
        let c = &data[v * nt..(v + 1) * nt];
        let mut sxy = 0.0;
        for (k, &s) in c.iter().enumerate() {
            if !(s > 0.0 && s.is_finite()) {
                return f32::NAN;
            }
            // Σ (b − b̄)·ln S equals Σ (b − b̄)(ln S − mean ln S)
            sxy += db[k] * (s as f64).ln();
        }
        (-sxy / sbb) as f32
    })?;
    map3(dwi, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::volume::Grid;
    use ndarray::Array3;

    #[test]
    fn two_point_inverts_the_model() {
        let s0 = 1000.0;
        let sb = adc_signal(s0, 900.0, 1.1e-3);
        assert!((sb - 1000.0 * (-0.99f64).exp()).abs() < 1e-9);
        assert!((adc_two_point_value(s0, sb, 900.0) - 1.1e-3).abs() < 1e-15);
        assert!(adc_two_point_value(0.0, sb, 900.0).is_nan());
        assert!(adc_two_point_value(s0, -1.0, 900.0).is_nan());
    }

    #[test]
    fn eight_lane_two_point_agrees_with_f64_and_keeps_nan_rules() {
        // 1003 voxels: 125 full groups of 8 and a tail of 3; signals over five decades
        let n = 1003;
        let mut s0: Vec<f32> = (0..n).map(|i| 10f32.powf((i % 97) as f32 / 20.0)).collect();
        let mut sb: Vec<f32> = (0..n)
            .map(|i| (s0[i] as f64 * (-900.0 * 3e-3 * ((i % 13) as f64 / 12.0)).exp()) as f32)
            .collect();
        s0[5] = 0.0;
        sb[17] = -1.0;
        sb[1001] = f32::INFINITY;
        s0[1002] = f32::NAN;
        let mut out = vec![0f32; n];
        adc_two_point_run(&s0, &sb, 900.0, &mut out);
        for i in 0..n {
            let exact = adc_two_point_value(s0[i] as f64, sb[i] as f64, 900.0);
            if exact.is_nan() || i == 1001 {
                assert!(out[i].is_nan(), "voxel {i}: {}", out[i]);
            } else {
                // f32 ratio rounding (≈ 6e-8 absolute in ln) and ≤ 1 ulp from the logarithm
                let tol = 1.2e-7 / 900.0 + 2.4e-7 * exact.abs();
                assert!(
                    (out[i] as f64 - exact).abs() <= tol,
                    "voxel {i}: {} vs {exact}",
                    out[i]
                );
            }
        }
    }

    #[test]
    fn multi_b_fit_and_nan_voxels() {
        let g = Grid::axis_aligned([2, 1, 1], [1.0; 3], [0.0; 3]);
        let b = [0.0, 50.0, 400.0, 900.0];
        let mut d = Vec::new();
        for s in b {
            d.push(adc_signal(800.0, s, 0.8e-3) as f32);
        }
        d.extend_from_slice(&[500.0, 300.0, 0.0, 100.0]);
        let v = Volume::new(g, Array4::from_shape_vec((2, 1, 1, 4), d).unwrap(), None).unwrap();
        let a = adc_fit(&v, &b).unwrap();
        assert!((a.as_slice()[0] as f64 - 0.8e-3).abs() < 1e-8);
        assert!(a.as_slice()[1].is_nan());
        assert!(adc_fit(&v, &[0.0, 0.0, 0.0, 0.0]).is_err());
        assert!(adc_fit(&v, &[0.0, 900.0])
            .unwrap_err()
            .to_string()
            .contains("4 frames"));
        let g3 = Grid::axis_aligned([1, 1, 1], [1.0; 3], [0.0; 3]);
        let one = |x: f32| Volume::from_3d(g3.clone(), Array3::from_elem((1, 1, 1), x)).unwrap();
        let r = adc_two_point(&one(1000.0), &one(400.0), 900.0).unwrap();
        assert!((r.as_slice()[0] as f64 - (2.5f64).ln() / 900.0).abs() < 1e-9);
    }
}
