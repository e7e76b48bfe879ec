#!/usr/bin/env node
// `callq export cleanup` on 1,000,000 leads against `sqlite3 -csv` selecting the same columns
// with the same query, in the same run (bench/RESULTS.md: within 4×; memory flat).
//
//   node bench/export.js [LEADS=1000000] [--runs 3]
//
// Builds (once; REBUILD=1 to redo) a database created by `callq init` and filled straight with
// SQL: every lead closed (disqualified with varied reasons, do-not-call, exhausted), so the whole
// table is the clean-up list for Marketing — realistic for an old database. Company names with
// commas and quotes, some alternate phones and external ids, so quoting is exercised.
// Each tool runs --runs times, alternating; the ratio uses the medians. Peak RSS comes from
// /usr/bin/time. The same export at LEADS/10 shows whether memory stays flat.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { cleanupSql, CLEANUP_COLUMNS } from '../dist/db/exports.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'callq.js');
const out = join(root, 'bench', 'out');

const leads = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;

if (spawnSync('sqlite3', ['-version']).status !== 0) {
  console.error('sqlite3 is not installed (Debian: apt-get install -y sqlite3); it is the baseline.');
  process.exit(2);
}
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
mkdirSync(out, { recursive: true });

const small = Math.max(1000, Math.round(leads / 10));
const results = [];
for (const n of [small, leads]) results.push(await measure(n));

const [lo, hi] = results;
console.log(`\nmemory: callq peak RSS ${mb(lo.callq.rss)} at ${lo.n.toLocaleString()} leads, ${mb(hi.callq.rss)} at ${hi.n.toLocaleString()} ` +
  `(${(hi.callq.rss / lo.callq.rss).toFixed(2)}× for ${(hi.n / lo.n).toFixed(0)}× the rows: ${hi.callq.rss / lo.callq.rss < 1.5 ? 'flat' : 'NOT flat'})`);
console.log(`speed:  callq ${hi.callq.median.toFixed(2)} s vs sqlite3 -csv ${hi.sqlite.median.toFixed(2)} s on ${hi.n.toLocaleString()} leads: ` +
  `${(hi.callq.median / hi.sqlite.median).toFixed(2)}× (target ≤ 4×: ${hi.callq.median / hi.sqlite.median <= 4 ? 'met' : 'MISSED'})`);

async function measure(n) {
  const db = join(out, `export-${n}.db`);
  if (!existsSync(db) || process.env.REBUILD) {
    const t0 = performance.now();
    build(db, n);
    console.log(`built ${n.toLocaleString()} leads in ${((performance.now() - t0) / 1000).toFixed(1)} s (${mb(statSync(db).size / 1024)})`);
  }
  const ours = join(out, `export-${n}.callq.csv`);
  const theirs = join(out, `export-${n}.sqlite3.csv`);
  const sql = cleanupSql(false);
  const callq = [];
  const sqlite = [];
  for (let i = 0; i < runs; i++) {
    rmSync(ours, { force: true });
    callq.push(await timed(process.execPath, [bin, '--db', db, 'export', 'cleanup', '--out', ours], null));
    sqlite.push(await timed('sqlite3', ['-csv', '-header', db, sql], theirs));
  }
  check(ours, theirs, n);
  const summary = (xs) => ({ median: median(xs.map((x) => x.seconds)), min: Math.min(...xs.map((x) => x.seconds)), rss: Math.max(...xs.map((x) => x.rss)) });
  const r = { n, callq: summary(callq), sqlite: summary(sqlite) };
  console.log(`\n${n.toLocaleString()} leads → ${mb(statSync(ours).size / 1024)} of CSV, ${runs} runs each (wall seconds: median, best):`);
  console.log(`  callq export cleanup --out   ${r.callq.median.toFixed(2)} s  (best ${r.callq.min.toFixed(2)})  peak RSS ${mb(r.callq.rss)}`);
  console.log(`  sqlite3 -csv (same SELECT)   ${r.sqlite.median.toFixed(2)} s  (best ${r.sqlite.min.toFixed(2)})  peak RSS ${mb(r.sqlite.rss)}`);
  console.log(`  ratio ${(r.callq.median / r.sqlite.median).toFixed(2)}× (best-to-best ${(r.callq.min / r.sqlite.min).toFixed(2)}×)`);
  return r;
}

/** Runs a command (stdout to `file` when given) under /usr/bin/time; wall seconds and peak RSS in kB. */
function timed(command, args, file) {
  return new Promise((done, fail) => {
    const fd = file ? openSync(file, 'w') : 'ignore';
    const argv = timeBin ? ['-f', 'maxrss=%M', command, ...args] : args;
    const t0 = performance.now();
    const child = spawn(timeBin ?? command, argv, { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (typeof fd === 'number') closeSync(fd);
      if (code !== 0) return fail(new Error(`${command} exited ${code}: ${stderr}`));
      const rss = Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? NaN);
      done({ seconds, rss });
    });
  });
}

