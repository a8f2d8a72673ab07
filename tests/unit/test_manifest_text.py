"""Issue 23, the cold build's tail: manifest.json is laid out without the pure-Python JSON encoder (which any
``indent`` selects), and is the very text ``json.dumps(indent=1)`` gives: names with quotes, backslashes,
control characters, non-ASCII letters and line separators, huge sizes, no files at all, and entries of any
other shape (then json.dumps itself)."""

from __future__ import annotations

import json
import random

import pytest

from isoready.package.assemble import manifest_json

LETTERS = 'abcé"\\/\n\t\u2028\x00\x1f<>&ü日本' + "xyz" * 5


def _text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(0, most)))


@pytest.mark.parametrize("seed", range(200))
def test_the_manifest_is_the_text_json_dumps_gives(seed: int) -> None:
    rng = random.Random(seed)
    head = {"generator": "isoready", "organisation": _text(rng, 20), "as_of": "2026-12-07",
            "audience": rng.choice(["public", "auditor", "internal"]), "commit": rng.choice([None, "abc1234"])}
    entries = [{"path": _text(rng, 30), "size": rng.randint(0, 10 ** 15), "sha256": f"{rng.getrandbits(256):064x}"}
               for _ in range(rng.randint(0, 12))]
    assert manifest_json(head, entries) == json.dumps({**head, "files": entries}, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("odd", [{"path": "a", "size": True, "sha256": "x"}, {"path": "a", "size": 1.5, "sha256": "x"},
                                 {"size": 1, "path": "a", "sha256": "x"}, {"path": "a", "size": 1, "sha256": "x", "mode": 1}])
def test_an_entry_of_another_shape_goes_through_json_dumps(odd: dict) -> None:
    head = {"generator": "isoready"}
    entries = [{"path": "b", "size": 2, "sha256": "y"}, odd]
    assert manifest_json(head, entries) == json.dumps({**head, "files": entries}, indent=1, ensure_ascii=False)
