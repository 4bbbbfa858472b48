//! Script functions of the `pet` domain (and `dwi`: the ADC functions live here too).
use super::convert::{f64_vec, map_of, num, to_array, Opts};
use super::docs::FnDoc;
use super::{err, rerr, RResult};
use crate::roi::{self, Mask};
use crate::volume::register::{self, RigidOptions, RigidTransform};
use crate::volume::{Curve, Grid, Volume};
use crate::{dwi, pet};
use rhai::{Array, Dynamic, Engine, Map, FLOAT, INT};

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "suv", domain: "pet", signature: "suv(pet_vol, #{dose_mbq, weight_kg, delay_min}) -> Volume (g/mL) · suv(pet_vol)",
        doc: "Body-weight SUV = activity [Bq/mL] × weight [g] / dose [Bq], the injected dose decayed with the F-18 half-life (109.77 min) by 2^(−delay/T½), where delay_min is the time from injection to the time the image is decay-corrected to. Options win over the sidecar; missing options are read from it: InjectedRadioactivity (+ InjectedRadioactivityUnits, MBq if absent), BodyWeight (kg), and delay = ImageDecayCorrectionTime (else ScanStart) − InjectionStart (s). The image must be in Bq/mL (multiply a kBq/mL image by 1000 first).",
        example: "let late = pet.mean_frames(150, 180);\nlet s = suv(late, #{dose_mbq: 306, weight_kg: 70, delay_min: 120});\nprint(s.max(tumour));" },
    FnDoc { name: "suv_factor", domain: "pet", signature: "suv_factor(dose_mbq, weight_kg, delay_min) -> float (g/mL per Bq/mL)",
        doc: "The factor that turns Bq/mL into body-weight SUV: weight_kg·1000 / (dose_mbq·1e6·2^(−delay_min/109.77)).",
        example: "print(suv_factor(306, 70, 150) * 4200);  // SUV of 4200 Bq/mL" },
    FnDoc { name: "suv_peak", domain: "pet", signature: "suv_peak(suv_vol, mask) -> float · suv_peak(suv_vol, mask, #{ml: 1.0})",
        doc: "SUVpeak: the mean of a 3-D image over the voxel centres inside a sphere of `ml` mL (1 mL, radius 6.2 mm, by default, as PERCIST), centred on the voxel of `mask` where that mean is highest. The sphere may reach outside the mask; NaN voxels are skipped.",
        example: "print(suv_peak(s, tumour));" },
    FnDoc { name: "hotspot", domain: "pet", signature: "hotspot(vol, mask) -> Mask · hotspot(vol, mask, #{ml: 1.0})",
        doc: "Hotspot ROI: the voxels of `mask` inside the sphere of `ml` mL (default 1) centred where `vol` is highest on average (the SUVpeak search). Works for any 3-D map (SUV, Ki, an enhancement image).",
        example: "let hot = hotspot(ktrans, tumour, #{ml: 0.5});\nprint(ki.mean(hot));" },
    FnDoc { name: "tmax_m", domain: "pet", signature: "tmax_m(vol, tumour_mask, muscle_mask) -> float",
        doc: "Maximum tumour-to-muscle ratio Tmax/M: max of `vol` in the tumour over the mean of `vol` in the muscle ROI. Both come from the same image, so any unit (Bq/mL, SUV) cancels.",
        example: "print(tmax_m(pet.mean_frames(150, 180), tumour, muscle));" },
    FnDoc { name: "tmax_p", domain: "pet", signature: "tmax_p(vol, tumour_mask, plasma_curve, #{window_min: [150, 180]}) -> float",
        doc: "Maximum tumour-to-plasma ratio Tmax/P: max of `vol` (the image averaged over window_min) in the tumour over the plasma activity at the window's mid-time (165 min by default), linearly interpolated between the venous samples of `plasma_curve` (times in s). Units must agree: the image and the samples in the same activity unit (e.g. both Bq/mL) and decay-corrected to the same reference; scale one with `* k` or `.scale(k)` if they do not.",
        example: "let blood = curve([7080, 10920], [5100.0, 4300.0]);\nprint(tmax_p(pet.mean_frames(150, 180), tumour, blood));" },
    FnDoc { name: "population_input", domain: "pet", signature: "population_input(times_s, values) -> Curve · population_input(csv_path) -> Curve",
        doc: "A population-based input function from a table of times (s, from injection) and plasma activities, or from a two-column CSV/TSV file (time_s, value; a header line is skipped). Values must be finite and ≥ 0.",
        example: "let pop = population_input(\"fmiso_population_aif.csv\");" },
    FnDoc { name: "scale_input", domain: "pet", signature: "scale_input(curve, sample_times_s, sample_values) -> Curve",
        doc: "Scale a population input curve to venous blood samples (same unit as the result, e.g. Bq/mL) by least squares through the origin: k = Σ c(tᵢ)·sᵢ / Σ c(tᵢ)². The paper uses two samples, before and after the PET acquisition. See input_scaling for the factor and residuals.",
        example: "let aif = scale_input(pop, [7080, 10920], [5100.0, 4300.0]);" },
    FnDoc { name: "input_scaling", domain: "pet", signature: "input_scaling(curve, sample_times_s, sample_values) -> #{curve, scale, residuals}",
        doc: "As scale_input, also returning the scale factor and the residuals (sample − scaled curve) at each sample.",
        example: "let r = input_scaling(pop, [7080, 10920], [5100.0, 4300.0]);\nprint(`k = ${r.scale}, residuals ${r.residuals}`);" },
    FnDoc { name: "patlak", domain: "pet", signature: "patlak(pet_4d, input_curve, mask, #{start_min: 0}) -> #{ki, v0, r2, status}",
        doc: "Voxelwise Patlak analysis in the mask: x = ∫₀ᵗCp dτ / Cp(t) (minutes; integral from injection, not from the first fitted frame), y = Ct(t)/Cp(t) at mid-frame times, ordinary least squares over the frames with mid-time ≥ start_min (default: all frames). Ki in mL/cm³/min, intercept V0, R². The input must cover the frames and start at injection (or start at zero). status: 0 fitted, 1 outside the mask, 2 non-finite data, 3 failed; unfitted voxels are NaN. Runs in parallel with a progress bar; Ctrl-C cancels.",
        example: "let p = patlak(pet, aif, tumour | muscle, #{start_min: 120});\nprint(p.ki.mean(tumour));" },
    FnDoc { name: "patlak_curve", domain: "pet", signature: "patlak_curve(tac_curve, input_curve, #{start_min: 0}) -> #{ki, v0, r2, x, y}",
        doc: "Patlak fit of one time-activity curve (times = mid-frame s), as `patlak`; also returns the Patlak coordinates x (min) and y of the fitted frames for plotting.",
        example: "let r = patlak_curve(roi_curve(pet, tumour), aif, #{start_min: 120});\nprint(r.ki);" },
    FnDoc { name: "patlak_tac", domain: "pet", signature: "patlak_tac(times_s, input_curve, #{ki, v0}) -> Curve",
        doc: "Forward Patlak model: Ct(t) = Ki·∫₀ᵗCp dτ + V0·Cp(t) at the given times (s), Ki in mL/cm³/min; the input is sampled at its own times from injection for the integral.",
        example: "let tac = patlak_tac([7350, 7650], aif, #{ki: 0.002, v0: 0.4});" },
    FnDoc { name: "hypoxic_fraction", domain: "pet", signature: "hypoxic_fraction(ki_vol, tumour_mask, muscle_mask, #{k_sd: 2}) -> float (%)",
        doc: "Percent of tumour voxels with Ki > mean + k_sd·SD of Ki in the muscle ROI (sample SD, n − 1; k_sd = 2 as in the paper). Voxels with NaN Ki are left out of both ROIs. A muscle ROI with fewer than two voxels is an error.",
        example: "print(hypoxic_fraction(p.ki, tumour, muscle));" },
    FnDoc { name: "hypoxic_fraction_detail", domain: "pet", signature: "hypoxic_fraction_detail(ki_vol, tumour_mask, muscle_mask, #{k_sd: 2}) -> #{percent, threshold, muscle_mean, muscle_sd, n_tumour, n_hypoxic}",
        doc: "As hypoxic_fraction, with the threshold and counts behind it.",
        example: "let h = hypoxic_fraction_detail(p.ki, tumour, muscle);\nprint(h.threshold);" },
    FnDoc { name: "adc", domain: "dwi", signature: "adc(b0_vol, bhigh_vol, b_s_mm2) -> Volume (mm²/s) · adc(dwi_4d, b_values_array) -> Volume",
        doc: "Apparent diffusion coefficient. Two-point: ln(S0/Sb)/b. Multi-b: ordinary least-squares line of ln S against b (s/mm²), one b-value per frame. A voxel with a non-positive or non-finite signal gets NaN.",
        example: "let a = adc(b0, b900, 900);\nprint(a.median(tumour));" },
    FnDoc { name: "register_rigid", domain: "pet", signature: "register_rigid(moving, fixed, #{metric: \"mi\", bins: 32, levels: [4, 2, 1], tolerance: 0.02}) -> Transform",
        doc: "Rigid (6-DOF) registration of a 3-D moving image to a 3-D fixed image by Mattes mutual information (32 bins, B-spline Parzen window), a 3-level pyramid (block averages by 4, 2, 1; a coarse level at which either image would have fewer than 8 voxels along an axis is skipped, so small matrices register at full resolution), initialised by aligning the image centres, and a pattern search on the three rotations (deg, about the fixed image centre) and three translations (mm), stopping at `tolerance` mm/deg. Works across contrasts (PET to MRI). The Transform maps fixed world mm to moving world mm.",
        example: "let t = register_rigid(pet.mean_frames(150, 180), dce.frame(peak_phase(dce, tumour)));\nprint(t.rotation_deg);\nlet pet_on_mri = t.apply(pet);" },
    FnDoc { name: "apply", domain: "pet", signature: "transform.apply(vol_or_mask) -> Volume|Mask · transform.apply(vol_or_mask, reference)",
        doc: "Resample a volume (trilinear, every frame; outside → NaN) or a mask (nearest neighbour) onto the fixed grid of the registration (or onto `reference`'s grid) through the transform.",
        example: "let pet_reg = t.apply(pet);  // the whole 4-D series" },
    FnDoc { name: "rotation_deg", domain: "pet", signature: "transform.rotation_deg -> [rx, ry, rz]",
        doc: "Rotations about the world x, y, z axes in degrees (R = Rz·Ry·Rx), about centre_mm.", example: "print(t.rotation_deg);" },
    FnDoc { name: "translation_mm", domain: "pet", signature: "transform.translation_mm -> [tx, ty, tz]",
        doc: "Translation in mm.", example: "print(t.translation_mm);" },
    FnDoc { name: "centre_mm", domain: "pet", signature: "transform.centre_mm -> [x, y, z]",
        doc: "Centre of rotation (the fixed image centre) in world mm.", example: "print(t.centre_mm);" },
    FnDoc { name: "matrix", domain: "pet", signature: "transform.matrix -> array of 4 rows",
        doc: "The 4×4 world-space matrix taking fixed mm to moving mm.", example: "print(t.matrix[0]);" },
    FnDoc { name: "mi", domain: "pet", signature: "transform.mi -> float",
        doc: "Mattes mutual information (nats) at the solution (NaN for a loaded transform).", example: "print(t.mi);" },
    FnDoc { name: "load_transform", domain: "pet", signature: "load_transform(path) -> Transform",
        doc: "Read a transform written by transform.save(path) (JSON with rotation_deg, translation_mm, centre_mm, matrix and the fixed grid).",
        example: "t.save(\"derivatives/pet_to_dce.json\");\nlet t2 = load_transform(\"derivatives/pet_to_dce.json\");" },
];

