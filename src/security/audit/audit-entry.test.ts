import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredEntry } from './audit-entry.js';
import { GENESIS_HASH, entryMac, hashEntry, storedEntryMatchesHash } from './audit-entry.js';

const base = { seq: 7, id: 'evt_1', time: '2026-01-01T00:00:00.000Z', principal: 'user:a', action: 'artifact:Get', resource: 'attest:p:artifact/art_1', outcome: 'allowed' as const, sourceIp: null, userAgent: 'ua "quoted"', requestId: null, prevHash: GENESIS_HASH };

function stored(details: Record<string, unknown>, detailsJson: string, hash = hashEntry({ ...base, details })): StoredEntry {
  const { seq, id, time, principal, action, resource, outcome } = base;
  return { seq: String(seq), id, time, principal, action, resource, outcome, source_ip: base.sourceIp, user_agent: base.userAgent, request_id: base.requestId, details: detailsJson, prev_hash: base.prevHash, hash, mac: null };
}

describe('storedEntryMatchesHash', () => {
  it('accepts canonical stored details (fast path) and details stored in another key order (as older versions wrote them)', () => {
    const details = { zeta: 1, alpha: { b: [1, 'x'], a: null } };
    expect(storedEntryMatchesHash(stored(details, '{"alpha":{"a":null,"b":[1,"x"]},"zeta":1}'))).toBe(true);
    expect(storedEntryMatchesHash(stored(details, JSON.stringify(details)))).toBe(true);
  });

  it('rejects edited details, edited fields, unparsable details and non-object details', () => {
    const details = { n: 1 };
    expect(storedEntryMatchesHash(stored(details, '{"n":2}'))).toBe(false);
    expect(storedEntryMatchesHash({ ...stored(details, '{"n":1}'), principal: 'user:b' })).toBe(false);
    expect(storedEntryMatchesHash(stored(details, '{"n":1'))).toBe(false);
    expect(storedEntryMatchesHash(stored(details, '[1]'))).toBe(false);
    expect(storedEntryMatchesHash({ ...stored(details, '{"n":1}'), seq: 7.5 })).toBe(false);
    expect(storedEntryMatchesHash({ ...stored(details, '{"n":1}'), seq: 7 })).toBe(true);
  });
});

describe('entryMac', () => {
  it('equals HMAC-SHA256 over the 32 hash bytes, for short and long keys and repeated use of one key', () => {
    for (const key of [randomBytes(32), randomBytes(100), Buffer.alloc(0)]) {
      for (let i = 0; i < 3; i++) {
        const h = randomBytes(32).toString('hex');
        expect(entryMac(key, h)).toBe(createHmac('sha256', key).update(Buffer.from(h, 'hex')).digest('hex'));
      }
    }
  });

  it('falls back to the general HMAC for anything but 64 hex digits', () => {
    const key = randomBytes(32);
    for (const h of ['abc', 'zz'.repeat(32), `${'a'.repeat(62)}zz`]) expect(entryMac(key, h)).toBe(createHmac('sha256', key).update(Buffer.from(h, 'hex')).digest('hex'));
  });
});
