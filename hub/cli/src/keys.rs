//! `hub keys`: the keys in a home's keyring.

use crate::args::{HomeArg, PassphraseArg};
use crate::output::{emit, scalar};
use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::{json, Value};
use std::path::PathBuf;
use tributary_crypto::keyfile::{load_signing_key, read_key_file, write_key_file};
use tributary_crypto::mnemonic;
use tributary_crypto::SigningKey;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a new key from a new 24-word BIP-39 phrase, shown once: write
    /// it down, it recovers the key anywhere (`keys add NAME --recover`, or
    /// any wallet using SLIP-10 ed25519 at m/44'/7253'/ACCOUNT'/0'/0').
    /// With --recover, bring back a key from a phrase you already have.
    Add {
        name: String,
        #[command(flatten)]
        home: HomeArg,
        /// Recover from an existing phrase, read from --secret-file or stdin.
        #[arg(long)]
        recover: bool,
        /// The account index in the derivation path (different keys from one phrase).
        #[arg(long, default_value_t = 0)]
        account: u32,
        /// File holding the phrase for --recover (else stdin).
        #[arg(long)]
        secret_file: Option<PathBuf>,
        /// File holding the phrase's BIP-39 passphrase, if it has one (not the key file's).
        #[arg(long)]
        bip39_passphrase_file: Option<PathBuf>,
        /// Encrypt the key file with the passphrase from --passphrase-file or $TRIBUTARY_PASSPHRASE.
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        passphrase: PassphraseArg,
    },
    /// Bring an existing key into the keyring: a 32-byte secret in hex (as
    /// `keys export` prints it) or a BIP-39 phrase, read from --secret-file
    /// or stdin (never from the command line, where the shell would keep it).
    Import {
        name: String,
        #[command(flatten)]
        home: HomeArg,
        /// File holding the hex secret or the phrase (else stdin).
        #[arg(long)]
        secret_file: Option<PathBuf>,
        /// For a phrase: the account index in the derivation path.
        #[arg(long, default_value_t = 0)]
        account: u32,
        /// For a phrase: the file holding its BIP-39 passphrase, if it has one.
        #[arg(long)]
        bip39_passphrase_file: Option<PathBuf>,
        /// Encrypt the key file with the passphrase from --passphrase-file or $TRIBUTARY_PASSPHRASE.
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        passphrase: PassphraseArg,
    },
    /// Print a key's secret in hex, to import it elsewhere (`keys import`,
    /// sdk-ts `SigningKey.fromSecretHex`). Whoever reads it controls the
    /// account: it needs --unsafe-print. A key keeps no phrase, so none is printed.
    Export {
        name: String,
        #[command(flatten)]
        home: HomeArg,
        /// Confirm that the secret may be printed.
        #[arg(long)]
        unsafe_print: bool,
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

/// Most bytes of a secret read from a file or stdin.
const SECRET_INPUT_MAX: u64 = 4 * 1024;

fn check_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        bail!("key name {name:?} is invalid: use letters, digits, '-' and '_'");
    }
    Ok(())
}

/// A secret from `file`, or else stdin (prompting when it is a terminal),
/// bounded and trimmed.
fn read_secret(file: Option<&PathBuf>, prompt: &str) -> anyhow::Result<zeroize::Zeroizing<String>> {
    use std::io::{IsTerminal, Read};
    let mut text = zeroize::Zeroizing::new(String::new());
    match file {
        Some(path) => {
            std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .take(SECRET_INPUT_MAX + 1)
                .read_to_string(&mut text)
                .with_context(|| format!("{} is not text", path.display()))?;
        }
        None => {
            if std::io::stdin().is_terminal() {
                eprint!("{prompt}: ");
            }
            std::io::stdin()
                .take(SECRET_INPUT_MAX + 1)
                .read_to_string(&mut text)
                .context("cannot read the secret from stdin")?;
        }
    }
    if text.len() as u64 > SECRET_INPUT_MAX {
        bail!("the secret given is over {SECRET_INPUT_MAX} bytes: give only the hex secret or the phrase");
    }
    let trimmed = zeroize::Zeroizing::new(text.trim().to_string());
    if trimmed.is_empty() {
        bail!("no secret given: pass --secret-file FILE or pipe it on stdin");
    }
    Ok(trimmed)
}