fn map_f(items: &[(&str, f64)]) -> Map {
    map_of(
        items
            .iter()
            .map(|(k, v)| (*k, Dynamic::from_float(*v)))
            .collect(),
    )
}

fn suv_opts(vol: &Volume, o: Map) -> RResult<Volume> {
    let o = Opts::new("suv", o, &["dose_mbq", "weight_kg", "delay_min"])?;
    let p = pet::SuvParams {
        dose_mbq: o.f64_opt("dose_mbq")?,
        weight_kg: o.f64_opt("weight_kg")?,
        delay_min: o.f64_opt("delay_min")?,
    };
    pet::suv(vol, &p).map_err(rerr)
}

fn sphere_ml(fname: &str, o: Map) -> RResult<f64> {
    Opts::new(fname, o, &["ml"])?.f64("ml", 1.0)
}

fn window(o: &Opts) -> RResult<(f64, f64)> {
    match o.array_opt("window_min")? {
        None => Ok((150.0, 180.0)),
        Some(w) if w.len() == 2 => Ok((w[0], w[1])),
        Some(w) => Err(err(format!(
            "tmax_p: option 'window_min' must be [start_min, end_min], got {} numbers",
            w.len()
        ))),
    }
}

fn input_from(t: &Array, v: &Array, fname: &str) -> RResult<(Vec<f64>, Vec<f64>)> {
    Ok((
        f64_vec(t, &format!("{fname}: sample_times_s"))?,
        f64_vec(v, &format!("{fname}: sample_values"))?,
    ))
}

