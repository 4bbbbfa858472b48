//! Box-drawn text rendering of a table, fitted to the terminal width.

/// The terminal width: `$COLUMNS` if set, else 100.
pub fn term_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(100)
}

fn clip(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else if w == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('…');
        t
    }
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let n = s.chars().count();
    let fill = " ".repeat(w.saturating_sub(n));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Render `header` and `rows` (cell text, right-aligned?) as a box-drawn table no wider than
/// `max_width`. Columns that do not fit are replaced by one "…" column; more than `max_rows`
/// rows show the head and the tail. A last line gives the shape.
pub fn render_box(
    header: &[String],
    rows: &[Vec<(String, bool)>],
    max_width: usize,
    max_rows: usize,
    height: usize,
    width: usize,
) -> String {
    const MAX_CELL: usize = 40;
    let max_width = max_width.max(12);
    // rows shown (None = the "⋮" row)
    let shown: Vec<Option<usize>> = if rows.len() > max_rows {
        let head = max_rows / 2;
        let tail = max_rows - head - 1;
        (0..head)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((rows.len() - tail..rows.len()).map(Some))
            .collect()
    } else {
        (0..rows.len()).map(Some).collect()
    };
    let natural: Vec<usize> = (0..header.len())
        .map(|j| {
            let mut w = header[j].chars().count();
            for r in shown.iter().flatten() {
                w = w.max(rows[*r][j].0.chars().count());
            }
            w.clamp(1, MAX_CELL)
        })
        .collect();
    // choose columns from the left that fit, keeping room for an ellipsis column
    let mut cols: Vec<usize> = Vec::new();
    let mut used = 1usize;
    for (j, &w) in natural.iter().enumerate() {
        let rest = j + 1 < natural.len();
        let need = w + 3 + if rest { 4 } else { 0 };
        if used + need <= max_width {
            cols.push(j);
            used += w + 3;
        } else {
            break;
        }
    }
    let mut widths: Vec<usize> = cols.iter().map(|&j| natural[j]).collect();
    if cols.is_empty() && !natural.is_empty() {
        cols.push(0);
        let rest = if natural.len() > 1 { 4 } else { 0 };
        widths.push(max_width.saturating_sub(4 + rest).max(1));
    }
    let hidden = natural.len() - cols.len();
    if hidden > 0 {
        widths.push(1);
    }
    let line = |l: char, m: char, r: char| {
        let mut s = String::new();
        s.push(l);
        for (k, w) in widths.iter().enumerate() {
            s.push_str(&"─".repeat(w + 2));
            s.push(if k + 1 == widths.len() { r } else { m });
        }
        s.push('\n');
        s
    };
    let row_line = |cells: Vec<(String, bool)>| {
        let mut s = String::from("│");
        for (k, (c, right)) in cells.into_iter().enumerate() {
            s.push(' ');
            s.push_str(&pad(&clip(&c, widths[k]), widths[k], right));
            s.push_str(" │");
        }
        s.push('\n');
        s
    };
    let mut out = String::new();
    if header.is_empty() {
        return format!("(empty table: {height} rows × {width} columns)\n");
    }
    out.push_str(&line('┌', '┬', '┐'));
    let mut h: Vec<(String, bool)> = cols.iter().map(|&j| (header[j].clone(), false)).collect();
    if hidden > 0 {
        h.push(("…".into(), false));
    }
    out.push_str(&row_line(h));
    out.push_str(&line('╞', '╪', '╡').replace('─', "═"));
    for r in &shown {
        let mut cells: Vec<(String, bool)> = match r {
            Some(i) => cols.iter().map(|&j| rows[*i][j].clone()).collect(),
            None => cols.iter().map(|_| ("⋮".to_string(), false)).collect(),
        };
        if hidden > 0 {
            cells.push(("…".into(), false));
        }
        out.push_str(&row_line(cells));
    }
    out.push_str(&line('└', '┴', '┘'));
    let mut foot = format!("{height} rows × {width} columns");
    if hidden > 0 {
        let names: Vec<&str> = header[cols.len()..].iter().map(|s| s.as_str()).collect();
        foot.push_str(&format!("; not shown: {}", names.join(", ")));
    }
    out.push_str(&clip(&foot, max_width));
    out.push('\n');
    out
}
