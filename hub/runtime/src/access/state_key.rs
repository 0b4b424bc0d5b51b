//! Every state path the access module uses (`interop-spec/state.md`,
//! section "access").

use tributary_types::Address;

/// `access/policy` → borsh `AccessPolicy` (governed: section `access`).
pub const POLICY: &[u8] = b"access/policy";

/// `access/roles/{address}` → borsh `Vec<String>`: the roles the account
/// holds, sorted (absent = none; at most `ROLES_PER_ACCOUNT_MAX`).
pub fn roles(address: &Address) -> Vec<u8> {
    format!("access/roles/{address}").into_bytes()
}

/// `access/holders/{role}` → borsh u64: how many accounts hold the role
/// (absent = 0): what tells whether a change would leave a kind nobody may
/// send.
pub fn holders(role: &str) -> Vec<u8> {
    format!("access/holders/{role}").into_bytes()
}

/// `access/node_members` → borsh `Vec<Address>`: the holders of role
/// `node`, in grant order (at most `NODE_MEMBERS_MAX`): whose nodes a
/// permissioned network admits.
pub const NODE_MEMBERS: &[u8] = b"access/node_members";
