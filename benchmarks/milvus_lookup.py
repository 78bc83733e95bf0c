"""How fast Milvus Lite reads the sentence vectors of 100 passages, by the layout of the
sentences collection: the `passage` field scanned, the same with an INVERTED index, or
sentence ids derived from passage ids (passage * 64 + k) read by primary key.

Random float16 vectors, three sentences per passage, one collection at a time (each dropped
after its reads); 30 reads of 100 random passages each.

    python benchmarks/milvus_lookup.py --passages 1000000 --layouts inverted scan pk inverted
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

DIM = 384
PER_PASSAGE = 3
STRIDE = 64
LAYOUTS = ("scan", "inverted", "pk")


def measure(client, layout: str, vectors: np.ndarray, owners: np.ndarray, passages: int,
            rng: np.random.Generator, reads: int = 30) -> dict:
    from pymilvus import Collection, DataType

    name = f"lookup_{layout}"
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("passage", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT16_VECTOR, dim=DIM)
    params = client.prepare_index_params()
    params.add_index("vector", index_type="FLAT", metric_type="IP")
    if layout == "inverted":
        params.add_index("passage", index_type="INVERTED")
    client.create_collection(name, schema=schema, index_params=params)
    ids = (owners * STRIDE + np.tile(np.arange(PER_PASSAGE), passages) if layout == "pk"
           else np.arange(len(owners)))
    collection = Collection(name, using=client._using)
    started = time.perf_counter()
    for a in range(0, len(owners), 5000):
        collection.insert([ids[a:a + 5000].tolist(), owners[a:a + 5000].tolist(),
                           list(vectors[a:a + 5000])])
    client.flush(name)
    insert_s = time.perf_counter() - started
    client.load_collection(name)
    took = []
    for _ in range(reads):
        wanted = sorted(rng.choice(passages, 100, replace=False).tolist())
        condition = (f"id in {[p * STRIDE + k for p in wanted for k in range(PER_PASSAGE)]}"
                     if layout == "pk" else f"passage in {wanted}")
        t = time.perf_counter()
        rows = client.query(name, filter=condition, output_fields=["id", "passage", "vector"],
                            limit=16_384)
        took.append((time.perf_counter() - t) * 1000)
        if len(rows) != 100 * PER_PASSAGE:
            raise RuntimeError(f"{layout}: {len(rows)} rows read")
    client.drop_collection(name)
    return {"layout": layout, "sentence_rows": len(owners), "insert_s": round(insert_s, 1),
            "read_ms_p50": round(float(np.percentile(took, 50)), 1),
            "read_ms_p99": round(float(np.percentile(took, 99)), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--layouts", nargs="+", choices=LAYOUTS, default=list(LAYOUTS))
    parser.add_argument("--db", type=Path, default=Path("/tmp/askrel-milvus-lookup.db"))
    args = parser.parse_args()
    from pymilvus import MilvusClient

    args.db.unlink(missing_ok=True)
    client = MilvusClient(str(args.db))
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.passages * PER_PASSAGE, DIM)).astype(np.float16)
    owners = np.repeat(np.arange(args.passages), PER_PASSAGE)
    for layout in args.layouts:
        print(json.dumps(measure(client, layout, vectors, owners, args.passages, rng)),
              flush=True)
    client.close()


if __name__ == "__main__":
    main()
