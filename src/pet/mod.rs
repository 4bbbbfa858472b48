//! PET quantification: SUV, uptake ratios, input-function scaling, Patlak Ki and hypoxic fraction.
//!
//! Units: activity concentrations in Bq/mL (or any unit, as long as image, blood samples and input
//! curve agree), times in seconds on the wire and minutes for rates (Ki in mL/cm³/min), doses in
//! MBq, weights in kg, SUV in g/mL.
use crate::progress::Cancelled;
use crate::roi::{self, Mask, RoiStat};
use crate::volume::{Curve, VolError, Volume};

mod patlak;
pub use patlak::{
    patlak, patlak_curve, patlak_fit, patlak_forward, patlak_xy, status, PatlakCurve, PatlakFit,
    PatlakMaps, PatlakXy,
};

/// Half-life of fluorine-18 in minutes.
pub const F18_HALF_LIFE_MIN: f64 = 109.77;

/// Errors of the PET layer; messages read `pet: where: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PetError {
    /// A bad argument.
    #[error("pet: {op}: {what}")]
    Arg { op: String, what: String },
    /// An error from the volume layer.
    #[error(transparent)]
    Vol(#[from] VolError),
    /// The user cancelled a voxelwise fit.
    #[error("pet: {0}")]
    Cancelled(#[from] Cancelled),
}

fn arg(op: &str, what: impl Into<String>) -> PetError {
    PetError::Arg {
        op: op.into(),
        what: what.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// SUV

/// Fraction of the activity left after `delay_min` minutes: 2^(−delay/T½).
pub fn decay_factor(delay_min: f64, half_life_min: f64) -> f64 {
    (-delay_min / half_life_min).exp2()
}

/// Factor that turns activity in Bq/mL into body-weight SUV (g/mL): weight [g] / dose [Bq], the
/// dose decayed from injection to the time the image is decay-corrected to (`delay_min` after
/// injection) with the F-18 half-life.
pub fn suv_factor(dose_mbq: f64, weight_kg: f64, delay_min: f64) -> Result<f64, PetError> {
    suv_factor_with(dose_mbq, weight_kg, delay_min, F18_HALF_LIFE_MIN)
}

/// [`suv_factor`] with another half-life (minutes).
pub fn suv_factor_with(
    dose_mbq: f64,
    weight_kg: f64,
    delay_min: f64,
    half_life_min: f64,
) -> Result<f64, PetError> {
    let op = "suv";
    if !(dose_mbq.is_finite() && dose_mbq > 0.0) {
        return Err(arg(op, format!("dose_mbq must be > 0, got {dose_mbq}")));
    }
    if !(weight_kg.is_finite() && weight_kg > 0.0) {
        return Err(arg(op, format!("weight_kg must be > 0, got {weight_kg}")));
    }
    if !(delay_min.is_finite() && delay_min >= 0.0) {
        return Err(arg(
            op,
            format!("delay_min must be ≥ 0 (minutes from injection), got {delay_min}"),
        ));
    }
    if !(half_life_min.is_finite() && half_life_min > 0.0) {
        return Err(arg(
            op,
            format!("half_life_min must be > 0, got {half_life_min}"),
        ));
    }
    let dose_bq = dose_mbq * 1e6 * decay_factor(delay_min, half_life_min);
    Ok(weight_kg * 1000.0 / dose_bq)
}

/// SUV parameters, either given or read from a BIDS-PET sidecar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SuvParams {
    pub dose_mbq: Option<f64>,
    pub weight_kg: Option<f64>,
    pub delay_min: Option<f64>,
}

fn meta_num(meta: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<f64> {
    meta.get(key).and_then(|v| v.as_f64())
}

/// Dose, weight and delay from a BIDS-PET sidecar: `InjectedRadioactivity` with
/// `InjectedRadioactivityUnits` (Bq, kBq, MBq, GBq, mCi, uCi; MBq if absent), `BodyWeight` (kg),
/// and the delay from `InjectionStart` to `ImageDecayCorrectionTime` (else `ScanStart`), both in
/// seconds relative to `TimeZero`. Keys that are missing stay `None`.
pub fn suv_params_from_meta(
    meta: &serde_json::Map<String, serde_json::Value>,
) -> Result<SuvParams, PetError> {
    let mut p = SuvParams::default();
    if let Some(a) = meta_num(meta, "InjectedRadioactivity") {
        let unit = meta
            .get("InjectedRadioactivityUnits")
            .and_then(|v| v.as_str())
            .unwrap_or("MBq");
        let k = match unit.trim() {
            "Bq" => 1e-6,
            "kBq" => 1e-3,
            "MBq" => 1.0,
            "GBq" => 1e3,
            "mCi" => 37.0,
            "uCi" | "µCi" => 0.037,
            other => {
                return Err(arg(
                    "suv",
                    format!("sidecar InjectedRadioactivityUnits '{other}' is not one of Bq, kBq, MBq, GBq, mCi, uCi"),
                ))
            }
        };
        p.dose_mbq = Some(a * k);
    }
    p.weight_kg = meta_num(meta, "BodyWeight");
    let inj = meta_num(meta, "InjectionStart");
    let reference =
        meta_num(meta, "ImageDecayCorrectionTime").or_else(|| meta_num(meta, "ScanStart"));
    if let (Some(i), Some(r)) = (inj, reference) {
        p.delay_min = Some((r - i) / 60.0);
    }
    Ok(p)
}

/// Body-weight SUV image: `vol` (Bq/mL) times [`suv_factor`]. Explicit parameters win over the
/// sidecar of `vol`; a parameter missing in both is an error naming it.
pub fn suv(vol: &Volume, given: &SuvParams) -> Result<Volume, PetError> {
    let side = suv_params_from_meta(&vol.meta)?;
    let need = |g: Option<f64>, s: Option<f64>, name: &str, key: &str| {
        g.or(s).ok_or_else(|| {
            arg(
                "suv",
                format!("{name} is missing: give it as an option or in the sidecar ({key})"),
            )
        })
    };
    let dose = need(
        given.dose_mbq,
        side.dose_mbq,
        "dose_mbq",
        "InjectedRadioactivity",
    )?;
    let w = need(given.weight_kg, side.weight_kg, "weight_kg", "BodyWeight")?;
    let d = need(
        given.delay_min,
        side.delay_min,
        "delay_min",
        "InjectionStart and ImageDecayCorrectionTime or ScanStart",
    )?;
    let f = suv_factor(dose, w, d)? as f32;
    Ok(vol.map(|x| x * f))
}

/// SUVpeak: the mean of the image in a sphere of `sphere_ml` mL (1 mL by default in PERCIST),
/// centred on the voxel of `mask` that maximises it. Returns (peak, centre in world mm).
pub fn suv_peak(vol: &Volume, mask: &Mask, sphere_ml: f64) -> Result<(f64, [f64; 3]), PetError> {
    let p = roi::peak_sphere(vol, mask, sphere_ml, "suv_peak")?;
    Ok((p.mean, p.centre_mm))
}

// ---------------------------------------------------------------------------------------------
// Uptake ratios

/// Maximum tumour uptake over mean muscle uptake (Tmax/M). Both from the same 3-D image, so
/// units cancel.
pub fn tmax_m(vol: &Volume, tumour: &Mask, muscle: &Mask) -> Result<f64, PetError> {
    let t = roi::stat(vol, tumour, RoiStat::Max)?;
    let m = roi::stat(vol, muscle, RoiStat::Mean)?;
    if !(m.is_finite() && m > 0.0) {
        return Err(arg(
            "tmax_m",
            format!("the mean uptake in the muscle ROI is {m}; the ratio needs a positive value"),
        ));
    }
    Ok(t / m)
}

/// Plasma activity at `t_min` minutes, linearly interpolated between venous samples.
pub fn plasma_at(plasma: &Curve, t_min: f64, op: &str) -> Result<f64, PetError> {
    let t = t_min * 60.0;
    let p = plasma.at(t).ok_or_else(|| {
        arg(
            op,
            format!(
                "plasma samples cover {:.1}–{:.1} min but the mid-time of the window is {t_min:.1} min",
                plasma.times_s[0] / 60.0,
                plasma.times_s[plasma.len() - 1] / 60.0
            ),
        )
    })?;
    if !(p.is_finite() && p > 0.0) {
        return Err(arg(
            op,
            format!("the plasma activity at {t_min:.1} min is {p}; it must be positive"),
        ));
    }
    Ok(p)
}

/// Maximum tumour uptake over plasma activity (Tmax/P). `vol` is the image averaged over
/// `[start_min, end_min]`; the plasma curve (venous samples, same unit and decay correction as
/// the image) is interpolated at the window's mid-time.
pub fn tmax_p(
    vol: &Volume,
    tumour: &Mask,
    plasma: &Curve,
    window_min: (f64, f64),
) -> Result<f64, PetError> {
    let (a, b) = window_min;
    if !(a.is_finite() && b.is_finite() && b > a) {
        return Err(arg(
            "tmax_p",
            format!("window_min [{a}, {b}] must be two increasing times in minutes"),
        ));
    }
    let t = roi::stat(vol, tumour, RoiStat::Max)?;
    Ok(t / plasma_at(plasma, 0.5 * (a + b), "tmax_p")?)
}

// ---------------------------------------------------------------------------------------------
// Input function

/// A population input function from a table of times (s) and activity values.
pub fn population_input(times_s: Vec<f64>, values: Vec<f64>) -> Result<Curve, PetError> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(arg(
            "population_input",
            format!("values[{i}] is not finite"),
        ));
    }
    if let Some(i) = values.iter().position(|&v| v < 0.0) {
        return Err(arg(
            "population_input",
            format!("values[{i}] = {} is negative", values[i]),
        ));
    }
    Ok(Curve::new(times_s, values)?)
}

/// Read a two-column CSV/TSV (time in s, value) with an optional header line.
pub fn read_input_csv(path: &std::path::Path) -> Result<Curve, PetError> {
    let op = "population_input";
    let text =
        std::fs::read_to_string(path).map_err(|e| arg(op, format!("{}: {e}", path.display())))?;
    let (mut t, mut v) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line
            .split([',', '\t', ';', ' '])
            .filter(|c| !c.is_empty())
            .collect();
        let parsed: Option<Vec<f64>> = cells.iter().map(|c| c.parse::<f64>().ok()).collect();
        match parsed {
            Some(p) if p.len() >= 2 => {
                t.push(p[0]);
                v.push(p[1]);
            }
            _ if t.is_empty() => continue, // header
            _ => {
                return Err(arg(
                    op,
                    format!(
                        "{} line {}: expected two numbers (time_s, value), got {line:?}",
                        path.display(),
                        n + 1
                    ),
                ))
            }
        }
    }
    population_input(t, v)
}

