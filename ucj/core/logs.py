"""The command's log: the standard logging module, at the level -v / -q ask for.

Default: what a command does (INFO) on stderr; -q: warnings and errors only (and no progress bar);
-v: details (DEBUG), and an unexpected error's traceback. A log line never holds an absolute path or
the machine's name: paths are shown relative to the current folder (ucj.core.stamp.portable_path) and
the host name is replaced, whatever the message says."""

from __future__ import annotations

import logging
import re
import socket
import sys

LOGGER = "ucj"
QUIET, NORMAL, VERBOSE = -1, 0, 1
_ABSOLUTE = re.compile(r"(?<![\w.:/~-])(/(?:[^\s/'\"(),;:]+/)*[^\s/'\"(),;:]+/?)")
_HOST = "<host>"


def _redact(text: str) -> str:
    from ucj.core.stamp import portable_path

    host = socket.gethostname()
    if host and len(host) > 1:
        text = text.replace(host, _HOST)
    return _ABSOLUTE.sub(lambda m: portable_path(m.group(1)), text)


class _Portable(logging.Filter):
    """Rewrites each record's message without absolute paths or the host name (the rest is left as said)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.getMessage())
        record.args = ()
        return True


class _Format(logging.Formatter):
    """INFO as said ("wrote ..."); other levels with their name in front ("warning: ...")."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        return text if record.levelno == logging.INFO else f"{record.levelname.lower()}: {text}"


_state = {"verbosity": NORMAL}


def setup(verbosity: int) -> logging.Logger:
    """Send ucj's log to stderr at the level asked for: QUIET, NORMAL or VERBOSE (called by the CLI)."""
    _state["verbosity"] = verbosity
    log = logging.getLogger(LOGGER)
    log.setLevel({QUIET: logging.WARNING, NORMAL: logging.INFO, VERBOSE: logging.DEBUG}[verbosity])
    log.propagate = False
    for h in [h for h in log.handlers if getattr(h, "_ucj", False)]:
        log.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler._ucj = True  # type: ignore[attr-defined]
    handler.setFormatter(_Format())
    handler.addFilter(_Portable())
    log.addHandler(handler)
    return log


def command_started(name: str, version: str) -> None:
    """A DEBUG line (-v) naming the command and the ucj and Python versions it runs on."""
    logging.getLogger(LOGGER).debug("ucj %s, command %s, Python %s", version, name, sys.version.split()[0])


def verbosity() -> int:
    return _state["verbosity"]


def quiet() -> bool:
    """-q was given: no progress bars either."""
    return _state["verbosity"] == QUIET


def verbose() -> bool:
    return _state["verbosity"] == VERBOSE
