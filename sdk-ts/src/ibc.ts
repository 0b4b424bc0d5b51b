/**
 * IBC encodings (interop-spec/ibc.md, sections 2, 3 and 7): packets,
 * acknowledgements, transfer data, channel ends, the IbcMsg enum, escrow
 * addresses and state paths.
 */
import { BorshReader, BorshWriter, borsh, fromBorsh, type IntLike } from './borsh.js';
import { encodeAddress } from './address.js';
import { utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import { sha256 } from './hash.js';
import type { Acknowledgement, IbcMsg, Ordering, Packet, TransferData } from './types.js';
import { writeApproval } from './oracle.js';

const ORDERING_TAGS: Record<Ordering, number> = { unordered: 0, 'ordered-allow-timeout': 1 };

export function writeOrdering(w: BorshWriter, o: Ordering): void {
  const tag = ORDERING_TAGS[o];
  if (tag === undefined) throw new EncodingError(`unknown ordering ${JSON.stringify(o)}`);
  w.u8(tag);
}

export function writePacket(w: BorshWriter, p: Packet): void {
  w.u64(p.sequence).string(p.sourcePort).string(p.sourceChannel).string(p.destPort).string(p.destChannel)
    .bytes(p.data).u64(p.timeoutHeight).u64(p.timeoutTimeMs);
}

export function encodePacket(p: Packet): Uint8Array {
  return borsh((w) => writePacket(w, p));
}

export function readPacket(r: BorshReader): Packet {
  return {
    sequence: r.u64(), sourcePort: r.string(), sourceChannel: r.string(), destPort: r.string(), destChannel: r.string(),
    data: r.bytes(), timeoutHeight: r.u64(), timeoutTimeMs: r.u64(),
  };
}

export function decodePacket(bytes: Uint8Array): Packet {
  return fromBorsh(bytes, readPacket);
}

/** `hash(Packet)`: what the source stores at `ibc/commit/…`. */
export function packetCommitment(p: Packet): Uint8Array {
  return sha256(encodePacket(p));
}

export function writeAck(w: BorshWriter, a: Acknowledgement): void {
  if (a.kind === 'success') w.u8(0).bytes(a.data);
  else w.u8(1).string(a.error);
}

export function encodeAck(a: Acknowledgement): Uint8Array {
  return borsh((w) => writeAck(w, a));
}

export function decodeAck(bytes: Uint8Array): Acknowledgement {
  return fromBorsh(bytes, (r) => {
    const tag = r.u8();
    if (tag === 0) return { kind: 'success', data: r.bytes() } as const;
    if (tag === 1) return { kind: 'error', error: r.string() } as const;
    throw new EncodingError(`acknowledgement tag ${tag}`);
  });
}

/** `hash(Acknowledgement)`: what the destination stores at `ibc/ack/…`. */
export function ackCommitment(a: Acknowledgement): Uint8Array {
  return sha256(encodeAck(a));
}

export function encodeTransferData(d: TransferData): Uint8Array {
  return borsh((w) => w.string(d.denom).u128(d.amount).string(d.sender).string(d.receiver).string(d.memo));
}

export function decodeTransferData(bytes: Uint8Array): TransferData {
  return fromBorsh(bytes, (r) => ({ denom: r.string(), amount: r.u128(), sender: r.string(), receiver: r.string(), memo: r.string() }));
}

export interface ChannelEnd {
  state: 'init' | 'open';
  ordering: Ordering;
  clientId: string;
  counterpartyClientId: string;
  counterpartyPort: string;
  counterpartyChannel: string;
  version: string;
}

export function encodeChannelEnd(c: ChannelEnd): Uint8Array {
  return borsh((w) => {
    w.u8(c.state === 'init' ? 0 : 1);
    writeOrdering(w, c.ordering);
    w.string(c.clientId).string(c.counterpartyClientId).string(c.counterpartyPort).string(c.counterpartyChannel).string(c.version);
  });
}

/** The escrow account of a transfer channel: `SHA-256("tributary/transfer/escrow/" || channel)[..20]`. */
export function escrowAddress(channel: string): string {
  return encodeAddress(sha256(utf8('tributary/transfer/escrow/'), utf8(channel)).slice(0, 20));
}

/** Sequences in state paths are decimal, zero-padded to 20 digits. */
export function seq20(sequence: IntLike): string {
  return BigInt(sequence).toString().padStart(20, '0');
}

export const ibcPaths = {
  channel: (port: string, channel: string) => `ibc/channel/${port}/${channel}`,
  commitment: (port: string, channel: string, seq: IntLike) => `ibc/commit/${port}/${channel}/${seq20(seq)}`,
  packet: (port: string, channel: string, seq: IntLike) => `ibc/packet/${port}/${channel}/${seq20(seq)}`,
  receipt: (port: string, channel: string, seq: IntLike) => `ibc/receipt/${port}/${channel}/${seq20(seq)}`,
  ack: (port: string, channel: string, seq: IntLike) => `ibc/ack/${port}/${channel}/${seq20(seq)}`,
  ackData: (port: string, channel: string, seq: IntLike) => `ibc/ackdata/${port}/${channel}/${seq20(seq)}`,
};

/** Encode one `IbcMsg` (tags in declaration order, ibc.md section 2). */
export function writeIbcMsg(w: BorshWriter, m: IbcMsg): void {
  switch (m.kind) {
    case 'create_client':
      w.u8(0).bytes(m.clientState);
      return;
    case 'update_client':
      w.u8(1).string(m.clientId).bytes(m.update);
      return;
    case 'chan_open_init':
      w.u8(2).string(m.port).string(m.clientId).string(m.counterpartyClientId).string(m.counterpartyPort);
      writeOrdering(w, m.ordering);
      w.string(m.version);
      return;
    case 'chan_open_try':
      w.u8(3).string(m.port).string(m.clientId).string(m.counterpartyClientId).string(m.counterpartyPort).string(m.counterpartyChannel);
      writeOrdering(w, m.ordering);
      w.string(m.version).u64(m.proofHeight).bytes(m.proof);
      return;
    case 'chan_open_ack':
      w.u8(4).string(m.port).string(m.channel).string(m.counterpartyChannel).u64(m.proofHeight).bytes(m.proof);
      return;
    case 'recv_packet':
      w.u8(5);
      writePacket(w, m.packet);
      w.u64(m.proofHeight).bytes(m.proof);
      return;
    case 'acknowledge':
      w.u8(6);
      writePacket(w, m.packet);
      writeAck(w, m.ack);
      w.u64(m.proofHeight).bytes(m.proof);
      return;
    case 'timeout':
      w.u8(7);
      writePacket(w, m.packet);
      w.u64(m.proofHeight).bytes(m.proof);
      return;
    case 'recover_client':
      w.u8(8).string(m.clientId).string(m.substituteClientId).vec(m.approvals, writeApproval);
      return;
    case 'submit_misbehaviour':
      w.u8(9).string(m.clientId).bytes(m.misbehaviour);
      return;
    default: {
      const never: never = m;
      throw new EncodingError(`unknown IbcMsg ${JSON.stringify((never as { kind: string }).kind)}`);
    }
  }
}

