//! `hub tx`: sign a transaction with a keyring key, estimate its fee, send
//! it and wait for its receipt.

use crate::args::{load_key, node_url, HomeArg, NodeArg, PassphraseArg};
use crate::output::emit;
use crate::query::TX_FIELDS;
use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::time::Duration;
use tributary_client::{Client, SendError};
use tributary_types::{Denom, SignDoc, TxBody};

#[derive(Subcommand, Debug)]
pub enum TxCommand {
    /// Send tokens to an address on the same chain.
    Transfer {
        /// Recipient address (trib1…).
        #[arg(long)]
        to: String,
        /// Amount in the smallest unit.
        #[arg(long)]
        amount: u128,
        /// Denomination (default: the chain's native one).
        #[arg(long)]
        denom: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Make the --from key a validator: bond SELF_BOND native tokens as its
    /// self-bond and publish its VRF key (derived from the same key file).
    /// It joins the active set at the next epoch boundary.
    RegisterValidator {
        #[arg(long)]
        self_bond: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Delegate native tokens to a validator (or add to your own self-bond).
    Bond {
        /// The validator's address (trib1…).
        #[arg(long)]
        validator: String,
        #[arg(long)]
        amount: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Start unbonding from a validator; the tokens return after the unbonding period.
    Unbond {
        #[arg(long)]
        validator: String,
        #[arg(long)]
        amount: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Take your validator (--from) out of jail once its jail period is over
    /// and its self-bond is back at the minimum; it re-enters the set at the
    /// next epoch. A double signer stays jailed for good.
    Unjail {
        #[command(flatten)]
        common: TxArgs,
    },
    /// Issue an asset (chains with the assets module): its denom is `asset/SYMBOL` in lowercase.
    IssueAsset {
        /// 2 to 12 characters of A-Z and 0-9.
        #[arg(long)]
        symbol: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value_t = 0)]
        decimals: u8,
        /// Whole supply in base units, credited to --from.
        #[arg(long)]
        supply: u128,
        #[arg(long, default_value = "")]
        metadata: String,
        /// Let the issuer freeze accounts' holdings of it.
        #[arg(long)]
        freezable: bool,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Create a poll (chains with the polls module).
    CreatePoll {
        #[arg(long)]
        question: String,
        /// An option (repeat: 2 to 16).
        #[arg(long = "option", required = true)]
        options: Vec<String>,
        /// Last height that counts votes.
        #[arg(long)]
        deadline_height: u64,
        /// Weigh votes by this denom's balance instead of one per account.
        #[arg(long)]
        weight_denom: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Vote in a poll (0-based option).
    Vote {
        #[arg(long)]
        poll: u64,
        #[arg(long)]
        option: u32,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Leave a message in an account's inbox (chains with the messages module).
    SendMessage {
        #[arg(long)]
        to: String,
        #[arg(long)]
        text: String,
        /// Seal it so only the recipient reads it: to the `owner` key of its
        /// DID document on this chain, or to --to-key.
        #[arg(long)]
        encrypt: bool,
        /// The recipient's ed25519 public key (hex), for --encrypt when it
        /// has no DID document.
        #[arg(long, requires = "encrypt")]
        to_key: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Contracts: upload code, instantiate, execute, migrate, freeze
    /// (chains with the contracts module). Messages are the contract's own
    /// borsh bytes, in hex.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Governance (chains with the gov module): submit a proposal, add to
    /// its deposit, vote. `hub query proposals` and `hub query
    /// configuration` show what is open and what can be changed.
    #[command(subcommand)]
    Gov(GovCommand),
    /// Incentives (chains with the rewards module): claim what your
    /// delegation (or your validator) earned, set your validator's
    /// commission. `hub query rewards ADDRESS` shows what is claimable.
    #[command(subcommand)]
    Rewards(RewardsCommand),
    /// Access control (chains with the access module): as an admin, grant
    /// or revoke a role. `hub query roles ADDRESS` shows what an account
    /// holds; `hub query configuration` shows which kinds need which role.
    #[command(subcommand)]
    Role(RoleCommand),
    /// Private data (chains with the private module): name the node that
    /// holds your private data, or commit a payload on chain by its hash
    /// while the plaintext goes only to the recipients' (and the auditor's)
    /// nodes. `hub query private-data` reads it back.
    #[command(subcommand)]
    Private(PrivateCommand),
    /// Decentralized identity (chains with the identity module): make and
    /// change your DID document (did:trib:<chain>:<address>), and let other
    /// accounts act for you (--act-for on any `hub tx` command).
    /// `hub query did ADDRESS` resolves it.
    #[command(subcommand)]
    Did(DidCommand),
    /// Pay a child chain's committee in the hub's token (on the hub): add
    /// AMOUNT to its pool; as its owner, --per-anchor sets what each
    /// anchored header pays the committers who signed it (shared equally).
    FundChild {
        /// The child chain's id.
        #[arg(long)]
        chain: String,
        #[arg(long, default_value_t = 0)]
        amount: u128,
        #[arg(long)]
        per_anchor: Option<u128>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Send tokens to an address on another chain over an open transfer
    /// channel (found by the chain it leads to); a relayer carries it. The
    /// tokens are escrowed (or, for vouchers going home, burned) until the
    /// other chain acknowledges; an error or a timeout refunds them.
    TransferXchain {
        /// The destination chain's id (a transfer channel to it must be open).
        #[arg(long)]
        to_chain: String,
        /// Recipient address on the destination chain.
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: u128,
        /// Denomination (default: the chain's native one).
        #[arg(long)]
        denom: Option<String>,
        /// Use this channel instead of looking one up by --to-chain.
        #[arg(long)]
        channel: Option<String>,
        /// The transfer times out if not received within this many seconds (destination time).
        #[arg(long, default_value_t = 600)]
        packet_timeout_secs: u64,
        #[arg(long, default_value = "")]
        memo: String,
        #[command(flatten)]
        common: TxArgs,
    },
}

/// What every transaction command takes.
#[derive(Args, Debug)]
pub struct TxArgs {
    /// Key name in the home's keyring, or a path to a key file.
    #[arg(long)]
    pub from: String,
    /// Fee in the native denomination (default: what the chain estimates
    /// for this transaction: its gas, and a tenth more, priced; a
    /// transaction the estimate says would fail is then not sent).
    #[arg(long)]
    pub fee: Option<u128>,
    /// Print what the transaction would cost (gas and fee, from running it
    /// on the node's latest state) and whether it would succeed; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Nonce to use (default: the account's next, counting waiting transactions).
    #[arg(long)]
    pub nonce: Option<u64>,
    /// Return once the mempool accepts it, without waiting for the block.
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for the block.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    /// Send it for this identity (trib1…), which delegated the kind to
    /// --from (`hub tx did delegate`); --from signs and pays the fee.
    #[arg(long)]
    pub act_for: Option<String>,
    #[command(flatten)]
    pub home: HomeArg,
    #[command(flatten)]
    pub node: NodeArg,
    #[command(flatten)]
    pub passphrase: PassphraseArg,
}

/// Submit `tx`; optionally wait for its receipt. Fails if the body failed.
/// Sign one transaction of `command` with its --from key and send it.
pub async fn run(command: TxCommand, json: bool) -> anyhow::Result<()> {
    let common = match &command {
        TxCommand::Transfer { common, .. }
        | TxCommand::RegisterValidator { common, .. }
        | TxCommand::Bond { common, .. }
        | TxCommand::Unbond { common, .. }
        | TxCommand::Unjail { common }
        | TxCommand::IssueAsset { common, .. }
        | TxCommand::CreatePoll { common, .. }
        | TxCommand::Vote { common, .. }
        | TxCommand::SendMessage { common, .. }
        | TxCommand::FundChild { common, .. }
        | TxCommand::TransferXchain { common, .. } => common,
        TxCommand::Contract(contract) => contract.common(),
        TxCommand::Gov(gov) => gov.common(),
        TxCommand::Rewards(rewards) => rewards.common(),
        TxCommand::Role(role) => role.common(),
        TxCommand::Private(private) => private.common(),
        TxCommand::Did(did) => did.common(),
    };
    let key = load_key(&common.from, &common.home, &common.passphrase)?;
    let client = Client::new(node_url(&common.node, &common.home));
    let native = client.chain_info().await?.native_denom;
    let signer = tributary_client::Signer::borrowing(client.clone(), &key).with_fee(common.fee);
    let body = match &command {
        TxCommand::Transfer { to, amount, denom, .. } => {
            TxBody::Transfer { to: to.parse()?, denom: Denom::new(denom.clone().unwrap_or(native))?, amount: *amount }
        }
        TxCommand::RegisterValidator { self_bond, .. } => TxBody::RegisterValidator {
            vrf_public_key: tributary_node::chain::vrf_secret_for(&key)?.public_key().0,
            self_bond: *self_bond,
        },
        TxCommand::Bond { validator, amount, .. } => TxBody::Bond { validator: validator.parse()?, amount: *amount },
        TxCommand::Unbond { validator, amount, .. } => {
            TxBody::Unbond { validator: validator.parse()?, amount: *amount }
        }
        TxCommand::Unjail { .. } => TxBody::Unjail,
        TxCommand::IssueAsset { symbol, name, decimals, supply, metadata, freezable, .. } => TxBody::IssueAsset {
            symbol: symbol.clone(),
            name: name.clone(),
            decimals: *decimals,
            supply: *supply,
            metadata: metadata.clone(),
            freezable: *freezable,
        },
        TxCommand::CreatePoll { question, options, deadline_height, weight_denom, .. } => TxBody::CreatePoll {
            question: question.clone(),
            options: options.clone(),
            deadline_height: *deadline_height,
            weight: match weight_denom {
                Some(denom) => tributary_types::PollWeight::ByBalance { denom: Denom::new(denom.clone())? },
                None => tributary_types::PollWeight::OnePerAccount,
            },
        },
        TxCommand::Vote { poll, option, .. } => TxBody::CastVote { poll_id: *poll, option: *option },
        TxCommand::FundChild { chain, amount, per_anchor, .. } => TxBody::FundChildChain {
            chain_id: tributary_types::ChainId::new(chain)
                .with_context(|| format!("--chain {chain:?} is not a chain id"))?,
            amount: *amount,
            per_anchor: *per_anchor,
        },
        TxCommand::Contract(contract) => contract.body()?,
        TxCommand::Gov(gov) => gov.body()?,
        TxCommand::Rewards(rewards) => rewards.body()?,
        TxCommand::Role(role) => role.body()?,
        TxCommand::Private(private) => private.body(&client).await?,
        TxCommand::Did(did) => did.body(&key)?,
        TxCommand::SendMessage { to, text, encrypt: false, .. } => {
            TxBody::SendMessage { to: to.parse()?, body: text.as_bytes().to_vec(), encrypted: false }
        }
        TxCommand::SendMessage { to, text, encrypt: true, to_key, .. } => {
            let recipient = recipient_key(&client, to, to_key.as_deref()).await?;
            let body = tributary_crypto::seal::seal(&recipient, text.as_bytes())?;
            TxBody::SendMessage { to: to.parse()?, body, encrypted: true }
        }
        TxCommand::TransferXchain { to_chain, to, amount, denom, channel, packet_timeout_secs, memo, .. } => {
            let channel = match channel {
                Some(channel) => channel.clone(),
                None => channel_to(&client, to_chain).await?,
            };
            TxBody::TransferXChain {
                channel,
                receiver: to.clone(),
                denom: Denom::new(denom.clone().unwrap_or(native))?,
                amount: *amount,
                timeout_height: 0,
                timeout_time_ms: tributary_node::clock::now_ms()
                    .saturating_add(packet_timeout_secs.saturating_mul(1_000)),
                memo: memo.clone(),
            }
        }
    };
    let body = match &common.act_for {
        Some(identity) => TxBody::ActFor {
            identity: identity.parse().with_context(|| format!("--act-for {identity:?} is not an address"))?,
            body: tributary_types::DelegatedBody(Box::new(body)),
        },
        None => body,
    };
    let mut doc = signer.doc(body, common.nonce).await?;
    if common.dry_run {
        return dry_run(&client, &doc, json).await;
    }
    // Without --fee the chain estimates it, and a body the estimate says
    // would fail is not sent: a failed transaction still pays its fee.
    doc.fee = match common.fee {
        Some(fee) => fee,
        None => {
            let estimate = client.estimate(&doc).await?;
            if !estimate.success {
                bail!(
                    "the transaction would fail: {}; nothing was sent. Fix it, or pass --fee to send it anyway (a failed \
                     transaction pays its fee)",
                    estimate.error.unwrap_or_else(|| "no reason given".into())
                );
            }
            estimate.suggested_fee
        }
    };
    let tx = key.sign_tx(doc);
    if let TxCommand::Private(private @ PrivateCommand::Send { .. }) = &command {
        let (salt, data) = private.payload()?;
        return private_submit(&client, &tx, salt, &data, common, json).await;
    }
    submit_and_wait(&client, &tx, !common.no_wait, Duration::from_secs(common.timeout_secs), json).await?;
    Ok(())
}

/// Hand a signed `PutPrivate` and its payload to the node (`submitPrivate`)
/// and wait for the record to commit.
async fn private_submit(
    client: &Client,
    tx: &tributary_types::Tx,
    salt: [u8; 32],
    data: &[u8],
    common: &TxArgs,
    json: bool,
) -> anyhow::Result<()> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let answer = client
        .query(
            "mutation($tx: String!, $salt: String!, $data: String!) { submitPrivate(txBase64: $tx, saltHex: $salt, \
             dataBase64: $data) { hash dataHash } }",
            json!({ "tx": b64.encode(borsh::to_vec(tx)?), "salt": hex::encode(salt), "data": b64.encode(data) }),
        )
        .await?;
    let submitted = &answer["submitPrivate"];
    let hash = submitted["hash"].as_str().context("the node named no transaction hash")?.to_string();
    let data_hash = submitted["dataHash"].as_str().unwrap_or_default().to_string();
    if !common.no_wait {
        client.wait_included(&hash, Duration::from_secs(common.timeout_secs)).await?;
    }
    if json {
        emit(true, &json!({ "hash": hash, "dataHash": data_hash, "bytes": data.len() }));
    } else {
        println!("committed private record {data_hash} ({} bytes) in transaction {hash}", data.len());
        println!(
            "the node hands the payload to the recipients' nodes; read it with `hub query private-data {data_hash}`"
        );
    }
    Ok(())
}

/// The ed25519 key to seal a message to `to` with: `--to-key`, or the
/// `owner` key of `to`'s DID document, which must hash to `to`.
async fn recipient_key(client: &Client, to: &str, to_key: Option<&str>) -> anyhow::Result<tributary_types::PublicKey> {
    use base64::Engine;
    let key = match to_key {
        Some(text) => {
            hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).context("--to-key must be 32 bytes of hex")?
        }
        None => {
            let answer = client.query("query($a: String!) { did(id: $a) { document } }", json!({ "a": to })).await?;
            let methods = answer["did"]["document"]["verificationMethod"].as_array().cloned().unwrap_or_default();
            let owner =
                methods.iter().find(|m| m["id"].as_str().is_some_and(|id| id.ends_with("#owner"))).with_context(
                    || format!("{to} has no DID document on this chain to seal to; pass its key with --to-key"),
                )?;
            let x = owner["publicKeyJwk"]["x"].as_str().context("the owner key has no publicKeyJwk.x")?;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(x)
                .ok()
                .and_then(|b| b.try_into().ok())
                .context("the owner key is not 32 bytes")?
        }
    };
    let key = tributary_types::PublicKey(key);
    if key.address().to_string() != to {
        bail!("that key belongs to {}, not to {to}: a message sealed to it could not be read by {to}", key.address());
    }
    Ok(key)
}

/// `--dry-run`: what `doc` would cost and do on the node's latest state.
async fn dry_run(client: &Client, doc: &SignDoc, json: bool) -> anyhow::Result<()> {
    let estimate = client.estimate(doc).await?;
    if json {
        emit(
            true,
            &json!({
                "gasUsed": estimate.gas_used,
                "intrinsicGas": estimate.intrinsic_gas,
                "fee": estimate.fee.to_string(),
                "suggestedFee": estimate.suggested_fee.to_string(),
                "success": estimate.success,
                "error": estimate.error,
            }),
        );
        return Ok(());
    }
    println!("gas used        {} (intrinsic {})", estimate.gas_used, estimate.intrinsic_gas);
    println!("least fee       {}", estimate.fee);
    println!("suggested fee   {} (pass --fee, or leave it out to pay this)", estimate.suggested_fee);
    match &estimate.error {
        Some(error) => println!("would fail      {error}"),
        None => println!("would succeed   yes"),
    }
    Ok(())
}

/// The open transfer channel on the node's chain whose client tracks `chain`.
async fn channel_to(client: &Client, chain: &str) -> anyhow::Result<String> {
    let answer = client
        .query("{ ibcClients { clientId chainId } ibcChannels { port channelId state clientId } }", json!({}))
        .await?;
    let clients: Vec<&str> = answer["ibcClients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["chainId"] == chain)
        .filter_map(|c| c["clientId"].as_str())
        .collect();
    answer["ibcChannels"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["port"] == "transfer" && c["state"] == "open" && clients.contains(&c["clientId"].as_str().unwrap_or("")))
        .and_then(|c| c["channelId"].as_str().map(str::to_string))
        .with_context(|| {
            format!("no open transfer channel to {chain} on this chain; open one with `relayer channel create`, or pass --channel")
        })
}

/// Submit `tx`; with `wait`, wait for its block and print it as `hub query
/// tx` does. Fails if it is not included in time, or if its body failed.
async fn submit_and_wait(
    client: &Client,
    tx: &tributary_types::Tx,
    wait: bool,
    timeout: Duration,
    json: bool,
) -> anyhow::Result<String> {
    let hash = client.submit(tx).await?;
    if !wait {
        emit(json, &json!({ "hash": hash, "status": "submitted" }));
        return Ok(hash);
    }
    let outcome = client.wait_included(&hash, timeout).await;
    if matches!(outcome, Ok(_) | Err(SendError::Failed { .. })) {
        let query = format!("query($h: String!) {{ tx(hash: $h) {{ {TX_FIELDS} }} }}");
        let answer = client.query(&query, json!({ "h": hash })).await?;
        emit(json, answer.get("tx").unwrap_or(&Value::Null));
    }
    outcome?;
    Ok(hash)
}

/// `hub tx gov …`.
#[derive(Subcommand, Debug)]
pub enum GovCommand {
    /// Open a proposal with a first deposit (it takes votes once deposits
    /// reach the chain's gov.min_deposit). Give one action: --set (repeat
    /// it for several parameters), --spend-to with --spend-amount, --upgrade
    /// with --upgrade-height, --recover-client with --substitute,
    /// --register-feed with --feed-admin, --grant-role or --revoke-role with
    /// --role-address, --upload-access, --code-access with --instantiate,
    /// --shutdown-child, or none for a text proposal.
    Submit {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        summary: String,
        /// Native base units escrowed with it: at least a tenth of the chain's
        /// gov.min_deposit; returned unless the proposal is vetoed or never
        /// reaches gov.min_deposit (then burned).
        #[arg(long)]
        deposit: u128,
        /// A parameter change, PATH=JSON, e.g. params.min_fee='"50"' or
        /// gov.voting_period_blocks=200 (`hub query configuration` lists the paths).
        #[arg(long = "set", value_name = "PATH=JSON")]
        set: Vec<String>,
        /// Pay from the treasury to this address.
        #[arg(long, requires = "spend_amount", conflicts_with_all = ["set", "upgrade"])]
        spend_to: Option<String>,
        #[arg(long, requires = "spend_to")]
        spend_amount: Option<u128>,
        /// Schedule software NAME at --upgrade-height.
        #[arg(long, requires = "upgrade_height", conflicts_with = "set")]
        upgrade: Option<String>,
        #[arg(long, requires = "upgrade")]
        upgrade_height: Option<u64>,
        #[arg(long, default_value = "")]
        upgrade_info: String,
        /// Recover this frozen or expired IBC client (`hub query ibc`) from
        /// --substitute, a healthy client of the same chain.
        #[arg(long, requires = "substitute", conflicts_with_all = ["set", "upgrade", "spend_to"])]
        recover_client: Option<String>,
        #[arg(long, requires = "recover_client")]
        substitute: Option<String>,
        /// Register the oracle feed this JSON file describes (`feed_id`,
        /// `description`, `kind`, `feeders` as hex public keys, `threshold`,
        /// `round_ms`), administered by --feed-admin.
        #[arg(long, requires = "feed_admin", conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client"])]
        register_feed: Option<std::path::PathBuf>,
        #[arg(long, requires = "register_feed")]
        feed_admin: Option<String>,
        /// Give --role-address this role (`admin` included: only governance
        /// grants it).
        #[arg(
            long,
            requires = "role_address",
            conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client", "register_feed", "revoke_role"]
        )]
        grant_role: Option<String>,
        /// Take this role from --role-address.
        #[arg(
            long,
            requires = "role_address",
            conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client", "register_feed"]
        )]
        revoke_role: Option<String>,
        #[arg(long)]
        role_address: Option<String>,
        /// Set who may upload contract code: `everybody`, `governance`, or
        /// addresses separated by commas.
        #[arg(long, conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client", "register_feed", "grant_role", "revoke_role"])]
        upload_access: Option<String>,
        /// Set who may instantiate this stored code (hex hash) to
        /// --instantiate; its uploader can no longer change it.
        #[arg(
            long,
            requires = "instantiate",
            conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client", "register_feed", "grant_role", "revoke_role", "upload_access"]
        )]
        code_access: Option<String>,
        #[arg(long, requires = "code_access")]
        instantiate: Option<String>,
        /// Shut this child chain down (on a hub): no more committees, anchors
        /// or endpoints; its nodes stop; its deposit goes back to its owner.
        #[arg(
            long,
            conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client", "register_feed", "grant_role", "revoke_role", "upload_access", "code_access"]
        )]
        shutdown_child: Option<String>,
        /// Approve this child chain (on a hub whose registry.approval_required
        /// is on): its committee starts serving it.
        #[arg(
            long,
            conflicts_with_all = ["set", "upgrade", "spend_to", "recover_client", "register_feed", "grant_role", "revoke_role", "upload_access", "code_access", "shutdown_child"]
        )]
        approve_child: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Add to the deposit of a proposal still gathering deposits.
    Deposit {
        #[arg(long)]
        proposal: u64,
        #[arg(long)]
        amount: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Vote on a proposal, once: yes, no, abstain or no-with-veto.
    Vote {
        #[arg(long)]
        proposal: u64,
        #[arg(long, value_parser = ["yes", "no", "abstain", "no-with-veto"])]
        option: String,
        #[command(flatten)]
        common: TxArgs,
    },
}

