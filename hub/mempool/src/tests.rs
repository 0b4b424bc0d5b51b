use super::*;
use proptest::prelude::*;
use tributary_crypto::SigningKey;
use tributary_types::{SignDoc, TxBody};

#[derive(Default)]
struct View {
    nonces: BTreeMap<Address, u64>,
    balances: BTreeMap<(Address, Denom), Amount>,
}

impl AccountView for View {
    fn nonce(&self, a: &Address) -> u64 {
        self.nonces.get(a).copied().unwrap_or(0)
    }
    fn balance(&self, a: &Address, d: &Denom) -> Amount {
        self.balances.get(&(*a, d.clone())).copied().unwrap_or(0)
    }
}

fn denom() -> Denom {
    Denom::new("utrib").unwrap()
}

fn config(max_txs: usize) -> MempoolConfig {
    MempoolConfig {
        chain_id: ChainId::new("test-hub").unwrap(),
        native_denom: denom(),
        min_fee: 10,
        gas: Default::default(),
        max_tx_bytes: 1024,
        max_txs,
        max_bytes: 1 << 20,
        max_txs_per_sender: 64,
    }
}

fn tx(key: &SigningKey, nonce: u64, fee: Amount, amount: Amount) -> Tx {
    key.sign_tx(SignDoc {
        chain_id: ChainId::new("test-hub").unwrap(),
        sender: key.public_key(),
        nonce,
        fee,
        body: TxBody::Transfer { to: Address([1; 20]), denom: denom(), amount },
    })
}

fn funded(view: &mut View, key: &SigningKey, amount: Amount) {
    view.balances.insert((key.public_key().address(), denom()), amount);
}

/// Three new keys, each funded with 10,000.
fn three_funded(view: &mut View) -> [SigningKey; 3] {
    let keys = [SigningKey::generate(), SigningKey::generate(), SigningKey::generate()];
    for k in &keys {
        funded(view, k, 10_000);
    }
    keys
}

fn admit(pool: &mut Mempool, t: Tx, view: &View) -> Result<Hash, AdmitError> {
    let len = t.encoded_len();
    pool.admit(t, len, view)
}

#[test]
fn admits_a_valid_transfer_and_refuses_its_duplicate() {
    let key = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &key, 1_000);
    let mut pool = Mempool::new(config(100));
    let t = tx(&key, 0, 10, 5);
    let hash = admit(&mut pool, t.clone(), &view).unwrap();
    assert_eq!(hash, t.hash());
    assert_eq!(admit(&mut pool, t, &view), Err(AdmitError::Duplicate(hash)));
    assert_eq!(pool.len(), 1);
}

#[test]
fn each_bad_input_gets_its_own_error() {
    let key = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &key, 100);
    let mut pool = Mempool::new(config(100));

    let mut wrong_chain = tx(&key, 0, 10, 1);
    wrong_chain.chain_id = ChainId::new("other").unwrap();
    assert!(matches!(admit(&mut pool, wrong_chain, &view), Err(AdmitError::WrongChain { .. })));

    let mut forged = tx(&key, 0, 10, 1);
    forged.body = TxBody::Transfer { to: Address([1; 20]), denom: denom(), amount: 2 };
    assert!(matches!(admit(&mut pool, forged, &view), Err(AdmitError::BadSignature { .. })));

    assert!(matches!(admit(&mut pool, tx(&key, 0, 9, 1), &view), Err(AdmitError::FeeTooLow { min: 10, got: 9 })));
    assert!(matches!(admit(&mut pool, tx(&key, 0, 10, 0), &view), Err(AdmitError::ZeroAmount)));
    assert!(matches!(
        admit(&mut pool, tx(&key, 0, 10, 91), &view),
        Err(AdmitError::InsufficientBalance { needed: 101, available: 100, .. })
    ));
    assert!(matches!(
        admit(&mut pool, tx(&key, 1, 10, 1), &view),
        Err(AdmitError::NonceTooHigh { expected: 0, got: 1, .. })
    ));
    view.nonces.insert(key.public_key().address(), 3);
    assert!(matches!(
        admit(&mut pool, tx(&key, 2, 10, 1), &view),
        Err(AdmitError::NonceTooLow { expected: 3, got: 2, .. })
    ));

    let stranger = SigningKey::generate();
    assert!(matches!(admit(&mut pool, tx(&stranger, 0, 10, 1), &view), Err(AdmitError::UnknownAccount { .. })));

    let mut small = config(100);
    small.max_tx_bytes = 50;
    let mut pool = Mempool::new(small);
    assert!(matches!(admit(&mut pool, tx(&key, 3, 10, 1), &view), Err(AdmitError::TooLarge { max: 50, .. })));
    assert!(pool.is_empty(), "nothing refused is kept");
}

