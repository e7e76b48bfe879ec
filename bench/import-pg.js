#!/usr/bin/env node
// `callq import` into PostgreSQL against `psql \copy` of the same file into a plain table, in the
// same run on the same server (target: within 2.5×).
//
//   node bench/import-pg.js [ROWS=1000000] [--runs 1] [--pg postgres://…] [--fsync on|off]
//
// The file is the one bench/import.js imports (bench/gen-leads.js: 9 columns, 1% duplicates,
// 0.5% bad rows; made once in bench/out/). Without --pg a throwaway cluster is started
// (test/pg/cluster.ts: unix socket only, run as `postgres` when run as root, removed at the end),
// with fsync on unless --fsync off. Each run: psql \copy into a fresh database's bare 9-column
// table, then `callq import` into a fresh database that holds callq's schema and no lead. The
// importer's counts are checked against what the generator says an importer should report.
// Then `callq import` of the same file again into that database: every row must be a duplicate
// (a weekly re-export), timed too, since only then does each row meet a stored lead.
//
// A third figure shows what the leads schema itself costs on PostgreSQL: one INSERT … SELECT of
// the rows psql copied into callq's `leads` table (its indexes and triggers, phones in random
// order as real ones are; no parsing, no normalisation, no dedupe), in one transaction as callq's
// merge is. Nothing written in JavaScript can store the rows faster than that.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { leadList } from './lib/lead-list.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const out = join(root, 'bench', 'out');
const TARGET = 2.5;

const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const optionValues = new Set(['--runs', '--pg', '--fsync'].map((o) => process.argv[process.argv.indexOf(o) + 1]));
const rows = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a) && !optionValues.has(a)) ?? 1_000_000);
const runs = Number(opt('runs', 1));

/** The rows psql copied, stored in callq's leads table by PostgreSQL alone (see the head of the file). */
const FLOOR_SQL = `INSERT INTO leads(first_name, last_name, company, title, email, phone, phone_raw, region, country, source, timezone,
  timezone_source, score, queue_rank, status, created_at, updated_at)
SELECT c1, c2, c3, c4, nullif(lower(trim(c5)), ''), '+1' || (2000000000 + (random() * 7999999999)::int8), c6, c7, c8, c9,
  (ARRAY['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London'])[1 + (random() * 4)::int],
  'phone', 0, round((random() * 10000)::numeric) / 10, 'new', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z'
FROM bare`;

const { connectPg } = await import('../dist/db/pg/open.js');
const { migratePg } = await import('../dist/db/pg/migrations.js');

const work = join(tmpdir(), `callq-bench-import-pg-${process.pid}`);
mkdirSync(work, { recursive: true });
mkdirSync(out, { recursive: true });
let cluster = null;
try {
  const harness = await loadClusterHarness();
  let admin;
  let urlOf;
  let psqlArgs;
  const given = opt('pg', undefined);
  if (given) {
    admin = await connectPg(given);
    urlOf = (db) => {
      const u = new URL(given);
      u.pathname = `/${db}`;
      return u.toString();
    };
    psqlArgs = (db) => [urlOf(db)];
  } else {
    const missing = harness.pgUnavailable();
    if (missing) {
      console.log(`skipped: ${missing}; give a server with --pg postgres://…`);
      process.exit(0);
    }
    const fsync = opt('fsync', 'on') !== 'off';
    cluster = harness.startCluster({ fsync, settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
    console.log(`throwaway PostgreSQL cluster in ${cluster.dir} (fsync ${fsync ? 'on' : 'off'})`);
    admin = await connectPg(harness.clusterConfig(cluster, 'postgres'));
    urlOf = (db) => harness.clusterUrl(cluster, db);
    psqlArgs = (db) => ['-h', cluster.socketDir, '-p', String(cluster.port), '-U', cluster.user, '-d', db];
  }
  const found = harness.findPgBin();
  const psql = 'bin' in found && existsSync(join(found.bin, 'psql')) ? join(found.bin, 'psql') : 'psql';

  const { csv, expected } = leadList(rows, out);

  const fresh = async (name) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  };
  const copies = [];
  const floors = [];
  const imports = [];
  const reimports = [];
  let summary;
  for (let i = 0; i < runs; i++) {
    await fresh('bench_copy');
    const schema = await connectPg(urlOf('bench_copy'));
    await migratePg(schema);
    await schema.query('CREATE TABLE bare (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text)');
    await schema.end();
    copies.push((await timed(psql, [...psqlArgs('bench_copy'), '-Atc', `\\copy bare FROM '${csv}' WITH (FORMAT csv, HEADER true)`])).seconds);
    floors.push((await timed(psql, [...psqlArgs('bench_copy'), '-Atc', FLOOR_SQL])).seconds);

    await fresh('bench_import');
    const client = await connectPg(urlOf('bench_import'));
    await migratePg(client);
    await client.end();
    const run = await timed(process.execPath, [bin, '--db', urlOf('bench_import'), 'import', csv, '--json']);
    imports.push(run.seconds);
    summary = JSON.parse(run.stdout);
    // The same file again: every row matches a stored lead (what a weekly re-export gives).
    const again = await timed(process.execPath, [bin, '--db', urlOf('bench_import'), 'import', csv, '--json']);
    reimports.push(again.seconds);
    const second = JSON.parse(again.stdout);
    if (second.inserted !== 0 || second.duplicates !== expected.valid + expected.duplicates) {
      throw new Error(`the second import of the same file should find every row a duplicate: ${JSON.stringify(second)}`);
    }
  }
  if (summary.inserted !== expected.valid || summary.duplicates !== expected.duplicates || summary.rejected !== expected.rejected) {
    throw new Error(`counts differ from the generator's: ${JSON.stringify({ summary, expected })}`);
  }
  for (const name of ['bench_copy', 'bench_import']) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();

  const [c, m] = [median(imports), median(copies)];
  console.log(`\n${rows.toLocaleString()} rows, ${runs} run(s) each, wall seconds:`);
  console.log(`  callq import     ${c.toFixed(2)} s  (inserted ${summary.inserted}, duplicates ${summary.duplicates}, rejected ${summary.rejected}; as the generator predicts)`);
  console.log(`  psql \\copy       ${m.toFixed(2)} s  (bare 9-column table)`);
  console.log(`  callq re-import  ${median(reimports).toFixed(2)} s  (the same file into the database it made: every row a duplicate)`);
  const f = median(floors);
  console.log(`  schema floor     ${f.toFixed(2)} s  (INSERT … SELECT of those rows into callq's leads table: ${(f / m).toFixed(2)}× \\copy; callq is ${(c / f).toFixed(2)}× the floor)`);
  console.log(`speed:  callq import into PostgreSQL ${(c / m).toFixed(2)}× psql \\copy (target ≤ ${TARGET}×: ${c / m <= TARGET ? 'met' : 'MISSED'})`);
} finally {
  cluster?.stop();
  rmSync(work, { recursive: true, force: true });
}

/** test/pg/cluster.ts, compiled on the fly with esbuild (a dev dependency), as bench/pg-claims.js does. */
async function loadClusterHarness() {
  const { build } = await import('esbuild');
  const file = join(work, 'cluster.mjs');
  await build({ entryPoints: [join(root, 'test', 'pg', 'cluster.ts')], outfile: file, format: 'esm', platform: 'node', bundle: true, logLevel: 'warning' });
  return import(pathToFileURL(file).href);
}

/** Runs a command: wall seconds and stdout. */
function timed(command, args) {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      done({ seconds: (performance.now() - t0) / 1000, stdout });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
