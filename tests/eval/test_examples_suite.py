"""examples/evals end to end against the local Messages API, through both real SDKs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from tests.eval.local_api import LocalAPI
from tests.eval.support_model import support_model
from toollint.eval import EvalSettings, evaluate


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_the_example_suite_runs_end_to_end(local_api: LocalAPI, tmp_path: Path, provider: str) -> None:
    local_api.responder = support_model()
    outcome = evaluate(
        EvalSettings(
            paths=(REPO / "examples" / "evals",),
            provider=provider,
            base_url=local_api.url + ("/v1" if provider == "openai" else ""),
            strict_responses=True,
            max_retries=0,
            concurrency=1,
            baseline=tmp_path / "baseline.json",
            quiet=True,
            root=tmp_path,
        )
    )
    assert outcome.exit_code == 0, outcome.error
    assert {r.case.id: (r.passes, len(r.runs)) for r in outcome.results} == {
        "order-status": (3, 3),
        "split-shipment-follow-up": (2, 3),
        "two-orders-parallel": (3, 3),
        "thanks-no-tools": (3, 3),
        "status-without-order-id": (3, 3),
        "lookup-error-no-retry": (3, 3),
        "refund-needs-confirmation": (5, 5),
    }
    assert outcome.requests == 43 and not local_api.errors
