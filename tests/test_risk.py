"""Risk classification, approval and idempotency resolution, the TR rules on real MCP annotations, and `inventory`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from toollint.catalog.extract import tools_in
from toollint.catalog.risk import main_verb, profile, words


def tool(**spec: object) -> object:
    spec.setdefault("inputSchema", {"type": "object", "properties": spec.pop("properties", {})})
    (found,) = tools_in([spec], (), "t.json")
    return found


@pytest.mark.parametrize(
    ("name", "verb"),
    [
        ("get_issue", "get"),
        ("issue_write", "write"),
        ("pull_request_read", "read"),
        ("team_api.delete_team", "delete"),
        ("createIssueComment", "create"),
        ("actions_run_trigger", "trigger"),
        ("math.factorial", None),
    ],
)
def test_main_verb(name: str, verb: str | None) -> None:
    assert main_verb(words(name)) == verb


def test_resolution_order() -> None:
    assert profile(tool(name="delete_x", **{"x-toollint": {"risk": "read"}})).risk_source == "x-toollint.risk"
    found = profile(tool(name="delete_x", annotations={"readOnlyHint": True}))
    assert (found.risk, found.risk_source) == ("read", "MCP annotations")
    assert profile(tool(name="delete_x")).risk == "destructive"
    found = profile(tool(name="thing", description="Sends the weekly digest."))
    assert (found.risk, found.risk_source) == ("write", "description")
    assert profile(tool(name="thing", description="Something.")).risk_source == "default"


def test_mcp_defaults_without_destructive_hint() -> None:
    found = profile(tool(name="create_branch", annotations={"readOnlyHint": False}))
    assert (found.risk, found.missing_hints) == ("write", ("destructiveHint",))
    assert profile(tool(name="remove_label", annotations={"readOnlyHint": False})).risk == "destructive"
    assert profile(tool(name="create_branch")).missing_hints == ("readOnlyHint", "destructiveHint")


def test_approval_and_idempotency() -> None:
    found = profile(
        tool(name="delete_x", properties={"confirm": {"type": "boolean"}, "request_id": {"type": "string"}})
    )
    assert found.approval == "parameter `confirm`" and found.idempotency == "key `request_id`"
    assert profile(tool(name="delete_x", properties={"confirm": {"type": "string"}})).approval is None
    found = profile(tool(name="send", annotations={"idempotentHint": True}, **{"x-toollint": {"approval": "human"}}))
    assert (found.approval, found.idempotency) == ("human", "annotation")


def test_github_mcp_server_findings_agree_with_declared_annotations(corpora: Path) -> None:
    folder = corpora / "github-mcp-server"
    declared = {}
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text())
        declared[data["name"]] = data.get("annotations", {})
    done = run_cli("check", str(folder), "--select", "TR", "--output-format", "json")
    by_code: dict[str, set[str]] = {}
    for finding in json.loads(done.stdout):
        name = finding["message"].split("`")[1]
        by_code.setdefault(finding["code"], set()).add(name)
    assert by_code.get("TR002", set()) == {n for n, a in declared.items() if a.get("destructiveHint") is True}
    assert by_code.get("TR004", set()) == {
        n for n, a in declared.items() if a.get("readOnlyHint") is False and "destructiveHint" not in a
    }
    assert "TR003" not in by_code
    for name in by_code.get("TR001", set()):
        assert declared[name].get("readOnlyHint") is False and declared[name].get("idempotentHint") is not True


def test_inventory_formats() -> None:
    done = run_cli("inventory", "examples/support-agent")
    assert done.returncode == 0
    assert "refund_order" in done.stdout and "write (x-toollint.risk)  human" in done.stdout
    assert "\n4 tools: 3 read, 1 write, 0 destructive\n" in done.stdout
    items = json.loads(run_cli("inventory", "examples/postmortems", "--output-format", "json").stdout)
    by_name = {i["name"]: i for i in items["tools"]}
    assert by_name["delete_volume"]["risk"] == "destructive" and by_name["delete_volume"]["approval"] == "none"
    assert by_name["place_supplier_order"]["line"] == 2
    assert run_cli("inventory", "examples", "--output-format", "markdown").stdout.startswith("| tool | risk |")


@pytest.mark.parametrize(
    ("name", "description", "fires"),
    [
        ("place_order", "Place an order with the supplier.", True),
        ("write_markdown_file", "Write the given text to a Markdown file.", False),  # overwriting is idempotent
        ("add_default_value", "Add a default value if the key does not exist.", False),  # the prose says so
        ("DelScr", "Deletes a script from the workspace.", False),  # a deletion is naturally idempotent
        ("argumenttypes001.runThis", "Executes the test logic with the given arguments.", False),  # not a write
        ("game_of_life.play", "Runs a round of game of life on the given board.", False),
    ],
)
def test_tr001_judgements_from_the_corpus_review(name: str, description: str, fires: bool) -> None:
    from conftest import lint

    source = json.dumps([{"name": name, "description": description, "input_schema": {"type": "object"}}])
    assert bool([d for d in lint({"t.json": source}, select=("TR001",)).diagnostics]) is fires


@pytest.mark.parametrize(
    ("parameter", "code", "fires"),
    [
        ({"pullNumber": {"type": "number", "description": "Pull request number."}}, "TS008", False),
        ({"results_limit": {"type": "integer", "description": "Most results."}}, "TS008", True),
        ({"UrlName": {"type": "string", "description": "URL-friendly name of the item."}}, "TS010", False),
        ({"callback_url": {"type": "string", "description": "Where to post the result."}}, "TS010", True),
        ({"path_filter": {"type": "string", "description": "Glob of files to include."}}, "TS010", False),
    ],
)
def test_quantity_and_danger_judgements_from_the_corpus_review(
    parameter: dict[str, object], code: str, fires: bool
) -> None:
    from conftest import lint

    source = json.dumps(
        [
            {
                "name": "lookup_record",
                "description": "Look up one record by its id.",
                "input_schema": {"type": "object", "properties": parameter},
            }
        ]
    )
    assert bool(lint({"t.json": source}, select=(code,)).diagnostics) is fires


def test_operands_and_starring_from_the_third_review() -> None:
    from conftest import lint

    gcd = json.dumps(
        [
            {
                "name": "calculate_gcd",
                "description": "Greatest common divisor of two integers.",
                "input_schema": {
                    "type": "object",
                    "properties": {"num1": {"type": "integer", "description": "First."}},
                },
            }
        ]
    )
    assert not lint({"t.json": gcd}, select=("TS008",)).diagnostics
    stars = json.dumps(
        [{"name": "stars_add", "description": "Star a repository for the user.", "input_schema": {"type": "object"}}]
    )
    assert not lint({"t.json": stars}, select=("TR001",)).diagnostics


@pytest.mark.parametrize(
    ("name", "description", "risk"),
    [
        ("add_binary_numbers", "Adds two binary numbers.", "read"),
        ("create_polygon", "Create a polygon shape with given vertices.", "read"),
        ("Intro.step", "Updates the graphics of an intro animation.", "read"),
        ("api_tracking_for_pack_send", "This is the subfunction for tool pack_send.", "read"),
        ("create_order", "Create an order.", "write"),
        ("setHeadlights", "Part of the vehicle control system.", "write"),
        ("send_email", "Send an email.", "write"),
    ],
)
def test_computations_are_not_writes(name: str, description: str, risk: str) -> None:
    assert profile(tool(name=name, description=description)).risk == risk


def test_dotted_names_take_the_verb_of_the_function_part() -> None:
    assert profile(tool(name="sports_team.get_schedule", description="Fetch the schedule.")).risk == "read"
    assert profile(tool(name="nature_reserve.find_nearby", description="Locate reserves.")).risk == "read"
    assert profile(tool(name="team_api.delete_team", description="Delete a team.")).risk == "destructive"
