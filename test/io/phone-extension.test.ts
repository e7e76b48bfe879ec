// Extensions: how they are read from what people type, and that the number stays the same.
import { describe, expect, it } from 'vitest';
import { normalisePhone } from '../../src/io/phone.js';
import { parseContactValue } from '../../src/io/contact-value.js';
import { suppressionKey } from '../../src/core/suppression.js';

describe('extensions', () => {
  it.each([
    ['212-736-3001 x101', '101'],
    ['212-736-3001 x 101', '101'],
    ['(212) 736-3001 X101', '101'],
    ['2127363001x101', '101'],
    ['212-736-3001 ext. 101', '101'],
    ['212-736-3001 ext 101', '101'],
    ['212-736-3001 Ext: 101', '101'],
    ['212-736-3001 extension 101', '101'],
    ['212-736-3001 #101', '101'],
    ['212-736-3001;ext=101', '101'],
    ['tel:+1-212-736-3001;ext=101', '101'],
    ['+1 212 736 3001 ext.101', '101'],
    // A comma is a dialling pause: the digits after it are dialled once the call connects.
    ['212-736-3001, 101', '101'],
    ['212-736-3001 ext. 00101', '00101'],
    ['212-736-3001', undefined],
    ['(212) 736-3001', undefined],
    ['212-736-3001 x', undefined],
  ])('%j → +12127363001 ext %s', (raw, ext) => {
    const r = normalisePhone(raw, 'US');
    expect(r).toEqual(ext === undefined ? { ok: true, e164: '+12127363001' } : { ok: true, e164: '+12127363001', ext });
  });

  it.each([
    ['+44 20 7946 0958 ext 12', 'GB', '+442079460958', '12'],
    ['020 7946 0958 x 7', 'GB', '+442079460958', '7'],
  ])('%j (%s) → %s ext %s', (raw, country, e164, ext) => {
    expect(normalisePhone(raw, country)).toEqual({ ok: true, e164, ext });
  });

  it.each([
    ['212-736-3001, 212-736-3002'],
    ['212-736-3001 x12345678901'],
  ])('%j is not one number with an extension', (raw) => {
    expect(normalisePhone(raw, 'US').ok).toBe(false);
  });

  it('the do-not-call list keeps the extension of what it is given', () => {
    expect(parseContactValue('212-736-3001 x101', 'US')).toEqual({ ok: true, key: suppressionKey('phone', '+12127363001;ext=101') });
    expect(parseContactValue('212-736-3001', 'US')).toEqual({ ok: true, key: suppressionKey('phone', '+12127363001') });
  });
});
