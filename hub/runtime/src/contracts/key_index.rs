//! Each contract's storage keys in order, kept in the state tree beside its
//! values, so `storage_next` can walk them.
//!
//! The state tree is keyed by hash and has no order of its own; an index
//! kept by the node outside consensus would be one more thing to keep in
//! step with the tree (and to rebuild, and to trust). So the order is
//! state: sorted pages of at most [`PAGE_KEYS_MAX`] keys, and a directory of
//! the pages by the least key each may hold. Adding or removing a key
//! touches its page (and the directory when a page splits or empties); the
//! transaction pays for those writes like any other. Overwriting a key that
//! exists touches nothing here.
//!
//! - `contracts/keys/{address}/dir` → borsh [`Directory`]
//! - `contracts/keys/{address}/page/{id}` → borsh `Vec<Vec<u8>>`, sorted

use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::Address;

/// Keys one page holds before it splits in two.
pub const PAGE_KEYS_MAX: usize = 32;

/// The pages, in key order: each page's lower bound (the first page's is
/// empty: every key is at least that) and its id.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Directory {
    pub pages: Vec<(Vec<u8>, u32)>,
    pub next_id: u32,
}

fn dir_key(contract: &Address) -> Vec<u8> {
    format!("contracts/keys/{contract}/dir").into_bytes()
}

fn page_key(contract: &Address, id: u32) -> Vec<u8> {
    format!("contracts/keys/{contract}/page/{id}").into_bytes()
}

fn directory(state: &dyn StateRead, contract: &Address) -> Result<Directory, StateReadError> {
    Ok(read_value(state, &dir_key(contract))?.unwrap_or_default())
}

fn page(state: &dyn StateRead, contract: &Address, id: u32) -> Result<Vec<Vec<u8>>, StateReadError> {
    Ok(read_value(state, &page_key(contract, id))?.unwrap_or_default())
}

/// The index in `dir.pages` of the page that holds (or would hold) `key`.
fn page_of(dir: &Directory, key: &[u8]) -> usize {
    dir.pages.partition_point(|(bound, _)| bound.as_slice() <= key).saturating_sub(1)
}

/// Record that `contract` now stores `key` (a key it did not store).
pub fn insert(state: &mut Overlay<'_>, contract: &Address, key: &[u8]) -> Result<(), StateReadError> {
    let mut dir = directory(&*state, contract)?;
    let mut dir_changed = false;
    if dir.pages.is_empty() {
        dir.pages.push((Vec::new(), 0));
        dir.next_id = 1;
        dir_changed = true;
    }
    let at = page_of(&dir, key);
    let id = dir.pages[at].1;
    let mut keys = page(&*state, contract, id)?;
    match keys.binary_search_by(|k| k.as_slice().cmp(key)) {
        Ok(_) => return Ok(()),
        Err(i) => keys.insert(i, key.to_vec()),
    }
    if keys.len() > PAGE_KEYS_MAX {
        let upper = keys.split_off(keys.len() / 2);
        let new_id = dir.next_id;
        dir.next_id = dir.next_id.saturating_add(1);
        dir.pages.insert(at + 1, (upper[0].clone(), new_id));
        write_value(state, page_key(contract, new_id), &upper);
        dir_changed = true;
    }
    if dir_changed {
        write_value(state, dir_key(contract), &dir);
    }
    write_value(state, page_key(contract, id), &keys);
    Ok(())
}

/// Record that `contract` no longer stores `key`.
pub fn remove(state: &mut Overlay<'_>, contract: &Address, key: &[u8]) -> Result<(), StateReadError> {
    let mut dir = directory(&*state, contract)?;
    if dir.pages.is_empty() {
        return Ok(());
    }
    let at = page_of(&dir, key);
    let id = dir.pages[at].1;
    let mut keys = page(&*state, contract, id)?;
    let Ok(i) = keys.binary_search_by(|k| k.as_slice().cmp(key)) else { return Ok(()) };
    keys.remove(i);
    if keys.is_empty() && at > 0 {
        // An empty page other than the first goes; its keys' range falls to
        // the page before it.
        dir.pages.remove(at);
        state.delete(page_key(contract, id));
        write_value(state, dir_key(contract), &dir);
    } else {
        write_value(state, page_key(contract, id), &keys);
    }
    Ok(())
}

