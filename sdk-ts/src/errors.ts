/**
 * Typed errors. Every error the SDK throws is a {@link TributaryError} with a
 * stable `code`, so callers can branch on the kind of failure without parsing
 * messages.
 */

/** Base class of every SDK error; `code` is stable and machine-readable. */
export class TributaryError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bytes or values that cannot be encoded or decoded (bad length, out of range, malformed). */
export class EncodingError extends TributaryError {
  constructor(message: string) {
    super('ENCODING', message);
  }
}

/** A key, key file or address that is malformed, or a wrong passphrase. */
export class KeyError extends TributaryError {
  constructor(code: 'BAD_KEY' | 'BAD_KEY_FILE' | 'PASSPHRASE_NEEDED' | 'WRONG_PASSPHRASE' | 'BAD_ADDRESS', message: string) {
    super(code, message);
  }
}

/** The node could not be reached (connection refused, reset, DNS, HTTP timeout). */
export class UnreachableError extends TributaryError {
  readonly url: string;
  constructor(url: string, reason: string, cause?: unknown) {
    super('UNREACHABLE', `cannot reach the node at ${url}: ${reason}`, { cause });
    this.url = url;
  }
}

/**
 * The node (or gateway) answered with a GraphQL error; `code` is its
 * `extensions.code`. Through the gateway, a chain's refusal keeps the chain's
 * code, and `chain` names the chain (`extensions.chain`).
 */
export class ApiError extends TributaryError {
  readonly chain: string | undefined;
  constructor(code: string, message: string, chain?: string) {
    super(code, message);
    this.chain = chain;
  }
}

/**
 * The chain refused a transaction: the mempool did not admit it (`code` is the
 * node's code, e.g. NONCE_TOO_LOW, FEE_TOO_LOW), or it was included and its
 * body failed (`code` = `TX_FAILED`, `reason` the receipt's error; the fee and
 * nonce were still taken).
 */
export class TxRejectedError extends TributaryError {
  readonly reason: string;
  readonly hash: string | undefined;
  readonly height: number | undefined;
  /** Through the gateway: the chain that refused it. */
  readonly chain: string | undefined;
  constructor(code: string, reason: string, hash?: string, height?: number, chain?: string) {
    super(code, hash ? `transaction ${hash} was rejected: ${reason} [${code}]` : `transaction rejected: ${reason} [${code}]`);
    this.reason = reason;
    this.hash = hash;
    this.height = height;
    this.chain = chain;
  }
}

/** A bounded wait ran out before the awaited thing happened. */
export class TimeoutError extends TributaryError {
  constructor(what: string, timeoutMs: number) {
    super('TIMEOUT', `${what} did not happen within ${timeoutMs} ms`);
  }
}

/** An ICS23 proof, a header certificate or a state answer that does not verify. */
export class VerificationError extends TributaryError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** A data feeder's source or value problem (not JSON, missing value, out of bounds, ...). */
export class FeedError extends TributaryError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/**
 * The node estimated a fee over the most the wallet pays (`maxFee`): nothing
 * was signed. A node the caller does not run could ask any fee, and the
 * whole fee signed is charged.
 */
export class FeeTooHighError extends TributaryError {
  readonly url: string;
  readonly asked: bigint;
  readonly max: bigint;
  constructor(url: string, asked: bigint, max: bigint) {
    super(
      'FEE_OVER_MAX',
      `the node at ${url} asks a fee of ${asked}, over the most this wallet pays (${max}): nothing was signed; if the chain's prices are really that high, raise maxFee`,
    );
    this.url = url;
    this.asked = asked;
    this.max = max;
  }
}
