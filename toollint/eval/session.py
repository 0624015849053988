"""One `toollint eval` invocation: settings in, an outcome (verdicts, statuses, usage, exit code) out."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from toollint.eval.baseline import (
    DEFAULT_BASELINE,
    Baseline,
    BaselineError,
    Status,
    drift,
    gating_candidates,
    read_baseline,
    status,
    write_baseline,
)
from toollint.eval.format import Case, EvalFormatError, Suite, discover_suites, load_suite
from toollint.eval.providers import Connection, Provider, ProviderError, Usage
from toollint.eval.runner import Budget, CaseResult, Runner, RunResult, cost

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INFRA = 0, 1, 2, 3


@dataclass(frozen=True)
class EvalSettings:
    paths: tuple[Path, ...] = ()
    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    repeats: int | None = None
    concurrency: int | None = None
    cases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    max_requests: int | None = None
    max_cost: float | None = None
    max_retries: int | None = None
    timeout: float | None = None
    prompt_caching: bool | None = None
    strict_responses: bool = False
    baseline: Path | None = None
    update_baseline: bool = False
    allow_new_failures: bool = False
    errors_as_failures: bool = False
    strict: bool = False  # a pass-rate drop with Fisher p < 0.10 fails the gate
    require_same_target: bool = False  # a baseline recorded with another model is an error, not a warning
    max_cost_drift: float = 0.5  # warn when a case's mean tool calls or tokens grow by more than this share
    changed_since: str | None = None
    batch: bool = False
    batch_state: Path | None = None
    batch_id: str | None = None  # resume this batch (its first round) when the state file is gone
    poll_interval: float = 10.0
    record: Path | None = None
    replay: Path | None = None
    output_format: str = "text"
    output_file: Path | None = None
    quiet: bool = False
    progress: bool | None = None  # None: a bar on a terminal, a line per case otherwise
    root: Path | None = None


@dataclass
class Outcome:
    exit_code: int
    results: list[CaseResult] = field(default_factory=list)
    statuses: dict[int, Status] = field(default_factory=dict)  # by id(CaseResult)
    usage: Usage = field(default_factory=Usage)
    requests: int = 0
    seconds: float = 0.0
    cost: float | None = None
    error: str | None = None  # a usage or fatal error, printed instead of a report
    warnings: list[str] = field(default_factory=list)
    model: str = ""
    provider: str = ""
    baseline_written: int | None = None

    def status_of(self, result: CaseResult) -> Status:
        return self.statuses[id(result)]


def project_root(start: Path) -> Path:
    from toollint.engine.config import find_config

    found = find_config(start.resolve())
    if found is not None:
        return found.parent
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd()


def _suites(settings: EvalSettings, root: Path) -> list[Suite]:
    paths = settings.paths or (root / "evals",)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise EvalFormatError(str(missing[0]), 1, 1, "no such file or folder; name eval files or folders")
    files = discover_suites(paths)
    if not files:
        where = ", ".join(f"`{p}`" for p in paths)
        raise EvalFormatError(where, 1, 1, "no eval files (`*.eval.yaml`) found; name eval files or folders")
    return [load_suite(f) for f in files]


def _selected(case: Case, settings: EvalSettings) -> bool:
    if settings.cases and case.id not in settings.cases:
        return False
    return not settings.tags or bool(set(case.tags) & set(settings.tags))


def _with_repeats(case: Case, repeats: int | None) -> Case:
    if repeats is None or repeats == case.repeats:
        return case
    # the same share of passes as the file asks for, at the new number of runs
    from toollint.eval.matching import scaled_min_passes

    return replace(
        case,
        repeats=repeats,
        min_passes=max(1, scaled_min_passes(case.min_passes, case.repeats, repeats)),
        confirm_repeats=2 * repeats if case.confirm_repeats == 2 * case.repeats else case.confirm_repeats,
    )


class _Stopped(Exception):
    """An invocation that ends before a verdict (bad input, a fatal API error); carries what to report."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class _Plan:
    """What one invocation runs: the cases, where their baseline is, with which model and budget."""

    root: Path
    suites: list[Suite]
    results: list[CaseResult]
    baseline_path: Path
    baseline: Baseline | None
    provider: str
    model: str
    warnings: list[str] = field(default_factory=list)


def evaluate(settings: EvalSettings) -> Outcome:
    """Run the suites and decide. Never raises for bad input or a failing API: the outcome says what happened."""
    started = time.monotonic()
    try:
        plan = _plan(settings, settings.root or project_root(Path.cwd()))
        budget = _budget(settings, plan)
        _execute(settings, plan, budget)
    except _Stopped as stop:
        return Outcome(stop.code, error=stop.message)
    return _decide(settings, plan, budget, started)


