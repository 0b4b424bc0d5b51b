/** `@tributary/sdk/tx`: transaction bodies, their encoding and signing, offline. */
export * from '../tx.js';
export { body } from '../builders.js';
export { BorshWriter, BorshReader, borsh, fromBorsh, toBigInt, type IntLike } from '../borsh.js';
export * from '../contracts.js';
export * from '../ibc.js';
export * from '../oracle.js';
export * from '../errors.js';
export type * from '../types.js';
