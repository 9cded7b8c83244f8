import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, MerkleFrontier, MerkleTree, nodeHash, verifyConsistency, verifyInclusion } from './merkle.js';

const rawLeaf = (data: Buffer) => createHash('sha256').update(Buffer.from([0])).update(data).digest();
const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => rawLeaf(Buffer.from(`leaf ${i}`)));

/** MTH straight from RFC 9162 §2.1.1, recursion over copies: the reference the fast paths are checked against. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_TREE_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('RFC 9162 Merkle tree', () => {
  it('matches the RFC 6962 / certificate-transparency test vector for eight leaves', () => {
    const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
    const tree = new MerkleTree(data.map(rawLeaf));
    expect(tree.root().toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    expect(new MerkleTree([]).root().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the same root from the level cache, the frontier and the reference, for every size up to 70', () => {
    const leaves = leavesOf(70);
    const frontier = new MerkleFrontier();
    for (let n = 1; n <= 70; n++) {
      frontier.push(leaves[n - 1]!);
      const expected = referenceRoot(leaves.slice(0, n));
      expect(new MerkleTree(leaves.slice(0, n)).root().equals(expected)).toBe(true);
      expect(new MerkleTree(leaves).root(0, n).equals(expected)).toBe(true);
      expect(frontier.root().equals(expected)).toBe(true);
      const restored = MerkleFrontier.fromJSON(n, frontier.toJSON());
      expect(restored.root().equals(expected)).toBe(true);
    }
  });

  it('proves and verifies inclusion of every leaf and consistency between every pair of sizes up to 33', () => {
    const leaves = leavesOf(33);
    const tree = new MerkleTree(leaves);
    for (let n = 1; n <= 33; n++) {
      const root = tree.root(0, n);
      for (let m = 0; m < n; m++) {
        const proof = tree.inclusionProof(m, n);
        expect(verifyInclusion(leaves[m]!, m, n, proof, root)).toBe(true);
        expect(verifyInclusion(leaves[(m + 1) % n]!, m, n, proof, root)).toBe(n === 1);
        if (proof.length > 0) expect(verifyInclusion(leaves[m]!, m, n, proof.slice(0, -1), root)).toBe(false);
      }
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        expect(verifyConsistency(m, n, proof, tree.root(0, m), root)).toBe(true);
        if (m < n) expect(verifyConsistency(m, n, proof, rawLeaf(Buffer.from('other')), root)).toBe(false);
        if (proof.length > 0) expect(verifyConsistency(m, n, proof.slice(1), tree.root(0, m), root)).toBe(false);
      }
    }
  });
});

describe('entry hash', () => {
  it('builds the same canonical bytes as the general canonicaliser for entries of every shape', async () => {
    const { canonicalJson } = await import('../../kernel/index.js');
    const { hashEntry } = await import('./audit-entry.js');
    const samples = [
      { seq: 1, id: 'evt_1', time: '2026-01-01T00:00:00.000Z', principal: 'user:a', action: 'x:Y', resource: 'r/1', outcome: 'allowed' as const, sourceIp: null, userAgent: null, requestId: null, details: {}, prevHash: '0'.repeat(64) },
      { seq: 987654, id: 'evt_"q"', time: 't', principal: 'Zürich ✓ \n \u2028', action: 'a', resource: '\\', outcome: 'denied' as const, sourceIp: '::1', userAgent: 'ua', requestId: 'req', details: { b: [1, 2.5, null, { z: 1, a: -0.000001 }], a: true, 'é': 'x', A: 1e21 }, prevHash: 'f'.repeat(64) },
    ];
    for (const e of samples) {
      const { seq, id, time, principal, action, resource, outcome, sourceIp, userAgent, requestId, details, prevHash } = e;
      expect(hashEntry(e)).toBe(createHash('sha256').update(canonicalJson({ seq, id, time, principal, action, resource, outcome, sourceIp, userAgent, requestId, details, prevHash })).digest('hex'));
    }
  });
});
