//! What each fuzz target runs: untrusted bytes into the same code a node,
//! a relayer's counterparty or the gateway runs on bytes from outside. Every
//! entry must return, whatever the bytes; a panic, an abort, a hang or an
//! allocation past libFuzzer's limit is a bug.
//!
//! Why a crate of its own: the cargo-fuzz binaries (`fuzz/`, outside the
//! workspace, built with libFuzzer) and the regression test
//! (`tests/regressions.rs`, in every CI run) call the same entries, so an
//! input that once crashed a target is replayed by `cargo test` forever.
//!
//! | target | bytes are | what runs |
//! |---|---|---|
//! | [`tx`] | a transaction as `submitTx` takes it | bounded decode, the mempool's stateless checks, ante with signature, and the body executed (simulated) on a genesis state with every hub module and contracts |
//! | [`block`] | a selector byte, then a block | a proposal's validation (the whole block executed) or a synced block's import checks (certificate included), on a RocksDB chain |
//! | [`p2p_message`] | frames of gossip payloads | each topic's decoder, then votes and proposals handled by a VBFT state machine, transactions by the mempool's checks; block-sync responses decoded as blocks |
//! | [`proof`] | a selector byte, then a protobuf ICS23 proof | decode and verify (membership and absence) against the chain's real JMT root |
//! | [`client_state`] | a borsh client state | decode with its invariants, then an update and a proof against it |
//! | [`misbehaviour`] | the light client's fuzzing layout | decode and verify updates and misbehaviour reports against a client following a generated chain |
//! | [`graphql`] | a selector byte, then an HTTP body | `POST /graphql` through the real router of the gateway or of a node |
//!
//! [`seeds`] gives each target valid inputs to start from (`fuzz/seeds/`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;

use fixtures::{block_fixture, consensus_fixture, graphql_fixture, light_fixture, tx_fixture};
use tributary_consensus::{Input, Message, Output};
use tributary_light_client::fuzzing::verify_bytes;
use tributary_light_client::proof::{decode_proof, verify_membership, verify_non_membership};
use tributary_light_client::ClientState;
use tributary_node::driver::{decode_vote_wire, ProposalWire, PROPOSAL_BYTES_MAX};
use tributary_node::gossip::decode_tx_batch;
use tributary_types::{decode_bounded, Block, Tx, TX_BYTES_MAX};

/// A target's entry.
pub type Entry = fn(&[u8]) -> Outcome;

/// The fuzz targets, by the name their binary and directories carry.
pub const TARGETS: &[(&str, Entry)] = &[
    ("tx", tx),
    ("block", block),
    ("p2p_message", p2p_message),
    ("proof", proof),
    ("client_state", client_state),
    ("misbehaviour", misbehaviour),
    ("graphql", graphql),
];

/// How far an input got: `Ok` when every check passed (a seed must), or
/// the first refusal. The fuzz binaries ignore it; the regression test holds
/// the seeds to `Ok`, so a fixture that stops reaching the deep checks fails.
pub type Outcome = Result<(), String>;

