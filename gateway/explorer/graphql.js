// The gateway's GraphQL, at this origin: queries over POST /graphql, and
// subscriptions over /graphql/ws with the graphql-transport-ws protocol
// (connection_init → connection_ack, subscribe → next … complete). The
// protocol is a handful of messages; a library would be the only asset
// the page did not get from the gateway.

/** How long a query may take before the page says the gateway did not answer. */
export const QUERY_TIMEOUT_MS = 15_000;

function errorText(e) {
  let text = e && e.message ? e.message : String(e);
  if (e && e.path) text += ' (at ' + e.path.join('.') + ')';
  return text;
}

/**
 * POST /graphql at this origin. Resolves to {data, errors}; `errors` is a list
 * of messages (GraphQL errors, HTTP failures, unreadable answers): it never throws.
 */
export async function gql(query, variables) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), QUERY_TIMEOUT_MS);
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables: variables || {} }),
      signal: controller.signal,
    });
    const body = await response.text();
    let parsed = null;
    try { parsed = JSON.parse(body); } catch (_) { /* not JSON */ }
    if (!parsed || typeof parsed !== 'object') {
      return { data: null, errors: ['The gateway answered HTTP ' + response.status + ' without a GraphQL result: ' + body.slice(0, 300)] };
    }
    const errors = (parsed.errors || []).map((e) => 'GraphQL error: ' + errorText(e));
    if (!response.ok && !errors.length) errors.push('The gateway answered HTTP ' + response.status);
    return { data: parsed.data || null, errors };
  } catch (err) {
    const why = err && err.name === 'AbortError' ? 'no answer within ' + QUERY_TIMEOUT_MS / 1000 + ' s' : errorText(err);
    return { data: null, errors: ['Cannot reach the gateway: ' + why] };
  } finally {
    clearTimeout(timer);
  }
}

/** One chain's node-schema selection through the gateway's chain(id:). */
export function chainQuery(varDefs, selection) {
  return 'query($id: String!' + varDefs + ') { chain(id: $id) { id kind template status { status height error } ' + selection + ' } }';
}

/** Longest wait between reconnection attempts. */
const RETRY_MAX_MS = 30_000;
/** How long the server has to acknowledge connection_init. */
const ACK_TIMEOUT_MS = 10_000;

/**
 * Run one subscription over graphql-transport-ws, reconnecting (with a
 * growing delay) whenever the socket closes or the gateway ends the
 * stream, e.g. a chain's node restarted or this page fell too far behind.
 * Items are handed to `onNext` one at a time and never queued here, so
 * the caller decides what it keeps. `onStatus` hears 'connecting',
 * 'open', 'retrying' and why. Returns a function that stops it for good.
 */
export function subscribe(query, variables, { onNext, onError, onStatus } = {}) {
  let socket = null;
  let stopped = false;
  let retryTimer = null;
  let ackTimer = null;
  let attempt = 0;
  const status = (s, detail) => { if (onStatus) onStatus(s, detail); };
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql/ws';

  function retry(reason) {
    if (stopped) return;
    clearTimeout(ackTimer);
    const delay = Math.min(RETRY_MAX_MS, 500 * 2 ** Math.min(attempt, 6));
    attempt += 1;
    status('retrying', reason + '; again in ' + Math.round(delay / 1000) + ' s');
    retryTimer = setTimeout(connect, delay);
  }

  function connect() {
    if (stopped) return;
    status('connecting');
    let ended = false;
    const end = (reason) => {
      if (ended) return;
      ended = true;
      try { socket.close(); } catch (_) { /* already closed */ }
      retry(reason);
    };
    try {
      socket = new WebSocket(url, 'graphql-transport-ws');
    } catch (e) {
      retry('cannot open ' + url + ': ' + errorText(e));
      return;
    }
    const send = (message) => socket.send(JSON.stringify(message));
    socket.onopen = () => {
      send({ type: 'connection_init', payload: {} });
      ackTimer = setTimeout(() => end('no connection_ack within ' + ACK_TIMEOUT_MS / 1000 + ' s'), ACK_TIMEOUT_MS);
    };
    socket.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (_) { end('an unreadable message'); return; }
      switch (message.type) {
        case 'connection_ack':
          clearTimeout(ackTimer);
          send({ id: '1', type: 'subscribe', payload: { query, variables: variables || {} } });
          status('open');
          break;
        case 'ping':
          send({ type: 'pong' });
          break;
        case 'next': {
          attempt = 0;
          const payload = message.payload || {};
          if (payload.errors && payload.errors.length) {
            if (onError) onError(payload.errors.map(errorText));
          }
          if (payload.data && onNext) onNext(payload.data);
          break;
        }
        case 'error':
          if (onError) onError((message.payload || []).map(errorText));
          end('the gateway refused the subscription');
          break;
        case 'complete':
          end('the gateway ended the stream');
          break;
        default:
          break;
      }
    };
    socket.onerror = () => end('the connection failed');
    socket.onclose = (event) => end('the connection closed' + (event.reason ? ': ' + event.reason : ''));
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(ackTimer);
    if (socket) {
      try {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: '1', type: 'complete' }));
        socket.close();
      } catch (_) { /* already closed */ }
    }
  };
}
