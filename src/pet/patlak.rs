//! Patlak graphical analysis for irreversible tracers: the forward model, the plot coordinates
//! (integral from injection), the per-curve fit and the voxelwise maps.
use super::{arg, PetError};
use crate::progress;
use crate::roi::Mask;
use crate::volume::{Curve, Volume};
use ndarray::Array4;

/// ∫₀ᵗ of an input curve (value·s), trapezoidal from injection. A curve that starts after t = 0
/// must start at zero (it is then taken as zero before its first sample); a curve whose first
/// value is non-zero after t = 0 is an error, since the early integral would be missing.
pub(super) fn integral_from_injection(
    input: &Curve,
    times_s: &[f64],
    op: &str,
) -> Result<Vec<f64>, PetError> {
    let ts = &input.times_s;
    let ys = &input.values;
    if ts[0] > 0.0 && ys[0] != 0.0 {
        return Err(arg(
            op,
            format!(
                "the input curve starts at {} s with value {}: Patlak needs the input from injection (t = 0); give the whole curve",
                ts[0], ys[0]
            ),
        ));
    }
    let cum = input.cumulative_integral();
    times_s
        .iter()
        .map(|&t| {
            if t < ts[0] || t > ts[ts.len() - 1] {
                return Err(arg(
                    op,
                    format!(
                        "the input curve covers {}–{} s but a frame mid-time is {t} s",
                        ts[0],
                        ts[ts.len() - 1]
                    ),
                ));
            }
            let i = ts.partition_point(|&x| x <= t); // first sample after t
            if i >= ts.len() {
                return Ok(cum[ts.len() - 1]);
            }
            let i0 = i - 1;
            let y_t = ys[i0] + (ys[i] - ys[i0]) * (t - ts[i0]) / (ts[i] - ts[i0]);
            Ok(cum[i0] + 0.5 * (ys[i0] + y_t) * (t - ts[i0]))
        })
        .collect()
}

/// Tissue curve of the Patlak model, Ct = Ki·∫₀ᵗCp dτ + V0·Cp(t), for an input sampled from
/// injection (times in s, Ki in mL/cm³/min, integral trapezoidal from t = 0, where the input is
/// taken as 0 if the first sample is later).
pub fn patlak_forward(times_s: &[f64], cp: &[f64], ki_per_min: f64, v0: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(times_s.len());
    let (mut acc, mut tp, mut yp) = (0.0, 0.0, 0.0);
    for (&t, &y) in times_s.iter().zip(cp) {
        acc += 0.5 * (y + yp) * (t - tp);
        tp = t;
        yp = y;
        out.push(ki_per_min * acc / 60.0 + v0 * y);
    }
    out
}

/// Ordinary least-squares line of a Patlak plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatlakFit {
    /// Slope, mL/cm³/min (x in minutes).
    pub ki: f64,
    /// Intercept (distribution volume, mL/cm³).
    pub v0: f64,
    /// Coefficient of determination (NaN if y is constant).
    pub r2: f64,
}

/// OLS line y = Ki·x + V0 with R²; NaN for fewer than two points or constant x.
pub fn patlak_fit(x: &[f64], y: &[f64]) -> PatlakFit {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    match crate::fit::line_fit(x, y) {
        Some(l) if l.slope.is_finite() && y.iter().all(|v| v.is_finite()) => PatlakFit {
            ki: l.slope,
            v0: l.intercept,
            r2: l.r2, // NaN for a flat plot (all y equal)
        },
        _ => PatlakFit {
            ki: f64::NAN,
            v0: f64::NAN,
            r2: f64::NAN,
        },
    }
}

/// Patlak coordinates of the frames used in a fit.
#[derive(Clone, Debug, PartialEq)]
pub struct PatlakXy {
    /// ∫₀ᵗ Cp dτ / Cp(t) in minutes.
    pub x: Vec<f64>,
    /// Ct(t) / Cp(t).
    pub y: Vec<f64>,
    /// Indices of the frames used (mid-time ≥ start).
    pub frames: Vec<usize>,
}

