//! `hub init`: a new home with keys, a genesis and a config.

use crate::config::{Home, NodeConfig};
use anyhow::{bail, Context as _};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tributary_crypto::keyfile::write_key_file;
use tributary_crypto::SigningKey;
use tributary_types::genesis::GenesisBalance;
use tributary_types::{Amount, ChainId, ConsensusGenesis, Genesis, GenesisAccount, GenesisValidator, Params};

/// What every genesis account starts with: 1,000,000 TRIB of 10^6 utrib.
pub const GENESIS_BALANCE: Amount = 1_000_000_000_000;

#[derive(Debug, Serialize)]
pub struct InitAccount {
    pub name: String,
    pub address: String,
    pub key_file: PathBuf,
}

/// One node home written by init.
#[derive(Debug, Serialize)]
pub struct InitNode {
    pub home: PathBuf,
    pub api_listen: String,
    /// The node's p2p address, ending with `/p2p/{peer id}`.
    pub p2p: String,
}

#[derive(Debug, Serialize)]
pub struct InitSummary {
    pub home: PathBuf,
    pub chain_id: String,
    pub genesis_hash: String,
    pub nodes: Vec<InitNode>,
    pub accounts: Vec<InitAccount>,
}

/// Where one validator listens, and where other hosts reach it.
#[derive(Clone, Debug)]
pub struct NodePorts {
    /// The GraphQL API address (port 0 picks a free port at start).
    pub api_listen: String,
    pub p2p_port: u16,
    /// The IPv4 address its p2p (and the child-chain nodes it runs) listen on.
    pub listen_host: String,
    /// The IPv4 address other hosts dial it at (bootstrap lists, the
    /// endpoints its child nodes announce): `listen_host` unless the node is
    /// behind an address of another host's (NAT, 0.0.0.0).
    pub public_host: String,
}

impl NodePorts {
    /// Ports on 127.0.0.1 (one machine).
    pub fn local(api_listen: String, p2p_port: u16) -> Self {
        NodePorts { api_listen, p2p_port, listen_host: LOCALHOST.into(), public_host: LOCALHOST.into() }
    }
}

const LOCALHOST: &str = "127.0.0.1";

/// One host of `hub init --hosts`: `IP`, or `LISTEN_IP=PUBLIC_IP` for a node
/// that listens on one address and is reached at another.
pub fn parse_host(text: &str) -> anyhow::Result<(String, String)> {
    let (listen, public) = match text.split_once('=') {
        Some((listen, public)) => (listen.trim(), public.trim()),
        None => (text.trim(), text.trim()),
    };
    for (what, ip) in [("listen", listen), ("public", public)] {
        let parsed: std::net::Ipv4Addr = ip.parse().with_context(|| {
            format!(
                "--hosts: {text:?}: the {what} address {ip:?} is not an IPv4 address (write IP or LISTEN_IP=PUBLIC_IP)"
            )
        })?;
        if what == "public" && parsed.is_unspecified() {
            bail!(
                "--hosts: {text:?}: other hosts cannot dial 0.0.0.0; write LISTEN_IP=PUBLIC_IP, e.g. 0.0.0.0=10.0.0.1"
            );
        }
    }
    Ok((listen.to_string(), public.to_string()))
}

/// One node per host, each on the same ports: API `base`, p2p `base + 1`.
pub fn ports_on_hosts(hosts: &[(String, String)], base: u16) -> anyhow::Result<Vec<NodePorts>> {
    let p2p = base.checked_add(1).context("port out of range")?;
    Ok(hosts
        .iter()
        .map(|(listen, public)| NodePorts {
            api_listen: format!("{listen}:{base}"),
            p2p_port: p2p,
            listen_host: listen.clone(),
            public_host: public.clone(),
        })
        .collect())
}

pub struct InitOptions {
    pub chain_id: ChainId,
    /// Funded user accounts (`user0`, `user1`, …), keys in `{home}/keys`.
    pub accounts: usize,
    /// One entry per validator. One validator: the home is its node home.
    /// Several: `{home}/node0`, `{home}/node1`, … share one genesis and dial
    /// each other.
    pub nodes: Vec<NodePorts>,
    /// Only the validators' peers may connect (`[p2p] permissioned`).
    pub permissioned: bool,
    pub passphrase: Option<Vec<u8>>,
    pub genesis_time_ms: u64,
    pub consensus: ConsensusGenesis,
    /// Each validator's voting power (its self-bond in power units), in the
    /// order of `nodes`; empty: [`DEFAULT_POWER`] each.
    pub powers: Vec<u64>,
}

/// A validator's power when `init` is given none.
pub const DEFAULT_POWER: u64 = 10;

/// Most validators `init` creates.
pub const INIT_VALIDATORS_MAX: usize = 64;

