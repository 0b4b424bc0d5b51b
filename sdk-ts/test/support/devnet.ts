/**
 * A real devnet for the integration tests: `hub devnet --base-port 0
 * --children token --json` in a temporary home, waited for (bounded) until
 * it writes devnet.json, and stopped with SIGTERM (its own children go with
 * it). The binaries come from TRIBUTARY_BIN_DIR, else
 * ${CARGO_TARGET_DIR:-$HOME/.cache/tributary-target}/debug.
 *
 * For iterating on one test: TRIBUTARY_DEVNET_HOME=<home of a running
 * `hub devnet`> attaches to that devnet instead (and leaves it running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export function binDir(): string {
  if (process.env.TRIBUTARY_BIN_DIR) return process.env.TRIBUTARY_BIN_DIR;
  const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache', 'tributary-target');
  return join(target, 'debug');
}

export interface DevnetAccount {
  name: string;
  address: string;
  key_file: string;
}

export interface DevnetJson {
  hub: { chain_id: string; nodes: { graphql: string; p2p: string; home: string }[] };
  children: { chain_id: string; template: string; nodes: { graphql: string; validator: string }[] }[];
  relayer: { home: string; paths: { a: string; b: string; a_channel: string; b_channel: string }[] } | null;
  gateway: { graphql: string };
  accounts: DevnetAccount[];
}

export interface Devnet {
  home: string;
  json: DevnetJson;
  account(name: string): DevnetAccount;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Start a devnet and wait (at most `timeoutMs`) for its devnet.json. */
export async function startDevnet(timeoutMs = 150_000): Promise<Devnet> {
  const attach = process.env.TRIBUTARY_DEVNET_HOME;
  if (attach) {
    const json = JSON.parse(await readFile(join(attach, 'devnet.json'), 'utf8')) as DevnetJson;
    return {
      home: attach,
      json,
      account(name: string) {
        const a = json.accounts.find((x) => x.name === name);
        if (!a) throw new Error(`no devnet account ${name}`);
        return a;
      },
      stop: async () => {},
    };
  }
  const hub = join(binDir(), 'hub');
  if (!existsSync(hub)) throw new Error(`no hub binary at ${hub}: build it (cargo build --workspace --bins) or set TRIBUTARY_BIN_DIR`);
  const home = await mkdtemp(join(tmpdir(), 'sdk-devnet-'));
  const log = openSync(join(home, 'devnet-stdout.log'), 'a');
  const child = spawn(hub, ['devnet', '--home', home, '--base-port', '0', '--children', 'token', '--json'], {
    stdio: ['ignore', log, log],
    // Its own process group, so a last-resort kill reaches what it started.
    detached: true,
    env: { ...process.env, TRIBUTARY_LOG: process.env.TRIBUTARY_LOG ?? 'warn' },
  });
  closeSync(log);
  // If this test process ends abruptly, still ask the devnet to stop (it is
  // in its own process group, so no terminal signal reaches it).
  const alive = () => child.exitCode === null && child.signalCode === null;
  const onExit = () => {
    if (alive()) child.kill('SIGTERM');
  };
  const onSignal = () => {
    onExit();
    process.exit(130);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (alive()) {
      child.kill('SIGTERM');
      const done = await Promise.race([exited(child).then(() => true), sleep(40_000).then(() => false)]);
      if (!done && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await exited(child);
      }
    }
    await rm(home, { recursive: true, force: true });
  };
  const path = join(home, 'devnet.json');
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const out = await readFile(join(home, 'devnet-stdout.log'), 'utf8').catch(() => '');
        throw new Error(`hub devnet exited (${child.exitCode ?? child.signalCode}) before writing devnet.json:\n${out.slice(-2000)}`);
      }
      if (existsSync(path)) {
        try {
          const json = JSON.parse(await readFile(path, 'utf8')) as DevnetJson;
          return {
            home,
            json,
            account(name: string) {
              const a = json.accounts.find((x) => x.name === name);
              if (!a) throw new Error(`no devnet account ${name}`);
              return a;
            },
            stop,
          };
        } catch {
          // Still being written.
        }
      }
      if (Date.now() > deadline) throw new Error(`devnet.json did not appear within ${timeoutMs} ms`);
      await sleep(250);
    }
  } catch (e) {
    await stop();
    throw e;
  }
}
