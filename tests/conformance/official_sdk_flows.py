"""The official Labelbox Python SDK (labelbox==7.17.0) against the emulator.

Usage: official_sdk_flows.py ENDPOINT ADMIN_KEY

Runs the reference client's API-key, role and user calls against a running emulator and
checks results and messages. Prints one line per check, then "N passed, N failed"; exits
non-zero when any check fails. Needs the emulator's default seed.
"""

import json
import sys
import traceback
import urllib.request

import labelbox as lb
from lbox.exceptions import AuthenticationError, LabelboxError
from labelbox.schema.timeunit import TimeUnit

ENDPOINT, ADMIN_KEY = sys.argv[1], sys.argv[2]
PASSED, FAILED = [], []


def check(name):
    def wrap(fn):
        try:
            fn()
            PASSED.append(name)
            print(f"PASS {name}")
        except Exception:  # noqa: BLE001 - report every failure and carry on
            FAILED.append(name)
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)
        return fn

    return wrap


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def expect_error(fn, exc_type, text):
    try:
        fn()
    except exc_type as e:  # noqa: PERF203
        expect(text in str(e), f"message {str(e)!r} lacks {text!r}")
        return e
    raise AssertionError(f"expected {exc_type.__name__} containing {text!r}")


def advance_clock(seconds):
    """Moves the emulator clock (POST /_emulator/clock)."""
    url = ENDPOINT.rsplit("/graphql", 1)[0] + "/_emulator/clock"
    req = urllib.request.Request(
        url,
        data=json.dumps({"advanceSeconds": seconds}).encode(),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        expect(resp.status == 200, f"clock control answered {resp.status}")


def client(key):
    return lb.Client(api_key=key, endpoint=ENDPOINT)


admin = client(ADMIN_KEY)
state = {}


@check("get_user returns the caller")
def _():
    me = admin.get_user()
    expect(me.email == "admin@example.com", me.email)
    expect(me.name == "Ada Admin", me.name)
    state["admin_id"] = me.uid


@check("get_roles returns every built-in role keyed by normalised name")
def _():
    roles = admin.get_roles()
    for name in ["NONE", "LABELER", "REVIEWER", "TEAM_MANAGER", "ADMIN", "TENANT_ADMIN"]:
        expect(name in roles, f"{name} missing from {sorted(roles)}")
    expect(roles["LABELER"].uid, "role without id")


@check("create_api_key without allowed_ip_cidrs")
def _():
    created = admin.create_api_key(
        "py-labeler", "labeler@example.com", "Labeler", validity=2, time_unit=TimeUnit.HOUR
    )
    expect(set(created) >= {"id", "jwt"}, created)
    expect(created["jwt"].count(".") == 2, "jwt is not a JWT")
    state["labeler"] = created
    me = client(created["jwt"]).get_user()
    expect(me.email == "labeler@example.com", me.email)


@check("create_api_key with allowed_ip_cidrs (loopback allowed, 10/8 refused)")
def _():
    ok = admin.create_api_key(
        "py-loopback", "reviewer@example.com", "Reviewer", validity=1, time_unit=TimeUnit.DAY,
        allowed_ip_cidrs=["127.0.0.1", "::1/128", "127.0.0.1"],
    )
    expect(client(ok["jwt"]).get_user().email == "reviewer@example.com", "loopback key refused")
    far = admin.create_api_key(
        "py-ten", "reviewer@example.com", "Reviewer", validity=1, time_unit=TimeUnit.DAY,
        allowed_ip_cidrs=["10.0.0.0/8"],
    )
    expect_error(lambda: client(far["jwt"]).get_user(), AuthenticationError, "Invalid API key")
    state["loopback"], state["ten"] = ok, far


@check("get_api_keys lists live keys with their fields")
def _():
    keys = {k.uid: k for k in admin.get_api_keys()}
    for name in ["labeler", "loopback", "ten"]:
        expect(state[name]["id"] in keys, f"{name} key missing")
    loop = keys[state["loopback"]["id"]]
    expect(loop.allowed_ip_cidrs == ["127.0.0.1", "::1/128"], loop.allowed_ip_cidrs)
    expect(loop.revoked is False, "revoked")
    expect(loop.name == "py-loopback", loop.name)
    lab = keys[state["labeler"]["id"]]
    expect(lab.allowed_ip_cidrs == [], lab.allowed_ip_cidrs)  # null becomes []
    expect(lab.expired_at.timestamp() > 0, "no expiry")


@check("get_api_keys hides expired keys unless include_expired")
def _():
    advance_clock(-86400)  # create a key that expired in real time too
    try:
        short = admin.create_api_key("py-short", "labeler@example.com", "Labeler", validity=1, time_unit=TimeUnit.MINUTE)
    finally:
        advance_clock(86400)
    state["short"] = short
    live = [k.uid for k in admin.get_api_keys()]
    expect(short["id"] not in live, "expired key listed by default")
    every = [k.uid for k in admin.get_api_keys(include_expired=True)]
    expect(short["id"] in every, "expired key missing with include_expired")
    expect_error(lambda: client(short["jwt"]).get_user(), AuthenticationError, "Invalid API key")


@check("get_api_key finds a key by id (expired included) and returns None otherwise")
def _():
    found = admin.get_api_key(state["short"]["id"])
    expect(found is not None and found.name == "py-short", found)
    expect(admin.get_api_key("cnosuchkey000000000000000") is None, "phantom key")


@check("created_by and created_for")
def _():
    key = admin.get_api_key(state["labeler"]["id"])
    expect(key.created_by.email == "admin@example.com", key.created_by.email)
    expect(key.created_for.email == "labeler@example.com", key.created_for.email)
    bootstrap = [k for k in admin.get_api_keys() if k.name == "Emulator bootstrap admin key"]
    expect(bootstrap, "bootstrap key not listed")
    # createdByUserId is null on the bootstrap key: created_by falls back to userId.
    expect(bootstrap[0].created_by_user_id is None, bootstrap[0].created_by_user_id)
    expect(bootstrap[0].created_by.email == "admin@example.com", "fallback failed")


@check("revoke stops the key and hides it; revoking again is harmless")
def _():
    key = admin.get_api_key(state["labeler"]["id"])
    result = key.revoke()
    expect(result["updateApiKey"]["id"] == key.uid, result)
    expect_error(lambda: client(state["labeler"]["jwt"]).get_user(), AuthenticationError, "Invalid API key")
    expect(key.uid not in [k.uid for k in admin.get_api_keys(include_expired=True)], "revoked key listed")
    again = key.revoke()
    expect(again["updateApiKey"]["id"] == key.uid, again)


@check("bad input: unknown user")
def _():
    expect_error(
        lambda: admin.create_api_key("x", "ghost@example.com", "Labeler", validity=1, time_unit=TimeUnit.HOUR),
        ValueError,
        "User with email 'ghost@example.com' does not exist in the organization",
    )


@check("bad input: ungrantable role")
def _():
    for role in ["Tenant Admin", "None", "LABELER"]:
        expect_error(
            lambda: admin.create_api_key("x", "labeler@example.com", role, validity=1, time_unit=TimeUnit.HOUR),
            ValueError,
            "Invalid role specified. Allowed roles are: ['Labeler', 'Reviewer', 'Team Manager', 'Admin']",
        )


@check("bad input: validity out of range")
def _():
    expect_error(
        lambda: admin.create_api_key("x", "labeler@example.com", "Labeler", validity=0),
        ValueError, "Minimum validity period is 1 minute",
    )
    expect_error(
        lambda: admin.create_api_key("x", "labeler@example.com", "Labeler", validity=26, time_unit=TimeUnit.WEEK),
        ValueError, "Maximum validity period is 6 months (or 25 weeks)",
    )


@check("a labeler key sees only its own keys and cannot create keys")
def _():
    created = admin.create_api_key("py-lab2", "labeler@example.com", "Labeler", validity=1, time_unit=TimeUnit.HOUR)
    labeler = client(created["jwt"])
    mine = [k.uid for k in labeler.get_api_keys()]
    expect(created["id"] in mine, mine)
    expect(state["loopback"]["id"] not in mine, "sees another user's key")
    expect_error(
        lambda: labeler.create_api_key("x", "labeler@example.com", "Labeler", validity=1, time_unit=TimeUnit.HOUR),
        LabelboxError,
        "permission",
    )


@check("an invalid key is refused")
def _():
    expect_error(lambda: client("not-a-key").get_user(), AuthenticationError, "Invalid API key")


@check("user.org_role() and user.organization()")
def _():
    me = admin.get_user()
    role = me.org_role()
    expect(role.name == "Admin", role.name)
    expect(role.uid == admin.get_roles()["ADMIN"].uid, role.uid)
    org = me.organization()
    expect(org.uid == admin.get_organization().uid, org.uid)
    expect(org.name == "Example Org", org.name)


@check("organization.users() pages through every member")
def _():
    emails = [u.email for u in admin.get_organization().users()]
    for email in ["admin@example.com", "labeler@example.com", "reviewer@example.com", "external@example.com"]:
        expect(email in emails, f"{email} missing from {emails}")
    expect(len(emails) == len(set(emails)), f"duplicates in {emails}")


def member(email):
    found = [u for u in admin.get_organization().users() if u.email == email]
    expect(found, f"{email} is not a member")
    return found[0]


@check("user.update_org_role(role) changes the role and what the member's keys may do")
def _():
    manager = member("manager@example.com")
    created = admin.create_api_key("py-manager", "manager@example.com", "Team Manager", validity=1, time_unit=TimeUnit.HOUR)
    manager_client = client(created["jwt"])
    expect(len(list(manager_client.get_organization().users())) > 1, "a Team Manager sees the members")
    manager.update_org_role(admin.get_roles()["LABELER"])
    expect(manager.org_role().name == "Labeler", manager.org_role().name)
    emails = [u.email for u in manager_client.get_organization().users()]
    expect(emails == ["manager@example.com"], f"a Labeler now, it sees {emails}")
    expect_error(
        lambda: manager.update_org_role(admin.get_roles()["TENANT_ADMIN"]),
        LabelboxError,
        "Allowed roles are",
    )


@check("organization.remove_user(user) removes the member; their keys are refused for good")
def _():
    reviewer = member("reviewer@example.com")
    expect(client(state["loopback"]["jwt"]).get_user().email == "reviewer@example.com", "key works before")
    admin.get_organization().remove_user(reviewer)
    expect_error(lambda: client(state["loopback"]["jwt"]).get_user(), AuthenticationError, "Invalid API key")
    emails = [u.email for u in admin.get_organization().users()]
    expect("reviewer@example.com" not in emails, emails)
    expect(state["loopback"]["id"] not in [k.uid for k in admin.get_api_keys()], "removed member's key listed")
    expect_error(
        lambda: admin.create_api_key("x", "reviewer@example.com", "Reviewer", validity=1, time_unit=TimeUnit.HOUR),
        ValueError,
        "User with email 'reviewer@example.com' does not exist in the organization",
    )


# ---- invites, users by email, project-based members (issue 21) ----


def accept_invite(invite_id):
    """Accepts an invite as its invitee would (POST /_emulator/invites/accept)."""
    url = ENDPOINT.rsplit("/graphql", 1)[0] + "/_emulator/invites/accept"
    req = urllib.request.Request(
        url,
        data=json.dumps({"inviteId": invite_id}).encode(),
        headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        expect(resp.status == 200, f"accepting answered {resp.status}")
        return json.loads(resp.read())


@check("client.get_users(where=User.email == ...) finds one member")
def _():
    found = list(admin.get_users(where=lb.User.email == "labeler@example.com"))
    expect([u.email for u in found] == ["labeler@example.com"], [u.email for u in found])
    expect(list(admin.get_users(where=lb.User.email == "ghost@example.com")) == [], "a ghost was found")
    everyone = [u.email for u in admin.get_users()]
    expect("admin@example.com" in everyone and len(everyone) == len(set(everyone)), everyone)


@check("organization.invite_user(email, role) sends an invite; a second one for the same email too")
def _():
    org = admin.get_organization()
    roles = admin.get_roles()
    first = org.invite_user("Invitee@Example.com", roles["REVIEWER"])
    expect(first.email == "invitee@example.com", first.email)
    expect(first.organization_role_name == "Reviewer", first.organization_role_name)
    second = org.invite_user("invitee@example.com", roles["REVIEWER"])
    expect(second.uid != first.uid, "the second invite is the first")
    project_based = org.invite_user("project-based@example.com", roles["NONE"])
    expect(project_based.organization_role_name == "None", project_based.organization_role_name)
    state["invite"], state["project_based_invite"] = first, project_based


@check("organization.invite_users answers each email; the official SDK answers repeats and long emails")
def _():
    org = admin.get_organization()
    long_email = "x" * 320 + "@example.com"
    results = org.invite_users(
        ["bulk@example.com", "BULK@example.com", long_email, "admin@example.com", "invitee@example.com", "not-an-email"],
        admin.get_roles()["LABELER"],
    )
    statuses = [r.status for r in results]
    expect(
        statuses
        == [
            lb.InviteMemberStatus.INVITED,
            lb.InviteMemberStatus.DUPLICATE,
            lb.InviteMemberStatus.INVALID_EMAIL,
            lb.InviteMemberStatus.ALREADY_MEMBER,
            lb.InviteMemberStatus.ALREADY_INVITED,
            lb.InviteMemberStatus.INVALID_EMAIL,
        ],
        statuses,
    )
    expect(results[0].invite_id and results[0].email == "bulk@example.com", results[0])
    # 150 more in two requests of 100 and 50.
    many = [f"many{i:03}@example.com" for i in range(150)]
    results = org.invite_users(many, admin.get_roles()["LABELER"])
    expect(all(r.status == lb.InviteMemberStatus.INVITED for r in results), {r.status for r in results})


@check("organization.get_invites() pages through every invite (more than one page)")
def _():
    invites = list(admin.get_organization().get_invites())
    emails = [i.email for i in invites]
    expect(len(invites) > 100, f"only {len(invites)} invites")
    for email in ["invitee@example.com", "bulk@example.com", "many000@example.com", "many149@example.com"]:
        expect(email in emails, f"{email} missing")
    expect(len({i.uid for i in invites}) == len(invites), "an invite listed twice")
    expect(emails.count("invitee@example.com") == 2, "two invites for one email")
    state["invite_count"] = len(invites)


@check("organization.invite_limit() counts members and pending invites")
def _():
    org = admin.get_organization()
    limit = org.invite_limit()
    members = len(list(org.users()))
    expect(limit.used == members + state["invite_count"], limit)
    expect(limit.remaining == limit.limit - limit.used, limit)
    expect(limit.limit >= 1000 + members, limit)


@check("invite.cancel() cancels on the experimental endpoint")
def _():
    invite = state["project_based_invite"]
    expect(invite.cancel() is True, "cancel did not succeed")
    uids = [i.uid for i in admin.get_organization().get_invites()]
    expect(invite.uid not in uids, "the cancelled invite is still listed")


@check("an accepted invite makes a member, found by email")
def _():
    accepted = accept_invite(state["invite"].uid)
    found = list(admin.get_users(where=lb.User.email == "invitee@example.com"))
    expect([u.uid for u in found] == [accepted["userId"]], found)
    expect(found[0].org_role().name == "Reviewer", found[0].org_role().name)
    emails = [i.email for i in admin.get_organization().get_invites()]
    expect("invitee@example.com" not in emails, "the accepted email still has invites")


@check("user.update_org_role(NONE) makes a project-based member")
def _():
    external = member("external@example.com")
    external.update_org_role(admin.get_roles()["NONE"])
    expect(external.org_role().name == "None", external.org_role().name)
    expect_error(
        lambda: admin.create_api_key("x", "external@example.com", "None", validity=1, time_unit=TimeUnit.HOUR),
        ValueError,
        "Invalid role specified",
    )


print(f"{len(PASSED)} passed, {len(FAILED)} failed")
sys.exit(1 if FAILED else 0)