/// Consecutive ports from `base`: node k gets API `base + 2k` and p2p `base + 2k + 1`.
pub fn ports_from(base: u16, validators: usize) -> anyhow::Result<Vec<NodePorts>> {
    (0..validators)
        .map(|k| {
            let api = base.checked_add(2 * k as u16).context("port out of range")?;
            let p2p = api.checked_add(1).context("port out of range")?;
            Ok(NodePorts::local(format!("127.0.0.1:{api}"), p2p))
        })
        .collect()
}

/// Free loopback ports, `count` pairs (bound together, then released).
pub fn free_ports(count: usize) -> anyhow::Result<Vec<NodePorts>> {
    let listeners = (0..2 * count)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()
        .context("cannot find free ports on 127.0.0.1")?;
    let ports: Vec<u16> = listeners.iter().map(|l| l.local_addr().map(|a| a.port())).collect::<std::io::Result<_>>()?;
    Ok(ports.chunks(2).map(|p| NodePorts::local(format!("127.0.0.1:{}", p[0]), p[1])).collect())
}

/// Create `home` with validator keys, funded accounts, genesis and config(s).
pub fn init_home(home: &Home, options: &InitOptions) -> anyhow::Result<InitSummary> {
    let validators = options.nodes.len();
    if validators == 0 || validators > INIT_VALIDATORS_MAX {
        bail!("--validators is {validators}; use 1 to {INIT_VALIDATORS_MAX}");
    }
    let node_homes: Vec<Home> = if validators == 1 {
        vec![home.clone()]
    } else {
        (0..validators).map(|k| Home::new(home.root.join(format!("node{k}")))).collect()
    };
    for node in &node_homes {
        if node.config().exists() || node.genesis().exists() {
            bail!(
                "{} is already initialized (config.toml or genesis.json exists); use another --home or remove it first",
                node.root.display()
            );
        }
    }
    if options.accounts > 100 {
        bail!("--accounts is {}; at most 100 are created at init", options.accounts);
    }
    std::fs::create_dir_all(&home.root).with_context(|| format!("cannot create {}", home.root.display()))?;
    let passphrase = options.passphrase.as_deref();
    let params = Params::default();
    let funded = |address| GenesisAccount {
        address,
        balances: vec![GenesisBalance { denom: params.native_denom.clone(), amount: GENESIS_BALANCE }],
    };
    let mut accounts = Vec::new();
    let mut genesis_accounts = Vec::new();
    let mut genesis_validators = Vec::new();
    let mut peers = Vec::new();
    for (k, node) in node_homes.iter().enumerate() {
        let key = SigningKey::generate();
        let path = node.key("validator");
        write_key_file(&path, &key, passphrase)?;
        let address = key.public_key().address();
        genesis_accounts.push(funded(address));
        let name = if validators == 1 { "validator".to_string() } else { format!("validator{k}") };
        accounts.push(InitAccount { name: name.clone(), address: address.to_string(), key_file: path });
        genesis_validators.push(GenesisValidator {
            name,
            public_key: key.public_key(),
            vrf_public_key: crate::chain::vrf_secret_for(&key)?.public_key().0,
            power: options.powers.get(k).copied().unwrap_or(DEFAULT_POWER),
        });
        peers.push(tributary_p2p::peer_id_of(&key.public_key().0)?);
    }
    for i in 0..options.accounts {
        let key = SigningKey::generate();
        let name = format!("user{i}");
        let path = home.key(&name);
        write_key_file(&path, &key, passphrase)?;
        let address = key.public_key().address();
        genesis_accounts.push(funded(address));
        accounts.push(InitAccount { name, address: address.to_string(), key_file: path });
    }
    let genesis = Genesis {
        genesis_time_ms: options.genesis_time_ms,
        params,
        consensus: options.consensus.clone(),
        modules: tributary_types::genesis::default_modules(),
        validators: genesis_validators,
        accounts: genesis_accounts,
        ..Genesis::empty(options.chain_id.clone())
    };
    let genesis_json = serde_json::to_vec_pretty(&genesis)?;
    let p2p_addrs: Vec<String> = options
        .nodes
        .iter()
        .zip(&peers)
        .map(|(ports, peer)| format!("/ip4/{}/tcp/{}/p2p/{peer}", ports.public_host, ports.p2p_port))
        .collect();
    let mut nodes = Vec::new();
    for (k, node) in node_homes.iter().enumerate() {
        std::fs::write(node.genesis(), &genesis_json)
            .with_context(|| format!("cannot write {}", node.genesis().display()))?;
        let ports = &options.nodes[k];
        let mut config = NodeConfig { api_listen: ports.api_listen.clone(), ..NodeConfig::default() };
        config.p2p.listen = format!("/ip4/{}/tcp/{}", ports.listen_host, ports.p2p_port);
        config.children.listen_host = ports.listen_host.clone();
        config.children.public_host = ports.public_host.clone();
        config.p2p.bootstrap = p2p_addrs.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, a)| a.clone()).collect();
        config.p2p.permissioned = options.permissioned;
        if options.permissioned {
            config.p2p.allow = peers.iter().map(|p| p.to_string()).collect();
        }
        let text = format!(
            "# Tributary node configuration. Every setting has a default; see the README.\n{}",
            toml::to_string_pretty(&config)?
        );
        std::fs::write(node.config(), text).with_context(|| format!("cannot write {}", node.config().display()))?;
        nodes.push(InitNode {
            home: node.root.clone(),
            api_listen: ports.api_listen.clone(),
            p2p: p2p_addrs[k].clone(),
        });
    }
    Ok(InitSummary {
        home: home.root.clone(),
        chain_id: genesis.chain_id.to_string(),
        genesis_hash: genesis.hash().to_hex(),
        nodes,
        accounts,
    })
}

