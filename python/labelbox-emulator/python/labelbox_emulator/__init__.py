"""A local Labelbox API server for tests: the ``labelbox-emulator`` binary this wheel
installs, started on a free loopback port, and its administration surface.

>>> with labelbox_emulator.start() as emulator:          # doctest: +SKIP
...     client = labelbox.Client(api_key=emulator.admin_key, endpoint=emulator.endpoint)

Under pytest, use the ``labelbox_emulator`` fixture (function scope) or
``labelbox_emulator_session`` (session scope) instead: see ``pytest_plugin``.

The admin key is a secret (whoever holds it administers the emulator): it is never printed,
logged or shown in a ``repr``.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence

__all__ = [
    "AdminError",
    "Emulator",
    "IssuedKey",
    "StartError",
    "binary_path",
    "start",
]

BINARY = "labelbox-emulator"
# How long a start may take before it counts as failed (a cold start takes milliseconds).
START_TIMEOUT_SECONDS = 30.0
# How long a stopped emulator may take to exit after SIGTERM before it is killed.
STOP_TIMEOUT_SECONDS = 10.0


class StartError(RuntimeError):
    """The emulator did not start; the message ends with what the emulator printed on stderr."""


class AdminError(RuntimeError):
    """An administration request was refused: ``status`` (HTTP), ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def binary_path() -> str:
    """The ``labelbox-emulator`` binary: ``$LABELBOX_EMULATOR_BIN`` when set, else the one
    this wheel installed beside the running interpreter's scripts, else the one on ``PATH``."""
    override = os.environ.get("LABELBOX_EMULATOR_BIN")
    if override:
        return override
    exe = BINARY + (".exe" if sys.platform == "win32" else "")
    installed = os.path.join(sysconfig.get_path("scripts"), exe)
    if os.path.isfile(installed):
        return installed
    found = shutil.which(BINARY)
    if found:
        return found
    raise StartError(f"{BINARY} is not installed (looked in {installed} and on PATH)")


@dataclass(frozen=True)
class IssuedKey:
    """A key minted by :meth:`Emulator.create_key`: its ``id`` and the key itself
    (``secret``, a JWT), which its ``repr`` leaves out."""

    id: str
    secret: str = field(repr=False)


@dataclass
class Emulator:
    """A running emulator: ``endpoint`` (its GraphQL URL), ``admin_email`` (the user the
    admin key acts as), ``admin_key`` (the bootstrap admin key: a secret, left out of the
    ``repr``) and ``pid``; methods over its administration surface (``/_emulator/*``, which
    only the admin key may use)."""

    endpoint: str
    admin_email: str
    admin_key: str = field(repr=False)
    pid: int

    def _admin(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        url = self.endpoint.rsplit("/graphql", 1)[0] + "/_emulator/" + path
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.admin_key)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                error = json.loads(text)["errors"][0]
                code, message = error["extensions"]["code"], error["message"]
            except (ValueError, KeyError, IndexError, TypeError):
                code, message = "", text
            # Raised without the request: its headers hold the admin key.
            raise AdminError(e.code, code, message) from None

    def add_user(self, email: str, name: str, role: str) -> str:
        """Adds a member with the built-in organization ``role`` (``None``, ``Labeler``,
        ``Reviewer``, ``Team Manager``, ``Admin``, ``Tenant Admin``); returns its id."""
        return self._admin("POST", "users", {"email": email, "name": name, "role": role})["id"]

    def set_user_role(self, email: str, role: str) -> None:
        """Changes a member's organization role (no permission checks)."""
        self._admin("POST", "users/role", {"email": email, "role": role})

    def create_key(
        self,
        email: str,
        role: str,
        validity_seconds: int = 3600,
        name: Optional[str] = None,
        allowed_ip_cidrs: Optional[Sequence[str]] = None,
    ) -> IssuedKey:
        """Mints a key for the member ``email`` with ``role`` (any role, bypassing the API's
        grant rules: a key acts with its role and its user's organization role at once),
        valid for ``validity_seconds`` from the emulator's now (zero or negative: already
        expired)."""
        body: dict = {"email": email, "role": role, "validitySeconds": validity_seconds}
        if name is not None:
            body["name"] = name
        if allowed_ip_cidrs is not None:
            body["allowedIpCidrs"] = list(allowed_ip_cidrs)
        answer = self._admin("POST", "keys", body)
        return IssuedKey(answer["id"], answer["jwt"])

    def keys(self) -> list:
        """Every stored key, revoked ones included, oldest first: dicts with ``id``,
        ``name``, ``userEmail``, ``role``, ``createdByUserId``, ``expiresAtEpoch``,
        ``revoked``, ``allowedIpCidrs`` (never the key itself)."""
        return self._admin("GET", "keys")["keys"]

    def advance_clock(self, seconds: int) -> str:
        """Moves the emulator's clock by ``seconds`` (negative allowed): keys expire and
        rate-limit windows open without waiting. Returns the new time (RFC 3339)."""
        return self._admin("POST", "clock", {"advanceSeconds": seconds})["now"]

    def now(self) -> str:
        """The emulator's current time (RFC 3339)."""
        return self.advance_clock(0)

    def fail_next(self, fault: str, count: int = 1) -> None:
        """Fails the next ``count`` GraphQL requests with ``fault``: ``http500``,
        ``bad-gateway``, ``upstream-503``, ``drop``, ``commit-then-drop``, ``delay=MILLIS``,
        ``oversized-secret=BYTES`` or ``secret-with-escape``."""
        self._admin("POST", "faults", {"fault": fault, "count": count})


