"""Issue 26: a German build of the demo leaves no English word of the portal's own: every text node of every page
is held against the catalogs (the English source of each translated message, and the standard's English guidance
that has a German translation). The team's own words (record titles, descriptions, names) are data, never in a
catalog, and pass; an element marked lang="en" is a declared fallback and is skipped."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "isoready" / "locale" / "de" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%%|\{[a-z_0-9]+\}|<[^>]*>|\*\*|`")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Texts(HTMLParser):
    """The visible text nodes of a page, outside <script>, <style> and any element marked lang="en"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.nodes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        skip = tag in ("script", "style") or dict(attrs).get("lang") == "en" or (self.stack and self.stack[-1][1])
        self.stack.append((tag, bool(skip)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            text = " ".join(data.split())
            if text:
                self.nodes.append(text)


def english_words() -> set[str]:
    """Every whole message German translates differently, of any length (a label: "Owner", "Ready")."""
    words: set[str] = set()
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for source, text in zip(ids, strings):
            if source and text and source != text and not PLACEHOLDER.search(source) and re.search(r"[a-z]", source):
                words.add(" ".join(source.split()))
    return words


def english_fragments() -> set[str]:
    """Every static run (outside placeholders and markup) of a message German translates differently, of three
    words or more: such a run in a German page is an English word of the portal's own."""
    runs: set[str] = set()
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for source, text in zip(ids, strings):
            if source == text:
                continue
            for run in PLACEHOLDER.split(source):
                run = " ".join(run.split()).strip(" .,:;()")
                if len(run.split()) >= 3 and re.search(r"[a-z]{3}", run):
                    runs.add(run)
    return runs


@pytest.fixture(scope="module")
def german_demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("de") / "site"
    proc = subprocess.run([sys.executable, "-m", "isoready", "build", "--language", "de", "--as-of", "2026-11-30",
                           "--output", str(out)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def team_words() -> str:
    """Everything the demo's team wrote (records, findings, pages, documents): their words, never a catalog's."""
    files = [p for folder in ("content", "evidence") for p in sorted((REPO / folder).rglob("*"))
             if p.is_file() and p.suffix in (".yaml", ".yml", ".md", ".csv", ".rst")]
    return " ".join(" ".join(p.read_text(encoding="utf-8", errors="replace").split()) for p in files)


def guidance_runs() -> set[str]:
    """The standard's English guidance that the German translation replaces: no page may print it unmarked."""
    from isoready.read.catalog import load_catalog, load_topics

    english, german = load_catalog("ISO 9001:2015", "en"), load_catalog("ISO 9001:2015", "de")
    runs = set()
    german_by_number = {c.number: c for c in german.clauses}
    for clause in english.clauses:
        theirs = german_by_number[clause.number]
        for mine, translated in ((clause.about, theirs.about), *zip(clause.evidence_asked, theirs.evidence_asked)):
            if mine and mine != translated:
                runs.add(" ".join(mine.split()))
    return runs | _paired(load_topics("en"), load_topics("de"))


def _paired(english: object, german: object) -> set[str]:
    """The English text of two same-shaped records (dataclasses, tuples, strings) wherever the German differs."""
    if isinstance(english, str) and isinstance(german, str):
        return {" ".join(english.split())} if english != german and len(english.split()) >= 3 else set()
    if dataclasses.is_dataclass(english) and type(english) is type(german):
        return set().union(*(_paired(getattr(english, f.name), getattr(german, f.name))
                             for f in dataclasses.fields(english)))
    if isinstance(english, (tuple, list)) and isinstance(german, (tuple, list)) and len(english) == len(german):
        return set().union(*(_paired(a, b) for a, b in zip(english, german)))
    return set()


def test_no_english_word_of_the_portal_remains_in_a_german_build(german_demo: Path) -> None:
    team = team_words()
    messages = english_fragments()
    assert len(messages) > 300  # the catalog is read: a test that checks nothing would pass
    guidance = guidance_runs()
    assert len(guidance) > 200
    runs = {run for run in messages | guidance if run not in team}
    found: dict[str, set[str]] = {}
    for page in sorted(german_demo.rglob("*.html")):
        parser = Texts()
        parser.feed(page.read_text(encoding="utf-8"))
        text = " ".join(parser.nodes)
        for run in runs:
            if run in text:
                found.setdefault(run, set()).add(str(page.relative_to(german_demo)))
    labels = {word for word in english_words() if word not in team}
    for page in sorted(german_demo.rglob("*.html")):
        parser = Texts()
        parser.feed(page.read_text(encoding="utf-8"))
        for node in parser.nodes:
            if node.strip(" .,:;()") in labels:
                found.setdefault(node, set()).add(str(page.relative_to(german_demo)))
    assert not found, "\n".join(f"{run!r} on {sorted(pages)[:3]}" for run, pages in sorted(found.items())[:40])


def test_the_script_s_words_are_german_in_a_german_build(german_demo: Path) -> None:
    """portal.js prints what the footer's #portal-words gives it (search status, table filters, the table hint)."""
    page = (german_demo / "index.html").read_text(encoding="utf-8")
    words = re.search(r'<div id="portal-words" hidden ([^>]*)></div>', page)
    assert words, "every page's footer carries the script's words"
    said = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', words.group(1)))
    # the header's site name: the demo's pelicanconf.py keeps the default, so the portal's own name shows
    assert '<span class="brand-sub">Auditbereitschaft ISO 9001</span>' in page
    assert "<title>Übersicht · Kestrel Precision Components Ltd Auditbereitschaft ISO 9001</title>" in page
    assert said["no-results"] == "Keine Ergebnisse für „{query}“"
    assert said["results"] == "{n} Ergebnisse für „{query}“" and said["one-result"] == "{n} Ergebnis für „{query}“"
    assert said["showing"] == "{shown} von {total} Zeilen angezeigt."
    assert said["index-loading"] == "Suchindex wird geladen …"
    english = set(english_fragments())
    assert not [text for text in said.values() if " ".join(text.split()) in english]
