//! The worlds the targets run in, built once per process from fixed keys
//! (so an input replays the same way in a fresh process), and the seed
//! inputs taken from them.
//!
//! A fixture that cannot be built is a broken build, not a finding: it
//! panics with the reason, before any input runs.
#![allow(clippy::expect_used)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use tower::ServiceExt;
use tributary_consensus::messages::vote_bytes;
use tributary_consensus::vrf::{vrf_input, vrf_prove};
use tributary_consensus::{
    Config, ConsensusParams, ConsensusValidator, Machine, Message, Proposal, Resume, ValidatorSet, Vote, VoteKind,
    VrfSecret,
};
use tributary_crypto::SigningKey;
use tributary_light_client::{ClientState, Misbehaviour, Update};
use tributary_light_client_testchain::{equal, params, TestChain};
use tributary_mempool::Mempool;
use tributary_node::chain::Chain;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_node::driver::{ProposalWire, VOTE_SALT_BYTES};
use tributary_node::gossip::encode_tx_batches;
use tributary_runtime::{BlockInfo, Runtime};
use tributary_testkit::{mempool_config, one_validator_genesis, open_chain, ProduceBlock};
use tributary_types::{
    Address, Block, ChainId, Denom, Genesis, GenesisAccount, Hash, Params, PublicKey, SignDoc, Signature, Tx, TxBody,
};

/// The fixture chain's id and its genesis time.
const CHAIN_ID: &str = "fuzz-hub";
const GENESIS_TIME_MS: u64 = 1_000;
/// Block 1's time, and "now" for the checks after it.
const BLOCK_1_TIME_MS: u64 = 2_000;
const NOW_MS: u64 = 2_500;

fn validator_key() -> SigningKey {
    SigningKey::from_secret([0x11; 32])
}

fn alice() -> SigningKey {
    SigningKey::from_secret([0xa1; 32])
}

/// A hub genesis with every module a hub or child chain may enable
/// (committee aside: it replaces staking on child chains) and a funded alice.
fn genesis() -> Genesis {
    let params = Params::default();
    let accounts =
        vec![GenesisAccount::funded(alice().public_key().address(), params.native_denom.clone(), 1_000_000_000)];
    let mut genesis = one_validator_genesis(CHAIN_ID, params, &validator_key(), accounts);
    genesis.genesis_time_ms = GENESIS_TIME_MS;
    genesis.modules = ["staking", "registry", "assets", "polls", "messages", "ibc", "transfer", "oracle", "contracts"]
        .map(String::from)
        .to_vec();
    genesis
}

fn sign(key: &SigningKey, nonce: u64, body: TxBody) -> Tx {
    key.sign_tx(SignDoc {
        chain_id: ChainId::new(CHAIN_ID).expect("chain id"),
        sender: key.public_key(),
        nonce,
        fee: 1_000,
        body,
    })
}

/// Transactions of several kinds from alice, nonces 0.. in order.
fn sample_txs() -> Vec<Tx> {
    let denom = Denom::new("utrib").expect("denom");
    let bodies = vec![
        TxBody::Transfer { to: Address([5; 20]), denom: denom.clone(), amount: 1_000 },
        TxBody::Transfer { to: validator_key().public_key().address(), denom, amount: 7 },
    ];
    bodies.into_iter().enumerate().map(|(nonce, body)| sign(&alice(), nonce as u64, body)).collect()
}

pub(crate) struct TxFixture {
    pub runtime: Runtime,
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
    pub block: BlockInfo,
    pub mempool: Mempool,
}

static TX: LazyLock<TxFixture> = LazyLock::new(|| {
    let genesis = genesis();
    let runtime = Runtime::new(&genesis).expect("runtime of the fuzz genesis");
    let state = runtime
        .genesis_writes(&genesis)
        .expect("genesis writes")
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect();
    let block = BlockInfo {
        chain_id: genesis.chain_id.clone(),
        height: 1,
        time_ms: BLOCK_1_TIME_MS,
        proposer: validator_key().public_key().address(),
        beacon: Hash([0x42; 32]),
        last_duties: Vec::new(),
    };
    TxFixture { runtime, state, block, mempool: Mempool::new(mempool_config(&genesis)) }
});

