"""The work behind each CLI subcommand (parsing lives in `cleaner.cli.main`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaner.cli.exit_codes import EXIT_FAILURE, EXIT_OK, EXIT_REJECTED
from cleaner.config import add_rules_dirs, load_config, merge, validate_config
from cleaner.errors import ConfigError
from cleaner.options import OutputOptions, RunOptions
from cleaner.pipeline import Pipeline

if TYPE_CHECKING:
    from cleaner.run.report import RunReport

log = logging.getLogger(__name__)


def config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Defaults < --config file < --set overrides < dedicated flags."""
    extra: dict[str, Any] = {}
    if getattr(args, "text_field", None) is not None:  # "" too: validate_config refuses it
        extra = merge(extra, {"input": {"text_field": args.text_field}})
    if getattr(args, "id_field", None) is not None:
        extra = merge(extra, {"input": {"id_field": args.id_field}})
    if getattr(args, "trace", False):
        extra = merge(extra, {"output": {"trace": True}})
    if getattr(args, "jobs", None) is not None:
        if args.jobs < 0:
            raise ConfigError(f"--jobs must be 0 (every core) or more, got {args.jobs}")
        extra = merge(extra, {"run": {"jobs": args.jobs}})
    if getattr(args, "shard_size", None) is not None:
        extra = merge(extra, {"run": {"shard_size": args.shard_size}})
    if getattr(args, "executor", None) is not None:
        extra = merge(extra, {"run": {"executor": args.executor}})
    if getattr(args, "address", None) is not None:
        extra = merge(extra, {"run": {"address": args.address}})
    for rule_path in args.rules:
        if not Path(rule_path).exists():
            raise ConfigError(f"--rules: no such file or directory: {rule_path}")
    if args.no_default_rules:
        extra = merge(extra, {"boilerplate": {"default_rules": False}})
    from cleaner.cli.index_cmd import index_overrides

    index_values = index_overrides(args)
    if index_values:
        extra = merge(extra, {"dedup": index_values})
    config = merge(add_rules_dirs(load_config(args.config, args.overrides), args.rules), extra)
    validate_config(config)
    log.debug(
        "configuration: packaged defaults%s%s%s",
        f" < {args.config}" if args.config else "",
        "".join(f" < --set {item}" for item in args.overrides),
        f" < {', '.join(sorted(extra))} flags" if extra else "",
    )
    return config


def dedup(args: argparse.Namespace) -> int:
    """`cleaner clean` with a chain of just the `dedup` processor and its flags."""
    flags = {
        "policy": args.policy,
        "threshold": args.threshold,
        "containment_threshold": args.containment,
        "prefer": args.prefer,
    }
    overrides = {key: value for key, value in flags.items() if value is not None}
    config = config_from_args(args)
    config = merge(config, {"pipeline": {"processors": ["dedup"]}, "dedup": overrides})
    return clean(args, config=config)


def compare(args: argparse.Namespace) -> int:
    from cleaner.cli.compare import compare_inputs

    config = config_from_args(args)
    location = getattr(args, "index", None)
    report = None
    if location:  # an id not in the inputs may be in the index
        from cleaner.cli.index_cmd import compare_in_index

        report = compare_in_index(config, args.inputs, args.id, location, width=args.width)
    if report is None:
        report = compare_inputs(config, args.inputs, args.id, width=args.width)
    sys.stdout.write(report)
    return EXIT_OK


def clean(args: argparse.Namespace, config: dict[str, Any] | None = None) -> int:
    from cleaner.io.formats import output_format
    from cleaner.io.writers import default_side_paths
    from cleaner.run.job import JobPaths, run_clean

    config = config if config is not None else config_from_args(args)
    max_reject_rate = _max_reject_rate(args)
    for flag in ("rejects", "report", "workdir"):
        if getattr(args, flag, None) == "":
            raise ConfigError(f"--{flag}: expected a path, got ''")
    pipeline = Pipeline.from_dict(config)
    if getattr(args, "index", None) and "dedup" not in pipeline.names:
        raise ConfigError("--index needs the dedup step in [pipeline] processors")
    # The output's format, checked before any input is read or a work directory is made.
    output_format(args.output, OutputOptions.from_config(config.get("output", {})).format)
    run = RunOptions.from_config(config.get("run", {}))
    executor = run.executor
    address = (run.address or None) if executor == "ray" else None
    if getattr(args, "address", None) and executor != "ray":
        raise ConfigError("--address names a Ray cluster: use it with --executor ray")
    rejects_default, report_default = default_side_paths(args.output)
    paths = JobPaths(
        output=args.output,
        rejects=args.rejects or rejects_default,
        report=args.report or report_default,
        overwrite=bool(getattr(args, "overwrite", False)),
    )
    log.debug(
        "chain: %s; jobs %s, batch size %d, shard size %d, executor %s; rejects %s, report %s",
        ", ".join(pipeline.names) or "(empty)",
        run.jobs or "every core",
        run.batch_size,
        run.shard_size,
        executor,
        paths.rejects,
        paths.report,
    )
    quiet = getattr(args, "quiet", False)
    report = run_clean(
        pipeline,
        args.inputs,
        paths,
        jobs=run.jobs,
        batch_size=run.batch_size,
        progress=False if quiet and args.progress is None else args.progress,
        resumable=args.resume,
        shard_size=run.shard_size,
        workdir=args.workdir,
        executor=executor,
        address=address,
        max_reject_rate=max_reject_rate,
    )
    log.info("%s", report.summary())
    return _exit_code(report)


