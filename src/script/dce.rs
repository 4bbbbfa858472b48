//! Script functions of the `dce` domain.
use super::convert::{f64_vec, map_of, num, Opts};
use super::docs::FnDoc;
use super::{err, rerr, RResult};
use crate::dce::{self, ConcParams, FitOptions, Method, Model, ParamMaps, T1Input, VfaMethod};
use crate::roi::Mask;
use crate::volume::{Curve, Volume};
use rhai::{Array, Dynamic, Engine, Map, INT};

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "vfa_t1", domain: "dce",
        signature: "vfa_t1(vfa_4d, fa_deg_array, #{tr_ms, b1: Volume, method: \"linear\"|\"nonlinear\", mask: Mask}) -> #{t1_ms, m0, status}",
        doc: "Baseline T1 (ms) and M0 from variable-flip-angle SPGR images, one frame per flip angle (deg). method \"linear\" is DESPOT1, \"nonlinear\" (default) a bounded Levenberg–Marquardt fit of the SPGR equation started from it. b1 is a 3-D map of actual/nominal flip angle (a ratio: divide a percent map by 100) that scales the angles voxel by voxel. tr_ms defaults to the sidecar RepetitionTime (s → ms). Voxels outside mask or failing (non-positive signal, bad B1) are NaN; status: 0 outside mask, 1 converged, 2 at a bound (T1 ≥ 1e5 ms), 3 iteration limit, 4 failed.",
        example: "let t1 = vfa_t1(vfa, [2, 5, 10, 15], #{tr_ms: 4.1, b1: b1 / 100.0, mask: breast});\nprint(t1.t1_ms.median(tumour));" },
    FnDoc { name: "spgr_conc", domain: "dce",
        signature: "spgr_conc(dce_4d, t1_ms_vol_or_number, #{tr_ms, fa_deg, r1_per_mm_s: 4.97, n_baseline: 5, b1: Volume, mask: Mask}) -> Volume (mM)",
        doc: "Contrast-agent concentration from an SPGR dynamic series by inverting the SPGR equation with the pre-contrast T1 (a 3-D map or one value, ms). Baseline signal = mean of frames 1 … n_baseline−1 (frame 0 skipped, the OSIPI definition). S0 = Sb(1−E10 cos α)/(sin α (1−E10)); R1(t) = −ln[(S0 sin α − S)/(S0 sin α − S cos α)]/TR; C = (R1 − 1/T10)/r1. Default relaxivity: gadobutrol in plasma at 3 T, 4.97 L/mmol/s (Szomolanyi 2019). tr_ms / fa_deg default to the sidecar RepetitionTime (s) / FlipAngle. b1 (ratio) scales the flip angle per voxel. Frames where the inversion is undefined, and voxels outside mask, are NaN.",
        example: "let conc = spgr_conc(dce, t1.t1_ms, #{tr_ms: 4.1, fa_deg: 15, n_baseline: 5, b1: b1 / 100.0});" },
    FnDoc { name: "parker_aif", domain: "dce",
        signature: "parker_aif(times_s, #{hct: 0.42, delay_s: 0}) -> Curve (plasma, mM)",
        doc: "Parker et al. 2006 population AIF (Table 1; whole blood for 0.1 mmol/kg), converted to plasma by dividing by (1 − hct), zero before delay_s. hct 0 returns the blood curve.",
        example: "let aif = parker_aif(dce.times, #{hct: 0.42, delay_s: 30});" },
    FnDoc { name: "georgiou_aif", domain: "dce",
        signature: "georgiou_aif(times_s, #{hct: 0.42, delay_s: 0}) -> Curve (plasma, mM)",
        doc: "Georgiou et al. 2019 population AIF (Horsfield functional form with recirculation, parameters refined to the authors' supplementary curve), blood / (1 − hct), zero before delay_s.",
        example: "let aif = georgiou_aif(dce.times, #{delay_s: 25});" },
    FnDoc { name: "weinmann_aif", domain: "dce",
        signature: "weinmann_aif(times_s, #{dose_mmol_kg: 0.1, delay_s: 0}) -> Curve (plasma, mM)",
        doc: "Weinmann bi-exponential plasma curve as used by Tofts & Kermode 1991: D·(3.99·e^(−0.144 t) + 4.78·e^(−0.0111 t)), t in min after an instantaneous bolus at delay_s.",
        example: "let aif = weinmann_aif(dce.times, #{dose_mmol_kg: 0.1, delay_s: 20});" },
    FnDoc { name: "blood_to_plasma", domain: "dce",
        signature: "blood_to_plasma(curve, hct) -> Curve",
        doc: "A measured whole-blood AIF (e.g. roi_curve of a concentration series in an artery) converted to plasma: values / (1 − hct).",
        example: "let aif = blood_to_plasma(roi_curve(conc, artery), 0.42);" },
    FnDoc { name: "tofts", domain: "dce",
        signature: "tofts(conc_4d, aif_curve, mask, #{extended: true, method: \"nlls\"|\"llsq\", fit_delay: false, delay_min_s: -10, delay_max_s: 20, delay_step_s: 1, ktrans_max: 5}) -> #{ktrans, kep, ve, vp, rmse, status[, delay_s]}",
        doc: "Voxelwise (extended) Tofts fit inside mask, in parallel with progress and Ctrl-C. The plasma AIF may have any sampling; it is interpolated onto the frame mid-times and must cover them. method \"llsq\": Murase linear least squares, clamped into the bounds; \"nlls\" (default): bounded Levenberg–Marquardt on the exact model (recursive convolution) started from LLSQ. Bounds: Ktrans [0, ktrans_max] /min, ve [1e-4, 1], vp [0, 1]. fit_delay searches an arterial delay (AIF shifted later) on the grid and refines it by a parabola; delay_s (s) is then returned. Rates per minute. status: 0 outside mask, 1 converged, 2 at a bound, 3 iteration limit, 4 failed (NaN curve, singular fit; parameters NaN).",
        example: "let pk = tofts(conc, aif, tumour, #{extended: true, method: \"nlls\"});\nprint(pk.ktrans.median(tumour));" },
    FnDoc { name: "dce_patlak", domain: "dce",
        signature: "dce_patlak(conc_4d, aif_curve, mask, #{fit_delay: false, delay_min_s, delay_max_s, delay_step_s}) -> #{ps, vp, rmse, status[, delay_s]}",
        doc: "Voxelwise Patlak model for DCE, C = vp·cp + PS·∫cp, by linear least squares (PS in /min). Same AIF handling, delay search and status codes as tofts().",
        example: "let p = dce_patlak(conc, aif, tumour);\nprint(p.ps.mean(tumour));" },
    FnDoc { name: "tofts_curve", domain: "dce",
        signature: "tofts_curve(tissue_curve, aif_curve, #{extended, method, fit_delay, model: \"tofts\"|\"extended\"|\"patlak\", ...}) -> #{ktrans, kep, ve, vp, delay_s, rmse, status}",
        doc: "The tofts() fit of one curve (e.g. an ROI mean curve from roi_curve), same options; model \"patlak\" returns PS in ktrans. status is the numeric code.",
        example: "let f = tofts_curve(roi_curve(conc, tumour), aif, #{method: \"nlls\"});\nprint(f.ktrans);" },
    FnDoc { name: "conc_tofts", domain: "dce",
        signature: "conc_tofts(times_s, aif_curve, #{ktrans, ve, vp: 0, delay_s: 0}) -> Curve (mM)",
        doc: "Forward extended Tofts model (vp 0: standard Tofts) at times_s for a plasma AIF, exact recursive convolution of the piecewise-linear input. ktrans in /min. The AIF must cover times_s (it is 0 before its start when delayed).",
        example: "let c = conc_tofts(dce.times, aif, #{ktrans: 0.25, ve: 0.3, vp: 0.05});" },
    FnDoc { name: "peak_phase", domain: "dce",
        signature: "peak_phase(dce_4d, mask) -> int",
        doc: "Index (from 0) of the peak-enhancing phase: the frame with the highest mean signal inside mask. Used to draw ROIs and to register PET.",
        example: "let p = peak_phase(dce, tumour);\nlet peak = dce.frame(p);" },
];

