//! The PET part of the synthetic study: the Ki and V0 fields on the PET grid (the anatomy each
//! PET voxel sees through the patient's true offset, partial-volumed; hypoxic islands grown to
//! each lesion's %HF target), the 4-D FMISO series and the venous blood samples.
use super::cohort::*;
use super::layout::SubjectFiles;
use super::models;
use super::rng::Rng;
use super::synth::*;
use super::tsv::{self, cell};
use super::StudyError;
use crate::volume::nifti_io::{self, OutType};
use crate::volume::resample;
use crate::volume::{Curve, Grid, TimeAxis};
use nalgebra::Matrix4;
use serde_json::json;
use std::path::PathBuf;

/// Trilinear sampling positions of DCE voxels in the PET grid under the true offset.
pub(super) type Corner = Option<([usize; 3], [f64; 3])>;

pub(super) fn pet_positions(
    fov: &Fov,
    m_inv: &Matrix4<f64>,
    idx: &[usize],
) -> Result<Vec<Corner>, StudyError> {
    let vm = resample::voxel_map(&fov.pet, &fov.mri, m_inv)?;
    Ok(idx
        .iter()
        .map(|&v| {
            let [i, j, k] = fov.mri.ijk(v);
            resample::trilinear_corner(fov.pet.dim, resample::map_point(&vm, i, j, k))
        })
        .collect())
}

pub(super) fn sample_at(field: &[f32], dim: [usize; 3], pos: &[Corner]) -> Vec<f64> {
    pos.iter()
        .map(|p| match p {
            Some((b, f)) => resample::trilinear_at(field, dim, 1, 0, *b, *f),
            None => f64::NAN,
        })
        .collect()
}

pub(super) fn threshold(vals: &[f64]) -> f64 {
    let v: Vec<f64> = vals.iter().copied().filter(|x| x.is_finite()).collect();
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    m + 2.0 * sd
}

pub(super) fn pct_above(vals: &[f64], thr: f64) -> f64 {
    100.0 * vals.iter().filter(|&&x| x > thr).count() as f64 / vals.len().max(1) as f64
}

/// The true PET fields of one patient and the muscle threshold of Ki the analysis should find.
pub(super) struct PetFields {
    /// Ki (mL/cm³/min) per PET voxel.
    pub(super) ki: Vec<f32>,
    /// V0 per PET voxel.
    pub(super) v0: Vec<f32>,
    /// Mean + 2 SD of the true Ki over the muscle mask on the DCE grid.
    pub(super) thr: f64,
}

