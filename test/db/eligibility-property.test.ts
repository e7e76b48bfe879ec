// One meaning of "callable now". The queue (src/db/queue.ts, SQL over many leads) and `callq why`
// (src/core/eligibility.ts, one lead in TypeScript) state the same rules twice; this checks on
// random leads, settings and instants that they agree:
//   - a lead is in the queue at `now` exactly when judgeLead calls it callable (for the same rep,
//     with the same list/campaign/source filter);
//   - a lead judged callable later, at `callableAt`, is in the queue at that instant and not one
//     millisecond before;
//   - an empty queue's "next callable at" is the earliest callableAt of any lead;
//   - a claim takes a lead judged callable, and finds one whenever there is one.
// Real SQLite: one database file for the whole run, emptied between cases. Leads are written as
// rows (states an outcome or import could leave), then random calls are logged on them through the
// product's outcome code; settings go through the settings table, suppressions the way
// `callq dnc add` applies them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../src/db/open.js';
import { loadSettings, storeSetting } from '../../src/db/settings.js';
import { getLead } from '../../src/db/leads.js';
import { addSuppressions, suppressionMatcher } from '../../src/db/suppressions.js';
import { parseAltPhones, recordOutcome, suppressMatchingLeads } from '../../src/db/outcomes.js';
import { planOutcome } from '../../src/core/outcome.js';
import { ConflictError, UsageError } from '../../src/core/errors.js';
import { claimNextLead, explainEmptyQueue, queueCandidates, type QueueFilters } from '../../src/db/queue.js';
import { judgeLead } from '../../src/core/eligibility.js';
import { validateSetting, type Settings } from '../../src/core/settings.js';
import { suppressionKey } from '../../src/core/suppression.js';
import { STATUSES } from '../../src/core/lifecycle.js';
import { tempDir } from '../helpers.js';

/** Cases per run; CALLQ_PROPERTY_RUNS raises it for a longer hunt. */
const RUNS = Number(process.env.CALLQ_PROPERTY_RUNS ?? 400);

const REPS = ['ana', 'ben', 'cy'];
// Whole-hour, half-hour and 45-minute offsets, both hemispheres' DST, Lord Howe's 30-minute DST,
// a zone with no DST beside ones with it, and the date line.
const ZONES = [
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'Pacific/Honolulu',
  'America/St_Johns', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe',
  'Pacific/Chatham', 'Pacific/Kiritimati', 'America/Sao_Paulo',
];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const LISTS = ['q4', 'Q4', 'webinar'];
const DOMAINS = ['acme.com', 'example.org'];
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** An offset from `now`: exact ties, a millisecond either side, minutes, hours, days, weeks. */
const offset = fc.oneof(
  fc.constantFrom(0, 1, -1),
  fc.integer({ min: -120, max: 120 }).map((m) => m * MIN),
  fc.integer({ min: -72, max: 72 }).map((h) => h * HOUR),
  fc.integer({ min: -40 * DAY, max: 40 * DAY }),
);
const optionalOffset = fc.option(offset, { nil: null, freq: 2 });

const zoneGroup = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 5, arbitrary: fc.constantFrom(...ZONES) },
  { weight: 2, arbitrary: fc.uniqueArray(fc.constantFrom(...ZONES), { minLength: 2, maxLength: 3 }).map((z) => [...z].sort().join(',')) },
  // Neighbouring zones, whose windows overlap most of the day.
  { weight: 2, arbitrary: fc.constantFrom('America/Chicago,America/New_York', 'America/Denver,America/Los_Angeles', 'America/Chicago,America/Denver') },
);

interface LeadSpec {
  status: string;
  timezone: string | null;
  attemptsSinceContact: number;
  extraAttempts: number;
  lastCall: number | null;
  nextEligible: number | null;
  callbackAt: number;
  callbackRep: string | null;
  nurture: number;
  claim: { rep: string; expires: number } | null;
  inbound: number | null;
  score: number;
  list: string;
  domain: string;
  /** Outcomes logged before `now` (minutes before it), through the product's own outcome code. */
  calls: { disposition: string; minutesBefore: number; rep: string; ahead: number }[];
}