#[test]
fn batch_admission_names_each_bad_signature() {
    let a = SigningKey::generate();
    let b = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &a, 1_000);
    funded(&mut view, &b, 1_000);
    let mut pool = Mempool::new(config(100));
    let mut forged = tx(&b, 0, 10, 1);
    forged.signature.0[3] ^= 1;
    let batch: Vec<(Tx, usize)> = [tx(&a, 0, 10, 1), forged, tx(&a, 1, 10, 1), tx(&a, 3, 10, 1)]
        .into_iter()
        .map(|t| {
            let len = t.encoded_len();
            (t, len)
        })
        .collect();
    let results = pool.admit_batch(batch, &view, BatchSearch::Bisect);
    assert!(results[0].is_ok());
    assert!(matches!(results[1], Err(AdmitError::BadSignature { .. })));
    assert!(results[2].is_ok(), "nonce 1 follows the admitted nonce 0 of the same batch");
    assert!(matches!(results[3], Err(AdmitError::NonceTooHigh { expected: 2, .. })));
    assert_eq!(pool.len(), 2);
}

#[test]
fn garbage_signatures_are_refused_whole_without_checking_each_one() {
    let keys: Vec<SigningKey> = (0..40).map(|_| SigningKey::generate()).collect();
    let mut view = View::default();
    for key in &keys {
        funded(&mut view, key, 1_000);
    }
    let mut pool = Mempool::new(config(100));
    let with_len = |t: Tx| {
        let len = t.encoded_len();
        (t, len)
    };
    // Seven bad among forty: each named, the rest admitted.
    let batch: Vec<(Tx, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let mut t = tx(key, 0, 10, 1);
            if i % 6 == 1 {
                t.signature.0[7] ^= 1;
            }
            with_len(t)
        })
        .collect();
    let results = pool.admit_batch(batch, &view, BatchSearch::Bisect);
    let refused = results.iter().filter(|r| matches!(r, Err(AdmitError::BadSignature { .. }))).count();
    assert_eq!((refused, pool.len()), (7, 33));
    // Eight or more bad: the search stops there and nothing is admitted.
    let mut pool = Mempool::new(config(100));
    let batch: Vec<(Tx, usize)> = keys
        .iter()
        .map(|key| {
            let mut t = tx(key, 0, 10, 1);
            t.signature.0[9] ^= 1;
            with_len(t)
        })
        .collect();
    let results = pool.admit_batch(batch.clone(), &view, BatchSearch::Bisect);
    assert!(results.iter().all(|r| *r == Err(AdmitError::BadBatch { max: BAD_SIGNATURES_MAX })), "{results:?}");
    assert!(pool.is_empty());
    // Gossip is not searched at all: one bad signature refuses the batch.
    let mut one_bad: Vec<(Tx, usize)> = keys.iter().map(|key| with_len(tx(key, 0, 10, 1))).collect();
    one_bad[20].0.signature.0[9] ^= 1;
    let results = pool.admit_batch(one_bad.clone(), &view, BatchSearch::None);
    assert!(results.iter().all(|r| *r == Err(AdmitError::BadBatch { max: 1 })), "{results:?}");
    assert!(pool.is_empty());
    one_bad[20].0.signature.0[9] ^= 1;
    assert!(pool.admit_batch(one_bad, &view, BatchSearch::None).iter().all(Result::is_ok));
    assert_eq!(pool.len(), 40);
}

