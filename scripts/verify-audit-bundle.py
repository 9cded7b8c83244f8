#!/usr/bin/env python3
"""Independent verifier of an Attest audit evidence bundle (docs/audit-evidence.md).

Usage: verify-audit-bundle.py BUNDLE.json
Checks entry hashes (RFC 8785 canonical JSON + SHA-256), chain links, RFC 9162 inclusion and
consistency proofs, and - when the `cryptography` package is importable - the Ed25519 signatures
of the tree heads. Exit 0 when everything verifies, 1 otherwise. Python standard library only
(plus optional `cryptography`)."""
import base64, hashlib, json, sys
from decimal import Decimal

def h(*parts): return hashlib.sha256(b"".join(parts)).digest()

def js_number(x):  # ECMAScript Number::toString, which RFC 8785 uses for numbers
    if isinstance(x, int) or x == 0: return str(int(x))
    t = Decimal(repr(abs(x))).normalize().as_tuple()  # repr: the shortest round-trip digits
    digits, sign = "".join(map(str, t.digits)), "-" if x < 0 else ""
    k = len(digits); n = k + t.exponent  # value = 0.digits * 10^n
    if k <= n <= 21: return sign + digits + "0" * (n - k)
    if 0 < n <= 21: return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0: return sign + "0." + "0" * -n + digits
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if n > 1 else "-") + str(abs(n - 1))

def canon(v):
    if v is None or isinstance(v, bool): return json.dumps(v)
    if isinstance(v, (int, float)): return js_number(v)
    if isinstance(v, str): return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list): return "[" + ",".join(canon(x) for x in v) + "]"
    keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canon(v[k]) for k in keys) + "}"

def inclusion_ok(leaf, index, size, proof, root):
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0: return False
        if fn % 2 == 1 or fn == sn:
            r = h(b"\x01", p, r)
            while fn % 2 == 0 and fn != 0: fn, sn = fn >> 1, sn >> 1
        else: r = h(b"\x01", r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root

def consistency_ok(m, n, proof, root1, root2):
    if m == n: return not proof and root1 == root2
    path = ([root1] if m & (m - 1) == 0 else []) + proof
    fn, sn = m - 1, n - 1
    while fn % 2 == 1: fn, sn = fn >> 1, sn >> 1
    if not path: return False
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0: return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = h(b"\x01", c, fr), h(b"\x01", c, sr)
            while fn % 2 == 0 and fn != 0: fn, sn = fn >> 1, sn >> 1
        else: sr = h(b"\x01", sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == root1 and sr == root2

def main(path):
    b, problems = json.load(open(path, encoding="utf-8")), []
    assert b["format"] == "attest-audit-bundle/1", "not an attest-audit-bundle/1"
    keys = {(k["keyId"], k["keyVersion"]): base64.b64decode(k["spki"]) for k in b["publicKeys"]}
    try:
        from cryptography.hazmat.primitives.serialization import load_der_public_key
    except ImportError:
        load_der_public_key = None
        print("warning: `cryptography` is not installed; tree head signatures NOT checked")
    heads = b["treeHeads"]
    for t in heads:
        payload = f"attest-sth/1\n{t['treeSize']}\n{t['rootHash']}\n{t['chainHead']}\n{t['createdAt']}\n".encode()
        if load_der_public_key:
            try: load_der_public_key(keys[(t["keyId"], t["keyVersion"])]).verify(base64.b64decode(t["signature"]), payload)
            except Exception: problems.append(f"tree head {t['treeSize']}: bad signature")
    proofs = {(p["fromSize"], p["toSize"]): [bytes.fromhex(x) for x in p["proof"]] for p in b["consistencyProofs"]}
    for a, c in zip(heads, heads[1:]):
        p = proofs.get((a["treeSize"], c["treeSize"]))
        if p is None or not consistency_ok(a["treeSize"], c["treeSize"], p, bytes.fromhex(a["rootHash"]), bytes.fromhex(c["rootHash"])):
            problems.append(f"tree head {c['treeSize']} is not consistent with {a['treeSize']}")
    last, prev = heads[-1], None
    for item in b["entries"]:
        e = item["entry"]
        body = {k: v for k, v in e.items() if k != "hash"}
        if hashlib.sha256(canon(body).encode()).hexdigest() != e["hash"]: problems.append(f"entry {e['seq']}: hash mismatch")
        if prev and (e["seq"] != prev["seq"] + 1 or e["prevHash"] != prev["hash"]): problems.append(f"entry {e['seq']}: chain broken")
        leaf = h(b"\x00", bytes.fromhex(e["hash"]))
        proof = [bytes.fromhex(x) for x in item["inclusionProof"]]
        if item["treeSize"] != last["treeSize"] or not inclusion_ok(leaf, e["seq"] - 1, last["treeSize"], proof, bytes.fromhex(last["rootHash"])):
            problems.append(f"entry {e['seq']}: inclusion proof fails")
        if e["seq"] == last["treeSize"] and e["hash"] != last["chainHead"]: problems.append(f"entry {e['seq']}: differs from the signed chain head")
        prev = e
    for k, der in keys.items(): print(f"key {k[0]}:{k[1]} SHA-256 {hashlib.sha256(der).hexdigest()}")
    for p in problems: print("FAIL:", p)
    print(f"{'OK' if not problems else 'FAILED'}: {len(b['entries'])} entries, {len(heads)} tree heads")
    return 0 if not problems else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
