//! Serving an API or a gateway on 127.0.0.1 (a free port), as a node and
//! `hub gateway` serve them, and talking graphql-transport-ws to it.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Serve `app` on 127.0.0.1 with client addresses, as `node` serves it.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    address
}

/// A gateway directory of one chain, the hub served at `node`.
pub fn one_chain_directory(chain_id: &str, node: SocketAddr) -> std::sync::Arc<tributary_gateway::Directory> {
    let directory = std::sync::Arc::new(tributary_gateway::Directory::default());
    directory.set(vec![tributary_gateway::ChainEntry {
        id: chain_id.to_string(),
        kind: "hub".into(),
        template: None,
        graphql: format!("http://{node}/graphql"),
    }]);
    directory
}

/// A gateway following `chain` (its node API served here) into the
/// PostgreSQL database at `postgres_url`, as `hub gateway --postgres` does.
pub struct Following {
    pub chain_id: String,
    /// The node's API.
    pub node: SocketAddr,
    pub config: tributary_gateway::Config,
    pub history: std::sync::Arc<tributary_gateway::history::History>,
    pub directory: std::sync::Arc<tributary_gateway::Directory>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Following {
    pub async fn start(chain: &std::sync::Arc<tributary_node::chain::Chain>, postgres_url: &str) -> Following {
        let chain_id = chain.genesis().chain_id.to_string();
        let settings = tributary_node::config::ApiSettings::default();
        let node =
            serve(tributary_api::router(chain.clone(), &settings, None, tributary_node::clock::Clock::system())).await;
        let config = tributary_gateway::Config { postgres: Some(postgres_url.to_string()), ..Default::default() };
        let history = tributary_gateway::open_history(&config).await.unwrap().unwrap();
        let directory = one_chain_directory(&chain_id, node);
        let caller = tributary_gateway::directory::Caller::new(config.limits.chain_timeout);
        let task = tokio::spawn(tributary_gateway::history::follow(directory.clone(), history.clone(), caller));
        Following { chain_id, node, config, history, directory, task }
    }

    /// Wait (up to `limit`) until the database holds `height`.
    pub async fn wait_indexed(&self, height: u64, limit: Duration) {
        let started = std::time::Instant::now();
        while self.history.indexed(&self.chain_id) < height {
            assert!(started.elapsed() < limit, "following stalled: {:?}", self.history.status());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The gateway's schema, answering `history` from the database.
    pub fn schema(&self) -> tributary_gateway::GatewaySchema {
        tributary_gateway::schema_with_history(self.directory.clone(), self.config.clone(), Some(self.history.clone()))
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Open a graphql-transport-ws connection to `server` from the address `from`.
pub async fn connect(server: SocketAddr, from: &str) -> Result<Socket, WsError> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0)).unwrap();
    let stream = socket.connect(server).await.unwrap();
    let mut request = format!("ws://{server}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream).await?;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut ws).await.unwrap()["type"], "connection_ack");
    Ok(ws)
}

pub async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

pub async fn subscribe(ws: &mut Socket, id: &str, query: &str) {
    send(ws, json!({ "id": id, "type": "subscribe", "payload": { "query": query } })).await;
}

/// The next protocol message (pings answered); `None` once the connection
/// closed or failed. Bounded in time: a test never hangs.
pub async fn receive(ws: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("no message in 10 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "ping" {
                    send(ws, json!({ "type": "pong" })).await;
                    continue;
                }
                return Some(value);
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// The next message about subscription `id`.
pub async fn receive_for(ws: &mut Socket, id: &str) -> Value {
    loop {
        let message = receive(ws).await.expect("the connection closed");
        if message["id"] == id {
            return message;
        }
    }
}

/// Wait (up to 5 s) until `condition` holds.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not after 5 s: {what}");
}

/// HTTP refusal of a WebSocket connection: status and body.
pub fn refusal(error: WsError) -> (u16, String) {
    match error {
        WsError::Http(response) => (
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        ),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// A hostile GraphQL endpoint on 127.0.0.1 (a dishonest node): every
/// request gets `{"data":{"x":"aaa…"}}` with `filler` bytes of `a`
/// (`None`: without end), its length declared (`declared`) or chunked.
/// Returns its URL.
pub async fn hostile(declared: bool, filler: Option<usize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut request).await;
                let (open, close) = (br#"{"data":{"x":""#.as_slice(), br#""}}"#.as_slice());
                let length = match (declared, filler) {
                    (true, Some(n)) => format!("content-length: {}\r\n", open.len() + n + close.len()),
                    _ => "transfer-encoding: chunked\r\n".to_string(),
                };
                let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{length}\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunked = length.starts_with("transfer");
                let send = |bytes: Vec<u8>| {
                    let framed = if chunked {
                        let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
                        framed.extend(bytes);
                        framed.extend(b"\r\n");
                        framed
                    } else {
                        bytes
                    };
                    framed
                };
                if socket.write_all(&send(open.to_vec())).await.is_err() {
                    return;
                }
                let block = vec![b'a'; 1 << 20];
                let mut sent = 0;
                while filler.is_none_or(|n| sent < n) {
                    let n = filler.map_or(block.len(), |n| (n - sent).min(block.len()));
                    if socket.write_all(&send(block[..n].to_vec())).await.is_err() {
                        return;
                    }
                    sent += n;
                }
                let _ = socket.write_all(&send(close.to_vec())).await;
                if chunked {
                    let _ = socket.write_all(b"0\r\n\r\n").await;
                }
            });
        }
    });
    url
}
