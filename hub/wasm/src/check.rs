//! What upload refuses, decided from the bytes alone (no compilation): a
//! module that is not deterministic, reaches outside the host API, or is
//! too large to compile and run within bounded time and memory.
//!
//! Determinism comes from the validator's feature set: no floating point
//! (the `floats` feature off refuses every float type and operator, NaN
//! bit patterns being the classic source of divergence between machines),
//! no SIMD, threads or exceptions; and no `start` function (code that runs
//! before any entry point, outside the call's accounting).

use crate::abi::Entry;
use sha2::{Digest, Sha256};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures};

/// How large a module may be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLimits {
    pub max_code_bytes: usize,
    /// Memory pages (64 KiB) a module may declare as its maximum; a module
    /// must declare one, so `memory.grow` past it fails inside the contract.
    pub max_memory_pages: u64,
    pub max_functions: u32,
    /// Locals one function declares (parameters not counted).
    pub max_locals: u32,
    pub max_table_elements: u64,
    pub max_globals: u32,
    pub max_exports: u32,
    pub max_imports: u32,
}

impl Default for CodeLimits {
    fn default() -> Self {
        CodeLimits {
            max_code_bytes: 800 * 1024,
            max_memory_pages: 256,
            max_functions: 10_000,
            max_locals: 1_024,
            max_table_elements: 10_000,
            max_globals: 256,
            max_exports: 100,
            max_imports: 32,
        }
    }
}

/// Why upload refused a module.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the code is {len} bytes, over the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error(
        "not a valid deterministic WebAssembly module: {0} (floating point, SIMD, threads and exceptions are refused)"
    )]
    Invalid(String),
    #[error("the module imports {module}.{name}, which the host does not offer (see interop-spec/contracts.md)")]
    UnknownImport { module: String, name: String },
    #[error("the module imports {name} with the wrong signature")]
    ImportSignature { name: String },
    #[error("the module has a start function; contracts run only from their entry points")]
    StartFunction,
    #[error("the module does not export {0}, which every contract needs")]
    MissingExport(&'static str),
    #[error("{what} is {got}, over the limit of {max}")]
    Limit { what: &'static str, got: u64, max: u64 },
    #[error(
        "the memory declares no maximum: build with a maximum (e.g. -C link-arg=--max-memory=…) of at most {max} pages"
    )]
    UnboundedMemory { max: u64 },
}

/// What a checked module is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    /// SHA-256 of the code: its id on chain.
    pub hash: [u8; 32],
    /// Whether it exports `query` and `migrate`.
    pub has_query: bool,
    pub has_migrate: bool,
}

/// The host functions a module may import, with their signatures
/// (parameters, results), all in module `env`.
pub const HOST_FUNCTIONS: &[(&str, &[ValType], &[ValType])] = {
    use ValType::{I32, I64};
    &[
        ("register_len", &[], &[I64]),
        ("read_register", &[I32], &[]),
        ("storage_read", &[I32, I32], &[I64]),
        ("storage_write", &[I32, I32, I32, I32], &[]),
        ("storage_remove", &[I32, I32], &[]),
        ("storage_next", &[I32, I32, I32, I32], &[I64]),
        ("bank_transfer", &[I32, I32, I32, I32], &[]),
        ("emit_event", &[I32, I32], &[]),
        ("abort", &[I32, I32], &[]),
        // Version 2.
        ("call_contract", &[I32, I32, I32, I32, I32], &[I64]),
        ("query_contract", &[I32, I32, I32], &[I64]),
        ("oracle_read", &[I32, I32], &[I64]),
        ("ibc_send_packet", &[I32, I32], &[I64]),
    ]
};

/// The features a contract may use: WebAssembly 2.0 without floats,
/// float-to-int conversions or SIMD.
pub fn features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::GC_TYPES
}

fn limit(what: &'static str, got: u64, max: u64) -> Result<(), CodeError> {
    if got > max {
        return Err(CodeError::Limit { what, got, max });
    }
    Ok(())
}

