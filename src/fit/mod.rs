//! Small least-squares machinery shared by the model fits (DCE, VFA T1, Patlak).
//!
//! - [`lstsq`] / [`solve_normal`]: linear least squares with a few columns via the normal
//!   equations, column-scaled and solved by Cholesky (nalgebra fixed-size matrices, no heap).
//! - [`lm_bounded`]: a box-bounded Levenberg–Marquardt (Marquardt's diagonal scaling, projected
//!   steps with an active set for parameters held at a bound) for models with a handful of
//!   parameters and an analytic or finite-difference Jacobian.
//! - [`patlak`] and [`line_fit`]: the linear Patlak mathematics (multiple-regression form
//!   `C = Ki·∫cp + v0·cp`, and the straight-line graphical form), shared by DCE and PET.
// `!(x > 0.0)` is used on purpose: it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
use nalgebra::{SMatrix, SVector};

/// Solve `AᵀA x = Aᵀb` given the accumulated `AᵀA` and `Aᵀb` of a `P`-column problem.
///
/// The columns are scaled to unit norm first (Jacobi scaling) so that columns with very
/// different units do not spoil the conditioning. Returns `None` if the system is singular or
/// the solution is not finite.
pub fn solve_normal<const P: usize>(
    ata: &SMatrix<f64, P, P>,
    atb: &SVector<f64, P>,
) -> Option<SVector<f64, P>> {
    let mut d = SVector::<f64, P>::zeros();
    for i in 0..P {
        let a = ata[(i, i)];
        if !(a > 0.0) || !a.is_finite() {
            return None;
        }
        d[i] = 1.0 / a.sqrt();
    }
    let mut m = *ata;
    for i in 0..P {
        for j in 0..P {
            m[(i, j)] *= d[i] * d[j];
        }
    }
    let b = atb.component_mul(&d);
    let chol = m.cholesky()?;
    // reject near-singular systems: smallest pivot relative to the (unit) diagonal
    let l = chol.l_dirty();
    if (0..P).any(|i| !(l[(i, i)] > 1e-7)) {
        return None;
    }
    let y = chol.solve(&b);
    let x = y.component_mul(&d);
    if x.iter().all(|v| v.is_finite()) {
        Some(x)
    } else {
        None
    }
}

/// Linear least squares `y ≈ Σ_j x_j·cols[j]`. Returns `None` for mismatched lengths, fewer
/// samples than unknowns, or a singular design.
pub fn lstsq<const P: usize>(cols: [&[f64]; P], y: &[f64]) -> Option<[f64; P]> {
    let n = y.len();
    if n < P || cols.iter().any(|c| c.len() != n) {
        return None;
    }
    let mut ata = SMatrix::<f64, P, P>::zeros();
    let mut atb = SVector::<f64, P>::zeros();
    for t in 0..n {
        for i in 0..P {
            let ci = cols[i][t];
            atb[i] += ci * y[t];
            for j in i..P {
                ata[(i, j)] += ci * cols[j][t];
            }
        }
    }
    for i in 0..P {
        for j in 0..i {
            ata[(i, j)] = ata[(j, i)];
        }
    }
    solve_normal(&ata, &atb).map(|x| std::array::from_fn(|i| x[i]))
}

/// Straight-line fit `y = slope·x + intercept` with its coefficient of determination.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineFit {
    pub slope: f64,
    pub intercept: f64,
    pub r2: f64,
}

/// Ordinary least-squares line through `(x, y)` (at least two distinct x). Used for DESPOT1
/// and for the graphical Patlak plot.
pub fn line_fit(x: &[f64], y: &[f64]) -> Option<LineFit> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let nf = n as f64;
    let mx = x.iter().sum::<f64>() / nf;
    let my = y.iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if !(sxx > 0.0) || !sxy.is_finite() {
        return None;
    }
    let slope = sxy / sxx;
    // R² is undefined when y is constant (no variance to explain); "constant" allows the
    // rounding of the mean (the same rule as the voxelwise Patlak maps)
    let syy_raw: f64 = y.iter().map(|v| v * v).sum();
    let r2 = if syy > 1e-12 * syy_raw {
        sxy * sxy / (sxx * syy)
    } else {
        f64::NAN
    };
    Some(LineFit {
        slope,
        intercept: my - slope * mx,
        r2,
    })
}