/// The first key of `contract` with `start <= key` (and `key < end`, if an
/// end is given).
pub fn next(
    state: &dyn StateRead,
    contract: &Address,
    start: &[u8],
    end: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, StateReadError> {
    let dir = directory(state, contract)?;
    let mut at = page_of(&dir, start);
    while let Some((_, id)) = dir.pages.get(at) {
        let keys = page(state, contract, *id)?;
        let i = keys.partition_point(|k| k.as_slice() < start);
        if let Some(found) = keys.get(i) {
            return Ok(end.is_none_or(|end| found.as_slice() < end).then(|| found.clone()));
        }
        at += 1;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn walk(state: &dyn StateRead, contract: &Address, start: &[u8], end: Option<&[u8]>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut from = start.to_vec();
        while let Some(key) = next(state, contract, &from, end).unwrap() {
            from = key.clone();
            from.push(0);
            out.push(key);
        }
        out
    }

    proptest! {
        /// Any sequence of inserts and removes leaves the index walking the
        /// same keys, in the same order, as a sorted set would; two
        /// contracts' keys never mix.
        #[test]
        fn the_index_walks_like_a_sorted_set(
            ops in proptest::collection::vec((any::<bool>(), proptest::collection::vec(0u8..6, 0..4), any::<bool>()), 0..400),
            start in proptest::collection::vec(0u8..6, 0..3),
            end in proptest::option::of(proptest::collection::vec(0u8..6, 0..3)),
        ) {
            let base: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            let mut state = Overlay::new(&base);
            let (a, b) = (Address([1; 20]), Address([2; 20]));
            let mut model: BTreeMap<Address, BTreeSet<Vec<u8>>> = BTreeMap::new();
            for (add, key, second) in ops {
                let contract = if second { b } else { a };
                let set = model.entry(contract).or_default();
                if add {
                    if set.insert(key.clone()) {
                        insert(&mut state, &contract, &key).unwrap();
                    }
                } else if set.remove(&key) {
                    remove(&mut state, &contract, &key).unwrap();
                }
            }
            for contract in [a, b] {
                let set = model.get(&contract).cloned().unwrap_or_default();
                let expected: Vec<Vec<u8>> = set
                    .iter()
                    .filter(|k| k.as_slice() >= start.as_slice() && end.as_deref().is_none_or(|e| k.as_slice() < e))
                    .cloned()
                    .collect();
                prop_assert_eq!(walk(&state, &contract, &start, end.as_deref()), expected);
            }
        }
    }

    #[test]
    fn pages_split_and_stay_bounded() {
        let base: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut state = Overlay::new(&base);
        let contract = Address([3; 20]);
        for i in 0..1_000u32 {
            insert(&mut state, &contract, &i.to_be_bytes()).unwrap();
        }
        let dir = directory(&state, &contract).unwrap();
        assert!(dir.pages.len() >= 1_000 / PAGE_KEYS_MAX, "{}", dir.pages.len());
        for (_, id) in &dir.pages {
            assert!(page(&state, &contract, *id).unwrap().len() <= PAGE_KEYS_MAX);
        }
        assert_eq!(walk(&state, &contract, &[], None).len(), 1_000);
        for i in 0..1_000u32 {
            remove(&mut state, &contract, &i.to_be_bytes()).unwrap();
        }
        assert_eq!(walk(&state, &contract, &[], None), Vec::<Vec<u8>>::new());
        assert_eq!(directory(&state, &contract).unwrap().pages.len(), 1, "emptied pages are dropped");
    }
}
