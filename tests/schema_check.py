"""Checking readiness.json against the shipped schema (a plain module: both conftest files share the name
'conftest', so helpers imported by tests live here)."""

from __future__ import annotations


def readiness_validator():
    """A jsonschema validator for the shipped schema/readiness.schema.json (format checks on)."""
    import json

    import jsonschema

    from isoready.outputs.contract import shipped_schema

    schema = json.loads(shipped_schema("readiness"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def readiness_errors(data) -> list[str]:
    """Every way ``data`` (a parsed readiness.json) breaks the schema, as 'path: message' lines."""
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                  for e in readiness_validator().iter_errors(data))
