//! The cohort plan of the synthetic study: per patient and lesion, the clinical attributes of
//! Table 1, the lesion truths following the paper's relations, and the lesion geometry in the
//! field of view. Images are made from the plan in `synth.rs`.
use super::rng::Rng;
use super::synth::*;
use super::StudyError;
use crate::roi::Mask;
use crate::volume::Grid;
use nalgebra::{Matrix4, Rotation3};
#[derive(Clone, Debug)]
pub(crate) struct Geo {
    pub(crate) c: [f64; 3],
    pub(crate) ax: [f64; 3],
    pub(crate) phi0: f64,
    pub(crate) lob: f64,
}

impl Geo {
    /// Normalised radius: ≤ 1 inside the (lobulated) ellipsoid.
    pub(crate) fn rho(&self, p: [f64; 3]) -> f64 {
        let q = [0, 1, 2].map(|d| (p[d] - self.c[d]) / self.ax[d]);
        let r = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]).sqrt();
        let phi = q[1].atan2(q[0]);
        r / (1.0 + self.lob * (3.0 * phi + self.phi0).sin())
    }
}

#[derive(Clone, Debug)]
pub(crate) struct LesionPlan {
    pub(crate) patient: usize,
    pub(crate) lesion: i64,
    pub(crate) subtype: &'static str,
    pub(crate) grade: i64,
    pub(crate) hr_pos: bool,
    pub(crate) her2_pos: bool,
    pub(crate) path_size_mm: Option<f64>,
    pub(crate) big: bool,
    pub(crate) d_target: f64,
    pub(crate) ktrans: f64,
    pub(crate) ve: f64,
    pub(crate) vp: f64,
    pub(crate) adc: f64,
    pub(crate) t10: f64,
    pub(crate) ki_base: f64,
    pub(crate) v0: f64,
    pub(crate) geo: Geo,
    /// Target %HF interval (None: no hypoxic islands).
    pub(crate) hf_target: Option<(f64, f64)>,
    pub(crate) n_voxels: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct PatientPlan {
    pub(crate) id: String,
    pub(crate) age: f64,
    pub(crate) weight_kg: f64,
    pub(crate) hct: f64,
    pub(crate) dose_mbq: f64,
    pub(crate) pet_start_s: f64,
    pub(crate) dwi: bool,
    pub(crate) input_scale: f64,
    pub(crate) rot_deg: [f64; 3],
    pub(crate) shift_mm: [f64; 3],
    pub(crate) lesions: Vec<usize>,
}

impl PatientPlan {
    /// The true PET offset: PET voxel v shows the anatomy at world point M·A_pet·v.
    pub(crate) fn offset(&self) -> Matrix4<f64> {
        let r = Rotation3::from_euler_angles(
            self.rot_deg[0].to_radians(),
            self.rot_deg[1].to_radians(),
            self.rot_deg[2].to_radians(),
        );
        let mut m = r.to_homogeneous();
        for d in 0..3 {
            m[(d, 3)] = self.shift_mm[d];
        }
        m
    }
}

pub(crate) fn counts<T: Copy>(items: &[(T, usize)]) -> Vec<T> {
    items
        .iter()
        .flat_map(|&(v, n)| std::iter::repeat_n(v, n))
        .collect()
}

/// Field-of-view geometry shared by every patient of a size.
pub(crate) struct Fov {
    pub(crate) mri: Grid,
    pub(crate) pet: Grid,
    /// World y where the muscle slab starts (posterior edge of the FOV).
    pub(crate) muscle_y0: f64,
    pub(crate) y_lo: f64,
    pub(crate) half: [f64; 3],
}

/// Label of air (outside the body) on the DCE grid.
pub(crate) const AIR: usize = usize::MAX;

impl Fov {
    /// Outside the body: the anterior corners, behind a parabolic skin line, so that every image
    /// has a skin–air edge for registration.
    pub(crate) fn is_air(&self, p: [f64; 3]) -> bool {
        p[1] < self.y_lo - 2.0 + 18.0 * (p[0] / self.half[0]).powi(2)
    }
}

/// Label of fibroglandular tissue on the DCE grid.
pub(crate) const FGT: usize = usize::MAX - 1;

/// A patient's fibroglandular tissue: where a smooth random field (five plane waves of 20–35 mm
/// wavelength in random directions) is high, about a third of the breast. It gives both
/// modalities shared structure in all three directions (glandular tissue enhances mildly and
/// takes up a little more FMISO than fat), as in real breast images.
pub(crate) struct Fgt {
    waves: Vec<([f64; 3], f64)>,
}

impl Fgt {
    pub(crate) fn new(r: &mut Rng) -> Fgt {
        let waves = (0..5)
            .map(|_| {
                let (z, phi) = (r.range(-1.0, 1.0), r.range(0.0, std::f64::consts::TAU));
                let s = (1.0 - z * z).sqrt();
                let k = std::f64::consts::TAU / r.range(20.0, 35.0);
                (
                    [k * s * phi.cos(), k * s * phi.sin(), k * z],
                    r.range(0.0, std::f64::consts::TAU),
                )
            })
            .collect();
        Fgt { waves }
    }
    /// True where the world point (mm) lies in glandular tissue.
    pub(crate) fn contains(&self, p: [f64; 3]) -> bool {
        let f: f64 = self
            .waves
            .iter()
            .map(|(k, ph)| (k[0] * p[0] + k[1] * p[1] + k[2] * p[2] + ph).cos())
            .sum();
        f > 0.6
    }
}

pub(crate) fn fov(size: Size) -> Fov {
    let (dim, vox) = size.mri();
    let origin = [0, 1, 2].map(|d| -((dim[d] - 1) as f64) / 2.0 * vox[d]);
    let mri = Grid::axis_aligned(dim, vox, origin);
    let half = [0, 1, 2].map(|d| dim[d] as f64 * vox[d] / 2.0);
    let pv = size.pet_voxel();
    // the PET field of view covers the MRI one with a margin of two PET voxels on each side
    let pdim = [0, 1, 2].map(|d| ((2.0 * half[d]) / pv[d]).ceil() as usize + 4);
    let porigin = [0, 1, 2].map(|d| -((pdim[d] - 1) as f64) / 2.0 * pv[d]);
    let pet = Grid::axis_aligned(pdim, pv, porigin);
    Fov {
        mri,
        pet,
        muscle_y0: half[1] - MUSCLE_MM,
        y_lo: -half[1],
        half,
    }
}

pub(crate) fn plan_cohort(
    seed: u64,
    size: Size,
    fov: &Fov,
) -> Result<(Vec<PatientPlan>, Vec<LesionPlan>), StudyError> {
    let mut r = Rng::fork(seed, 0);
    // which patients have two lesions
    let mut order: Vec<usize> = (0..N_PATIENTS).collect();
    r.shuffle(&mut order);
    let two: Vec<usize> = order[..N_TWO_LESION].to_vec();
    // DWI in 18 patients with 19 lesions: one two-lesion patient and 17 single-lesion patients
    let mut dwi = [false; N_PATIENTS];
    dwi[two[0]] = true;
    for &p in order[N_TWO_LESION..].iter().take(17) {
        dwi[p] = true;
    }
    let mut patients = Vec::new();
    for (p, &has_dwi) in dwi.iter().enumerate() {
        let ang = [r.range(-1.5, 1.5), r.range(-1.5, 1.5), r.range(-3.0, 3.0)];
        let shift = [r.range(-3.0, 3.0), r.range(-3.0, 3.0), r.range(-2.0, 2.0)];
        patients.push(PatientPlan {
            id: format!("sub-{:02}", p + 1),
            age: (57.0 + 10.0 * r.normal()).clamp(37.0, 78.0).round(),
            weight_kg: ((72.0 + 12.0 * r.normal()).clamp(48.0, 110.0) * 10.0).round() / 10.0,
            hct: ((0.40 + 0.03 * r.normal()).clamp(0.32, 0.48) * 1000.0).round() / 1000.0,
            dose_mbq: ((306.0 + 14.0 * r.normal()).clamp(270.0, 340.0) * 10.0).round() / 10.0,
            pet_start_s: ((120.2 + r.range(-0.4, 3.0)) * 60.0).round(),
            dwi: has_dwi,
            input_scale: r.range(0.85, 1.15),
            rot_deg: ang,
            shift_mm: shift,
            lesions: Vec::new(),
        });
    }
    // Table 1 counts, shuffled over the 32 lesions
    let n = N_PATIENTS + N_TWO_LESION;
    let mut subtype = counts(&[("IDC", 21), ("ILC", 6), ("Mixed", 3), ("IMC", 2)]);
    let mut grade = counts(&[(1i64, 3), (2, 16), (3, 13)]);
    let mut her2 = counts(&[(true, 7), (false, 25)]);
    let mut hr = counts(&[(false, 1), (true, 31)]);
    let mut path = counts(&[(true, 21), (false, 11)]);
    for v in [&mut her2, &mut hr, &mut path] {
        r.shuffle(v);
    }
    r.shuffle(&mut subtype);
    r.shuffle(&mut grade);
    // lesion slots: every patient's first lesion, then the second ones
    let mut slots: Vec<(usize, i64)> = (0..N_PATIENTS).map(|p| (p, 1)).collect();
    slots.extend(two.iter().map(|&p| (p, 2)));
    // size classes: the two-lesion patients' lesions are kept small enough to sit side by side
    let mut big = counts(&[(true, 22), (false, 10)]);
    r.shuffle(&mut big);
    let mut lesions = Vec::new();
    let (_, vox) = size.mri();
    for (i, &(p, l)) in slots.iter().enumerate() {
        let two_here = two.contains(&p);
        let d = if big[i] {
            r.range(23.0, if two_here { 30.0 } else { 44.0 })
        } else {
            r.range(11.0, 17.5)
        };
        let st = subtype[i];
        let kt = ((0.35f64.ln() + 0.55 * r.normal()).exp() * if st == "ILC" { 0.7 } else { 1.0 })
            .clamp(0.08, 1.6);
        let ve = if st == "IMC" {
            r.range(0.6, 0.8)
        } else {
            r.range(0.25, 0.75)
        };
        let vp = (0.06f64.ln() + 0.5 * r.normal()).exp().clamp(0.01, 0.2);
        let adc = if st == "IMC" {
            2.2e-3 + 0.2e-3 * r.normal()
        } else {
            (1.0e-3 + 0.2e-3 * r.normal()).clamp(0.6e-3, 1.6e-3)
        };
        let ki_base =
            ((0.24 - 0.14 * kt.min(1.2)) * 1e-3 + 0.02e-3 * r.normal()).clamp(0.05e-3, 0.23e-3);
        // centre: one lesion in the middle, two side by side (bilateral)
        let cx = if two_here {
            if l == 1 {
                -fov.half[0] / 2.0
            } else {
                fov.half[0] / 2.0
            }
        } else {
            r.range(-3.0, 3.0)
        };
        let ymax = fov.muscle_y0 - 4.0;
        let cy = (fov.y_lo + ymax) / 2.0 + r.range(-2.0, 2.0);
        let geo = Geo {
            c: [cx, cy, r.range(-vox[2] / 2.0, vox[2] / 2.0)],
            ax: [d / 2.0, d / 2.0, d / 2.0],
            phi0: r.range(0.0, std::f64::consts::TAU),
            lob: 0.08,
        };
        let plan = LesionPlan {
            patient: p,
            lesion: l,
            subtype: st,
            grade: grade[i],
            hr_pos: hr[i],
            her2_pos: her2[i],
            path_size_mm: path[i].then(|| (d * r.range(0.85, 1.25)).round()),
            big: big[i],
            d_target: d,
            ktrans: kt,
            ve,
            vp,
            adc,
            t10: 1500.0 + 100.0 * r.normal(),
            ki_base,
            v0: r.range(0.85, 1.15),
            geo,
            hf_target: None,
            n_voxels: 0,
        };
        patients[p].lesions.push(lesions.len());
        lesions.push(plan);
    }
    // fit each lesion's semi-axes so that the mask's longest diameter is near the target and
    // on the right side of 20 mm
    for les in lesions.iter_mut() {
        let ymax = fov.muscle_y0 - 4.0;
        let bmax = ((ymax - fov.y_lo) / 2.0 - 2.5) / 1.08;
        let cmax = (fov.half[2] - 1.0) / 1.08;
        let mut a = les.d_target / 2.0 / 1.04;
        for _ in 0..12 {
            les.geo.ax = [a, (0.85 * a).min(bmax), (0.6 * a).min(cmax)];
            let m = lesion_mask_on(&fov.mri, &les.geo);
            let n = m.count();
            let dm = if n > 0 { m.longest_diameter_mm()? } else { 0.0 };
            les.n_voxels = n;
            let ok_class = if les.big {
                dm > 20.0
            } else {
                dm <= 20.0 && n >= 3
            };
            if ok_class && (dm - les.d_target).abs() < 2.5 {
                break;
            }
            a *= if dm > 0.0 {
                (les.d_target / dm).clamp(0.8, 1.25)
            } else {
                1.2
            };
        }
    }
    // hypoxic-fraction classes: rising with size, falling with Ktrans (the paper's relations);
    // 6 lesions above 1 %, 8 in (0, 1] (only lesions with > 110 voxels can be below 1 %)
    let z = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        v.into_iter().map(|x| (x - m) / s).collect::<Vec<f64>>()
    };
    let zd = z(lesions.iter().map(|l| l.d_target).collect());
    let zk = z(lesions.iter().map(|l| l.ktrans.ln()).collect());
    let mut score: Vec<(f64, usize)> = (0..n)
        .map(|i| (zd[i] - 0.5 * zk[i] + 0.6 * r.normal(), i))
        .collect();
    score.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut hi, mut lo) = (0, 0);
    for &(_, i) in &score {
        if hi < 6 && lesions[i].n_voxels >= 40 {
            let t = r.range(1.3, 4.5);
            lesions[i].hf_target = Some((t, t + 1.2));
            hi += 1;
        } else if lo < 8 && lesions[i].n_voxels > 110 {
            lesions[i].hf_target = Some((1e-9, 0.95));
            lo += 1;
        }
    }
    Ok((patients, lesions))
}

pub(crate) fn voxel_world(g: &Grid, v: usize) -> [f64; 3] {
    let [i, j, k] = g.ijk(v);
    g.world([i as f64, j as f64, k as f64])
}

pub(crate) fn lesion_mask_on(g: &Grid, geo: &Geo) -> Mask {
    let data = (0..g.n_voxels())
        .map(|v| geo.rho(voxel_world(g, v)) <= 1.0)
        .collect();
    Mask::new(g.clone(), data).expect("size matches grid")
}
