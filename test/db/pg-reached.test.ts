// The lookups that find the leads a do-not-call reaches on PostgreSQL (src/db/pg/suppressions.ts,
// leadsReachedSql): one index lookup per kind of way the person can be reached, and none for a
// kind with no value. Given `phone = ANY('{}')`, the planner read every closed lead through
// leads_status for a do-not-call on a number with an extension.
import { describe, expect, it } from 'vitest';
import { leadsReachedSql } from '../../src/db/pg/suppressions.js';
import { statementParams } from '../../src/db/pg/statement-names.js';

describe('leadsReachedSql', () => {
  it('sends no lookup for a kind of way that has no value', () => {
    const { values, v } = statementParams();
    const sql = leadsReachedSql(v, { bare: [], withExt: [{ phone: '+12025550143', ext: '12' }], emails: [] })!;
    expect(sql).not.toMatch(/phone = ANY/);
    expect(sql).not.toMatch(/lead_alt_phones/);
    expect(sql).not.toMatch(/email/);
    expect(sql).toMatch(/x\.phone = e\.phone AND x\.phone_ext = e\.ext/);
    expect(values).toEqual([['+12025550143'], ['12']]);
  });

  it('looks each kind up once, by its own index, and joins them with UNION', () => {
    const { values, v } = statementParams();
    const sql = leadsReachedSql(v, { bare: ['+442079460000'], withExt: [], emails: ['ana@example.com'], domainPatterns: ['%@example.org'] })!;
    expect(sql.split('UNION')).toHaveLength(4);
    expect(sql).toMatch(/FROM leads WHERE phone = ANY\(\$1::text\[\]\)/);
    expect(sql).toMatch(/FROM lead_alt_phones WHERE phone = ANY\(\$1::text\[\]\)/);
    expect(sql).toMatch(/email = ANY\(\$2::text\[\]\)/);
    expect(sql).toMatch(/email ILIKE ANY\(\$3::text\[\]\)/);
    expect(values).toEqual([['+442079460000'], ['ana@example.com'], ['%@example.org']]);
  });

  it('is null when nothing reaches anyone, so the caller sends no statement', () => {
    const { values, v } = statementParams();
    expect(leadsReachedSql(v, { bare: [], withExt: [], emails: [], domainPatterns: [] })).toBeNull();
    expect(values).toEqual([]);
  });
});
