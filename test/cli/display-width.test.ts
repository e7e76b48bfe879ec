// Names in any script line up in tables and fit on the card: measured in terminal columns.
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { callq, initDb, useTempDb } from '../helpers.js';
import { seedLeads } from '../seed.js';
import { displayWidth } from '../../src/ui/width.js';

let db: string;
useTempDb('w.db', (_d, path) => (db = path));
beforeEach(() => initDb(db));

const TUE_11_NY = '2026-11-24T16:00:00Z';
const q = (args: string[]) => callq(['--db', db, '--rep', 'ana', '--now', TUE_11_NY, ...args]);

/** The display column where `word` starts on `line`. */
const columnOf = (line: string, word: string) => displayWidth(line.slice(0, line.indexOf(word)));

describe('wide and combining characters', () => {
  it('callq queue lines columns up with CJK, accented and emoji names', () => {
    seedLeads(db, [
      { score: 90, first_name: 'Ana', last_name: 'Smith', company: 'Acme' },
      { score: 80, first_name: '山田', last_name: '太郎', company: 'ヤマダ商事' },
      { score: 70, first_name: 'Jose\u0301', last_name: 'Garci\u0301a', company: 'Café 🇫🇷' },
      { score: 60, first_name: 'Dev', last_name: '👩‍💻', company: '😀 Smiles' },
    ]);
    const r = q(['queue']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    const [header, , ...rows] = lines;
    const statusAt = columnOf(header, 'status');
    const leadTimeAt = columnOf(header, 'lead time');
    expect(statusAt).toBeGreaterThan(0);
    for (const row of rows) {
      expect(columnOf(row, ' new ') + 1, row).toBe(statusAt);
      expect(columnOf(row, 'Tue 11:00'), row).toBe(leadTimeAt);
    }
    expect(r.stdout).toContain('山田 太郎');
    expect(r.stdout).toContain('👩‍💻');
  });

  it("the card keeps a CJK name and a long note within its width, without splitting characters", () => {
    const [id] = seedLeads(db, [{ score: 90, first_name: '山田', last_name: '太郎', company: '株式会社ヤマダ商事' }]);
    const note = '折り返し電話の依頼がありました。来週の火曜日にもう一度電話してください。担当者は不在でした。'.repeat(2);
    expect(q(['log', String(id), 'busy', '--force', '--note', '👩‍💻🇯🇵'.repeat(40)]).code).toBe(0);
    expect(callq(['--db', db, '--rep', 'ana', '--now', '2026-11-24T16:01:00Z', 'log', String(id), 'no-answer', '--force', '--note', note]).code).toBe(0);
    // The next Monday, once the retry delays have passed: the card shows the last calls and their notes.
    const r = callq(['--db', db, '--rep', 'ana', '--now', '2026-11-30T16:00:00Z', 'next']);
    expect(r.code, r.stderr).toBe(0);
    const card = r.stdout.trimEnd().split('\n');
    expect(r.stdout).toContain('山田 太郎');
    expect(r.stdout).toContain('last calls');
    // The latest note, with no space to wrap at, is read in full over several lines; the older one gets the rest of its line.
    const at = card.findIndex((l) => l.includes('no-answer by ana'));
    const wrapped = card.slice(at + 1, at + 4).filter((l) => l.startsWith('      ')).map((l) => l.trim());
    expect(wrapped.length).toBeGreaterThan(1);
    expect(wrapped.join('')).toBe(note);
    expect(r.stdout).toMatch(/busy by ana — (👩‍💻|🇯🇵)+…/u);
    for (const line of card) {
      expect(displayWidth(line), line).toBeLessThanOrEqual(80);
      expect(line.isWellFormed()).toBe(true);
    }
  });

  it("callq import lists the file's columns aligned, whatever script their headers are in", () => {
    const csv = join(dirname(db), 'cjk.csv');
    writeFileSync(csv, 'お名前,電話番号,Company,Café 🇫🇷\n山田,+1 212 555 0142,Acme,x\n');
    const r = q(['import', csv, '--map', '電話番号=phone,お名前=first_name']);
    expect(r.code, r.stderr).toBe(0);
    const columns = r.stderr.split('\n').filter((l) => l.includes('→'));
    expect(columns).toHaveLength(4);
    expect(new Set(columns.map((l) => columnOf(l, '→'))).size, columns.join('\n')).toBe(1);
  });

  it('callq report cuts long group names to 24 columns and keeps its columns aligned', () => {
    const long = '東京都港区六本木ヒルズ森タワー営業部'; // 36 columns
    seedLeads(db, [{ source: long }, { source: 'web' }, { source: 'web' }]);
    const r = q(['report', 'funnel']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(long);
    expect(r.stdout).toContain('東京都港区六本木ヒルズ…');
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => /^source +leads /.test(l))!;
    const leadsEnd = columnOf(header, 'leads') + 'leads'.length;
    const rows = lines.slice(lines.indexOf(header) + 2, lines.indexOf(header) + 5);
    expect(rows.map((row) => row.match(/^\S+/)![0])).toEqual(['web', '東京都港区六本木ヒルズ…', '(all)']);
    for (const row of rows) {
      const count = row.match(/\d+/)![0];
      expect(columnOf(row, count) + count.length, row).toBe(leadsEnd);
      expect(displayWidth(row.match(/^\S+/)![0])).toBeLessThanOrEqual(24);
    }
  });
});
