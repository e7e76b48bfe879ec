// The lead life cycle (docs/working.md) as a transition table.
// A transition not listed here is illegal and refused with exit 2, never applied silently.
import { UsageError } from './errors.js';

export const STATUSES = [
  'new',
  'working',
  'callback',
  'nurture',
  'sales-ready',
  'handed-off',
  'disqualified',
  'do-not-call',
  'exhausted',
] as const;

export type LeadStatus = (typeof STATUSES)[number];

/** Statuses whose leads may be served by the queue (when due and inside hours). */
export const CALLABLE_STATUSES: readonly LeadStatus[] = ['new', 'working', 'callback', 'nurture'];

/** Statuses a lead never leaves by an ordinary outcome. */
export const TERMINAL_STATUSES: readonly LeadStatus[] = ['disqualified', 'do-not-call', 'exhausted', 'handed-off'];

const OPEN: readonly LeadStatus[] = ['working', 'callback', 'nurture', 'sales-ready', 'disqualified', 'do-not-call', 'exhausted'];

/** from -> the statuses it may move to. */
export const TRANSITIONS: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  new: OPEN,
  working: OPEN,
  callback: OPEN,
  nurture: OPEN,
  // A sales-ready lead is handed off; it may still ask not to be called, or be found to be a bad fit
  // before the hand-off file is written.
  'sales-ready': ['handed-off', 'disqualified', 'do-not-call'],
  // Sales may still report a do-not-call request after the hand-off.
  'handed-off': ['do-not-call'],
  disqualified: ['do-not-call'],
  exhausted: ['do-not-call'],
  'do-not-call': [],
};

export function isStatus(value: string): value is LeadStatus {
  return (STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: LeadStatus, to: LeadStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a UsageError naming both statuses when the move is not in the table. */
export function assertTransition(from: LeadStatus, to: LeadStatus, leadId?: number): void {
  if (canTransition(from, to)) return;
  const who = leadId === undefined ? 'the lead' : `lead ${leadId}`;
  const allowed = TRANSITIONS[from];
  throw new UsageError(
    `cannot move ${who} from '${from}' to '${to}': ` +
      (allowed.length ? `from '${from}' it can only become ${allowed.map((s) => `'${s}'`).join(', ')}.` : `'${from}' is final.`),
  );
}
