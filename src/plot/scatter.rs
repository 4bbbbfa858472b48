//! Scatter plot with points coloured and shaped by group, a least-squares line and Pearson's
//! r and p in a corner (Fig. 1, 4, 5 and the voxelwise panel of Fig. 2).
use super::style::{self, draw_markers, group_style, order_groups};
use super::{finite_pairs, fmt_sig, padded, DrawResult, Figure, PlotError};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A scatter plot. Pairs where x or y is not finite (missing values) are left out.
#[derive(Clone, Debug)]
pub struct Scatter {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// One label per point (e.g. histological type); `None` draws one group.
    pub groups: Option<Vec<String>>,
    /// Draw the least-squares line and print r, p and n.
    pub fit: bool,
    pub xlabel: String,
    pub ylabel: String,
    pub title: String,
    pub size: (u32, u32),
}

impl Default for Scatter {
    fn default() -> Self {
        Scatter {
            x: vec![],
            y: vec![],
            groups: None,
            fit: true,
            xlabel: "x".into(),
            ylabel: "y".into(),
            title: String::new(),
            size: (800, 600),
        }
    }
}

/// Least-squares line and Pearson correlation of the plotted points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub intercept: f64,
    /// Pearson's r.
    pub r: f64,
    /// Two-sided p of r = 0 (t test with n − 2 degrees of freedom).
    pub p: f64,
    pub n: usize,
}

/// Least-squares line y = a + b·x with Pearson's r and its two-sided p, from
/// [`crate::stats::linreg`] (scipy `linregress`); `None` with fewer than 3 points or constant x.
pub fn fit_line(pts: &[(f64, f64)]) -> Option<Fit> {
    let x: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let y: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let l = crate::stats::linreg(&x, &y).ok()?;
    Some(Fit {
        slope: l.slope,
        intercept: l.intercept,
        r: l.r,
        p: l.p,
        n: x.len(),
    })
}

/// "p < 0.001" or "p = 0.012".
pub fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        "p = n/a".into()
    } else if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

impl Scatter {
    fn pairs_and_labels(&self) -> (Vec<(f64, f64)>, Vec<String>) {
        let mut pts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..self.x.len() {
            let (a, b) = (self.x[i], self.y[i]);
            if a.is_finite() && b.is_finite() {
                pts.push((a, b));
                labels.push(
                    self.groups
                        .as_ref()
                        .map(|g| g[i].clone())
                        .unwrap_or_default(),
                );
            }
        }
        (pts, labels)
    }
}

