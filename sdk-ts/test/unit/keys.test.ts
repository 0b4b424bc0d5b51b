/** Signing (RFC 8032 vectors, ZIP-215 verification), addresses, key files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Keypair, verifySignature, toHex, fromHex, addressOf, decodeAddress, isAddress, parseKeyFile, keypairFromKeyFile,
  loadKeyFile, saveKeyFile, toKeyFile, KeyError,
} from '../../src/node.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

// RFC 8032, section 7.1, TEST 1–3.
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

test('RFC 8032 test vectors: public keys and deterministic signatures', () => {
  for (const v of RFC8032) {
    const key = Keypair.fromSecretHex(v.secret);
    assert.equal(key.publicKeyHex, v.public);
    const sig = key.sign(fromHex(v.message));
    assert.equal(toHex(sig), v.signature);
    assert.ok(verifySignature(key.publicKey, fromHex(v.message), sig));
  }
});

test('signatures fail for another message, key or a flipped bit', () => {
  const v = RFC8032[1]!;
  const pk = fromHex(v.public);
  const sig = fromHex(v.signature);
  assert.ok(verifySignature(pk, fromHex('72'), sig));
  assert.equal(verifySignature(pk, fromHex('73'), sig), false);
  assert.equal(verifySignature(fromHex(RFC8032[0]!.public), fromHex('72'), sig), false);
  const flipped = sig.slice();
  flipped[10]! ^= 1;
  assert.equal(verifySignature(pk, fromHex('72'), flipped), false);
  assert.equal(verifySignature(pk, fromHex('72'), sig.slice(0, 63)), false);
});

test('generated keys are distinct, sign and have trib1 addresses', () => {
  const a = Keypair.generate();
  const b = Keypair.generate();
  assert.notEqual(a.publicKeyHex, b.publicKeyHex);
  assert.match(a.address, /^trib1[02-9ac-hj-np-z]{38}$/);
  assert.equal(addressOf(a.publicKey), a.address);
  assert.ok(verifySignature(a.publicKey, new Uint8Array([1, 2, 3]), a.sign(new Uint8Array([1, 2, 3]))));
});

test('addresses: only the canonical lowercase trib form decodes', () => {
  const good = 'trib1x36slx9at870e9rd53d2405n80s4ff94zs3v7w';
  assert.equal(decodeAddress(good).length, 20);
  assert.ok(isAddress(good));
  assert.equal(isAddress(good.toUpperCase()), false, 'uppercase is refused');
  assert.equal(isAddress(good.slice(0, -1) + (good.endsWith('w') ? 'q' : 'w')), false, 'bad checksum');
  assert.equal(isAddress('cosmos1x36slx9at870e9rd53d2405n80s4ff94zs3v7w'), false, 'other prefix');
  assert.equal(isAddress(''), false);
  assert.throws(() => decodeAddress('trib1qqqq'), KeyError);
});

test('key files: the CLI format imports, round-trips, and mismatches are refused', async () => {
  const key = Keypair.fromSecretHex('0101010101010101010101010101010101010101010101010101010101010101');
  const file = toKeyFile(key);
  assert.deepEqual(Object.keys(file), ['version', 'kind', 'address', 'public_key', 'secret_key']);
  assert.equal(file.address, 'trib1x36slx9at870e9rd53d2405n80s4ff94zs3v7w');
  const opened = keypairFromKeyFile(parseKeyFile(JSON.stringify(file)));
  assert.equal(opened.address, key.address);
  assert.throws(() => keypairFromKeyFile({ ...file, address: 'trib1dguq840stxgz58rd477fhfrjjgf00j4vynltvx' }), /does not match/);
  assert.throws(() => parseKeyFile('{"version":2,"kind":"ed25519","address":"x","public_key":"y"}'), /unsupported version/);
  assert.throws(() => parseKeyFile('not json'), /not JSON/);
  assert.throws(() => keypairFromKeyFile({ ...file, secret_key: 'abcd' }), /64 hex/);
  const dir = await mkdtemp(join(tmpdir(), 'sdk-keys-'));
  try {
    const path = join(dir, 'k.json');
    await saveKeyFile(path, key);
    assert.equal((await loadKeyFile(path)).address, key.address);
    await assert.rejects(saveKeyFile(path, key), /EEXIST/);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).secret_key, key.secretHex());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('key files: encrypted (scrypt + ChaCha20-Poly1305, address as AAD) open only with the passphrase', () => {
  const key = Keypair.fromSecretHex('0202020202020202020202020202020202020202020202020202020202020202');
  // Seal as the Rust keyfile.rs does, with cheap scrypt parameters for the test.
  const salt = fromHex('00112233445566778899aabbccddeeff');
  const nonce = fromHex('0102030405060708090a0b0c');
  const sealing = scrypt(new TextEncoder().encode('correct horse'), salt, { N: 2 ** 4, r: 8, p: 1, dkLen: 32 });
  const ciphertext = chacha20poly1305(sealing, nonce, new TextEncoder().encode(key.address)).encrypt(fromHex(key.secretHex()));
  const file = {
    version: 1, kind: 'ed25519', address: key.address, public_key: key.publicKeyHex,
    encrypted: { kdf: 'scrypt', log_n: 4, r: 8, p: 1, salt: toHex(salt), cipher: 'chacha20poly1305', nonce: toHex(nonce), ciphertext: toHex(ciphertext) },
  };
  const parsed = parseKeyFile(JSON.stringify(file));
  assert.equal(keypairFromKeyFile(parsed, 'correct horse').address, key.address);
  assert.throws(() => keypairFromKeyFile(parsed, 'wrong'), (e: unknown) => e instanceof KeyError && e.code === 'WRONG_PASSPHRASE');
  assert.throws(() => keypairFromKeyFile(parsed), (e: unknown) => e instanceof KeyError && e.code === 'PASSPHRASE_NEEDED');
  assert.throws(() => keypairFromKeyFile({ ...parsed, encrypted: { ...parsed.encrypted!, log_n: 30 } }, 'correct horse'), /over the limit/);
});
