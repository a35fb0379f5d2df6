"""Shared helpers of the Python tests: where the repository's test data live."""
import json
import os

SOURCE_DIR = os.environ["REIN_SOURCE_DIR"]  # set by CTest
DATA_DIR = os.path.join(SOURCE_DIR, "tests", "envs", "data")


def read_jsonl(name):
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def flat(value):
    """Nested lists/tuples/scalars of a reference record as one flat list of floats."""
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in flat(v)]
    return [float(value)]
