/**
 * Sealed messages against the Rust vectors (interop-spec/vectors/sealed.json):
 * the SDK seals to the same bytes for the same ephemeral secret, opens what
 * Rust sealed, and refuses a changed byte or another key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors } from '../support/vectors.js';
import { fromHex, toHex, Keypair, sealMessage, openMessage, EncodingError, utf8 } from '../../src/index.js';

type J = Record<string, any>;

test('sealing matches Rust byte for byte, and opening what Rust sealed gives the plaintext', () => {
  const vectors = loadVectors<{ vectors: J[] }>('sealed.json').vectors;
  assert.ok(vectors.length >= 2);
  for (const v of vectors) {
    const recipient = Keypair.fromSecretHex(v.recipient_secret_hex);
    assert.equal(recipient.publicKeyHex, v.recipient_public_hex);
    const sealed = sealMessage(recipient.publicKey, fromHex(v.plaintext_hex), fromHex(v.ephemeral_secret_hex, 32));
    assert.equal(toHex(sealed), v.sealed_hex);
    assert.equal(toHex(openMessage(recipient, fromHex(v.sealed_hex))), v.plaintext_hex);
  }
});

test('only the recipient opens, and a changed byte fails', () => {
  const alice = Keypair.generate();
  const mallory = Keypair.generate();
  const sealed = sealMessage(alice.publicKey, utf8('dock 4 at 6'));
  assert.equal(new TextDecoder().decode(openMessage(alice, sealed)), 'dock 4 at 6');
  assert.throws(() => openMessage(mallory, sealed), EncodingError);
  const changed = sealed.slice();
  changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 1;
  assert.throws(() => openMessage(alice, changed), EncodingError);
  assert.throws(() => openMessage(alice, new Uint8Array(10)), EncodingError);
});