fn dce_err(e: dce::DceError) -> Box<rhai::EvalAltResult> {
    rerr(e)
}

fn times_arg(a: &Array, op: &str) -> RResult<Vec<f64>> {
    let t = f64_vec(a, &format!("{op}: times_s"))?;
    if t.is_empty() {
        return Err(err(format!("{op}: times_s is empty")));
    }
    if let Some(i) = t.iter().position(|x| !x.is_finite()) {
        return Err(err(format!("{op}: times_s[{i}] is not a finite number")));
    }
    if let Some(i) = t.windows(2).position(|w| w[1] <= w[0]) {
        return Err(err(format!(
            "{op}: times_s must increase strictly, but times_s[{}] = {} ≥ times_s[{}] = {}",
            i,
            t[i],
            i + 1,
            t[i + 1]
        )));
    }
    Ok(t)
}

fn hct_delay(op: &str, o: &Opts) -> RResult<(f64, f64)> {
    let hct = o.f64("hct", 0.42)?;
    if !(0.0..1.0).contains(&hct) {
        return Err(err(format!(
            "{op}: option 'hct' must be a fraction in [0, 1), got {hct}"
        )));
    }
    let d = o.f64("delay_s", 0.0)?;
    if !d.is_finite() {
        return Err(err(format!("{op}: option 'delay_s' must be finite")));
    }
    Ok((hct, d))
}