/// Check `code` against the ABI and `limits`.
pub fn check(code: &[u8], limits: &CodeLimits) -> Result<CodeInfo, CodeError> {
    if code.len() > limits.max_code_bytes {
        return Err(CodeError::TooLarge { len: code.len(), max: limits.max_code_bytes });
    }
    Validator::new_with_features(features()).validate_all(code).map_err(|e| CodeError::Invalid(e.to_string()))?;
    let mut types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut exports: Vec<(String, ExternalKind)> = Vec::new();
    let mut functions = 0u64;
    let mut memory_seen = false;
    for payload in Parser::new(0).parse_all(code) {
        match payload.map_err(|e| CodeError::Invalid(e.to_string()))? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.map_err(|e| CodeError::Invalid(e.to_string()))?.into_types() {
                        match ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                types.push((f.params().to_vec(), f.results().to_vec()))
                            }
                            _ => return Err(CodeError::Invalid("only function types are allowed".into())),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                limit("the number of imports", u64::from(reader.count()), u64::from(limits.max_imports))?;
                for import in reader.into_imports() {
                    let import = import.map_err(|e| CodeError::Invalid(e.to_string()))?;
                    let known =
                        HOST_FUNCTIONS.iter().find(|(name, _, _)| import.module == "env" && *name == import.name);
                    let Some((name, params, results)) = known else {
                        return Err(CodeError::UnknownImport {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                        });
                    };
                    match import.ty {
                        TypeRef::Func(index) => {
                            let ty = types.get(index as usize);
                            if ty.is_none_or(|(p, r)| p.as_slice() != *params || r.as_slice() != *results) {
                                return Err(CodeError::ImportSignature { name: name.to_string() });
                            }
                            functions += 1;
                        }
                        _ => return Err(CodeError::ImportSignature { name: name.to_string() }),
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                functions += u64::from(reader.count());
                limit("the number of functions", functions, u64::from(limits.max_functions))?;
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(|e| CodeError::Invalid(e.to_string()))?;
                    let elements = table.ty.maximum.unwrap_or(table.ty.initial).max(table.ty.initial);
                    limit("a table's size", elements, limits.max_table_elements)?;
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(|e| CodeError::Invalid(e.to_string()))?;
                    if memory_seen {
                        return Err(CodeError::Invalid("more than one memory".into()));
                    }
                    memory_seen = true;
                    limit("the initial memory (pages)", memory.initial, limits.max_memory_pages)?;
                    let Some(maximum) = memory.maximum else {
                        return Err(CodeError::UnboundedMemory { max: limits.max_memory_pages });
                    };
                    limit("the maximum memory (pages)", maximum, limits.max_memory_pages)?;
                }
            }
            Payload::GlobalSection(reader) => {
                limit("the number of globals", u64::from(reader.count()), u64::from(limits.max_globals))?;
            }
            Payload::ExportSection(reader) => {
                limit("the number of exports", u64::from(reader.count()), u64::from(limits.max_exports))?;
                for export in reader {
                    let export = export.map_err(|e| CodeError::Invalid(e.to_string()))?;
                    exports.push((export.name.to_string(), export.kind));
                }
            }
            Payload::StartSection { .. } => return Err(CodeError::StartFunction),
            Payload::CodeSectionEntry(body) => {
                let mut locals = 0u64;
                let reader = body.get_locals_reader().map_err(|e| CodeError::Invalid(e.to_string()))?;
                for local in reader {
                    let (count, _) = local.map_err(|e| CodeError::Invalid(e.to_string()))?;
                    locals += u64::from(count);
                }
                limit("a function's locals", locals, u64::from(limits.max_locals))?;
            }
            _ => {}
        }
    }
    let exported = |name: &str, kind: ExternalKind| exports.iter().any(|(n, k)| n == name && *k == kind);
    for (name, kind) in [
        ("memory", ExternalKind::Memory),
        ("alloc", ExternalKind::Func),
        (Entry::Instantiate.name(), ExternalKind::Func),
        (Entry::Execute.name(), ExternalKind::Func),
    ] {
        if !exported(name, kind) {
            return Err(CodeError::MissingExport(name));
        }
    }
    Ok(CodeInfo {
        hash: Sha256::digest(code).into(),
        has_query: exported(Entry::Query.name(), ExternalKind::Func),
        has_migrate: exported(Entry::Migrate.name(), ExternalKind::Func),
    })
}
