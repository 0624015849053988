"""The matcher language and call matching, table-driven, including the grader bugs peers shipped (evals.md §9 #12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.eval.conftest import write_suite
from toollint.eval.format import Case, load_suite
from toollint.eval.matching import ABSENT, Call, Step, Transcript, match, score


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (1, 1.0, True),
        (True, 1, False),  # a boolean is never a number
        (1, True, False),
        ("1", 1, False),
        ({"a": 1}, {"a": 1, "b": 2}, True),  # subset by default
        ([1, 2], [2, 1], False),  # lists are ordered
        ({"$unordered": [1, 2]}, [2, 1], True),
        ({"$regex": "^A?1234$"}, "1234", True),
        ({"$regex": "^A?1234$"}, "order 1234", False),
        ({"$in": [False, "$absent"]}, ABSENT, True),
        ({"$in": [False, "$absent"]}, True, False),
        ({"$icontains": "z9"}, "Order Z9 failed", True),
        ({"$gt": 3}, 4, True),
        ({"$gt": 3}, True, False),
        ({"$approx": {"value": 1.0, "tol": 0.1}}, 1.05, True),
        ({"$len": 2}, "ab", True),
        ({"$len": {"$gte": 3}}, [1], False),
        ({"$type": "integer"}, 2.0, True),
        ({"$type": "string"}, 2, False),
        ({"$schema": {"type": "string", "pattern": "^ORD-"}}, "ORD-1", True),
        ({"$each": {"$type": "string"}}, ["a", 1], False),
        ({"$not": {"$eq": "x"}}, "y", True),
        ({"$any": True}, ABSENT, False),
        ({"$absent": True}, ABSENT, True),
        ({"$norm": "New York"}, "new-york", True),
        ({"$any": [{"$eq": 1}, {"$eq": 2}]}, 2, True),
        ({"$all": [{"$gt": 1}, {"$lt": 3}]}, 3, False),
    ],
)
def test_value_matchers(expected: object, actual: object, ok: bool) -> None:
    assert (match(expected, actual) is None) is ok


def test_exact_mode_reports_extra_keys() -> None:
    assert match({"a": 1}, {"a": 1, "b": 2}, "exact") == "b: not expected, got 2"


def _case(tmp_path: Path, body: str) -> Case:
    return load_suite(write_suite(tmp_path, body)).cases[0]


def _run(*steps: list[tuple[str, object]], text: str = "done", stop: str = "end_turn") -> Transcript:
    built = [
        Step("", tuple(Call(f"c{i}{j}", name, args, i) for j, (name, args) in enumerate(calls)), "tool_use")
        for i, calls in enumerate(steps)
    ]
    return Transcript((*built, Step(text, (), stop)))


def _failed(case: Case, transcript: Transcript) -> dict[str, str]:
    return {c.id: c.reason for c in score(case, transcript) if not c.passed}


def test_bipartite_matching_finds_the_assignment_a_greedy_matcher_misses(tmp_path: Path) -> None:
    # entry 0 accepts both calls, entry 1 only the first: greedy first-fit gives call 0 to entry 0 and fails
    case = _case(
        tmp_path,
        """
        - id: two
          user: "x"
          expect:
            calls:
              - {name: lookup_order, args: {order_id: {$regex: "^A"}}}
              - {name: lookup_order, args: {order_id: A1}}
        """,
    )
    transcript = _run([("lookup_order", {"order_id": "A1"}), ("lookup_order", {"order_id": "A2"})])
    assert _failed(case, transcript) == {}


def test_unmatched_call_names_the_closest_call_with_a_per_key_diff(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        """
        - id: one
          user: "x"
          expect:
            calls: [{name: lookup_order, args: {order_id: {$regex: "^A?1234$"}}}]
        """,
    )
    checks = [c for c in score(case, _run([("lookup_order", {"order_id": "order 1234"})])) if not c.passed]
    assert checks[0].id == "calls[0]"
    assert 'closest call {"order_id": "order 1234"}' in checks[0].reason
    assert checks[0].diff == ('order_id: expected regex "^A?1234$", got "order 1234"',)


def test_order_times_not_called_and_caps(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        """
        - id: ordered
          user: "x"
          expect:
            order: in_order
            calls:
              - {name: lookup_order, times: {min: 1, max: 2}}
              - {name: escalate_to_human, args: {summary: {$icontains: z9}}}
            not_called: [{name: cancel_order, args: {order_id: Z9}}]
            max_tool_calls: 3
        """,
    )
    good = _run([("lookup_order", {"order_id": "Z9"})], [("escalate_to_human", {"summary": "Z9 lookup failed"})])
    assert _failed(case, good) == {}
    backwards = _run([("escalate_to_human", {"summary": "z9"})], [("lookup_order", {"order_id": "Z9"})])
    assert "order" in _failed(case, backwards)
    # calls in one assistant message are simultaneous: either order satisfies in_order
    parallel = _run([("escalate_to_human", {"summary": "z9"}), ("lookup_order", {"order_id": "Z9"})])
    assert _failed(case, parallel) == {}
    cancelled = _run(
        [("lookup_order", {"order_id": "Z9"})],
        [("cancel_order", {"order_id": "Z9"}), ("escalate_to_human", {"summary": "Z9"})],
    )
    assert set(_failed(case, cancelled)) == {"not_called[0]"}
    too_many = _run(*[[("lookup_order", {"order_id": "Z9"})]] * 3, [("escalate_to_human", {"summary": "Z9"})])
    assert set(_failed(case, too_many)) == {"max_tool_calls"}


def test_exact_order_forbids_extra_calls_and_exact_args_honour_ignore_and_defaults(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        """
        - id: exact
          user: "x"
          expect:
            order: exact
            calls:
              - name: lookup_order
                args_mode: exact
                args: {order_id: A1}
                defaults: {include_items: false}
        """,
    )
    assert _failed(case, _run([("lookup_order", {"order_id": "A1", "include_items": False})])) == {}
    assert "calls[0]" in _failed(case, _run([("lookup_order", {"order_id": "A1", "include_items": True})]))
    extra = _failed(case, _run([("lookup_order", {"order_id": "A1"}), ("lookup_order", {"order_id": "A2"})]))
    assert set(extra) == {"extra_calls"}


def test_every_call_is_validated_and_a_hallucinated_tool_fails(tmp_path: Path) -> None:
    case = _case(tmp_path, '- {id: v, user: "x"}\n')
    failed = _failed(case, _run([("lookup_order", {"order_id": 7}), ("delete_everything", {})]))
    assert "violates its input schema at order_id: 7 is not of type 'string'" in failed["valid_call[0]"]
    assert failed["valid_call[1]"].startswith("hallucinated tool: the model called `delete_everything`")
    # invalid JSON arguments are a failed call, never "no call" (gorilla#443)
    assert "not a JSON object" in _failed(case, _run([("lookup_order", "{order_id: A1")]))["valid_call[0]"]


def test_final_answer_checks_and_the_default_stop_reason(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        """
        - id: final
          user: "x"
          expect:
            no_tool_calls: true
            final: {contains_all: [UPS], regex: "1Z9", not_contains: ["I don't have access"], max_chars: 40}
        """,
    )
    assert _failed(case, Transcript((Step("Shipped via UPS, 1Z999.", (), "end_turn"),))) == {}
    failed = _failed(case, Transcript((Step("I don't have access to UPS 1Z9", (), "max_tokens"),)))
    assert set(failed) == {"final.stop_reason", "final.not_contains"}
    capped = Transcript((Step("", (Call("a", "lookup_order", {"order_id": "A"}, 0),), "tool_use"),), turn_cap=True)
    assert "max_turns" in _failed(case, capped)["final.stop_reason"]
