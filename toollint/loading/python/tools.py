"""Tools and prompts declared in Python: FastMCP/MCP SDK, LangChain, OpenAI Agents SDK, literal tool lists.

Each framework's decorator is read statically and turned into the definition the framework would send,
so a Python file becomes a Document like any JSON file: `{"tools": [...], "literals": [...], "prompts": {...}}`.
Nothing is imported or executed; what cannot be evaluated is reported (TL006), never guessed.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import libcst as cst
import libcst.matchers as match

from toollint.diagnostics import Pointer, Span
from toollint.loading.python.document import PROMPT_KEYWORDS, PROMPT_NAME, TOOL_KEYS
from toollint.loading.python.schema import SchemaBuilder, parse_docstring, raw_docstring
from toollint.loading.python.source import Module, Problem, Unresolved, class_attributes
from toollint.tool_shapes import holds_tool

_SERVER_CLASSES = ("FastMCP", "MCPServer")
_LANGCHAIN_SKIPPED = ("run_manager", "callbacks")
_LANGCHAIN_INJECTED = ("InjectedToolArg", "InjectedState", "InjectedStore", "InjectedToolCallId")
_AGENTS_DECORATORS = (
    "agents.function_tool",
    "agents.tool.function_tool",
    "agents.decorators.tool",  # an Agents SDK snapshot's name for `@function_tool`
    "agents.decorators.function_tool",
)
_FASTMCP_DECORATORS = ("fastmcp.tools.tool", "fastmcp.tools.tool.tool")  # standalone, registered by a provider
_MCP_WIRE = {"input_schema": "inputSchema", "output_schema": "outputSchema"}  # MCP SDK 2 keywords -> JSON
_OPENAI_TOOL_CALLS = ("ChatCompletionToolParam",)  # litellm / OpenAI typed dicts built by keyword


@dataclass
class Extraction:
    module: Module
    tools: list[dict[str, Any]] = field(default_factory=list)
    literals: list[Any] = field(default_factory=list)
    prompts: dict[str, str] = field(default_factory=dict)
    scopes: list[tuple[cst.FunctionDef, Pointer]] = field(default_factory=list)  # each tool's function

    def scope_lines(self) -> list[tuple[int, int, Pointer]]:
        """(first, last, tool): the lines of each tool's decorators and `def` header, for suppressions."""
        lines = []
        for fn, pointer in self.scopes:
            first = self.module.code_range(fn.decorators[0] if fn.decorators else fn)
            body = self.module.code_range(fn.body)
            if first is not None and body is not None:
                lines.append((first.start.line, body.start.line, pointer))
        return lines

    @property
    def data(self) -> dict[str, Any]:
        return {"tools": self.tools, "literals": self.literals, "prompts": self.prompts}


def extract(text: str) -> Extraction:
    extraction = Extraction(Module(text))
    _Visitor(extraction).run()
    return extraction


_SKIPPED_FIELDS = ("whitespace", "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators")


@cache
def _child_fields(kind: type) -> tuple[str, ...]:
    return tuple(
        f.name for f in dataclasses.fields(kind) if not any(f.name.startswith(skip) for skip in _SKIPPED_FIELDS)
    )


def _walk(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node, parents before children, in source order — without libcst's visitor, which rebuilds each
    node it passes and costs several times more."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children: list[cst.CSTNode] = []
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, (list, tuple)):
                children.extend(v for v in value if isinstance(v, cst.CSTNode))
        stack.extend(reversed(children))


