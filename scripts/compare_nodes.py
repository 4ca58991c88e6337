#!/usr/bin/env python3
"""Asks a real stacks-node and the devnet's --bare-node mode the same questions and prints
where their answers differ in shape: status, content type, JSON keys (and a rejection's
reason), or a text error's kind (before its first colon; hashes, addresses and numbers
masked). Exit 1 when a shape differs.

Usage: python3 scripts/compare_nodes.py NODE_URL DEVNET_URL ADDRESS [NAME=SIGNED_TX_HEX ...]
"""
import json
import re
import sys
import urllib.error
import urllib.request

ZERO = "00" * 32


def ask(base, method, path, body=None, ctype=None):
    req = urllib.request.Request(base + path, method=method, data=body)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def mask(text):
    text = re.sub(r"(0x)?[0-9a-fA-F]{40,}", "<hex>", text)
    text = re.sub(r"S[PTMN][0-9A-Z]{38,40}", "<address>", text)
    return re.sub(r"\d+", "<n>", text)


def shape(status, ctype, body):
    kind = ctype.split(";")[0].strip()
    try:
        doc = json.loads(body)
        if isinstance(doc, dict):
            desc = "json keys " + ",".join(sorted(doc.keys()))
            if "reason" in doc:
                desc += " reason=" + str(doc["reason"])
        else:
            desc = "json " + type(doc).__name__
    except ValueError:
        # The kind of a text error is what comes before its first colon; after it, the
        # codec's own wording (another codec version here) may differ.
        text = mask(body.decode("utf-8", "replace").strip())
        desc = "text " + text.split(":")[0][:120]
    return f"{status} {kind or '-'} {desc}"


def probes(address, signed):
    """`signed`: name -> hex of signed transactions to broadcast (made by `ehr tx mktx`)."""
    posts = [
        ("POST", "/v2/transactions", bytes.fromhex(tx), "application/octet-stream", name)
        for name, tx in signed
    ]
    return posts + [
        ("GET", "/v2/info", None, None, None),
        ("GET", f"/v2/accounts/{address}?proof=0", None, None, None),
        ("GET", "/v2/fees/transfer", None, None, None),
        ("GET", f"/extended/v1/tx/0x{ZERO}", None, None, None),
        ("GET", "/extended/v1/status", None, None, None),
        ("GET", f"/extended/v1/address/{address}/nonces", None, None, None),
        ("GET", "/no/such/route", None, None, None),
        ("GET", f"/v2/transactions/unconfirmed/{ZERO}", None, None, None),
        ("GET", f"/v3/transaction/{ZERO}", None, None, None),
        ("GET", f"/v2/contracts/source/{address}/no-such-contract?proof=0", None, None, None),
        ("GET", f"/v2/data_var/{address}/no-such-contract/x?proof=0", None, None, None),
        ("POST", "/v2/transactions", b"\x00\x01\x02", "application/octet-stream", None),
        ("POST", "/v2/fees/transaction",
         json.dumps({"transaction_payload": "0x" + "00" * 4, "estimated_len": 180}).encode(),
         "application/json", None),
    ]


def main():
    node, devnet, address = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), sys.argv[3]
    signed = [arg.split("=", 1) for arg in sys.argv[4:]]
    differ = 0
    print(f"{'probe':<58} {'agree':<6} stacks-node | devnet --bare-node")
    all_probes = probes(address, signed)
    for method, path, body, ctype, name in all_probes:
        a = shape(*ask(node, method, path, body, ctype))
        b = shape(*ask(devnet, method, path, body, ctype))
        same = a == b
        differ += not same
        label = f"{method} {mask(path)}" + (f" ({name})" if name else "")
        label = label[:58]
        print(f"{label:<58} {'yes' if same else 'NO':<6} {a}" + ("" if same else f"\n{'':<65} {b}"))
    print(f"\n{differ} of {len(all_probes)} answers differ in shape")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
