//! Events: a kind and string attributes, recorded in the transaction's
//! receipt as `wasm-{kind}`.
use alloc::vec::Vec;

/// Emits an event of `kind` with `attributes` (key, value), in order.
pub fn emit(kind: &str, attributes: &[(&str, &str)]) {
    crate::sys::event(&encode(kind, attributes))
}

/// The borsh encoding of `(String, Vec<(String, String)>)`, written straight
/// from borrowed strs (no owned Strings to build first).
pub fn encode(kind: &str, attributes: &[(&str, &str)]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(8 + kind.len() + attributes.iter().map(|(k, v)| 8 + k.len() + v.len()).sum::<usize>());
    put_str(&mut out, kind);
    out.extend_from_slice(&(attributes.len() as u32).to_le_bytes());
    for (k, v) in attributes {
        put_str(&mut out, k);
        put_str(&mut out, v);
    }
    out
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn encoding_is_borsh_of_kind_and_attribute_pairs() {
        let owned: (String, Vec<(String, String)>) =
            ("transfer".into(), vec![("from".into(), "ab".into()), ("amount".into(), "5".into())]);
        assert_eq!(super::encode("transfer", &[("from", "ab"), ("amount", "5")]), borsh::to_vec(&owned).unwrap());
        assert_eq!(super::encode("x", &[]), [1, 0, 0, 0, b'x', 0, 0, 0, 0]);
    }
}
