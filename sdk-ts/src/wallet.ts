/**
 * A key on one chain: builds, signs and submits transactions with managed
 * nonces and fees the chain estimates, and waits for them.
 */
import type { ChainClient, Finalized, FinalityOptions } from './client.js';
import { toBigInt } from './borsh.js';
import { FeeTooHighError, TxRejectedError } from './errors.js';
import type { Keypair } from './keys.js';
import { NonceManager } from './nonce.js';
import { signTx } from './tx.js';
import type { Amount, SignedTx, TxBody } from './types.js';

export interface SendOptions {
  /**
   * Fee in the native denom (default: what the chain estimates for this
   * transaction, `suggestedFee` of `ChainClient.estimateFee`: its gas and a
   * tenth more, priced; at least the chain's `minFee`).
   */
  fee?: Amount;
  /** The most an estimated fee may be for this transaction (default: the wallet's `maxFee`). */
  maxFee?: Amount;
  /** Use this nonce instead of the managed one. */
  nonce?: number;
}

export interface WalletOptions {
  /**
   * The most an estimated fee may be: an estimate above it throws
   * {@link FeeTooHighError} before anything is signed. Set it when the node
   * is not yours (an endpoint someone else announced): the whole fee a
   * transaction signs is charged, and a node could ask any. A fee given in
   * `SendOptions.fee` is yours and is not capped. Default: no cap.
   */
  maxFee?: Amount;
}

/** Codes after which our local nonce count cannot be trusted. */
const RESYNC_CODES = new Set(['NONCE_TOO_LOW', 'NONCE_TOO_HIGH']);

export class Wallet {
  readonly nonces: NonceManager;
  private chainInfo: Promise<{ id: string }> | null = null;
  /** Submissions in nonce order (see `send`). */
  private queue: Promise<unknown> = Promise.resolve();

  private readonly maxFee: bigint | undefined;

  constructor(readonly client: ChainClient, readonly key: Keypair, options: WalletOptions = {}) {
    this.nonces = new NonceManager(client, key.address);
    this.maxFee = options.maxFee === undefined ? undefined : toBigInt(options.maxFee);
  }

  get address(): string {
    return this.key.address;
  }

  private info(): Promise<{ id: string }> {
    if (!this.chainInfo) {
      this.chainInfo = this.client.chain().then((c) => ({ id: c.id }));
      this.chainInfo.catch(() => {
        this.chainInfo = null;
      });
    }
    return this.chainInfo;
  }

  /** Sign `body` with the next nonce (does not submit). */
  async sign(body: TxBody, options: SendOptions = {}): Promise<SignedTx> {
    const { id } = await this.info();
    // Estimated before a nonce is taken, so a refused estimate uses none
    // (an estimate runs whatever nonce it is given).
    const doc = { chainId: id, sender: this.key.publicKey, nonce: options.nonce ?? 0, fee: 0, body };
    const fee = options.fee ?? (await this.estimated(doc, options));
    const nonce = options.nonce ?? (await this.nonces.allocate());
    return signTx(this.key, { ...doc, nonce, fee });
  }

  /** The node's suggested fee for `doc`, within the cap. */
  private async estimated(doc: Parameters<ChainClient['estimateFee']>[0], options: SendOptions): Promise<Amount> {
    const asked = toBigInt((await this.client.estimateFee(doc)).suggestedFee);
    const cap = options.maxFee === undefined ? this.maxFee : toBigInt(options.maxFee);
    if (cap !== undefined && asked > cap) throw new FeeTooHighError(this.client.url, asked, cap);
    return asked;
  }

  /**
   * Sign and submit; resolves to the admitted transaction (hash in `.hash`).
   * Submissions of one wallet go out one after another in nonce order,
   * because a node refuses a nonce beyond the next one it expects
   * (NONCE_TOO_HIGH); many calls may still be in flight at once. A refusal
   * for a stale or early nonce (another client used the account) is retried
   * with a fresh nonce from the node, at most twice.
   */
  async send(body: TxBody, options: SendOptions = {}): Promise<SignedTx> {
    for (let attempt = 0; ; attempt++) {
      const run = this.queue.then(async () => {
        const tx = await this.sign(body, options);
        try {
          await this.client.submit(tx);
        } catch (e) {
          // The nonce was not used (or our count was off): recount from the
          // node, whose nextNonce includes what its mempool holds, before
          // the next queued transaction takes one.
          if (options.nonce === undefined) this.nonces.resync();
          throw e;
        }
        return tx;
      });
      this.queue = run.catch(() => undefined);
      try {
        return await run;
      } catch (e) {
        const retry = options.nonce === undefined && attempt < 2 && e instanceof TxRejectedError && RESYNC_CODES.has(e.code);
        if (!retry) throw e;
      }
    }
  }

  /** Sign, submit and wait until it is in a block with a successful receipt. */
  async sendAndWait(body: TxBody, options: SendOptions & FinalityOptions = {}): Promise<Finalized> {
    const tx = await this.send(body, options);
    return this.client.waitForFinality(tx.hash, options);
  }
}
