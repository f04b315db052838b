"""The `cleaner` command line.

    cleaner clean INPUT... -o OUT [--config F] [--rules DIR] [--set k=v] [--jobs N]
                  [--workdir DIR] [--shard-size N] [--no-resume]
                  [--executor local|ray] [--address ADDR] [--rejects F] [--report F] [--overwrite]
                  [--max-reject-rate R]
    cleaner dedup INPUT... -o OUT [--policy flag|drop] [--threshold J] [--prefer P]
    cleaner clean|dedup INPUT... -o OUT --index PATH|redis://HOST:PORT/DB [--update]
    cleaner explain INPUT... [--id ID] [--index PATH]
    cleaner compare A B | cleaner compare DUMP --id X --id Y [--index PATH]
    cleaner index add INPUT... --index PATH [--store-text] [--dedup-only]
    cleaner index stats|verify|compact --index PATH
    cleaner index expire --older-than 30d --index PATH
    cleaner rules check [DIR...]
    cleaner rules list [DIR...]
    cleaner config [--config F] [--set k=v]              (prints TOML that --config reads)

Every command takes -v/--verbose (debug detail on stderr) and -q/--quiet (errors only).

Exit codes: 0 success, 1 failure (a rule check failed, an unexpected error), 2 usage or
configuration error, printed as one line, 3 `clean`/`dedup` wrote their outputs but no input
document reached the output, or more than --max-reject-rate of them were rejected.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cleaner.cli.exit_codes import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
)
from cleaner.errors import CleanerError, ConfigError

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every usage error is one clean line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{self.prog}: {message}")


def _add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pipeline")
    group.add_argument("--config", "-c", metavar="FILE", help="TOML file over the defaults")
    group.add_argument(
        "--rules",
        metavar="DIR",
        action="append",
        default=[],
        help="extra rule directory or .toml pack (repeatable), added to the packaged packs",
    )
    group.add_argument(
        "--no-default-rules", action="store_true", help="do not load the packaged rule packs"
    )
    group.add_argument(
        "--set",
        metavar="SECTION.KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override one config value, e.g. --set filters.min_words=50 (repeatable)",
    )
    group.add_argument("--text-field", help="JSONL field holding the text (default: text)")
    group.add_argument("--id-field", help="JSONL field holding the id (default: id)")


def _add_verbosity_options(parser: argparse.ArgumentParser) -> None:
    """-v / -q: how much goes to stderr (`cleaner.cli.logs`); errors are always printed."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--verbose",
        "-v",
        action="count",
        default=0,
        help="also print debug detail: configuration sources, the chain, run settings",
    )
    group.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="print errors only: no summary, notices or progress bar",
    )


def _add_index_option(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--index",
        metavar="PATH",
        required=required,
        help="persistent dedup index: a file (SQLite) or redis://host:port/db",
    )


def _add_update_options(parser: argparse.ArgumentParser) -> None:
    """--index/--update/--store-text of `clean` and `dedup`."""
    group = parser.add_argument_group("index")
    group.add_argument(
        "--index",
        metavar="PATH",
        help="also check every document against this persistent index (a file, SQLite, or"
        " redis://host:port/db); copies of indexed documents are flagged against them",
    )
    group.add_argument(
        "--update",
        action="store_true",
        help="add the run's representatives to --index, in one atomic commit",
    )
    group.add_argument(
        "--store-text",
        action="store_true",
        help="with --update: keep their texts in the index too (for compare)",
    )


def _verbosity(args: argparse.Namespace) -> int:
    from cleaner.cli.logs import QUIET

    return QUIET if getattr(args, "quiet", False) else int(getattr(args, "verbose", 0))


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """Output, side files, workers, progress: shared by the commands that write a dump."""
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.jsonl[.gz|.zst], OUT.txt, a directory (OUT/), or - for stdout",
    )
    parser.add_argument(
        "--rejects", metavar="FILE", help="default: OUT.rejects.jsonl; none with -o -"
    )
    parser.add_argument("--report", metavar="FILE", help="default: OUT.report.json; none with -o -")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="let -o DIR/ replace an existing non-empty directory cleaner did not write,"
        " deleting everything in it (never an input)",
    )
    parser.add_argument("--jobs", "-j", type=int, help="worker processes (default: every core)")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None)
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument(
        "--max-reject-rate",
        type=float,
        metavar="R",
        help="exit with code 3 when more than this share (0 to 1) of the input documents is"
        " rejected (default 1.0; a run with input and no output always exits 3)",
    )
    _add_verbosity_options(parser)
    resume = parser.add_argument_group("resuming")
    resume.add_argument(
        "--workdir",
        metavar="DIR",
        help="intermediate results of a resumable run (default: .OUT.cleaner-work beside OUT)",
    )
    resume.add_argument(
        "--shard-size",
        type=int,
        metavar="N",
        help="input items per shard of a resumable run (default: [run] shard_size, 10000)",
    )
    resume.add_argument(
        "--no-resume",
        dest="resume",
        action="store_false",
        help="stream in memory: no work directory, nothing to resume after a crash",
    )
    resume.add_argument(
        "--executor",
        choices=["local", "ray"],
        help="where the shards run: local worker processes, or Ray tasks (pip install"
        " 'cleaner[ray]'); the output is the same (default: [run] executor, local)",
    )
    resume.add_argument(
        "--address",
        metavar="ADDR",
        help="with --executor ray: the Ray cluster to use (auto, HOST:PORT, ray://HOST:10001);"
        " default: [run] address, else a local Ray instance with --jobs CPUs",
    )


