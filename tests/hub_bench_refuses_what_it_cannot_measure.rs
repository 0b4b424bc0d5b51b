//! `hub bench` checks what it is asked before it measures anything: a load
//! from more accounts than a devnet has, a burst the hub's mempool cannot
//! hold from the bench's accounts, or a part it does not know, each gets
//! an error that names the option and its range, in well under a second.

use std::time::{Duration, Instant};
use tributary_tests::{hub_bin, hub_json};

#[test]
fn out_of_range_options_are_refused_before_anything_runs() {
    for (args, option, range) in [
        (&["bench", "--senders", "0"][..], "--senders", "1 to 96"),
        (&["bench", "--senders", "97"], "--senders", "1 to 96"),
        (&["bench", "--burst", "0"], "--burst", "1 to 8000"),
        (&["bench", "--burst", "8001"], "--burst", "1 to 8000"),
    ] {
        let started = Instant::now();
        let (ok, answer) = hub_json(args);
        assert!(!ok, "{args:?} was accepted");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(option) && error.contains(range), "{args:?}: {answer}");
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?} ran before refusing");
    }
    // An unknown part: clap names the ones there are.
    let output = std::process::Command::new(hub_bin()).args(["bench", "--only", "everything"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cross-chain") && stderr.contains("scale"), "{stderr}");
}
