"""The command line's stderr: the `cleaner` logger, set up once by the CLI entry point.

Modules write notices through `logging.getLogger(__name__)` (loggers under "cleaner") and never
configure logging: an application that imports cleaner as a library decides where its log goes,
as Python's logging guide asks of libraries. The CLI calls `configure` once it has parsed the
command line:

- quiet (`-q`): errors only;
- normal: notices (INFO: the run summary, resuming from a work directory) and warnings;
- verbose (`-v`): debug detail too (the configuration sources, the chain, the run settings).

Each record is one plain line on stderr in the style of the CLI's other messages:
`cleaner: resuming from ...`, `cleaner: warning: ...`, `cleaner: debug: ...`.
"""

from __future__ import annotations

import logging
import sys

#: The logger every cleaner module logs under (`logging.getLogger(__name__)`).
LOGGER_NAME = "cleaner"
#: How every line the CLI writes to stderr begins.
PREFIX = "cleaner: "

QUIET = -1
NORMAL = 0
VERBOSE = 1

_LEVEL_WORDS = {logging.DEBUG: "debug: ", logging.WARNING: "warning: "}


def level_for(verbosity: int) -> int:
    """The `cleaner` logger's level for a verbosity (QUIET, NORMAL, VERBOSE or more)."""
    if verbosity <= QUIET:
        return logging.ERROR
    return logging.INFO if verbosity == NORMAL else logging.DEBUG


class LineFormatter(logging.Formatter):
    """`cleaner: <level word><message>`; a message that already starts with the prefix (a
    line built for stderr, such as the run summary) is written as it is."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}: {record.exc_info[1]}"
        if message.startswith(PREFIX):
            return message
        return PREFIX + _LEVEL_WORDS.get(record.levelno, "") + message


class StderrHandler(logging.Handler):
    """Writes each record as one line to whatever `sys.stderr` is when the record is emitted
    (a test's captured stderr, or a stream the caller swapped in, gets the lines)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def configure(verbosity: int) -> logging.Logger:
    """Send the `cleaner` logger's records at `verbosity` to stderr, one line each.

    Called by the CLI entry point only. Calling it again replaces the handler it installed
    (never one a caller added) and sets the new level.
    """
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, StderrHandler):
            logger.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(LineFormatter())
    logger.addHandler(handler)
    logger.setLevel(level_for(verbosity))
    return logger
