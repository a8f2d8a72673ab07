"""Hostile input shared by the static and the browser XSS tests.

Payloads from the OWASP XSS Filter Evasion Cheat Sheet, adapted so that any that runs sets
``window.__xss`` (the browser test checks it) or opens a dialog.
"""

from __future__ import annotations

from pathlib import Path

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//xss.example/xss.js></SCRIPT>",
    '<img src=x onerror="window.__xss=1">',
    "<IMG SRC=javascript:window.__xss=1>",
    "<IMG SRC=JaVaScRiPt:window.__xss=1>",
    '<IMG SRC="jav&#x09;ascript:window.__xss=1">',
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '<a href="javascript:window.__xss=1">click</a>',
    '<a href="JaVaScRiPt:window.__xss=1">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss=1">click</a>',
    '<a href="  javascript:window.__xss=1">click</a>',
    "[markdown link](javascript:window.__xss=1)",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:window.__xss=1)",
    '<iframe src="javascript:window.__xss=1"></iframe>',
    "<body onload=window.__xss=1>",
    '<div style="background:url(javascript:window.__xss=1)">styled</div>',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
    "<details open ontoggle=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    '<object data="javascript:window.__xss=1"></object>',
    '<embed src="javascript:window.__xss=1">',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<base href="javascript:/">',
    "<scr<script>ipt>window.__xss=1</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    "</title><script>window.__xss=1</script>",
    "<style>body{background:url(javascript:window.__xss=1)}</style>",
    "<marquee onstart=window.__xss=1>",
    "<video><source onerror=window.__xss=1>",
]
TEXT = " ".join(PAYLOADS)
ONE_LINE = "</title><script>window.__xss=1</script>\"><img src=x onerror=window.__xss=1>"


def _yaml_block(text: str, indent: str = "  ") -> str:
    return "|\n" + "".join(f"{indent}{line}\n" for line in text.splitlines() or [""])


def plant(root: Path) -> None:
    """Put the payloads in every free-text field a contributor can write."""
    evidence = root / "evidence" / "hostile"
    evidence.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(PAYLOADS)
    (evidence / "payload.md").write_text("# Hostile document\n\n" + body + "\n", encoding="utf-8")
    (evidence / "payload.yaml").write_text(
        "id: hostile/payload\n"
        f"title: {_quote(ONE_LINE)}\n"
        "kind: document\n"
        'clauses: ["7.5.1"]\n'
        "file: payload.md\n"
        f"owner: {_quote(ONE_LINE)}\n"
        f"version: {_quote(ONE_LINE)}\n"
        f"description: {_yaml_block(body)}", encoding="utf-8")
    (root / "content" / "clauses" / "zz-hostile.yaml").write_text(
        '- clause: "7.1.6"\n'
        "  status: in-progress\n"
        f"  owner: {_quote(ONE_LINE)}\n"
        f"  notes: {_yaml_block(body, '    ')}"
        '- clause: "8.5.5"\n'
        "  status: not-applicable\n"
        f"  justification: {_quote(ONE_LINE)}\n", encoding="utf-8")
    (root / "content" / "findings" / "zz-hostile.yaml").write_text(
        "- id: XSS-1\n"
        '  clauses: ["7.5.1"]\n'
        "  grade: minor\n"
        "  status: open\n"
        "  raised: 2026-10-01\n"
        f"  owner: {_quote(ONE_LINE)}\n"
        "  evidence: [hostile/payload]\n"
        f"  description: {_yaml_block(body, '    ')}"
        f"  action: {_yaml_block(body, '    ')}", encoding="utf-8")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
