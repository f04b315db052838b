"""Incremental dedup against a persistent index: batch time vs history size, recall, size, RSS.

Run:  .venv/bin/python bench/index_bench.py --scale small            # 10 x 10,000 + 10,000
      .venv/bin/python bench/index_bench.py --scale full             # 10 x 100,000 + 100,000
      [--backends sqlite redis datasketch-redis] [--redis-url redis://127.0.0.1:6379/0]

Documents come from `dedup_scale.SyntheticStream` (BBC News sentences cut and varied; its own
planted exact and near copies inside the history). The history (`--history` documents) is
indexed in batches of `--batch-size` with `cleaner index`'s own path (`Index.add`: each batch
checked against the index, its representatives committed). Then a *planted batch* of
`--batch` new documents, of which 10% are copies of history documents in four kinds
(a quarter each): exact (case and spacing changed), near (`dedup_scale._near_variant`),
excerpt (`dedup_rewrites.excerpt`) and rewrite (`dedup_rewrites.mix`: synonyms, sentences
shuffled across paragraphs, a paragraph dropped, typos, boilerplate), is checked
(`Index.query`) when 10%, 50% and 100% of the history is indexed, each check in a fresh
process so that its time and peak RSS are its own. The one run (the reference) runs in its
own process beside the builds (two busy processes), and the checks are scored when it is done.

Reported: per backend the time to index each history batch, the check time at each history
size, the planted recall (a copy counts when it is flagged a duplicate of its source, or of
its source's representative in the history) and the batch documents flagged that were not
planted, beside the same figures of one run over history + batch (`NearDupIndex`, the
reference the index must equal); index size on disk (SQLite) or in the server (Redis
``used_memory``); and datasketch's ``MinHashLSH`` with Redis storage (the comparison a user
would otherwise build: LSH buckets in Redis, threshold 0.5 like cleaner's candidates, no
verification) on the same batches, signatures from cleaner's datasketch-compatible signer.
Nothing is asserted: the numbers are printed and written as JSON (`--json`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import bbc_dir, peak_rss_bytes, print_table
from dedup_rewrites import excerpt, mix
from dedup_scale import SyntheticStream, _exact_variant, _near_variant, load_corpus

SCALES = {"small": (100_000, 10_000, 10_000), "full": (1_000_000, 100_000, 100_000)}
PLANTED_SHARE = 0.10
KINDS = ("exact", "near", "excerpt", "rewrite")
CHECKPOINTS = (0.1, 0.5, 1.0)


def config() -> Any:
    """The dedup settings of the one run and of the indexes: the defaults with
    ``prefer="earliest"`` (first seen first). An index pins its documents first whatever
    `prefer` says, so a batch checked against it equals the one run that prefers the history;
    and inside the history, batch by batch, the index's representatives are then the one
    run's. (Under the default ``source``, an exact copy with the same shingle count ties on
    content with its original and either can represent: the one run flags the history
    document as the copy about half the time, and a history copy's representative can
    differ between the batch-by-batch build and the one run.)"""
    from cleaner.dedup.cluster import ClusterConfig
    from cleaner.dedup.index import DedupConfig

    return DedupConfig(cluster=ClusterConfig(prefer="earliest"))


def planted_batch(stream: SyntheticStream, size: int) -> tuple[list[str], list[int], list[str]]:
    """The batch: its texts, the history source of each (-1 for new ones) and the kind."""
    n_history = stream.n_docs
    rng = random.Random(20261207)
    fresh = stream._base_texts(np.arange(n_history, n_history + size, dtype=np.int64))
    planted = stream.planted(0, n_history)
    originals = np.flatnonzero(~planted.is_copy)
    sources = [-1] * size
    kinds = ["new"] * size
    chosen = rng.sample(range(size), int(size * PLANTED_SHARE))
    picks = rng.sample(originals.tolist(), len(chosen))
    base = stream._base_texts(np.array(picks, dtype=np.int64))
    for n, (row, source, text) in enumerate(zip(chosen, picks, base, strict=True)):
        kind = KINDS[n % len(KINDS)]
        if kind == "exact":
            fresh[row] = _exact_variant(text)
        elif kind == "near":
            fresh[row] = _near_variant(text, rng)
        elif kind == "excerpt":
            fresh[row] = excerpt(text, rng)
        else:
            fresh[row] = mix(text, rng)
        sources[row], kinds[row] = source, kind
    return fresh, sources, kinds


def own_peak_rss() -> int:
    """This process's own peak RSS (``VmHWM``): unlike ``ru_maxrss``, not inherited from the
    parent that spawned it (Linux; else `peak_rss_bytes`)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak_rss_bytes()


def _ids(start: int, stop: int) -> list[str]:
    return [f"d{k}" for k in range(start, stop)]


