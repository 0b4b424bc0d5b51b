//! The `Txs` gossip payload: transactions batched into bounded messages.
//! Its own file because two jobs share it: the driver decodes what peers
//! send, and the API encodes what clients submit for gossip
//! ([`TxGossip`], which gathers submissions for a moment first).

use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;
use tributary_p2p::{NetworkHandle, Topic};
use tributary_types::{decode_bounded, Tx};

/// Most transactions in one `Txs` gossip message.
pub const TX_GOSSIP_BATCH_MAX: usize = 256;
/// Largest `Txs` gossip message.
pub const TX_GOSSIP_BYTES_MAX: usize = 1024 * 1024;

/// Decode a `Txs` gossip payload: a non-empty, bounded batch.
pub fn decode_tx_batch(bytes: &[u8]) -> Option<Vec<Tx>> {
    let txs: Vec<Tx> = decode_bounded("tx batch", bytes, TX_GOSSIP_BYTES_MAX).ok()?;
    (!txs.is_empty() && txs.len() <= TX_GOSSIP_BATCH_MAX).then_some(txs)
}

/// Encode transactions for `Txs` gossip, in messages within the limits.
pub fn encode_tx_batches(txs: &[Tx]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut batch: Vec<&Tx> = Vec::new();
    let mut bytes = 0;
    for tx in txs {
        let len = tx.encoded_len();
        if !batch.is_empty() && (batch.len() == TX_GOSSIP_BATCH_MAX || bytes + len > TX_GOSSIP_BYTES_MAX - 1024) {
            out.push(borsh::to_vec(&batch).unwrap_or_default());
            batch.clear();
            bytes = 0;
        }
        batch.push(tx);
        bytes += len;
    }
    if !batch.is_empty() {
        out.push(borsh::to_vec(&batch).unwrap_or_default());
    }
    out
}

/// How long admitted transactions wait for others to be gossiped with:
/// a tenth of the hub's 200 ms block interval.
pub const TX_GOSSIP_WINDOW: Duration = Duration::from_millis(20);

/// Most submissions waiting for [`TxGossip`] (each at most a `submitTxs`
/// call's 1,000 transactions): about 50 MB of transfers at worst.
pub const TX_GOSSIP_QUEUE: usize = 256;

/// Gossips what the API admits, gathered over [`TX_GOSSIP_WINDOW`].
///
/// Why: each submission call used to be gossiped as its own message. A
/// message costs the same framing, encryption, id hash and duplicate check
/// at each of the three peers whether it carries one transaction or 256,
/// so clients that submit one transaction at a time, or a few, at a steady
/// rate (the bench's paced load: ~30 per call, 240 calls/s) cost the
/// network several times what batches do. Gathered, the same load is a
/// few dozen messages a second. A submission that fills a message by
/// itself goes at once.
///
/// When the network cannot keep up and the queue is full, the submitting
/// call waits for room: memory stays bounded (each call used to leave a
/// task of its own holding its transactions until the network took them),
/// and a client that submits faster than the network gossips is slowed
/// down rather than its transactions left unsent.
#[derive(Clone)]
pub struct TxGossip {
    queue: mpsc::Sender<Vec<Tx>>,
}

impl TxGossip {
    /// Start the task that publishes on `network` (it ends with the node's
    /// last `TxGossip`). Call within the node's runtime.
    pub fn spawn(network: NetworkHandle) -> TxGossip {
        let (queue, rx) = mpsc::channel(TX_GOSSIP_QUEUE);
        tokio::spawn(gather(rx, TX_GOSSIP_WINDOW, move |bytes| {
            let network = network.clone();
            async move { publish(&network, bytes).await }
        }));
        TxGossip { queue }
    }

    /// Gossip `txs` (admitted by this node) soon: waits only while the
    /// queue is full.
    pub async fn send(&self, txs: Vec<Tx>) {
        if txs.is_empty() {
            return;
        }
        // Closed only once the gathering task has ended with the node.
        let _ = self.queue.send(txs).await;
    }
}

