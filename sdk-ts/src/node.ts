/**
 * `@tributary/sdk/node`: everything the main entry has, plus what needs
 * Node: key files on disk (the CLI's format), and the \`ws\` package as the
 * WebSocket for live subscriptions (Node 20 has none built in). Browsers
 * import the main entry, which touches no Node module.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { KEY_FILE_BYTES_MAX, bad, keypairFromKeyFile, parseKeyFile, toKeyFile } from './keyfile.js';
import type { Keypair } from './keys.js';
import { setWebSocketImpl } from './websocket.js';

export * from './index.js';

setWebSocketImpl(WebSocket);

/** Read and open a key file from disk (passphrase only for encrypted ones). */
export async function loadKeyFile(path: string, passphrase?: string | Uint8Array): Promise<Keypair> {
  const info = await stat(path);
  if (info.size > KEY_FILE_BYTES_MAX) throw bad('larger than 64 KiB');
  return keypairFromKeyFile(parseKeyFile(await readFile(path, 'utf8')), passphrase);
}

/** Write `key` as an unencrypted key file with mode 0600; refuses to overwrite. */
export async function saveKeyFile(path: string, key: Keypair): Promise<void> {
  await writeFile(path, JSON.stringify(toKeyFile(key), null, 2), { mode: 0o600, flag: 'wx' });
}
