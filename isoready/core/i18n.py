"""The portal's language: gettext message catalogs through Babel, the language a build speaks, and dates in
prose and numbers in its locale.

Every word a page, a reason, an export or the CLI's portal output prints goes through ``gettext`` (imported
as ``_`` where words are made), ``ngettext`` or, for a word written where no language is active yet (a
registry filled at import), ``N_`` and then ``gettext`` when it is printed. The catalogs are
``isoready/locale/<code>/LC_MESSAGES/messages.po`` (and the compiled ``.mo`` beside it), shipped in the wheel;
``docs/translating.md`` says how a language is added.

One language is active at a time in a process: a build sets it (``speaking``) before it makes its words, and
the processes it forks inherit it. English is the source language: it has no catalog to read.
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator, Union

LOCALE_DIR = Path(str(resources.files("isoready"))) / "locale"  # package data: the catalogs ship in the wheel
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
#: the languages isoready ships, source first; a catalog's header says whether a fluent speaker reviewed it
LANGUAGES = ("en", "de", "fr", "es", "ja")


@dataclass(frozen=True)
class Language:
    code: str  # "en", "de", ...: <html lang>, Babel's locale
    translations: _gettext.NullTranslations
    reviewed: bool  # the catalog's header says a fluent speaker reviewed it (English, the source, is)


def _catalog_reviewed(translations: _gettext.NullTranslations) -> bool:
    info = translations.info() if hasattr(translations, "info") else {}
    return str(info.get("reviewed", "false")).strip().lower() == "true"


@lru_cache(maxsize=None)
def language(code: str) -> Language:
    """The language ``code`` (one of LANGUAGES), its compiled catalog read once per process."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; isoready speaks {', '.join(LANGUAGES)}")
    if code == SOURCE_LANGUAGE:
        return Language(code, _gettext.NullTranslations(), True)
    mo = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        return Language(code, _gettext.NullTranslations(), False)
    with mo.open("rb") as handle:
        translations = _gettext.GNUTranslations(handle)
    return Language(code, translations, _catalog_reviewed(translations))


_ACTIVE: list[Language] = []  # a stack: the innermost ``speaking`` wins


def active() -> Language:
    return _ACTIVE[-1] if _ACTIVE else language(SOURCE_LANGUAGE)


@contextmanager
def speaking(code: str) -> Iterator[Language]:
    """Make ``code`` the active language for the block (and for the processes forked inside it)."""
    _ACTIVE.append(language(code))
    try:
        yield _ACTIVE[-1]
    finally:
        _ACTIVE.pop()


def raw_gettext(message: str) -> str:
    """``message`` in the active language, unfilled (Jinja's new-style gettext fills and escapes itself)."""
    return active().translations.gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return active().translations.ngettext(singular, plural, n)


def raw_pgettext(context: str, message: str) -> str:
    return active().translations.pgettext(context, message)


def gettext(message: str, **params: object) -> str:
    """``message`` in the active language; ``%(name)s`` placeholders filled from ``params`` when given."""
    text = active().translations.gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """The singular or plural form for ``n`` in the active language; ``%(num)s`` is ``n``."""
    text = active().translations.ngettext(singular, plural, n)
    return text % {"num": n, **params}


def pgettext(context: str, message: str, **params: object) -> str:
    """``message`` in the active language, told apart from the same English word used elsewhere."""
    text = active().translations.pgettext(context, message)
    return text % params if params else text


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name, which pybabel extracts
    """Mark ``message`` for the catalogs without translating it now (it is translated when printed)."""
    return message


def prose_date(value: Union[_dt.date, str]) -> str:
    """A date as a sentence prints it in the active language (German: the day, a dot, the month's name, the year); English keeps ISO 8601,
    as tables and exports do in every language."""
    code = active().code
    if code == SOURCE_LANGUAGE or not isinstance(value, _dt.date):
        return str(value)
    from babel.dates import format_date

    return format_date(value, format="long", locale=code)


def decimal(value: Union[int, float]) -> str:
    """A number in prose in the active language's digits grouping and decimal sign."""
    code = active().code
    if code == SOURCE_LANGUAGE:
        return str(value)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=code)
