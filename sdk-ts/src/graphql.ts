/**
 * GraphQL over HTTP with bounded time and typed errors: a connection problem
 * is an {@link UnreachableError}, a GraphQL error an {@link ApiError} carrying
 * the node's `extensions.code`.
 */
import { ApiError, UnreachableError } from './errors.js';

export interface GraphqlOptions {
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** Extra HTTP headers. */
  headers?: Record<string, string>;
}

/** Answers larger than this are refused (a node never sends that much for one query). */
export const ANSWER_BYTES_MAX = 16 * 1024 * 1024;

export class GraphqlHttp {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(url: string, options: GraphqlOptions = {}) {
    if (!/^https?:\/\//.test(url)) throw new UnreachableError(url, 'the URL must start with http:// or https://');
    this.url = url;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.headers = options.headers ?? {};
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const reason = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : cause?.code ?? cause?.message ?? (e as Error).message;
      throw new UnreachableError(this.url, reason, e);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      throw new UnreachableError(this.url, `connection dropped while reading the answer: ${(e as Error).message}`, e);
    }
    if (text.length > ANSWER_BYTES_MAX) throw new ApiError('ANSWER_TOO_LARGE', `the answer is over ${ANSWER_BYTES_MAX} bytes`);
    let body: { data?: T; errors?: Array<{ message?: string; extensions?: { code?: string; chain?: string } }> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ApiError('HTTP', `the node answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    }
    const error = body.errors?.[0];
    if (error) throw new ApiError(error.extensions?.code ?? 'GRAPHQL', error.message ?? 'unknown error', error.extensions?.chain);
    if (body.data === undefined || body.data === null) throw new ApiError('HTTP', `no data in the answer (HTTP ${response.status})`);
    return body.data;
  }
}
