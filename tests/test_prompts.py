"""Prompt rules on the shapes prompts really take: reordered keys, multi-line and YAML examples, OpenAI
string-encoded arguments, unknown tools, templates, negations — each finding at the right line and column."""

from __future__ import annotations

from conftest import lint

TOOLS = """\
- name: compute_inventory
  description: Case packs a promotion needs.
  input_schema:
    type: object
    properties:
      stores: {type: integer, minimum: 1}
      days: {type: integer}
      daily_units: {type: integer}
      mode: {type: string, enum: [fast, exact]}
    required: [stores, days, daily_units]
- name: place_order
  description: Place an order with the supplier.
  input_schema: {type: object, properties: {sku: {type: string}}}
- name: get_episode
  description: Return an episode's title and host.
  input_schema: {type: object}
  output_schema:
    type: object
    properties:
      title: {type: string}
      host: {type: string}
"""


def findings(prompt: str, code: str | None = None) -> list[tuple[int, int, str, str]]:
    result = lint({"tools.yaml": TOOLS, "prompt.md": prompt}, select=("TP",))
    return [
        (d.span.line, d.span.column, d.code, d.message)
        for d in result.diagnostics
        if d.path == "prompt.md" and (code is None or d.code == code)
    ]


def test_reordered_keys_and_the_offending_value_located() -> None:
    prompt = 'Call it like this:\n\n```json\n{"input": {"daily_units": "12", "days": 3, "stores": 2}, "name": "compute_inventory"}\n```\n'
    (found,) = findings(prompt)
    assert found[:3] == (4, 27, "TP005") and '`daily_units`: expected integer, got string "12"' in found[3]


def test_multi_line_example_points_at_the_line_of_the_value() -> None:
    prompt = 'Example:\n\n```json\n{\n  "name": "compute_inventory",\n  "input": {\n    "stores": 0,\n    "days": 3,\n    "daily_units": 4\n  }\n}\n```\n'
    (found,) = findings(prompt)
    assert found[:3] == (7, 15, "TP005") and "below the minimum 1" in found[3]


def test_openai_string_encoded_arguments() -> None:
    prompt = 'Example:\n\n```json\n{"name": "compute_inventory", "arguments": "{\\"stores\\": 2, \\"days\\": 3, \\"daily_units\\": \\"9\\", \\"extra\\": 1}"}\n```\n'
    messages = [f[3] for f in findings(prompt)]
    assert any("`daily_units`: expected integer" in m for m in messages)
    assert any("`extra` is not a parameter" in m for m in messages)


def test_example_of_an_unknown_tool() -> None:
    prompt = '```json\n{"name": "compute_inventroy", "input": {}}\n```\n'
    (found,) = findings(prompt)
    assert found[:3] == (2, 10, "TP005") and "did you mean `compute_inventory`?" in found[3]


def test_yaml_example_and_call_syntax() -> None:
    prompt = (
        "```yaml\nname: compute_inventory\ninput:\n  stores: 2\n  days: 3\n  daily_units: 4\n  mode: slow\n```\n\n"
        'Or in short: \n\n```\ncompute_inventory(stores=2, days="3", daily_units=4)\n```\n'
    )
    found = findings(prompt, "TP005")
    assert [(line, code) for line, _, code, _ in found] == [(7, "TP005"), (13, "TP005")]
    assert "`slow` is not one of `fast`, `exact`" in found[0][3] and 'expected integer, got string "3"' in found[1][3]


def test_templated_values_are_not_judged() -> None:
    prompt = '```json\n{"name": "compute_inventory", "input": {"stores": {{ stores }}, "days": "{{ days }}", "daily_units": ${units}}}\n```\n'
    assert findings(prompt) == []


def test_negated_retry_and_quoted_counter_example() -> None:
    assert findings("If `place_order` fails, do not retry it; ask the user.\n", "TP004") == []
    assert findings("Never call `place_order` again after an error.\n", "TP004") == []
    assert [f[:3] for f in findings("If `place_order` fails, try again.\n", "TP004")] == [(1, 25, "TP004")]


def test_stop_condition_anywhere_satisfies_the_loop_rule() -> None:
    assert findings("Research the topic thoroughly.\n\nStop as soon as you have three sources.\n", "TP003") == []
    assert findings("Research the topic thoroughly.\n\nUse at most 5 tool calls.\n", "TP003") == []
    assert [f[2] for f in findings("Research the topic thoroughly.\n", "TP003")] == ["TP003"]


def test_tool_and_parameter_references() -> None:
    found = findings("Use `compute_inventori` for plans. Pass the `day` parameter to `compute_inventory`.\n")
    assert [(f[2], f[1]) for f in found] == [("TP001", 6), ("TP007", 46)]
    assert "did you mean `compute_inventory`?" in found[0][3] and "did you mean `days`?" in found[1][3]
    # parameter names, enum values and output fields in backticks are not tool references
    assert findings("Set `daily_units` and `mode` to `fast`; read `host` from the response.\n", "TP001") == []


def test_stale_response_example() -> None:
    prompt = 'Call `get_episode`; it returns:\n\n```json\n{"title": "Q3", "primary": "Dana"}\n```\n'
    (found,) = findings(prompt)
    assert found[:3] == (4, 17, "TP006") and "`primary`: not in the current output schema of `get_episode`" in found[3]


def test_prompts_inside_yaml_files_are_checked_too() -> None:
    result = lint(
        {"tools.yaml": TOOLS, "agent.yaml": "system: Use the billing tools for refunds.\n"}, select=("TP002",)
    )
    assert [(d.path, d.span.line, d.span.column) for d in result.diagnostics] == [("agent.yaml", 1, 13)]


def test_phrasings_found_in_real_prompts() -> None:
    found = findings(
        "When ready, call the function `search_flights` to search.\n"
        "Use the function `text_to_speech` to read it aloud.\n"
        "Hand over the call to a human using HANDOVER function.\n",
        "TP001",
    )
    assert [(line, column) for line, column, _, _ in found] == [(1, 32), (2, 19), (3, 37)]


def test_counter_examples_are_understood() -> None:
    prompt = (
        "Wrong — never pass numbers as text:\n\n"
        '```json\n{"name": "compute_inventory", "input": {"stores": "2", "days": 3, "daily_units": 4}}\n```\n\n'
        "Avoid telling the model to research fully; stop at the first good source.\n"
    )
    assert findings(prompt) == []
    assert findings("Do not keep going until every source is exhausted.\n", "TP003") == []


def test_findings_in_prompts_inside_yaml_and_json_files_are_exact() -> None:
    yaml_prompt = "name: support\nsystem: |\n  You help customers.\n  Use the billing tools for refunds.\n"
    result = lint({"tools.yaml": TOOLS, "agent.yaml": yaml_prompt}, select=("TP002",))
    assert [(d.span.line, d.span.column) for d in result.diagnostics] == [(4, 7)]
    one_line = "system: 'Use the billing tools for refunds.'\n"
    result = lint({"tools.yaml": TOOLS, "agent.yaml": one_line}, select=("TP002",))
    assert [(d.span.line, d.span.column) for d in result.diagnostics] == [(1, 14)]
    json_prompt = '{"system": "Caf\\u00e9 rules:\\nUse the billing tools for refunds."}'
    result = lint({"tools.yaml": TOOLS, "agent.json": json_prompt}, select=("TP002",))
    assert [(d.span.line, d.span.column) for d in result.diagnostics] == [(1, 35)]
