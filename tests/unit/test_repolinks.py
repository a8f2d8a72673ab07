"""From the portal back to the files (issue 22): organisation.yaml ``repository:``, the Edit / View file links,
"Add evidence" with a ready record on every gap, and which builds show them."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from isoready.cli import main
from isoready.model import Repository
from isoready.read.repolinks import add_months, evidence_template, for_audience

AS_OF = "2026-11-01"
GITHUB = "repository:\n  url: https://github.com/acme/qms\n  branch: main\n"


def links(**kw):
    made = for_audience(Repository(**{"url": "https://github.com/acme/qms", **kw}), "internal")
    assert made is not None
    return made


# --------------------------------------------------------------------------- URL forms


def test_github_forms():
    lk = links()
    assert lk.edit("evidence/qa/policy.yaml") == "https://github.com/acme/qms/edit/main/evidence/qa/policy.yaml"
    assert lk.view("evidence/qa/policy.yaml") == "https://github.com/acme/qms/blob/main/evidence/qa/policy.yaml"
    assert lk.new("evidence/qa", "a b.yaml", "title: x\n") == \
        "https://github.com/acme/qms/new/main/evidence/qa?filename=a%20b.yaml&value=title%3A%20x%0A"


def test_gitlab_forms_and_a_self_managed_gitlab():
    lk = links(url="https://gitlab.com/acme/qms", branch="release/2026")
    assert lk.edit("content/clauses/x.yaml") == "https://gitlab.com/acme/qms/-/edit/release/2026/content/clauses/x.yaml"
    assert lk.view("content/clauses/x.yaml") == "https://gitlab.com/acme/qms/-/blob/release/2026/content/clauses/x.yaml"
    assert links(url="https://gitlab.acme.example/q/qms").new("evidence", "n.yaml", "a: 1") == \
        "https://gitlab.acme.example/q/qms/-/new/main/evidence?file_name=n.yaml&content=a%3A%201"


def test_patterns_for_another_host_relative_or_full_and_a_project_folder():
    lk = links(url="https://git.example.org/qms", edit_uri="src/{branch}/{path}?mode=edit",
               new_uri="https://git.example.org/qms/_new/{branch}/{folder}/?filename={filename}&value={content}",
               folder="quality/register")
    assert lk.edit("evidence/x.yaml") == "https://git.example.org/qms/src/main/quality/register/evidence/x.yaml?mode=edit"
    assert lk.view("evidence/x.yaml") == ""  # no view_uri and no built-in form: no View file link
    assert lk.new("evidence", "n.yaml", "t") == \
        "https://git.example.org/qms/_new/main/quality/register/evidence/?filename=n.yaml&value=t"
    assert for_audience(Repository(url="https://git.example.org/qms"), "internal") is None  # nothing to make


def test_hostile_values_stay_data():
    lk = links(branch='a"b<c>#?&d')
    path = 'evidence/"><script>alert(1)</script>/x?y=1#z&value=EVIL/../ü .yaml'
    for url in (lk.edit(path), lk.view(path)):
        rest = url.split("/main", 1)[-1] if "/main" in url else url[len("https://github.com/acme/qms/"):]
        assert not re.search(r'[\s"<>#?&]', rest), url  # nothing ends the address, the attribute or the path
        assert unquote(url).endswith(path)  # and the path is all there, as data
    new = lk.new('evidence/"><x', 'n"&value=EVIL#.yaml', 'a&filename=../../.github/x#"<')
    query = parse_qs(urlsplit(new).query)
    assert query == {"filename": ['n"&value=EVIL#.yaml'], "value": ['a&filename=../../.github/x#"<']}
    assert not re.search(r'[\s"<>#]', new)


# --------------------------------------------------------------------------- validation


def _validate(root: Path, capsys) -> tuple[int, list[str]]:
    code = main(["validate", "--root", str(root), "--as-of", AS_OF])
    return code, capsys.readouterr().out.splitlines()


def _set(root: Path, text: str) -> None:
    org = root / "content" / "organisation.yaml"
    org.write_text(org.read_text() + text)


@pytest.mark.parametrize("url, why", [
    ("javascript:alert(1)", "it is not an http or https address with a host"),
    ("https://", "it is not an http or https address with a host"),
    ("https://ci:ghp_secret@github.com/acme/qms", "it holds a user name or password, which the portal would publish"),
    ('https://github.com/acme/qms"onmouseover=x', "it holds a space, quote or other character an address cannot hold"),
    ("https://github.com/acme/qms?tab=1", "it holds a query or '#' part"),
])
def test_a_url_that_cannot_be_used_is_e340(minimal_project, capsys, url, why):
    _set(minimal_project, f"repository:\n  url: '{url}'\n")
    code, out = _validate(minimal_project, capsys)
    assert code == 1
    assert out[0] == (f"content/organisation.yaml:6:8: E340 repository url '{url}' cannot be used: {why} "
                      "(write the address of the repository's page, e.g. https://github.com/acme/qms)")


def test_a_branch_that_is_no_branch_name_is_e341(minimal_project, capsys):
    _set(minimal_project, "repository:\n  url: https://github.com/acme/qms\n  branch: 'main\"><x'\n")
    code, out = _validate(minimal_project, capsys)
    assert (code, out) == (1, [
        "content/organisation.yaml:7:11: E341 repository branch 'main\"><x' is not a branch name "
        "(write the branch as git shows it, e.g. main)", "1 error, 0 warnings"])


def test_a_pattern_that_cannot_make_a_safe_link_is_e342(minimal_project, capsys):
    _set(minimal_project, "repository:\n  url: https://git.example.org/qms\n  edit_uri: 'src/{branch}/{file}'\n"
                          "  view_uri: 'javascript:alert({path})'\n  new_uri: 'new/{branch}'\n")
    code, out = _validate(minimal_project, capsys)
    assert (code, out) == (1, [
        "content/organisation.yaml:7:13: E342 repository edit_uri 'src/{branch}/{file}' cannot make a safe link: "
        "'{file}' is not a placeholder (use {branch}, {path}, {folder}, {filename}, {content}) "
        "(write e.g. 'src/{branch}/{path}' or a full https:// address with {path})",
        "content/organisation.yaml:8:13: E342 repository view_uri 'javascript:alert({path})' cannot make a safe "
        "link: a full address must start with http:// or https:// and name a host "
        "(write e.g. 'src/{branch}/{path}' or a full https:// address with {path})",
        "content/organisation.yaml:9:12: E342 repository new_uri 'new/{branch}' cannot make a safe link: it has no "
        "{folder}, so every link would open the same page (write e.g. 'new/{branch}/{folder}?name={filename}')",
        "3 errors, 0 warnings"])


def test_an_unknown_host_without_patterns_is_w140_and_a_good_setting_is_clean(minimal_project, capsys):
    _set(minimal_project, "repository:\n  url: https://git.example.org/qms\n")
    code, out = _validate(minimal_project, capsys)
    assert (code, out) == (0, [
        "content/organisation.yaml:6:8: W140 the portal has no built-in links for the host of "
        "'https://git.example.org/qms', and no edit_uri, view_uri or new_uri says how to make them: no link back "
        "to the files is shown (add edit_uri and new_uri patterns, or use a GitHub or GitLab address)",
        "0 errors, 1 warning"])
    org = minimal_project / "content" / "organisation.yaml"
    org.write_text(org.read_text().replace("git.example.org", "github.com"))
    assert _validate(minimal_project, capsys) == (0, ["no problems found"])


def test_a_repository_that_is_not_a_mapping_is_a_diagnostic_not_a_traceback(minimal_project, capsys):
    _set(minimal_project, "repository: https://github.com/acme/qms\n")
    code, out = _validate(minimal_project, capsys)
    assert (code, out[0]) == (1, "content/organisation.yaml:5:13: E106 'repository' must be a mapping "
                                 "(write 'repository:' then 'url: https://github.com/...')")


# --------------------------------------------------------------------------- the built site


def _build(root: Path, out: Path, audience: str) -> Path:
    assert main(["build", "--root", str(root), "--as-of", AS_OF, "--output", str(out), "--audience", audience]) == 0
    return out


def _hrefs(page: Path, cls: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'<a href="([^"]*)" class="repo-link {cls}"', page.read_text())]


def test_internal_build_links_record_clause_and_finding_pages_to_their_files(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB)
    out = _build(minimal_project, tmp_path / "site", "internal")
    base = "https://github.com/acme/qms"
    assert _hrefs(out / "evidence" / "context" / "scope.html", "edit-link") == \
        [f"{base}/edit/main/evidence/context/scope.yaml"]
    assert _hrefs(out / "evidence" / "context" / "scope.html", "view-link") == \
        [f"{base}/blob/main/evidence/context/scope.yaml"]
    assert _hrefs(out / "evidence" / "QP-001.html", "edit-link") == [f"{base}/edit/main/evidence/leadership/policies.yaml"]
    assert _hrefs(out / "clauses" / "4.3.html", "edit-link") == [f"{base}/edit/main/content/clauses/context.yaml"]
    finding = next((out / "findings").glob("*.html"))
    assert _hrefs(finding, "edit-link") == [f"{base}/edit/main/content/findings/internal-audit-2026.yaml"]
    assert "Edit</a>" in (out / "evidence" / "QP-001.html").read_text()


def test_builds_without_the_setting_or_for_another_audience_hold_no_edit_url(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB)
    for audience in ("auditor", "public"):
        out = _build(minimal_project, tmp_path / audience, audience)
        found = [p for p in out.rglob("*") if p.is_file() and b"github.com/acme" in p.read_bytes()]
        assert found == [], audience
        assert not any(b"repo-link" in p.read_bytes() for p in out.rglob("*.html"))


def test_links_lists_the_audiences_beyond_internal(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB + "  links: [auditor]\n")
    auditor = _build(minimal_project, tmp_path / "auditor", "auditor")
    assert _hrefs(auditor / "evidence" / "QP-001.html", "edit-link") == \
        ["https://github.com/acme/qms/edit/main/evidence/leadership/policies.yaml"]
    public = _build(minimal_project, tmp_path / "public", "public")
    assert not any(b"github.com/acme" in p.read_bytes() for p in public.rglob("*") if p.is_file())


def test_a_withheld_record_gets_no_link_naming_its_path_in_a_public_build(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB + "  links: [auditor, public]\n")
    # one public record shares a file with an auditor-only one; another auditor-only record has a file of its own
    pol = minimal_project / "evidence" / "leadership" / "policies.yaml"
    pol.write_text(pol.read_text().replace("  owner: Managing Director\n",
                                           "  owner: Managing Director\n  audience: public\n", 1))
    out = _build(minimal_project, tmp_path / "public", "public")
    assert _hrefs(out / "evidence" / "context" / "scope.html", "edit-link") == \
        ["https://github.com/acme/qms/edit/main/evidence/context/scope.yaml"]
    assert _hrefs(out / "evidence" / "QP-001.html", "edit-link") == []  # its file holds a withheld record too
    site = b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())
    assert site.count(b"https://github.com/acme/qms/") > 0
    for withheld in (b"leadership/policies.yaml", b"support/training.yaml", b"performance/internal-audit-2026.yaml",
                     b"operation/suppliers.yaml"):
        assert not re.search(rb"https://github\.com/acme/qms/[^\"]*" + re.escape(withheld), site), withheld
    for folder in (b"support", b"performance", b"operation"):  # where only withheld records live: never chosen
        assert not re.search(rb"https://github\.com/acme/qms/new/main/evidence/" + folder, site), folder


def _add_links(page: Path) -> list[str]:
    return _hrefs(page, "add-evidence")


def _save_from(href: str, root: Path) -> Path:
    """What the host's new-file page would save: the file name and text from the link, in its folder."""
    parts = urlsplit(href)
    folder = unquote(parts.path.split("/new/main/", 1)[1])
    query = parse_qs(parts.query)
    target = root / folder / query["filename"][0]
    target.write_text(query["value"][0], encoding="utf-8")
    return target