def _max_reject_rate(args: argparse.Namespace) -> float:
    """--max-reject-rate, a share from 0 to 1 (the report's default when not given)."""
    from cleaner.run.report import DEFAULT_MAX_REJECT_RATE

    rate = getattr(args, "max_reject_rate", None)
    if rate is None:
        return DEFAULT_MAX_REJECT_RATE
    if not 0.0 <= rate <= 1.0:  # `not` also refuses nan
        raise ConfigError(f"--max-reject-rate: expected a share from 0 to 1, got {rate}")
    return float(rate)


def _exit_code(report: RunReport) -> int:
    """EXIT_REJECTED, with one line saying why, when the report's `failure` says the run
    failed on its rejects; EXIT_OK otherwise, with a notice when there was no input at all."""
    failure = report.failure()
    if failure is not None:
        print(
            f"cleaner: {failure}; outputs written, exit code {EXIT_REJECTED}",
            file=sys.stderr,
        )
        return EXIT_REJECTED
    if report.docs_in == 0:
        log.info("notice: the inputs held no documents; the output is empty")
    return EXIT_OK


def explain(args: argparse.Namespace) -> int:
    from cleaner.cli.explain import explain_inputs

    if args.limit < 1:
        raise ConfigError(f"--limit: expected 1 or more documents, got {args.limit}")
    config = config_from_args(args)
    pipeline = Pipeline.from_dict(config)
    wanted = set(args.id)
    shown = explain_inputs(
        pipeline,
        args.inputs,
        wanted_ids=wanted,
        limit=args.limit,
        show_all=args.all,
        out=sys.stdout,
    )
    if wanted and getattr(args, "index", None):
        from cleaner.cli.index_cmd import describe_indexed, open_index

        with open_index(config, args.index) as index:  # what the index holds of them too
            missing = describe_indexed(index, sorted(wanted), sys.stdout)
        shown += len(wanted) - len(missing)
    if wanted and shown == 0:
        raise ConfigError(f"no document with id {', '.join(sorted(wanted))} in the inputs")
    return EXIT_OK


def index(args: argparse.Namespace) -> int:
    """`cleaner index ACTION --index PATH`."""
    from cleaner.cli.index_cmd import run_index_command

    return run_index_command(args, config_from_args(args))


def rules(args: argparse.Namespace) -> int:
    from cleaner.rules.check import check_rules
    from cleaner.rules.locate import default_rules_dir

    paths = [Path(d) for d in args.dirs] or [Path(str(default_rules_dir()))]
    for path in paths:
        if not path.exists():
            raise ConfigError(f"no such rule file or directory: {path}")
    if args.rules_command == "check":
        # Like `clean`: the packaged packs load first unless --no-default-rules.
        report = check_rules(args.dirs, default_rules=not args.no_default_rules)
        if report.unreadable:
            raise ConfigError(report.unreadable[0])
        print(report.format())
        return EXIT_OK if report.ok else EXIT_FAILURE
    from cleaner.rules.loader import load_rules

    for rule in load_rules(paths):
        scope = f" [{', '.join(rule.domains)}]" if rule.domains else ""
        print(f"{rule.id:40} {rule.kind:8}{scope}  {rule.why}")
    return EXIT_OK


def show_config(args: argparse.Namespace) -> int:
    """Print the merged configuration as TOML: a file that `--config` reads back unchanged."""
    import tomli_w

    config = config_from_args(args)
    Pipeline.from_dict(config)  # validates processor parameters too
    sys.stdout.write(tomli_w.dumps(config))
    return EXIT_OK
