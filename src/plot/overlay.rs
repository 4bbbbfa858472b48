//! Parametric map overlay: a greyscale anatomy slice with a colour map inside the ROI and a
//! labelled colour bar (Figs. 2 and 6).
use super::style::{self};
use super::{fmt_tick, DrawResult, Figure, PlotError};
use crate::roi::Mask;
use crate::volume::Volume;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colour maps for parametric maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmap {
    Viridis,
    Jet,
    Hot,
}

impl Cmap {
    pub const NAMES: [&'static str; 3] = ["viridis", "jet", "hot"];

    pub fn parse(op: &str, s: &str) -> Result<Cmap, PlotError> {
        match s.to_ascii_lowercase().as_str() {
            "viridis" => Ok(Cmap::Viridis),
            "jet" => Ok(Cmap::Jet),
            "hot" => Ok(Cmap::Hot),
            _ => Err(PlotError::arg(
                op,
                format!(
                    "unknown colour map '{s}' (known: {})",
                    Cmap::NAMES.join(", ")
                ),
            )),
        }
    }

    /// Colour of `t` in [0, 1] (clamped).
    pub fn color(self, t: f64) -> RGBColor {
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let c = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        match self {
            Cmap::Viridis => ViridisRGB::get_color_normalized(t as f32, 0.0, 1.0),
            // MATLAB's jet: piecewise linear blue → cyan → yellow → red
            Cmap::Jet => RGBColor(
                c(1.5 - (4.0 * t - 3.0).abs()),
                c(1.5 - (4.0 * t - 2.0).abs()),
                c(1.5 - (4.0 * t - 1.0).abs()),
            ),
            // matplotlib's hot: black → red → yellow → white
            Cmap::Hot => RGBColor(
                c(t / 0.365_079),
                c((t - 0.365_079) / (0.746_032 - 0.365_079)),
                c((t - 0.746_032) / (1.0 - 0.746_032)),
            ),
        }
    }
}

/// A map overlaid on an anatomical slice. All three images must share one grid (resample the
/// map with `resample_to` first if needed). The slice is axial (third voxel axis); it is shown
/// in radiological convention (patient right on the left, anterior up) when the affine is
/// close to axis-aligned.
#[derive(Clone, Debug)]
pub struct Overlay<'a> {
    pub anatomy: &'a Volume,
    pub map: &'a Volume,
    pub mask: &'a Mask,
    /// Axial slice index from 0; `None` takes the slice with the most ROI voxels.
    pub slice: Option<usize>,
    pub cmap: Cmap,
    /// Colour range; `None` takes the min and max of the map inside the ROI on this slice.
    pub range: Option<(f64, f64)>,
    /// Colour-bar label, e.g. "Ktrans (min⁻¹)".
    pub label: String,
    pub title: String,
    /// Zoom on the ROI (with a margin) instead of showing the whole slice.
    pub crop: bool,
    pub size: (u32, u32),
}

impl<'a> Overlay<'a> {
    pub fn new(anatomy: &'a Volume, map: &'a Volume, mask: &'a Mask) -> Self {
        Overlay {
            anatomy,
            map,
            mask,
            slice: None,
            cmap: Cmap::Viridis,
            range: None,
            label: "value".into(),
            title: String::new(),
            crop: true,
            size: (800, 600),
        }
    }

    /// The slice shown: the given one, or the one with the most ROI voxels.
    pub fn slice_index(&self) -> usize {
        if let Some(k) = self.slice {
            return k;
        }
        let [nx, ny, nz] = self.mask.grid.dim;
        let mut counts = vec![0usize; nz];
        for i in 0..nx {
            for j in 0..ny {
                for (k, c) in counts.iter_mut().enumerate() {
                    if self.mask.data[self.mask.grid.index(i, j, k)] {
                        *c += 1;
                    }
                }
            }
        }
        // first slice with the maximum count
        let best = counts.iter().copied().max().unwrap_or(0);
        counts.iter().position(|&c| c == best).unwrap_or(0)
    }