/// What a peer gossips again (a waiting transaction, one the chain has
/// passed, one a block this node checked held) costs no signature check: a
/// copy with a broken signature is refused for what it is, and one whose
/// hash was verified in a block is not verified again.
#[test]
fn duplicates_stale_nonces_and_block_verified_transactions_skip_the_signature_check() {
    let mut view = View::default();
    let [a, b, c] = three_funded(&mut view);
    let mut pool = Mempool::new(config(100));
    let waiting = tx(&a, 0, 10, 1);
    admit(&mut pool, waiting.clone(), &view).unwrap();
    view.nonces.insert(b.public_key().address(), 3);
    let mut stale = tx(&b, 1, 10, 1);
    stale.signature.0[5] ^= 1;
    let from_block = tx(&c, 0, 10, 1);
    pool.note_verified([from_block.hash()]);
    let batch: Vec<(Tx, usize)> = [waiting.clone(), stale, from_block.clone()]
        .into_iter()
        .map(|t| {
            let len = t.encoded_len();
            (t, len)
        })
        .collect();
    assert_eq!(pool.triage(&batch, &view).to_verify(), 0);
    let results = pool.admit_batch(batch, &view, BatchSearch::None);
    assert_eq!(results[0], Err(AdmitError::Duplicate(waiting.hash())));
    assert!(matches!(results[1], Err(AdmitError::NonceTooLow { expected: 3, got: 1, .. })), "{results:?}");
    assert_eq!(results[2], Ok(from_block.hash()));
    assert!(pool.signature_verified(&from_block.hash()));
}

#[test]
fn pending_transactions_count_against_nonce_and_balance() {
    let key = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &key, 100);
    let mut pool = Mempool::new(config(100));
    admit(&mut pool, tx(&key, 0, 10, 30), &view).unwrap();
    admit(&mut pool, tx(&key, 1, 10, 30), &view).unwrap();
    // 80 spent by pending, 20 left: 10 fee + 11 is too much.
    assert!(matches!(
        admit(&mut pool, tx(&key, 2, 10, 11), &view),
        Err(AdmitError::InsufficientBalance { available: 20, needed: 21, .. })
    ));
    // Same nonce as a pending one.
    assert!(matches!(admit(&mut pool, tx(&key, 1, 20, 1), &view), Err(AdmitError::NonceTooLow { expected: 2, .. })));
    admit(&mut pool, tx(&key, 2, 10, 10), &view).unwrap();
    assert_eq!(pool.next_nonce(&key.public_key().address(), &view), 3);
}

fn signed(key: &SigningKey, nonce: u64, body: TxBody) -> Tx {
    key.sign_tx(SignDoc { chain_id: ChainId::new("test-hub").unwrap(), sender: key.public_key(), nonce, fee: 10, body })
}

#[test]
fn bonding_counts_against_the_native_balance_and_unbonding_only_pays_the_fee() {
    let key = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &key, 100);
    let mut pool = Mempool::new(config(100));
    let validator = Address([4; 20]);
    let register = TxBody::RegisterValidator { vrf_public_key: [0; 32], self_bond: 50 };
    admit(&mut pool, signed(&key, 0, register), &view).unwrap();
    // 60 pending, 40 left: a bond of 31 plus its fee of 10 is too much.
    assert!(matches!(
        admit(&mut pool, signed(&key, 1, TxBody::Bond { validator, amount: 31 }), &view),
        Err(AdmitError::InsufficientBalance { available: 40, needed: 41, .. })
    ));
    admit(&mut pool, signed(&key, 1, TxBody::Bond { validator, amount: 20 }), &view).unwrap();
    // 10 left: unbonding and evidence spend only their fee, whatever the amount.
    admit(&mut pool, signed(&key, 2, TxBody::Unbond { validator, amount: 1_000 }), &view).unwrap();
    assert!(matches!(
        admit(&mut pool, signed(&key, 3, TxBody::SubmitEvidence { evidence: vec![1] }), &view),
        Err(AdmitError::InsufficientBalance { available: 0, needed: 10, .. })
    ));
    assert_eq!(
        admit(&mut pool, signed(&key, 3, TxBody::Bond { validator, amount: 0 }), &view),
        Err(AdmitError::ZeroAmount)
    );
}

