//! Figures with plotters: scatter plots with a regression line, dot plots, parametric map
//! overlays with a colour bar, and curve plots.
//!
//! Text is drawn with DejaVu Sans compiled into the binary (`assets/fonts/DejaVuSans.ttf`,
//! registered with plotters' `ab_glyph` backend), so no system font or fontconfig is needed.
//! Every figure is rendered into memory first — an RGB buffer encoded as PNG, or an SVG string —
//! and then written atomically with [`crate::fsutil::write_atomic`]; the format follows the
//! extension of the output path (`.png` or `.svg`).
mod curves;
mod dotplot;
mod overlay;
mod png;
mod scatter;
mod style;

pub use curves::{Curves, Series, SeriesStyle};
pub use dotplot::DotPlot;
pub use overlay::{Cmap, Overlay};
pub use png::encode_png;
pub use scatter::{fit_line, fmt_p, Fit, Scatter};

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Errors of the plot layer; messages read `op: what`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlotError {
    /// A bad argument (length mismatch, empty data, unknown colour map, …).
    #[error("{op}: {what}")]
    Arg { op: String, what: String },
    /// Writing the output file failed.
    #[error("{op}: {path}: {what}")]
    Io {
        op: String,
        path: String,
        what: String,
    },
    /// plotters reported an error while drawing.
    #[error("{op}: drawing failed: {what}")]
    Draw { op: String, what: String },
}

impl PlotError {
    pub fn arg(op: &str, what: impl Into<String>) -> Self {
        PlotError::Arg {
            op: op.into(),
            what: what.into(),
        }
    }
}

/// Output format, from the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// `.png` or `.svg` (any case); anything else is an error naming the path.
    pub fn from_path(op: &str, out: &Path) -> Result<Format, PlotError> {
        let ext = out
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "png" => Ok(Format::Png),
            "svg" => Ok(Format::Svg),
            _ => Err(PlotError::arg(
                op,
                format!(
                    "out '{}': unsupported extension {} (use .png or .svg)",
                    out.display(),
                    if ext.is_empty() {
                        "(none)".to_string()
                    } else {
                        format!("'.{ext}'")
                    }
                ),
            )),
        }
    }
}

/// Family name under which the embedded font is registered.
pub const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Register the embedded font with plotters (once per process) under every generic family name,
/// so that plotters' own defaults ("sans-serif" tick labels) find it too.
pub fn register_font() {
    REGISTER.call_once(|| {
        for fam in ["sans-serif", "serif", "monospace"] {
            // The font is compiled in and known to parse (tested), so failure is impossible.
            let _ = plotters::style::register_font(fam, FontStyle::Normal, FONT_BYTES);
        }
    });
}

/// Error type of figure drawing code.
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A figure: validated input plus how to draw it on any plotters backend.
pub trait Figure {
    /// Function name used in error messages.
    fn op(&self) -> &'static str;
    /// Image size in pixels (width, height).
    fn size(&self) -> (u32, u32);
    /// Check the input; called before anything is drawn or written.
    fn check(&self) -> Result<(), PlotError>;
    /// Draw onto `root` (already filled white).
    #[doc(hidden)]
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

fn check_size(op: &str, (w, h): (u32, u32)) -> Result<(), PlotError> {
    if !(200..=8000).contains(&w) || !(150..=8000).contains(&h) {
        return Err(PlotError::arg(
            op,
            format!("figure size {w}×{h} px is outside 200–8000 × 150–8000"),
        ));
    }
    Ok(())
}

fn draw_err(op: &str, e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw {
        op: op.into(),
        what: e.to_string(),
    }
}

/// Render a figure into an RGB buffer (3 bytes per pixel, row by row).
pub fn render_rgb<F: Figure>(fig: &F) -> Result<(Vec<u8>, u32, u32), PlotError> {
    fig.check()?;
    let (w, h) = fig.size();
    check_size(fig.op(), (w, h))?;
    register_font();
    let mut buf = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(fig.op(), e))?;
        fig.draw(&root).map_err(|e| draw_err(fig.op(), e))?;
        root.present().map_err(|e| draw_err(fig.op(), e))?;
    }
    Ok((buf, w, h))
}

