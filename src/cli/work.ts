// callq work: the rep's session. Claim → card → outcome → follow-ups → saved → next card, until
// the rep quits. One store (one connection) for the whole session; every save is one transaction
// through logOutcome; the claim is renewed while the card is on screen and given back on the way out.
import type { ChalkInstance } from 'chalk';
import { openContextStore, type Context } from './context.js';
import { describeFilters, queueFilters, viewerZone, type OptionValues } from './args.js';
import { logOutcome } from '../app/log-outcome.js';
import type { Claim, EmptyQueue, QueueFilters, RepStore } from '../db/store/rep.js';
import { leadZones, windowCloses } from '../core/calling-window.js';
import { delayMs } from '../core/eligibility.js';
import { ConflictError, InterruptedError, UsageError } from '../core/errors.js';
import { doNotCallNow } from '../core/claim-check.js';
import type { Settings } from '../core/settings.js';
import { countOutcome, countSkip, newTally, type SessionTally } from '../core/session-tally.js';
import { nameToShow } from '../ui/lead-json.js';
import { renderCard, SHARERS_NAMED } from '../ui/lead-view.js';
import { closedNotice, describeEmptyQueue, describeReason } from '../ui/queue-view.js';
import { claimToServe } from '../app/claim-to-serve.js';
import { helpText, historyText, SessionEnded, WorkScreen, type EndReason, type FollowUp } from '../ui/work-session.js';
import { printData } from '../ui/output.js';
import { paint } from '../ui/style.js';
import { settlesWithin } from '../io/settles-within.js';
import { watchTerminal } from '../io/terminal.js';

const POLL_MS = 30_000;
/**
 * How long a session that is ending (Ctrl-C, the terminal closed) waits for the database: for the
 * step under way, then to give the lead back. A database that has stopped answering (a network
 * gone without a word) would otherwise keep the rep's terminal until TCP gives up, minutes later;
 * a lead not given back returns to the queue when its claim lapses.
 */
const SHUTDOWN_WAIT_MS = 5_000;
const LOST = 'Your claim on this lead was lost (expired or taken); nothing was saved.';

/** `callq work`'s options: which leads to serve. */
export interface WorkOptions {
  filters: QueueFilters;
}

export function workOptions(values: OptionValues): WorkOptions {
  return { filters: queueFilters(values) };
}

export async function run(ctx: Context, _args: string[], values: OptionValues): Promise<void> {
  const opts = workOptions(values);
  const stdin = ctx.stdin;
  if (!stdin.isTTY || !ctx.stdout.isTTY) {
    throw new UsageError(
      "callq work needs a terminal (stdin and stdout must be a TTY). In scripts, claim with 'callq next --json' and record with 'callq log LEAD DISPOSITION'.",
    );
  }
  if (ctx.json) throw new UsageError("callq work is interactive and has no --json; scripts use 'callq next --json' and 'callq log ... --json'.");
  const store = await openContextStore(ctx);
  const stop = new AbortController();
  const end = (why: EndReason) => () => stop.abort(why);
  const signals: [NodeJS.Signals, () => void][] = [['SIGINT', end('interrupt')], ['SIGTERM', end('hangup')]];
  for (const [sig, fn] of signals) process.on(sig, fn);
  // SIGHUP, the end of input or a failed write: the terminal closed.
  const terminal = watchTerminal(ctx, end('hangup'));

  let session: Session | undefined;
  let why: EndReason;
  let unanswered = false;
  try {
    session = new Session(ctx, store.rep, await store.rep.loadSettings(), opts.filters, stop.signal);
    why = await untilStopped(session.work(), stop.signal, () => (unanswered = true));
  } catch (err) {
    if (!(err instanceof SessionEnded)) throw err;
    why = err.why;
  } finally {
    try {
      // Giving the lead back waits behind the step under way: none if that never answered.
      if (!(await settlesWithin(session?.close() ?? Promise.resolve(), unanswered ? 0 : SHUTDOWN_WAIT_MS))) unanswered = true;
    } finally {
      // A PostgreSQL store drops a connection whose server does not say goodbye (PgConnection.close).
      await store.close();
    }
    for (const [sig, fn] of signals) process.off(sig, fn);
    terminal.close();
  }
  if (why === 'hangup') {
    // A stderr that is not the terminal (a pipe) may have nobody left to read it either: a failed write must not turn into a crash.
    ctx.stderr.on('error', () => {});
  }
  const summary =
    session!.summary() +
    (unanswered
      ? ` The database did not answer within ${SHUTDOWN_WAIT_MS / 1000} s: what was being saved may or may not have been (callq show LEAD tells), and a lead not given back returns to the queue when its claim lapses.`
      : '');
  if (why === 'quit') {
    printData(ctx, `\n${summary}`);
    return;
  }
  throw new InterruptedError(why === 'hangup' ? `the terminal closed or callq was stopped. ${summary}` : `interrupted (Ctrl-C). ${summary}`);
}

