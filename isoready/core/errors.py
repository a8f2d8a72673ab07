"""The exceptions isoready raises for a user's mistake or a missing tool: one family, one place.

A problem in the user's *data* is never an exception: it is a ``Diagnostic``. These are for what stops a
command as a whole (a bad option, an output folder we may not replace, no Chromium to print with). The
command line prints ``isoready: error: <message>`` and exits 2 for every ``IsoreadyError``.
"""

from __future__ import annotations


class IsoreadyError(Exception):
    """A problem that stops a command; its message is shown to the user as it is (exit 2)."""


class UsageError(IsoreadyError):
    """A command-line mistake: a bad option value, or an output path we refuse to write or remove."""


class ReportError(IsoreadyError):
    """The PDF report could not be printed (no Chromium, or Chromium failed)."""


__all__ = ["IsoreadyError", "UsageError", "ReportError"]
