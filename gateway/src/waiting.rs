//! What an unfinished transfer waits for, decided from what the gateway
//! observed of it: no I/O here, so every wording is unit-tested.
//!
//! Why: a packet that no relayer serves used to stay `pending` with nothing
//! saying why. The answer now names who it waits for (a relayer, and on
//! which chain and channel), what happens if nobody comes (its timeout and
//! the refund), and how long it has waited, from the chains' own block
//! times against the gateway's clock.
//!
//! IBC settles nothing by itself: delivery, acknowledgement and timeout are
//! all transactions some relayer submits. So every text names the relayer
//! step that is missing, never an automatic outcome.

/// Where a transfer is. Answered as its `as_str` (the schema's `status`
/// string stays as it was, for existing clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferStatus {
    /// Sent, not received.
    Pending,
    /// Received; its acknowledgement is on its way back.
    Received,
    /// Done: the destination accepted it.
    Acknowledged,
    /// Done: the destination refused it; the sender was refunded.
    Failed,
    /// Done: it timed out; the sender was refunded.
    TimedOut,
    /// No such packet in the chains' reach.
    Unknown,
}

impl TransferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Pending => "pending",
            TransferStatus::Received => "received",
            TransferStatus::Acknowledged => "acknowledged",
            TransferStatus::Failed => "failed",
            TransferStatus::TimedOut => "timed_out",
            TransferStatus::Unknown => "unknown",
        }
    }

    /// Still waiting for a relayer (its packet is unsettled on its source).
    pub fn is_open(self) -> bool {
        matches!(self, TransferStatus::Pending | TransferStatus::Received)
    }
}

/// The status from the hops found: an acknowledgement on the source
/// (`Some(success)`), a timeout on the source, a receipt on the
/// destination, the packet in the source's pending index. The source's
/// settlement wins over the destination's receipt, which wins over the
/// pending index.
pub fn decide_status(ack_success: Option<bool>, timed_out: bool, received: bool, pending: bool) -> TransferStatus {
    match ack_success {
        Some(true) => TransferStatus::Acknowledged,
        Some(false) => TransferStatus::Failed,
        None if timed_out => TransferStatus::TimedOut,
        None if received => TransferStatus::Received,
        None if pending => TransferStatus::Pending,
        None => TransferStatus::Unknown,
    }
}

/// A packet's timeout as the packet states it: a height and a time (ms
/// since the Unix epoch), both of the destination chain; 0 means none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PacketTimeout {
    pub height: u64,
    pub time_ms: u64,
}

impl PacketTimeout {
    /// `"height 120 of chain-b"`, `"2024-05-01T12:00:00Z by chain-b's clock"`,
    /// or both; `None` for a packet without a timeout (the chains refuse to
    /// send one, but an answer may lack it).
    pub fn describe(&self, destination: &str) -> Option<String> {
        match (self.height, self.time_ms) {
            (0, 0) => None,
            (height, 0) => Some(format!("height {height} of {destination}")),
            (0, time) => Some(format!("{} by {destination}'s clock", utc(time))),
            (height, time) => {
                Some(format!("height {height} of {destination} or {} by its clock, whichever comes first", utc(time)))
            }
        }
    }

    /// Whether it has passed, as far as anything observed shows: the
    /// destination's own height, the latest destination header the source's
    /// light client holds (what a timeout proof can be checked against), or,
    /// for a time, the gateway's clock (block times follow wall clocks
    /// within the chains' drift bound, so this may run a few seconds early).
    pub fn passed(&self, destination_height: Option<u64>, client_latest: Option<(u64, u64)>, now_ms: u64) -> bool {
        let height_passed = |h: u64| self.height != 0 && h >= self.height;
        let time_passed = |t: u64| self.time_ms != 0 && t >= self.time_ms;
        destination_height.is_some_and(height_passed)
            || client_latest.is_some_and(|(h, t)| height_passed(h) || time_passed(t))
            || time_passed(now_ms)
    }
}

/// What the gateway knows of the chain at the other end of the channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Not a chain in the gateway's directory (or the channel names no
    /// counterparty): no relayer following the hub serves it.
    NotKnown,
    /// In the directory but it did not answer: whether it has the packet is unknown.
    Unreachable,
    /// It answered; `timed_out` when it recorded the packet as timed out
    /// (an ordered channel's timeout receipt).
    Answered { timed_out: bool },
}

