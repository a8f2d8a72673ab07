"""Issue 26: every word made in Python (views, the workbook) goes through the catalogs, and a German build says
it in German: reason sentences with their parameters, gate and state words, the glossary, the workbook's
headers. English is the source language and stays byte for byte what it was (the golden tests)."""

from __future__ import annotations

import ast
import inspect
import io
import json
import re
import textwrap
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from isoready.assess import reason
from isoready.core import i18n
from isoready.package.assemble import prepare
from isoready.read.options import Options
from isoready.outputs.xlsx import workbook_bytes
from isoready.views import REASONS, describe
from isoready.views.labels import GATE_WORDS, STATE_LABELS, STATE_WORDS

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "isoready" / "locale" / "de" / "LC_MESSAGES" / "messages.po"
AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def german():  # noqa: ANN201 - the demo's views, made speaking German
    site, _project, diags = prepare(Options(root=ROOT, as_of=AS_OF, use_cache=False, language="de"))
    assert site is not None, diags
    return site


@pytest.fixture(scope="module")
def english():  # noqa: ANN201
    site, _project, diags = prepare(Options(root=ROOT, as_of=AS_OF, use_cache=False))
    assert site is not None, diags
    return site


def _say(code: str, full: bool = True, evidence: tuple[str, ...] = (), findings: tuple[str, ...] = (),
         **params: Any) -> str:
    return describe(reason(code, evidence, findings, **params), full)


def test_reason_sentences_in_german_carry_their_parameters() -> None:
    with i18n.speaking("de"):
        assert _say("finding-open-overdue", findings=("IA-2026-03",), grade="minor", raised_on=("7.1.5.1",),
                    due=date(2026, 11, 15)) == ("offene Feststellung IA-2026-03, Nebenabweichung (erhoben zu 7.1.5.1), "
                                                "Maßnahme überfällig seit 15. November 2026")
        assert _say("finding-open-overdue", False, findings=("IA-2026-03",), grade="major", raised_on=(),
                    due=date(2026, 11, 15)) == "offene Feststellung, Hauptabweichung, Maßnahme überfällig"
        assert _say("status-not-done", status="planned", inherited_from="", target=date(2027, 1, 31)) == (
            "Status ist geplant, Zieltermin 31. Januar 2027; bereit erfordert umgesetzt oder verifiziert")
        assert _say("subclauses-not-ready", clauses=("7.1.5.1", "7.1.5.2"), total=2) == (
            "2 von 2 zutreffenden Unterabschnitten nicht bereit: 7.1.5.1, 7.1.5.2")
        assert _say("subclauses-ready", count=1) == "der 1 zutreffende Unterabschnitt ist bereit"
        assert _say("subclauses-ready", count=5) == "alle 5 zutreffenden Unterabschnitte bereit"
        assert _say("gate-mandatory-gaps", kind="retain", total=21, gaps=(("8.5.6", "missing"),)) == (
            "1 von 21 Pflichtaufzeichnungen fehlen, Überprüfung überfällig oder außerhalb des Zeitfensters: "
            "8.5.6 (fehlt)")
        assert _say("register-objective-behind", objectives=(("O4", date(2026, 10, 1), 90.0, 78.5, "%"),)) == (
            "im letzten Zeitraum hinter dem Ziel, eine Eingabe für die Managementbewertung: "
            "O4 (2026-10: 78,5% bei einem Ziel von 90%)")
    # the same reasons in English, as they always read
    assert _say("finding-open-overdue", findings=("IA-2026-03",), grade="minor", raised_on=("7.1.5.1",),
                due=date(2026, 11, 15)) == "open minor finding IA-2026-03 (raised on 7.1.5.1), action overdue since 2026-11-15"
    assert _say("register-objective-behind", objectives=(("O4", date(2026, 10, 1), 90.0, 78.5, "%"),)) == (
        "behind target in the latest period, an input for management review: O4 (2026-10: 78.5% against a target "
        "of 90%)")


def test_the_demo_speaks_german_reasons_gates_and_states(german: Any, english: Any) -> None:
    said = {code: text for c in german.export.clauses for text, code in zip(c.reasons, c.reason_codes)}
    assert said["ready"] == "als umgesetzt erklärt; keine Lücke, kein veralteter Nachweis und keine offene Nichtkonformität"
    assert said["evidence-stale"] == ("veralteter Nachweis support/communication-matrix (Überprüfung war fällig am "
                                      "30. September 2026)")
    assert said["register-competence"] == ("Kompetenz nicht sichergestellt, je Rolle: CNC operator: 1 Person in "
                                           "Einarbeitung; Trainee operator: 1 Person in Einarbeitung")
    states = {c.state_label for c in german.export.clauses}
    assert states <= {"Bereit", "Gefährdet", "Nicht bereit", "Nicht zutreffend"} and "Bereit" in states
    gate_reasons = [i.reason for g in german.export.gates for i in g.items]
    assert "alle 6 geforderten Dokumente vorhanden" in gate_reasons
    assert "offene Hauptabweichung(en): IA-2026-02" in gate_reasons[13]
    # the same figures and states in both languages: only the words differ
    assert [c.state for c in german.export.clauses] == [c.state for c in english.export.clauses]
    assert [[i.passed for i in g.items] for g in german.export.gates] == [
        [i.passed for i in g.items] for g in english.export.gates]
    with i18n.speaking("de"):
        assert (GATE_WORDS["stage1"], STATE_WORDS["at-risk"], STATE_LABELS["not-ready"]) == (
            "Gate Stufe 1", "gefährdet", "Nicht bereit")
    assert (GATE_WORDS["stage1"], STATE_WORDS["at-risk"], STATE_LABELS["not-ready"]) == (
        "Stage 1 gate", "at risk", "Not ready")


