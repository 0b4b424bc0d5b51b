//! Tributary's wire and storage types.
//!
//! Every value that is hashed, signed or stored is encoded with borsh, whose
//! encoding is canonical (one value, one byte string), and hashed with SHA-256.
//! This crate depends on nothing above it and does no I/O, so the light client,
//! the runtime, the node and the test vectors all share one definition of what a
//! transaction, a header or an address *is*.
//!
//! Decoding untrusted bytes goes through [`codec::decode_bounded`], which checks
//! the length before borsh allocates anything.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod address;
pub mod amount_string;
pub mod block;
pub mod chain;
pub mod codec;
pub mod contracts;
pub mod genesis;
pub mod governance;
pub mod hash;
pub mod ibc;
pub mod identity;
pub mod limits;
pub mod oracle;
pub mod private;
pub mod receipt;
pub mod rewards;
pub mod tx;
pub mod validator;

pub use address::{Address, AddressError, PublicKey, Signature};
pub use block::{Block, CommitCertificate, Header, ValidatorSignature};
pub use chain::{ChainId, ChainIdError};
pub use codec::{decode_bounded, encode_exact, DecodeError};
pub use genesis::{
    ConsensusGenesis, GasSchedule, Genesis, GenesisAccount, GenesisBalance, GenesisValidator, HubTrust, Params,
    RegistryParams, StakingParams, TokenMetadata,
};
pub use hash::{merkle_root, sha256, Hash};
pub use limits::ChildLimits;
pub use receipt::{Event, Receipt};
pub use tx::{
    Amount, DelegatedBody, Denom, DenomError, PollWeight, SignDoc, Tx, TxBody, BLOCK_TXS_BYTES_MAX, TX_BYTES_MAX,
};

#[cfg(test)]
mod proptests;