def _plan(settings: EvalSettings, root: Path) -> _Plan:
    try:
        suites = _suites(settings, root)
        baseline_path = settings.baseline or root / DEFAULT_BASELINE
        baseline = read_baseline(baseline_path)
    except (EvalFormatError, BaselineError) as exc:
        raise _Stopped(EXIT_USAGE, str(exc)) from None
    results = [
        CaseResult(_with_repeats(case, settings.repeats))
        for suite in suites
        for case in suite.cases
        if _selected(case, settings)
    ]
    if not results:
        raise _Stopped(EXIT_USAGE, "no case matches `--case` / `--tag`")
    if settings.changed_since:
        _skip_unchanged(results, settings.changed_since, root)
    target = suites[0].target
    plan = _Plan(
        root,
        suites,
        results,
        baseline_path,
        baseline,
        "replay" if settings.replay else settings.provider or target.provider,
        settings.model or target.model or "",
    )
    others = {(s.target.provider, s.target.model) for s in suites[1:]} - {(target.provider, target.model)}
    if others and not (settings.provider and settings.model):
        plan.warnings.append(
            f"suites name different targets; every case runs with `{suites[0].path}`'s "
            f"({target.provider} {target.model}) unless `--provider` and `--model` are given"
        )
    if not settings.replay and not plan.model:
        raise _Stopped(EXIT_USAGE, "no model named; set `target.model` in the eval file or pass `--model`")
    recorded = baseline.target.get("model") if baseline is not None else None
    if recorded and plan.model and recorded != plan.model:
        if settings.require_same_target:
            raise _Stopped(
                EXIT_USAGE,
                f"the baseline was recorded with model `{recorded}`, this run uses `{plan.model}` "
                "(--require-same-target); run with that model or re-bless with --update-baseline",
            )
        if not settings.update_baseline:
            plan.warnings.append(f"the baseline was recorded with model `{recorded}`, this run uses `{plan.model}`")
    return plan


def _skip_unchanged(results: list[CaseResult], revision: str, root: Path) -> None:
    from toollint.eval.changed import ChangeError, unchanged_cases

    try:
        unchanged = unchanged_cases([r.case for r in results], revision, root)
    except ChangeError as exc:
        raise _Stopped(EXIT_USAGE, str(exc)) from None
    for result in results:
        if result.case.id in unchanged.get(result.case.file, set()):
            result.skipped = "unchanged"


def _budget(settings: EvalSettings, plan: _Plan) -> Budget:
    if settings.max_cost is not None and not settings.replay and cost(Usage(1, 0, 0, 1), plan.model) is None:
        raise _Stopped(
            EXIT_USAGE, f"no price known for model `{plan.model}`, so `--max-cost` cannot be kept; use `--max-requests`"
        )
    return Budget(settings.max_requests, settings.max_cost, plan.model)


def _execute(settings: EvalSettings, plan: _Plan, budget: Budget) -> None:
    """The runs: repeats (or batch rounds), then confirmation runs for failures that would fail the gate."""
    progress = Progress(settings, plan.results)
    try:
        provider, runs_of = _provider(settings, plan.suites, plan.provider, plan.model)
    except ProviderError as exc:
        raise _Stopped(EXIT_USAGE, exc.message) from None
    runner = Runner(provider, budget, settings.concurrency or plan.suites[0].target.concurrency, progress.update)
    if settings.batch:
        from toollint.eval.batch import BatchError, run_batch

        try:
            run_batch(provider, plan.results, settings, plan.root, progress)
        except BatchError as exc:
            raise _Stopped(EXIT_USAGE if exc.fatal else EXIT_INFRA, exc.message) from None
    else:
        runner.repeats(plan.results, runs_of)
        candidates = gating_candidates(plan.results, plan.baseline, settings.allow_new_failures)
        if runner.fatal is None and not settings.replay and candidates:
            progress.note(f"confirming {len(candidates)} failing case(s) with more runs")
            runner.confirm(candidates)
    progress.done()
    if runner.fatal is not None:
        raise _Stopped(EXIT_USAGE, f"stopped: {runner.fatal}")
    for result in plan.results:
        if result.skipped is None and not result.runs:
            no_recording = settings.replay is not None and result.planned == 0
            result.skipped = f"no recorded transcript in `{settings.replay}`" if no_recording else None
            result.skipped = result.skipped or budget.exhausted or "did not run"
    if settings.record is not None:
        from toollint.eval.record import write_recordings

        write_recordings(settings.record, plan.results, plan.provider, plan.model)