def _read_stderr(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def start(
    args: Sequence[str] = (),
    binary: Optional[str] = None,
    timeout: float = START_TIMEOUT_SECONDS,
) -> Iterator[Emulator]:
    """Starts ``labelbox-emulator`` on a free loopback port (``--listen 127.0.0.1:0``,
    unless ``args`` holds a ``--listen`` of its own) with a ready file in a private
    temporary directory, yields the :class:`Emulator` once it serves, and stops it (SIGTERM)
    at the end. ``args`` are more flags of the binary (``--seed FILE``, ``--fault KIND``,
    ``--rate-limit N/SECS``, ...). Raises :class:`StartError` with the emulator's own
    message (its stderr) when it exits or times out before it is ready."""
    args = list(args)
    if "--listen" not in args and not any(a.startswith("--listen=") for a in args):
        args = ["--listen", "127.0.0.1:0", *args]
    # mkdtemp: a directory only this user may enter, as the ready file (which holds the
    # admin key) requires.
    with tempfile.TemporaryDirectory(prefix="labelbox-emulator-") as private:
        ready_path = os.path.join(private, "ready.json")
        stderr_path = os.path.join(private, "stderr.txt")
        command = [binary or binary_path(), *args, "--ready-file", ready_path]
        with open(stderr_path, "wb") as stderr:
            # stdout repeats the ready line (the admin key among it): it goes to a pipe this
            # process reads, never to the test's captured output.
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
            )
        try:
            emulator = _wait_until_ready(process, ready_path, stderr_path, timeout)
            yield emulator
        finally:
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()


def _wait_until_ready(
    process: subprocess.Popen, ready_path: str, stderr_path: str, timeout: float
) -> Emulator:
    """Waits for the emulator's ready line on stdout (printed once the ready file is
    written) or its exit, whichever comes first."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _stop(process)
            raise StartError(
                f"{BINARY} was not ready within {timeout:g} s; its stderr: "
                + (_read_stderr(stderr_path) or "(empty)")
            )
        readable, _, _ = select.select([process.stdout], [], [], remaining)
        if not readable:
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            status = process.wait()
            raise StartError(
                f"{BINARY} exited with status {status} before it was ready: "
                + (_read_stderr(stderr_path) or "(nothing on stderr)")
            )
        line += chunk
    with open(ready_path, encoding="utf-8") as f:
        ready = json.load(f)
    return Emulator(
        endpoint=ready["endpoint"],
        admin_email=ready["admin_email"],
        admin_key=ready["admin_key"],
        pid=ready["pid"],
    )
