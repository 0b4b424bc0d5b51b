//! `hub query`: blocks, transactions, accounts, proven state and the chain
//! itself, read from a node.

use crate::args::{node_url, HomeArg, NodeArg};
use crate::output::emit;
use anyhow::bail;
use clap::Subcommand;
use serde_json::{json, Value};
use tributary_client::{Client, ClientError};

#[derive(Subcommand, Debug)]
pub enum QueryCommand {
    /// A block by height or hash.
    Block {
        /// Height, or a block hash (64 hex characters).
        id: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// A transaction and its receipt.
    Tx {
        hash: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// An account's nonce and balances.
    Account {
        address: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// A state value with its ICS23 proof and certified header.
    State {
        /// State key, e.g. bank/balance/trib1…/utrib
        key: String,
        /// Height (default: latest).
        #[arg(long)]
        height: Option<u64>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// A contract's record; with --msg-hex, its answer to that query
    /// (base64 of the contract's own bytes).
    Contract {
        address: String,
        /// A query message, hex (borsh, as the contract defines it).
        #[arg(long)]
        msg_hex: Option<String>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// The chain's contract templates (every version) and who may upload code.
    ContractTemplates {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Governance proposals (chains with the gov module), from id --from.
    Proposals {
        #[arg(long, default_value_t = 0)]
        from: u64,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// The chain's governed configuration (every section a proposal may
    /// change, by dotted path) and the changes governance made to it.
    Configuration {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// What ADDRESS may claim from each validator (chains with the rewards
    /// module), and every validator's commission.
    Rewards {
        address: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// The roles ADDRESS holds (chains with the access module), and the
    /// transaction kinds it may not send for want of one.
    Roles {
        address: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// The private record committed under DATA_HASH (chains with the
    /// private module): sender, recipients, size, auditor, and whether the
    /// node at --node holds the payload.
    PrivateRecord {
        data_hash: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Read a private payload from the node at --node (a recipient's or
    /// the auditor's host), proving with --from's key that you are its
    /// sender, a recipient or the auditor.
    PrivateData {
        data_hash: String,
        /// Key name in the home's keyring, or a path to a key file.
        #[arg(long)]
        from: String,
        /// Write the payload to this file instead of printing it.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
        #[command(flatten)]
        passphrase: crate::args::PassphraseArg,
    },
    /// Resolve a DID (did:trib:<chain>:<address>, or the address) to its
    /// W3C DID document, with its delegations (chains with the identity
    /// module; validators and feeders resolve without creating one).
    Did {
        id: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// The messages in ADDRESS's inbox (chains with the messages module);
    /// --open-with opens sealed ones with the recipient's key.
    Inbox {
        address: String,
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Key name or file of the recipient, to open sealed messages.
        #[arg(long)]
        open_with: Option<String>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
        #[command(flatten)]
        passphrase: crate::args::PassphraseArg,
    },
    /// The chain's id, height and parameters.
    Chain {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
}

pub const TX_FIELDS: &str = "hash height index chainId sender nonce fee kind details receipt { success error feePaid events { kind attributes { key value } } }";
pub const HEADER_FIELDS: &str =
    "hash chainId height timeMs parentHash txRoot stateRoot proposer vrfOutput validatorSetHash nextValidatorSetHash";

pub async fn run(command: QueryCommand, json: bool) -> anyhow::Result<()> {
    if let QueryCommand::Inbox { address, from, open_with, home, node, passphrase } = &command {
        return inbox(address, *from, open_with.as_deref(), home, node, passphrase, json).await;
    }
    if let QueryCommand::PrivateData { data_hash, from, out, home, node, passphrase } = &command {
        return private_data(data_hash, from, out.as_deref(), home, node, passphrase, json).await;
    }
    let (client, query, variables, field) = match &command {
        QueryCommand::Block { id, home, node } => {
            let client = Client::new(node_url(node, home));
            let fields = format!("hash height txCount header {{ {HEADER_FIELDS} }} txs {{ {TX_FIELDS} }} certificate {{ round signatures {{ validator }} }}");
            match id.parse::<u64>() {
                Ok(height) => (client, format!("query($h: Int!) {{ block(height: $h) {{ {fields} }} }}"), json!({ "h": height }), "block"),
                Err(_) => (client, format!("query($x: String!) {{ block(hash: $x) {{ {fields} }} }}"), json!({ "x": id }), "block"),
            }
        }
        QueryCommand::Tx { hash, home, node } => {
            (Client::new(node_url(node, home)), format!("query($h: String!) {{ tx(hash: $h) {{ {TX_FIELDS} }} }}"), json!({ "h": hash }), "tx")
        }
        QueryCommand::Account { address, home, node } => (
            Client::new(node_url(node, home)),
            "query($a: String!) { account(address: $a) { address exists nonce nextNonce height balances { denom amount } } }".to_string(),
            json!({ "a": address }),
            "account",
        ),
        QueryCommand::State { key, height, home, node } => (
            Client::new(node_url(node, home)),
            format!("query($k: String!, $h: Int) {{ state(key: $k, height: $h) {{ key height exists valueHex valueBase64 stateRoot proofBase64 header {{ {HEADER_FIELDS} }} }} }}"),
            json!({ "k": key, "h": height }),
            "state",
        ),
        QueryCommand::Contract { address, msg_hex: Some(msg_hex), home, node } => {
            use base64::Engine;
            let msg = hex::decode(msg_hex.trim()).map_err(|e| anyhow::anyhow!("--msg-hex is not hex: {e}"))?;
            (
                Client::new(node_url(node, home)),
                "query($a: String!, $m: String!) { contractQuery(address: $a, msgBase64: $m) }".to_string(),
                json!({ "a": address, "m": base64::engine::general_purpose::STANDARD.encode(msg) }),
                "contractQuery",
            )
        }
        QueryCommand::Contract { address, msg_hex: None, home, node } => (
            Client::new(node_url(node, home)),
            "query($a: String!) { contract(address: $a) { address codeHash creator admin label createdHeight frozen } }"
                .to_string(),
            json!({ "a": address }),
            "contract",
        ),
        QueryCommand::ContractTemplates { home, node } => (
            Client::new(node_url(node, home)),
            "{ contracts: contractTemplates { name version codeHash description } uploadAccess: contractUploadAccess }"
                .to_string(),
            json!({}),
            "",
        ),
        QueryCommand::Proposals { from, home, node } => (
            Client::new(node_url(node, home)),
            "query($f: Int!) { proposals(from: $f) { id proposer title summary action actionJson status deposit submitHeight depositEndHeight votingStartHeight votingEndHeight tally { yes no abstain noWithVeto bonded } failure } }".to_string(),
            json!({ "f": from }),
            "proposals",
        ),
        QueryCommand::Configuration { home, node } => (
            Client::new(node_url(node, home)),
            "{ configuration history: paramHistory { seq height proposalId path value } }".to_string(),
            json!({}),
            "",
        ),
        QueryCommand::Rewards { address, home, node } => (
            Client::new(node_url(node, home)),
            "query($a: String!) { rewards(address: $a) { address total height byValidator { validator amount } } validators { address commissionBps pendingCommissionBps pendingCommissionFrom } }".to_string(),
            json!({ "a": address }),
            "",
        ),
        QueryCommand::Roles { address, home, node } => (
            Client::new(node_url(node, home)),
            "query($a: String!) { roles(address: $a) { address roles permissioned deniedKinds { kind role } height } }"
                .to_string(),
            json!({ "a": address }),
            "roles",
        ),
        QueryCommand::PrivateRecord { data_hash, home, node } => (
            Client::new(node_url(node, home)),
            "query($h: String!) { privateRecord(dataHash: $h) { dataHash sender recipients bytes height auditor heldHere outgoingHere } }"
                .to_string(),
            json!({ "h": data_hash }),
            "privateRecord",
        ),
        QueryCommand::Did { id, home, node } => (
            Client::new(node_url(node, home)),
            "query($i: String!) { did(id: $i) { did document deactivated implicit createdHeight updatedHeight delegations { delegate kinds expiresHeight spendLimit spent } } }"
                .to_string(),
            json!({ "i": id }),
            "did",
        ),
        // Answered above.
        QueryCommand::Inbox { .. } => unreachable!("the inbox is read by inbox"),
        QueryCommand::PrivateData { .. } => unreachable!("private-data is read by private_data"),
        QueryCommand::Chain { home, node } => (
            Client::new(node_url(node, home)),
            "{ chain { id height genesisHash nativeDenom minFee maxTxBytes mempoolSize } }".to_string(),
            json!({}),
            "chain",
        ),
    };
    let answer = client.query(&query, variables).await.map_err(|e| match e {
        ClientError::Api { code, message } => anyhow::anyhow!("{message} [{code}]"),
        other => other.into(),
    })?;
    // An empty field name: the whole answer.
    let value = if field.is_empty() { answer } else { answer.get(field).cloned().unwrap_or(Value::Null) };
    if value.is_null() {
        bail!("not found: no {field} matches {command:?}", command = describe(&command));
    }
    emit(json, &value);
    Ok(())
}

fn describe(command: &QueryCommand) -> String {
    match command {
        QueryCommand::Block { id, .. } => id.clone(),
        QueryCommand::Tx { hash, .. } => hash.clone(),
        QueryCommand::Account { address, .. } => address.clone(),
        QueryCommand::State { key, .. } => key.clone(),
        QueryCommand::Contract { address, .. } => address.clone(),
        QueryCommand::ContractTemplates { .. } => "contract templates".into(),
        QueryCommand::Proposals { from, .. } => format!("proposals from {from}"),
        QueryCommand::Configuration { .. } => "configuration".into(),
        QueryCommand::Rewards { address, .. } => format!("rewards of {address}"),
        QueryCommand::Roles { address, .. } => format!("roles of {address}"),
        QueryCommand::PrivateRecord { data_hash, .. } | QueryCommand::PrivateData { data_hash, .. } => {
            format!("private record {data_hash}")
        }
        QueryCommand::Did { id, .. } => format!("DID document of {id}"),
        QueryCommand::Inbox { address, .. } => format!("inbox of {address}"),
        QueryCommand::Chain { .. } => "chain".into(),
    }
}

/// `hub query inbox`: the messages, sealed ones opened with `open_with`.
async fn inbox(
    address: &str,
    from: u64,
    open_with: Option<&str>,
    home: &HomeArg,
    node: &NodeArg,
    passphrase: &crate::args::PassphraseArg,
    json: bool,
) -> anyhow::Result<()> {
    use base64::Engine;
    let key = open_with.map(|k| crate::args::load_key(k, home, passphrase)).transpose()?;
    let client = Client::new(node_url(node, home));
    let answer = client
        .query(
            "query($a: String!, $f: Int!) { inbox(address: $a, from: $f) { seq from height bodyBase64 encrypted } }",
            json!({ "a": address, "f": from }),
        )
        .await?;
    let mut out = Vec::new();
    for message in answer["inbox"].as_array().cloned().unwrap_or_default() {
        let body =
            base64::engine::general_purpose::STANDARD.decode(message["bodyBase64"].as_str().unwrap_or_default())?;
        let encrypted = message["encrypted"] == true;
        let text = match (&key, encrypted) {
            (Some(key), true) => match tributary_crypto::seal::open(key, &body) {
                Ok(plain) => Some(String::from_utf8_lossy(&plain).into_owned()),
                Err(e) => Some(format!("<{e}>")),
            },
            (None, true) => None,
            (_, false) => Some(String::from_utf8_lossy(&body).into_owned()),
        };
        out.push(json!({
            "seq": message["seq"], "from": message["from"], "height": message["height"], "encrypted": encrypted, "text": text,
        }));
    }
    if json {
        emit(true, &Value::Array(out));
    } else {
        for m in &out {
            let text = m["text"].as_str().unwrap_or("<sealed: pass --open-with KEY>");
            println!("#{} from {} at {}: {text}", m["seq"], m["from"].as_str().unwrap_or("?"), m["height"]);
        }
    }
    Ok(())
}

/// How long a read request `hub query private-data` signs stays valid.
const PRIVATE_READ_VALIDITY_MS: u64 = 60_000;

/// `hub query private-data`: sign a short-lived read request and print (or
/// write) the payload the node gives back.
async fn private_data(
    data_hash: &str,
    from: &str,
    out: Option<&std::path::Path>,
    home: &HomeArg,
    node: &NodeArg,
    passphrase: &crate::args::PassphraseArg,
    json: bool,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use base64::Engine;
    use tributary_types::private::PrivateReadRequest;
    let key = crate::args::load_key(from, home, passphrase)?;
    let hash = tributary_types::Hash(
        hex::decode(data_hash.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .context("DATA_HASH must be 64 hex characters")?,
    );
    let expires_ms = tributary_node::clock::now_ms().saturating_add(PRIVATE_READ_VALIDITY_MS);
    let reader = key.public_key();
    let signature = key.sign(&PrivateReadRequest::sign_bytes(&hash, &reader, expires_ms));
    let client = Client::new(node_url(node, home));
    let answer = client
        .query(
            "query($h: String!, $k: String!, $e: Int!, $s: String!) { privateData(dataHash: $h, readerKeyHex: $k, \
             expiresMs: $e, signatureHex: $s) { dataHash dataBase64 saltHex } }",
            json!({ "h": hash.to_hex(), "k": hex::encode(reader.0), "e": expires_ms, "s": hex::encode(signature.0) }),
        )
        .await
        .map_err(|e| match e {
            ClientError::Api { code, message } => anyhow::anyhow!("{message} [{code}]"),
            other => other.into(),
        })?;
    let view = &answer["privateData"];
    let data = base64::engine::general_purpose::STANDARD
        .decode(view["dataBase64"].as_str().unwrap_or_default())
        .context("the node sent data that is not base64")?;
    // Check what the node sent against the chain's hash: a node cannot
    // hand over something else.
    let salt: [u8; 32] = hex::decode(view["saltHex"].as_str().unwrap_or_default())
        .ok()
        .and_then(|b| b.try_into().ok())
        .context("the node sent no salt")?;
    if tributary_types::private::private_data_hash(&salt, &data) != hash {
        bail!("the node's payload does not hash to {data_hash}: it is not the committed one");
    }
    match out {
        Some(path) => {
            std::fs::write(path, &data).with_context(|| format!("cannot write {}", path.display()))?;
            emit(json, &json!({ "dataHash": hash.to_hex(), "bytes": data.len(), "out": path.display().to_string() }));
        }
        None if json => emit(true, view),
        None => println!("{}", String::from_utf8_lossy(&data)),
    }
    Ok(())
}
