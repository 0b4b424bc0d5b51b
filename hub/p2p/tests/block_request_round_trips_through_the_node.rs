//! `request_blocks` reaches the other node as a `BlocksRequested` event; its
//! answer comes back, cut to what was asked and to the response byte limit.

mod common;

use common::{config, connected_to, start, start_seeded, wait_until, TestNode, WAIT};
use tokio::time::timeout;
use tributary_p2p::{Error, NetworkEvent, PeerId};

fn block(height: u64, len: usize) -> Vec<u8> {
    let mut bytes = height.to_le_bytes().to_vec();
    bytes.resize(len.max(8), 0xAB);
    bytes
}

/// Answer the next block request `node` receives with `answer(from, to)`.
async fn answer_next(node: &mut TestNode, expect_from: PeerId, answer: impl FnOnce(u64, u64) -> Option<Vec<Vec<u8>>>) {
    loop {
        let event = timeout(WAIT, node.events.recv()).await.expect("a block request in time").expect("events open");
        if let NetworkEvent::BlocksRequested { from_peer, from_height, to_height, respond } = event {
            assert_eq!(from_peer, expect_from);
            if let Some(blocks) = answer(from_height, to_height) {
                respond.send(blocks).unwrap();
            }
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_request_round_trips_through_the_node() {
    let (mut server_config, key) = config(10);
    server_config.limits.max_response_bytes = 300;
    let mut server = start(server_config, key).await;
    let client = start_seeded(11, &[&server]).await;
    let (server_id, client_id) = (server.id(), client.id());
    wait_until("client connected", || connected_to(&client.handle, &[server_id])).await;

    // The server answers with more than asked: only the asked range comes back.
    let handle = client.handle.clone();
    let request = tokio::spawn(async move { handle.request_blocks(server_id, 5, 9).await });
    answer_next(&mut server, client_id, |from, to| {
        assert_eq!((from, to), (5, 9));
        Some((5..=12).map(|h| block(h, 8)).collect())
    })
    .await;
    let blocks = request.await.unwrap().unwrap();
    assert_eq!(blocks, (5..=9).map(|h| block(h, 8)).collect::<Vec<_>>());

    // Large blocks: the server cuts the answer to its 300-byte response limit.
    let handle = client.handle.clone();
    let request = tokio::spawn(async move { handle.request_blocks(server_id, 0, 9).await });
    answer_next(&mut server, client_id, |from, to| Some((from..=to).map(|h| block(h, 100)).collect())).await;
    let blocks = request.await.unwrap().unwrap();
    assert_eq!(blocks, vec![block(0, 100), block(1, 100)]);

    // The node declines to answer: the client gets an error, not a hang.
    let handle = client.handle.clone();
    let request = tokio::spawn(async move { handle.request_blocks(server_id, 1, 1).await });
    answer_next(&mut server, client_id, |_, _| None).await;
    assert!(matches!(request.await.unwrap(), Err(Error::Request(_))));

    // Bad ranges never leave the client.
    assert!(matches!(client.handle.request_blocks(server_id, 9, 5).await, Err(Error::InvalidRange { .. })));
    assert!(matches!(client.handle.request_blocks(server_id, 0, 256).await, Err(Error::InvalidRange { .. })));
    assert_eq!(server.handle.metrics().snapshot().block_requests_received, 3);

    // The client's node finds the blocks bad and reports the server until
    // it is banned.
    for _ in 0..5 {
        client.handle.report_peer(server_id).await.unwrap();
    }
    wait_until("the reported server is banned", || {
        client.handle.metrics().snapshot().abuse_disconnects == 1 && !connected_to(&client.handle, &[server_id])
    })
    .await;
    assert!(matches!(client.handle.request_blocks(server_id, 1, 1).await, Err(Error::Request(_))));
}
