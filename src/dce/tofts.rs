//! Tofts, extended Tofts and Patlak fits of tissue concentration curves: linear least squares
//! (Murase 2004) and bounded Levenberg–Marquardt started from it, an optional arterial-delay
//! search, curve by curve or voxelwise over a mask.
use super::model::{conv_exp, shifted_input};
use super::DceError;
use crate::fit::{lm_bounded, lstsq, patlak, LmOptions, LmStatus};
use crate::progress;
use crate::roi::Mask;
use crate::volume::{Curve, Volume};
use ndarray::Array4;

/// Outcome of one voxel's fit; [`FitStatus::code`] gives the number stored in status maps
/// (see the table in the module docs of [`crate::dce`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitStatus {
    MaskedOut,
    Converged,
    AtBound,
    MaxIter,
    Failed,
}

impl FitStatus {
    /// 0 masked out, 1 converged, 2 at a bound, 3 iteration limit, 4 failed.
    pub fn code(self) -> u8 {
        match self {
            FitStatus::MaskedOut => 0,
            FitStatus::Converged => 1,
            FitStatus::AtBound => 2,
            FitStatus::MaxIter => 3,
            FitStatus::Failed => 4,
        }
    }
}

/// Pharmacokinetic model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// `C = Ktrans·cp ⊗ e^{−kep t}`.
    Tofts,
    /// `C = vp·cp + Ktrans·cp ⊗ e^{−kep t}`.
    ExtendedTofts,
    /// `C = vp·cp + PS·∫cp` (the `ktrans` field carries PS; kep and ve are NaN).
    Patlak,
}

/// Fitting method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Linear least squares on the integrated model equation (Murase 2004), trapezoidal
    /// integrals; the solution is clamped into the bounds (status 2 when clamped).
    Llsq,
    /// Bounded Levenberg–Marquardt on the exact model, started from the LLSQ solution.
    Nlls,
}

/// Options of the model fits.
#[derive(Clone, Copy, Debug)]
pub struct FitOptions {
    pub model: Model,
    pub method: Method,
    /// Search an arterial delay (AIF shifted later by `delay_s`) over
    /// `[delay_min_s, delay_max_s]` in steps of `delay_step_s`, refined by a parabola
    /// through the residuals around the best step.
    pub fit_delay: bool,
    pub delay_min_s: f64,
    pub delay_max_s: f64,
    pub delay_step_s: f64,
    /// Upper bound of Ktrans (and PS), 1/min; ve and vp lie in [1e-4, 1] and [0, 1].
    pub ktrans_max: f64,
    pub lm: LmOptions,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            model: Model::ExtendedTofts,
            method: Method::Nlls,
            fit_delay: false,
            delay_min_s: -10.0,
            delay_max_s: 20.0,
            delay_step_s: 1.0,
            ktrans_max: 5.0,
            lm: LmOptions {
                max_iter: 50,
                ftol: 1e-8,
                xtol: 1e-7,
            },
        }
    }
}

/// Fitted parameters of one curve. Rates per minute; `rmse` in the curve's unit (mM).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelFit {
    pub ktrans: f64,
    pub kep: f64,
    pub ve: f64,
    pub vp: f64,
    /// Arterial delay (s): the fitted one with `fit_delay`, else 0.
    pub delay_s: f64,
    pub rmse: f64,
    pub status: FitStatus,
}

impl ModelFit {
    fn failed() -> Self {
        ModelFit {
            ktrans: f64::NAN,
            kep: f64::NAN,
            ve: f64::NAN,
            vp: f64::NAN,
            delay_s: f64::NAN,
            rmse: f64::NAN,
            status: FitStatus::Failed,
        }
    }
}

const VE_MIN: f64 = 1e-4;

/// The input sampled at the frame times for one delay, with its running integral (mM·min).
struct Input {
    delay_s: f64,
    cp: Vec<f64>,
    icp: Vec<f64>,
}

