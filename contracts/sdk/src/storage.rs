//! The contract's own key-value store: raw bytes ([`get`], [`set`],
//! [`remove`], [`next`]) and typed views over it ([`Item`], [`Map`]).
//!
//! Keys are at most [`MAX_KEY_LEN`] bytes and values at most
//! [`MAX_VALUE_LEN`] (ABI v1). The SDK checks both before calling the host
//! and aborts with a message naming the limit, so an oversized write fails
//! here, readably, instead of as an opaque host trap.
//!
//! Typed keys: an [`Item`] lives at its name; a [`Map`] entry at the map's
//! name followed by the entry's [`MapKey`] bytes. Give every `Item` and `Map`
//! of a contract a distinct name, none a prefix of another (`"bal"` and
//! `"balance"` would share keys).
use crate::{abort, sys, MAX_KEY_LEN, MAX_VALUE_LEN};
use alloc::string::String;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use core::marker::PhantomData;

fn check_key(key: &[u8]) {
    if key.len() > MAX_KEY_LEN {
        abort("storage: key longer than 256 bytes");
    }
}

/// The value at `key`, or `None`.
pub fn get(key: &[u8]) -> Option<Vec<u8>> {
    check_key(key);
    sys::storage_get(key)
}

/// Sets `key` to `value`.
pub fn set(key: &[u8], value: &[u8]) {
    check_key(key);
    if value.len() > MAX_VALUE_LEN {
        abort("storage: value longer than 64 KiB");
    }
    sys::storage_set(key, value)
}

/// Removes `key` (nothing happens when it is absent).
pub fn remove(key: &[u8]) {
    check_key(key);
    sys::storage_del(key)
}

/// The first entry with `start <= key < end` (`end` `None`: no upper bound).
pub fn next(start: &[u8], end: Option<&[u8]>) -> Option<(Vec<u8>, Vec<u8>)> {
    check_key(start);
    let end = match end {
        // The ABI reads an empty end as "no end"; an explicit empty end is
        // the empty range, so answer it here.
        Some([]) => return None,
        Some(e) => {
            check_key(e);
            e
        }
        None => &[],
    };
    let raw = sys::storage_next_raw(start, end)?;
    Some(
        <(Vec<u8>, Vec<u8>)>::try_from_slice(&raw)
            .unwrap_or_else(|_| abort("host: storage_next register is not borsh (key, value)")),
    )
}

/// Every entry with `start <= key < end`, in key order, fetched one host
/// call at a time.
pub fn range(start: &[u8], end: Option<&[u8]>) -> Range {
    Range { next_start: Some(start.to_vec()), end: end.map(<[u8]>::to_vec) }
}

/// Iterator returned by [`range`].
pub struct Range {
    next_start: Option<Vec<u8>>,
    end: Option<Vec<u8>>,
}

impl Iterator for Range {
    type Item = (Vec<u8>, Vec<u8>);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.next_start.take()?;
        let (key, value) = next(&start, self.end.as_deref())?;
        // Continue from the least possible key after this one.
        self.next_start = successor(key.clone());
        Some((key, value))
    }
}

/// The least key greater than `key` among keys of at most [`MAX_KEY_LEN`]
/// bytes, or `None` when `key` is the greatest.
fn successor(mut key: Vec<u8>) -> Option<Vec<u8>> {
    if key.len() < MAX_KEY_LEN {
        key.push(0);
        return Some(key);
    }
    // No key extends one of the maximum length: the next one is the least
    // key that does not start with it.
    prefix_end(&key)
}

/// The least byte string greater than every key starting with `prefix`, or
/// `None` when there is none (the prefix is empty or all `0xff`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last != 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

fn decode<T: BorshDeserialize>(bytes: &[u8], what: &str) -> T {
    T::try_from_slice(bytes).unwrap_or_else(|_| corrupt(what))
}

#[cold]
fn corrupt(what: &str) -> ! {
    let mut msg = String::from("storage: the value of '");
    msg.push_str(what);
    msg.push_str("' does not decode as its type");
    abort(&msg)
}

