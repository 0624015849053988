"""Running cases: the tool loop of one run, repeats on a thread pool, confirmation runs, budgets and verdicts.

Errors (the infrastructure failed: connection, timeouts, exhausted retries) are kept apart from failures (the
model did the wrong thing): an errored run is retried, never scored, and a case it leaves undecided is an error.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from toollint.eval.format import Case, ResultRule
from toollint.eval.matching import Call, Check, Step, Transcript, match, scaled_min_passes, score
from toollint.eval.providers import Provider, ProviderError, Turn, Usage

RETRIES_PER_RUN = 2  # an errored run is tried again this many times before it counts as an error
# this many runs in a row ending in errors, with no run succeeding in between, means the API is down: the other
# runs are reported as errors at once instead of each waiting through its retries
DOWN_AFTER_RUNS = 5

# USD per million tokens (input, output); cache writes cost 1.25x input, reads 0.1x; batches half.
PRICES = (
    ("claude-opus-4-5", 5.0, 25.0),
    ("claude-opus", 15.0, 75.0),
    ("claude-sonnet", 3.0, 15.0),
    ("claude-haiku-4", 1.0, 5.0),
    ("claude-3-5-haiku", 0.8, 4.0),
    ("claude-haiku", 0.8, 4.0),
    ("gpt-4o-mini", 0.15, 0.6),
    ("gpt-4o", 2.5, 10.0),
    ("gpt-4.1-mini", 0.4, 1.6),
    ("gpt-4.1", 2.0, 8.0),
)


def price_of(model: str) -> tuple[float, float] | None:
    return next(((i, o) for prefix, i, o in PRICES if model.startswith(prefix)), None)


def cost(usage: Usage, model: str, batch: bool = False) -> float | None:
    price = price_of(model)
    if price is None:
        return None
    per_in, per_out = price
    total = (
        usage.input_tokens * per_in
        + usage.cache_write_tokens * per_in * 1.25
        + usage.cache_read_tokens * per_in * 0.1
        + usage.output_tokens * per_out
    ) / 1_000_000
    return total / 2 if batch else total


@dataclass
class RunResult:
    index: int
    transcript: Transcript | None = None
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    requests: int = 0
    turns: list[dict[str, Any]] = field(default_factory=list)  # for --record

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.passed), None)


@dataclass
class CaseResult:
    case: Case
    runs: list[RunResult] = field(default_factory=list)
    confirmed: bool = False  # confirmation runs were added
    skipped: str | None = None  # why the case did not run (unchanged since REV, a budget, a fatal error)
    planned: int = 0  # runs asked for (repeats, or the recorded runs when replaying, plus confirmation runs)

    @property
    def passes(self) -> int:
        return sum(1 for r in self.runs if r.passed)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.runs if r.error is not None)

    @property
    def valid(self) -> int:
        return len(self.runs) - self.errors

    @property
    def threshold(self) -> int:
        """Passes needed: `min_passes` of `repeats`, scaled to the planned runs (never to the runs that happened,
        so a run cut short by a budget cannot lower the bar)."""
        runs = max(self.planned or self.case.repeats, 1)
        if runs == self.case.repeats:
            return self.case.min_passes
        return scaled_min_passes(self.case.min_passes, self.case.repeats, runs)

    @property
    def missing(self) -> int:
        return max((self.planned or self.case.repeats) - len(self.runs), 0)

    @property
    def verdict(self) -> str:
        """pass | fail | error | skipped — from the same numbers the report prints."""
        if self.skipped is not None:
            return "skipped"
        if not self.runs:
            return "error"
        if self.passes >= self.threshold:
            return "pass"
        return "error" if self.passes + self.errors + self.missing >= self.threshold else "fail"

    @property
    def usage(self) -> Usage:
        total = Usage()
        for run in self.runs:
            total.add(run.usage)
        return total

    @property
    def first_failure(self) -> tuple[RunResult, Check] | None:
        for run in self.runs:
            check = run.first_failure
            if check is not None:
                return run, check
        return None

    @property
    def first_error(self) -> str | None:
        return next((r.error for r in self.runs if r.error), None)


class Budget:
    """`--max-requests` and `--max-cost`: a request is only sent when it cannot take the run over either.

    Requests in flight count at the average cost of the finished ones, so concurrent runs cannot overshoot
    together; until one has finished, only one request is in flight when a cost budget is set."""

    def __init__(self, max_requests: int | None, max_cost: float | None, model: str) -> None:
        self.max_requests = max_requests
        self.max_cost = max_cost
        self.model = model
        self.requests = 0
        self.spent = 0.0
        self.exhausted: str | None = None
        self._finished = 0
        self._in_flight = 0
        self._changed = threading.Condition()

    def take(self) -> None:
        with self._changed:
            if self.max_cost is not None:
                while self._finished == 0 and self._in_flight > 0 and not self.exhausted:
                    self._changed.wait()  # the first price is not known yet
            if not self.exhausted and self.max_requests is not None and self.requests >= self.max_requests:
                self.exhausted = f"stopped at the request budget (--max-requests {self.max_requests})"
            elif not self.exhausted and self.max_cost is not None and self._finished:
                average = self.spent / self._finished
                if self.spent + (self._in_flight + 1) * average > self.max_cost:
                    self.exhausted = f"stopped before the cost budget (--max-cost {self.max_cost:g} USD)"
            if self.exhausted:
                raise ProviderError(self.exhausted, False)
            self.requests += 1
            self._in_flight += 1

    def settle(self, usage: Usage | None) -> None:
        """A request taken with `take` has ended: with its usage, or without (it failed)."""
        with self._changed:
            self._in_flight -= 1
            if usage is not None:
                self.spent += cost(usage, self.model) or 0.0
                self._finished += 1
            self._changed.notify_all()


class Fatal(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _result_content(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


class Script:
    """The scripted tool results of one run: the first matching rule answers; sequences advance per match."""

    def __init__(self, rules: tuple[ResultRule, ...], used: list[int] | None = None) -> None:
        self.rules = rules
        self.used = used if used is not None else [0] * len(rules)

    def answer(self, call: Call) -> tuple[str, bool] | None:
        for index, rule in enumerate(self.rules):
            if match(rule.name, call.name) is not None:
                continue
            if rule.args is not None and (not isinstance(call.args, dict) or match(rule.args, call.args) is not None):
                continue
            result = rule.results[min(self.used[index], len(rule.results) - 1)]
            self.used[index] += 1
            return _result_content(result), rule.is_error
        return None


def respond(case: Case, script: Script, step: Step) -> tuple[list[tuple[Call, str, bool]], str | None, bool]:
    """The tool results for one assistant turn, why the run stops early (if it does), and whether it stops."""
    answers: list[tuple[Call, str, bool]] = []
    unscripted: str | None = None
    for call in step.calls:
        scripted = script.answer(call)
        if scripted is None:
            unscripted = unscripted or call.name
            scripted = (_result_content(case.unscripted_result), True)
        answers.append((call, *scripted))
    if unscripted and case.on_unscripted_tool == "fail_run":
        why = f"the model called `{unscripted}`, which has no scripted result (on_unscripted_tool: fail_run)"
        return answers, why, True
    return answers, None, bool(unscripted) and case.on_unscripted_tool == "stop"


def run_once(case: Case, provider: Provider, index: int, budget: Budget) -> RunResult:
    """One run of a case: the tool loop of evals.md §5.1, scored."""
    result = RunResult(index)
    started = time.monotonic()
    messages = provider.start(case)
    script = Script(case.tool_results)
    steps: list[Step] = []
    turn_cap = False
    stopped_on: str | None = None
    try:
        for turn_number in range(case.max_turns):
            budget.take()
            result.requests += 1
            answered: Usage | None = None
            try:
                turn: Turn = provider.send(case, messages, index)
                answered = turn.usage
            finally:
                budget.settle(answered)
            result.usage.add(turn.usage)
            step = Step(turn.step.text, tuple(_at_step(c, turn_number) for c in turn.step.calls), turn.step.stop_reason)
            steps.append(step)
            result.turns.append(turn.record())
            if step.stop_reason != "tool_use" or not step.calls:
                break
            if turn_number == case.max_turns - 1:
                turn_cap = True
                break
            answers, stopped_on, stop = respond(case, script, step)
            if stop:
                break
            provider.extend(messages, turn, answers)
    except ProviderError as exc:
        if exc.fatal:
            raise Fatal(exc.message) from None
        result.error = exc.message
    result.seconds = time.monotonic() - started
    if result.error is None:
        result.transcript = Transcript(tuple(steps), turn_cap, stopped_on)
        result.checks = score(case, result.transcript)
    return result


def _at_step(call: Call, step: int) -> Call:
    return Call(call.id, call.name, call.args, step)


@dataclass
class Runner:
    provider: Provider
    budget: Budget
    concurrency: int = 4
    on_run: Callable[[CaseResult, RunResult], None] | None = None
    fatal: str | None = None
    down: str | None = None
    _errors_in_row: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _job(self, result: CaseResult, index: int) -> None:
        if self._stop.is_set():
            return
        run = RunResult(index)
        sent = 0
        for _ in range(1 + RETRIES_PER_RUN):
            if self.down is not None:
                run = RunResult(index, error=self.down)
                break
            try:
                run = run_once(result.case, self.provider, index, self.budget)
            except Fatal as exc:
                with self._lock:
                    self.fatal = self.fatal or exc.message
                self._stop.set()
                return
            sent += run.requests
            if run.error is None or self.budget.exhausted or self._stop.is_set():
                break
        run.requests = sent  # every attempt counts against the budget and in the report
        with self._lock:
            self._errors_in_row = self._errors_in_row + 1 if run.error is not None else 0
            if self._errors_in_row >= DOWN_AFTER_RUNS and self.down is None and run.error is not None:
                self.down = f"not run: {DOWN_AFTER_RUNS} runs in a row failed ({run.error})"
            result.runs.append(run)
            result.runs.sort(key=lambda r: r.index)
        if self.on_run is not None:
            self.on_run(result, run)

    def run(self, work: Iterable[tuple[CaseResult, int]]) -> None:
        jobs = list(work)
        if self.concurrency <= 1 or len(jobs) <= 1:
            for result, index in jobs:
                self._job(result, index)
            return
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="toollint-eval") as pool:
            futures = [pool.submit(self._job, result, index) for result, index in jobs]
            try:
                for future in futures:
                    future.result()
            except KeyboardInterrupt:  # queued runs return at once; runs in flight finish their request
                self._stop.set()
                raise

    def repeats(self, results: list[CaseResult], runs_of: Callable[[Case], int]) -> None:
        for result in results:
            result.planned = runs_of(result.case)
        self.run((r, i) for r in results if r.skipped is None for i in range(r.planned))

    def confirm(self, results: list[CaseResult]) -> None:
        """Confirmation runs for failing cases: more runs of the same case, pooled with the first ones."""
        work: list[tuple[CaseResult, int]] = []
        for result in results:
            if result.case.confirm_repeats <= 0:
                continue
            result.confirmed = True
            start = result.planned
            result.planned += result.case.confirm_repeats
            work.extend((result, start + i) for i in range(result.case.confirm_repeats))
        self.run(work)