fn cumtrapz(t: &[f64], y: &[f64], out: &mut Vec<f64>) {
    out.clear();
    out.push(0.0);
    let mut acc = 0.0;
    for i in 1..t.len() {
        acc += 0.5 * (y[i] + y[i - 1]) * (t[i] - t[i - 1]);
        out.push(acc);
    }
}

/// A fitter prepared for one AIF and one set of frame times; [`ToftsFitter::fit`] fits one
/// curve and is cheap enough to call per voxel (shared across threads).
pub struct ToftsFitter {
    times_s: Vec<f64>,
    t_min: Vec<f64>,
    aif: Curve,
    opts: FitOptions,
    inputs: Vec<Input>,
}

impl ToftsFitter {
    /// Check the arguments and sample the AIF (a PLASMA curve, any sampling) at the frame
    /// times, for every candidate delay. Errors if the AIF does not cover the frames.
    pub fn new(times_s: &[f64], aif: &Curve, opts: &FitOptions) -> Result<Self, DceError> {
        const OP: &str = "tofts";
        let n = times_s.len();
        let np = match opts.model {
            Model::ExtendedTofts => 3,
            _ => 2,
        };
        if n < np + 2 {
            return Err(DceError::arg(
                OP,
                format!("{n} frames are too few to fit {np} parameters"),
            ));
        }
        if times_s.iter().any(|t| !t.is_finite()) || times_s.windows(2).any(|w| w[1] <= w[0]) {
            return Err(DceError::arg(
                OP,
                "frame times must be finite and strictly increasing",
            ));
        }
        if let Some(i) = aif.values.iter().position(|v| !v.is_finite()) {
            return Err(DceError::arg(
                OP,
                format!("the AIF value at {} s is not finite", aif.times_s[i]),
            ));
        }
        let (a0, a1) = (aif.times_s[0], aif.times_s[aif.len() - 1]);
        let tol = 1e-6 * (1.0 + a1.abs());
        if times_s[0] < a0 - tol || times_s[n - 1] > a1 + tol {
            return Err(DceError::arg(
                OP,
                format!(
                    "the AIF covers {a0}–{a1} s but the frames run {}–{} s; give an AIF sampled over the whole series",
                    times_s[0],
                    times_s[n - 1]
                ),
            ));
        }
        if !(opts.ktrans_max > 0.0) {
            return Err(DceError::arg(OP, "ktrans_max must be positive"));
        }
        let mut delays = vec![0.0];
        if opts.fit_delay {
            if !(opts.delay_step_s > 0.0) || !(opts.delay_max_s >= opts.delay_min_s) {
                return Err(DceError::arg(
                    OP,
                    format!(
                        "the delay search needs delay_min_s ≤ delay_max_s and delay_step_s > 0, got {}, {}, {}",
                        opts.delay_min_s, opts.delay_max_s, opts.delay_step_s
                    ),
                ));
            }
            let m = ((opts.delay_max_s - opts.delay_min_s) / opts.delay_step_s).floor() as usize;
            if m > 2000 {
                return Err(DceError::arg(
                    OP,
                    "the delay search has more than 2000 steps",
                ));
            }
            delays = (0..=m)
                .map(|i| opts.delay_min_s + i as f64 * opts.delay_step_s)
                .collect();
        }
        let t_min: Vec<f64> = times_s.iter().map(|t| t / 60.0).collect();
        let mut fitter = ToftsFitter {
            times_s: times_s.to_vec(),
            t_min,
            aif: aif.clone(),
            opts: *opts,
            inputs: Vec::new(),
        };
        fitter.inputs = delays.iter().map(|&d| fitter.input(d)).collect();
        Ok(fitter)
    }

    fn input(&self, delay_s: f64) -> Input {
        let cp = shifted_input(&self.aif, &self.times_s, delay_s);
        let mut icp = Vec::new();
        cumtrapz(&self.t_min, &cp, &mut icp);
        Input { delay_s, cp, icp }
    }

