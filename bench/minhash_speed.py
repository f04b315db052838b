"""MinHash signatures per second, end to end from text: cleaner vs datasketch vs rensa.

Run:  .venv/bin/python bench/minhash_speed.py [--data DIR] [--repeat N]
From Python: ``run_speed(data_dir)`` returns the table as a list of dicts.

Reads the BBC News corpus (2,225 ``.txt`` files under topic folders, decoded by the project's
decoder; `--data`, by default `common.bbc_dir()`; never copied into the repository) and
times, for the whole
corpus, text -> 128-permutation signatures:

- cleaner: `MinHashSigner.signatures`, vectorised (normalise, shingle, hash, permute in numpy);
- datasketch: ``MinHash.update_batch`` per document (through ``MinHash.generator``, which
  reuses the permutations instead of regenerating them per document), default SHA-1 hash;
- rensa: ``RMinHash(num_perm, seed).update(tokens)`` per document, then ``digest()``.

The last row times rensa on shingle lists built beforehand: not end to end, it shows how
fast rensa's sketching itself is (the part a compiled kernel would have to match).

Shingles are the same for all three in the main rows: cleaner's word 5-grams of the
normalised text, produced for the comparators by the plain-Python reference
(`shingle_strings`: cleaner's normaliser, then ``split`` and ``" ".join``). The "quick" rows
give the comparators the cheapest usual shingling instead (``text.lower().split()``, no
Unicode normalisation), the fastest they can be run. Each timing is the best of `--repeat`
runs after one warm-up. Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import bbc_dir, load_bbc, print_table

from cleaner.dedup.minhash import MinHashSigner
from cleaner.dedup.normalization import normalize_batch
from cleaner.dedup.shingles import shingle_hash, shingle_strings

NUM_PERM = 128
SEED = 1
N = 5


def load(data: Path) -> list[str]:
    return [article.text for article in load_bbc(data)]


def quick_shingles(text: str) -> list[str]:
    words = text.lower().split()
    return [" ".join(words[i : i + N]) for i in range(max(1, len(words) - N + 1))]


def best_time(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: lazy tables, imports, allocator
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def cleaner_run(texts: Sequence[str]) -> Callable[[], object]:
    signer = MinHashSigner(num_perm=NUM_PERM, seed=SEED)
    return lambda: signer.signatures(texts)


def datasketch_run(
    texts: Sequence[str], shingle: Callable[[str], list[str]]
) -> Callable[[], object]:
    from datasketch import MinHash

    def run() -> object:
        docs = ([s.encode("utf-8") for s in shingle(t)] for t in texts)
        return [m.hashvalues for m in MinHash.generator(docs, num_perm=NUM_PERM, seed=SEED)]

    return run


def rensa_run(texts: Sequence[str], shingle: Callable[[str], list[str]]) -> Callable[[], object]:
    from rensa import RMinHash  # type: ignore[import-untyped,import-not-found,unused-ignore]

    def run() -> object:
        out = []
        for text in texts:
            sketch = RMinHash(num_perm=NUM_PERM, seed=SEED)
            sketch.update(shingle(text))
            out.append(sketch.digest())
        return out

    return run


def rensa_core_run(texts: Sequence[str]) -> Callable[[], object]:
    """rensa on shingle lists built beforehand: its sketching cost alone, not end to end."""
    from rensa import RMinHash  # type: ignore[import-untyped,import-not-found,unused-ignore]

    shingled = [shingle_strings(t) for t in texts]

    def run() -> object:
        out = []
        for shingles in shingled:
            sketch = RMinHash(num_perm=NUM_PERM, seed=SEED)
            sketch.update(shingles)
            out.append(sketch.digest())
        return out

    return run


def breakdown(texts: Sequence[str], repeat: int) -> dict[str, float]:
    """Where cleaner's time goes: normalisation, shingle hashing, permutations."""
    signer = MinHashSigner(num_perm=NUM_PERM, seed=SEED)
    chunks = [texts[a:b] for a, b in signer.chunks(texts)]
    batches = [normalize_batch(c) for c in chunks]
    sets = [signer.shingler.shingle_normalized(b) for b in batches]
    return {
        "normalise": best_time(lambda: [normalize_batch(c) for c in chunks], repeat),
        "shingle + hash": best_time(
            lambda: [signer.shingler.shingle_normalized(b) for b in batches], repeat
        ),
        "minhash permutations": best_time(
            lambda: [signer.hasher.signatures(s) for s in sets], repeat
        ),
    }


