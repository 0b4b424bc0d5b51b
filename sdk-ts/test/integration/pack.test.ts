/**
 * The package as a user gets it: `npm pack`, installed into an empty
 * folder, and the README's quick start (its "Keys" and "Transfer" blocks,
 * taken from the README itself, importing `@tributary/sdk/node` as the
 * README says an installed package does) run there against a devnet; the
 * browser entries resolve by their package names too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDevnet } from '../support/devnet.js';

const run = promisify(execFile);
const sdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The ```js block under `### {title}` in the README. */
function readmeBlock(readme: string, title: string): string {
  const start = readme.indexOf(`### ${title}\n`);
  assert.ok(start >= 0, `the README has a "${title}" section`);
  const open = readme.indexOf('```js\n', start);
  const close = readme.indexOf('```', open + 6);
  return readme.slice(open + 6, close);
}

test('npm pack, installed into an empty folder, runs the README quick start', { timeout: 300_000 }, async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'sdk-pack-'));
  const devnet = await startDevnet();
  try {
    const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: sdkDir, timeout: 120_000 });
    const tarball = path.join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
    const app = path.join(work, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, timeout: 180_000 });

    const readme = await readFile(path.join(sdkDir, 'README.md'), 'utf8');
    const quickstart = (readmeBlock(readme, 'Keys') + readmeBlock(readme, 'Transfer'))
      .replace("'./dist/src/node.js'", "'@tributary/sdk/node'")
      .replace("'../devnet/devnet.json'", JSON.stringify(path.join(devnet.home, 'devnet.json')));
    assert.ok(quickstart.includes("from '@tributary/sdk/node'"), 'the README imports the Node entry');
    const entries = ['@tributary/sdk', '@tributary/sdk/keys', '@tributary/sdk/tx', '@tributary/sdk/client', '@tributary/sdk/verify']
      .map((name, i) => `import * as e${i} from '${name}';`)
      .join('\n');
    const check = `${entries}\nconsole.log('entries', [e0, e1, e2, e3, e4].every((e) => Object.keys(e).length > 5));\n`;
    await writeFile(path.join(app, 'quickstart.mjs'), check + quickstart);
    const { stdout } = await run('node', ['quickstart.mjs'], { cwd: app, timeout: 120_000 });
    assert.match(stdout, /entries true/);
    assert.match(stdout, /final at height \d+ balance 1000000/, stdout);
  } finally {
    await devnet.stop();
    await rm(work, { recursive: true, force: true });
  }
});
