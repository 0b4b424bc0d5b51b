//! Bytes that are not libp2p at all, written straight to the listening TCP
//! port, cost the node one failed handshake each; it keeps serving its peers.

mod common;

use common::{connected_to, publish_when_subscribed, start_seeded, wait_until, WAIT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tributary_p2p::{Multiaddr, NetworkEvent, Topic};

fn tcp_port(addr: &Multiaddr) -> u16 {
    addr.iter()
        .find_map(|p| match p {
            tributary_p2p::multiaddr::Protocol::Tcp(port) => Some(port),
            _ => None,
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_garbage_on_the_tcp_port_does_not_hurt_the_node() {
    let mut node = start_seeded(40, &[]).await;
    let peer = start_seeded(41, &[&node]).await;
    wait_until("peer connects", || connected_to(&node.handle, &[peer.id()])).await;

    let port = tcp_port(&node.addr);
    // A deterministic pseudo-random stream, then a fake multistream header
    // followed by junk, then a connection that says nothing and hangs up.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let mut header = b"\x13/multistream/1.0.0\n".to_vec();
    header.extend_from_slice(&noise[..4096]);
    for payload in [noise.clone(), header, Vec::new()] {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        // The node may close mid-write; that is the point.
        let _ = stream.write_all(&payload).await;
        let _ = stream.shutdown().await;
        // The node must end the connection by itself (read returns 0 or errors).
        let mut sink = Vec::new();
        let closed = timeout(WAIT, stream.read_to_end(&mut sink)).await;
        assert!(closed.is_ok(), "node kept a garbage connection open");
    }

    // Still serving: gossip and block sync with the real peer work.
    publish_when_subscribed(&peer.handle, Topic::Votes, b"vote after garbage").await;
    node.expect_gossip(Topic::Votes, b"vote after garbage").await;

    let handle = peer.handle.clone();
    let node_id = node.id();
    let request = tokio::spawn(async move { handle.request_blocks(node_id, 1, 2).await });
    loop {
        match timeout(WAIT, node.events.recv()).await.unwrap().unwrap() {
            NetworkEvent::BlocksRequested { respond, .. } => {
                respond.send(vec![b"b1".to_vec(), b"b2".to_vec()]).unwrap();
                break;
            }
            _ => continue,
        }
    }
    assert_eq!(request.await.unwrap().unwrap(), vec![b"b1".to_vec(), b"b2".to_vec()]);
    assert!(connected_to(&node.handle, &[peer.id()]));
}
