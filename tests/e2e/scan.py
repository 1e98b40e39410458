#!/usr/bin/env python3
"""Looks for known secret values in files, without ever printing them.

  scan.py SECRETS_FILE PATH...
  scan.py --redact SECRETS_FILE  < in > out     (copies stdin, secrets replaced by [MASKED])

SECRETS_FILE holds one secret per line (0600, written by sm.py dump or the test script).
Every regular file under each PATH is read, and zip archives (Terraform's saved plan files)
are opened and their members read too, so a value compressed inside `terraform plan -out` is
found. Each secret is searched raw and base64-encoded (at the three byte alignments), which is
how a value would show up in a base64-wrapped blob. Prints `LEAK <file>[!member] secret#N
(<how>)` per hit and `scanned N files` at the end; exits 1 on any hit, 0 otherwise.
"""
import base64
import io
import os
import sys
import zipfile


def needles(secrets):
    out = []
    for i, s in enumerate(secrets, 1):
        raw = s.encode()
        out.append((raw, i, "raw"))
        # base64 of the secret at each alignment, minus the edge characters that depend on
        # neighbouring bytes.
        for pad in range(3):
            enc = base64.b64encode(b"\0" * pad + raw)
            inner = enc[4 if pad else 0 : -4]
            if len(inner) >= 8:
                out.append((inner, i, f"base64/{pad}"))
    return out


def scan_bytes(data, where, ndl, hits, depth=0):
    for n, i, how in ndl:
        if n in data:
            hits.append(f"LEAK {where} secret#{i} ({how})")
    if depth < 2 and data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for m in z.namelist():
                    scan_bytes(z.read(m), f"{where}!{m}", ndl, hits, depth + 1)
        except zipfile.BadZipFile:
            pass


def main(argv):
    if argv[1] == "--redact":
        # For showing a failing command's output on the terminal without re-leaking.
        with open(argv[2]) as f:
            secrets = sorted((line.strip() for line in f if line.strip()), key=len, reverse=True)
        text = sys.stdin.read()
        for s in secrets:
            text = text.replace(s, "[MASKED]")
        sys.stdout.write(text)
        return 0
    with open(argv[1]) as f:
        secrets = [line.strip() for line in f if line.strip()]
    if not secrets:
        print("scan.py: no secrets to look for", file=sys.stderr)
        return 2
    ndl = needles(secrets)
    hits, count = [], 0
    for root in argv[2:]:
        paths = [root] if os.path.isfile(root) else (
            os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
        )
        for p in paths:
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            with open(p, "rb") as f:
                scan_bytes(f.read(), p, ndl, hits)
            count += 1
    for h in hits:
        print(h)
    print(f"scanned {count} files")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
