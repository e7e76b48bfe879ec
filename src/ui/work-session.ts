// The rep's screen (callq work): header with the session tally, the lead card, the key legend,
// one-key outcomes and only the follow-up prompts an outcome needs. Knows nothing of the
// database: the loop in cli/work.ts claims, saves and hands this screen what to show.
import { emitKeypressEvents } from 'node:readline';
import type { ChalkInstance } from 'chalk';
import { confirm, input, select, Separator } from '@inquirer/prompts';
import type { Disposition } from '../core/dispositions.js';
import type { Settings } from '../core/settings.js';
import type { LeadRow } from '../db/leads.js';
import type { CallRow } from '../db/calls.js';
import { isOpen, describeHours, laterAllowed, leadZones, nearestAllowed, readingZone } from '../core/calling-window.js';
import { formatBothZones, formatInZone, parseDate, parseWhen } from '../core/when.js';
import { dialsPerHour, type SessionTally } from '../core/session-tally.js';
import { dispositionKeys, SESSION_KEYS, type DispositionKeys } from './disposition-keys.js';
import { nameToShow } from './lead-json.js';
import { safeOutput, safeText } from './safe-text.js';
import { bothZones, dialWithExtension, wrapItems } from './lead-view.js';
import { pad, truncate, visibleLength } from './table.js';

/** Why a session ends: the rep quit (exit 0), pressed Ctrl-C, or the terminal went away. */
export type EndReason = 'quit' | 'interrupt' | 'hangup';

export class SessionEnded extends Error {
  constructor(readonly why: EndReason) {
    super(`session ended: ${why}`);
  }
}

export type Action =
  | { type: 'disposition'; disposition: Disposition; withNote: boolean }
  | { type: 'skip' | 'history' | 'help' | 'quit' | 'redraw' };

/** What the rep answered after choosing an outcome. */
export interface FollowUp {
  at?: Date;
  until?: Date;
  reason?: string;
  answers: Record<string, string>;
  note?: string;
}

interface Key {
  str: string | undefined;
  name: string | undefined;
  ctrl: boolean;
}

const CLEAR = '\x1b[H\x1b[2J';
const WIDTH = 80;
const BACK = Symbol('back');

export class WorkScreen {
  readonly keys: DispositionKeys;

  constructor(
    private readonly c: ChalkInstance,
    private readonly out: NodeJS.WriteStream,
    private readonly keyboard: NodeJS.ReadStream,
    /** Aborted with the EndReason when the rep presses Ctrl-C between prompts or the terminal closes. */
    private readonly stop: AbortSignal,
    private readonly settings: Settings,
    private readonly viewerZone: string,
  ) {
    this.keys = dispositionKeys(settings.dispositions);
  }

  /** Header, last result, card and legend on a clean screen. */
  drawCard(header: string, message: string, card: string): void {
    // The card's values are safe already (lead-view.ts); a message may quote one: nothing drawn obeys a value's escapes.
    this.out.write(`${CLEAR}${safeOutput(`${header}\n${message ? message + '\n' : ''}${card}\n${this.legend()}`)}\n`);
  }

  headerLine(rep: string, tally: SessionTally, now: Date): string {
    const c = this.c;
    const rate = dialsPerHour(tally, now);
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const left =
      `${c.bold(rep)} · ${count(tally.dials, 'dial')} · ${count(tally.contacts, 'contact')} · ${tally.salesReady} sales-ready · ` +
      `${rate === null ? '–' : rate.toFixed(1)} dials/h${tally.skipped ? ` · ${tally.skipped} skipped` : ''}`;
    const right = formatInZone(now, this.viewerZone);
    const gap = Math.max(2, this.width - visibleLength(left) - visibleLength(right));
    // In a narrow terminal the tally is cut rather than wrapped.
    return c.inverse(truncate(left + ' '.repeat(gap) + right, this.width));
  }

