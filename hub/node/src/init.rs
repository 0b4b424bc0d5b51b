//! `hub init`: a new home with keys, a genesis and a config.

use crate::config::{Home, NodeConfig};
use anyhow::{bail, Context as _};
use serde::Serialize;
use std::path::PathBuf;
use tributary_crypto::keyfile::write_key_file;
use tributary_crypto::SigningKey;
use tributary_types::genesis::GenesisBalance;
use tributary_types::{Amount, ChainId, Genesis, GenesisAccount, GenesisValidator, Params};

/// What every genesis account starts with: 1,000,000 TRIB of 10^6 utrib.
pub const GENESIS_BALANCE: Amount = 1_000_000_000_000;

#[derive(Debug, Serialize)]
pub struct InitAccount {
    pub name: String,
    pub address: String,
    pub key_file: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct InitSummary {
    pub home: PathBuf,
    pub chain_id: String,
    pub genesis_hash: String,
    pub config: PathBuf,
    pub accounts: Vec<InitAccount>,
}

pub struct InitOptions {
    pub chain_id: ChainId,
    /// Funded user accounts besides the validator (`user0`, `user1`, …).
    pub accounts: usize,
    pub api_listen: String,
    pub passphrase: Option<Vec<u8>>,
    pub genesis_time_ms: u64,
}

/// Create `home` with a validator key, funded accounts, genesis and config.
pub fn init_home(home: &Home, options: &InitOptions) -> anyhow::Result<InitSummary> {
    if home.config().exists() || home.genesis().exists() {
        bail!(
            "{} is already initialized (config.toml or genesis.json exists); use another --home or remove it first",
            home.root.display()
        );
    }
    if options.accounts > 100 {
        bail!("--accounts is {}; at most 100 are created at init", options.accounts);
    }
    std::fs::create_dir_all(&home.root).with_context(|| format!("cannot create {}", home.root.display()))?;
    let passphrase = options.passphrase.as_deref();
    let mut accounts = Vec::new();
    let mut genesis_accounts = Vec::new();
    let params = Params::default();
    let validator = SigningKey::generate();
    let names = std::iter::once("validator".to_string()).chain((0..options.accounts).map(|i| format!("user{i}")));
    let mut validator_key = None;
    for name in names {
        let key = if name == "validator" {
            SigningKey::from_secret(validator.secret_bytes())
        } else {
            SigningKey::generate()
        };
        let path = home.key(&name);
        write_key_file(&path, &key, passphrase)?;
        let address = key.public_key().address();
        genesis_accounts.push(GenesisAccount {
            address,
            balances: vec![GenesisBalance { denom: params.native_denom.clone(), amount: GENESIS_BALANCE }],
        });
        accounts.push(InitAccount { name: name.clone(), address: address.to_string(), key_file: path });
        if name == "validator" {
            validator_key = Some(key.public_key());
        }
    }
    let validator_key = validator_key.context("validator key was not created")?;
    let genesis = Genesis {
        chain_id: options.chain_id.clone(),
        genesis_time_ms: options.genesis_time_ms,
        params,
        validators: vec![GenesisValidator {
            name: "validator".into(),
            public_key: validator_key,
            vrf_public_key: crate::chain::vrf_secret_for(&validator)?.public_key().0,
            power: 10,
        }],
        accounts: genesis_accounts,
    };
    std::fs::write(home.genesis(), serde_json::to_vec_pretty(&genesis)?)
        .with_context(|| format!("cannot write {}", home.genesis().display()))?;
    let config = NodeConfig { api_listen: options.api_listen.clone(), ..NodeConfig::default() };
    let text = format!(
        "# Tributary node configuration. Every setting has a default; see `hub start --help`.\n{}",
        toml::to_string_pretty(&config)?
    );
    std::fs::write(home.config(), text).with_context(|| format!("cannot write {}", home.config().display()))?;
    Ok(InitSummary {
        home: home.root.clone(),
        chain_id: genesis.chain_id.to_string(),
        genesis_hash: genesis.hash().to_hex(),
        config: home.config(),
        accounts,
    })
}
