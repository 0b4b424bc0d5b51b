//! The private-data part of a node's GraphQL API (module `private`): hand
//! the node a payload to deliver, read one this node holds, and see the
//! records and hosts on chain. See `tributary_node::private`.

use crate::context::{api_error, b64, chain, internal, parse_address, parse_hash};
use async_graphql::{Context, Object, SimpleObject};
use base64::Engine;
use tributary_types::private::{PrivateReadRequest, PRIVATE_SALT_BYTES};
use tributary_types::{PublicKey, Signature};

/// A private record as the chain keeps it: never the payload.
#[derive(SimpleObject)]
pub struct PrivateRecordView {
    pub data_hash: String,
    pub sender: String,
    pub recipients: Vec<String>,
    pub bytes: u32,
    pub height: u64,
    /// The auditor of record, if the chain named one when it was committed.
    pub auditor: Option<String>,
    /// Whether this node holds the payload (as a host of a recipient or of
    /// the auditor).
    pub held_here: bool,
    /// Whether this node still has to hand it to some host.
    pub outgoing_here: bool,
}

/// A payload this node gave a party.
#[derive(SimpleObject)]
pub struct PrivateDataView {
    pub data_hash: String,
    /// The plaintext, base64.
    pub data_base64: String,
    /// The salt, hex: with the data it hashes to `dataHash`.
    pub salt_hex: String,
}

/// What `submitPrivate` did.
#[derive(SimpleObject)]
pub struct PrivateSubmitted {
    /// The `PutPrivate` transaction's hash.
    pub hash: String,
    pub data_hash: String,
}

fn vault<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a std::sync::Arc<tributary_node::private::PrivateVault>> {
    chain(ctx).private_vault().ok_or_else(|| {
        api_error("NO_PRIVATE_MODULE", "this chain does not run the private module, so its nodes hold no private data")
    })
}

pub(crate) fn hex32(what: &str, text: &str) -> async_graphql::Result<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| api_error("BAD_INPUT", format!("{what} must be 32 bytes of hex")))
}

