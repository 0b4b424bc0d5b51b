use super::*;
use ics23::HostFunctionsManager;
use proptest::prelude::*;
use tributary_store::Durability;

fn open() -> (tempfile::TempDir, StateDb, Arc<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    (dir, StateDb::new(store.clone()), store)
}

fn commit(db: &StateDb, store: &Store, writes: &WriteSet, version: u64) -> Root {
    let prepared = db.prepare(writes, version).unwrap();
    store.write(prepared.batch, Durability::Buffered).unwrap();
    prepared.root
}

fn ws(pairs: &[(&str, Option<&str>)]) -> WriteSet {
    pairs.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()))).collect()
}

fn exists(root: &Root, proof: &CommitmentProof, key: &[u8], value: &[u8]) -> bool {
    ics23::verify_membership::<HostFunctionsManager>(proof, &proof_spec(), &root.to_vec(), key, value)
}

fn absent(root: &Root, proof: &CommitmentProof, key: &[u8]) -> bool {
    ics23::verify_non_membership::<HostFunctionsManager>(proof, &proof_spec(), &root.to_vec(), key)
}

#[test]
fn proves_presence_and_absence_at_old_heights() {
    let (_dir, db, store) = open();
    let r0 = commit(&db, &store, &ws(&[("a", Some("1")), ("b", Some("2"))]), 0);
    let r1 = commit(&db, &store, &ws(&[("a", Some("10")), ("c", Some("3"))]), 1);
    let r2 = commit(&db, &store, &ws(&[("b", None)]), 2);
    assert_ne!(r0, r1);
    assert_ne!(r1, r2);

    // Height 0: a=1, b=2, no c.
    let (v, p) = db.get_with_proof(b"a", 0).unwrap();
    assert_eq!(v.as_deref(), Some(&b"1"[..]));
    assert!(exists(&r0, &p, b"a", b"1"));
    assert!(!exists(&r1, &p, b"a", b"1"), "a proof is bound to its root");
    let (v, p) = db.get_with_proof(b"c", 0).unwrap();
    assert!(v.is_none());
    assert!(absent(&r0, &p, b"c"));

    // Height 2: b deleted, a=10, c=3.
    let (v, p) = db.get_with_proof(b"b", 2).unwrap();
    assert!(v.is_none());
    assert!(absent(&r2, &p, b"b"));
    assert_eq!(db.get(b"a", 2).unwrap().as_deref(), Some(&b"10"[..]));
    assert_eq!(db.get(b"a", 0).unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(db.root(1).unwrap(), Some(r1));
    assert!(db.root(7).unwrap().is_none());
    assert!(matches!(db.get_with_proof(b"a", 7), Err(StateError::MissingVersion { height: 7 })));
}

#[test]
fn mutated_value_key_or_spec_is_rejected() {
    let (_dir, db, store) = open();
    let root = commit(&db, &store, &ws(&[("x", Some("v")), ("y", Some("w"))]), 0);
    let (_, p) = db.get_with_proof(b"x", 0).unwrap();
    assert!(exists(&root, &p, b"x", b"v"));
    assert!(!exists(&root, &p, b"x", b"V"));
    assert!(!exists(&root, &p, b"y", b"v"));
    let mut wrong_spec = proof_spec();
    wrong_spec.leaf_spec.as_mut().unwrap().prefix = vec![9];
    assert!(!ics23::verify_membership::<HostFunctionsManager>(&p, &wrong_spec, &root.to_vec(), b"x", b"v"));
    // A presence proof is no absence proof.
    assert!(!absent(&root, &p, b"x"));
}

#[test]
fn empty_values_are_refused() {
    // ICS23 cannot prove an empty value: writing one would make state unprovable.
    let (_dir, db, _store) = open();
    let err = db.prepare(&ws(&[("k", Some(""))]), 0).unwrap_err();
    assert!(matches!(err, StateError::EmptyValue { .. }), "{err}");
}

#[test]
fn reopened_store_serves_the_same_roots() {
    let dir = tempfile::tempdir().unwrap();
    let root = {
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let db = StateDb::new(store.clone());
        commit(&db, &store, &ws(&[("k", Some("v"))]), 0)
    };
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let db = StateDb::new(store);
    assert_eq!(db.root(0).unwrap(), Some(root));
    let (_, p) = db.get_with_proof(b"k", 0).unwrap();
    assert!(exists(&root, &p, b"k", b"v"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Random histories: every key at every height reads back as a model map
    /// says, with a proof that verifies against that height's root.
    #[test]
    fn random_histories_prove_against_every_height(
        history in prop::collection::vec(
            prop::collection::btree_map(0u8..24, prop::option::of(prop::collection::vec(any::<u8>(), 1..8)), 1..6),
            1..5)
    ) {
        let (_dir, db, store) = open();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut snapshots = Vec::new();
        for (version, writes) in history.iter().enumerate() {
            let mut writes: WriteSet = writes.iter().map(|(k, v)| (vec![b'k', *k], v.clone())).collect();
            // A chain's tree is never empty (the runtime writes `sys/height` every
            // block); an empty tree has no neighbours to prove an absence with.
            writes.insert(b"sys/height".to_vec(), Some(version.to_le_bytes().to_vec()));
            let root = commit(&db, &store, &writes, version as u64);
            for (k, v) in &writes {
                match v { Some(v) => { model.insert(k.clone(), v.clone()); } None => { model.remove(k); } }
            }
            snapshots.push((root, model.clone()));
        }
        for (version, (root, model)) in snapshots.iter().enumerate() {
            for k in 0u8..24 {
                let key = vec![b'k', k];
                let (value, proof) = db.get_with_proof(&key, version as u64).unwrap();
                prop_assert_eq!(value.as_ref(), model.get(&key));
                match value {
                    Some(v) => prop_assert!(exists(root, &proof, &key, &v)),
                    None => prop_assert!(absent(root, &proof, &key)),
                }
            }
        }
    }

    /// Reads through each key's newest write (`StateLatest`) give what the
    /// versioned values give at every height, old heights included; and a
    /// database whose newest-write column lacks entries (one made before
    /// the column existed) reads the same through the versioned values.
    #[test]
    fn reads_through_the_newest_write_match_every_height(
        history in prop::collection::vec(
            prop::collection::btree_map(0u8..16, prop::option::of(prop::collection::vec(any::<u8>(), 1..8)), 1..6),
            1..6),
        forget in prop::collection::vec(0u8..16, 0..8),
    ) {
        let (_dir, db, store) = open();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut snapshots = Vec::new();
        for (version, writes) in history.iter().enumerate() {
            let mut writes: WriteSet = writes.iter().map(|(k, v)| (vec![b'k', *k], v.clone())).collect();
            writes.insert(b"sys/height".to_vec(), Some(version.to_le_bytes().to_vec()));
            commit(&db, &store, &writes, version as u64);
            for (k, v) in &writes {
                match v { Some(v) => { model.insert(k.clone(), v.clone()); } None => { model.remove(k); } }
            }
            snapshots.push(model.clone());
        }
        let check = |snapshots: &Vec<BTreeMap<Vec<u8>, Vec<u8>>>| -> Result<(), TestCaseError> {
            for (version, model) in snapshots.iter().enumerate() {
                for k in 0u8..16 {
                    let key = vec![b'k', k];
                    let read = db.get(&key, version as u64).unwrap();
                    prop_assert_eq!(read.as_ref(), model.get(&key), "key {} at {}", k, version);
                }
            }
            Ok(())
        };
        check(&snapshots)?;
        let mut batch = tributary_store::Batch::new();
        for k in forget {
            batch.delete(Column::StateLatest, KeyHash::with::<sha2::Sha256>([b'k', k]).0.to_vec());
        }
        store.write(batch, Durability::Buffered).unwrap();
        check(&snapshots)?;
    }
}
