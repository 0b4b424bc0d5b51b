//! Private data on a node: what it holds, what it still has to hand over,
//! and who may read it (the model is in [`tributary_types::private`]).
//!
//! - **Submitting.** A client hands its node a signed `PutPrivate`, the
//!   salt and the plaintext ([`check_submission`]); the node admits the
//!   transaction and keeps the payload in its *outbox* (column `private`,
//!   never part of consensus state).
//! - **Handing over.** Once the record is committed, [`deliver`] sends the
//!   payload over the libp2p direct protocol to the host node of every
//!   recipient and of the auditor of record, each found by the node key the
//!   account named on chain; the noise handshake proves the peer holds that
//!   key, so nobody else can pose as a host. A delivered payload leaves the
//!   outbox; the submitting node keeps no copy unless it is a host itself.
//!   A payload whose record never commits, or whose hosts stay unreachable,
//!   leaves the outbox after [`OUTBOX_TTL_MS`] with an error in the log.
//! - **Receiving.** [`judge`] takes a payload only when its record is on
//!   chain here, the salt and data hash to it with the record's length, and
//!   this node is the host of one of the record's holders. Anything else is
//!   refused, counted (`tributary_private_refused_total`) and logged as an
//!   audit line naming the peer.
//! - **Reading.** [`check_read`] serves the plaintext only to a request
//!   signed by the sender, a recipient or the auditor of record, within its
//!   short validity.

use crate::metrics::Metrics;
use borsh::{BorshDeserialize, BorshSerialize};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tributary_store::{Batch, Column, Durability, Store, StoreError};
use tributary_types::private::{
    private_data_hash, DeliveryAnswer, PrivateDelivery, PrivateReadRequest, PrivateRecord, PRIVATE_SALT_BYTES,
};
use tributary_types::{Hash, PublicKey, Tx, TxBody};

/// How long a payload waits in the outbox for its record to commit and its
/// hosts to take it.
pub const OUTBOX_TTL_MS: u64 = 60 * 60 * 1000;
/// Most outbox entries one delivery pass looks at.
const OUTBOX_PASS_MAX: usize = 64;

const HELD: u8 = b'h';
const OUTBOX: u8 = b'o';

fn key(prefix: u8, data_hash: &Hash) -> Vec<u8> {
    let mut key = vec![prefix];
    key.extend_from_slice(&data_hash.0);
    key
}

/// A payload this node holds for one of its accounts.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Held {
    pub salt: [u8; PRIVATE_SALT_BYTES],
    pub data: Vec<u8>,
}

/// A payload still to hand over.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Outgoing {
    pub salt: [u8; PRIVATE_SALT_BYTES],
    pub data: Vec<u8>,
    /// Host node keys that took it (or refused it for good).
    pub done: Vec<PublicKey>,
    pub queued_ms: u64,
}

/// Why a client's private submission was refused before anything was sent.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SubmitError {
    #[error("the transaction is a {0} transaction; a private submission carries put_private")]
    NotAPut(&'static str),
    #[error("the data is {got} bytes but the transaction says {said}")]
    WrongLength { got: usize, said: u32 },
    #[error(
        "the salt and data hash to {got}, but the transaction commits to {said}: send the data the hash was made of"
    )]
    WrongHash { got: Hash, said: Hash },
}

/// Why a read was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the read request expired at {expires_ms} (now {now_ms}); sign a new one")]
    Expired { expires_ms: u64, now_ms: u64 },
    #[error("the read request is valid until {expires_ms}, more than {max_ms} ms ahead; ask for a shorter validity")]
    TooLong { expires_ms: u64, max_ms: u64 },
    #[error("the read request's signature does not verify against its reader key")]
    BadSignature,
    #[error("no private record with hash {0} is committed on this chain")]
    NoRecord(Hash),
    #[error("account {0} is neither the sender, a recipient nor the auditor of this record")]
    NotAParty(tributary_types::Address),
    #[error("this node does not hold that payload: ask the host node of a recipient or the auditor")]
    NotHeld,
}

/// The checks on a client's submission: the body commits to this data.
pub fn check_submission(tx: &Tx, salt: &[u8; PRIVATE_SALT_BYTES], data: &[u8]) -> Result<Hash, SubmitError> {
    let TxBody::PutPrivate { data_hash, bytes, .. } = &tx.body else {
        return Err(SubmitError::NotAPut(tx.body.kind()));
    };
    if data.len() != *bytes as usize {
        return Err(SubmitError::WrongLength { got: data.len(), said: *bytes });
    }
    let got = private_data_hash(salt, data);
    if got != *data_hash {
        return Err(SubmitError::WrongHash { got, said: *data_hash });
    }
    Ok(got)
}

