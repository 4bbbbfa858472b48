//! The saved paper scripts (`scripts/*.rhai`, one per table and figure), compiled into the
//! binary so that `petmr demo` runs the whole analysis from an installed `petmr` anywhere, not
//! only from a checkout. A test keeps this list equal to the files in `scripts/`.

/// (name, source) of every saved script, in name order.
pub const SCRIPTS: &[(&str, &str)] = &[
    (
        "correlations",
        include_str!("../../scripts/correlations.rhai"),
    ),
    ("figure1", include_str!("../../scripts/figure1.rhai")),
    ("figure2", include_str!("../../scripts/figure2.rhai")),
    ("figure3", include_str!("../../scripts/figure3.rhai")),
    ("figure4", include_str!("../../scripts/figure4.rhai")),
    ("figure5", include_str!("../../scripts/figure5.rhai")),
    ("figure6", include_str!("../../scripts/figure6.rhai")),
    ("table1", include_str!("../../scripts/table1.rhai")),
    ("table2", include_str!("../../scripts/table2.rhai")),
    ("table3", include_str!("../../scripts/table3.rhai")),
    ("table4", include_str!("../../scripts/table4.rhai")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_scripts_is_embedded_unchanged() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
            .map(|p| {
                let name = p.file_stem().unwrap().to_string_lossy().to_string();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        let embedded: Vec<(String, String)> = SCRIPTS
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        assert_eq!(embedded, files);
    }
}
