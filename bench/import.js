#!/usr/bin/env node
// `callq import` of a generated lead list against `sqlite3 .import` of the same file into a bare
// table, in the same run (bench/RESULTS.md: within 3×; memory flat in file size).
//
//   node bench/import.js [ROWS=1000000] [--runs 1]
//
// Generates ROWS leads (9 columns, 1% duplicates, 0.5% bad rows) with bench/gen-leads.js, and
// ROWS/10 to show that memory stays flat. Each run imports into a fresh database created by
// `callq init`; sqlite3 imports into a fresh file with one bare 9-column table. Wall time and
// peak RSS come from /usr/bin/time. The importer's counts are checked against what the
// generator says an importer should report.
//
// A third figure shows what the leads schema itself costs: sqlite3 copying the rows sqlite3
// imported into a fresh callq database (INSERT … SELECT into `leads` with all its indexes, phones
// in random order as real ones are; no parsing, no normalisation, no dedupe). A fourth does the
// same the way callq does it when the file is at least as large as the table: the phone, e-mail
// and queue indexes dropped first and built again (by sorting) before the commit. That is what
// SQLite alone needs to store these rows in callq's schema; nothing written in JavaScript can
// store them faster.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { leadList } from './lib/lead-list.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const out = join(root, 'bench', 'out');

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 1;
const rows = Number(process.argv.slice(2).find((a, i) => /^\d+$/.test(a) && i + 2 !== runsAt + 1) ?? 1_000_000);

const haveSqlite = spawnSync('sqlite3', ['-version']).status === 0;
if (!haveSqlite) console.error('sqlite3 is not installed (Debian: apt-get install -y sqlite3): the baseline is skipped, only our figures are shown.');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
if (!timeBin) console.error('/usr/bin/time is missing (Debian: apt-get install -y time): peak memory is not measured.');
mkdirSync(out, { recursive: true });

// Same settings as the importer (page cache, insert triggers suspended and restored), same columns.
const FLOOR_SQL = `PRAGMA cache_size = -16384;
ATTACH 'BARE' AS bare;
BEGIN IMMEDIATE;
DROP TRIGGER leads_zone_insert;
DROP TRIGGER leads_alt_phones_insert;
INSERT INTO leads(first_name, last_name, company, title, email, phone, phone_raw, region, country, source, timezone,
  timezone_source, score, queue_rank, status, import_id, created_at, updated_at)
SELECT c1, c2, c3, c4, nullif(lower(trim(c5)), ''), '+1' || (2000000000 + abs(random()) % 8000000000), c6, c7, c8, c9,
  CASE rowid % 5 WHEN 0 THEN 'America/New_York' WHEN 1 THEN 'America/Chicago' WHEN 2 THEN 'America/Denver'
    WHEN 3 THEN 'America/Los_Angeles' ELSE 'Europe/London' END,
  'phone', 0, (abs(random()) % 100000) / 10.0, 'new', NULL, '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z'
FROM bare.leads;
INSERT OR IGNORE INTO lead_zones(timezone) SELECT DISTINCT timezone FROM leads;
CREATE TRIGGER leads_zone_insert AFTER INSERT ON leads WHEN NEW.timezone IS NOT NULL
  BEGIN INSERT OR IGNORE INTO lead_zones(timezone) VALUES (NEW.timezone); END;
CREATE TRIGGER leads_alt_phones_insert AFTER INSERT ON leads WHEN NEW.alt_phones IS NOT NULL AND json_valid(NEW.alt_phones)
  BEGIN INSERT INTO lead_alt_phones(phone, lead_id) SELECT value, NEW.id FROM json_each(NEW.alt_phones) WHERE type = 'text'; END;
COMMIT;`;

// The indexes callq sets aside for this file (their keys arrive in random order); it keeps the
// others up to date row by row (src/db/imports.ts, KEPT_INDEXES).
const SET_ASIDE = ['leads_phone', 'leads_email', 'leads_queue'];

/**
 * FLOOR_SQL done the way callq imports: the indexes it sets aside dropped before the insert and
 * created again after it, sorting in 2 MB runs on helper threads, without foreign-key checks
 * (sqlite3's default).
 */
function sortedFloorSql(db) {
  const sql = spawnSync('sqlite3', [db, "SELECT name || char(9) || sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'leads' AND sql IS NOT NULL"], { encoding: 'utf8' });
  const indexes = sql.stdout.trim().split('\n').map((line) => line.split('\t')).filter(([name]) => SET_ASIDE.includes(name));
  if (indexes.length !== SET_ASIDE.length) throw new Error(`expected indexes ${SET_ASIDE.join(', ')} on leads`);
  return FLOOR_SQL.replace('DROP TRIGGER leads_zone_insert;', `${indexes.map(([name]) => `DROP INDEX ${name};`).join('\n')}\nDROP TRIGGER leads_zone_insert;`).replace(
    'COMMIT;',
    `PRAGMA threads = ${Math.min(4, availableParallelism())};\nPRAGMA cache_size = -2048;\n${indexes.map(([, create]) => `${create};`).join('\n')}\nCOMMIT;`,
  );
}

const results = [];
for (const n of [Math.max(1000, Math.round(rows / 10)), rows]) results.push(await measure(n));