fn refused(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Largest synced block the driver decodes (as `driver.rs` bounds it).
const SYNCED_BLOCK_BYTES_MAX: usize = PROPOSAL_BYTES_MAX * 16;

/// A transaction from a client: decoded within `TX_BYTES_MAX`, checked as
/// the mempool checks it, then run by the runtime twice: as a block runs it
/// (ante: signature, nonce, fee) and as `estimateFee` runs it (no ante, so
/// every body reaches its module whatever its signature).
pub fn tx(data: &[u8]) -> Outcome {
    let tx = decode_bounded::<Tx>("transaction", data, TX_BYTES_MAX).map_err(refused)?;
    let fixture = tx_fixture();
    let stateless = fixture.mempool.check_stateless(&tx, data.len(), false).map_err(refused);
    let mut block = fixture.runtime.begin_block(&fixture.state, fixture.block.clone()).map_err(refused)?;
    let _ = block.apply(tx.clone(), false);
    let simulated = block.simulate(tx).map(|_| ()).map_err(refused);
    block.finish().map_err(refused)?;
    stateless.and(simulated)
}

/// A block from a peer. Selector even: a proposal's body (gossip), validated
/// as the driver validates it (builder = the chain's validator, so a mutated
/// seed gets past the builder check into execution). Odd: a block from
/// block sync, checked as `import_block` checks it, without committing.
pub fn block(data: &[u8]) -> Outcome {
    let (&selector, bytes) = data.split_first().ok_or("empty input")?;
    let fixture = block_fixture();
    if selector % 2 == 0 {
        let block = decode_bounded::<Block>("proposal block", bytes, PROPOSAL_BYTES_MAX).map_err(refused)?;
        fixture.chain.validate_proposal(block, &fixture.builder, fixture.now_ms).map_err(refused)?;
    } else {
        let block = decode_bounded::<Block>("block", bytes, SYNCED_BLOCK_BYTES_MAX).map_err(refused)?;
        fixture.chain.check_finalized_block(block).map_err(refused)?;
    }
    Ok(())
}

/// Gossip as it arrives: up to 16 frames of `[topic: u8][len: u16 LE][bytes]`,
/// handled in order by one VBFT machine (a 4-validator set, at height 1), so
/// a sequence of votes can build up state. Topic % 4: 0 `Txs`, 1 `Proposals`,
/// 2 `Votes`, 3 a block-sync response (`Vec<Vec<u8>>`, each a block).
/// `Ok` when every frame decoded and the machine rejected none of them.
pub fn p2p_message(data: &[u8]) -> Outcome {
    let fixture = consensus_fixture();
    let mut machine = fixture.machine();
    machine.handle(Input::Start);
    let mut outcome = Ok(());
    let mut note = |result: Outcome| {
        if outcome.is_ok() {
            outcome = result;
        }
    };
    let mut rest = data;
    for _ in 0..16 {
        let Some((&topic, after)) = rest.split_first() else { break };
        let Some((len, after)) = after.split_first_chunk::<2>() else {
            note(Err("a frame without its length".into()));
            break;
        };
        let len = usize::from(u16::from_le_bytes(*len)).min(after.len());
        let (payload, after) = after.split_at(len);
        rest = after;
        match topic % 4 {
            0 => match decode_tx_batch(payload) {
                Some(txs) => {
                    for tx in txs {
                        note(fixture.mempool.check_stateless(&tx, tx.encoded_len(), false).map_err(refused));
                    }
                }
                None => note(Err("a malformed transaction batch".into())),
            },
            1 => match decode_bounded::<ProposalWire>("proposal", payload, PROPOSAL_BYTES_MAX) {
                Ok(wire) => note(rejection(machine.handle(Input::Message(Message::Proposal(wire.proposal))))),
                Err(e) => note(Err(refused(e))),
            },
            2 => match decode_vote_wire(payload) {
                Some(message) => note(rejection(machine.handle(Input::Message(message)))),
                None => note(Err("a malformed vote message".into())),
            },
            _ => match decode_bounded::<Vec<Vec<u8>>>("blocks response", payload, SYNCED_BLOCK_BYTES_MAX) {
                Ok(blocks) => {
                    for bytes in blocks {
                        note(
                            decode_bounded::<Block>("block", &bytes, SYNCED_BLOCK_BYTES_MAX)
                                .map(|_| ())
                                .map_err(refused),
                        );
                    }
                }
                Err(e) => note(Err(refused(e))),
            },
        }
    }
    outcome
}

fn rejection(outputs: Vec<Output>) -> Outcome {
    match outputs.into_iter().find_map(|o| match o {
        Output::Rejected(r) => Some(r),
        _ => None,
    }) {
        Some(r) => Err(format!("the machine rejected it: {r:?}")),
        None => Ok(()),
    }
}

/// A proof from a relayer, against the block fixture's genesis state root
/// (a real JMT in RocksDB). The selector picks the claim: even, that one of
/// the proved keys holds its value; odd, that the key with `absent` before
/// it holds nothing.
pub fn proof(data: &[u8]) -> Outcome {
    let (&selector, bytes) = data.split_first().ok_or("empty input")?;
    let proof = decode_proof(bytes).map_err(refused)?;
    let fixture = block_fixture();
    let (key, value) = &fixture.proved[usize::from(selector / 2) % fixture.proved.len()];
    if selector % 2 == 0 {
        verify_membership(&fixture.state_root.0, key, value, &proof).map_err(refused)
    } else {
        let absent = [b"absent".as_slice(), key].concat();
        verify_non_membership(&fixture.state_root.0, &absent, &proof).map_err(refused)
    }
}

/// A client state as a chain stores it (or a counterparty offers it when a
/// client is created): decoded with its invariants checked, then asked to
/// take an honest update (`Ok` when it does) and to check a proof.
pub fn client_state(data: &[u8]) -> Outcome {
    let mut client = ClientState::decode(data).map_err(refused)?;
    let fixture = light_fixture();
    let _ = client.is_expired(fixture.now_ms);
    let updated = client.apply_update(&fixture.update, fixture.now_ms).map(|_| ()).map_err(refused);
    let height = client.latest().height;
    let _ = client.verify_membership_at(height, b"sys/height", b"1", &fixture.proof);
    updated
}

/// Updates and misbehaviour reports (layout: `tributary_light_client::fuzzing`)
/// against a client trusting height 1 of a six-validator generated chain.
/// An update without a proof stops at the proof (`Err`); a report of a fork
/// is `Ok`.
pub fn misbehaviour(data: &[u8]) -> Outcome {
    let fixture = light_fixture();
    verify_bytes(&fixture.client, data, fixture.now_ms, b"sys/height", b"4").map_err(refused)
}

/// An HTTP body for `POST /graphql`. Selector even: the gateway (over an
/// empty directory: its own fields, limits and errors); odd: a node's API
/// over the block fixture's chain (blocks, transactions, state and proofs).
/// `Ok` when the answer is HTTP 200 with no `errors`.
pub fn graphql(data: &[u8]) -> Outcome {
    let (&selector, body) = data.split_first().ok_or("empty input")?;
    graphql_fixture().post(selector % 2 == 1, body.to_vec())
}

/// Valid inputs for `target` to start from, by file name.
pub fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    fixtures::seeds(target)
}
