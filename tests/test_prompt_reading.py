"""Prompt reading for precision (issue 12, items 3–5): a name is a tool reference only where the words around it
say so; the recall forms; suggestions by words; stop conditions; categories named right there; bounded time."""

from __future__ import annotations

import time

from conftest import lint
from toollint.catalog.model import Prompt
from toollint.catalog.prompt_parts import PromptParts, neutralise
from toollint.checks.prompts import pattern_mismatch
from toollint.diagnostics import Severity


def tools_yaml(*names: str, parameters: str = "") -> str:
    return "".join(
        f"- name: {n}\n  description: Does the {n} step for the agent.\n"
        f"  input_schema: {{type: object, properties: {{{parameters}}}}}\n"
        for n in names
    )


def findings(prompt: str, *tools: str, code: str = "TP001", parameters: str = "") -> list[tuple[int, str, Severity]]:
    result = lint({"tools.yaml": tools_yaml(*tools, parameters=parameters), "prompt.md": prompt}, select=(code,))
    return [(d.span.column, d.message, d.severity) for d in result.diagnostics if d.path == "prompt.md"]


# ---- item 3: what is and is not a tool reference ----------------------------------------------------------


def test_backticked_words_outside_tool_context_are_not_judged() -> None:
    prompt = "Never use `require()`; errors return `notFound`; see `README.md` and `os.path.join()`.\n"
    assert findings(prompt, "get_order") == []


def test_a_parameter_of_a_referenced_tool_is_not_an_unknown_tool() -> None:
    prompt = "Call the `get_order` tool with `order_number` set to the number the customer gives.\n"
    assert findings(prompt, "get_order", parameters="order_number: {type: string}") == []


def test_you_have_access_to_the_x_tool_is_a_reference() -> None:
    ((column, message, severity),) = findings("You have access to the `AskUser` tool.\n", "ask_question")
    assert column == 25 and severity == Severity.ERROR
    assert message.startswith('`AskUser` is called like a tool here ("to the `AskUser` tool")')


def test_swapped_words_are_suggested() -> None:
    ((_, message, _),) = findings("Calls the `WebSearch` tool for fresh facts.\n", "SearchWeb", "ReadPage")
    assert message.endswith("did you mean `SearchWeb`?")


def test_tool_lists_and_the_second_name_of_a_call_are_references() -> None:
    listed = findings("Tools: `lookup_order`, `cancel_order`\n", "get_order")
    assert [c for c, _, _ in listed] == [9, 25]
    second = findings("First call `get_order` to find it and `refund_payment` to pay it back.\n", "get_order")
    assert [(c, s) for c, _, s in second] == [(40, Severity.ERROR)]
    bulleted = findings("You can use these tools:\n\n- `get_order`: one order\n- `void_order`: cancel\n", "get_order")
    assert [c for c, _, _ in bulleted] == [4]


def test_suggestions_respect_word_boundaries() -> None:
    ((_, message, _),) = findings("Call the `grep` tool to find files.\n", "reapply", "grep_search")
    assert message.endswith("did you mean `grep_search`?")
    ((_, unrelated, _),) = findings("Call the `grep` tool to find files.\n", "reapply")
    assert "did you mean" not in unrelated and "name one of its tools" in unrelated


def test_one_finding_per_name_and_line() -> None:
    prompt = "Call `fetch_price` first; if `fetch_price` fails, call the `fetch_price` tool again.\n"
    assert len(findings(prompt, "get_order")) == 1


def test_call_syntax_alone_is_weaker_evidence() -> None:
    ((_, message, severity),) = findings("Check prices with `fetch_price_v2(sku)` first.\n", "get_order")
    assert severity == Severity.WARNING and '("`fetch_price_v2(...)`")' in message


def test_template_placeholders_and_blocks_are_never_judged() -> None:
    prompt = "{% for t in tools %}Call the `{{ t.name }}` tool.{% endfor %}\n{{ to_snake_case(name) }}\n"
    assert findings(prompt, "get_order") == []


def test_names_defined_in_the_projects_code_are_not_judged() -> None:
    code = "async def finish_report(summary: str) -> str:\n    return summary\n"
    result = lint(
        {"tools.yaml": tools_yaml("get_order"), "prompt.md": "Call the `finish_report` tool.\n", "tools.py": code},
        select=("TP001",),
    )
    assert result.diagnostics == []


# ---- item 4: TP003 and stop conditions in the same sentence ------------------------------------------------