def runners(texts: Sequence[str]) -> list[tuple[str, Callable[[], object]]]:
    rows = [
        ("cleaner    MinHashSigner.signatures (vectorised)", cleaner_run(texts)),
        ("datasketch update_batch, same shingles", datasketch_run(texts, shingle_strings)),
        ("datasketch update_batch, quick shingles", datasketch_run(texts, quick_shingles)),
    ]
    try:
        rows.append(
            ("rensa      RMinHash.update, same shingles", rensa_run(texts, shingle_strings))
        )
        rows.append(
            ("rensa      RMinHash.update, quick shingles", rensa_run(texts, quick_shingles))
        )
        rows.append(("rensa      core only, shingles pre-built (not e2e)", rensa_core_run(texts)))
    except ImportError:
        print("rensa is not installed (pip install rensa): its rows are skipped\n")
    return rows


def check_compatible(texts: Sequence[str]) -> bool:
    """cleaner's signatures equal datasketch's fed the same shingles and hash function."""
    from datasketch import MinHash

    ours = MinHashSigner(num_perm=NUM_PERM, seed=SEED).signatures(texts)
    for text, row in zip(texts, ours, strict=True):
        theirs = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=shingle_hash)
        theirs.update_batch(shingle_strings(text))
        if not np.array_equal(row, theirs.hashvalues):
            return False
    return True


def run_speed(
    data_dir: Path | None = None, repeat: int = 3, texts: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Time every method on the corpus; one dict per method, cleaner first.

    Keys: ``method``, ``docs``, ``chars``, ``shingles`` (word 5-grams), ``seconds`` (best
    of `repeat` after a warm-up), ``docs_per_s``, ``shingles_per_s``, ``cleaner_speedup``
    (cleaner's speed / this method's speed), ``end_to_end`` (False for the row that starts
    from prebuilt shingles). `texts` replaces the corpus (e.g. for a quick check).
    """
    texts = load(data_dir or bbc_dir()) if texts is None else texts
    n_docs = len(texts)
    n_shingles = sum(len(shingle_strings(t)) for t in texts)
    n_chars = sum(len(t) for t in texts)
    timed = [(name, best_time(run, repeat)) for name, run in runners(texts)]
    cleaner_seconds = timed[0][1]
    return [
        {
            "method": name,
            "docs": n_docs,
            "chars": n_chars,
            "shingles": n_shingles,
            "seconds": seconds,
            "docs_per_s": n_docs / seconds,
            "shingles_per_s": n_shingles / seconds,
            "cleaner_speedup": seconds / cleaner_seconds,
            "end_to_end": "not e2e" not in name,
        }
        for name, seconds in timed
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="MinHash signatures per second from text.")
    parser.add_argument("--data", type=Path, default=bbc_dir())
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    texts = load(args.data)
    rows = run_speed(args.data, args.repeat, texts)
    first = rows[0]
    print(
        f"corpus: {args.data}: {first['docs']} docs, {first['chars']:,} chars,"
        f" {first['shingles']:,} word {N}-grams"
    )
    print(f"num_perm={NUM_PERM}, seed={SEED}; best of {args.repeat} runs after one warm-up\n")
    print_table(
        ["method", "seconds", "docs/s", "cleaner is"],
        [
            [
                row["method"],
                f"{row['seconds']:.3f}",
                f"{row['docs_per_s']:.0f}",
                f"{row['cleaner_speedup']:.1f}x",
            ]
            for row in rows
        ],
    )
    print("('cleaner is' = cleaner's speed / that row's speed)\n")

    print("cleaner, per stage over the corpus:")
    for name, seconds in breakdown(texts, args.repeat).items():
        print(f"  {name:<22} {seconds:.3f} s")
    print(f"\nsignatures equal datasketch(hashfunc=shingle_hash): {check_compatible(texts[:20])}")


if __name__ == "__main__":
    main()
