// `callq completion bash|zsh|fish`: scripts that parse, and complete from the program's own definitions.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq, tempDir } from '../helpers.js';

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const scripts = new Map<string, string>();
const script = (shell: string) => scripts.get(shell) ?? generate(shell);
const generate = (shell: string) => {
  const r = callq(['completion', shell]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  scripts.set(shell, r.stdout);
  return r.stdout;
};

/** Sources the bash script in a child bash, sets COMP_WORDS/COMP_CWORD for `line` (completing its last word) and returns COMPREPLY. */
function bashComplete(line: string, cwd?: string): string[] {
  const t = tempDir();
  try {
    const file = join(t.dir, 'callq.bash');
    writeFileSync(file, script('bash'));
    const words = line.split(' ');
    const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _callq; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', file, ...words], { encoding: 'utf8', cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).sort();
  } finally {
    t.cleanup();
  }
}

describe('completion scripts parse', () => {
  it('bash -n accepts the bash script', () => {
    const r = spawnSync('bash', ['-n'], { input: script('bash'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
  // zsh and fish are not installed on every machine that runs the tests (e.g. this project's CI image).
  it.skipIf(!has('zsh'))('zsh -n accepts the zsh script (skipped: zsh is not installed)', () => {
    const r = spawnSync('zsh', ['-n'], { input: script('zsh'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
  it.skipIf(!has('fish'))('fish -n accepts the fish script (skipped: fish is not installed)', () => {
    const r = spawnSync('fish', ['-n'], { input: script('fish'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('the engine fish runs through sh works in a plain POSIX sh', () => {
    const fish = script('fish');
    const quoted = fish.match(/^set -g __callq_engine '((?:[^'\\]|\\.)*)'$/m);
    expect(quoted).not.toBeNull();
    const engine = quoted![1].replace(/\\(['\\])/g, '$1');
    expect(engine).toContain('_callq_candidates()');
    const r = spawnSync('sh', ['-c', `${engine}\n_callq_candidates "$@"`, 'sh', '3', 'log', '42', ''], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split(/\s+/)).toEqual(expect.arrayContaining(['no-answer', 'callback', 'qualified']));
  });

  it('zsh defines the same engine, under sh emulation', () => {
    const zsh = script('zsh');
    expect(zsh.startsWith('#compdef callq\n')).toBe(true);
    expect(zsh).toMatch(/_callq_candidates\(\) \{\n  emulate -L sh\n/);
    expect(zsh).toContain('compdef _callq callq');
  });

  it('an unknown shell is a usage error', () => {
    const r = callq(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bash, zsh, fish/);
  });
});

describe('bash completes', () => {
  it('every command callq --help lists, and help topics after help', () => {
    const listed = [...callq(['--help']).stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]);
    expect(listed).toEqual(expect.arrayContaining(['init', 'next', 'log', 'export', 'dnc', 'completion', 'help']));
    expect(bashComplete('callq ')).toEqual([...new Set(listed)].sort());
    expect(bashComplete('callq help e')).toEqual(['environment', 'exit-codes', 'export']);
  });

  it('subcommands', () => {
    expect(bashComplete('callq config s')).toEqual(['set']);
    expect(bashComplete('callq ex')).toEqual(['export']);
    expect(bashComplete('callq --db team.db export s')).toEqual(['sales-ready']);
    expect(bashComplete('callq dnc ')).toEqual(['add', 'help', 'import', 'list', 'remove']);
  });

  it('flags: the command’s own and the global ones', () => {
    expect(bashComplete('callq next --ex')).toEqual(['--explain']);
    expect(bashComplete('callq export sales-ready --no-')).toEqual(['--no-color', '--no-mark']);
    expect(bashComplete('callq log 42 no-answer --d')).toEqual(['--db', '--duration']);
    expect(bashComplete('callq --j')).toEqual(['--json']);
  });

  it('values of flags and arguments', () => {
    expect(bashComplete('callq log 42 ')).toContain('do-not-call');
    expect(bashComplete('callq log 42 disqualified --reason no-')).toEqual(['no-authority', 'no-budget', 'no-need']);
    expect(bashComplete('callq export sales-ready --profile ')).toEqual(['default', 'hubspot', 'salesforce']);
    expect(bashComplete('callq report f')).toEqual(['funnel']);
    expect(bashComplete('callq config get hours.')).toEqual(['hours.days', 'hours.end', 'hours.holidays', 'hours.start']);
    expect(bashComplete('callq completion ')).toEqual(['bash', 'fish', 'zsh']);
    // A flag's value is not taken for a subcommand: `--list config` is a list named config.
    expect(bashComplete('callq next --list config ')).toEqual([]);
  });

  it('file names where a file is expected', () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'leads-october.csv'), '');
      writeFileSync(join(t.dir, 'leads-november.csv'), '');
      expect(bashComplete('callq import leads-', t.dir)).toEqual(['leads-november.csv', 'leads-october.csv']);
      expect(bashComplete('callq export calls --out leads-o', t.dir)).toEqual(['leads-october.csv']);
    } finally {
      t.cleanup();
    }
  });
});
