//! Shared styling: group colours and marker shapes, font sizes.
use super::DrawResult;
use plotters::coord::CoordTranslate;
use plotters::prelude::*;

/// Font sizes (px) at the default 800 × 600 figure size.
/// (plotters draws text at size / 1.24 px per em, so these are about 20 % larger than the
/// glyph height one sees: 22 px titles, 19 px axis labels, 16 px ticks.)
pub const TITLE_PX: u32 = 28;
pub const LABEL_PX: u32 = 24;
pub const TICK_PX: u32 = 20;
pub const NOTE_PX: u32 = 21;

/// Marker shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Triangle,
    Square,
    Diamond,
}

/// Colour-blind-friendly palette (Okabe–Ito order after the four histological types).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(90, 90, 90),    // grey
    RGBColor(160, 140, 0),   // olive
];
const SHAPES: [Shape; 4] = [
    Shape::Circle,
    Shape::Triangle,
    Shape::Square,
    Shape::Diamond,
];

/// The histological types of the paper in their fixed order and style.
pub const KNOWN_GROUPS: [&str; 4] = ["IDC", "ILC", "IMC", "Mixed"];

/// Order groups: numbers numerically if every label is a number, else the paper's types first
/// (IDC, ILC, IMC, Mixed) and the rest in order of first appearance.
pub fn order_groups(labels: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for l in labels {
        if !seen.contains(l) {
            seen.push(l.clone());
        }
    }
    if seen.iter().all(|s| s.trim().parse::<f64>().is_ok()) {
        seen.sort_by(|a, b| {
            let (x, y) = (
                a.trim().parse::<f64>().unwrap_or(0.0),
                b.trim().parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        });
        return seen;
    }
    let mut out: Vec<String> = Vec::new();
    for k in KNOWN_GROUPS {
        if let Some(s) = seen.iter().find(|s| s.eq_ignore_ascii_case(k)) {
            out.push(s.clone());
        }
    }
    for s in seen {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Colour and shape of group number `i` of an ordered list (the paper's types keep theirs).
pub fn group_style(name: &str, i: usize) -> (RGBColor, Shape) {
    if let Some(k) = KNOWN_GROUPS
        .iter()
        .position(|k| k.eq_ignore_ascii_case(name))
    {
        return (PALETTE[k], SHAPES[k]);
    }
    // other labels (grades, size classes, …) take colours the four types do not use
    (PALETTE[4 + i % 4], SHAPES[i % SHAPES.len()])
}

/// Draw filled markers with a thin dark edge at data positions `pts`; with `label`, add a
/// legend entry showing the same marker.
pub fn draw_markers<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    pts: Vec<CT::From>,
    shape: Shape,
    color: RGBColor,
    r: i32,
    label: Option<String>,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
    CT::From: Clone + 'static,
{
    let fill = ShapeStyle::from(&color).filled();
    let edge = ShapeStyle::from(&BLACK.mix(0.6)).stroke_width(1);
    let q = (r as f64 * 0.85).round() as i32;
    let t = (r as f64 * 1.2).round() as i32;
    let dd = (r as f64 * 1.25).round() as i32;
    macro_rules! go {
        ($p:ident => $elem:expr) => {{
            let anno = chart.draw_series(pts.into_iter().map(|$p| $elem))?;
            if let Some(l) = label {
                anno.label(l).legend(move |(x, y)| {
                    let $p = (x + 10, y);
                    $elem
                });
            }
        }};
    }
    match shape {
        Shape::Circle => go!(p => EmptyElement::at(p)
            + Circle::new((0, 0), r, fill)
            + Circle::new((0, 0), r, edge)),
        Shape::Square => go!(p => EmptyElement::at(p)
            + Rectangle::new([(-q, -q), (q, q)], fill)
            + Rectangle::new([(-q, -q), (q, q)], edge)),
        Shape::Triangle => go!(p => EmptyElement::at(p)
            + Polygon::new(vec![(0, -t), (t, t * 3 / 4), (-t, t * 3 / 4)], fill)
            + PathElement::new(vec![(0, -t), (t, t * 3 / 4), (-t, t * 3 / 4), (0, -t)], edge)),
        Shape::Diamond => go!(p => EmptyElement::at(p)
            + Polygon::new(vec![(0, -dd), (dd, 0), (0, dd), (-dd, 0)], fill)
            + PathElement::new(vec![(0, -dd), (dd, 0), (0, dd), (-dd, 0), (0, -dd)], edge)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_order() {
        let l: Vec<String> = ["Mixed", "ILC", "other", "IDC", "ILC"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(order_groups(&l), ["IDC", "ILC", "Mixed", "other"]);
        let g: Vec<String> = ["3", "1", "2", "10"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(order_groups(&g), ["1", "2", "3", "10"]);
        assert_eq!(group_style("mixed", 9).1, Shape::Diamond);
    }
}