/// Everything [`waiting_for`] decides on.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub status: TransferStatus,
    pub source_chain: &'a str,
    pub source_channel: &'a str,
    pub destination_chain: Option<&'a str>,
    pub destination_channel: Option<&'a str>,
    pub destination: Destination,
    /// From the source's pending index; `None` when not read.
    pub timeout: Option<PacketTimeout>,
    /// See [`PacketTimeout::passed`].
    pub timeout_passed: bool,
    /// The destination's acknowledgement, once it wrote one.
    pub ack_success: Option<bool>,
}

/// Who (or what) an unfinished transfer waits for, in words; `None` once it
/// is done (acknowledged, failed, timed out) or unknown.
pub fn waiting_for(f: &Facts<'_>) -> Option<String> {
    let (source, channel) = (f.source_chain, f.source_channel);
    let destination = f.destination_chain.unwrap_or("the chain at the other end");
    let timeout = f.timeout.and_then(|t| t.describe(destination)).map(|t| format!(" ({t})")).unwrap_or_default();
    let refund = format!("it can be timed out on {source} and the sender refunded");
    match f.status {
        TransferStatus::Pending => Some(match (f.destination, f.destination_channel) {
            (Destination::Answered { timed_out: true }, _) => format!(
                "a relayer to bring the proof that {destination} timed it out back to {source}, which refunds the \
                 sender: {destination} recorded its timeout and will not accept it"
            ),
            (Destination::NotKnown, _) | (_, None) if f.timeout_passed => format!(
                "a relayer that follows {destination} to time it out on {source}, which refunds the sender: its \
                 timeout{timeout} has passed, and no chain the hub knows is at the other end of {source} {channel}, \
                 so no relayer following the hub will"
            ),
            (Destination::NotKnown, _) | (_, None) => format!(
                "its timeout{timeout}: no chain the hub knows is at the other end of {source} {channel}, so no relayer \
                 following the hub can deliver it; after the timeout, a relayer that follows {destination} can time it \
                 out on {source} and refund the sender"
            ),
            _ if f.timeout_passed => format!(
                "a relayer to time it out on {source}, which refunds the sender: its timeout{timeout} has passed, so \
                 {destination} will no longer accept it"
            ),
            (Destination::Unreachable, Some(dest_channel)) => format!(
                "a relayer to deliver it to {destination} on {dest_channel} ({destination} does not answer the \
                 gateway, so whether one has is not known); if none does before its timeout{timeout}, {refund}"
            ),
            (Destination::Answered { .. }, Some(dest_channel)) => format!(
                "a relayer to deliver it to {destination} on {dest_channel} (no relayer has yet); if none does before \
                 its timeout{timeout}, {refund}"
            ),
        }),
        TransferStatus::Received => {
            let back = format!("a relayer to bring its acknowledgement back to {source} on {channel}");
            Some(match f.ack_success {
                Some(false) => format!(
                    "{back}: {destination} refused it, and the sender is refunded on {source} when the \
                     acknowledgement arrives (it can no longer time out)"
                ),
                Some(true) => format!(
                    "{back}: {destination} has received it and credited the receiver; {source} settles it when the \
                     acknowledgement arrives (it can no longer time out)"
                ),
                None => format!(
                    "{back}: {destination} has received it; {source} settles it when the acknowledgement arrives \
                     (it can no longer time out)"
                ),
            })
        }
        TransferStatus::Acknowledged | TransferStatus::Failed | TransferStatus::TimedOut | TransferStatus::Unknown => {
            None
        }
    }
}

/// When the send was committed, as far as the chain's history shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendTime {
    /// Its block's time (ms since the Unix epoch).
    At(u64),
    /// Before this block time: the send is older than the node's history
    /// walk, whose oldest block walked has this time.
    Before(u64),
    Unknown,
}

/// How long a transfer has waited since its send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Exact(u64),
    AtLeast(u64),
    Unknown,
}

