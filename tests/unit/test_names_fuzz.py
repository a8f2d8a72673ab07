"""Hypothesis over the new name paths (issue 14): any file name or id text gives a default id, a verdict or a
diagnostic, never an exception; a default id that is valid is NFC and free of what ids may not hold."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoready.validate.checks import name_problem
from isoready.read.records import ID_RE, default_id_for

NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"), min_size=1, max_size=80)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, min_size=1, max_size=3))
def test_default_ids_are_clean_or_refused_never_a_crash(parts: list[str]) -> None:
    an_id = default_id_for("/".join(parts))
    assert an_id == unicodedata.normalize("NFC", an_id) or not ID_RE.match(an_id)
    if ID_RE.match(an_id):
        assert not any(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs") for ch in an_id)
        assert all(part and part[0].isalnum() for part in an_id.split("/"))


@settings(max_examples=600, deadline=None)
@given(NAMES)
def test_every_name_gets_a_verdict(name: str) -> None:
    problem = name_problem(name)
    if any(unicodedata.category(ch) == "Cf" for ch in name):
        assert problem is not None and problem[0] == "E322"
    if problem is None:
        assert len(name.encode("utf-8")) <= 255 and not name.endswith((".", " "))
