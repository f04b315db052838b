"""Exceptions cleaner raises on purpose, each mapped to an exit code by the CLI."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class: a failure cleaner can describe in one line (CLI exit code 1)."""


class ConfigError(CleanerError):
    """A usage or configuration mistake: unknown processor, bad parameter, bad rule file.

    The CLI prints the message as one line and exits with code 2.
    """


class RuleError(ConfigError):
    """A rule file that does not validate (missing field, bad regex, unknown kind)."""
