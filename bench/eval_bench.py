"""Benchmark `toollint eval` against the local Messages API: throughput at a concurrency, and what prompt caching saves.

    PYTHONPATH=. python bench/eval_bench.py [--cases 100] [--repeats 3] [--concurrency 16] [--latency 0.2]

Issue 13, acceptance 4. A suite of single-turn cases over the tools and system prompt of
examples/support-agent is generated into a temporary folder and run through toollint's real eval runner
(`toollint.eval.evaluate`, the real `anthropic` SDK over HTTP) against tests/eval/local_api.py, which answers
every request after `--latency` seconds. The server runs in its own process, as a remote API would, so it does
not compete with the runner for the interpreter lock.

Three runs of the same suite, one server: without prompt caching (the reference), then with it (toollint's
default: `cache_control` on the last tool and on the system block) twice, the first run writing the cache and
the second reading it. Each run is timed around `evaluate()` (suite loading, 16 worker threads, every request,
scoring); the SDK import, once per process, is measured separately.

Ideal wall time = cases x repeats x latency / concurrency (100 x 3 x 0.2 s / 16 = 3.75 s); the budget is 1.3x.
Billed input tokens = input + 1.25 x cache writes + 0.1 x cache reads (Anthropic's 5-minute cache prices,
relative to an uncached input token); the second cached run must bill at least 60 % less than the uncached one.

Token counts are the local server's deterministic stand-in (a quarter of each block's compact JSON, plus the
API's 346-token tool-use system prompt), and the cache needs a 1 024-token prefix as on Claude Sonnet; the
ratios, not the absolute counts, are the point.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE = REPO / "examples" / "support-agent"
MODEL = "claude-sonnet-4-6"
BUDGET_RATIO = 1.3
REQUIRED_FALL = 0.60

# The kinds of single-turn case in the generated suite: (tool or None for a text answer, user text, arguments).
ARTICLE_QUESTIONS = (
    "How do I change my delivery address",
    "Can I pay with a gift card",
    "How long do returns take",
    "Do you ship to Canada",
    "How do I reset my password",
)


def case_plan(count: int) -> list[dict[str, Any]]:
    """`count` single-turn cases: order look-ups, article searches, article reads and questions needing no tool."""
    plan: list[dict[str, Any]] = []
    for i in range(count):
        marker = f"[bench-{i:03d}]"
        kind = i % 5
        if kind in (0, 1):
            order_id = f"ORD-2024{i:04d}"
            plan.append(
                {
                    "id": f"order-{i:03d}",
                    "marker": marker,
                    "tool": "get_order",
                    "user": f"{marker} Where is my order {order_id}?",
                    "args": {"order_id": order_id},
                }
            )
        elif kind == 2:
            question = ARTICLE_QUESTIONS[i % len(ARTICLE_QUESTIONS)]
            plan.append(
                {
                    "id": f"search-{i:03d}",
                    "marker": marker,
                    "tool": "search_articles",
                    "user": f"{marker} {question}?",
                    "args": {"query": question.lower()},
                }
            )
        elif kind == 3:
            plan.append(
                {
                    "id": f"article-{i:03d}",
                    "marker": marker,
                    "tool": "kb_get_article",
                    "user": f"{marker} Please show me help article {i + 1}.",
                    "args": {"article_id": i + 1},
                }
            )
        else:
            plan.append(
                {
                    "id": f"chat-{i:03d}",
                    "marker": marker,
                    "tool": None,
                    "user": f"{marker} Thanks, that is all for today.",
                    "answer": "You're welcome!",
                }
            )
    return plan


def write_suite(folder: Path, plan: list[dict[str, Any]]) -> Path:
    """The suite file, and beside it the example's tools and system prompt."""
    shutil.copy(EXAMPLE / "prompts" / "system.md", folder / "system.md")
    shutil.copy(EXAMPLE / "tools" / "orders.json", folder / "orders.json")
    # The Messages API refuses a `.` in a tool name (^[a-zA-Z0-9_-]{1,64}$), so the MCP tool `kb.get_article` is
    # sent as a client would have to send it.
    kb = (EXAMPLE / "tools" / "knowledge_base.yaml").read_text(encoding="utf-8")
    (folder / "knowledge_base.yaml").write_text(kb.replace("kb.get_article", "kb_get_article"), encoding="utf-8")
    cases = []
    for case in plan:
        if case["tool"] is None:
            expect: dict[str, Any] = {"no_tool_calls": True, "final": {"contains": "welcome"}}
        else:
            # the model's turn ends in the call; the run stops there (single-turn) and is scored on it
            expect = {"calls": [{"name": case["tool"], "args": case["args"]}], "final": {"stop_reason": "tool_use"}}
        cases.append({"id": case["id"], "user": case["user"], "expect": expect})
    suite = {
        "suite": "bench",
        "target": {"model": MODEL},
        "defaults": {
            "system": "file://system.md",
            "tools": ["file://orders.json", "file://knowledge_base.yaml"],
            # single-turn: the run ends at the model's first turn, the call it made is what is scored
            "on_unscripted_tool": "stop",
        },
        "cases": cases,
    }
    path = folder / "bench.eval.yaml"
    path.write_text(json.dumps(suite, indent=1), encoding="utf-8")  # JSON is YAML
    return path


