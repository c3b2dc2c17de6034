"""pytest fixtures for the Labelbox API emulator (registered through the ``pytest11`` entry
point of the ``labelbox-emulator`` distribution: installing the wheel is enough).

- ``labelbox_emulator``: a fresh emulator for each test (function scope), on a free
  loopback port, stopped after the test.
- ``labelbox_emulator_session``: one emulator for the whole session.
- ``labelbox_emulator_args``: extra flags of the binary for ``labelbox_emulator``
  (override it in a test module or ``conftest.py``: ``["--seed", path]``,
  ``["--rate-limit", "5/60"]``, ...); ``labelbox_emulator_session_args`` for the session one.

Both yield a :class:`labelbox_emulator.Emulator` (``endpoint``, ``admin_key``, seeding and
clock helpers). An emulator that fails to start fails the test with the emulator's own
message.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Iterator, List

import pytest

from . import Emulator, StartError, start


def _started(args: List[str]) -> Iterator[Emulator]:
    with ExitStack() as stack:
        try:
            emulator = stack.enter_context(start(args))
        except StartError as e:
            # The emulator's own message, without a Python traceback.
            pytest.fail(str(e), pytrace=False)
        yield emulator


@pytest.fixture
def labelbox_emulator_args() -> List[str]:
    """Extra flags of ``labelbox-emulator`` for the ``labelbox_emulator`` fixture."""
    return []


@pytest.fixture(scope="session")
def labelbox_emulator_session_args() -> List[str]:
    """Extra flags of ``labelbox-emulator`` for ``labelbox_emulator_session``."""
    return []


@pytest.fixture
def labelbox_emulator(labelbox_emulator_args: List[str]) -> Iterator[Emulator]:
    """A fresh emulator for this test (default seed: ``admin@example.com`` holds the admin
    key; one member per built-in role), stopped after it."""
    yield from _started(list(labelbox_emulator_args))


@pytest.fixture(scope="session")
def labelbox_emulator_session(labelbox_emulator_session_args: List[str]) -> Iterator[Emulator]:
    """One emulator shared by every test of the session: what one test creates, the next
    sees."""
    yield from _started(list(labelbox_emulator_session_args))
