"""Question-set metrics of fp32 and int8 encoders at several batch sizes.

Dynamic int8 quantization picks each activation tensor's scale from the whole batch (padding
included), so int8 vectors depend on which passages share a batch; fp32 vectors do not. This
script builds the bundled sources' index for each (precision, batch size) and reports hit@1
and MRR@10 in hybrid and dense mode, which is what decides the default precision.

    .venv/bin/python benchmarks/int8_quality.py [--batches 4 8 16 32]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[4, 8, 16, 32])
    parser.add_argument("--sources", type=Path, default=ROOT / "sources")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from askrel.answering.search import Searcher
    from askrel.bench import question_metrics
    from askrel.embedding.onnx_encoder import OnnxEncoder, ensure_export
    from askrel.indexing.build import build_index

    work = Path(tempfile.mkdtemp(prefix="askrel-int8-"))
    rows = []
    try:
        for precision in ("fp32", "int8"):
            for batch in args.batches:
                OnnxEncoder.batch_size = batch
                index = work / f"{precision}-{batch}"
                ensure_export(index, None, precision)
                build_index(args.sources, index, precision=precision, root=ROOT)
                metrics = question_metrics(Searcher(index), args.questions, ("hybrid", "dense"))
                row = {"precision": precision, "batch": batch,
                       **{f"{mode} {name}": round(value or 0.0, 4)
                          for mode, values in metrics.items()
                          for name, value in values.items() if name != "hit@5"}}
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
