// The standard introspection query of graphql-js (what GraphiQL's docs,
// codegen tools and IDE plugins send), run against a GraphQL endpoint, and
// the answer built into a client schema with graphql-js's own
// buildClientSchema: proof that standard tools work against our endpoints.
// Usage: node introspect.mjs URL   → prints { "types": N, "queryFields": [...] }
import { buildClientSchema, getIntrospectionQuery } from 'graphql';

const url = process.argv[2];
if (!url) {
  console.error('usage: node introspect.mjs GRAPHQL_URL');
  process.exit(2);
}
const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: getIntrospectionQuery() }),
  signal: AbortSignal.timeout(30_000),
});
const body = await response.json();
if (body.errors) {
  console.error(JSON.stringify(body.errors));
  process.exit(1);
}
const schema = buildClientSchema(body.data);
const queryFields = Object.keys(schema.getQueryType().getFields()).sort();
console.log(JSON.stringify({ types: Object.keys(schema.getTypeMap()).length, queryFields }));
