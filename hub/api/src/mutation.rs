//! The mutation root: transaction submission, one at a time or in batches.
//! Admitted transactions are gossiped to the chain's other nodes.

use crate::context::*;
use crate::views::*;
use async_graphql::{Context, Object, SimpleObject};
use tributary_types::Tx;

/// Most transactions one `submitTxs` call takes.
pub const SUBMIT_BATCH_MAX: usize = 1_000;

/// The outcome of one transaction of a `submitTxs` batch.
#[derive(SimpleObject)]
pub struct SubmitOutcome {
    /// The transaction's hash, when admitted.
    pub hash: Option<String>,
    /// Why it was refused (a stable code such as NONCE_TOO_HIGH), when refused.
    pub code: Option<String>,
    pub error: Option<String>,
}

/// Send admitted transactions to the other nodes (in the background: the
/// caller's answer does not wait for the network; gathered with others
/// submitted within a few milliseconds, see `TxGossip`, which makes the
/// caller wait only while its queue is full).
async fn gossip_txs(ctx: &Context<'_>, txs: Vec<Tx>) {
    if let Some(Some(gossip)) = ctx.data_opt::<Option<tributary_node::gossip::TxGossip>>() {
        gossip.send(txs).await;
    }
}

pub struct MutationRoot;

#[Object]
impl MutationRoot {
    /// Submit a borsh-encoded signed transaction (base64). Returns its hash once
    /// the mempool admits it; the error's `extensions.code` says why not.
    async fn submit_tx(&self, ctx: &Context<'_>, tx_base64: String) -> async_graphql::Result<SubmitResult> {
        let chain = chain(ctx);
        let (tx, len) = decode_tx(&tx_base64, chain.current_params().map_err(internal)?.max_tx_bytes as usize)?;
        let hash = chain.submit(tx.clone(), len).map_err(|e| api_error(e.code(), e.to_string()))?;
        gossip_txs(ctx, vec![tx]).await;
        Ok(SubmitResult { hash: hash.to_hex() })
    }

    /// Submit a signed `PutPrivate` with the payload it commits to: the
    /// transaction goes on chain, the payload (salt hex, data base64) stays
    /// in this node's outbox until the record commits and the host nodes of
    /// the recipients and the auditor took it. Send it to your own node:
    /// this node sees the plaintext.
    async fn submit_private(
        &self,
        ctx: &Context<'_>,
        tx_base64: String,
        salt_hex: String,
        data_base64: String,
    ) -> async_graphql::Result<crate::private::PrivateSubmitted> {
        let (tx, submitted) = crate::private::submit_private(ctx, &tx_base64, &salt_hex, &data_base64)?;
        gossip_txs(ctx, vec![tx]).await;
        Ok(submitted)
    }

    /// Submit up to 1,000 transactions at once (signatures verified as one
    /// batch). Each gets its own outcome, in order; one refusal does not stop
    /// the rest.
    async fn submit_txs(
        &self,
        ctx: &Context<'_>,
        txs_base64: Vec<String>,
    ) -> async_graphql::Result<Vec<SubmitOutcome>> {
        if txs_base64.len() > SUBMIT_BATCH_MAX {
            return Err(api_error(
                "BATCH_TOO_LARGE",
                format!("{} transactions; at most {SUBMIT_BATCH_MAX} per call", txs_base64.len()),
            ));
        }
        let chain = chain(ctx);
        let max = chain.current_params().map_err(internal)?.max_tx_bytes as usize;
        let mut valid = Vec::with_capacity(txs_base64.len());
        // Decoding errors stay in place; decoded transactions move to the batch.
        let decoded: Vec<async_graphql::Result<()>> =
            txs_base64.iter().map(|t| decode_tx(t, max).map(|tx| valid.push(tx))).collect();
        let copies: Vec<Tx> = valid.iter().map(|(tx, _)| tx.clone()).collect();
        // The client learns which signatures are bad (at most 8 are searched for).
        let results = chain.submit_batch(valid, tributary_mempool::BatchSearch::Bisect);
        let to_gossip: Vec<Tx> =
            copies.into_iter().zip(&results).filter(|(_, r)| r.is_ok()).map(|(tx, _)| tx).collect();
        gossip_txs(ctx, to_gossip).await;
        let mut admitted = results.into_iter();
        Ok(decoded
            .into_iter()
            .map(|d| match d {
                Err(e) => SubmitOutcome {
                    hash: None,
                    code: e
                        .extensions
                        .as_ref()
                        .and_then(|x| x.get("code"))
                        .map(|c| c.to_string().trim_matches('"').to_string()),
                    error: Some(e.message),
                },
                Ok(_) => match admitted.next() {
                    Some(Ok(hash)) => SubmitOutcome { hash: Some(hash.to_hex()), code: None, error: None },
                    Some(Err(e)) => {
                        SubmitOutcome { hash: None, code: Some(e.code().to_string()), error: Some(e.to_string()) }
                    }
                    None => {
                        SubmitOutcome { hash: None, code: Some("INTERNAL".into()), error: Some("no outcome".into()) }
                    }
                },
            })
            .collect())
    }
}
