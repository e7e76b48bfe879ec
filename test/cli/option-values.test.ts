// An option's value is a value, whatever it starts with: '-V…' is not the version flag and
// '--json' is not the global option when it follows an option that takes a value.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, json, useTempDb } from '../helpers.js';

const NOW = '2026-11-24T15:00:00Z';
let dir = '';
let db = '';
useTempDb('values.db', (d, p) => ((dir = d), (db = p)));

function seed(): void {
  const file = join(dir, 'leads.csv');
  writeFileSync(file, 'First Name,Last Name,Company,Phone\nAna,Lopez,Acme,212-736-3001\nBo,Kim,Initech,212-736-3002\n');
  expect(callq(['--db', db, '--now', NOW, 'import', file]).code).toBe(0);
}

describe('option values that look like options', () => {
  it('records a note, reason and authority starting with -V', () => {
    seed();
    const note = callq(['log', '1', 'no-answer', '--force', '--note', '-Very keen', '--db', db, '--now', NOW]);
    expect(note.stdout).not.toMatch(/^\d+\.\d+\.\d+/);
    expect(note.code).toBe(0);
    const qualified = callq([
      '--db', db, '--now', '2026-11-24T17:00:00Z', 'log', '2', 'qualified', '--force',
      '--need', 'dialer', '--timeframe', 'Q1', '--authority', '-VP Sales', '--note', '-Very keen',
    ]);
    expect(qualified.code).toBe(0);
    const dnc = callq(['--db', db, '--now', NOW, 'dnc', 'add', '+12127363009', '--reason', '-Verbal request']);
    expect(dnc.code).toBe(0);

    const one = json(callq(['--db', db, 'show', '1', '--json']));
    expect(one.calls.map((c: { notes: string }) => c.notes)).toEqual(['-Very keen']);
    const two = json(callq(['--db', db, 'show', '2', '--json']));
    expect(two.lead.qualification.authority).toBe('-VP Sales');
    const list = callq(['--db', db, 'dnc', 'list', '--json']);
    expect(JSON.parse(list.stdout.trim()).reason).toBe('-Verbal request');
  });

  it('takes --json as the value of --note, and the global options after the command name', () => {
    seed();
    const r = callq(['log', '1', 'no-answer', '--force', '--note', '--json', '--db', db, '--now', NOW, '--rep', 'bo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(''); // not JSON: --json was the note
    const shown = json(callq(['show', '1', '--json', '--db', db]));
    expect(shown.calls[0]).toMatchObject({ notes: '--json', rep: 'bo' });
  });

  it('still prints the version for -V and --version', () => {
    for (const flag of ['-V', '--version']) {
      const r = callq([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