async fn publish(network: &NetworkHandle, bytes: Vec<u8>) {
    if let Err(e) = network.publish(Topic::Txs, bytes).await {
        if !matches!(e, tributary_p2p::Error::NoPeers) {
            tracing::debug!("tx gossip failed: {e}");
        }
    }
}

/// Gather what arrives on `rx` for `window` from the first arrival (or
/// until a message is full), then `publish` it in bounded messages; until
/// `rx` closes.
pub async fn gather<P, F>(mut rx: mpsc::Receiver<Vec<Tx>>, window: Duration, mut publish: P)
where
    P: FnMut(Vec<u8>) -> F,
    F: Future<Output = ()>,
{
    while let Some(mut txs) = rx.recv().await {
        let deadline = tokio::time::Instant::now() + window;
        let mut open = true;
        while txs.len() < TX_GOSSIP_BATCH_MAX {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(more)) => txs.extend(more),
                Ok(None) => {
                    open = false;
                    break;
                }
                Err(_) => break,
            }
        }
        for bytes in encode_tx_batches(&txs) {
            publish(bytes).await;
        }
        if !open {
            return;
        }
    }
}

/// Gossiped transactions refused as ahead of their sender's next nonce,
/// kept for a moment and offered to the pool again.
///
/// Why: gossip can bring a sender's later message before its earlier one
/// (the later one forwarded by a peer, the earlier one still queued on
/// the direct link), and a message seen once is never delivered again. A
/// pool that refused the later transactions for good held none of that
/// sender's transactions after the gap, and when this node proposed it
/// had nothing to put in the block (BENCHMARKS.md, session 25: a child
/// chain's relayed packets crawled at 157-393/s). Bounded in count and
/// time: what still does not fit after [`PARKED_FOR`] is dropped, as before.
#[derive(Default)]
pub struct Parked {
    txs: Vec<(Tx, usize, std::time::Instant)>,
    /// How many of `txs` each sender has.
    per_sender: std::collections::HashMap<tributary_types::PublicKey, usize>,
}

/// Most transactions parked at once.
pub const PARKED_MAX: usize = 4_096;
/// Most transactions of one sender parked at once (a gossip message's
/// worth), so one sender cannot fill the lot.
pub const PARKED_PER_SENDER: usize = TX_GOSSIP_BATCH_MAX;
/// How long a parked transaction waits for its gap to fill.
pub const PARKED_FOR: Duration = Duration::from_secs(5);

impl Parked {
    /// Park `tx`, first parked at `at`; not when the lot is full or holds
    /// [`PARKED_PER_SENDER`] of its sender's already.
    pub fn park_since(&mut self, tx: Tx, len: usize, at: std::time::Instant) {
        if self.txs.len() >= PARKED_MAX {
            return;
        }
        let count = self.per_sender.entry(tx.sender).or_default();
        if *count >= PARKED_PER_SENDER {
            return;
        }
        *count += 1;
        self.txs.push((tx, len, at));
    }

    /// Take every parked transaction that has not expired by `now`, each
    /// sender's in nonce order (so one pass admits a run whose gap filled),
    /// with the time each was parked.
    pub fn take(&mut self, now: std::time::Instant) -> Vec<(Tx, usize, std::time::Instant)> {
        self.per_sender.clear();
        let mut due: Vec<_> = std::mem::take(&mut self.txs)
            .into_iter()
            .filter(|(_, _, at)| now.duration_since(*at) < PARKED_FOR)
            .collect();
        due.sort_by_cached_key(|(tx, _, _)| (tx.sender, tx.nonce));
        due
    }