const leadSpec: fc.Arbitrary<LeadSpec> = fc.record({
  status: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('new', 'working', 'callback', 'nurture') }, { weight: 1, arbitrary: fc.constantFrom(...STATUSES) }),
  timezone: zoneGroup,
  attemptsSinceContact: fc.integer({ min: 0, max: 10 }),
  extraAttempts: fc.integer({ min: 0, max: 3 }),
  lastCall: optionalOffset.map((o) => (o === null ? null : -Math.abs(o))),
  nextEligible: optionalOffset,
  callbackAt: offset,
  callbackRep: fc.option(fc.constantFrom(...REPS), { nil: null, freq: 6 }),
  nurture: offset,
  claim: fc.option(fc.record({ rep: fc.constantFrom(...REPS), expires: offset }), { nil: null, freq: 2 }),
  inbound: fc.option(fc.integer({ min: -6 * HOUR, max: 0 }), { nil: null, freq: 3 }),
  score: fc.integer({ min: 0, max: 100 }),
  list: fc.constantFrom(...LISTS),
  domain: fc.constantFrom(...DOMAINS),
  calls: fc.array(
    fc.record({
      disposition: fc.constantFrom('no-answer', 'busy', 'voicemail', 'gatekeeper', 'callback', 'nurture', 'bad-number'),
      minutesBefore: fc.integer({ min: 0, max: 4 * 24 * 60 }),
      rep: fc.constantFrom(...REPS),
      /** For a callback or nurture: how far ahead of the call, in minutes. */
      ahead: fc.integer({ min: 1, max: 3 * 24 * 60 }),
    }),
    { maxLength: 3 },
  ),
});

// Each inside what `config set` accepts (a start before 21:00, an end after 08:00); a start at or
// after the end leaves no calling hours at all.
const startClock = fc.constantFrom('00:00', '07:30', '08:00', '09:00', '09:30', '12:00', '17:00', '20:45');
const endClock = fc.constantFrom('08:30', '09:00', '12:00', '17:00', '20:45', '21:00', '23:59');
const settingsSpec = fc.record({
  days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
  start: startClock,
  end: endClock,
  /** Holidays as day offsets from `now` (in UTC dates), written yearly or dated. */
  holidays: fc.array(fc.record({ days: fc.integer({ min: -2, max: 10 }), yearly: fc.boolean() }), { maxLength: 3 }),
  maxAttempts: fc.integer({ min: 1, max: 10 }),
  maxPerDay: fc.integer({ min: 1, max: 3 }),
  minGap: fc.constantFrom('30m', '1h', '3h'),
  grace: fc.constantFrom('0m', '1m', '15m', '2h', '1d'),
});

const caseSpec = fc.record({
  // 2026–2027: both DST changes of every zone above, and the turn of the year.
  now: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }),
  leads: fc.array(leadSpec, { minLength: 1, maxLength: 14 }),
  settings: settingsSpec,
  rep: fc.constantFrom(...REPS),
  filter: fc.option(fc.constantFrom('q4', 'webinar'), { nil: undefined, freq: 3 }),
  /** Leads whose phone is put on the do-not-call list, and domains put on it. */
  suppressPhones: fc.array(fc.nat(13), { maxLength: 2 }),
  suppressDomains: fc.array(fc.constantFrom(...DOMAINS, 'elsewhere.net'), { maxLength: 1 }),
});
type Case = typeof caseSpec extends fc.Arbitrary<infer T> ? T : never;

let dir: string;
let cleanup: () => void;
let db: DB;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  db = openDatabase(join(dir, 'eligibility.db'), { create: true });
});
afterAll(() => {
  db.close();
  cleanup();
});

const iso = (ms: number) => new Date(ms).toISOString();

