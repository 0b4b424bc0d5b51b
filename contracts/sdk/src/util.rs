//! Text for events and errors without `core::fmt`: formatting machinery
//! costs kilobytes of code in every module, and these cover what contracts
//! print (amounts, oracle numbers and addresses).
use alloc::string::String;
use alloc::vec::Vec;

/// `n` in decimal.
///
/// Divides by 10 over four 32-bit limbs with 64-bit arithmetic, so that a
/// module printing amounts does not link compiler-builtins' 128-bit division
/// (about 1 KiB).
pub fn decimal(n: u128) -> String {
    let mut limbs = [(n >> 96) as u32, (n >> 64) as u32, (n >> 32) as u32, n as u32];
    let mut digits = Vec::with_capacity(39);
    loop {
        let mut rem = 0u64;
        for limb in limbs.iter_mut() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 10) as u32;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
        if limbs == [0; 4] {
            break;
        }
    }
    digits.reverse();
    // ASCII digits are UTF-8.
    String::from_utf8(digits).unwrap_or_default()
}

/// `n` in decimal, `-` first when negative (an oracle's numbers are `i128`).
pub fn signed_decimal(n: i128) -> String {
    let digits = decimal(n.unsigned_abs());
    if n < 0 {
        concat(&["-", &digits])
    } else {
        digits
    }
}

/// `bytes` in lowercase hex (an address: 40 characters).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Concatenates `parts` (an error text built from pieces).
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_display() {
        for n in [0u128, 7, 10, 1234567890, u64::MAX as u128, u64::MAX as u128 + 1, 1 << 96, u128::MAX - 1, u128::MAX] {
            assert_eq!(decimal(n), alloc::format!("{n}"));
        }
    }

    #[test]
    fn signed_decimal_matches_display() {
        for n in [0i128, 5, -5, -10, i128::MAX, i128::MIN, i128::MIN + 1] {
            assert_eq!(signed_decimal(n), alloc::format!("{n}"));
        }
    }

    #[test]
    fn hex_is_lowercase_pairs() {
        assert_eq!(hex(&[0x00, 0xab, 0x0f]), "00ab0f");
    }
}