/**
 * `work` until it settles; once `signal` aborts, at most SHUTDOWN_WAIT_MS more (then
 * SessionEnded, after `gaveUp`): a step waiting on a database that no longer answers does not
 * hold the rep's terminal.
 */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal, gaveUp: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => {
        gaveUp();
        reject(new SessionEnded(signal.reason as EndReason));
      }, SHUTDOWN_WAIT_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    work.then(
      (value) => (settle(), resolve(value)),
      (err) => (settle(), reject(err)),
    );
  });
}

class Session {
  private readonly screen: WorkScreen;
  private readonly c: ChalkInstance;
  private readonly clock: () => Date;
  private tally: SessionTally;
  private claim: Claim | null = null;
  /** Leads skipped in this session, in the order skipped: not served again while the queue has others. */
  private skipped: number[] = [];
  /** What to say above the next card or empty queue (a lead given back when its hours closed). */
  private notices: string[] = [];
  private released: number | null = null;
  private readonly renewal: NodeJS.Timeout;
  /** The store operations in order: the renewal timer's never overlaps another on the one connection. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: Context,
    private readonly store: RepStore,
    private readonly settings: Settings,
    private readonly filters: QueueFilters,
    stop: AbortSignal,
  ) {
    // With --now the clock stands still: every claim and save happens at that instant (tests, demos).
    this.clock = ctx.clock;
    this.tally = newTally(this.clock());
    this.c = paint(ctx, ctx.stdout);
    this.screen = new WorkScreen(this.c, ctx.stdout, ctx.stdin, stop, settings, viewerZone());
    // A rep may sit on a card longer than the lease: keep the claim alive while it is on screen.
    this.renewal = setInterval(() => void this.renew().catch(() => {}), Math.max(1000, delayMs(settings.lease) / 3));
    this.renewal.unref();
  }

  /** Runs until the rep quits (returns) or the session is stopped (throws SessionEnded). */
  async work(): Promise<EndReason> {
    let message = '';
    /** Why the queue was empty, as said when the wait began; null while leads are served. */
    let explained: EmptyQueue | null = null;
    for (;;) {
      const { claim, round } = await this.claimNext();
      this.claim = claim;
      for (const notice of this.notices.splice(0)) message += `${message ? '\n' : ''}${notice}`;
      if (round) message += `${message ? '\n' : ''}Only leads you skipped are left to call: they come round again.`;
      if (!this.claim) {
        // Explained once when the wait begins, and again only once the time it gave for the next
        // lead has passed with nothing served: an explanation counts every waiting lead (a second
        // and more on a million leads), and each check is a claim, which serves anything callable.
        const untilOpen = (e: EmptyQueue) => (e.next_open ? Date.parse(e.next_open) - this.clock().getTime() : POLL_MS);
        if (explained === null || untilOpen(explained) <= 0) {
          const empty = await this.op(() => this.store.explainEmptyQueue(this.clock(), this.settings, this.ctx.rep, this.filters));
          if (explained === null) {
            await this.screen.emptyQueue(this.header(), message, describeEmptyQueue(empty, describeFilters(this.filters), viewerZone()));
            message = '';
          }
          explained = empty;
        }
        await this.screen.waitForLead(Math.min(POLL_MS, Math.max(1000, untilOpen(explained))));
        continue;
      }
      explained = null;
      const outcome = await this.workLead(this.claim, message);
      message = outcome.message;
      if (outcome.skipped) this.skipped.push(outcome.skipped);
    }
  }

  /**
   * The best lead not skipped in this session. When only skipped leads are left they come round
   * again (`round`), in the queue's order, the one just skipped not straight away: a rep who has
   * skipped everything else would rather see them again than an empty queue.
   */
  private async claimNext(): Promise<{ claim: Claim | null; round: boolean }> {
    const claim = async (exclude: number[]) => {
      const served = await this.op(() => claimToServe(this.store, this.clock(), this.settings, this.ctx.rep, { ...this.filters, exclude }));
      if (served.gaveBack) this.notices.push(closedNotice(served.gaveBack));
      return served.claim;
    };
    const fresh = await claim(this.skipped);
    if (fresh || this.skipped.length === 0) return { claim: fresh, round: false };
    const again = (this.skipped.length > 1 ? await claim(this.skipped.slice(-1)) : null) ?? (await claim([]));
    // A new round starts only with a lead served: skipped leads that cannot be called now stay skipped.
    if (again) this.skipped = [];
    return { claim: again, round: again !== null };
  }