#[test]
fn burning_spends_the_asset_and_child_chain_bodies_spend_only_the_fee() {
    let key = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &key, 60);
    let gold = Denom::new("asset/gold").unwrap();
    view.balances.insert((key.public_key().address(), gold.clone()), 5);
    let mut pool = Mempool::new(config(100));
    let burn = |amount| TxBody::BurnAsset { denom: gold.clone(), amount };
    assert_eq!(admit(&mut pool, signed(&key, 0, burn(0)), &view), Err(AdmitError::ZeroAmount));
    let issue = TxBody::IssueAsset {
        symbol: "GOLD".into(),
        name: "Gold".into(),
        decimals: 0,
        supply: 0,
        metadata: String::new(),
        freezable: false,
    };
    assert_eq!(admit(&mut pool, signed(&key, 0, issue), &view), Err(AdmitError::ZeroAmount));
    admit(&mut pool, signed(&key, 0, burn(3)), &view).unwrap();
    // 2 gold left after the pending burn.
    assert!(matches!(
        admit(&mut pool, signed(&key, 1, burn(3)), &view),
        Err(AdmitError::InsufficientBalance { available: 2, needed: 3, .. })
    ));
    let others = [
        TxBody::FreezeAsset { denom: gold.clone(), account: Address([1; 20]), frozen: true },
        TxBody::CreatePoll {
            question: "?".into(),
            options: vec!["a".into(), "b".into()],
            deadline_height: 10,
            weight: tributary_types::PollWeight::OnePerAccount,
        },
        TxBody::CastVote { poll_id: 0, option: 1 },
        TxBody::SendMessage { to: Address([1; 20]), body: vec![1; 100], encrypted: false },
    ];
    for (i, body) in others.into_iter().enumerate() {
        admit(&mut pool, signed(&key, 1 + i as u64, body), &view).unwrap();
    }
    // 60 native: five fees of 10 are pending, so a sixth fits and a seventh does not.
    let message = || TxBody::SendMessage { to: Address([1; 20]), body: vec![1], encrypted: true };
    admit(&mut pool, signed(&key, 5, message()), &view).unwrap();
    assert!(matches!(
        admit(&mut pool, signed(&key, 6, message()), &view),
        Err(AdmitError::InsufficientBalance { available: 0, needed: 10, .. })
    ));
}

#[test]
fn selection_is_by_fee_but_keeps_each_senders_nonce_order() {
    let a = SigningKey::generate();
    let b = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &a, 10_000);
    funded(&mut view, &b, 10_000);
    let mut pool = Mempool::new(config(100));
    admit(&mut pool, tx(&a, 0, 10, 1), &view).unwrap();
    admit(&mut pool, tx(&a, 1, 500, 1), &view).unwrap();
    admit(&mut pool, tx(&b, 0, 50, 1), &view).unwrap();
    let picked: Vec<(u64, Amount)> = pool.select(10).iter().map(|t| (t.nonce, t.fee)).collect();
    // b's 50 beats a's head (10); a's 500 must wait for a's nonce 0.
    assert_eq!(picked, vec![(0, 50), (0, 10), (1, 500)]);
    assert_eq!(pool.select(1).len(), 1);
}

#[test]
fn full_pool_evicts_only_cheaper_tails_of_other_senders() {
    let mut view = View::default();
    let [a, b, c] = three_funded(&mut view);
    let mut pool = Mempool::new(config(3));
    admit(&mut pool, tx(&a, 0, 30, 1), &view).unwrap();
    admit(&mut pool, tx(&a, 1, 11, 1), &view).unwrap();
    let b0 = admit(&mut pool, tx(&b, 0, 20, 1), &view).unwrap();
    // Not more than the cheapest tail (a's nonce 1 at fee 11): refused.
    assert_eq!(admit(&mut pool, tx(&c, 0, 11, 1), &view), Err(AdmitError::Full { min_fee_to_enter: 11 }));
    assert_eq!(pool.len(), 3);
    // Pays more: a's tail (nonce 1) goes, a's head stays.
    admit(&mut pool, tx(&c, 0, 12, 1), &view).unwrap();
    assert_eq!(pool.len(), 3);
    assert_eq!(pool.next_nonce(&a.public_key().address(), &view), 1);
    assert!(pool.contains(&b0));
}

