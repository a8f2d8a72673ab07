"""Whether a parsed readiness.json meets the output contract (contract.readiness_schema), without a JSON Schema
library at run time: the contract uses a small part of JSON Schema (type, enum, const, properties, required,
additionalProperties, items, propertyNames, pattern, minimum, maximum), and this checks exactly that part.
``rollup`` reads other builds' files through it, so it never raises on what a file holds and stops at the first
few problems (tests/unit/test_rollup.py holds it to jsonschema's verdicts)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from isoready.outputs.contract import readiness_schema

_TYPES = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "null": (type(None),),
          "integer": (int,), "number": (int, float)}
Check = Callable[[Any, tuple, list], None]
_ENOUGH = 20


def _where(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the top level"


def _hashable(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _same(a: Any, b: Any) -> bool:
    return a == b and type(a) is type(b)


def _compile(schema: dict) -> Check:
    """One schema node as a function (value, path, problems): compiled once, so that 500 files of a group take
    a fraction of a second each rather than walking the schema's dicts for every value."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    types = tuple(t for k in kinds or () for t in _TYPES[k])
    bool_ok = kinds is None or "boolean" in kinds
    const = schema.get("const", _TYPES)
    enum = {(type(e), e) for e in schema["enum"]} if "enum" in schema else None
    pattern = re.compile(schema["pattern"]).search if "pattern" in schema else None
    low, high = schema.get("minimum"), schema.get("maximum")
    items = _compile(schema["items"]) if "items" in schema else None
    props = {k: _compile(v) for k, v in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    extra = _compile(extra) if isinstance(extra, dict) else extra
    names = _compile(schema["propertyNames"]) if "propertyNames" in schema else None
    wording = " or ".join(kinds or ())

    def check(value: Any, path: tuple, out: list) -> None:
        if types and (not isinstance(value, types) or (isinstance(value, bool) and not bool_ok)):
            out.append(f"{_where(path)} should be {wording}")
            return
        if const is not _TYPES and not _same(value, const):
            out.append(f"{_where(path)} should be {const!r}")
            return
        if enum is not None and (not _hashable(value) or (type(value), value) not in enum):
            out.append(f"{_where(path)} is not one of the allowed values")
            return
        if pattern is not None and isinstance(value, str) and not pattern(value):
            out.append(f"{_where(path)} does not have the expected form")
        if (low is not None or high is not None) and isinstance(value, (int, float)) and not isinstance(value, bool):
            if low is not None and value < low:
                out.append(f"{_where(path)} is below {low}")
            if high is not None and value > high:
                out.append(f"{_where(path)} is above {high}")
        if items is not None and isinstance(value, list):
            for i, item in enumerate(value):
                items(item, path + (i,), out)
                if len(out) > _ENOUGH:  # a hostile file's million bad items: the first few are enough
                    return
        if isinstance(value, dict):
            for key in required:
                if key not in value:
                    out.append(f"{_where(path)} lacks the key '{key}'")
            for key, item in value.items():
                if names is not None:
                    names(key, path + ("*",), out)
                own = props.get(key)
                if own is not None:
                    own(item, path + (key,), out)
                elif extra is False:
                    out.append(f"{_where(path)} has a key the contract does not know")
                elif extra is not True:
                    extra(item, path + ("*",), out)

    return check


@lru_cache(maxsize=1)
def _checker() -> Check:
    return _compile(readiness_schema())


def contract_problems(data: Any, limit: int = 3) -> list[str]:
    """At most ``limit`` ways ``data`` (parsed JSON) breaks the readiness.json contract; [] when it meets it.
    Keys named in a message are the contract's own, never the file's (a file's text is not echoed)."""
    out: list[str] = []
    _checker()(data, (), out)
    return out[:limit]
