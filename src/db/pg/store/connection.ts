// One connection to the team's PostgreSQL database, shared by the store's operation groups.
import type { PgClient } from '../open.js';

export interface PgConnection {
  readonly client: PgClient;
  /** The URL as given (with any password); messages use Store.name instead. */
  readonly url: string;
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on any error). */
  transaction<T>(work: (client: PgClient) => Promise<T>): Promise<T>;
}

export function pgConnection(client: PgClient, url: string): PgConnection {
  return {
    client,
    url,
    async transaction<T>(work: (c: PgClient) => Promise<T>): Promise<T> {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    },
  };
}
