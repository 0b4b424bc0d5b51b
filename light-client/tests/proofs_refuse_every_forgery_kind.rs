//! State proofs through the client: a real JMT, a certified header carrying
//! its root, and every kind of forged proof refused.

use ics23::commitment_proof::Proof;
use ics23::{CommitmentProof, HashOp};
use jmt::mock::MockTreeStore;
use jmt::{JellyfishMerkleTree, KeyHash};
use sha2::Sha256;
use tributary_light_client::{ClientState, LightClientError, ProofError};
use tributary_light_client_testchain::{equal, params, TestChain};
use tributary_types::Hash;

struct Tree {
    store: MockTreeStore,
    root: Hash,
}

impl Tree {
    fn new(entries: &[(&[u8], &[u8])]) -> Tree {
        let store = MockTreeStore::default();
        let tree = JellyfishMerkleTree::<_, Sha256>::new(&store);
        let writes = entries.iter().map(|(k, v)| (KeyHash::with::<Sha256>(k), Some(v.to_vec())));
        let (root, batch) = tree.put_value_set(writes, 1).unwrap();
        for (k, _) in entries {
            store.put_key_preimage(KeyHash::with::<Sha256>(k), &k.to_vec());
        }
        store.write_tree_update_batch(batch).unwrap();
        Tree { store, root: Hash(root.0) }
    }

    fn proof(&self, key: &[u8]) -> CommitmentProof {
        JellyfishMerkleTree::<_, Sha256>::new(&self.store).get_with_ics23_proof(key.to_vec(), 1).unwrap().1
    }
}

const ENTRIES: &[(&[u8], &[u8])] = &[
    (b"bank/balance/a/utrib", b"100"),
    (b"bank/balance/b/utrib", b"200"),
    (b"bank/balance/c/utrib", b"300"),
    (b"sys/height", b"1"),
    (b"staking/set/active", b"set"),
];

/// A client that followed a chain to height 2, whose header carries `root`.
fn client_with_root(root: Hash) -> ClientState {
    let mut chain = TestChain::new(params(21), &equal(0, 4, 10));
    chain.roots.insert(2, root);
    chain.push(None);
    chain.push(None);
    let mut client = chain.client_at(0);
    client.apply_update(&chain.update(2, 0), chain.now_after(2)).unwrap();
    client
}

fn exist(proof: &mut CommitmentProof) -> &mut ics23::ExistenceProof {
    match &mut proof.proof {
        Some(Proof::Exist(e)) => e,
        _ => panic!("not an existence proof"),
    }
}

#[test]
fn membership_and_absence_verify_at_a_certified_height() {
    let tree = Tree::new(ENTRIES);
    let client = client_with_root(tree.root);
    for (key, value) in ENTRIES {
        client.verify_membership_at(2, key, value, &tree.proof(key)).unwrap();
    }
    client.verify_non_membership_at(2, b"bank/balance/z/utrib", &tree.proof(b"bank/balance/z/utrib")).unwrap();
    // The same proof at a height whose root is another.
    let key = ENTRIES[0].0;
    let err = client.verify_membership_at(0, key, ENTRIES[0].1, &tree.proof(key)).unwrap_err();
    assert_eq!(err, LightClientError::Proof(ProofError::MembershipFailed));
    assert_eq!(client.verify_membership_at(3, key, b"", &tree.proof(key)), Err(LightClientError::UnknownHeight(3)));
}

