//! `stalledTransfers`: transfers whose packet is still unsettled on its
//! source chain (pending, or received with its acknowledgement not back)
//! for at least a given time, across every chain the gateway knows, each
//! saying what it waits for.
//!
//! Where the candidates come from: each chain's own pending-packet index
//! (`ibcChannels`, then `pendingPackets` per transfer channel), not a walk
//! of its history. A channel's pending packets come in sequence order,
//! which is send order, so its oldest come first and once one is younger
//! than the threshold every later one is too: the scan stops on that
//! channel there.
//!
//! What it costs, bounded: at most [`STALLED_CHAINS_MAX`] chains, each
//! asked twice (channels, then the pending packets of at most
//! [`STALLED_CHANNELS_PER_CHAIN_MAX`] channels in one call, at most `first`
//! per channel); then at most [`STALLED_TRACKED_MAX`] candidates are
//! followed as `transfer(id:)` follows one, [`STALLED_BATCH`] at a time,
//! oldest of each channel first. Whatever a bound leaves unread is not
//! guessed at: `incomplete` says the list may miss some.
//!
//! A candidate's age comes from its send block's time. When the send is
//! older than the node's history walk, only a lower bound is known (the
//! time of the oldest block walked): it is listed when that bound already
//! passes the threshold (its `pendingForMs` is then null), and otherwise
//! counts as undecided (`incomplete`).

use crate::chains::gateway_error;
use crate::directory::{ChainEntry, ChainError};
use crate::transfers::{follow, CrossChainTransferView, Followed, Reach, UnavailableChainView, ENDS_QUERY};
use crate::transfers::{TRANSFERS_PAGE_DEFAULT, TRANSFERS_PAGE_MAX};
use crate::waiting::Age;
use async_graphql::SimpleObject;
use futures::future::join_all;
use serde_json::json;

/// Most chains one answer scans (in the directory's order).
pub const STALLED_CHAINS_MAX: usize = 50;
/// Most transfer channels scanned per chain (in their opening order).
pub const STALLED_CHANNELS_PER_CHAIN_MAX: usize = TRANSFERS_PAGE_MAX;
/// Most candidates followed across chains for one answer.
pub const STALLED_TRACKED_MAX: usize = 2 * TRANSFERS_PAGE_MAX;
/// Candidates followed at once.
pub const STALLED_BATCH: usize = TRANSFERS_PAGE_MAX;
/// `olderThanSecs` when not given.
pub const STALLED_OLDER_THAN_DEFAULT_SECS: u64 = 60;
/// `first` when not given.
pub const STALLED_PAGE_DEFAULT: usize = TRANSFERS_PAGE_DEFAULT;

/// What `stalledTransfers` answers.
#[derive(SimpleObject)]
pub struct StalledTransfersView {
    /// Oldest first, each with `waitingFor`.
    pub transfers: Vec<CrossChainTransferView>,
    /// Chains that did not answer: their stalled transfers are missing here.
    pub unavailable: Vec<UnavailableChainView>,
    /// True when stalled transfers may exist that this answer does not
    /// list: `first` were found with candidates left, a bound cut the scan
    /// (chains, channels per chain, packets per channel, candidates
    /// followed), or a candidate's age could not be told.
    pub incomplete: bool,
}

/// The pending packets of one channel, oldest first, and how far the scan got.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Queue {
    pub source: usize,
    pub channel: String,
    pub sequences: Vec<u64>,
    pub next: usize,
    /// A packet here was found younger than the threshold: so are the rest.
    pub done: bool,
}

impl Queue {
    fn left(&self) -> bool {
        !self.done && self.next < self.sequences.len()
    }
}

/// Up to `size` candidates, taken round-robin across the channels that have
/// some left, each channel's oldest first: old packets of every channel are
/// looked at before young ones of any.
pub(crate) fn next_batch(queues: &mut [Queue], size: usize) -> Vec<(usize, u64)> {
    let mut batch = Vec::new();
    while batch.len() < size && queues.iter().any(Queue::left) {
        for (index, queue) in queues.iter_mut().enumerate() {
            if batch.len() == size {
                break;
            }
            if queue.left() {
                batch.push((index, queue.sequences[queue.next]));
                queue.next += 1;
            }
        }
    }
    batch
}