    /// Fit one tissue curve (mM at the frame times). Non-finite samples → status 4, NaN.
    pub fn fit(&self, c: &[f64]) -> ModelFit {
        if c.len() != self.t_min.len() || c.iter().any(|v| !v.is_finite()) {
            return ModelFit::failed();
        }
        // −∫c does not depend on the delay: once per curve
        let mut ic = Vec::with_capacity(c.len());
        cumtrapz(&self.t_min, c, &mut ic);
        ic.iter_mut().for_each(|v| *v = -*v);
        if !self.opts.fit_delay {
            return self.fit_at(&self.inputs[0], c, &ic).0;
        }
        // grid search with the linear fit
        let lin: Vec<(ModelFit, f64)> = self
            .inputs
            .iter()
            .map(|inp| self.llsq_at(inp, c, &ic))
            .collect();
        let rss: Vec<f64> = lin.iter().map(|l| l.1).collect();
        let Some(b) = (0..rss.len())
            .filter(|&i| rss[i].is_finite())
            .min_by(|&i, &j| rss[i].total_cmp(&rss[j]))
        else {
            return ModelFit::failed();
        };
        let h = self.opts.delay_step_s;
        let mut best = self.refine(&self.inputs[b], c, lin[b]);
        if b == 0 || b + 1 == self.inputs.len() {
            return best.0;
        }
        let (rm, r0, rp) = match self.opts.method {
            Method::Nlls => (
                self.refine(&self.inputs[b - 1], c, lin[b - 1]).1,
                best.1,
                self.refine(&self.inputs[b + 1], c, lin[b + 1]).1,
            ),
            Method::Llsq => (rss[b - 1], rss[b], rss[b + 1]),
        };
        let den = rm - 2.0 * r0 + rp;
        if den > 0.0 && den.is_finite() {
            let off = (0.5 * h * (rm - rp) / den).clamp(-h, h);
            let inp = self.input(self.inputs[b].delay_s + off);
            let refined = self.fit_at(&inp, c, &ic);
            if refined.1 <= best.1 || !best.1.is_finite() {
                best = refined;
            }
        }
        best.0
    }

    /// Fit at one input (`ic` = −∫c); returns the fit and its residual sum of squares.
    fn fit_at(&self, inp: &Input, c: &[f64], ic: &[f64]) -> (ModelFit, f64) {
        self.refine(inp, c, self.llsq_at(inp, c, ic))
    }

    /// The fit of the chosen method from the linear fit `lin` at the same input: `lin` itself
    /// for LLSQ (and Patlak), else NLLS started from it.
    fn refine(&self, inp: &Input, c: &[f64], lin: (ModelFit, f64)) -> (ModelFit, f64) {
        match (self.opts.method, self.opts.model) {
            (Method::Llsq, _) | (_, Model::Patlak) => lin,
            (Method::Nlls, _) => self.nlls_at(inp, c, &lin.0),
        }
    }

    fn forward(&self, inp: &Input, k: f64, ve: f64, vp: f64, out: &mut [f64]) {
        conv_exp(&self.t_min, &inp.cp, k / ve, out);
        for (o, cp) in out.iter_mut().zip(&inp.cp) {
            *o = k * *o + vp * cp;
        }
    }

    fn rss(c: &[f64], f: &[f64]) -> f64 {
        c.iter().zip(f).map(|(a, b)| (a - b) * (a - b)).sum()
    }

    fn done(
        &self,
        k: f64,
        ve: f64,
        vp: f64,
        delay_s: f64,
        rss: f64,
        status: FitStatus,
    ) -> (ModelFit, f64) {
        let n = self.t_min.len() as f64;
        let (kep, ve) = match self.opts.model {
            Model::Patlak => (f64::NAN, f64::NAN),
            _ => (k / ve, ve),
        };
        (
            ModelFit {
                ktrans: k,
                kep,
                ve,
                vp,
                delay_s,
                rmse: (rss / n).sqrt(),
                status,
            },
            rss,
        )
    }

