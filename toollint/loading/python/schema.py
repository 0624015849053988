"""Python type annotations, pydantic models and docstrings turned into the JSON Schema pydantic would generate.

The frameworks (FastMCP, LangChain, the OpenAI Agents SDK) all build a pydantic model from a function's
signature and send its `model_json_schema()`; reproducing that output statically — titles, `anyOf` with
`null` for optionals, `$defs` for nested models and enums — means the rules see what the model will see.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, NamedTuple

import libcst as cst

from toollint.diagnostics import Pointer
from toollint.loading.python.source import Module, Unresolved

_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "bytes": {"format": "binary", "type": "string"},
    "None": {"type": "null"},
    "NoneType": {"type": "null"},
    "datetime.datetime": {"format": "date-time", "type": "string"},
    "datetime.date": {"format": "date", "type": "string"},
    "datetime.time": {"format": "time", "type": "string"},
    "datetime.timedelta": {"format": "duration", "type": "string"},
    "uuid.UUID": {"format": "uuid", "type": "string"},
    "pathlib.Path": {"format": "path", "type": "string"},
    "pydantic.EmailStr": {"format": "email", "type": "string"},
    "pydantic.AnyUrl": {"format": "uri", "minLength": 1, "type": "string"},
    "pydantic.HttpUrl": {"format": "uri", "maxLength": 2083, "minLength": 1, "type": "string"},
}
_TYPING = ("typing.", "typing_extensions.", "collections.abc.", "collections.")
_LISTS = {"list", "List", "Sequence", "MutableSequence", "Iterable", "Collection", "Iterator", "deque"}
_SETS = {"set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"}
_DICTS = {"dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "DefaultDict", "defaultdict"}
_MODEL_BASES = {"pydantic.BaseModel", "BaseModel"}
_ENUM_BASES = {"enum.Enum", "enum.StrEnum", "enum.IntEnum", "Enum", "StrEnum", "IntEnum"}
_LENGTHS = {
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}
_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
}
_CONSTRAINT_SOURCES = {
    **{value: key for key, value in _BOUNDS.items()},
    **{name: "min_length" for name, _ in _LENGTHS.values()},
    **{name: "max_length" for _, name in _LENGTHS.values()},
    "pattern": "pattern",
}


class Built(NamedTuple):
    """A schema and whether it is a reference (pydantic sets no field title on references)."""

    schema: dict[str, Any]
    is_ref: bool = False


class FieldSpec(NamedTuple):
    """What `Field(...)` calls and `Annotated` strings say about one field."""

    keywords: dict[str, Any]
    nodes: dict[str, cst.CSTNode]
    has_default: bool
    strings: tuple[str, ...] = ()
    unread: tuple[Unresolved, ...] = ()  # metadata names whose `Field(...)` toollint cannot see


def _short(qualified: str) -> str:
    for prefix in _TYPING:
        if qualified.startswith(prefix):
            return qualified[len(prefix) :]
    return qualified


def field_title(name: str) -> str:
    return name.title().replace("_", " ")


class SchemaBuilder:
    """Builds field schemas for one tool; nested models and enums go to `defs` like pydantic's `$defs`."""

    def __init__(self, module: Module, defs_pointer: Pointer) -> None:
        self.module = module
        self.defs: dict[str, Any] = {}
        self.defs_pointer = defs_pointer
        self._building: set[str] = set()

    # -- annotations ---------------------------------------------------------------------------------------

    def annotation(self, node: cst.BaseExpression, pointer: Pointer) -> Built | Unresolved:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = self.module.string(node)
            if isinstance(text, Unresolved):
                return text
            try:
                node = cst.parse_expression(text)  # a forward reference: "Address"
            except cst.ParserSyntaxError:
                return Unresolved(node, f"the forward reference `{text}` is not an expression")
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._union(_union_members(node), pointer)
        if isinstance(node, cst.Subscript):
            return self._generic(node, pointer)
        qualified = self.module.qualified(node)
        if qualified is None:
            return Unresolved(node, f"the annotation `{self.module.source(node)}` is not a type name")
        if qualified in self.module.classes and "." not in qualified:
            return self._class(self.module.classes[qualified], pointer)
        short = _short(qualified)
        if qualified in _SCALARS or short in _SCALARS:
            return Built(dict(_SCALARS.get(qualified) or _SCALARS[short]))
        if short == "Any" or qualified == "object":
            return Built({})
        if short in _LISTS or short == "tuple" or short == "Tuple":
            return Built({"items": {}, "type": "array"})
        if short in _SETS:
            return Built({"items": {}, "type": "array", "uniqueItems": True})
        if short in _DICTS:
            return Built({"additionalProperties": True, "type": "object"})
        return Unresolved(node, f"`{self.module.source(node)}` is not defined in this file")

    def _generic(self, node: cst.Subscript, pointer: Pointer) -> Built | Unresolved:
        qualified = self.module.qualified(node.value) or ""
        short = _short(qualified)
        args = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if len(args) != len(node.slice) or not args:
            return Unresolved(node, f"`{self.module.source(node)}` is not a type")
        if short == "Optional":
            return self._union([args[0], cst.Name("None")], pointer)
        if short == "Union":
            return self._union(args, pointer)
        if short == "Literal":
            return self._literal(args, node)
        if short == "Annotated":
            spec = self.metadata(args[1:])
            inner = self.annotation(args[0], pointer)
            return inner if isinstance(inner, Unresolved) else self.constrain(inner, spec)
        if short in _LISTS or short in _SETS:
            items = self.annotation(args[0], pointer)
            if isinstance(items, Unresolved):
                return items
            schema: dict[str, Any] = {"items": items.schema, "type": "array"}
            if short in _SETS:
                schema["uniqueItems"] = True
            return Built(schema)
        if short in ("tuple", "Tuple"):
            return self._tuple(args, pointer)
        if short in _DICTS and len(args) == 2:
            values = self.annotation(args[1], pointer)
            if isinstance(values, Unresolved):
                return values
            return Built({"additionalProperties": values.schema or True, "type": "object"})
        return Unresolved(node, f"`{self.module.source(node)}` is not a type toollint can translate")

    def _union(self, members: list[cst.BaseExpression], pointer: Pointer) -> Built | Unresolved:
        built: list[Built] = []
        nullable = False
        for member in members:
            result = self.annotation(member, pointer)
            if isinstance(result, Unresolved):
                return result
            if result.schema == {"type": "null"}:
                nullable = True
            else:
                built.append(result)
        if not built:
            return Built({"type": "null"})
        options = [b.schema for b in built] + ([{"type": "null"}] if nullable else [])
        if len(options) == 1:
            return built[0]
        return Built({"anyOf": options}, len(built) == 1 and built[0].is_ref)

    def _literal(self, args: list[cst.BaseExpression], node: cst.CSTNode) -> Built | Unresolved:
        values = []
        for arg in args:
            value = self.module.evaluate(arg, ())
            if isinstance(value, Unresolved) or isinstance(value, (list, dict)):
                return Unresolved(node, f"`{self.module.source(node)}` holds values that are not literals")
            values.append(value)
        kinds = {_json_type(v) for v in values}
        schema: dict[str, Any] = {"const": values[0]} if len(values) == 1 else {"enum": values}
        if len(kinds) == 1:
            schema["type"] = kinds.pop()
        return Built(schema)

    def _tuple(self, args: list[cst.BaseExpression], pointer: Pointer) -> Built | Unresolved:
        if len(args) == 2 and isinstance(args[1], cst.Ellipsis):
            items = self.annotation(args[0], pointer)
            return items if isinstance(items, Unresolved) else Built({"items": items.schema, "type": "array"})
        prefix = []
        for arg in args:
            item = self.annotation(arg, pointer)
            if isinstance(item, Unresolved):
                return item
            prefix.append(item.schema)
        return Built({"maxItems": len(prefix), "minItems": len(prefix), "prefixItems": prefix, "type": "array"})

    # -- classes: pydantic models and enums ---------------------------------------------------------------

    def is_model(self, cls: cst.ClassDef) -> bool:
        return self._has_base(cls, _MODEL_BASES, set())

    def _has_base(self, cls: cst.ClassDef, wanted: set[str], seen: set[str]) -> bool:
        seen.add(cls.name.value)
        for base in cls.bases:
            qualified = self.module.qualified(base.value) or ""
            if qualified in wanted:
                return True
            local = self.module.classes.get(qualified)
            if local is not None and qualified not in seen and self._has_base(local, wanted, seen):
                return True
        return False

    def _class(self, cls: cst.ClassDef, pointer: Pointer) -> Built | Unresolved:
        name = cls.name.value
        if self._has_base(cls, _ENUM_BASES, set()):
            if name not in self.defs:
                found = self.enum_schema(cls)
                if isinstance(found, Unresolved):
                    return found
                self.defs[name] = found
                self.module.place(self.defs_pointer + (name,), cls.name)
            return Built({"$ref": f"#/$defs/{name}"}, True)
        if self.is_model(cls):
            if name not in self.defs and name not in self._building:
                self._building.add(name)
                self.defs[name] = self.model_schema(cls, self.defs_pointer + (name,))
                self._building.discard(name)
            return Built({"$ref": f"#/$defs/{name}"}, True)
        return Unresolved(cls.name, f"the class `{name}` is neither a pydantic model nor an enum")

    def enum_schema(self, cls: cst.ClassDef) -> dict[str, Any] | Unresolved:
        values = []
        for _, value in self._class_assignments(cls):
            if value is None:
                continue
            evaluated = self.module.evaluate(value, ())
            if isinstance(evaluated, Unresolved):
                return evaluated
            values.append(evaluated)
        schema: dict[str, Any] = {"enum": values, "title": cls.name.value}
        kinds = {_json_type(v) for v in values}
        if len(kinds) == 1:
            schema["type"] = kinds.pop()
        doc = class_docstring(cls)
        if doc:
            schema["description"] = doc
        return schema

    def enum_member(self, node: cst.BaseExpression) -> Any:
        """`Color.RED` -> the member's value, for defaults."""
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            cls = self.module.classes.get(node.value.value)
            if cls is not None and self._has_base(cls, _ENUM_BASES, set()):
                for target, value in self._class_assignments(cls):
                    if target.value == node.attr.value and value is not None:
                        return self.module.evaluate(value, ())
        return Unresolved(node, f"`{self.module.source(node)}` is not a literal")

    def _class_assignments(self, cls: cst.ClassDef) -> list[tuple[cst.Name, cst.BaseExpression | None]]:
        found: list[tuple[cst.Name, cst.BaseExpression | None]] = []
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else [cls.body]
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        found.append((target, small.value))
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    found.append((small.target, small.value))
        return found

    def model_fields(self, cls: cst.ClassDef) -> list[tuple[cst.AnnAssign, cst.Name]]:
        fields: list[tuple[cst.AnnAssign, cst.Name]] = []
        for base in cls.bases:
            local = self.module.classes.get(self.module.qualified(base.value) or "")
            if local is not None and local is not cls and self.is_model(local):
                fields.extend(self.model_fields(local))
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else []
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        qualified = _short(self.module.qualified(_outer(small.annotation.annotation)) or "")
                        if qualified != "ClassVar" and not small.target.value.startswith("_"):
                            fields = [f for f in fields if f[1].value != small.target.value]
                            fields.append((small, small.target))
        return fields

    def model_schema(self, cls: cst.ClassDef, pointer: Pointer) -> dict[str, Any]:
        self.module.place(pointer, cls.name)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for statement, target in self.model_fields(cls):
            name = target.value
            spec = self.field_spec(statement.value)
            name, field_schema, is_required = self.field(
                name, statement.annotation.annotation, spec, pointer + ("properties",), target
            )
            properties[name] = field_schema
            if is_required:
                required.append(name)
        schema: dict[str, Any] = {"properties": properties}
        if required:
            schema["required"] = required
        schema["title"] = cls.name.value
        schema["type"] = "object"
        doc = class_docstring(cls)
        if doc:
            schema["description"] = doc
        if self._forbids_extra(cls):
            schema["additionalProperties"] = False
        return schema

    def _forbids_extra(self, cls: cst.ClassDef) -> bool:
        for target, value in self._class_assignments(cls):
            if target.value == "model_config" and isinstance(value, (cst.Call, cst.Dict)):
                config = self.module.keywords(value) if isinstance(value, cst.Call) else self.module.evaluate(value, ())
                return isinstance(config, dict) and config.get("extra") == "forbid"
        return False

    # -- fields --------------------------------------------------------------------------------------------

    def field_spec(self, default: cst.BaseExpression | None, metadata: tuple[FieldSpec, ...] = ()) -> FieldSpec:
        """Merge `Annotated` metadata with the assigned default or `Field(...)` (which wins)."""
        keywords: dict[str, Any] = {}
        nodes: dict[str, cst.CSTNode] = {}
        strings: tuple[str, ...] = ()
        unread: tuple[Unresolved, ...] = ()
        has_default = False
        for spec in metadata:
            keywords.update(spec.keywords)
            nodes.update(spec.nodes)
            strings += spec.strings
            unread += spec.unread
            has_default = has_default or spec.has_default
        if default is not None:
            if self._is_field_call(default):
                assert isinstance(default, cst.Call)
                spec = self._field_call(default)
                keywords.update(spec.keywords)
                nodes.update(spec.nodes)
                has_default = has_default or spec.has_default
            else:
                keywords["default"] = default
                nodes["default"] = default
                has_default = True
        return FieldSpec(keywords, nodes, has_default, strings, unread)

    def metadata(self, items: list[cst.BaseExpression]) -> FieldSpec:
        specs: list[FieldSpec] = []
        strings: list[str] = []
        unread: list[Unresolved] = []
        for item in items:
            if isinstance(item, cst.Name) and item.value in self.module.constants:
                held = self.module.constants[item.value]  # `FIELD = Field(description=...)` shared by parameters
                if self._is_field_call(held):
                    item = held
            elif isinstance(item, (cst.Name, cst.Attribute)) and self._may_be_field(item):
                unread.append(
                    Unresolved(
                        item,
                        f"`{self.module.source(item)}` is imported from `{_origin_module(self.module, item)}`, which "
                        "toollint does not read; the parameter's description and constraints are unknown",
                    )
                )
            if self._is_field_call(item):
                assert isinstance(item, cst.Call)
                specs.append(self._field_call(item))
            elif isinstance(item, (cst.SimpleString, cst.ConcatenatedString)):
                text = self.module.string(item)
                if isinstance(text, str):
                    strings.append(text)
        merged = self.field_spec(None, tuple(specs))
        return merged._replace(strings=tuple(strings), unread=merged.unread + tuple(unread))

    def _may_be_field(self, item: cst.Name | cst.Attribute) -> bool:
        """An imported name in `Annotated[...]` metadata that is not a known marker: likely a shared `Field`."""
        qualified = self.module.qualified(item) or ""
        head = _dotted_head(item) or ""
        if head not in self.module.imports:
            return False
        return not qualified.startswith(("pydantic.", "typing", "annotated_types.", "langchain", "fastmcp.", "mcp."))

    def _is_field_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and (self.module.qualified(node.func) or "") in ("pydantic.Field", "Field")

    def _field_call(self, call: cst.Call) -> FieldSpec:
        keywords: dict[str, Any] = {}
        nodes: dict[str, cst.CSTNode] = {}
        for position, arg in enumerate(call.args):
            key = arg.keyword.value if arg.keyword is not None else ("default" if position == 0 else None)
            if key is None:
                continue
            keywords[key] = arg.value
            nodes[key] = arg.keyword or arg.value
        default = keywords.get("default")
        has_default = (default is not None and not isinstance(default, cst.Ellipsis)) or "default_factory" in keywords
        if isinstance(default, cst.Ellipsis):
            del keywords["default"]
        return FieldSpec(keywords, nodes, has_default)

    def constrain(self, built: Built, spec: FieldSpec) -> Built:
        """Put `Field` constraints on the schema they constrain: the non-null branch of an optional."""
        target = built.schema
        options = target.get("anyOf")
        if isinstance(options, list):
            non_null = [o for o in options if o != {"type": "null"}]
            if len(non_null) == 1:
                target = non_null[0]
        for key, node in spec.keywords.items():
            if key in _BOUNDS:
                value = self.module.evaluate(node, ())
                if not isinstance(value, Unresolved):
                    target[_BOUNDS[key]] = value
            elif key in ("min_length", "max_length"):
                names = _LENGTHS.get(target.get("type", ""))
                value = self.module.evaluate(node, ())
                if names and not isinstance(value, Unresolved):
                    target[names[key == "max_length"]] = value
            elif key == "pattern":
                value = self.module.evaluate(node, ())
                if isinstance(value, str):
                    target["pattern"] = value
        return built

    def field(
        self,
        name: str,
        annotation: cst.BaseExpression | None,
        spec: FieldSpec,
        properties_pointer: Pointer,
        name_node: cst.CSTNode,
        description: str | None = None,
        description_node: cst.CSTNode | None = None,
    ) -> tuple[str, dict[str, Any], bool]:
        """(property name, property schema, required) for one field or function parameter."""
        module = self.module
        alias = spec.keywords.get("alias")
        if alias is not None:
            alias_value = module.evaluate(alias, ())
            name = alias_value if isinstance(alias_value, str) else name
        pointer = properties_pointer + (name,)
        module.place(pointer, name_node, name_node)
        if annotation is None:
            built: Built | Unresolved = Built({})
        else:
            if (
                isinstance(annotation, cst.Subscript)
                and _short(module.qualified(annotation.value) or "") == "Annotated"
            ):
                args = [e.slice.value for e in annotation.slice if isinstance(e.slice, cst.Index)]
                spec = self.field_spec(None, (self.metadata(args[1:]), spec))
                annotation = args[0]
            built = self.annotation(annotation, pointer)
            module.place(pointer + ("type",), annotation)
        if isinstance(built, Unresolved):
            module.unresolved(pointer, built)
            built = Built({})
        built = self.constrain(Built(dict(built.schema), built.is_ref), spec)
        schema = built.schema
        for unread in spec.unread:  # its description and bounds may be there: findings would be guesses
            module.unresolved(pointer, unread)
            if description is None and "description" not in spec.keywords:
                schema["description"] = ""
                module.place(pointer + ("description",), unread.node)
        for key, source in _CONSTRAINT_SOURCES.items():
            if source in spec.nodes:
                module.place(pointer + (key,), spec.nodes[source])
        title_node = spec.keywords.get("title")
        title = module.evaluate(title_node, ()) if title_node is not None else None
        if isinstance(title, str):
            schema["title"] = title
        elif not built.is_ref:
            schema["title"] = field_title(name)
        text = description
        if "description" in spec.keywords:
            value = module.string(spec.keywords["description"])
            if isinstance(value, Unresolved):
                module.unresolved(pointer + ("description",), value)
                value = ""
            text = value if description is None else description
            description_node = description_node or spec.nodes["description"]
        if text is not None:
            schema["description"] = text
            if description_node is not None:
                module.place(pointer + ("description",), description_node)
        for key in ("examples",):
            if key in spec.keywords:
                value = module.evaluate(spec.keywords[key], pointer + (key,))
                if not isinstance(value, Unresolved):
                    schema[key] = value
        extra = spec.keywords.get("json_schema_extra")
        if extra is not None:
            value = module.evaluate(extra, pointer)
            if isinstance(value, dict):
                schema.update(value)
        if "default" in spec.keywords:
            default = self.default_value(spec.keywords["default"])
            if isinstance(default, Unresolved):
                module.unresolved(pointer + ("default",), default)
            else:
                schema["default"] = default
                module.place(pointer + ("default",), spec.keywords["default"])
        return name, schema, not spec.has_default

    def default_value(self, node: cst.BaseExpression) -> Any:
        value = self.module.evaluate(node, ())
        if isinstance(value, Unresolved) and isinstance(node, cst.Attribute):
            value = self.enum_member(node)
        return value