pub(crate) fn tx_fixture() -> &'static TxFixture {
    &TX
}

pub(crate) struct BlockFixture {
    /// Chain "B": at genesis; checks blocks without ever committing one.
    pub chain: Arc<Chain>,
    /// Chain "A": the same genesis with block 1 (carrying [`sample_txs`]) committed.
    pub served: Arc<Chain>,
    pub builder: PublicKey,
    pub now_ms: u64,
    /// Block 1 with its certificate, as chain A committed it.
    pub block_1: Block,
    /// Chain B's genesis state root, and keys it holds with their values.
    pub state_root: Hash,
    pub proved: Vec<(Vec<u8>, Vec<u8>)>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

static BLOCK: LazyLock<BlockFixture> = LazyLock::new(|| {
    let (dir_a, dir_b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let served = open_chain(dir_a.path(), genesis(), validator_key());
    for tx in sample_txs() {
        let len = tx.encoded_len();
        served.submit(tx, len).expect("a sample transaction is admitted");
    }
    let block_1 = served.produce_block(BLOCK_1_TIME_MS).expect("block 1").block.clone();
    let chain = open_chain(dir_b.path(), genesis(), validator_key());
    let state_root = chain.state_root(0).expect("state root").expect("genesis state root");
    let proved = [b"sys/height".as_slice(), b"sys/params".as_slice()]
        .iter()
        .map(|key| {
            let (value, _) = chain.state_with_proof(key, 0).expect("state");
            (key.to_vec(), value.expect("a genesis key"))
        })
        .collect();
    BlockFixture {
        chain,
        served,
        builder: validator_key().public_key(),
        now_ms: NOW_MS,
        block_1,
        state_root,
        proved,
        _dirs: (dir_a, dir_b),
    }
});

pub(crate) fn block_fixture() -> &'static BlockFixture {
    &BLOCK
}

/// Four equal validators, every one on every committee, at height 1.
pub(crate) struct ConsensusFixture {
    secrets: Vec<[u8; 32]>,
    set: ValidatorSet,
    chain_id: ChainId,
    params: ConsensusParams,
    pub mempool: Mempool,
}

const CONSENSUS_GENESIS: Hash = Hash([0x42; 32]);

impl ConsensusFixture {
    fn key(&self, i: usize) -> SigningKey {
        SigningKey::from_secret(self.secrets[i])
    }

    fn vrf(&self, i: usize) -> VrfSecret {
        VrfSecret::from_seed(self.secrets[i]).expect("vrf secret")
    }

    /// Validator 0's machine, fresh at height 1.
    pub fn machine(&self) -> Machine {
        Machine::new(
            Config { chain_id: self.chain_id.clone(), params: self.params.clone() },
            self.key(0),
            self.vrf(0),
            vec![(1, self.set.clone())],
            Resume::genesis(CONSENSUS_GENESIS),
        )
    }

    /// The index of round 0's proposer at height 1.
    fn proposer(&self) -> usize {
        let mut machine = self.machine();
        machine.handle(tributary_consensus::Input::Start);
        let key = machine.roles().and_then(|roles| roles.proposer(0).copied()).expect("a proposer for round 0");
        (0..self.secrets.len()).find(|i| self.key(*i).public_key() == key).expect("the proposer is in the set")
    }

    fn proposal(&self, i: usize, block_hash: Hash) -> Proposal {
        let (vrf_output, vrf_proof, _) = vrf_prove(&self.vrf(i), &vrf_input(&self.chain_id, 1, &CONSENSUS_GENESIS));
        let mut proposal = Proposal {
            chain_id: self.chain_id.clone(),
            height: 1,
            round: 0,
            block_hash,
            parent_hash: CONSENSUS_GENESIS,
            proposer: self.key(i).public_key(),
            builder: self.key(i).public_key(),
            vrf_output,
            vrf_proof,
            signature: Signature([0; 64]),
        };
        proposal.signature = self.key(i).sign(&proposal.sign_bytes());
        proposal
    }

