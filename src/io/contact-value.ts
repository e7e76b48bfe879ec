// What ops type or list for the do-not-call list and `forget`: a phone, an email, or '@domain'.
import { normalisePhone } from './phone.js';
import { suppressionKey, type SuppressionKey } from '../core/suppression.js';
import { phoneIdentity } from '../core/identity.js';
import { normaliseEmail } from './lead-record.js';

const DOMAIN_RE = /^@?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** `text` with control and invisible characters shown as \u{…}, for messages. */
function printable(text: string): string {
  return text.replace(/\p{C}/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

export type ContactValue = { ok: true; key: SuppressionKey } | { ok: false; problem: string };

/** Classifies and normalises one value; phones are read with `defaultCountry` unless they start with +. */
export function parseContactValue(text: string, defaultCountry: string): ContactValue {
  const value = text.trim();
  if (value === '') return { ok: false, problem: 'empty value' };
  if (value.startsWith('@')) {
    const domain = value.toLowerCase();
    return DOMAIN_RE.test(domain) ? { ok: true, key: suppressionKey('domain', domain) } : { ok: false, problem: `'${printable(value)}' is not a domain like @example.com` };
  }
  if (value.includes('@')) {
    // The rule the import reads e-mails by, so that an entry matches the leads it names.
    const email = normaliseEmail(value);
    return email !== null ? { ok: true, key: suppressionKey('email', email) } : { ok: false, problem: `'${printable(value)}' is not a valid email address` };
  }
  const phone = normalisePhone(value, defaultCountry);
  // '212-736-3001 x101' is the person at that extension; the bare number covers every extension.
  return phone.ok ? { ok: true, key: suppressionKey('phone', phoneIdentity(phone.e164, phone.ext)) } : { ok: false, problem: phone.detail };
}
