"""Run statistics: what went in, what came out, what was rejected and why, what each rule did.

`RunReport.add` is fed every result of a run; `to_dict` is the JSON report and `summary` the
few readable lines printed at the end of `cleaner clean`. The counts always satisfy
`docs_in == docs_out + rejected`, and `check_balance` says so out loud if they ever don't.

Duplicate clusters. Every result whose `meta["dup"]` names a cluster (dedup and exact_dedup
both write `"cluster": <representative or first copy id>`; an annotation without one falls back
to `"of"`) is counted in that cluster, kept or dropped alike: the histogram describes the
input, wherever the copies went. A dedup representative carries `{"kind": "representative",
"copies": n}`; exact_dedup leaves the first copy of a text unannotated. Either way a cluster's
size is its copies plus one for the representative / first copy, whether or not that one was
seen; when the representative's own `copies` count is larger than the copies seen, it wins.
A dropped copy names its cluster in `Drop.duplicate_of` (exact_dedup's `policy = "drop"`
writes no meta on it), and that wins over any `meta["dup"]` (on an exact_dedup drop, one can
only have come with the input). Meta keys and kinds are the constants of `cleaner.meta`.
Memory is one small dict entry per cluster (never per document), and the histogram is only
built in `to_dict` / `summary`.

Known limit: with exact_dedup dropping copies *and* dedup after it, an exact copy is counted in
the cluster of its first copy's id; if dedup then makes that first copy a near copy of another
representative, the first copy is counted in both clusters. The default chain flags, and there
dedup re-annotates the exact copies itself, so that does not arise.

JSON, under "duplicate_clusters" (always present; zeros and `{}` when there are none):
    {"clusters": N, "documents_in_clusters": M, "largest": K, "sizes": {"2": 10, "3": 4}}
Sizes 2 to 10 are exact keys; larger ones are bucketed "11-20", "21-50", "51-100", "101-200",
"201-500", "501-1000" and "1001+" (`largest` is always exact). Keys are in size order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaner.document import Document, Drop, Reject
from cleaner.meta import (
    DUP_CLUSTER,
    DUP_COPIES,
    DUP_KIND,
    DUP_OF,
    KIND_REPRESENTATIVE,
    META_DUP,
    META_LANG,
)
from cleaner.trace import UNITEMISED

#: The share of rejected documents above which a run counts as failed (`max_reject_rate`, CLI
#: --max-reject-rate). 1.0 never fails on the share; a run where every document was rejected
#: (and there was at least one) fails whatever the rate allows.
DEFAULT_MAX_REJECT_RATE = 1.0


@dataclass
class RunReport:
    docs_in: int = 0
    docs_out: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    removed_by_rule: Counter[str] = field(default_factory=Counter)
    moved_to_meta: Counter[str] = field(default_factory=Counter)
    edits_by_processor: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    seconds: float = 0.0
    paths: dict[str, str] = field(default_factory=dict)
    # {"total": N, "resumed": K} for a sharded (resumable) run; None for a streamed one.
    shards: dict[str, int] | None = None
    # Where a sharded run's shards ran: "local" (worker processes) or "ray"; None when streamed.
    executor: str | None = None
    # A sharded run's wall seconds in the map (parallel) and the reduce (deciding the global
    # stages in this process, then finishing the shards, in worker processes where it can).
    phases: dict[str, float] | None = None
    # Above this share of rejected documents `failure` says the run failed (see the constant).
    max_reject_rate: float = DEFAULT_MAX_REJECT_RATE
    # Duplicate clusters: cluster id -> [copies seen, copies its representative declared].
    dup_clusters: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)

    def add(self, result: Document | Drop | Reject, original_chars: int = 0) -> None:
        """Count one result. `original_chars` is the input text length, when known."""
        self.docs_in += 1
        self.chars_in += original_chars
        if isinstance(result, Reject):
            self.rejected[result.label] += 1
            return
        doc = result.document if isinstance(result, Drop) else result
        for edit in doc.trace:
            if edit.action == UNITEMISED:  # carries a step's exact change, not a rule's edit
                continue
            self.edits_by_processor[edit.processor] += 1
            if edit.action == "removed":
                self.removed_by_rule[edit.rule] += 1
            elif edit.action == "moved":
                self.moved_to_meta[edit.rule] += 1
        raw_dup = doc.meta.get(META_DUP)
        dup = raw_dup if isinstance(raw_dup, dict) else None
        if dup is not None or isinstance(result, Drop):
            self._count_cluster(result, dup)
        if isinstance(result, Drop):
            self.rejected[result.label] += 1
            return
        self.docs_out += 1
        self.chars_out += len(doc.text)
        lang = doc.meta.get(META_LANG)
        if isinstance(lang, str):
            self.languages[lang] += 1
        if dup is not None and isinstance(dup.get(DUP_KIND), str):
            self.duplicates[dup[DUP_KIND]] += 1

    def merge(self, other: RunReport) -> None:
        """Add the counts of `other`, a report of the results that follow this one's (a later
        shard of the same run): the same report as one fed every result in that order."""
        self.docs_in += other.docs_in
        self.docs_out += other.docs_out
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        for mine, theirs in (
            (self.rejected, other.rejected),
            (self.removed_by_rule, other.removed_by_rule),
            (self.moved_to_meta, other.moved_to_meta),
            (self.edits_by_processor, other.edits_by_processor),
            (self.languages, other.languages),
            (self.duplicates, other.duplicates),
        ):
            mine.update(theirs)
        for cluster, (seen, declared) in other.dup_clusters.items():
            entry = self.dup_clusters.get(cluster)
            if entry is None:
                self.dup_clusters[cluster] = [seen, declared]
            else:
                entry[0] += seen
                entry[1] = max(entry[1], declared)

    def _count_cluster(self, result: Document | Drop, dup: dict[str, Any] | None) -> None:
        """Count `result` in its duplicate cluster, if it belongs to one (see the module doc)."""
        if isinstance(result, Drop) and result.duplicate_of is not None:
            cluster: Any = result.duplicate_of
            representative = False
        elif dup is not None:
            cluster = dup.get(DUP_CLUSTER, dup.get(DUP_OF))
            representative = dup.get(DUP_KIND) == KIND_REPRESENTATIVE
        else:
            return
        if not isinstance(cluster, str):
            return
        entry = self.dup_clusters.get(cluster)
        if entry is None:
            entry = self.dup_clusters[cluster] = [0, 0]
        if not representative:
            entry[0] += 1
            return
        copies = dup.get(DUP_COPIES) if dup is not None else None
        if isinstance(copies, int) and not isinstance(copies, bool) and copies > entry[1]:
            entry[1] = copies

    def cluster_sizes(self) -> Counter[int]:
        """`{size: number of clusters}` over clusters of two or more documents."""
        sizes: Counter[int] = Counter()
        for seen, declared in self.dup_clusters.values():
            size = 1 + max(seen, declared)
            if size >= 2:
                sizes[size] += 1
        return sizes

    def duplicate_clusters(self) -> dict[str, Any]:
        """The "duplicate_clusters" section of the JSON report."""
        sizes = self.cluster_sizes()
        return {
            "clusters": sum(sizes.values()),
            "documents_in_clusters": sum(size * n for size, n in sizes.items()),
            "largest": max(sizes, default=0),
            "sizes": _bucketed(sizes),
        }

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def check_balance(self) -> bool:
        return self.docs_in == self.docs_out + self.rejected_total

    @property
    def reject_rate(self) -> float:
        """Rejected documents per input document (0.0 for an empty input)."""
        return self.rejected_total / self.docs_in if self.docs_in else 0.0

    def failure(self) -> str | None:
        """Why the run failed on its rejects, in one line, or None.

        It failed when there were input documents and none reached the output, or when more
        than `max_reject_rate` of them were rejected. An empty input is no failure. The
        outputs are written either way: the rejects file says what went wrong.
        """
        if self.docs_in == 0:
            return None
        reasons = _top(self.rejected, limit=3)
        if self.docs_out == 0:
            return f"all {self.docs_in} input documents were rejected ({reasons})"
        if self.reject_rate > self.max_reject_rate:
            return (
                f"{self.rejected_total} of {self.docs_in} documents rejected"
                f" ({self.reject_rate:.1%} > max reject rate {self.max_reject_rate:.1%}:"
                f" {reasons})"
            )
        return None

    def to_dict(self) -> dict[str, Any]:
        rate = self.docs_in / self.seconds if self.seconds > 0 else 0.0
        return {
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "rejected": self.rejected_total,
            "balanced": self.check_balance(),
            "reject_rate": round(self.reject_rate, 6),
            "max_reject_rate": self.max_reject_rate,
            "failure": self.failure(),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "removed_by_rule": dict(sorted(self.removed_by_rule.items())),
            "moved_to_meta_by_rule": dict(sorted(self.moved_to_meta.items())),
            "edits_by_processor": dict(sorted(self.edits_by_processor.items())),
            "languages": dict(sorted(self.languages.items())),
            "duplicates_flagged": dict(sorted(self.duplicates.items())),
            "duplicate_clusters": self.duplicate_clusters(),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(rate, 1),
            "paths": dict(self.paths),
            **({"shards": dict(self.shards)} if self.shards is not None else {}),
            **(
                {"phase_seconds": {k: round(v, 3) for k, v in self.phases.items()}}
                if self.phases is not None
                else {}
            ),
            **({"executor": self.executor} if self.executor is not None else {}),
        }

    def summary(self) -> str:
        rate = self.docs_in / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"cleaner: {self.docs_in} in, {self.docs_out} out, {self.rejected_total} rejected"
            f" ({self.seconds:.1f} s, {rate:.0f} docs/s)"
        ]
        if self.shards and self.shards.get("resumed", 0) > 0:
            lines.append(
                f"  resumed {self.shards['resumed']} of {self.shards['total']} shards"
                " from an interrupted run"
            )
        if not self.check_balance():
            lines.append("  WARNING: counts do not add up; please report this as a bug")
        if self.rejected:
            lines.append("  rejected: " + _top(self.rejected))
        if self.removed_by_rule:
            lines.append("  removed by rule: " + _top(self.removed_by_rule))
        if self.moved_to_meta:
            lines.append("  moved to meta: " + _top(self.moved_to_meta))
        if self.duplicates:
            lines.append("  duplicates flagged: " + _top(self.duplicates))
        clusters = self.duplicate_clusters()
        if clusters["clusters"]:
            shown = ", ".join(f"{size}: {n}" for size, n in clusters["sizes"].items())
            lines.append(
                f"  duplicate clusters: {clusters['clusters']} (sizes {shown}),"
                f" largest {clusters['largest']}, {clusters['documents_in_clusters']} documents"
            )
        if self.languages:
            lines.append("  languages: " + _top(self.languages, limit=8))
        if self.paths:
            lines.append("  " + "  ".join(f"{k}: {v}" for k, v in self.paths.items()))
        return "\n".join(lines)


# Cluster sizes above 10 are reported in these ranges (inclusive); beyond the last, "1001+".
_SIZE_BUCKETS = ((11, 20), (21, 50), (51, 100), (101, 200), (201, 500), (501, 1000))


def _size_key(size: int) -> tuple[int, str]:
    """(sort key, JSON key) of a cluster size: the size itself up to 10, else its range."""
    if size <= 10:
        return size, str(size)
    for low, high in _SIZE_BUCKETS:
        if size <= high:
            return low, f"{low}-{high}"
    low = _SIZE_BUCKETS[-1][1] + 1
    return low, f"{low}+"


def _bucketed(sizes: Counter[int]) -> dict[str, int]:
    """`{size or range: clusters}`, in size order."""
    buckets: dict[tuple[int, str], int] = {}
    for size, n in sizes.items():
        key = _size_key(size)
        buckets[key] = buckets.get(key, 0) + n
    return {label: n for (_, label), n in sorted(buckets.items())}


def _top(counter: Counter[str], limit: int = 20) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{k} {v}" for k, v in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items) - limit} more)"
    return shown
