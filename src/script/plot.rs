//! Script functions of the `plot` domain: `scatter`, `dotplot`, `overlay`, `plot_curves`.
//! Each writes the file named by the `out` option (PNG or SVG by extension) and returns its path.
use super::convert::{f64_vec, Opts};
use super::docs::FnDoc;
use super::{err, rerr, RResult};
use crate::plot::{self, Cmap, Curves, DotPlot, Overlay, Scatter, Series, SeriesStyle};
use crate::roi::Mask;
use crate::volume::{Curve, Volume};
use rhai::{Array, Engine, Map};
use std::path::Path;

/// Help entries of this domain (one per script-visible function).
pub const DOCS: &[FnDoc] = &[
    FnDoc { name: "scatter", domain: "plot",
        signature: "scatter(x, y, #{groups, fit: true, xlabel, ylabel, title, out, width: 800, height: 600}) -> path",
        doc: "Scatter plot of y against x written to `out` (.png or .svg; required). Pairs with a missing (NaN or ()) value are left out. `groups`: one label per point (strings or numbers); points are coloured and shaped by group — IDC blue circles, ILC vermillion triangles, IMC green squares, Mixed purple diamonds, other labels from a colour-blind-safe palette — with a legend giving n per group. `fit` (default true) draws the least-squares line and prints Pearson's r, its two-sided p and n in a corner. Put units in the axis labels. Returns the path written.",
        example: "let t = study::lesions(\"petmr-demo\");\nscatter(t.col(\"ktrans\"), t.col(\"ki\"), #{groups: t.col(\"subtype\"),\n    xlabel: \"Ktrans (min⁻¹)\", ylabel: \"Ki (mL/cm³/min)\", out: \"fig1a.png\"});" },
    FnDoc { name: "dotplot", domain: "plot",
        signature: "dotplot(values, groups, #{ylabel, xlabel, title, out, width: 800, height: 600}) -> path",
        doc: "Dot plot of `values` by group (one label per value; numbers such as grades are sorted numerically, the histological types come in the order IDC, ILC, IMC, Mixed): one column of dots per group, spread sideways where they overlap, with a black bar and the value of the group median; the axis names each group with its n. Missing values are left out. Writes `out` (.png or .svg; required) and returns its path.",
        example: "dotplot(t.col(\"hf\"), t.col(\"grade\"), #{xlabel: \"Grade\", ylabel: \"Hypoxic fraction (%)\", out: \"fig3b.png\"});" },
    FnDoc { name: "overlay", domain: "plot",
        signature: "overlay(anatomy_vol, map_vol, mask, #{slice, cmap: \"viridis\", range: [min, max], label, title, crop: true, out, width: 800, height: 600}) -> path",
        doc: "Axial slice of a 3-D anatomical volume in greyscale (1st–99th percentile window) with `map_vol` in colour inside `mask`, and a colour bar labelled `label` (put the unit there). All three must share one grid (use `resample_to`). `slice` (from 0) defaults to the slice with the most ROI voxels; `cmap` is viridis, jet or hot; `range` defaults to the min and max of the map in the ROI on that slice; `crop` zooms on the ROI. Shown in radiological convention (patient right on the left) for near-axis-aligned affines. Writes `out` (.png or .svg; required) and returns its path.",
        example: "overlay(dce.frame(peak_phase(dce, tumour)), fit.ktrans, tumour,\n    #{cmap: \"jet\", range: [0, 0.5], label: \"Ktrans (min⁻¹)\", out: \"ktrans_map.png\"});" },
    FnDoc { name: "plot_curves", domain: "plot",
        signature: "plot_curves([curve_or_xy, …], #{labels, styles, style, time: \"min\", xlabel, ylabel, title, out, width: 800, height: 600}) -> path",
        doc: "Line/point plot of several curves with a legend. Each item is a Curve (times shown in minutes by default; `time: \"s\"` keeps seconds) or a map #{x: [...], y: [...]} plotted as given (e.g. a Patlak plot from `patlak_curve`). `labels`: one legend entry per item; `style` (all items) or `styles` (one per item): \"line\", \"points\" or \"both\" (default line). `xlabel` defaults to \"Time (min)\", `ylabel` to \"Concentration\". Writes `out` (.png or .svg; required) and returns its path.",
        example: "let aif = parker_aif(dce.times, #{});\nlet fit = conc_tofts(dce.times, aif, #{ktrans: 0.25, ve: 0.4, vp: 0.05});\nplot_curves([roi_curve(conc, tumour), fit, aif], #{labels: [\"tumour\", \"Tofts fit\", \"AIF\"],\n    styles: [\"points\", \"line\", \"line\"], ylabel: \"Concentration (mM)\", out: \"curves.svg\"});" },
];