  legend(): string {
    const c = this.c;
    const outcomes = this.settings.dispositions.filter((d) => this.keys.keyOf.has(d.name)).map((d) => `${c.bold(this.keys.keyOf.get(d.name)!)} ${d.name}`);
    const k = SESSION_KEYS;
    const session = [`${c.bold(k.skip)} skip`, `${c.bold(k.history)} history`, `${c.bold(k.noteFirst)} note first`, `${c.bold('↵')} menu`, `${c.bold(k.help)} help`, `${c.bold(k.quit)} quit`];
    return [...wrapItems(outcomes, this.width - 2), ...wrapItems(session, this.width - 2).map((l) => c.dim(l))].join('\n');
  }

  /** The screen's width: 80 columns, fewer in a narrower terminal (lines there would wrap and scroll the card away). */
  private get width(): number {
    return Math.max(32, Math.min(WIDTH, this.out.columns || WIDTH));
  }

  /** One key picks the outcome; Enter or an arrow opens the menu; '+' first asks a note even for no-contact outcomes. */
  async chooseAction(): Promise<Action> {
    let withNote = false;
    for (;;) {
      const key = await this.readKey(withNote ? '  note first — now the outcome key › ' : '  outcome key › ');
      const d = key.str === undefined ? undefined : this.keys.byKey.get(key.str);
      if (d) return { type: 'disposition', disposition: d, withNote: withNote || d.contact };
      if (key.str === SESSION_KEYS.noteFirst) withNote = true;
      else if (key.str === SESSION_KEYS.skip) return { type: 'skip' };
      else if (key.str === SESSION_KEYS.history) return { type: 'history' };
      else if (key.str === SESSION_KEYS.help) return { type: 'help' };
      else if (key.str === SESSION_KEYS.quit) return { type: 'quit' };
      else if (['return', 'enter', 'up', 'down', 'space'].includes(key.name ?? '')) {
        const chosen = await this.menu();
        return chosen ?? { type: 'redraw' };
      }
    }
  }

  /**
   * The arrow-key menu of every outcome and session action. The key printed beside an item picks
   * it, exactly as on the card (case counts: `D` is do-not-call, `d` disqualified); the select
   * prompt's own type-ahead, which ignores case, would take `D` for the first item starting
   * with a d.
   */
  private async menu(): Promise<Action | null> {
    const byKey = new Map<string, Action>();
    const item = (key: string | undefined, label: string, value: Action) => {
      if (key) byKey.set(key, value);
      return { name: `${pad(key ?? ' ', 2)}${label}`, value };
    };
    const choices = [
      ...this.settings.dispositions.map((d) => item(this.keys.keyOf.get(d.name), d.name, { type: 'disposition', disposition: d, withNote: true })),
      new Separator(),
      ...(['skip', 'history', 'help', 'quit'] as const).map((type) => item(SESSION_KEYS[type], type, { type })),
    ];
    let picked: Action | undefined;
    const byItsKey = new AbortController();
    const onKey = (str: string | undefined) => {
      const action = str === undefined ? undefined : byKey.get(str);
      if (action && !picked) {
        picked = action;
        byItsKey.abort();
      }
    };
    this.keyboard.on('keypress', onKey);
    try {
      const chosen = await this.ask((signal) =>
        select({ message: 'Outcome (Esc: back)', choices, pageSize: 20, loop: false }, { signal: AbortSignal.any([signal, byItsKey.signal]) }),
      );
      return picked ?? (chosen === BACK ? null : chosen);
    } finally {
      this.keyboard.off('keypress', onKey);
    }
  }

