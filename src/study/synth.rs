//! The synthetic study: a seeded, deterministic digital reference cohort matching the paper's
//! Table 1 (29 patients, 32 lesions), with images made by the forward models and a `truth.tsv`
//! the analysis never reads. Layout: `docs/STUDY.md`.
//!
//! Truth conventions (what `truth.tsv` holds, per lesion, over the lesion mask on the DCE grid):
//! - `ktrans, kep, ve, vp, adc, t10_ms`: means of the voxel values the images were made from.
//! - `ki, v0, hf`: the PET fields live on the PET grid (coarser, rigidly offset from the MRI);
//!   their truth is the PET-grid field resampled (trilinear) onto the DCE grid through the true
//!   offset — exactly what a perfect registration gives. `hf` applies the paper's rule to that
//!   field: percent of lesion voxels with Ki > mean + 2·SD of Ki in the muscle mask.
//! - `diameter_mm`: longest diameter of the lesion mask (voxel centres), as measured on MRI.
use super::classes;
use super::layout::{self, lesion_mask, subject_files};
use super::models;
use super::rng::Rng;
use super::synth_pet::{self, pct_above};
use super::tsv::{self, cell};
use super::StudyError;
use crate::roi::Mask;
use crate::volume::nifti_io::{self, OutType};
use crate::volume::resample;
use crate::volume::{Grid, TimeAxis, Volume};
use ndarray::Array4;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Matrix and voxel sizes of the generated images.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Size {
    /// 26×18×9 MRI voxels of 3×3×4 mm, PET 4×4×4.5 mm: the whole study is about 27 MB.
    Small,
    /// 112×72×36 MRI voxels of 1.6×1.6×2.5 mm around the breasts, PET 2.78 mm isotropic.
    Paper,
}

impl Size {
    pub fn parse(s: &str) -> Result<Size, StudyError> {
        match s {
            "small" => Ok(Size::Small),
            "paper" => Ok(Size::Paper),
            _ => Err(StudyError::arg(
                "synth",
                format!("size '{s}' is not \"small\" or \"paper\""),
            )),
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Paper => "paper",
        }
    }
    pub(crate) fn mri(&self) -> ([usize; 3], [f64; 3]) {
        match self {
            Size::Small => ([26, 18, 9], [3.0, 3.0, 4.0]),
            Size::Paper => ([112, 72, 36], [1.6, 1.6, 2.5]),
        }
    }
    pub(crate) fn pet_voxel(&self) -> [f64; 3] {
        match self {
            Size::Small => [4.0, 4.0, 4.5],
            Size::Paper => [2.78, 2.78, 2.78],
        }
    }
}

/// Options of [`synth_study`].
#[derive(Clone, Debug)]
pub struct SynthOptions {
    pub seed: u64,
    pub size: Size,
    /// Noise scale: 1 = the default noise levels, 0 = noise-free images.
    pub noise: f64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            seed: 1,
            size: Size::Small,
            noise: 1.0,
        }
    }
}

/// What [`synth_study`] wrote.
#[derive(Clone, Debug)]
pub struct SynthReport {
    pub dir: PathBuf,
    pub participants: usize,
    pub lesions: usize,
    pub bytes: u64,
    /// Lesions with %HF = 0, in (0, 1] and above 1 (the paper: 18, 8, 6).
    pub hf_classes: [usize; 3],
}

// ---- acquisition constants ------------------------------------------------------------------

pub(crate) const N_PATIENTS: usize = 29;
pub(crate) const N_TWO_LESION: usize = 3;
pub(crate) const TR_MS: f64 = 4.5;
pub(crate) const VFA_DEG: [f64; 4] = [2.0, 5.0, 10.0, 15.0];
pub(crate) const DCE_FA_DEG: f64 = 12.0;
pub(crate) const DCE_DT_S: f64 = 12.0;
pub(crate) const DCE_BASELINE: usize = 5;
pub(crate) const DCE_POST: usize = 43;
pub(crate) const B_VALUE: f64 = 900.0;
pub(crate) const PET_FRAMES: usize = 12;
pub(crate) const PET_FRAME_S: f64 = 300.0;
/// Default PET noise: relative SD per frame and voxel (after reconstruction smoothing).
pub(crate) const PET_NOISE: f64 = 0.005;
/// Island Ki (mL/cm³/min): clearly above the muscle threshold (~0.3e-3).
pub(crate) const KI_HYPOXIC: f64 = 2.0e-3;
pub(crate) const KI_MUSCLE: (f64, f64) = (0.20e-3, 0.10e-3);
pub(crate) const KI_BREAST: f64 = 0.10e-3;
pub(crate) const KI_GLAND: f64 = 0.16e-3;
/// Muscle slab thickness (mm) at the posterior edge of the field of view.
pub(crate) const MUSCLE_MM: f64 = 10.0;

