/** `@tributary/sdk/verify`: check what a node says: headers, certificates, ICS23 proofs, a light client. */
export * from '../header.js';
export * from '../certificate.js';
export * from '../ics23.js';
export * from '../proof.js';
export * from '../lightclient.js';
export * from '../proven.js';
export * from '../errors.js';
