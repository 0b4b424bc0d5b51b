//! A node re-executes itself once with `MALLOC_ARENA_MAX=1` (glibc keeps
//! freed memory in one arena per allocating thread, up to eight per core;
//! one arena instead of two lowers a validator's peak on a grown state
//! under load, BENCHMARKS.md). The variable must be in the running node's own
//! environment (the same process id: nothing to supervise twice), and a
//! value the operator chose is kept.

use std::process::Command;
use tributary_tests::{hub_bin, NodeProcess, TestHome};

fn environment_of(pid: u32) -> Vec<String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).expect("read the node's environment");
    raw.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect()
}

#[test]
fn a_node_runs_with_two_malloc_arenas_unless_the_operator_chose() {
    let home = TestHome::new("arena-hub");
    let mut command = Command::new(hub_bin());
    command.env_remove("MALLOC_ARENA_MAX");
    let node = NodeProcess::start_with(command, &home.home());
    let environment = environment_of(node.child.id());
    assert!(environment.iter().any(|v| v == "MALLOC_ARENA_MAX=1"), "{environment:?}");
    drop(node);

    let mut command = Command::new(hub_bin());
    command.env("MALLOC_ARENA_MAX", "6");
    let node = NodeProcess::start_with(command, &home.home());
    let environment = environment_of(node.child.id());
    assert!(
        environment.iter().any(|v| v == "MALLOC_ARENA_MAX=6"),
        "the operator's value was replaced: {environment:?}"
    );
    assert!(!environment.iter().any(|v| v == "MALLOC_ARENA_MAX=1"));
}