fn start_min(fname: &str, o: Map) -> RResult<f64> {
    Opts::new(fname, o, &["start_min"])?.f64("start_min", 0.0)
}

fn patlak_maps(pet4: &Volume, input: &Curve, mask: &Mask, o: Map) -> RResult<Map> {
    let s = start_min("patlak", o)?;
    let m = pet::patlak(pet4, input, Some(mask), s).map_err(rerr)?;
    Ok(map_of(vec![
        ("ki", Dynamic::from(m.ki)),
        ("v0", Dynamic::from(m.v0)),
        ("r2", Dynamic::from(m.r2)),
        ("status", Dynamic::from(m.status)),
    ]))
}

fn patlak_curve(tac: &Curve, input: &Curve, o: Map) -> RResult<Map> {
    let s = start_min("patlak_curve", o)?;
    let r = pet::patlak_curve(&tac.times_s, &tac.values, input, s).map_err(rerr)?;
    Ok(map_of(vec![
        ("ki", Dynamic::from_float(r.fit.ki)),
        ("v0", Dynamic::from_float(r.fit.v0)),
        ("r2", Dynamic::from_float(r.fit.r2)),
        ("x", Dynamic::from_array(to_array(&r.xy.x))),
        ("y", Dynamic::from_array(to_array(&r.xy.y))),
    ]))
}

