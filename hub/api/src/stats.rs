//! `recentBlockStats`: what this node saw as it committed its last blocks
//! (finality, the mempool left behind, the time the commit took), for the
//! explorer's charts. These are the node's observations, not chain state:
//! they live in memory (the last [`RECENT_BLOCKS`] commits) and a restarted
//! node starts over. Block times and transactions per block are the
//! chain's own record too (`blocksConnection`), over any range.

use crate::context::{api_error, chain};
use async_graphql::{Context, Object, SimpleObject};
pub use tributary_node::metrics::RECENT_BLOCKS;

/// Blocks `recentBlockStats` returns when `last` is not given.
pub const RECENT_BLOCKS_DEFAULT: usize = 300;

/// One block as this node committed it.
#[derive(SimpleObject)]
pub struct BlockStatView {
    pub height: u64,
    /// The header's time (the proposer's clock), ms since the Unix epoch.
    pub time_ms: u64,
    /// When this node committed the block (its own clock), ms since the Unix epoch.
    pub committed_ms: u64,
    /// `committedMs - timeMs`: from the proposer stamping the block to this
    /// node committing it, i.e. how long until the block was final here
    /// (a BFT commit is final). A block this node synced from peers later
    /// shows how late it arrived; clocks apart by more than that make it
    /// negative.
    pub finality_ms: i64,
    pub tx_count: u32,
    /// Transactions still waiting in this node's mempool after the commit.
    pub mempool_size: u64,
    /// Time this node took to write the block, in microseconds.
    pub commit_micros: u64,
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// This node's last `last` commits (default 300, at most 1,024), oldest
    /// first: only those since it started, and only those it remembers.
    async fn recent_block_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "RECENT_BLOCKS_DEFAULT")] last: usize,
    ) -> async_graphql::Result<Vec<BlockStatView>> {
        if last > RECENT_BLOCKS {
            return Err(api_error("PAGE_TOO_LARGE", format!("`last` is {last}; the maximum is {RECENT_BLOCKS}")));
        }
        Ok(chain(ctx)
            .metrics
            .recent_blocks(last)
            .into_iter()
            .map(|s| BlockStatView {
                height: s.height,
                time_ms: s.header_time_ms,
                committed_ms: s.committed_ms,
                finality_ms: i64::try_from(s.committed_ms)
                    .unwrap_or(i64::MAX)
                    .saturating_sub(i64::try_from(s.header_time_ms).unwrap_or(i64::MAX)),
                tx_count: s.txs,
                mempool_size: s.mempool_size,
                commit_micros: s.commit_micros,
            })
            .collect())
    }
}
