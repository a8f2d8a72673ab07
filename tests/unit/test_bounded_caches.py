"""Bounded caches (issue 23): ``serve`` runs for days, so no module-level cache may grow without end.

A long serve-like loop of distinct inputs (each edit brings new text, new ids) must leave every cache at or
under its bound, and what a cache forgot still renders the same when asked again.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from jinja2 import Template

import isoready
from isoready.render import pages as render
from isoready.core import text
from isoready import views


def test_every_module_level_lru_cache_has_a_bound():
    unbounded = []
    for info in pkgutil.iter_modules(isoready.__path__):
        if info.name == "__main__":  # runs the command line when imported
            continue
        module = importlib.import_module(f"isoready.{info.name}")
        for name, value in vars(module).items():
            if callable(getattr(value, "cache_info", None)) and getattr(value, "__module__", "") == module.__name__:
                if value.cache_info().maxsize is None:
                    unbounded.append(f"{info.name}.{name}")
    assert unbounded == []


def test_the_markdown_cache_keeps_at_most_its_count_of_texts(monkeypatch):
    monkeypatch.setattr(text, "CACHE_ENTRIES", 50)
    text.forget_renderings()
    first = str(text.markdown("Edit 0: *scope* of the QMS"))
    most = 0
    for n in range(600):  # each save in serve brings texts never seen before
        assert str(text.markdown(f"Edit {n}: *scope* of the QMS")) == (
            f"<p>Edit {n}: <em>scope</em> of the QMS</p>")
        most = max(most, len(text.CACHE))
    assert most == 50
    assert "Edit 0: *scope* of the QMS" not in text.CACHE  # the oldest went first
    assert str(text.markdown("Edit 0: *scope* of the QMS")) == first  # and renders the same again
    text.forget_renderings()


def test_the_markdown_cache_keeps_at_most_its_characters(monkeypatch):
    monkeypatch.setattr(text, "CACHE_CHARS", 5_000)
    text.forget_renderings()
    for n in range(200):
        text.markdown(f"Note {n}: " + "the supplier was re-evaluated. " * 10)
        assert sum(len(k) + len(v) for k, v in text.CACHE.items()) <= 5_000
    assert 5 < len(text.CACHE) < 20
    huge = "word " * 2_000  # larger than the whole room: rendered, never kept
    assert str(text.markdown(huge)).startswith("<p>word word")
    assert huge not in text.CACHE
    text.CACHE.clear()  # as tests and tools clear it: the count of characters starts again
    text.markdown("After a clear")
    assert list(text.CACHE) == ["After a clear"]
    text.forget_renderings()


@pytest.mark.parametrize("url", [views.clause_url, views.evidence_url, views.finding_url])
def test_page_address_caches_stay_within_their_bound(url):
    url.cache_clear()
    bound = url.cache_info().maxsize
    assert bound is not None and bound >= 10_000  # every record of a 10,000-record register fits
    for n in range(bound + 2_000):
        url(f"REC-{n}")
    assert url.cache_info().currsize == bound
    assert url("REC-0").endswith("REC-0.html")
    url.cache_clear()


def test_the_shared_header_and_footer_cache_stays_within_its_bound(monkeypatch):
    monkeypatch.setattr(render, "CHROME_CACHE", 8)
    rendered = []

    def get_template(name: str) -> Template:
        rendered.append(name)
        return Template(name + " {{ SITEURL }} {{ nav }}")

    render.forget_chrome()
    for depth in range(100):  # pages ever deeper (ids holding '/')
        got = render.chrome(get_template, {}, "../" * depth, "evidence")
        assert str(got.header) == f"chrome-header {'../' * depth} evidence"
    assert len(rendered) == 200
    render.chrome(get_template, {}, "../" * 99, "evidence")  # the newest is still kept
    assert len(rendered) == 200
    render.chrome(get_template, {}, "", "evidence")  # the oldest was forgotten: rendered again
    assert len(rendered) == 202
    render.forget_chrome()