def test_loop_with_its_own_stop_condition_is_not_unbounded() -> None:
    assert findings("Keep going until the user's request is completely resolved.\n", code="TP003") == []
    assert findings("Don't stop to ask whether to search; just search.\n", code="TP003") == []
    ((_, _, severity),) = findings("Keep going and research the question fully.\n", code="TP003")
    assert severity == Severity.ERROR


# ---- item 5: TP002 when the tools are named right there or no tool is meant -------------------------------


def test_category_with_its_tools_named_right_there_is_not_vague() -> None:
    prompt = "Prefer the dedicated tools (`Edit`, `Write`) over `Bash` for files.\n"
    assert findings(prompt, "Edit", "Write", "Bash", code="TP002") == []


def test_praise_is_not_a_tool_reference() -> None:
    prompt = "Terminal commands are among the most powerful tools you have.\n"
    assert findings(prompt, "run_command", code="TP002") == []


def test_no_toolset_no_category_finding_and_never_an_empty_list() -> None:
    result = lint({"prompt.md": "Use the catalog tools to check prices.\n"}, select=("TP002",))
    assert result.diagnostics == []
    ((_, message, severity),) = findings("Use the catalog tools to check prices.\n", "lookup_product", code="TP002")
    assert "()" not in message and "`lookup_product`" in message and severity == Severity.ERROR
    named_elsewhere = findings(
        "Call `lookup_product` for facts.\n\nUse the pricing tools for prices.\n", "lookup_product", code="TP002"
    )
    assert [s for _, _, s in named_elsewhere] == [Severity.WARNING]


# ---- issue 15 H5: bounded time on hostile text and hostile schema patterns ---------------------------------


def test_long_runs_of_underscores_and_braces_are_read_in_linear_time() -> None:
    hostile = (
        "call a" + "_" * 50_000,
        "`" + "_" * 50_000,
        "{{" * 25_000,
        "{%" * 25_000 + "x",
        "${" * 25_000,
        "${\n" * 20_000 + "}",
        "Tools: " + "`a`  " * 3_000 + "x `b`",
        "- `a_b`\n" * 20_000,
    )
    for text in hostile:
        started = time.perf_counter()
        parts = PromptParts(Prompt("p.md", (), text))
        _ = parts.references, parts.sentences, neutralise(text)
        assert time.perf_counter() - started < 2, text[:10]


def test_schema_patterns_that_backtrack_badly_are_not_run() -> None:
    started = time.perf_counter()
    assert not pattern_mismatch(r"^(\w+\s?)*$", "a" * 28 + "!")
    assert not pattern_mismatch(r"(a+)+$", "a" * 40 + "!")
    assert not pattern_mismatch(r"\d*\d*\d*x", "1" * 5_000)
    assert time.perf_counter() - started < 1
    assert pattern_mismatch(r"^[A-Z0-9-]{4,20}$", "x") and not pattern_mismatch(r"^[A-Z0-9-]{4,20}$", "AB-12")


def test_a_name_the_prompt_forbids_calling_is_not_judged() -> None:
    assert findings("Don't call `createPaymentMethod` or `createToken` from the server.\n", "get_order") == []


def test_participles_and_tools_named_in_the_paragraph_are_not_vague() -> None:
    assert findings("Answer with the prefetched tools only.\n", "get_order", code="TP002") == []
    prompt = "You have two tools: `get_order`, `refund_order`.\nThe review tools must run first.\n"
    assert findings(prompt, "get_order", "refund_order", code="TP002") == []


def test_a_function_cited_with_empty_parentheses_is_not_a_call() -> None:
    assert findings("Models are set up with the `init_chat_model()` helper.\n", "get_order") == []
    assert [s for _, _, s in findings("Then run `make_report(q)` once.\n", "get_order")] == [Severity.WARNING]


def test_use_x_is_a_tool_reference_only_when_x_is_close_to_a_tool() -> None:
    assert findings("Use `snake_case` for every key you write.\n", "get_order") == []
    ((_, message, severity),) = findings("Use `get_ordr` for one order.\n", "get_order")
    assert severity == Severity.WARNING and message.endswith("did you mean `get_order`?")


def test_a_field_of_another_tools_output_is_not_a_missing_parameter() -> None:
    prompt = "Use the exact `requested_rate` field from `review_quote` when calling `get_order`.\n"
    assert findings(prompt, "get_order", code="TP007", parameters="order_id: {type: string}") == []
    prompt = "Call the `review_quote` tool, then pass its `rate` parameter to `get_order`.\n"
    assert findings(prompt, "get_order", code="TP007", parameters="order_id: {type: string}") == []
    named = findings("Pass the `rate` parameter to `get_order`.\n", "get_order", code="TP007", parameters="id: {}")
    assert [c for c, _, _ in named] == [11]