def _decide(settings: EvalSettings, plan: _Plan, budget: Budget, started: float) -> Outcome:
    """Statuses against the baseline (blessed first when asked), totals and the exit code, from one table."""
    baseline = plan.baseline
    outcome = Outcome(EXIT_OK, plan.results, warnings=plan.warnings, model=plan.model, provider=plan.provider)
    if settings.update_baseline:
        target = {"provider": plan.provider, "model": plan.model}
        outcome.baseline_written = write_baseline(plan.baseline_path, plan.results, target, baseline)
        baseline = read_baseline(plan.baseline_path)
    else:
        outcome.warnings.extend(w for r in plan.results for w in drift(r, baseline, settings.max_cost_drift))
    if budget.exhausted:
        outcome.warnings.append(budget.exhausted)
    outcome.statuses = {id(r): status(r, baseline, settings.allow_new_failures, settings.strict) for r in plan.results}
    for result in plan.results:
        outcome.usage.add(result.usage)
        outcome.requests += sum(run.requests for run in result.runs)
    outcome.cost = cost(outcome.usage, plan.model, settings.batch) if plan.model else None
    outcome.seconds = time.monotonic() - started
    outcome.exit_code = _exit_code(outcome, settings)
    return outcome


def _exit_code(outcome: Outcome, settings: EvalSettings) -> int:
    statuses = list(outcome.statuses.values())
    if any(s.gating for s in statuses):
        return EXIT_GATE
    has_errors = any(s.label in ("error", "skipped") for s in statuses)
    if has_errors:
        return EXIT_GATE if settings.errors_as_failures else EXIT_INFRA
    return EXIT_OK


def _provider(
    settings: EvalSettings, suites: list[Suite], name: str, model: str
) -> tuple[Provider, Callable[[Case], int]]:
    target = suites[0].target
    if settings.prompt_caching is not None:
        target = replace(target, prompt_caching=settings.prompt_caching)
    if settings.replay is not None:
        from toollint.eval.providers import ReplayProvider
        from toollint.eval.record import read_recordings

        replay = ReplayProvider(read_recordings(settings.replay))
        return replay, replay.runs
    connection = Connection(
        name,
        model,
        settings.base_url,
        settings.max_retries if settings.max_retries is not None else target.max_retries,
        settings.timeout or target.timeout_s,
        settings.strict_responses,
    )
    from toollint.eval.providers import build

    return build(connection, target), lambda case: case.repeats


class Progress:
    """A live bar on a terminal; on a pipe or in CI, one line per finished case (on stderr, beside the report)."""

    def __init__(self, settings: EvalSettings, results: list[CaseResult]) -> None:
        self.quiet = settings.quiet
        self.bar = settings.progress if settings.progress is not None else sys.stderr.isatty()
        self.total = sum(r.case.repeats for r in results if r.skipped is None)
        self.finished = 0
        self.errors = 0
        self.reported: set[int] = set()

    def update(self, result: CaseResult, run: RunResult) -> None:
        if self.quiet:
            return
        self.finished += 1
        self.errors += int(run.error is not None)
        if self.bar:
            width = 30
            filled = int(width * min(self.finished, self.total) / max(self.total, 1))
            errors = f", {self.errors} errors" if self.errors else ""
            sys.stderr.write(
                f"\r  eval [{'#' * filled}{'.' * (width - filled)}] {self.finished}/{self.total} runs{errors}"
            )
            sys.stderr.flush()
        elif len(result.runs) >= (result.planned or result.case.repeats) and id(result) not in self.reported:
            self.reported.add(id(result))
            sys.stderr.write(f"{result.case.id}: {result.verdict} {result.passes}/{len(result.runs)}\n")
            sys.stderr.flush()

    def note(self, text: str) -> None:
        if not self.quiet:
            sys.stderr.write(("\n" if self.bar else "") + text + "\n")

    def done(self) -> None:
        if self.bar and not self.quiet and self.finished:
            sys.stderr.write("\n")


def run_eval(settings: EvalSettings) -> int:
    """Run, print or write the report, return the exit code (0 pass, 1 gate failed, 2 usage, 3 infrastructure)."""
    from toollint.eval.report import render

    outcome = evaluate(settings)
    if outcome.error is not None:
        sys.stderr.write(f"toollint: error: {outcome.error}\n")
        return outcome.exit_code
    for warning in outcome.warnings:
        sys.stderr.write(f"toollint: warning: {warning}\n")
    report = render(outcome, settings.output_format)
    if settings.output_file is not None:
        try:
            settings.output_file.parent.mkdir(parents=True, exist_ok=True)
            settings.output_file.write_text(report, encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(f"toollint: error: cannot write `{settings.output_file}`: {exc.strerror or exc}\n")
            return EXIT_USAGE
        if not settings.quiet:
            from toollint.eval.report import summary_line

            sys.stdout.write(summary_line(outcome) + "\n")
    else:
        sys.stdout.write(report)
    if outcome.baseline_written is not None:
        sys.stderr.write(f"wrote the baseline: {outcome.baseline_written} case(s) blessed\n")
    return outcome.exit_code