/// Population FMISO plasma curve in SUV units (g/mL) at `t_s` seconds after injection: a fast
/// bolus component and a slow washout (about 1.0 at 120 min, 0.85 at 180 min, in the range
/// reported for FMISO plasma at 2–3 h).
pub fn population_plasma_suv(t_s: f64) -> f64 {
    let t = t_s / 60.0;
    if t <= 0.0 {
        return 0.0;
    }
    (1.0 - (-t / 0.25).exp()) * (4.5 * (-t / 2.0).exp() + 1.35 * (-t / 400.0).exp())
}

/// Sample times (s) of the population input table: 5 s to 10 min, then 30 s to 200 min.
fn population_times() -> Vec<f64> {
    let mut t: Vec<f64> = (0..120).map(|i| i as f64 * 5.0).collect();
    t.extend((0..=380).map(|i| 600.0 + i as f64 * 30.0));
    t
}

// The cohort plan (patients, lesions, truths, geometry) lives in `cohort.rs`.
use super::cohort::*;

// ---- image generation -----------------------------------------------------------------------

pub(super) fn vol(
    grid: &Grid,
    nt: usize,
    data: Vec<f32>,
    times: Option<TimeAxis>,
) -> Result<Volume, StudyError> {
    let [x, y, z] = grid.dim;
    let arr = Array4::from_shape_vec((x, y, z, nt), data)
        .map_err(|e| StudyError::arg("synth", e.to_string()))?;
    Ok(Volume::new(grid.clone(), arr, times)?)
}

pub(super) fn with_meta(mut v: Volume, meta: Value) -> Volume {
    if let Value::Object(m) = meta {
        v.meta = std::sync::Arc::new(m);
    }
    v
}

/// Per-lesion truth row.
struct Truth {
    ktrans: f64,
    kep: f64,
    ve: f64,
    vp: f64,
    adc: f64,
    t10: f64,
    ki: f64,
    v0: f64,
    hf: f64,
    diameter_mm: f64,
    n: usize,
    classes: Option<classes::VoxelClasses>,
}

fn mean_over(x: &[f64], idx: &[usize]) -> f64 {
    idx.iter().map(|&v| x[v]).sum::<f64>() / idx.len().max(1) as f64
}

struct PatientOut {
    truths: Vec<(usize, Truth)>,
    bytes: u64,
}

