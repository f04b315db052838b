"""`cleaner explain`: every removed or rewritten piece of a document beside the rule that did it.

The answer to "why did this line vanish?" without reading code: the pipeline runs exactly as
`cleaner clean` would (same config, same rules) and the trace of each document is printed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TextIO

from cleaner.document import Document, Drop, Edit, Reject
from cleaner.io.readers import read_inputs
from cleaner.meta import DUP_COPIES, DUP_KIND, DUP_OF, KIND_REPRESENTATIVE, META_DUP, META_LANG
from cleaner.pipeline import Pipeline
from cleaner.run.stream import execute
from cleaner.trace import UNITEMISED

_QUIET_RULE_PREFIXES = ("whitespace",)
_MAX_SHOWN = 100


def explain_inputs(
    pipeline: Pipeline,
    inputs: Sequence[str],
    *,
    wanted_ids: Collection[str] = (),
    limit: int = 50,
    show_all: bool = False,
    out: TextIO,
) -> int:
    """Print the explanation of each document (or only `wanted_ids`); return how many."""
    items = read_inputs(inputs, pipeline.config.get("input", {}))
    if wanted_ids:
        items = (item for item in items if item.id in wanted_ids)
    shown = 0
    for result in execute(pipeline.chain, items, jobs=1):
        if shown >= limit:
            break
        out.write(format_result(result, show_all=show_all))
        shown += 1
    return shown


def format_result(result: Document | Drop | Reject, *, show_all: bool = False) -> str:
    """A readable block for one result."""
    if isinstance(result, Reject):
        return f"== {result.id}: REJECTED at input ({result.reason}) {result.detail}\n\n"
    doc = result.document if isinstance(result, Drop) else result
    if isinstance(result, Drop):
        status = f"REJECTED by {result.processor} ({result.reason}) {result.detail}".rstrip()
    else:
        status = "kept"
        lang = doc.meta.get(META_LANG)
        if lang:
            status += f", lang={lang} {doc.meta.get('lang_score', '')}".rstrip()
        dup = doc.meta.get(META_DUP)
        if isinstance(dup, dict) and dup.get(DUP_KIND) == KIND_REPRESENTATIVE:
            status += f", representative of {dup.get(DUP_COPIES)} duplicates"
        elif isinstance(dup, dict):
            status += f", duplicate ({dup.get(DUP_KIND)}) of {dup.get(DUP_OF)}"
    lines = [f"== {doc.id}: {status}"]
    itemised = [e for e in doc.trace if e.action != UNITEMISED]  # those only carry changes
    edits = [e for e in itemised if show_all or not e.rule.startswith(_QUIET_RULE_PREFIXES)]
    hidden = len(itemised) - len(edits)
    if not edits:
        lines.append("   (nothing removed or changed)")
    # One group per processor, in chain order; within a group, in line order. Line numbers
    # refer to the text that processor received (earlier processors may have joined lines).
    order = list(dict.fromkeys(e.processor for e in edits))
    edits.sort(key=lambda e: (order.index(e.processor), e.line or 0))
    current = ""
    for edit in edits[:_MAX_SHOWN]:
        if edit.processor != current:
            current = edit.processor
            lines.append(f"   {current}:")
        lines.append(format_edit(edit))
    if len(edits) > _MAX_SHOWN:
        lines.append(f"   ... {len(edits) - _MAX_SHOWN} more edits")
    if hidden:
        lines.append(f"   ({hidden} whitespace edits not shown; --all lists them)")
    return "\n".join(lines) + "\n\n"


def format_edit(edit: Edit) -> str:
    where = f"L{edit.line}" if edit.line is not None else "  "
    head = f"   {where:>6}  {edit.rule:<30}"
    if edit.action == "moved":
        return f"{head} moved to meta.{edit.meta_key}: {_show(edit.text)}"
    if edit.action == "replaced":
        return f"{head} {_show(edit.text)} -> {_show(edit.replacement)}"
    return f"{head} removed {_show(edit.text)}"


def _show(text: str, width: int = 90) -> str:
    flat = text.replace("\n", "\\n")
    if len(flat) > width:
        flat = flat[: width - 3] + "..."
    return repr(flat) if flat != flat.strip() or not flat else f"«{flat}»"