    pub fn len(&self) -> usize {
        self.txs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tributary_crypto::SigningKey;
    use tributary_types::{ChainId, Denom, SignDoc, TxBody};

    fn tx(nonce: u64) -> Tx {
        let key = SigningKey::from_secret([7; 32]);
        key.sign_tx(SignDoc {
            chain_id: ChainId::new("gossip-1").unwrap(),
            sender: key.public_key(),
            nonce,
            fee: 1,
            body: TxBody::Transfer { to: key.public_key().address(), denom: Denom::new("utrib").unwrap(), amount: 1 },
        })
    }

    /// A `gather` task with `window`, its input, and what it publishes (decoded).
    fn gatherer(window: Duration) -> (mpsc::Sender<Vec<Tx>>, mpsc::UnboundedReceiver<Vec<Tx>>) {
        let (queue, rx) = mpsc::channel(TX_GOSSIP_QUEUE);
        let (sink, published) = mpsc::unbounded_channel();
        tokio::spawn(gather(rx, window, move |bytes| {
            let sink = sink.clone();
            async move {
                let _ = sink.send(decode_tx_batch(&bytes).unwrap());
            }
        }));
        (queue, published)
    }

    /// The next message published, waiting at most 10 s (far below the
    /// windows these tests wait out only when that is what they test).
    async fn next(published: &mut mpsc::UnboundedReceiver<Vec<Tx>>) -> Option<Vec<Tx>> {
        tokio::time::timeout(Duration::from_secs(10), published.recv()).await.ok().flatten()
    }

    #[tokio::test]
    async fn submissions_within_the_window_go_out_as_one_message() {
        let (queue, mut published) = gatherer(Duration::from_secs(3_600));
        for txs in [vec![tx(0)], vec![tx(1), tx(2)], vec![tx(3)]] {
            queue.send(txs).await.unwrap();
        }
        // Nothing yet: the window is an hour. Closing the input publishes.
        assert!(published.try_recv().is_err());
        drop(queue);
        assert_eq!(next(&mut published).await, Some(vec![tx(0), tx(1), tx(2), tx(3)]), "one message");
        assert_eq!(next(&mut published).await, None, "and nothing else");
    }

    #[tokio::test]
    async fn the_window_ends_a_gathering_without_more_input() {
        let (queue, mut published) = gatherer(Duration::from_millis(50));
        queue.send(vec![tx(0)]).await.unwrap();
        assert_eq!(next(&mut published).await, Some(vec![tx(0)]), "published while the input is still open");
        queue.send(vec![tx(1)]).await.unwrap();
        assert_eq!(next(&mut published).await, Some(vec![tx(1)]), "and the next gathering starts afresh");
    }

    #[tokio::test]
    async fn a_full_message_goes_at_once_and_nothing_is_lost() {
        let (queue, mut published) = gatherer(Duration::from_secs(3_600));
        let many: Vec<Tx> = (0..TX_GOSSIP_BATCH_MAX as u64 + 10).map(tx).collect();
        queue.send(many.clone()).await.unwrap();
        let first = next(&mut published).await.expect("a full message does not wait for the window");
        let second = next(&mut published).await.expect("the rest goes with it");
        assert_eq!((first.len(), second.len()), (TX_GOSSIP_BATCH_MAX, 10));
        assert_eq!([first, second].concat(), many, "every transaction once, in order");
    }

    #[test]
    fn parked_transactions_come_back_in_nonce_order_until_they_expire_and_are_bounded() {
        let start = std::time::Instant::now();
        let mut parked = Parked::default();
        for n in [5, 3, 4] {
            parked.park_since(tx(n), 100, start);
        }
        let back = parked.take(start + Duration::from_millis(10));
        assert_eq!(back.iter().map(|(t, _, _)| t.nonce).collect::<Vec<_>>(), [3, 4, 5], "a run, in nonce order");
        assert!(parked.is_empty(), "taken");
        // Parked again with their first time, they expire PARKED_FOR after it.
        for (t, len, _) in back {
            parked.park_since(t, len, start);
        }
        assert!(parked.take(start + PARKED_FOR).is_empty(), "expired");
        // Bounded per sender: one sender cannot fill the lot.
        for n in 0..PARKED_PER_SENDER as u64 + 7 {
            parked.park_since(tx(n), 10, start);
        }
        assert_eq!(parked.len(), PARKED_PER_SENDER);
    }
}
