#!/usr/bin/env node
// Runs every test file under test/ (or the files/folders given as arguments) with node's test runner,
// TEST_CONCURRENCY files at a time (default 2). Node 20's --test takes no globs, so the files are
// collected here; each runs in its own process, on a worker whose index is its loopback slot
// (KUBESIM_LOOPBACK_SLOT, src/api/core/podnetwork.ts), so the pods of two clusters started by files
// running side by side never listen on the same address. A file's output is printed when it ends;
// the totals and every failing test are printed at the end.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawn } from 'node:child_process';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (/\.test\.ts$/.test(path)) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = roots.flatMap((r) => collect(resolve(r), []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(' '));
  process.exit(1);
}
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? '2') || 1);
// Tests log warnings and errors only, unless KUBESIM_LOG_LEVEL asks for more (src/log keeps one default, info).
const baseEnv = { ...process.env, KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL || 'warn' };

// The first worker's slot (KUBESIM_LOOPBACK_SLOT when set: the next worker takes the other one).
const firstSlot = Number(process.env.KUBESIM_LOOPBACK_SLOT ?? 0) === 1 ? 1 : 0;

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const totals = Object.fromEntries(COUNTS.map((k) => [k, 0]));
const failures = [];
const failedFiles = [];
const started = Date.now();

/** Runs one file; resolves with its exit code once its output is printed and counted. */
function runFile(file, slot) {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=spec', file], {
      env: { ...baseEnv, KUBESIM_LOOPBACK_SLOT: String((firstSlot + slot) % 2) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(chunks).toString();
      const name = relative(process.cwd(), file);
      process.stdout.write(`\n▶ ${name}\n${text}`);
      const seen = {};
      for (const k of COUNTS) {
        const m = new RegExp(`^ℹ ${k} (\\d+)$`, 'm').exec(text);
        if (m) seen[k] = Number(m[1]);
        totals[k] += seen[k] ?? 0;
      }
      const at = text.indexOf('✖ failing tests:');
      if (at >= 0) failures.push(`${name}\n${text.slice(at + '✖ failing tests:'.length).trim()}`);
      if (code !== 0 || seen.tests === undefined) {
        failedFiles.push(`${name} (exit ${code ?? signal})`);
        if (at < 0) failures.push(`${name}: the file failed outside its tests (exit ${code ?? signal})`);
      }
      done(code ?? 1);
    });
  });
}

let next = 0;
async function worker(slot) {
  while (next < files.length) await runFile(files[next++], slot);
}
await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, (_, i) => worker(i)));

console.log('');
for (const k of COUNTS) console.log(`ℹ ${k} ${totals[k]}`);
console.log(`ℹ files ${files.length}`);
console.log(`ℹ duration_ms ${Date.now() - started}`);
if (failures.length) {
  console.log('\n✖ failing tests:\n');
  for (const f of failures) console.log(`${f}\n`);
  console.log(`✖ ${failedFiles.length} file(s) failed: ${failedFiles.join(', ')}`);
}
process.exit(failedFiles.length ? 1 : 0);