function setUp(c: Case): Settings {
  db.exec('DELETE FROM calls; DELETE FROM leads; DELETE FROM lead_zones; DELETE FROM suppressions; DELETE FROM settings;');
  const now = new Date(c.now);
  const s = c.settings;
  const dateKey = (days: number) => iso(c.now + days * DAY).slice(0, 10);
  const values: Record<string, string> = {
    'hours.days': s.days.map((d) => DAY_NAMES[d]).join(','),
    'hours.start': s.start,
    'hours.end': s.end,
    'hours.holidays': s.holidays.map((h) => (h.yearly ? dateKey(h.days).slice(5) : dateKey(h.days))).join(','),
    'max-attempts': String(s.maxAttempts),
    'max-per-day': String(s.maxPerDay),
    'min-gap': s.minGap,
    'callback.grace': s.grace,
  };
  for (const [key, value] of Object.entries(values)) storeSetting(db, key, validateSetting(key, value), 'ops', now);

  const insert = db.prepare(
    `INSERT INTO leads(id, first_name, phone, email, timezone, timezone_source, source, campaign, list, score, status,
       attempts, contacts, attempts_since_contact, last_call_at, last_disposition, next_eligible_at, callback_at, callback_rep,
       nurture_until, claim_rep, claim_token, claim_expires_at, closed_at, inbound_at, queue_rank, created_at, updated_at)
     VALUES (@id, 'Lead', @phone, @email, @timezone, 'column', @list, @list, @list, @score, @status,
       @attempts, @contacts, @since, @last, @lastDisposition, @next, @callback, @callbackRep,
       @nurture, @claimRep, @claimToken, @claimExpires, @closed, @inbound, @score, @created, @created)`,
  );
  c.leads.forEach((l, i) => {
    insert.run({
      id: i + 1,
      phone: `+1212555${String(1000 + i)}`,
      email: `lead${i}@${l.domain}`,
      timezone: l.timezone,
      list: l.list,
      score: l.score,
      status: l.status,
      attempts: l.attemptsSinceContact + l.extraAttempts,
      contacts: l.extraAttempts ? 1 : 0,
      since: l.attemptsSinceContact,
      last: l.lastCall === null ? null : iso(c.now + l.lastCall),
      lastDisposition: l.lastCall === null ? null : 'no-answer',
      next: l.nextEligible === null ? null : iso(c.now + l.nextEligible),
      // A callback always has its time; no other status keeps one (an outcome clears it).
      callback: l.status === 'callback' ? iso(c.now + l.callbackAt) : null,
      callbackRep: l.status === 'callback' ? l.callbackRep : null,
      nurture: l.status === 'nurture' ? iso(c.now + l.nurture) : null,
      claimRep: l.claim?.rep ?? null,
      claimToken: l.claim ? `token${i}` : null,
      claimExpires: l.claim ? iso(c.now + l.claim.expires) : null,
      closed: ['new', 'working', 'callback', 'nurture'].includes(l.status) ? null : iso(c.now - DAY),
      inbound: l.inbound === null ? null : iso(c.now + l.inbound),
      created: iso(c.now - 30 * DAY),
    });
  });
  // Calls logged before now, oldest first, as `callq log --force` records them: the stored retry
  // time then comes from the random settings (retry delays, min-gap, max-per-day, max-attempts).
  const calls = c.leads.flatMap((l, i) => l.calls.map((call) => ({ ...call, id: i + 1 }))).sort((a, b) => b.minutesBefore - a.minutesBefore);
  for (const call of calls) logCall(call.id, call, new Date(c.now - call.minutesBefore * MIN));
  // As `callq dnc add` does: the entries, and every matching lead moved to do-not-call.
  const phones = c.suppressPhones.filter((k) => k < c.leads.length).map((k) => `+1212555${String(1000 + k)}`);
  const keys = [...phones.map((p) => suppressionKey('phone', p)), ...c.suppressDomains.map((d) => suppressionKey('domain', d))];
  addSuppressions(db, keys, 'asked', 'test', now);
  suppressMatchingLeads(db, phones, [], c.suppressDomains, now);
  return loadSettings(db);
}

let logged = 0;
function logCall(id: number, call: LeadSpec['calls'][number], at: Date): void {
  const settings = loadSettings(db);
  const disposition = settings.dispositions.find((d) => d.name === call.disposition)!;
  const later = new Date(at.getTime() + call.ahead * MIN);
  try {
    recordOutcome(db, { leadId: id, rep: call.rep, now: at, force: true }, settings, (lead) =>
      planOutcome(
        { ...lead, alt_phones: parseAltPhones(lead.alt_phones), zones: lead.timezone ? lead.timezone.split(',') : [] },
        { disposition, answers: {}, rep: call.rep, viewerZone: 'UTC', at: later, until: later },
        at,
        settings,
      ),
    );
    logged++;
  } catch (err) {
    // Refused as it would be at the command line: a colleague's claim, a closed lead, a callback
    // outside hours. Nothing was recorded.
    if (!(err instanceof UsageError || err instanceof ConflictError)) throw err;
  }
}

