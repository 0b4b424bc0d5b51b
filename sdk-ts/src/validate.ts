/** Format checks the chain applies to ids and denoms, applied before encoding. */
import { EncodingError } from './errors.js';

const CHAIN_ID = /^[a-z][a-z0-9-]{0,47}$/;
const DENOM = /^[a-z][a-z0-9/._-]{0,63}$/;

export function checkChainId(id: string): string {
  if (!CHAIN_ID.test(id)) throw new EncodingError(`chain id ${JSON.stringify(id)}: 1–48 chars of a-z 0-9 -, starting with a letter`);
  return id;
}

export function checkDenom(denom: string): string {
  if (!DENOM.test(denom)) throw new EncodingError(`denom ${JSON.stringify(denom)}: 1–64 chars of a-z 0-9 / . _ -, starting with a letter`);
  return denom;
}
