//! Volumes, masks and curves from scripts.
use crate::util::{data, eval, eval_err, tmpdir};

fn path(rel: &str) -> String {
    data(rel).display().to_string()
}

#[test]
fn volume_properties_and_statistics_from_a_script() {
    let f = path("nibabel/standard.nii.gz");
    // standard.nii.gz is a uint8 mask: 30 voxels of 255, 110 of 0 (checked with nibabel)
    let r: rhai::Map = eval(&format!(
        r#"let v = load("{f}");
           let m = v > 100;
           #{{ shape: v.shape, vox: v.voxel_mm, n: m.count(), ml: m.volume_ml(),
              mean: v.mean(m), max: v.max(m), med: v.median(m), sd: v.sd(m),
              s: `${{v}}`, inv: (!m).count(), both: (m & (v < 110)).count(),
              all_mean: v.mean(v > -1), all_med: v.median(v > -1), all_sd: v.sd(v > -1) }}"#
    ))
    .unwrap();
    let get = |k: &str| r[k].clone();
    assert_eq!(
        get("shape").into_typed_array::<i64>().unwrap(),
        vec![4, 5, 7]
    );
    assert_eq!(get("n").as_int().unwrap(), 30);
    assert_eq!(get("inv").as_int().unwrap(), 110);
    assert_eq!(get("both").as_int().unwrap(), 0);
    assert!((get("ml").as_float().unwrap() - 30.0 * 6.0 / 1000.0).abs() < 1e-9);
    assert_eq!(get("mean").as_float().unwrap(), 255.0);
    assert_eq!(get("max").as_float().unwrap(), 255.0);
    assert_eq!(get("med").as_float().unwrap(), 255.0);
    assert_eq!(get("sd").as_float().unwrap(), 0.0);
    // over all 140 voxels (numpy: mean 54.642857142857146, median 0, SD (n−1) 105.00880890959834)
    let close = |k: &str, want: f64| {
        let x = get(k).as_float().unwrap();
        assert!(
            (x - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{k}: {x} vs {want}"
        );
    };
    close("all_mean", 54.642857142857146);
    close("all_med", 0.0);
    close("all_sd", 105.00880890959834);
    let s = get("s").into_string().unwrap();
    assert!(
        s.starts_with("Volume 4×5×7 @ 1.000×3.000×2.000 mm, range [0, 255]"),
        "{s}"
    );
}

#[test]
fn arithmetic_frames_and_curves() {
    let f = path("nibabel/functional.nii");
    let r: rhai::Map = eval(&format!(
        r#"let v = load("{f}");
           let d = v - v.frame(0);
           let m = v.frame(0) > 3200;
           let c = roi_curve(v, m);
           #{{ nf: v.n_frames, t: v.times, d0: d.frame(0).max(m),
              c0: c.values[0], f0: v.frame(0).mean(m), half: (v / 2).frame(3).mean(m), f3: v.frame(3).mean(m) }}"#
    ))
    .unwrap();
    assert_eq!(r["nf"].as_int().unwrap(), 20);
    assert_eq!(r["t"].clone().into_typed_array::<f64>().unwrap()[0], 1.0);
    assert_eq!(r["d0"].as_float().unwrap(), 0.0);
    let (c0, f0) = (r["c0"].as_float().unwrap(), r["f0"].as_float().unwrap());
    assert!((c0 - f0).abs() < 1e-6 * f0.abs());
    let (half, f3) = (r["half"].as_float().unwrap(), r["f3"].as_float().unwrap());
    assert!((half - f3 / 2.0).abs() < 1e-4);
}

#[test]
fn curve_functions() {
    let r: rhai::Map = eval(
        r#"let c = curve([0, 10, 20], [0.0, 1.0, 3.0]);
           #{ a: c.at(15), i: c.integral(), s: c.scale(2).values[2], n: c.len() }"#,
    )
    .unwrap();
    assert_eq!(r["a"].as_float().unwrap(), 2.0);
    assert_eq!(r["i"].as_float().unwrap(), 25.0);
    assert_eq!(r["s"].as_float().unwrap(), 6.0);
    let e = eval_err("curve([0, 10], [1.0, 2.0]).at(11)");
    assert!(
        e.contains("outside the curve") && e.contains("line 1"),
        "{e}"
    );
    let e = eval_err("curve([0, 10, 5], [1, 2, 3])");
    assert!(e.contains("strictly"), "{e}");
}

#[test]
fn script_errors_name_the_problem() {
    let f = path("nibabel/standard.nii.gz");
    let a = path("nibabel/anatomical.nii");
    let e = eval_err(&format!(
        r#"let v = load("{a}"); let m = load("{f}") > 3; v.mean(m)"#
    ));
    assert!(e.contains("different grids"), "{e}");
    let e = eval_err(r#"load("/no/such/file.nii")"#);
    assert!(e.contains("nifti: /no/such/file.nii: cannot open"), "{e}");
    let e = eval_err(&format!(r#"load("{f}").frame(7)"#));
    assert!(e.contains("out of range"), "{e}");
    let e = eval_err(&format!(
        r#"load("{}").mean(load_mask("{f}"))"#,
        path("nibabel/functional.nii")
    ));
    assert!(e.contains("3-D"), "{e}");
}

#[test]
fn save_from_script_and_stdlib_import() {
    let dir = tmpdir("save");
    let f = path("nibabel/standard.nii.gz");
    let out = dir.join("x.nii.gz").display().to_string();
    let mout = dir.join("m.nii").display().to_string();
    let n: i64 = eval(&format!(
        r#"import "roi" as roi;
           let v = load("{f}") * 2;
           v.save("{out}");
           (v > 100).save("{mout}");
           let s = roi::stats(load("{out}"), load_mask("{mout}"));
           s.n"#
    ))
    .unwrap();
    assert_eq!(n, 30);
    let e = eval_err(r#"import "nosuchmodule" as x; 1"#);
    assert!(e.contains("nosuchmodule") && e.contains("roi"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mask_resampling_and_geometry() {
    let f = path("nibabel/anatomical.nii");
    let r: rhai::Map = eval(&format!(
        r#"let v = load("{f}");
           let m = v > 2000;
           let big = m.largest_component();
           let back = big.resample_to(load("{}").frame(0));
           #{{ n: m.count(), nbig: big.count(), d: big.longest_diameter_mm(), nb: back.count() }}"#,
        path("nibabel/functional.nii")
    ))
    .unwrap();
    assert!(r["nbig"].as_int().unwrap() <= r["n"].as_int().unwrap());
    assert!(r["d"].as_float().unwrap() > 10.0);
    assert!(r["nb"].as_int().unwrap() > 0);
}
