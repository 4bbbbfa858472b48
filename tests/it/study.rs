//! The synthetic study (Table 1 counts, determinism, truths), the study folder reader, caching
//! and the voxel-class analysis.
use crate::util::{eval, tmpdir};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A default-noise small study shared by the tests that only read it.
fn study() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tmpdir("study-default");
        let opts = petmr::study::SynthOptions::default();
        petmr::study::synth_study(&d, &opts).expect("synth");
        d
    })
}

fn read_tsv(p: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    lines
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split('\t').map(String::from))
                .collect()
        })
        .collect()
}

fn count(rows: &[HashMap<String, String>], col: &str, val: &str) -> usize {
    rows.iter().filter(|r| r[col] == val).count()
}

#[test]
fn synthetic_cohort_has_table_1_counts() {
    let d = study();
    let les = read_tsv(&d.join("lesions.tsv"));
    let parts = read_tsv(&d.join("participants.tsv"));
    assert_eq!(parts.len(), 29);
    assert_eq!(les.len(), 32);
    for (v, n) in [("IDC", 21), ("ILC", 6), ("Mixed", 3), ("IMC", 2)] {
        assert_eq!(count(&les, "subtype", v), n, "{v}");
    }
    for (v, n) in [("1", 3), ("2", 16), ("3", 13)] {
        assert_eq!(count(&les, "grade", v), n, "grade {v}");
    }
    assert_eq!(count(&les, "her2", "pos"), 7);
    assert_eq!(count(&les, "hr", "neg"), 1);
    assert_eq!(32 - count(&les, "path_size_mm", "n/a"), 21);
    // lesion longest diameter measured on the MRI masks (not the generator's own numbers)
    let mut big = 0;
    let mut dwi_lesions = 0;
    let mut dwi_patients = std::collections::HashSet::new();
    for l in &les {
        let sub = &l["participant_id"];
        let m = petmr::roi::Mask::load(
            &d.join(sub)
                .join("roi")
                .join(format!("{sub}_lesion-{}_mask.nii.gz", l["lesion"])),
            None,
        )
        .unwrap();
        if m.longest_diameter_mm().unwrap() > 20.0 {
            big += 1;
        }
        if d.join(sub)
            .join("dwi")
            .join(format!("{sub}_dwi.nii.gz"))
            .is_file()
        {
            dwi_lesions += 1;
            dwi_patients.insert(sub.clone());
        }
    }
    assert_eq!(big, 22);
    assert_eq!(dwi_lesions, 19);
    assert_eq!(dwi_patients.len(), 18);
    // the paper's hypoxic-fraction classes: 18 lesions at 0, 8 in (0, 1], 6 above 1 %
    let truth = read_tsv(&d.join("truth.tsv"));
    let hf: Vec<f64> = truth.iter().map(|r| r["hf"].parse().unwrap()).collect();
    assert_eq!(hf.iter().filter(|&&h| h == 0.0).count(), 18);
    assert_eq!(hf.iter().filter(|&&h| h > 0.0 && h <= 1.0).count(), 8);
    assert_eq!(hf.iter().filter(|&&h| h > 1.0).count(), 6);
}

#[test]
fn synthetic_images_follow_the_layout_and_sidecars() {
    let d = study();
    let dce = petmr::volume::nifti_io::read(&d.join("sub-02/dce/sub-02_dce.nii.gz")).unwrap();
    assert_eq!(dce.n_frames(), 48);
    assert_eq!(dce.meta["FlipAngle"], 12.0);
    let pet = petmr::volume::nifti_io::read(&d.join("sub-02/pet/sub-02_pet.nii.gz")).unwrap();
    assert_eq!(pet.n_frames(), 12);
    let t = pet.times.as_ref().unwrap();
    // 12 × 5-min frames starting about 120 min after injection
    assert!(t.duration_s.iter().all(|&x| x == 300.0));
    assert!((t.start_s[0] / 60.0 - 120.0).abs() < 4.0);
    assert!(!pet.grid.same_as(&dce.grid), "PET must be on its own grid");
    assert!(pet.grid.voxel_mm()[0] > dce.grid.voxel_mm()[0]);
    let vfa = petmr::volume::nifti_io::read(&d.join("sub-02/dce/sub-02_vfa.nii.gz")).unwrap();
    assert_eq!(vfa.n_frames(), 4);
    let bytes: u64 = walk(d)
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(bytes < 50_000_000, "small study is {bytes} bytes");
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn same_seed_same_study_other_seed_other_study() {
    let a = tmpdir("study-seed-a");
    let b = tmpdir("study-seed-b");
    std::fs::remove_dir_all(&b).unwrap(); // a missing folder is created
    let o = petmr::study::SynthOptions {
        seed: 1,
        noise: 1.0,
        size: petmr::study::Size::Small,
    };
    let r = eval::<rhai::Map>(&format!(
        "synth_study({:?}, #{{seed: 1}})",
        a.display().to_string()
    ))
    .unwrap();
    assert_eq!(r["lesions"].as_int().unwrap(), 32);
    petmr::study::synth_study(
        &b,
        &petmr::study::SynthOptions {
            seed: 2,
            ..o.clone()
        },
    )
    .unwrap();
    let same = std::fs::read(study().join("sub-05/pet/sub-05_pet.nii.gz")).unwrap();
    assert_eq!(
        std::fs::read(a.join("sub-05/pet/sub-05_pet.nii.gz")).unwrap(),
        same
    );
    assert_eq!(
        std::fs::read(a.join("truth.tsv")).unwrap(),
        std::fs::read(study().join("truth.tsv")).unwrap()
    );
    assert_ne!(
        std::fs::read(b.join("truth.tsv")).unwrap(),
        std::fs::read(a.join("truth.tsv")).unwrap()
    );
    // a non-empty folder is refused, bad options are named
    let e = petmr::study::synth_study(&a, &o).unwrap_err().to_string();
    assert!(e.contains("not empty"), "{e}");
    let e = crate::util::eval_err("synth_study(\"/tmp/x\", #{size: \"huge\"})");
    assert!(e.contains("size"), "{e}");
    let e = crate::util::eval_err("synth_study(\"/tmp/x\", #{sede: 1})");
    assert!(e.contains("unknown option 'sede'"), "{e}");
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}
