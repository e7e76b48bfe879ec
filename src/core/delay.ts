// Delays as the team writes them in settings: '30m', '4h', '2d', '1w', and business days '1bd'.

export interface Delay {
  /** Plain elapsed milliseconds (for s/m/h/d/w). */
  ms: number;
  /** Business days (for 'bd'), applied in the lead's local calendar. */
  businessDays: number;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DELAY_RE = /^(\d+(?:\.\d+)?)\s*(bd|s|m|h|d|w)$/;

/** Parses '4h', '30m', '1bd', or a combination like '1h30m'. Returns null when unreadable. */
export function parseDelay(text: string): Delay | null {
  const parts = text.trim().toLowerCase().match(/\d+(?:\.\d+)?\s*(?:bd|s|m|h|d|w)/g);
  if (!parts || parts.join('').replace(/\s/g, '') !== text.trim().toLowerCase().replace(/\s/g, '')) return null;
  const delay: Delay = { ms: 0, businessDays: 0 };
  for (const part of parts) {
    const [, amount, unit] = part.match(DELAY_RE)!;
    if (unit === 'bd') delay.businessDays += Number(amount);
    else delay.ms += Number(amount) * UNIT_MS[unit];
  }
  if (!Number.isInteger(delay.businessDays)) return null;
  return delay;
}

export function formatDelay(delay: Delay): string {
  const out: string[] = [];
  if (delay.businessDays) out.push(`${delay.businessDays}bd`);
  let rest = delay.ms;
  for (const [unit, size] of [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s]] as const) {
    const n = Math.floor(rest / size);
    if (n) out.push(`${n}${unit}`);
    rest -= n * size;
  }
  return out.join('') || '0m';
}
