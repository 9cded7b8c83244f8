import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyVariable as v } from './compile-pattern.js';
import { compileCondition, parseOperator } from './conditions.js';
import type { RequestContext } from './context-keys.js';
import { cidrContains, parseCidr, parseIp } from './ip-address.js';

type Row = [operator: string, key: string, values: string | number | boolean | (string | number | boolean)[], context: RequestContext, expected: boolean];

const t = new Date('2026-11-29T12:00:00Z');
const rows: Row[] = [
  ['StringEquals', 'attest:PrincipalType', 'user', { 'attest:PrincipalType': 'user' }, true],
  ['StringEquals', 'attest:PrincipalType', 'user', { 'attest:PrincipalType': 'User' }, false],
  ['StringEquals', 'attest:PrincipalType', ['service', 'user'], { 'attest:PrincipalType': 'user' }, true],
  ['StringEquals', 'attest:PrincipalType', 'user', {}, false],
  ['StringNotEquals', 'attest:PrincipalType', ['service', 'robot'], { 'attest:PrincipalType': 'user' }, true],
  ['StringNotEquals', 'attest:PrincipalType', ['service', 'user'], { 'attest:PrincipalType': 'user' }, false],
  ['StringNotEquals', 'attest:PrincipalType', 'user', {}, true],
  ['StringEqualsIgnoreCase', 'attest:PrincipalType', 'USER', { 'attest:PrincipalType': 'user' }, true],
  ['StringNotEqualsIgnoreCase', 'attest:PrincipalType', 'USER', { 'attest:PrincipalType': 'user' }, false],
  ['StringLike', 'attest:UserAgent', 'attest-cli/*', { 'attest:UserAgent': 'attest-cli/1.2.0' }, true],
  ['StringLike', 'attest:UserAgent', 'attest-cli/?.2.0', { 'attest:UserAgent': 'attest-cli/1.2.0' }, true],
  ['StringLike', 'attest:UserAgent', 'attest-cli/*', { 'attest:UserAgent': 'curl/8' }, false],
  ['StringLike', 'attest:UserAgent', `a${v('*')}b`, { 'attest:UserAgent': 'a*b' }, true],
  ['StringLike', 'attest:UserAgent', `a${v('*')}b`, { 'attest:UserAgent': 'axxb' }, false],
  ['StringNotLike', 'attest:UserAgent', ['curl/*', 'wget/*'], { 'attest:UserAgent': 'attest-cli/1' }, true],
  ['StringNotLike', 'attest:UserAgent', ['curl/*', 'wget/*'], { 'attest:UserAgent': 'curl/8' }, false],
  ['StringLikeIgnoreCase', 'attest:UserAgent', 'ATTEST-*', { 'attest:UserAgent': 'attest-cli/1' }, true],
  ['StringNotLikeIgnoreCase', 'attest:UserAgent', 'ATTEST-*', { 'attest:UserAgent': 'attest-cli/1' }, false],
  ['StringEqualsIfExists', 'attest:TokenScope', 'read-only', {}, true],
  ['StringEqualsIfExists', 'attest:TokenScope', 'read-only', { 'attest:TokenScope': 'admin' }, false],
  ['NumericLessThan', 'attest:Amount', 10, { 'attest:Amount': 9.5 }, true],
  ['NumericLessThan', 'attest:Amount', '10', { 'attest:Amount': 10 }, false],
  ['NumericLessThanEquals', 'attest:Amount', 10, { 'attest:Amount': '10' }, true],
  ['NumericGreaterThan', 'attest:Amount', 10, { 'attest:Amount': 11 }, true],
  ['NumericGreaterThanEquals', 'attest:Amount', 10, { 'attest:Amount': 9 }, false],
  ['NumericEquals', 'attest:Amount', [1, 2, 3], { 'attest:Amount': 2 }, true],
  ['NumericNotEquals', 'attest:Amount', [1, 2, 3], { 'attest:Amount': 4 }, true],
  ['NumericEquals', 'attest:Amount', 1, { 'attest:Amount': 'one' }, false],
  ['DateLessThan', 'attest:CurrentTime', '2026-12-01T00:00:00Z', { 'attest:CurrentTime': t }, true],
  ['DateLessThan', 'attest:CurrentTime', '2026-11-01T00:00:00Z', { 'attest:CurrentTime': t }, false],
  ['DateGreaterThan', 'attest:CurrentTime', '2026-11-01', { 'attest:CurrentTime': t.toISOString() }, true],
  ['DateGreaterThanEquals', 'attest:CurrentTime', t.toISOString(), { 'attest:CurrentTime': t }, true],
  ['DateLessThanEquals', 'attest:CurrentTime', t.toISOString(), { 'attest:CurrentTime': t }, true],
  ['DateEquals', 'attest:CurrentTime', String(t.getTime() / 1000), { 'attest:CurrentTime': t }, true],
  ['DateNotEquals', 'attest:CurrentTime', '2020-01-01', { 'attest:CurrentTime': t }, true],
  ['DateLessThan', 'attest:CurrentTime', '2030-01-01', {}, false],
  ['Bool', 'attest:MfaPresent', 'true', { 'attest:MfaPresent': true }, true],
  ['Bool', 'attest:MfaPresent', true, { 'attest:MfaPresent': 'false' }, false],
  ['BoolIfExists', 'attest:MfaPresent', 'false', {}, true],
  ['IpAddress', 'attest:SourceIp', '10.0.0.0/8', { 'attest:SourceIp': '10.255.0.1' }, true],
  ['IpAddress', 'attest:SourceIp', '10.0.0.0/8', { 'attest:SourceIp': '11.0.0.1' }, false],
  ['IpAddress', 'attest:SourceIp', '192.0.2.7', { 'attest:SourceIp': '192.0.2.7' }, true],
  ['IpAddress', 'attest:SourceIp', '0.0.0.0/0', { 'attest:SourceIp': '203.0.113.9' }, true],
  ['IpAddress', 'attest:SourceIp', '0.0.0.0/0', { 'attest:SourceIp': '2001:db8::1' }, false],
  ['IpAddress', 'attest:SourceIp', '2001:db8::/32', { 'attest:SourceIp': '2001:0DB8:0000::7' }, true],
  ['IpAddress', 'attest:SourceIp', '2001:db8::/32', { 'attest:SourceIp': '2001:db9::7' }, false],
  ['IpAddress', 'attest:SourceIp', 'fe80::/10', { 'attest:SourceIp': 'fe80::1%eth0' }, true],
  ['IpAddress', 'attest:SourceIp', '::1', { 'attest:SourceIp': '::1' }, true],
  ['IpAddress', 'attest:SourceIp', '::/0', { 'attest:SourceIp': '::1' }, true],
  ['IpAddress', 'attest:SourceIp', '10.0.0.0/8', { 'attest:SourceIp': '::ffff:10.1.2.3' }, true],
  ['IpAddress', 'attest:SourceIp', '::ffff:10.0.0.0/104', { 'attest:SourceIp': '10.1.2.3' }, true],
  ['IpAddress', 'attest:SourceIp', '10.0.0.0/8', { 'attest:SourceIp': 'not-an-ip' }, false],
  ['IpAddress', 'attest:SourceIp', '10.0.0.0/8', {}, false],
  ['NotIpAddress', 'attest:SourceIp', ['10.0.0.0/8', 'fd00::/8'], { 'attest:SourceIp': 'fd12::1' }, false],
  ['NotIpAddress', 'attest:SourceIp', ['10.0.0.0/8', 'fd00::/8'], { 'attest:SourceIp': '172.16.0.1' }, true],
  ['NotIpAddress', 'attest:SourceIp', '10.0.0.0/8', {}, true],
  ['NotIpAddressIfExists', 'attest:SourceIp', '10.0.0.0/8', {}, true],
  ['Null', 'attest:TokenScope', 'true', {}, true],
  ['Null', 'attest:TokenScope', 'true', { 'attest:TokenScope': 'ro' }, false],
  ['Null', 'attest:TokenScope', false, { 'attest:TokenScope': 'ro' }, true],
  ['StringEquals', 'attest:PrincipalGroups', 'risk', { 'attest:PrincipalGroups': ['ds', 'risk'] }, true],
  ['StringNotEquals', 'attest:PrincipalGroups', 'risk', { 'attest:PrincipalGroups': ['ds', 'risk'] }, false],
  ['ForAnyValue:StringEquals', 'attest:PrincipalGroups', ['risk', 'audit'], { 'attest:PrincipalGroups': ['ds', 'risk'] }, true],
  ['ForAllValues:StringEquals', 'attest:PrincipalGroups', ['risk', 'audit'], { 'attest:PrincipalGroups': ['ds', 'risk'] }, false],
  ['ForAllValues:StringEquals', 'attest:PrincipalGroups', ['risk', 'ds'], { 'attest:PrincipalGroups': ['ds', 'risk'] }, true],
  ['ForAllValues:StringEquals', 'attest:PrincipalGroups', ['risk'], { 'attest:PrincipalGroups': [] }, true],
  ['ForAnyValue:StringNotEquals', 'attest:PrincipalGroups', ['risk'], { 'attest:PrincipalGroups': ['ds', 'risk'] }, true],
  ['ForAnyValue:StringNotEquals', 'attest:PrincipalGroups', ['risk'], {}, false],
  ['ForAnyValue:StringEquals', 'attest:PrincipalGroups', ['risk'], { 'attest:PrincipalGroups': [] }, false],
  ['ForAnyValue:StringEqualsIfExists', 'attest:PrincipalGroups', ['risk'], {}, true],
  ['ForAllValues:StringNotEquals', 'attest:PrincipalGroups', ['risk'], {}, true],
  ['ForAnyValue:StringLike', 'attest:PrincipalGroups', 'ri*', { 'attest:PrincipalGroups': ['ds', 'risk'] }, true],
  ['StringEquals', 'ATTEST:principaltype', 'user', { 'attest:PrincipalType': 'user' }, true],
  ['StringEquals', 'attest:ResourceCreator', v('attest:PrincipalId'), { 'attest:ResourceCreator': 'usr_a', 'attest:PrincipalId': 'usr_a' }, true],
  ['StringEquals', 'attest:ResourceCreator', v('attest:PrincipalId'), { 'attest:ResourceCreator': 'usr_a' }, false],
  ['StringLike', 'attest:ResourceCreator', `${v('attest:PrincipalId')}*`, { 'attest:ResourceCreator': 'usr_a-svc', 'attest:PrincipalId': 'usr_a' }, true],
];

