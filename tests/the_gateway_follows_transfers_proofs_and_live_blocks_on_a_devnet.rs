//! The gateway over a real `hub devnet` (4 hub validators, child chains
//! `token-1` and `community-2`, the devnet's relayer): typed per-chain
//! queries stitched from the node schema, Relay pagination and filters, a
//! cross-chain transfer submitted through `submitTx` and followed hop by hop
//! with `transfer(id)` and `transfers`, live blocks from every chain and the
//! packet's lifecycle over one WebSocket subscription, proof-carrying
//! answers checked here with the light-client crate (and a forged value
//! refused), each kind of bad input, per-client rate limits, introspection
//! and GraphiQL turned off by config, and every `/explorer` page in headless
//! Chromium (the network map showing a transfer sent while it is open, the
//! charts, chain, block, transaction, account, validator and transfer pages,
//! search), its screenshots kept under the target's `test-artifacts/`.

use base64::Engine;
use borsh::BorshDeserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use tributary_client::Client;
use tributary_light_client::{decode_proof, verify_membership, ClientState, Update};
use tributary_tests::*;
use tributary_types::{ChainId, Denom, SignDoc, TxBody};

const WAIT: Duration = Duration::from_secs(120);

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).expect("base64")
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// The hub's record of a child header (`registry/anchor/…`), as borsh lays it out.
#[derive(BorshDeserialize)]
struct AnchoredHeader {
    #[allow(dead_code)]
    height: u64,
    header_hash: [u8; 32],
    state_root: [u8; 32],
    #[allow(dead_code)]
    time_ms: u64,
    #[allow(dead_code)]
    hub_height: u64,
}

/// Check a light-client update against `trusted`, then a membership proof
/// against the root it certifies. Returns the verified header.
fn verify_state(
    trusted: &ClientState,
    update_b64: &str,
    key: &[u8],
    value: &[u8],
    proof_b64: &str,
) -> Result<Update, String> {
    let update = Update::decode(&b64(update_b64)).map_err(|e| e.to_string())?;
    let consensus = trusted.verify_update(&update, now_ms()).map_err(|e| format!("update: {e}"))?;
    let proof = decode_proof(&b64(proof_b64)).map_err(|e| e.to_string())?;
    verify_membership(&consensus.state_root.0, key, value, &proof).map_err(|e| format!("proof: {e}"))?;
    Ok(update)
}

/// One `graphql-transport-ws` subscription on the gateway.
struct Subscription(tributary_client::ws::Subscription);

impl Subscription {
    async fn open(graphql: &str, query: &str) -> Subscription {
        Subscription(tributary_client::ws::Subscription::open(graphql, query, json!({})).await.expect("subscribe"))
    }

    /// The next item's data (errors fail the test).
    async fn next(&mut self) -> Value {
        let item = tokio::time::timeout(WAIT, self.0.next()).await.expect("a subscription item in time");
        item.expect("the subscription is open").unwrap_or_else(|e| panic!("subscription error: {e}"))
    }
}

