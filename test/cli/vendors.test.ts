// What the importer prints of real exports (test/fixtures/vendors, written by
// make-vendor-fixtures.js): the column mapping, warnings naming lines, the encoding it read.
// Single store: nothing here depends on the store (dry runs, or the human summary of an import
// whose counts and leads test/both/vendors.test.ts checks on both stores).
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, FIXTURES, json, useTempDb } from '../helpers.js';

let dir: string;
let db: string;
useTempDb('team.db', (d, path) => ((dir = d), (db = path)));

const NOW = '2026-11-23T15:00:00Z';
const vendor = (name: string) => join(FIXTURES, 'vendors', name);
const run = (file: string, ...args: string[]) => callq(['--db', db, '--now', NOW, 'import', file, '--country', 'US', ...args]);
function importJson(file: string, ...args: string[]) {
  const r = run(file, '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return json(r);
}

describe('callq import: what it prints of vendor exports', () => {
  it('Apollo: the mapping names the primary phone and its alternates', () => {
    const r = run(vendor('apollo.csv'), '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\s+First Phone\s+→ phone \(primary; the other phone columns are alternates\)$/m);
    expect(r.stderr).toMatch(/^\s+Corporate Phone\s+→ alternate phone$/m);
  });

  it("Zoho: an unknown country is named in a warning", () => {
    const r = run(vendor('zoho.csv'), '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/line 7: country 'Atlantis' not recognised; used the default US/);
  });
});

describe('callq import: encodings', () => {
  it('a UTF-8 file with one stray Windows-1252 byte: the line is named, with --encoding as the way out', () => {
    const r = run(vendor('utf8-stray-byte.csv'), '--dry-run');
    expect(r.stderr).toMatch(/line 5: bytes that are not valid UTF-8/);
    expect(r.stderr).toMatch(/not valid UTF-8 \(line 5\).*--encoding/s);
  });

  it('accepts any encoding label TextDecoder knows, and refuses others naming examples', () => {
    expect(importJson(vendor('iso-8859-2-polish.csv'), '--encoding', 'ISO-8859-2', '--dry-run').encoding).toBe('iso-8859-2');
    expect(importJson(vendor('shift-jis.csv'), '--encoding', 'sjis', '--dry-run').encoding).toBe('shift_jis');
    const bad = run(vendor('shift-jis.csv'), '--encoding', 'klingon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown --encoding 'klingon'.*iso-8859-2/);
  });

  it('says so when the encoding is a guess between code pages that read the bytes differently', () => {
    // 'è' (0xE8) is a letter in Windows-1252 and, as 'č', in ISO-8859-2.
    const path = join(dir, 'french.csv');
    writeFileSync(path, Buffer.concat([Buffer.from('First Name,Last Name,Phone\r\nRen'), Buffer.from([0xe9]), Buffer.from(',Lef'), Buffer.from([0xe8]), Buffer.from('vre,(212) 734-5521\r\n')]));
    const r = run(path, '--json', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ encoding: 'windows-1252', encoding_candidates: expect.arrayContaining(['iso-8859-2']) });
    expect(r.stderr).toMatch(/encoding is not certain; read as windows-1252, but it could also be .*iso-8859-2.*--encoding/);
  });
});
