#!/usr/bin/env python3
"""Secrets Manager (moto) and emulator checks for scripts/e2e-module.sh and scripts/demo.sh.

The client secret never reaches stdout/stderr: commands that need it either compare it inside
this process (`verify`) or write it to a 0600 file the caller deletes (`dump`). Everything
printed is one JSON object of non-secret facts, for jq.

Environment: AWS_ENDPOINT_URL (moto), AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.

  sm.py describe NAME                 {"exists","deleted","arn","tags","current_version"}
  sm.py verify NAME EMULATOR_URL      + {"client_id","valid","keys","secret_len","secret_prefix5"}
  sm.py verify-file ID FILE EMULATOR_URL   {"valid"} for a secret kept in FILE (e.g. the old one)
  sm.py dump NAME FILE                writes client_secret to FILE (0600); prints {"client_id",...}
  sm.py verify-prefix PREFIX EMULATOR_URL  {"count","valid","invalid":[names],"client_ids":[ids]}
  sm.py list PREFIX                   {"live":[names],"deleted":[names]} under PREFIX
  sm.py clients EMULATOR_URL PREFIX  {"live":[{"id","name","description"}]}: not deleted, name PREFIX*
  sm.py mask FILE                     {"masked"}: "Gc…(22 chars)"-style (at most 2 leading characters), for the demo
"""
import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config


def client():
    # Few retries: the tests talk to a local moto; a dead moto should fail fast.
    return boto3.client(
        "secretsmanager",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        config=Config(retries={"max_attempts": 2}),
    )


def describe(name):
    sm = client()
    try:
        d = sm.describe_secret(SecretId=name)
    except sm.exceptions.ResourceNotFoundException:
        return {"exists": False, "deleted": False}
    current = [v for v, stages in (d.get("VersionIdsToStages") or {}).items() if "AWSCURRENT" in stages]
    return {
        "exists": True,
        "deleted": "DeletedDate" in d,
        "arn": d.get("ARN"),
        "tags": {t["Key"]: t.get("Value", "") for t in d.get("Tags", [])},
        "current_version": current[0] if current else None,
    }


def stored(name):
    """The parsed secret value (never printed)."""
    v = client().get_secret_value(SecretId=name)
    return json.loads(v["SecretString"])


def facts(value):
    """Non-secret facts about a stored value."""
    s = value.get("client_secret") or ""
    return {
        "client_id": value.get("client_id"),
        "keys": sorted(value),
        "name": value.get("name"),
        "grant_type": value.get("grant_type"),
        "genesys_region": value.get("genesys_region"),
        "secret_len": len(s),
        # Whether it carries the emulator's well-known prefix (so sweeps can grep for it).
        "secret_prefix5": s[:5] if s.startswith("GcSec") else None,
    }


def verify_remote(emulator, client_id, secret):
    req = urllib.request.Request(
        emulator.rstrip("/") + "/__emulator/verify-secret",
        data=json.dumps({"client_id": client_id, "secret": secret}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r).get("valid") is True


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def mask(secret):
    # The audit's rule: at most 2 leading characters and the length (for emulator secrets
    # these 2 come from the fixed "GcSec" prefix and carry no entropy).
    return f"{secret[:2]}…({len(secret)} chars)"


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "describe":
        out = describe(args[0])
    elif cmd == "verify":
        name, emulator = args
        value = stored(name)
        out = facts(value)
        out["valid"] = verify_remote(emulator, value.get("client_id", ""), value.get("client_secret", ""))
        out["version"] = describe(name)["current_version"]
    elif cmd == "verify-file":
        client_id, path, emulator = args
        with open(path) as f:
            out = {"valid": verify_remote(emulator, client_id, f.read().strip())}
    elif cmd == "dump":
        name, path = args
        value = stored(name)
        write_private(path, value.get("client_secret", ""))
        out = facts(value)
    elif cmd == "list":
        prefix = args[0]
        sm = client()
        live, deleted = [], []
        for page in sm.get_paginator("list_secrets").paginate(IncludePlannedDeletion=True):
            for s in page["SecretList"]:
                if s["Name"].startswith(prefix):
                    (deleted if "DeletedDate" in s else live).append(s["Name"])
        out = {"live": sorted(live), "deleted": sorted(deleted)}
    elif cmd == "verify-prefix":
        # One process for all clients of a many-clients run (a python start per client is slow).
        prefix, emulator = args
        sm = client()
        names = []
        for page in sm.get_paginator("list_secrets").paginate():
            names += [s["Name"] for s in page["SecretList"] if s["Name"].startswith(prefix) and "DeletedDate" not in s]
        valid, invalid, ids = 0, [], []
        for name in sorted(names):
            try:
                value = stored(name)
            except sm.exceptions.ResourceNotFoundException:
                invalid.append(name)  # a record without a value
                continue
            ids.append(value.get("client_id"))
            if verify_remote(emulator, value.get("client_id", ""), value.get("client_secret", "")):
                valid += 1
            else:
                invalid.append(name)
        out = {"count": len(names), "valid": valid, "invalid": invalid, "client_ids": sorted(ids)}
    elif cmd == "clients":
        emulator, prefix = args
        with urllib.request.urlopen(emulator.rstrip("/") + "/__emulator/clients", timeout=10) as r:
            body = json.load(r)
        # {"entities": [...]} (Genesys' list shape, which the emulator uses); older builds
        # answered {"clients": [...]}.
        clients = (body.get("entities") or body.get("clients") or []) if isinstance(body, dict) else body
        out = {"live": [
            {k: c.get(k) for k in ("id", "name", "description")}
            for c in clients
            if c.get("state") != "deleted" and str(c.get("name", "")).startswith(prefix)
        ]}
    elif cmd == "mask":
        with open(args[0]) as f:
            out = {"masked": mask(f.read().strip())}
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