def test_every_gap_gets_add_evidence_and_its_record_validates_once_saved(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB)
    out = _build(minimal_project, tmp_path / "site", "internal")
    gaps = _add_links(out / "gaps.html")
    assert len(gaps) >= 3
    mandatory = next(h for h in gaps if "filename=clause-9-2-2-" in h)  # a gap of 9.2.2
    assert mandatory.startswith("https://github.com/acme/qms/new/main/evidence/performance?filename=clause-9-2-2-2026-11-01.yaml&value=")
    text = parse_qs(urlsplit(mandatory).query)["value"][0]
    assert text.splitlines()[-6:] == [
        'title: "Evidence for 9.2.2 Audit programme, conduct and records"', "kind: record", 'clauses: ["9.2.2"]',
        "date: 2026-11-01", "review_by: 2027-11-01", 'file: "clause-9-2-2-2026-11-01.pdf"']
    saved = _save_from(mandatory, minimal_project)
    (saved.parent / "clause-9-2-2-2026-11-01.pdf").write_bytes(b"%PDF-1.4\n")
    code, lines = _validate(minimal_project, capsys)
    assert code == 0 and not [line for line in lines if "clause-9-2-2" in line], lines
    assert [h for h in _add_links(out / "clauses" / "8.5.1.html")]  # the clause page, too


