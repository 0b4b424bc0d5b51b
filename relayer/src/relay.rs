//! Relaying over one path, both directions: deliver pending packets, carry
//! acknowledgements back, time out what can no longer arrive; and opening a
//! channel (clients both ways, then the three-step handshake). A path joins
//! a port on each chain: `transfer` to `transfer` for tokens, or a
//! contract's `wasm-{address}` to another contract's port; the relayer
//! carries every application's packets the same way, as opaque bytes.
//!
//! # Why nothing is lost or delivered twice
//!
//! The relayer keeps no packet queue of its own. Each round reads the source
//! chain's pending packets from its state (`pendingPackets`, the chain's own
//! index of unsettled commitments) and the destination's receipt for each:
//! no receipt → deliver; receipt with ack → acknowledge on the source;
//! timed out → time out on the source. A packet stays pending on its source
//! until it is acknowledged or timed out there, so a relayer killed at any
//! instant finds the same work after a restart; and a packet delivered twice
//! (after a crash between submit and record, or by a second relayer) is a
//! no-op on the destination, by its receipt.
//!
//! # Why it is fast
//!
//! `relayer start` does not wait for a round's transactions: it submits
//! them (at most 64 messages each, cut to the chain's `maxTxBytes`, at
//! consecutive nonces) and goes on with the next block's round while a
//! task waits for them to be final. What is in flight is remembered
//! ([`InFlight`]) so the next rounds skip it; that memory is a hint, not a
//! ledger: lost on a restart or expired, it only costs a duplicate delivery.
//! Reads are batched (pending packets by pages, several at once; receipts
//! and proofs 256 to a query), both directions of a path and every path run
//! at once, and delivering and settling run side by side. A round that
//! finds the destination's client behind sends the client update
//! at the head of each of its transactions, instead of waiting a block for
//! it ([`ensure_client`]).

use crate::chain::{ChainHandle, ChannelInfo, ClientUpdates, Outcome, CLIENT_UPDATES_MAX};
use crate::discovery::PathFound;
use crate::metrics::Metrics;
use anyhow::{bail, Context as _};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tributary_types::ibc::{state_key, IbcMsg, Ordering, Packet, TransferData, TRANSFER_PORT};
use tributary_types::TxBody;

/// Most adjacent client updates sent in one transaction when a skip fails.
/// (Each carries a header, its parent and the validator sets: 8 keep a
/// transaction well under the chains' size limit for committees of ~100.)
const ADJACENT_UPDATES_PER_TX: u64 = 8;

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relayed {
    pub received: usize,
    pub acknowledged: usize,
    pub timed_out: usize,
    /// Packets still pending on the source after the round's reads.
    pub pending: usize,
}

impl std::ops::AddAssign for Relayed {
    fn add_assign(&mut self, other: Relayed) {
        self.received += other.received;
        self.acknowledged += other.acknowledged;
        self.timed_out += other.timed_out;
        self.pending += other.pending;
    }
}

/// One direction of a path: packets sent on `src`'s `src_port`/`src_channel`
/// (the destination's port and channel are what that end names).
pub struct Direction<'a> {
    pub src: &'a Arc<ChainHandle>,
    pub dst: &'a Arc<ChainHandle>,
    pub src_port: &'a str,
    pub src_channel: &'a str,
    /// Relay only transfers of these denoms; empty: all. Packets sent from
    /// any port but `transfer` are never filtered.
    pub denoms: &'a [String],
}

/// Make sure `on`'s client `client_id` (of chain `of`) has a consensus
/// state at a height ≥ `at_least`; returns the height proofs should use.
/// Skips straight to `of`'s latest height and waits for the update's block;
/// if `on` refuses the skip (too little of the trusted set signed it),
/// walks there header by header.
async fn update_client(on: &ChainHandle, client_id: &str, of: &ChainHandle, at_least: u64) -> anyhow::Result<u64> {
    Ok(ensure_client(on, client_id, of, at_least, &Finality::Wait).await?.0)
}

/// A client update that goes at the head of each of a round's
/// transactions, and the lock that keeps the chain's updates in nonce
/// order until they are sent.
struct Lead<'a> {
    msg: IbcMsg,
    client_id: String,
    _in_order: tokio::sync::MutexGuard<'a, ClientUpdates>,
}