/// One typed value stored under a fixed key.
///
/// ```ignore
/// static OWNER: Item<[u8; 20]> = Item::new("owner");
/// OWNER.set(&env.caller);
/// ```
pub struct Item<T> {
    key: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T: BorshSerialize + BorshDeserialize> Item<T> {
    /// The item stored under `key` (the name's UTF-8 bytes).
    pub const fn new(key: &'static str) -> Self {
        Item { key, _t: PhantomData }
    }

    /// The value, or `None` when it was never set.
    pub fn get(&self) -> Option<T> {
        get(self.key.as_bytes()).map(|b| decode(&b, self.key))
    }

    /// The value; aborts when it was never set (state every instantiated
    /// contract has, such as its owner).
    pub fn load(&self) -> T {
        self.get().unwrap_or_else(|| {
            let mut msg = String::from("storage: '");
            msg.push_str(self.key);
            msg.push_str("' is not set");
            abort(&msg)
        })
    }

    /// Stores `value`.
    pub fn set(&self, value: &T) {
        set(self.key.as_bytes(), &crate::to_bytes(value))
    }

    /// Removes the value.
    pub fn remove(&self) {
        remove(self.key.as_bytes())
    }
}

/// A key in a [`Map`]: its bytes follow the map's name in the storage key.
/// Integers are big-endian so that key order is numeric order.
pub trait MapKey: Sized {
    /// Appends the key's bytes.
    fn write_key(&self, out: &mut Vec<u8>);
    /// The key back from its bytes (iteration), or `None` if they are not one.
    fn read_key(bytes: &[u8]) -> Option<Self>;
}

impl<const N: usize> MapKey for [u8; N] {
    fn write_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self)
    }
    fn read_key(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok()
    }
}

impl MapKey for Vec<u8> {
    fn write_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self)
    }
    fn read_key(bytes: &[u8]) -> Option<Self> {
        Some(bytes.to_vec())
    }
}

impl MapKey for String {
    fn write_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes())
    }
    fn read_key(bytes: &[u8]) -> Option<Self> {
        String::from_utf8(bytes.to_vec()).ok()
    }
}

macro_rules! int_key {
    ($($t:ty),*) => {$(
        impl MapKey for $t {
            fn write_key(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes())
            }
            fn read_key(bytes: &[u8]) -> Option<Self> {
                Some(<$t>::from_be_bytes(bytes.try_into().ok()?))
            }
        }
    )*};
}
int_key!(u8, u16, u32, u64, u128);

/// Typed values under a common name: entry `k` is stored at `name ++ k`.
///
/// ```ignore
/// static BALANCES: Map<[u8; 20], u128> = Map::new("balance/");
/// BALANCES.set(&to, &(BALANCES.get(&to).unwrap_or(0) + amount));
/// ```
pub struct Map<K, V> {
    prefix: &'static str,
    _kv: PhantomData<fn() -> (K, V)>,
}

impl<K: MapKey, V: BorshSerialize + BorshDeserialize> Map<K, V> {
    /// The map whose entries' keys start with `prefix`.
    pub const fn new(prefix: &'static str) -> Self {
        Map { prefix, _kv: PhantomData }
    }