#[allow(clippy::too_many_arguments)]
fn gen_patient(
    dir: &Path,
    seed: u64,
    noise: f64,
    fov: &Fov,
    pi: usize,
    pat: &PatientPlan,
    lesions: &[LesionPlan],
    pop_t: &[f64],
) -> Result<PatientOut, StudyError> {
    let mut r = Rng::fork(seed, 1000 + pi as u64);
    let g = &fov.mri;
    let nv = g.n_voxels();
    let files = subject_files(dir, &pat.id);
    let mut written: Vec<PathBuf> = Vec::new();

    // --- tissue labels on the DCE grid: 0 fat, FGT glandular, 1 muscle, 2 + i lesion i (of this
    // patient), AIR outside the body
    let fgt = Fgt::new(&mut Rng::fork(seed, 2000 + pi as u64));
    let mut label = vec![0usize; nv];
    let mut rho = vec![0.0f64; nv];
    for (v, lab) in label.iter_mut().enumerate() {
        let p = voxel_world(g, v);
        if p[1] >= fov.muscle_y0 {
            *lab = 1;
        } else if fov.is_air(p) {
            *lab = AIR;
        } else if fgt.contains(p) {
            *lab = FGT;
        }
        for (li, &l) in pat.lesions.iter().enumerate() {
            let q = lesions[l].geo.rho(p);
            if q <= 1.0 {
                *lab = 2 + li;
                rho[v] = q;
            }
        }
    }
    let les_idx: Vec<Vec<usize>> = (0..pat.lesions.len())
        .map(|li| (0..nv).filter(|&v| label[v] == 2 + li).collect())
        .collect();
    // muscle ROI: the slab without its boundary row
    let muscle: Vec<bool> = (0..nv)
        .map(|v| voxel_world(g, v)[1] >= fov.muscle_y0 + g.voxel_mm()[1])
        .collect();

    // --- MRI parameters per voxel
    let mut t10 = vec![0.0; nv];
    let mut m0 = vec![0.0; nv];
    let mut kt = vec![0.0; nv];
    let mut ve = vec![0.0; nv];
    let mut vp = vec![0.0; nv];
    let mut adc = vec![0.0; nv];
    let mut s0 = vec![0.0; nv];
    for v in 0..nv {
        let (a, b, c, d, e, f, s) = match label[v] {
            0 => (450.0, 1000.0, 0.02, 0.15, 0.005, 0.6e-3, 500.0),
            FGT => (1450.0, 1100.0, 0.07, 0.30, 0.015, 1.9e-3, 900.0),
            1 => (1400.0, 900.0, 0.10, 0.12, 0.030, 1.4e-3, 600.0),
            AIR => (1200.0, 0.0, 0.0, 0.20, 0.0, 1.6e-3, 0.0),
            l => {
                let lp = &lesions[pat.lesions[l - 2]];
                let q = rho[v];
                (
                    lp.t10 * (1.0 + 0.03 * r.normal()),
                    1050.0,
                    lp.ktrans * (0.45 + 1.1 * q * q) * (0.15 * r.normal()).exp(),
                    (lp.ve * (0.1 * r.normal()).exp()).clamp(0.05, 0.95),
                    lp.vp * (0.5 + q) * (0.2 * r.normal()).exp(),
                    lp.adc * (0.08 * r.normal()).exp(),
                    850.0,
                )
            }
        };
        t10[v] = if label[v] < 2 || label[v] >= FGT {
            a * (1.0 + 0.03 * r.normal())
        } else {
            a
        };
        (m0[v], kt[v], ve[v], vp[v], adc[v], s0[v]) = (b, c, d, e, f, s);
    }
    // lesion Ktrans and vp rescaled so the voxel means equal the planned lesion values
    for (li, idx) in les_idx.iter().enumerate() {
        let lp = &lesions[pat.lesions[li]];
        let (mk, mp) = (mean_over(&kt, idx), mean_over(&vp, idx));
        for &v in idx {
            kt[v] *= lp.ktrans / mk;
            vp[v] = (vp[v] * lp.vp / mp).min(0.5);
        }
    }
    // B1: smooth left–right and anterior–posterior variation (about 0.91–1.08)
    let b1: Vec<f64> = (0..nv)
        .map(|v| {
            let p = voxel_world(g, v);
            1.0 - 0.06 * (p[0] / fov.half[0]) - 0.05 * (p[1] / fov.half[1]).powi(2) + 0.02
        })
        .collect();

    // --- VFA
    let s_ref = |fa: f64| models::spgr_signal(1000.0, 1000.0 / 1200.0, TR_MS, fa);
    let mut vfa = vec![0f32; nv * VFA_DEG.len()];
    for v in 0..nv {
        for (f, &fa) in VFA_DEG.iter().enumerate() {
            let s = models::spgr_signal(m0[v], 1000.0 / t10[v], TR_MS, fa * b1[v]);
            vfa[v * VFA_DEG.len() + f] = (s + noise * 0.01 * s_ref(fa) * r.normal()) as f32;
        }
    }
    let p = &files.vfa;
    nifti_io::write(
        &with_meta(
            vol(g, VFA_DEG.len(), vfa, None)?,
            json!({"FlipAngle": VFA_DEG, "RepetitionTime": TR_MS / 1000.0,
                   "MagneticFieldStrength": 3, "Units": "arbitrary"}),
        ),
        p,
        OutType::Float32,
    )?;
    written.push(p.clone());
    let p = &files.b1;
    nifti_io::write(
        &with_meta(
            vol(g, 1, b1.iter().map(|&x| x as f32).collect(), None)?,
            json!({"Units": "fraction of the nominal flip angle", "Method": "Bloch-Siegert"}),
        ),
        p,
        OutType::Float32,
    )?;
    written.push(p.clone());

    // --- DCE
    let nt = DCE_BASELINE + DCE_POST;
    let start: Vec<f64> = (0..nt).map(|i| i as f64 * DCE_DT_S).collect();
    let ta = TimeAxis {
        start_s: start.clone(),
        duration_s: vec![DCE_DT_S; nt],
    };
    let mid = ta.mid_s();
    let inj_s = DCE_BASELINE as f64 * DCE_DT_S;
    let cp = models::parker_aif(&mid, pat.hct, inj_s);
    let tissue_curve = |k: f64, e: f64, p: f64| models::conc_tofts(&mid, &cp, k, e, p);
    let fat_c = tissue_curve(0.02, 0.15, 0.005);
    let fgt_c = tissue_curve(0.07, 0.30, 0.015);
    let muscle_c = tissue_curve(0.10, 0.12, 0.030);
    let conc: Vec<Vec<f64>> =
        crate::progress::par_map("synth: DCE", nv, 4096, |v| match label[v] {
            0 => fat_c.clone(),
            FGT => fgt_c.clone(),
            1 => muscle_c.clone(),
            _ => tissue_curve(kt[v], ve[v], vp[v]),
        })?;
    let sd_dce = noise * 0.01 * s_ref(DCE_FA_DEG);
    let mut dce = vec![0f32; nv * nt];
    for v in 0..nv {
        for t in 0..nt {
            let r1 = 1000.0 / t10[v] + models::R1_PER_MM_S * conc[v][t];
            let s = models::spgr_signal(m0[v], r1, TR_MS, DCE_FA_DEG * b1[v]);
            dce[v * nt + t] = (s + sd_dce * r.normal()) as f32;
        }
    }
    drop(conc);
    let p = &files.dce;
    nifti_io::write(
        &with_meta(
            vol(g, nt, dce, Some(ta))?,
            json!({"FlipAngle": DCE_FA_DEG, "RepetitionTime": TR_MS / 1000.0,
                   "MagneticFieldStrength": 3, "ContrastAgent": "gadobutrol",
                   "ContrastDose_mmol_kg": 0.1, "ContrastInjectionTime": inj_s,
                   "Relaxivity_per_mM_s": models::R1_PER_MM_S, "Units": "arbitrary"}),
        ),
        p,
        OutType::Float32,
    )?;
    written.push(p.clone());

    // --- DWI (b = 0 and 900 s/mm²), when acquired
    if pat.dwi {
        let mut d = vec![0f32; nv * 2];
        for v in 0..nv {
            d[v * 2] = (s0[v] + noise * 0.01 * 800.0 * r.normal()) as f32;
            d[v * 2 + 1] = (models::adc_signal(s0[v], B_VALUE, adc[v])
                + noise * 0.01 * 800.0 * r.normal()) as f32;
        }
        let p = &files.dwi;
        nifti_io::write(
            &with_meta(vol(g, 2, d, None)?, json!({"MagneticFieldStrength": 3})),
            p,
            OutType::Float32,
        )?;
        written.push(p.clone());
        let p = &files.bval;
        crate::fsutil::write_atomic(p, |w| w.write_all(format!("0 {B_VALUE}\n").as_bytes()))
            .map_err(|e| StudyError::file(&p.display().to_string(), e))?;
        written.push(p.clone());
    }

    // --- PET: Ki and V0 fields on the PET grid, then the series and the venous samples
    let m_inv = pat
        .offset()
        .try_inverse()
        .expect("a rigid transform is invertible");
    let pf = synth_pet::pet_fields(&mut r, fov, pat, lesions, &fgt, &les_idx, &muscle)?;
    written.extend(synth_pet::write_pet(
        &mut r, noise, pat, &fov.pet, &pf, pop_t, &files,
    )?);
    let (ki, v0, thr) = (pf.ki, pf.v0, pf.thr);
    let pg = &fov.pet;

    // --- masks
    let mm = Mask::new(g.clone(), muscle)?;
    mm.save(&files.muscle)?;
    written.push(files.muscle.clone());

    // --- truth
    let ki_vol = vol(pg, 1, ki.clone(), None)?;
    let ki_dce = resample::trilinear(&ki_vol, g, &m_inv)?;
    let v0_dce = resample::trilinear(&vol(pg, 1, v0, None)?, g, &m_inv)?;
    let kt_vol = vol(g, 1, kt.iter().map(|&x| x as f32).collect(), None)?;
    let kis: Vec<f64> = ki_dce.as_slice().iter().map(|&x| x as f64).collect();
    let v0s: Vec<f64> = v0_dce.as_slice().iter().map(|&x| x as f64).collect();
    let mut truths = Vec::new();
    for (li, &l) in pat.lesions.iter().enumerate() {
        let idx = &les_idx[li];
        let mut data = vec![false; nv];
        for &v in idx {
            data[v] = true;
        }
        let lm = Mask::new(g.clone(), data)?;
        let path = lesion_mask(dir, &pat.id, lesions[l].lesion);
        lm.save(&path)?;
        written.push(path);
        let kiv: Vec<f64> = idx.iter().map(|&v| kis[v]).collect();
        let kep: Vec<f64> = idx.iter().map(|&v| kt[v] / ve[v]).collect();
        truths.push((
            l,
            Truth {
                ktrans: mean_over(&kt, idx),
                kep: kep.iter().sum::<f64>() / kep.len().max(1) as f64,
                ve: mean_over(&ve, idx),
                vp: mean_over(&vp, idx),
                adc: mean_over(&adc, idx),
                t10: mean_over(&t10, idx),
                ki: kiv.iter().sum::<f64>() / kiv.len().max(1) as f64,
                v0: mean_over(&v0s, idx),
                hf: pct_above(&kiv, thr),
                diameter_mm: if idx.is_empty() {
                    f64::NAN
                } else {
                    lm.longest_diameter_mm()?
                },
                n: idx.len(),
                classes: classes::voxel_classes(
                    &ki_dce,
                    &kt_vol,
                    &lm,
                    &mm,
                    classes::KTRANS_SPLIT_PER_MIN,
                    2.0,
                )
                .ok(),
            },
        ));
    }
    let bytes = written
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum::<u64>();
    Ok(PatientOut { truths, bytes })
}