/// Ki and V0 on the PET grid for one patient (draws from `r` in a fixed order).
pub(super) fn pet_fields(
    r: &mut Rng,
    fov: &Fov,
    pat: &PatientPlan,
    lesions: &[LesionPlan],
    fgt: &Fgt,
    les_idx: &[Vec<usize>],
    muscle: &[bool],
) -> Result<PetFields, StudyError> {
    let pg = &fov.pet;
    let npv = pg.n_voxels();
    let m = pat.offset();
    let m_inv = m.try_inverse().expect("a rigid transform is invertible");
    let mut ki = vec![0f32; npv];
    let mut v0 = vec![0f32; npv];
    // (lesion index within patient, rho) of each PET voxel inside a lesion
    let mut pet_les: Vec<Option<(usize, f64)>> = vec![None; npv];
    // Each PET voxel averages the anatomy over its own volume (3×3×3 sub-points): edges are
    // partial-volumed as a scanner sees them, which is also what lets a registration place them
    // to a fraction of a voxel. One texture draw per voxel and tissue.
    const SUB: [f64; 3] = [-1.0 / 3.0, 0.0, 1.0 / 3.0];
    for u in 0..npv {
        let [i, j, k] = pg.ijk(u);
        let at = |d: [f64; 3]| {
            let w0 = pg.world([i as f64 + d[0], j as f64 + d[1], k as f64 + d[2]]);
            let w = m * nalgebra::Vector4::new(w0[0], w0[1], w0[2], 1.0);
            [w[0], w[1], w[2]]
        };
        let mus = (KI_MUSCLE.0 + KI_MUSCLE.1 * r.normal(), 0.85);
        let brs = (KI_BREAST + 0.02e-3 * r.normal(), 0.45);
        let gland = (KI_GLAND + 0.02e-3 * r.normal(), 0.75);
        let tex = (0.02e-3 * r.normal()).clamp(-0.04e-3, 0.04e-3);
        let tissue = |w: [f64; 3]| {
            let mut t = if w[1] >= fov.muscle_y0 {
                mus
            } else if fov.is_air(w) {
                (0.0, 0.0)
            } else if fgt.contains(w) {
                gland
            } else {
                brs
            };
            let mut inside = None;
            for (li, &l) in pat.lesions.iter().enumerate() {
                let q = lesions[l].geo.rho(w);
                if q <= 1.0 {
                    t = (lesions[l].ki_base + tex, lesions[l].v0);
                    inside = Some((li, q));
                }
            }
            (t, inside)
        };
        let (mut kk, mut vv) = (0.0, 0.0);
        for a in SUB {
            for b in SUB {
                for c in SUB {
                    let ((x, y), inside) = tissue(at([a, b, c]));
                    kk += x / 27.0;
                    vv += y / 27.0;
                    if [a, b, c] == [0.0; 3] {
                        pet_les[u] = inside; // lesion membership is the voxel centre's
                    }
                }
            }
        }
        ki[u] = kk as f32;
        v0[u] = vv as f32;
    }
    // muscle threshold of the true field as the analysis sees it (on the DCE grid)
    let mus_idx: Vec<usize> = (0..muscle.len()).filter(|&v| muscle[v]).collect();
    let mus_pos = pet_positions(fov, &m_inv, &mus_idx)?;
    let thr = threshold(&sample_at(&ki, pg.dim, &mus_pos));
    // hypoxic islands, grown PET voxel by PET voxel until the lesion's %HF is in its target
    for (li, &l) in pat.lesions.iter().enumerate() {
        let Some((lo, hi)) = lesions[l].hf_target else {
            continue;
        };
        let pos = pet_positions(fov, &m_inv, &les_idx[li])?;
        let hf_now = |ki: &[f32]| pct_above(&sample_at(ki, pg.dim, &pos), thr);
        let cand: Vec<usize> = (0..npv)
            .filter(|&u| matches!(pet_les[u], Some((x, q)) if x == li && q <= 0.85))
            .collect();
        if cand.is_empty() {
            continue;
        }
        let core: Vec<usize> = cand
            .iter()
            .copied()
            .filter(|&u| pet_les[u].unwrap().1 < 0.5)
            .collect();
        let rim: Vec<usize> = cand
            .iter()
            .copied()
            .filter(|&u| pet_les[u].unwrap().1 >= 0.5)
            .collect();
        let mut hot: Vec<usize> = Vec::new();
        let mut island = 0;
        'grow: for step in 0..cand.len() {
            // a new island every 5 voxels, alternating between the hypoperfused core and the
            // hyperperfused rim; otherwise grow the current island by a neighbour
            let next = if step % 5 == 0 {
                let pool = if island % 2 == 0 && !core.is_empty() {
                    &core
                } else if !rim.is_empty() {
                    &rim
                } else {
                    &cand
                };
                island += 1;
                let free: Vec<usize> = pool.iter().copied().filter(|u| !hot.contains(u)).collect();
                if free.is_empty() {
                    break;
                }
                free[r.below(free.len())]
            } else {
                let last = *hot.last().expect("an island was started");
                let [i, j, k] = pg.ijk(last);
                let nb: Vec<usize> = cand
                    .iter()
                    .copied()
                    .filter(|&u| {
                        let [a, b, c] = pg.ijk(u);
                        !hot.contains(&u) && a.abs_diff(i) + b.abs_diff(j) + c.abs_diff(k) == 1
                    })
                    .collect();
                if nb.is_empty() {
                    let free: Vec<usize> =
                        cand.iter().copied().filter(|u| !hot.contains(u)).collect();
                    if free.is_empty() {
                        break;
                    }
                    free[r.below(free.len())]
                } else {
                    nb[r.below(nb.len())]
                }
            };
            let base = ki[next];
            ki[next] = KI_HYPOXIC as f32;
            hot.push(next);
            let h = hf_now(&ki);
            if h >= lo && h <= hi {
                break;
            }
            if h > hi {
                // scan this voxel's amplitude for the widest range that lands in the target
                let levels: Vec<f32> = (1..=40)
                    .map(|s| base + (KI_HYPOXIC as f32 - base) * s as f32 / 40.0)
                    .collect();
                let okv: Vec<f32> = levels
                    .iter()
                    .copied()
                    .filter(|&a| {
                        let mut t = ki.clone();
                        t[next] = a;
                        let h = hf_now(&t);
                        h >= lo && h <= hi
                    })
                    .collect();
                if !okv.is_empty() {
                    ki[next] = okv[okv.len() / 2];
                    break 'grow;
                }
                // cannot land inside: keep the largest amplitude still below the target
                let below: Vec<f32> = levels
                    .iter()
                    .copied()
                    .filter(|&a| {
                        let mut t = ki.clone();
                        t[next] = a;
                        hf_now(&t) < lo
                    })
                    .collect();
                // (and try the next voxel: another one may land where this one could not)
                ki[next] = below.last().copied().unwrap_or(base);
            }
        }
    }
    Ok(PetFields { ki, v0, thr })
}