  /** One lead until it is saved, skipped or lost. */
  private async workLead(claim: Claim, message: string): Promise<{ message: string; skipped?: number }> {
    const lead = claim.lead;
    const name = `#${lead.id} ${nameToShow(lead) || '(no name)'}`;
    for (;;) {
      this.screen.drawCard(this.header(), message, await this.card(claim));
      message = '';
      const action = await this.screen.chooseAction();
      switch (action.type) {
        case 'redraw':
          continue;
        case 'quit':
          throw new SessionEnded('quit');
        case 'history':
          await this.screen.showPage(this.header(), historyText(lead, await this.op(() => this.store.callsForLead(lead.id)), viewerZone(), this.c));
          continue;
        case 'help':
          await this.screen.showPage(this.header(), helpText(this.screen.keys, this.settings.dispositions, this.c));
          continue;
        case 'skip':
          await this.op(() => this.store.release(lead.id, this.ctx.rep, this.clock()));
          this.claim = null;
          this.tally = countSkip(this.tally);
          return { message: `Skipped ${name}; it is back in the queue.`, skipped: lead.id };
        case 'disposition': {
          // Say so before the rep types answers that could not be saved.
          if (!(await this.renew())) return this.lost(name, lead.id);
          const follow = await this.screen.askFollowUps(lead, action.disposition, action.withNote, this.clock);
          if (!follow) {
            message = 'Back to the card; nothing was saved.';
            continue;
          }
          const saved = await this.save(claim, action.disposition.name, follow);
          if (saved.retry) {
            message = saved.message;
            continue;
          }
          return { message: saved.message };
        }
      }
    }
  }

  /** One transaction through logOutcome, with the claim token so a lost claim is refused. */
  private async save(claim: Claim, disposition: string, f: FollowUp): Promise<{ message: string; retry?: boolean }> {
    const name = `#${claim.lead.id} ${nameToShow(claim.lead) || '(no name)'}`;
    if (!(await this.renew())) return this.lost(name, claim.lead.id);
    try {
      const result = await this.op(() => logOutcome(this.store, { rep: this.ctx.rep, now: this.clock(), viewerZone: viewerZone() }, {
        leadId: claim.lead.id,
        disposition,
        note: f.note,
        at: f.at?.toISOString(),
        until: f.until?.toISOString(),
        reason: f.reason,
        answers: f.answers,
        force: false,
        token: claim.token,
      }));
      this.claim = null;
      this.tally = countOutcome(this.tally, { contact: result.plan.contact, status: result.plan.status });
      const more = result.alsoSuppressed ? ` ${result.alsoSuppressed} other lead(s) with the same phone or email moved to do-not-call.` : '';
      return { message: `✓ Saved ${disposition} for ${name}: ${result.plan.summary}.${more}` };
    } catch (err) {
      if (err instanceof ConflictError) {
        this.claim = null;
        return this.lost(name, claim.lead.id);
      }
      // A refused value (e.g. a rule the prompts did not foresee): the claim is kept, the rep can choose again.
      if (err instanceof UsageError) return { message: `✗ Not saved: ${err.message}`, retry: true };
      throw err;
    }
  }

  /** Runs one store operation once those before it are done. */
  private op<T>(work: () => Promise<T>): Promise<T> {
    const run = this.pending.then(work, work);
    this.pending = run.catch(() => {});
    return run;
  }

  /** Why the claim on `leadId` was lost, in words: do-not-call now, or expired or taken. */
  private async lost(name: string, leadId: number): Promise<{ message: string }> {
    const lead = await this.op(() => this.store.getLead(leadId));
    return { message: `${name}: ${lead?.status === 'do-not-call' ? doNotCallNow(leadId) : LOST}` };
  }

  /** Extends the claim on screen; false (and forgotten) when it was lost. */
  private async renew(): Promise<boolean> {
    if (!this.claim) return false;
    const claim = this.claim;
    if (await this.op(() => this.store.renew(claim.lead.id, this.ctx.rep, claim.token, this.clock(), this.settings))) return true;
    if (this.claim === claim) this.claim = null;
    return false;
  }

  private header(): string {
    return this.screen.headerLine(this.ctx.rep, this.tally, this.clock());
  }

  private async card(claim: Claim): Promise<string> {
    const zones = leadZones(claim.lead);
    const calls = await this.op(() => this.store.callsForLead(claim.lead.id, 3));
    const sharing = await this.op(() => this.store.sharingNumber(claim.lead, SHARERS_NAMED + 1));
    // Null outside the lead's calling hours (windowCloses), so it says both.
    const hoursClose = zones.length > 0 ? windowCloses(zones, this.clock(), this.settings.hours) : null;
    return renderCard(
      claim.lead,
      {
        now: this.clock(),
        why: describeReason(claim.reason),
        total: claim.total,
        calls,
        sharing,
        insideHours: hoursClose !== null,
        hoursClose,
        notice: claim.reason === 'held' ? 'You already held this lead (from an earlier session or callq next).' : undefined,
        viewerZone: viewerZone(),
        columns: this.ctx.stdout.columns,
      },
      this.c,
    );
  }

  /** Stops renewing and gives back the lead on screen, if any. */
  async close(): Promise<void> {
    clearInterval(this.renewal);
    const claim = this.claim;
    this.claim = null;
    if (claim && (await this.op(() => this.store.release(claim.lead.id, this.ctx.rep, this.clock())))) this.released = claim.lead.id;
  }

  summary(): string {
    const t = this.tally;
    const back = this.released === null ? 'You hold no lead.' : `Lead #${this.released} is back in the queue; nothing was saved for it.`;
    const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
    return `Session: ${n(t.dials, 'dial')}, ${n(t.contacts, 'contact')}, ${t.salesReady} sales-ready, ${t.skipped} skipped. ${back}`;
  }
}