    fn vote(&self, i: usize, kind: VoteKind, block_hash: Hash) -> Vote {
        let signature = self.key(i).sign(&vote_bytes(kind, &self.chain_id, 1, 0, &block_hash));
        Vote {
            kind,
            chain_id: self.chain_id.clone(),
            height: 1,
            round: 0,
            block_hash,
            validator: self.key(i).public_key(),
            signature,
        }
    }
}

static CONSENSUS: LazyLock<ConsensusFixture> = LazyLock::new(|| {
    let secrets: Vec<[u8; 32]> = (1..=4u8).map(|i| [i; 32]).collect();
    let validators = secrets
        .iter()
        .map(|s| ConsensusValidator {
            public_key: SigningKey::from_secret(*s).public_key(),
            vrf_public_key: VrfSecret::from_seed(*s).expect("vrf secret").public_key(),
            power: 10,
        })
        .collect();
    ConsensusFixture {
        secrets,
        set: ValidatorSet::new(validators).expect("validator set"),
        chain_id: ChainId::new("test-chain").expect("chain id"),
        params: ConsensusParams { proposers: 4, endorsers: 4, committers: 4, ..ConsensusParams::default() },
        mempool: Mempool::new(mempool_config(&genesis())),
    }
});

pub(crate) fn consensus_fixture() -> &'static ConsensusFixture {
    &CONSENSUS
}

/// A client following a six-validator generated chain (committees of
/// four), trusting height 1, with an honest update to height 2.
pub(crate) struct LightFixture {
    pub client: ClientState,
    pub now_ms: u64,
    pub update: Update,
    /// A real proof (from the block fixture's chain): it verifies against
    /// that chain's root, not this one's, so it exercises the refusal.
    pub proof: ics23::CommitmentProof,
    chain: TestChain,
}

static LIGHT: LazyLock<LightFixture> = LazyLock::new(|| {
    let mut chain = TestChain::new(params(4), &equal(0, 6, 10));
    for _ in 0..4 {
        chain.push(None);
    }
    let (_, proof) = block_fixture().chain.state_with_proof(b"sys/height", 0).expect("proof");
    LightFixture { client: chain.client_at(1), now_ms: chain.now_after(4), update: chain.update(2, 1), proof, chain }
});

pub(crate) fn light_fixture() -> &'static LightFixture {
    &LIGHT
}

/// The gateway's router (an empty directory) and a node API's router over
/// the block fixture's chain A, driven without sockets on one runtime.
pub(crate) struct GraphqlFixture {
    runtime: tokio::runtime::Runtime,
    gateway: axum::Router,
    node: axum::Router,
}

impl GraphqlFixture {
    /// `POST /graphql` with `body`; `Ok` for HTTP 200 without `"errors"`.
    pub fn post(&self, to_node: bool, body: Vec<u8>) -> Result<(), String> {
        let router = if to_node { &self.node } else { &self.gateway };
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/graphql")
            .header("content-type", "application/json")
            .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))))
            .body(Body::from(body))
            .map_err(|e| e.to_string())?;
        self.runtime.block_on(async {
            let response = match router.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.map_err(|e| e.to_string())?;
            let text = String::from_utf8_lossy(&bytes);
            if status != axum::http::StatusCode::OK || text.contains("\"errors\"") {
                return Err(format!("HTTP {status}: {}", text.chars().take(300).collect::<String>()));
            }
            Ok(())
        })
    }
}

static GRAPHQL: LazyLock<GraphqlFixture> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let config = tributary_gateway::Config { rate_per_second: 0, ..tributary_gateway::Config::default() };
    let schema = tributary_gateway::schema(Arc::new(tributary_gateway::Directory::default()), config.clone());
    let gateway = tributary_gateway::router(schema, &config);
    let chain = block_fixture().served.clone();
    let node =
        runtime.block_on(async { tributary_api::router(chain, &ApiSettings::default(), None, Clock(|| NOW_MS)) });
    GraphqlFixture { runtime, gateway, node }
});

pub(crate) fn graphql_fixture() -> &'static GraphqlFixture {
    &GRAPHQL
}

fn framed(selector: u8, message: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = vec![selector];
    out.extend_from_slice(&(message.len() as u32).to_le_bytes());
    out.extend_from_slice(message);
    out.extend_from_slice(rest);
    out
}

