#!/usr/bin/env python3
"""Deterministic synthetic Terraform corpus for scripts/bench.sh (stdlib only).

Reproduces the corpus of /work/shared/docs/peers.md §2 so that our numbers are comparable
with the peer table there:

* ``state/terraform.tfstate``: v4 state, pretty-printed with Terraform's 2-space indent,
  N resources of 17 types (about 40% in modules), every instance with
  ``sensitive_attributes``, a base64 ``private`` blob and ``dependencies``; decoys that trip
  keyword and entropy rules.
* ``plan/plan.json``: one line, as ``terraform show -json`` prints it: M ``planned_values``
  resources and M ``resource_changes``.
* ``tree/``: many small states in nested directories (the many-files / both-cores test).

Planted leaks (40-char ``[A-Za-z0-9]`` secrets from a seeded RNG):

1. state ``resources[0.37 N]`` ``module.genesys_integration.genesyscloud_oauth_client.ci_pipeline``
   -> ``attributes.client_secret``  (N = 140,000 gives index 51,800 as in §2)
2. state ``resources[0.71 N]`` ``module.genesys_integration.aws_secretsmanager_secret_version.genesys_oauth``
   -> ``attributes.secret_string``, the compact ``jsonencode()`` of
   ``{"client_id":…,"client_secret":<secret>,"token_url":…}`` (so escaped in the file)
3. plan ``resource_changes[M/2]`` ``module.genesys_integration.genesyscloud_integration_credential.ci_pipeline_cred``
   -> ``change.after.fields.clientSecret`` (only there: its ``planned_values`` twin omits it)
4. tree: a few states with an OAuth-client secret, a nested ``secret_string`` and an
   integration credential ``fields.clientSecret``.

The ground truth (values, sha1, files, resource addresses, RFC 6901 pointers, inner
pointers, line, column and byte offsets) goes to ``truth.json`` beside, never inside, the
scanned directories, so no scanner can find the answers file.

Everything is streamed to disk one resource at a time; memory stays in the tens of MB.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import sys
import time

# Preset sizes. full = peers.md §2; medium = §4 "medium" (slow peers by default); mini = §2
# "mini" (the --quick smoke run).
PRESETS = {
    "mini": {"state": 2_000, "plan": 400, "tree": 1_000},
    "medium": {"state": 14_000, "plan": 2_000, "tree": 2_000},
    "full": {"state": 140_000, "plan": 20_000, "tree": 10_000},
}

# Type mix of the 140k state, per peers.md §2: aws_instance 19,705; five types about 11-14k;
# genesyscloud_oauth_client 4,134 decoys; cognito clients 2,766 (so that, as in §2, rg counts
# 6,900 null/"" client_secret lines + 6,901 sensitive_attributes paths + 2 leaks); the rest
# share what is left. Scaled proportionally for smaller presets.
BIG = [
    ("aws_instance", 19_705),
    ("aws_s3_object", 13_600),
    ("aws_s3_bucket", 11_400),
    ("aws_iam_role", 12_800),
    ("aws_security_group", 11_900),
    ("aws_route53_record", 13_100),
    ("genesyscloud_oauth_client", 4_134),
    ("aws_cognito_user_pool_client", 2_766),
]
REST = [
    "aws_lambda_function", "google_service_account", "random_id", "aws_iam_policy",
    "kubernetes_config_map", "aws_ssm_parameter", "aws_acm_certificate",
    "aws_secretsmanager_secret", "aws_key_pair",
]

PROVIDERS = {
    "aws": 'provider["registry.terraform.io/hashicorp/aws"]',
    "google": 'provider["registry.terraform.io/hashicorp/google"]',
    "random": 'provider["registry.terraform.io/hashicorp/random"]',
    "kubernetes": 'provider["registry.terraform.io/hashicorp/kubernetes"]',
    "genesyscloud": 'provider["registry.terraform.io/mypurecloud/genesyscloud"]',
}
MODULES = [
    "module.network", "module.eks", "module.eks.module.node_group[0]", "module.data_lake",
    'module.app["api"]', 'module.app["web"]', 'module.app["worker"]', "module.iam",
    "module.dns", "module.genesys_integration", "module.observability", "module.lambda_fns",
]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
ACCOUNT = "123456789012"
PLANT_MODULE = "module.genesys_integration"


def provider_of(rtype: str) -> str:
    return PROVIDERS[rtype.split("_", 1)[0]]


class Gen:
    """Attribute generators; every value comes from ``self.r`` (seeded)."""

    def __init__(self, r: random.Random):
        self.r = r

    # -- small value helpers (fast: getrandbits, not choices, where possible)
    def hexs(self, n: int) -> str:
        return format(self.r.getrandbits(4 * n), f"0{n}x")

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def alnum(self, n: int) -> str:
        return "".join(self.r.choices(ALNUM, k=n))

    def upper(self, n: int) -> str:
        return "".join(self.r.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=n))

    def b64(self, nbytes: int, urlsafe: bool = False) -> str:
        raw = self.r.getrandbits(8 * nbytes).to_bytes(nbytes, "big")
        return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()

    def region(self) -> str:
        return self.r.choice(REGIONS)

    def tags(self, name: str) -> dict:
        return {"Name": name, "env": self.r.choice(["dev", "stage", "prod"]),
                "owner": self.r.choice(["platform", "data", "payments", "contact-center"])}

    def private(self) -> str:
        # Terraform's per-instance private blob: base64 of provider JSON (timeouts, schema).
        inner = json.dumps({"e2bfb730-ecaa-11e6-8f88-34363bc7c4c0": {
            "create": 600000000000, "delete": 1200000000000, "update": 600000000000},
            "schema_version": str(self.r.randint(0, 2))},
            separators=(",", ":"))
        return base64.b64encode(inner.encode()).decode()

    # -- per-type attributes: (schema_version, attributes, sensitive attribute names)
    def aws_instance(self, name):
        iid = "i-" + self.hexs(17)
        return 1, {
            "ami": "ami-" + self.hexs(17),
            "arn": f"arn:aws:ec2:{self.region()}:{ACCOUNT}:instance/{iid}",
            "associate_public_ip_address": self.r.random() < 0.3,
            "id": iid,
            "instance_type": self.r.choice(["t3.micro", "t3.medium", "m6i.large", "c6g.xlarge"]),
            "key_name": f"deploy-{self.r.randint(1, 40)}",
            "monitoring": False,
            "private_dns": f"ip-10-{self.r.randint(0, 255)}-{self.r.randint(0, 255)}-{self.r.randint(0, 255)}.ec2.internal",
            "private_ip": f"10.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}",
            "public_ip": "",
            "root_block_device": [{"volume_id": "vol-" + self.hexs(17), "volume_size": 20, "volume_type": "gp3"}],
            "subnet_id": "subnet-" + self.hexs(17),
            "tags": self.tags(name),
            "timeouts": None,
            # sha1 of the rendered user data, as the AWS provider stores it: a decoy hash
            "user_data": self.hexs(40),
            "vpc_security_group_ids": ["sg-" + self.hexs(17), "sg-" + self.hexs(17)],
        }, []

    def aws_s3_object(self, name):
        bucket = f"bucket-{self.hexs(8)}"
        key = f"releases/{name}/{self.hexs(6)}.zip"
        return 0, {
            "acl": None, "bucket": bucket, "bucket_key_enabled": False,
            "content_type": "application/zip",
            "etag": self.hexs(32),  # md5 etag: decoy hash
            "id": key, "key": key, "kms_key_id": None, "metadata": {},
            "server_side_encryption": "AES256",
            "source": f"build/{name}.zip",
            "source_hash": None, "storage_class": "STANDARD", "tags": self.tags(name),
            "version_id": self.alnum(32),
        }, []

    def aws_s3_bucket(self, name):
        b = f"{name.replace('_', '-')}-{self.hexs(8)}"
        return 0, {
            "acceleration_status": "", "acl": None,
            "arn": f"arn:aws:s3:::{b}", "bucket": b,
            "bucket_regional_domain_name": f"{b}.s3.{self.region()}.amazonaws.com",
            "force_destroy": False,
            "hosted_zone_id": "Z" + self.upper(13),
            "id": b, "object_lock_enabled": False, "policy": "",
            "region": self.region(), "request_payer": "BucketOwner",
            "tags": self.tags(name),
            "versioning": [{"enabled": True, "mfa_delete": False}],
        }, []

    def assume_policy(self, service):
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Action": "sts:AssumeRole", "Effect": "Allow",
            "Principal": {"Service": service}, "Sid": ""}]}, separators=(",", ":"))

    def aws_iam_role(self, name):
        return 0, {
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "assume_role_policy": self.assume_policy(self.r.choice(["ec2.amazonaws.com", "lambda.amazonaws.com", "eks.amazonaws.com"])),
            "create_date": "2026-03-%02dT10:%02d:11Z" % (self.r.randint(1, 28), self.r.randint(0, 59)),
            "description": "", "force_detach_policies": False, "id": name,
            "managed_policy_arns": [f"arn:aws:iam::aws:policy/{self.r.choice(['ReadOnlyAccess', 'AmazonS3ReadOnlyAccess', 'CloudWatchAgentServerPolicy'])}"],
            "max_session_duration": 3600, "name": name, "path": "/",
            "tags": self.tags(name),
            "unique_id": "AROA" + self.upper(17),  # IAM unique id: trips aws-access-token rules
        }, []

    def aws_security_group(self, name):
        sg = "sg-" + self.hexs(17)
        return 0, {
            "arn": f"arn:aws:ec2:{self.region()}:{ACCOUNT}:security-group/{sg}",
            "description": "Managed by Terraform",
            "egress": [],
            "id": sg,
            "ingress": [{"cidr_blocks": ["10.0.0.0/8"], "description": "https", "from_port": 443, "ipv6_cidr_blocks": [],
                         "prefix_list_ids": [], "protocol": "tcp", "security_groups": [], "self": False, "to_port": 443}],
            "name": name, "owner_id": ACCOUNT, "revoke_rules_on_delete": False,
            "tags": self.tags(name), "vpc_id": "vpc-" + self.hexs(17),
        }, []

    def aws_route53_record(self, name):
        zone = "Z" + self.upper(13)
        if self.r.random() < 0.3:
            rtype, records = "TXT", [f"google-site-verification={self.b64(32, urlsafe=True).rstrip('=')}"]
        else:
            rtype, records = "CNAME", [f"{name}.elb.{self.region()}.amazonaws.com"]
        fqdn = f"{name.replace('_', '-')}.example.com"
        return 2, {
            "alias": [], "allow_overwrite": None, "fqdn": fqdn, "health_check_id": "",
            "id": f"{zone}_{fqdn}_{rtype}", "name": fqdn, "records": records,
            "set_identifier": "", "ttl": 300, "type": rtype, "zone_id": zone,
        }, []

    def aws_lambda_function(self, name):
        return 0, {
            "architectures": ["arm64"],
            "arn": f"arn:aws:lambda:{self.region()}:{ACCOUNT}:function:{name}",
            "environment": [{"variables": {"LOG_LEVEL": "info", "TABLE": f"{name}-table"}}],
            "filename": f"dist/{name}.zip", "function_name": name, "handler": "index.handler",
            "last_modified": "2026-04-02T09:12:44.000+0000", "memory_size": 256,
            "role": f"arn:aws:iam::{ACCOUNT}:role/{name}-exec", "runtime": "nodejs20.x",
            "source_code_hash": self.b64(32),  # base64 sha256: entropy decoy
            "tags": self.tags(name), "timeout": 30, "version": "$LATEST",
        }, []

    def google_service_account(self, name):
        email = f"{name.replace('_', '-')[:28]}@proj-{self.hexs(6)}.iam.gserviceaccount.com"
        return 0, {
            "account_id": name.replace("_", "-")[:28], "description": "", "disabled": False,
            "display_name": name, "email": email, "id": f"projects/proj/serviceAccounts/{email}",
            "member": f"serviceAccount:{email}", "name": f"projects/proj/serviceAccounts/{email}",
            "project": "proj", "timeouts": None,
            "unique_id": str(self.r.getrandbits(66)),
        }, []

    def random_id(self, name):
        raw = self.r.getrandbits(64).to_bytes(8, "big")
        return 0, {
            "b64_std": base64.b64encode(raw).decode(), "b64_url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "byte_length": 8, "dec": str(int.from_bytes(raw, "big")), "hex": raw.hex(),
            "id": base64.urlsafe_b64encode(raw).decode().rstrip("="), "keepers": None, "prefix": None,
        }, []

    def aws_iam_policy(self, name):
        pol = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Action": ["s3:GetObject", "s3:ListBucket", "secretsmanager:GetSecretValue"],
            "Effect": "Allow",
            "Resource": [f"arn:aws:s3:::bucket-{self.hexs(8)}/*",
                         f"arn:aws:secretsmanager:{self.region()}:{ACCOUNT}:secret:{self.secret_name()}-{self.alnum(6)}"]}]},
            separators=(",", ":"))
        return 0, {
            "arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}", "description": "", "id": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
            "name": name, "path": "/", "policy": pol,
            "policy_id": "ANPA" + self.upper(17), "tags": self.tags(name),
        }, []

    def kubernetes_config_map(self, name):
        cfg = json.dumps({"logLevel": "info", "endpoint": f"https://{name}.svc.cluster.local", "replicas": self.r.randint(1, 5),
                          "featureFlags": {"beta": self.r.random() < 0.5}}, separators=(",", ":"))
        return 0, {
            "binary_data": None, "data": {"config.json": cfg, "APP_ENV": self.r.choice(["dev", "prod"])},
            "id": f"default/{name}", "immutable": False,
            "metadata": [{"annotations": {}, "generate_name": "", "generation": 0, "labels": {"app": name},
                          "name": name, "namespace": "default", "resource_version": str(self.r.randint(1000, 999999)),
                          "uid": self.uuid()}],
        }, []

    def aws_ssm_parameter(self, name):
        return 0, {
            "allowed_pattern": "", "arn": f"arn:aws:ssm:{self.region()}:{ACCOUNT}:parameter/{name}",
            "data_type": "text", "description": "", "id": f"/{name}", "insecure_value": None,
            "key_id": "", "name": f"/{name}", "overwrite": None, "tags": self.tags(name), "tier": "Standard",
            "type": "String", "value": self.r.choice(["t3.medium", "https://api.example.com", "30", "enabled"]),
            "version": self.r.randint(1, 9),
        }, ["value"]

    def aws_acm_certificate(self, name):
        dom = f"{name.replace('_', '-')}.example.com"
        return 0, {
            "arn": f"arn:aws:acm:{self.region()}:{ACCOUNT}:certificate/{self.uuid()}",
            "certificate_authority_arn": "", "certificate_body": None, "certificate_chain": None,
            "domain_name": dom,
            "domain_validation_options": [{"domain_name": dom, "resource_record_name": f"_{self.hexs(32)}.{dom}.",
                                           "resource_record_type": "CNAME",
                                           "resource_record_value": f"_{self.hexs(32)}.mhbtsbpdnt.acm-validations.aws."}],
            "id": "", "key_algorithm": "RSA_2048", "private_key": None, "status": "ISSUED",
            "subject_alternative_names": [dom], "tags": self.tags(name), "validation_method": "DNS",
        }, ["private_key"]

    def secret_name(self):
        # Real secret names: service/env paths or dashed names with a random suffix; the ARN
        # then ends in "secret:<name>-AbCdEf", which generic keyword rules take for a secret.
        svc = self.r.choice(["payments", "billing", "crm", "search", "etl", "genesys", "auth", "ledger"])
        env = self.r.choice(["prod", "stage", "dev"])
        if self.r.random() < 0.5:
            return f"{svc}/{env}/{self.r.choice(['db', 'api', 'smtp', 'webhook'])}"
        return f"{svc}-{env}-{self.r.choice(['db', 'api', 'smtp', 'webhook'])}-{self.hexs(8)}"

    def aws_secretsmanager_secret(self, name):
        name = self.secret_name()
        arn = f"arn:aws:secretsmanager:{self.region()}:{ACCOUNT}:secret:{name}-{self.alnum(6)}"
        return 0, {
            "arn": arn, "description": "", "force_overwrite_replica_secret": False, "id": arn,
            "kms_key_id": "", "name": name, "policy": "", "recovery_window_in_days": 30,
            "replica": [], "tags": self.tags(name),
        }, []

    def aws_key_pair(self, name):
        return 1, {
            "arn": f"arn:aws:ec2:{self.region()}:{ACCOUNT}:key-pair/{name}",
            "fingerprint": ":".join(self.hexs(2) for _ in range(16)),
            "id": name, "key_name": name, "key_pair_id": "key-" + self.hexs(17), "key_type": "rsa",
            "public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + self.b64(180) + f" {name}@ci",
            "tags": self.tags(name),
        }, []

    def aws_cognito_user_pool_client(self, name):
        gen = self.r.random() < 0.5
        return 0, {
            "access_token_validity": 60, "allowed_oauth_flows": ["code"], "allowed_oauth_flows_user_pool_client": True,
            "allowed_oauth_scopes": ["email", "openid"], "callback_urls": [f"https://{name}.example.com/callback"],
            "client_secret": "" if not gen else None,  # decoy: empty or null
            "explicit_auth_flows": ["ALLOW_REFRESH_TOKEN_AUTH"], "generate_secret": False,
            "id": self.alnum(26).lower(), "name": name, "user_pool_id": f"{self.region()}_{self.alnum(9)}",
        }, ["client_secret"]

    def genesyscloud_oauth_client(self, name, secret=None):
        return 0, {
            "access_token_validity_seconds": 86400, "authorized_grant_type": "CLIENT-CREDENTIALS",
            "client_id": self.uuid(),
            # decoys: null or "" (the gcoauth pattern keeps the secret out of state)
            "client_secret": secret if secret is not None else (None if self.r.random() < 0.5 else ""),
            "description": "Managed by gcoauth", "id": self.uuid(), "integration_credential_id": None,
            "integration_credential_name": None, "name": name, "registered_redirect_uris": [],
            "roles": [{"division_id": "*", "role_id": self.uuid()}], "scopes": [], "state": "active",
        }, ["client_secret"]

    # planted-only types
    def aws_secretsmanager_secret_version(self, name, secret):
        inner = json.dumps({"client_id": self.uuid(), "client_secret": secret,
                            "token_url": "https://login.mypurecloud.com/oauth/token"}, separators=(",", ":"))
        sid = f"arn:aws:secretsmanager:{self.region()}:{ACCOUNT}:secret:genesys/oauth-{self.alnum(6)}"
        return 0, {
            "arn": sid, "id": f"{sid}|{self.uuid()}", "secret_binary": "", "secret_id": sid,
            "secret_string": inner, "version_id": self.uuid(), "version_stages": ["AWSCURRENT"],
        }, ["secret_binary", "secret_string"], inner

    def genesyscloud_integration_credential(self, name, secret):
        return 0, {
            "credential_type_name": "pureCloudOAuthClient",
            "fields": {"clientId": self.uuid(), "clientSecret": secret},
            "id": self.uuid(), "name": name,
        }, ["fields"]


def type_list(n: int, r: random.Random) -> list[str]:
    """The shuffled type of each of n resources, with the §2 mix scaled to n."""
    scale = n / 140_000
    types: list[str] = []
    for t, c in BIG:
        types += [t] * round(c * scale)
    rest = n - len(types)
    for i, t in enumerate(REST):
        types += [t] * (rest // len(REST) + (1 if i < rest % len(REST) else 0))
    r.shuffle(types)
    return types


def sens_paths(names):
    return [[{"type": "get_attr", "value": a}] for a in names]


class Out:
    """Streams ASCII text to a file, tracking byte offset and line number."""

    def __init__(self, path):
        self.f = open(path, "w", encoding="ascii", newline="\n", buffering=1 << 20)
        self.off = 0
        self.lines = 0  # newlines written so far

    def write(self, s: str):
        self.f.write(s)
        self.off += len(s)
        self.lines += s.count("\n")

    def locate(self, chunk: str, needle: str):
        """Where needle (in chunk, about to be written) lands: byte offset, 1-based line, and
        1-based column (valid when chunk starts at a line start, as state chunks do)."""
        i = chunk.index(needle)
        line = self.lines + chunk.count("\n", 0, i) + 1
        return self.off + i, line, i - chunk.rfind("\n", 0, i)

    def close(self):
        self.f.close()


def resource_obj(rtype, name, module, schema, attrs, sens, g: Gen, deps):
    obj = {}
    if module:
        obj["module"] = module
    obj.update({"mode": "managed", "type": rtype, "name": name, "provider": provider_of(rtype),
                "instances": [{"schema_version": schema, "attributes": attrs,
                               "sensitive_attributes": sens_paths(sens), "private": g.private(),
                               "dependencies": deps}]})
    return obj


def render_pretty(obj) -> str:
    # Terraform writes state with json.MarshalIndent(…, "", "  "); resources sit at depth 2
    # (4 spaces) inside "resources": [ … ].
    return "    " + json.dumps(obj, indent=2).replace("\n", "\n    ")


def write_state(path, n, seed, plants, g: Gen, r: random.Random, types=None, header_serial=1):
    """Writes one v4 state. plants: {index: (kind, secret, name)}. Returns truth entries."""
    out = Out(path)
    if types is None:
        types = type_list(n, r)
    out.write('{\n  "version": 4,\n  "terraform_version": "1.9.8",\n  "serial": %d,\n'
              '  "lineage": "%s",\n  "outputs": {},\n  "resources": [\n' % (header_serial, g.uuid()))
    truth = []
    for i in range(n):
        if i in plants:
            kind, secret, name = plants[i]
            module = PLANT_MODULE
            if kind == "oauth_client":
                rtype = "genesyscloud_oauth_client"
                schema, attrs, sens = g.genesyscloud_oauth_client(name, secret)
                ptr, inner = f"/resources/{i}/instances/0/attributes/client_secret", None
            elif kind == "secret_string":
                rtype = "aws_secretsmanager_secret_version"
                schema, attrs, sens, _ = g.aws_secretsmanager_secret_version(name, secret)
                ptr, inner = f"/resources/{i}/instances/0/attributes/secret_string", "/client_secret"
            elif kind == "integration_credential":
                rtype = "genesyscloud_integration_credential"
                schema, attrs, sens = g.genesyscloud_integration_credential(name, secret)
                ptr, inner = f"/resources/{i}/instances/0/attributes/fields/clientSecret", None
            else:
                raise ValueError(kind)
        else:
            rtype = types[i]
            name = f"{rtype.split('_', 1)[1]}_{i}"
            module = r.choice(MODULES) if r.random() < 0.4 else None
            schema, attrs, sens = getattr(g, rtype)(name)
        deps = sorted({f"{types[j]}.{types[j].split('_', 1)[1]}_{j}"
                       for j in (r.randrange(n) for _ in range(r.randint(0, 3)))})
        chunk = render_pretty(resource_obj(rtype, name, module, schema, attrs, sens, g, deps))
        if i + 1 < n:
            chunk += ",\n"
        else:
            chunk += "\n"
        if i in plants:
            off, line, col = out.locate(chunk, secret)
            truth.append({"kind": kind, "secret": secret, "sha1": hashlib.sha1(secret.encode()).hexdigest(),
                          "address": f"{module}.{rtype}.{name}", "pointer": ptr, "inner_pointer": inner,
                          "line": line, "column": col, "byte_offset": off})
        out.write(chunk)
    out.write('  ],\n  "check_results": null\n}\n')
    out.close()
    return truth, out.off, out.lines


def plan_resource(i, seed, n, plant_idx, secret, types, mods):
    """Planned-values entry and resource_changes entry for plan resource i (own seeded RNG,
    so both passes regenerate the same values without holding 20k resources in memory)."""
    r = random.Random(f"{seed}:plan:{i}")
    g = Gen(r)
    module = mods[i]
    if i == plant_idx:
        rtype, name = "genesyscloud_integration_credential", "ci_pipeline_cred"
        _, attrs, _ = g.genesyscloud_integration_credential(name, secret)
    else:
        rtype = types[i]
        name = f"{rtype.split('_', 1)[1]}_{i}"
        _, attrs, _ = getattr(g, rtype)(name)
    addr = f"{module}.{rtype}.{name}" if module else f"{rtype}.{name}"
    sens = {"client_secret": True} if "client_secret" in attrs else {}
    pv_attrs = attrs
    if i == plant_idx:
        # planted only in change.after (see module docstring): the planned_values twin omits it
        pv_attrs = dict(attrs, fields={"clientId": attrs["fields"]["clientId"]})
        sens = {"fields": {"clientSecret": True}}
    pv = {"address": addr, "mode": "managed", "type": rtype, "name": name,
          "provider_name": provider_of(rtype)[10:-2], "schema_version": 0,
          "values": pv_attrs, "sensitive_values": sens}
    rc = {"address": addr, **({"module_address": module} if module else {}), "mode": "managed", "type": rtype, "name": name,
          "provider_name": provider_of(rtype)[10:-2],
          "change": {"actions": ["create"], "before": None, "after": attrs,
                     # what terraform marks as known after apply: ids, ARNs, tags_all
                     "after_unknown": dict({k: True for k in ("arn", "id", "tags_all", "unique_id", "etag",
                                                              "version_id", "create_date") if k in attrs or k == "tags_all"}),
                     "before_sensitive": False, "after_sensitive": dict(sens, tags={}, tags_all={})}}
    return pv, rc, addr


def write_plan(path, n, seed, secret, r: random.Random):
    types = type_list(n, r)
    plant_idx = n // 2
    mods = [(r.choice(MODULES) if r.random() < 0.4 else None) for _ in range(n)]
    mods[plant_idx] = PLANT_MODULE
    out = Out(path)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    out.write('{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{"root_module":{"resources":[')
    first = True
    for i in range(n):
        if mods[i] is None:
            pv, _, _ = plan_resource(i, seed, n, plant_idx, secret, types, mods)
            out.write(("" if first else ",") + dumps(pv))
            first = False
    out.write('],"child_modules":[')
    for mi, m in enumerate(sorted({m for m in mods if m})):
        out.write(("," if mi else "") + '{"resources":[')
        first = True
        for i in range(n):
            if mods[i] == m:
                pv, _, _ = plan_resource(i, seed, n, plant_idx, secret, types, mods)
                out.write(("" if first else ",") + dumps(pv))
                first = False
        out.write('],"address":%s}' % dumps(m))
    out.write(']}},"resource_changes":[')
    truth = None
    for i in range(n):
        _, rc, addr = plan_resource(i, seed, n, plant_idx, secret, types, mods)
        chunk = ("," if i else "") + dumps(rc)
        if i == plant_idx:
            off, line, col = out.locate(chunk, secret)
            truth = {"kind": "plan_integration_credential", "secret": secret,
                     "sha1": hashlib.sha1(secret.encode()).hexdigest(), "address": addr,
                     "pointer": f"/resource_changes/{i}/change/after/fields/clientSecret",
                     "inner_pointer": None, "line": line, "column": off + 1, "byte_offset": off}
        out.write(chunk)
    out.write('],"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws"}},'
              '"root_module":{}},"timestamp":"2026-11-26T12:00:00Z","applyable":true,"complete":true,"errored":false}\n')
    out.close()
    return truth, out.off


def write_tree(root, nfiles, seed, r: random.Random, secret_fn):
    """nfiles small states (2-6 resources, a few KB) under root/org-*/env/stack-*/."""
    g = Gen(r)
    envs = ["dev", "stage", "prod", "sandbox", "dr"]
    nplant = 4
    plant_files = sorted(r.sample(range(nfiles), nplant))
    kinds = ["oauth_client", "secret_string", "integration_credential", "oauth_client"]
    truth, total = [], 0
    small_types = [t for t, _ in BIG] + REST
    for f in range(nfiles):
        d = os.path.join(root, f"org-{f % 10}", envs[(f // 10) % 5], f"stack-{f:05d}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "terraform.tfstate")
        k = r.randint(2, 6)
        types = [r.choice(small_types) for _ in range(k)]
        plants = {}
        if f in plant_files:
            kind = kinds[plant_files.index(f)]
            idx = r.randrange(k)
            names = {"oauth_client": "ci_pipeline", "secret_string": "genesys_oauth",
                     "integration_credential": "ci_pipeline_cred"}
            plants[idx] = (kind, secret_fn(), names[kind])
        t, size, _ = write_state(path, k, seed, plants, g, r, types=types, header_serial=f + 1)
        total += size
        for e in t:
            e["file"] = os.path.relpath(path, os.path.dirname(root))
            truth.append(e)
    return truth, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=PRESETS, default="full")
    ap.add_argument("--out", required=True, help="corpus directory (created); truth.json goes there")
    ap.add_argument("--seed", type=int, default=20261126)
    a = ap.parse_args()
    p = PRESETS[a.preset]
    os.makedirs(a.out, exist_ok=True)
    sec_rng = random.Random(f"{a.seed}:secrets")
    secret = lambda: "".join(sec_rng.choices(ALNUM, k=40))  # noqa: E731
    s_state1, s_state2, s_plan = secret(), secret(), secret()  # fixed order: deterministic
    truth = {"seed": a.seed, "preset": a.preset, "sizes": p, "planted": []}
    t0 = time.time()
    if True:  # state
        os.makedirs(os.path.join(a.out, "state"), exist_ok=True)
        n = p["state"]
        plants = {int(n * 0.37): ("oauth_client", s_state1, "ci_pipeline"),
                  int(n * 0.71): ("secret_string", s_state2, "genesys_oauth")}
        r = random.Random(f"{a.seed}:state")
        t, size, lines = write_state(os.path.join(a.out, "state", "terraform.tfstate"), n, a.seed, plants, Gen(r), r)
        for e in t:
            e["file"] = "state/terraform.tfstate"
        truth["planted"] += t
        truth["state_bytes"], truth["state_lines"] = size, lines + 0
        print(f"state: {n} resources, {size / 1e6:.1f} MB, {lines} lines, {time.time() - t0:.1f} s", file=sys.stderr)
    if True:  # plan
        t1 = time.time()
        os.makedirs(os.path.join(a.out, "plan"), exist_ok=True)
        r = random.Random(f"{a.seed}:plan")
        t, size = write_plan(os.path.join(a.out, "plan", "plan.json"), p["plan"], a.seed, s_plan, r)
        t["file"] = "plan/plan.json"
        truth["planted"].append(t)
        truth["plan_bytes"] = size
        print(f"plan: {p['plan']} resources, {size / 1e6:.1f} MB, {time.time() - t1:.1f} s", file=sys.stderr)
    if True:  # tree
        t2 = time.time()
        root = os.path.join(a.out, "tree")
        r = random.Random(f"{a.seed}:tree")
        t, size = write_tree(root, p["tree"], a.seed, r, secret)
        truth["planted"] += t
        truth["tree_bytes"], truth["tree_files"] = size, p["tree"]
        print(f"tree: {p['tree']} files, {size / 1e6:.1f} MB, {time.time() - t2:.1f} s", file=sys.stderr)
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")
    print(f"total {time.time() - t0:.1f} s -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