/// Used frame indices, Patlak x (min) and 1/Cp of each used frame.
type PatlakAxis = (Vec<usize>, Vec<f64>, Vec<f64>);

/// Frames with mid-time ≥ `start_min`, the Patlak x of each and 1/Cp of each. Shared by the
/// curve and the voxelwise fits.
fn patlak_axis(
    times_s: &[f64],
    input: &Curve,
    start_min: f64,
    op: &str,
) -> Result<PatlakAxis, PetError> {
    if times_s.is_empty() {
        return Err(arg(op, "there are no frames"));
    }
    if !start_min.is_finite() || start_min < 0.0 {
        return Err(arg(
            op,
            format!("start_min must be ≥ 0 minutes, got {start_min}"),
        ));
    }
    let last = times_s[times_s.len() - 1];
    if start_min * 60.0 > last {
        return Err(arg(
            op,
            format!(
                "start_min {start_min} min is after the last frame (mid-time {:.2} min)",
                last / 60.0
            ),
        ));
    }
    let frames: Vec<usize> = (0..times_s.len())
        .filter(|&i| times_s[i] >= start_min * 60.0)
        .collect();
    if frames.len() < 2 {
        return Err(arg(
            op,
            format!(
                "only {} frame has its mid-time at or after start_min {start_min} min; a Patlak line needs at least two",
                frames.len()
            ),
        ));
    }
    let t: Vec<f64> = frames.iter().map(|&i| times_s[i]).collect();
    let cp = input.sample(&t, op)?;
    if let Some(i) = cp.iter().position(|&c| !(c.is_finite() && c > 0.0)) {
        return Err(arg(
            op,
            format!(
                "the input is {} at {} s (frame {}); Patlak divides by it, so it must be positive on the fitted frames",
                cp[i], t[i], frames[i]
            ),
        ));
    }
    let integ = integral_from_injection(input, &t, op)?;
    let x = integ.iter().zip(&cp).map(|(i, c)| i / c / 60.0).collect();
    let inv_cp = cp.iter().map(|c| 1.0 / c).collect();
    Ok((frames, x, inv_cp))
}

/// Patlak coordinates of a tissue curve sampled at `times_s` (mid-frame, s from injection) against
/// an input curve, with the integral taken from injection (not from the first fitted frame, the
/// bug of STIR issue 703), for the frames with mid-time ≥ `start_min`.
pub fn patlak_xy(
    times_s: &[f64],
    tissue: &[f64],
    input: &Curve,
    start_min: f64,
) -> Result<PatlakXy, PetError> {
    let op = "patlak_curve";
    if times_s.len() != tissue.len() {
        return Err(arg(
            op,
            format!(
                "{} frame times but {} tissue values",
                times_s.len(),
                tissue.len()
            ),
        ));
    }
    let (frames, x, inv) = patlak_axis(times_s, input, start_min, op)?;
    let y = frames
        .iter()
        .zip(&inv)
        .map(|(&i, ic)| tissue[i] * ic)
        .collect();
    Ok(PatlakXy { x, y, frames })
}

/// Patlak fit of one time-activity curve.
#[derive(Clone, Debug, PartialEq)]
pub struct PatlakCurve {
    pub fit: PatlakFit,
    pub xy: PatlakXy,
}

/// Patlak Ki, V0 and R² of one tissue curve.
pub fn patlak_curve(
    times_s: &[f64],
    tissue: &[f64],
    input: &Curve,
    start_min: f64,
) -> Result<PatlakCurve, PetError> {
    let xy = patlak_xy(times_s, tissue, input, start_min)?;
    Ok(PatlakCurve {
        fit: patlak_fit(&xy.x, &xy.y),
        xy,
    })
}

