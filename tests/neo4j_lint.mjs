// Lint every cypher/ statement meant for Neo4j with Neo4j's own Cypher language service.
// Usage: node tests/neo4j_lint.mjs <cypher-folder>   (prints JSON, exit 1 on any error)
import { lintCypherQuery } from '@neo4j-cypher/language-support';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The package ships Neo4j 5's function and procedure registry (with GDS and APOC) as its test
// schema: with it, unknown functions and procedures (FalkorDB's algo.*) are errors.
const main = fileURLToPath(import.meta.resolve('@neo4j-cypher/language-support'));
const pkg = main.slice(0, main.indexOf('/dist/'));
const { testData } = await import(
  pathToFileURL(join(pkg, 'dist/esm/project/language-support/src/tests/testData.js')).href);
const registry = { functions: testData.mockSchema.functions, procedures: testData.mockSchema.procedures };

const folder = process.argv[2] || 'cypher';
const files = readdirSync(folder).filter((f) => f.endsWith('.cypher')).sort();
const neo4jFiles = files.filter((f) => {
  const parts = f.slice(0, -'.cypher'.length).split('.');
  if (parts.length === 1) return !files.includes(`${parts[0]}.neo4j.cypher`);
  return parts[1] === 'neo4j';
});

function declaredParams(text) {
  const m = text.match(/^\s*\/\/\s*params:(.*)$/m);
  const names = m ? m[1].split(',').map((s) => s.trim()).filter(Boolean) : [];
  return Object.fromEntries(names.map((n) => [n, null]));
}

const report = [];
let errors = 0;
for (const f of neo4jFiles) {
  const text = readFileSync(join(folder, f), 'utf8');
  const result = lintCypherQuery(text, { ...registry, parameters: declaredParams(text) });
  const diagnostics = (result.diagnostics || result).filter((d) => d.severity === 1);
  errors += diagnostics.length;
  report.push({ file: f, errors: diagnostics.map((d) => ({ line: d.range.start.line + 1, message: d.message })) });
}
if (process.argv.includes('--summary')) {
  const bad = report.filter((r) => r.errors.length);
  process.stdout.write(`Neo4j linter: ${report.length} files, ${errors} errors\n`);
  for (const r of bad) for (const e of r.errors) process.stdout.write(`  ${r.file}:${e.line}: ${e.message}\n`);
} else {
  process.stdout.write(JSON.stringify({ files: report.length, errors, report }, null, 1) + '\n');
}
process.exit(errors ? 1 : 0);
