/**
 * Following a cross-chain transfer to completion: the source transaction is
 * in a block (its `send_packet` event names the packet), the destination has
 * a receipt for it (`packetReceipt`), and the source has settled it (the
 * packet leaves `pendingPackets`, i.e. the relayer delivered the ack).
 */
import type { ChainClient } from './client.js';
import { TimeoutError, TributaryError } from './errors.js';
import type { PacketReceiptView } from './views.js';
import type { Acknowledgement } from './types.js';
import { decodeAck } from './ibc.js';
import { fromBase64 } from './bytes.js';

export interface PacketId {
  sequence: number;
  sourcePort: string;
  sourceChannel: string;
  destPort: string;
  destChannel: string;
}

export type TransferStage = 'committed' | 'received' | 'acknowledged';

export interface TransferOutcome extends PacketId {
  sourceHeight: number;
  receipt: PacketReceiptView;
  /** The destination's acknowledgement, decoded (null for a timed-out packet). */
  ack: Acknowledgement | null;
}

export interface TrackOptions {
  /** Overall bound on the whole journey (default 120 s). */
  timeoutMs?: number;
  pollMs?: number;
  onProgress?: (stage: TransferStage, packet: PacketId) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The packet a transaction sent, from its receipt's `send_packet` event. */
export async function sentPacket(source: ChainClient, txHash: string, timeoutMs: number): Promise<{ packet: PacketId; height: number }> {
  const { tx, height } = await source.waitForFinality(txHash, { timeoutMs });
  const ev = tx.receipt.events.find((e) => e.kind === 'send_packet');
  if (!ev) throw new TributaryError('NO_PACKET', `transaction ${txHash} sent no packet`);
  const attr = (k: string) => {
    const a = ev.attributes.find((x) => x.key === k);
    if (!a) throw new TributaryError('NO_PACKET', `send_packet event without ${k}`);
    return a.value;
  };
  return {
    packet: {
      sequence: Number(attr('sequence')), sourcePort: attr('source_port'), sourceChannel: attr('source_channel'),
      destPort: attr('dest_port'), destChannel: attr('dest_channel'),
    },
    height,
  };
}

/** Wait until the transfer sent by `txHash` on `source` is received on `destination` and acknowledged on `source`. */
export async function trackTransfer(source: ChainClient, destination: ChainClient, txHash: string, options: TrackOptions = {}): Promise<TransferOutcome> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 300;
  const deadline = Date.now() + timeoutMs;
  const { packet, height } = await sentPacket(source, txHash, timeoutMs);
  options.onProgress?.('committed', packet);

  let receipt: PacketReceiptView;
  for (;;) {
    receipt = await destination.packetReceipt(packet.destPort, packet.destChannel, packet.sequence);
    if (receipt.status !== 'none') break;
    if (Date.now() > deadline) throw new TimeoutError(`packet ${packet.sourceChannel}/${packet.sequence} received on the destination`, timeoutMs);
    await sleep(pollMs);
  }
  options.onProgress?.('received', packet);

  for (;;) {
    const pending = await source.pendingPackets(packet.sourcePort, packet.sourceChannel, packet.sequence, 1);
    if (!pending.some((p) => p.sequence === packet.sequence)) break;
    if (Date.now() > deadline) throw new TimeoutError(`packet ${packet.sourceChannel}/${packet.sequence} acknowledged on the source`, timeoutMs);
    await sleep(pollMs);
  }
  options.onProgress?.('acknowledged', packet);
  const ack = receipt.ackBase64 ? decodeAck(fromBase64(receipt.ackBase64)) : null;
  return { ...packet, sourceHeight: height, receipt, ack };
}

/**
 * The gateway's id of the transfer sent by `txHash` on `source`
 * (`SOURCE_CHAIN/CHANNEL/SEQUENCE`, for `GatewayClient.transfer` and
 * `followTransfer`), once that transaction is final.
 */
export async function transferIdOf(source: ChainClient, txHash: string, timeoutMs = 60_000): Promise<string> {
  const { packet } = await sentPacket(source, txHash, timeoutMs);
  const tx = await source.tx(txHash);
  if (!tx) throw new TributaryError('NO_PACKET', `transaction ${txHash} is not found`);
  return `${tx.chainId}/${packet.sourceChannel}/${packet.sequence}`;
}