/// Whether this node (`me`) takes `delivery`: `record` is what its chain
/// holds under the hash, `hosts` the node keys its holders named.
pub fn judge(
    record: Option<&PrivateRecord>,
    hosts: &[PublicKey],
    me: &PublicKey,
    delivery: &PrivateDelivery,
) -> DeliveryAnswer {
    let Some(record) = record else { return DeliveryAnswer::NoRecord };
    if !hosts.contains(me) {
        return DeliveryAnswer::NotAHolder;
    }
    if delivery.data.len() != record.bytes as usize
        || private_data_hash(&delivery.salt, &delivery.data) != delivery.data_hash
    {
        return DeliveryAnswer::Mismatch;
    }
    DeliveryAnswer::Stored
}

/// Whether `request` may read the payload of `record` at `now_ms`.
pub fn check_read(record: Option<&PrivateRecord>, request: &PrivateReadRequest, now_ms: u64) -> Result<(), ReadError> {
    if request.expires_ms < now_ms {
        return Err(ReadError::Expired { expires_ms: request.expires_ms, now_ms });
    }
    if request.expires_ms > now_ms.saturating_add(PrivateReadRequest::VALIDITY_MAX_MS) {
        return Err(ReadError::TooLong { expires_ms: request.expires_ms, max_ms: PrivateReadRequest::VALIDITY_MAX_MS });
    }
    let bytes = PrivateReadRequest::sign_bytes(&request.data_hash, &request.reader, request.expires_ms);
    tributary_crypto::verify(&request.reader, &bytes, &request.signature).map_err(|_| ReadError::BadSignature)?;
    let record = record.ok_or(ReadError::NoRecord(request.data_hash))?;
    let reader = request.reader.address();
    if !record.is_party(&reader) {
        return Err(ReadError::NotAParty(reader));
    }
    Ok(())
}

/// The node's private payloads, in its RocksDB.
pub struct PrivateVault {
    store: Arc<Store>,
    node_key: PublicKey,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for PrivateVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateVault").field("node_key", &hex::encode(self.node_key.0)).finish()
    }
}

fn decode<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, StoreError> {
    borsh::from_slice(bytes).map_err(|e| StoreError::Checksum { column: "private", reason: e.to_string() })
}

impl PrivateVault {
    pub fn new(store: Arc<Store>, node_key: PublicKey, metrics: Arc<Metrics>) -> Self {
        PrivateVault { store, node_key, metrics }
    }

    /// This node's key: what an account names to make it its host.
    pub fn node_key(&self) -> PublicKey {
        self.node_key
    }

    /// The payload this node holds (as a host) under `data_hash`.
    pub fn held(&self, data_hash: &Hash) -> Result<Option<Held>, StoreError> {
        self.store.get(Column::Private, &key(HELD, data_hash))?.map(|b| decode(&b)).transpose()
    }

    /// The payload still waiting in the outbox under `data_hash`.
    pub fn outgoing(&self, data_hash: &Hash) -> Result<Option<Outgoing>, StoreError> {
        self.store.get(Column::Private, &key(OUTBOX, data_hash))?.map(|b| decode(&b)).transpose()
    }

