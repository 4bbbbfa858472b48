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
    // and every function registered by petmr (not Rhai's own packages) is documented
    let documented: Vec<&str> = petmr::script::docs::all().iter().map(|d| d.name).collect();
    let mut missing = Vec::new();
    for s in &sigs {
        let name = s.split('(').next().unwrap_or("");
        let name = name.strip_prefix("get$").unwrap_or(name);
        let is_petmr = s.contains("Volume")
            || s.contains("Mask")
            || s.contains("Curve")
            || s.contains("Table")
            || s.contains("Transform");
        if is_petmr
            && name.chars().next().is_some_and(|c| c.is_alphabetic())
            && !name.starts_with("to_")
            && !documented.contains(&name)
        {
            missing.push(s.clone());
        }
    }
    assert!(missing.is_empty(), "undocumented functions: {missing:#?}");
}
