/**
 * Private data: the bodies and the payload hash against the Rust vectors
 * (interop-spec/vectors/transactions.json) through the builders users
 * call, the read request's sign bytes, and the builders' refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, rustBodyHex } from '../support/vectors.js';
import { body, encodeTxBody, fromHex, toHex, TX_TAGS, EncodingError, privatePayload, privateReadSignBytes, utf8 } from '../../src/index.js';

type J = Record<string, any>;

test('private builders and the payload hash make exactly what Rust encodes', () => {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  const put = all.find((v) => v.name === 'put-private')!;
  const host = all.find((v) => v.name === 'set-private-host')!;
  const clear = all.find((v) => v.name === 'clear-private-host')!;
  const payload = privatePayload(fromHex(put.input.body.data_hex), fromHex(put.input.body.salt_hex, 32));
  assert.equal(toHex(payload.dataHash), put.input.body.data_hash);
  const made = body.putPrivate({ recipients: put.input.body.recipients, dataHash: payload.dataHash, bytes: payload.bytes });
  assert.equal(toHex(encodeTxBody(made)), rustBodyHex(put));
  assert.equal(toHex(encodeTxBody(body.setPrivateHost({ nodeKey: fromHex(host.input.body.node_key, 32) }))), rustBodyHex(host));
  assert.equal(toHex(encodeTxBody(body.setPrivateHost({ nodeKey: null }))), rustBodyHex(clear));
  assert.deepEqual([TX_TAGS.put_private, TX_TAGS.set_private_host], [35, 36]);
});

test('a fresh salt hides a guessable payload', () => {
  assert.notEqual(toHex(privatePayload(utf8('yes')).dataHash), toHex(privatePayload(utf8('yes')).dataHash));
});

test('the read request signs the domain, the hash, the reader and the expiry (big-endian)', () => {
  const bytes = privateReadSignBytes(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), 258n);
  assert.equal(bytes.length, 'tributary/private-read/v1'.length + 72);
  assert.deepEqual([...bytes.slice(-8)], [0, 0, 0, 0, 0, 0, 1, 2]);
});

test('private builders refuse what no chain takes, before a round trip', () => {
  const a = 'trib1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
  const dataHash = new Uint8Array(32);
  assert.throws(() => body.putPrivate({ recipients: [], dataHash, bytes: 1 }), EncodingError);
  assert.throws(() => body.putPrivate({ recipients: [a, a], dataHash, bytes: 1 }), EncodingError);
  assert.throws(() => body.putPrivate({ recipients: [a], dataHash, bytes: 0 }), EncodingError);
  assert.throws(() => body.putPrivate({ recipients: [a], dataHash, bytes: 256 * 1024 + 1 }), EncodingError);
  assert.throws(() => body.setPrivateHost({ nodeKey: new Uint8Array(31) }), EncodingError);
  assert.throws(() => privatePayload(new Uint8Array(0)), EncodingError);
});