/** Same header, same number of lines, same values in the first and the last thousand records. */
function check(ours, theirs, n) {
  const a = readFileSync(ours, 'utf8');
  const b = readFileSync(theirs, 'utf8');
  const head = (text) => parse(text.slice(0, 400_000), { to: 1000 });
  // The generated data has no line breaks inside cells, so any line start is a record start.
  const tail = (text) => parse(text.slice(text.indexOf('\n', Math.max(0, text.length - 400_000)) + 1)).slice(-1000);
  const same = JSON.stringify(head(a)) === JSON.stringify(head(b)) && JSON.stringify(tail(a)) === JSON.stringify(tail(b));
  const lines = (text) => text.split('\n').length - 2;
  if (!same || lines(a) !== n || lines(b) !== n || head(a)[0].join(',') !== CLEANUP_COLUMNS.join(',')) {
    throw new Error(`the two exports differ (callq ${lines(a)} rows, sqlite3 ${lines(b)} rows): compare ${ours} and ${theirs}`);
  }
}

/** A database made by `callq init`, filled by one INSERT … SELECT over a recursive sequence. */
function build(path, n) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const init = spawnSync(process.execPath, [bin, '--db', path, 'init'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`callq init failed: ${init.stderr}`);
  const db = new Database(path);
  db.pragma('cache_size = -200000');
  const pick = (list, expr) => `json_extract('${JSON.stringify(list).replaceAll("'", "''")}', '$[' || ((${expr}) % ${list.length}) || ']')`;
  const first = ['Ana', 'Bruno', 'Chloé', 'Dmitri', 'Emeka', 'Fatima', 'Grace', 'Hiro', 'Inés', 'Jamal', 'Kirsten', 'Liam', 'Mei', 'Noor', 'Olu', 'Priya'];
  const last = ['Silva', "O'Neil", 'Müller', 'Nakamura', 'Okafor', 'Haddad', 'Smith', 'García', 'Kowalski', 'Nguyen', 'Johansson', 'Patel'];
  const company = ['Acme, Inc.', 'Globex', 'Initech LLC', '"Best" Widgets', 'Umbrella Corp', 'Stark Industries', 'Wayne Enterprises, Ltd', 'Hooli', 'Vandelay Industries', 'Soylent'];
  const title = ['VP Sales', 'Head of Operations', 'CTO', 'Office Manager', 'Director, Marketing', 'Owner', 'Procurement Lead'];
  const reasons = ['not-interested', 'no-budget', 'no-authority', 'no-need', 'bad-timing', 'not-a-fit', 'competitor', 'existing-customer', 'left-company', 'duplicate', 'bad-data'];
  const sources = ['webinar', 'trade-show', 'purchased-list', 'website', 'referral', 'content-download', 'linkedin'];
  const countries = [['US', '+1212'], ['US', '+1415'], ['US', '+1312'], ['CA', '+1416'], ['GB', '+4420'], ['DE', '+4930'], ['FR', '+331'], ['AU', '+612']];
  db.exec(`
    WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n}),
    l AS (SELECT i, (i * 2654435761) % 4294967296 AS h, CASE WHEN i % 10 < 5 THEN 'disqualified' WHEN i % 10 = 5 THEN 'do-not-call' ELSE 'exhausted' END AS status FROM seq)
    INSERT INTO leads(external_id, first_name, last_name, company, title, email, phone, phone_raw, alt_phones, country, region, postal_code,
      timezone, timezone_source, source, campaign, list, score, status, attempts, contacts, first_call_at, last_call_at, last_disposition,
      disqualify_reason, closed_at, created_at, updated_at)
    SELECT
      CASE WHEN i % 3 = 0 THEN 'CRM-' || i END,
      ${pick(first, 'h')}, ${pick(last, 'h / 7')}, ${pick(company, 'h / 11')} || ' ' || (i % 9973), ${pick(title, 'h / 13')},
      'lead' || i || '@example' || (i % 5000) || '.com',
      ${pick(countries.map((c) => c[1]), 'i')} || substr('0000000' || ((h % 8999999) + 1000000), -7), NULL,
      CASE WHEN i % 10 = 3 THEN '["' || ${pick(countries.map((c) => c[1]), 'i')} || substr('000000' || ((h / 3) % 9999999), -7) || '"]' END,
      ${pick(countries.map((c) => c[0]), 'i')}, CASE WHEN i % 8 < 3 THEN ${pick(['NY', 'CA', 'IL'], 'i % 8')} END,
      substr('0000' || (h % 99999), -5), 'America/New_York', 'phone',
      ${pick(sources, 'h / 17')}, 'q' || (1 + i % 4) || '-2026', 'list-' || (i % 40), h % 101, status,
      CASE status WHEN 'exhausted' THEN 8 ELSE 1 + h % 6 END, CASE status WHEN 'exhausted' THEN 0 ELSE 1 END,
      '2025-01-01T09:00:00.000Z', strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || (h % 600) || ' days'),
      CASE status WHEN 'exhausted' THEN 'no-answer' WHEN 'do-not-call' THEN 'do-not-call' ELSE 'not-interested' END,
      CASE status WHEN 'disqualified' THEN ${pick(reasons, 'h / 19')} END,
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || (h % 600) || ' days'), '2024-12-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'
    FROM l`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function mb(kb) {
  return `${(kb / 1024).toFixed(1)} MB`;
}