    /// Keep a payload as a host of one of its holders.
    pub fn hold(&self, data_hash: &Hash, held: &Held) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        batch.put(Column::Private, key(HELD, data_hash), borsh::to_vec(held).unwrap_or_default());
        self.store.write(batch, Durability::Sync)?;
        self.metrics.private_held.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Put a payload in the outbox (it survives a restart: written synced).
    pub fn queue(&self, data_hash: &Hash, outgoing: &Outgoing) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        batch.put(Column::Private, key(OUTBOX, data_hash), borsh::to_vec(outgoing).unwrap_or_default());
        self.store.write(batch, Durability::Sync)
    }

    /// Take a payload out of the outbox (delivered, expired, or its
    /// transaction refused).
    pub fn unqueue(&self, data_hash: &Hash) -> Result<(), StoreError> {
        let mut batch = Batch::new();
        batch.delete(Column::Private, key(OUTBOX, data_hash));
        self.store.write(batch, Durability::Sync)
    }

    /// Up to `limit` outbox entries.
    pub fn outbox(&self, limit: usize) -> Result<Vec<(Hash, Outgoing)>, StoreError> {
        let mut out = Vec::new();
        for (k, v) in self.store.scan(Column::Private, &[OUTBOX], true, limit)? {
            if k.first() != Some(&OUTBOX) {
                break;
            }
            let Ok(hash) = <[u8; 32]>::try_from(&k[1..]) else { continue };
            out.push((Hash(hash), decode(&v)?));
        }
        Ok(out)
    }

    /// What this node answers a peer that hands it `bytes`, and why
    /// (refusals are counted and logged as audit lines).
    pub fn receive(
        &self,
        from: &str,
        bytes: &[u8],
        record: impl FnOnce(&Hash) -> Option<(PrivateRecord, Vec<PublicKey>)>,
    ) -> Option<DeliveryAnswer> {
        let delivery: PrivateDelivery =
            tributary_types::decode_bounded("private delivery", bytes, PrivateDelivery::BYTES_MAX).ok()?;
        let found = record(&delivery.data_hash);
        let answer = judge(
            found.as_ref().map(|(r, _)| r),
            found.as_ref().map_or(&[][..], |(_, h)| h),
            &self.node_key,
            &delivery,
        );
        match answer {
            DeliveryAnswer::Stored => {
                let held = Held { salt: delivery.salt, data: delivery.data };
                if let Err(e) = self.hold(&delivery.data_hash, &held) {
                    tracing::error!(data_hash = %delivery.data_hash, "cannot keep a private payload: {e}");
                    return None;
                }
                tracing::info!(data_hash = %delivery.data_hash, peer = from, "holding a private payload");
            }
            DeliveryAnswer::NoRecord => {}
            DeliveryAnswer::NotAHolder | DeliveryAnswer::Mismatch => {
                self.metrics.private_refused.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    data_hash = %delivery.data_hash, peer = from, answer = ?answer,
                    "audit: refused a private payload (this node hosts none of its recipients, or it does not match \
                     its record)"
                );
            }
        }
        Some(answer)
    }
}

/// What a delivery pass needs of the chain and the network, so that the
/// pass itself is tested without either.
pub trait DeliveryEnv {
    fn now_ms(&self) -> u64;
    /// The committed record and the node keys of its holders' hosts.
    fn record(&self, data_hash: &Hash) -> Option<(PrivateRecord, Vec<PublicKey>)>;
    /// Hand `delivery` to the node with `host` key; its answer, or none.
    fn send(
        &self,
        host: PublicKey,
        delivery: Vec<u8>,
    ) -> impl std::future::Future<Output = Option<DeliveryAnswer>> + Send;
}

/// One pass over the outbox: hand every committed payload to the hosts that
/// have not taken it yet; drop what is delivered or too old.
pub async fn deliver(vault: &PrivateVault, env: &impl DeliveryEnv) -> Result<(), StoreError> {
    for (data_hash, mut outgoing) in vault.outbox(OUTBOX_PASS_MAX)? {
        let now = env.now_ms();
        let expired = now.saturating_sub(outgoing.queued_ms) > OUTBOX_TTL_MS;
        let Some((_record, hosts)) = env.record(&data_hash) else {
            if expired {
                tracing::error!(%data_hash, "a private payload's record never committed; dropping the payload");
                vault.unqueue(&data_hash)?;
            }
            continue;
        };
        let wire = borsh::to_vec(&PrivateDelivery { data_hash, salt: outgoing.salt, data: outgoing.data.clone() })
            .unwrap_or_default();
        let before = outgoing.done.len();
        for host in hosts.iter().filter(|h| !outgoing.done.contains(h)).copied().collect::<Vec<_>>() {
            if host == vault.node_key {
                vault.hold(&data_hash, &Held { salt: outgoing.salt, data: outgoing.data.clone() })?;
                outgoing.done.push(host);
                continue;
            }
            match env.send(host, wire.clone()).await {
                Some(DeliveryAnswer::Stored) => {
                    vault.metrics.private_delivered.fetch_add(1, Ordering::Relaxed);
                    outgoing.done.push(host);
                }
                Some(answer @ (DeliveryAnswer::NotAHolder | DeliveryAnswer::Mismatch)) => {
                    tracing::error!(%data_hash, host = %hex::encode(host.0), ?answer, "a host refused a private payload");
                    outgoing.done.push(host);
                }
                // Not committed there yet, or unreachable: next pass.
                Some(DeliveryAnswer::NoRecord) | None => {}
            }
        }
        if hosts.iter().all(|h| outgoing.done.contains(h)) {
            vault.unqueue(&data_hash)?;
        } else if expired {
            tracing::error!(%data_hash, "some hosts of a private payload stayed unreachable; dropping the payload");
            vault.unqueue(&data_hash)?;
        } else if outgoing.done.len() != before {
            vault.queue(&data_hash, &outgoing)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
