//! Every state path the registry module uses (`interop-spec/state.md`,
//! section "registry"). The paths are part of the protocol: the node and the
//! API read child chains from them, and a light client can prove any of them.
//!
//! A chain id is `a-z 0-9 -` only, so `{chain_id}` never contains a `/` and
//! the paths of two chains never overlap. Heights in `registry/anchor/…` are
//! zero-padded to 20 digits, so one chain's anchors sort by height.

use tributary_types::ChainId;

/// `registry/params` → borsh `RegistryParams`.
pub const PARAMS: &[u8] = b"registry/params";

/// `registry/child_limits` → borsh `ChildLimits`: the caps every child
/// chain runs its own limits under (governed: section `child_limits`;
/// genesis seeds it from `registry.child_limits`). Children prove it from
/// the hub's state with each committee they adopt.
pub const CHILD_LIMITS: &[u8] = b"registry/child_limits";

/// `registry/shutdown/{chain_id}` → borsh `Shutdown`: the chain was shut
/// down by governance (absent: it runs).
pub fn shutdown(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/shutdown/{chain_id}").into_bytes()
}

/// `registry/chains` → borsh `Vec<ChainId>`: every registered child chain in
/// registration order (the tree has no prefix scan, so the module keeps the list).
pub const CHAINS: &[u8] = b"registry/chains";

/// `registry/chain/{chain_id}` → borsh `ChildChain`.
pub fn chain(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/chain/{chain_id}").into_bytes()
}

/// `registry/client/{chain_id}` → borsh `ClientState`: the hub's light
/// client of the child chain.
pub fn client(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/client/{chain_id}").into_bytes()
}

/// `registry/anchor/{chain_id}/{height:020}` → borsh `AnchoredHeader`.
pub fn anchor(chain_id: &ChainId, height: u64) -> Vec<u8> {
    format!("registry/anchor/{chain_id}/{height:020}").into_bytes()
}

/// `registry/anchors/{chain_id}/count` → borsh u64: how many headers of the
/// chain were anchored (absent = 0).
pub fn anchor_count(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/anchors/{chain_id}/count").into_bytes()
}

/// `registry/anchors/{chain_id}/{n}` → borsh u64: the height of the `n`th
/// anchored header (0-based, plain decimal `n`). Anchored heights may skip,
/// so this index is what lets a reader page through them without a scan.
pub fn anchor_index(chain_id: &ChainId, n: u64) -> Vec<u8> {
    format!("registry/anchors/{chain_id}/{n}").into_bytes()
}

/// `registry/genesis/{chain_id}` → the borsh `Genesis` the child was
/// registered with (its hash is the record's `genesis_hash`): what a hub
/// validator drawn into the committee starts the child from.
pub fn genesis(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/genesis/{chain_id}").into_bytes()
}

/// `registry/committee/{chain_id}/{term}` → borsh `Vec<Validator>`: the
/// committee the hub drew for the child's `term` (term 0: its genesis set).
pub fn committee(chain_id: &ChainId, term: u64) -> Vec<u8> {
    format!("registry/committee/{chain_id}/{term}").into_bytes()
}

/// `registry/endpoints/{chain_id}` → borsh `Vec<Endpoint>`: where committee
/// members serve the child (one entry per member, replaced on announce).
pub fn endpoints(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/endpoints/{chain_id}").into_bytes()
}

/// `registry/pending/{chain_id}` → borsh u64: the height a chain registered
/// at while `approval_required` is on, until governance approves it.
pub fn pending(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/pending/{chain_id}").into_bytes()
}

/// `registry/pay/{chain_id}` → borsh `CommitteePay`: hub tokens set aside
/// to pay the chain's committee per anchored header (held by
/// `COMMITTEE_PAY_ESCROW`).
pub fn pay(chain_id: &ChainId) -> Vec<u8> {
    format!("registry/pay/{chain_id}").into_bytes()
}

/// The account that holds every chain's committee pay until it is paid.
pub const COMMITTEE_PAY_ESCROW: &str = "registry/committee-pay";