fn hf(ki: &Volume, t: &Mask, m: &Mask, o: Map) -> RResult<pet::HypoxicFraction> {
    let k = Opts::new("hypoxic_fraction", o, &["k_sd"])?.f64("k_sd", 2.0)?;
    pet::hypoxic_fraction(ki, t, m, k).map_err(rerr)
}

/// A registration result as a script value: the rigid transform and the grid it maps onto.
#[derive(Clone, Debug)]
pub struct Transform {
    pub rigid: RigidTransform,
    pub grid: Option<Grid>,
    pub mi: f64,
}

fn apply_to(t: &Transform, x: &Dynamic, reference: Option<&Dynamic>) -> RResult<Dynamic> {
    let grid = match reference {
        Some(r) => {
            if let Some(v) = r.clone().try_cast::<Volume>() {
                v.grid
            } else if let Some(m) = r.clone().try_cast::<Mask>() {
                m.grid
            } else {
                return Err(err(format!(
                    "apply: reference must be a Volume or Mask, got {}",
                    r.type_name()
                )));
            }
        }
        None => t.grid.clone().ok_or_else(|| {
            err("apply: this transform has no fixed grid; pass a reference: t.apply(vol, reference)")
        })?,
    };
    if let Some(v) = x.clone().try_cast::<Volume>() {
        Ok(Dynamic::from(t.rigid.apply(&v, &grid).map_err(rerr)?))
    } else if let Some(m) = x.clone().try_cast::<Mask>() {
        Ok(Dynamic::from(
            m.resample_with(&grid, &t.rigid.matrix()).map_err(rerr)?,
        ))
    } else {
        Err(err(format!(
            "apply: expected a Volume or Mask, got {}",
            x.type_name()
        )))
    }
}

fn register_rigid_fn(moving: &Volume, fixed: &Volume, o: Map) -> RResult<Transform> {
    let o = Opts::new(
        "register_rigid",
        o,
        &["metric", "bins", "levels", "tolerance"],
    )?;
    o.choice("metric", "mi", &["mi"])?;
    let mut ro = RigidOptions {
        bins: o.int("bins", 32)?.max(0) as usize,
        tolerance: o.f64("tolerance", 0.02)?,
        ..RigidOptions::default()
    };
    if let Some(l) = o.array_opt("levels")? {
        if l.iter().any(|&x| !(x >= 1.0 && x.fract() == 0.0)) {
            return Err(err(
                "register_rigid: option 'levels' must hold whole shrink factors ≥ 1, e.g. [4, 2, 1]",
            ));
        }
        ro.levels = l.iter().map(|&x| x as usize).collect();
    }
    let r = register::register_rigid(moving, fixed, &ro).map_err(rerr)?;
    Ok(Transform {
        rigid: r.transform,
        grid: Some(fixed.grid.clone()),
        mi: r.mi,
    })
}