impl GovCommand {
    fn common(&self) -> &TxArgs {
        match self {
            GovCommand::Submit { common, .. }
            | GovCommand::Deposit { common, .. }
            | GovCommand::Vote { common, .. } => common,
        }
    }

    fn body(&self) -> anyhow::Result<TxBody> {
        use tributary_types::governance::{ParamChange, ProposalAction, VoteOption};
        Ok(match self {
            GovCommand::Submit {
                title,
                summary,
                deposit,
                set,
                spend_to,
                spend_amount,
                upgrade,
                upgrade_height,
                upgrade_info,
                recover_client,
                substitute,
                register_feed,
                feed_admin,
                grant_role,
                revoke_role,
                role_address,
                upload_access,
                code_access,
                instantiate,
                shutdown_child,
                approve_child,
                ..
            } => {
                let role_address = || -> anyhow::Result<tributary_types::Address> {
                    let text = role_address.as_deref().context("--role-address is required with a role")?;
                    text.parse().with_context(|| format!("--role-address {text:?} is not an address"))
                };
                let action = if let Some(chain) = approve_child {
                    ProposalAction::ApproveChildChain {
                        chain_id: tributary_types::ChainId::new(chain)
                            .with_context(|| format!("--approve-child {chain:?} is not a chain id"))?,
                    }
                } else if let Some(chain) = shutdown_child {
                    ProposalAction::ShutdownChildChain {
                        chain_id: tributary_types::ChainId::new(chain)
                            .with_context(|| format!("--shutdown-child {chain:?} is not a chain id"))?,
                    }
                } else if let Some(rule) = upload_access {
                    ProposalAction::SetUploadAccess { rule: parse_access(rule)? }
                } else if let (Some(code), Some(rule)) = (code_access, instantiate) {
                    ProposalAction::SetCodeAccess { code_hash: code_hash(code)?, instantiate: parse_access(rule)? }
                } else if let Some(role) = grant_role {
                    ProposalAction::GrantRole { role: role.clone(), address: role_address()? }
                } else if let Some(role) = revoke_role {
                    ProposalAction::RevokeRole { role: role.clone(), address: role_address()? }
                } else if let (Some(file), Some(admin)) = (register_feed, feed_admin) {
                    let text = std::fs::read_to_string(file)
                        .with_context(|| format!("cannot read the feed file {}", file.display()))?;
                    let feed = serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a feed configuration", file.display()))?;
                    ProposalAction::RegisterFeed {
                        feed,
                        admin: admin.parse().with_context(|| format!("--feed-admin {admin:?} is not an address"))?,
                    }
                } else if let (Some(client), Some(substitute)) = (recover_client, substitute) {
                    ProposalAction::RecoverClient {
                        client_id: client.clone(),
                        substitute_client_id: substitute.clone(),
                    }
                } else if let (Some(to), Some(amount)) = (spend_to, spend_amount) {
                    ProposalAction::TreasurySpend { to: to.parse()?, amount: *amount }
                } else if let (Some(name), Some(height)) = (upgrade, upgrade_height) {
                    ProposalAction::SoftwareUpgrade { name: name.clone(), height: *height, info: upgrade_info.clone() }
                } else if !set.is_empty() {
                    let mut changes = Vec::with_capacity(set.len());
                    for item in set {
                        let (path, value) = item.split_once('=').with_context(|| {
                            format!("--set {item:?} is not PATH=JSON, e.g. params.min_fee='\"50\"'")
                        })?;
                        serde_json::from_str::<Value>(value).with_context(|| {
                            format!("--set {path}: {value:?} is not JSON (a string needs its quotes: '\"50\"')")
                        })?;
                        changes.push(ParamChange { path: path.into(), value: value.into() });
                    }
                    ProposalAction::ChangeParams { changes }
                } else {
                    ProposalAction::Text
                };
                TxBody::SubmitProposal { title: title.clone(), summary: summary.clone(), action, deposit: *deposit }
            }
            GovCommand::Deposit { proposal, amount, .. } => {
                TxBody::DepositProposal { proposal_id: *proposal, amount: *amount }
            }
            GovCommand::Vote { proposal, option, .. } => TxBody::VoteProposal {
                proposal_id: *proposal,
                option: match option.as_str() {
                    "yes" => VoteOption::Yes,
                    "no" => VoteOption::No,
                    "abstain" => VoteOption::Abstain,
                    _ => VoteOption::NoWithVeto,
                },
            },
        })
    }
}

