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

use crate::chain::{ChainHandle, ChannelInfo, Outcome};
use crate::discovery::PathFound;
use crate::metrics::Metrics;
use anyhow::{bail, Context as _};
use std::sync::Arc;
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
    pub src: &'a ChainHandle,
    pub dst: &'a ChainHandle,
    pub src_port: &'a str,
    pub src_channel: &'a str,
    /// Relay only transfers of these denoms; empty: all. Packets sent from
    /// any port but `transfer` are never filtered.
    pub denoms: &'a [String],
}

/// Make sure `on`'s client `client_id` (of chain `of`) has a consensus
/// state at a height ≥ `at_least`; returns the height proofs should use.
/// Skips straight to `of`'s latest height; if `on` refuses the skip (too
/// little of the trusted set signed it), walks there header by header.
async fn update_client(on: &ChainHandle, client_id: &str, of: &ChainHandle, at_least: u64) -> anyhow::Result<u64> {
    let (latest, tracked) = on.client_latest(client_id).await?;
    if tracked != of.id.as_str() {
        bail!("client {client_id} on {} tracks {tracked}, not {}", on.id, of.id);
    }
    if latest >= at_least {
        return Ok(latest);
    }
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

/// One round in one direction: read, classify, submit (at most `batch_max`
/// packets per transaction).
pub async fn relay_direction(
    direction: &Direction<'_>,
    batch_max: usize,
    metrics: &Metrics,
) -> anyhow::Result<Relayed> {
    let Direction { src, dst, src_port, src_channel, denoms } = direction;
    let src_end = src.channel(src_port, src_channel).await?;
    let dst_channel = src_end.end.counterparty_channel.clone();
    if dst_channel.is_empty() {
        bail!("channel {src_channel} on port {src_port} of {} is not open yet", src.id);
    }
    let dst_end = dst.channel(&src_end.end.counterparty_port, &dst_channel).await?;
    let pending: Vec<Packet> =
        src.pending_packets(src_port, src_channel, 200).await?.into_iter().filter(|p| wanted(p, denoms)).collect();
    metrics.set_pending(src.id.as_str(), src_channel, pending.len());
    let mut relayed = Relayed { pending: pending.len(), ..Default::default() };
    if pending.is_empty() {
        return Ok(relayed);
    }
    let dst_height = dst.height().await?;
    let dst_time = dst.time_ms(dst_height).await?;
    let (mut to_receive, mut to_ack, mut to_time_out) = (Vec::new(), Vec::new(), Vec::new());
    for packet in &pending {
        metrics.first_seen(src.id.as_str(), packet);
    }
    // Receipts are read concurrently (each is its own query).
    let receipts =
        futures::future::join_all(pending.iter().map(|p| dst.receipt(&p.dest_port, &p.dest_channel, p.sequence))).await;
    for (packet, receipt) in pending.into_iter().zip(receipts) {
        let (status, ack) = receipt?;
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

    // Deliver on the destination, proven at a source height its client has:
    // one client update, then every batch in flight at once (consecutive
    // nonces), then wait for them all.
    if !to_receive.is_empty() {
        let proof_height = update_client(dst, &dst_end.end.client_id, src, src.height().await?).await?;
        let mut sent = Vec::new();
        for batch in to_receive.chunks(batch_max) {
            let keys: Vec<Vec<u8>> =
                batch.iter().map(|p| state_key::commitment(&p.source_port, &p.source_channel, p.sequence)).collect();
            let proofs = futures::future::join_all(keys.iter().map(|k| src.proof(k, proof_height))).await;
            let mut msgs = Vec::with_capacity(batch.len());
            for (packet, proof) in batch.iter().zip(proofs) {
                let (_, proof) = proof?;
                msgs.push(IbcMsg::RecvPacket { packet: packet.clone(), proof_height, proof });
            }
            sent.push((dst.send(TxBody::Ibc { msgs }).await?, batch.len()));
        }
        let outcomes = futures::future::join_all(sent.iter().map(|(hash, _)| dst.wait_final(hash))).await;
        for ((_, count), outcome) in sent.iter().zip(outcomes) {
            check(&outcome?, dst, "deliver packets", metrics)?;
            relayed.received += count;
            metrics.relayed("recv", *count);
        }
    }

    // Settle on the source, proven at a destination height its client has.
    let mut to_settle: Vec<(Packet, Option<tributary_types::ibc::Acknowledgement>)> =
        to_ack.into_iter().map(|(p, a)| (p, Some(a))).collect();
    to_settle.extend(to_time_out.into_iter().map(|p| (p, None)));
    if !to_settle.is_empty() {
        let proof_height = update_client(src, &src_end.end.client_id, dst, dst_height).await?;
        let mut sent = Vec::new();
        for batch in to_settle.chunks(batch_max) {
            let keys: Vec<Vec<u8>> = batch
                .iter()
                .map(|(p, ack)| match ack {
                    Some(_) => state_key::ack(&p.dest_port, &p.dest_channel, p.sequence),
                    None => state_key::receipt(&p.dest_port, &p.dest_channel, p.sequence),
                })
                .collect();
            let proofs = futures::future::join_all(keys.iter().map(|k| dst.proof(k, proof_height))).await;
            let mut msgs = Vec::with_capacity(batch.len());
            for ((packet, ack), proof) in batch.iter().zip(proofs) {
                let (_, proof) = proof?;
                msgs.push(match ack {
                    Some(ack) => IbcMsg::Acknowledge { packet: packet.clone(), ack: ack.clone(), proof_height, proof },
                    None => IbcMsg::Timeout { packet: packet.clone(), proof_height, proof },
                });
            }
            sent.push((src.send(TxBody::Ibc { msgs }).await?, batch));
        }
        let outcomes = futures::future::join_all(sent.iter().map(|(hash, _)| src.wait_final(hash))).await;
        for ((_, batch), outcome) in sent.iter().zip(outcomes) {
            check(&outcome?, src, "settle packets", metrics)?;
            for (packet, ack) in batch.iter() {
                metrics.settled(src.id.as_str(), packet);
                if ack.is_some() {
                    relayed.acknowledged += 1;
                } else {
                    relayed.timed_out += 1;
                }
            }
            metrics.relayed("ack_or_timeout", batch.len());
        }
    }
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
    a: &ChainHandle,
    b: &ChainHandle,
    path: &PathFound,
    denoms: &[String],
    batch_max: usize,
    metrics: &Metrics,
) -> anyhow::Result<Relayed> {
    if a.id.as_str() != path.a || b.id.as_str() != path.b {
        bail!("the path {} <-> {} was given the chains {} and {}", path.a, path.b, a.id, b.id);
    }
    let forth = Direction { src: a, dst: b, src_port: &path.a_port, src_channel: &path.a_channel, denoms };
    let back = Direction { src: b, dst: a, src_port: &path.b_port, src_channel: &path.b_channel, denoms };
    let mut total = relay_direction(&forth, batch_max, metrics).await?;
    total += relay_direction(&back, batch_max, metrics).await?;
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
}
