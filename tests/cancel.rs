//! Cancellation uses a process-wide flag (set by Ctrl-C), so this test runs in its own binary
//! where no other test can observe the flag.
use petmr::repl::Session;

#[test]
fn cancellation_stops_a_running_script_and_a_native_loop_and_keeps_state() {
    let mut s = Session::new();
    let _ = s.eval("let keep = 7;", "<repl>").unwrap();
    let t = std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_millis(200));
        petmr::progress::request_cancel();
    });
    let e = s.eval("let i = 0; loop { i += 1; }", "<repl>").unwrap_err();
    t.join().unwrap();
    assert!(e.contains("cancelled"), "{e}");
    assert_eq!(s.eval("keep", "<repl>").unwrap().as_int().unwrap(), 7);
    // native voxelwise work stops between chunks
    petmr::progress::request_cancel();
    let r = petmr::progress::par_map("test", 1_000_000, 1000, |i| i);
    assert_eq!(r, Err(petmr::progress::Cancelled));
    petmr::progress::reset_cancel();
}
