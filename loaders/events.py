"""The app's own log: one JSON line per event (a change, a sign-in try, an export, an error) on standard
output, which systemd's journal keeps (`journalctl -u ftz-dashboard -o cat | jq`).

Lines are written only once the app (or a test) asks for them with `to_stdout()`; the command line keeps
its own plain messages. Each line names the event, the time, the store and its version."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

from loaders.store import BEIJING

LOGGER = logging.getLogger("ftz.events")


class _Stdout(logging.Handler):
    """Write each record to whatever standard output is at the time (a test's capture included)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stdout.write(record.getMessage() + "\n")
        sys.stdout.flush()


def to_stdout() -> None:
    """Write the events as JSON lines to standard output from now on (once, however often it is called)."""
    if not any(isinstance(handler, _Stdout) for handler in LOGGER.handlers):
        LOGGER.addHandler(_Stdout())
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


def event(kind: str, store: object, version: str = "", **fields: object) -> None:
    """Log one event of a store (its `where`, never a password) with the store's version and the fields."""
    if not LOGGER.isEnabledFor(logging.INFO):
        return
    line = {
        "time": datetime.now(BEIJING).isoformat(timespec="milliseconds"),
        "event": kind,
        "store": getattr(store, "where", str(store)),
        "version": version,
        **{key: value for key, value in fields.items() if value not in (None, "")},
    }
    LOGGER.info(json.dumps(line, ensure_ascii=False, default=str))


def version_of(store: object) -> str:
    """Return a store's version for a line, '' when it has none to give (no table file, a lost database):
    the event is logged all the same."""
    try:
        return str(store.version())  # type: ignore[attr-defined]
    except Exception:  # the event matters more than the version it would carry
        return ""


def enabled() -> bool:
    """Return whether events are being written (so that a costly field is computed only then)."""
    return LOGGER.isEnabledFor(logging.INFO)
