//! The `hub` binary.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = tributary_cli::Cli::parse();
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
