import { describe, expect, it } from 'vitest';
import { anotherPersonAtPhone, externalIdentity, externalIdSystem, isDoNotCallFlag, isRowCounter, phoneIdentity, splitPhoneIdentity, type PersonNames } from '../../src/core/identity.js';

const lines = (ids: string[], first = 2) => ids.map((id, i) => ({ id, line: first + i }));

describe('isRowCounter', () => {
  it.each([
    ['1..n from the first data line', lines(['1', '2', '3', '4']), true],
    ['0..n', lines(['0', '1', '2']), true],
    ['one row numbered 1', lines(['1']), true],
    ['a gap where a line was skipped', [{ id: '1', line: 2 }, { id: '3', line: 4 }], true],
    ['a record spanning two lines', [{ id: '1', line: 2 }, { id: '2', line: 4 }], true],
    ['starting after a rejected row', [{ id: '2', line: 3 }, { id: '3', line: 4 }], true],
    ['ids starting above the line number', lines(['1001', '1002', '1003']), false],
    ['steps larger than the lines between', [{ id: '1', line: 2 }, { id: '5', line: 3 }], false],
    ['not increasing', lines(['1', '3', '2']), false],
    ['a repeat', lines(['1', '1']), false],
    ['leading zeros', lines(['01', '02']), false],
    ['letters', lines(['A1', 'A2']), false],
    ['nothing to look at', [], false],
  ])('%s', (_what, sample, expected) => {
    expect(isRowCounter(sample)).toBe(expected);
  });
});

describe('externalIdSystem', () => {
  it.each([
    ['recordid', ['5012345'], { system: 'hubspot', from: 'header' }],
    ['hubspotid', [], { system: 'hubspot', from: 'header' }],
    ['personid', ['17'], { system: 'pipedrive', from: 'header' }],
    ['apollocontactid', ['5f1a'], { system: 'apollo', from: 'header' }],
    ['zoominfocontactid', ['123'], { system: 'zoominfo', from: 'header' }],
    ['leadid', ['00Q5e00000AbCdEFGH', '00Q5e00000AbCdE'], { system: 'salesforce', from: 'values' }],
    ['contactid', ['0035e00000AbCdEFGH'], { system: 'salesforce', from: 'values' }],
    ['leadid', ['00Q5e00000AbCdEFGH', 'L-17'], { system: 'leadid', from: 'header' }],
    ['vendorid', ['V-1'], { system: 'vendorid', from: 'header' }],
    ['', ['x'], { system: 'id', from: 'header' }],
  ])('%s %j', (header, sample, expected) => {
    expect(externalIdSystem(header, sample)).toEqual(expected);
  });
});

describe('identity keys', () => {
  it.each([
    ['+12127363001', null, '+12127363001'],
    ['+12127363001', '101', '+12127363001;ext=101'],
  ])('%s ext %s', (phone, ext, key) => {
    expect(phoneIdentity(phone, ext)).toBe(key);
    expect(splitPhoneIdentity(key)).toEqual({ phone, ext });
  });

  it('qualifies an id by its system', () => {
    expect(externalIdentity('hubspot', '1')).not.toBe(externalIdentity('pipedrive', '1'));
    expect(externalIdentity(null, '1')).toBe(':1');
  });
});

describe('isDoNotCallFlag', () => {
  it.each(['true', 'TRUE', '1', 'yes', 'Y', 'x', 'X', ' checked '])('%j is set', (v) => expect(isDoNotCallFlag(v)).toBe(true));
  it.each(['false', '0', 'no', 'n', '', 'maybe', null])('%j is not', (v) => expect(isDoNotCallFlag(v)).toBe(false));
});

describe('anotherPersonAtPhone', () => {
  const p = (first_name: string | null, email: string | null, external_id: string | null = null, external_system: string | null = 'apollo'): PersonNames => ({
    first_name,
    email,
    external_id,
    external_system: external_id === null ? null : external_system,
  });
  it.each([
    ['a colleague: another first name and personal e-mail', p('Olivia', 'olivia@thames.example'), p('James', 'james@thames.example'), true],
    ['a colleague: another first name and record of the same system', p('Olivia', null, 'a1'), p('Siobhán', null, 'a2'), true],
    ["a CRM's second record of one person (same name)", p('Ann', 'ann@summit.example', 'CRM-1001'), p('ann ', null, 'CRM-1003'), false],
    ['the same record, whatever it says now', p('Olivia', 'olivia@thames.example', 'a1'), p('Liv', 'liv@thames.example', 'a1'), false],
    ['another first name alone (Bob, Robert) says too little', p('Bob', null), p('Robert', null), false],
    ['records of two systems say nothing of each other', p('Bob', null, '5012345', 'hubspot'), p('Robert', null, '777', 'pipedrive'), false],
    ['a shared mailbox is no evidence', p('Aiko', 'info@tokai.example'), p('Yuki', 'yuki@tokai.example'), false],
    ['no first name on one side', p(null, 'a@x.example'), p('Yuki', 'yuki@x.example'), false],
  ])('%s', (_, lead, row, expected) => {
    expect(anotherPersonAtPhone(lead, row)).toBe(expected);
    expect(anotherPersonAtPhone(row, lead)).toBe(expected);
  });
});
