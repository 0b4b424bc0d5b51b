//! `hub gateway`: one GraphQL endpoint over the hub and every child chain
//! ([`tributary_gateway`]), with its settings from `--config FILE` (TOML)
//! and flags. Every key of the file is optional; what is left out keeps its
//! default.
//!
//! ```toml
//! rate_limit_per_second = 200   # per client IP; 0 turns it off
//! rate_limit_burst = 400
//! introspection = true
//! graphiql = true
//! max_depth = 12
//! max_complexity = 1000
//! max_body_bytes = 65536
//! request_timeout_ms = 10000
//! chain_timeout_ms = 3000
//! subscription_backlog = 256
//! max_ws_connections_per_ip = 32        # 0: no limit
//! max_subscriptions_per_connection = 16 # 0: no limit
//! max_ws_message_bytes = 65536
//! # Write every chain's history into PostgreSQL and answer `history`
//! # from it (the tables: gateway/pg/src/schema.sql).
//! postgres = "postgresql://gateway@127.0.0.1:5432/tributary"
//! ```

use crate::output::Shutdown;
use anyhow::Context;
use clap::Args;
use serde::Deserialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `hub gateway` takes.
#[derive(Args, Debug)]
pub struct GatewayArgs {
    /// The hub's GraphQL URL.
    #[arg(long)]
    pub hub: String,
    /// Where the gateway listens (port 0: a free port, printed).
    #[arg(long, default_value = "127.0.0.1:26690")]
    pub listen: String,
    /// A TOML file of gateway settings (see [`gateway`]); flags override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Requests per second each client IP may make (0: no limit).
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Answer no introspection queries (`__schema`, `__type`).
    #[arg(long)]
    pub no_introspection: bool,
    /// Do not serve GraphiQL on GET /graphql.
    #[arg(long)]
    pub no_graphiql: bool,
    /// Follow every chain's blocks into this PostgreSQL database
    /// (`postgresql://USER[:PASSWORD]@HOST:PORT/DB`) and answer `history`
    /// from it; without it, `history` asks the nodes' indexes.
    #[arg(long, value_name = "URL", env = "TRIBUTARY_GATEWAY_POSTGRES")]
    pub postgres: Option<String>,
    /// Stop when the process with this pid is no longer the parent (set by
    /// `hub devnet`).
    #[arg(long, hide = true)]
    pub parent_pid: Option<u32>,
}

/// Serve the gateway until Ctrl-C or SIGTERM.
pub async fn run(args: GatewayArgs, json: bool) -> anyhow::Result<()> {
    let mut shutdown = Shutdown::listen();
    let GatewayArgs { hub, listen, config, rate_limit, no_introspection, no_graphiql, postgres, parent_pid } = args;
    let mut settings = match &config {
        Some(path) => load(path)?,
        None => tributary_gateway::Config::default(),
    };
    if let Some(rate) = rate_limit {
        settings.rate_per_second = rate;
    }
    settings.introspection &= !no_introspection;
    settings.graphiql &= !no_graphiql;
    if postgres.is_some() {
        settings.postgres = postgres;
    }
    let history = tributary_gateway::open_history(&settings).await.context("--postgres: the history database")?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (--listen): is something else using it?"))?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let backend = if history.is_some() { "postgres" } else { "nodes" };
    if json {
        println!("{}", json!({ "event": "ready", "graphql": url, "hub": hub, "history": backend }));
    } else {
        println!("gateway ready: {url} (over the hub at {hub} and its child chains; history from {backend})");
    }
    tokio::select! {
        result = tributary_gateway::serve(listener, hub, settings, history) => result,
        _ = shutdown.recv() => Ok(()),
        _ = crate::output::parent_gone(parent_pid) => Ok(()),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GatewayToml {
    rate_limit_per_second: Option<u32>,
    rate_limit_burst: Option<u32>,
    introspection: Option<bool>,
    graphiql: Option<bool>,
    max_depth: Option<usize>,
    max_complexity: Option<usize>,
    max_body_bytes: Option<usize>,
    request_timeout_ms: Option<u64>,
    chain_timeout_ms: Option<u64>,
    subscription_backlog: Option<usize>,
    max_ws_connections_per_ip: Option<usize>,
    max_subscriptions_per_connection: Option<usize>,
    max_ws_message_bytes: Option<usize>,
    postgres: Option<String>,
}

/// Read `path` over the defaults.
pub fn load(path: &Path) -> anyhow::Result<tributary_gateway::Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text).with_context(|| format!("{} is not a valid gateway config", path.display()))
}

fn parse(text: &str) -> anyhow::Result<tributary_gateway::Config> {
    let file: GatewayToml = toml::from_str(text)?;
    let mut config = tributary_gateway::Config::default();
    let limits = &mut config.limits;
    if let Some(v) = file.rate_limit_per_second {
        config.rate_per_second = v;
    }
    if let Some(v) = file.rate_limit_burst {
        config.rate_burst = v;
    }
    if let Some(v) = file.introspection {
        config.introspection = v;
    }
    if let Some(v) = file.graphiql {
        config.graphiql = v;
    }
    if let Some(v) = file.max_depth {
        limits.max_depth = v;
    }
    if let Some(v) = file.max_complexity {
        limits.max_complexity = v;
    }
    if let Some(v) = file.max_body_bytes {
        limits.max_body_bytes = v;
    }
    if let Some(v) = file.request_timeout_ms {
        limits.request_timeout = Duration::from_millis(v);
    }
    if let Some(v) = file.chain_timeout_ms {
        limits.chain_timeout = Duration::from_millis(v);
    }
    if let Some(v) = file.subscription_backlog {
        anyhow::ensure!(v >= 1, "subscription_backlog must be at least 1");
        config.subscription_backlog = v;
    }
    if let Some(v) = file.max_ws_connections_per_ip {
        config.ws.max_connections_per_ip = v;
    }
    if let Some(v) = file.max_subscriptions_per_connection {
        config.ws.max_subscriptions_per_connection = v;
    }
    if let Some(v) = file.max_ws_message_bytes {
        anyhow::ensure!(v >= 1024, "max_ws_message_bytes must be at least 1024 (a subscription's query)");
        config.ws.max_message_bytes = v;
    }
    if file.postgres.is_some() {
        config.postgres = file.postgres;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_override_defaults_and_unknown_keys_are_named() {
        let config = parse("rate_limit_per_second = 5\nintrospection = false\nchain_timeout_ms = 700").unwrap();
        assert_eq!(config.rate_per_second, 5);
        assert!(!config.introspection);
        assert!(config.graphiql);
        assert_eq!(config.limits.chain_timeout, Duration::from_millis(700));
        let config = parse("max_ws_connections_per_ip = 4\nmax_subscriptions_per_connection = 2").unwrap();
        assert_eq!((config.ws.max_connections_per_ip, config.ws.max_subscriptions_per_connection), (4, 2));
        assert_eq!(config.ws.max_message_bytes, 64 * 1024);
        let error = format!("{:#}", parse("rate_limit = 5").unwrap_err());
        assert!(error.contains("rate_limit"), "{error}");
    }
}
