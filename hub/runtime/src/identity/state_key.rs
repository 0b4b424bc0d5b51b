//! Every state path the identity module uses (`interop-spec/state.md`,
//! section "identity").

use tributary_types::Address;

/// `identity/docs/{address}` → borsh `DidDocument`.
pub fn doc(address: &Address) -> Vec<u8> {
    format!("identity/docs/{address}").into_bytes()
}

/// `identity/owner_keys/{address}` → borsh `PublicKey`: the key whose
/// address is the DID's (what a delegated body runs as).
pub fn owner_key(address: &Address) -> Vec<u8> {
    format!("identity/owner_keys/{address}").into_bytes()
}

/// `identity/delegates/{identity}` → borsh `Vec<Address>`: the identity's
/// delegates, at most `DELEGATES_MAX` (absent = none).
pub fn delegates(identity: &Address) -> Vec<u8> {
    format!("identity/delegates/{identity}").into_bytes()
}

/// `identity/delegations/{identity}/{delegate}` → borsh `Delegation`.
pub fn delegation(identity: &Address, delegate: &Address) -> Vec<u8> {
    format!("identity/delegations/{identity}/{delegate}").into_bytes()
}
