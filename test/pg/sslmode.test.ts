// sslmode as libpq reads it (docs/setup.md, "Connection settings"): the connection string callq
// hands node-postgres, parsed by node-postgres's own parser, asks for what psql would do.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { withLibpqSslmode } from '../../src/db/pg/session.js';

/** The TLS settings node-postgres takes from a connection string (nothing connects). */
const tls = (connectionString: string) => (new pg.Client({ connectionString }) as unknown as { ssl: unknown }).ssl;
const ssl = (url: string, env: NodeJS.ProcessEnv = {}) => tls(withLibpqSslmode(url, env));

describe('sslmode', () => {
  it('require encrypts without checking the certificate, as in psql (node-postgres alone would check it)', () => {
    expect(tls('postgres://ana@db.example.com/sales?sslmode=verify-full')).toEqual({});
    expect(ssl('postgres://ana@db.example.com/sales?sslmode=require')).toEqual({ rejectUnauthorized: false });
    expect(ssl('postgres://ana@db.example.com/sales', { PGSSLMODE: 'require' })).toEqual({ rejectUnauthorized: false });
  });

  it('verify-full checks certificate and host; disable stays plain; no sslmode at all is libpq\'s prefer (test/pg/tls.test.ts connects)', () => {
    expect(ssl('postgres://ana@db.example.com/sales?sslmode=verify-full')).toEqual({});
    expect(ssl('postgres://ana@db.example.com/sales?sslmode=disable')).toBe(false);
    expect(tls('postgres://ana@db.example.com/sales')).toBe(false);
    expect(ssl('postgres://ana@db.example.com/sales')).toEqual({ rejectUnauthorized: false });
    expect(withLibpqSslmode('postgres://ana@db.example.com/sales', {})).toContain('sslmode=prefer');
  });

  it('the URL wins over PGSSLMODE, and a URL that chose uselibpqcompat itself is left alone', () => {
    expect(ssl('postgres://ana@db.example.com/sales?sslmode=verify-full', { PGSSLMODE: 'require' })).toEqual({});
    const own = 'postgres://ana@db.example.com/sales?sslmode=require&uselibpqcompat=false';
    expect(withLibpqSslmode(own, {})).toBe(own);
  });

  it('refuses what psql refuses, and allow, naming where the value came from', () => {
    expect(() => withLibpqSslmode('postgres://ana@db.example.com/sales?sslmode=bogus', {})).toThrow(
      /^sslmode in the URL is "bogus", which is not an sslmode: use disable, prefer, require, verify-ca or verify-full/,
    );
    expect(() => withLibpqSslmode('postgres://ana@db.example.com/sales', { PGSSLMODE: 'verify_full' })).toThrow(/^PGSSLMODE is "verify_full"/);
    expect(() => withLibpqSslmode('postgres://ana@db.example.com/sales?sslmode=allow', {})).toThrow(/^sslmode in the URL is allow, which callq does not offer/);
    // node-postgres's own no-verify would silently become verify-full with libpq's meanings.
    expect(() => withLibpqSslmode('postgres://ana@db.example.com/sales?sslmode=no-verify', {})).toThrow(/not an sslmode/);
    // The URL's valid value wins over a bad PGSSLMODE, as in psql.
    expect(ssl('postgres://ana@db.example.com/sales?sslmode=disable', { PGSSLMODE: 'bogus' })).toBe(false);
  });
});
