//! Every state path the private module uses (`interop-spec/state.md`,
//! section "private").

use tributary_types::{Address, Hash};

/// `private/params` → borsh `PrivateParams` (governed: section `private`).
pub const PARAMS: &[u8] = b"private/params";

/// `private/records/{data_hash hex}` → borsh `PrivateRecord`.
pub fn record(data_hash: &Hash) -> Vec<u8> {
    format!("private/records/{}", data_hash.to_hex()).into_bytes()
}

/// `private/hosts/{address}` → borsh `PublicKey`: the node key of the node
/// that holds the account's private data (absent = none named).
pub fn host(address: &Address) -> Vec<u8> {
    format!("private/hosts/{address}").into_bytes()
}
