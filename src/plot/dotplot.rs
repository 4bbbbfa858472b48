//! Dot plot of values by group with the group median (Fig. 3: %HF by type and by grade).
use super::style::{self, draw_markers, group_style, order_groups};
use super::{fmt_sig, fmt_tick, padded, DrawResult, Figure, PlotError};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Values by group: one column of dots per group (spread sideways where they overlap) and a
/// black bar at the group median. Non-finite values are left out.
#[derive(Clone, Debug)]
pub struct DotPlot {
    pub values: Vec<f64>,
    pub groups: Vec<String>,
    pub xlabel: String,
    pub ylabel: String,
    pub title: String,
    pub size: (u32, u32),
}

impl Default for DotPlot {
    fn default() -> Self {
        DotPlot {
            values: vec![],
            groups: vec![],
            xlabel: String::new(),
            ylabel: "value".into(),
            title: String::new(),
            size: (800, 600),
        }
    }
}

/// Sideways offsets (in group widths) so that dots closer than `bin` in value do not overlap:
/// 0, +d, −d, +2d, … within each run of close values, wrapping at ±0.4.
fn swarm(sorted: &[f64], bin: f64) -> Vec<f64> {
    let d: f64 = 0.055;
    let max_k = (0.4 / d).floor() as usize; // offsets per side
    let mut out = Vec::with_capacity(sorted.len());
    let mut run_start = f64::NEG_INFINITY;
    let mut k = 0usize;
    for &v in sorted {
        if v - run_start > bin {
            run_start = v;
            k = 0;
        }
        let slot = k % (2 * max_k + 1);
        let off = if slot == 0 {
            0.0
        } else if slot % 2 == 1 {
            d * slot.div_ceil(2) as f64
        } else {
            -d * (slot / 2) as f64
        };
        out.push(off);
        k += 1;
    }
    out
}

impl Figure for DotPlot {
    fn op(&self) -> &'static str {
        "dotplot"
    }
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn check(&self) -> Result<(), PlotError> {
        let op = "dotplot";
        if self.values.len() != self.groups.len() {
            return Err(PlotError::arg(
                op,
                format!(
                    "values has {} entries but groups has {}",
                    self.values.len(),
                    self.groups.len()
                ),
            ));
        }
        if self.values.is_empty() {
            return Err(PlotError::arg(op, "values and groups are empty"));
        }
        if !self.values.iter().any(|v| v.is_finite()) {
            return Err(PlotError::arg(op, "values has no finite entry"));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let keep: Vec<usize> = (0..self.values.len())
            .filter(|&i| self.values[i].is_finite())
            .collect();
        let labels: Vec<String> = keep.iter().map(|&i| self.groups[i].clone()).collect();
        let order = order_groups(&labels);
        let k = order.len();
        let (lo, hi) = keep
            .iter()
            .map(|&i| self.values[i])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
                (a.0.min(v), a.1.max(v))
            });
        let (y0, y1) = padded(lo, hi);
        let counts: Vec<usize> = order
            .iter()
            .map(|g| labels.iter().filter(|l| *l == g).count())
            .collect();
        let names: Vec<String> = order
            .iter()
            .zip(&counts)
            .map(|(g, n)| format!("{g} (n = {n})"))
            .collect();
        let xr = -0.5..(k as f64 - 0.5);
        let mut chart = super::chart_frame(root, &self.title, xr, y0..y1)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .x_labels(0)
            .y_desc(&self.ylabel)
            .axis_desc_style((super::FONT, style::LABEL_PX))
            .label_style((super::FONT, style::TICK_PX))
            .y_label_formatter(&fmt_tick)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(220, 220, 220));
        if !self.xlabel.is_empty() {
            mesh.x_desc(&self.xlabel);
        }
        mesh.draw()?;
        // group names under the axis, at the group centres
        let tick = TextStyle::from((super::FONT, style::TICK_PX).into_font())
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (gi, name) in names.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(gi as f64, y0));
            root.draw(&Text::new(name.clone(), (px, py + 8), tick.clone()))?;
        }
        let bin = (y1 - y0) / 45.0;
        for (gi, g) in order.iter().enumerate() {
            let (color, shape) = group_style(g, gi);
            let mut vals: Vec<f64> = keep
                .iter()
                .zip(&labels)
                .filter(|(_, l)| *l == g)
                .map(|(&i, _)| self.values[i])
                .collect();
            vals.sort_by(|a, b| a.total_cmp(b)); // the swarm places the dots in value order
            let med = crate::stats::quantile(&vals, 0.5);
            let offs = swarm(&vals, bin);
            let xc = gi as f64;
            let pts: Vec<(f64, f64)> = vals.iter().zip(&offs).map(|(&v, &o)| (xc + o, v)).collect();
            draw_markers(&mut chart, pts, shape, color, 6, None)?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(xc - 0.3, med), (xc + 0.3, med)],
                BLACK.stroke_width(3),
            )))?;
            let st = TextStyle::from((super::FONT, style::TICK_PX).into_font())
                .pos(Pos::new(HPos::Right, VPos::Bottom));
            chart.draw_series(std::iter::once(Text::new(
                format!("median {}", fmt_sig(med)),
                (xc + 0.3, med + 0.012 * (y1 - y0)),
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
    fn swarm_spreads_ties() {
        let o = swarm(&[0.0, 0.0, 0.0, 5.0], 0.1);
        assert_eq!(o[0], 0.0);
        assert!(o[1] > 0.0 && o[2] < 0.0 && (o[1] + o[2]).abs() < 1e-12);
        assert_eq!(o[3], 0.0);
        assert!(swarm(&[0.0; 40], 0.1).iter().all(|x| x.abs() <= 0.4));
    }
}