/// Result of scaling an input curve to blood samples.
#[derive(Clone, Debug, PartialEq)]
pub struct InputScaling {
    pub curve: Curve,
    /// Least-squares factor k minimising Σ (sample − k·curve)².
    pub scale: f64,
    /// sample − k·curve(t) at each sample.
    pub residuals: Vec<f64>,
}

/// Scale a population curve to venous samples by least squares through the origin.
pub fn scale_input(
    curve: &Curve,
    sample_times_s: &[f64],
    sample_values: &[f64],
) -> Result<InputScaling, PetError> {
    let op = "scale_input";
    if sample_times_s.len() != sample_values.len() {
        return Err(arg(
            op,
            format!(
                "sample_times_s has {} entries but sample values has {}",
                sample_times_s.len(),
                sample_values.len()
            ),
        ));
    }
    if sample_times_s.is_empty() {
        return Err(arg(op, "at least one blood sample is needed"));
    }
    if let Some(i) = sample_values.iter().position(|v| !v.is_finite()) {
        return Err(arg(op, format!("sample value [{i}] is not finite")));
    }
    let c = curve.sample(sample_times_s, op)?;
    let cc: f64 = c.iter().map(|x| x * x).sum();
    if cc <= 0.0 {
        return Err(arg(
            op,
            "the population curve is zero at every sample time; it cannot be scaled",
        ));
    }
    let k = c.iter().zip(sample_values).map(|(a, b)| a * b).sum::<f64>() / cc;
    let residuals = c
        .iter()
        .zip(sample_values)
        .map(|(a, b)| b - k * a)
        .collect();
    Ok(InputScaling {
        curve: curve.scale(k),
        scale: k,
        residuals,
    })
}

