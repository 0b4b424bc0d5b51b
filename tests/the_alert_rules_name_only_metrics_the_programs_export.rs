//! Issue 22, supervision: every node metric that `ops/prometheus/alerts.yml`
//! alerts on is exported by a real hub node's `/metrics` (the relayer's are
//! checked against its renderer in `relayer/src/metrics.rs`). A renamed
//! metric would otherwise leave its alert watching nothing, silently.

use std::collections::BTreeSet;
use tributary_tests::*;

/// The metric names in the rules' expressions, by the prefixes our programs use.
fn alerted_metrics(prefixes: &[&str]) -> BTreeSet<String> {
    let rules = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/prometheus/alerts.yml")).unwrap();
    let mut out = BTreeSet::new();
    for line in rules.lines().filter_map(|l| l.trim().strip_prefix("expr:")) {
        for token in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if prefixes.iter().any(|p| token.starts_with(p)) {
                out.insert(token.to_string());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_rules_name_only_metrics_the_programs_export() {
    let node_metrics = alerted_metrics(&["consensus_", "p2p_", "mempool_", "tributary_", "process_"]);
    assert!(node_metrics.len() >= 8, "the rules name the node's metrics: {node_metrics:?}");
    let home = TestHome::new("alerts-hub");
    let node = NodeProcess::start(&home.home());
    let client = node.client();
    wait_for("a block", std::time::Duration::from_secs(30), || {
        let client = client.clone();
        async move { (height(&client).await >= 1).then_some(()) }
    })
    .await;
    let base = node.graphql.trim_end_matches("/graphql").to_string();
    let text = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    let exported: BTreeSet<&str> =
        text.lines().filter_map(|l| l.strip_prefix("# TYPE ")).filter_map(|l| l.split(' ').next()).collect();
    let missing: Vec<&String> = node_metrics.iter().filter(|m| !exported.contains(m.as_str())).collect();
    assert!(missing.is_empty(), "alerts on metrics no node exports: {missing:?}\nexported: {exported:?}");
    // The stalled-child gauge is a hub's; with no child chain it has no series yet.
    assert!(text.contains("# TYPE tributary_child_chain_stalled gauge"), "{text}");
}
