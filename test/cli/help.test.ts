// Help through the binary: an example in every command's help, global options everywhere,
// every exit code and the help topics.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callq } from '../helpers.js';

const helpCache = new Map<string, string>();
function help(path: string[]): string {
  const key = path.join(' ');
  if (!helpCache.has(key)) {
    const r = callq([...path, '--help']);
    expect(r.code, `${key} --help: ${r.stderr}`).toBe(0);
    helpCache.set(key, r.stdout);
  }
  return helpCache.get(key)!;
}

/** The names in the "Commands:" section of a help text (help itself aside). */
function subcommands(text: string): string[] {
  const section = text.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
}

/** Every command path, found by walking the help texts. */
function allCommands(path: string[] = []): string[][] {
  return subcommands(help(path)).flatMap((name) => [[...path, name], ...allCommands([...path, name])]);
}

/** The words of a shell line, quotes removed (enough for the examples). */
const shellWords = (line: string) => [...line.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0].replace(/^['"]|['"]$/g, ''));

const commands = allCommands();

describe('callq --help and each command’s help', () => {
  it('finds the whole command tree', () => {
    expect(commands.map((c) => c.join(' '))).toEqual(expect.arrayContaining(['init', 'config set', 'export cleanup', 'dnc import', 'import undo', 'completion']));
    expect(commands.length).toBeGreaterThan(30);
  });

  it('every command shows at least one example of itself, and each example uses only flags the command has', () => {
    for (const path of commands) {
      const text = help(path);
      const examples = [...text.matchAll(/^ {2}\$ (.*)$/gm)].map((m) => m[1].replace(/\s+#.*$/, ''));
      expect(examples.length, `callq ${path.join(' ')} --help has no example`).toBeGreaterThan(0);
      expect(examples.some((e) => shellWords(e).slice(0, 1 + path.length).join(' ') === ['callq', ...path].join(' ') || shellWords(e).filter((w) => !w.startsWith('-')).join(' ').startsWith(['callq', ...path].join(' '))), `no example of callq ${path.join(' ')}`).toBe(true);
      for (const example of examples) {
        const words = shellWords(example.split(/\s[|>]\s/)[0]);
        // The command an example runs: the longest run of command names after `callq` (options in between skipped).
        const ran: string[] = [];
        for (let i = 1; i < words.length; i++) {
          const w = words[i];
          if (['--db', '--rep', '--now'].includes(w)) i++; // a global option and its value
          if (w.startsWith('-')) continue;
          if (commands.some((c) => c.join(' ') === [...ran, w].join(' '))) ran.push(w);
          else break;
        }
        const own = help(ran);
        for (const flag of words.filter((w) => w.startsWith('--')).map((w) => w.replace(/=.*/, ''))) {
          expect(own, `'${example}' uses ${flag}, which callq ${ran.join(' ')} does not have`).toMatch(new RegExp(`(^|[ ,])${flag}\\b`, 'm'));
        }
      }
    }
  });

  it('every subcommand lists the global options', () => {
    for (const path of commands) {
      const text = help(path);
      expect(text, `callq ${path.join(' ')} --help`).toMatch(/^Global Options:$/m);
      for (const flag of ['--db <path>', '--rep <name>', '--now <iso>', '--json', '--no-color']) expect(text).toContain(flag);
    }
  });

  it('callq --help names every exit code and the help topics', () => {
    const text = help([]);
    const line = text.match(/^Exit codes: (.*)$/m)?.[1] ?? '';
    const codes = [...line.matchAll(/(?:^|, )(\d+) /g)].map((m) => Number(m[1]));
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 75, 130, 141]);
    expect(text).toContain('callq help exit-codes');
    expect(text).toContain('callq completion bash|zsh|fish');
    // Topics are not commands.
    expect(subcommands(text)).not.toContain('exit-codes');
  });

  it('callq help exit-codes explains each code', () => {
    const r = callq(['help', 'exit-codes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const codes = [...r.stdout.matchAll(/^ {2}[ \d]{2}\d(?= {2}\S)/gm)].map((m) => Number(m[0]));
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 75, 130, 141]);
    expect(r.stdout).toMatch(/75 {2}database busy, try again/);
    for (const l of r.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('callq help environment names the variables callq reads', () => {
    const r = callq(['help', 'environment']);
    expect(r.code).toBe(0);
    for (const name of ['CALLQ_DB', 'CALLQ_REP', 'NO_COLOR', 'FORCE_COLOR', 'TERM']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const l of r.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    // Every CALLQ_ and PG variable the code reads (not those it sets for pg_dump) is there (CALLQ_IMPORT_PAUSE is a test hook).
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/env\??\.((?:CALLQ|PG)[A-Z_]+)\b(?!\s*=[^=])/g)) read.add(m[1]);
      }
    };
    walk(join(__dirname, '..', '..', 'src'));
    read.delete('CALLQ_IMPORT_PAUSE');
    expect(read.size).toBeGreaterThan(5);
    for (const name of read) expect(r.stdout, name).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('callq help names a subcommand as deep as it goes: help dnc add is dnc add --help', () => {
    for (const path of [['dnc', 'add'], ['config', 'set'], ['export', 'sales-ready'], ['import', 'undo']]) {
      const r = callq(['help', ...path]);
      expect(r.code, `help ${path.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: callq ${path.join(' ')} `));
      expect(r.stdout).toBe(help(path));
    }
    expect(callq(['help', 'dnc']).stdout).toBe(help(['dnc']));
    expect(callq(['help']).stdout).toBe(help([]));
  });

  it('callq help with a name that is no command is a usage error naming it', () => {
    for (const path of [['nope'], ['dnc', 'nope']]) {
      const r = callq(['help', ...path]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`unknown command '${path.join(' ')}'`);
    }
  });
});