fn curve(t: Vec<f64>, v: Vec<f64>) -> RResult<Curve> {
    Curve::new(t, v).map_err(rerr)
}

/// A number from the sidecar (BIDS) key, scaled, if present.
fn meta_num(v: &Volume, key: &str) -> Option<f64> {
    v.meta.get(key).and_then(|x| x.as_f64())
}

const FIT_KEYS: &[&str] = &[
    "extended",
    "method",
    "fit_delay",
    "delay_min_s",
    "delay_max_s",
    "delay_step_s",
    "ktrans_max",
];

fn fit_options(op: &str, o: &Opts, model: Model) -> RResult<FitOptions> {
    let d = FitOptions::default();
    let method = match o.choice("method", "nlls", &["nlls", "llsq"])?.as_str() {
        "llsq" => Method::Llsq,
        _ => Method::Nlls,
    };
    let model = match model {
        Model::Patlak => Model::Patlak,
        _ if o.bool("extended", true)? => Model::ExtendedTofts,
        _ => Model::Tofts,
    };
    let opts = FitOptions {
        model,
        method,
        fit_delay: o.bool("fit_delay", false)?,
        delay_min_s: o.f64("delay_min_s", d.delay_min_s)?,
        delay_max_s: o.f64("delay_max_s", d.delay_max_s)?,
        delay_step_s: o.f64("delay_step_s", d.delay_step_s)?,
        ktrans_max: o.f64("ktrans_max", d.ktrans_max)?,
        lm: d.lm,
    };
    if !(opts.ktrans_max > 0.0 && opts.ktrans_max.is_finite()) {
        return Err(err(format!("{op}: option 'ktrans_max' must be positive")));
    }
    Ok(opts)
}

fn maps_to_rhai(m: ParamMaps, patlak: bool) -> Map {
    let mut items = if patlak {
        vec![("ps", Dynamic::from(m.ktrans)), ("vp", Dynamic::from(m.vp))]
    } else {
        vec![
            ("ktrans", Dynamic::from(m.ktrans)),
            ("kep", Dynamic::from(m.kep)),
            ("ve", Dynamic::from(m.ve)),
            ("vp", Dynamic::from(m.vp)),
        ]
    };
    items.push(("rmse", Dynamic::from(m.rmse)));
    items.push(("status", Dynamic::from(m.status)));
    if let Some(d) = m.delay_s {
        items.push(("delay_s", Dynamic::from(d)));
    }
    map_of(items)
}

fn vfa_t1(vfa: Volume, fa: Array, map: Map) -> RResult<Map> {
    const OP: &str = "vfa_t1";
    let o = Opts::new(OP, map, &["tr_ms", "b1", "method", "mask"])?;
    let fa = f64_vec(&fa, &format!("{OP}: fa_deg"))?;
    let tr_ms = match o.f64_opt("tr_ms")? {
        Some(t) => t,
        None => meta_num(&vfa, "RepetitionTime")
            .map(|s| s * 1000.0)
            .ok_or_else(|| {
                err(format!(
                    "{OP}: option 'tr_ms' is required (no RepetitionTime in the sidecar)"
                ))
            })?,
    };
    let method = match o
        .choice("method", "nonlinear", &["linear", "nonlinear"])?
        .as_str()
    {
        "linear" => VfaMethod::Linear,
        _ => VfaMethod::Nonlinear,
    };
    let b1 = o.volume_opt("b1")?;
    let mask = o.mask_opt("mask")?;
    let m = dce::vfa_t1(&vfa, &fa, tr_ms, b1.as_ref(), method, mask.as_ref()).map_err(dce_err)?;
    Ok(map_of(vec![
        ("t1_ms", Dynamic::from(m.t1_ms)),
        ("m0", Dynamic::from(m.m0)),
        ("status", Dynamic::from(m.status)),
    ]))
}