// ---------------------------------------------------------------------------------------------
// Hypoxic fraction

/// Result of [`hypoxic_fraction`].
#[derive(Clone, Debug, PartialEq)]
pub struct HypoxicFraction {
    /// Percent of tumour voxels (with finite Ki) above the threshold.
    pub percent: f64,
    /// mean + k·SD of muscle Ki.
    pub threshold: f64,
    pub muscle_mean: f64,
    /// Sample SD (n − 1) of muscle Ki.
    pub muscle_sd: f64,
    /// Tumour voxels with finite Ki.
    pub n_tumour: usize,
    pub n_hypoxic: usize,
}

/// The paper's hypoxia threshold on a Ki map: mean + `k_sd`·SD (n − 1) of Ki over the finite
/// voxels of `muscle`. Returns (mean, SD, threshold). Shared by [`hypoxic_fraction`] and the
/// study's voxel classes.
pub fn muscle_threshold(
    ki: &Volume,
    muscle: &Mask,
    k_sd: f64,
    op: &str,
) -> Result<(f64, f64, f64), PetError> {
    let m = roi::values(ki, muscle, op)?;
    if m.len() < 2 {
        return Err(arg(
            op,
            format!(
                "muscle_mask has {} voxel(s) with a finite Ki; the SD needs at least two",
                m.len()
            ),
        ));
    }
    let (mean, sd) = (crate::stats::mean(&m), crate::stats::var(&m).sqrt());
    Ok((mean, sd, mean + k_sd * sd))
}

