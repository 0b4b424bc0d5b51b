//! A node that answers more than any answer can be (a dishonest child
//! chain's endpoint, announced by one committee member) cannot make a
//! client read it all: the client stops at `ANSWER_BYTES_MAX` and says so,
//! whether the node declares the length or streams without end.

use std::time::{Duration, Instant};
use tributary_client::{Client, ClientError, ANSWER_BYTES_MAX};
use tributary_testkit::serve::hostile as hostile_answer;

fn refused(result: Result<serde_json::Value, ClientError>) -> String {
    match result {
        Err(e @ ClientError::AnswerTooLarge { .. }) => e.to_string(),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("an answer over {ANSWER_BYTES_MAX} bytes was read whole"),
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_is_refused_declared_or_streamed() {
    let over = ANSWER_BYTES_MAX + 1024;
    for declared in [true, false] {
        let client = Client::new(hostile_answer(declared, Some(over)).await);
        let message = refused(client.query("{ x }", serde_json::json!({})).await);
        assert!(message.contains("64 MiB"), "{message}");
    }
    // Within the limit: read as any answer.
    let client = Client::new(hostile_answer(true, Some(1 << 20)).await);
    let answer = client.query("{ x }", serde_json::json!({})).await.unwrap();
    assert_eq!(answer["x"].as_str().unwrap().len(), 1 << 20);
}

#[tokio::test]
async fn an_answer_without_end_is_cut_at_the_limit_not_at_the_timeout() {
    let client = Client::new(hostile_answer(false, None).await).with_timeout(Duration::from_secs(60));
    let started = Instant::now();
    refused(client.query("{ x }", serde_json::json!({})).await);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "stopped by the limit, not the timeout: {:?}",
        started.elapsed()
    );
}
