#!/usr/bin/env node
// `npm start`: import the bundled sample list into a demo database and open the queue.
// Safe to run again: the import skips leads it already has.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const db = process.env.CALLQ_DB || join(root, 'demo', 'callq.db');
const bin = join(root, 'bin', 'callq.js');
mkdirSync(dirname(db), { recursive: true });

function callq(args, options = {}) {
  const result = spawnSync(process.execPath, [bin, '--db', db, ...args], { stdio: 'inherit', ...options });
  return result.status ?? 1;
}

console.error(`callq demo — database ${db}`);
if (!existsSync(db) || callq(['imports', '--json'], { stdio: 'ignore' }) !== 0 || process.env.CALLQ_DEMO_REIMPORT) {
  const code = callq(['import', join(root, 'data', 'sample-leads.csv'), '--list', 'sample', '--rejects', join(dirname(db), 'rejects.csv')]);
  if (code !== 0 && code !== 3) process.exit(code);
}
callq(['status']);

// Outside calling hours the real queue is (rightly) empty; the demo then acts as if it were
// the next moment the queue opens, and says so.
const probe = spawnSync(process.execPath, [bin, '--db', db, 'queue', '--json', '--limit', '1'], { encoding: 'utf8' });
let nowArgs = [];
if (probe.status === 3) {
  const opens = JSON.parse(probe.stdout || '{}').next_open;
  if (opens) {
    console.error(`\nNo lead is inside calling hours right now; the demo acts as if it were ${opens} (--now).`);
    nowArgs = ['--now', opens];
  }
}
if (process.stdin.isTTY && process.stdout.isTTY) {
  process.exit(callq([...nowArgs, 'work']));
} else {
  console.error('\n(no terminal: showing the queue instead of the interactive session)');
  process.exit(callq([...nowArgs, 'queue', '--limit', '10']));
}
