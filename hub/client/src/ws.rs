//! GraphQL subscriptions over WebSocket (`graphql-transport-ws`): one
//! subscription per connection, as the relayer and the gateway use them.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// The WebSocket URL of a node's subscriptions, from its GraphQL URL.
pub fn ws_url(graphql: &str) -> String {
    let base = graphql.trim_end_matches('/');
    let base = base.strip_prefix("https://").map(|r| format!("wss://{r}")).unwrap_or_else(|| {
        base.strip_prefix("http://").map(|r| format!("ws://{r}")).unwrap_or_else(|| base.to_string())
    });
    format!("{base}/ws")
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One open subscription.
pub struct Subscription {
    socket: Socket,
}

impl Subscription {
    /// Connect to the node at `graphql` (its HTTP GraphQL URL) and subscribe.
    pub async fn open(graphql: &str, query: &str, variables: Value) -> Result<Subscription, String> {
        let mut request = ws_url(graphql).into_client_request().map_err(|e| e.to_string())?;
        let protocol = "graphql-transport-ws".parse().map_err(|e| format!("{e}"))?;
        request.headers_mut().insert("Sec-WebSocket-Protocol", protocol);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;
        let subscribe =
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
        for message in [json!({ "type": "connection_init" }), subscribe] {
            socket.send(Message::text(message.to_string())).await.map_err(|e| e.to_string())?;
        }
        Ok(Subscription { socket })
    }

    /// The next item's `data`; an error the server sent (or a broken
    /// connection); `None` once the server completed or closed it.
    pub async fn next(&mut self) -> Option<Result<Value, String>> {
        while let Some(message) = self.socket.next().await {
            let text = match message {
                Ok(Message::Text(text)) => text.to_string(),
                Ok(Message::Close(_)) => return None,
                Ok(_) => continue,
                Err(e) => return Some(Err(e.to_string())),
            };
            let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            match value["type"].as_str() {
                Some("next") => {
                    if let Some(errors) = value.pointer("/payload/errors") {
                        let message = errors.pointer("/0/message").and_then(Value::as_str).unwrap_or("error");
                        return Some(Err(message.to_string()));
                    }
                    return Some(Ok(value.pointer("/payload/data").cloned().unwrap_or(Value::Null)));
                }
                Some("ping") => {
                    if let Err(e) = self.socket.send(Message::text(json!({ "type": "pong" }).to_string())).await {
                        return Some(Err(e.to_string()));
                    }
                }
                Some("error") => return Some(Err(format!("refused the subscription: {}", value["payload"]))),
                Some("complete") => return None,
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ws_urls_follow_the_graphql_url() {
        assert_eq!(super::ws_url("http://127.0.0.1:26700/graphql"), "ws://127.0.0.1:26700/graphql/ws");
        assert_eq!(super::ws_url("https://hub.example/graphql/"), "wss://hub.example/graphql/ws");
    }
}