/// Result of the linear Patlak regression `C(t) = Ki·∫₀ᵗcp + v0·cp(t)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatlakFit {
    /// Slope: Ki (PET) or PS (DCE), in the unit of `C` per (unit of `cp` × unit of the integral's time).
    pub ki: f64,
    /// Intercept term: the vascular (blood/plasma) volume fraction.
    pub v0: f64,
    /// Coefficient of determination of the fit (1 − RSS/TSS).
    pub r2: f64,
    /// Residual sum of squares.
    pub rss: f64,
}

/// Patlak model by linear least squares on the samples given (select the late frames before
/// calling, e.g. t ≥ t*): `c ≈ ki·int_cp + v0·cp`, where `int_cp` is the running integral of the
/// input. This is the multiple-regression form of Patlak–Blasberg–Fenstermacher; unlike the
/// graphical plot (`c/cp` against `∫cp/cp`, see [`line_fit`]) it does not divide by a noisy or
/// near-zero input. Returns `None` on mismatched lengths or a singular design.
pub fn patlak(int_cp: &[f64], cp: &[f64], c: &[f64]) -> Option<PatlakFit> {
    let [ki, v0] = lstsq([int_cp, cp], c)?;
    let n = c.len() as f64;
    let mean = c.iter().sum::<f64>() / n;
    let (mut rss, mut tss) = (0.0, 0.0);
    for t in 0..c.len() {
        let r = c[t] - ki * int_cp[t] - v0 * cp[t];
        rss += r * r;
        tss += (c[t] - mean).powi(2);
    }
    let r2 = if tss > 0.0 { 1.0 - rss / tss } else { f64::NAN };
    Some(PatlakFit { ki, v0, r2, rss })
}

/// How a bounded Levenberg–Marquardt run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LmStatus {
    /// The relative decrease of the residual sum of squares or the step fell below tolerance.
    Converged,
    /// Converged with at least one parameter on a bound.
    AtBound,
    /// Stopped at the iteration limit (the best parameters so far are returned).
    MaxIter,
    /// The model could not be evaluated at the start (non-finite values).
    Failed,
}

/// Stopping rules of [`lm_bounded`].
#[derive(Clone, Copy, Debug)]
pub struct LmOptions {
    pub max_iter: usize,
    /// Stop when the relative decrease of the RSS in an accepted step is below this.
    pub ftol: f64,
    /// Stop when every relative parameter change is below this.
    pub xtol: f64,
}

impl Default for LmOptions {
    fn default() -> Self {
        LmOptions {
            max_iter: 100,
            ftol: 1e-10,
            xtol: 1e-8,
        }
    }
}

/// Result of [`lm_bounded`].
#[derive(Clone, Copy, Debug)]
pub struct LmResult<const P: usize> {
    pub p: [f64; P],
    /// Residual sum of squares at `p`.
    pub rss: f64,
    pub iterations: usize,
    pub status: LmStatus,
}

