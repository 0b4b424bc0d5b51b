/** `@tributary/sdk/keys`: keys, phrases, addresses and the CLI's key-file format (no disk access). */
export { Keypair, verifySignature } from '../keys.js';
export { newMnemonic, mnemonicSeed, slip10Ed25519, derivationPath, keypairFromMnemonic, COIN_TYPE } from '../mnemonic.js';
export * from '../address.js';
export { bech32Encode, bech32Decode } from '../bech32.js';
export * from '../keyfile.js';
export * from '../errors.js';
