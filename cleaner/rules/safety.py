"""Prove a rule regex free of catastrophic backtracking, or say why it cannot be proved.

Python's `re` backtracks: a pattern such as `(a+)+$` tries exponentially many ways to split a
line of `a`s that ends in `!`, and cannot be interrupted. Such blow-ups need *ambiguity*: one
piece of text that the pattern can match along two different paths which then meet again.
`backtracking_risk` looks for it on the pattern's parse tree (`re._parser`), conservatively:

- exponential: the pattern's position automaton (one state per character set; bounded repeats
  treated as unbounded, lookarounds as empty) has a state with two different loops on the same
  text. That is what `(a+)+`, `(a|a)*` and `(\\w+\\s?)*` have;
- polynomial: an unbounded quantifier directly followed (zero-width items aside) by another
  unbounded quantifier that can match the same characters (`\\w+\\w+`, `.*\\s*.*`);
- a back-reference is read as "any text" (more ambiguous than what it matches, never less).

Characters are compared on a sample alphabet: ASCII and Latin-1, a few letters, digits and
spaces of other scripts, and every character the pattern names (and its case variants), so
sets built from literals and ranges are compared exactly. Lookaround bodies are checked as
patterns of their own. `None` means proved safe; a string says why not.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

MAXREPEAT: int = _c.MAXREPEAT
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT)
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_LEAVES = (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN)
_CATEGORY = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w",
    _c.CATEGORY_NOT_WORD: r"\W",
}
_FLAG_MASK = re.IGNORECASE | re.DOTALL | re.ASCII | re.UNICODE
_EXTRA_SAMPLES = (
    "\u00a0\u1680\u2000\u2009\u200b\u2028\u2029\u202f\u3000\ufeff"  # spaces, invisibles
    "ĀāĞğŁłŒœſƒǅǆ\u0301ΑαΣσςЖжЯя\u05d0\u0627\u0663\u0966\u4e2d\u3042\uac00"  # letters, digits
    "‘’‚“”„–—•…€™©®°±×÷"  # typographic punctuation and symbols
)


class _Unprovable(Exception):
    """A construct outside what the analysis models (back-reference, conditional)."""


_MANY = 2  # path counts are capped here: the analysis only asks "one, or more than one?"


def _add(counts: dict[int, int], key: int, n: int) -> None:
    counts[key] = min(_MANY, counts.get(key, 0) + n)


@dataclass(slots=True)
class _Automaton:
    """Glushkov position automaton with path counts: `sets[p]` is what position p consumes;
    `follow[p][q]` how many distinct routes (1, or 2 for "several") lead from p to q. Two
    routes between the same positions, as in `(a+)+`, are two ways to match the same text."""

    sets: list[int] = field(default_factory=lambda: [0])
    follow: list[dict[int, int]] = field(default_factory=lambda: [{}])


@dataclass(frozen=True, slots=True)
class _Info:
    """What a sub-pattern contributes: its first and last positions (with route counts) and
    how many ways it has to match the empty string (0: it cannot)."""

    first: dict[int, int]
    last: dict[int, int]
    empty: int


_EMPTY = _Info({}, {}, 1)
# Steps the ambiguity search may take: beyond this a pattern (hundreds of alternatives in a
# loop) is not analysed, and so not proved safe. Keeps the proof to a second or two.
MAX_STEPS = 1_000_000
_TOO_BIG = "so many alternatives that the proof was not attempted"


def _scaled(counts: dict[int, int], n: int) -> dict[int, int]:
    return {k: min(_MANY, v * n) for k, v in counts.items() if v * n}


def _merged(*parts: dict[int, int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for part in parts:
        for k, v in part.items():
            _add(out, k, v)
    return out


class _Analysis:
    def __init__(self, tree: Any, samples: tuple[str, ...]) -> None:
        self.samples = samples
        self.nfa = _Automaton()
        self.problems: list[str] = []
        self.lookarounds: list[tuple[Any, int]] = []
        self.masks: dict[tuple[str, int], int] = {}
        self.steps = 0  # work done so far, bounded by MAX_STEPS
        info = self.seq(tree, tree.state.flags & _FLAG_MASK)
        self.nfa.follow[0] = dict(info.first)

    # -- character sets ---------------------------------------------------------------------

    def mask(self, op: Any, av: Any, flags: int) -> int:
        """The sample characters a leaf matches, as a bit mask."""
        source = _leaf_source(op, av)
        key = (source, flags)
        found = self.masks.get(key)
        if found is None:
            compiled = re.compile(source, flags)
            found = 0
            for i, ch in enumerate(self.samples):
                if compiled.fullmatch(ch):
                    found |= 1 << i
            self.masks[key] = found
        return found

    def union(self, positions: Iterable[int]) -> int:
        result = 0
        for p in positions:
            result |= self.nfa.sets[p]
        return result

    # -- building the automaton -------------------------------------------------------------

    def seq(self, items: Iterable[Any], flags: int) -> _Info:
        result = _EMPTY
        infos = [(op, av, self.node(op, av, flags)) for op, av in items]
        for index, (op, av, info) in enumerate(infos):
            if op in _REPEATS and av[1] == MAXREPEAT:
                self.adjacent(info, infos[index + 1 :])
            result = self.concat(result, info)
        return result

    def concat(self, a: _Info, b: _Info) -> _Info:
        self.link(a.last, b.first)
        return _Info(
            _merged(a.first, _scaled(b.first, a.empty)),
            _merged(b.last, _scaled(a.last, b.empty)),
            min(_MANY, a.empty * b.empty),
        )

    def link(self, last: dict[int, int], first: dict[int, int]) -> None:
        self.steps += len(last) * len(first)
        if self.steps > MAX_STEPS:
            raise _Unprovable(_TOO_BIG)
        for p, n in last.items():
            for q, m in first.items():
                _add(self.nfa.follow[p], q, n * m)

    def node(self, op: Any, av: Any, flags: int) -> _Info:
        start = len(self.nfa.sets)
        if op in _LEAVES:
            self.nfa.sets.append(self.mask(op, av, flags))
            self.nfa.follow.append({})
            return _Info({start: 1}, {start: 1}, 0)
        if op is _c.SUBPATTERN:
            _group, add, remove, body = av
            return self.seq(body, (flags | add) & ~remove & _FLAG_MASK)
        if op is _c.ATOMIC_GROUP:
            return self.seq(av, flags)
        if op is _c.BRANCH:
            infos = [self.seq(branch, flags) for branch in av[1]]
            return _Info(
                _merged(*(i.first for i in infos)),
                _merged(*(i.last for i in infos)),
                min(_MANY, sum(i.empty for i in infos)),
            )
        if op in _REPEATS or op is _c.POSSESSIVE_REPEAT:
            low, high, body = av
            info = self.seq(body, flags)
            if high > 1:
                if info.empty and _consumes(body):
                    self.problems.append(
                        "a repeated group can match the empty string (nested quantifiers)"
                    )
                self.link(info.last, info.first)
            empty = min(_MANY, info.empty + (1 if low == 0 else 0))
            return _Info(info.first, info.last, empty)
        if op in (_c.ASSERT, _c.ASSERT_NOT):
            self.lookarounds.append((av[1], flags))
            return _EMPTY
        if op is _c.AT:
            return _EMPTY
        if op is _c.GROUPREF:
            # Read as "any text": more ambiguity than the one string it repeats, never less.
            self.nfa.sets.append((1 << len(self.samples)) - 1)
            self.nfa.follow.append({start: 1})
            return _Info({start: 1}, {start: 1}, 1)
        if op is _c.GROUPREF_EXISTS:
            _group, yes, no = av
            branches = [self.seq(yes, flags), self.seq(no, flags) if no else _EMPTY]
            return _Info(
                _merged(*(i.first for i in branches)),
                _merged(*(i.last for i in branches)),
                min(_MANY, sum(i.empty for i in branches)),
            )
        raise _Unprovable(f"the construct {op}")  # pragma: no cover - every op is listed

    def adjacent(self, info: _Info, rest: list[tuple[Any, Any, _Info]]) -> None:
        """An unbounded quantifier followed by another one over the same characters: text
        both can read may be split between them in many ways (polynomial backtracking)."""
        for op, av, following in rest:
            if op in _ZERO_WIDTH:
                continue
            unbounded = op in _REPEATS and av[1] == MAXREPEAT
            if unbounded and self.union(info.last) & self.union(following.first):
                self.problems.append(
                    "two unbounded quantifiers in a row can match the same characters "
                    "(polynomial backtracking)"
                )
            return

    # -- ambiguity --------------------------------------------------------------------------

    def exponential(self) -> bool:
        """True if some state has two different loops reading the same text.

        In the product automaton (pairs of routes reading the same character), that is a
        strongly connected component through a pair (q, q) that also holds a pair (p, r) with
        p != r, or a step along two different routes between the same positions.
        """
        sets, follow = self.nfa.sets, self.nfa.follow
        # A loop of the product is a loop in each of its two halves, so only steps inside one
        # strongly connected part of the automaton matter: positions outside loops (a long
        # list of alternatives) cost nothing.
        part: dict[int, int] = {}
        looping: set[int] = set()
        for number, nodes in enumerate(_components({q: list(t) for q, t in enumerate(follow)})):
            for q in nodes:
                part[q] = number
            if len(nodes) > 1 or nodes[0] in follow[nodes[0]]:
                looping.update(nodes)
        # Successors in the same part, grouped by character set: only groups whose sets
        # meet are paired.
        groups: list[dict[int, list[tuple[int, int]]]] = []
        for q, targets in enumerate(follow):
            grouped: dict[int, list[tuple[int, int]]] = {}
            for p, n in targets.items():
                if part[p] == part[q]:
                    grouped.setdefault(sets[p], []).append((p, n))
            groups.append(grouped)
        edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
        doubled: set[tuple[tuple[int, int], tuple[int, int]]] = set()
        todo = [(q, q) for q in sorted(looping)]
        seen = set(todo)
        steps = 0
        while todo:
            a, b = pair = todo.pop()
            out = []
            for mask_a, from_a in groups[a].items():
                for mask_b, from_b in groups[b].items():
                    steps += 1
                    if not mask_a & mask_b:
                        continue
                    steps += len(from_a) * len(from_b)
                    if steps > MAX_STEPS:
                        raise _Unprovable(_TOO_BIG)
                    for p, n in from_a:
                        for r, _ in from_b:
                            nxt = (p, r) if p <= r else (r, p)
                            out.append(nxt)
                            if a == b and p == r and n > 1:
                                doubled.add((pair, nxt))
                            if nxt not in seen:
                                seen.add(nxt)
                                todo.append(nxt)
            edges[pair] = out
        for component in _components(edges):
            members = set(component)
            if not any(a == b for a, b in members):
                continue
            if any(a != b for a, b in members):
                return True
            if any(src in members and dst in members for src, dst in doubled):
                return True
        return False


def _consumes(body: Any) -> bool:
    """True if a sub-pattern contains anything that reads characters."""
    for op, av in body:
        if op in _LEAVES:
            return True
        if op is _c.SUBPATTERN and _consumes(av[3]):
            return True
        if op is _c.ATOMIC_GROUP and _consumes(av):
            return True
        if op is _c.BRANCH and any(_consumes(b) for b in av[1]):
            return True
        if (op in _REPEATS or op is _c.POSSESSIVE_REPEAT) and _consumes(av[2]):
            return True
    return False


def _components(edges: Mapping[Any, list[Any]]) -> Iterator[list[Any]]:
    """Strongly connected components (Tarjan, iterative)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                yield component


