"""Stage 5, render: a build's templates compiled by another process, handed over as Jinja's bytecode.

Compiling the theme's templates (parsing them, folding their words, inlining their macros: render/folding.py)
takes a build most of a second, on one core, just before the pages render. The same work can be done earlier,
while the checks, the assessment and the views run on one core and the other waits: a process forked then
compiles every template of the theme (``compile_templates``) and hands back each one's code as Jinja's bytecode
cache stores it (``marshal``, checked against Jinja's and Python's version); the build's own environment then
loads each template through ``CompiledTemplates``, a bytecode cache in memory, instead of compiling it.

Nothing here can change a page:

- a template's code is used only for the very source it was compiled from (Jinja's checksum of the source), by
  an environment that folds the same language (the key names it), and only when every template the other
  process read (a template's code holds the macros it inlined from others) has the same source in the build's
  own environment; anything else compiles as before;
- the bytecode is what Jinja's own ``FileSystemBytecodeCache`` would store, read back in the same process
  family, with the same Python and Jinja.

It lasts for one build: nothing is kept on disk, so a cold build is as cold as before.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, Optional

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(environment: Environment, name: str, filename: Optional[str]) -> str:
    """A template's key: its name and file, and the language its environment folds words into (None: none)."""
    language = getattr(environment.code_generator_class, "language", None)
    return _digest(f"{language}\0{name}\0{filename or ''}")


class CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache, in memory: ``found`` (key -> bytecode) as ``compile_templates`` made it from the
    sources ``sources`` (template name -> digest). With ``record``, it keeps what its environment compiles."""

    def __init__(self, found: Optional[dict[str, bytes]] = None, sources: Optional[dict[str, str]] = None,
                 record: bool = False) -> None:
        self.found = dict(found or {})
        self.sources = dict(sources or {})
        self.record = record
        self._same: Optional[bool] = None

    def get_bucket(self, environment: Environment, name: str, filename: Optional[str], source: str) -> Bucket:
        bucket = Bucket(environment, _key(environment, name, filename), self.get_source_checksum(source))
        if not self.record and self.same_sources(environment):
            data = self.found.get(bucket.key)
            if data is not None:
                bucket.bytecode_from_string(data)  # Jinja checks its magic and the source's checksum
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        if self.record and bucket.code is not None:
            self.found[bucket.key] = bucket.bytecode_to_string()

    def load_bytecode(self, bucket: Bucket) -> None:  # get_bucket does the work
        pass

    def dump_bytecode(self, bucket: Bucket) -> None:  # set_bucket does the work
        pass

    def same_sources(self, environment: Environment) -> bool:
        """Whether every template the compiling process read has the same source here (asked once)."""
        if self._same is None:
            self._same = bool(self.sources) and all(_source_digest(environment, name) == digest
                                                    for name, digest in self.sources.items())
        return self._same


def _source_digest(environment: Environment, name: str) -> Optional[str]:
    try:
        return _digest(environment.loader.get_source(environment, name)[0]) if environment.loader else None
    except Exception:  # noqa: BLE001 (gone, unreadable: not the same)
        return None


def compile_templates(env: Environment, names: Iterable[str]) -> tuple[dict[str, bytes], dict[str, str]]:
    """Compile each of ``names`` in ``env`` (a template that does not compile is left to the build, which
    reports it as it always did); (bytecode by key, source digest by template name read)."""
    cache = CompiledTemplates(record=True)
    env.bytecode_cache = cache
    for name in names:
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001
            continue
    sources: dict[str, Any] = getattr(env.loader, "sources", {})  # folding.SourceOnce: every source it read
    return cache.found, {name: _digest(found[0]) for name, found in sources.items() if found and found[0] is not None}
