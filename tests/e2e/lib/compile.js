// Compiles tests/e2e/contracts/*.sol with the solc-js from npm (no network) and caches the result
// under tests/e2e/artifacts/, keyed by a hash of sources + compiler version + settings.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = resolve(here, '..');
const CONTRACTS_DIR = join(E2E_DIR, 'contracts');
const ARTIFACTS_DIR = join(E2E_DIR, 'artifacts');

export const SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function readSources() {
  const sources = {};
  for (const f of readdirSync(CONTRACTS_DIR).filter((n) => n.endsWith('.sol')).sort()) {
    sources[f] = { content: readFileSync(join(CONTRACTS_DIR, f), 'utf8') };
  }
  return sources;
}

// Resolves `import "@openzeppelin/..."` (and any other npm package path) from node_modules.
function findImport(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    const local = join(CONTRACTS_DIR, path);
    if (existsSync(local)) return { contents: readFileSync(local, 'utf8') };
    return { error: `import not found: ${path}` };
  }
}

function solcVersion() {
  return require('solc/package.json').version;
}

let memo = null;

/// Returns { ContractName: { abi, bytecode: '0x…', deployedBytecode: '0x…' } } for every contract in contracts/.
export function compileAll() {
  if (memo) return memo;
  const sources = readSources();
  const key = createHash('sha256')
    .update(JSON.stringify({ v: solcVersion(), SETTINGS, sources, oz: require('@openzeppelin/contracts/package.json').version }))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = join(ARTIFACTS_DIR, `contracts-${key}.json`);
  if (existsSync(cacheFile)) {
    memo = JSON.parse(readFileSync(cacheFile, 'utf8'));
    return memo;
  }
  const solc = require('solc');
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const out = {};
  for (const file of Object.keys(sources)) {
    for (const [name, c] of Object.entries(output.contracts[file] ?? {})) {
      out[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  // Write-then-rename: test files run in parallel processes and may compile at the same time.
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(out));
  renameSync(tmp, cacheFile);
  memo = out;
  return out;
}

export function artifact(name) {
  const a = compileAll()[name];
  if (!a) throw new Error(`no compiled contract named ${name}`);
  return a;
}

// `node lib/compile.js` compiles eagerly (used by run-e2e.sh to warm the cache once).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const all = compileAll();
  console.log(`compiled ${Object.keys(all).length} contracts (${Object.keys(all).join(', ')}) in ${Date.now() - t0} ms`);
}
