//! A node re-executes itself once with its allocator settings
//! (`MALLOC_ARENA_MAX=1` for glibc's malloc, which `hub` allocates with by
//! default; `MALLOC_CONF` for jemalloc and the `MIMALLOC_*` pair for
//! mimalloc, in builds with them; hub/cli/src/main.rs says why each).
//! They must be in the running node's own environment (the same process
//! id: nothing to supervise twice), and a value the operator chose is
//! kept.

use std::process::Command;
use tributary_tests::{hub_bin, NodeProcess, TestHome};

const SETTINGS: [(&str, &str); 4] = [
    ("MALLOC_CONF", "background_thread:true,narenas:1,dirty_decay_ms:250,muzzy_decay_ms:0"),
    ("MALLOC_ARENA_MAX", "1"),
    ("MIMALLOC_ALLOW_THP", "0"),
    ("MIMALLOC_PURGE_DELAY", "100"),
];

fn environment_of(pid: u32) -> Vec<String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).expect("read the node's environment");
    raw.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect()
}

#[test]
fn a_node_runs_with_its_allocator_settings_unless_the_operator_chose() {
    let home = TestHome::new("arena-hub");
    let mut command = Command::new(hub_bin());
    for (name, _) in SETTINGS {
        command.env_remove(name);
    }
    let node = NodeProcess::start_with(command, &home.home());
    let environment = environment_of(node.child.id());
    for (name, value) in SETTINGS {
        assert!(environment.iter().any(|v| *v == format!("{name}={value}")), "{name} missing: {environment:?}");
    }
    drop(node);

    // The operator set one of them: it is kept, and the others are still set.
    let mut command = Command::new(hub_bin());
    command
        .env_remove("MALLOC_CONF")
        .env_remove("MIMALLOC_ALLOW_THP")
        .env_remove("MIMALLOC_PURGE_DELAY")
        .env("MALLOC_ARENA_MAX", "6");
    let node = NodeProcess::start_with(command, &home.home());
    let environment = environment_of(node.child.id());
    assert!(
        environment.iter().any(|v| v == "MALLOC_ARENA_MAX=6"),
        "the operator's value was replaced: {environment:?}"
    );
    assert!(!environment.iter().any(|v| v == "MALLOC_ARENA_MAX=1"));
    assert!(environment.iter().any(|v| v == "MIMALLOC_PURGE_DELAY=100"), "{environment:?}");
    assert!(environment.iter().any(|v| v.starts_with("MALLOC_CONF=background_thread:true")), "{environment:?}");
}
