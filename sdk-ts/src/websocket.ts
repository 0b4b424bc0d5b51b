/**
 * Which WebSocket live subscriptions open. Browsers (and Node 22+) have
 * one built in; on Node 20, `@tributary/sdk/node` registers the \`ws\`
 * package's at import. Kept apart so the main entry imports no Node module
 * and a web app can bundle it.
 */
import { TributaryError } from './errors.js';

type WebSocketConstructor = unknown;

let registered: WebSocketConstructor | undefined;

/** Use `impl` (a WebSocket constructor, e.g. the `ws` package's) for subscriptions. */
export function setWebSocketImpl(impl: WebSocketConstructor): void {
  registered = impl;
}

/** The registered WebSocket, else the platform's. */
export function webSocketImpl(): WebSocketConstructor {
  const impl = registered ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (impl === undefined) {
    throw new TributaryError(
      'NO_WEBSOCKET',
      "this platform has no WebSocket: on Node before 22, import '@tributary/sdk/node' (it registers the ws package)",
    );
  }
  return impl;
}