def _leaf_source(op: Any, av: Any) -> str:
    """A leaf of the parse tree written back as a regex."""
    if op is _c.LITERAL:
        return re.escape(chr(av))
    if op is _c.NOT_LITERAL:
        return f"[^{re.escape(chr(av))}]"
    if op is _c.ANY:
        return "."
    parts: list[str] = []
    for item_op, item_av in av:
        if item_op is _c.NEGATE:
            parts.insert(0, "^")
        elif item_op is _c.LITERAL:
            parts.append(re.escape(chr(item_av)))
        elif item_op is _c.RANGE:
            parts.append(f"{re.escape(chr(item_av[0]))}-{re.escape(chr(item_av[1]))}")
        elif item_op is _c.CATEGORY:
            parts.append(_CATEGORY[item_av])
        else:
            raise _Unprovable(f"the set item {item_op}")
    return f"[{''.join(parts)}]"


def _named_chars(tree: Any) -> Iterator[str]:
    """Every character a pattern names, as a literal or a range end."""
    for op, av in tree:
        if op in (_c.LITERAL, _c.NOT_LITERAL):
            yield chr(av)
        elif op is _c.IN:
            for item_op, item_av in av:
                if item_op in (_c.LITERAL, _c.NOT_LITERAL):
                    yield chr(item_av)
                elif item_op is _c.RANGE:
                    yield chr(item_av[0])
                    yield chr(item_av[1])
        elif op is _c.SUBPATTERN:
            yield from _named_chars(av[3])
        elif op is _c.ATOMIC_GROUP:
            yield from _named_chars(av)
        elif op is _c.BRANCH:
            for branch in av[1]:
                yield from _named_chars(branch)
        elif op in _REPEATS or op is _c.POSSESSIVE_REPEAT:
            yield from _named_chars(av[2])
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            yield from _named_chars(av[1])
        elif op is _c.GROUPREF_EXISTS:
            yield from _named_chars(av[1])
            if av[2] is not None:
                yield from _named_chars(av[2])