/// Start `hub gateway` with `args` over `hub`; its GraphQL URL.
fn start_gateway(hub: &str, args: &[&str]) -> (std::process::Child, String) {
    let mut process = Command::new(hub_bin())
        .args(["gateway", "--hub", hub, "--listen", "127.0.0.1:0", "--json"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = BufReader::new(process.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    (process, ready["graphql"].as_str().unwrap().to_string())
}

/// The packet sequence a cross-chain transfer's receipt (`{ tx { receipt { events } } }`) names.
fn sequence_of(answer: &Value) -> String {
    answer["tx"]["receipt"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "transfer_xchain")
        .and_then(|e| e["attributes"].as_array().unwrap().iter().find(|a| a["key"] == "sequence"))
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The packet sequence of the committed cross-chain transfer `hash`.
async fn transfer_sequence(node: &Client, hash: &str) -> u64 {
    let answer = node
        .query(
            "query($h: String!) { tx(hash: $h) { receipt { events { kind attributes { key value } } } } }",
            json!({ "h": hash }),
        )
        .await
        .unwrap();
    sequence_of(&answer).parse().unwrap()
}

async fn error_of(gateway: &Client, query: &str, variables: Value) -> String {
    match gateway.query(query, variables).await {
        Ok(v) => panic!("{query} should fail, got {v}"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_follows_transfers_proofs_and_live_blocks_on_a_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("devnet");
    let devnet = StopOnDrop::new(start_devnet(&home, "devnet.log"));
    let description: Value = wait_for("devnet.json", WAIT, || async {
        let text = std::fs::read_to_string(home.join("devnet.json")).ok()?;
        serde_json::from_str(&text).ok()
    })
    .await;
    let hub_id = description["hub"]["chain_id"].as_str().unwrap().to_string();
    let hub_node = Client::new(description["hub"]["nodes"][0]["graphql"].as_str().unwrap());
    let children: Vec<String> =
        description["children"].as_array().unwrap().iter().map(|c| c["chain_id"].as_str().unwrap().into()).collect();
    let (token, community) = (children[0].clone(), children[1].clone());
    let gateway_url = description["gateway"]["graphql"].as_str().unwrap().to_string();
    let gateway = Client::new(&gateway_url);
    let account =
        |name: &str| description["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap().clone();
    let user0 = account("user0")["address"].as_str().unwrap().to_string();
    let user0_key = tributary_crypto::keyfile::load_signing_key(
        std::path::Path::new(account("user0")["key_file"].as_str().unwrap()),
        None,
    )
    .unwrap();
    let user1 = account("user1")["address"].as_str().unwrap().to_string();
    let hub_channel =
        description["relayer"]["paths"].as_array().unwrap().iter().find(|p| p["b"] == token.as_str()).unwrap()
            ["a_channel"]
            .as_str()
            .unwrap()
            .to_string();

    // Every chain up, with a height.
    wait_for("three chains up in the gateway", WAIT, || async {
        let answer = gateway.query("{ chains { id status height } }", json!({})).await.ok()?;
        let chains = answer["chains"].as_array()?.clone();
        (chains.len() == 3 && chains.iter().all(|c| c["status"] == "up" && c["height"].as_u64() > Some(0)))
            .then_some(())
    })
    .await;

    // Typed per-chain fields: the node's own types under `chain(id:)`.
    let typed = gateway
        .query(
            "query($hub: String!, $t: String!, $c: String!) {
               hub: chain(id: $hub) { id kind chain { id nativeDenom minFee } validators { address power }
                                      recent: blocks(last: 2) { height hash txCount } ibcChannels { channelId state }
                                      oracleFeeds { feedId } }
               token: chain(id: $t) { kind template committee { term active { address } } ibcChannels { channelId state } }
               community: chain(id: $c) { template polls { id } ...Heights }
             }
             fragment Heights on Chain { chain { height } }",
            json!({ "hub": hub_id, "t": token, "c": community }),
        )
        .await
        .unwrap();
    assert_eq!(typed["hub"]["kind"], "hub");
    assert_eq!(typed["hub"]["chain"]["id"], hub_id.as_str());
    assert_eq!(typed["hub"]["validators"].as_array().unwrap().len(), 4, "{typed}");
    assert_eq!(typed["hub"]["recent"].as_array().unwrap().len(), 2, "aliases are kept: {typed}");
    assert!(typed["hub"]["ibcChannels"].as_array().unwrap().iter().all(|c| c["state"] == "open"));
    assert_eq!(typed["hub"]["oracleFeeds"][0]["feedId"], "devnet.hub-height");
    assert_eq!(typed["token"]["template"], "token");
    assert!(!typed["token"]["committee"]["active"].as_array().unwrap().is_empty(), "{typed}");
    assert_eq!(typed["community"]["template"], "community");
    assert!(typed["community"]["chain"]["height"].as_u64().unwrap() > 0, "fragments are forwarded: {typed}");
    let min_fee: u128 = typed["hub"]["chain"]["minFee"].as_str().unwrap().parse().unwrap();

    // Live blocks from every chain and the packet's life, over the gateway's WebSocket.
    let mut blocks = Subscription::open(&gateway_url, "subscription { newBlocks { chainId height hash } }").await;
    let mut packets = Subscription::open(
        &gateway_url,
        &format!("subscription {{ packetEvents(chains: [{hub_id:?}, {token:?}]) {{ chainId kind sequence sourceChannel destChannel ackSuccess }} }}"),
    )
    .await;
    let mut seen = HashMap::<String, u64>::new();
    while seen.len() < 3 {
        let item = blocks.next().await;
        let block = &item["newBlocks"];
        let chain = block["chainId"].as_str().unwrap().to_string();
        let height = block["height"].as_u64().unwrap();
        if let Some(last) = seen.get(&chain) {
            assert!(height > *last, "{chain}: heights in order ({last} then {height})");
        }
        seen.insert(chain, height);
    }
    assert_eq!(
        seen.keys().cloned().collect::<HashSet<_>>(),
        HashSet::from([hub_id.clone(), token.clone(), community.clone()])
    );

    // A cross-chain transfer, hub → token, submitted through the gateway.
    let nonce_answer = gateway
        .query(
            "query($hub: String!, $a: String!) { chain(id: $hub) { account(address: $a) { nextNonce } } }",
            json!({ "hub": hub_id, "a": user0 }),
        )
        .await
        .unwrap();
    let nonce = nonce_answer["chain"]["account"]["nextNonce"].as_u64().unwrap();
    let sign = |nonce: u64, amount: u128, fee: u128| {
        user0_key.sign_tx(SignDoc {
            chain_id: ChainId::new(&hub_id).unwrap(),
            sender: user0_key.public_key(),
            nonce,
            fee,
            body: TxBody::TransferXChain {
                channel: hub_channel.clone(),
                receiver: user1.clone(),
                denom: Denom::new("utrib").unwrap(),
                amount,
                timeout_height: 0,
                timeout_time_ms: now_ms() + 600_000,
                memo: "via the gateway".into(),
            },
        })
    };
    // Its fee, estimated through the gateway (a cross-chain transfer writes
    // more than a plain one, so it costs more than the minimum fee).
    let unsigned = base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&sign(nonce, 4_321, 0)).unwrap());
    let estimate = gateway
        .query(
            "query($c: String!, $t: String!) { chain(id: $c) { estimateFee(txBase64: $t) { gasUsed suggestedFee success } } }",
            json!({ "c": hub_id, "t": unsigned }),
        )
        .await
        .unwrap();
    let estimate = &estimate["chain"]["estimateFee"];
    assert_eq!(estimate["success"], true, "{estimate}");
    let fee: u128 = estimate["suggestedFee"].as_str().unwrap().parse().unwrap();
    assert!(fee >= min_fee, "{estimate}");
    let tx_base64 = base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&sign(nonce, 4_321, fee)).unwrap());
    let submitted = gateway
        .query(
            "mutation($c: String!, $t: String!) { submitTx(chain: $c, txBase64: $t) { chainId hash } }",
            json!({ "c": hub_id, "t": tx_base64 }),
        )
        .await
        .unwrap();
    let hash = submitted["submitTx"]["hash"].as_str().unwrap().to_string();
    assert_eq!(submitted["submitTx"]["chainId"], hub_id.as_str());
    // The same transaction again: the hub's own refusal and code come through.
    let again = error_of(
        &gateway,
        "mutation($c: String!, $t: String!) { submitTx(chain: $c, txBase64: $t) { hash } }",
        json!({ "c": hub_id, "t": tx_base64 }),
    )
    .await;
    assert!(again.contains(&hub_id) && again.contains('['), "the chain's error, named: {again}");
    let (send_height, ok) =
        wait_for("the transfer's send to be final", WAIT, || async { tx_status(&hub_node, &hash).await }).await;
    assert!(ok);
    let sent = hub_node
        .query(
            "query($h: String!) { tx(hash: $h) { receipt { events { kind attributes { key value } } } } }",
            json!({ "h": hash }),
        )
        .await
        .unwrap();
    let sequence = sequence_of(&sent);
    let transfer_id = format!("{hub_id}/{hub_channel}/{sequence}");
    let followed = wait_for("the transfer to be acknowledged", WAIT, || async {
        let answer = gateway
            .query(
                "query($id: String!) { transfer(id: $id) { id status sender receiver amount denom destinationChain
                   hops { chainId step height txHash } } }",
                json!({ "id": transfer_id }),
            )
            .await
            .ok()?;
        (answer["transfer"]["status"] == "acknowledged").then(|| answer["transfer"].clone())
    })
    .await;
    assert_eq!(followed["sender"], user0.as_str());
    assert_eq!(followed["receiver"], user1.as_str());
    assert_eq!(followed["amount"], "4321");
    assert_eq!(followed["destinationChain"], token.as_str());
    let hops = followed["hops"].as_array().unwrap();
    let steps: Vec<(&str, &str)> =
        hops.iter().map(|h| (h["chainId"].as_str().unwrap(), h["step"].as_str().unwrap())).collect();
    assert_eq!(steps, vec![(hub_id.as_str(), "send"), (token.as_str(), "receive"), (hub_id.as_str(), "acknowledge")]);
    assert_eq!(hops[0]["txHash"], hash.as_str());
    assert_eq!(hops[0]["height"], send_height);
    assert!(hops.iter().all(|h| h["txHash"].as_str().is_some_and(|t| t.len() == 64)), "{followed}");
    // The packet's life, as the subscription saw it.
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let event = packets.next().await["packetEvents"].clone();
        if event["sequence"].as_u64().map(|s| s.to_string()).as_deref() == Some(sequence.as_str())
            && event["sourceChannel"] == hub_channel.as_str()
        {
            kinds.push((event["chainId"].as_str().unwrap().to_string(), event["kind"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(
        kinds,
        vec![
            (hub_id.clone(), "send_packet".to_string()),
            (token.clone(), "recv_packet".to_string()),
            (hub_id.clone(), "acknowledge_packet".to_string())
        ]
    );
    // `transfers` lists it, filtered by sender.
    let listed = gateway
        .query(
            "query($s: String!) { transfers(filter: { sender: $s }, first: 5) { edges { cursor node { id status } } pageInfo { hasNextPage } } }",
            json!({ "s": user0 }),
        )
        .await
        .unwrap();
    let ids: Vec<&str> =
        listed["transfers"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&transfer_id.as_str()), "{listed}");
    let none = gateway
        .query("query($s: String!) { transfers(filter: { sender: $s }) { edges { cursor } } }", json!({ "s": user1 }))
        .await
        .unwrap();
    assert!(none["transfers"]["edges"].as_array().unwrap().is_empty(), "user1 sent nothing: {none}");

    // Relay pagination: page by page equals the one-page listing, no repeats.
    let page_query = "query($hub: String!, $after: String) { chain(id: $hub) { txs(first: 2, after: $after) {
        edges { cursor node { hash height } } pageInfo { hasNextPage endCursor } } } }";
    let whole = gateway
        .query(
            "query($hub: String!) { chain(id: $hub) { txs(first: 8) { edges { node { hash } } } } }",
            json!({ "hub": hub_id }),
        )
        .await
        .unwrap();
    let whole: Vec<String> = whole["chain"]["txs"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["hash"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(whole.len(), 8, "the devnet's hub has at least 8 transactions");
    let mut paged = Vec::new();
    let mut after = Value::Null;
    while paged.len() < 8 {
        let page = gateway.query(page_query, json!({ "hub": hub_id, "after": after })).await.unwrap();
        let txs = &page["chain"]["txs"];
        paged.extend(txs["edges"].as_array().unwrap().iter().map(|e| e["node"]["hash"].as_str().unwrap().to_string()));
        assert_eq!(txs["pageInfo"]["hasNextPage"], true);
        after = txs["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(paged, whole, "pages walk the same newest-first order");
    // Filters: by sender, event kind and height range.
    let filtered = gateway
        .query(
            "query($hub: String!, $s: String!, $r: String!, $h: Int!) { chain(id: $hub) {
               bySender: txs(filter: { sender: $s }) { edges { node { sender } } }
               toUser1: txs(first: 1, filter: { eventKind: \"transfer_xchain\", recipient: $r }) { edges { node { hash } } }
               toUser0: txs(first: 1, filter: { eventKind: \"transfer_xchain\", recipient: $s }) { edges { node { hash } } }
               atHeight: txs(filter: { minHeight: $h, maxHeight: $h }) { edges { node { hash height } } pageInfo { hasNextPage } }
               blocks: blocksConnection(first: 3) { edges { node { height } } pageInfo { hasNextPage endCursor } } } }",
            json!({ "hub": hub_id, "s": user0, "r": user1, "h": send_height }),
        )
        .await
        .unwrap();
    let chain = &filtered["chain"];
    assert!(chain["bySender"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["sender"] == user0.as_str()));
    assert_eq!(chain["toUser1"]["edges"][0]["node"]["hash"], hash.as_str(), "{chain}");
    assert!(chain["toUser0"]["edges"].as_array().unwrap().is_empty(), "nothing was sent to user0: {chain}");
    let at_height = chain["atHeight"]["edges"].as_array().unwrap();
    assert!(at_height.iter().all(|e| e["node"]["height"] == send_height), "{chain}");
    assert!(at_height.iter().any(|e| e["node"]["hash"] == hash.as_str()), "{chain}");
    assert_eq!(chain["atHeight"]["pageInfo"]["hasNextPage"], false);
    let heights: Vec<u64> =
        chain["blocks"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["height"].as_u64().unwrap()).collect();
    assert_eq!(heights.len(), 3);
    assert!(heights.windows(2).all(|w| w[0] == w[1] + 1), "newest first, contiguous: {heights:?}");

    // Proof-carrying answers, checked here against a client that trusts
    // only the hub's validators (its state at height 1, read from a hub node).
    let trusted = hub_node.query("{ lightClientState(height: 1) }", json!({})).await.unwrap();
    let trusted = ClientState::decode(&b64(trusted["lightClientState"].as_str().unwrap())).unwrap();
    let hub_key = format!("bank/balance/{user0}/utrib");
    let proven = gateway
        .query(
            "query($c: String!, $k: String!) { provenState(chain: $c, key: $k) { height exists valueBase64 proofBase64 stateRoot lightClientUpdateBase64 anchor { hubHeight } } }",
            json!({ "c": hub_id, "k": hub_key }),
        )
        .await
        .unwrap();
    let p = &proven["provenState"];
    assert!(p["anchor"].is_null(), "the hub needs no anchor");
    let value = b64(p["valueBase64"].as_str().unwrap());
    let update = verify_state(
        &trusted,
        p["lightClientUpdateBase64"].as_str().unwrap(),
        hub_key.as_bytes(),
        &value,
        p["proofBase64"].as_str().unwrap(),
    )
    .expect("the hub's answer verifies");
    assert_eq!(update.header.height, p["height"].as_u64().unwrap());
    let mut forged = value.clone();
    forged[0] ^= 1;
    assert!(
        verify_state(
            &trusted,
            p["lightClientUpdateBase64"].as_str().unwrap(),
            hub_key.as_bytes(),
            &forged,
            p["proofBase64"].as_str().unwrap()
        )
        .is_err(),
        "a forged value fails its proof"
    );
    // On the child: child state → the hub's anchor of that header → the hub's certified state.
    let voucher_key = format!("bank/balance/{user1}/transfer/channel-0/utrib");
    let proven = wait_for("the voucher in anchored child state", WAIT, || async {
        let answer = gateway
            .query(
                "query($c: String!, $k: String!) { provenState(chain: $c, key: $k) { height exists valueBase64 proofBase64 stateRoot lightClientUpdateBase64
                   anchor { anchorKey anchorValueBase64 hubProofBase64 hubHeight hubLightClientUpdateBase64 } } }",
                json!({ "c": token, "k": voucher_key }),
            )
            .await
            .ok()?;
        (answer["provenState"]["exists"] == true).then_some(answer)
    })
    .await;
    let p = &proven["provenState"];
    assert_eq!(p["exists"], true, "user1 holds the voucher: {p}");
    let anchor = &p["anchor"];
    let anchor_value = b64(anchor["anchorValueBase64"].as_str().unwrap());
    verify_state(
        &trusted,
        anchor["hubLightClientUpdateBase64"].as_str().unwrap(),
        anchor["anchorKey"].as_str().unwrap().as_bytes(),
        &anchor_value,
        anchor["hubProofBase64"].as_str().unwrap(),
    )
    .expect("the anchor verifies in the hub's certified state");
    let anchored = AnchoredHeader::try_from_slice(&anchor_value).unwrap();
    let child_update = Update::decode(&b64(p["lightClientUpdateBase64"].as_str().unwrap())).unwrap();
    assert_eq!(child_update.header.hash().0, anchored.header_hash, "the child header is the anchored one");
    assert_eq!(child_update.header.state_root.0, anchored.state_root);
    let voucher = b64(p["valueBase64"].as_str().unwrap());
    let proof = decode_proof(&b64(p["proofBase64"].as_str().unwrap())).unwrap();
    verify_membership(&anchored.state_root, voucher_key.as_bytes(), &voucher, &proof)
        .expect("the voucher balance verifies");
    assert_eq!(u128::from_le_bytes(voucher[..16].try_into().unwrap()), 4_321, "the proven balance is the amount sent");
    let mut forged = voucher.clone();
    forged[0] ^= 1;
    assert!(verify_membership(&anchored.state_root, voucher_key.as_bytes(), &forged, &proof).is_err());

    // Bad input: each a clear error, and the gateway keeps serving.
    let unknown =
        error_of(&gateway, "mutation { submitTx(chain: \"nowhere\", txBase64: \"AAAA\") { hash } }", json!({})).await;
    assert!(unknown.contains("no chain \"nowhere\"") && unknown.contains("UNKNOWN_CHAIN"), "{unknown}");
    let garbage = error_of(
        &gateway,
        &format!("mutation {{ submitTx(chain: {hub_id:?}, txBase64: \"AAAA\") {{ hash }} }}"),
        json!({}),
    )
    .await;
    assert!(garbage.contains("MALFORMED_TX"), "{garbage}");
    let big_page = error_of(
        &gateway,
        &format!("{{ chain(id: {hub_id:?}) {{ txs(first: 1000) {{ edges {{ cursor }} }} }} }}"),
        json!({}),
    )
    .await;
    assert!(big_page.contains("PAGE_TOO_LARGE"), "{big_page}");
    let bad_cursor = error_of(
        &gateway,
        &format!("{{ chain(id: {hub_id:?}) {{ txs(after: \"xyz\") {{ edges {{ cursor }} }} }} }}"),
        json!({}),
    )
    .await;
    assert!(bad_cursor.contains("INVALID_CURSOR"), "{bad_cursor}");
    let bad_transfers = error_of(&gateway, "{ transfers(first: 50) { edges { cursor } } }", json!({})).await;
    assert!(bad_transfers.contains("PAGE_TOO_LARGE"), "{bad_transfers}");
    let missing = gateway
        .query(
            "query($id: String!) { transfer(id: $id) { id status hops { step } } }",
            json!({ "id": format!("{hub_id}/{hub_channel}/999999") }),
        )
        .await
        .unwrap();
    assert!(missing["transfer"].is_null(), "no such packet, no transfer: {missing}");
    let no_staking =
        error_of(&gateway, &format!("{{ chain(id: {token:?}) {{ validators {{ address }} }} }}"), json!({})).await;
    assert!(no_staking.contains("MODULE_NOT_PRESENT") && no_staking.contains("committee"), "{no_staking}");
    let bad_id = error_of(&gateway, "{ transfer(id: \"nonsense\") { id } }", json!({})).await;
    assert!(bad_id.contains("INVALID_TRANSFER_ID"), "{bad_id}");
    let bad_address = error_of(&gateway, "{ account(address: \"trib1<script>\") { chainId } }", json!({})).await;
    assert!(bad_address.contains("INVALID_ADDRESS"), "{bad_address}");
    let complex = format!(
        "{{ {} }}",
        (0..250)
            .map(|i| format!("c{i}: chain(id: {hub_id:?}) {{ validators {{ address publicKey power }} }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let too_complex = error_of(&gateway, &complex, json!({})).await;
    assert!(too_complex.to_lowercase().contains("complex"), "{too_complex}");
    let oversized = reqwest::Client::new()
        .post(&gateway_url)
        .header("content-type", "application/json")
        .body(json!({ "query": format!("{{ chains {{ id }} }} #{}", "x".repeat(100_000)) }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status().as_u16(), 413, "a body over the limit is refused");
    assert!(gateway.query("{ chains { id } }", json!({})).await.is_ok(), "still serving");

    // A second gateway, with rate limits, no introspection and no GraphiQL, by config.
    let config_path = dir.path().join("gateway.toml");
    std::fs::write(
        &config_path,
        "rate_limit_per_second = 1\nrate_limit_burst = 5\nintrospection = false\ngraphiql = false\n",
    )
    .unwrap();
    let hub_url = description["hub"]["nodes"][1]["graphql"].as_str().unwrap();
    let (strict_process, strict_url) = start_gateway(hub_url, &["--config", config_path.to_str().unwrap()]);
    let _strict = KillOnDrop(strict_process);
    let body = json!({ "query": "{ serviceConfig { rateLimitPerSecond rateLimitBurst introspection graphiql } }" });
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = http.post(&strict_url).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        if status == 429 {
            assert!(response.headers().get("retry-after").is_some(), "429 says when to retry");
            let text = response.text().await.unwrap();
            assert!(text.contains("RATE_LIMITED") && text.contains("per second"), "{text}");
        } else {
            let answer: Value = response.json().await.unwrap();
            assert_eq!(
                answer["data"]["serviceConfig"],
                json!({ "rateLimitPerSecond": 1, "rateLimitBurst": 5, "introspection": false, "graphiql": false })
            );
        }
        statuses.push(status);
    }
    let served = statuses.iter().filter(|s| **s == 200).count();
    assert!((5..=6).contains(&served), "the burst (and at most one refilled token), then 429: {statuses:?}");
    assert!(statuses[..5].iter().all(|s| *s == 200) && statuses[9..].iter().all(|s| *s == 429), "{statuses:?}");
    // Another client (another loopback address) is served meanwhile.
    let other = reqwest::Client::builder().local_address(Some("127.0.0.2".parse().unwrap())).build().unwrap();
    let response = other.post(&strict_url).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "another client keeps its own allowance");
    let introspected = wait_for("the first client's allowance to come back", WAIT, || async {
        let response = http
            .post(&strict_url)
            .json(&json!({ "query": "{ __schema { queryType { name } } }" }))
            .send()
            .await
            .ok()?;
        if response.status().as_u16() != 200 {
            return None;
        }
        response.json::<Value>().await.ok()
    })
    .await;
    assert!(introspected["data"]["__schema"].is_null(), "introspection is off: {introspected}");
    let introspected = gateway.query("{ __schema { queryType { name } } }", json!({})).await.unwrap();
    assert_eq!(introspected["__schema"]["queryType"]["name"], "Query", "and on by default");
    let graphiql = other.get(&strict_url).send().await.unwrap();
    assert_eq!(graphiql.status().as_u16(), 404, "GraphiQL is off");
    let graphiql_on = http.get(&gateway_url).send().await.unwrap();
    assert!(graphiql_on.text().await.unwrap().to_lowercase().contains("graphiql"), "and on by default");

    // Standard tools work unchanged: graphql-js's own introspection query
    // builds a client schema from a hub node, a child chain's node and the
    // gateway (issue 16: the depth limit refused it before).
    let token_node = description["children"][0]["nodes"][0]["graphql"].as_str().unwrap().to_string();
    for (what, url) in [
        ("hub node", description["hub"]["nodes"][0]["graphql"].as_str().unwrap()),
        ("child node", &token_node),
        ("gateway", &gateway_url),
    ] {
        let built = introspect_with_graphql_js(url).unwrap_or_else(|e| panic!("{what}: {e:#}"));
        assert!(built["types"].as_u64().unwrap() > 20, "{what}: {built}");
        let fields: Vec<&str> = built["queryFields"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
        let expected = if what == "gateway" { "chains" } else { "block" };
        assert!(fields.contains(&expected), "{what} query type lacks {expected}: {fields:?}");
    }

    // The explorer in headless Chromium: every page against what the
    // gateway reports, and a transfer sent while its network map is open
    // moves along its channel. The screenshots are kept for people to see.
    let artifacts = test_artifacts_dir("the_gateway_follows_transfers_proofs_and_live_blocks_on_a_devnet");
    let (screenshot, map_png, charts_png) =
        (artifacts.join("explorer.png"), artifacts.join("explorer-map.png"), artifacts.join("explorer-charts.png"));
    let handshake = dir.path().join("explorer-handshake");
    std::fs::create_dir_all(&handshake).unwrap();
    let check = {
        let (url, user1) = (gateway_url.clone(), user1.clone());
        let chains = vec![hub_id.clone(), token.clone(), community.clone()];
        let (screenshot, map_png, charts_png, handshake) =
            (screenshot.clone(), map_png.clone(), charts_png.clone(), handshake.clone());
        tokio::task::spawn_blocking(move || {
            let extras = ExplorerExtras {
                map_screenshot: Some(&map_png),
                charts_screenshot: Some(&charts_png),
                handshake: Some(&handshake),
            };
            check_explorer(&url, &chains, Some(&user1), &screenshot, &extras)
        })
    };
    let deadline = std::time::Instant::now() + EXPLORER_CHECK_TIMEOUT;
    while !handshake.join("map-open").exists() {
        if check.is_finished() {
            let result = check.await.unwrap();
            panic!("the explorer check ended before its map was open: {result:#?}");
        }
        assert!(std::time::Instant::now() < deadline, "the explorer's map did not open in time");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let nonce = gateway
        .query(
            "query($hub: String!, $a: String!) { chain(id: $hub) { account(address: $a) { nextNonce } } }",
            json!({ "hub": hub_id, "a": user0 }),
        )
        .await
        .unwrap()["chain"]["account"]["nextNonce"]
        .as_u64()
        .unwrap();
    let tx_base64 = base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&sign(nonce, 1_234, fee)).unwrap());
    let submitted = gateway
        .query(
            "mutation($c: String!, $t: String!) { submitTx(chain: $c, txBase64: $t) { hash } }",
            json!({ "c": hub_id, "t": tx_base64 }),
        )
        .await
        .unwrap();
    let watched_hash = submitted["submitTx"]["hash"].as_str().unwrap().to_string();
    let (_, ok) = wait_for("the watched transfer's send to be final", WAIT, || async {
        tx_status(&hub_node, &watched_hash).await
    })
    .await;
    assert!(ok);
    let watched_sequence = transfer_sequence(&hub_node, &watched_hash).await;
    let token_channel =
        description["relayer"]["paths"].as_array().unwrap().iter().find(|p| p["b"] == token.as_str()).unwrap()
            ["b_channel"]
            .as_str()
            .unwrap()
            .to_string();
    let named = json!({
        "id": format!("{hub_id}/{hub_channel}/{watched_sequence}"),
        "sourceChain": hub_id,
        "destinationChain": token,
        "channel": hub_channel,
        "destinationChannel": token_channel,
        "sequence": watched_sequence,
    });
    // Written whole, then renamed: the check never reads half a file.
    std::fs::write(handshake.join("transfer.json.part"), named.to_string()).unwrap();
    std::fs::rename(handshake.join("transfer.json.part"), handshake.join("transfer.json")).unwrap();
    let checked = check.await.unwrap().unwrap_or_else(|e| panic!("explorer check: {e:#}"));
    assert_eq!(checked["ok"], true, "{checked}");
    for png in [&screenshot, &map_png, &charts_png] {
        assert!(std::fs::metadata(png).unwrap().len() > 10_000, "a real screenshot: {}", png.display());
    }
    for check in checked["checks"].as_array().unwrap() {
        eprintln!("explorer: {} — {}", check["name"].as_str().unwrap_or("?"), check["detail"].as_str().unwrap_or(""));
    }
    eprintln!("explorer screenshots kept in {}", artifacts.display());

    devnet.stop("hub devnet").await;
}