fn spgr_conc(dce_vol: Volume, t1: Dynamic, map: Map) -> RResult<Volume> {
    const OP: &str = "spgr_conc";
    let o = Opts::new(
        OP,
        map,
        &["tr_ms", "fa_deg", "r1_per_mm_s", "n_baseline", "b1", "mask"],
    )?;
    let t1_map = t1.clone().try_cast::<Volume>();
    let t1_in = match &t1_map {
        Some(v) => T1Input::Map(v),
        None => T1Input::Scalar(num(&t1, &format!("{OP}: t1_ms (a Volume or a number)"))?),
    };
    let tr_ms = match o.f64_opt("tr_ms")? {
        Some(t) => t,
        None => meta_num(&dce_vol, "RepetitionTime")
            .map(|s| s * 1000.0)
            .ok_or_else(|| {
                err(format!(
                    "{OP}: option 'tr_ms' is required (no RepetitionTime in the sidecar)"
                ))
            })?,
    };
    let fa_deg = match o.f64_opt("fa_deg")? {
        Some(a) => a,
        None => meta_num(&dce_vol, "FlipAngle").ok_or_else(|| {
            err(format!(
                "{OP}: option 'fa_deg' is required (no FlipAngle in the sidecar)"
            ))
        })?,
    };
    let nb = o.int("n_baseline", 5)?;
    if nb < 0 {
        return Err(err(format!(
            "{OP}: option 'n_baseline' must not be negative"
        )));
    }
    let p = ConcParams {
        tr_ms,
        fa_deg,
        r1_per_mm_s: o.f64("r1_per_mm_s", dce::GADOBUTROL_R1_3T)?,
        n_baseline: nb as usize,
    };
    let b1 = o.volume_opt("b1")?;
    let mask = o.mask_opt("mask")?;
    dce::spgr_conc(&dce_vol, t1_in, &p, b1.as_ref(), mask.as_ref()).map_err(dce_err)
}

fn tofts_maps(conc: Volume, aif: Curve, mask: Mask, map: Map, model: Model) -> RResult<Map> {
    let op = if model == Model::Patlak {
        "dce_patlak"
    } else {
        "tofts"
    };
    let keys: Vec<&str> = if model == Model::Patlak {
        vec!["fit_delay", "delay_min_s", "delay_max_s", "delay_step_s"]
    } else {
        FIT_KEYS.to_vec()
    };
    let o = Opts::new(op, map, &keys)?;
    let mut opts = fit_options(op, &o, model)?;
    if model == Model::Patlak {
        opts.method = Method::Llsq;
    }
    let m = dce::fit_maps(&conc, &aif, &mask, &opts).map_err(dce_err)?;
    Ok(maps_to_rhai(m, model == Model::Patlak))
}

fn tofts_curve(c: Curve, aif: Curve, map: Map) -> RResult<Map> {
    const OP: &str = "tofts_curve";
    let mut keys = FIT_KEYS.to_vec();
    keys.push("model");
    let o = Opts::new(OP, map, &keys)?;
    let model = o.str_opt("model")?;
    let base = match model.as_deref() {
        Some("patlak") => Model::Patlak,
        _ => Model::ExtendedTofts,
    };
    let mut opts = fit_options(OP, &o, base)?;
    match model.as_deref() {
        None | Some("patlak") => {}
        Some("tofts") => opts.model = Model::Tofts,
        Some("extended") => opts.model = Model::ExtendedTofts,
        Some(other) => {
            return Err(err(format!(
                "{OP}: option 'model': '{other}' is not one of tofts, extended, patlak"
            )))
        }
    }
    let f = dce::fit_curve(&c.times_s, &aif, &c.values, &opts).map_err(dce_err)?;
    Ok(map_of(vec![
        ("ktrans", Dynamic::from_float(f.ktrans)),
        ("kep", Dynamic::from_float(f.kep)),
        ("ve", Dynamic::from_float(f.ve)),
        ("vp", Dynamic::from_float(f.vp)),
        ("delay_s", Dynamic::from_float(f.delay_s)),
        ("rmse", Dynamic::from_float(f.rmse)),
        ("status", Dynamic::from_int(f.status.code() as INT)),
    ]))
}