def test_add_evidence_picks_the_folder_of_the_clauses_records_else_evidence(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB)
    out = _build(minimal_project, tmp_path / "site", "internal")
    [scope] = _add_links(out / "clauses" / "4.3.html")
    assert scope.startswith("https://github.com/acme/qms/new/main/evidence/context?filename=clause-4-3-2026-11-01.yaml&")
    [none] = _add_links(out / "clauses" / "10.3.html")
    assert none.startswith("https://github.com/acme/qms/new/main/evidence?filename=clause-10-3-2026-11-01.yaml&")


def test_the_template_reviews_a_window_later_and_quotes_its_values():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 1), 14) == date(2028, 1, 1)
    text = evidence_template("7.1.5.1", 'Monitoring "and" measuring\\', "record", date(2026, 12, 6), 12, "x.pdf")
    assert 'title: "Evidence for 7.1.5.1 Monitoring \\"and\\" measuring\\\\"' in text
    assert "review_by: 2027-12-06\n" in text


def test_a_team_page_links_to_its_file(minimal_project, tmp_path, capsys):
    _set(minimal_project, GITHUB)
    pages = minimal_project / "content" / "pages"
    pages.mkdir()
    (pages / "visit.md").write_text("Title: Audit visit\nSlug: visit\nAudience: internal\n\nParking at the back.\n")
    out = _build(minimal_project, tmp_path / "site", "internal")
    assert _hrefs(out / "pages" / "visit.html", "edit-link") == \
        ["https://github.com/acme/qms/edit/main/content/pages/visit.md"]


