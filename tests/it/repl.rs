//! REPL sessions without a terminal: state kept across inputs and errors, help, cancellation.
use petmr::repl::Session;

#[test]
fn variables_and_functions_persist_across_inputs_and_errors() {
    let mut s = Session::new();
    let _ = s.eval("let a = 40;", "<repl>").unwrap();
    let _ = s.eval("fn add2(x) {\n  x + 2\n}", "<repl>").unwrap();
    let e = s.eval("let b = load(\"nope.nii\");", "<repl>").unwrap_err();
    assert!(e.contains("<repl>:1:9") && e.contains('^'), "{e}");
    assert_eq!(s.eval("add2(a)", "<repl>").unwrap().as_int().unwrap(), 42);
    assert!(
        s.vars().iter().any(|v| v.starts_with("a: i64 = 40")),
        "{:?}",
        s.vars()
    );
}

#[test]
fn help_has_an_entry_for_every_petmr_function() {
    // every documented name is a function or property the engine knows
    let engine = petmr::script::engine();
    let sigs = engine.gen_fn_signatures(false);
    for d in petmr::script::docs::all() {
        let known = sigs.iter().any(|s| {
            s.starts_with(&format!("{}(", d.name)) || s.starts_with(&format!("get${}(", d.name))
        });
        assert!(
            known,
            ":help documents '{}' but the engine has no such function",
            d.name
        );
        assert!(
            !d.example.is_empty() && !d.doc.is_empty(),
            "{} lacks doc or example",
            d.name
        );
    }
    // and every function registered by petmr (whatever its argument types; not the functions a
    // plain Rhai engine already has) is documented
    let name_of = |s: &str| -> String {
        let n = s.split('(').next().unwrap_or("");
        n.strip_prefix("get$").unwrap_or(n).to_string()
    };
    let rhai_own: std::collections::HashSet<String> = rhai::Engine::new()
        .gen_fn_signatures(false)
        .iter()
        .map(|s| name_of(s))
        .collect();
    let documented: Vec<&str> = petmr::script::docs::all().iter().map(|d| d.name).collect();
    let mut missing = Vec::new();
    let mut checked = std::collections::HashSet::new();
    for s in &sigs {
        let name = name_of(s);
        if !rhai_own.contains(&name) {
            checked.insert(name.clone());
        }
        if !rhai_own.contains(&name)
            && name.chars().next().is_some_and(|c| c.is_alphabetic())
            && !name.starts_with("to_")
            && !documented.contains(&name.as_str())
        {
            missing.push(s.clone());
        }
    }
    assert!(missing.is_empty(), "undocumented functions: {missing:#?}");
    // the check reaches functions of every kind, not only those taking a petmr type
    for n in [
        "study_open",
        "tsv_columns",
        "read_bvals",
        "parker_aif",
        "pearson",
        "mean_frames",
    ] {
        assert!(checked.contains(n), "{n} was not checked");
    }
}