/// Register this domain's types and functions.
pub fn register(e: &mut Engine) {
    // ---- registration
    e.register_type_with_name::<Transform>("Transform");
    e.register_fn("register_rigid", |m: Volume, f: Volume, o: Map| {
        register_rigid_fn(&m, &f, o)
    });
    e.register_fn("register_rigid", |m: Volume, f: Volume| {
        register_rigid_fn(&m, &f, Map::new())
    });
    e.register_fn("apply", |t: &mut Transform, x: Dynamic| {
        apply_to(t, &x, None)
    });
    e.register_fn("apply", |t: &mut Transform, x: Dynamic, r: Dynamic| {
        apply_to(t, &x, Some(&r))
    });
    e.register_get("rotation_deg", |t: &mut Transform| {
        to_array(&t.rigid.rotation_deg)
    });
    e.register_get("translation_mm", |t: &mut Transform| {
        to_array(&t.rigid.translation_mm)
    });
    e.register_get("centre_mm", |t: &mut Transform| {
        to_array(&t.rigid.centre_mm)
    });
    e.register_get("mi", |t: &mut Transform| t.mi);
    e.register_get("matrix", |t: &mut Transform| -> Array {
        let m = t.rigid.matrix();
        (0..4)
            .map(|r| Dynamic::from_array(to_array(&[0, 1, 2, 3].map(|c| m[(r, c)]))))
            .collect()
    });
    e.register_fn("save", |t: &mut Transform, p: &str| {
        t.rigid
            .save(std::path::Path::new(p), t.grid.as_ref())
            .map_err(rerr)
    });
    e.register_fn("load_transform", |p: &str| {
        let (rigid, grid) = RigidTransform::load(std::path::Path::new(p)).map_err(rerr)?;
        Ok::<_, Box<rhai::EvalAltResult>>(Transform {
            rigid,
            grid,
            mi: f64::NAN,
        })
    });
    e.register_fn("to_string", |t: &mut Transform| t.rigid.summary());
    e.register_fn("to_debug", |t: &mut Transform| t.rigid.summary());

    // ---- SUV
    e.register_fn("suv", |v: Volume, o: Map| suv_opts(&v, o));
    e.register_fn("suv", |v: Volume| suv_opts(&v, Map::new()));
    e.register_fn("suv_factor", |d: Dynamic, w: Dynamic, t: Dynamic| {
        pet::suv_factor(
            num(&d, "suv_factor: dose_mbq")?,
            num(&w, "suv_factor: weight_kg")?,
            num(&t, "suv_factor: delay_min")?,
        )
        .map_err(rerr)
    });
    e.register_fn("suv_peak", |v: Volume, m: Mask| {
        pet::suv_peak(&v, &m, 1.0).map(|p| p.0).map_err(rerr)
    });
    e.register_fn("suv_peak", |v: Volume, m: Mask, o: Map| {
        pet::suv_peak(&v, &m, sphere_ml("suv_peak", o)?)
            .map(|p| p.0)
            .map_err(rerr)
    });
    e.register_fn("hotspot", |v: Volume, m: Mask| {
        roi::hotspot(&v, &m, 1.0).map_err(rerr)
    });
    e.register_fn("hotspot", |v: Volume, m: Mask, o: Map| {
        roi::hotspot(&v, &m, sphere_ml("hotspot", o)?).map_err(rerr)
    });

    // ---- ratios
    e.register_fn("tmax_m", |v: Volume, t: Mask, m: Mask| {
        pet::tmax_m(&v, &t, &m).map_err(rerr)
    });
    let tmax_p = |v: Volume, t: Mask, p: Curve, o: Map| -> RResult<FLOAT> {
        let o = Opts::new("tmax_p", o, &["window_min"])?;
        pet::tmax_p(&v, &t, &p, window(&o)?).map_err(rerr)
    };
    e.register_fn("tmax_p", tmax_p);
    e.register_fn("tmax_p", move |v: Volume, t: Mask, p: Curve| {
        tmax_p(v, t, p, Map::new())
    });

    // ---- input function
    e.register_fn("population_input", |t: Array, v: Array| {
        let (t, v) = input_from(&t, &v, "population_input")?;
        pet::population_input(t, v).map_err(rerr)
    });
    e.register_fn("population_input", |p: &str| {
        pet::read_input_csv(std::path::Path::new(p)).map_err(rerr)
    });
    e.register_fn("scale_input", |c: Curve, t: Array, v: Array| {
        let (t, v) = input_from(&t, &v, "scale_input")?;
        pet::scale_input(&c, &t, &v).map(|s| s.curve).map_err(rerr)
    });
    e.register_fn("input_scaling", |c: Curve, t: Array, v: Array| {
        let (t, v) = input_from(&t, &v, "input_scaling")?;
        let s = pet::scale_input(&c, &t, &v).map_err(rerr)?;
        Ok::<_, Box<rhai::EvalAltResult>>(map_of(vec![
            ("curve", Dynamic::from(s.curve)),
            ("scale", Dynamic::from_float(s.scale)),
            ("residuals", Dynamic::from_array(to_array(&s.residuals))),
        ]))
    });

    // ---- Patlak
    e.register_fn("patlak", |p: Volume, c: Curve, m: Mask, o: Map| {
        patlak_maps(&p, &c, &m, o)
    });
    e.register_fn("patlak", |p: Volume, c: Curve, m: Mask| {
        patlak_maps(&p, &c, &m, Map::new())
    });
    e.register_fn("patlak_curve", |t: Curve, c: Curve, o: Map| {
        patlak_curve(&t, &c, o)
    });
    e.register_fn("patlak_curve", |t: Curve, c: Curve| {
        patlak_curve(&t, &c, Map::new())
    });
    e.register_fn("patlak_tac", |t: Array, c: Curve, o: Map| {
        let t = f64_vec(&t, "patlak_tac: times_s")?;
        let o = Opts::new("patlak_tac", o, &["ki", "v0"])?;
        let (ki, v0) = (o.f64_req("ki")?, o.f64("v0", 0.0)?);
        if let Some(i) = t
            .iter()
            .position(|&x| x < 0.0 || x > c.times_s[c.len() - 1])
        {
            return Err(err(format!(
                "patlak_tac: times_s[{i}] = {} s is outside the input curve (0–{} s)",
                t[i],
                c.times_s[c.len() - 1]
            )));
        }
        // integrate on the input's own samples plus the requested times
        let mut all: Vec<f64> = c.times_s.iter().copied().chain(t.iter().copied()).collect();
        all.sort_by(|a, b| a.total_cmp(b));
        all.dedup();
        let cp: Vec<f64> = all.iter().map(|&x| c.at(x).unwrap_or(0.0)).collect();
        let full = pet::patlak_forward(&all, &cp, ki, v0);
        let vals = t
            .iter()
            .map(|x| full[all.partition_point(|a| a < x)])
            .collect();
        Curve::new(t, vals).map_err(rerr)
    });
    e.register_fn("hypoxic_fraction", |k: Volume, t: Mask, m: Mask, o: Map| {
        hf(&k, &t, &m, o).map(|h| h.percent)
    });
    e.register_fn("hypoxic_fraction", |k: Volume, t: Mask, m: Mask| {
        hf(&k, &t, &m, Map::new()).map(|h| h.percent)
    });
    e.register_fn("hypoxic_fraction_detail", hf_detail);
    e.register_fn("hypoxic_fraction_detail", |k: Volume, t: Mask, m: Mask| {
        hf_detail(k, t, m, Map::new())
    });

    // ---- DWI
    e.register_fn("adc", |b0: Volume, bh: Volume, b: Dynamic| {
        let b = num(&b, "adc: b_s_mm2")?;
        dwi::adc_two_point(&b0, &bh, b).map_err(rerr)
    });
    e.register_fn("adc", |d: Volume, b: Array| {
        let b = f64_vec(&b, "adc: b_values")?;
        dwi::adc_fit(&d, &b).map_err(rerr)
    });
}

/// `hypoxic_fraction_detail`: %HF with its threshold, the muscle statistics and the voxel counts.
fn hf_detail(k: Volume, t: Mask, m: Mask, o: Map) -> RResult<Map> {
    let h = hf(&k, &t, &m, o)?;
    let mut r = map_f(&[
        ("percent", h.percent),
        ("threshold", h.threshold),
        ("muscle_mean", h.muscle_mean),
        ("muscle_sd", h.muscle_sd),
    ]);
    r.insert("n_tumour".into(), Dynamic::from_int(h.n_tumour as INT));
    r.insert("n_hypoxic".into(), Dynamic::from_int(h.n_hypoxic as INT));
    Ok(r)
}