/** Lead ids judgeLead calls callable for `rep` at `at` (as `callq why` judges them), within the filter. */
function judged(c: Case, settings: Settings, at: Date, rep: string, filters: QueueFilters) {
  const match = suppressionMatcher(db);
  const verdicts = new Map<number, ReturnType<typeof judgeLead>>();
  for (let id = 1; id <= c.leads.length; id++) {
    const lead = getLead(db, id)!;
    const hit = match({ phone: lead.phone, alt_phones: parseAltPhones(lead.alt_phones), email: lead.email });
    const inFilter = filters.list === undefined || lead.list?.toLowerCase() === filters.list.toLowerCase();
    if (inFilter) verdicts.set(id, judgeLead(lead, at, settings, rep, hit ? `${hit.kind} ${hit.value}` : null));
  }
  return verdicts;
}

const queued = (settings: Settings, at: Date, rep: string, filters: QueueFilters) =>
  queueCandidates(db, at, settings, rep, filters, 1000)
    .map((e) => e.lead.id)
    .sort((a, b) => a - b);

const describeCase = (c: Case, at: Date) => `at ${at.toISOString()} for ${c.rep}, leads ${JSON.stringify(db.prepare('SELECT * FROM leads').all())}`;

describe('the queue and judgeLead agree on who is callable', () => {
  it(`on ${RUNS} random cases`, () => {
    let checkedLater = 0;
    fc.assert(
      fc.property(caseSpec, (c) => {
        const settings = setUp(c);
        const now = new Date(c.now);
        const filters: QueueFilters = c.filter === undefined ? {} : { list: c.filter };
        const verdicts = judged(c, settings, now, c.rep, filters);
        const callable = [...verdicts].filter(([, v]) => v.callable).map(([id]) => id);
        expect(queued(settings, now, c.rep, filters), describeCase(c, now)).toEqual(callable);

        // Each lead that becomes callable later does so at callableAt, and not a millisecond before.
        for (const [id, v] of verdicts) {
          if (v.callable || !v.callableAt) continue;
          const at = v.callableAt;
          expect(at.getTime()).toBeGreaterThan(c.now);
          expect(queued(settings, at, c.rep, filters), `lead ${id} callable at ${at.toISOString()} per judgeLead; ${describeCase(c, at)}`).toContain(id);
          const before = new Date(at.getTime() - 1);
          expect(queued(settings, before, c.rep, filters), `lead ${id} not callable before ${at.toISOString()}; ${describeCase(c, before)}`).not.toContain(id);
          checkedLater++;
        }

        // An empty queue says when it next serves someone: the first callableAt of any lead.
        if (callable.length === 0) {
          const first = [...verdicts.values()].reduce<number | null>((t, v) => (v.callableAt && (t === null || v.callableAt.getTime() < t) ? v.callableAt.getTime() : t), null);
          expect(explainEmptyQueue(db, now, settings, c.rep, filters).next_open, describeCase(c, now)).toBe(first === null ? null : iso(first));
        }

        // The claim: the lead the rep holds, if any; else a callable lead, or none when none is.
        const holding = db.prepare('SELECT id FROM leads WHERE claim_rep = ? AND claim_expires_at > ?').pluck().all(c.rep, now.toISOString());
        const claim = claimNextLead(db, now, settings, c.rep, filters);
        if (holding.length) expect(claim?.reason === 'held' && holding.includes(claim.lead.id)).toBe(true);
        else if (claim) expect(callable).toContain(claim.lead.id);
        else expect(callable).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // The generator must reach the interesting part: leads that become callable later.
    expect(checkedLater).toBeGreaterThan(RUNS / 4);
    expect(logged).toBeGreaterThan(RUNS / 4);
    console.log(`${RUNS} cases: ${checkedLater} leads checked at their callableAt, ${logged} calls logged`);
  }, 600_000);
});
