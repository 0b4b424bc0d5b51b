//! Issue 22, supervision: every node metric that `ops/prometheus/alerts.yml`
//! alerts on is exported by a real hub node's `/metrics` (the relayer's are
//! checked against its renderer in `relayer/src/metrics.rs`). A renamed
//! metric would otherwise leave its alert watching nothing, silently.
//! Issue 23: the same for every node and gateway metric the Grafana
//! dashboard (`ops/grafana/tributary.json`) plots, against a real node and
//! a real gateway process.

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

/// A real node of a new chain `chain_id`, once it has committed a block,
/// and its `/metrics` text.
async fn a_node_and_its_metrics(chain_id: &str) -> (TestHome, NodeProcess, String) {
    let home = TestHome::new(chain_id);
    let node = NodeProcess::start(&home.home());
    let client = node.client();
    wait_for("a block", std::time::Duration::from_secs(30), || {
        let client = client.clone();
        async move { (height(&client).await >= 1).then_some(()) }
    })
    .await;
    let base = node.graphql.trim_end_matches("/graphql").to_string();
    let text = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    (home, node, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_rules_name_only_metrics_the_programs_export() {
    let node_metrics = alerted_metrics(&["consensus_", "p2p_", "mempool_", "tributary_", "process_"]);
    assert!(node_metrics.len() >= 8, "the rules name the node's metrics: {node_metrics:?}");
    let (_home, _node, text) = a_node_and_its_metrics("alerts-hub").await;
    let exported: BTreeSet<&str> =
        text.lines().filter_map(|l| l.strip_prefix("# TYPE ")).filter_map(|l| l.split(' ').next()).collect();
    let missing: Vec<&String> = node_metrics.iter().filter(|m| !exported.contains(m.as_str())).collect();
    assert!(missing.is_empty(), "alerts on metrics no node exports: {missing:?}\nexported: {exported:?}");
    // The stalled-child gauge is a hub's; with no child chain it has no series yet.
    assert!(text.contains("# TYPE tributary_child_chain_stalled gauge"), "{text}");
}

/// The metric names the dashboard's panels plot, by prefix; a histogram's
/// `_bucket` series by its family's name (what a `# TYPE` line names).
fn plotted_metrics(prefixes: &[&str]) -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/grafana/tributary.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let mut out = BTreeSet::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().expect("every target has an expression");
            for token in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if prefixes.iter().any(|p| token.starts_with(p)) {
                    out.insert(token.trim_end_matches("_bucket").to_string());
                }
            }
        }
    }
    out
}

fn exported(text: &str) -> BTreeSet<&str> {
    text.lines().filter_map(|l| l.strip_prefix("# TYPE ")).filter_map(|l| l.split(' ').next()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_plots_only_metrics_the_node_and_the_gateway_export() {
    use std::io::BufRead;
    let node_metrics = plotted_metrics(&["consensus_", "p2p_", "mempool_", "tributary_", "process_"]);
    let gateway_metrics = plotted_metrics(&["gateway_"]);
    assert!(node_metrics.len() >= 10 && gateway_metrics.len() >= 6, "{node_metrics:?} {gateway_metrics:?}");
    let (_home, node, text) = a_node_and_its_metrics("dashboard-hub").await;
    let missing: Vec<&String> = node_metrics.iter().filter(|m| !exported(&text).contains(m.as_str())).collect();
    assert!(missing.is_empty(), "the dashboard plots metrics no node exports: {missing:?}");

    // A real gateway over that node, asked once so its counters have moved.
    let mut process = std::process::Command::new(hub_bin())
        .args(["gateway", "--hub", &node.graphql, "--listen", "127.0.0.1:0", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = process.stdout.take().unwrap();
    let line = std::io::BufReader::new(stdout).lines().next().unwrap().unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let _gateway = KillOnDrop(process);
    let graphql = ready["graphql"].as_str().unwrap().to_string();
    tributary_client::Client::new(&graphql).query("{ chains { id height } }", serde_json::json!({})).await.unwrap();
    let text = reqwest::get(graphql.replace("/graphql", "/metrics")).await.unwrap().text().await.unwrap();
    let missing: Vec<&String> = gateway_metrics.iter().filter(|m| !exported(&text).contains(m.as_str())).collect();
    assert!(missing.is_empty(), "the dashboard plots metrics the gateway does not export: {missing:?}\n{text}");
    assert!(text.contains("gateway_requests_total{outcome=\"ok\"} 1"), "the query was counted: {text}");
    assert!(text.contains("gateway_chain_calls_total{chain_id=\"dashboard-hub\"}"), "{text}");
}
