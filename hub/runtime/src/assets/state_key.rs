//! Every state path the assets module uses (`interop-spec/state.md`, section
//! "assets"). Asset numbers in keys are plain decimal.

use tributary_types::{Address, Denom};

/// `assets/count` → borsh u64: how many assets were issued (absent = 0).
pub const COUNT: &[u8] = b"assets/count";

/// `assets/info/{denom}` → borsh `AssetInfo`.
pub fn info(denom: &Denom) -> Vec<u8> {
    format!("assets/info/{denom}").into_bytes()
}

/// `assets/index/{number}` → borsh `Denom`: the `number`th asset issued
/// (0-based), so clients can list assets without a prefix scan.
pub fn index(number: u64) -> Vec<u8> {
    format!("assets/index/{number}").into_bytes()
}

/// `assets/frozen/{denom}/{address}` → borsh `()` (empty bytes): present
/// while the issuer has frozen `address`'s holding of `denom`.
pub fn frozen(denom: &Denom, address: &Address) -> Vec<u8> {
    format!("assets/frozen/{denom}/{address}").into_bytes()
}
