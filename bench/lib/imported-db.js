// The benchmarks' databases, made by callq's own commands only: what a team's database holds
// after ops imported their lists and reps worked a few days, with nothing tuned by the benchmark
// (no ANALYZE, no PRAGMA optimize, no statistics: only what callq itself runs).
//
//   1. `callq import` of a generated CRM export (bench/gen-leads.js --columns full: time zones
//      for two thirds of the rows, created dates, lead scores, campaigns; no duplicates or bad
//      rows, so N rows are N leads) through the built binary, at IMPORTED_AT. On PostgreSQL the
//      import goes straight into the database (no `db copy`): it runs its own ANALYZE after a
//      large import, and that is all the statistics the database has.
//   2. two afternoons of calls (WORKED_AT): rep processes claim and log through the real store code
//      (bench/lib/sqlite-rep.js, test/pg/rep-process.js; the outcome mix of bench/lib/outcome-mix.js),
//      so leads are left working with retry times, with callbacks, nurture dates, closed,
//      sales-ready or on the do-not-call list, and the calls table holds their history.
//   3. the day's web leads: a second, small `callq import` (new inbound leads of the last hours).
// The generated lists are cached in bench/out/ (keyed on the generator's source and options).
// Fresh copies per phase keep what the import left and nothing more: SQLite's `VACUUM INTO`,
// PostgreSQL's `CREATE DATABASE … TEMPLATE` (bench/lib/pg-cluster.js createDatabase).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'callq.js');
const generator = join(root, 'bench', 'gen-leads.js');

/** When the main list is imported: Friday 08:00 New York, before the week's calls. */
export const IMPORTED_AT = '2026-11-20T13:00:00.000Z';
/**
 * When reps worked it, before the benchmarks' own instant (Tuesday 2026-11-24 18:00 UTC): North
 * American working hours when Europe's have ended and no open zone is past 15:30 (Newfoundland
 * and Halifax included), so the outcome mix's callbacks (90 minutes later) fall inside every
 * claimed lead's calling hours, as `callq log` requires.
 */
export const WORKED_AT = ['2026-11-20T17:30:00.000Z', '2026-11-23T18:30:00.000Z']; // Friday 12:30 and Monday 13:30 New York
/** When the day's web leads are imported (nobody working yet on Tuesday: the import takes the database whole). */
export const WEB_LEADS_AT = '2026-11-24T17:40:00.000Z';

const isUrl = (target) => /^postgres(ql)?:\/\//.test(target);

/** A generated list of `rows` rows (full columns, created dates relative to `at`), cached in bench/out/. */
export function leadCsv(rows, { at = IMPORTED_AT, seed = 'bench' } = {}) {
  const out = join(root, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const args = ['--columns', 'full', '--dupes', '0', '--bad', '0', '--seed', seed, '--now', at];
  const key = createHash('sha256').update(readFileSync(generator)).update(`${rows};${args.join(' ')}`).digest('hex').slice(0, 12);
  const csv = join(out, `leads-${rows}-${key}.csv`);
  if (!existsSync(csv)) {
    const part = `${csv}.${process.pid}.part`; // benchmarks run side by side each write their own, then one rename wins
    const gen = spawnSync(process.execPath, [generator, String(rows), part, ...args, '--quiet'], { stdio: 'inherit' });
    if (gen.status !== 0) throw new Error('gen-leads failed');
    renameSync(part, csv);
  }
  return csv;
}

/** `callq --db TARGET --now AT import CSV --json` through the built binary; the import's report and its wall time. */
export function callqImport(target, csv, at, extra = []) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--db', target, '--now', at, 'import', csv, '--json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`callq import failed (exit ${r.status}): ${r.stderr}`);
  return { seconds, report: JSON.parse(r.stdout) };
}

/**
 * `calls` claim + log cycles by `reps` rep processes at each instant of `days` in turn (the
 * calls split evenly), through the real store code. Returns the cycles done and the wall time.
 */
