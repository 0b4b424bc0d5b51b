//! The randomness beacon: an sr25519 VRF (schnorrkel) chained height by height.
//!
//! The proposer of height `h` evaluates the VRF on [`vrf_input`]`(chain, h,
//! beacon(h-1))` with its VRF secret key. Anyone holding its VRF public key can
//! check the proof; the proposer cannot choose the output, only reveal it (or
//! withhold it, which costs it the block). The verified output becomes
//! `beacon(h)`, which seeds the draw of height `h + 1`. `beacon(0)` is the
//! genesis hash.
//!
//! `beacon(h)` = [`beacon_of`]`(output)` = `SHA-256("tributary/beacon/v1" ||
//! output)`: a hash of the pre-output alone, like RFC 9381's `proof_to_hash`.
//! That is a sound VRF output because the pre-output point is unique per key
//! and input (the DLEQ proof pins it) and its Ristretto encoding is canonical
//! (`VRFPreOut::from_bytes` refuses any other), and it lets anyone read `beacon(h)` off
//! header `h` without knowing `beacon(h-1)`: a light client that skips heights
//! takes `beacon(h-1)` from header `h-1`, which header `h` authenticates
//! through its parent hash. (Hashing the input/output pair instead, as
//! schnorrkel's `make_bytes` does, would need the input, i.e. the whole
//! beacon chain back to a trusted height.)
//!
//! Proofs are deterministic: the DLEQ nonce comes from merlin's transcript RNG,
//! keyed by the secret nonce and the whole transcript, with an all-zero extra
//! RNG. That is the derandomized Schnorr construction (like RFC 6979), safe for
//! a single-signer proof and needed here because the state machine holds no RNG
//! and the simulator must replay bit for bit.

use borsh::{BorshDeserialize, BorshSerialize};
use schnorrkel::vrf::{VRFPreOut, VRFProof};
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey, PublicKey as SrPublicKey};
use sha2::{Digest, Sha256};
use tributary_types::{ChainId, Hash};

/// Domain separator in front of every VRF input.
pub const VRF_INPUT_DOMAIN: &[u8] = b"tributary/vrf-input/v1\0";
/// The schnorrkel signing context of the VBFT VRF.
const VRF_CONTEXT: &[u8] = b"tributary/vbft/vrf";
/// Domain separator of [`beacon_of`].
pub const BEACON_DOMAIN: &[u8] = b"tributary/beacon/v1";

/// The VRF pre-output (a compressed Ristretto point): what the proof is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug, BorshSerialize, BorshDeserialize)]
pub struct VrfOutput(pub [u8; 32]);

/// A short schnorrkel DLEQ proof.
#[derive(Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct VrfProof(pub [u8; 64]);

impl std::fmt::Debug for VrfProof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VrfProof({:02x?}…)", &self.0[..8])
    }
}

/// An sr25519 VRF public key (32 bytes).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, BorshSerialize, BorshDeserialize)]
pub struct VrfPublicKey(pub [u8; 32]);

/// Why a VRF proof was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VrfError {
    #[error("VRF public key is not a valid Ristretto point")]
    BadPublicKey,
    #[error("VRF output is not a valid Ristretto point")]
    BadOutput,
    #[error("VRF proof is malformed")]
    BadProofEncoding,
    #[error("VRF proof does not verify")]
    ProofFailed,
}

/// An sr25519 VRF secret key, expanded from a 32-byte seed.
pub struct VrfSecret(Keypair);

impl VrfSecret {
    /// Expand a 32-byte mini secret (uniform expansion).
    pub fn from_seed(seed: [u8; 32]) -> Result<Self, VrfError> {
        let mini = MiniSecretKey::from_bytes(&seed).map_err(|_| VrfError::BadPublicKey)?;
        Ok(VrfSecret(mini.expand_to_keypair(ExpansionMode::Uniform)))
    }

    pub fn public_key(&self) -> VrfPublicKey {
        VrfPublicKey(self.0.public.to_bytes())
    }
}

impl std::fmt::Debug for VrfSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VrfSecret(public {:02x?})", self.public_key().0)
    }
}

#[derive(BorshSerialize)]
struct VrfInputDoc<'a> {
    chain_id: &'a ChainId,
    height: u64,
    beacon_previous: &'a Hash,
}

/// The VRF input of height `height`: `VRF_INPUT_DOMAIN || borsh(chain, height, beacon(height-1))`.
pub fn vrf_input(chain_id: &ChainId, height: u64, beacon_previous: &Hash) -> Vec<u8> {
    let mut out = VRF_INPUT_DOMAIN.to_vec();
    let _ = borsh::to_writer(&mut out, &VrfInputDoc { chain_id, height, beacon_previous });
    out
}

/// An all-zero RNG: the nonce then depends only on the secret and the transcript.
struct ZeroRng;

impl rand_core::RngCore for ZeroRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        dest.fill(0);
        Ok(())
    }
}

impl rand_core::CryptoRng for ZeroRng {}