    /// Murase linear least squares (`ic` = −∫c), clamped into the bounds; RSS of the exact
    /// forward model.
    fn llsq_at(&self, inp: &Input, c: &[f64], ic: &[f64]) -> (ModelFit, f64) {
        if self.opts.model == Model::Patlak {
            return match patlak(&inp.icp, &inp.cp, c) {
                Some(p) => self.done(
                    p.ki,
                    f64::NAN,
                    p.v0,
                    inp.delay_s,
                    p.rss,
                    FitStatus::Converged,
                ),
                None => (ModelFit::failed(), f64::NAN),
            };
        }
        let (k, kep, vp) = match self.opts.model {
            Model::ExtendedTofts => match lstsq([&inp.icp, ic, &inp.cp], c) {
                Some([b1, kep, vp]) => (b1 - kep * vp, kep, vp),
                None => return (ModelFit::failed(), f64::NAN),
            },
            _ => match lstsq([&inp.icp, ic], c) {
                Some([k, kep]) => (k, kep, 0.0),
                None => return (ModelFit::failed(), f64::NAN),
            },
        };
        let mut at = false;
        let mut clamp = |x: f64, lo: f64, hi: f64| {
            if x < lo {
                at = true;
                lo
            } else if x > hi {
                at = true;
                hi
            } else {
                x
            }
        };
        let k = clamp(k, 0.0, self.opts.ktrans_max);
        let vp = clamp(vp, 0.0, 1.0);
        let ve = if kep > 0.0 {
            clamp(k / kep, VE_MIN, 1.0)
        } else {
            clamp(2.0, VE_MIN, 1.0)
        };
        let mut f = vec![0.0; c.len()];
        self.forward(inp, k, ve, vp, &mut f);
        let rss = Self::rss(c, &f);
        let status = if at {
            FitStatus::AtBound
        } else {
            FitStatus::Converged
        };
        self.done(k, ve, vp, inp.delay_s, rss, status)
    }

    /// Bounded LM on (Ktrans, ve[, vp]) started from the LLSQ fit.
    fn nlls_at(&self, inp: &Input, c: &[f64], start: &ModelFit) -> (ModelFit, f64) {
        let t = &self.t_min;
        let n = t.len();
        let kmax = self.opts.ktrans_max;
        let (k0, ve0, vp0) = if start.ktrans.is_finite() {
            (
                start.ktrans.clamp(1e-3, kmax),
                start.ve.clamp(0.01, 0.99),
                start.vp.clamp(0.0, 0.99),
            )
        } else {
            (0.1, 0.2, 0.01)
        };
        let mut e = vec![0.0; n];
        let mut e2 = vec![0.0; n];
        let cp = &inp.cp;
        let status_of = |s: LmStatus| match s {
            LmStatus::Converged => FitStatus::Converged,
            LmStatus::AtBound => FitStatus::AtBound,
            LmStatus::MaxIter => FitStatus::MaxIter,
            LmStatus::Failed => FitStatus::Failed,
        };
        let conv = |k: f64, ve: f64, e: &mut [f64], e2: &mut [f64]| {
            let kep = k / ve;
            conv_exp(t, cp, kep, e);
            let h = 1e-6 * kep.max(1e-2);
            conv_exp(t, cp, kep + h, e2);
            h
        };
        match self.opts.model {
            Model::ExtendedTofts => {
                let model = |p: &[f64; 3], out: &mut [f64], jac: &mut [[f64; 3]]| {
                    let (k, ve, vp) = (p[0], p[1], p[2]);
                    let h = conv(k, ve, &mut e, &mut e2);
                    for i in 0..n {
                        let de = (e2[i] - e[i]) / h;
                        out[i] = k * e[i] + vp * cp[i];
                        jac[i] = [e[i] + k * de / ve, -k * k * de / (ve * ve), cp[i]];
                    }
                    true
                };
                let r = lm_bounded(
                    model,
                    c,
                    [k0, ve0, vp0],
                    &[0.0, VE_MIN, 0.0],
                    &[kmax, 1.0, 1.0],
                    &self.opts.lm,
                );
                if r.status == LmStatus::Failed {
                    return (ModelFit::failed(), f64::NAN);
                }
                self.done(
                    r.p[0],
                    r.p[1],
                    r.p[2],
                    inp.delay_s,
                    r.rss,
                    status_of(r.status),
                )
            }
            _ => {
                let model = |p: &[f64; 2], out: &mut [f64], jac: &mut [[f64; 2]]| {
                    let (k, ve) = (p[0], p[1]);
                    let h = conv(k, ve, &mut e, &mut e2);
                    for i in 0..n {
                        let de = (e2[i] - e[i]) / h;
                        out[i] = k * e[i];
                        jac[i] = [e[i] + k * de / ve, -k * k * de / (ve * ve)];
                    }
                    true
                };
                let r = lm_bounded(
                    model,
                    c,
                    [k0, ve0],
                    &[0.0, VE_MIN],
                    &[kmax, 1.0],
                    &self.opts.lm,
                );
                if r.status == LmStatus::Failed {
                    return (ModelFit::failed(), f64::NAN);
                }
                self.done(r.p[0], r.p[1], 0.0, inp.delay_s, r.rss, status_of(r.status))
            }
        }
    }
}

