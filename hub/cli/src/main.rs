//! The `hub` binary.

use clap::Parser;

/// `hub` allocates with glibc's malloc by default. Measured on this
/// project's devnet (BENCHMARKS.md, sessions 20 and 21):
///
/// - glibc's malloc, one arena: a sixth of a validator's time at
///   saturation in the allocator itself (its threads queue on one lock),
///   and on a hub grown by 1M accounts half of its heap free but still
///   resident (262 MB held, 131 MB in use): a validator peaked at
///   312-321 MB (271-297 MB since the store keeps its index and filter
///   blocks in the block cache and 48 MiB of memtables, session 22);
/// - `--features mimalloc` (Rust's allocations only; RocksDB stays on
///   glibc's): about a tenth faster, but 394-424 MB at 1M accounts;
/// - `--features jemalloc`, linked with the standard names (`malloc`,
///   `free`, ...) so that RocksDB's C++ allocates with it too, with the
///   settings below: 8.9k transfers/s against 8.2k on glibc (49.5 µs of a
///   validator per transfer against 53.4), and 301-310 MB at 1M accounts;
///   with two arenas and a 1 s decay, 9.9k/s (44.7 µs) but 353-392 MB.
///
/// jemalloc is not the default because a library preloaded into `hub`
/// that calls `dlsym` from `clock_gettime` deadlocks its first
/// initialisation: libfaketime, which the skewed-clock test preloads into
/// one validator, does (jemalloc initialises on libstdc++'s first
/// allocation, reads the clock, libfaketime looks its clock up with
/// `dlsym`, which allocates: jemalloc waits on its own init lock). An
/// operator who runs `hub` without such a library can build with it.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(all(feature = "mimalloc", not(feature = "jemalloc")))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator settings a node runs with, each unless the operator set it
/// (all of them are set whichever allocator the build has, and the others
/// go unread: one way to start, whichever the build):
///
/// - `MALLOC_CONF=background_thread:true,narenas:1,dirty_decay_ms:250,muzzy_decay_ms:0`
///   (jemalloc, in a build with it): one arena, so memory one thread
///   frees is there for the next block, whichever thread runs it; freed
///   pages go back to the OS after a quarter second, from a background
///   thread. A block's temporary buffers (the prepared tree writes, the
///   write batch: about 100 MB for 3,000 new accounts at 1M) come and go
///   every block. Two arenas with jemalloc's 10 s decay (1 s tried)
///   peaked at 353-392 MB on the 1M hub, one arena with 250 ms at
///   301-310 MB.
/// - `MALLOC_ARENA_MAX=1` (glibc's malloc, the default): glibc gives
///   threads that allocate at once arenas of their own (up to eight per
///   core) and keeps freed memory in each. With one arena a
///   validator of a hub grown by 300k accounts under load peaked well
///   below the 304-316 MB it reached with two (BENCHMARKS.md, issue 21).
/// - `MIMALLOC_ALLOW_THP=0` (mimalloc): transparent huge pages make each
///   partly used 2 MiB region resident whole: peak 312-340 MB with them,
///   281-296 MB without.
/// - `MIMALLOC_PURGE_DELAY=100` (mimalloc): freed memory goes back to the
///   OS after 100 ms instead of 1 s: peak 244-253 MB instead of 281-296 MB
///   at the same throughput (0 ms cost a tenth of it in madvise calls).
const ALLOCATOR_ENV: [(&str, &str); 4] = [
    ("MALLOC_CONF", JEMALLOC_CONF),
    ("MALLOC_ARENA_MAX", "1"),
    ("MIMALLOC_ALLOW_THP", "0"),
    ("MIMALLOC_PURGE_DELAY", "100"),
];

/// jemalloc's settings ([`ALLOCATOR_ENV`] says why each).
const JEMALLOC_CONF: &str = "background_thread:true,narenas:1,dirty_decay_ms:250,muzzy_decay_ms:0";

/// The allocators read their settings when a process starts, so a node
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
