/**
 * Nonces for many transactions in flight from one account. The node's
 * `account { nextNonce }` counts transactions waiting in its mempool, so the
 * first nonce comes from there; later ones are handed out locally, in order,
 * without a round trip each. A refusal that means our count is off
 * (NONCE_TOO_LOW / NONCE_TOO_HIGH, or a transaction that never made it into
 * the mempool) makes the next allocation ask the node again.
 */
import type { ChainClient } from './client.js';

export class NonceManager {
  private next: number | null = null;
  /** Allocations are serialized so two callers never get the same nonce. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: ChainClient, private readonly address: string) {}

  /** The nonce for the next transaction. */
  allocate(): Promise<number> {
    const result = this.chain.then(async () => {
      if (this.next === null) this.next = (await this.client.account(this.address)).nextNonce;
      return this.next++;
    });
    // Keep the chain alive after a failure (e.g. the node was unreachable).
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Forget the local count: the next allocation asks the node. */
  resync(): void {
    this.chain = this.chain.then(() => {
      this.next = null;
    });
  }
}