def score(
    flagged: dict[str, str], sources: Sequence[int], kinds: Sequence[str], rep_of: dict[str, str]
) -> dict[str, Any]:
    """Planted recall per kind and the flagged batch documents that were not planted.
    `flagged`: batch id -> id of the representative it was flagged against."""
    found = {kind: 0 for kind in KINDS}
    total = {kind: 0 for kind in KINDS}
    false = 0
    for row, (source, kind) in enumerate(zip(sources, kinds, strict=True)):
        of = flagged.get(f"b{row}")
        if source < 0:
            false += of is not None
            continue
        total[kind] += 1
        wanted = {f"d{source}", rep_of.get(f"d{source}", f"d{source}")}
        found[kind] += of in wanted
    planted = sum(total.values())
    return {
        "planted": planted,
        "planted_found": sum(found.values()),
        "recall": sum(found.values()) / max(1, planted),
        **{f"recall_{k}": found[k] / max(1, total[k]) for k in KINDS},
        "unplanted_flagged": false,
    }


def _setup(args: argparse.Namespace) -> tuple[SyntheticStream, list[str], list[int], list[str]]:
    stream = SyntheticStream(load_corpus(Path(args.data)), args.history)
    texts, sources, kinds = planted_batch(stream, args.batch)
    return stream, texts, sources, kinds


def child_one_run(args: argparse.Namespace) -> dict[str, Any]:
    """One run over history + batch: the reference (`CONFIG`)."""
    from cleaner.dedup.index import NearDupIndex

    stream, texts, sources, kinds = _setup(args)
    start = time.perf_counter()
    with NearDupIndex(config()) as index:
        for lo in range(0, args.history, 10_000):
            hi = min(lo + 10_000, args.history)
            index.add(stream.texts(lo, hi), _ids(lo, hi))
        index.add(texts, [f"b{k}" for k in range(len(texts))])
        result = index.finish()
    a = result.assignments
    rep_of = {result.ids[i]: result.ids[int(a.representative[i])] for i in range(args.history)}
    flagged = {
        result.ids[i]: result.ids[int(a.representative[i])]
        for i in range(args.history, len(result.ids))
        if a.is_duplicate[i]
    }
    row = score(flagged, sources, kinds, rep_of)
    row.update(
        flagged=flagged,
        engine="one run (NearDupIndex)",
        history=args.history,
        wall_s=time.perf_counter() - start,
        peak_rss=own_peak_rss(),
    )
    Path(args.rep_file).write_text(json.dumps(rep_of))
    return row


def child_check(args: argparse.Namespace) -> dict[str, Any]:
    """The planted batch checked against the index as it is now."""
    from cleaner.document import Document
    from cleaner.index import Index

    _, texts, _, _ = _setup(args)
    batch = [Document(id=f"b{k}", text=text) for k, text in enumerate(texts)]
    del texts
    base = own_peak_rss()
    start = time.perf_counter()
    with Index.open(args.location, config()) as index:
        docs = index.store.count()
        verdicts = index.query(batch)
    elapsed = time.perf_counter() - start
    flagged = {v.id: v.of for v in verdicts if v.of is not None}
    # scored by the parent (`_score_checks`) once the one run has named the representatives
    return {
        "flagged": flagged,
        "check_s": elapsed,
        "indexed_docs": docs,
        "peak_rss": own_peak_rss(),
        "base_rss": base,
    }


def child_datasketch(args: argparse.Namespace) -> dict[str, Any]:
    """datasketch MinHashLSH with Redis storage: the history inserted batch by batch, then
    the planted batch queried."""
    import redis
    from datasketch import MinHashLSH

    from cleaner.dedup.minhash import MinHashSigner

    stream, texts, sources, kinds = _setup(args)
    signer = MinHashSigner()
    host, port, db = _redis_parts(args.location)
    lsh = MinHashLSH(
        threshold=0.5,
        num_perm=128,
        storage_config={
            "type": "redis",
            "basename": b"datasketch-bench",
            "redis": {"host": host, "port": port, "db": db},
        },
    )
    batch_times: list[float] = []
    checks: list[dict[str, Any]] = []
    marks = checkpoints(args.history, args.batch_size)
    done = 0
    for lo in range(0, args.history, args.batch_size):
        hi = min(lo + args.batch_size, args.history)
        t = time.perf_counter()
        sigs = signer.signatures(stream.texts(lo, hi))
        with lsh.insertion_session() as session:
            for k, sig in enumerate(sigs):
                session.insert(f"d{lo + k}", signer.hasher.to_lean_minhash(sig))
        batch_times.append(time.perf_counter() - t)
        done = hi
        print(
            f"  datasketch: inserted {hi:,} in {batch_times[-1]:.1f} s"
            f" ({time.strftime('%H:%M:%S')})",
            file=sys.stderr,
            flush=True,
        )
        if done in marks:
            t = time.perf_counter()
            sigs = signer.signatures(texts)
            flagged = {}
            for k, sig in enumerate(sigs):
                found = {str(key) for key in lsh.query(signer.hasher.to_lean_minhash(sig))}
                # unverified bucket mates: a copy counts when its source is among them
                if found:
                    source = f"d{sources[k]}"
                    flagged[f"b{k}"] = source if source in found else min(found)
            elapsed = time.perf_counter() - t
            row = score(flagged, sources, kinds, {})
            server_bytes = int(
                redis.Redis(host=host, port=port, db=db).info("memory")["used_memory"]
            )
            checks.append(
                {**row, "indexed_docs": done, "check_s": elapsed, "size_bytes": server_bytes}
            )
            shown = {k: v for k, v in checks[-1].items() if k != "flagged"}
            print(f"  datasketch: check at {done:,}: {shown}", file=sys.stderr, flush=True)
    return {
        "engine": "datasketch MinHashLSH (Redis storage)",
        "index_batch_s": batch_times,
        "checks": checks,
        "peak_rss": own_peak_rss(),
    }