fn out_path(o: &Opts, op: &str) -> RResult<String> {
    o.str_opt("out")?.ok_or_else(|| {
        err(format!(
            "{op}: option 'out' is required (a .png or .svg path)"
        ))
    })
}

fn size(o: &Opts) -> RResult<(u32, u32)> {
    let w = o.int("width", 800)?;
    let h = o.int("height", 600)?;
    let ok = |v: i64| {
        u32::try_from(v).map_err(|_| err(format!("figure size {w}×{h}: must be positive")))
    };
    Ok((ok(w)?, ok(h)?))
}

/// Labels from an array of strings or numbers (integers print without a decimal point).
fn labels(a: &Array, what: &str) -> RResult<Vec<String>> {
    a.iter()
        .enumerate()
        .map(|(i, d)| {
            if let Some(s) = d.clone().try_cast::<rhai::ImmutableString>() {
                Ok(s.to_string())
            } else if let Ok(i) = d.as_int() {
                Ok(i.to_string())
            } else if let Ok(f) = d.as_float() {
                Ok(if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", f as i64)
                } else {
                    f.to_string()
                })
            } else if d.is_unit() {
                Ok("NA".to_string())
            } else if let Ok(b) = d.as_bool() {
                Ok(b.to_string())
            } else {
                Err(err(format!(
                    "{what}[{i}]: expected a string or number, got {}",
                    d.type_name()
                )))
            }
        })
        .collect()
}

fn array_opt(o: &Opts, key: &str, op: &str) -> RResult<Option<Array>> {
    match o.raw(key) {
        None => Ok(None),
        Some(d) => d.clone().try_cast::<Array>().map(Some).ok_or_else(|| {
            err(format!(
                "{op}: option '{key}': expected an array, got {}",
                d.type_name()
            ))
        }),
    }
}

fn path_str(p: std::path::PathBuf) -> String {
    p.display().to_string()
}

fn scatter(x: Array, y: Array, opts: Map) -> RResult<String> {
    let op = "scatter";
    let o = Opts::new(
        op,
        opts,
        &[
            "groups", "fit", "xlabel", "ylabel", "title", "out", "width", "height",
        ],
    )?;
    let out = out_path(&o, op)?;
    let groups = array_opt(&o, "groups", op)?
        .map(|a| labels(&a, "scatter: option 'groups'"))
        .transpose()?;
    let fig = Scatter {
        x: f64_vec(&x, "scatter: x")?,
        y: f64_vec(&y, "scatter: y")?,
        groups,
        fit: o.bool("fit", true)?,
        xlabel: o.str("xlabel", "x")?,
        ylabel: o.str("ylabel", "y")?,
        title: o.str("title", "")?,
        size: size(&o)?,
    };
    plot::save(&fig, Path::new(&out))
        .map(path_str)
        .map_err(rerr)
}

fn dotplot(values: Array, groups: Array, opts: Map) -> RResult<String> {
    let op = "dotplot";
    let o = Opts::new(
        op,
        opts,
        &["ylabel", "xlabel", "title", "out", "width", "height"],
    )?;
    let out = out_path(&o, op)?;
    let fig = DotPlot {
        values: f64_vec(&values, "dotplot: values")?,
        groups: labels(&groups, "dotplot: groups")?,
        xlabel: o.str("xlabel", "")?,
        ylabel: o.str("ylabel", "value")?,
        title: o.str("title", "")?,
        size: size(&o)?,
    };
    plot::save(&fig, Path::new(&out))
        .map(path_str)
        .map_err(rerr)
}