/// Percent of tumour voxels whose Ki exceeds mean + k·SD of the muscle ROI's Ki (sample SD,
/// n − 1; k = 2 in the paper). Voxels with NaN Ki are left out of both ROIs.
pub fn hypoxic_fraction(
    ki: &Volume,
    tumour: &Mask,
    muscle: &Mask,
    k_sd: f64,
) -> Result<HypoxicFraction, PetError> {
    let op = "hypoxic_fraction";
    if !k_sd.is_finite() {
        return Err(arg(op, format!("k_sd must be a finite number, got {k_sd}")));
    }
    ki.require_3d(op)?;
    ki.grid
        .require_same(&tumour.grid, op, "the Ki map and the tumour mask")?;
    ki.grid
        .require_same(&muscle.grid, op, "the Ki map and the muscle mask")?;
    if tumour.count() == 0 {
        return Err(arg(op, "tumour_mask is empty"));
    }
    if muscle.count() == 0 {
        return Err(arg(op, "muscle_mask is empty"));
    }
    let (mean, sd, thr) = muscle_threshold(ki, muscle, k_sd, op)?;
    let t = roi::values(ki, tumour, op)?;
    if t.is_empty() {
        return Err(arg(op, "no voxel of tumour_mask has a finite Ki"));
    }
    let nh = t.iter().filter(|&&x| x > thr).count();
    Ok(HypoxicFraction {
        percent: 100.0 * nh as f64 / t.len() as f64,
        threshold: thr,
        muscle_mean: mean,
        muscle_sd: sd,
        n_tumour: t.len(),
        n_hypoxic: nh,
    })
}

#[cfg(test)]
mod tests {
    use super::patlak::integral_from_injection;
    use super::*;
    use crate::volume::{Grid, TimeAxis};
    use ndarray::{Array3, Array4};

