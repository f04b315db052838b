"""The command line's exit codes, one definition for the entry point and every command."""

from __future__ import annotations

#: Success.
EXIT_OK = 0
#: A failure: a rule check failed, a worker died, a disk error (one line on stderr).
EXIT_FAILURE = 1
#: A usage or configuration error, found before any input is read (one line on stderr).
EXIT_USAGE = 2
#: `clean` / `dedup` wrote their outputs, but no document reached the output, or more than
#: --max-reject-rate of them were rejected (the report's "failure" says which).
EXIT_REJECTED = 3
#: Interrupted (Ctrl-C): the shell's 128 + SIGINT.
EXIT_INTERRUPTED = 130
