//! The identity part of a node's GraphQL API (module `identity`): a DID
//! resolver that answers with a W3C DID Core document, and an identity's
//! delegations.
//!
//! Validators and oracle feeders have DIDs without sending anything: a
//! validator's or a feeder's address resolves to an *implicit* document
//! whose one key is the key the chain already knows for it (from staking or
//! from the feed), until the account creates its own.

use crate::context::{api_error, chain, internal, parse_address};
use async_graphql::{Context, Object, SimpleObject};
use base64::Engine;
use serde_json::{json, Value};
use tributary_types::identity::{did_of, parse_did, DidDocument, VerificationKey};
use tributary_types::{Address, ChainId, PublicKey};

/// A resolved DID.
#[derive(SimpleObject)]
pub struct DidResolutionView {
    pub did: String,
    /// The W3C DID Core document (JSON-LD), keys as `JsonWebKey2020`.
    pub document: async_graphql::Json<Value>,
    pub deactivated: bool,
    /// No document was created: this is a validator's or a feeder's, made
    /// from the key the chain knows for it.
    pub implicit: bool,
    pub created_height: Option<u64>,
    pub updated_height: Option<u64>,
    /// Who may act for it, for what (module `identity`).
    pub delegations: Vec<DelegationView>,
}

#[derive(SimpleObject)]
pub struct DelegationView {
    pub delegate: String,
    pub kinds: Vec<String>,
    pub expires_height: u64,
    pub spend_limit: String,
    pub spent: String,
}

fn jwk(key: &PublicKey) -> Value {
    json!({ "kty": "OKP", "crv": "Ed25519", "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.0) })
}

/// The W3C DID Core form of `doc`.
pub fn w3c_document(chain_id: &ChainId, address: &Address, doc: &DidDocument) -> Value {
    let did = did_of(chain_id, address);
    let method = |k: &VerificationKey| json!({ "id": format!("{did}#{}", k.id), "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk(&k.public_key) });
    let refs: Vec<String> = doc.keys.iter().map(|k| format!("{did}#{}", k.id)).collect();
    let mut out = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "controller": doc.controllers.iter().map(|c| did_of(chain_id, c)).collect::<Vec<_>>(),
        "verificationMethod": doc.keys.iter().map(method).collect::<Vec<_>>(),
        "authentication": refs,
        "assertionMethod": refs,
    });
    if !doc.services.is_empty() {
        out["service"] = doc
            .services
            .iter()
            .map(|s| json!({ "id": format!("{did}#{}", s.id), "type": s.kind, "serviceEndpoint": s.endpoint }))
            .collect();
    }
    out
}

/// The key the chain knows for `address` as a validator or a feeder.
fn known_key(
    state: &dyn tributary_runtime::state::StateRead,
    address: &Address,
) -> async_graphql::Result<Option<PublicKey>> {
    if let Some(record) = tributary_runtime::staking::validator(state, address).map_err(internal)? {
        return Ok(Some(record.public_key));
    }
    for id in tributary_runtime::oracle::feed_ids(state)
        .map_err(internal)?
        .into_iter()
        .take(tributary_runtime::oracle::FEEDS_MAX)
    {
        let Some(feed) = tributary_runtime::oracle::feed(state, &id).map_err(internal)? else { continue };
        if let Some(key) = feed.config.feeders.iter().find(|k| k.address() == *address) {
            return Ok(Some(*key));
        }
    }
    Ok(None)
}

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// Resolve `id` (`did:trib:<this chain>:<address>`, or the bare address)
    /// to its DID document; null when it has none.
    async fn did(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<Option<DidResolutionView>> {
        let chain = chain(ctx);
        let chain_id = &chain.genesis().chain_id;
        let address = if id.starts_with("did:") {
            let (of_chain, address) = parse_did(&id).map_err(|e| api_error("BAD_INPUT", e))?;
            if of_chain != *chain_id {
                return Err(api_error(
                    "WRONG_CHAIN",
                    format!("{id} is a DID of chain {of_chain}; this node serves {chain_id}: ask a node of {of_chain} (or the gateway)"),
                ));
            }
            address
        } else {
            parse_address(&id)?
        };
        let state = chain.latest();
        let stored = tributary_runtime::identity::document(&state, &address).map_err(internal)?;
        let (doc, implicit) = match stored {
            Some(doc) => (doc, false),
            None => match known_key(&state, &address)? {
                Some(key) => (
                    DidDocument {
                        controllers: vec![address],
                        keys: vec![VerificationKey {
                            id: tributary_runtime::identity::OWNER_KEY_ID.into(),
                            public_key: key,
                        }],
                        services: Vec::new(),
                        created_height: 0,
                        updated_height: 0,
                        deactivated: false,
                    },
                    true,
                ),
                None => return Ok(None),
            },
        };
        let mut delegations = Vec::new();
        for delegate in tributary_runtime::identity::delegates(&state, &address).map_err(internal)? {
            if let Some(d) = tributary_runtime::identity::delegation(&state, &address, &delegate).map_err(internal)? {
                delegations.push(DelegationView {
                    delegate: delegate.to_string(),
                    kinds: d.kinds,
                    expires_height: d.expires_height,
                    spend_limit: d.spend_limit.to_string(),
                    spent: d.spent.to_string(),
                });
            }
        }
        Ok(Some(DidResolutionView {
            did: did_of(chain_id, &address),
            document: async_graphql::Json(w3c_document(chain_id, &address, &doc)),
            deactivated: doc.deactivated,
            implicit,
            created_height: (!implicit).then_some(doc.created_height),
            updated_height: (!implicit).then_some(doc.updated_height),
            delegations,
        }))
    }
}