  /**
   * Only the prompts this outcome needs, then the note. Returns null when the rep pressed Esc
   * (back to the card, nothing saved).
   */
  async askFollowUps(lead: LeadRow, d: Disposition, withNote: boolean, clock: () => Date): Promise<FollowUp | null> {
    const zones = leadZones(lead);
    const zone = readingZone(zones, this.settings.defaultZone, this.viewerZone);
    const both = (at: Date) => formatBothZones(at, zone, this.viewerZone, undefined, clock());
    const follow: FollowUp = { answers: {} };
    const text = (message: string, read?: (value: string) => Date, required = false) =>
      this.ask((signal) =>
        input(
          {
            message,
            validate: (value) => {
              if (required && !value.trim()) return 'Required (Esc to go back).';
              if (!read || (!required && !value.trim())) return true;
              return tryRead(read, value).problem ?? true;
            },
            transformer: (value, { isFinal }) => {
              const at = read && value.trim() ? tryRead(read, value).at : undefined;
              return at ? `${value}  ${isFinal ? '→ ' + both(at) : this.c.dim('→ ' + both(at))}` : value;
            },
          },
          { signal },
        ),
      );
    const steps: (() => Promise<unknown>)[] = [];
    if (d.kind === 'callback') {
      const readCallback = (value: string) => {
        const at = parseWhen(value, clock(), zone);
        if (zones.length && !isOpen(zones, at, this.settings.hours)) {
          const nearest = nearestAllowed(zones, at, this.settings.hours, clock());
          const later = laterAllowed(zones, at, nearest, this.settings.hours);
          throw new Error(
            `${both(at)} is outside calling hours (${describeHours(this.settings.hours)}).${nearest ? ` Nearest: ${both(nearest)}.` : ''}` +
              (later ? ` First after it: ${both(later)}.` : ''),
          );
        }
        return at;
      };
      steps.push(async () => {
        this.out.write(this.c.dim(`  Lead's time now: ${formatInZone(clock(), zone)}. Say e.g. 'tomorrow 10am', 'in 2h', 'fri 14:00'.\n`));
        const value = await text('Call back when?', readCallback, true);
        if (value !== BACK) follow.at = readCallback(value);
        return value;
      });
    } else if (d.kind === 'nurture') {
      const readUntil = (value: string) => parseDate(value, clock(), zone);
      steps.push(async () => {
        this.out.write(this.c.dim("  Say e.g. 'in 3 months', '2027-02-01', 'march'.\n"));
        const value = await text('Nurture until?', readUntil, true);
        if (value !== BACK) follow.until = readUntil(value);
        return value;
      });
    } else if (d.kind === 'disqualify') {
      steps.push(async () => {
        const reasons = this.settings.reasons.map((r) => ({ name: r, value: r }));
        const value = await this.ask((signal) => select({ message: 'Reason (Esc: back)', choices: reasons, pageSize: 12 }, { signal }));
        if (value !== BACK) follow.reason = value;
        return value;
      });
    } else if (d.kind === 'do-not-call') {
      const what = safeText([dialWithExtension(lead.phone, lead.phone_ext), lead.email].filter(Boolean).join(' and '));
      steps.push(async () => {
        const sure = await this.ask((signal) => confirm({ message: `Put ${what} on the do-not-call list for good?`, default: false }, { signal }));
        return sure === true ? sure : BACK;
      });
    } else if (d.kind === 'qualified') {
      for (const [q, required] of [...this.settings.qualifyRequired.map((q) => [q, true] as const), ...this.settings.qualifyOptional.map((q) => [q, false] as const)]) {
        steps.push(async () => {
          const value = await text(`${label(q)}${required ? '' : ' (optional)'}?`, undefined, required);
          if (value !== BACK && value.trim()) follow.answers[q] = value.trim();
          return value;
        });
      }
    }
    if (withNote || d.kind === 'qualified') {
      const message = d.kind === 'qualified' ? 'Hand-off note for Sales?' : 'Note? (Enter to skip)';
      steps.push(async () => {
        const value = await text(message, undefined, d.kind === 'qualified');
        if (value !== BACK && value.trim()) follow.note = value.trim();
        return value;
      });
    }
    this.out.write(this.c.dim(`  ${d.name}${steps.length ? ' — Esc goes back to the card' : ''}\n`));
    for (const step of steps) if ((await step()) === BACK) return null;
    return follow;
  }

