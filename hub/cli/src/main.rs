//! The `hub` binary.

use clap::Parser;

/// With the `mimalloc` feature, mimalloc serves Rust's allocations. Under
/// glibc's malloc a validator at saturation spends about a sixth of its
/// time in the allocator (one arena, below, so its threads queue on one
/// lock); with mimalloc's per-thread heaps that share fell to a few
/// percent and the devnet's throughput rose by about a tenth, but a
/// validator's peak memory on a hub grown by 1M accounts rose from
/// 312-330 MB to 394-424 MB (BENCHMARKS.md, session 20), away from the
/// 300 MB target: so glibc is the default, and the feature is there for an
/// operator who has the memory. RocksDB's C++ side keeps glibc's malloc
/// either way.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator settings a node runs with, each unless the operator set it
/// (mimalloc's are set in a build without it too, where nothing reads them:
/// one way to start, whichever the build):
///
/// - `MALLOC_ARENA_MAX=1`: glibc's malloc gives
///   threads that allocate at once arenas of their own (up to eight per
///   core) and keeps freed memory in each, so a node's many threads hold
///   far more resident memory than they use. With one arena a validator of
///   a hub grown by 300k accounts under load peaked well below the
///   304-316 MB it reached with two (BENCHMARKS.md, issue 21). On a machine
///   with many cores an operator may set it higher, trading memory for
///   less lock contention.
/// - `MIMALLOC_ALLOW_THP=0`: mimalloc asks for transparent huge pages,
///   which makes each partly used 2 MiB region resident whole: a
///   validator's peak RSS under load was 312-340 MB with them, 281-296 MB
///   without.
/// - `MIMALLOC_PURGE_DELAY=100`: freed memory goes back to the OS after
///   100 ms instead of mimalloc's 1 s. A block's large temporary buffers
///   (the prepared tree writes, the write batch) are freed every block
///   interval, and kept for a second they stack up: peak 244-253 MB instead
///   of 281-296 MB at the same throughput (0 ms cost a tenth of it in madvise
///   calls).
const ALLOCATOR_ENV: [(&str, &str); 3] =
    [("MALLOC_ARENA_MAX", "1"), ("MIMALLOC_ALLOW_THP", "0"), ("MIMALLOC_PURGE_DELAY", "100")];

/// Both allocators read their settings when a process starts, so a node
/// re-executes itself once with them set. The child-chain nodes a
/// validator starts, and a devnet's nodes, inherit them.
#[cfg(target_os = "linux")]
fn set_allocator_env() {
    use std::os::unix::process::CommandExt as _;
    let missing: Vec<(&str, &str)> =
        ALLOCATOR_ENV.into_iter().filter(|(name, _)| std::env::var_os(name).is_none()).collect();
    if missing.is_empty() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let error = std::process::Command::new(exe).args(std::env::args_os().skip(1)).envs(missing).exec();
    eprintln!("warning: could not restart with the allocator settings ({error}); going on with the defaults");
}

#[cfg(not(target_os = "linux"))]
fn set_allocator_env() {}

fn main() -> std::process::ExitCode {
    let cli = tributary_cli::Cli::parse();
    // Before any thread starts: the nodes, and the devnet (whose nodes inherit it).
    if matches!(cli.command, tributary_cli::Command::Start(_) | tributary_cli::Command::Devnet { .. }) {
        set_allocator_env();
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