/// The height a round's proofs use on `on`'s client `client_id` (of `of`),
/// at least `at_least`, and the update to send with them if the client is
/// behind.
///
/// One-shot commands ([`Finality::Wait`]) send the update alone and wait
/// for it ([`update_and_wait`]): they report only what is done. The relay
/// loop ([`Finality::Detach`]) puts the update at the head of each of the
/// round's transactions instead, so the packets land in the block the update
/// does: a cross-chain transfer used to take a block longer (about 600 ms
/// instead of 400) whenever a round found the client behind.
///
/// Why every transaction carries it, not only the first: each is then
/// whole on its own. Its fee estimate runs the update too (an estimate of
/// packets proven at a height the client has not reached yet fails early
/// and prices far too low), and whichever lands first applies it; the
/// others find that header known, a no-op. The lock is held until the
/// round's transactions are signed and sent, so one chain's updates go out
/// in height order and none is refused for being older than the client.
/// If a transaction carrying an update fails (a skip the client refuses,
/// say), its packets are relayed again by a later round, whose update for
/// that client goes the waiting way.
async fn ensure_client<'a>(
    on: &'a ChainHandle,
    client_id: &str,
    of: &ChainHandle,
    at_least: u64,
    finality: &Finality,
) -> anyhow::Result<(u64, Option<Lead<'a>>)> {
    let mut updates = on.updating_clients.lock().await;
    let latest = client_latest(on, client_id, of).await?;
    if latest >= at_least {
        return Ok((latest, None));
    }
    let lead_failed = updates.lead_failed.remove(client_id);
    if lead_failed || matches!(finality, Finality::Wait) {
        return Ok((update_and_wait(on, client_id, of, latest, at_least).await?, None));
    }
    let target = of.height().await?.max(at_least);
    let update = of.light_client_update(target).await?;
    let msg = IbcMsg::UpdateClient { client_id: client_id.into(), update };
    Ok((target, Some(Lead { msg, client_id: client_id.to_string(), _in_order: updates })))
}

/// `on`'s client `client_id`'s latest height, checked to track `of`.
async fn client_latest(on: &ChainHandle, client_id: &str, of: &ChainHandle) -> anyhow::Result<u64> {
    let (latest, tracked) = on.client_latest(client_id).await?;
    if tracked != of.id.as_str() {
        bail!("client {client_id} on {} tracks {tracked}, not {}", on.id, of.id);
    }
    Ok(latest)
}

/// Update `on`'s client `client_id` from `latest` to `of`'s latest height
/// (at least `at_least`), waiting for each block; the caller holds
/// `updating_clients`.
async fn update_and_wait(
    on: &ChainHandle,
    client_id: &str,
    of: &ChainHandle,
    latest: u64,
    at_least: u64,
) -> anyhow::Result<u64> {
    let target = of.height().await?.max(at_least);
    let update = of.light_client_update(target).await?;
    let outcome =
        on.submit(TxBody::Ibc { msgs: vec![IbcMsg::UpdateClient { client_id: client_id.into(), update }] }).await?;
    if outcome.success {
        return Ok(target);
    }
    tracing::info!(chain = %on.id, client_id, from = latest, to = target, "skipping refused ({}); updating header by header", outcome.error.unwrap_or_default());
    let mut height = latest + 1;
    while height <= target {
        let end = (height + ADJACENT_UPDATES_PER_TX - 1).min(target);
        let mut msgs = Vec::new();
        for h in height..=end {
            msgs.push(IbcMsg::UpdateClient { client_id: client_id.into(), update: of.light_client_update(h).await? });
        }
        on.submit_ok(TxBody::Ibc { msgs }).await.context("adjacent client updates")?;
        height = end + 1;
    }
    Ok(target)
}

/// Whether a path's `denoms` filter lets `packet` through. The filter
/// speaks of tokens, so it applies only to packets sent from the transfer
/// port; another application's packet passes whatever its data holds.
fn wanted(packet: &Packet, denoms: &[String]) -> bool {
    if denoms.is_empty() || packet.source_port != TRANSFER_PORT {
        return true;
    }
    match borsh::from_slice::<TransferData>(&packet.data) {
        Ok(data) => denoms.contains(&data.denom),
        Err(_) => false,
    }
}

/// [`batches`] with `lead` (a client update) at the head of each, every
/// transaction still within `max_count` messages and `max_bytes`.
pub fn headed_batches(
    lead: Option<&IbcMsg>,
    msgs: Vec<IbcMsg>,
    max_count: usize,
    max_bytes: usize,
) -> Vec<Vec<IbcMsg>> {
    let Some(lead) = lead else { return batches(msgs, max_count, max_bytes) };
    let lead_bytes = borsh::object_length(lead).unwrap_or(usize::MAX);
    let mut cut = batches(msgs, max_count.saturating_sub(1).max(1), max_bytes.saturating_sub(lead_bytes));
    for batch in &mut cut {
        batch.insert(0, lead.clone());
    }
    cut
}

