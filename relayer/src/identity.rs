//! The relayer's DID on the hub (issue 22: validators, relayers and
//! feeders have DIDs). On start, a relayer whose hub runs the identity
//! module makes the DID document of its hub account if it has none, with a
//! service endpoint where its metrics are served, so anyone can resolve who
//! relays and where to watch it (`did:trib:<hub>:<address>`).

use crate::chain::ChainHandle;
use serde_json::json;
use tributary_types::identity::{did_of, DidOp, ServiceEndpoint};
use tributary_types::TxBody;

/// The service type a relayer's document lists.
pub const RELAYER_SERVICE_TYPE: &str = "TributaryRelayerMetrics";

/// Make `hub`'s relayer account a DID document unless it has one (or the
/// hub runs no identity module); its DID either way, when it has one.
pub async fn ensure_did(hub: &ChainHandle, metrics_listen: &str) -> anyhow::Result<Option<String>> {
    let address = hub.signer.key().public_key().address();
    let answer = hub
        .client
        .query("query($a: String!) { chain { modules } did(id: $a) { implicit } }", json!({ "a": address.to_string() }))
        .await?;
    let runs_identity = answer["chain"]["modules"].as_array().is_some_and(|m| m.iter().any(|x| x == "identity"));
    if !runs_identity {
        return Ok(None);
    }
    let did = did_of(&hub.id, &address);
    if answer["did"]["implicit"] == false {
        return Ok(Some(did));
    }
    let services = if metrics_listen.is_empty() {
        Vec::new()
    } else {
        vec![ServiceEndpoint {
            id: "metrics".into(),
            kind: RELAYER_SERVICE_TYPE.into(),
            endpoint: format!("http://{metrics_listen}/metrics"),
        }]
    };
    hub.submit_ok(TxBody::Did { did: address, op: DidOp::Create { keys: Vec::new(), services } }).await?;
    Ok(Some(did))
}
