//! Integration tests: dwi. References: the mono-exponential model inverted analytically and
//! log-linear least squares from numpy.polyfit.
use crate::util::{eval, eval_err, tmpdir};
use ndarray::{Array3, Array4};
use petmr::volume::nifti_io::{self, OutType};
use petmr::volume::{Grid, Volume};

#[test]
fn adc_two_point_and_multi_b() {
    let d = tmpdir("dwi");
    let g = Grid::axis_aligned([4, 1, 1], [2.0; 3], [0.0; 3]);
    let b0 = [1000.0f32, 800.0, 0.0, 500.0];
    let adc = [1.1e-3f64, 0.7e-3, 1.0e-3, 2.0e-3];
    let b900: Vec<f32> = b0
        .iter()
        .zip(adc)
        .map(|(&s, a)| petmr::dwi::adc_signal(s as f64, 900.0, a) as f32)
        .collect();
    let mut b900 = b900;
    b900[3] = -5.0; // non-positive signal → NaN
    let save = |name: &str, v: &[f32]| {
        let vol = Volume::from_3d(
            g.clone(),
            Array3::from_shape_vec((4, 1, 1), v.to_vec()).unwrap(),
        )
        .unwrap();
        let p = d.join(name);
        nifti_io::write(&vol, &p, OutType::Float32).unwrap();
        p.display().to_string()
    };
    let (p0, p9) = (save("b0.nii", &b0), save("b900.nii", &b900));
    let r: rhai::Array = eval(&format!(
        r#"let a = adc(load("{p0}"), load("{p9}"), 900); let all = load("{p0}") > -1e9; [a.values(all).len(), a.max(all), a.min(all), a.values(all)]"#
    ))
    .unwrap();
    // NaN voxels (2 and 3) are skipped by .values(): two finite values left
    assert_eq!(r[0].as_int().unwrap(), 2);
    assert!((r[1].as_float().unwrap() - 1.1e-3).abs() < 1e-8);
    assert!((r[2].as_float().unwrap() - 0.7e-3).abs() < 1e-8);

    // multi-b: voxel 0 S = 1000, 700, 400 at b = 0, 500, 1000 → 9.162907e-4 mm²/s
    // (−numpy.polyfit(b, log S, 1)[0]); voxel 1 has a zero signal → NaN
    let gg = Grid::axis_aligned([2, 1, 1], [2.0; 3], [0.0; 3]);
    let data = vec![1000.0f32, 700.0, 400.0, 900.0, 0.0, 300.0];
    let v = Volume::new(
        gg,
        Array4::from_shape_vec((2, 1, 1, 3), data).unwrap(),
        None,
    )
    .unwrap();
    let p = d.join("dwi.nii");
    nifti_io::write(&v, &p, OutType::Float32).unwrap();
    let p = p.display().to_string();
    let vals: rhai::Array = eval(&format!(
        r#"let a = adc(load("{p}"), [0, 500, 1000]); let all = a > -1e9 | !(a > -1e9); [a.values(all).len(), a.max(all)]"#
    ))
    .unwrap();
    assert_eq!(
        vals[0].as_int().unwrap(),
        1,
        "voxel 1 has a zero signal → NaN"
    );
    assert!((vals[1].as_float().unwrap() - 9.162_907_3e-4).abs() < 1e-9);
    let e = eval_err(&format!(r#"adc(load("{p}"), [0, 500])"#));
    assert!(e.contains("b_values has 2 entries"), "{e}");
    let e = eval_err(&format!(r#"adc(load("{p0}"), load("{p9}"), 0)"#));
    assert!(e.contains("b_s_mm2 must be > 0"), "{e}");
}