/// The beacon a VRF output stands for: `SHA-256(BEACON_DOMAIN || output)`.
///
/// Only meaningful for an output whose proof verified (or that a certified
/// header carries); see the module docs for why the input is not hashed in.
pub fn beacon_of(output: &VrfOutput) -> Hash {
    let mut h = Sha256::new();
    h.update(BEACON_DOMAIN);
    h.update(output.0);
    Hash(h.finalize().into())
}

/// Evaluate the VRF on `input`: the output, its proof and the beacon bytes.
pub fn vrf_prove(secret: &VrfSecret, input: &[u8]) -> (VrfOutput, VrfProof, Hash) {
    let transcript = schnorrkel::signing_context(VRF_CONTEXT).bytes(input);
    let extra = schnorrkel::context::attach_rng(merlin_transcript(), ZeroRng);
    let (inout, proof, _) = secret.0.vrf_sign_extra(transcript, extra);
    let output = VrfOutput(inout.to_preout().to_bytes());
    (output, VrfProof(proof.to_bytes()), beacon_of(&output))
}

/// Check `proof` that `output` is the VRF of `input` under `public`; returns the beacon bytes.
pub fn vrf_verify(public: &VrfPublicKey, input: &[u8], output: &VrfOutput, proof: &VrfProof) -> Result<Hash, VrfError> {
    let public = SrPublicKey::from_bytes(&public.0).map_err(|_| VrfError::BadPublicKey)?;
    let preout = VRFPreOut::from_bytes(&output.0).map_err(|_| VrfError::BadOutput)?;
    let proof = VRFProof::from_bytes(&proof.0).map_err(|_| VrfError::BadProofEncoding)?;
    let transcript = schnorrkel::signing_context(VRF_CONTEXT).bytes(input);
    public.vrf_verify_extra(transcript, &preout, &proof, merlin_transcript()).map_err(|_| VrfError::ProofFailed)?;
    Ok(beacon_of(output))
}

/// The extra transcript both sides use (schnorrkel's default for `vrf_sign`).
fn merlin_transcript() -> merlin::Transcript {
    merlin::Transcript::new(b"VRF")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ChainId {
        ChainId::new("hub").unwrap()
    }

    #[test]
    fn prove_then_verify_and_deterministic() {
        let key = VrfSecret::from_seed([7; 32]).unwrap();
        let input = vrf_input(&chain(), 5, &Hash([1; 32]));
        let (out, proof, beacon) = vrf_prove(&key, &input);
        assert_eq!(vrf_verify(&key.public_key(), &input, &out, &proof), Ok(beacon));
        let (out2, proof2, _) = vrf_prove(&key, &input);
        assert_eq!((out, proof), (out2, proof2), "proofs are deterministic");
    }

    #[test]
    fn refuses_wrong_input_key_output_and_proof() {
        let key = VrfSecret::from_seed([7; 32]).unwrap();
        let other = VrfSecret::from_seed([8; 32]).unwrap();
        let input = vrf_input(&chain(), 5, &Hash([1; 32]));
        let (out, proof, _) = vrf_prove(&key, &input);
        let other_input = vrf_input(&chain(), 6, &Hash([1; 32]));
        assert_eq!(vrf_verify(&key.public_key(), &other_input, &out, &proof), Err(VrfError::ProofFailed));
        assert!(vrf_verify(&other.public_key(), &input, &out, &proof).is_err());
        let (other_out, _, _) = vrf_prove(&other, &input);
        assert!(vrf_verify(&key.public_key(), &input, &other_out, &proof).is_err());
        let mut bad = proof;
        bad.0[3] ^= 1;
        assert!(vrf_verify(&key.public_key(), &input, &out, &bad).is_err());
        assert!(vrf_verify(&VrfPublicKey([0xff; 32]), &input, &out, &proof).is_err());
    }

    #[test]
    fn outputs_differ_by_key_and_input() {
        let a = VrfSecret::from_seed([1; 32]).unwrap();
        let b = VrfSecret::from_seed([2; 32]).unwrap();
        let i1 = vrf_input(&chain(), 1, &Hash::ZERO);
        let i2 = vrf_input(&chain(), 2, &Hash::ZERO);
        assert_ne!(vrf_prove(&a, &i1).2, vrf_prove(&b, &i1).2);
        assert_ne!(vrf_prove(&a, &i1).2, vrf_prove(&a, &i2).2);
    }

    /// The beacon is readable from the output alone (what a skipping light
    /// client relies on), and is the hash the spec writes out.
    #[test]
    fn beacon_is_the_hash_of_the_output() {
        let key = VrfSecret::from_seed([7; 32]).unwrap();
        let input = vrf_input(&chain(), 5, &Hash([1; 32]));
        let (out, proof, beacon) = vrf_prove(&key, &input);
        assert_eq!(beacon, beacon_of(&out));
        assert_eq!(vrf_verify(&key.public_key(), &input, &out, &proof), Ok(beacon_of(&out)));
        let mut spelled = b"tributary/beacon/v1".to_vec();
        spelled.extend_from_slice(&out.0);
        assert_eq!(beacon, tributary_types::sha256(&spelled));
    }
}