describe('condition operators', () => {
  it.each(rows)('%s %s %j on %j → %s', (operator, key, values, context, expected) => {
    expect(compileCondition(operator, key, values).test(context)).toBe(expected);
  });

  it('rejects unknown operators and unusable values at compile time', () => {
    expect(() => compileCondition('StringEqualz', 'k', 'v')).toThrow(/unknown condition operator/);
    expect(() => compileCondition('NullIfExists', 'k', 'true')).toThrow();
    expect(() => compileCondition('NumericEquals', 'k', 'ten')).toThrow(/not a number/);
    expect(() => compileCondition('IpAddress', 'k', '10.0.0.0/40')).toThrow(/CIDR/);
    expect(() => compileCondition('Bool', 'k', 'yes')).toThrow(/true or false/);
    expect(() => compileCondition('DateLessThan', 'k', v('attest:CurrentTime'))).toThrow(/variables/);
  });

  it('parses qualifiers and IfExists', () => {
    expect(parseOperator('ForAllValues:StringLikeIfExists')).toEqual({ qualifier: 'ForAllValues', base: 'StringLike', ifExists: true });
    expect(parseOperator('IfExists')).toBeUndefined();
  });
});

describe('IP addresses', () => {
  it('parses v4, v6, embedded v4 and zone ids', () => {
    expect(parseIp('1.2.3.4')).toEqual({ version: 4, value: 0x01020304n });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIp('2001:db8::1:0:0:1')?.value).toBe(0x20010db8000000000001000000000001n);
    expect(parseIp('64:ff9b::192.0.2.33')?.value).toBe(0x0064ff9b0000000000000000c0000221n);
    expect(parseIp('::ffff:192.0.2.33')).toEqual({ version: 4, value: 0xc0000221n });
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(parseIp('1::2::3')).toBeUndefined();
  });
  it('matches CIDR ranges on boundaries', () => {
    const r = parseCidr('192.168.10.0/23')!;
    expect(cidrContains(r, parseIp('192.168.11.255')!)).toBe(true);
    expect(cidrContains(r, parseIp('192.168.12.0')!)).toBe(false);
    expect(cidrContains(r, parseIp('192.168.9.255')!)).toBe(false);
    expect(parseCidr('10.0.0.0/-1')).toBeUndefined();
    expect(parseCidr('2001:db8::/129')).toBeUndefined();
  });
  it('reads every spelling of an IPv6 address as the same number (WHATWG URL as the oracle)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
        const expected = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        const isMapped = expected >> 32n === 0xffffn;
        for (const text of [full, compressed]) {
          expect(parseIp(text)).toEqual(isMapped ? { version: 4, value: expected & 0xffffffffn } : { version: 6, value: expected });
        }
      }),
    );
  });

  it('puts an address inside exactly the prefixes it shares', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const dotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
        const shift = 32 - prefix;
        // `>>> 32` is `>>> 0` in JavaScript, so /0 is handled on its own.
        const same = prefix === 0 || a >>> shift === b >>> shift;
        expect(cidrContains(parseCidr(`${dotted(a)}/${prefix}`)!, parseIp(dotted(b))!)).toBe(same);
      }),
    );
  });
});