/// Write the synthetic study to `dir` (which must not exist or be empty).
pub fn synth_study(dir: &Path, opts: &SynthOptions) -> Result<SynthReport, StudyError> {
    if !(opts.noise.is_finite() && opts.noise >= 0.0) {
        return Err(StudyError::arg(
            "synth",
            format!(
                "noise must be a number ≥ 0 (1 = default levels), got {}",
                opts.noise
            ),
        ));
    }
    let ds = dir.display().to_string();
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| StudyError::file(&ds, format!("cannot list: {e}")))?
            .next()
            .is_none();
        if !empty {
            return Err(StudyError::file(
                &ds,
                "the folder exists and is not empty; petmr writes a synthetic study only into a new or empty folder",
            ));
        }
    }
    let fov = fov(opts.size);
    let (patients, lesions) = plan_cohort(opts.seed, opts.size, &fov)?;
    let pop_t = population_times();

    // root tables
    let rows: Vec<Vec<String>> = pop_t
        .iter()
        .map(|&t| vec![cell(Some(t)), cell(Some(population_plasma_suv(t)))])
        .collect();
    tsv::write(
        &dir.join(layout::PET_INPUT),
        &["time_s", "plasma_suv"],
        &rows,
    )?;
    let rows: Vec<Vec<String>> = patients
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                cell(Some(p.age)),
                cell(Some(p.weight_kg)),
                cell(Some(p.hct)),
                cell(Some(p.dose_mbq)),
                cell(Some(p.pet_start_s / 60.0)),
            ]
        })
        .collect();
    tsv::write(
        &dir.join(layout::PARTICIPANTS),
        &[
            "participant_id",
            "age",
            "weight_kg",
            "hematocrit",
            "dose_mbq",
            "pet_start_min",
        ],
        &rows,
    )?;
    let mut order: Vec<usize> = (0..lesions.len()).collect();
    order.sort_by_key(|&i| (lesions[i].patient, lesions[i].lesion));
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let l = &lesions[i];
            let pn = |b: bool| if b { "pos" } else { "neg" }.to_string();
            vec![
                patients[l.patient].id.clone(),
                l.lesion.to_string(),
                l.subtype.to_string(),
                l.grade.to_string(),
                pn(l.hr_pos),
                pn(l.her2_pos),
                cell(l.path_size_mm),
            ]
        })
        .collect();
    tsv::write(
        &dir.join(layout::LESIONS),
        &[
            "participant_id",
            "lesion",
            "subtype",
            "grade",
            "hr",
            "her2",
            "path_size_mm",
        ],
        &rows,
    )?;
    let desc = json!({
        "Name": "petmr synthetic FMISO PET/MRI breast study",
        "BIDSVersion": "1.9.0",
        "DatasetType": "raw",
        "GeneratedBy": [{"Name": "petmr synth", "Version": env!("CARGO_PKG_VERSION")}],
        "petmr": {"seed": opts.seed, "size": opts.size.name(), "noise": opts.noise},
    });
    let text = serde_json::to_string_pretty(&desc).unwrap_or_default();
    let p = dir.join("dataset_description.json");
    crate::fsutil::write_atomic(&p, |w| w.write_all(text.as_bytes()))
        .map_err(|e| StudyError::file(&p.display().to_string(), e))?;

    // per patient, in parallel (each has its own random stream, so the result is the same)
    let outs = crate::progress::par_map("synth: patients", patients.len(), 1, |pi| {
        gen_patient(
            dir,
            opts.seed,
            opts.noise,
            &fov,
            pi,
            &patients[pi],
            &lesions,
            &pop_t,
        )
    })?;
    let mut truths: Vec<Option<Truth>> = (0..lesions.len()).map(|_| None).collect();
    let mut bytes = 0;
    for o in outs {
        let o = o?;
        bytes += o.bytes;
        for (l, t) in o.truths {
            truths[l] = Some(t);
        }
    }
    let mut hf_classes = [0; 3];
    let mut rows = Vec::new();
    for &i in &order {
        let l = &lesions[i];
        let p = &patients[l.patient];
        let t = truths[i].as_ref().expect("every lesion was generated");
        hf_classes[if t.hf <= 0.0 {
            0
        } else if t.hf <= 1.0 {
            1
        } else {
            2
        }] += 1;
        let c = t.classes.as_ref();
        let cf = |f: fn(&classes::VoxelClasses) -> f64| cell(c.map(f));
        rows.push(vec![
            p.id.clone(),
            l.lesion.to_string(),
            cell(Some(t.ktrans)),
            cell(Some(t.kep)),
            cell(Some(t.ve)),
            cell(Some(t.vp)),
            format!("{:.4e}", t.adc),
            format!("{:.4e}", t.ki),
            cell(Some(t.v0)),
            cell(Some(t.hf)),
            cell(Some(t.diameter_mm)),
            t.n.to_string(),
            cell(Some(t.t10)),
            cf(|c| c.hypoxic_hypo),
            cf(|c| c.hypoxic_hyper),
            cf(|c| c.normoxic_hypo),
            cf(|c| c.normoxic_hyper),
            cf(|c| c.r_ki_ktrans),
            if p.dwi { "yes" } else { "no" }.into(),
            cell(Some(p.input_scale)),
            cell(Some(p.rot_deg[0])),
            cell(Some(p.rot_deg[1])),
            cell(Some(p.rot_deg[2])),
            cell(Some(p.shift_mm[0])),
            cell(Some(p.shift_mm[1])),
            cell(Some(p.shift_mm[2])),
        ]);
    }
    tsv::write(
        &dir.join(layout::TRUTH),
        &[
            "participant_id",
            "lesion",
            "ktrans",
            "kep",
            "ve",
            "vp",
            "adc",
            "ki",
            "v0",
            "hf",
            "diameter_mm",
            "n_voxels",
            "t10_ms",
            "hypoxic_hypo",
            "hypoxic_hyper",
            "normoxic_hypo",
            "normoxic_hyper",
            "r_ki_ktrans",
            "dwi",
            "input_scale",
            "pet_rot_x_deg",
            "pet_rot_y_deg",
            "pet_rot_z_deg",
            "pet_shift_x_mm",
            "pet_shift_y_mm",
            "pet_shift_z_mm",
        ],
        &rows,
    )?;
    Ok(SynthReport {
        dir: dir.to_path_buf(),
        participants: patients.len(),
        lesions: lesions.len(),
        bytes,
        hf_classes,
    })
}
