/** `@tributary/sdk/client`: talk to a node or the gateway: queries, submission, nonces, live blocks, transfers, feeds. */
export * from '../client.js';
export { GraphqlHttp, type GraphqlOptions } from '../graphql.js';
export { NonceManager } from '../nonce.js';
export { Wallet, type SendOptions } from '../wallet.js';
export * from '../xchain.js';
export { subscribe, subscribeGateway, type SubscribeOptions, type Subscription, type GatewaySubscribeOptions, type GatewaySubscription } from '../subscribe.js';
export { setWebSocketImpl } from '../websocket.js';
export * from '../feeder.js';
export * from '../errors.js';
export type * from '../views.js';
