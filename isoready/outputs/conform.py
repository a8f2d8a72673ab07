"""Whether a parsed readiness.json meets the output contract (contract.readiness_schema), without a JSON Schema
library at run time: the contract uses a small part of JSON Schema (type, enum, const, properties, required,
additionalProperties, items, propertyNames, pattern, minimum, maximum), and this checks exactly that part.
``rollup`` reads other builds' files through it, so it never raises on what a file holds and stops at the first
few problems (tests/unit/test_rollup.py holds it to jsonschema's verdicts)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from isoready.outputs.contract import readiness_schema

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


@lru_cache(maxsize=None)
def _pattern(text: str) -> "re.Pattern[str]":
    return re.compile(text)


def _where(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the top level"


def _check(value: Any, schema: dict, path: tuple, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            out.append(f"{_where(path)} should be {' or '.join(kinds)}")
            return
    if "const" in schema and not (value == schema["const"] and type(value) is type(schema["const"])):
        out.append(f"{_where(path)} should be {schema['const']!r}")
        return
    if "enum" in schema and not any(value == e and type(value) is type(e) for e in schema["enum"]):
        out.append(f"{_where(path)} is not one of the allowed values")
        return
    if isinstance(value, str) and "pattern" in schema and not _pattern(schema["pattern"]).search(value):
        out.append(f"{_where(path)} does not have the expected form")
    if _is(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{_where(path)} is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{_where(path)} is above {schema['maximum']}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], path + (i,), out, limit)
    if isinstance(value, dict):
        _check_object(value, schema, path, out, limit)


def _check_object(value: dict, schema: dict, path: tuple, out: list[str], limit: int) -> None:
    props = schema.get("properties", {})
    for key in schema.get("required", ()):
        if key not in value:
            out.append(f"{_where(path)} lacks the key '{key}'")
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames")
    for key, item in value.items():
        if names is not None:
            _check(key, names, path + ("*",), out, limit)
        if key in props:
            _check(item, props[key], path + (key,), out, limit)
        elif extra is False:
            out.append(f"{_where(path)} has a key the contract does not know")
        elif isinstance(extra, dict):
            _check(item, extra, path + ("*",), out, limit)


@lru_cache(maxsize=1)
def _schema() -> dict:
    return readiness_schema()


def contract_problems(data: Any, limit: int = 3) -> list[str]:
    """At most ``limit`` ways ``data`` (parsed JSON) breaks the readiness.json contract; [] when it meets it.
    Keys named in a message are the contract's own, never the file's (a file's text is not echoed)."""
    out: list[str] = []
    _check(data, _schema(), (), out, limit)
    return out[:limit]