impl Age {
    /// `now_ms` minus the send's time; a send "in the future" of a skewed
    /// clock reads as zero.
    pub fn since(send: SendTime, now_ms: u64) -> Age {
        match send {
            SendTime::At(t) => Age::Exact(now_ms.saturating_sub(t)),
            SendTime::Before(t) => Age::AtLeast(now_ms.saturating_sub(t)),
            SendTime::Unknown => Age::Unknown,
        }
    }

    /// The answer's `pendingForMs`: only an exact age.
    pub fn exact(self) -> Option<u64> {
        match self {
            Age::Exact(ms) => Some(ms),
            Age::AtLeast(_) | Age::Unknown => None,
        }
    }
}

/// `ms` since the Unix epoch as an ISO 8601 UTC time, to the second.
pub fn utc(ms: u64) -> String {
    let secs = ms / 1_000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (never negative here).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: TransferStatus, destination: Destination) -> Facts<'static> {
        Facts {
            status,
            source_chain: "hub-1",
            source_channel: "channel-0",
            destination_chain: Some("token-1"),
            destination_channel: Some("channel-3"),
            destination,
            timeout: Some(PacketTimeout { height: 500, time_ms: 0 }),
            timeout_passed: false,
            ack_success: None,
        }
    }

    const ANSWERED: Destination = Destination::Answered { timed_out: false };

    #[test]
    fn the_status_follows_the_most_settled_hop() {
        use TransferStatus::*;
        assert_eq!(decide_status(Some(true), false, true, true), Acknowledged);
        assert_eq!(decide_status(Some(false), false, true, false), Failed);
        assert_eq!(decide_status(None, true, false, true), TimedOut);
        assert_eq!(decide_status(None, false, true, true), Received);
        assert_eq!(decide_status(None, false, false, true), Pending);
        assert_eq!(decide_status(None, false, false, false), Unknown);
        let all = [Pending, Received, Acknowledged, Failed, TimedOut, Unknown];
        let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["pending", "received", "acknowledged", "failed", "timed_out", "unknown"]);
        assert_eq!(all.iter().filter(|s| s.is_open()).count(), 2);
    }

    #[test]
    fn a_pending_packet_to_a_known_chain_waits_for_a_relayer_to_deliver_it() {
        let text = waiting_for(&facts(TransferStatus::Pending, ANSWERED)).unwrap();
        assert_eq!(
            text,
            "a relayer to deliver it to token-1 on channel-3 (no relayer has yet); if none does before its timeout \
             (height 500 of token-1), it can be timed out on hub-1 and the sender refunded"
        );
    }

    #[test]
    fn a_silent_destination_is_said_to_be_silent() {
        let text = waiting_for(&facts(TransferStatus::Pending, Destination::Unreachable)).unwrap();
        assert!(text.starts_with("a relayer to deliver it to token-1 on channel-3"), "{text}");
        assert!(text.contains("token-1 does not answer the gateway, so whether one has is not known"), "{text}");
        assert!(!text.contains("no relayer has yet"), "{text}");
    }

    #[test]
    fn a_packet_to_a_chain_the_hub_does_not_know_waits_for_its_timeout() {
        let text = waiting_for(&facts(TransferStatus::Pending, Destination::NotKnown)).unwrap();
        assert_eq!(
            text,
            "its timeout (height 500 of token-1): no chain the hub knows is at the other end of hub-1 channel-0, so \
             no relayer following the hub can deliver it; after the timeout, a relayer that follows token-1 can time \
             it out on hub-1 and refund the sender"
        );
        // Without a named counterparty or a destination channel it says the same of "the other end".
        let mut f = facts(TransferStatus::Pending, ANSWERED);
        f.destination_chain = None;
        f.destination_channel = None;
        f.timeout = None;
        let text = waiting_for(&f).unwrap();
        assert!(
            text.starts_with("its timeout: no chain the hub knows is at the other end of hub-1 channel-0"),
            "{text}"
        );
        assert!(text.contains("a relayer that follows the chain at the other end"), "{text}");
    }

    #[test]
    fn a_packet_past_its_timeout_waits_for_a_relayer_to_time_it_out() {
        let mut f = facts(TransferStatus::Pending, ANSWERED);
        f.timeout_passed = true;
        let text = waiting_for(&f).unwrap();
        assert_eq!(
            text,
            "a relayer to time it out on hub-1, which refunds the sender: its timeout (height 500 of token-1) has \
             passed, so token-1 will no longer accept it"
        );
        f.destination = Destination::NotKnown;
        let text = waiting_for(&f).unwrap();
        assert!(text.starts_with("a relayer that follows token-1 to time it out on hub-1"), "{text}");
        assert!(text.contains("no relayer following the hub will"), "{text}");
        // The destination's own timeout receipt (ordered channel) comes first.
        f.destination = Destination::Answered { timed_out: true };
        let text = waiting_for(&f).unwrap();
        assert!(text.starts_with("a relayer to bring the proof that token-1 timed it out back to hub-1"), "{text}");
    }

    #[test]
    fn a_received_packet_waits_for_its_acknowledgement() {
        let mut f = facts(TransferStatus::Received, ANSWERED);
        let plain = waiting_for(&f).unwrap();
        assert_eq!(
            plain,
            "a relayer to bring its acknowledgement back to hub-1 on channel-0: token-1 has received it; hub-1 \
             settles it when the acknowledgement arrives (it can no longer time out)"
        );
        f.ack_success = Some(true);
        assert!(waiting_for(&f).unwrap().contains("token-1 has received it and credited the receiver"));
        f.ack_success = Some(false);
        let refused = waiting_for(&f).unwrap();
        assert!(refused.contains("token-1 refused it, and the sender is refunded on hub-1"), "{refused}");
        // The source's channel, not the destination's.
        assert!(!refused.contains("channel-3"), "{refused}");
    }

    #[test]
    fn done_transfers_wait_for_nothing() {
        for status in
            [TransferStatus::Acknowledged, TransferStatus::Failed, TransferStatus::TimedOut, TransferStatus::Unknown]
        {
            for destination in [ANSWERED, Destination::NotKnown, Destination::Unreachable] {
                assert_eq!(waiting_for(&facts(status, destination)), None, "{status:?} {destination:?}");
            }
        }
    }

    #[test]
    fn timeouts_are_described_by_height_time_or_both() {
        let t = |height, time_ms| PacketTimeout { height, time_ms }.describe("b");
        assert_eq!(t(0, 0), None);
        assert_eq!(t(7, 0).as_deref(), Some("height 7 of b"));
        assert_eq!(t(0, 1_700_000_000_000).as_deref(), Some("2023-11-14T22:13:20Z by b's clock"));
        assert_eq!(
            t(7, 86_400_000).as_deref(),
            Some("height 7 of b or 1970-01-02T00:00:00Z by its clock, whichever comes first")
        );
    }

    #[test]
    fn a_timeout_passes_by_the_destination_its_client_or_the_clock() {
        let by_height = PacketTimeout { height: 100, time_ms: 0 };
        assert!(!by_height.passed(Some(99), Some((99, u64::MAX)), u64::MAX), "a time does not pass a height");
        assert!(by_height.passed(Some(100), None, 0));
        assert!(by_height.passed(None, Some((100, 0)), 0));
        let by_time = PacketTimeout { height: 0, time_ms: 5_000 };
        assert!(!by_time.passed(Some(u64::MAX), Some((u64::MAX, 4_999)), 4_999), "a height does not pass a time");
        assert!(by_time.passed(None, Some((1, 5_000)), 0));
        assert!(by_time.passed(None, None, 5_000));
        assert!(!PacketTimeout::default().passed(Some(u64::MAX), Some((u64::MAX, u64::MAX)), u64::MAX));
    }

    #[test]
    fn ages_are_exact_bounded_or_unknown() {
        assert_eq!(Age::since(SendTime::At(1_000), 61_000), Age::Exact(60_000));
        assert_eq!(Age::since(SendTime::At(2_000), 1_000), Age::Exact(0), "a skewed clock reads zero");
        assert_eq!(Age::since(SendTime::Before(1_000), 3_000), Age::AtLeast(2_000));
        assert_eq!(Age::since(SendTime::Unknown, 3_000), Age::Unknown);
        assert_eq!(Age::Exact(5).exact(), Some(5));
        assert_eq!(Age::AtLeast(5).exact(), None);
    }

    #[test]
    fn utc_times_match_known_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_709_251_199_999), "2024-02-29T23:59:59Z");
        assert_eq!(utc(4_102_444_800_000), "2100-01-01T00:00:00Z");
    }
}