    #[test]
    fn suv_by_hand() {
        // 300 MBq, 70 kg, 120 min: dose left = 300e6 · 2^(−120/109.77)
        let f = suv_factor(300.0, 70.0, 120.0).unwrap();
        let left = 300e6 * 0.5f64.powf(120.0 / 109.77);
        assert!((f - 70_000.0 / left).abs() < 1e-15);
        // 5000 Bq/mL → SUV: 5000 · 70000 / left = 2.4890363 (python3)
        assert!((5000.0 * f - 2.489_036_3).abs() < 1e-6, "{}", 5000.0 * f);
        assert!(suv_factor(0.0, 70.0, 1.0)
            .unwrap_err()
            .to_string()
            .contains("dose_mbq"));
        assert!(suv_factor(300.0, -1.0, 1.0)
            .unwrap_err()
            .to_string()
            .contains("weight_kg"));
    }

    #[test]
    fn patlak_forward_and_fit_recover_ki() {
        let t: Vec<f64> = (0..=200).map(|i| i as f64 * 30.0).collect();
        let cp: Vec<f64> = t
            .iter()
            .map(|&s| {
                let m = s / 60.0;
                5.0 * m * (-m).exp() + 0.3 * (-m / 80.0).exp()
            })
            .collect();
        let ct = patlak_forward(&t, &cp, 0.004, 0.35);
        let input = Curve::new(t.clone(), cp).unwrap();
        let r = patlak_curve(&t, &ct, &input, 30.0).unwrap();
        assert!((r.fit.ki - 0.004).abs() < 1e-12, "{:?}", r.fit);
        assert!((r.fit.v0 - 0.35).abs() < 1e-10);
        assert!((r.fit.r2 - 1.0).abs() < 1e-12);
        // the same data fitted with the integral from the first fitted frame (STIR issue 703)
        // would give a different intercept: ours must not depend on where the fit starts
        let r2 = patlak_curve(&t, &ct, &input, 60.0).unwrap();
        assert!((r2.fit.v0 - 0.35).abs() < 1e-10);
    }

    #[test]
    fn patlak_bad_input() {
        let t = vec![0.0, 60.0, 120.0, 180.0];
        let input = Curve::new(t.clone(), vec![0.0, 2.0, 1.5, 1.0]).unwrap();
        let ct = [0.0, 1.0, 1.0, 1.0];
        let e = patlak_curve(&t, &ct, &input, 10.0).unwrap_err().to_string();
        assert!(e.contains("after the last frame"), "{e}");
        let e = patlak_curve(&t, &ct, &input, 2.5).unwrap_err().to_string();
        assert!(e.contains("at least two"), "{e}");
        let short = Curve::new(vec![0.0, 60.0], vec![0.0, 1.0]).unwrap();
        let e = patlak_curve(&t, &ct, &short, 1.0).unwrap_err().to_string();
        assert!(e.contains("covers"), "{e}");
        let late = Curve::new(vec![60.0, 200.0], vec![1.0, 1.0]).unwrap();
        let e = patlak_curve(&t, &ct, &late, 1.0).unwrap_err().to_string();
        assert!(e.contains("from injection"), "{e}");
    }

    #[test]
    fn scale_input_least_squares() {
        let c = Curve::new(vec![0.0, 100.0, 200.0], vec![0.0, 2.0, 1.0]).unwrap();
        // samples 4.2 at t=100 (curve 2) and 1.9 at t=200 (curve 1):
        // k = (2·4.2 + 1·1.9)/(4 + 1) = 2.06
        let s = scale_input(&c, &[100.0, 200.0], &[4.2, 1.9]).unwrap();
        assert!((s.scale - 2.06).abs() < 1e-12);
        assert!((s.residuals[0] - (4.2 - 4.12)).abs() < 1e-12);
        assert!((s.residuals[1] - (1.9 - 2.06)).abs() < 1e-12);
        assert!(scale_input(&c, &[300.0], &[1.0]).is_err());
    }