/// `hub tx rewards …`.
#[derive(Subcommand, Debug)]
pub enum RewardsCommand {
    /// Take what you earned with one validator: your delegation's rewards,
    /// and, from your own validator, its commission and self-bond's share.
    Claim {
        /// The validator's address (trib1…).
        #[arg(long)]
        validator: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Set your validator's commission, in basis points (100 = 1 %). A cut
    /// applies at once; a raise is bounded by rewards.max_commission_change_bps
    /// and applies rewards.commission_delay_blocks later.
    Commission {
        #[arg(long)]
        rate_bps: u16,
        #[command(flatten)]
        common: TxArgs,
    },
}

impl RewardsCommand {
    fn common(&self) -> &TxArgs {
        match self {
            RewardsCommand::Claim { common, .. } | RewardsCommand::Commission { common, .. } => common,
        }
    }

    fn body(&self) -> anyhow::Result<TxBody> {
        Ok(match self {
            RewardsCommand::Claim { validator, .. } => TxBody::ClaimRewards {
                validator: validator.parse().with_context(|| format!("--validator {validator:?} is not an address"))?,
            },
            RewardsCommand::Commission { rate_bps, .. } => TxBody::SetCommission { rate_bps: *rate_bps },
        })
    }
}

/// `hub tx role …`.
#[derive(Subcommand, Debug)]
pub enum RoleCommand {
    /// Give an account a role (you hold `admin`; `admin` itself is granted
    /// only by governance: `hub tx gov submit --grant-role`).
    Grant {
        /// The role, e.g. member (a-z, 0-9, '_' and '-').
        #[arg(long)]
        role: String,
        /// The account (trib1…).
        #[arg(long)]
        address: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Take a role from an account, on the same terms.
    Revoke {
        #[arg(long)]
        role: String,
        #[arg(long)]
        address: String,
        #[command(flatten)]
        common: TxArgs,
    },
}

impl RoleCommand {
    fn common(&self) -> &TxArgs {
        match self {
            RoleCommand::Grant { common, .. } | RoleCommand::Revoke { common, .. } => common,
        }
    }