impl Figure for Scatter {
    fn op(&self) -> &'static str {
        "scatter"
    }
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn check(&self) -> Result<(), PlotError> {
        let op = "scatter";
        if self.x.len() != self.y.len() {
            return Err(PlotError::arg(
                op,
                format!("x has {} values but y has {}", self.x.len(), self.y.len()),
            ));
        }
        if self.x.is_empty() {
            return Err(PlotError::arg(op, "x and y are empty"));
        }
        if let Some(g) = &self.groups {
            if g.len() != self.x.len() {
                return Err(PlotError::arg(
                    op,
                    format!(
                        "option 'groups' has {} labels but x has {} values",
                        g.len(),
                        self.x.len()
                    ),
                ));
            }
        }
        if finite_pairs(&self.x, &self.y).is_empty() {
            return Err(PlotError::arg(
                op,
                "no point has both x and y finite (all missing or NaN)",
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (pts, labels) = self.pairs_and_labels();
        let fit = if self.fit { fit_line(&pts) } else { None };
        let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
            (a.0.min(p.0), a.1.max(p.0))
        });
        let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| {
            (a.0.min(p.1), a.1.max(p.1))
        });
        let (x0, x1) = padded(x0, x1);
        let (y0, mut y1) = padded(y0, y1);
        // head room for the legend and the statistics
        y1 += 0.12 * (y1 - y0);
        let grouped = self.groups.is_some();
        let order = if grouped {
            order_groups(&labels)
        } else {
            vec![String::new()]
        };
        // the legend goes in a column right of the axes, so it never hides a point
        let (w, _) = root.dim_in_pixel();
        let legend_w = if grouped { 190u32.min(w / 3) } else { 0 };
        let (main, side) = root.split_horizontally(w - legend_w);
        let mut chart = super::chart_frame(&main, &self.title, x0..x1, y0..y1)?;
        super::draw_xy_mesh(&mut chart, &self.xlabel, &self.ylabel)?;

        if let Some(f) = fit {
            let line = [
                (x0, f.intercept + f.slope * x0),
                (x1, f.intercept + f.slope * x1),
            ];
            chart.draw_series(LineSeries::new(line, BLACK.stroke_width(2)))?;
        }

        let r = if pts.len() > 400 { 3 } else { 6 };
        let mut legend_rows = Vec::new();
        for (gi, g) in order.iter().enumerate() {
            let (color, shape) = if grouped {
                group_style(g, gi)
            } else {
                (style::PALETTE[0], style::Shape::Circle)
            };
            let sel: Vec<(f64, f64)> = pts
                .iter()
                .zip(&labels)
                .filter(|(_, l)| *l == g)
                .map(|(p, _)| *p)
                .collect();
            let n = sel.len();
            draw_markers(&mut chart, sel, shape, color, r, None)?;
            if grouped {
                legend_rows.push((format!("{g} (n = {n})"), shape, color));
            }
        }
        let negative = fit.is_some_and(|f| f.r < 0.0);
        if grouped {
            let (_, sh) = side.dim_in_pixel();
            let mut lc = ChartBuilder::on(&side)
                .margin_top(40)
                .build_cartesian_2d(0.0..1.0, 0.0..sh as f64)?;
            let st = TextStyle::from((super::FONT, style::NOTE_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            for (i, (text, shape, color)) in legend_rows.into_iter().enumerate() {
                let y = sh as f64 - 40.0 - 30.0 * i as f64;
                draw_markers(&mut lc, vec![(0.08, y)], shape, color, 7, None)?;
                lc.draw_series(std::iter::once(Text::new(text, (0.18, y), st.clone())))?;
            }
        }
        if let Some(f) = fit {
            let text = format!("r = {}, {}, n = {}", fmt_sig(f.r), fmt_p(f.p), f.n);
            let (px, anchor) = if negative {
                (x1 - 0.02 * (x1 - x0), HPos::Right)
            } else {
                (x0 + 0.02 * (x1 - x0), HPos::Left)
            };
            let py = y1 - 0.02 * (y1 - y0);
            let st = TextStyle::from((super::FONT, style::NOTE_PX).into_font())
                .pos(Pos::new(anchor, VPos::Top));
            chart.draw_series(std::iter::once(Text::new(text, (px, py), st)))?;
        } else if self.fit {
            let st = TextStyle::from((super::FONT, style::NOTE_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Top));
            chart.draw_series(std::iter::once(Text::new(
                format!("n = {} (too few points or constant x for a fit)", pts.len()),
                (x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0)),
                st,
            )))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_matches_scipy() {
        // scipy.stats.linregress([1,2,3,4,5], [2.1,3.9,6.2,7.8,10.1]):
        // slope 1.99, intercept 0.05, rvalue 0.9986517555689656, pvalue 5.941539111755929e-05
        let pts: Vec<(f64, f64)> = [1.0, 2.0, 3.0, 4.0, 5.0]
            .into_iter()
            .zip([2.1, 3.9, 6.2, 7.8, 10.1])
            .collect();
        let f = fit_line(&pts).unwrap();
        assert!((f.slope - 1.99).abs() < 1e-12);
        assert!((f.intercept - 0.05).abs() < 1e-12);
        assert!((f.r - 0.998_651_755_568_965_6).abs() < 1e-9, "{}", f.r);
        assert!((f.p - 5.941_539_111_755_929e-5).abs() < 1e-9, "{}", f.p);
        assert!(fit_line(&pts[..2]).is_none());
    }
}
