//! What a chain's contracts module is configured with at genesis, and the
//! access rules its transactions carry (interop-spec/contracts.md).

use crate::{Address, Hash};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Who may do something (upload code on a chain, instantiate a code).
///
/// In a genesis file: `"everybody"`, `"governance"`, or
/// `{ "addresses": ["trib1…", …] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRule {
    #[default]
    Everybody,
    /// Only these addresses (at most [`ACCESS_ADDRESSES_MAX`]).
    Addresses(Vec<Address>),
    /// Only a governance decision (a genesis document, or a proposal once the
    /// chain runs governance): no transaction of an account qualifies.
    Governance,
}

/// Most addresses an access rule names.
pub const ACCESS_ADDRESSES_MAX: usize = 32;

impl AccessRule {
    /// Whether `who` may act under this rule by a transaction.
    pub fn admits(&self, who: &Address) -> bool {
        match self {
            AccessRule::Everybody => true,
            AccessRule::Addresses(list) => list.contains(who),
            AccessRule::Governance => false,
        }
    }

    /// The rule in words, for errors.
    pub fn describe(&self) -> String {
        match self {
            AccessRule::Everybody => "everybody".into(),
            AccessRule::Addresses(list) => {
                let names: Vec<String> = list.iter().map(|a| a.to_string()).collect();
                format!("only {}", names.join(", "))
            }
            AccessRule::Governance => "only governance".into(),
        }
    }
}

/// Code stored at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisCode {
    /// The WebAssembly module, hex.
    #[serde(with = "hex_bytes")]
    pub wasm: Vec<u8>,
    /// Who may instantiate it.
    #[serde(default)]
    pub instantiate: AccessRule,
}

/// A named, versioned code with a description, that `InstantiateTemplate`
/// names instead of a code hash.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractTemplate {
    pub name: String,
    pub version: u32,
    pub code_hash: Hash,
    #[serde(default)]
    pub description: String,
}

/// A contract made at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisContract {
    pub code_hash: Hash,
    /// The `instantiate` message, hex.
    #[serde(default, with = "hex_bytes")]
    pub msg: Vec<u8>,
    #[serde(default)]
    pub admin: Option<Address>,
    #[serde(default)]
    pub label: String,
}

/// The contracts module at genesis: who may upload, and the codes,
/// templates and contracts the chain starts with. Genesis contracts are
/// made by the zero address, in order (their addresses follow from that:
/// `contract_address(code_hash, zero address, index)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractsGenesis {
    #[serde(default)]
    pub upload: AccessRule,
    #[serde(default)]
    pub codes: Vec<GenesisCode>,
    #[serde(default)]
    pub templates: Vec<ContractTemplate>,
    #[serde(default)]
    pub contracts: Vec<GenesisContract>,
}

impl ContractsGenesis {
    pub fn is_empty(&self) -> bool {
        *self == ContractsGenesis::default()
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text.trim()).map_err(serde::de::Error::custom)
    }
}
