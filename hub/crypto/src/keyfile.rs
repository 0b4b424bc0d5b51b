//! Key files: one JSON file per key, readable by the CLI and by sdk-ts.
//!
//! ```json
//! {"version":1,"kind":"ed25519","address":"trib1…","public_key":"<hex>",
//!  "secret_key":"<hex>"}
//! ```
//!
//! or, when protected by a passphrase, `"encrypted"` in place of `"secret_key"`:
//! scrypt (log_n, r, p, 16-byte salt) derives a 32-byte key, and
//! ChaCha20-Poly1305 (12-byte nonce, the address as associated data) seals the
//! secret. Files are written with mode 0600 and written whole to a temporary
//! file first, so a crash never leaves half a key.

use crate::SigningKey;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

/// scrypt cost for new files: 2^15 × 8 × 1 takes ~100 ms, the usual interactive choice.
pub const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read key file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write key file {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("key file {path} already exists; choose another name or remove it first")]
    Exists { path: PathBuf },
    #[error("key file {path} is malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("key file {path} is encrypted: give its passphrase (--passphrase-file or TRIBUTARY_PASSPHRASE)")]
    PassphraseNeeded { path: PathBuf },
    #[error("wrong passphrase for key file {path}")]
    WrongPassphrase { path: PathBuf },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Encrypted {
    pub kdf: String,
    pub log_n: u8,
    pub r: u32,
    pub p: u32,
    pub salt: String,
    pub cipher: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// The on-disk form of a key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    pub version: u32,
    pub kind: String,
    pub address: String,
    pub public_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<Encrypted>,
}

fn derive_key(passphrase: &[u8], salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<[u8; 32], String> {
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|e| format!("bad scrypt parameters: {e}"))?;
    let mut out = [0u8; 32];
    scrypt::scrypt(passphrase, salt, &params, &mut out).map_err(|e| format!("scrypt failed: {e}"))?;
    Ok(out)
}

impl KeyFile {
    /// The file form of `key`, sealed with `passphrase` if one is given.
    pub fn from_key(key: &SigningKey, passphrase: Option<&[u8]>) -> Result<Self, String> {
        let public = key.public_key();
        let address = public.address().to_string();
        let mut secret = key.secret_bytes();
        let file = match passphrase {
            None => KeyFile {
                version: 1,
                kind: "ed25519".into(),
                address,
                public_key: hex::encode(public.0),
                secret_key: Some(hex::encode(secret)),
                encrypted: None,
            },
            Some(passphrase) => {
                let mut salt = [0u8; 16];
                let mut nonce = [0u8; 12];
                OsRng.fill_bytes(&mut salt);
                OsRng.fill_bytes(&mut nonce);
                let mut sealing_key = derive_key(passphrase, &salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)?;
                let cipher = ChaCha20Poly1305::new((&sealing_key).into());
                sealing_key.zeroize();
                let ciphertext = cipher
                    .encrypt((&nonce).into(), Payload { msg: &secret, aad: address.as_bytes() })
                    .map_err(|_| "encryption failed".to_string())?;
                KeyFile {
                    version: 1,
                    kind: "ed25519".into(),
                    address,
                    public_key: hex::encode(public.0),
                    secret_key: None,
                    encrypted: Some(Encrypted {
                        kdf: "scrypt".into(),
                        log_n: SCRYPT_LOG_N,
                        r: SCRYPT_R,
                        p: SCRYPT_P,
                        salt: hex::encode(salt),
                        cipher: "chacha20poly1305".into(),
                        nonce: hex::encode(nonce),
                        ciphertext: hex::encode(ciphertext),
                    }),
                }
            }
        };
        secret.zeroize();
        Ok(file)
    }