class _Visitor:
    def __init__(self, extraction: Extraction) -> None:
        self.x = extraction
        self.m = extraction.module
        self.servers = self._servers()
        self.functions = {s.name.value: s for s in self.m.tree.body if isinstance(s, cst.FunctionDef)}
        self._claimed: set[int] = set()
        self._class_of: dict[int, cst.ClassDef] | None = None
        self._elicited: frozenset[str] | None = None

    def run(self) -> None:
        handlers = {
            cst.FunctionDef: self.visit_FunctionDef,
            cst.Call: self.visit_Call,
            cst.Assign: self.visit_Assign,
            cst.AnnAssign: self.visit_AnnAssign,
            cst.Return: self.visit_Return,
            cst.ClassDef: self.visit_ClassDef,
        }
        for node in _walk(self.m.tree):
            handler = handlers.get(type(node))
            if handler is not None:
                handler(node)  # type: ignore[operator]

    def _servers(self) -> set[str]:
        """Names bound to `FastMCP(...)` / `MCPServer(...)` at module level."""
        names = set()
        for name, value in self.m.constants.items():
            if isinstance(value, cst.Call):
                qualified = self.m.qualified(value.func) or ""
                if qualified.rsplit(".", 1)[-1] in _SERVER_CLASSES:
                    names.add(name)
        return names

    # -- visiting ------------------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            framework, options = self._framework(decorator.decorator)
            if framework is not None:
                self._function(node, framework, options, decorator)
                return
            unread = self._unread_framework(decorator.decorator)
            if unread is not None:
                why = f"toollint does not read the {unread} `{node.name.value}` yet; its tool is not checked"
                self._not_read(node.name, why)
                return

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for base in node.bases:
            qualified = self.m.qualified(base.value) or ""
            from_smolagents = qualified.startswith("smolagents") and _callee_name(base.value) == "Tool"
            # smolagents' own shape, whatever the import path: class attributes `inputs` and `output_type`
            shaped = _callee_name(base.value).endswith("Tool") and {"inputs", "output_type"} <= set(
                class_attributes(node)
            )
            if from_smolagents or shaped:
                self._smolagents_class(node)
                return
            if qualified.split(".")[0] in ("fastmcp", "mcp") and _callee_name(base.value) == "Tool":
                why = (
                    f"the `{qualified}` subclass `{node.name.value}` makes its tools at run time; they are not checked"
                )
                self._not_read(node.name, why)
                return

    def _smolagents_class(self, node: cst.ClassDef) -> None:
        """A smolagents `Tool` subclass: its class attributes `name`, `description` and `inputs` are what the
        ToolCallingAgent sends, as an OpenAI function whose `required` are the inputs not marked `nullable`."""
        attributes = class_attributes(node)
        if "name" not in attributes:
            why = f"the smolagents `Tool` subclass `{node.name.value}` sets no literal `name`; its tool is not checked"
            self._not_read(node.name, why)
            return
        pointer: Pointer = ("literals", len(self.x.literals))
        problems_before = len(self.m.problems)
        function: Pointer = pointer + ("function",)
        self.m.place(pointer, node.name, node.name)
        name = self.m.evaluate(attributes["name"], function + ("name",))
        if not isinstance(name, str):
            unread = name if isinstance(name, Unresolved) else Unresolved(attributes["name"], "it is not text")
            self._not_loaded(pointer, problems_before, unread)
            return
        description: Any = ""
        if "description" in attributes:
            description = self.m.evaluate(attributes["description"], function + ("description",))
            if isinstance(description, Unresolved):
                self.m.unresolved(function + ("description",), description)
                description = ""
        parameters: Pointer = function + ("parameters",)
        properties: Any = {}
        if "inputs" in attributes:
            properties = self.m.evaluate(attributes["inputs"], parameters + ("properties",))
            if not isinstance(properties, dict):
                if isinstance(properties, Unresolved):
                    self.m.unresolved(parameters, properties)
                properties = {}
        for value in properties.values():
            if isinstance(value, dict) and value.get("type") == "any":
                value["type"] = "string"  # smolagents sends `any` as a string
        required = [k for k, v in properties.items() if not (isinstance(v, dict) and v.get("nullable"))]
        schema = {"type": "object", "properties": properties, "required": required}
        self.m.place(parameters, attributes.get("inputs", node.name))
        spec = {"name": name, "description": description, "parameters": schema}
        # a class is a definition, not a registration: TN004 tells alternatives of one module from duplicates
        spec["x-toollint"] = {"class": node.name.value}
        self.x.literals.append({"type": "function", "function": spec})

    def _unread_framework(self, decorator: cst.BaseExpression) -> str | None:
        """Tool declarations of frameworks toollint knows but does not translate yet: said, not dropped."""
        target = decorator.func if isinstance(decorator, cst.Call) else decorator
        qualified = self.m.qualified(target) or ""
        if qualified.startswith("smolagents") and qualified.endswith("tool"):
            return "smolagents `@tool` function"
        if _callee_name(target) == "action" and self._imports("browser_use"):
            return "browser-use action"
        return None

    def _not_read(self, node: cst.CSTNode, why: str) -> None:
        """A TL006 for a tool declaration toollint recognises but cannot translate: said, never dropped."""
        self.m.problems.append(Problem(("unread", len(self.m.problems)), node, why))

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.m.qualified(node.func) or ""
        last = qualified.rsplit(".", 1)[-1]
        if id(node) in self._claimed:
            pass  # already read as part of a literal tool list
        elif last == "Tool" and qualified.startswith("mcp") and any(_kw(node, k) for k in ("inputSchema", "name")):
            self._mcp_tool_call(node)
        elif last in _OPENAI_TOOL_CALLS and _kw(node, "function") is not None:
            self._openai_tool_call(node)
        elif qualified.endswith("StructuredTool.from_function"):
            self._from_function(node)
        for arg in node.args:
            if arg.keyword is None:
                continue
            if arg.keyword.value == "tools" and isinstance(arg.value, (cst.List, cst.Dict)):
                self._literal(arg.value)
            elif arg.keyword.value in PROMPT_KEYWORDS:
                # `system=SYSTEM_PROMPT` is the constant's prompt, checked once under the constant's name
                key = arg.value.value if isinstance(arg.value, cst.Name) else None
                self._prompt(key or f"{arg.keyword.value}#{len(self.x.prompts) + 1}", arg.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._assignment([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assignment([node.target], node.value)

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, (cst.List, cst.Dict)):
            self._literal(node.value)

    def _assignment(self, targets: list[cst.BaseAssignTargetExpression], value: cst.BaseExpression) -> None:
        if isinstance(value, (cst.List, cst.Dict)):
            self._literal(value)
            return
        for target in targets:
            if isinstance(target, cst.Name) and PROMPT_NAME.search(target.value):
                self._prompt(target.value, value)

    # -- prompts and literal tool lists --------------------------------------------------------------------

    def _prompt(self, key: str, value: cst.BaseExpression) -> None:
        if not isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Name)):
            return
        text = self.m.string(value)
        if isinstance(text, str) and text.strip() and key not in self.x.prompts:
            self.x.prompts[key] = text
            self.m.place(("prompts", key), value)

    def _literal(self, node: cst.List | cst.Dict) -> None:
        if id(node) in self._claimed:
            return
        self._claimed.add(id(node))
        source = self.m.tree.code_for_node(node)
        if "name" not in source or not any(key in source for key in (*TOOL_KEYS, "args_schema")):
            return
        index = len(self.x.literals)
        pointer: Pointer = ("literals", index)
        problems_before = len(self.m.problems)
        value = self.m.evaluate(node, pointer)
        if not isinstance(value, Unresolved) and not holds_tool(value) and "args_schema" in source:
            value = self._args_schema_tools(node, value, pointer)
        if isinstance(value, Unresolved) or not holds_tool(value):
            self.m.forget(pointer, problems_before)
            return
        self.x.literals.append(value)
        self._claimed.update(id(n) for n in _walk(node) if isinstance(n, cst.Call))

    def _args_schema_tools(self, node: cst.List | cst.Dict, value: Any, pointer: Pointer) -> Any:
        """Tool dicts of the form `{"name": ..., "description": ..., "args_schema": Model}` (LangChain's
        keyword, used by toolkits that build their tools from a table): the model's schema is the parameters."""
        entries = list(zip(node.elements, value, strict=False)) if isinstance(node, cst.List) else []
        found = False
        for position, (element, item) in enumerate(entries):
            if not isinstance(element, cst.Element) or not isinstance(element.value, cst.Dict):
                continue
            model = next(
                (
                    e.value
                    for e in element.value.elements
                    if isinstance(e, cst.DictElement) and _is_key(e, "args_schema")
                ),
                None,
            )
            if model is None or not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            at = pointer + (position, "parameters")
            builder = SchemaBuilder(self.m, at + ("$defs",))
            cls = self.m.classes.get(self.m.qualified(model) or "")
            if cls is not None and builder.is_model(cls):
                schema = builder.model_schema(cls, at)
                item["parameters"] = {"$defs": builder.defs, **schema} if builder.defs else schema
            else:
                item["parameters"] = {"type": "object"}  # unknown: the TL006 on `args_schema` says why
                self.m.opaque.add(at)
            self.m.place(at, model)
            item.pop("args_schema", None)
            method = item.get("method")
            if isinstance(method, str) and method.isidentifier():
                # such tables keep a display name in `name` and the callable, which adapters send, in `method`
                item["name"] = method
                self.m.nodes[pointer + (position, "name")] = self.m.nodes[pointer + (position, "method")]
            found = True
        return value if found else Unresolved(node, "not a tool list")

    # -- decorated functions -------------------------------------------------------------------------------

    def _framework(self, decorator: cst.BaseExpression) -> tuple[str | None, dict[str, cst.Arg]]:
        call = decorator if isinstance(decorator, cst.Call) else None
        target = call.func if call is not None else decorator
        options = {a.keyword.value: a for a in call.args if a.keyword is not None} if call else {}
        positional = [a for a in call.args if a.keyword is None] if call else []
        qualified = self.m.qualified(target) or ""
        if isinstance(target, cst.Attribute) and target.attr.value == "tool" and qualified not in _AGENTS_DECORATORS:
            owner = self.m.qualified(target.value) or ""
            if owner in self.servers or self._imports_mcp():
                if positional:
                    options.setdefault("name", positional[0])
                return "mcp", options
            return None, {}
        if qualified.startswith("langchain") and qualified.endswith(".tool"):
            if positional:
                options.setdefault("name", positional[0])
            return "langchain", options
        if qualified in _AGENTS_DECORATORS:
            return "agents", options
        if qualified in _FASTMCP_DECORATORS:
            if positional:
                options.setdefault("name", positional[0])
            return "mcp", options
        return None, {}

    def _imports_mcp(self) -> bool:
        return self._imports("mcp", "fastmcp")

    def _imports(self, *packages: str) -> bool:
        return any(origin.split(".")[0] in packages for origin in self.m.imports.values())

    def _function(
        self, fn: cst.FunctionDef, framework: str, options: dict[str, cst.Arg], decorator: cst.Decorator
    ) -> None:
        index = len(self.x.tools)
        pointer: Pointer = ("tools", index)
        m = self.m
        m.place(pointer, decorator, fn.name)
        self.x.scopes.append((fn, pointer))

        name_key = "name_override" if framework == "agents" else "name"
        problems_before = len(m.problems)
        name = self._option_string(options, name_key, pointer + ("name",))
        if name is None:
            name = fn.name.value
            m.place(pointer + ("name",), fn.name)
        elif isinstance(name, Unresolved):
            unread = name
            name = self._partial_name(options[name_key].value, unread, pointer)
            if name is None:
                self.x.scopes.pop()
                self._not_loaded(pointer, problems_before, unread)
                return

        doc = raw_docstring(fn)
        cleaned = inspect.cleandoc(doc[0]) if doc else None
        parsed = parse_docstring(cleaned) if cleaned else None
        param_docs: dict[str, str] = {}
        if framework == "agents" and parsed is not None and _truthy(m, options.get("use_docstring_info"), True):
            param_docs = parsed.parameters
        elif framework == "langchain" and parsed is not None and _truthy(m, options.get("parse_docstring"), False):
            param_docs = parsed.parameters

        description_key = "description_override" if framework == "agents" else "description"
        description = self._option_string(options, description_key, pointer + ("description",))
        if isinstance(description, Unresolved):
            m.unresolved(pointer + ("description",), description)
            description = ""
        if description is None and doc is not None:
            m.place(pointer + ("description",), doc[1])
            if framework == "mcp":
                description = doc[0]
            elif framework == "langchain":
                if _truthy(m, options.get("parse_docstring"), False) and parsed is not None:
                    description = parsed.description
                else:
                    description = textwrap.dedent(doc[0]).strip()
            elif parsed is not None and _truthy(m, options.get("use_docstring_info"), True):
                description = parsed.description or None

        input_key = {"mcp": "inputSchema", "langchain": "parameters", "agents": "parameters"}[framework]
        builder = SchemaBuilder(m, pointer + (input_key, "$defs"))
        schema_title = {"mcp": f"{fn.name.value}Arguments", "langchain": name, "agents": f"{name}_args"}
        args_schema = options.get("args_schema")
        if framework == "langchain" and args_schema is not None:
            schema = self._model_args(builder, args_schema.value, pointer + (input_key,))
            if schema is not None:  # LangChain retitles the model after the tool and moves its docstring out
                schema.pop("description", None)
                schema["title"] = name
        else:
            schema = self._signature(fn, framework, builder, pointer + (input_key,), param_docs, doc, cleaned)
            schema["title"] = schema_title[framework]
        if schema is None:
            return
        m.place(pointer + (input_key,), fn.params, fn.name)
        if builder.defs:
            schema = {"$defs": builder.defs, **schema}

        tool: dict[str, Any]
        if framework == "mcp":
            tool = {"name": name}
            title = self._option_string(options, "title", pointer + ("title",))
            if isinstance(title, str):
                tool["title"] = title
            tool["description"] = description or ""
            tool["inputSchema"] = schema
            output = self._mcp_output(fn, pointer + ("outputSchema",), options)
            if output is not None:
                tool["outputSchema"] = output
            annotations = options.get("annotations")
            if annotations is not None:
                value = self._annotations(annotations.value, pointer + ("annotations",))
                if value is not None:
                    tool["annotations"] = value
            if _elicits(fn):  # asking the user through MCP elicitation before acting is an approval gate
                tool["x-toollint"] = {"approval": "human"}
            version = self._option_string(options, "version", pointer + ("x-toollint", "version"))
            if isinstance(version, str):  # FastMCP serves each version of a tool under the same name
                tool.setdefault("x-toollint", {})["version"] = version
        elif framework == "langchain":
            tool = {"name": name, "description": description or "", "parameters": schema}
        else:
            strict = _truthy(m, options.get("strict_mode"), True)
            tool = {"type": "function", "name": name}
            if description is not None:
                tool["description"] = description
            tool["parameters"] = strict_schema(schema) if strict else schema
            tool["strict"] = strict
            gate = options.get("needs_approval")
            if gate is not None and m.evaluate(gate.value, ()) is not False:
                # the SDK pauses the run for a human decision before calling (or, with a function, when it says so)
                tool["x-toollint"] = {"approval": "human"}
        self.x.tools.append(tool)

    def _mcp_output(self, fn: cst.FunctionDef, pointer: Pointer, options: dict[str, cst.Arg]) -> dict[str, Any] | None:
        """FastMCP's structured output schema: a returned model as is, a mapping as an object, else `{result}`."""
        if fn.returns is None or not _truthy(self.m, options.get("structured_output"), True):
            return None
        annotation = fn.returns.annotation
        builder = SchemaBuilder(self.m, pointer + ("$defs",))
        cls = self.m.classes.get(self.m.qualified(annotation) or "")
        if cls is not None and builder.is_model(cls):
            schema = builder.model_schema(cls, pointer)
            return {"$defs": builder.defs, **schema} if builder.defs else schema
        built = builder.annotation(annotation, pointer)
        if isinstance(built, Unresolved) or built.schema in ({}, {"additionalProperties": True, "type": "object"}):
            return None  # unknown, or a bare `dict`: FastMCP declares no shape either
        self.m.place(pointer, annotation)
        schema = built.schema
        if schema.get("type") == "object" and "additionalProperties" in schema:
            schema = {**schema, "title": f"{fn.name.value}DictOutput"}
        else:
            result = schema if built.is_ref else {**schema, "title": "Result"}
            schema = {"properties": {"result": result}, "required": ["result"], "title": f"{fn.name.value}Output"}
            schema["type"] = "object"
        return {"$defs": builder.defs, **schema} if builder.defs else schema

    def _option_string(self, options: dict[str, cst.Arg], key: str, pointer: Pointer) -> str | Unresolved | None:
        arg = options.get(key)
        if arg is None or (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            return None
        self.m.place(pointer, arg.value, arg.keyword)
        return self.m.string(arg.value)

    def _partial_name(self, node: cst.BaseExpression, unread: Unresolved, pointer: Pointer) -> str | None:
        """The literal end of a tool name built at run time (`prefix + "search"`, `f"{prefix}search"`), or None.

        A namespace prefix is the usual reason a name cannot be read; the rest of the tool (description,
        parameters, annotations) still can, so the tool is kept under the literal part, its name is opaque
        (findings about the name would be guesses) and the TL006 says so. With no literal part the tool is
        not loaded and the TL006 says that instead."""
        suffix = self._literal_suffix(node)
        shown = self.m.source(node)
        if not suffix:
            return None
        self.m.opaque.add(pointer + ("name",))
        why = (
            f"the tool name `{shown}` is only partly literal ({unread.why}); the tool is checked as "
            f"`{suffix}` and findings about its name are left out"
        )
        self.m.problems.append(Problem(pointer + ("name",), node, why))
        return suffix

    def _literal_suffix(self, node: cst.BaseExpression) -> str:
        """The text at the end of `a + b + "c"` or `f"{a}c"` that is known without running the code."""
        parts: list[cst.BaseExpression] = []
        while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            parts.insert(0, node.right)
            node = node.left
        parts.insert(0, node)
        suffix = ""
        for part in reversed(parts):
            if isinstance(part, cst.FormattedString):
                texts: list[str] = []
                for piece in reversed(part.parts):
                    if not isinstance(piece, cst.FormattedStringText):
                        return "".join(reversed(texts)) + suffix
                    texts.append(piece.value)
                suffix = "".join(reversed(texts)) + suffix
                continue
            value = self.m.evaluate(part, ())
            if not isinstance(value, str):
                return suffix
            suffix = value + suffix
        return suffix

    def _annotations(self, node: cst.BaseExpression, pointer: Pointer) -> dict[str, Any] | None:
        value = self.m.evaluate(node, pointer)
        if isinstance(value, Unresolved):
            self.m.unresolved(pointer, value)
            return None
        return value if isinstance(value, dict) else None

    def _signature(
        self,
        fn: cst.FunctionDef,
        framework: str,
        builder: SchemaBuilder,
        pointer: Pointer,
        param_docs: dict[str, str],
        doc: tuple[str, cst.CSTNode] | None,
        cleaned: str | None,
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        params = list(fn.params.posonly_params) + list(fn.params.params) + list(fn.params.kwonly_params)
        for position, param in enumerate(params):
            if self._skipped(param, position, framework):
                continue
            name = param.name.value
            annotation = param.annotation.annotation if param.annotation is not None else None
            spec = builder.field_spec(param.default)
            description = param_docs.get(name)
            description_node: cst.CSTNode | None = None
            if description is None and framework in ("agents", "langchain") and annotation is not None:
                description = self._annotated_string(annotation)
            elif description is not None and doc is not None:
                description_node = doc[1]
            key, schema, is_required = builder.field(
                name, annotation, spec, pointer + ("properties",), param.name, description, description_node
            )
            if description_node is not None and cleaned is not None and doc is not None:
                self._place_docstring_line(pointer + ("properties", key, "description"), doc, name)
            properties[key] = schema
            if is_required:
                required.append(key)
        result: dict[str, Any] = {"properties": properties}
        if required:
            result["required"] = required
        result["type"] = "object"
        return result

    def _place_docstring_line(self, pointer: Pointer, doc: tuple[str, cst.CSTNode], name: str) -> None:
        """Point a docstring parameter description at its own line of the docstring."""
        raw = doc[0].split("\n")
        for i, line in enumerate(raw):
            stripped = line.strip()
            if re.match(rf"(:param\s+(\S+\s+)?)?\*{{0,2}}{re.escape(name)}\b", stripped):
                found = self.m.code_range(doc[1])
                if found is not None:
                    column = len(line) - len(line.lstrip()) + (found.start.column + 4 if i == 0 else 0)
                    line_no = found.start.line + i
                    self.m.nodes[pointer] = (None, Span(line_no, column + 1, line_no, column + 1 + len(stripped)))
                return

    def _annotated_string(self, annotation: cst.BaseExpression) -> str | None:
        if isinstance(annotation, cst.Subscript) and (self.m.qualified(annotation.value) or "").endswith("Annotated"):
            for element in annotation.slice[1:]:
                if isinstance(element.slice, cst.Index) and isinstance(element.slice.value, cst.SimpleString):
                    text = self.m.string(element.slice.value)
                    if isinstance(text, str):
                        return text
        return None

    def _skipped(self, param: cst.Param, position: int, framework: str) -> bool:
        name = param.name.value
        if position == 0 and name in ("self", "cls"):
            return True
        annotation = param.annotation.annotation if param.annotation is not None else None
        outer = annotation.value if isinstance(annotation, cst.Subscript) else annotation
        type_name = (self.m.qualified(outer) or "").rsplit(".", 1)[-1] if outer is not None else ""
        if framework == "mcp":
            return type_name == "Context"
        if framework == "agents":
            return position == 0 and type_name in ("RunContextWrapper", "ToolContext")
        if name in _LANGCHAIN_SKIPPED or type_name == "RunnableConfig":
            return True
        source = self.m.tree.code_for_node(annotation) if annotation is not None else ""
        return any(marker in source for marker in _LANGCHAIN_INJECTED)

    def _model_args(self, builder: SchemaBuilder, node: cst.BaseExpression, pointer: Pointer) -> dict[str, Any] | None:
        qualified = self.m.qualified(node) or ""
        cls = self.m.classes.get(qualified)
        if cls is None or not builder.is_model(cls):
            self.m.unresolved(
                pointer, Unresolved(node, f"`{self.m.source(node)}` is not a pydantic model of this file")
            )
            return None
        return builder.model_schema(cls, pointer)

    # -- other declarations --------------------------------------------------------------------------------

    def _mcp_tool_call(self, node: cst.Call) -> None:
        """`types.Tool(name=..., inputSchema=...)` of a low-level server, with SDK 2's `input_schema=` and
        `output_schema=`, names that are enum members or class attributes, `Model.model_json_schema()`."""
        pointer: Pointer = ("literals", len(self.x.literals))
        problems_before = len(self.m.problems)
        self.m.place(pointer, node)
        self.m.self_class = self._enclosing_class(node)
        value: dict[str, Any] = {}
        unread_name: Unresolved | None = None
        for arg in node.args:
            if arg.keyword is None or arg.star:
                continue
            key = _MCP_WIRE.get(arg.keyword.value, arg.keyword.value)
            at = pointer + (key,)
            self.m.place(at, arg.value, arg.keyword)
            if key in ("inputSchema", "outputSchema"):
                found = self._schema_value(arg.value, at)
            else:
                found = self.m.evaluate(arg.value, at)
            if isinstance(found, Unresolved) and key == "name":
                unread_name = found
                suffix = self._literal_suffix(arg.value)
                if suffix:
                    found = self._partial_name(arg.value, found, pointer)
            if isinstance(found, Unresolved):
                if key == "name":
                    continue
                self.m.unresolved(at, found)
                if key == "description":
                    value[key] = ""  # present but unknown: the findings it causes are dropped as opaque
                elif key == "inputSchema":
                    value[key] = {"type": "object"}
                continue
            value[key] = found
        self.m.self_class = None
        if isinstance(value.get("name"), str) and "inputSchema" in value:
            if value["name"] in self._elicited_branches():  # the handler asks the user before it acts
                value["x-toollint"] = {"approval": "human"}
            self.x.literals.append(value)
        elif unread_name is not None and "name" not in value:
            self._not_loaded(pointer, problems_before, unread_name)
        else:
            self.m.forget(pointer, problems_before)

    def _schema_value(self, node: cst.BaseExpression, pointer: Pointer) -> Any:
        """A schema literal, or `Model.model_json_schema()` of a pydantic model defined in this file."""
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "model_json_schema"
            and not node.args
        ):
            model = node.func.value
            cls = self.m.classes.get(self.m.qualified(model) or "")
            builder = SchemaBuilder(self.m, pointer + ("$defs",))
            if cls is None or not builder.is_model(cls):
                return Unresolved(model, f"`{self.m.source(model)}` is not a pydantic model of this file")
            schema = builder.model_schema(cls, pointer)
            return {"$defs": builder.defs, **schema} if builder.defs else schema
        return self.m.evaluate(node, pointer)

    def _openai_tool_call(self, node: cst.Call) -> None:
        """litellm's `ChatCompletionToolParam(type="function", function=ChatCompletionToolParamFunctionChunk(...))`,
        often built by a factory function: what is literal is read, the rest is a TL006."""
        pointer: Pointer = ("literals", len(self.x.literals))
        problems_before = len(self.m.problems)
        self.m.place(pointer, node)
        value = self.m.evaluate(node, pointer)
        function = value.get("function") if isinstance(value, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            self.x.literals.append(value)
            self._claimed.update(id(n) for n in _walk(node) if isinstance(n, cst.Call))
            return
        declared = _kw(node, "function")
        name = _kw(declared, "name") if isinstance(declared, cst.Call) else None
        if name is None:
            self.m.forget(pointer, problems_before)
            return
        unread = self.m.evaluate(name, ())
        why = unread.why if isinstance(unread, Unresolved) else f"`{self.m.source(node)}` is not a literal"
        self._not_loaded(pointer, problems_before, Unresolved(name, why))

    def _not_loaded(self, pointer: Pointer, problems_before: int, unread: Unresolved) -> None:
        """A tool whose name cannot be read: nothing of it is loaded, and one TL006 at the name says so."""
        self.m.forget(pointer, problems_before)
        why = (
            f"the tool is not checked: its name `{self.m.source(unread.node)}` cannot be read without running "
            f"the code ({unread.why})"
        )
        self.m.problems.append(Problem(pointer, unread.node, why))

    def _elicited_branches(self) -> frozenset[str]:
        """Tool names whose branch of a low-level `call_tool` handler (`if params.name == "wipe": ...`) asks the
        user through MCP elicitation: the low-level server's form of an approval gate."""
        if self._elicited is None:
            names: set[str] = set()
            for node in match.findall(self.m.tree, match.If(test=match.Comparison())):
                name = _compared_tool_name(node.test)  # type: ignore[attr-defined]
                if name is not None and _asks_user(node.body):  # type: ignore[attr-defined]
                    names.add(name)
            self._elicited = frozenset(names)
        return self._elicited

    def _enclosing_class(self, node: cst.CSTNode) -> cst.ClassDef | None:
        """The module-level class whose body holds `node` (for `Tool(name=self.name)` in a handler class)."""
        if self._class_of is None:
            self._class_of = {}
            for cls in self.m.classes.values():
                for inner in _walk(cls.body):
                    if isinstance(inner, cst.Call):
                        self._class_of[id(inner)] = cls
        return self._class_of.get(id(node))

    def _from_function(self, node: cst.Call) -> None:
        func = _kw(node, "func") or (node.args[0].value if node.args and node.args[0].keyword is None else None)
        fn = self.functions.get(func.value) if isinstance(func, cst.Name) else None
        if fn is None:
            return
        options = {a.keyword.value: a for a in node.args if a.keyword is not None}
        self._function(fn, "langchain", options, cst.Decorator(decorator=node))
        self.m.place(("tools", len(self.x.tools) - 1), node, fn.name)


def _callee_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _is_key(element: cst.DictElement, key: str) -> bool:
    return isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == key


def _kw(call: cst.Call, key: str) -> cst.BaseExpression | None:
    return next((a.value for a in call.args if a.keyword is not None and a.keyword.value == key), None)


def _truthy(module: Module, arg: cst.Arg | None, default: bool) -> bool:
    if arg is None:
        return default
    value = module.evaluate(arg.value, ())
    return value if isinstance(value, bool) else default


def strict_schema(schema: Any) -> Any:
    """What the Agents SDK sends in strict mode: closed objects, every property required, no null defaults."""
    defs = schema.get("$defs", {}) if isinstance(schema, dict) else {}

    def visit(node: Any) -> Any:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = dict(node)
        ref = node.get("$ref")
        if isinstance(ref, str) and len(node) > 1 and ref.startswith("#/$defs/"):
            target = defs.get(ref[len("#/$defs/") :])
            if isinstance(target, dict):
                del node["$ref"]
                node = {**target, **node}
        if "default" in node and node["default"] is None:
            del node["default"]
        if node.get("type") == "object":
            node.setdefault("additionalProperties", False)
            if isinstance(node.get("properties"), dict):
                node["required"] = list(node["properties"])
        for key in ("properties", "$defs"):
            if isinstance(node.get(key), dict):
                node[key] = {k: visit(v) for k, v in node[key].items()}
        for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
            if key in node:
                node[key] = visit(node[key])
        return node

    return visit(schema)


# MCP elicitation in its spellings: `ctx.elicit(...)`, `ctx.elicit_url(...)`, the session's `elicit_form(...)`
_ELICIT = match.OneOf(match.Name("elicit"), match.Name("elicit_form"), match.Name("elicit_url"))


def _elicits(fn: cst.FunctionDef) -> bool:
    """True when the tool's body asks the user through MCP elicitation (`ctx.elicit(...)`,
    `ctx.session.elicit_form(...)`, `elicit(...)`), the MCP way to ask before going on."""
    return _asks_user(fn.body)


def _asks_user(body: cst.CSTNode) -> bool:
    return bool(match.findall(body, match.Call(func=match.OneOf(match.Attribute(attr=_ELICIT), _ELICIT))))


def _compared_tool_name(test: cst.Comparison) -> str | None:
    """ "wipe" in `params.name == "wipe"` or `name == "wipe"`: the tool a `call_tool` branch handles."""
    if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, cst.Equal):
        return None
    sides = (test.left, test.comparisons[0].comparator)
    names = [n for n in sides if match.matches(n, match.Name("name") | match.Attribute(attr=match.Name("name")))]
    strings = [n for n in sides if isinstance(n, cst.SimpleString)]
    if not names or not strings:
        return None
    value = strings[0].evaluated_value
    return value if isinstance(value, str) else None
