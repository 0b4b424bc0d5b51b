//! A child chain's committee rotates: the member a tool talks to can stop
//! between two of its calls. A client with a failover wait holds a call
//! that cannot connect until whoever follows the chain's endpoints points
//! it at a member that serves; a call that reached a node is never sent
//! twice.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tributary_client::{Client, ClientError};
use tributary_testkit::serve::hostile as answering;

/// A URL on 127.0.0.1 where nothing listens (bound, then released).
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/graphql", listener.local_addr().unwrap())
}

fn unreachable_url(result: Result<serde_json::Value, ClientError>) -> String {
    match result {
        Err(ClientError::Unreachable { url, .. }) => url,
        other => panic!("expected the node to be unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_call_that_cannot_connect_goes_to_the_node_it_is_repointed_to() {
    let (dead, live) = (dead_url(), answering(true, Some(3)).await);
    let client = Client::new(dead.as_str()).with_failover(Duration::from_secs(20));
    let signer_copy = client.clone();
    let repointer = client.clone();
    let live_for_task = live.clone();
    let started = Instant::now();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        repointer.repoint(&live_for_task);
    });
    let answer = client.query("{ x }", serde_json::json!({})).await.unwrap();
    assert_eq!(answer["x"], "aaa", "answered by the node it was repointed to");
    assert!(started.elapsed() >= Duration::from_millis(300), "it waited for the repoint");
    assert!(started.elapsed() < Duration::from_secs(10), "and not for the whole wait: {:?}", started.elapsed());
    assert_eq!(signer_copy.url(), live, "every clone moved with it");
}

#[tokio::test]
async fn without_a_repoint_the_call_fails_naming_the_node_when_the_wait_ends() {
    let dead = dead_url();
    // No failover: at once, as before.
    let started = Instant::now();
    assert_eq!(unreachable_url(Client::new(dead.as_str()).query("{ x }", serde_json::json!({})).await), dead);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // A failover wait that nobody answers ends in the same error.
    let started = Instant::now();
    let client = Client::new(dead.as_str()).with_failover(Duration::from_millis(400));
    assert_eq!(unreachable_url(client.query("{ x }", serde_json::json!({})).await), dead);
    assert!(started.elapsed() >= Duration::from_millis(400), "{:?}", started.elapsed());
    // Repointing to another dead node is followed, and the error names it.
    let (first, second) = (dead_url(), dead_url());
    let client = Client::new(first.as_str()).with_failover(Duration::from_millis(600));
    let repointer = client.clone();
    let second_for_task = second.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        repointer.repoint(&second_for_task);
    });
    assert_eq!(unreachable_url(client.query("{ x }", serde_json::json!({})).await), second);
}

#[tokio::test]
async fn a_call_that_reached_a_node_is_not_sent_again() {
    // A node that reads the request and hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = vec![0u8; 64 * 1024];
            if socket.read(&mut request).await.unwrap_or(0) > 0 {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let live = answering(true, Some(3)).await;
    let client = Client::new(url.as_str()).with_failover(Duration::from_secs(20));
    let repointer = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        repointer.repoint(&live);
    });
    let started = Instant::now();
    assert_eq!(unreachable_url(client.query("{ x }", serde_json::json!({})).await), url);
    assert!(started.elapsed() < Duration::from_secs(5), "it did not wait to send it again: {:?}", started.elapsed());
    assert_eq!(requests.load(Ordering::SeqCst), 1, "the node saw the call once");
}

#[tokio::test]
async fn a_chain_marked_down_ends_the_wait_and_a_repoint_brings_it_back() {
    let dead = dead_url();
    let client = Client::new(dead.as_str()).with_failover(Duration::from_secs(20));
    let marker = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        marker.mark_down();
    });
    let started = Instant::now();
    assert_eq!(unreachable_url(client.query("{ x }", serde_json::json!({})).await), dead);
    assert!(started.elapsed() < Duration::from_secs(5), "it did not wait out the failover: {:?}", started.elapsed());
    // While down, a call that cannot connect fails at once.
    let started = Instant::now();
    unreachable_url(client.query("{ x }", serde_json::json!({})).await);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // A repoint to a node that serves clears it.
    let live = answering(true, Some(3)).await;
    client.repoint(&live);
    assert_eq!(client.query("{ x }", serde_json::json!({})).await.unwrap()["x"], "aaa");
    // And a later failure waits for a repoint again.
    let (again, live_again) = (dead_url(), live.clone());
    client.repoint(&again);
    let repointer = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        repointer.repoint(&live_again);
    });
    assert_eq!(client.query("{ x }", serde_json::json!({})).await.unwrap()["x"], "aaa");
}
