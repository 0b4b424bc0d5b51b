//! `hub keys`: the keys in a home's keyring.

use crate::args::{HomeArg, PassphraseArg};
use crate::output::{emit, scalar};
use anyhow::bail;
use clap::Subcommand;
use serde_json::{json, Value};
use std::path::PathBuf;
use tributary_crypto::keyfile::{read_key_file, write_key_file};
use tributary_crypto::SigningKey;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a new key.
    Add {
        name: String,
        #[command(flatten)]
        home: HomeArg,
        /// Encrypt the key file with the passphrase from --passphrase-file or $TRIBUTARY_PASSPHRASE.
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        passphrase: PassphraseArg,
    },
    /// List the keys in the keyring.
    List {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Show one key's address and public key.
    Show {
        name: String,
        #[command(flatten)]
        home: HomeArg,
    },
}

pub fn run(command: KeysCommand, json: bool) -> anyhow::Result<()> {
    match command {
        KeysCommand::Add { name, home, encrypt, passphrase } => {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                bail!("key name {name:?} is invalid: use letters, digits, '-' and '_'");
            }
            let passphrase = passphrase.for_new_keys(encrypt)?;
            let path = home.home().key(&name);
            let file = write_key_file(&path, &SigningKey::generate(), passphrase.as_deref())?;
            emit(
                json,
                &json!({ "name": name, "address": file.address, "public_key": file.public_key, "key_file": path, "encrypted": file.encrypted.is_some() }),
            );
            Ok(())
        }
        KeysCommand::List { home } => {
            let dir = home.home().keys();
            let mut keys = Vec::new();
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(_) => bail!("no keyring at {}: run `hub init` or `hub keys add` first", dir.display()),
            };
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            paths.sort();
            for path in paths {
                let file = read_key_file(&path)?;
                let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                keys.push(json!({ "name": name, "address": file.address, "encrypted": file.encrypted.is_some() }));
            }
            if json {
                emit(true, &Value::Array(keys));
            } else {
                for k in keys {
                    println!(
                        "{:<16} {}{}",
                        scalar(&k["name"]),
                        scalar(&k["address"]),
                        if k["encrypted"] == Value::Bool(true) { "  (encrypted)" } else { "" }
                    );
                }
            }
            Ok(())
        }
        KeysCommand::Show { name, home } => {
            let path = home.home().key(&name);
            if !path.is_file() {
                bail!("no key named {name:?} in {}", home.home().keys().display());
            }
            let file = read_key_file(&path)?;
            emit(
                json,
                &json!({ "name": name, "address": file.address, "public_key": file.public_key, "key_file": path, "encrypted": file.encrypted.is_some() }),
            );
            Ok(())
        }
    }
}
