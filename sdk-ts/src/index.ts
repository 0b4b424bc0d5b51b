/**
 * @tributary/sdk: keys, transactions, queries, live events, cross-chain
 * transfers, data feeds and proof checks for Tributary chains.
 */
export * from './errors.js';
export * from './bytes.js';
export { sha256 } from './hash.js';
export { BorshWriter, BorshReader, borsh, fromBorsh, toBigInt, type IntLike } from './borsh.js';
export { bech32Encode, bech32Decode } from './bech32.js';
export * from './address.js';
export { Keypair, verifySignature } from './keys.js';
export { newMnemonic, mnemonicSeed, slip10Ed25519, derivationPath, keypairFromMnemonic, COIN_TYPE } from './mnemonic.js';
export * from './keyfile.js';
export type * from './types.js';
export { VOTE_OPTIONS } from './types.js';
export * from './tx.js';
export * from './contracts.js';
export * from './ibc.js';
export * from './oracle.js';
export * from './header.js';
export * from './certificate.js';
export * from './ics23.js';
export * from './proof.js';
export { GraphqlHttp, type GraphqlOptions } from './graphql.js';
export * from './client.js';
export type * from './views.js';
export { NonceManager } from './nonce.js';
export { Wallet, type SendOptions, type WalletOptions } from './wallet.js';
export { body } from './builders.js';
export * from './xchain.js';
export { subscribe, subscribeGateway, type SubscribeOptions, type Subscription, type GatewaySubscribeOptions, type GatewaySubscription } from './subscribe.js';
export * from './feeder.js';
export * from './lightclient.js';
export * from './proven.js';
export * from './private.js';
export * from './seal.js';
export { setWebSocketImpl } from './websocket.js';

/**
 * Every type of the node's and the gateway's GraphQL schemas, generated
 * from `interop-spec/schema/` (`npm run gen:types`): for queries of your
 * own beyond what the clients ask.
 */
export type * as NodeSchema from './generated/node.js';
export type * as GatewaySchema from './generated/gateway.js';
