//! What the command lines print, and when they stop: `--json` or indented
//! text from the same value, and Ctrl-C/SIGTERM. Its own file so every
//! command (the `hub` subcommands, the devnet, spawn) prints one way
//! without reaching into each other.

use serde_json::Value;

/// Print `value` as JSON, or as indented `key: value` text.
pub fn emit(json: bool, value: &Value) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
    } else {
        let mut out = String::new();
        render_text(value, 0, &mut out);
        print!("{out}");
    }
}

fn render_text(value: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Object(_) | Value::Array(_) if !is_empty(v) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        render_text(v, indent + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(v))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        out.push_str(&format!("{pad}-\n"));
                        render_text(item, indent + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A value as one line of text (`-` for null).
pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
        other => other.to_string(),
    }
}

/// Ctrl-C or SIGTERM, listened for from the moment [`Shutdown::listen`]
/// returns. A signal that arrives before anyone awaits [`Shutdown::recv`]
/// is kept, not fatal: listening only when first awaited left a window
/// (a devnet starting its validators, a node opening its store) in which
/// SIGTERM's default action killed the process on the spot, and a devnet
/// killed that way left its validators running as orphans.
pub struct Shutdown {
    terminate: Option<tokio::signal::unix::Signal>,
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl Shutdown {
    /// Start listening now (needs a tokio runtime). A signal that cannot be
    /// listened for (never on Linux) keeps its default action.
    pub fn listen() -> Shutdown {
        use tokio::signal::unix::{signal, SignalKind};
        Shutdown { terminate: signal(SignalKind::terminate()).ok(), interrupt: signal(SignalKind::interrupt()).ok() }
    }

    /// Resolves once Ctrl-C or SIGTERM has arrived since [`Shutdown::listen`].
    pub async fn recv(&mut self) {
        async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            _ = next(&mut self.terminate) => {}
            _ = next(&mut self.interrupt) => {}
        }
    }
}

/// Ctrl-C or SIGTERM from now on: [`Shutdown::listen`] then [`Shutdown::recv`].
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    let mut shutdown = Shutdown::listen();
    async move { shutdown.recv().await }
}

/// Resolves once the process `pid` is no longer this process's parent
/// (it exited, even by SIGKILL, and this process was handed to init);
/// never without a pid. How the nodes, relayer and gateway a devnet or a
/// hub node starts (`--parent-pid`) stop when it is gone.
pub async fn parent_gone(pid: Option<u32>) {
    let Some(pid) = pid else { return std::future::pending().await };
    loop {
        if std::os::unix::process::parent_id() != pid {
            tracing::warn!("the parent process {pid} is gone: stopping");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}
