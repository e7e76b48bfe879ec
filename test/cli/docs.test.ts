// The command reference and the man page are generated from the program: they must match it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import * as programModule from '../../src/cli/program.js';
// @ts-expect-error: a plain JS build script, without type declarations
import { renderDocs } from '../../scripts/gen-docs.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const files: Map<string, string> = renderDocs(programModule, pkg.version);
const man = files.get('man/callq.1')!;
const STALE = "is stale: run 'npm run docs' and commit the result";

describe('generated docs', () => {
  it('docs/reference/ and man/callq.1 are what npm run docs writes from the program now', () => {
    for (const [path, content] of files) {
      const file = join(ROOT, path);
      expect(existsSync(file), `${path} is missing: run 'npm run docs'`).toBe(true);
      expect(readFileSync(file, 'utf8') === content, `${path} ${STALE}`).toBe(true);
    }
    const committed = readdirSync(join(ROOT, 'docs', 'reference')).map((f) => `docs/reference/${f}`);
    expect(committed.filter((f) => !files.has(f)), `pages for commands that no longer exist: run 'npm run docs'`).toEqual([]);
  });

  it('has a page per command, with every subcommand, option and example of it', () => {
    const program = programModule.buildProgram(pkg.version);
    for (const cmd of program.commands.filter((c) => c.name() !== 'help' && !Object.keys(programModule.HELP_TOPICS).includes(c.name()))) {
      const page = files.get(`docs/reference/${cmd.name()}.md`);
      expect(page, cmd.name()).toBeDefined();
      for (const c of [cmd, ...cmd.commands]) {
        for (const o of c.options.filter((o) => !o.hidden)) expect(page, `${c.name()} ${o.flags}`).toContain('`' + o.flags);
      }
    }
    const index = files.get('docs/reference/README.md')!;
    for (const e of programModule.EXIT_CODES) expect(index).toContain(`| ${e.code} |`);
    expect(files.get('docs/reference/dnc.md')).toContain('callq dnc list --kind domain');
  });
});

describe('man/callq.1', () => {
  const lines = man.split('\n');

  it('is a man(7) page with the usual sections in order', () => {
    expect(lines[0]).toMatch(/^\.\\" /);
    expect(lines[1]).toBe(`.TH CALLQ 1 "" "callq ${pkg.version}" "User Commands"`);
    const sections = lines.filter((l) => l.startsWith('.SH ')).map((l) => l.slice(4));
    expect(sections).toEqual(['NAME', 'SYNOPSIS', 'DESCRIPTION', 'GLOBAL OPTIONS', 'COMMANDS', 'EXAMPLES', 'EXIT STATUS', 'ENVIRONMENT', 'SEE ALSO']);
    expect(lines[lines.indexOf('.SH NAME') + 1]).toMatch(/^callq \\- \S/);
  });

  it('uses only man macros and escapes troff would not misread', () => {
    for (const line of lines) {
      if (/^[.']/.test(line)) expect(line, line).toMatch(/^(\.\\" |\.(TH|SH|SS|TP|PP|B|br|RS|RE|nf|fi)( |$))/);
      expect(line, 'non-ASCII must be written \\[uXXXX]').toMatch(/^[\x20-\x7e]*$/);
      // Every backslash starts a known escape: \e \- \& \fB \fI \fR \[uXXXX] \" (comment).
      const escapes = line.replace(/\\(e|-|&|f[BIR]|\[u[0-9A-F]{4,6}\]|")/g, '');
      expect(escapes, line).not.toContain('\\');
    }
  });

  it('documents every command, flag and exit code', () => {
    const program = programModule.buildProgram(pkg.version);
    const walk = (cmd: typeof program, path: string[]): void => {
      for (const c of cmd.commands) {
        if (c.name() === 'help' || Object.keys(programModule.HELP_TOPICS).includes(c.name())) continue;
        const p = [...path, c.name()];
        expect(man, p.join(' ')).toMatch(new RegExp(`^\\.SS ${p.join(' ').replace(/-/g, '\\\\-')} `, 'm'));
        for (const o of c.options) expect(man, `${p.join(' ')} ${o.long}`).toContain(`\\fB${(o.long ?? '').replace(/-/g, '\\-')}`);
        walk(c, p);
      }
    };
    walk(program, ['callq']);
    for (const e of programModule.EXIT_CODES) expect(lines).toContain(`.B ${e.code}`);
    for (const v of programModule.ENVIRONMENT) expect(lines).toContain(`.B ${v.name}`);
  });

  const groff = spawnSync('groff', ['--version']).status === 0;
  it.skipIf(!groff)('groff formats it without a warning (skipped: groff is not installed)', () => {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: man, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('is installed by npm: package.json lists it under man and ships the folder', () => {
    expect(pkg.man).toEqual(['./man/callq.1']);
    expect(pkg.files).toContain('man');
  });
});