    #[test]
    fn hypoxic_fraction_by_hand() {
        let g = Grid::axis_aligned([10, 1, 1], [1.0; 3], [0.0; 3]);
        // muscle: voxels 0..4 with Ki 1,2,3,4 → mean 2.5, SD sqrt(5/3) = 1.29099,
        // threshold (k=2) 5.08199; tumour voxels 4..10: 5, 5.1, 6, 2, 9, NaN → 3 of 5 above
        let ki = vec![1.0, 2.0, 3.0, 4.0, 5.0, 5.1, 6.0, 2.0, 9.0, f32::NAN];
        let v =
            Volume::from_3d(g.clone(), Array3::from_shape_vec((10, 1, 1), ki).unwrap()).unwrap();
        let muscle = Mask::new(g.clone(), (0..10).map(|i| i < 4).collect()).unwrap();
        let tum = Mask::new(g.clone(), (0..10).map(|i| i >= 4).collect()).unwrap();
        let h = hypoxic_fraction(&v, &tum, &muscle, 2.0).unwrap();
        assert!((h.muscle_sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-6);
        assert!((h.threshold - (2.5 + 2.0 * (5.0f64 / 3.0).sqrt())).abs() < 1e-6);
        assert_eq!((h.n_hypoxic, h.n_tumour), (3, 5));
        assert!((h.percent - 60.0).abs() < 1e-12);
        let one = Mask::new(g, (0..10).map(|i| i == 0).collect()).unwrap();
        let e = hypoxic_fraction(&v, &tum, &one, 2.0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("muscle_mask") && e.contains("at least two"),
            "{e}"
        );
    }

    #[test]
    fn voxelwise_patlak_matches_curve_fit() {
        let t_start: Vec<f64> = (0..12).map(|i| 7200.0 + 300.0 * i as f64).collect();
        let axis = TimeAxis {
            start_s: t_start.clone(),
            duration_s: vec![300.0; 12],
        };
        let mid = axis.mid_s();
        let tin: Vec<f64> = (0..=1100).map(|i| i as f64 * 10.0).collect();
        let cin: Vec<f64> = tin
            .iter()
            .map(|&s| 10.0 * (s / 60.0) * (-s / 60.0).exp() + (-s / 6000.0).exp())
            .collect();
        let input = Curve::new(tin, cin).unwrap();
        let cp_mid = input.sample(&mid, "t").unwrap();
        let g = Grid::axis_aligned([3, 2, 1], [2.0; 3], [0.0; 3]);
        let mut data = Vec::new();
        let integ = integral_from_injection(&input, &mid, "t").unwrap();
        for v in 0..6 {
            let ki = 0.001 * v as f64;
            for f in 0..12 {
                data.push((ki * integ[f] / 60.0 + 0.5 * cp_mid[f]) as f32);
            }
        }
        let pet = Volume::new(
            g.clone(),
            Array4::from_shape_vec((3, 2, 1, 12), data).unwrap(),
            Some(axis),
        )
        .unwrap();
        let mask = Mask::new(g, vec![true, true, true, true, true, false]).unwrap();
        let m = patlak(&pet, &input, Some(&mask), 0.0).unwrap();
        for v in 0..5 {
            assert!((m.ki.as_slice()[v] as f64 - 0.001 * v as f64).abs() < 2e-7);
            assert!((m.v0.as_slice()[v] - 0.5).abs() < 1e-4);
            assert_eq!(m.status.as_slice()[v], status::OK);
        }
        assert!(m.ki.as_slice()[5].is_nan());
        assert_eq!(m.status.as_slice()[5], status::OUTSIDE);
        // a NaN frame gives NaN maps and status 2, not an error
        let mut d = (*pet.data).clone();
        d[[1, 0, 0, 7]] = f32::NAN;
        let pet2 = pet.with_data(d).unwrap();
        let m2 = patlak(&pet2, &input, None, 0.0).unwrap();
        assert_eq!(m2.status.as_slice()[2], status::NONFINITE);
        assert!(m2.ki.as_slice()[2].is_nan());
        assert_eq!(m2.status.as_slice()[5], status::OK);
    }
}