/// A full node's home: a p2p key, the chain's genesis and a config that
/// joins through `bootstrap`. It follows the chain by block sync.
pub fn init_full_node(
    home: &Home,
    genesis: &Path,
    bootstrap: Vec<String>,
    ports: &NodePorts,
) -> anyhow::Result<InitNode> {
    if home.config().exists() || home.genesis().exists() {
        bail!("{} is already initialized; use another --home or remove it first", home.root.display());
    }
    let text = std::fs::read_to_string(genesis).with_context(|| format!("cannot read {}", genesis.display()))?;
    let parsed: Genesis =
        serde_json::from_str(&text).with_context(|| format!("{} is not a genesis file", genesis.display()))?;
    std::fs::create_dir_all(&home.root).with_context(|| format!("cannot create {}", home.root.display()))?;
    std::fs::write(home.genesis(), serde_json::to_vec_pretty(&parsed)?)
        .with_context(|| format!("cannot write {}", home.genesis().display()))?;
    let key = SigningKey::generate();
    let config =
        NodeConfig { api_listen: ports.api_listen.clone(), validator_key: String::new(), ..NodeConfig::default() };
    write_key_file(&home.root.join(&config.node_key), &key, None)?;
    let mut config = config;
    config.p2p.listen = format!("/ip4/127.0.0.1/tcp/{}", ports.p2p_port);
    config.p2p.bootstrap = bootstrap;
    let text = format!("# Tributary full node configuration.\n{}", toml::to_string_pretty(&config)?);
    std::fs::write(home.config(), text).with_context(|| format!("cannot write {}", home.config().display()))?;
    let peer = tributary_p2p::peer_id_of(&key.public_key().0)?;
    Ok(InitNode {
        home: home.root.clone(),
        api_listen: ports.api_listen.clone(),
        p2p: format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer}", ports.p2p_port),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_ipv4_addresses_or_a_listen_and_a_public_one() {
        assert_eq!(parse_host("10.0.0.1").unwrap(), ("10.0.0.1".into(), "10.0.0.1".into()));
        assert_eq!(parse_host(" 0.0.0.0=203.0.113.5 ").unwrap(), ("0.0.0.0".into(), "203.0.113.5".into()));
        for bad in ["host-a", "10.0.0.1=", "10.0.0.300", "0.0.0.0", "::1"] {
            let error = parse_host(bad).unwrap_err().to_string();
            assert!(error.contains("--hosts") && error.contains(bad.trim()), "{bad}: {error}");
        }
        let ports = ports_on_hosts(&[("0.0.0.0".into(), "10.0.0.9".into())], 26700).unwrap();
        assert_eq!(ports[0].api_listen, "0.0.0.0:26700");
        assert_eq!((ports[0].p2p_port, ports[0].public_host.as_str()), (26701, "10.0.0.9"));
    }

    #[test]
    fn configs_for_separate_hosts_listen_and_dial_at_the_hosts_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("hub"));
        let hosts = [("10.0.0.1".to_string(), "10.0.0.1".to_string()), ("0.0.0.0".into(), "198.51.100.7".into())];
        let options = InitOptions {
            chain_id: ChainId::new("far-hub").unwrap(),
            accounts: 0,
            nodes: ports_on_hosts(&hosts, 26700).unwrap(),
            permissioned: false,
            passphrase: None,
            genesis_time_ms: 1,
            consensus: Default::default(),
            powers: Vec::new(),
        };
        init_home(&home, &options).unwrap();
        let second = Home::new(home.root.join("node1")).load_config().unwrap();
        assert_eq!(second.api_listen, "0.0.0.0:26700");
        assert_eq!(second.p2p.listen, "/ip4/0.0.0.0/tcp/26701");
        assert_eq!(second.children.announced_host(), "198.51.100.7");
        let first = Home::new(home.root.join("node0")).load_config().unwrap();
        assert!(first.p2p.bootstrap[0].starts_with("/ip4/198.51.100.7/tcp/26701/p2p/"), "{:?}", first.p2p.bootstrap);
        assert!(second.p2p.bootstrap[0].starts_with("/ip4/10.0.0.1/tcp/26701/p2p/"), "{:?}", second.p2p.bootstrap);
    }
}