const [lo, hi] = results;
if (timeBin) {
  const growth = hi.callq.rss / lo.callq.rss;
  console.log(
    `\nmemory: callq peak RSS ${mb(lo.callq.rss)} at ${lo.n.toLocaleString()} rows, ${mb(hi.callq.rss)} at ${hi.n.toLocaleString()} ` +
      `(${growth.toFixed(2)}× for ${(hi.n / lo.n).toFixed(0)}× the rows: ${growth < 1.5 ? 'flat' : 'NOT flat'}; target < 300 MB: ${hi.callq.rss < 300 * 1024 ? 'met' : 'MISSED'})`,
  );
}
if (haveSqlite) {
  const ratio = hi.callq.median / hi.sqlite.median;
  console.log(
    `speed:  callq import ${hi.callq.median.toFixed(2)} s vs sqlite3 .import ${hi.sqlite.median.toFixed(2)} s on ${hi.n.toLocaleString()} rows: ` +
      `${ratio.toFixed(2)}× (target ≤ 3×: ${ratio <= 3 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `floor:  sqlite3 itself needs ${(hi.floor.median / hi.sqlite.median).toFixed(2)}× .import just to insert those rows into callq's leads table ` +
      `(INSERT … SELECT, no parsing); callq import is ${(hi.callq.median / hi.floor.median).toFixed(2)}× that; ` +
      `${(hi.sorted.median / hi.sqlite.median).toFixed(2)}× with the lookup and queue indexes built after as callq does, callq ${(hi.callq.median / hi.sorted.median).toFixed(2)}× that`,
  );
}

async function measure(n) {
  const { csv, expected } = leadList(n, out);
  const db = join(out, `import-${n}.db`);
  const bare = join(out, `import-${n}.sqlite3.db`);
  const floorDb = join(out, `import-${n}.floor.db`);
  const sortedDb = join(out, `import-${n}.floor-sorted.db`);
  const callq = [];
  const sqlite = [];
  const floor = [];
  const sorted = [];
  let summary;
  for (let i = 0; i < runs; i++) {
    for (const f of [db, `${db}-wal`, `${db}-shm`, bare]) rmSync(f, { force: true });
    if (haveSqlite) sqlite.push(await timed('sqlite3', [bare, '-cmd', 'CREATE TABLE leads(c1,c2,c3,c4,c5,c6,c7,c8,c9)', '-cmd', '.mode csv', `.import --skip 1 ${csv} leads`]));
    for (const target of haveSqlite ? [db, floorDb, sortedDb] : [db]) {
      for (const f of [target, `${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
      const init = spawnSync(process.execPath, [bin, '--db', target, 'init'], { encoding: 'utf8' });
      if (init.status !== 0) throw new Error(`callq init failed: ${init.stderr}`);
    }
    if (haveSqlite) floor.push(await timed('sqlite3', [floorDb, FLOOR_SQL.replace('BARE', bare)]));
    if (haveSqlite) sorted.push(await timed('sqlite3', [sortedDb, sortedFloorSql(sortedDb).replace('BARE', bare)]));
    const run = await timed(process.execPath, [bin, '--db', db, 'import', csv, '--json']);
    callq.push(run);
    summary = JSON.parse(run.stdout);
  }
  if (summary.inserted !== expected.valid || summary.duplicates !== expected.duplicates || summary.rejected !== expected.rejected) {
    throw new Error(`counts differ from the generator's: ${JSON.stringify({ summary, expected })}`);
  }
  const stats = (xs) => ({ median: median(xs.map((x) => x.seconds)), min: Math.min(...xs.map((x) => x.seconds)), rss: Math.max(...xs.map((x) => x.rss)) });
  const r = { n, callq: stats(callq), sqlite: haveSqlite ? stats(sqlite) : null, floor: haveSqlite ? stats(floor) : null, sorted: haveSqlite ? stats(sorted) : null };
  console.log(`\n${n.toLocaleString()} rows (${mb(statSync(csv).size / 1024)} of CSV), ${runs} run(s) each, wall seconds:`);
  console.log(
    `  callq import     ${r.callq.median.toFixed(2)} s  peak RSS ${mb(r.callq.rss)}  ` +
      `(inserted ${summary.inserted}, duplicates ${summary.duplicates}, rejected ${summary.rejected}; as the generator predicts)`,
  );
  if (r.sqlite) {
    console.log(`  sqlite3 .import  ${r.sqlite.median.toFixed(2)} s  peak RSS ${mb(r.sqlite.rss)}  (bare 9-column table)`);
    console.log(`  ratio ${(r.callq.median / r.sqlite.median).toFixed(2)}×`);
    console.log(
      `  schema floor     ${r.floor.median.toFixed(2)} s  (sqlite3 INSERT … SELECT of those rows into callq's leads table: ` +
        `${(r.floor.median / r.sqlite.median).toFixed(2)}× .import; callq is ${(r.callq.median / r.floor.median).toFixed(2)}× the floor)`,
    );
    console.log(
      `  sorted floor     ${r.sorted.median.toFixed(2)} s  (the same as callq does it, phone, e-mail and queue indexes built after: ` +
        `${(r.sorted.median / r.sqlite.median).toFixed(2)}× .import; callq is ${(r.callq.median / r.sorted.median).toFixed(2)}× that)`,
    );
  }
  return r;
}

/** Runs a command under /usr/bin/time: wall seconds, peak RSS in kB, stdout. */
function timed(command, args) {
  return new Promise((done, fail) => {
    const argv = timeBin ? ['-f', 'maxrss=%M', command, ...args] : args;
    const t0 = performance.now();
    const child = spawn(timeBin ?? command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return fail(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      const rss = Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0);
      done({ seconds, rss, stdout });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function mb(kb) {
  return `${(kb / 1024).toFixed(0)} MB`;
}
