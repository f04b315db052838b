#!/usr/bin/env bash
# Writes the outputs, rejects and reports of the runs every execution path must agree on, and
# prints one sha256 per file (reports with their timing fields removed), so that two checkouts
# can be compared byte for byte:
#
#     bench/identity_check.sh /tmp/before > before.txt   # on one checkout
#     bench/identity_check.sh /tmp/after > after.txt     # on the other
#     diff before.txt after.txt                          # nothing: identical
#
# Inputs: the seeds, and a JSONL dump of DOCS (default 2000) BBC News articles built the way
# bench/clean_bench.py builds its dump (DATA: the bbc-news folder, default ../shared/data/bbc-news).
# Run from the repository root; PYTHON defaults to .venv/bin/python.
set -euo pipefail
out=${1:?usage: bench/identity_check.sh OUTDIR}
docs=${DOCS:-2000}
data=${DATA:-../shared/data/bbc-news}
py=${PYTHON:-.venv/bin/python}
cleaner() { "$py" -m cleaner "$@"; }
rm -rf "$out" && mkdir -p "$out"

"$py" - "$data" "$docs" "$out/dump.jsonl" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, "bench")
from clean_bench import load_corpus, write_dump
write_dump(load_corpus(Path(sys.argv[1])), int(sys.argv[2]), Path(sys.argv[3]))
PY

run() {  # NAME CLEANER-ARGS...: writes $out/NAME.jsonl, its rejects and its report
  local name=$1; shift
  cleaner "$@" -o "$out/$name.jsonl" -q --no-progress || [ $? -eq 3 ]
}
run clean clean seeds/
run clean-noresume clean seeds/ --no-resume
run clean-j1 clean seeds/ --jobs 1
run clean-j2 clean seeds/ --jobs 2
run clean-shard2 clean seeds/ --shard-size 2
run clean-shard2-j2 clean seeds/ --shard-size 2 --jobs 2
run dedup-seeds dedup seeds/
run dedup-noresume dedup seeds/ --no-resume
run dedup-j1 dedup seeds/ --jobs 1
run dedup-j2 dedup seeds/ --jobs 2
run dedup-shard2 dedup seeds/ --shard-size 2
run dedup-drop dedup seeds/ --policy drop --shard-size 2 --jobs 2
run bbc-j2 clean "$out/dump.jsonl" --jobs 2 --shard-size 500
run bbc-j1 clean "$out/dump.jsonl" --jobs 1
run bbc-noresume clean "$out/dump.jsonl" --no-resume --jobs 2
run bbc-drop clean "$out/dump.jsonl" --jobs 2 --shard-size 500 \
  --set exact_dedup.policy=drop --set dedup.policy=drop
run bbc-dedup dedup "$out/dump.jsonl" --jobs 2 --shard-size 700
run bbc-trace clean "$out/dump.jsonl" --jobs 2 --shard-size 1000 --trace
cleaner clean - -o "$out/bbc-stdin.jsonl" -q --no-progress --rejects "$out/bbc-stdin.rejects.jsonl" \
  --report "$out/bbc-stdin.report.json" < "$out/dump.jsonl" || [ $? -eq 3 ]

# The Python API (Pipeline.run), streamed in this process.
"$py" - "$out/dump.jsonl" "$out/api.jsonl" <<'PY'
import sys
import orjson
from cleaner.document import Document
from cleaner.pipeline import Pipeline
with open(sys.argv[1], "rb") as fh:
    records = [orjson.loads(line) for line in fh]
with open(sys.argv[2], "wb") as out:
    for result in Pipeline.from_config().run(records):
        if isinstance(result, Document):
            row = {"id": result.id, "text": result.text, "meta": result.meta}
        else:
            row = {"id": result.document.id, "drop": [result.processor, result.reason, result.detail]}
        out.write(orjson.dumps(row, option=orjson.OPT_SORT_KEYS, default=str) + b"\n")
PY

# Every chain shape of tests/run/test_signatures.py (global stages in a row, a tail after
# them, exact after near), under each of its settings, streamed and sharded, on its dump.
"$py" - "$out" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, "tests/run")
from test_signatures import CHAINS, SETTINGS, _dump
from cleaner.cli.main import main
out = Path(sys.argv[1])
dump = _dump(out / "chains-input.jsonl")
modes = {"streamed": ["--no-resume", "--jobs", "1"], "sharded": ["--shard-size", "4", "--jobs", "2"]}
for c, chain in enumerate(sorted(CHAINS)):
    for s, setting in enumerate(sorted(SETTINGS)):
        for mode, flags in modes.items():
            options = ["--set", f"pipeline.processors=[{', '.join(CHAINS[chain])}]"]
            target = out / f"chain{c}-set{s}-{mode}.jsonl"
            argv = ["clean", str(dump), "-o", str(target), "-q", "--no-progress"]
            assert main([*argv, *flags, *options, *SETTINGS[setting]]) in (0, 3)
PY

for file in "$out"/*.report.json; do
  "$py" - "$file" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for key in ("seconds", "docs_per_second", "phase_seconds"):
    report.pop(key, None)
open(sys.argv[1], "w").write(json.dumps(report, indent=2, sort_keys=True))
PY
done
cd "$out" && rm dump.jsonl && sha256sum -- *.jsonl *.json | sort -k2