#[test]
fn recheck_drops_included_and_stale_transactions() {
    let a = SigningKey::generate();
    let mut view = View::default();
    funded(&mut view, &a, 1_000);
    let mut pool = Mempool::new(config(100));
    let t0 = tx(&a, 0, 10, 1);
    admit(&mut pool, t0.clone(), &view).unwrap();
    let h1 = admit(&mut pool, tx(&a, 1, 10, 1), &view).unwrap();
    admit(&mut pool, tx(&a, 2, 10, 1), &view).unwrap();
    // A block included t0 and, elsewhere, nonce 1 was used and the balance drained.
    view.nonces.insert(a.public_key().address(), 2);
    funded(&mut view, &a, 5);
    let dropped = pool.recheck(&[t0.hash()], &view);
    assert!(dropped.contains(&h1));
    assert_eq!(pool.len(), 0, "nonce 2 is no longer affordable");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// Whatever arrives, the pool stays within its bounds and its selection
    /// gives every sender a gap-free run of nonces from the committed one.
    #[test]
    fn bounds_and_nonce_runs_hold(ops in prop::collection::vec((0usize..4, 0u64..6, 10u128..60), 1..60)) {
        let keys: Vec<SigningKey> = (0..4).map(|_| SigningKey::generate()).collect();
        let mut view = View::default();
        for k in &keys { funded(&mut view, k, 400); }
        let mut pool = Mempool::new(config(8));
        for (who, nonce, fee) in ops {
            let _ = admit(&mut pool, tx(&keys[who], nonce, fee, 1), &view);
            prop_assert!(pool.len() <= 8);
        }
        let mut next: BTreeMap<Address, u64> = BTreeMap::new();
        for t in pool.select(100) {
            let expected = next.entry(t.sender_address()).or_insert(0);
            prop_assert_eq!(t.nonce, *expected);
            *expected += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Each sender's spend total, kept with every admission, eviction and
    /// recheck (so admission does not sum a whole queue), stays the sum of
    /// what its waiting transactions spend; and a balance check against it
    /// refuses exactly what the sum would.
    #[test]
    fn kept_spend_totals_are_the_sum_of_each_queue(
        ops in prop::collection::vec((0usize..3, 10u128..40, 1u128..120, any::<bool>()), 1..80),
    ) {
        let keys: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate()).collect();
        let mut view = View::default();
        for k in &keys { funded(&mut view, k, 300); }
        let mut pool = Mempool::new(config(6));
        for (who, fee, amount, commit) in ops {
            let sender = keys[who].public_key().address();
            let t = tx(&keys[who], pool.next_nonce(&sender, &view), fee, amount);
            let summed: Amount = pool.by_sender.get(&sender).into_iter()
                .flat_map(|q| q.values()).flat_map(|e| e.spend.iter()).map(|(_, a)| *a).sum();
            let affordable = fee + amount + summed <= view.balance(&sender, &denom());
            match admit(&mut pool, t, &view) {
                Err(AdmitError::InsufficientBalance { .. }) => prop_assert!(!affordable),
                Ok(_) => prop_assert!(affordable),
                Err(_) => {}
            }
            prop_assert!(pool.pending_spend_is_the_queues_sum());
            if commit {
                // A block includes the first waiting transaction of this
                // sender and charges it.
                let first = pool.by_sender.get(&sender).and_then(|q| q.values().next()).map(|e| (e.hash, e.tx.nonce, e.spend.clone()));
                if let Some((hash, nonce, spend)) = first {
                    if nonce == view.nonce(&sender) {
                        view.nonces.insert(sender, nonce + 1);
                        let paid: Amount = spend.iter().map(|(_, a)| *a).sum();
                        let balance = view.balance(&sender, &denom());
                        view.balances.insert((sender, denom()), balance - paid);
                        pool.recheck(&[hash], &view);
                        prop_assert!(pool.pending_spend_is_the_queues_sum());
                    }
                }
            }
        }
    }
}

/// A full pool finds its victims from a fee index kept with every admission
/// and removal, not by sorting every waiting transaction on each admission
/// (issue 16). The index walk passes entries that are not yet a tail; one
/// that becomes the tail when the entry after it is evicted must still be
/// next in line: here a's nonce 0 (fee 12) is the cheapest of all but only
/// becomes a tail once a's nonce 1 (fee 13) is gone, and a transaction that
/// needs two slots' worth of bytes takes both, not b's dearer one.
#[test]
fn a_full_pool_evicts_the_cheapest_tails_even_ones_that_become_tails_on_the_way() {
    let mut view = View::default();
    let [a, b, c] = three_funded(&mut view);
    let one = tx(&a, 0, 12, 1).encoded_len();
    let mut pool = Mempool::new(MempoolConfig { max_bytes: 3 * one, ..config(100) });
    admit(&mut pool, tx(&a, 0, 12, 1), &view).unwrap();
    admit(&mut pool, tx(&a, 1, 13, 1), &view).unwrap();
    let b0 = admit(&mut pool, tx(&b, 0, 40, 1), &view).unwrap();
    // c's transaction is larger than one of them (no more than two): it
    // needs a's nonce 1 and then a's nonce 0 gone, in one admission.
    let mut pad = one;
    let large = loop {
        let t = signed(&c, 0, TxBody::AnchorHeader { chain_id: ChainId::new("kid").unwrap(), update: vec![0; pad] });
        let t = c.sign_tx(SignDoc { fee: 30, ..t.sign_doc() });
        if t.encoded_len() > one {
            break t;
        }
        pad += 8;
    };
    assert!(large.encoded_len() <= 2 * one);
    admit(&mut pool, large, &view).unwrap();
    assert_eq!(pool.len(), 2, "both of a's went, cheapest tails first");
    assert_eq!(pool.next_nonce(&a.public_key().address(), &view), 0);
    assert!(pool.contains(&b0), "b's dearer transaction stays");
    // Full of fee 30 and 40 now: a fee of 30 buys nothing.
    let d = SigningKey::generate();
    funded(&mut view, &d, 10_000);
    assert_eq!(admit(&mut pool, tx(&d, 0, 30, 1), &view), Err(AdmitError::Full { min_fee_to_enter: 30 }));
}

/// The bench's stall (`hub bench --only fill`, validator 3, nonces
/// 7265-7271): a client sends each sender's transfers in nonce order, all
/// at one fee, into a pool at its count bound; dearer transactions (a
/// burst of anchors) then arrive. Each pushes out the cheapest tail, and
/// among equal fees the newest: the last transfers the client was told
/// were admitted. Nothing in the pool is stranded, but the client's next
/// transfer is now ahead of its sender's next nonce.
#[test]
fn dearer_transactions_evict_the_newest_admitted_transfers_and_rewind_their_senders() {
    let mut view = View::default();
    let lane: Vec<SigningKey> = (0..2).map(|_| SigningKey::generate()).collect();
    for k in &lane {
        funded(&mut view, k, 10_000);
    }
    let [anchorer, ..] = three_funded(&mut view);
    let mut pool = Mempool::new(config(12));
    // Six rounds, round-major as the bench sends them: the pool is full.
    for round in 0..6 {
        for k in &lane {
            admit(&mut pool, tx(k, round, 10, 1), &view).unwrap();
        }
    }
    assert_eq!(pool.len(), 12);
    // A burst of four dearer transactions: the last two rounds go.
    for n in 0..4 {
        admit(&mut pool, tx(&anchorer, n, 50, 1), &view).unwrap();
    }
    for k in &lane {
        let sender = k.public_key().address();
        assert_eq!(pool.next_nonce(&sender, &view), 4, "nonces 4 and 5 were admitted, then evicted");
        assert!(matches!(
            admit(&mut pool, tx(k, 6, 10, 1), &view),
            Err(AdmitError::NonceTooHigh { expected: 4, got: 6, .. })
        ));
    }
}

/// A full pool that needs several victims (a large transaction, bytes
/// bound) takes each victim once: an entry that the fee-index walk reaches
/// after it was promoted to a tail is not taken again from the promoted
/// set, which counted its bytes twice, left the pool over its bound, and
/// could make the next pick a transaction in the middle of a queue.
#[test]
fn a_victim_is_taken_once_even_when_the_walk_reaches_a_promoted_tail() {
    for entries in 3..=6u64 {
        let mut view = View::default();
        let [a, b, c] = three_funded(&mut view);
        let one = tx(&a, 0, 10, 1).encoded_len();
        let max_bytes = (entries as usize + 1) * one;
        let mut pool = Mempool::new(MempoolConfig { max_bytes, ..config(100) });
        for n in 0..entries {
            admit(&mut pool, tx(&a, n, 10, 1), &view).unwrap();
        }
        let b0 = admit(&mut pool, tx(&b, 0, 50, 1), &view).unwrap();
        assert_eq!(pool.bytes(), max_bytes);
        // Larger than entries - 1 transfers: every one of a's must go.
        let mut pad = one;
        let large = loop {
            let t = signed(&c, 0, TxBody::SendMessage { to: Address([1; 20]), body: vec![0; pad], encrypted: false });
            let t = c.sign_tx(SignDoc { fee: 30, ..t.sign_doc() });
            if t.encoded_len() > (entries as usize - 1) * one {
                break t;
            }
            pad += 8;
        };
        assert!(large.encoded_len() <= entries as usize * one);
        admit(&mut pool, large, &view).unwrap();
        assert!(pool.bytes() <= max_bytes, "{entries} entries: {} bytes over {max_bytes}", pool.bytes());
        assert!(pool.contains(&b0));
        assert_eq!(pool.next_nonce(&a.public_key().address(), &view), 0, "{entries} entries: a's all went");
        assert_eq!(pool.len(), 2);
    }
}
