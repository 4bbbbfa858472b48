//! NIfTI reading against nibabel's reads of nibabel's own test files, SPM resampling,
//! round trips, and broken inputs.
use crate::util::{data, tmpdir};
use petmr::roi::Mask;
use petmr::volume::nifti_io::{self, OutType};
use petmr::volume::Volume;
use serde_json::Value;
use std::path::Path;

fn expected() -> Value {
    let text = std::fs::read_to_string(data("nibabel/expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn value_at(v: &Volume, idx: &[usize]) -> f64 {
    let t = if idx.len() > 3 { idx[3] } else { 0 };
    v.data[[idx[0], idx[1], idx[2], t]] as f64
}

fn affine_close(v: &Volume, want: &Value, tol: f64) {
    for r in 0..4 {
        for c in 0..4 {
            let w = want[r][c].as_f64().unwrap();
            let g = v.grid.affine[(r, c)];
            assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "affine[{r}][{c}] = {g}, nibabel {w}"
            );
        }
    }
}

#[test]
fn reads_every_nibabel_file_like_nibabel() {
    let exp = expected();
    let files = exp["files"].as_object().unwrap();
    assert_eq!(files.len(), 7);
    for (name, e) in files {
        let v = nifti_io::read(&data(&format!("nibabel/{name}")))
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let shape: Vec<usize> = e["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(v.shape(), shape, "{name}: shape");
        affine_close(&v, &e["affine"], 1e-6);
        assert_eq!(
            v.codes.qform_code as i64,
            e["qform_code"].as_i64().unwrap(),
            "{name}"
        );
        assert_eq!(
            v.codes.sform_code as i64,
            e["sform_code"].as_i64().unwrap(),
            "{name}"
        );
        for s in e["samples"].as_array().unwrap() {
            let idx: Vec<usize> = s["index"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            let got = value_at(&v, &idx);
            let Some(want) = s["value"].as_f64() else {
                assert!(
                    got.is_nan(),
                    "{name} {idx:?}: nibabel reads NaN, petmr {got}"
                );
                continue;
            };
            assert!(
                (got - want).abs() <= 1e-6 * want.abs() + 1e-4,
                "{name} {idx:?}: {got} vs nibabel {want}"
            );
        }
        let sum: f64 = v
            .as_slice()
            .iter()
            .filter(|x| !x.is_nan())
            .map(|&x| x as f64)
            .sum();
        let want = e["sum"].as_f64().unwrap();
        assert!(
            (sum - want).abs() <= 1e-6 * want.abs(),
            "{name}: sum {sum} vs nibabel {want}"
        );
    }
}

#[test]
fn functional_has_two_second_frames_and_scaling() {
    let v = nifti_io::read(&data("nibabel/functional.nii")).unwrap();
    let t = v.times.as_ref().expect("pixdim[4] gives timing");
    assert_eq!(t.len(), 20);
    assert!((t.duration_s[0] - 2.0).abs() < 1e-9);
    assert!((t.start_s[19] - 38.0).abs() < 1e-9);
}

/// Output voxels of `out` whose source position lies inside the source grid (nibabel's rule).
fn compare_with_spm(moved: &Volume, spm_file: &str) -> usize {
    let spm = nifti_io::read(&data(spm_file)).unwrap();
    let ours = moved.resample_to(&spm.grid).unwrap();
    let m =
        petmr::volume::resample::voxel_map(&moved.grid, &spm.grid, &nalgebra::Matrix4::identity())
            .unwrap();
    let mut compared = 0;
    for v in 0..spm.grid.n_voxels() {
        let [i, j, k] = spm.grid.ijk(v);
        let p = petmr::volume::resample::map_point(&m, i, j, k);
        let inside = (0..3).all(|d| p[d] >= 0.0 && p[d] <= (moved.grid.dim[d] - 1) as f64);
        if !inside {
            continue;
        }
        let (a, b) = (ours.as_slice()[v] as f64, spm.as_slice()[v] as f64);
        assert!(
            (a - b).abs() <= 1e-8 + 1e-5 * b.abs(),
            "{spm_file} voxel {:?}: ours {a}, SPM {b}",
            [i, j, k]
        );
        compared += 1;
    }
    compared
}

#[test]
fn trilinear_resampling_matches_spm() {
    let exp = expected();
    let mut moved = nifti_io::read(&data("nibabel/anatomical.nii")).unwrap();
    for r in 0..4 {
        for c in 0..4 {
            moved.grid.affine[(r, c)] = exp["anat_moved_affine"][r][c].as_f64().unwrap();
        }
    }
    let n1 = compare_with_spm(&moved, "nibabel/resampled_anat_moved.nii");
    let n2 = compare_with_spm(&moved, "nibabel/reoriented_anat_moved.nii");
    assert!(n1 > 500 && n2 > 3000, "too few voxels compared: {n1}, {n2}");
}

#[test]
fn write_read_round_trip_keeps_data_affine_codes_and_timing() {
    let dir = tmpdir("roundtrip");
    for src in ["example4d.nii.gz", "standard.nii.gz", "anatomical.nii"] {
        let v = nifti_io::read(&data(&format!("nibabel/{src}"))).unwrap();
        for ext in ["nii", "nii.gz"] {
            let out = dir.join(format!("{src}.out.{ext}"));
            nifti_io::write(&v, &out, OutType::Float32).unwrap();
            let back = nifti_io::read(&out).unwrap();
            assert_eq!(back.shape(), v.shape());
            assert_eq!(back.codes, v.codes, "{src}");
            assert!(
                (back.grid.affine - v.grid.affine).abs().max() < 1e-4,
                "{src}: affine changed"
            );
            assert_eq!(back.as_slice(), v.as_slice(), "{src}: data changed");
            assert_eq!(back.times, v.times, "{src}: timing changed");
        }
    }
    // a mask round-trips as uint8
    let v = nifti_io::read(&data("nibabel/standard.nii.gz")).unwrap();
    let m = Mask::from_volume(&v, None).unwrap();
    let out = dir.join("mask.nii.gz");
    m.save(&out).unwrap();
    let back = Mask::load(&out, None).unwrap();
    assert_eq!(back.data, m.data);
    // irregular frames survive through the sidecar
    let mut pet = nifti_io::read(&data("nibabel/example4d.nii.gz")).unwrap();
    pet.times = Some(petmr::volume::TimeAxis {
        start_s: vec![7200.0, 7500.0],
        duration_s: vec![300.0, 600.0],
    });
    let out = dir.join("pet.nii.gz");
    nifti_io::write(&pet, &out, OutType::Float32).unwrap();
    assert_eq!(nifti_io::read(&out).unwrap().times, pet.times);
    // never over an input
    let err = nifti_io::write(&v, &data("nibabel/standard.nii.gz"), OutType::Float32)
        .unwrap_err()
        .to_string();
    assert!(err.contains("input"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn broken(dir: &Path, name: &str, edit: impl Fn(&mut Vec<u8>)) -> String {
    let mut b = std::fs::read(data("nibabel/anatomical.nii")).unwrap();
    edit(&mut b);
    let p = dir.join(name);
    std::fs::write(&p, b).unwrap();
    let e = nifti_io::read(&p).expect_err(name).to_string();
    assert!(e.contains(name), "message must name the file: {e}");
    e
}

#[test]
fn broken_files_give_clear_errors() {
    let dir = tmpdir("broken");
    // anatomical.nii is big-endian
    let e = broken(&dir, "empty.nii", |b| b.clear());
    assert!(e.contains("empty file"), "{e}");
    let e = broken(&dir, "short.nii", |b| b.truncate(100));
    assert!(e.contains("truncated header"), "{e}");
    let e = broken(&dir, "truncated.nii", |b| b.truncate(b.len() - 1000));
    assert!(e.contains("truncated file"), "{e}");
    let e = broken(&dir, "magic.nii", |b| b[344..348].copy_from_slice(b"xyz\0"));
    assert!(e.contains("wrong magic"), "{e}");
    let e = broken(&dir, "dims.nii", |b| {
        b[42..44].copy_from_slice(&200i16.to_be_bytes())
    });
    assert!(e.contains("need"), "{e}");
    let e = broken(&dir, "datatype.nii", |b| {
        b[70..72].copy_from_slice(&32i16.to_be_bytes())
    });
    assert!(e.contains("unsupported datatype 32 (complex64)"), "{e}");
    let e = broken(&dir, "negdim.nii", |b| {
        b[42..44].copy_from_slice(&(-3i16).to_be_bytes())
    });
    assert!(e.contains("dim[1] = -3"), "{e}");
    let e = broken(&dir, "sizeof.nii", |b| {
        b[0..4].copy_from_slice(&12i32.to_be_bytes())
    });
    assert!(e.contains("not a NIfTI file"), "{e}");
    // qform-only header with a zero or negative voxel size: clear error, no panic
    for (name, px) in [("zeropix.nii", 0.0f32), ("negpix.nii", -2.0f32)] {
        let e = broken(&dir, name, |b| {
            b[254..256].copy_from_slice(&0i16.to_be_bytes()); // sform_code 0
            b[80..84].copy_from_slice(&px.to_be_bytes()); // pixdim[1]
        });
        assert!(e.contains("pixdim[1]"), "{e}");
    }
    // qform with pixdim[0] = 0 (which the nifti crate panics on) loads, as in nibabel
    let mut b = std::fs::read(data("nibabel/anatomical.nii")).unwrap();
    b[254..256].copy_from_slice(&0i16.to_be_bytes());
    b[76..80].copy_from_slice(&0f32.to_be_bytes());
    let p = dir.join("qfac0.nii");
    std::fs::write(&p, b).unwrap();
    assert!(nifti_io::read(&p).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sidecar_problems_are_named() {
    let dir = tmpdir("sidecar");
    let src = std::fs::read(data("nibabel/functional.nii")).unwrap();
    let img = dir.join("pet.nii");
    std::fs::write(&img, &src).unwrap();
    std::fs::write(dir.join("pet.json"), r#"{"FrameTimesStart": [0, 60]}"#).unwrap();
    let e = nifti_io::read(&img).unwrap_err().to_string();
    assert!(
        e.contains("pet.json") && e.contains("FrameDuration is missing"),
        "{e}"
    );
    std::fs::write(
        dir.join("pet.json"),
        r#"{"FrameTimesStart": [0, 60], "FrameDuration": [60, 60]}"#,
    )
    .unwrap();
    let e = nifti_io::read(&img).unwrap_err().to_string();
    assert!(e.contains("20 frames"), "{e}");
    std::fs::write(dir.join("pet.json"), "{not json").unwrap();
    let e = nifti_io::read(&img).unwrap_err().to_string();
    assert!(e.contains("invalid JSON"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mask_on_other_grid_is_an_error() {
    let a = nifti_io::read(&data("nibabel/anatomical.nii")).unwrap();
    let m = Mask::full(
        nifti_io::read(&data("nibabel/standard.nii.gz"))
            .unwrap()
            .grid,
    );
    let e = petmr::roi::values(&a, &m, "mean").unwrap_err().to_string();
    assert!(e.contains("different grids"), "{e}");
}