def test_no_reason_gate_or_lapse_of_the_demo_stays_english(german: Any, english: Any) -> None:
    """Every sentence the views make for the demo reads differently in German (ids and numbers aside)."""
    pairs = [(e, g) for ce, cg in zip(english.export.clauses, german.export.clauses)
             for e, g in zip(ce.reasons, cg.reasons)]
    pairs += [(ie.reason, ig.reason) for ge, gg in zip(english.export.gates, german.export.gates)
              for ie, ig in zip(ge.items, gg.items)]
    pairs += [(ge.verdict, gg.verdict) for ge, gg in zip(english.export.gates, german.export.gates)]
    pairs += [(le.text, lg.text) for le, lg in zip(english.export.lapses, german.export.lapses)]
    assert len(pairs) > 100
    assert [e for e, g in pairs if e == g and _WORDS.search(e)] == []
    dashboard = german.models("index")[0]
    assert dashboard.figures == "40 bereit · 8 gefährdet · 11 nicht bereit, von 59 zutreffenden Abschnitten"
    assert dashboard.certification == "Noch nicht nach ISO 9001:2015 zertifiziert."
    assert dashboard.audits[0].countdown == "in 56 Tagen"
    assert german.chrome.audience_note == ("Auditor-Build: zeigt öffentliche und Auditor-Nachweise; interne "
                                           "Nachweise werden zurückgehalten.")


#: the keys of readiness.json whose values are words the views make (a build in another language writes them in
#: English: its export is made again in the source language); every other value is a code, a figure or an id
# "what": a documented information's words (the catalog's, in the language); "language": the build's own
WORDED_KEYS = {"kind", "reason", "reasons", "text", "verdict", "name", "summary", "label", "title", "what", "language"}


def _differences(en: Any, de: Any, key: str = "") -> Iterator[str]:
    """The keys whose string values differ between two readiness.json documents; anything else must be equal."""
    if isinstance(en, dict):
        assert isinstance(de, dict) and en.keys() == de.keys()
        for k in en:
            yield from _differences(en[k], de[k], k)
    elif isinstance(en, list):
        assert isinstance(de, list) and len(en) == len(de), key
        for x, y in zip(en, de):
            yield from _differences(x, y, key)
    elif isinstance(en, str):
        if en != de:
            yield key
    else:
        assert en == de, key


def test_switching_the_language_changes_words_only_never_a_code_figure_or_state(german: Any,
                                                                                 english: Any) -> None:
    from isoready.outputs.export import readiness_json

    en, de = json.loads(readiness_json(english.export)), json.loads(readiness_json(german.export))
    changed = set(_differences(en, de))
    assert "reasons" in changed and changed <= WORDED_KEYS
    assert [c["reason_codes"] for c in en["clauses"]] == [c["reason_codes"] for c in de["clauses"]]


def test_the_search_index_labels_its_entries_in_german(german: Any) -> None:
    from isoready.outputs.export import search_entries

    with i18n.speaking("de"):
        entries = search_entries(german.export)
    clause = next(e for e in entries if e["id"] == "7.1.5.2")
    assert clause["type"] == "Abschnitt" and clause["facts"].startswith("Zustand: ")
    assert {e["type"] for e in entries} >= {"Abschnitt", "Nachweise", "Feststellung", "Register"}


def test_the_glossary_in_german(german: Any) -> None:
    glossary = german.models("glossary")[0]
    terms = {t.anchor: (t.term, t.text) for t in glossary.terms}
    assert terms["as-of-date"][0] == "Stichtag"
    assert terms["gate"][0] == "Gate (Stufenprüfung)"
    assert terms["out-of-window"][1].startswith("Eine Aufzeichnung, die ISO 9001 aufzubewahren verlangt")
    assert glossary.intro == "Die Begriffe, die dieses Portal in eigenem Sinn verwendet, in einfachen Worten."


def test_the_workbook_in_german_has_german_headers(german: Any) -> None:
    with i18n.speaking("de"):
        data = workbook_bytes(german.export)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:2] == ["Checklist", "Findings"]  # sheet names stay: tools and links rely on them
    checklist = wb["Checklist"]
    header = [c.value for c in checklist[7]]
    assert header[:9] == ["Abschnitt", "Titel", "Zustand", "Begründungen", "Nachweise", "Offene Feststellungen",
                          "Stichproben", "Konformität", "Notizen des Auditors"]
    assert checklist["A1"].value.startswith("ISO-9001-Audit-Checkliste: ")
    assert [c.value for c in wb["Gates"][4]][:5] == ["Stufe", "Prüfung", "Was geprüft wird", "Heute", "Begründung"]
    states = {row[2] for row in checklist.iter_rows(min_row=8, values_only=True) if row[2]}
    assert "Bereit" in states and not states & {"Ready", "At risk", "Not ready"}