/// Fit one tissue curve `c` (mM at `times_s`) with a plasma AIF given as a curve.
pub fn fit_curve(
    times_s: &[f64],
    aif: &Curve,
    c: &[f64],
    opts: &FitOptions,
) -> Result<ModelFit, DceError> {
    if c.len() != times_s.len() {
        return Err(DceError::arg(
            "tofts",
            format!(
                "the curve has {} samples but there are {} times",
                c.len(),
                times_s.len()
            ),
        ));
    }
    Ok(ToftsFitter::new(times_s, aif, opts)?.fit(c))
}

/// Parameter maps of a voxelwise fit (3-D volumes on the concentration grid). Outside the mask
/// every map is NaN and the status is 0; failed voxels are NaN with status 4.
#[derive(Clone, Debug)]
pub struct ParamMaps {
    /// Ktrans (1/min); PS for the Patlak model.
    pub ktrans: Volume,
    pub kep: Volume,
    pub ve: Volume,
    pub vp: Volume,
    pub rmse: Volume,
    pub status: Volume,
    /// Fitted arterial delay (s), with `fit_delay`.
    pub delay_s: Option<Volume>,
}

/// Voxelwise fit of a 4-D concentration series (mM, frame mid-times) inside `mask`, in
/// parallel with progress and cancellation.
pub fn fit_maps(
    conc: &Volume,
    aif: &Curve,
    mask: &Mask,
    opts: &FitOptions,
) -> Result<ParamMaps, DceError> {
    const OP: &str = "tofts";
    conc.grid
        .require_same(&mask.grid, OP, "the concentration series and the mask")?;
    let times = conc.require_times(OP)?.mid_s();
    let fitter = ToftsFitter::new(&times, aif, opts)?;
    let idx = mask.indices();
    let fits = progress::par_map(OP, idx.len(), 1024, |i| {
        let c: Vec<f64> = conc.voxel_curve(idx[i]).iter().map(|&x| x as f64).collect();
        let f = fitter.fit(&c);
        // compact per-voxel result (f32, as stored in the maps)
        [
            f.ktrans,
            f.kep,
            f.ve,
            f.vp,
            f.rmse,
            f.status.code() as f64,
            f.delay_s,
        ]
        .map(|x| x as f32)
    })?;
    let [nx, ny, nz] = conc.grid.dim;
    let nv = conc.grid.n_voxels();
    let mut bufs: Vec<Vec<f32>> = (0..7).map(|_| vec![f32::NAN; nv]).collect();
    bufs[5].fill(0.0);
    for (&v, f) in idx.iter().zip(&fits) {
        for (b, &x) in bufs.iter_mut().zip(f) {
            b[v] = x;
        }
    }
    let mut vols = Vec::with_capacity(7);
    for b in bufs {
        let a = Array4::from_shape_vec((nx, ny, nz, 1), b).expect("buffer sized to the grid");
        let mut v = Volume::new(conc.grid.clone(), a, None)?;
        v.codes = conc.codes.clone();
        vols.push(v);
    }
    let delay = vols.pop().filter(|_| opts.fit_delay);
    let mut it = vols.into_iter();
    let mut next = || it.next().expect("six maps");
    Ok(ParamMaps {
        ktrans: next(),
        kep: next(),
        ve: next(),
        vp: next(),
        rmse: next(),
        status: next(),
        delay_s: delay,
    })
}