export async function workDays(target, calls, { days = WORKED_AT, reps = 4 } = {}) {
  const t0 = performance.now();
  const pg = isUrl(target);
  const script = pg ? join(root, 'test', 'pg', 'rep-process.js') : join(root, 'bench', 'lib', 'sqlite-rep.js');
  let done = 0;
  for (const [d, now] of days.entries()) {
    const share = Math.floor(calls / days.length) + (d < calls % days.length ? 1 : 0);
    const results = await Promise.all(
      Array.from({ length: reps }, (_, i) => {
        const limit = Math.floor(share / reps) + (i < share % reps ? 1 : 0);
        if (!limit) return { logged: [], errors: [] };
        const input = { [pg ? 'config' : 'path']: pg ? { connectionString: target } : target, rep: `rep${i + 1}`, now, seconds: 3600, startAt: 0, limit };
        return new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [script, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (c) => (out += c));
          child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`history rep ${i + 1} exited ${code}`))));
        });
      }),
    );
    const errors = results.flatMap((r) => r.errors);
    if (errors.length) throw new Error(`history at ${now}: ${errors[0]}`);
    done += results.reduce((a, r) => a + r.logged.length, 0);
  }
  return { calls: done, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Makes TARGET (a SQLite path, replaced if it exists, or the URL of an existing, empty
 * PostgreSQL database) hold `leads` imported leads, `history` × leads calls over WORKED_AT, and
 * the day's web leads (`webLeads` × leads rows, at least 100; 0 for none). Prints each step
 * and its time through `log`; returns them.
 */
export async function importedDb(target, leads, { history = 0.02, webLeads = 0.001, log = console.log } = {}) {
  if (!isUrl(target)) for (const suffix of ['', '-wal', '-shm']) rmSync(target + suffix, { force: true });
  const store = isUrl(target) ? 'PostgreSQL' : 'SQLite';
  const t0 = performance.now();
  const csv = leadCsv(leads);
  const genS = (performance.now() - t0) / 1000;
  const main = callqImport(target, csv, IMPORTED_AT);
  if (main.report.inserted !== leads) throw new Error(`callq import inserted ${main.report.inserted} leads of ${leads} rows`);
  log(`${store}: callq import of ${leads.toLocaleString()} leads in ${main.seconds.toFixed(1)} s` +
    `${genS >= 0.5 ? ` (list generated in ${genS.toFixed(1)} s)` : ''}`);
  const result = { import_s: round(main.seconds), leads: main.report.inserted };
  const calls = Math.round(leads * history);
  if (calls) {
    const worked = await workDays(target, calls);
    log(`${store}: ${worked.calls.toLocaleString()} calls claimed and logged by 4 rep processes over ${WORKED_AT.length} sessions in ${worked.seconds.toFixed(1)} s`);
    result.history = { calls: worked.calls, seconds: round(worked.seconds) };
  }
  const web = webLeads ? Math.max(100, Math.round(leads * webLeads)) : 0;
  if (web) {
    const morning = callqImport(target, leadCsv(web, { at: WEB_LEADS_AT, seed: 'web' }), WEB_LEADS_AT, ['--inbound', '--source', 'website']);
    log(`${store}: callq import of the day's ${morning.report.inserted.toLocaleString()} web leads in ${morning.seconds.toFixed(1)} s`);
    result.web_leads = morning.report.inserted;
    result.leads += morning.report.inserted;
  }
  if (!isUrl(target)) {
    // Fold the WAL into the file (what closing the last connection does anyway), so the file is the whole database.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(target);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
  return result;
}

/** A fresh copy of a SQLite database: `VACUUM INTO` (the pages, sqlite_stat1 only if the source has it). */
export async function sqliteCopy(source, dest) {
  const { default: Database } = await import('better-sqlite3');
  for (const suffix of ['', '-wal', '-shm']) rmSync(dest + suffix, { force: true });
  const src = new Database(source, { readonly: true });
  try {
    src.prepare('VACUUM INTO ?').run(dest);
  } finally {
    src.close();
  }
  return dest;
}

/** What planner statistics the database holds (SQLite: sqlite_stat1; PostgreSQL: pg_statistic rows of leads and calls), for the benches' output. */
export async function statistics(target) {
  if (isUrl(target)) {
    const { connectPg } = await import('../../dist/db/pg/open.js');
    const c = await connectPg({ connectionString: target });
    try {
      const r = await c.query(
        `SELECT c.relname, count(s.starelid)::int AS n FROM pg_class c LEFT JOIN pg_statistic s ON s.starelid = c.oid
         WHERE c.relname IN ('leads', 'calls') AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname`,
      );
      return 'pg_statistic: ' + r.rows.map((x) => `${x.relname} ${x.n ? `${x.n} columns` : 'none'}`).join(', ');
    } finally {
      await c.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(target, { readonly: true });
  try {
    const has = db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'`).pluck().get();
    return has ? 'sqlite_stat1 present' : 'no sqlite_stat1';
  } finally {
    db.close();
  }
}

/**
 * What autovacuum had done to a PostgreSQL database's leads table when a benchmark copies it: its
 * dead row versions (the index entries outcomes left behind, which claims step over) and when
 * autovacuum last ran on it. Callq sets the table's threshold (migration 11); when the server got
 * to it is the server's own timing, so the benches say what they measured on.
 */
export async function vacuumState(url) {
  const { connectPg } = await import('../../dist/db/pg/open.js');
  const c = await connectPg({ connectionString: url });
  try {
    const { rows } = await c.query(
      `SELECT n_dead_tup::int AS dead, autovacuum_count::int AS runs, to_char(last_autovacuum AT TIME ZONE 'UTC', 'HH24:MI:SS') AS last
       FROM pg_stat_user_tables WHERE relname = 'leads'`,
    );
    const r = rows[0];
    return r ? `${r.dead.toLocaleString()} dead row versions; autovacuum ran ${r.runs} time(s)${r.last ? `, last at ${r.last} UTC` : ''}` : 'no statistics';
  } finally {
    await c.end();
  }
}

function round(x) {
  return Math.round(x * 100) / 100;
}