def test_an_undeclared_condition_gets_no_add_evidence_but_a_missing_record_does(tmp_path, capsys):
    """The demo: 7.1.5.2's record waits on a condition to declare (organisation.yaml, not a new record); 8.5.6's
    record is missing. Only the missing one is offered a new record."""
    import shutil

    repo = Path(__file__).parents[2]
    root = tmp_path / "demo"
    root.mkdir()
    for folder in ("content", "evidence"):
        shutil.copytree(repo / folder, root / folder)
    assert main(["build", "--root", str(root), "--as-of", "2026-12-06", "--output", str(tmp_path / "site"),
                 "--audience", "internal"]) == 0
    mandatory = (tmp_path / "site" / "gaps.html").read_text().split('id="mandatory"', 1)[1].split('id="stale"', 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr class="mi-([a-z-]+)">(.*?)</tr>', mandatory, re.S)}
    assert "add-evidence" not in rows["undeclared"]
    assert "https://github.com/kestrel-precision/qms/new/main/" in rows["missing"]


def test_a_folder_outside_the_repository_is_e342(minimal_project, capsys):
    _set(minimal_project, "repository:\n  url: https://github.com/acme/qms\n  folder: ../other\n")
    assert _validate(minimal_project, capsys) == (1, [
        "content/organisation.yaml:7:11: E342 repository folder '../other' must be a folder inside the repository "
        "(write the folder's path from the repository's top, e.g. quality/register)", "1 error, 0 warnings"])
