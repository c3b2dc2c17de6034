#!/usr/bin/env python3
"""Writes the committed seed inputs (fuzz/seeds/<target>/) and dictionaries (fuzz/dicts/).

Run from fuzz/: python3 make_seeds.py. The seeds are small valid and near-valid inputs;
libFuzzer grows its own corpus (fuzz/corpus/<target>/, not committed) from them.
"""
import json
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, "seeds", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# validity_parse: text forms, wire numbers, and (first 9 bytes) amount + unit for new().
for i, text in enumerate([
    "90m", "12h", "30d", "2w", "3600s", "1h30m", "1h 30m", "2 weeks", "1 Hour", "25w",
    "26w", "30s", "-5m", "90", "m", "1.5h", "9223372036854775807s1w", "7200", "59",
]):
    write("validity_parse", f"text{i:02}", text)
for i, (amount, unit) in enumerate([(90, 1), (-1, 4), (2**63 - 1, 4), (25, 4), (59, 0)]):
    write("validity_parse", f"new{i}", struct.pack("<qB", amount, unit))

# allowlist_parse: one entry per line; also comma-separated and JSON forms.
write("allowlist_parse", "mixed",
      "192.168.1.5\n 10.0.0.0/8 \n2001:db8:0::1\n192.168.1.5\n2001:DB8:abcd::/48\n::/0")
write("allowlist_parse", "hostbits", "10.0.0.0/8\n10.0.0.1/8")
write("allowlist_parse", "mapped", "::ffff:10.0.0.1\n::ffff:10.0.0.0/104")
write("allowlist_parse", "csv", "10.0.0.0/8, 2001:DB8::1")
write("allowlist_parse", "json", '["10.0.0.0/8","2001:db8::1"]')
write("allowlist_parse", "fifty_one", "\n".join(f"10.0.0.{i}" for i in range(51)))
write("allowlist_parse", "role", "Tenant Admin")

# response_decode: byte 0 = operation, byte 1 = status (< 0x80 means 200), then the body.
OPS = ["list_api_keys", "create_api_key", "revoke_api_key", "caller_permissions",
       "roles_with_permissions", "roles", "current_user", "user_by_id",
       "organization_users_by_email", "organization", "create_api_key_preflight",
       "roles_with_ids_and_permissions", "user_org_role", "user_organization",
       "organization_members", "organization_members_page", "set_user_org_role",
       "remove_member", "organization_members_with_roles", "overview", "date_time"]
NOW = "2026-11-26T08:56:16.000Z"
USER = {"createdAt": NOW, "email": "ada@example.com", "isExternalUser": False,
        "isViewer": False, "lastLoginAt": None, "nickname": "ada", "name": "Ada",
        "picture": "https://example.invalid/p.png", "id": "u1", "updatedAt": NOW}
KEY = {"id": "ck1", "name": "ci", "createdAt": NOW, "updatedAt": "2026-11-26 08:56:16+0200",
       "revoked": False, "expiresAtEpoch": 1795000000, "userId": "u1",
       "userEmail": "ada@example.com", "createdByUserId": None,
       "allowedIpCidrs": ["10.0.0.0/8", "10.0.0.1/8", "2001:db8::1"]}
