// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp folder, a server
// listening on a unix socket in that folder (and on 127.0.0.1 only for a test that asks for
// TCP), stopped and removed afterwards.
// initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user through
// runuser, in a folder that user owns; otherwise they run directly.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  /** Folder holding the data directory, the socket and the server log. */
  dir: string;
  /** Where the server's unix socket is (node-postgres `host`). */
  socketDir: string;
  port: number;
  /** The superuser initdb created. */
  user: string;
  /** Stops the server (immediately) and removes the folder. Safe to call twice. */
  stop(): void;
}

export interface ClusterOptions {
  /** fsync=off for tests (nothing here must survive a power cut); benchmarks keep it on. */
  fsync?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** Also listen on 127.0.0.1 at this port (the socket is named after it too). */
  tcpPort?: number;
  /**
   * Files written into the data directory after initdb, owned by the server's user, mode 0600:
   * `pg_hba.conf`, `server.crt` and `server.key` (what `ssl=on` reads by default).
   */
  dataFiles?: Record<string, string>;
}

const USER = 'callq';
const PORT = 5432; // only names the socket file: the folder is private to this cluster

/** The folder with initdb and pg_ctl, or a sentence saying why there is none. */
export function findPgBin(): { bin: string } | { missing: string } {
  const candidates: string[] = [];
  // An explicit folder is the only one tried (CALLQ_PG_BIN=/nowhere shows the tests skipping).
  if (process.env.CALLQ_PG_BIN) {
    const bin = process.env.CALLQ_PG_BIN;
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return { bin };
    return { missing: `PostgreSQL server binaries (initdb, pg_ctl) were not found in CALLQ_PG_BIN=${bin}` };
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  const fromPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromPath.status === 0) candidates.push(fromPath.stdout.trim());
  for (const bin of candidates) if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return { bin };
  return { missing: 'PostgreSQL server binaries (initdb, pg_ctl) were not found in $CALLQ_PG_BIN, /usr/lib/postgresql/*/bin or pg_config --bindir' };
}

/** How to run a server binary as someone it accepts, or why it cannot be run. */
function runner(): { wrap: (cmd: string, args: string[]) => [string, string[]]; owner?: { uid: number; gid: number } } | { missing: string } {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u'), gid = id('-g');
  if (uid.status !== 0) return { missing: 'running as root and there is no `postgres` user to run initdb and pg_ctl as' };
  if (spawnSync('runuser', ['--help']).error) return { missing: 'running as root and `runuser` is not available to run initdb and pg_ctl as `postgres`' };
  return {
    wrap: (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]],
    owner: { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) },
  };
}

/** Why a cluster cannot be started on this machine, or null when it can. */
export function pgUnavailable(): string | null {
  const bin = findPgBin();
  if ('missing' in bin) return bin.missing;
  const run = runner();
  return 'missing' in run ? run.missing : null;
}

/**
 * Creates and starts a cluster. pg_ctl waits until the server accepts connections (its own
 * timeout is set far beyond any test's, so the caller's timeout is the one that applies) and
 * fails loudly with the server log if it does not start.
 */
export function startCluster(options: ClusterOptions = {}): PgCluster {
  const found = findPgBin();
  if ('missing' in found) throw new Error(found.missing);
  const run = runner();
  if ('missing' in run) throw new Error(run.missing);
  // As root the folder must be reachable by `postgres`: /tmp is, a private $TMPDIR may not be.
  const dir = mkdtempSync(join(run.owner ? '/tmp' : tmpdir(), 'callq-pg-'));
  if (run.owner) chownSync(dir, run.owner.uid, run.owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const exec = (name: string, args: string[]) => {
    const [cmd, argv] = run.wrap(join(found.bin, name), args);
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) {
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${name} failed (exit ${r.status ?? r.signal}): ${r.stderr || r.stdout}${serverLog ? `\nserver log:\n${serverLog}` : ''}`);
    }
  };
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      const [cmd, argv] = run.wrap(join(found.bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      spawnSync(cmd, argv, { stdio: 'ignore', cwd: dir });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // CALLQ_TEST_PG_ICU=en-US gives the databases a collation as hosted servers have (ICU), where the
    // default C sorts by code point: callq's results must not depend on which.
    const icu = process.env.CALLQ_TEST_PG_ICU?.trim();
    exec('initdb', ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', ...(icu ? ['--locale-provider=icu', `--icu-locale=${icu}`] : []),
      '--no-sync', '--no-instructions']);
    for (const [name, text] of Object.entries(options.dataFiles ?? {})) {
      const file = join(data, name);
      writeFileSync(file, text, { mode: 0o600 });
      chmodSync(file, 0o600);
      if (run.owner) chownSync(file, run.owner.uid, run.owner.gid);
    }
    const settings: Record<string, string | number> = {
      listen_addresses: options.tcpPort ? "'127.0.0.1'" : "''",
      unix_socket_directories: `'${dir}'`,
      port: options.tcpPort ?? PORT,
      fsync: options.fsync ? 'on' : 'off',
      ...(options.fsync ? {} : { full_page_writes: 'off', synchronous_commit: 'off' }),
      max_connections: 100,
      ...options.settings,
    };
    const serverOptions = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
    started = true;
    exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '100000', '-o', serverOptions, 'start']);
  } catch (err) {
    stop();
    throw err;
  }
  return { dir, socketDir: dir, port: options.tcpPort ?? PORT, user: USER, stop };
}

/** node-postgres settings for one database of the cluster. */
export function clusterConfig(cluster: Pick<PgCluster, 'socketDir' | 'port' | 'user'>, database: string) {
  return { host: cluster.socketDir, port: cluster.port, user: cluster.user, database };
}

/** A postgres:// URL for one database of the cluster (socket folder in the `host` parameter). */
export function clusterUrl(cluster: Pick<PgCluster, 'socketDir' | 'port' | 'user'>, database: string): string {
  return `postgres://${cluster.user}@localhost:${cluster.port}/${database}?host=${encodeURIComponent(cluster.socketDir)}`;
}

/** Runs psql against the cluster (for checks by hand in a failing test). */
export function psql(cluster: PgCluster, database: string, sql: string): string {
  const found = findPgBin();
  if ('missing' in found) throw new Error(found.missing);
  return execFileSync(join(found.bin, 'psql'), ['-h', cluster.socketDir, '-p', String(cluster.port), '-U', cluster.user, '-d', database, '-Atc', sql], {
    encoding: 'utf8',
  });
}