    /// The colour range used (given, or min–max of the map in the ROI on the slice).
    pub fn color_range(&self) -> (f64, f64) {
        if let Some(r) = self.range {
            return r;
        }
        let k = self.slice_index();
        let g = &self.mask.grid;
        let [nx, ny, _] = g.dim;
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let data = self.map.as_slice();
        for i in 0..nx {
            for j in 0..ny {
                let v = g.index(i, j, k);
                let x = data[v] as f64;
                if self.mask.data[v] && x.is_finite() {
                    lo = lo.min(x);
                    hi = hi.max(x);
                }
            }
        }
        if !lo.is_finite() {
            (0.0, 1.0)
        } else if hi <= lo {
            (lo - 0.5 * lo.abs().max(1e-6), hi + 0.5 * hi.abs().max(1e-6))
        } else {
            (lo, hi)
        }
    }

    /// Displayed voxel window: (i range, j range) after cropping.
    fn window(&self, k: usize) -> ([usize; 2], [usize; 2]) {
        let [nx, ny, _] = self.mask.grid.dim;
        if !self.crop {
            return ([0, nx], [0, ny]);
        }
        let (mut i0, mut i1, mut j0, mut j1) = (usize::MAX, 0, usize::MAX, 0);
        for i in 0..nx {
            for j in 0..ny {
                if self.mask.data[self.mask.grid.index(i, j, k)] {
                    i0 = i0.min(i);
                    i1 = i1.max(i);
                    j0 = j0.min(j);
                    j1 = j1.max(j);
                }
            }
        }
        if i0 == usize::MAX {
            return ([0, nx], [0, ny]);
        }
        // a square field of view (in voxels) of twice the ROI extent, at least 24 voxels
        let side = (2 * (i1 - i0 + 1).max(j1 - j0 + 1)).max(24);
        let fit = |a0: usize, a1: usize, n: usize| -> [usize; 2] {
            let side = side.min(n);
            let c = (a0 + a1) / 2;
            let start = c.saturating_sub(side / 2).min(n - side);
            [start, start + side]
        };
        (fit(i0, i1, nx), fit(j0, j1, ny))
    }
}

/// A 1-2-5 step not smaller than `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let k = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * p
}

