/**
 * Contracts: the five bodies against the Rust vectors
 * (interop-spec/vectors/transactions.json), the builders users call, and
 * contract addresses against interop-spec/vectors/contracts.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, bodyFromJson, fundsFromJson, rustBodyHex } from '../support/vectors.js';
import {
  Keypair, signBytes, signTx, encodeTxBody, toHex, fromHex, sha256, utf8, body, contractAddress, CONTRACT_ADDRESS_DOMAIN,
  TX_TAGS, EncodingError, KeyError, decodeAddress, type SignDoc, type TxBody,
} from '../../src/index.js';

type J = Record<string, any>;

const CONTRACT_VECTORS = [
  'upload-code', 'instantiate-contract', 'instantiate-contract-no-admin', 'execute-contract', 'migrate-contract', 'freeze-contract',
  'set-code-access', 'set-code-access-governance', 'register-contract-template', 'instantiate-template', 'instantiate-template-version',
];

function contractVectors(): Map<string, J> {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  const byName = new Map(all.map((v) => [v.name as string, v]));
  for (const name of CONTRACT_VECTORS) assert.ok(byName.has(name), `transactions.json has ${name}`);
  return new Map(CONTRACT_VECTORS.map((n) => [n, byName.get(n) as J]));
}


test('contract bodies: tags, sign bytes, borsh and hash are exactly Rust\'s', () => {
  for (const [name, v] of contractVectors()) {
    const input = v.input as J;
    const key = Keypair.fromSecretHex(input.secret_key_hex);
    const b = bodyFromJson(input.body);
    assert.equal(rustBodyHex(v).slice(0, 2), TX_TAGS[b.kind].toString(16).padStart(2, '0'), `${name}: tag`);
    assert.equal(toHex(encodeTxBody(b)), rustBodyHex(v), `${name}: body borsh`);
    const doc: SignDoc = { chainId: input.chain_id, sender: key.publicKey, nonce: input.nonce, fee: input.fee, body: b };
    assert.equal(toHex(signBytes(doc)), v.sign_bytes_hex, `${name}: sign bytes`);
    const tx = signTx(key, doc);
    assert.equal(toHex(tx.bytes), v.tx_borsh_hex, `${name}: tx borsh`);
    assert.equal(tx.hash, v.tx_hash_hex, `${name}: tx hash`);
  }
  assert.deepEqual(
    Object.entries(TX_TAGS).filter(([k]) => /contract|code|template/.test(k)),
    [
      ['upload_code', 20], ['instantiate_contract', 21], ['execute_contract', 22], ['migrate_contract', 23], ['freeze_contract', 24],
      ['set_code_access', 25], ['register_contract_template', 26], ['instantiate_template', 27],
    ],
  );
});

test('contract builders make the bodies the vectors encode, from what the API hands out (hex hashes, trib1 addresses)', () => {
  const v = contractVectors();
  const b = (name: string) => (v.get(name) as J).input.body as J;
  const built: [string, TxBody][] = [
    ['upload-code', body.uploadCode({ code: fromHex(b('upload-code').code_hex) })],
    ['instantiate-contract', body.instantiateContract({
      codeHash: b('instantiate-contract').code_hash_hex,
      msg: fromHex(b('instantiate-contract').msg_hex),
      funds: fundsFromJson(b('instantiate-contract').funds),
      admin: b('instantiate-contract').admin,
      label: b('instantiate-contract').label,
    })],
    // Everything optional left out: no message, funds, admin or label.
    ['instantiate-contract-no-admin', body.instantiateContract({ codeHash: fromHex(b('instantiate-contract-no-admin').code_hash_hex) })],
    ['execute-contract', body.executeContract({
      contract: b('execute-contract').contract, msg: fromHex(b('execute-contract').msg_hex), funds: fundsFromJson(b('execute-contract').funds),
    })],
    ['migrate-contract', body.migrateContract({
      contract: b('migrate-contract').contract, codeHash: b('migrate-contract').code_hash_hex, msg: fromHex(b('migrate-contract').msg_hex),
    })],
    ['freeze-contract', body.freezeContract({ contract: b('freeze-contract').contract })],
    ['set-code-access', body.setCodeAccess({ codeHash: b('set-code-access').code_hash_hex, instantiate: b('set-code-access').instantiate.addresses })],
    ['set-code-access-governance', body.setCodeAccess({ codeHash: b('set-code-access-governance').code_hash_hex, instantiate: 'governance' })],
    ['register-contract-template', body.registerContractTemplate({
      name: b('register-contract-template').name, version: b('register-contract-template').version,
      codeHash: b('register-contract-template').code_hash_hex, description: b('register-contract-template').description,
    })],
    ['instantiate-template', body.instantiateTemplate({
      name: 'counter', msg: fromHex(b('instantiate-template').msg_hex), funds: fundsFromJson(b('instantiate-template').funds),
      admin: b('instantiate-template').admin, label: b('instantiate-template').label,
    })],
    ['instantiate-template-version', body.instantiateTemplate({ name: 'counter', version: 3 })],
  ];
  for (const [name, made] of built) assert.equal(toHex(encodeTxBody(made)), rustBodyHex(v.get(name) as J), `${name}: built body`);
  // The upload vector's hash is the code's SHA-256, and the instantiate names it.
  assert.equal(toHex(sha256(fromHex(b('upload-code').code_hex))), b('upload-code').code_hash_hex);
  assert.equal(b('instantiate-contract').code_hash_hex, b('upload-code').code_hash_hex);
});

test('contracts.json: contractAddress derives the runtime\'s addresses', () => {
  const f = loadVectors<J>('contracts.json');
  assert.equal(toHex(CONTRACT_ADDRESS_DOMAIN), f.address_domain_hex);
  assert.ok(f.addresses.length >= 6);
  const seen = new Set<string>();
  for (const a of f.addresses) {
    assert.equal(contractAddress(a.code_hash_hex, a.creator, a.counter), a.address, `${a.name}`);
    // The same from bytes and a bigint counter.
    assert.equal(contractAddress(fromHex(a.code_hash_hex), a.creator, BigInt(a.counter)), a.address, `${a.name}: bytes, bigint`);
    assert.equal(toHex(decodeAddress(a.address)), a.address_bytes_hex);
    seen.add(a.address);
  }
  assert.equal(seen.size, f.addresses.length, 'every case gives a different address');
  // The story the transaction vectors tell: the first contract is the one called,
  // made from the uploaded code by the uploader.
  const v = contractVectors();
  const first = f.addresses[0];
  const upload = v.get('upload-code') as J;
  assert.equal(toHex(sha256(fromHex(f.example_code_hex))), first.code_hash_hex);
  assert.equal(first.creator, upload.sender_address);
  assert.equal(first.counter, '0');
  for (const name of ['execute-contract', 'migrate-contract', 'freeze-contract']) {
    assert.equal((v.get(name) as J).input.body.contract, first.address, name);
  }
});

test('contractAddress refuses what cannot be a code hash, creator or counter', () => {
  const f = loadVectors<J>('contracts.json');
  const a = f.addresses[0];
  assert.throws(() => contractAddress(a.code_hash_hex.slice(2), a.creator, 0), EncodingError);
  assert.throws(() => contractAddress('zz' + a.code_hash_hex.slice(2), a.creator, 0), EncodingError);
  assert.throws(() => contractAddress(a.code_hash_hex, 'trib1nope', 0), KeyError);
  assert.throws(() => contractAddress(a.code_hash_hex, a.creator, -1), EncodingError);
  assert.throws(() => contractAddress(a.code_hash_hex, a.creator, 2n ** 64n), EncodingError);
  assert.equal(contractAddress(a.code_hash_hex.toUpperCase(), a.creator, 0), a.address);
});

test('contract builders refuse what the contracts module refuses at admission', () => {
  const contract = loadVectors<J>('contracts.json').addresses[0].address as string;
  const hash = '11'.repeat(32);
  assert.throws(() => body.uploadCode({ code: utf8('not wasm at all') }), /WebAssembly/);
  assert.throws(() => body.uploadCode({ code: new Uint8Array(0) }), /WebAssembly/);
  assert.throws(() => body.instantiateContract({ codeHash: '11'.repeat(31) }), /32 bytes/);
  assert.throws(() => body.instantiateContract({ codeHash: hash, label: 'x'.repeat(129) }), /label/);
  assert.equal(body.instantiateContract({ codeHash: hash, label: 'é'.repeat(64) }).label.length, 64);
  assert.throws(() => body.instantiateContract({ codeHash: hash, label: 'é'.repeat(65) }), /label/);
  assert.throws(() => body.instantiateContract({ codeHash: hash, funds: [{ denom: 'utrib', amount: 0 }] }), /more than 0/);
  const nine = Array.from({ length: 9 }, (_, i) => ({ denom: `d${i}`, amount: 1 }));
  assert.throws(() => body.executeContract({ contract, funds: nine }), /at most 8/);
  assert.equal(body.executeContract({ contract, funds: nine.slice(1) }).funds.length, 8);
  assert.throws(() => body.executeContract({ contract, msg: new Uint8Array(65_537) }), /65536/);
  assert.equal(body.executeContract({ contract, msg: new Uint8Array(65_536) }).msg.length, 65_536);
  assert.throws(() => body.migrateContract({ contract, codeHash: hash, msg: new Uint8Array(65_537) }), /65536/);
  // Denoms and addresses are checked where every body is: at encoding.
  assert.throws(() => encodeTxBody(body.executeContract({ contract, funds: [{ denom: 'UTRIB', amount: 1 }] })), /denom/);
  assert.throws(() => encodeTxBody(body.freezeContract({ contract: 'trib1nope' })), /trib1/);
  assert.throws(() => encodeTxBody(body.instantiateContract({ codeHash: hash, admin: 'trib1nope' })), /trib1/);
});
