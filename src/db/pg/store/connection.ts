// One connection to the team's PostgreSQL database, shared by the store's operation groups.
import { dropConnection, NoAnswer, type PgClient } from '../open.js';
import { settlesWithin } from '../../../io/settles-within.js';

export interface PgConnection {
  /** The connection now (another one after `live` replaced a lost one). */
  readonly client: PgClient;
  /** The URL as given (with any password); messages use Store.name instead. */
  readonly url: string;
  /**
   * The connection, opened afresh first when the server ended the last one while nothing was
   * running on it (a restart, a failover, an administrator, `idle_session_timeout`, a proxy's
   * idle limit). Nothing had been sent on the lost one, so going on with a new one is safe. A
   * rep's operations ask for it: `callq work` keeps one connection for hours, and one lost
   * between two calls would otherwise end the rep's session at the next key. A connection lost
   * during an operation still fails that operation (src/db/pg/errors.ts: "lost … try again").
   */
  live(): Promise<PgClient>;
  /**
   * `work` on `client`, bounded: when the server has not answered within the answer wait
   * (session.ts answerWaitMs), the connection is dropped and a NoAnswer thrown, so a rep's
   * command ends with exit 75 rather than waiting for TCP to give up. For a rep's operations,
   * each a few short statements; an import's or maintenance's may rightly run for minutes.
   */
  answered<T>(client: PgClient, work: Promise<T>): Promise<T>;
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on any error). */
  transaction<T>(work: (client: PgClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * `reopen` opens a connection configured as the first (session settings, busy timeout);
 * `answerWaitMs` bounds `answered` (0: no bound).
 */
export function pgConnection(first: PgClient, url: string, reopen: () => Promise<PgClient>, answerWaitMs = 0): PgConnection {
  let client = first;
  let lost = false;
  let closed = false;
  const watch = (c: PgClient) => {
    // A connection lost between two statements is reported by the next one; unheard, it would end the process.
    const gone = () => {
      if (c === client) lost = true;
    };
    c.on('error', gone);
    c.on('end', gone);
  };
  watch(first);
  return {
    get client() {
      return client;
    },
    url,
    async live() {
      // The server's goodbye may be waiting beside the keypress that led here: take it in first.
      await new Promise((resolve) => setImmediate(resolve));
      // A step still queued when the command closed the store (a session ending) is not run on a new connection.
      if (closed) throw new Error('Connection terminated: the store was closed');
      if (lost) {
        const next = await reopen();
        watch(next);
        client = next;
        lost = false;
      }
      return client;
    },
    async answered<T>(c: PgClient, work: Promise<T>): Promise<T> {
      if (answerWaitMs <= 0) return work;
      let timer: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // The statement under way then fails too ("connection terminated"), unheard: this is the answer.
          dropConnection(c);
          reject(new NoAnswer(answerWaitMs));
        }, answerWaitMs);
      });
      try {
        return await Promise.race([work, silence]);
      } finally {
        clearTimeout(timer);
      }
    },
    async transaction<T>(work: (c: PgClient) => Promise<T>): Promise<T> {
      const c = client;
      await c.query('BEGIN');
      try {
        const result = await work(c);
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    },
    async close() {
      // A server that no longer answers would keep the process alive until TCP gives up.
      closed = true;
      const c = client;
      if (!(await settlesWithin(c.end(), CLOSE_WAIT_MS))) dropConnection(c);
    },
  };
}

/** How long closing waits for the server's goodbye before dropping the connection. */
const CLOSE_WAIT_MS = 5_000;