impl Figure for Overlay<'_> {
    fn op(&self) -> &'static str {
        "overlay"
    }
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn check(&self) -> Result<(), PlotError> {
        let op = "overlay";
        for (name, v) in [("anatomy_vol", self.anatomy), ("map_vol", self.map)] {
            if v.n_frames() != 1 {
                return Err(PlotError::arg(
                    op,
                    format!(
                        "{name} has {} frames; pass a 3-D volume (e.g. vol.frame(i) or vol.mean_frames(a, b))",
                        v.n_frames()
                    ),
                ));
            }
        }
        let g = &self.anatomy.grid;
        if !g.same_as(&self.map.grid) {
            return Err(PlotError::arg(
                op,
                format!(
                    "map_vol is on another grid than anatomy_vol ({} vs {}); use map.resample_to(anatomy) first",
                    self.map.grid.describe(),
                    g.describe()
                ),
            ));
        }
        if !g.same_as(&self.mask.grid) {
            return Err(PlotError::arg(
                op,
                format!(
                    "mask is on another grid than anatomy_vol ({} vs {}); use mask.resample_to(anatomy) first",
                    self.mask.grid.describe(),
                    g.describe()
                ),
            ));
        }
        if self.mask.count() == 0 {
            return Err(PlotError::arg(op, "mask is empty"));
        }
        let nz = g.dim[2];
        if let Some(k) = self.slice {
            if k >= nz {
                return Err(PlotError::arg(
                    op,
                    format!(
                        "option 'slice' = {k} is outside the volume (slices 0..{})",
                        nz - 1
                    ),
                ));
            }
        }
        if let Some((a, b)) = self.range {
            if !(a.is_finite() && b.is_finite() && a < b) {
                return Err(PlotError::arg(
                    op,
                    format!("option 'range' must be [min, max] with min < max, got [{a}, {b}]"),
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let k = self.slice_index();
        let (lo, hi) = self.color_range();
        let g = &self.anatomy.grid;
        let ([i0, i1], [j0, j1]) = self.window(k);
        let a = g.affine;
        // radiological display: world +x (patient left in RAS) to the right of the screen
        // means voxel i runs right → left when a[0,0] > 0; anterior (+y) up
        let flip_i = a[(0, 0)] > 0.0;
        let flip_j = a[(1, 1)] > 0.0;
        let vox = g.voxel_mm();
        let an = self.anatomy.as_slice();
        let mp = self.map.as_slice();
        // grey window: 1st–99th percentile of the anatomy in the displayed window
        let mut window_vals: Vec<f64> = Vec::new();
        for i in i0..i1 {
            for j in j0..j1 {
                let x = an[g.index(i, j, k)] as f64;
                if x.is_finite() {
                    window_vals.push(x);
                }
            }
        }
        window_vals.sort_by(|a, b| a.total_cmp(b));
        let (g0, mut g1) = (
            crate::stats::quantile(&window_vals, 0.01),
            crate::stats::quantile(&window_vals, 0.99),
        );
        if g1.is_nan() || g1 <= g0 {
            g1 = g0 + 1.0;
        }

        let (w, root_h) = root.dim_in_pixel();
        let title_h = if self.title.is_empty() { 0 } else { 40 };
        let bar_w = 180u32.min(w / 3);
        let (img_area, bar_area) = root.split_horizontally(w - bar_w);
        let img_area = img_area.margin(title_h + 10, 58, 34, 10);
        if !self.title.is_empty() {
            root.draw(&Text::new(
                self.title.clone(),
                (w as i32 / 2, 10),
                TextStyle::from((super::FONT, style::TITLE_PX).into_font())
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        // fit the field of view with square-mm aspect
        let (aw, ah) = img_area.dim_in_pixel();
        let wmm = (i1 - i0) as f64 * vox[0];
        let hmm = (j1 - j0) as f64 * vox[1];
        let scale = (aw as f64 / wmm).min(ah as f64 / hmm);
        let (pw, ph) = (wmm * scale, hmm * scale);
        let ox = (aw as f64 - pw) / 2.0;
        let oy = (ah as f64 - ph) / 2.0;
        let ni = (i1 - i0) as f64;
        let nj = (j1 - j0) as f64;
        // colours on the screen grid (row-major), then one rectangle per run of equal colour
        // along each row: identical bitmap, far smaller SVG for flat or saturated regions
        let (ncol, nrow) = (i1 - i0, j1 - j0);
        let mut cells = vec![RGBColor(0, 0, 0); ncol * nrow];
        for i in i0..i1 {
            for j in j0..j1 {
                let v = g.index(i, j, k);
                let col = if flip_i { i1 - 1 - i } else { i - i0 };
                let row = if flip_j { j1 - 1 - j } else { j - j0 };
                let m = mp[v] as f64;
                cells[row * ncol + col] = if self.mask.data[v] && m.is_finite() {
                    self.cmap.color((m - lo) / (hi - lo))
                } else {
                    let x = an[v] as f64;
                    let t = if x.is_finite() {
                        ((x - g0) / (g1 - g0)).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let c = (t * 255.0).round() as u8;
                    RGBColor(c, c, c)
                };
            }
        }
        for row in 0..nrow {
            let y0 = (oy + row as f64 / nj * ph).round() as i32;
            let y1 = (oy + (row + 1) as f64 / nj * ph).round() as i32;
            let mut c0 = 0;
            while c0 < ncol {
                let color = cells[row * ncol + c0];
                let mut c1 = c0 + 1;
                while c1 < ncol && cells[row * ncol + c1] == color {
                    c1 += 1;
                }
                let x0 = (ox + c0 as f64 / ni * pw).round() as i32;
                let x1 = (ox + c1 as f64 / ni * pw).round() as i32;
                img_area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))?;
                c0 = c1;
            }
        }
        // orientation letters and slice note
        let lab = TextStyle::from((super::FONT, style::NOTE_PX).into_font());
        let mid_y = (oy + ph / 2.0) as i32;
        let (left, right) = if flip_i { ("R", "L") } else { ("L", "R") };
        img_area.draw(&Text::new(
            left,
            (ox as i32 - 6, mid_y),
            lab.pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        img_area.draw(&Text::new(
            right,
            ((ox + pw) as i32 + 6, mid_y),
            lab.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        root.draw(&Text::new(
            format!(
                "slice {k} of {} · {} voxels in ROI · field {:.0} × {:.0} mm",
                g.dim[2],
                self.roi_voxels_on(k),
                wmm,
                hmm
            ),
            (((w - bar_w) / 2) as i32, root_h as i32 - 10),
            lab.pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;

        // colour bar
        let bar_area = bar_area.margin(title_h + 20, 58, 10, 130);
        let mut cb = ChartBuilder::on(&bar_area);
        cb.y_label_area_size(0)
            .x_label_area_size(0)
            .right_y_label_area_size(0);
        let mut chart = cb
            .build_cartesian_2d(0.0..1.0, lo..hi)?
            .set_secondary_coord(0.0..1.0, lo..hi);
        let n = 128;
        chart.draw_series((0..n).map(|s| {
            let a0 = lo + (hi - lo) * s as f64 / n as f64;
            let a1 = lo + (hi - lo) * (s + 1) as f64 / n as f64;
            Rectangle::new(
                [(0.0, a0), (1.0, a1)],
                self.cmap.color((s as f64 + 0.5) / n as f64).filled(),
            )
        }))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, lo), (1.0, hi)],
            BLACK.stroke_width(1),
        )))?;
        // ticks and labels drawn by hand, left-aligned next to the bar
        let step = nice_step((hi - lo) / 5.0);
        let tick = TextStyle::from((super::FONT, style::TICK_PX).into_font())
            .pos(Pos::new(HPos::Left, VPos::Center));
        let mut v = (lo / step).ceil() * step;
        while v <= hi + 1e-9 * step {
            let (px, py) = chart.backend_coord(&(1.0, v));
            root.draw(&PathElement::new(
                vec![(px, py), (px + 6, py)],
                BLACK.stroke_width(1),
            ))?;
            root.draw(&Text::new(
                fmt_tick(&(v + 0.0)),
                (px + 10, py),
                tick.clone(),
            ))?;
            v += step;
        }
        let (bx, _) = chart.backend_coord(&(1.0, hi));
        let (_, by) = chart.backend_coord(&(1.0, 0.5 * (lo + hi)));
        let desc = TextStyle::from((super::FONT, style::LABEL_PX).into_font())
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(self.label.clone(), (bx + 92, by), desc))?;
        Ok(())
    }
}

impl Overlay<'_> {
    fn roi_voxels_on(&self, k: usize) -> usize {
        let [nx, ny, _] = self.mask.grid.dim;
        (0..nx)
            .flat_map(|i| (0..ny).map(move |j| (i, j)))
            .filter(|&(i, j)| self.mask.data[self.mask.grid.index(i, j, k)])
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_maps_match_matplotlib_ends() {
        // matplotlib: viridis(0) = (68, 1, 84), viridis(1) = (253, 231, 37); jet(0) = (0, 0, 128)
        // jet(1) = (128, 0, 0); hot(0) = (10, 0, 0), hot(1) = white
        assert_eq!(Cmap::Viridis.color(0.0), RGBColor(68, 1, 84));
        let v1 = Cmap::Viridis.color(1.0);
        assert!((v1.0 as i32 - 253).abs() <= 1 && (v1.1 as i32 - 231).abs() <= 1);
        assert_eq!(Cmap::Jet.color(0.0), RGBColor(0, 0, 128));
        assert_eq!(Cmap::Jet.color(1.0), RGBColor(128, 0, 0));
        assert_eq!(Cmap::Jet.color(0.5), RGBColor(128, 255, 128));
        assert_eq!(Cmap::Hot.color(1.0), RGBColor(255, 255, 255));
        assert!(Cmap::Hot.color(0.0).0 < 20);
        assert!(Cmap::parse("overlay", "Jet").is_ok());
        let e = Cmap::parse("overlay", "rainbow").unwrap_err().to_string();
        assert!(e.contains("rainbow") && e.contains("viridis"), "{e}");
    }
}