DATA = {
    "list_api_keys": {"user": {"id": "u1", "apiKeys": [KEY], "apiKeysOtherUsers": []}},
    "create_api_key": {"createApiKey": {"id": "ck2", "jwt": "eyJhbGciOi.eyJzdWIi.sig"}},
    "revoke_api_key": {"updateApiKey": {"id": "ck1"}},
    "caller_permissions": {"organizationRole": {"permissions": ["CREATE_API_KEY", None]}},
    "roles_with_permissions": {"roles": [{"name": "Labeler", "permissions": ["LABEL"],
                                          "organizationId": "o1"}]},
    "roles": {"roles": [{"id": "r1", "name": "Team Manager"}]},
    "current_user": {"user": USER},
    "user_by_id": {"user": None},
    "organization_users_by_email": {"organization": {"users": [USER]}},
    "organization": {"organization": {"createdAt": "2026-11-26", "name": "Org", "id": "o1",
                                      "updatedAt": NOW}},
    "roles_with_ids_and_permissions": {"roles": [{"id": "r1", "name": "Labeler",
                                                  "permissions": ["LABEL"],
                                                  "organizationId": "o1"}]},
    "user_org_role": {"user": {"orgRole": {"name": "Admin", "id": "r4"}}},
    "user_organization": {"user": {"organization": {"createdAt": NOW, "name": "Org",
                                                    "id": "o1", "updatedAt": NOW}}},
    "organization_members": {"organization": {"users": [USER]}},
    "organization_members_page": {"organization": {"users": []}},
    "set_user_org_role": {"setOrganizationRole": {"id": "r2", "name": "Reviewer"}},
    "remove_member": {"updateUser": {"id": "u2", "deleted": True}},
    "organization_members_with_roles": {"organization": {"users": [
        dict(USER, orgRole={"id": "r1", "name": "Labeler"}), dict(USER, id="u2", orgRole=None)]}},
    "create_api_key_preflight": {
        "organization": {"id": "o1", "users": [USER]},
        "organizationRole": {"permissions": ["CREATE_API_KEY"]},
        "roles": [{"id": "r1", "name": "Labeler", "permissions": ["LABEL"],
                   "organizationId": "o1"}]},
    "overview": {
        "user": dict(USER, orgRole={"id": "r4", "name": "Admin"}),
        "organizationRole": {"permissions": ["CREATE_API_KEY", None]},
        "roles": [{"id": "r1", "name": "Labeler", "permissions": ["LABEL"],
                   "organizationId": "o1"}],
        "organization": {"createdAt": NOW, "name": "Org", "id": "o1", "updatedAt": NOW,
                         "users": [USER]},
        "keys": {"id": "u1", "apiKeys": [KEY], "apiKeysOtherUsers": []}},
}
ERRORS = [
    {"errors": [{"message": "bad key", "extensions": {"code": "AUTHENTICATION_ERROR"}}]},
    {"errors": [{"message": "boom", "path": ["createApiKey", 0],
                 "extensions": {"code": "INTERNAL_SERVER_ERROR",
                                "exception": {"status": "422"}}}], "data": None},
    {"message": "You have exceeded the rate limit"},
    {"errors": [{"message": "odd", "extensions": {"code": "SOMETHING_ELSE"}}]},
]
# Secrets the target checks never reach an error's text (labelbox_sdk::__fuzz::FUZZ_API_KEY
# and the target's SECRET_JWT).
API_KEY = "fuzz-api-key-0123456789"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLWZ1eno"
ERRORS += [
    {"errors": [{"message": f"bad key {API_KEY}", "path": [JWT, 1],
                 "extensions": {"code": "AUTHENTICATION_ERROR"}}]},
    {"message": f"You have exceeded: {JWT}"},
    {"message": f"denied for {API_KEY}"},
    {"errors": [{"message": JWT, "extensions": {"code": f"X{API_KEY}"}}]},
]
for i, op in enumerate(OPS[:-1]):
    write("response_decode", f"{op}_ok", bytes([i, 0]) + json.dumps({"data": DATA[op]}).encode())
    for j, body in enumerate(ERRORS):
        status = [0x84, 0x89, 0x88, 0x80, 0x80, 0x88, 0x84, 0x83][j]  # 401 500 429 200 ... 400
        write("response_decode", f"{op}_err{j}", bytes([i, status]) + json.dumps(body).encode())
# The listing's one-pass decoding: keys of two users, escapes (\u escapes or raw UTF-8),
# other users' keys first, whitespace; the fuzz target checks the `Value` path agrees.
KEY2 = dict(KEY, id="ck2", name="q\"b\\s/\n\t é 😀", userId="u2", createdByUserId="u1",
            allowedIpCidrs=None, updatedAt=NOW)