/// Box-bounded Levenberg–Marquardt for `y ≈ model(p)`.
///
/// `model(p, out, jac)` writes the model values into `out` (length `y.len()`) and the Jacobian
/// rows `∂out[t]/∂p` into `jac[t]`, returning `false` if it cannot be evaluated at `p`. Steps are
/// projected onto `[lo, hi]`; a parameter sitting on a bound whose gradient points outward is
/// held there for the step (active set). The start is clamped into the box.
pub fn lm_bounded<const P: usize, F>(
    mut model: F,
    y: &[f64],
    p0: [f64; P],
    lo: &[f64; P],
    hi: &[f64; P],
    opts: &LmOptions,
) -> LmResult<P>
where
    F: FnMut(&[f64; P], &mut [f64], &mut [[f64; P]]) -> bool,
{
    let n = y.len();
    let clamp = |p: [f64; P]| -> [f64; P] { std::array::from_fn(|i| p[i].clamp(lo[i], hi[i])) };
    let mut p = clamp(p0);
    let mut f = vec![0.0; n];
    let mut jac = vec![[0.0; P]; n];
    let mut f_try = vec![0.0; n];
    let mut jac_try = vec![[0.0; P]; n];
    let rss_of = |f: &[f64]| -> f64 { y.iter().zip(f).map(|(a, b)| (a - b) * (a - b)).sum() };
    let failed = |p: [f64; P]| LmResult {
        p,
        rss: f64::NAN,
        iterations: 0,
        status: LmStatus::Failed,
    };
    if !model(&p, &mut f, &mut jac) {
        return failed(p);
    }
    let mut rss = rss_of(&f);
    if !rss.is_finite() {
        return failed(p);
    }
    let mut lambda = 1e-3;
    let mut status = LmStatus::MaxIter;
    let mut it = 0;
    'outer: while it < opts.max_iter {
        it += 1;
        if rss == 0.0 {
            status = LmStatus::Converged;
            break;
        }
        let mut jtj = SMatrix::<f64, P, P>::zeros();
        let mut g = SVector::<f64, P>::zeros();
        for t in 0..n {
            let r = y[t] - f[t];
            let row = &jac[t];
            for i in 0..P {
                g[i] += row[i] * r;
                for j in i..P {
                    jtj[(i, j)] += row[i] * row[j];
                }
            }
        }
        for i in 0..P {
            for j in 0..i {
                jtj[(i, j)] = jtj[(j, i)];
            }
        }
        // active set: on a bound with the descent direction pointing out of the box
        let fixed: [bool; P] = std::array::from_fn(|i| {
            (p[i] <= lo[i] && g[i] <= 0.0) || (p[i] >= hi[i] && g[i] >= 0.0)
        });
        if (0..P).all(|i| fixed[i]) {
            status = LmStatus::Converged;
            break;
        }
        let dmax = (0..P).map(|i| jtj[(i, i)]).fold(0.0, f64::max);
        if !(dmax > 0.0) || !dmax.is_finite() {
            status = LmStatus::Converged;
            break;
        }
        loop {
            let mut a = jtj;
            let mut b = g;
            for i in 0..P {
                if fixed[i] {
                    for j in 0..P {
                        a[(i, j)] = 0.0;
                        a[(j, i)] = 0.0;
                    }
                    a[(i, i)] = 1.0;
                    b[i] = 0.0;
                } else {
                    a[(i, i)] += lambda * jtj[(i, i)].max(1e-12 * dmax);
                }
            }
            let step = a.cholesky().map(|c| c.solve(&b));
            let Some(step) = step.filter(|s| s.iter().all(|v| v.is_finite())) else {
                lambda *= 10.0;
                if lambda > 1e16 {
                    status = LmStatus::Converged;
                    break 'outer;
                }
                continue;
            };
            let p_try = clamp(std::array::from_fn(|i| p[i] + step[i]));
            let ok = model(&p_try, &mut f_try, &mut jac_try);
            let rss_try = if ok { rss_of(&f_try) } else { f64::NAN };
            if rss_try.is_finite() && rss_try <= rss {
                let small_step =
                    (0..P).all(|i| (p_try[i] - p[i]).abs() <= opts.xtol * (p[i].abs() + opts.xtol));
                let small_gain = rss - rss_try <= opts.ftol * rss;
                p = p_try;
                rss = rss_try;
                std::mem::swap(&mut f, &mut f_try);
                std::mem::swap(&mut jac, &mut jac_try);
                lambda = (lambda * 0.1).max(1e-12);
                if small_step || small_gain {
                    status = LmStatus::Converged;
                    break 'outer;
                }
                break;
            }
            lambda *= 10.0;
            if lambda > 1e16 {
                // no downhill step exists at machine precision: a minimum
                status = LmStatus::Converged;
                break 'outer;
            }
        }
    }
    if status == LmStatus::Converged && (0..P).any(|i| p[i] <= lo[i] || p[i] >= hi[i]) {
        status = LmStatus::AtBound;
    }
    LmResult {
        p,
        rss,
        iterations: it,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lstsq_recovers_exact_coefficients() {
        let x: Vec<f64> = (0..20).map(|i| i as f64 * 0.3).collect();
        let ones = vec![1.0; 20];
        let x2: Vec<f64> = x.iter().map(|v| v * v).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 - 0.5 * v + 0.25 * v * v).collect();
        let c = lstsq([&ones, &x, &x2], &y).unwrap();
        assert!((c[0] - 2.0).abs() < 1e-10 && (c[1] + 0.5).abs() < 1e-10);
        assert!((c[2] - 0.25).abs() < 1e-10);
        // singular design
        assert!(lstsq([&ones, &ones], &y).is_none());
    }

    #[test]
    fn line_fit_matches_hand_values() {
        let l = line_fit(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap();
        assert!((l.slope - 2.25).abs() < 1e-12 && (l.intercept + 0.333_333_333_333).abs() < 1e-9);
        assert!(line_fit(&[1.0, 1.0], &[1.0, 2.0]).is_none());
    }

    #[test]
    fn patlak_recovers_slope_and_intercept() {
        let t: Vec<f64> = (0..30).map(|i| i as f64).collect();
        let cp: Vec<f64> = t.iter().map(|v| 5.0 * (-v / 10.0f64).exp() + 1.0).collect();
        let mut icp = vec![0.0];
        for i in 1..30 {
            icp.push(icp[i - 1] + 0.5 * (cp[i] + cp[i - 1]));
        }
        let c: Vec<f64> = (0..30).map(|i| 0.02 * icp[i] + 0.3 * cp[i]).collect();
        let f = patlak(&icp, &cp, &c).unwrap();
        assert!((f.ki - 0.02).abs() < 1e-12 && (f.v0 - 0.3).abs() < 1e-12 && f.r2 > 0.999_999);
    }

    #[test]
    fn lm_fits_an_exponential_and_respects_bounds() {
        let t: Vec<f64> = (0..40).map(|i| i as f64 * 0.25).collect();
        let y: Vec<f64> = t.iter().map(|v| 3.0 * (-0.7 * v).exp()).collect();
        let model = |p: &[f64; 2], out: &mut [f64], jac: &mut [[f64; 2]]| {
            for (i, &tt) in t.iter().enumerate() {
                let e = (-p[1] * tt).exp();
                out[i] = p[0] * e;
                jac[i] = [e, -p[0] * tt * e];
            }
            true
        };
        let r = lm_bounded(
            model,
            &y,
            [1.0, 0.1],
            &[0.0, 0.0],
            &[10.0, 5.0],
            &LmOptions::default(),
        );
        assert_eq!(r.status, LmStatus::Converged);
        assert!(
            (r.p[0] - 3.0).abs() < 1e-7 && (r.p[1] - 0.7).abs() < 1e-7,
            "{:?}",
            r.p
        );
        // with an upper bound below the truth the rate sits on the bound
        let r = lm_bounded(
            model,
            &y,
            [1.0, 0.1],
            &[0.0, 0.0],
            &[10.0, 0.5],
            &LmOptions::default(),
        );
        assert_eq!(r.status, LmStatus::AtBound);
        assert_eq!(r.p[1], 0.5);
    }
}