/// Take a signed `PutPrivate` with its salt and data: check that they are
/// what it commits to, admit the transaction, and keep the payload in the
/// outbox until the record commits and every host took it.
pub(crate) fn submit_private(
    ctx: &Context<'_>,
    tx_base64: &str,
    salt_hex: &str,
    data_base64: &str,
) -> async_graphql::Result<(tributary_types::Tx, PrivateSubmitted)> {
    let vault = vault(ctx)?;
    let chain = chain(ctx);
    let max = chain.current_params().map_err(internal)?.max_tx_bytes as usize;
    let (tx, len) = crate::context::decode_tx(tx_base64, max)?;
    let salt: [u8; PRIVATE_SALT_BYTES] = hex32("saltHex", salt_hex)?;
    let limit = tributary_types::private::PRIVATE_DATA_BYTES_MAX as usize;
    if data_base64.len() > limit.div_ceil(3) * 4 + 4 {
        return Err(api_error("DATA_TOO_LARGE", format!("private data is at most {limit} bytes")));
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(data_base64.trim())
        .map_err(|e| api_error("BAD_INPUT", format!("dataBase64 is not base64: {e}")))?;
    let data_hash = tributary_node::private::check_submission(&tx, &salt, &data)
        .map_err(|e| api_error("PRIVATE_MISMATCH", e.to_string()))?;
    // Queue first: a payload in the outbox whose transaction never lands
    // expires; a landed transaction whose payload was never kept is lost.
    let outgoing =
        tributary_node::private::Outgoing { salt, data, done: Vec::new(), queued_ms: tributary_node::clock::now_ms() };
    let queued_before = vault.outgoing(&data_hash).map_err(internal)?.is_some();
    vault.queue(&data_hash, &outgoing).map_err(internal)?;
    let hash = match chain.submit(tx.clone(), len) {
        Ok(hash) => hash,
        Err(e) => {
            // Refused: nothing will commit it, so nothing is kept (unless an
            // earlier submission of the same payload queued it).
            if !queued_before {
                vault.unqueue(&data_hash).map_err(internal)?;
            }
            return Err(api_error(e.code(), e.to_string()));
        }
    };
    Ok((tx, PrivateSubmitted { hash: hash.to_hex(), data_hash: data_hash.to_hex() }))
}

#[derive(Default)]
pub struct PrivateQuery;

#[Object]
impl PrivateQuery {
    /// The private record committed under `dataHash` (module `private`).
    async fn private_record(
        &self,
        ctx: &Context<'_>,
        data_hash: String,
    ) -> async_graphql::Result<Option<PrivateRecordView>> {
        let chain = chain(ctx);
        let hash = parse_hash(&data_hash)?;
        let Some(record) = tributary_runtime::private::record(&chain.latest(), &hash).map_err(internal)? else {
            return Ok(None);
        };
        let (held_here, outgoing_here) = match chain.private_vault() {
            Some(v) => (v.held(&hash).map_err(internal)?.is_some(), v.outgoing(&hash).map_err(internal)?.is_some()),
            None => (false, false),
        };
        Ok(Some(PrivateRecordView {
            data_hash: hash.to_hex(),
            sender: record.sender.to_string(),
            recipients: record.recipients.iter().map(|r| r.to_string()).collect(),
            bytes: record.bytes,
            height: record.height,
            auditor: record.auditor.map(|a| a.to_string()),
            held_here,
            outgoing_here,
        }))
    }

    /// The node key (hex) of the node that holds `address`'s private data.
    async fn private_host(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<Option<String>> {
        let account = parse_address(&address)?;
        let host = tributary_runtime::private::host(&chain(ctx).latest(), &account).map_err(internal)?;
        Ok(host.map(|k| hex::encode(k.0)))
    }

    /// This node's key (hex): what an account names with `SetPrivateHost`
    /// to have this node hold its private data.
    async fn private_node_key(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(hex::encode(vault(ctx)?.node_key().0))
    }

    /// A private payload this node holds, for a party of its record: the
    /// request is signed by the reader's key over
    /// `tributary/private-read/v1 ‖ dataHash ‖ readerKey ‖ expiresMs (u64 BE)`
    /// and expires within 5 minutes.
    async fn private_data(
        &self,
        ctx: &Context<'_>,
        data_hash: String,
        reader_key_hex: String,
        expires_ms: u64,
        signature_hex: String,
    ) -> async_graphql::Result<PrivateDataView> {
        let vault = vault(ctx)?;
        let chain = chain(ctx);
        let hash = parse_hash(&data_hash)?;
        let signature: [u8; 64] = hex::decode(signature_hex.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| api_error("BAD_INPUT", "signatureHex must be 64 bytes of hex"))?;
        let request = PrivateReadRequest {
            data_hash: hash,
            reader: PublicKey(hex32("readerKeyHex", &reader_key_hex)?),
            expires_ms,
            signature: Signature(signature),
        };
        let record = tributary_runtime::private::record(&chain.latest(), &hash).map_err(internal)?;
        let now = tributary_node::clock::now_ms();
        if let Err(e) = tributary_node::private::check_read(record.as_ref(), &request, now) {
            let code = match e {
                tributary_node::private::ReadError::NotAParty(_) => "NOT_A_PARTY",
                tributary_node::private::ReadError::NoRecord(_) => "NOT_FOUND",
                _ => "BAD_READ_REQUEST",
            };
            tracing::warn!(data_hash = %hash, reader = %request.reader.address(), "audit: private read refused: {e}");
            return Err(api_error(code, e.to_string()));
        }
        let found = match vault.held(&hash).map_err(internal)? {
            Some(held) => Some((held.salt, held.data)),
            None => vault.outgoing(&hash).map_err(internal)?.map(|o| (o.salt, o.data)),
        };
        let (salt, data) =
            found.ok_or_else(|| api_error("NOT_HELD", tributary_node::private::ReadError::NotHeld.to_string()))?;
        Ok(PrivateDataView { data_hash: hash.to_hex(), data_base64: b64(&data), salt_hex: hex::encode(salt) })
    }
}
