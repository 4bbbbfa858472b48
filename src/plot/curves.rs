//! Curve plots: AIFs, tissue curves with model fits, Patlak plots.
use super::style::{self, draw_markers, Shape, PALETTE};
use super::{padded, DrawResult, Figure, PlotError};
use plotters::coord::Shift;
use plotters::prelude::*;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesStyle {
    Line,
    Points,
    Both,
}

impl SeriesStyle {
    pub fn parse(op: &str, s: &str) -> Result<SeriesStyle, PlotError> {
        match s {
            "line" => Ok(SeriesStyle::Line),
            "points" => Ok(SeriesStyle::Points),
            "both" => Ok(SeriesStyle::Both),
            _ => Err(PlotError::arg(
                op,
                format!("style '{s}' is not one of line, points, both"),
            )),
        }
    }
}

/// One plotted series (x already in display units).
#[derive(Clone, Debug)]
pub struct Series {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub label: Option<String>,
    pub style: SeriesStyle,
}

/// A plot of several series with a legend.
#[derive(Clone, Debug)]
pub struct Curves {
    pub series: Vec<Series>,
    pub xlabel: String,
    pub ylabel: String,
    pub title: String,
    pub size: (u32, u32),
}

impl Default for Curves {
    fn default() -> Self {
        Curves {
            series: vec![],
            xlabel: "Time (min)".into(),
            ylabel: "Concentration".into(),
            title: String::new(),
            size: (800, 600),
        }
    }
}

impl Figure for Curves {
    fn op(&self) -> &'static str {
        "plot_curves"
    }
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn check(&self) -> Result<(), PlotError> {
        let op = "plot_curves";
        if self.series.is_empty() {
            return Err(PlotError::arg(op, "no curves given (empty array)"));
        }
        for (i, s) in self.series.iter().enumerate() {
            if s.x.len() != s.y.len() {
                return Err(PlotError::arg(
                    op,
                    format!(
                        "curve {i}: x has {} values but y has {}",
                        s.x.len(),
                        s.y.len()
                    ),
                ));
            }
            if !s
                .x
                .iter()
                .zip(&s.y)
                .any(|(a, b)| a.is_finite() && b.is_finite())
            {
                return Err(PlotError::arg(
                    op,
                    format!("curve {i}: has no finite point"),
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let all: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|s| super::finite_pairs(&s.x, &s.y))
            .collect();
        let fold = |f: fn(&(f64, f64)) -> f64| {
            all.iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
                    (a.0.min(v), a.1.max(v))
                })
        };
        let (xa, xb) = fold(|p| p.0);
        let (ya, yb) = fold(|p| p.1);
        let (x0, x1) = padded(xa, xb);
        // non-negative curves (concentrations, activities) start their axis at 0
        let (y0, mut y1) = padded(if ya >= 0.0 { 0.0 } else { ya }, yb);
        let y0 = if ya >= 0.0 { 0.0 } else { y0 };
        let labelled = self.series.iter().any(|s| s.label.is_some());
        if labelled {
            y1 += 0.08 * (y1 - y0);
        }
        let mut chart = super::chart_frame(root, &self.title, x0..x1, y0..y1)?;
        super::draw_xy_mesh(&mut chart, &self.xlabel, &self.ylabel)?;
        for (i, s) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let pts = super::finite_pairs(&s.x, &s.y);
            let line_style = color.stroke_width(2);
            let label = s.label.clone();
            if s.style != SeriesStyle::Points {
                let anno = chart.draw_series(LineSeries::new(pts.clone(), line_style))?;
                if let Some(l) = &label {
                    anno.label(l.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
                    });
                }
            }
            if s.style != SeriesStyle::Line {
                let r = if s.style == SeriesStyle::Both { 4 } else { 5 };
                let lab = if s.style == SeriesStyle::Points {
                    label
                } else {
                    None
                };
                draw_markers(&mut chart, pts, Shape::Circle, color, r, lab)?;
            }
        }
        if labelled {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font((super::FONT, style::NOTE_PX))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(160, 160, 160))
                .draw()?;
        }
        Ok(())
    }
}
