#!/usr/bin/env node
// Generate sdk-ts's GraphQL result types from the schemas the node and the
// gateway serve, as `interop-spec/schema/` exports them (the Rust test
// `exported_schemas` keeps those files equal to what the code serves).
//
//   npm run gen:types          write src/generated/{node,gateway}.ts
//   npm run gen:types -- --check
//                              exit 1, naming the file, when a written file
//                              differs from what the schema gives now
//
// GraphQL Code Generator's own `typescript` plugin does the work (the same
// tool a user would point at our endpoints), called through its core API
// so no config file is needed. The output is committed: the SDK builds
// without this step, and the check (also a unit test) fails on drift.
import { codegen } from '@graphql-codegen/core';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import { buildSchema, parse, printSchema } from 'graphql';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdk = path.resolve(here, '..');
// TRIBUTARY_SCHEMA_DIR: another schema folder (the drift test's edited copy).
const schemas = process.env.TRIBUTARY_SCHEMA_DIR || path.resolve(sdk, '..', 'interop-spec', 'schema');
export const NAMES = ['node', 'gateway'];

const HEADER = (name) => `// Generated from interop-spec/schema/${name}.graphql by scripts/generate-types.mjs
// (GraphQL Code Generator, typescript plugin). Do not edit: run \`npm run gen:types\`.
/* eslint-disable */
`;

/** The TypeScript text for schema `name`. */
export async function generate(name) {
  const sdl = fs.readFileSync(path.join(schemas, `${name}.graphql`), 'utf8');
  const schema = buildSchema(sdl);
  const text = await codegen({
    filename: `${name}.ts`,
    schema: parse(printSchema(schema)),
    documents: [],
    config: {
      // Every integer the APIs serve fits a JS number (heights, counts,
      // milliseconds); amounts are strings in the schema already.
      scalars: { JSON: 'unknown' },
      enumsAsTypes: true,
      // A nullable field is still present in every answer (as null).
      avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      skipTypename: true,
      useTypeImports: true,
    },
    plugins: [{ typescript: {} }],
    pluginMap: { typescript: typescriptPlugin },
  });
  return HEADER(name) + text.trimEnd() + '\n';
}

export function target(name) {
  return path.join(sdk, 'src', 'generated', `${name}.ts`);
}

async function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const name of NAMES) {
    const text = await generate(name);
    const file = target(name);
    const now = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (check) {
      if (now !== text) {
        console.error(`${path.relative(sdk, file)} differs from interop-spec/schema/${name}.graphql: run npm run gen:types`);
        stale = 1;
      }
    } else if (now !== text) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      console.error(`wrote ${path.relative(sdk, file)}`);
    }
  }
  process.exit(stale);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
