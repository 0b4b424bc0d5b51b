//! Arguments several commands share: the home directory, the passphrase
//! of encrypted key files, the node to talk to; and how they resolve.

use anyhow::{bail, Context as _};
use clap::Args;
use std::path::{Path, PathBuf};
use tributary_crypto::keyfile::load_signing_key;
use tributary_crypto::SigningKey;
use tributary_node::config::Home;

const DEFAULT_NODE: &str = "http://127.0.0.1:26680/graphql";

#[derive(Args, Debug, Clone)]
pub struct HomeArg {
    /// The node's home directory (config.toml, genesis.json, keys/, data/).
    #[arg(long, env = "TRIBUTARY_HOME", default_value = "~/.tributary")]
    pub home: String,
}

impl HomeArg {
    pub fn home(&self) -> Home {
        Home::new(expand_tilde(&self.home))
    }
}

#[derive(Args, Debug, Clone)]
pub struct PassphraseArg {
    /// File holding the passphrase of encrypted key files (else $TRIBUTARY_PASSPHRASE).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

impl PassphraseArg {
    pub fn read(&self) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(path) = &self.passphrase_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read passphrase file {}", path.display()))?;
            return Ok(Some(text.trim_end_matches(['\n', '\r']).as_bytes().to_vec()));
        }
        Ok(std::env::var("TRIBUTARY_PASSPHRASE").ok().map(String::into_bytes))
    }

    /// The passphrase to seal new key files with: required when `encrypt`, else none.
    pub fn for_new_keys(&self, encrypt: bool) -> anyhow::Result<Option<Vec<u8>>> {
        if !encrypt {
            return Ok(None);
        }
        let passphrase =
            self.read()?.context("--encrypt needs a passphrase: give --passphrase-file or set TRIBUTARY_PASSPHRASE")?;
        Ok(Some(passphrase))
    }
}

#[derive(Args, Debug, Clone)]
pub struct NodeArg {
    /// GraphQL URL of the node to talk to.
    #[arg(long, env = "TRIBUTARY_NODE")]
    pub node: Option<String>,
}

pub fn expand_tilde(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The node URL: `--node`, else the home's config, else the default.
pub fn node_url(node: &NodeArg, home: &HomeArg) -> String {
    if let Some(url) = &node.node {
        return url.clone();
    }
    match home.home().load_config() {
        Ok(config) if !config.api_listen.ends_with(":0") => format!("http://{}/graphql", config.api_listen),
        _ => DEFAULT_NODE.to_string(),
    }
}

/// A key by keyring name or file path.
pub fn load_key(from: &str, home: &HomeArg, passphrase: &PassphraseArg) -> anyhow::Result<SigningKey> {
    let as_path = Path::new(from);
    let path = if as_path.is_file() { as_path.to_path_buf() } else { home.home().key(from) };
    if !path.is_file() {
        bail!(
            "no key named {from:?}: {} does not exist (see `hub keys list --home {}`)",
            path.display(),
            home.home().root.display()
        );
    }
    Ok(load_signing_key(&path, passphrase.read()?.as_deref())?)
}
