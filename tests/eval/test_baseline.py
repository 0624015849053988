"""The regression policy's arithmetic and the baseline file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toollint.eval.baseline import BaselineError, fisher_one_sided, read_baseline


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "p"),
    [(3, 3, 0, 3, 0.05), (3, 3, 1, 3, 0.20), (5, 5, 2, 5, 0.083), (10, 10, 6, 10, 0.043), (3, 3, 3, 3, 1.0)],
)
def test_fisher_one_sided_matches_the_table_in_the_design(k1: int, n1: int, k2: int, n2: int, p: float) -> None:
    assert fisher_one_sided(k1, n1, k2, n2) == pytest.approx(p, abs=0.001)


def test_a_broken_baseline_is_a_usage_error_that_says_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    assert read_baseline(path) is None
    path.write_text("{not json")
    with pytest.raises(BaselineError, match="--update-baseline"):
        read_baseline(path)
    path.write_text(json.dumps({"version": 9, "cases": {}}))
    with pytest.raises(BaselineError, match="not a version 1 eval baseline"):
        read_baseline(path)