def checkpoints(history: int, batch_size: int) -> set[int]:
    """History sizes at which the batch is checked: the first batch end at or past each of
    `CHECKPOINTS` of the history."""
    ends = [*range(batch_size, history, batch_size), history]
    return {next(e for e in ends if e >= history * c) for c in CHECKPOINTS}


def _redis_parts(url: str) -> tuple[str, int, int]:
    rest = url.split("://", 1)[1]
    hostport, _, db = rest.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port or 6379), int(db or 0)


def _start_child(kind: str, args: argparse.Namespace, **extra: str) -> subprocess.Popen[str]:
    """A child process running `kind` (its own peak RSS, its own time)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    for key in ("history", "batch", "batch_size", "data", "location", "rep_file"):
        value = extra.get(key, getattr(args, key, None))
        if value is not None:
            command += [f"--{key.replace('_', '-')}", str(value)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    # datasketch's child runs for an hour at 1M: its progress goes straight to our stderr
    stderr = None if kind == "datasketch" else subprocess.PIPE
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)


def _collect(child: subprocess.Popen[str]) -> dict[str, Any]:
    """The JSON result of a child started by `_start_child`, once it is done."""
    out, err = child.communicate()
    if child.returncode != 0:
        return {"status": f"failed (exit {child.returncode})", "stderr": (err or "")[-2000:]}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _child(kind: str, args: argparse.Namespace, **extra: str) -> dict[str, Any]:
    return _collect(_start_child(kind, args, **extra))


def _score_checks(report: dict[str, Any], args: argparse.Namespace) -> None:
    """Score the index checks of `report` against the one run's representatives; at the
    whole history, count the batch documents whose verdict (flagged or not, and against
    which document) differs from the one run's."""
    rep_file = Path(args.rep_file)
    rep_of = json.loads(rep_file.read_text()) if rep_file.exists() else {}
    _, _, sources, kinds = _setup(args)
    one_run = report.get("one_run", {}).get("flagged")
    for key in ("sqlite", "redis"):
        for check in report.get(key, {}).get("checks", []):
            if "flagged" in check:  # kept in the JSON: the verdicts, to compare runs
                check.update(score(check["flagged"], sources, kinds, rep_of))
                if one_run is not None and check.get("indexed_docs_added") == args.history:
                    ids = set(one_run) | set(check["flagged"])
                    check["differ"] = sum(one_run.get(i) != check["flagged"].get(i) for i in ids)