    fn key(&self, k: &K) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.prefix.len() + 32);
        key.extend_from_slice(self.prefix.as_bytes());
        k.write_key(&mut key);
        key
    }

    /// The value at `k`, or `None`.
    pub fn get(&self, k: &K) -> Option<V> {
        get(&self.key(k)).map(|b| decode(&b, self.prefix))
    }

    /// Whether `k` has a value.
    pub fn has(&self, k: &K) -> bool {
        get(&self.key(k)).is_some()
    }

    /// Sets `k` to `v`.
    pub fn set(&self, k: &K, v: &V) {
        set(&self.key(k), &crate::to_bytes(v))
    }

    /// Removes `k`.
    pub fn remove(&self, k: &K) {
        remove(&self.key(k))
    }

    /// Every entry in key order.
    pub fn iter(&self) -> impl Iterator<Item = (K, V)> + '_ {
        let start = self.prefix.as_bytes();
        range(start, prefix_end(start).as_deref()).map(move |(key, value)| {
            let k = K::read_key(&key[start.len()..]).unwrap_or_else(|| corrupt(self.prefix));
            (k, decode(&value, self.prefix))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use alloc::vec;

    #[test]
    fn an_item_is_none_until_set_and_stored_at_its_name() {
        testing::reset();
        let item: Item<u64> = Item::new("n");
        assert_eq!(item.get(), None);
        item.set(&7);
        assert_eq!(item.load(), 7);
        assert_eq!(get(b"n"), Some(7u64.to_le_bytes().to_vec()));
        item.remove();
        assert_eq!(item.get(), None);
    }

    #[test]
    #[should_panic(expected = "storage: 'missing' is not set")]
    fn loading_an_unset_item_aborts_naming_it() {
        testing::reset();
        Item::<u8>::new("missing").load();
    }

    #[test]
    #[should_panic(expected = "does not decode")]
    fn a_corrupt_value_aborts() {
        testing::reset();
        set(b"n", &[1, 2]);
        Item::<u64>::new("n").load();
    }

    #[test]
    fn map_iterates_its_own_entries_in_key_order() {
        testing::reset();
        let a: Map<u32, u8> = Map::new("a/");
        // Neighbours on both sides of the prefix range.
        set(b"a.", b"x");
        set(b"a0", b"x");
        for k in [300u32, 2, 70000, 0] {
            a.set(&k, &(k as u8));
        }
        assert!(a.has(&2) && !a.has(&3));
        let all: Vec<(u32, u8)> = a.iter().collect();
        assert_eq!(all, vec![(0, 0), (2, 2), (300, 44), (70000, 112)]);
        a.remove(&2);
        assert_eq!(a.iter().count(), 3);
    }

    #[test]
    fn map_under_an_all_ff_prefix_has_no_end_and_still_stops() {
        testing::reset();
        let m: Map<[u8; 1], u8> = Map::new("\u{7f}");
        m.set(&[0xff], &1);
        m.set(&[0x00], &2);
        assert_eq!(m.iter().collect::<Vec<_>>(), vec![([0x00], 2), ([0xff], 1)]);
    }

    #[test]
    fn range_walks_keys_of_the_maximum_length() {
        testing::reset();
        let long_a = vec![b'k'; MAX_KEY_LEN];
        let mut long_b = long_a.clone();
        *long_b.last_mut().unwrap() = 0xff;
        let after = b"l".to_vec();
        for k in [&long_a, &long_b, &after] {
            set(k, b"v");
        }
        let keys: Vec<Vec<u8>> = range(b"k", None).map(|(k, _)| k).collect();
        assert_eq!(keys, vec![long_a, long_b, after]);
    }

    #[test]
    fn next_honours_the_end_and_an_empty_end_is_empty() {
        testing::reset();
        set(b"b", b"1");
        assert_eq!(next(b"a", Some(b"b")), None);
        assert_eq!(next(b"a", Some(b"c")), Some((b"b".to_vec(), b"1".to_vec())));
        assert_eq!(next(b"a", None), Some((b"b".to_vec(), b"1".to_vec())));
        assert_eq!(next(b"", Some(b"")), None);
    }

    #[test]
    fn prefix_end_increments_the_last_byte_below_ff() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xff, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff]), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    #[should_panic(expected = "key longer than 256 bytes")]
    fn a_key_over_the_limit_aborts() {
        set(&[0; MAX_KEY_LEN + 1], b"");
    }

    #[test]
    #[should_panic(expected = "value longer than 64 KiB")]
    fn a_value_over_the_limit_aborts() {
        set(b"k", &vec![0; MAX_VALUE_LEN + 1]);
    }

    #[test]
    fn values_at_the_limits_are_fine() {
        testing::reset();
        set(&[1; MAX_KEY_LEN], &vec![2; MAX_VALUE_LEN]);
        assert_eq!(get(&[1; MAX_KEY_LEN]).map(|v| v.len()), Some(MAX_VALUE_LEN));
    }
}