fn overlay(anatomy: Volume, map: Volume, mask: Mask, opts: Map) -> RResult<String> {
    let op = "overlay";
    let o = Opts::new(
        op,
        opts,
        &[
            "slice", "cmap", "range", "label", "title", "crop", "out", "width", "height",
        ],
    )?;
    let out = out_path(&o, op)?;
    let mut fig = Overlay::new(&anatomy, &map, &mask);
    if o.has("slice") {
        let k = o.int("slice", 0)?;
        fig.slice = Some(
            usize::try_from(k)
                .map_err(|_| err(format!("overlay: option 'slice' = {k} must be ≥ 0")))?,
        );
    }
    fig.cmap = Cmap::parse(op, &o.str("cmap", "viridis")?).map_err(rerr)?;
    if let Some(r) = o.array_opt("range")? {
        if r.len() != 2 {
            return Err(err(format!(
                "overlay: option 'range' must be [min, max], got {} numbers",
                r.len()
            )));
        }
        fig.range = Some((r[0], r[1]));
    }
    fig.label = o.str("label", "value")?;
    fig.title = o.str("title", "")?;
    fig.crop = o.bool("crop", true)?;
    fig.size = size(&o)?;
    plot::save(&fig, Path::new(&out))
        .map(path_str)
        .map_err(rerr)
}

fn plot_curves(items: Array, opts: Map) -> RResult<String> {
    let op = "plot_curves";
    let o = Opts::new(
        op,
        opts,
        &[
            "labels", "styles", "style", "time", "xlabel", "ylabel", "title", "out", "width",
            "height",
        ],
    )?;
    let out = out_path(&o, op)?;
    let time = o.choice("time", "min", &["min", "s"])?;
    let tscale = if time == "min" { 1.0 / 60.0 } else { 1.0 };
    let n = items.len();
    let labs = array_opt(&o, "labels", op)?
        .map(|a| labels(&a, "plot_curves: option 'labels'"))
        .transpose()?;
    if let Some(l) = &labs {
        if l.len() != n {
            return Err(err(format!(
                "plot_curves: option 'labels' has {} entries but there are {n} curves",
                l.len()
            )));
        }
    }
    let default_style = o.choice("style", "line", &["line", "points", "both"])?;
    let styles: Vec<String> = match array_opt(&o, "styles", op)? {
        None => vec![default_style; n],
        Some(a) => {
            if a.len() != n {
                return Err(err(format!(
                    "plot_curves: option 'styles' has {} entries but there are {n} curves",
                    a.len()
                )));
            }
            labels(&a, "plot_curves: option 'styles'")?
        }
    };
    let mut series = Vec::with_capacity(n);
    for (i, d) in items.iter().enumerate() {
        let (x, y) = if let Some(c) = d.clone().try_cast::<Curve>() {
            (c.times_s.iter().map(|t| t * tscale).collect(), c.values)
        } else if let Some(m) = d.clone().try_cast::<Map>() {
            let get = |k: &str| -> RResult<Vec<f64>> {
                let v = m.get(k).ok_or_else(|| {
                    err(format!("plot_curves: item {i}: map has no key '{k}' (expected #{{x: [...], y: [...]}})"))
                })?;
                let a = v.clone().try_cast::<Array>().ok_or_else(|| {
                    err(format!(
                        "plot_curves: item {i}.{k}: expected an array, got {}",
                        v.type_name()
                    ))
                })?;
                f64_vec(&a, &format!("plot_curves: item {i}.{k}"))
            };
            (get("x")?, get("y")?)
        } else {
            return Err(err(format!(
                "plot_curves: item {i}: expected a Curve or #{{x, y}} map, got {}",
                d.type_name()
            )));
        };
        series.push(Series {
            x,
            y,
            label: labs.as_ref().map(|l| l[i].clone()),
            style: SeriesStyle::parse(op, &styles[i]).map_err(rerr)?,
        });
    }
    let fig = Curves {
        series,
        xlabel: o.str(
            "xlabel",
            if time == "min" {
                "Time (min)"
            } else {
                "Time (s)"
            },
        )?,
        ylabel: o.str("ylabel", "Concentration")?,
        title: o.str("title", "")?,
        size: size(&o)?,
    };
    plot::save(&fig, Path::new(&out))
        .map(path_str)
        .map_err(rerr)
}

/// Register this domain's types and functions.
pub fn register(engine: &mut Engine) {
    engine.register_fn("scatter", scatter);
    engine.register_fn("scatter", |x: Array, y: Array| -> RResult<String> {
        scatter(x, y, Map::new())
    });
    engine.register_fn("dotplot", dotplot);
    engine.register_fn("overlay", overlay);
    engine.register_fn("plot_curves", plot_curves);
}
