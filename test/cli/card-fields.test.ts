// A lead's custom fields on its card: `next` (and `work`) show two lines of them and say how many
// more there are and where to see them; `show` shows every one. A ZoomInfo or Apollo export
// brings a dozen columns callq keeps as custom fields, and the card used to drop those past two
// lines without a word.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, tempDir } from '../helpers.js';

const NOW = '2026-11-24T15:00:00Z'; // Tuesday 10:00 New York
const FIELDS = ['Industry', 'Employees', 'Revenue', 'Website', 'LinkedIn', 'Seniority', 'Department', 'Lead Status', 'Rating', 'Street', 'City', 'Territory'];

let dir: string;
let cleanup: () => void;
let db: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'q.db');
  const values = ['Logistics', '250', '$40M', 'hudsondata.com', 'linkedin.com/in/marcus-lee-4b1a2', 'Director', 'Engineering & Technical', 'Open', 'Warm', '410 W 14th St', 'New York', 'Northeast'];
  writeFileSync(join(dir, 'list.csv'), `First Name,Last Name,Phone,${FIELDS.join(',')}\nMarcus,Lee,+1 646 783 2210,${values.map((v) => `"${v}"`).join(',')}\n`);
  const r = callq(['--db', db, 'import', join(dir, 'list.csv')]);
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => cleanup());

it('next shows two lines of custom fields and how many more; show shows them all', () => {
  const next = callq(['--db', db, '--now', NOW, '--rep', 'ana', 'next']);
  expect(next.code, next.stderr).toBe(0);
  const more = /\+(\d+) more \(callq show 1\)/.exec(next.stdout);
  expect(more, next.stdout).not.toBeNull();
  const onCard = FIELDS.filter((f) => next.stdout.includes(`${f}: `));
  expect(onCard.length).toBeGreaterThan(0);
  expect(onCard.length + Number(more![1])).toBe(FIELDS.length);
  // The fields shown are the file's first ones, in its order, on two lines at most.
  expect(onCard).toEqual(FIELDS.slice(0, onCard.length));
  const lines = next.stdout.split('\n').filter((l) => FIELDS.some((f) => l.includes(`${f}: `)) || l.includes('more (callq show'));
  expect(lines.length).toBeLessThanOrEqual(2);

  const show = callq(['--db', db, '--now', NOW, 'show', '1']);
  expect(show.code, show.stderr).toBe(0);
  for (const f of FIELDS) expect(show.stdout).toContain(`${f}: `);
  expect(show.stdout).not.toMatch(/more \(callq show/);
});
