"""The pictures in docs/, made from the demo as the README tells its story (as of 2026-12-06, auditor build).

``invoke screenshots`` runs this: it builds the demo, then with Debian's Chromium takes the dashboard (first screen and whole page), the
audit stages page and the trend at 390x844 (a phone) and 1366x900 (a laptop) into docs/screenshots/, copies the
laptop dashboard to docs/screenshot.png (the README's picture), takes examples/ims's dashboard and an ISO 14001
clause page (docs/screenshots/ims-*.png) and writes the trend's wide drawing, with the
theme's colours inlined, to docs/trend.svg. Look at them before committing: no overlapping or broken text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from e2e_support import CHROMIUM, CHROMIUM_ARGS, ROOT

AS_OF = "2026-12-06"
SIZES = ((1366, 900), (390, 844))
#: the theme's trend classes, for the drawing on its own (docs/trend.svg has no stylesheet around it)
TREND_STYLE = (".trend-grid{stroke:#c8ccd2;stroke-width:1}.trend-mark{stroke:#6b4f00;stroke-width:1;"
               "stroke-dasharray:2 3}.trend-mark-last-audit{stroke-dasharray:6 3}.trend-mark-today{stroke:#1b1f24;"
               "stroke-width:1.5;stroke-dasharray:none}.trend-ready{fill:none;stroke:#1a6b3c;stroke-width:2;"
               "stroke-dasharray:5 3}.trend-overall{fill:none;stroke:#1f3f73;stroke-width:2.5}.trend-dot{fill:#1f3f73}"
               ".trend-label{fill:#1b1f24}.trend-label-today{font-weight:700}")


def build(site: Path) -> None:
    subprocess.run([sys.executable, "-m", "isoready", "build", "--root", str(ROOT), "--as-of", AS_OF,
                    "--audience", "auditor", "--output", str(site)], cwd=ROOT, check=True, capture_output=True)


def trend_svg(index_html: str) -> str:
    m = re.search(r'<figure class="chart chart-trend trend-wide">\s*(<svg .*?</svg>)', index_html, re.S)
    if not m:
        raise SystemExit("the demo's dashboard has no trend chart (is this a git checkout?)")
    svg = m.group(1).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, '
                             'Helvetica, Arial, sans-serif" ', 1)
    svg = re.sub(r'(<svg [^>]*viewBox="0 0 (\d+) (\d+)"[^>]*>)',
                 lambda g: f'{g.group(1)}<style>{TREND_STYLE}</style>'
                           f'<rect width="{g.group(2)}" height="{g.group(3)}" fill="#ffffff"></rect>', svg, count=1)
    return svg + "\n"


#: an integrated system (examples/ims): the 9001 dashboard with the switcher, and an ISO 14001 clause page
IMS_PAGES = (("ims-dashboard", "index.html"), ("ims-14001-clause", "iso-14001-2015/clauses/6.1.2.html"))


def build_ims(site: Path) -> None:
    subprocess.run([sys.executable, "-m", "isoready", "build", "--root", str(ROOT / "examples" / "ims"), "--as-of",
                    AS_OF, "--audience", "auditor", "--no-cache", "--output", str(site)], cwd=ROOT, check=True,
                   capture_output=True)


def ims_shots(browser, shots: Path, tmp: Path) -> None:  # noqa: ANN001
    """docs/screenshots/ims-*.png: examples/ims's portals at both sizes."""
    site = tmp / "ims-site"
    build_ims(site)
    for width, height in SIZES:
        page = browser.new_page(viewport={"width": width, "height": height})
        for name, rel in IMS_PAGES:
            page.goto((site / rel).as_uri())
            page.screenshot(path=str(shots / f"{name}-{width}x{height}.png"))
        page.close()


def main(docs: Path = ROOT / "docs") -> None:
    from playwright.sync_api import sync_playwright

    shots = docs / "screenshots"
    shots.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="isoready-docshots-") as tmp:
        site = Path(tmp) / "site"
        build(site)
        (docs / "trend.svg").write_text(trend_svg((site / "index.html").read_text(encoding="utf-8")),
                                        encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width, height in SIZES:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto((site / "index.html").as_uri())
                page.screenshot(path=str(shots / f"dashboard-{width}x{height}.png"))
                page.screenshot(path=str(shots / f"dashboard-{width}x{height}-full.png"), full_page=True)
                page.locator("section.trend").screenshot(path=str(shots / f"trend-{width}x{height}.png"))
                page.goto((site / "stages.html").as_uri())
                page.screenshot(path=str(shots / f"stages-{width}x{height}.png"))
                page.close()
            ims_shots(browser, shots, Path(tmp))
            browser.close()
    shutil.copyfile(shots / "dashboard-1366x900.png", docs / "screenshot.png")
    print(f"wrote {shots}/*.png, docs/screenshot.png and docs/trend.svg: look at them before committing")


if __name__ == "__main__":
    main()