  /** A page (history, help) until any key. */
  async showPage(header: string, body: string): Promise<void> {
    this.out.write(`${CLEAR}${safeOutput(`${header}\n${body}`)}\n`);
    const key = await this.readKey(this.c.dim('  any key: back to the card › '));
    if (key.str === SESSION_KEYS.quit) throw new SessionEnded('quit');
  }

  /** The empty-queue screen: why, when it opens, and the choice to wait or quit. */
  async emptyQueue(header: string, message: string, why: string): Promise<void> {
    // `why` reads as a sentence of its own ('no lead can be called right now. Of 97 …'): capitalised here.
    const said = why.charAt(0).toUpperCase() + why.slice(1);
    this.out.write(`${CLEAR}${safeOutput(`${header}\n${message ? message + '\n' : ''}\n${this.c.yellow('No lead to call.')} ${said}`)}\n\n`);
    for (;;) {
      const key = await this.readKey(`  ${this.c.bold('w')} wait for the next lead · ${this.c.bold('Q')} quit › `);
      if (key.str === 'w' || key.name === 'return') return;
      if (key.str === 'Q' || key.str === 'q') throw new SessionEnded('quit');
    }
  }

  /** Waits `ms` (or until a key), then returns so the loop can try a claim again. */
  async waitForLead(ms: number): Promise<void> {
    const seconds = Math.round(ms / 1000);
    const timer = new AbortController();
    const handle = setTimeout(() => timer.abort(), ms);
    try {
      const key = await this.readKey(`\r\x1b[2K  waiting — next check in ${seconds}s (any key: check now · Q quit) › `, timer.signal);
      if (key.str === 'Q' || key.str === 'q') throw new SessionEnded('quit');
    } catch (err) {
      if (err !== BACK) throw err;
    } finally {
      clearTimeout(handle);
    }
  }

  /**
   * One key press in raw mode (no Enter). Ctrl-C ends the session as an interrupt, Ctrl-D as a quit.
   * `cancel` (a timer) rejects with BACK. The prompt is written once raw mode is on, so a key
   * typed after it appears is never held back by the terminal's line editing.
   */
  private readKey(prompt: string, cancel?: AbortSignal): Promise<Key> {
    return new Promise((resolve, reject) => {
      if (this.stop.aborted) return reject(new SessionEnded(this.stop.reason as EndReason));
      const kb = this.keyboard;
      emitKeypressEvents(kb);
      kb.setRawMode(true);
      kb.resume();
      const finish = () => {
        kb.off('keypress', onKey);
        this.stop.removeEventListener('abort', onStop);
        cancel?.removeEventListener('abort', onCancel);
        kb.setRawMode(false);
        kb.pause();
        this.out.write('\r\x1b[2K');
      };
      const onKey = (str: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
        finish();
        if (key?.ctrl && key.name === 'c') reject(new SessionEnded('interrupt'));
        else if (key?.ctrl && key.name === 'd') reject(new SessionEnded('quit'));
        else resolve({ str, name: key?.name, ctrl: Boolean(key?.ctrl) });
      };
      const onStop = () => {
        finish();
        reject(new SessionEnded(this.stop.reason as EndReason));
      };
      const onCancel = () => {
        finish();
        reject(BACK);
      };
      kb.on('keypress', onKey);
      this.stop.addEventListener('abort', onStop, { once: true });
      cancel?.addEventListener('abort', onCancel, { once: true });
      this.out.write(prompt);
    });
  }