    /// The signing key, checked against the recorded public key and address.
    pub fn to_key(&self, path: &Path, passphrase: Option<&[u8]>) -> Result<SigningKey, KeyFileError> {
        let malformed = |reason: &str| KeyFileError::Malformed { path: path.to_path_buf(), reason: reason.to_string() };
        if self.version != 1 || self.kind != "ed25519" {
            return Err(malformed("unsupported version or kind (expected version 1, ed25519)"));
        }
        let mut secret = [0u8; 32];
        match (&self.secret_key, &self.encrypted) {
            (Some(hex_secret), _) => {
                hex::decode_to_slice(hex_secret, &mut secret)
                    .map_err(|_| malformed("secret_key is not 64 hex characters"))?;
            }
            (None, Some(enc)) => {
                let passphrase = passphrase.ok_or(KeyFileError::PassphraseNeeded { path: path.to_path_buf() })?;
                if enc.kdf != "scrypt" || enc.cipher != "chacha20poly1305" {
                    return Err(malformed("unsupported kdf or cipher"));
                }
                if enc.log_n > 20 || enc.r > 16 || enc.p > 4 {
                    return Err(malformed("scrypt parameters over the limit (log_n ≤ 20, r ≤ 16, p ≤ 4)"));
                }
                let salt = hex::decode(&enc.salt).map_err(|_| malformed("salt is not hex"))?;
                let nonce: [u8; 12] = hex::decode(&enc.nonce)
                    .ok()
                    .and_then(|n| n.try_into().ok())
                    .ok_or_else(|| malformed("nonce is not 12 bytes of hex"))?;
                let ciphertext = hex::decode(&enc.ciphertext).map_err(|_| malformed("ciphertext is not hex"))?;
                let mut sealing_key =
                    derive_key(passphrase, &salt, enc.log_n, enc.r, enc.p).map_err(|e| malformed(&e))?;
                let cipher = ChaCha20Poly1305::new((&sealing_key).into());
                sealing_key.zeroize();
                let mut plain = cipher
                    .decrypt((&nonce).into(), Payload { msg: &ciphertext, aad: self.address.as_bytes() })
                    .map_err(|_| KeyFileError::WrongPassphrase { path: path.to_path_buf() })?;
                if plain.len() != 32 {
                    plain.zeroize();
                    return Err(malformed("sealed secret is not 32 bytes"));
                }
                secret.copy_from_slice(&plain);
                plain.zeroize();
            }
            (None, None) => return Err(malformed("neither secret_key nor encrypted is present")),
        }
        let key = SigningKey::from_secret(secret);
        if hex::encode(key.public_key().0) != self.public_key || key.public_key().address().to_string() != self.address
        {
            return Err(malformed("the secret does not match the recorded public key and address"));
        }
        Ok(key)
    }
}

/// Write `key` to `path` with mode 0600; refuses to overwrite.
pub fn write_key_file(path: &Path, key: &SigningKey, passphrase: Option<&[u8]>) -> Result<KeyFile, KeyFileError> {
    if path.exists() {
        return Err(KeyFileError::Exists { path: path.to_path_buf() });
    }
    let file = KeyFile::from_key(key, passphrase)
        .map_err(|reason| KeyFileError::Malformed { path: path.to_path_buf(), reason })?;
    let json = serde_json::to_vec_pretty(&file)
        .map_err(|e| KeyFileError::Malformed { path: path.to_path_buf(), reason: e.to_string() })?;
    let write_err = |source| KeyFileError::Write { path: path.to_path_buf(), source };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(write_err)?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(write_err)?;
    out.write_all(&json).map_err(write_err)?;
    out.sync_all().map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)?;
    Ok(file)
}

/// Read the key file at `path`. Files larger than 64 KiB are refused unread.
pub fn read_key_file(path: &Path) -> Result<KeyFile, KeyFileError> {
    let read_err = |source| KeyFileError::Read { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if meta.len() > 64 * 1024 {
        return Err(KeyFileError::Malformed { path: path.to_path_buf(), reason: "larger than 64 KiB".into() });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| KeyFileError::Malformed { path: path.to_path_buf(), reason: e.to_string() })
}

/// Read and open the key file at `path`.
pub fn load_signing_key(path: &Path, passphrase: Option<&[u8]>) -> Result<SigningKey, KeyFileError> {
    read_key_file(path)?.to_key(path, passphrase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn plain_file_round_trips_with_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.json");
        let key = SigningKey::generate();
        write_key_file(&path, &key, None).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = load_signing_key(&path, None).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert!(matches!(write_key_file(&path, &key, None), Err(KeyFileError::Exists { .. })));
    }

    #[test]
    fn encrypted_file_needs_the_right_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bob.json");
        let key = SigningKey::generate();
        write_key_file(&path, &key, Some(b"correct horse")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&hex::encode(key.secret_bytes())), "secret must not be stored in clear");
        assert!(matches!(load_signing_key(&path, None), Err(KeyFileError::PassphraseNeeded { .. })));
        assert!(matches!(load_signing_key(&path, Some(b"wrong")), Err(KeyFileError::WrongPassphrase { .. })));
        assert_eq!(load_signing_key(&path, Some(b"correct horse")).unwrap().public_key(), key.public_key());
    }

    #[test]
    fn tampered_public_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("eve.json");
        let key = SigningKey::generate();
        let mut file = KeyFile::from_key(&key, None).unwrap();
        file.public_key = hex::encode([9u8; 32]);
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        assert!(matches!(load_signing_key(&path, None), Err(KeyFileError::Malformed { .. })));
    }
}
