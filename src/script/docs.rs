//! Help text for script-visible functions: one entry per function, shown by `:help` in the REPL.
//!
//! Each domain module of `script/` exports `DOCS`; the test suite checks that every entry names
//! a function the engine knows and that every registered petmr function has an entry.

/// Documentation of one script function.
#[derive(Clone, Copy, Debug)]
pub struct FnDoc {
    /// Function (or method) name as called from scripts.
    pub name: &'static str,
    /// Domain shown as the heading in `:help` (e.g. "volume", "dce", "pet", "stats").
    pub domain: &'static str,
    /// Call signature with argument names and units, e.g. `load(path) -> Volume`.
    pub signature: &'static str,
    /// What it does, its units and defaults.
    pub doc: &'static str,
    /// A short Rhai example.
    pub example: &'static str,
}

/// Every help entry, domain by domain.
pub fn all() -> Vec<FnDoc> {
    let parts: [&[FnDoc]; 7] = [
        super::volume::DOCS,
        super::dce::DOCS,
        super::pet::DOCS,
        super::stats::DOCS,
        super::table::DOCS,
        super::plot::DOCS,
        super::study::DOCS,
    ];
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// Entries whose name is `name`.
pub fn find(name: &str) -> Vec<FnDoc> {
    all().into_iter().filter(|d| d.name == name).collect()
}

/// Full help text for one entry.
pub fn render(d: &FnDoc) -> String {
    format!(
        "{}\n\n{}\n\n```rhai\n{}\n```\n",
        d.signature, d.doc, d.example
    )
}

/// The `:help` overview: functions grouped by domain.
pub fn overview() -> String {
    let mut out = String::new();
    let mut domains: Vec<&str> = Vec::new();
    let all = all();
    for d in &all {
        if !domains.contains(&d.domain) {
            domains.push(d.domain);
        }
    }
    for dom in domains {
        out.push_str(&format!("{dom}:\n"));
        let mut names: Vec<&str> = Vec::new();
        for d in all.iter().filter(|d| d.domain == dom) {
            if !names.contains(&d.name) {
                names.push(d.name);
            }
        }
        let mut line = String::from(" ");
        for n in names {
            if line.len() + n.len() > 90 {
                out.push_str(&line);
                out.push('\n');
                line = String::from(" ");
            }
            line.push(' ');
            line.push_str(n);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("\n:help NAME for one function · :vars · :load FILE · :quit\n");
    out
}