LISTING = {"data": {"user": {"apiKeysOtherUsers": [KEY2], "id": "u1", "apiKeys": [KEY, KEY2]}}}
write("response_decode", "list_api_keys_one_pass_escaped",
      bytes([0, 0]) + json.dumps(LISTING, ensure_ascii=True).encode())
write("response_decode", "list_api_keys_one_pass_pretty",
      bytes([0, 0]) + json.dumps(LISTING, ensure_ascii=False, indent=1).encode())
# A top-level `extensions` (any JSON value), skipped by both decode paths.
EXTENDED = dict(LISTING, extensions={"cost": {"requested": 12.5, "limit": 1e3},
                                     "trace": [None, True, "\u00e9 \ud83d\ude00", -0.0, []]})
write("response_decode", "list_api_keys_one_pass_extensions",
      bytes([0, 0]) + json.dumps(EXTENDED, ensure_ascii=True).encode())
write("response_decode", "list_api_keys_one_pass_extensions_last",
      bytes([0, 0]) + (json.dumps(LISTING)[:-1] + ', "extensions": "x"}').encode())
write("response_decode", "html_502", bytes([0, 0x8a]) + b"<html>Bad gateway</html>")
write("response_decode", "upstream", bytes([2, 0x8b]) +
      b"upstream connect error or disconnect/reset before headers. reset reason: overflow")
for i, text in enumerate([NOW, "2026-11-26T08:56", "2026-11-26 08:56:16+02", "2026-11-26",
                          "2026-11-26T08:56:16.123456789-0530"]):
    write("response_decode", f"date{i}", bytes([len(OPS) - 1, 0]) + text.encode())
write("response_decode", "scrub", bytes([len(OPS) - 1, 0]) + f"x {API_KEY} eyJ{JWT}. {JWT}".encode())
write("response_decode", "create_bad_id",
      bytes([1, 0]) + json.dumps({"data": {"createApiKey": {"id": 5, "jwt": JWT}}}).encode())

# Dictionaries.
os.makedirs(os.path.join(HERE, "dicts"), exist_ok=True)
with open(os.path.join(HERE, "dicts", "validity.dict"), "w") as f:
    for token in ["s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute",
                  "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "w", "wk",
                  "wks", "week", "weeks", "-", " ", "15120000", "604800", "9223372036854775807"]:
        f.write(f'"{token}"\n')
with open(os.path.join(HERE, "dicts", "allowlist.dict"), "w") as f:
    for token in ["\\x0a", ",", "/", "::", ":", ".", "::ffff:", "/0", "/8", "/32", "/64",
                  "/128", "%", "0.0.0.0", "255.255.255.255", "2001:db8::", "fe80::1", "[", "]"]:
        f.write(f'"{token}"\n')
fields = set()
queries = os.path.join(HERE, "..", "queries")
for name in sorted(os.listdir(queries)):
    text = open(os.path.join(queries, name)).read()
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    fields.update(re.findall(r"\b([a-zA-Z_][a-zA-Z0-9_]*)\b", text))
fields -= {"query", "mutation", "fragment", "on", "where", "data", "skip", "first", "true"}
with open(os.path.join(HERE, "dicts", "response.dict"), "w") as f:
    for token in sorted(fields) + [
        "data", "errors", "message", "extensions", "code", "exception", "status", "path",
        "null", "true", "false", "{}", "[]", ":", ",", "\\x22", "AUTHENTICATION_ERROR",
        "AUTHORIZATION_ERROR", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED",
        "RESOURCE_NOT_FOUND", "RESOURCE_CONFLICT", "MALFORMED_REQUEST",
        "INTERNAL_SERVER_ERROR", "OPERATION_NOT_ALLOWED", "Query complexity limit exceeded",
        "You have exceeded", "2026-11-26T08:56:16.000Z", "+02:00", "Z", "T",
        "fuzz-api-key-0123456789", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLWZ1eno",
        "eyJ", "upstream connect error or disconnect/reset before headers",
    ]:
        token = token.replace('"', '\\"') if token != "\\x22" else token
        f.write(f'"{token}"\n')
