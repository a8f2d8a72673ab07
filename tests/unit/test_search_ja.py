"""Search for scripts written without spaces (issue 26): Japanese terms are found, English search is unchanged.

The matching is portal.js's (the browser does it, from file:// too); these tests run that very file under Node
with a stub document (portal.js exposes its tokenizer and matcher as ``window.isoreadySearch``), and the Python
side's index (outputs/export.py) with Japanese clause text. tests/e2e/test_search_ja.py drives the same in
Chromium through the page's search box.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from isoready.outputs.export import search_script
from isoready.views.labels import prose

ROOT = Path(__file__).resolve().parents[2]
PORTAL_JS = ROOT / "isoready" / "theme" / "static" / "js" / "portal.js"
JA_2015 = ROOT / "isoready" / "standards" / "iso9001" / "translations" / "ja" / "iso9001-2015.yaml"
NODE = shutil.which("node") or shutil.which("nodejs")

# A stub DOM that portal.js needs at load time; readyState "loading" keeps its page set-up from running.
HARNESS = """
global.window = {};
global.document = {documentElement: {getAttribute: () => null, classList: {add() {}}},
                   readyState: "loading", addEventListener() {}};
require(process.argv[1]);
const s = window.isoreadySearch;
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.queries.map(q => ({terms: s.terms(q), hits: s.search(input.data, q).map(x => x.id)}));
process.stdout.write(JSON.stringify(out));
"""


def ja_entries() -> list[dict[str, str]]:
    """One search entry per clause of the Japanese 2015 catalog, as search_entries makes them (title, prose)."""
    clauses = yaml.safe_load(JA_2015.read_text(encoding="utf-8"))["clauses"]
    return [{"type": "Clause", "id": number, "title": c.get("title") or c.get("label") or number,
             "url": f"clauses/{number}.html", "text": prose(c["about"])} for number, c in clauses.items()]


def run_search(data: list[dict[str, str]], *queries: str) -> list[dict]:
    if not NODE:
        pytest.skip("node is not installed (the e2e tests need it too: apt-get install nodejs)")
    proc = subprocess.run([NODE, "-e", HARNESS, str(PORTAL_JS)], input=json.dumps({"data": data, "queries": queries}),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def hits(data: list[dict[str, str]], query: str) -> list[str]:
    return run_search(data, query)[0]["hits"]


def test_query_words_in_japanese_are_runs_without_their_particles() -> None:
    out = run_search([], "内部監査の計画", "ISO内部監査、マネジメントレビュー", "ふりかえり", "ﾏﾈｼﾞﾒﾝﾄ　レビュー")
    assert [o["terms"] for o in out] == [
        ["内部監査", "計画"],  # の left out: a particle between two words
        ["iso", "内部監査", "マネジメントレビュー"],  # Latin kept as a word; 、 separates as a space does
        ["ふりかえり"],  # hiragana alone is the word itself
        ["マネジメント", "レビュー"],  # half-width katakana folded (NFKC); the ideographic space separates
    ]


def test_english_query_words_are_as_before() -> None:
    out = run_search([], "Internal  AUDIT 9.2", "audit audit", "ＩＳＯ 9001")
    assert [o["terms"] for o in out] == [["internal", "audit", "9.2"], ["audit", "audit"], ["iso", "9001"]]


def test_a_japanese_term_from_a_clauses_guidance_finds_that_clause() -> None:
    data = ja_entries()
    assert hits(data, "気候変動") == ["4.1"]  # only 4.1's guidance names climate change outright
    assert hits(data, "トレーサブル")[0] == "7.1.5.2"
    assert "7.1.5.2" in hits(data, "校正の間隔")  # 校正 and 間隔 in one sentence, written apart


def test_a_compound_term_finds_text_that_writes_its_words_apart() -> None:
    data = ja_entries()
    # 監査プログラム計画 is not in any text; 9.2.2 says 監査プログラムを計画し
    assert hits(data, "監査プログラム計画") == ["9.2.2"]
    # a run of three characters must be found whole: no piece of one character
    assert hits(data, "監査計") == []


def test_the_title_ranks_a_clause_first() -> None:
    data = ja_entries()
    found = hits(data, "内部監査")
    assert found[0] == "9.2", found  # titled 内部監査; the others say it in their guidance or their label
    assert sorted(found) == ["9", "9.2", "9.2.1"]


def test_english_entries_are_found_as_before() -> None:
    data = [{"type": "Clause", "id": "8.4", "title": "Control of externally provided processes",
             "text": "Makes sure anything supplied from outside meets requirements."},
            {"type": "Evidence", "id": "EV-7", "title": "Approved supplier list", "text": "Suppliers, rated."}]
    assert hits(data, "supplier") == ["EV-7"]
    assert hits(data, "SUPPLIED outside") == ["8.4"]
    assert hits(data, "ev-7") == ["EV-7"]
    assert hits(data, "監査") == []


def test_the_index_carries_japanese_text_as_ascii_and_reads_back_unchanged() -> None:
    entries = ja_entries()
    script = search_script(entries)
    assert script.isascii()  # the same bytes whatever charset a browser assumes for a file:// script
    assert script == search_script(ja_entries())  # deterministic
    prefix, suffix = "window.PORTAL_SEARCH=", ";\n"
    assert script.startswith(prefix) and script.endswith(suffix)
    back = json.loads(script[len(prefix):-len(suffix)])
    assert back == entries
    policy = next(e for e in back if e["id"] == "9.2")
    assert policy["title"] == "内部監査" and "あらかじめ定めた間隔" in policy["text"]


def test_the_index_never_holds_a_closing_tag() -> None:
    script = search_script([{"type": "Page", "id": "p", "title": "</script><b>", "url": "p.html", "text": "監査</"}])
    assert "</" not in script
    assert json.loads(script[len("window.PORTAL_SEARCH="):-2])[0]["text"] == "監査</"