/// Most pending packets one round reads on one channel end. A round's
/// reads are batched (a page of 200 pending packets, 256 receipts or
/// proofs per query, several at once), so a backlog this deep costs a few
/// dozen requests. It must exceed what can be in flight (delivered but not
/// yet acknowledged) while a burst drains, or the window stalls on packets
/// that wait only for their acks.
pub const PENDING_PER_ROUND: usize = 8_000;

/// Bytes of each transaction left for what is not a message: the sign
/// document's chain id, sender, nonce and fee, the signature, and the
/// encoding's length prefixes (a few hundred bytes; the rest is margin).
const TX_ENVELOPE_BYTES: usize = 1_024;

/// Cut `msgs` into transactions of at most `max_count` messages and at most
/// `max_bytes` encoded bytes each (less [`TX_ENVELOPE_BYTES`]), in order.
/// A message too big for a transaction of its own goes alone: the chain
/// then refuses it with a reason, which the round reports.
pub fn batches(msgs: Vec<IbcMsg>, max_count: usize, max_bytes: usize) -> Vec<Vec<IbcMsg>> {
    let budget = max_bytes.saturating_sub(TX_ENVELOPE_BYTES);
    let mut out: Vec<Vec<IbcMsg>> = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0usize;
    for msg in msgs {
        let len = borsh::object_length(&msg).unwrap_or(usize::MAX);
        if !current.is_empty() && (current.len() >= max_count.max(1) || bytes.saturating_add(len) > budget) {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes = bytes.saturating_add(len);
        current.push(msg);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Which half of the work a submission is: delivering on the destination,
/// or settling (acknowledging, timing out) on the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    Deliver,
    Settle,
}

impl Work {
    fn what(self) -> &'static str {
        match self {
            Work::Deliver => "deliver packets",
            Work::Settle => "settle packets",
        }
    }
}

/// One message's packet, and the chain, channel end and sequence it is
/// submitted under.
type InFlightKey = (Work, String, String, String, u64);

/// What this relayer has submitted and not yet seen final, so that the
/// rounds that run meanwhile (one per block) do not submit it again.
///
/// A hint, not a ledger: the chains stay the only record of what is done.
/// Forgotten (a restart) or expired (after the chain's `tx_timeout`), an
/// entry only means one more delivery, which the destination's receipt
/// makes a no-op.
#[derive(Default)]
pub struct InFlight {
    held: Mutex<HashMap<InFlightKey, Instant>>,
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<InFlightKey, Instant>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn holds(&self, key: &InFlightKey) -> bool {
        self.lock().get(key).is_some_and(|until| *until > Instant::now())
    }

    fn hold(&self, keys: &[InFlightKey], until: Instant) {
        let mut held = self.lock();
        let now = Instant::now();
        held.retain(|_, t| *t > now);
        for key in keys {
            held.insert(key.clone(), until);
        }
    }

    fn release(&self, keys: &[InFlightKey]) {
        let mut held = self.lock();
        for key in keys {
            held.remove(key);
        }
    }

    /// Messages submitted and not yet final.
    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.lock().values().filter(|t| **t > now).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a round treats what it submits.
#[derive(Clone)]
pub enum Finality {
    /// Wait until every transaction of the round is final (one-shot
    /// commands: what they report is done).
    Wait,
    /// Return once submitted; a task waits for finality and then releases
    /// the packets from `InFlight`, so the next round (on the next block)
    /// goes on with the rest: `relayer start`.
    Detach(Arc<InFlight>),
}

/// Sign and submit `msgs` on `chain` in batches at consecutive nonces, each
/// headed by `lead`'s client update if there is one, then wait for them all
/// to be final ([`Finality::Wait`]), or leave that to a task
/// ([`Finality::Detach`]). Returns how many messages were submitted.
async fn submit_batches(
    chain: &Arc<ChainHandle>,
    lead: Option<Lead<'_>>,
    msgs: Vec<(IbcMsg, InFlightKey, Packet)>,
    batch_max: usize,
    work: Work,
    metrics: &Arc<Metrics>,
    finality: &Finality,
) -> anyhow::Result<usize> {
    let count = msgs.len();
    let max_bytes = chain.max_tx_bytes().await?;
    let (msgs, rest): (Vec<IbcMsg>, Vec<(InFlightKey, Packet)>) = msgs.into_iter().map(|(m, k, p)| (m, (k, p))).unzip();
    let lead_msg = lead.as_ref().map(|lead| &lead.msg);
    let batches = headed_batches(lead_msg, msgs, batch_max, max_bytes);
    let mut rest = rest.into_iter();
    let items: Vec<Vec<(InFlightKey, Packet)>> = batches
        .iter()
        .map(|batch| rest.by_ref().take(batch.len() - usize::from(lead_msg.is_some())).collect())
        .collect();
    let keys = |items: &[Vec<(InFlightKey, Packet)>]| -> Vec<InFlightKey> {
        items.iter().flatten().map(|(k, _)| k.clone()).collect()
    };
    if let Finality::Detach(in_flight) = finality {
        in_flight.hold(&keys(&items), Instant::now() + chain.tx_timeout());
    }
    // All of the round's transactions at once: signed at consecutive
    // nonces, submitted in a few calls (one at a time cost three round
    // trips each, and the destination's blocks waited for them).
    let outcome = chain.send_many(batches.into_iter().map(|msgs| TxBody::Ibc { msgs }).collect()).await;
    // Sent: later updates of this chain's clients may go out now.
    let lead_client = lead.map(|lead| lead.client_id);
    let mut items = items.into_iter();
    let sent: Vec<(String, Vec<(InFlightKey, Packet)>)> = outcome.hashes.into_iter().zip(items.by_ref()).collect();
    if let Finality::Detach(in_flight) = finality {
        in_flight.release(&keys(&items.collect::<Vec<_>>()));
    }
    let failed = outcome.error.map(|e| anyhow::Error::new(e).context(format!("chain {}", chain.id)));
    // What was sent before a failure is still followed to finality.
    let submitted: usize = sent.iter().map(|(_, items)| items.len()).sum();
    match finality {
        Finality::Wait => finish(chain.clone(), sent, lead_client, work, metrics.clone(), None).await?,
        Finality::Detach(in_flight) => {
            let (chain, metrics, in_flight) = (chain.clone(), metrics.clone(), in_flight.clone());
            tokio::spawn(async move {
                if let Err(e) = finish(chain.clone(), sent, lead_client, work, metrics, Some(in_flight)).await {
                    tracing::warn!(chain = %chain.id, "relaying failed: {e:#}");
                }
            });
        }
    }
    if let Some(e) = failed {
        return Err(e.context(format!("{} of {count} messages to {} submitted", submitted, work.what())));
    }
    Ok(submitted)
}

/// Wait for each sent transaction to be final, count what it did, and
/// release its packets. If one that carried an update of `lead_client`
/// failed, that client's next update is sent alone and waited for.
async fn finish(
    chain: Arc<ChainHandle>,
    sent: Vec<(String, Vec<(InFlightKey, Packet)>)>,
    lead_client: Option<String>,
    work: Work,
    metrics: Arc<Metrics>,
    in_flight: Option<Arc<InFlight>>,
) -> anyhow::Result<()> {
    let outcomes = futures::future::join_all(sent.iter().map(|(hash, _)| chain.wait_final(hash))).await;
    let mut first_error = None;
    for ((_, items), outcome) in sent.iter().zip(outcomes) {
        let result = outcome.and_then(|o| check(&o, &chain, work.what(), &metrics));
        if let Some(in_flight) = &in_flight {
            let keys: Vec<InFlightKey> = items.iter().map(|(k, _)| k.clone()).collect();
            in_flight.release(&keys);
        }
        match result {
            Ok(()) => match work {
                Work::Deliver => metrics.relayed("recv", items.len()),
                Work::Settle => {
                    for (_, packet) in items {
                        metrics.settled(chain.id.as_str(), packet);
                    }
                    metrics.relayed("ack_or_timeout", items.len());
                }
            },
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => {
            if let Some(client_id) = lead_client {
                let mut updates = chain.updating_clients.lock().await;
                if updates.lead_failed.len() < CLIENT_UPDATES_MAX {
                    updates.lead_failed.insert(client_id);
                }
            }
            Err(e)
        }
        None => Ok(()),
    }
}

/// One round in one direction: read (batched), classify, then deliver on
/// the destination and settle on the source at the same time (the two are
/// independent: different packets, different chains), at most `batch_max`
/// messages per transaction and never more bytes than the chain takes.
pub async fn relay_direction(
    direction: &Direction<'_>,
    batch_max: usize,
    metrics: &Arc<Metrics>,
    finality: &Finality,
) -> anyhow::Result<Relayed> {
    let Direction { src, dst, src_port, src_channel, denoms } = direction;
    let src_end = src.channel(src_port, src_channel).await?;
    let dst_channel = src_end.end.counterparty_channel.clone();
    if dst_channel.is_empty() {
        bail!("channel {src_channel} on port {src_port} of {} is not open yet", src.id);
    }
    let dst_port = src_end.end.counterparty_port.clone();
    let dst_end = dst.channel(&dst_port, &dst_channel).await?;
    let pending: Vec<Packet> = src
        .pending_packets(src_port, src_channel, PENDING_PER_ROUND)
        .await?
        .into_iter()
        .filter(|p| wanted(p, denoms))
        .collect();
    metrics.set_pending(src.id.as_str(), src_channel, pending.len());
    let mut relayed = Relayed { pending: pending.len(), ..Default::default() };
    if pending.is_empty() {
        return Ok(relayed);
    }
    if let Some(stray) = pending.iter().find(|p| p.dest_port != dst_port || p.dest_channel != dst_channel) {
        bail!(
            "{} lists packet {} on {src_port}/{src_channel} as bound for {}/{}, not the counterparty {dst_port}/{dst_channel}",
            src.id,
            stray.sequence,
            stray.dest_port,
            stray.dest_channel
        );
    }
    let dst_height = dst.height().await?;
    let dst_time = dst.time_ms(dst_height).await?;
    let (mut to_receive, mut to_ack, mut to_time_out) = (Vec::new(), Vec::new(), Vec::new());
    for packet in &pending {
        metrics.first_seen(src.id.as_str(), packet);
    }
    let sequences: Vec<u64> = pending.iter().map(|p| p.sequence).collect();
    let receipts = dst.receipts(&dst_port, &dst_channel, &sequences).await?;
    let in_flight = match finality {
        Finality::Detach(in_flight) => Some(in_flight),
        Finality::Wait => None,
    };
    let deliver_key =
        |p: &Packet| (Work::Deliver, dst.id.to_string(), dst_port.clone(), dst_channel.clone(), p.sequence);
    let settle_key =
        |p: &Packet| (Work::Settle, src.id.to_string(), src_port.to_string(), src_channel.to_string(), p.sequence);
    for (packet, (status, ack)) in pending.into_iter().zip(receipts) {
        // Submitted by an earlier round and not final yet: that round's task has it.
        let held = |key: InFlightKey| in_flight.is_some_and(|f| f.holds(&key));
        if (status == "none" && held(deliver_key(&packet))) || (status != "none" && held(settle_key(&packet))) {
            continue;
        }
        match (status.as_str(), ack) {
            ("received", Some(ack)) => to_ack.push((packet, ack)),
            ("timed_out", _) => to_time_out.push(packet),
            // An ordered destination must first record the skip (a timeout
            // receipt, written when the late packet is delivered), which the
            // source's timeout then proves.
            ("none", _) if packet.timed_out_at(dst_height, dst_time) && dst_end.end.ordering == Ordering::Unordered => {
                to_time_out.push(packet)
            }
            ("none", _) => to_receive.push(packet),
            // Received but its ack not visible yet: next round.
            _ => {}
        }
    }

    // Deliver on the destination, proven at a source height its client has.
    let deliver = async {
        if to_receive.is_empty() {
            return Ok(0);
        }
        let (proof_height, lead) =
            ensure_client(dst, &dst_end.end.client_id, src, src.height().await?, finality).await?;
        let keys: Vec<Vec<u8>> =
            to_receive.iter().map(|p| state_key::commitment(&p.source_port, &p.source_channel, p.sequence)).collect();
        let proofs = src.proofs(&keys, proof_height).await?;
        let msgs = to_receive
            .iter()
            .zip(proofs)
            .map(|(packet, (_, proof))| {
                let msg = IbcMsg::RecvPacket { packet: packet.clone(), proof_height, proof };
                (msg, deliver_key(packet), packet.clone())
            })
            .collect();
        submit_batches(dst, lead, msgs, batch_max, Work::Deliver, metrics, finality).await
    };

    // Settle on the source, proven at a destination height its client has.
    let settle = async {
        if to_ack.is_empty() && to_time_out.is_empty() {
            return Ok((0, 0));
        }
        let (proof_height, lead) = ensure_client(src, &src_end.end.client_id, dst, dst_height, finality).await?;
        let mut keys: Vec<Vec<u8>> =
            to_ack.iter().map(|(p, _)| state_key::ack(&p.dest_port, &p.dest_channel, p.sequence)).collect();
        keys.extend(to_time_out.iter().map(|p| state_key::receipt(&p.dest_port, &p.dest_channel, p.sequence)));
        let mut proofs = dst.proofs(&keys, proof_height).await?.into_iter().map(|(_, proof)| proof);
        let mut msgs = Vec::with_capacity(keys.len());
        for ((packet, ack), proof) in to_ack.iter().zip(proofs.by_ref()) {
            let msg = IbcMsg::Acknowledge { packet: packet.clone(), ack: ack.clone(), proof_height, proof };
            msgs.push((msg, settle_key(packet), packet.clone()));
        }
        for (packet, proof) in to_time_out.iter().zip(proofs) {
            let msg = IbcMsg::Timeout { packet: packet.clone(), proof_height, proof };
            msgs.push((msg, settle_key(packet), packet.clone()));
        }
        let submitted = submit_batches(src, lead, msgs, batch_max, Work::Settle, metrics, finality).await?;
        // Acks first, then timeouts, in submission order.
        let acknowledged = submitted.min(to_ack.len());
        anyhow::Ok((acknowledged, submitted - acknowledged))
    };

    let (delivered, settled) = tokio::join!(deliver, settle);
    // Count what went through even when the other half failed.
    if let Ok(received) = &delivered {
        relayed.received = *received;
    }
    if let Ok((acknowledged, timed_out)) = &settled {
        relayed.acknowledged = *acknowledged;
        relayed.timed_out = *timed_out;
    }
    delivered?;
    settled?;
    Ok(relayed)
}

fn check(outcome: &Outcome, chain: &ChainHandle, what: &str, metrics: &Metrics) -> anyhow::Result<()> {
    if outcome.success {
        return Ok(());
    }
    metrics.error(chain.id.as_str());
    bail!("{} refused to {what} (tx {}): {}", chain.id, outcome.hash, outcome.error.clone().unwrap_or_default())
}

/// Both directions of `path` (`a` and `b` its chains' handles), once.
pub async fn relay_path(
    a: &Arc<ChainHandle>,
    b: &Arc<ChainHandle>,
    path: &PathFound,
    denoms: &[String],
    batch_max: usize,
    metrics: &Arc<Metrics>,
    finality: &Finality,
) -> anyhow::Result<Relayed> {
    if a.id.as_str() != path.a || b.id.as_str() != path.b {
        bail!("the path {} <-> {} was given the chains {} and {}", path.a, path.b, a.id, b.id);
    }
    let forth = Direction { src: a, dst: b, src_port: &path.a_port, src_channel: &path.a_channel, denoms };
    let back = Direction { src: b, dst: a, src_port: &path.b_port, src_channel: &path.b_channel, denoms };
    // Both directions at once: each delivers on one chain and settles on
    // the other, and the chains' signers keep their nonces in order.
    let (forth, back) = tokio::join!(
        relay_direction(&forth, batch_max, metrics, finality),
        relay_direction(&back, batch_max, metrics, finality)
    );
    let mut total = forth?;
    total += back?;
    Ok(total)
}

/// Open a channel between port `a_port` on `a` and port `b_port` on `b`
/// (`transfer` on both for tokens; a contract's `wasm-{address}` on either
/// side for contracts), proposing `version` with `ordering`: a client of
/// each on the other (created from the other's latest header),
/// `ChanOpenInit` on `a`, `ChanOpenTry` on `b` (proving `a`'s end),
/// `ChanOpenAck` on `a` (proving `b`'s). The application on each port may
/// refuse the version (the handshake transaction then fails with its
/// reason). Returns the channel ids on `a` and `b`.
pub async fn create_channel(
    a: &ChainHandle,
    b: &ChainHandle,
    a_port: &str,
    b_port: &str,
    version: &str,
    ordering: Ordering,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<(String, String)> {
    let a_client = create_client(a, b).await?;
    progress(&format!("created {a_client} on {} (a light client of {})", a.id, b.id));
    let b_client = create_client(b, a).await?;
    progress(&format!("created {b_client} on {} (a light client of {})", b.id, a.id));
    let init = a
        .submit_ok(TxBody::Ibc {
            msgs: vec![IbcMsg::ChanOpenInit {
                port: a_port.into(),
                client_id: a_client.clone(),
                counterparty_client_id: b_client.clone(),
                counterparty_port: b_port.into(),
                ordering,
                version: version.into(),
            }],
        })
        .await?;
    let a_channel =
        init.attribute("channel_init", "channel").context("no channel id in the init's events")?.to_string();
    progress(&format!("{}: {a_channel} on port {a_port} opened on our side (init, version {version})", a.id));

    let proof_height = update_client(b, &b_client, a, init.height).await?;
    let (_, proof) = a.proof(&state_key::channel(a_port, &a_channel), proof_height).await?;
    let try_open = b
        .submit_ok(TxBody::Ibc {
            msgs: vec![IbcMsg::ChanOpenTry {
                port: b_port.into(),
                client_id: b_client.clone(),
                counterparty_client_id: a_client.clone(),
                counterparty_port: a_port.into(),
                counterparty_channel: a_channel.clone(),
                ordering,
                version: version.into(),
                proof_height,
                proof,
            }],
        })
        .await?;
    let b_channel =
        try_open.attribute("channel_open", "channel").context("no channel id in the try's events")?.to_string();
    progress(&format!("{}: {b_channel} on port {b_port} open (try, proving {}'s init)", b.id, a.id));

    let proof_height = update_client(a, &a_client, b, try_open.height).await?;
    let (_, proof) = b.proof(&state_key::channel(b_port, &b_channel), proof_height).await?;
    a.submit_ok(TxBody::Ibc {
        msgs: vec![IbcMsg::ChanOpenAck {
            port: a_port.into(),
            channel: a_channel.clone(),
            counterparty_channel: b_channel.clone(),
            proof_height,
            proof,
        }],
    })
    .await?;
    progress(&format!("{}: {a_channel} on port {a_port} open (ack, proving {}'s end)", a.id, b.id));
    Ok((a_channel, b_channel))
}

/// Create a client of `of` on `on`; returns its id.
async fn create_client(on: &ChainHandle, of: &ChainHandle) -> anyhow::Result<String> {
    let client_state = of.light_client_state().await?;
    let outcome = on.submit_ok(TxBody::Ibc { msgs: vec![IbcMsg::CreateClient { client_state }] }).await?;
    Ok(outcome.attribute("create_client", "client_id").context("no client id in the events")?.to_string())
}

/// A path's channel ends as the chains see them (for health checks): `a`'s
/// end on the path's `a_port`/`a_channel`, and the end on `b` it names.
pub async fn channel_pair(
    a: &ChainHandle,
    b: &ChainHandle,
    path: &PathFound,
) -> anyhow::Result<(ChannelInfo, ChannelInfo)> {
    let a_end = a.channel(&path.a_port, &path.a_channel).await?;
    let b_end = b.channel(&a_end.end.counterparty_port, &a_end.end.counterparty_channel).await?;
    Ok((a_end, b_end))
}

/// Shared handles for a running relayer.
pub type Handles = Vec<Arc<ChainHandle>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(source_port: &str, data: Vec<u8>) -> Packet {
        Packet {
            sequence: 1,
            source_port: source_port.into(),
            source_channel: "channel-0".into(),
            dest_port: source_port.into(),
            dest_channel: "channel-3".into(),
            data,
            timeout_height: 0,
            timeout_time_ms: 1,
        }
    }

    fn transfer_of(denom: &str) -> Vec<u8> {
        let data = TransferData {
            denom: denom.into(),
            amount: 5,
            sender: "trib1s".into(),
            receiver: "trib1r".into(),
            memo: String::new(),
        };
        borsh::to_vec(&data).unwrap()
    }

    #[test]
    fn the_denoms_filter_picks_transfers_and_never_drops_another_applications_packets() {
        let denoms = vec!["utrib".to_string()];
        assert!(wanted(&packet(TRANSFER_PORT, transfer_of("utrib")), &denoms));
        assert!(!wanted(&packet(TRANSFER_PORT, transfer_of("uacme")), &denoms));
        assert!(!wanted(&packet(TRANSFER_PORT, b"not borsh".to_vec()), &denoms), "a transfer it cannot read");
        assert!(wanted(&packet(TRANSFER_PORT, transfer_of("uacme")), &[]), "no filter: everything");
        // A contract's packet is not TransferData, and passes all the same.
        assert!(wanted(&packet("wasm-trib1aaa", b"{\"ping\":1}".to_vec()), &denoms));
        assert!(wanted(&packet("wasm-trib1aaa", transfer_of("uacme")), &denoms), "its bytes are not a transfer");
    }

    fn recv(sequence: u64, proof_len: usize) -> IbcMsg {
        IbcMsg::RecvPacket {
            packet: Packet { sequence, ..packet(TRANSFER_PORT, transfer_of("utrib")) },
            proof_height: 9,
            proof: vec![1; proof_len],
        }
    }

    #[test]
    fn batches_fit_the_chains_transaction_size_and_count_and_keep_the_order() {
        let msgs: Vec<IbcMsg> = (1..=300).map(|s| recv(s, 700)).collect();
        let max_bytes = 64 * 1024;
        let cut = batches(msgs.clone(), 200, max_bytes);
        assert!(cut.len() > 2, "300 messages of ~900 bytes need more than two 64 KiB transactions");
        for batch in &cut {
            let body = borsh::to_vec(&TxBody::Ibc { msgs: batch.clone() }).unwrap();
            assert!(body.len() + 1_024 <= max_bytes + 16, "a batch of {} bytes", body.len());
            assert!(batch.len() <= 200);
        }
        assert_eq!(cut.concat(), msgs, "every message once, in order");
        // The count bound alone.
        let small: Vec<IbcMsg> = (1..=10).map(|s| recv(s, 10)).collect();
        assert_eq!(batches(small.clone(), 3, max_bytes).iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 3, 3, 1]);
        // A message larger than any transaction goes alone (the chain says why it refuses it).
        let mut mixed = small.clone();
        mixed.insert(2, recv(99, 70_000));
        let cut = batches(mixed, 200, max_bytes);
        assert_eq!(cut.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 1, 8]);
        assert!(batches(Vec::new(), 5, max_bytes).is_empty());
    }

    #[test]
    fn a_client_update_heads_every_batch_and_the_batches_still_fit() {
        let lead = IbcMsg::UpdateClient { client_id: "07-tributary-0".into(), update: vec![7; 5_000] };
        let msgs: Vec<IbcMsg> = (1..=300).map(|s| recv(s, 700)).collect();
        let max_bytes = 64 * 1024;
        let cut = headed_batches(Some(&lead), msgs.clone(), 64, max_bytes);
        assert!(cut.len() > 2);
        for batch in &cut {
            assert_eq!(batch[0], lead, "each transaction applies the update itself");
            assert!(batch[1..].iter().all(|m| matches!(m, IbcMsg::RecvPacket { .. })), "the update only at the head");
            let body = borsh::to_vec(&TxBody::Ibc { msgs: batch.clone() }).unwrap();
            assert!(body.len() + 1_024 <= max_bytes + 16, "a batch of {} bytes", body.len());
            assert!(batch.len() <= 64, "{} messages", batch.len());
        }
        let packets: Vec<IbcMsg> = cut.iter().flat_map(|b| b[1..].to_vec()).collect();
        assert_eq!(packets, msgs, "every packet once, in order");
        // Without an update, the plain cut.
        assert_eq!(headed_batches(None, msgs.clone(), 64, max_bytes), batches(msgs, 64, max_bytes));
        // Nothing to carry, nothing sent.
        assert!(headed_batches(Some(&lead), Vec::new(), 64, max_bytes).is_empty());
    }

    #[test]
    fn what_is_in_flight_is_held_until_released_or_expired() {
        let in_flight = InFlight::default();
        let key = |s| (Work::Deliver, "child".to_string(), "transfer".to_string(), "channel-0".to_string(), s);
        in_flight.hold(&[key(1), key(2)], Instant::now() + std::time::Duration::from_secs(30));
        assert!(in_flight.holds(&key(1)) && in_flight.holds(&key(2)) && !in_flight.holds(&key(3)));
        let settle = (Work::Settle, "child".to_string(), "transfer".to_string(), "channel-0".to_string(), 1);
        assert!(!in_flight.holds(&settle), "settling a packet is not delivering one with the same numbers");
        in_flight.release(&[key(1)]);
        assert!(!in_flight.holds(&key(1)) && in_flight.holds(&key(2)));
        in_flight.hold(&[key(3)], Instant::now());
        assert!(!in_flight.holds(&key(3)), "expired: the next round delivers it again (a no-op if it landed)");
        assert_eq!(in_flight.len(), 1);
    }
}