/// Render a figure as an SVG document.
pub fn render_svg<F: Figure>(fig: &F) -> Result<String, PlotError> {
    fig.check()?;
    let (w, h) = fig.size();
    check_size(fig.op(), (w, h))?;
    register_font();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(fig.op(), e))?;
        fig.draw(&root).map_err(|e| draw_err(fig.op(), e))?;
        root.present().map_err(|e| draw_err(fig.op(), e))?;
    }
    Ok(s)
}

/// Render `fig` and write it to `out` (PNG or SVG by extension) atomically; returns the path.
pub fn save<F: Figure>(fig: &F, out: &Path) -> Result<PathBuf, PlotError> {
    let op = fig.op();
    let format = Format::from_path(op, out)?;
    let bytes = match format {
        Format::Png => {
            let (buf, w, h) = render_rgb(fig)?;
            encode_png(&buf, w, h)
        }
        Format::Svg => render_svg(fig)?.into_bytes(),
    };
    crate::fsutil::write_atomic(out, |w| w.write_all(&bytes)).map_err(|what| PlotError::Io {
        op: op.into(),
        path: out.display().to_string(),
        what,
    })?;
    Ok(out.to_path_buf())
}

/// Finite (x, y) pairs of two equally long arrays.
pub(crate) fn finite_pairs(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect()
}

/// A padded axis range around `lo..hi` (5 % each side; a unit-wide range around a constant).
pub(crate) fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1e-300) {
        let d = if lo == 0.0 { 1.0 } else { 0.1 * lo.abs() };
        return (lo - d, hi + d);
    }
    let d = 0.05 * (hi - lo);
    (lo - d, hi + d)
}

/// Number formatting for annotations: 3 significant digits, plain notation where sensible.
pub fn fmt_sig(x: f64) -> String {
    if !x.is_finite() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    let s = if !(1e-3..1e5).contains(&a) {
        format!("{x:.2e}")
    } else {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    };
    s.replace('-', "−")
}

/// Chart of the house style on `area`: margins, label areas and the optional title, with f64
/// axes over `x` and `y`. Shared by every x–y figure.
pub(crate) fn chart_frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn std::error::Error>,
>
where
    DB::ErrorType: 'static,
{
    let mut b = ChartBuilder::on(area);
    b.margin(14).x_label_area_size(58).y_label_area_size(104);
    if !title.is_empty() {
        b.caption(title, (FONT, style::TITLE_PX));
    }
    Ok(b.build_cartesian_2d(x, y)?)
}

/// Grid, ticks and axis titles of an x–y chart in the house style.
pub(crate) fn draw_xy_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    xlabel: &str,
    ylabel: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_mesh()
        .x_desc(xlabel)
        .y_desc(ylabel)
        .axis_desc_style((FONT, style::LABEL_PX))
        .label_style((FONT, style::TICK_PX))
        .x_label_formatter(&fmt_tick)
        .y_label_formatter(&fmt_tick)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    Ok(())
}

/// Axis tick formatting: short, with a typographic minus.
pub(crate) fn fmt_tick(x: &f64) -> String {
    let a = x.abs();
    let s = if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{x:.1e}")
    } else {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        if s == "-0" {
            "0".into()
        } else {
            s
        }
    };
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses() {
        assert!(ab_glyph_parses(FONT_BYTES));
    }

    fn ab_glyph_parses(bytes: &'static [u8]) -> bool {
        plotters::style::register_font("petmr-test", FontStyle::Normal, bytes).is_ok()
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(
            Format::from_path("f", Path::new("a/b.PNG")).unwrap(),
            Format::Png
        );
        assert_eq!(
            Format::from_path("f", Path::new("b.svg")).unwrap(),
            Format::Svg
        );
        let e = Format::from_path("scatter", Path::new("b.jpg"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("scatter") && e.contains(".jpg"), "{e}");
        assert!(Format::from_path("f", Path::new("noext")).is_err());
    }

    #[test]
    fn number_formats() {
        assert_eq!(fmt_sig(0.012345), "0.0123");
        assert_eq!(fmt_sig(-1.5), "−1.50");
        assert_eq!(fmt_sig(123.4), "123");
        assert_eq!(fmt_tick(&0.5), "0.5");
        assert_eq!(fmt_tick(&-2.0), "−2");
        assert_eq!(padded(1.0, 1.0), (0.9, 1.1));
    }
}
