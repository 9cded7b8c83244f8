/**
 * @module security/audit/merkle
 * The ledger's Merkle tree, as RFC 9162 §2.1 defines it: leaf hash = SHA-256(0x00 ‖ leaf), interior
 * node = SHA-256(0x01 ‖ left ‖ right), and a list of n > 1 leaves splits at k, the largest power of
 * two smaller than n. Leaf i (0-based) is audit entry seq i+1; its leaf data is the entry's 32-byte
 * chain hash, which already commits to every field of the entry and to the entry before it.
 * Pure functions over byte arrays: inclusion and consistency proofs and their verification
 * (§2.1.3, §2.1.4), and the compact range ("frontier") that grows a tree one leaf at a time.
 */
import { createHash, hash } from 'node:crypto';

const NODE_PREFIX = Buffer.from([1]);

/** SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_TREE_ROOT = createHash('sha256').digest();

/** The leaf hash of an entry, from its chain hash (64 hex characters). */
export function leafHash(entryHashHex: string): Buffer {
  // One reused input buffer: the leaf input is built without a string concatenation or allocation
  // (anything but 64 hex digits takes the general path, as before).
  if (entryHashHex.length !== 64 || LEAF_INPUT.write(entryHashHex, 1, 'hex') !== 32) return hash('sha256', Buffer.from(`00${entryHashHex}`, 'hex'), 'buffer');
  return hash('sha256', LEAF_INPUT, 'buffer');
}

const LEAF_INPUT = Buffer.alloc(33);
const NODE_INPUT = Buffer.alloc(65, 1);

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== 32 || right.length !== 32) return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
  left.copy(NODE_INPUT, 1);
  right.copy(NODE_INPUT, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * A tree over a fixed list of leaf hashes, with every perfect subtree's root computed once (one
 * contiguous buffer per level), so MTH of any RFC 9162 subrange costs O(log n) lookups and a
 * bundle of many proofs costs O(n + proofs · log n) rather than O(n) per proof.
 */
export class MerkleTree {
  /** levels[h] holds the roots of the aligned perfect subtrees of 2^h leaves, 32 bytes each. */
  readonly #levels: Buffer[];
  readonly size: number;

  constructor(leaves: readonly Buffer[]) {
    this.size = leaves.length;
    const first = Buffer.allocUnsafe(leaves.length * 32);
    for (const [i, leaf] of leaves.entries()) leaf.copy(first, i * 32);
    this.#levels = [first];
    for (let below = first; below.length >= 64; ) {
      const count = Math.floor(below.length / 64);
      const level = Buffer.allocUnsafe(count * 32);
      for (let i = 0; i < count; i++) nodeHash(below.subarray(i * 64, i * 64 + 32), below.subarray(i * 64 + 32, i * 64 + 64)).copy(level, i * 32);
      this.#levels.push(level);
      below = level;
    }
  }

  leaf(index: number): Buffer {
    return this.#node(0, index);
  }

  #node(height: number, index: number): Buffer {
    return this.#levels[height]!.subarray(index * 32, index * 32 + 32);
  }

  /** MTH(D[lo:hi]) (RFC 9162 §2.1.1). */
  root(lo = 0, hi = this.size): Buffer {
    const n = hi - lo;
    if (n === 0) return EMPTY_TREE_ROOT;
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.#node(Math.log2(n), lo / n);
    const k = splitPoint(n);
    return nodeHash(this.root(lo, lo + k), this.root(lo + k, hi));
  }

  /** PATH(m, D[0:n]): the inclusion proof of leaf index m in the tree of the first n leaves (§2.1.3.1). */
  inclusionProof(m: number, n: number = this.size): Buffer[] {
    if (!(m >= 0 && m < n && n <= this.size)) throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
    const path = (lo: number, hi: number, index: number): Buffer[] => {
      const size = hi - lo;
      if (size <= 1) return [];
      const k = splitPoint(size);
      return index < k ? [...path(lo, lo + k, index), this.root(lo + k, hi)] : [...path(lo + k, hi, index - k), this.root(lo, lo + k)];
    };
    return path(0, n, m);
  }

  /** PROOF(m, D[0:n]): the consistency proof from the tree of size m to the tree of size n (§2.1.4.1). */
  consistencyProof(m: number, n: number = this.size): Buffer[] {
    if (!(m > 0 && m <= n && n <= this.size)) throw new RangeError(`no consistency proof from size ${m} to ${n}`);
    const sub = (mm: number, lo: number, hi: number, complete: boolean): Buffer[] => {
      const size = hi - lo;
      if (mm === size) return complete ? [] : [this.root(lo, hi)];
      const k = splitPoint(size);
      return mm <= k ? [...sub(mm, lo, lo + k, complete), this.root(lo + k, hi)] : [...sub(mm - k, lo + k, hi, false), this.root(lo, lo + k)];
    };
    return sub(m, 0, n, true);
  }
}

/** Verifies an inclusion proof (§2.1.3.2): leaf `index` (0-based) with `leaf` hash is in the tree of `treeSize` with `root`. */
export function verifyInclusion(leaf: Buffer, index: number, treeSize: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!(index >= 0 && index < treeSize)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** Verifies a consistency proof (§2.1.4.2) between (size1, root1) and (size2, root2). */
export function verifyConsistency(size1: number, size2: number, proof: readonly Buffer[], root1: Buffer, root2: Buffer): boolean {
  if (size1 < 1 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  const path = [...proof];
  if (Number.isInteger(Math.log2(size1))) path.unshift(root1);
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (path.length === 0) return false;
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/**
 * The compact range of a growing tree: the roots of its perfect subtrees, largest first (one per
 * set bit of the size). Appending a leaf merges equal-sized subtrees, so each leaf costs one leaf
 * hash and on average one node hash; the root folds the subtrees right to left.
 */
export class MerkleFrontier {
  #size: number;
  /** Subtree roots, largest (leftmost) first. */
  #nodes: Buffer[];

  constructor(size = 0, nodes: readonly Buffer[] = []) {
    if (nodes.length !== popCount(size)) throw new RangeError(`a frontier of size ${size} has ${popCount(size)} nodes, not ${nodes.length}`);
    this.#size = size;
    this.#nodes = [...nodes];
  }

  get size(): number {
    return this.#size;
  }

  get nodes(): readonly Buffer[] {
    return this.#nodes;
  }

  push(leaf: Buffer): void {
    let node = leaf;
    let size = this.#size;
    // Each trailing one bit of the old size is a subtree of the same height as the new node.
    while (size % 2 === 1) {
      node = nodeHash(this.#nodes.pop()!, node);
      size = Math.floor(size / 2);
    }
    this.#nodes.push(node);
    this.#size++;
  }

  root(): Buffer {
    if (this.#nodes.length === 0) return EMPTY_TREE_ROOT;
    let r = this.#nodes[this.#nodes.length - 1]!;
    for (let i = this.#nodes.length - 2; i >= 0; i--) r = nodeHash(this.#nodes[i]!, r);
    return r;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, this.#nodes);
  }

  toJSON(): string[] {
    return this.#nodes.map((n) => n.toString('hex'));
  }

  static fromJSON(size: number, nodes: readonly string[]): MerkleFrontier {
    return new MerkleFrontier(size, nodes.map((n) => Buffer.from(n, 'hex')));
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}
