//! Integration tests: plot. Every plot function writes a non-blank image (PNG decoded here and
//! its colours counted; SVG searched for its labels), and bad input errors clearly.
use crate::util::{eval, eval_err, tmpdir};
use ndarray::Array3;
use petmr::plot::{self, Cmap, Overlay};
use petmr::roi::Mask;
use petmr::volume::{Grid, Volume};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

/// Decode an 8-bit RGB, non-interlaced PNG (what petmr writes): (width, height, rgb bytes).
/// Checks the signature and every chunk CRC, and undoes all five PNG row filters.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let mut pos = 8;
    let (mut w, mut h) = (0u32, 0u32);
    let mut idat = Vec::new();
    while pos < bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = &bytes[pos + 8..pos + 8 + len];
        let crc = u32::from_be_bytes(bytes[pos + 8 + len..pos + 12 + len].try_into().unwrap());
        let mut c = flate2::Crc::new();
        c.update(kind);
        c.update(data);
        assert_eq!(c.sum(), crc, "CRC of chunk {:?}", std::str::from_utf8(kind));
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data[0..4].try_into().unwrap());
                h = u32::from_be_bytes(data[4..8].try_into().unwrap());
                assert_eq!(&data[8..13], &[8, 2, 0, 0, 0], "8-bit RGB, no interlace");
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("zlib stream");
    let stride = w as usize * 3;
    assert_eq!(raw.len(), h as usize * (stride + 1), "decoded size");
    let mut out = vec![0u8; h as usize * stride];
    for y in 0..h as usize {
        let f = raw[y * (stride + 1)];
        for x in 0..stride {
            let v = raw[y * (stride + 1) + 1 + x];
            let a = if x >= 3 {
                out[y * stride + x - 3] as i32
            } else {
                0
            };
            let b = if y > 0 {
                out[(y - 1) * stride + x] as i32
            } else {
                0
            };
            let c = if x >= 3 && y > 0 {
                out[(y - 1) * stride + x - 3] as i32
            } else {
                0
            };
            let pred = match f {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                _ => panic!("bad filter {f}"),
            };
            out[y * stride + x] = (v as i32 + pred) as u8;
        }
    }
    (w, h, out)
}

fn colours(rgb: &[u8]) -> HashSet<[u8; 3]> {
    rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
}

fn has_colour(rgb: &[u8], c: [u8; 3]) -> bool {
    rgb.chunks_exact(3).any(|p| p == c)
}

/// Fraction of pixels that are not white.
fn ink(rgb: &[u8]) -> f64 {
    let n = rgb.len() / 3;
    rgb.chunks_exact(3)
        .filter(|p| *p != [255, 255, 255])
        .count() as f64
        / n as f64
}