/// What one followed candidate turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Unsettled for at least the threshold.
    Stalled,
    /// Younger than the threshold (and so is every later send on its channel).
    Recent,
    /// Its age is not known well enough to tell.
    Undecided,
}

pub(crate) fn verdict(age: Age, threshold_ms: u64) -> Verdict {
    match age {
        Age::Exact(ms) | Age::AtLeast(ms) if ms >= threshold_ms => Verdict::Stalled,
        Age::Exact(_) => Verdict::Recent,
        Age::AtLeast(_) | Age::Unknown => Verdict::Undecided,
    }
}

/// How old an answer's transfer is known to be at least, for ordering.
fn known_age(age: Age) -> u64 {
    match age {
        Age::Exact(ms) | Age::AtLeast(ms) => ms,
        Age::Unknown => 0,
    }
}

fn unavailable_push(unavailable: &mut Vec<UnavailableChainView>, error: ChainError) {
    if !unavailable.iter().any(|u| u.chain_id == error.chain) {
        unavailable.push(UnavailableChainView { chain_id: error.chain, error: error.message });
    }
}

/// The transfer channels of `chain` (at most the per-chain bound) and
/// whether it had more.
async fn transfer_channels(reach: &Reach<'_>, chain: &ChainEntry) -> Result<(Vec<String>, bool), ChainError> {
    let ends = reach.caller.load(reach.loader, chain, ENDS_QUERY.into()).await?;
    let channels: Vec<String> = ends["ibcChannels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["port"] == "transfer")
        .filter_map(|c| c["channelId"].as_str().map(str::to_string))
        .collect();
    let more = channels.len() > STALLED_CHANNELS_PER_CHAIN_MAX;
    Ok((channels.into_iter().take(STALLED_CHANNELS_PER_CHAIN_MAX).collect(), more))
}

/// The oldest `limit` pending sequences of each of `channels` on `chain`, in one call.
async fn pending_sequences(
    reach: &Reach<'_>,
    chain: &ChainEntry,
    channels: &[String],
    limit: usize,
) -> Result<Vec<Vec<u64>>, ChainError> {
    if channels.is_empty() {
        return Ok(Vec::new());
    }
    let fields: Vec<String> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!("c{i}: pendingPackets(port: \"transfer\", channel: {}, limit: {limit}) {{ sequence }}", json!(c))
        })
        .collect();
    let answer = reach.caller.load(reach.loader, chain, format!("{{ {} }}", fields.join(" "))).await?;
    Ok((0..channels.len())
        .map(|i| {
            let mut sequences: Vec<u64> = answer[format!("c{i}")]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["sequence"].as_u64())
                .take(limit)
                .collect();
            sequences.sort_unstable();
            sequences
        })
        .collect())
}

