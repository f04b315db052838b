"""Run statistics: what went in, what came out, what was rejected and why, what each rule did.

`RunReport.add` is fed every result of a run; `to_dict` is the JSON report and `summary` the
few readable lines printed at the end of `cleaner clean`. The counts always satisfy
`docs_in == docs_out + rejected`, and `check_balance` says so out loud if they ever don't.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaner.document import Document, Drop, Reject


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

    def add(self, result: Document | Drop | Reject, original_chars: int = 0) -> None:
        """Count one result. `original_chars` is the input text length, when known."""
        self.docs_in += 1
        self.chars_in += original_chars
        if isinstance(result, Reject):
            self.rejected[result.label] += 1
            return
        doc = result.document if isinstance(result, Drop) else result
        for edit in doc.trace:
            self.edits_by_processor[edit.processor] += 1
            if edit.action == "removed":
                self.removed_by_rule[edit.rule] += 1
            elif edit.action == "moved":
                self.moved_to_meta[edit.rule] += 1
        if isinstance(result, Drop):
            self.rejected[result.label] += 1
            return
        self.docs_out += 1
        self.chars_out += len(doc.text)
        lang = doc.meta.get("lang")
        if isinstance(lang, str):
            self.languages[lang] += 1
        dup = doc.meta.get("dup")
        if isinstance(dup, dict) and isinstance(dup.get("kind"), str):
            self.duplicates[dup["kind"]] += 1

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def check_balance(self) -> bool:
        return self.docs_in == self.docs_out + self.rejected_total

    def to_dict(self) -> dict[str, Any]:
        rate = self.docs_in / self.seconds if self.seconds > 0 else 0.0
        return {
            "docs_in": self.docs_in,
            "docs_out": self.docs_out,
            "rejected": self.rejected_total,
            "balanced": self.check_balance(),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "removed_by_rule": dict(sorted(self.removed_by_rule.items())),
            "moved_to_meta_by_rule": dict(sorted(self.moved_to_meta.items())),
            "edits_by_processor": dict(sorted(self.edits_by_processor.items())),
            "languages": dict(sorted(self.languages.items())),
            "duplicates_flagged": dict(sorted(self.duplicates.items())),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(rate, 1),
            "paths": dict(self.paths),
            **({"shards": dict(self.shards)} if self.shards is not None else {}),
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
        if self.languages:
            lines.append("  languages: " + _top(self.languages, limit=8))
        if self.paths:
            lines.append("  " + "  ".join(f"{k}: {v}" for k, v in self.paths.items()))
        return "\n".join(lines)


def _top(counter: Counter[str], limit: int = 20) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{k} {v}" for k, v in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items) - limit} more)"
    return shown