# --------------------------------------------------------------------------- every reason code, translated

REASON_MODULES = ("reasons", "gatereasons", "registerreasons", "sitereasons")
_WORDS = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")  # two words in a row: English prose, not a code or a separator
_GETTEXT = {"_", "ngettext", "N_", "gettext", "pgettext"}


def _called_helpers(fn: ast.FunctionDef, module: ast.Module) -> Iterator[ast.FunctionDef]:
    """``fn`` and the module's functions it calls, transitively."""
    defs = {d.name: d for d in module.body if isinstance(d, ast.FunctionDef)}
    seen, todo = set(), [fn]
    while todo:
        f = todo.pop()
        if f.name in seen:
            continue
        seen.add(f.name)
        yield f
        todo += [defs[n.func.id] for stmt in f.body for n in ast.walk(stmt)  # not its decorators
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in defs]


def _prose_outside_gettext(fn: ast.FunctionDef) -> list[str]:
    marked: set[int] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _GETTEXT:
            marked |= {id(a) for a in node.args}
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(
        getattr(fn.body[0], "value", None), ast.Constant) else fn.body  # its docstring is not prose it prints
    out = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Constant, ast.JoinedStr)) and id(node) not in marked:
                text = node.value if isinstance(node, ast.Constant) else "".join(
                    v.value for v in node.values if isinstance(v, ast.Constant))
                if isinstance(text, str) and _WORDS.search(text):
                    out.append(text)
    return out


def _wording_functions() -> Iterator[tuple[str, Any]]:
    for code, entry in sorted(REASONS.items()):
        yield code, entry.words
        if entry.to_auditor is not None:
            yield code, entry.to_auditor


def test_every_reason_code_is_worded_through_gettext() -> None:
    """Each code's wording (and the helpers it calls) prints no English prose that bypasses the catalogs."""
    modules = {fn.__module__ for _code, fn in _wording_functions()}
    assert {f"isoready.views.{m}" for m in REASON_MODULES} >= modules
    trees = {m: ast.parse(Path(inspect.getfile(__import__(m, fromlist=["x"]))).read_text(encoding="utf-8"))
             for m in modules}
    unmarked = {}
    for code, fn in _wording_functions():
        tree = trees[fn.__module__]
        node = next(d for d in tree.body if isinstance(d, ast.FunctionDef) and d.name == fn.__name__)
        found = [t for f in _called_helpers(node, tree) for t in _prose_outside_gettext(f)]
        if found:
            unmarked[code] = found
    assert not unmarked


def _msgids_of(fn_source: str) -> set[Any]:
    out: set[Any] = set()
    for node in ast.walk(ast.parse(textwrap.dedent(fn_source))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _GETTEXT:
            lits = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if getattr(node.func, "id", None) == "ngettext" and len(lits) >= 2:
                out.add((lits[0], lits[1]))
            elif lits:
                out.add(lits[0])
    return out


def test_every_reason_code_has_a_german_translation() -> None:
    """No msgstr is empty in the German catalog, and every message a reason's words use is in it."""
    catalog = read_po(PO.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id}
    assert all(s if isinstance(s, str) else all(s) for s in translated.values())
    needed: set[Any] = set()
    for m in REASON_MODULES:
        needed |= _msgids_of(Path(ROOT / "isoready" / "views" / f"{m}.py").read_text(encoding="utf-8"))
    assert needed and not needed - set(translated)


def test_the_compiled_catalog_says_it_is_not_reviewed() -> None:
    assert i18n.language("de").reviewed is False
    with i18n.speaking("de"):
        assert i18n.gettext("Not ready") == "Nicht bereit"


def test_a_german_build_writes_its_search_index_in_german(german: Any, tmp_path: Path) -> None:
    """The index is written by the build (package.assemble.write_assets) while English is the active language
    of the process: it speaks the site's language all the same (it said "Clause" and "State:" before)."""
    from isoready.package.assemble import SEARCH_INDEX, write_assets

    _site, project, _diags = prepare(Options(root=ROOT, as_of=AS_OF, use_cache=False, language="de"))
    page = SimpleNamespace(slug="kontakt", title="Kontakt", url="pages/kontakt.html", text="Wer wir sind")
    assert i18n.active().code == "en"
    write_assets(german, project, tmp_path, pages=[page], exports=False, documents=False)
    text = (tmp_path / SEARCH_INDEX).read_text(encoding="utf-8")
    assert '"type":"Abschnitt"' in text.replace(" ", "") and "Zustand: " in text
    assert '"type":"Seite"' in text.replace(" ", "")
    assert '"Clause"' not in text and "State: " not in text
