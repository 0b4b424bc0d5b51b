/** Decoding what a feeder submitted, for the stand-in node tests. */
import { BorshReader } from '../../src/borsh.js';
import { reportSignBytes, decodeNumberValue } from '../../src/oracle.js';
import { verifySignature } from '../../src/keys.js';

export { DataFeeder, Keypair, NodeClient, FeedError, fromBase64 } from '../../src/index.js';

/** The one report of a SubmitReports transaction (borsh Tx), with its signature checked. */
export function readSignedTxBody(tx: Uint8Array): { round: bigint; value: bigint; signatureValid: boolean } {
  const r = new BorshReader(tx);
  r.string(); // chain id
  r.fixed(32); // sender
  r.u64(); // nonce
  r.u128(); // fee
  if (r.u8() !== 18) throw new Error('not SubmitReports');
  if (r.u32() !== 1) throw new Error('expected one report');
  const feeder = r.fixed(32);
  const report = { chainId: r.string(), feedId: r.string(), round: r.u64(), value: r.bytes() };
  const signature = r.fixed(64);
  r.fixed(64); // the transaction's signature
  r.end();
  return { round: report.round, value: decodeNumberValue(report.value), signatureValid: verifySignature(feeder, reportSignBytes(report), signature) };
}
