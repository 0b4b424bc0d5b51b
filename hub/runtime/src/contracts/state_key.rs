//! Where the contracts module keeps its state.

use tributary_types::{Address, Hash};

/// Code bytes by hash.
pub fn code(hash: &Hash) -> Vec<u8> {
    format!("contracts/code/{}", hash.to_hex()).into_bytes()
}

/// Who uploaded code, when, and its size.
pub fn code_record(hash: &Hash) -> Vec<u8> {
    format!("contracts/codeinfo/{}", hash.to_hex()).into_bytes()
}

/// Every code hash, in upload order.
pub fn code_list() -> Vec<u8> {
    b"contracts/codes".to_vec()
}

/// A contract's record.
pub fn contract(address: &Address) -> Vec<u8> {
    format!("contracts/contract/{address}").into_bytes()
}

/// Every contract, in creation order.
pub fn contract_list() -> Vec<u8> {
    b"contracts/contracts".to_vec()
}

/// How many contracts were made (the address derivation's counter).
pub fn counter() -> Vec<u8> {
    b"contracts/counter".to_vec()
}

/// One of a contract's storage values: its own key space, kept apart from
/// every other contract's by the address.
pub fn storage(address: &Address, key: &[u8]) -> Vec<u8> {
    format!("contracts/store/{address}/{}", hex::encode(key)).into_bytes()
}

/// `contracts/governed/{code_hash}` → borsh u64: the proposal that last set
/// the code's instantiate rule (absent: its uploader still may).
pub fn governed(code_hash: &Hash) -> Vec<u8> {
    format!("contracts/governed/{}", code_hash.to_hex()).into_bytes()
}

/// Who may upload code on this chain (borsh `AccessRule`, from genesis).
pub fn upload_rule() -> Vec<u8> {
    b"contracts/upload_rule".to_vec()
}

/// One version of a contract template.
pub fn template(name: &str, version: u32) -> Vec<u8> {
    format!("contracts/template/{name}/{version:010}").into_bytes()
}

/// Every template's `(name, version)`, in registration order.
pub fn template_list() -> Vec<u8> {
    b"contracts/templates".to_vec()
}
