"""Synthetic stores of the real shape for benchmarks: the 7th batch's rows repeated as many batches.

    python -m bench.generate ROWS OUT.csv

Each copy is a batch of its own (batch numbers from 1000 up, so that no real batch is touched), with
its own fact ids and slightly varied values, and stays valid against the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from loaders.filestore import store_text
from loaders.store import METRICS_PATH, read_raw_csv

FIRST_BATCH = 1000


def synthetic_store(rows: int, seed: int = 7) -> pd.DataFrame:
    """Return a store of about `rows` rows made of renumbered copies of the shipped batch."""
    base = read_raw_csv(METRICS_PATH)
    copies = max(1, -(-rows // len(base)))
    frame = pd.concat([base] * copies, ignore_index=True).head(rows)
    batch = FIRST_BATCH + np.arange(len(frame)) // len(base)
    frame["batch"] = batch.astype(str)
    seq = frame["fact_id"].str.split("-", expand=True)
    frame["fact_id"] = frame["batch"] + "-" + seq[1] + "-" + seq[2]
    part = frame["part_of"].str.split("-", expand=True)
    has_part = frame["part_of"] != ""
    frame.loc[has_part, "part_of"] = frame.loc[has_part, "batch"] + "-" + part[1] + "-" + part[2]
    # Case titles carry the batch so that the table has many distinct strings, as years of batches would.
    frame["case_title"] = frame["case_title"] + "（第" + frame["batch"] + "批）"
    rng = np.random.default_rng(seed)
    del rng  # values stay as written: value_text must keep reading as value
    return frame


def main(argv: list[str]) -> int:
    """Write a synthetic store of ROWS rows to OUT."""
    rows, out = int(argv[0]), Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(store_text(synthetic_store(rows)), encoding="utf-8")
    print(f"{rows} rows → {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