def _samples(tree: Any) -> tuple[str, ...]:
    chars = {chr(i) for i in range(0x180)} | set(_EXTRA_SAMPLES)
    for ch in _named_chars(tree):
        chars.update((ch, ch.lower(), ch.upper(), ch.casefold()))
    return tuple(sorted(c for c in chars if len(c) == 1))


@lru_cache(maxsize=1024)
def backtracking_risk(source: str) -> str | None:
    """None if `source` is proved free of catastrophic backtracking, else why it is not.

    `source` must compile with `re`; its inline flags ("(?i)") are honoured.
    """
    tree = _parser.parse(source, 0)
    pending: list[tuple[Any, int | None]] = [(tree, None)]
    samples = _samples(tree)
    while pending:
        subtree, flags = pending.pop()
        try:
            if flags is None:
                analysis = _Analysis(subtree, samples)
            else:
                analysis = _Analysis(_Wrapped(subtree, flags), samples)
            if analysis.problems:
                return analysis.problems[0]
            if analysis.exponential():
                return (
                    "nested quantifiers can match the same text in more than one way "
                    "(exponential backtracking)"
                )
        except _Unprovable as exc:
            return f"cannot prove it safe: it has {exc}"
        pending.extend((body, body_flags) for body, body_flags in analysis.lookarounds)
    return None


class _Wrapped:
    """A lookaround body presented like a parsed pattern: its items and its flags."""

    def __init__(self, items: Any, flags: int) -> None:
        self.items = items
        self.state = _State(flags)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


@dataclass(frozen=True, slots=True)
class _State:
    flags: int


__all__ = ["backtracking_risk"]