/// Voxel status codes of [`patlak`].
pub mod status {
    /// Fitted.
    pub const OK: f32 = 0.0;
    /// Outside the mask (not fitted).
    pub const OUTSIDE: f32 = 1.0;
    /// A used frame is not finite.
    pub const NONFINITE: f32 = 2.0;
    /// Ki is not finite (degenerate fit).
    pub const FAILED: f32 = 3.0;
}

/// Voxelwise Patlak maps (3-D; NaN where not fitted).
#[derive(Clone, Debug)]
pub struct PatlakMaps {
    pub ki: Volume,
    pub v0: Volume,
    pub r2: Volume,
    /// See [`status`].
    pub status: Volume,
}

/// Voxelwise Patlak: Ki (mL/cm³/min), V0 and R² for every voxel of `mask` (all voxels if None),
/// in parallel with progress and cancellation. Frames with mid-time ≥ `start_min` are used.
pub fn patlak(
    pet: &Volume,
    input: &Curve,
    mask: Option<&Mask>,
    start_min: f64,
) -> Result<PatlakMaps, PetError> {
    let op = "patlak";
    let times = pet.require_times(op)?.mid_s();
    if let Some(m) = mask {
        pet.grid
            .require_same(&m.grid, op, "the PET series and the mask")?;
        if m.count() == 0 {
            return Err(arg(op, "the mask is empty"));
        }
    }
    let (frames, x, inv) = patlak_axis(&times, input, start_min, op)?;
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let dx: Vec<f64> = x.iter().map(|v| v - mx).collect();
    let sxx: f64 = dx.iter().map(|d| d * d).sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return Err(arg(
            op,
            "the Patlak x values of the used frames are all equal",
        ));
    }
    let nt = pet.n_frames();
    let data = pet.as_slice();
    let nv = pet.grid.n_voxels();
    let mdata = mask.map(|m| m.data.clone());
    let nan = f32::NAN;
    let f0 = frames[0];
    let contiguous = frames.iter().enumerate().all(|(k, &f)| f == f0 + k);
    let cols = progress::par_columns("Patlak", nv, 8192, |v| {
        if let Some(m) = &mdata {
            if !m[v] {
                return [nan, nan, nan, status::OUTSIDE];
            }
        }
        let c = &data[v * nt..(v + 1) * nt];
        // one pass: Σy, Σy², Σ(x − x̄)·y (= Sxy since Σ(x − x̄) = 0)
        let (mut sy, mut syy_raw, mut sxy) = (0.0f64, 0.0f64, 0.0f64);
        if contiguous {
            for ((&val, &ic), &d) in c[f0..].iter().zip(&inv).zip(&dx) {
                let y = val as f64 * ic;
                sy += y;
                syy_raw += y * y;
                sxy += d * y;
            }
        } else {
            for (k, &f) in frames.iter().enumerate() {
                let y = c[f] as f64 * inv[k];
                sy += y;
                syy_raw += y * y;
                sxy += dx[k] * y;
            }
        }
        if !(sy.is_finite() && syy_raw.is_finite()) {
            return [nan, nan, nan, status::NONFINITE];
        }
        let my = sy / n;
        let syy = syy_raw - sy * my;
        let syy = if syy > 1e-12 * syy_raw { syy } else { 0.0 };
        let ki = sxy / sxx;
        let v0 = my - ki * mx;
        let r2 = if syy > 0.0 {
            1.0 - (syy - ki * sxy).max(0.0) / syy
        } else {
            f64::NAN
        };
        if !ki.is_finite() {
            return [nan, nan, nan, status::FAILED];
        }
        [ki as f32, v0 as f32, r2 as f32, status::OK]
    })?;
    let [nx, ny, nz] = pet.grid.dim;
    let [ki, v0, r2, st] = cols.map(|c| {
        let a = Array4::from_shape_vec((nx, ny, nz, 1), c).expect("size matches grid");
        let mut v = Volume::new(pet.grid.clone(), a, None).expect("shape matches grid");
        v.codes = pet.codes.clone();
        v
    });
    Ok(PatlakMaps {
        ki,
        v0,
        r2,
        status: st,
    })
}