fn bip39_passphrase(file: Option<&PathBuf>) -> anyhow::Result<zeroize::Zeroizing<String>> {
    Ok(match file {
        Some(path) => zeroize::Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
        ),
        None => zeroize::Zeroizing::new(String::new()),
    })
}

/// A key from what the user gave: 64 hex characters are a secret, words a phrase.
fn key_from_input(input: &str, account: u32, bip39_passphrase: &str) -> anyhow::Result<SigningKey> {
    if input.len() == 64 && input.chars().all(|c| c.is_ascii_hexdigit()) {
        let mut secret = [0u8; 32];
        hex::decode_to_slice(input, &mut secret).context("the hex secret does not decode")?;
        return Ok(SigningKey::from_secret(secret));
    }
    if input.split_whitespace().count() < 12 {
        bail!("expected a 32-byte secret as 64 hex characters, or a BIP-39 phrase of 12 to 24 words");
    }
    Ok(mnemonic::key_from_phrase(input, bip39_passphrase, account)?)
}

/// Write `key` as `name` in `home`'s keyring and report it.
fn store_key(
    name: &str,
    home: &HomeArg,
    key: &SigningKey,
    passphrase: Option<&[u8]>,
    extra: Value,
    json: bool,
) -> anyhow::Result<()> {
    let path = home.home().key(name);
    if path.exists() {
        bail!("a key named {name:?} already exists at {}: choose another name", path.display());
    }
    let file = write_key_file(&path, key, passphrase)?;
    let mut out = json!({ "name": name, "address": file.address, "public_key": file.public_key, "key_file": path, "encrypted": file.encrypted.is_some() });
    if let (Value::Object(out), Value::Object(extra)) = (&mut out, extra) {
        out.extend(extra);
    }
    emit(json, &out);
    Ok(())
}

pub fn run(command: KeysCommand, json: bool) -> anyhow::Result<()> {
    match command {
        KeysCommand::Add { name, home, recover, account, secret_file, bip39_passphrase_file, encrypt, passphrase } => {
            check_name(&name)?;
            let passphrase = passphrase.for_new_keys(encrypt)?;
            let bip39 = bip39_passphrase(bip39_passphrase_file.as_ref())?;
            if recover {
                let phrase = read_secret(secret_file.as_ref(), "enter the BIP-39 phrase")?;
                let key = mnemonic::key_from_phrase(&phrase, &bip39, account)?;
                return store_key(&name, &home, &key, passphrase.as_deref(), json!({ "account": account }), json);
            }
            if secret_file.is_some() {
                bail!("--secret-file is for --recover: a new key gets a new phrase");
            }
            let phrase = zeroize::Zeroizing::new(mnemonic::generate_phrase());
            let key = mnemonic::key_from_phrase(&phrase, &bip39, account)?;
            if !json {
                eprintln!(
                    "Write down this phrase and keep it secret: it is the only way to recover the key.\n\n{}\n",
                    phrase.as_str()
                );
            }
            let extra = if json { json!({ "mnemonic": phrase.as_str(), "account": account }) } else { json!({}) };
            store_key(&name, &home, &key, passphrase.as_deref(), extra, json)
        }
        KeysCommand::Import { name, home, secret_file, account, bip39_passphrase_file, encrypt, passphrase } => {
            check_name(&name)?;
            let passphrase = passphrase.for_new_keys(encrypt)?;
            let bip39 = bip39_passphrase(bip39_passphrase_file.as_ref())?;
            let input = read_secret(secret_file.as_ref(), "enter the hex secret or the BIP-39 phrase")?;
            let key = key_from_input(&input, account, &bip39)?;
            store_key(&name, &home, &key, passphrase.as_deref(), json!({}), json)
        }
        KeysCommand::Export { name, home, unsafe_print, passphrase } => {
            let path = home.home().key(&name);
            if !path.is_file() {
                bail!("no key named {name:?} in {}", home.home().keys().display());
            }
            if !unsafe_print {
                bail!(
                    "this prints {name}'s secret key, and whoever reads it controls the account: pass --unsafe-print \
                     to confirm"
                );
            }
            let key = load_signing_key(&path, passphrase.read()?.as_deref())?;
            let secret = zeroize::Zeroizing::new(hex::encode(key.secret_bytes()));
            emit(
                json,
                &json!({ "name": name, "address": key.public_key().address().to_string(), "secret_key_hex": secret.as_str() }),
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