def build_and_check(args: argparse.Namespace, backend: str, location: str) -> dict[str, Any]:
    """Index the history batch by batch in this process; check at each checkpoint."""
    from cleaner.document import Document
    from cleaner.index import Index

    stream = SyntheticStream(load_corpus(Path(args.data)), args.history)
    batch_times: list[float] = []
    checks: list[dict[str, Any]] = []
    marks = checkpoints(args.history, args.batch_size)
    with Index.open(location, config()) as index:
        for lo in range(0, args.history, args.batch_size):
            hi = min(lo + args.batch_size, args.history)
            docs = [
                Document(id=f"d{lo + k}", text=text) for k, text in enumerate(stream.texts(lo, hi))
            ]
            t = time.perf_counter()
            index.add(docs)
            batch_times.append(time.perf_counter() - t)
            print(
                f"  {backend}: indexed {hi:,} in {batch_times[-1]:.1f} s"
                f" ({time.strftime('%H:%M:%S')})",
                file=sys.stderr,
                flush=True,
            )
            if hi in marks:
                row = _child("check", args, location=location)
                row["size_bytes"] = index.store.size_bytes()
                row["indexed_docs_added"] = hi
                checks.append(row)
                shown = {k: v for k, v in row.items() if k != "flagged"}
                print(f"  {backend}: check at {hi:,}: {shown}", file=sys.stderr, flush=True)
    return {
        "engine": f"cleaner index ({backend})",
        "index_batch_s": batch_times,
        "checks": checks,
        "peak_rss_build": own_peak_rss(),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES))
    parser.add_argument("--history", type=int)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--data", default=str(bbc_dir()))
    parser.add_argument("--backends", nargs="+", default=["sqlite", "redis", "datasketch-redis"])
    parser.add_argument("--redis-url", help="default: start a redis-server in a temp dir")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--location", help=argparse.SUPPRESS)
    parser.add_argument("--rep-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    history, batch_size, batch = SCALES[args.scale or "small"]
    args.history = args.history or history
    args.batch_size = args.batch_size or batch_size
    args.batch = args.batch or batch
    if args.child:
        run = {"one-run": child_one_run, "check": child_check, "datasketch": child_datasketch}
        print(json.dumps(run[args.child](args)), flush=True)
        return
    work = Path(tempfile.mkdtemp(prefix="index-bench-"))
    server = None
    one_run: subprocess.Popen[str] | None = None
    try:
        url = args.redis_url
        if url is None and any("redis" in b for b in args.backends):
            server, url = _start_redis(work)
        args.rep_file = str(work / "reps.json")
        report: dict[str, Any] = {
            "history": args.history,
            "batch_size": args.batch_size,
            "batch": args.batch,
        }
        # The one run (the reference) beside the index builds: the checks are scored after.
        # datasketch alone needs no reference (it is scored against the planted sources).
        if {"sqlite", "redis"} & set(args.backends):
            one_run = _start_child("one-run", args)
        if "sqlite" in args.backends:
            report["sqlite"] = build_and_check(args, "sqlite", str(work / "news.index"))
        if "redis" in args.backends and url:
            report["redis"] = build_and_check(args, "redis", f"{url}/1")
        if "datasketch-redis" in args.backends and url:
            report["datasketch"] = _child("datasketch", args, location=f"{url}/2")
        if one_run is not None:
            report["one_run"] = _collect(one_run)
            shown = {k: v for k, v in report["one_run"].items() if k != "flagged"}
            print(f"one run: {shown}", file=sys.stderr)
        _score_checks(report, args)
        _print(report)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))
    finally:
        if one_run is not None and one_run.poll() is None:
            one_run.kill()
            one_run.wait()
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


def _start_redis(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: install it or pass --redis-url")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--dir", str(work), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return server, f"redis://127.0.0.1:{port}"


def _print(report: dict[str, Any]) -> None:
    one = report.get("one_run")
    rows = (
        []
        if one is None
        else [
            {
                "engine": one.get("engine", "one run"),
                "indexed": report["history"],
                "batch s": f"{one.get('wall_s', 0):.1f} (all)",
                "recall": f"{one.get('recall', 0):.4f}",
                **{k: f"{one.get(f'recall_{k}', 0):.3f}" for k in KINDS},
                "unplanted": one.get("unplanted_flagged"),
                "differ": "-",
                "size MB": "-",
                "peak RSS MB": f"{one.get('peak_rss', 0) / 2**20:.0f}",
            }
        ]
    )
    for key in ("sqlite", "redis", "datasketch"):
        part = report.get(key)
        if not part:
            continue
        times = part.get("index_batch_s", [])
        for check in part.get("checks", []):
            rows.append(
                {
                    "engine": part["engine"],
                    "indexed": check.get("indexed_docs"),
                    "batch s": f"{check.get('check_s', 0):.1f}",
                    "recall": f"{check.get('recall', 0):.4f}",
                    **{k: f"{check.get(f'recall_{k}', 0):.3f}" for k in KINDS},
                    "unplanted": check.get("unplanted_flagged"),
                    "differ": check.get("differ", "-"),
                    "size MB": f"{check.get('size_bytes', 0) / 2**20:.0f}"
                    if "size_bytes" in check
                    else "-",
                    "peak RSS MB": f"{check.get('peak_rss', part.get('peak_rss', 0)) / 2**20:.0f}",
                }
            )
        if times:
            print(
                f"{part['engine']}: index batch times (s): " + ", ".join(f"{t:.1f}" for t in times),
                file=sys.stderr,
            )
    if not rows:
        return
    header = list(rows[0])
    print_table(header, [[str(row.get(h, "")) for h in header] for row in rows])


if __name__ == "__main__":
    main()