/// Write the PET series (Bq/mL with its BIDS-PET sidecar) and the two venous samples; returns
/// the files written.
pub(super) fn write_pet(
    r: &mut Rng,
    noise: f64,
    pat: &PatientPlan,
    pg: &Grid,
    f: &PetFields,
    pop_t: &[f64],
    files: &SubjectFiles,
) -> Result<Vec<PathBuf>, StudyError> {
    let (ki, v0) = (&f.ki, &f.v0);
    let npv = pg.n_voxels();
    let mut written = Vec::new();
    // --- PET series: Patlak uptake with the patient's input (Bq/mL, decay-corrected to
    // injection): SUV 1 = dose / weight
    let to_bq = pat.dose_mbq * 1e6 / (pat.weight_kg * 1000.0) * pat.input_scale;
    let fstart: Vec<f64> = (0..PET_FRAMES)
        .map(|i| pat.pet_start_s + i as f64 * PET_FRAME_S)
        .collect();
    let mut tt: Vec<f64> = pop_t.to_vec();
    for &s in &fstart {
        tt.extend((0..=30).map(|i| s + i as f64 * PET_FRAME_S / 30.0));
    }
    tt.sort_by(f64::total_cmp);
    tt.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let pop_v: Vec<f64> = pop_t.iter().map(|&t| population_plasma_suv(t)).collect();
    let curve = Curve::new(pop_t.to_vec(), pop_v).expect("increasing times");
    let cp_of = |t: f64| -> f64 { curve.at(t).unwrap_or(0.0) * to_bq };
    let cp_t: Vec<f64> = tt.iter().map(|&t| cp_of(t)).collect();
    let basis_ki = models::patlak_forward(&tt, &cp_t, 1.0, 0.0);
    let basis_v0 = models::patlak_forward(&tt, &cp_t, 0.0, 1.0);
    let frame_mean = |b: &[f64], s: f64| -> f64 {
        let e = s + PET_FRAME_S;
        let mut acc = 0.0;
        for i in 1..tt.len() {
            if tt[i - 1] >= s - 1e-9 && tt[i] <= e + 1e-9 {
                acc += 0.5 * (b[i] + b[i - 1]) * (tt[i] - tt[i - 1]);
            }
        }
        acc / PET_FRAME_S
    };
    let fk: Vec<f64> = fstart.iter().map(|&s| frame_mean(&basis_ki, s)).collect();
    let fv: Vec<f64> = fstart.iter().map(|&s| frame_mean(&basis_v0, s)).collect();
    let mut pet = vec![0f32; npv * PET_FRAMES];
    for u in 0..npv {
        for f in 0..PET_FRAMES {
            let c = ki[u] as f64 * fk[f] + v0[u] as f64 * fv[f];
            pet[u * PET_FRAMES + f] = (c * (1.0 + noise * PET_NOISE * r.normal())) as f32;
        }
    }
    let p = &files.pet;
    let pta = TimeAxis {
        start_s: fstart.clone(),
        duration_s: vec![PET_FRAME_S; PET_FRAMES],
    };
    nifti_io::write(
        &with_meta(
            vol(pg, PET_FRAMES, pet, Some(pta))?,
            json!({"TracerName": "FMISO", "TracerRadionuclide": "F18",
                   "InjectedRadioactivity": pat.dose_mbq, "InjectedRadioactivityUnits": "MBq",
                   "BodyWeight": pat.weight_kg, "Units": "Bq/mL",
                   "InjectionStart": 0, "ScanStart": pat.pet_start_s,
                   "ImageDecayCorrected": true, "ImageDecayCorrectionTime": 0,
                   "ReconMethodName": "TOF-OSEM (synthetic)"}),
        ),
        p,
        OutType::Float32,
    )?;
    written.push(p.clone());
    // venous samples just before and after the PET/MR acquisition
    let last_end = fstart[PET_FRAMES - 1] + PET_FRAME_S;
    let st = [fstart[0] - 120.0, last_end + 120.0];
    let rows: Vec<Vec<String>> = st
        .iter()
        .map(|&t| {
            let c = cp_of(t) * (1.0 + noise * 0.02 * r.normal());
            vec![cell(Some(t)), cell(Some(c))]
        })
        .collect();
    tsv::write(&files.blood, &["time_s", "plasma_bq_ml"], &rows)?;
    written.push(files.blood.clone());
    Ok(written)
}
