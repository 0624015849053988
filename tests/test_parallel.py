"""`--jobs`: forked workers give exactly the serial result, and a worker that dies loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import settings
from toollint.engine import run as engine
from toollint.engine.run import PARALLEL_MIN_TOOLS, check_paths


def _toolset(folder: Path, count: int) -> list[Path]:
    """Enough tools for the engine to fork, in several files, with findings of many rules in each."""
    files = []
    for part in range(4):
        tools = []
        for i in range(count // 4):
            tools.append(
                {
                    "name": f"send_invoice_{part}_{i}" if i % 3 else f"tools.get-{i}",
                    "description": "Sends it." if i % 2 else "Look up one invoice by its id and return its status.",
                    "input_schema": {
                        "type": "object",
                        "properties": {
                            "amount": {"type": "integer"},
                            "status": {"type": "string", "description": "one of: open, paid or void"},
                            "query": {"type": "dict"},
                        },
                        "required": ["amount", "missing"],
                    },
                }
            )
        path = folder / f"tools_{part}.json"
        path.write_text(json.dumps(tools, indent=1), encoding="utf-8")
        files.append(path)
    return files


def _rows(result: engine.Result) -> list[tuple[object, ...]]:
    return [(d.code, d.severity, d.message, d.path, tuple(d.span), d.pointer) for d in result.diagnostics]


@pytest.fixture
def toolset(tmp_path: Path) -> list[Path]:
    return _toolset(tmp_path, PARALLEL_MIN_TOOLS + 200)


def test_workers_give_the_serial_result(toolset: list[Path]) -> None:
    serial = check_paths(toolset, settings())
    parallel = check_paths(toolset, settings(), jobs=3)
    assert serial.tools == parallel.tools >= PARALLEL_MIN_TOOLS
    assert len(serial.diagnostics) > 5000
    assert _rows(parallel) == _rows(serial)


def test_chunks_cover_every_tool_once() -> None:
    for count in (0, 1, 199, 200, 1000, 3699, 100_000):
        for jobs in (1, 2, 8):
            bounds = engine._chunks(count, jobs)
            covered = [i for low, high in bounds for i in range(low, high)]
            assert covered == list(range(count)), (count, jobs)
            assert len(bounds) <= 255
            sizes = [high - low for low, high in bounds]
            assert sizes == sorted(sizes, reverse=True), "largest pieces first, so the last ones balance the load"


def test_a_worker_that_dies_has_its_chunks_redone(toolset: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    serial = check_paths(toolset, settings())

    def broken(part: object) -> object:  # only workers serialise their results
        raise MemoryError("worker died")

    monkeypatch.setattr(engine, "_flatten", broken)
    parallel = check_paths(toolset, settings(), jobs=2)
    assert _rows(parallel) == _rows(serial)
    assert not parallel.internal_error


def test_a_rule_that_raises_in_a_worker_is_tl005(toolset: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from toollint.checks import constraints

    def boom(parameter: object, ctx: object) -> object:
        raise ValueError("broken rule")

    monkeypatch.setattr(constraints, "unbounded_number", boom)
    result = check_paths(toolset, settings(), jobs=2)
    failures = [d for d in result.diagnostics if d.code == "TL005"]
    assert result.internal_error
    # one per parameter the rule saw; the other parameters of the same tool were still checked
    assert len(failures) == result.tools * 3
    assert any(d.code == "TS009" for d in result.diagnostics)