  /**
   * Runs an inquirer prompt. Esc aborts it (BACK); Ctrl-C inside it (ExitPromptError) or a
   * stopped session ends the session.
   */
  private async ask<T>(prompt: (signal: AbortSignal) => Promise<T>): Promise<T | typeof BACK> {
    const back = new AbortController();
    const onKey = (_: unknown, key: { name?: string } | undefined) => {
      if (key?.name === 'escape') back.abort();
    };
    this.keyboard.on('keypress', onKey);
    try {
      return await prompt(AbortSignal.any([this.stop, back.signal]));
    } catch (err) {
      if (this.stop.aborted) throw new SessionEnded(this.stop.reason as EndReason);
      const name = (err as Error)?.name;
      if (name === 'ExitPromptError') throw new SessionEnded('interrupt');
      if (name === 'AbortPromptError') return BACK;
      throw err;
    } finally {
      this.keyboard.off('keypress', onKey);
    }
  }
}

function tryRead(read: (value: string) => Date, value: string): { at?: Date; problem?: string } {
  try {
    return { at: read(value) };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/** 'use-case' → 'Use case'. */
function label(code: string): string {
  const words = code.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The help page: every key and what each outcome asks and does. */
export function helpText(keys: DispositionKeys, dispositions: readonly Disposition[], c: ChalkInstance): string {
  const does: Record<Disposition['kind'], string> = {
    retry: 'try again later (retry delay)',
    'bad-number': 'next alternate phone, else disqualified (bad-data)',
    callback: "asks when (lead's local time); comes back to you then",
    nurture: 'interested later: asks until when',
    'not-interested': 'disqualified (not-interested)',
    disqualify: 'asks the reason; disqualified',
    'do-not-call': 'asks to confirm; phone and email suppressed for good',
    qualified: 'asks the qualification answers and a hand-off note; sales-ready',
  };
  const rows = dispositions.map((d) => {
    const key = keys.keyOf.get(d.name) ?? ' ';
    return `  ${c.bold(pad(key, 2))}${pad(d.name, 16)}${does[d.kind]}`;
  });
  const noted = dispositions.filter((d) => d.contact).map((d) => d.name);
  return [
    c.bold('Keys'),
    ...rows,
    `  ${c.bold('! ')}${pad('do-not-call', 16)}same as D`,
    '',
    ...wrapItems(`Outcomes that reach a person also ask a note (Enter skips it, except the hand-off note): ${noted.join(', ')}.`.split(' '), WIDTH - 2, ' '),
    `  ${c.bold('+ ')}then an outcome key: ask a note for the others too (no-answer, busy...)`,
    `  ${c.bold('s ')}skip: give the lead back; it comes round again once no other lead is left`,
    `  ${c.bold('h ')}this lead's whole history`,
    `  ${c.bold('↵ ')}menu with arrow keys`,
    `  ${c.bold('Q ')}quit (Ctrl-D too; Ctrl-C too). The lead you hold goes back to the queue.`,
    `  Esc inside a question goes back to the card: nothing is saved before the last answer.`,
  ].join('\n');
}

/** Every call of the lead, newest first, notes in full. */
export function historyText(lead: LeadRow, calls: CallRow[], viewerZone: string, c: ChalkInstance): string {
  const title = `${c.bold(nameToShow(lead) || `lead ${lead.id}`)}  #${lead.id} · ${calls.length} call(s)`;
  if (calls.length === 0) return `${title}\n  ${c.dim('no calls yet')}`;
  const lines = [title];
  for (const call of calls) {
    const reason = call.reason ? `  ${safeText(call.reason)}` : '';
    lines.push(`  ${c.dim(formatInZone(new Date(call.called_at), viewerZone))}  ${c.bold(safeText(call.disposition))}  ${c.dim('by ' + safeText(call.rep))}${reason}`);
    // A callback or nurture time in both zones is most of a line: on its own.
    if (call.callback_at) lines.push(`    callback ${bothZones(new Date(call.callback_at), lead, viewerZone)}`);
    if (call.nurture_until) lines.push(`    until ${bothZones(new Date(call.nurture_until), lead, viewerZone)}`);
    if (call.notes) lines.push(...wrapItems(call.notes.split(/\s+/).map(safeText), WIDTH - 6, ' ').map((l) => `    ${l}`));
  }
  return lines.join('\n');
}
