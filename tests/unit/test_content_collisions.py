"""Issue 23, the cold build's tail: once Pelican has read the team-written pages, the build judges their paths
against the rest of the site (``assemble.content_collisions``) within the pages' own top folders only, not the
whole site's 19,000 paths again. It must find exactly what judging the whole plan again finds about them: a
page over a portal page, over an extra file or a document, in another letter case or Unicode normalisation, a
page where the site needs a folder, and the reverse, in randomised plans."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from isoready.package.assemble import Planned, content_collisions, output_collisions, planned_content

NAMES = ["pages", "Pages", "PAGES", "evidence", "files", "pages/a.html", "pages/A.html", "pages/a.html/x",
         "pages/é.html", "pages/e\u0301.html", "index.html", "pages/sub/b.html", "evidence/a.html", "pages/CON.html",
         "pages/b.html.", "files/pages/a.html"]
SLUGS = ["a", "A", "é", "e\u0301", "b", "sub", "con", "x"]


def _plan(rng: random.Random) -> tuple[list[Planned], list[SimpleNamespace]]:
    plan = []
    for n in range(rng.randint(0, 8)):
        path = rng.choice(NAMES)
        kind = rng.choice(["portal", "extra", "document"])
        plan.append(Planned(path) if kind == "portal" else
                    Planned(path, f"content/extra/{path}", 1, "extra file") if kind == "extra" else
                    Planned(path, f"evidence/doc{n}.md", 1, f"document 'doc{n}.md'"))
    content = [SimpleNamespace(url=f"pages/{slug}.html", source=f"content/pages/p{n}.md")
               for n, slug in enumerate(rng.sample(SLUGS, rng.randint(1, 3)))]
    return plan, content


@pytest.mark.parametrize("seed", range(300))
def test_the_pages_are_judged_as_the_whole_plan_would_judge_them(seed: int) -> None:
    """As in a build: the plan without the pages was judged first and passed; then the pages are added."""
    rng = random.Random(seed)
    plan, content = _plan(rng)
    while output_collisions(plan):
        plan, content = _plan(rng)
    assert content_collisions(plan, content) == output_collisions(plan + planned_content(content))


def test_the_randomised_plans_find_collisions_of_every_kind() -> None:
    found = set()
    for seed in range(300):
        rng = random.Random(seed)
        plan, content = _plan(rng)
        while output_collisions(plan):
            plan, content = _plan(rng)
        found |= {d.code for d in content_collisions(plan, content)}
    assert {"E307", "E320", "E321", "E324"} <= found, found


def test_an_extra_file_in_the_pages_folder_is_found_once_a_page_is_there() -> None:
    plan = [Planned("index.html"), Planned("pages/Audit.html", "content/extra/pages/Audit.html", 1, "extra file")]
    page = SimpleNamespace(url="pages/audit.html", source="content/pages/audit.md")
    found = content_collisions(plan, [page])
    assert [d.code for d in found] == ["E320"] and found == output_collisions(plan + planned_content([page]))
    assert found[0].path == "content/extra/pages/Audit.html" and "would replace the portal's own" in found[0].message
    assert content_collisions(plan, []) == []
