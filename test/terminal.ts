// The built binary in a real pseudo-terminal (callq work): keys in, screen text out, waiting for
// text on screen and never for a fixed time alone.
import pty from 'node-pty';
import { BIN, ROOT } from './helpers.js';

// CSI and OSC sequences, charset switches, keypad modes: what a screen shows is what is left.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

/** Literal text, but any run of spaces may be a line break: prompts wrap at 80 columns. */
function loose(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'));
}

export interface TerminalOptions {
  /**
   * Runs the binary under a shell that ignores SIGHUP and leads the terminal's session, with the
   * binary's stderr in this file: closing the terminal then sends the binary no signal at all (the
   * kernel signals only the session leader), so it learns of it from its input and output alone
   * (end of input, EIO), as when a hangup reaches it late. The exit code is still the binary's.
   */
  underShell?: { stderr: string };
  /** The terminal's width (80 unless given). */
  cols?: number;
}

/** The binary in a pseudo-terminal of 40 lines, 80 columns unless told; waits for screen text, never for a fixed time alone. */
export class Terminal {
  private raw = '';
  private cursor = 0;
  private waiting: string | RegExp | null = null;
  private ended: { exitCode: number; signal?: number } | null = null;
  private readonly term: pty.IPty;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;

  constructor(args: string[], env: Record<string, string> = { NO_COLOR: '1' }, options: TerminalOptions = {}) {
    const shell = options.underShell;
    // sh -c SCRIPT $0 $1...: $0 is the stderr file, "$@" the binary and its arguments.
    const [file, argv] = shell ? ['/bin/sh', ['-c', 'trap "" HUP; "$@" 2>"$0"; exit $?', shell.stderr, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
    this.term = pty.spawn(file, argv, {
      name: 'xterm-256color',
      cols: options.cols ?? 80,
      rows: 40,
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', LANG: 'C.UTF-8', TERM: 'xterm-256color', CALLQ_REP: 'ana', ...env },
    });
    this.term.onData((d) => (this.raw += d));
    this.exited = new Promise((done) => this.term.onExit((e) => done((this.ended = e))));
  }

  /** Everything shown so far, escape sequences removed. */
  get screen(): string {
    return this.raw.replace(ANSI, '');
  }

  /**
   * Waits until `pattern` appears after the last match; returns the text from there to the end
   * of the match. Fails, showing the screen, if the program ends first; otherwise the test's own
   * timeout bounds the wait (and the screen is shown when it fails).
   */
  async waitFor(pattern: string | RegExp): Promise<string> {
    this.waiting = pattern;
    for (;;) {
      const text = this.screen.slice(this.cursor);
      const m = (typeof pattern === 'string' ? loose(pattern) : pattern).exec(text);
      if (m) {
        this.cursor += m.index + m[0].length;
        this.waiting = null;
        return text.slice(0, m.index + m[0].length);
      }
      if (this.ended) throw new Error(`the program ended (exit ${this.ended.exitCode}) before ${String(pattern)} appeared; screen since last match:\n${text.slice(-2500)}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  /** What a failed test shows: what it was waiting for, and the screen since the last match. */
  describe(): string {
    return `waiting for ${this.waiting === null ? 'nothing' : String(this.waiting)}; screen since last match:\n${this.screen.slice(this.cursor).slice(-2500)}`;
  }

  /** A conversation: for each step, wait for the text (unless empty), then type the keys. */
  async talk(...steps: [pattern: string, keys?: string][]): Promise<void> {
    for (const [pattern, keys] of steps) {
      if (pattern) await this.waitFor(pattern);
      if (keys) this.write(keys);
    }
  }

  write(keys: string): void {
    this.term.write(keys);
  }

  /** Keys that go to an inquirer text prompt: typed, then Enter. */
  answer(text: string): void {
    this.term.write(text + '\r');
  }

  /**
   * Closes the terminal's master side, as closing its window, `tmux kill-session` or a dropped ssh
   * connection does: the kernel hangs the terminal up (SIGHUP to its session leader; reads see the
   * end, writes fail with EIO). node-pty then also sends SIGHUP to the process it started.
   */
  close(): void {
    (this.term as pty.IPty & { destroy(): void }).destroy();
  }

  kill(signal = 'SIGHUP'): void {
    try {
      this.term.kill(signal);
    } catch {
      // already gone
    }
  }

  /** The exit code, once the program has ended (the test's own timeout bounds the wait). */
  async exitCode(): Promise<number> {
    return (await this.exited).exitCode;
  }
}