def build_parser() -> argparse.ArgumentParser:
    from cleaner import __version__

    parser = _Parser(
        prog="cleaner",
        description="Turn scraped web and news dumps into clean, de-duplicated text.",
    )
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    clean = commands.add_parser("clean", help="clean inputs into an output file or directory")
    clean.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, or -")
    _add_run_options(clean)
    clean.add_argument("--trace", action="store_true", help="write each edit into meta.trace")
    _add_update_options(clean)
    _add_pipeline_options(clean)

    dedup = commands.add_parser(
        "dedup", help="flag (or drop) near-duplicates and rewrites, without cleaning"
    )
    dedup.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, or -")
    _add_run_options(dedup)
    dedup.add_argument("--policy", choices=["flag", "drop"], help="default: flag")
    dedup.add_argument("--threshold", type=float, help="Jaccard for near duplicates (0.8)")
    dedup.add_argument("--containment", type=float, help="containment for excerpts (0.8)")
    dedup.add_argument(
        "--prefer",
        choices=["source", "earliest", "longest"],
        help="the representative: source (default: earliest published, else the one that"
        " contains the others best, else the longest), earliest (published, else input"
        " order) or longest",
    )
    _add_update_options(dedup)
    _add_pipeline_options(dedup)

    compare = commands.add_parser(
        "compare", help="how similar two documents are, with their shared passages"
    )
    compare.add_argument("inputs", nargs="+", metavar="INPUT", help="two files, or a dump")
    compare.add_argument("--id", action="append", default=[], help="two ids within a dump")
    compare.add_argument("--width", type=int, default=60, help="column width")
    _add_index_option(compare)
    _add_pipeline_options(compare)
    _add_verbosity_options(compare)

    explain = commands.add_parser("explain", help="show what was removed, and by which rule")
    explain.add_argument("inputs", nargs="+", metavar="INPUT")
    explain.add_argument("--id", action="append", default=[], help="only these document ids")
    explain.add_argument("--limit", type=int, default=50, help="at most this many documents")
    explain.add_argument("--all", action="store_true", help="also list whitespace edits")
    _add_index_option(explain)
    _add_pipeline_options(explain)
    _add_verbosity_options(explain)

    rules = commands.add_parser("rules", help="validate or list rule packs")
    rules_commands = rules.add_subparsers(dest="rules_command", metavar="ACTION")
    rules_commands.required = True
    check = rules_commands.add_parser("check", help="validate rule files and run their examples")
    check.add_argument("dirs", nargs="*", metavar="DIR", help="default: the packaged packs")
    check.add_argument(
        "--no-default-rules",
        action="store_true",
        help="check DIR alone, without the packaged packs `clean` would load with it",
    )
    _add_verbosity_options(check)
    listing = rules_commands.add_parser("list", help="list rule ids with their reasons")
    listing.add_argument("dirs", nargs="*", metavar="DIR", help="default: the packaged packs")
    _add_verbosity_options(listing)

    index = commands.add_parser("index", help="build and look after a persistent dedup index")
    index_commands = index.add_subparsers(dest="index_command", metavar="ACTION")
    index_commands.required = True
    add = index_commands.add_parser(
        "add", help="index the documents of INPUT that are not copies of the index (or each other)"
    )
    add.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories, or -")
    add.add_argument("--store-text", action="store_true", help="keep their texts in the index")
    add.add_argument(
        "--dedup-only",
        action="store_true",
        help="index the texts as they are (as `cleaner dedup`), not cleaned (as `cleaner clean`)",
    )
    index_actions = {
        "stats": "documents, keys, size and age of the index",
        "verify": "check the index's integrity (exit 1 on a problem)",
        "compact": "give back the space that expired documents took",
        "expire": "remove the documents indexed more than --older-than ago",
    }
    for action, text in [("add", ""), *index_actions.items()]:
        sub = add if action == "add" else index_commands.add_parser(action, help=text)
        _add_index_option(sub, required=True)
        if action == "expire":
            sub.add_argument("--older-than", required=True, metavar="AGE", help="30d, 12h, 2w")
        _add_pipeline_options(sub)
        _add_verbosity_options(sub)

    config = commands.add_parser("config", help="print the merged configuration")
    _add_pipeline_options(config)
    _add_verbosity_options(config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except ConfigError as exc:
        print(f"cleaner: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CleanerError as exc:
        print(f"cleaner: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("cleaner: interrupted; no output was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # A reader such as `head` closed our stdout: not an error worth a traceback. Stdout
        # goes to /dev/null, so the interpreter's last flush of it cannot fail again.
        _discard_stdout()
        return EXIT_OK
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"cleaner: failed: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILURE


def _discard_stdout() -> None:
    """Point file descriptor 1 at /dev/null: whatever is still buffered for a closed pipe
    goes nowhere, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout: nothing to flush
        pass


def _dispatch(args: argparse.Namespace) -> int:
    from cleaner.cli import commands, logs

    logs.configure(_verbosity(args))

    if args.command == "clean":
        return commands.clean(args)
    if args.command == "explain":
        return commands.explain(args)
    if args.command == "dedup":
        return commands.dedup(args)
    if args.command == "compare":
        return commands.compare(args)
    if args.command == "rules":
        return commands.rules(args)
    if args.command == "config":
        return commands.show_config(args)
    if args.command == "index":
        return commands.index(args)
    raise ConfigError(f"unknown command {args.command!r}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
