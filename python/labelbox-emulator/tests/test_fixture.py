"""The pytest plugin of the labelbox-emulator wheel: fixtures, seeding, the clock, a failed
start, and the admin key kept out of what pytest prints."""

import json
import os
import socket
import sys
import urllib.error
import urllib.request

import labelbox
import pytest
from lbox.exceptions import AuthenticationError

from labelbox_emulator import AdminError, binary_path


def client(emulator, key):
    return labelbox.Client(api_key=key, endpoint=emulator.endpoint)


def test_the_binary_is_the_one_the_wheel_installed():
    path = os.path.realpath(binary_path())
    assert "LABELBOX_EMULATOR_BIN" not in os.environ
    assert path.startswith(os.path.realpath(sys.prefix) + os.sep), path
    assert f"{os.sep}target{os.sep}" not in path, path


def test_seeded_members_and_keys_work_through_the_official_sdk(labelbox_emulator):
    user_id = labelbox_emulator.add_user("dee@example.com", "Dee Dev", "Reviewer")
    key = labelbox_emulator.create_key("dee@example.com", "Reviewer", name="seeded")
    assert key.secret not in repr(key)

    dee = client(labelbox_emulator, key.secret)
    me = dee.get_user()
    assert (me.uid, me.email, me.name) == (user_id, "dee@example.com", "Dee Dev")
    assert me.org_role().name == "Reviewer"

    labelbox_emulator.set_user_role("dee@example.com", "Labeler")
    assert dee.get_user().org_role().name == "Labeler"

    (listed,) = [k for k in labelbox_emulator.keys() if k["id"] == key.id]
    assert (listed["name"], listed["userEmail"], listed["revoked"]) == (
        "seeded",
        "dee@example.com",
        False,
    )
    with pytest.raises(AdminError) as refused:
        labelbox_emulator.add_user("dee@example.com", "Again", "Labeler")
    assert (refused.value.status, refused.value.code) == (400, "MALFORMED_REQUEST")


def test_advancing_the_clock_expires_a_key(labelbox_emulator):
    key = labelbox_emulator.create_key("labeler@example.com", "Labeler", validity_seconds=60)
    labeler = client(labelbox_emulator, key.secret)
    assert labeler.get_user().email == "labeler@example.com"

    labelbox_emulator.advance_clock(61)
    with pytest.raises(AuthenticationError):
        labeler.get_user()
    # Expired on the emulator's clock, not revoked: still stored.
    (stored,) = [k for k in labelbox_emulator.keys() if k["id"] == key.id]
    assert stored["revoked"] is False


def post_query(emulator, query):
    """A raw GraphQL request with the admin key: the HTTP status."""
    request = urllib.request.Request(
        emulator.endpoint,
        data=json.dumps({"query": query}).encode(),
        headers={
            "Authorization": "Bearer " + emulator.admin_key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_queued_fault_answers_the_next_request(labelbox_emulator):
    labelbox_emulator.fail_next("http500")
    assert post_query(labelbox_emulator, "{ user { email } }") == 500
    assert post_query(labelbox_emulator, "{ user { email } }") == 200


def test_each_test_gets_a_fresh_emulator_and_the_session_one_is_shared(pytester):
    pytester.makepyfile(
        """
        seen = {}

        def test_first(labelbox_emulator, labelbox_emulator_session):
            labelbox_emulator.add_user("only-here@example.com", "Once", "Labeler")
            labelbox_emulator_session.add_user("shared@example.com", "Shared", "Labeler")
            seen["pid"] = labelbox_emulator.pid
            seen["session"] = labelbox_emulator_session.pid

        def test_second(labelbox_emulator, labelbox_emulator_session):
            assert labelbox_emulator.pid != seen["pid"]
            labelbox_emulator.add_user("only-here@example.com", "Again", "Labeler")
            assert labelbox_emulator_session.pid == seen["session"]
            try:
                labelbox_emulator_session.add_user("shared@example.com", "Twice", "Labeler")
            except Exception as e:
                assert "exists" in str(e)
            else:
                raise AssertionError("the session emulator forgot its member")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_failed_start_fails_the_test_with_the_emulators_message(pytester):
    # A port in use: the emulator refuses it (never another port), and says so.
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        pytester.makepyfile(
            f"""
            import pytest

            @pytest.fixture
            def labelbox_emulator_args():
                return ["--listen", "127.0.0.1:{port}"]

            def test_never_runs(labelbox_emulator):
                raise AssertionError("the test ran without an emulator")
            """
        )
        result = pytester.runpytest("-p", "no:cacheprovider")
    finally:
        taken.close()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*labelbox-emulator exited with status 1 before it was ready: "
            f"error: cannot listen on 127.0.0.1:{port}: the address is already in use*"
        ]
    )
    result.stdout.no_fnmatch_line("*the test ran without an emulator*")


def test_the_admin_key_is_never_shown_on_success(pytester, tmp_path):
    key_file = tmp_path / "admin_key"
    pytester.makepyfile(
        f"""
        import logging

        def test_prints_what_it_holds(labelbox_emulator, labelbox_emulator_session):
            for emulator in (labelbox_emulator, labelbox_emulator_session):
                print(repr(emulator), emulator, emulator.create_key("admin@example.com", "Admin"))
                logging.getLogger("test").warning("emulator: %r", emulator)
                with open({str(key_file)!r}, "a") as f:
                    f.write(emulator.admin_key + "\\n")
        """
    )
    # -rA shows the captured output of passing tests; --setup-show the fixtures.
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA", "-vv", "--setup-show")
    result.assert_outcomes(passed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "Emulator(endpoint='http://127.0.0.1:" in output  # the repr was printed
    keys = key_file.read_text().split()
    assert len(keys) == 2
    for key in keys:
        assert key.count(".") == 2
        assert key not in output