fn gossip_frame(topic: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![topic];
    out.extend_from_slice(&(payload.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn vote_wire(message: &Message) -> Vec<u8> {
    let mut bytes = message.to_bytes();
    bytes.extend_from_slice(&[7; VOTE_SALT_BYTES]);
    bytes
}

fn encode<T: borsh::BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value).expect("borsh encoding to a Vec")
}

fn graphql_body(query: &str) -> Vec<u8> {
    let body = format!("{{\"query\":{}}}", quote(query));
    body.into_bytes()
}

/// A JSON string literal.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let named = |items: Vec<(&str, Vec<u8>)>| items.into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    match target {
        "tx" => sample_txs().iter().enumerate().map(|(i, tx)| (format!("sample-{i}"), encode(tx))).collect(),
        "block" => {
            let block = &block_fixture().block_1;
            let mut uncertified = block.clone();
            uncertified.certificate.signatures.clear();
            named(vec![
                ("proposal", [vec![0], encode(&uncertified)].concat()),
                ("synced", [vec![1], encode(block)].concat()),
            ])
        }
        "p2p_message" => {
            let f = consensus_fixture();
            let block = block_fixture().block_1.clone();
            let hash = block.hash();
            let proposal = f.proposal(f.proposer(), hash);
            let wire = ProposalWire { proposal, block: block.clone(), salt: 1 };
            let mut round = gossip_frame(1, &encode(&wire));
            for kind in [VoteKind::Endorse, VoteKind::Commit] {
                for i in 1..4 {
                    round.extend(gossip_frame(2, &vote_wire(&Message::Vote(f.vote(i, kind, hash)))));
                }
            }
            let txs = encode_tx_batches(&sample_txs()).into_iter().next().unwrap_or_default();
            named(vec![
                ("a-round", round),
                ("txs", gossip_frame(0, &txs)),
                ("synced-blocks", gossip_frame(3, &encode(&vec![encode(&block)]))),
            ])
        }
        "proof" => {
            let f = block_fixture();
            let (_, member) = f.chain.state_with_proof(b"sys/height", 0).expect("proof");
            let (_, absent) = f.chain.state_with_proof(b"absentsys/height", 0).expect("proof");
            use prost::Message as _;
            named(vec![
                ("member", [vec![0], member.encode_to_vec()].concat()),
                ("absent", [vec![1], absent.encode_to_vec()].concat()),
            ])
        }
        "client_state" => {
            let f = light_fixture();
            named(vec![("at-1", encode(&f.client))])
        }
        "misbehaviour" => {
            let f = light_fixture();
            let report = Misbehaviour {
                update_a: f.chain.update(3, 1),
                update_b: f.chain.conflicting_update(3, 1, f.chain.header(3).time_ms),
            };
            named(vec![
                ("adjacent-update", framed(0, &encode(&f.chain.update(2, 1)), &[])),
                ("skipping-update", framed(0, &encode(&f.chain.update(4, 1)), &[])),
                ("report", framed(1, &encode(&report), &[])),
            ])
        }
        "graphql" => {
            let hash = block_fixture().block_1.hash();
            let alice = alice().public_key().address();
            named(vec![
                ("gateway-chains", [vec![0], graphql_body("{ chains { id } serviceConfig { __typename } }")].concat()),
                (
                    "gateway-transfers",
                    [vec![0], graphql_body("{ transfers(first: 5) { edges { cursor node { id status } } } }")].concat(),
                ),
                ("gateway-introspection", [vec![0], graphql_body("{ __schema { types { name fields { name } } } }")].concat()),
                (
                    "node-block",
                    [vec![1], graphql_body(&format!("{{ block(hash: \"{hash}\") {{ height txs {{ hash }} }} blocks(last: 2) {{ height }} }}"))]
                        .concat(),
                ),
                (
                    "node-account",
                    [vec![1], graphql_body(&format!("{{ account(address: \"{alice}\") {{ __typename }} state(key: \"sys/height\") {{ __typename }} }}"))]
                        .concat(),
                ),
            ])
        }
        _ => Vec::new(),
    }
}