/// Transfers unsettled on their source for at least `older_than_secs`, at
/// most `first` (see the module's documentation for what is read).
pub async fn stalled(
    reach: &Reach<'_>,
    older_than_secs: u64,
    first: usize,
) -> async_graphql::Result<StalledTransfersView> {
    if first == 0 || first > TRANSFERS_PAGE_MAX {
        return Err(gateway_error(
            "PAGE_TOO_LARGE",
            format!("`first` is {first}; it must be 1 to {TRANSFERS_PAGE_MAX}"),
        ));
    }
    let threshold_ms = older_than_secs.saturating_mul(1_000);
    let mut chains = reach.directory.chains();
    let mut incomplete = chains.len() > STALLED_CHAINS_MAX;
    chains.truncate(STALLED_CHAINS_MAX);
    let mut unavailable = Vec::new();

    // Each chain's channels, then its channels' oldest pending packets.
    let scans = join_all(chains.iter().map(|chain| async move {
        let (channels, more) = transfer_channels(reach, chain).await?;
        let sequences = pending_sequences(reach, chain, &channels, first).await?;
        Ok::<_, ChainError>((channels, more, sequences))
    }))
    .await;
    let mut queues = Vec::new();
    for (source, scan) in scans.into_iter().enumerate() {
        match scan {
            Ok((channels, more, sequences)) => {
                incomplete |= more;
                for (channel, sequences) in channels.into_iter().zip(sequences) {
                    // A full page may have more behind it.
                    incomplete |= sequences.len() == first;
                    queues.push(Queue { source, channel, sequences, next: 0, done: false });
                }
            }
            Err(e) => unavailable_push(&mut unavailable, e),
        }
    }

    let mut found: Vec<(u64, CrossChainTransferView)> = Vec::new();
    let mut followed = 0;
    while found.len() < first && followed < STALLED_TRACKED_MAX {
        let batch = next_batch(&mut queues, STALLED_BATCH.min(STALLED_TRACKED_MAX - followed));
        if batch.is_empty() {
            break;
        }
        followed += batch.len();
        let answers = join_all(batch.iter().map(|&(queue, sequence)| {
            let q = &queues[queue];
            follow(reach, &chains[q.source], &q.channel, sequence, None)
        }))
        .await;
        for ((queue, _), answer) in batch.into_iter().zip(answers) {
            match answer {
                Ok(Some(Followed { view, age, status })) if status.is_open() => match verdict(age, threshold_ms) {
                    Verdict::Stalled => found.push((known_age(age), view)),
                    Verdict::Recent => queues[queue].done = true,
                    Verdict::Undecided => incomplete = true,
                },
                // Settled since its chain listed it, or gone.
                Ok(_) => {}
                Err(e) => unavailable_push(&mut unavailable, e),
            }
        }
    }
    incomplete |= queues.iter().any(Queue::left) || found.len() > first;
    found.sort_by_key(|(age, _)| std::cmp::Reverse(*age));
    let transfers = found.into_iter().take(first).map(|(_, view)| view).collect();
    Ok(StalledTransfersView { transfers, unavailable, incomplete })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(source: usize, channel: &str, sequences: &[u64]) -> Queue {
        Queue { source, channel: channel.into(), sequences: sequences.to_vec(), next: 0, done: false }
    }

    #[test]
    fn batches_take_each_channels_oldest_first_round_robin() {
        let mut queues =
            vec![queue(0, "channel-0", &[3, 4, 5]), queue(1, "channel-1", &[9]), queue(1, "channel-2", &[])];
        assert_eq!(next_batch(&mut queues, 3), vec![(0, 3), (1, 9), (0, 4)]);
        assert_eq!(next_batch(&mut queues, 3), vec![(0, 5)]);
        assert_eq!(next_batch(&mut queues, 3), Vec::<(usize, u64)>::new());
        assert!(!queues.iter().any(Queue::left));
    }

    #[test]
    fn a_channel_found_recent_is_not_scanned_further() {
        let mut queues = vec![queue(0, "channel-0", &[1, 2, 3]), queue(0, "channel-1", &[7, 8])];
        assert_eq!(next_batch(&mut queues, 2), vec![(0, 1), (1, 7)]);
        queues[0].done = true;
        assert_eq!(next_batch(&mut queues, 5), vec![(1, 8)]);
        assert_eq!(next_batch(&mut queues, 0), Vec::<(usize, u64)>::new(), "a zero budget takes nothing");
    }

    #[test]
    fn a_verdict_needs_a_known_age() {
        assert_eq!(verdict(Age::Exact(60_000), 60_000), Verdict::Stalled);
        assert_eq!(verdict(Age::Exact(59_999), 60_000), Verdict::Recent);
        assert_eq!(verdict(Age::AtLeast(61_000), 60_000), Verdict::Stalled, "a lower bound past it is enough");
        assert_eq!(verdict(Age::AtLeast(1_000), 60_000), Verdict::Undecided, "a lower bound below it says nothing");
        assert_eq!(verdict(Age::Unknown, 0), Verdict::Undecided);
        assert_eq!(known_age(Age::AtLeast(5)), 5);
        assert_eq!(known_age(Age::Unknown), 0);
    }
}
