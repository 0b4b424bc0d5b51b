//! The `hub` binary.

use clap::Parser;

/// glibc's malloc gives threads that allocate at once arenas of their own
/// (up to eight per core) and keeps freed memory in each. A node's many
/// threads (tokio's, RocksDB's, libp2p's) then hold far more resident
/// memory than they use. With one arena a validator of a hub grown by 300k
/// accounts under load peaked well below the 304-316 MB it reached with two
/// (BENCHMARKS.md, issue 21), and the devnet's saturation was the fastest
/// of the session's runs (8,399 transfers/s). Measured on 2 cores: on a
/// machine with many cores, an operator may set `MALLOC_ARENA_MAX` higher
/// to trade memory for less lock contention. The variable is read when a
/// process starts, so a node re-executes itself once with it set, unless
/// the operator set it. The child-chain nodes a validator starts inherit it.
#[cfg(target_os = "linux")]
fn bound_malloc_arenas() {
    use std::os::unix::process::CommandExt as _;
    const VAR: &str = "MALLOC_ARENA_MAX";
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let error = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env(VAR, "1").exec();
    eprintln!("warning: could not restart with {VAR}=1 ({error}); going on with glibc's default arenas");
}

#[cfg(not(target_os = "linux"))]
fn bound_malloc_arenas() {}

fn main() -> std::process::ExitCode {
    let cli = tributary_cli::Cli::parse();
    // Before any thread starts: the nodes, and the devnet (whose nodes inherit it).
    if matches!(cli.command, tributary_cli::Command::Start(_) | tributary_cli::Command::Devnet { .. }) {
        bound_malloc_arenas();
    }
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: tributary_cli::Cli) -> std::process::ExitCode {
    // `hub bench` prints its own progress; the relayer code it runs in
    // process (finding the devnet's paths) would interleave its INFO lines.
    let default = match cli.command {
        tributary_cli::Command::Bench(_) => "warn",
        _ => "info,libp2p=warn,libp2p_gossipsub=error",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TRIBUTARY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .init();
    let json = cli.json;
    match tributary_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            if json {
                println!("{}", serde_json::json!({ "error": format!("{error:#}") }));
            } else {
                eprintln!("error: {error:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