def serve(plan: list[dict[str, Any]], latency: float, pipe: Any) -> None:
    """The local API in a child process: scripted for every case, until the parent says stop."""
    sys.path.insert(0, str(REPO))
    from tests.eval.local_api import LocalAPI, text, tool_use

    with LocalAPI(latency=latency) as api:
        for case in plan:
            turn = [text(case["answer"])] if case["tool"] is None else [tool_use(case["tool"], case["args"])]
            api.script(case["marker"], [turn])
        pipe.send(api.url)
        pipe.recv()
        pipe.send({"requests": len(api.model_requests()), "errors": api.errors[:5]})


def run(suite: Path, folder: Path, url: str, args: argparse.Namespace, caching: bool) -> dict[str, Any]:
    from toollint.eval import EvalSettings, evaluate

    settings = EvalSettings(
        paths=(suite,),
        provider="anthropic",
        model=MODEL,
        base_url=url,
        repeats=args.repeats,
        concurrency=args.concurrency,
        max_retries=2,
        timeout=30.0,
        prompt_caching=caching,
        strict_responses=True,
        baseline=folder / "baseline.json",
        quiet=True,
        progress=False,
        root=folder,
    )
    load = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    outcome = evaluate(settings)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    if outcome.error:
        sys.exit(f"the eval run failed: {outcome.error}")
    usage = outcome.usage
    verdicts = [r.verdict for r in outcome.results]
    return {
        "wall": wall,
        "cpu": cpu,
        "load": load,
        "requests": outcome.requests,
        "passed": verdicts.count("pass"),
        "cases": len(verdicts),
        "exit": outcome.exit_code,
        "input": usage.input_tokens,
        "write": usage.cache_write_tokens,
        "read": usage.cache_read_tokens,
        "output": usage.output_tokens,
        "billed": usage.input_tokens + 1.25 * usage.cache_write_tokens + 0.1 * usage.cache_read_tokens,
    }


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads: what the runner and the SDK cost the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON after the table")
    args = parser.parse_args()
    for name in [n for n in os.environ if n.startswith(("ANTHROPIC_", "OPENAI_"))]:
        del os.environ[name]  # a developer's real key or base URL must not reach the benchmark
    os.environ["ANTHROPIC_API_KEY"] = "test"

    plan = case_plan(args.cases)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=serve, args=(plan, args.latency, child), daemon=True)
    server.start()
    url = parent.recv()

    started = time.perf_counter()
    import anthropic  # noqa: F401  (the one-off import cost, kept out of the timed runs)

    import toollint.eval.providers  # noqa: F401

    imported = time.perf_counter() - started
    rows: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="toollint-eval-bench-") as tmp:
        folder = Path(tmp)
        suite = write_suite(folder, plan)
        rows.append(("no prompt caching", run(suite, folder, url, args, caching=False)))
        rows.append(("caching, first run", run(suite, folder, url, args, caching=True)))
        rows.append(("caching, second run", run(suite, folder, url, args, caching=True)))
    parent.send("stop")
    served = parent.recv()
    server.join(timeout=10)
    report(rows, args, imported, served)


def report(rows: list[tuple[str, dict[str, Any]]], args: argparse.Namespace, imported: float, served: Any) -> None:
    ideal = args.cases * args.repeats * args.latency / args.concurrency
    reference = rows[0][1]["billed"]
    print(
        f"toollint eval: {args.cases} single-turn cases x {args.repeats} repeats, concurrency {args.concurrency}, "
        f"{args.latency * 1000:.0f} ms per request; ideal {ideal:.2f} s, budget {BUDGET_RATIO}x = "
        f"{ideal * BUDGET_RATIO:.2f} s; model {MODEL}"
    )
    header = (
        "run",
        "wall s",
        "x ideal",
        "CPU s",
        "load",
        "requests",
        "passed",
        "input",
        "cache write",
        "cache read",
        "output",
        "billed input",
        "vs uncached",
    )
    lines: list[tuple[str, ...]] = [header]
    for name, row in rows:
        lines.append(
            (
                name,
                f"{row['wall']:.2f}",
                f"{row['wall'] / ideal:.2f}",
                f"{row['cpu']:.2f}",
                f"{row['load']:.1f}",
                str(row["requests"]),
                f"{row['passed']}/{row['cases']}",
                str(row["input"]),
                str(row["write"]),
                str(row["read"]),
                str(row["output"]),
                f"{row['billed']:.0f}",
                f"{row['billed'] / reference - 1:+.0%}",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    second = rows[-1][1]
    requests = max(second["requests"], 1)
    print(
        f"second cached run: {second['read'] / requests:.0f} cache-read input tokens per request (tools + system), "
        f"{second['input'] / requests:.0f} uncached; billed input = input + 1.25 x cache write + 0.1 x cache read"
    )
    print(f"anthropic SDK + toollint.eval import, once per process (not in the timings): {imported:.2f} s")
    print(
        f"CPU s: the runner process (all threads) during the run; load: 1-minute load average at its start, "
        f"on {os.cpu_count()} cores"
    )
    print(f"server: {served['requests']} model requests answered, errors: {served['errors'] or 'none'}")
    slowest = max(row["wall"] for _, row in rows)
    fall = 1 - second["billed"] / reference
    print(
        f"verdict: slowest run {slowest:.2f} s = {slowest / ideal:.2f}x ideal "
        f"({'within' if slowest <= ideal * BUDGET_RATIO else 'OVER'} {BUDGET_RATIO}x); "
        f"billed input falls {fall:.0%} ({'meets' if fall >= REQUIRED_FALL else 'MISSES'} the {REQUIRED_FALL:.0%})"
    )
    if "--json" in sys.argv:
        print(json.dumps({"ideal": ideal, "import_seconds": imported, "runs": dict(rows)}, indent=1))


if __name__ == "__main__":
    main()