    fn body(&self) -> anyhow::Result<TxBody> {
        let parse = |text: &str| -> anyhow::Result<tributary_types::Address> {
            text.parse().with_context(|| format!("--address {text:?} is not an address"))
        };
        Ok(match self {
            RoleCommand::Grant { role, address, .. } => {
                TxBody::GrantRole { role: role.clone(), address: parse(address)? }
            }
            RoleCommand::Revoke { role, address, .. } => {
                TxBody::RevokeRole { role: role.clone(), address: parse(address)? }
            }
        })
    }
}

/// `hub tx private …`.
#[derive(Subcommand, Debug)]
pub enum PrivateCommand {
    /// Name the node that holds your private data: by its key, or the node
    /// this command talks to (--this-node); --clear to stop receiving any.
    Host {
        /// The node's key, hex (a node shows it as `privateNodeKey`).
        #[arg(long, conflicts_with_all = ["this_node", "clear"])]
        node_key: Option<String>,
        /// The node at --node (or the home's) is the host.
        #[arg(long, conflicts_with = "clear")]
        this_node: bool,
        /// Name no host.
        #[arg(long)]
        clear: bool,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Commit a payload by its salted hash; the node at --node (send to your
    /// own: it sees the plaintext) hands it to the recipients' and the
    /// auditor's nodes once committed.
    Send {
        /// Recipient addresses, comma-separated (each must have named a host).
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<String>,
        /// A file holding the payload (at most 256 KiB).
        #[arg(long, conflicts_with = "text")]
        file: Option<std::path::PathBuf>,
        /// The payload as text.
        #[arg(long)]
        text: Option<String>,
        /// The salt, hex (default: 32 random bytes; fixing it only makes
        /// the hash reproducible, and guessable payloads guessable).
        #[arg(long, hide = true)]
        salt: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
}

impl PrivateCommand {
    fn common(&self) -> &TxArgs {
        match self {
            PrivateCommand::Host { common, .. } | PrivateCommand::Send { common, .. } => common,
        }
    }

    /// The salt and the payload of `send` (the salt is drawn once).
    fn payload(&self) -> anyhow::Result<([u8; 32], Vec<u8>)> {
        let PrivateCommand::Send { file, text, salt, .. } = self else { bail!("not a private send") };
        let data = match (file, text) {
            (Some(path), _) => std::fs::read(path).with_context(|| format!("cannot read --file {}", path.display()))?,
            (None, Some(text)) => text.as_bytes().to_vec(),
            (None, None) => bail!("give the payload with --file PATH or --text TEXT"),
        };
        let max = tributary_types::private::PRIVATE_DATA_BYTES_MAX as usize;
        if data.is_empty() || data.len() > max {
            bail!("the payload is {} bytes; a private payload is 1 to {max} bytes", data.len());
        }
        let salt = match salt {
            Some(hex_salt) => {
                hex::decode(hex_salt).ok().and_then(|b| b.try_into().ok()).context("--salt must be 32 bytes of hex")?
            }
            None => *SALT.get_or_init(|| tributary_crypto::SigningKey::generate().secret_bytes()),
        };
        Ok((salt, data))
    }

    async fn body(&self, client: &Client) -> anyhow::Result<TxBody> {
        Ok(match self {
            PrivateCommand::Host { node_key, this_node, clear, .. } => {
                let key = if *clear {
                    None
                } else if *this_node {
                    let answer = client.query("{ privateNodeKey }", json!({})).await?;
                    Some(answer["privateNodeKey"].as_str().context("the node named no key")?.to_string())
                } else {
                    Some(node_key.clone().context("give --node-key HEX, --this-node or --clear")?)
                };
                let node_key = key
                    .map(|k| {
                        hex::decode(k.trim())
                            .ok()
                            .and_then(|b| b.try_into().ok())
                            .map(tributary_types::PublicKey)
                            .with_context(|| format!("node key {k:?} is not 32 bytes of hex"))
                    })
                    .transpose()?;
                TxBody::SetPrivateHost { node_key }
            }
            PrivateCommand::Send { to, .. } => {
                let recipients = to
                    .iter()
                    .map(|a| a.trim().parse().with_context(|| format!("--to {a:?} is not an address")))
                    .collect::<anyhow::Result<Vec<tributary_types::Address>>>()?;
                let (salt, data) = self.payload()?;
                TxBody::PutPrivate {
                    recipients,
                    data_hash: tributary_types::private::private_data_hash(&salt, &data),
                    bytes: data.len() as u32,
                }
            }
        })
    }
}

/// The salt `hub tx private send` draws, once per run: the body and the
/// submission must agree on it.
static SALT: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

/// `hub tx did …`: operations on a DID document. DID is the document's
/// address (default: --from's own).
#[derive(Subcommand, Debug)]
pub enum DidCommand {
    /// Make your DID document: your key as `owner`, you as controller.
    Create {
        /// A service endpoint ID=TYPE=URL (repeatable).
        #[arg(long = "service")]
        services: Vec<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Add a verification key ID with public key HEX.
    AddKey {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        id: String,
        #[arg(long)]
        public_key: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Replace the key ID's public key.
    RotateKey {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        id: String,
        #[arg(long)]
        public_key: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Remove the key ID: its holder may no longer change the document.
    RevokeKey {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        id: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Add or replace a service endpoint ID=TYPE=URL.
    SetService {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        service: String,
        #[command(flatten)]
        common: TxArgs,
    },
    RemoveService {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        id: String,
        #[command(flatten)]
        common: TxArgs,
    },
    AddController {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        controller: String,
        #[command(flatten)]
        common: TxArgs,
    },
    RemoveController {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        controller: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// End the document for good (its delegations end with it).
    Deactivate {
        #[arg(long)]
        did: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Let DELEGATE send the named kinds for the identity until a height,
    /// moving at most --spend-limit native tokens out of its account in all.
    Delegate {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        delegate: String,
        /// Transaction kinds, comma-separated (e.g. transfer,send_message).
        #[arg(long, value_delimiter = ',', required = true)]
        kinds: Vec<String>,
        #[arg(long)]
        expires_height: u64,
        #[arg(long, default_value_t = 0)]
        spend_limit: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    RevokeDelegation {
        #[arg(long)]
        did: Option<String>,
        #[arg(long)]
        delegate: String,
        #[command(flatten)]
        common: TxArgs,
    },
}

impl DidCommand {
    fn common(&self) -> &TxArgs {
        match self {
            DidCommand::Create { common, .. }
            | DidCommand::AddKey { common, .. }
            | DidCommand::RotateKey { common, .. }
            | DidCommand::RevokeKey { common, .. }
            | DidCommand::SetService { common, .. }
            | DidCommand::RemoveService { common, .. }
            | DidCommand::AddController { common, .. }
            | DidCommand::RemoveController { common, .. }
            | DidCommand::Deactivate { common, .. }
            | DidCommand::Delegate { common, .. }
            | DidCommand::RevokeDelegation { common, .. } => common,
        }
    }

    fn body(&self, key: &tributary_crypto::SigningKey) -> anyhow::Result<TxBody> {
        use tributary_types::identity::{DidOp, ServiceEndpoint, VerificationKey};
        let address = |what: &str, text: &str| -> anyhow::Result<tributary_types::Address> {
            // A DID or a bare address.
            match text.strip_prefix("did:") {
                Some(_) => Ok(tributary_types::identity::parse_did(text).map_err(anyhow::Error::msg)?.1),
                None => text.parse().with_context(|| format!("--{what} {text:?} is not an address or a did:trib DID")),
            }
        };
        let did = |given: &Option<String>| -> anyhow::Result<tributary_types::Address> {
            match given {
                Some(text) => address("did", text),
                None => Ok(key.public_key().address()),
            }
        };
        let public_key = |text: &str| -> anyhow::Result<tributary_types::PublicKey> {
            hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .map(tributary_types::PublicKey)
                .with_context(|| format!("--public-key {text:?} is not 32 bytes of hex"))
        };
        let service = |text: &str| -> anyhow::Result<ServiceEndpoint> {
            let mut parts = text.splitn(3, '=');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(id), Some(kind), Some(endpoint)) => {
                    Ok(ServiceEndpoint { id: id.into(), kind: kind.into(), endpoint: endpoint.into() })
                }
                _ => bail!("--service {text:?} must be ID=TYPE=URL"),
            }
        };
        let (did, op) = match self {
            DidCommand::Create { services, .. } => (
                key.public_key().address(),
                DidOp::Create {
                    keys: Vec::new(),
                    services: services.iter().map(|s| service(s)).collect::<anyhow::Result<_>>()?,
                },
            ),
            DidCommand::AddKey { did: d, id, public_key: k, .. } => {
                (did(d)?, DidOp::AddKey { key: VerificationKey { id: id.clone(), public_key: public_key(k)? } })
            }
            DidCommand::RotateKey { did: d, id, public_key: k, .. } => {
                (did(d)?, DidOp::RotateKey { id: id.clone(), public_key: public_key(k)? })
            }
            DidCommand::RevokeKey { did: d, id, .. } => (did(d)?, DidOp::RevokeKey { id: id.clone() }),
            DidCommand::SetService { did: d, service: s, .. } => (did(d)?, DidOp::SetService { service: service(s)? }),
            DidCommand::RemoveService { did: d, id, .. } => (did(d)?, DidOp::RemoveService { id: id.clone() }),
            DidCommand::AddController { did: d, controller, .. } => {
                (did(d)?, DidOp::AddController { controller: address("controller", controller)? })
            }
            DidCommand::RemoveController { did: d, controller, .. } => {
                (did(d)?, DidOp::RemoveController { controller: address("controller", controller)? })
            }
            DidCommand::Deactivate { did: d, .. } => (did(d)?, DidOp::Deactivate),
            DidCommand::Delegate { did: d, delegate, kinds, expires_height, spend_limit, .. } => (
                did(d)?,
                DidOp::Delegate {
                    delegate: address("delegate", delegate)?,
                    kinds: kinds.clone(),
                    expires_height: *expires_height,
                    spend_limit: *spend_limit,
                },
            ),
            DidCommand::RevokeDelegation { did: d, delegate, .. } => {
                (did(d)?, DidOp::RevokeDelegation { delegate: address("delegate", delegate)? })
            }
        };
        Ok(TxBody::Did { did, op })
    }
}

/// `hub tx contract …`.
#[derive(Subcommand, Debug)]
pub enum ContractCommand {
    /// Store WebAssembly code; prints its hash (what instantiate names).
    Upload {
        /// The .wasm file (e.g. contracts/out/counter.wasm after scripts/build-contracts.sh).
        #[arg(long)]
        file: std::path::PathBuf,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Make a contract of stored code (--code) or of a contract template (--template).
    Instantiate {
        /// The code's hash (hex).
        #[arg(long, required_unless_present = "template", conflicts_with = "template")]
        code: Option<String>,
        /// A contract template's name (`hub query contract templates` lists them).
        #[arg(long)]
        template: Option<String>,
        /// The template's version (default: its latest).
        #[arg(long, requires = "template")]
        version: Option<u32>,
        /// The instantiate message, hex (borsh, as the contract defines it).
        #[arg(long, default_value = "")]
        msg_hex: String,
        /// Coins to send it, e.g. 500utrib,20uacme.
        #[arg(long, default_value = "")]
        funds: String,
        /// Who may migrate and freeze it (default: nobody).
        #[arg(long)]
        admin: Option<String>,
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Run a contract's execute entry.
    Execute {
        #[arg(long)]
        contract: String,
        #[arg(long, default_value = "")]
        msg_hex: String,
        #[arg(long, default_value = "")]
        funds: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// The admin swaps a contract's code (the new code's migrate entry runs).
    Migrate {
        #[arg(long)]
        contract: String,
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "")]
        msg_hex: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// The admin stops a contract for good.
    Freeze {
        #[arg(long)]
        contract: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// The code's uploader says who may instantiate it.
    SetAccess {
        /// The code's hash (hex).
        #[arg(long)]
        code: String,
        /// `everybody`, `governance` (no account), or addresses separated by commas.
        #[arg(long)]
        instantiate: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// The code's uploader publishes it as a version of a named contract template.
    RegisterTemplate {
        /// 1 to 64 of a-z, 0-9, '-', '.' and '_'.
        #[arg(long)]
        name: String,
        /// Higher than every version of this name so far.
        #[arg(long)]
        version: u32,
        /// The code's hash (hex).
        #[arg(long)]
        code: String,
        #[arg(long, default_value = "")]
        description: String,
        #[command(flatten)]
        common: TxArgs,
    },
}

/// Most bytes `--file` reads (the chain refuses larger code anyway).
const CODE_FILE_BYTES_MAX: u64 = 4 * 1024 * 1024;

impl ContractCommand {
    fn common(&self) -> &TxArgs {
        match self {
            ContractCommand::Upload { common, .. }
            | ContractCommand::Instantiate { common, .. }
            | ContractCommand::Execute { common, .. }
            | ContractCommand::Migrate { common, .. }
            | ContractCommand::Freeze { common, .. }
            | ContractCommand::SetAccess { common, .. }
            | ContractCommand::RegisterTemplate { common, .. } => common,
        }
    }

    fn body(&self) -> anyhow::Result<TxBody> {
        Ok(match self {
            ContractCommand::Upload { file, .. } => {
                let len = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
                if len > CODE_FILE_BYTES_MAX {
                    bail!("{} is {len} bytes; contract code is at most {CODE_FILE_BYTES_MAX}", file.display());
                }
                TxBody::UploadCode { code: std::fs::read(file)? }
            }
            ContractCommand::Instantiate { code, template, version, msg_hex, funds, admin, label, .. } => {
                let msg = hex_arg("--msg-hex", msg_hex)?;
                let funds = parse_funds(funds)?;
                let admin = admin.as_deref().map(str::parse).transpose().context("--admin is not an address")?;
                match (code, template) {
                    (Some(code), _) => TxBody::InstantiateContract {
                        code_hash: code_hash(code)?,
                        msg,
                        funds,
                        admin,
                        label: label.clone(),
                    },
                    (None, Some(name)) => TxBody::InstantiateTemplate {
                        name: name.clone(),
                        version: *version,
                        msg,
                        funds,
                        admin,
                        label: label.clone(),
                    },
                    (None, None) => bail!("name the code with --code HASH, or a template with --template NAME"),
                }
            }
            ContractCommand::Execute { contract, msg_hex, funds, .. } => TxBody::ExecuteContract {
                contract: contract.parse().context("--contract is not an address")?,
                msg: hex_arg("--msg-hex", msg_hex)?,
                funds: parse_funds(funds)?,
            },
            ContractCommand::Migrate { contract, code, msg_hex, .. } => TxBody::MigrateContract {
                contract: contract.parse().context("--contract is not an address")?,
                code_hash: code.parse().with_context(|| format!("--code {code:?} is not a 64-hex-digit hash"))?,
                msg: hex_arg("--msg-hex", msg_hex)?,
            },
            ContractCommand::Freeze { contract, .. } => {
                TxBody::FreezeContract { contract: contract.parse().context("--contract is not an address")? }
            }
            ContractCommand::SetAccess { code, instantiate, .. } => {
                TxBody::SetCodeAccess { code_hash: code_hash(code)?, instantiate: parse_access(instantiate)? }
            }
            ContractCommand::RegisterTemplate { name, version, code, description, .. } => {
                TxBody::RegisterContractTemplate {
                    name: name.clone(),
                    version: *version,
                    code_hash: code_hash(code)?,
                    description: description.clone(),
                }
            }
        })
    }
}

fn code_hash(code: &str) -> anyhow::Result<tributary_types::Hash> {
    code.parse().with_context(|| format!("--code {code:?} is not a 64-hex-digit hash"))
}

/// `everybody`, `governance`, or `trib1…,trib1…`.
fn parse_access(text: &str) -> anyhow::Result<tributary_types::contracts::AccessRule> {
    use tributary_types::contracts::AccessRule;
    Ok(match text.trim() {
        "everybody" => AccessRule::Everybody,
        "governance" => AccessRule::Governance,
        list => AccessRule::Addresses(
            list.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    a.parse().with_context(|| {
                        format!("--instantiate {a:?}: write everybody, governance, or addresses separated by commas")
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        ),
    })
}

fn hex_arg(flag: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(text.trim()).with_context(|| format!("{flag} is not hex"))
}

/// `500utrib,20uacme` as (denom, amount) pairs.
pub fn parse_funds(text: &str) -> anyhow::Result<Vec<(Denom, tributary_types::Amount)>> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let digits = part.chars().take_while(char::is_ascii_digit).count();
            let (amount, denom) = part.split_at(digits);
            let amount = amount
                .parse()
                .with_context(|| format!("--funds {part:?}: write an amount then a denom, e.g. 500utrib"))?;
            Ok((Denom::new(denom).with_context(|| format!("--funds {part:?}"))?, amount))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn funds_read_as_amounts_then_denoms() {
        let funds = super::parse_funds("500utrib, 20transfer/channel-0/uacme").unwrap();
        assert_eq!(funds.len(), 2);
        assert_eq!((funds[0].0.as_str(), funds[0].1), ("utrib", 500));
        assert_eq!((funds[1].0.as_str(), funds[1].1), ("transfer/channel-0/uacme", 20));
        assert!(super::parse_funds("").unwrap().is_empty());
        assert!(super::parse_funds("utrib500").is_err());
        assert!(super::parse_funds("500").is_err());
    }
}