/// Index (from 0) of the peak-enhancing phase: the frame with the largest mean signal inside
/// `mask` (NaN voxels skipped).
pub fn peak_phase(dce: &Volume, mask: &Mask) -> Result<usize, DceError> {
    const OP: &str = "peak_phase";
    dce.grid
        .require_same(&mask.grid, OP, "the series and the mask")?;
    let idx = mask.indices();
    if idx.is_empty() {
        return Err(DceError::arg(OP, "the mask is empty"));
    }
    let nt = dce.n_frames();
    let mut sum = vec![0.0f64; nt];
    let mut cnt = vec![0usize; nt];
    for &v in &idx {
        for (t, &x) in dce.voxel_curve(v).iter().enumerate() {
            if x.is_finite() {
                sum[t] += x as f64;
                cnt[t] += 1;
            }
        }
    }
    (0..nt)
        .filter(|&t| cnt[t] > 0)
        .max_by(|&a, &b| (sum[a] / cnt[a] as f64).total_cmp(&(sum[b] / cnt[b] as f64)))
        .ok_or_else(|| DceError::arg(OP, "every voxel in the mask is NaN"))
}

#[cfg(test)]
mod tests {
    use super::super::{conc_tofts, parker_aif};
    use super::*;

    fn setup() -> (Vec<f64>, Curve) {
        let t: Vec<f64> = (0..48).map(|i| i as f64 * 6.0).collect();
        let cp = parker_aif(&t, 0.42, 20.0);
        (t.clone(), Curve::new(t, cp).unwrap())
    }

    #[test]
    fn noiseless_extended_tofts_is_recovered_by_both_methods() {
        let (t, aif) = setup();
        let c = conc_tofts(&t, &aif.values, 0.25, 0.35, 0.05);
        for method in [Method::Llsq, Method::Nlls] {
            let o = FitOptions {
                method,
                ..Default::default()
            };
            let f = fit_curve(&t, &aif, &c, &o).unwrap();
            let tol = if method == Method::Nlls { 1e-5 } else { 0.02 };
            assert!((f.ktrans - 0.25).abs() < tol * 0.25, "{method:?} {f:?}");
            assert!(
                (f.ve - 0.35).abs() < tol * 0.35 && (f.vp - 0.05).abs() < tol,
                "{f:?}"
            );
            assert!((f.kep - 0.25 / 0.35).abs() < 3.0 * tol, "{f:?}");
        }
    }

    #[test]
    fn delay_is_found() {
        let (t, aif) = setup();
        let shifted = shifted_input(&aif, &t, 7.0);
        let c = conc_tofts(&t, &shifted, 0.2, 0.3, 0.02);
        let o = FitOptions {
            fit_delay: true,
            ..Default::default()
        };
        let f = fit_curve(&t, &aif, &c, &o).unwrap();
        assert!(
            (f.delay_s - 7.0).abs() < 0.5 && (f.ktrans - 0.2).abs() < 0.01,
            "{f:?}"
        );
    }

    #[test]
    fn bad_curves_fail_per_voxel_and_bad_aifs_per_call() {
        let (t, aif) = setup();
        let o = FitOptions::default();
        let mut c = vec![0.1; 48];
        c[3] = f64::NAN;
        assert_eq!(
            fit_curve(&t, &aif, &c, &o).unwrap().status,
            FitStatus::Failed
        );
        let short = Curve::new(t[..10].to_vec(), aif.values[..10].to_vec()).unwrap();
        let e = fit_curve(&t, &short, &[0.0; 48], &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("AIF covers"), "{e}");
    }
}
