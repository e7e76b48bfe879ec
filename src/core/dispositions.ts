// Dispositions (docs/outcomes.md): what a rep can record, and the effect each one has.
// The team may edit the list through settings (`disposition.NAME = "KIND [contact|no-contact]"`),
// choosing the effect of a new one from the built-in kinds below.

export const DISPOSITION_KINDS = [
  'retry', // try again after a delay (retry.NAME or the disposition's own after=)
  'bad-number', // next alternate phone, else disqualify (bad-data)
  'callback', // needs --at; comes back to this rep, then to anyone after callback.grace
  'nurture', // needs --until; back in the queue then
  'not-interested', // disqualified, reason not-interested
  'disqualify', // needs --reason from the reason list
  'do-not-call', // suppress phone and email at once, forever
  'qualified', // sales-ready; needs the qualification answers and a hand-off note
] as const;

export type DispositionKind = (typeof DISPOSITION_KINDS)[number];

export interface Disposition {
  name: string;
  kind: DispositionKind;
  /** Whether a person was reached (counts as a contact; resets the no-contact exhaustion count). */
  contact: boolean;
  /** Retry delay for kind 'retry' when no retry.NAME setting exists, e.g. '3d'. */
  after?: string;
}

export const DEFAULT_DISPOSITIONS: readonly Disposition[] = [
  { name: 'no-answer', kind: 'retry', contact: false },
  { name: 'busy', kind: 'retry', contact: false },
  { name: 'voicemail', kind: 'retry', contact: false },
  { name: 'gatekeeper', kind: 'retry', contact: true },
  { name: 'bad-number', kind: 'bad-number', contact: false },
  { name: 'callback', kind: 'callback', contact: true },
  { name: 'nurture', kind: 'nurture', contact: true },
  { name: 'not-interested', kind: 'not-interested', contact: true },
  { name: 'disqualified', kind: 'disqualify', contact: true },
  { name: 'do-not-call', kind: 'do-not-call', contact: true },
  { name: 'qualified', kind: 'qualified', contact: true },
];

export const DEFAULT_RETRY: Readonly<Record<string, string>> = {
  'no-answer': '4h',
  busy: '30m',
  voicemail: '1bd',
  gatekeeper: '2h',
};

export const DEFAULT_REASONS = [
  'no-budget',
  'no-authority',
  'no-need',
  'bad-timing',
  'not-a-fit',
  'competitor',
  'existing-customer',
  'left-company',
  'duplicate',
  'bad-data',
] as const;

/** Parses a `disposition.NAME` setting value: "KIND [contact|no-contact] [after=DELAY]", or "off". */
export function parseDispositionSpec(name: string, value: string): Disposition | 'off' | null {
  const words = value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] === 'off') return 'off';
  const [kind, ...rest] = words;
  if (!(DISPOSITION_KINDS as readonly string[]).includes(kind)) return null;
  const builtIn = DEFAULT_DISPOSITIONS.find((d) => d.kind === kind);
  const disposition: Disposition = { name, kind: kind as DispositionKind, contact: builtIn?.contact ?? false };
  for (const word of rest) {
    if (word === 'contact') disposition.contact = true;
    else if (word === 'no-contact') disposition.contact = false;
    else if (word.startsWith('after=')) disposition.after = word.slice('after='.length);
    else return null;
  }
  return disposition;
}

export function formatDispositionSpec(d: Disposition): string {
  return [d.kind, d.contact ? 'contact' : 'no-contact', d.after ? `after=${d.after}` : ''].filter(Boolean).join(' ');
}
