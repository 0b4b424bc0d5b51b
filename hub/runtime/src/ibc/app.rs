//! IBC applications behind a router, as ibc-go's and ibc-rs's port router
//! do: IBC core proves and settles packets, and hands each packet's meaning
//! to the application bound to its port. Core names no application; the
//! runtime's module table ([`crate::registry`]) binds them, so a new one
//! (contracts, next) registers itself instead of editing core.

use crate::module::Ctx;
use crate::TxError;
use std::sync::Arc;
use tributary_types::ibc::{Acknowledgement, Packet};

/// What IBC core asks of the application bound to a port.
pub trait IbcApp: Send + Sync {
    /// The port it is bound to (for an application that owns a family of
    /// ports, their common prefix; see [`Self::owns`]).
    fn port(&self) -> &'static str;
    /// Whether `port` is this application's.
    fn owns(&self, port: &str) -> bool {
        port == self.port()
    }
    /// The one channel version it speaks (channels on its port open only
    /// with this version), or `None` when it decides in
    /// [`Self::on_chan_open`].
    fn version(&self) -> Option<&'static str>;
    /// A channel end `channel_id` is being opened on `port` (`ChanOpenInit`
    /// or `ChanOpenTry`): `Err` refuses it, failing the handshake message.
    fn on_chan_open(
        &self,
        _ctx: &mut Ctx<'_, '_>,
        _port: &str,
        _channel_id: &str,
        _end: &tributary_types::ibc::ChannelEnd,
    ) -> Result<(), TxError> {
        Ok(())
    }
    /// A packet arrived on its port (its proof checked, its receipt written):
    /// act on it and answer. An error acknowledgement is an answer, and the
    /// packet's sender is refunded on its own chain; `Err` undoes the whole
    /// IBC transaction.
    fn on_recv(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<Acknowledgement, TxError>;
    /// The other chain acknowledged a packet it sent.
    fn on_ack(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet, ack: &Acknowledgement) -> Result<(), TxError>;
    /// A packet it sent was proven never to arrive.
    fn on_timeout(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<(), TxError>;
}

/// Most applications one chain binds.
pub const APPS_MAX: usize = 16;

/// The applications bound on this chain, one per port.
#[derive(Clone, Default)]
pub struct Router {
    apps: Vec<Arc<dyn IbcApp>>,
}

/// Why an application could not be bound.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BindError {
    #[error("port {0:?} already has an application; bind one application per port")]
    PortTaken(String),
    #[error("at most {APPS_MAX} IBC applications may be bound")]
    Full,
}

impl Router {
    /// Bind `app` to its port.
    pub fn bind(&mut self, app: Arc<dyn IbcApp>) -> Result<(), BindError> {
        if self.app(app.port()).is_some() {
            return Err(BindError::PortTaken(app.port().to_string()));
        }
        if self.apps.len() >= APPS_MAX {
            return Err(BindError::Full);
        }
        self.apps.push(app);
        Ok(())
    }

    /// The application bound to `port`, if any.
    pub fn app(&self, port: &str) -> Option<&dyn IbcApp> {
        self.apps.iter().find(|a| a.owns(port)).map(|a| a.as_ref())
    }

    /// The bound ports, in binding order.
    pub fn ports(&self) -> Vec<&'static str> {
        self.apps.iter().map(|a| a.port()).collect()
    }
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router").field("ports", &self.ports()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo(&'static str);

    impl IbcApp for Echo {
        fn port(&self) -> &'static str {
            self.0
        }
        fn version(&self) -> Option<&'static str> {
            Some("echo-1")
        }
        fn on_recv(&self, _: &mut Ctx<'_, '_>, packet: &Packet) -> Result<Acknowledgement, TxError> {
            Ok(Acknowledgement::Success(packet.data.clone()))
        }
        fn on_ack(&self, _: &mut Ctx<'_, '_>, _: &Packet, _: &Acknowledgement) -> Result<(), TxError> {
            Ok(())
        }
        fn on_timeout(&self, _: &mut Ctx<'_, '_>, _: &Packet) -> Result<(), TxError> {
            Ok(())
        }
    }

    #[test]
    fn one_application_per_port_and_a_bounded_table() {
        let mut router = Router::default();
        router.bind(Arc::new(Echo("echo"))).unwrap();
        assert_eq!(router.bind(Arc::new(Echo("echo"))), Err(BindError::PortTaken("echo".into())));
        assert_eq!(router.app("echo").map(|a| a.version()), Some(Some("echo-1")));
        assert!(router.app("transfer").is_none());
        let ports: Vec<&'static str> =
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"].to_vec();
        for port in ports {
            router.bind(Arc::new(Echo(port))).unwrap();
        }
        assert_eq!(router.bind(Arc::new(Echo("p"))), Err(BindError::Full));
        assert_eq!(router.ports().len(), APPS_MAX);
    }
}