fn read_png(p: &Path) -> (u32, u32, Vec<u8>) {
    decode_png(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}

const XS: &str = "[0.05, 0.1, 0.15, 0.2, 0.3, 0.35, 0.4, 0.5]";
const YS: &str = "[0.012, 0.010, 0.011, 0.007, 0.006, 0.004, 0.005, 0.002]";
const GS: &str = r#"["IDC", "ILC", "IDC", "IMC", "Mixed", "IDC", "ILC", "IDC"]"#;

#[test]
fn scatter_png_has_groups_and_line() {
    let d = tmpdir("plot-scatter");
    let out = d.join("fig1a.png");
    let path: String = eval(&format!(
        r#"scatter({XS}, {YS}, #{{groups: {GS}, xlabel: "Ktrans (min⁻¹)", ylabel: "Ki (mL/cm³/min)", title: "Ki vs Ktrans", out: "{}"}})"#,
        out.display()
    ))
    .unwrap();
    assert_eq!(path, out.display().to_string());
    let (w, h, rgb) = read_png(&out);
    assert_eq!((w, h), (800, 600));
    // the four paper types in their fixed colours, black text/line, many anti-aliased shades
    for c in [
        [0, 114, 178],
        [213, 94, 0],
        [0, 158, 115],
        [204, 121, 167],
        [0, 0, 0],
    ] {
        assert!(has_colour(&rgb, c), "colour {c:?} missing");
    }
    assert!(colours(&rgb).len() > 30, "{} colours", colours(&rgb).len());
    let k = ink(&rgb);
    assert!(k > 0.01 && k < 0.5, "ink fraction {k}");
}

#[test]
fn scatter_svg_has_labels_and_statistics() {
    let d = tmpdir("plot-scatter-svg");
    let out = d.join("s.svg");
    let _: String = eval(&format!(
        r#"scatter({XS}, {YS}, #{{groups: {GS}, xlabel: "Ktrans (min⁻¹)", ylabel: "Ki (mL/cm³/min)", out: "{}"}})"#,
        out.display()
    ))
    .unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    for s in [
        "Ktrans (min⁻¹)",
        "Ki (mL/cm³/min)",
        "IDC (n = 4)",
        "ILC (n = 2)",
        "IMC (n = 1)",
        "Mixed (n = 1)",
    ] {
        assert!(svg.contains(s), "SVG lacks {s:?}");
    }
    // python3 -c "from scipy.stats import pearsonr; print(pearsonr(XS, YS))"
    //   → statistic -0.960204799036311, pvalue 0.00015288995100623076
    let xs: Vec<f64> = eval(&format!("{XS}.map(|v| v.to_float())"))
        .map(|a: rhai::Array| a.iter().map(|d| d.as_float().unwrap()).collect())
        .unwrap();
    let ys: Vec<f64> = eval(YS)
        .map(|a: rhai::Array| a.iter().map(|d| d.as_float().unwrap()).collect())
        .unwrap();
    let pts: Vec<(f64, f64)> = xs.into_iter().zip(ys).collect();
    let f = plot::fit_line(&pts).unwrap();
    assert!((f.r - -0.960204799036311).abs() < 1e-12, "r {}", f.r);
    assert!((f.p - 0.00015288995100623076).abs() < 1e-9, "p {}", f.p);
    assert!(
        svg.contains("r = −0.960, p &lt; 0.001, n = 8")
            || svg.contains("r = −0.960, p < 0.001, n = 8"),
        "statistics text missing"
    );
}

#[test]
fn scatter_without_groups_or_fit_and_missing_values() {
    let d = tmpdir("plot-scatter-plain");
    let out = d.join("plain.svg");
    let _: String = eval(&format!(
        r#"scatter([1, 2, (), 4], [2.0, 1.0, 3.0, 0.5], #{{fit: false, out: "{}"}})"#,
        out.display()
    ))
    .unwrap();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(!svg.contains("r = "), "no statistics without fit");
    // three finite pairs drawn as circles (plotters writes <circle> elements)
    assert_eq!(
        svg.matches("<circle").count(),
        6,
        "3 markers × (fill + edge)"
    );
}

#[test]
fn dotplot_png_and_svg() {
    let d = tmpdir("plot-dot");
    let vals = "[0.0, 0.0, 0.0, 1.5, 0.2, 0.0, 4.0, 0.0, 2.5, 0.0]";
    let grades = "[2, 3, 2, 3, 1, 2, 3, 1, 3, 2]";
    let png = d.join("fig3b.png");
    let _: String = eval(&format!(
        r#"dotplot({vals}, {grades}, #{{xlabel: "Grade", ylabel: "Hypoxic fraction (%)", out: "{}"}})"#,
        png.display()
    ))
    .unwrap();
    let (w, h, rgb) = read_png(&png);
    assert_eq!((w, h), (800, 600));
    assert!(colours(&rgb).len() > 20);
    let k = ink(&rgb);
    assert!(k > 0.01 && k < 0.5, "ink {k}");
    let svg = d.join("fig3b.svg");
    let _: String = eval(&format!(
        r#"dotplot({vals}, {grades}, #{{xlabel: "Grade", ylabel: "Hypoxic fraction (%)", out: "{}"}})"#,
        svg.display()
    ))
    .unwrap();
    let s = std::fs::read_to_string(&svg).unwrap();
    for t in [
        "Hypoxic fraction (%)",
        "Grade",
        "1 (n = 2)",
        "2 (n = 4)",
        "3 (n = 4)",
        "median 2",
    ] {
        assert!(s.contains(t), "SVG lacks {t:?}");
    }
    // the group labels appear in numeric order left to right
    let x_of = |t: &str| s.find(t).unwrap();
    assert!(x_of("1 (n = 2)") < x_of("2 (n = 4)") && x_of("2 (n = 4)") < x_of("3 (n = 4)"));
}

fn phantom() -> (Volume, Volume, Mask) {
    let grid = Grid::axis_aligned([40, 40, 5], [1.0, 1.0, 2.0], [0.0, 0.0, 0.0]);
    let anat = Array3::from_shape_fn((40, 40, 5), |(i, j, _)| (i + j) as f32);
    let map = Array3::from_shape_fn((40, 40, 5), |(i, _, _)| i as f32 / 40.0);
    let mask: Vec<bool> = (0..40 * 40 * 5)
        .map(|v| {
            let [i, j, k] = grid.ijk(v);
            k == 3 && (i as i32 - 20).pow(2) + (j as i32 - 20).pow(2) <= 36
        })
        .collect();
    (
        Volume::from_3d(grid.clone(), anat).unwrap(),
        Volume::from_3d(grid.clone(), map).unwrap(),
        Mask::new(grid, mask).unwrap(),
    )
}

#[test]
fn overlay_png_shows_map_in_roi_and_colour_bar() {
    let (anat, map, mask) = phantom();
    let d = tmpdir("plot-overlay");
    let mut fig = Overlay::new(&anat, &map, &mask);
    fig.cmap = Cmap::Jet;
    fig.label = "Ktrans (min⁻¹)".into();
    assert_eq!(fig.slice_index(), 3, "default slice = most ROI voxels");
    let out = d.join("ov.png");
    plot::save(&fig, &out).unwrap();
    let (_, _, rgb) = read_png(&out);
    // jet's dark-blue and dark-red ends are in the colour bar
    assert!(has_colour(&rgb, [0, 0, 128]) || has_colour(&rgb, [0, 0, 130]));
    let grey = rgb
        .chunks_exact(3)
        .filter(|p| p[0] == p[1] && p[1] == p[2] && p[0] != 255 && p[0] != 0)
        .count();
    assert!(grey > 10_000, "greyscale anatomy: {grey} grey pixels");
    assert!(colours(&rgb).len() > 60);
    // SVG: colour-bar label and orientation letters
    let svg = d.join("ov.svg");
    plot::save(&fig, &svg).unwrap();
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(
        s.contains("Ktrans (min⁻¹)") && s.contains(">\nR\n</text>") && s.contains(">\nL\n</text>")
    );
}

#[test]
fn overlay_bad_input() {
    let (anat, map, mask) = phantom();
    let d = tmpdir("plot-overlay-bad");
    let mut fig = Overlay::new(&anat, &map, &mask);
    fig.slice = Some(5);
    let e = plot::save(&fig, &d.join("x.png")).unwrap_err().to_string();
    assert!(
        e.contains("overlay") && e.contains("slice") && e.contains("0..4"),
        "{e}"
    );
    fig.slice = None;
    fig.range = Some((1.0, 0.5));
    let e = plot::save(&fig, &d.join("x.png")).unwrap_err().to_string();
    assert!(e.contains("range"), "{e}");
    let other = Volume::from_3d(
        Grid::axis_aligned([40, 40, 5], [2.0, 1.0, 2.0], [0.0, 0.0, 0.0]),
        Array3::zeros((40, 40, 5)),
    )
    .unwrap();
    let fig = Overlay::new(&anat, &other, &mask);
    let e = plot::save(&fig, &d.join("x.png")).unwrap_err().to_string();
    assert!(e.contains("map_vol") && e.contains("grid"), "{e}");
    let empty = Mask::new(anat.grid.clone(), vec![false; 40 * 40 * 5]).unwrap();
    let e = plot::save(&Overlay::new(&anat, &map, &empty), &d.join("x.png"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("mask is empty"), "{e}");
    assert!(!d.join("x.png").exists(), "nothing written on error");
    // through the script: unknown colour map, slice out of range
    let (a, m) = (d.join("a.nii"), d.join("m.nii"));
    petmr::volume::nifti_io::write(&anat, &a, petmr::volume::nifti_io::OutType::Float32).unwrap();
    mask.save(&m).unwrap();
    let base = format!(
        r#"let a = load("{}"); let m = load_mask("{}");"#,
        a.display(),
        m.display()
    );
    let e = eval_err(&format!(
        r#"{base} overlay(a, a, m, #{{cmap: "rainbow", out: "{}"}})"#,
        d.join("o.png").display()
    ));
    assert!(
        e.contains("unknown colour map 'rainbow'") && e.contains("viridis"),
        "{e}"
    );
    let e = eval_err(&format!(
        r#"{base} overlay(a, a, m, #{{slice: 9, out: "{}"}})"#,
        d.join("o.png").display()
    ));
    assert!(e.contains("option 'slice' = 9"), "{e}");
    let e = eval_err(&format!(
        r#"{base} overlay(a, a, m, #{{range: [0, 1, 2], out: "{}"}})"#,
        d.join("o.png").display()
    ));
    assert!(e.contains("range"), "{e}");
    let ok: String = eval(&format!(r#"{base} overlay(a, a, m, #{{cmap: "hot", range: [0, 80], label: "SUV (g/mL)", out: "{}"}})"#, d.join("o.png").display())).unwrap();
    assert!(Path::new(&ok).exists());
}

#[test]
fn plot_curves_png_and_svg() {
    let d = tmpdir("plot-curves");
    let src = |out: &Path| {
        format!(
            r#"let t = [0, 30, 60, 90, 120, 180, 240, 300];
               let aif = curve(t, [0.0, 5.0, 3.0, 2.2, 1.8, 1.5, 1.3, 1.2]);
               let tis = curve(t, [0.0, 0.3, 0.5, 0.6, 0.62, 0.6, 0.58, 0.55]);
               plot_curves([aif, tis, #{{x: [1.0, 4.0], y: [0.1, 0.5]}}],
                   #{{labels: ["AIF", "tumour", "fit"], styles: ["line", "points", "both"],
                      ylabel: "Concentration (mM)", out: "{}"}})"#,
            out.display()
        )
    };
    let png = d.join("c.png");
    let _: String = eval(&src(&png)).unwrap();
    let (_, _, rgb) = read_png(&png);
    assert!(has_colour(&rgb, [0, 114, 178]) && has_colour(&rgb, [213, 94, 0]));
    let svg = d.join("c.svg");
    let _: String = eval(&src(&svg)).unwrap();
    let s = std::fs::read_to_string(&svg).unwrap();
    for t in ["Time (min)", "Concentration (mM)", "AIF", "tumour", "fit"] {
        assert!(s.contains(t), "SVG lacks {t:?}");
    }
}

#[test]
fn bad_input_errors_clearly() {
    let d = tmpdir("plot-bad");
    let o = d.join("x.png").display().to_string();
    let e = eval_err(&format!(r#"scatter([1, 2, 3], [1, 2], #{{out: "{o}"}})"#));
    assert!(e.contains("scatter: x has 3 values but y has 2"), "{e}");
    let e = eval_err(&format!(r#"scatter([], [], #{{out: "{o}"}})"#));
    assert!(e.contains("scatter") && e.contains("empty"), "{e}");
    let e = eval_err(r#"scatter([1, 2], [1, 2], #{out: "fig.jpg"})"#);
    assert!(e.contains("fig.jpg") && e.contains(".png or .svg"), "{e}");
    let e = eval_err(r#"scatter([1, 2], [1, 2], #{})"#);
    assert!(e.contains("option 'out' is required"), "{e}");
    let e = eval_err(&format!(
        r#"scatter([1, 2], [1, 2], #{{groups: ["a"], out: "{o}"}})"#
    ));
    assert!(e.contains("groups") && e.contains("1 labels"), "{e}");
    let e = eval_err(&format!(
        r#"scatter([1, 2], [1, 2], #{{colour: "red", out: "{o}"}})"#
    ));
    assert!(e.contains("unknown option 'colour'"), "{e}");
    let e = eval_err(&format!(
        r#"dotplot([1, 2, 3], ["a", "b"], #{{out: "{o}"}})"#
    ));
    assert!(
        e.contains("dotplot: values has 3 entries but groups has 2"),
        "{e}"
    );
    let e = eval_err(&format!(r#"dotplot([], [], #{{out: "{o}"}})"#));
    assert!(e.contains("dotplot") && e.contains("empty"), "{e}");
    let e = eval_err(&format!(r#"plot_curves([], #{{out: "{o}"}})"#));
    assert!(e.contains("plot_curves") && e.contains("no curves"), "{e}");
    let e = eval_err(&format!(r#"plot_curves([1], #{{out: "{o}"}})"#));
    assert!(e.contains("item 0") && e.contains("Curve"), "{e}");
    let e = eval_err(&format!(
        r#"plot_curves([#{{x: [1, 2], y: [1]}}], #{{out: "{o}"}})"#
    ));
    assert!(e.contains("x has 2 values but y has 1"), "{e}");
    let e = eval_err(&format!(
        r#"plot_curves([curve([0, 1], [0, 1])], #{{style: "dots", out: "{o}"}})"#
    ));
    assert!(e.contains("style") && e.contains("dots"), "{e}");
    assert!(!d.join("x.png").exists());
}

/// A lesion table stand-in: an object map whose `col` property is a closure, so `t.col(name)`
/// works as on a Table. Values follow the paper's directions (Ki and %HF fall with Ktrans).
const FIXTURE_TABLE: &str = r#"
    let t = #{
        data: #{
            subtype: ["IDC", "IDC", "ILC", "IDC", "IMC", "Mixed", "IDC", "ILC", "IDC", "Mixed", "IDC", "ILC"],
            grade:   [2, 3, 2, 3, 1, 2, 3, 2, 1, 2, 3, 2],
            ktrans:  [0.05, 0.10, 0.12, 0.18, 0.22, 0.25, 0.30, 0.34, 0.40, 0.45, 0.08, 0.28],
            kep:     [0.30, 0.50, 0.45, 0.70, 0.90, 0.80, 1.10, 1.00, 1.40, 1.30, 0.40, 0.95],
            ve:      [0.15, 0.20, 0.28, 0.25, 0.24, 0.31, 0.27, 0.34, 0.28, 0.35, 0.18, 0.30],
            vp:      [0.010, 0.020, 0.015, 0.030, 0.025, 0.040, 0.035, 0.050, 0.045, 0.060, 0.012, 0.042],
            ki:      [0.0040, 0.0034, 0.0031, 0.0027, 0.0022, 0.0021, 0.0016, 0.0015, 0.0010, 0.0009, 0.0037, 0.0018],
            hf:      [3.2, 1.5, 0.8, 0.4, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0, 2.1, 0.0],
            adc:     [0.00105, (), 0.00120, 0.00098, 0.00160, (), 0.00110, 0.00125, (), 0.00102, 0.00095, 0.00130],
        },
        col: |name| this.data[name],
    };
"#;

#[test]
fn figure_functions_write_every_panel() {
    let d = tmpdir("plot-figures");
    let src = format!(
        r#"import "figures" as figures;
           {FIXTURE_TABLE}
           let out = "{}";
           figures::fig1(t, out) + figures::fig3(t, out) + figures::fig4(t, out) + figures::fig5(t, out)"#,
        d.display()
    );
    let paths: rhai::Array = eval(&src).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            Path::new(&p.clone().into_string().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    let expect = [
        "fig1a_ki_vs_ktrans.png",
        "fig1b_ki_vs_kep.png",
        "fig1c_ki_vs_ve.png",
        "fig1d_ki_vs_vp.png",
        "fig1e_hf_vs_ktrans.png",
        "fig1f_hf_vs_kep.png",
        "fig1g_hf_vs_ve.png",
        "fig1h_hf_vs_vp.png",
        "fig3a_hf_by_type.png",
        "fig3b_hf_by_grade.png",
        "fig4a_adc_vs_ktrans.png",
        "fig4b_adc_vs_kep.png",
        "fig4c_adc_vs_ve.png",
        "fig4d_adc_vs_vp.png",
        "fig5a_ki_vs_adc.png",
        "fig5b_hf_vs_adc.png",
    ];
    assert_eq!(names, expect);
    for n in expect {
        let (w, h, rgb) = read_png(&d.join(n));
        assert_eq!((w, h), (800, 600), "{n}");
        let k = ink(&rgb);
        assert!(k > 0.01 && k < 0.5, "{n}: ink {k}");
        assert!(
            colours(&rgb).len() > 20,
            "{n}: {} colours",
            colours(&rgb).len()
        );
    }
}

#[test]
fn lesion_map_figures() {
    let (anat, map, mask) = phantom();
    let d = tmpdir("plot-figmaps");
    let (a, k, m) = (
        d.join("peak.nii"),
        d.join("ktrans.nii"),
        d.join("tumour.nii"),
    );
    use petmr::volume::nifti_io::{write, OutType};
    write(&anat, &a, OutType::Float32).unwrap();
    write(&map, &k, OutType::Float32).unwrap();
    mask.save(&m).unwrap();
    let src = format!(
        r#"import "figures" as figures;
           let peak = load("{}"); let ktrans = load("{}"); let tumour = load_mask("{}");
           let ki = ktrans * 0.01 + 0.002;
           let adc = peak * 0.00002;
           figures::fig2_lesion(peak, ktrans, ki, tumour, "{d}", "a_idc")
             + figures::fig6_lesion(peak, ktrans, ki, adc, tumour, "{d}", "a_idc")"#,
        a.display(),
        k.display(),
        m.display(),
        d = d.display()
    );
    let paths: rhai::Array = eval(&src).unwrap();
    assert_eq!(paths.len(), 6);
    for p in paths {
        let p = p.into_string().unwrap();
        let (_, _, rgb) = read_png(Path::new(&p));
        assert!(colours(&rgb).len() > 20, "{p}");
    }
}
