//! Turning consensus evidence into a transaction: any node that sees a
//! validator sign two different votes in one slot submits the proof, and the
//! staking module slashes and removes the offender.

use crate::chain::Chain;
use tributary_consensus::Evidence;
use tributary_types::{SignDoc, Tx, TxBody};

/// A `SubmitEvidence` transaction signed by this node's validator key, or
/// `None` for a node without one.
pub fn evidence_tx(chain: &Chain, evidence: &Evidence) -> Option<Tx> {
    let key = chain.validator_key()?;
    let evidence = borsh::to_vec(evidence).ok()?;
    let sender = key.public_key();
    let mut doc = SignDoc {
        chain_id: chain.genesis().chain_id.clone(),
        sender,
        nonce: chain.next_nonce(&sender.address()),
        fee: 0,
        body: TxBody::SubmitEvidence { evidence },
    };
    doc.fee = chain.suggested_fee(&doc, crate::clock::now_ms()).ok()?;
    Some(key.sign_tx(doc))
}