#[test]
fn a_mutated_value_or_path_is_refused() {
    let tree = Tree::new(ENTRIES);
    let client = client_with_root(tree.root);
    let (key, value) = ENTRIES[1];
    let proof = tree.proof(key);
    let fail = Err(LightClientError::Proof(ProofError::MembershipFailed));
    assert_eq!(client.verify_membership_at(2, key, b"201", &proof), fail);
    assert_eq!(client.verify_membership_at(2, b"bank/balance/b/uatom", value, &proof), fail);
    // The proof's own key and value edited to match the claim.
    let mut edited = proof.clone();
    exist(&mut edited).value = b"999".to_vec();
    assert_eq!(client.verify_membership_at(2, key, b"999", &edited), fail);
    let mut edited = proof.clone();
    exist(&mut edited).key = b"bank/balance/b/uatom".to_vec();
    assert_eq!(client.verify_membership_at(2, b"bank/balance/b/uatom", value, &edited), fail);
    // A path step edited.
    let mut edited = proof;
    let step = exist(&mut edited).path.first_mut().unwrap();
    if let Some(byte) = step.suffix.iter_mut().chain(step.prefix.iter_mut()).last() {
        *byte ^= 1;
    }
    assert_eq!(client.verify_membership_at(2, key, value, &edited), fail);
}

#[test]
fn a_proof_built_for_another_spec_is_refused() {
    let tree = Tree::new(ENTRIES);
    let client = client_with_root(tree.root);
    let (key, value) = ENTRIES[2];
    let fail = Err(LightClientError::Proof(ProofError::MembershipFailed));
    // Another leaf prefix (IAVL's style), another hash, another length rule.
    let mut other = tree.proof(key);
    exist(&mut other).leaf.as_mut().unwrap().prefix = vec![0];
    assert_eq!(client.verify_membership_at(2, key, value, &other), fail);
    let mut other = tree.proof(key);
    exist(&mut other).leaf.as_mut().unwrap().hash = HashOp::Sha512.into();
    assert_eq!(client.verify_membership_at(2, key, value, &other), fail);
    let mut other = tree.proof(key);
    exist(&mut other).leaf.as_mut().unwrap().prehash_value = HashOp::NoHash.into();
    assert_eq!(client.verify_membership_at(2, key, value, &other), fail);
    // Dragonberry: an inner node dressed up as a leaf. Drop the first step and
    // claim its child hashes are a "value" under a leaf op: the leaf prefix
    // check must refuse it.
    let mut inner_as_leaf = tree.proof(key);
    let e = exist(&mut inner_as_leaf);
    if !e.path.is_empty() {
        let step = e.path.remove(0);
        e.leaf.as_mut().unwrap().prefix = step.prefix.clone();
        assert_eq!(client.verify_membership_at(2, key, value, &inner_as_leaf), fail);
    }
}

#[test]
fn a_forged_neighbour_or_the_wrong_kind_is_refused() {
    let tree = Tree::new(ENTRIES);
    let client = client_with_root(tree.root);
    let absent = b"bank/balance/z/utrib";
    let present = ENTRIES[0].0;
    // An absence proof for one key does not show another (present) key absent.
    let err = client.verify_non_membership_at(2, present, &tree.proof(absent)).unwrap_err();
    assert_eq!(err, LightClientError::Proof(ProofError::NonMembershipFailed));
    // Forged neighbours: an existence proof of a far key in place of a neighbour.
    let far = tree.proof(ENTRIES[3].0);
    let far = match far.proof {
        Some(Proof::Exist(e)) => e,
        _ => unreachable!(),
    };
    for side in 0..2 {
        let mut forged = tree.proof(absent);
        if let Some(Proof::Nonexist(n)) = &mut forged.proof {
            let slot = if side == 0 { &mut n.left } else { &mut n.right };
            if slot.as_ref().map(|e| e.key == far.key).unwrap_or(false) {
                continue;
            }
            *slot = Some(far.clone());
        }
        assert_eq!(
            client.verify_non_membership_at(2, absent, &forged),
            Err(LightClientError::Proof(ProofError::NonMembershipFailed))
        );
    }
    // Wrong kinds both ways.
    let err = client.verify_non_membership_at(2, present, &tree.proof(present)).unwrap_err();
    assert!(matches!(err, LightClientError::Proof(ProofError::NotNonExistence(_))));
    let err = client.verify_membership_at(2, absent, b"", &tree.proof(absent)).unwrap_err();
    assert!(matches!(err, LightClientError::Proof(ProofError::NotExistence(_))));
    // Garbage bytes never get that far.
    assert!(tributary_light_client::decode_proof(&[0x0a, 0xff, 0xff]).is_err());
}
