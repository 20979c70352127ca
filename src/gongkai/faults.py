"""Fault injection, for the tests that prove one bad file never costs a batch.

``GONGKAI_FAULTS`` holds rules ``stage:action:pattern`` separated by ``;``. When the named stage
handles a file (or, for ``year``, an agency) whose name contains *pattern*, the action happens:

- stages: ``read``, ``parse``, ``check``, ``write``, ``year``
- actions: ``raise`` (an exception), ``hang`` (sleeps for an hour), ``memory`` (allocates until
  memory runs out), ``crash`` (the process dies by SIGSEGV)

Unset (the normal case) it costs one truth test per stage. Worker processes get the parent's
rules through :func:`configure`, so a test may set the variable after the fork server started.
"""

from __future__ import annotations

import os
import signal
import time

STAGES = ("read", "parse", "check", "write", "year")
ACTIONS = ("raise", "hang", "memory", "crash")

_rules: list[tuple[str, str, str]] = []


class InjectedFault(RuntimeError):
    """The exception a ``raise`` rule throws."""


def configure(spec: str | None = None) -> str:
    """Load rules from *spec* (default: the environment). Returns the spec, for the workers."""
    global _rules
    spec = os.environ.get("GONGKAI_FAULTS", "") if spec is None else spec
    rules = []
    for part in spec.split(";"):
        stage, _, rest = part.strip().partition(":")
        action, _, pattern = rest.partition(":")
        if stage in STAGES and action in ACTIONS and pattern:
            rules.append((stage, action, pattern))
    _rules = rules
    return spec


def inject(stage: str, name: str) -> None:
    if not _rules:
        return
    for rule_stage, action, pattern in _rules:
        if rule_stage == stage and pattern in name:
            _act(action, stage, name)


def _act(action: str, stage: str, name: str) -> None:
    if action == "raise":
        raise InjectedFault(f"injected fault in {stage} for {name}")
    if action == "hang":
        time.sleep(3600)
    elif action == "memory":
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))
    elif action == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)


configure()

__all__ = ["ACTIONS", "STAGES", "InjectedFault", "configure", "inject"]