def _origin_module(module: Module, node: cst.Name | cst.Attribute) -> str:
    head = _dotted_head(node) or ""
    origin = module.imports.get(head, head)
    return origin.removesuffix(f".{head}") or origin


def _dotted_head(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _outer(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.value if isinstance(node, cst.Subscript) else node


def _union_members(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def raw_docstring(node: cst.FunctionDef | cst.ClassDef) -> tuple[str, cst.CSTNode] | None:
    """The docstring as Python stores it in `__doc__` (not cleaned), and its node."""
    body = node.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    first = body.body[0]
    if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr):
        value = first.body[0].value
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            text = value.evaluated_value
            if isinstance(text, str):
                return text, value
    return None


def class_docstring(cls: cst.ClassDef) -> str | None:
    found = raw_docstring(cls)
    return inspect.cleandoc(found[0]) if found else None


# -- docstring sections ----------------------------------------------------------------------------------

_GOOGLE_PARAMS = {"args", "arguments", "params", "parameters", "keyword args", "keyword arguments", "kwargs"}
_GOOGLE_SECTIONS = _GOOGLE_PARAMS | {
    "returns",
    "return",
    "raises",
    "raise",
    "yields",
    "yield",
    "examples",
    "example",
    "note",
    "notes",
    "warning",
    "warnings",
    "attributes",
    "other parameters",
    "see also",
    "references",
    "todo",
}
_GOOGLE_HEADER = re.compile(r"^\s*([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ENTRY = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_HEADER = re.compile(
    r"^\s*(Parameters|Other Parameters|Returns|Yields|Raises|See Also|Notes|Examples|Attributes)\s*\n\s*-{3,}\s*$", re.M
)
_SPHINX_FIELD = re.compile(r"^:(param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?(\*{0,2}\w+)\s*:\s*(.*)$")


def docstring_style(doc: str) -> str:
    if re.search(r"^\s*:(param|type|returns?|raises)\b", doc, re.M):
        return "sphinx"
    if _NUMPY_HEADER.search(doc):
        return "numpy"
    return "google"


class ParsedDocstring(NamedTuple):
    description: str
    parameters: dict[str, str]
    lines: dict[str, int]  # parameter -> 0-based line of its entry in the cleaned docstring


def parse_docstring(doc: str, style: str | None = None) -> ParsedDocstring:
    """The summary text before the first section, and each parameter's description (a cleaned docstring)."""
    style = style or docstring_style(doc)
    lines = doc.split("\n")
    if style == "sphinx":
        return _sphinx(lines)
    if style == "numpy":
        return _numpy(lines)
    return _google(lines)


def _google(lines: list[str]) -> ParsedDocstring:
    text: list[str] = []
    params: dict[str, str] = {}
    where: dict[str, int] = {}
    i = 0
    in_text = True
    while i < len(lines):
        header = _GOOGLE_HEADER.match(lines[i])
        if header and header.group(1).strip().lower() in _GOOGLE_SECTIONS:
            in_text = False
            indent = _indent(lines[i])
            is_params = header.group(1).strip().lower() in _GOOGLE_PARAMS
            i += 1
            entry_indent: int | None = None
            current: str | None = None
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
                line = lines[i]
                if line.strip() and is_params:
                    if entry_indent is None:
                        entry_indent = _indent(line)
                    match = _GOOGLE_ENTRY.match(line.strip())
                    if _indent(line) == entry_indent and match:
                        current = match.group(1).lstrip("*")
                        params[current] = match.group(2).strip()
                        where[current] = i
                    elif current is not None:
                        params[current] = (params[current] + "\n" + line.strip()).strip()
                i += 1
            continue
        if in_text:
            text.append(lines[i])
        i += 1
    return ParsedDocstring("\n".join(text).strip(), params, where)


def _numpy(lines: list[str]) -> ParsedDocstring:
    text: list[str] = []
    params: dict[str, str] = {}
    where: dict[str, int] = {}
    i = 0
    in_text = True
    while i < len(lines):
        if i + 1 < len(lines) and re.match(r"^\s*-{3,}\s*$", lines[i + 1]) and lines[i].strip():
            in_text = False
            section = lines[i].strip().lower()
            indent = _indent(lines[i])
            i += 2
            current: str | None = None
            while i < len(lines) and not (
                i + 1 < len(lines) and re.match(r"^\s*-{3,}\s*$", lines[i + 1]) and lines[i].strip()
            ):
                line = lines[i]
                if section in ("parameters", "other parameters") and line.strip():
                    if _indent(line) == indent:
                        current = line.split(":")[0].strip().lstrip("*")
                        params[current] = ""
                        where[current] = i
                    elif current is not None:
                        params[current] = (params[current] + "\n" + line.strip()).strip()
                i += 1
            continue
        if in_text:
            text.append(lines[i])
        i += 1
    return ParsedDocstring("\n".join(text).strip(), params, where)


def _sphinx(lines: list[str]) -> ParsedDocstring:
    text: list[str] = []
    params: dict[str, str] = {}
    where: dict[str, int] = {}
    current: str | None = None
    in_text = True
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(":"):
            in_text = False
            match = _SPHINX_FIELD.match(stripped)
            current = match.group(2).lstrip("*") if match else None
            if match and current is not None:
                params[current] = match.group(3).strip()
                where[current] = i
            continue
        if in_text:
            text.append(line)
        elif current is not None and stripped:
            params[current] = (params[current] + "\n" + stripped).strip()
    return ParsedDocstring("\n".join(text).strip(), params, where)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