fn conc_tofts(t: Array, aif: Curve, map: Map) -> RResult<Curve> {
    const OP: &str = "conc_tofts";
    let o = Opts::new(OP, map, &["ktrans", "ve", "vp", "delay_s"])?;
    let t = times_arg(&t, OP)?;
    let k = o.f64_req("ktrans")?;
    let ve = o.f64_req("ve")?;
    let vp = o.f64("vp", 0.0)?;
    let d = o.f64("delay_s", 0.0)?;
    let ok = k >= 0.0 && k.is_finite() && ve > 0.0 && ve <= 1.0 && (0.0..=1.0).contains(&vp);
    if !ok {
        return Err(err(format!(
            "{OP}: need ktrans ≥ 0 (/min), 0 < ve ≤ 1 and 0 ≤ vp ≤ 1, got {k}, {ve}, {vp}"
        )));
    }
    // the undelayed AIF must cover the times (a delayed one is 0 before its start)
    let need: Vec<f64> = t
        .iter()
        .map(|x| x - d)
        .filter(|&x| x >= aif.times_s[0])
        .collect();
    aif.sample(&need, OP).map_err(rerr)?;
    let cp = dce::shifted_input(&aif, &t, d);
    let c = dce::conc_tofts(&t, &cp, k, ve, vp);
    curve(t, c)
}

/// Register this domain's types and functions.
pub fn register(engine: &mut Engine) {
    engine.register_fn("vfa_t1", vfa_t1);
    engine.register_fn("spgr_conc", spgr_conc);
    for (name, f) in [
        (
            "parker_aif",
            dce::parker_aif as fn(&[f64], f64, f64) -> Vec<f64>,
        ),
        ("georgiou_aif", dce::georgiou_aif),
    ] {
        engine.register_fn(name, move |t: Array, map: Map| -> RResult<Curve> {
            let o = Opts::new(name, map, &["hct", "delay_s"])?;
            let t = times_arg(&t, name)?;
            let (hct, d) = hct_delay(name, &o)?;
            let v = f(&t, hct, d);
            curve(t, v)
        });
        engine.register_fn(name, move |t: Array| -> RResult<Curve> {
            let t = times_arg(&t, name)?;
            let v = f(&t, 0.42, 0.0);
            curve(t, v)
        });
    }
    let weinmann = |t: Array, map: Map| -> RResult<Curve> {
        const OP: &str = "weinmann_aif";
        let o = Opts::new(OP, map, &["dose_mmol_kg", "delay_s"])?;
        let t = times_arg(&t, OP)?;
        let dose = o.f64("dose_mmol_kg", 0.1)?;
        if !(dose > 0.0 && dose.is_finite()) {
            return Err(err(format!(
                "{OP}: option 'dose_mmol_kg' must be positive, got {dose}"
            )));
        }
        let v = dce::weinmann_aif(&t, dose, o.f64("delay_s", 0.0)?);
        curve(t, v)
    };
    engine.register_fn("weinmann_aif", weinmann);
    engine.register_fn("weinmann_aif", move |t: Array| weinmann(t, Map::new()));
    engine.register_fn(
        "blood_to_plasma",
        |c: Curve, hct: Dynamic| -> RResult<Curve> {
            let h = num(&hct, "blood_to_plasma: hct")?;
            dce::blood_to_plasma(&c, h).map_err(dce_err)
        },
    );
    engine.register_fn("tofts", |c: Volume, a: Curve, m: Mask, o: Map| {
        tofts_maps(c, a, m, o, Model::ExtendedTofts)
    });
    engine.register_fn("tofts", |c: Volume, a: Curve, m: Mask| {
        tofts_maps(c, a, m, Map::new(), Model::ExtendedTofts)
    });
    engine.register_fn("dce_patlak", |c: Volume, a: Curve, m: Mask, o: Map| {
        tofts_maps(c, a, m, o, Model::Patlak)
    });
    engine.register_fn("dce_patlak", |c: Volume, a: Curve, m: Mask| {
        tofts_maps(c, a, m, Map::new(), Model::Patlak)
    });
    engine.register_fn("tofts_curve", tofts_curve);
    engine.register_fn("tofts_curve", |c: Curve, a: Curve| {
        tofts_curve(c, a, Map::new())
    });
    engine.register_fn("conc_tofts", conc_tofts);
    engine.register_fn("peak_phase", |v: Volume, m: Mask| -> RResult<INT> {
        dce::peak_phase(&v, &m).map(|i| i as INT).map_err(dce_err)
    });
}
