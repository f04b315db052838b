"""The reduce of a sharded run: every global stage decided from the signature files alone.

Stage by stage, in chain order, each stage's `decide` reads every shard's signatures in input
order (`Signed`), never a text; a document is shown to a stage only if the earlier stages keep
it (`Decided.kept`) and, for a stage that does not see blank documents, if it has text under
the pipeline's empty-text policy. What comes out is, per stage, the decisions that finishing
a shard needs (`Decided.for_shard`, see `cleaner.run.plan`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from cleaner.run.plan import Plan
from cleaner.run.shards import read_signatures
from cleaner.run.workdir import WorkDir
from cleaner.stage import BoolArray, Decided, Signed, TaskMap


def decide(plan: Plan, workdir: WorkDir, starts: Sequence[int], tasks: TaskMap) -> list[Decided]:
    """Every stage's decisions over the shards committed in `workdir`; shard `i` starts at
    global position ``starts[i]`` (`cleaner.run.shards.shard_starts`)."""
    decided: list[Decided] = []
    kept: list[BoolArray] | None = None
    for number, stage in enumerate(plan.stages):
        shown: list[BoolArray] = []
        blank_dropped = plan.drop_empty and not stage.sees_blank
        signed = _signed(workdir, starts, number, kept, blank_dropped, shown)
        decisions = stage.decide(signed, tasks)
        decided.append(decisions)
        if number + 1 < len(plan.stages):
            kept = [alive & decisions.kept(index) for index, alive in enumerate(shown)]
    return decided


def for_shard(decided: list[Decided], index: int) -> list[Any]:
    """Shard `index`'s decisions of every stage, in stage order: what `Plan.decided` takes."""
    return [decisions.for_shard(index) for decisions in decided]


def _signed(
    workdir: WorkDir,
    starts: Sequence[int],
    stage: int,
    kept: list[BoolArray] | None,
    blank_dropped: bool,
    shown: list[BoolArray],
) -> Iterator[Signed]:
    """What stage number `stage` is shown of each shard; records in `shown` which documents
    reached it."""
    for index, base in enumerate(starts):
        head, signatures = read_signatures(workdir, index, stage)
        alive = np.ones(len(head.ids), dtype=np.bool_) if kept is None else kept[index]
        if blank_dropped:
            alive = alive & head.nonempty
        shown.append(alive)
        yield Signed(base, head.slots + base, head.ids, alive, signatures)
