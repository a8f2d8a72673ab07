"""Stage 5, render: a template's own words looked up once, when it is compiled, not once per page.

Every word a template prints goes through gettext (``{{ _("Evidence") }}``, ``{% trans %}...{% endtrans %}``),
and Jinja's new-style gettext costs a call, a ``Markup`` and a format for each word on each page: at 12,000
pages that was a quarter of the render. A message whose text is a literal needs its translation only once per
language, so the pages of a build render from the templates compiled again for the build's language (an
overlay of the environment per language, ``in_language``), in which each such call is replaced by what it
returns: ``Markup(translation) % {...}``, the parameters still filled (and escaped) on each page, a call
without parameters folded into the page's text.

Jinja's own templates and environment stay as they were (a template rendered outside ``in_language`` still
asks gettext on each page); nothing here changes a byte of output, only when the lookup is made. A template
that binds one of gettext's names itself (``{% set _ = ... %}``, a macro's parameter) is left unfolded.

The same compiled templates print each value through ``escape_text``: the text Jinja's ``escape`` gives,
without making a ``Markup`` of each of the page's ~80 values only to join them.
"""

from __future__ import annotations

import functools
import gettext as _gettext
from typing import Any, Callable, Optional

from jinja2 import BaseLoader, Environment, Template, nodes
from jinja2.exceptions import TemplateError
from jinja2.compiler import CodeGenerator, Frame
from jinja2.visitor import NodeTransformer
from markupsafe import escape

from isoready.core import i18n

#: the names Jinja's i18n extension installs (``_`` is ``gettext``'s alias)
GETTEXT_NAMES = frozenset({"_", "gettext", "ngettext", "pgettext"})
#: where an environment prepared by ``fold_words`` keeps its overlays, one per language
OVERLAYS = "isoready_languages"
#: where it keeps the macros of each template others import (read and parsed once per build: inline_macros)
MACROS = "isoready_macros"
#: the templates each language's overlay keeps compiled (Jinja's default; a theme has a few dozen)
TEMPLATES_KEPT = 400


def fold_words(env: Environment, language: Optional[str] = None) -> Environment:
    """Let ``in_language`` give ``env``'s templates compiled for one language (Jinja's i18n extension installed
    with new-style gettext, as ``render.pages.speaking_templates`` does). With ``language`` (a build's, known
    when its environment is made), ``env`` itself compiles its templates for it: each template is read and
    compiled once; without, ``env``'s own templates ask gettext on each render, as Jinja's do."""
    overlays: dict[str, Environment] = {}
    if language is not None:
        env.code_generator_class = folding_generator(language)
        overlays[language] = env
    setattr(env, OVERLAYS, overlays)
    setattr(env, MACROS, {})  # shared with the overlays, as the overlays' dict is: the same source in each
    if env.loader is not None and not isinstance(env.loader, SourceOnce):
        env.loader = SourceOnce(env.loader)
    return env


Source = tuple[str, Optional[str], Optional[Callable[[], bool]]]  # a loader's (source, file name, up to date)


class SourceOnce(BaseLoader):
    """``loader``, each template's source read once: the template itself, each language's overlay and the
    macros inlined from it share one read (a build's templates do not change while it runs: auto_reload off)."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader
        self.sources: dict[str, Source] = {}

    def get_source(self, environment: Environment, template: str) -> Source:
        if template not in self.sources:
            self.sources[template] = self.loader.get_source(environment, template)
        return self.sources[template]

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


def in_language(template: Template, code: str) -> Template:
    """``template`` compiled with its literal messages in ``code``'s words (itself when its environment was not
    prepared by ``fold_words``, or it has no name to load it again by)."""
    overlays: Optional[dict[str, Environment]] = getattr(template.environment, OVERLAYS, None)
    if overlays is None or template.name is None:
        return template
    env = overlays.get(code)
    if env is None:
        base = getattr(template.environment, "linked_to", None) or template.environment
        # a cache of its own (an overlay copies its parent's, with the unfolded templates in it); every other
        # setting, the globals and filters shared; the overlays' dict shared too, so any of them finds the rest
        env = overlays[code] = base.overlay(cache_size=TEMPLATES_KEPT)
        env.code_generator_class = folding_generator(code)
    return template if template.environment is env else env.get_template(template.name)


@functools.lru_cache(maxsize=2 * len(i18n.LANGUAGES))
def folding_generator(code: str) -> type[CodeGenerator]:
    """Jinja's code generator, folding each literal message into ``code``'s translation before compiling."""
    return type(f"FoldingGenerator_{code}", (FoldingGenerator,), {"language": code})


class FoldingGenerator(CodeGenerator):
    language = i18n.SOURCE_LANGUAGE

    def visit_Template(self, node: nodes.Template, frame: Optional[Frame] = None) -> None:
        node = inline_macros(node, self.environment)
        if not binds_gettext(node):
            node = Fold(i18n.language(self.language).translations, self.environment).visit(node)
        self.writeline(f"from {__name__} import escape_text")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        """A value printed into the page (``{{ x }}``) escaped by ``escape_text``: the same text as Jinja's
        ``escape``, which makes a Markup of every value only for the page to join them into one string."""
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("escape_text(")
        if finalize.src is not None:
            self.write(finalize.src)


def escape_text(value: Any) -> str:
    """``str(markupsafe.escape(value))``, a plain string's way without a Markup (the five characters markupsafe
    replaces, by the entities it uses); markup (``__html__``), numbers and the rest through markupsafe."""
    if value.__class__ is str:
        return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
                .replace('"', "&#34;"))
    return escape(value)


def binds_gettext(tree: nodes.Template) -> bool:
    """Whether the template assigns one of gettext's names (then ``_`` may not be gettext)."""
    return any(n.ctx != "load" and n.name in GETTEXT_NAMES for n in tree.find_all(nodes.Name))


class Fold(NodeTransformer):
    """gettext / ngettext / pgettext calls on literal messages -> the message's translation, marked safe as
    gettext marks it when autoescaping, then ``%`` with the call's parameters (as Jinja's new-style gettext)."""

    def __init__(self, translations: _gettext.NullTranslations, env: Environment) -> None:
        self.translations, self.env = translations, env

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        name = node.node.name if isinstance(node.node, nodes.Name) and node.node.ctx == "load" else ""
        if name not in GETTEXT_NAMES or node.dyn_args is not None or node.dyn_kwargs is not None:
            return node
        args = [a.value if isinstance(a, nodes.Const) else a for a in node.args]
        params: list[tuple[str, nodes.Expr]] = []
        if name in ("_", "gettext") and _texts(args, 1, 1):
            text = self.translations.gettext(args[0])
        elif name == "ngettext" and _texts(args, 2, 3) and type(args[2]) is int:
            text = self.translations.ngettext(args[0], args[1], args[2])
            params.append(("num", nodes.Const(args[2])))
        elif name == "pgettext" and _texts(args, 2, 2):
            text = self.translations.pgettext(args[0], args[1])
            params.append(("context", nodes.Const(args[0])))
        else:
            return node
        given = {k.key: k.value for k in node.kwargs}
        params = [(k, v) for k, v in params if k not in given] + list(given.items())  # setdefault, as gettext
        if not params:
            try:
                text = text % {}  # "%%" -> "%", as gettext's format does with no parameters
            except (KeyError, ValueError, TypeError):
                return node  # the page's render raises as it did
        folded: nodes.Expr = nodes.MarkSafeIfAutoescape(nodes.Const(text))
        if params:
            folded = nodes.Mod(folded, nodes.Dict([nodes.Pair(nodes.Const(k), v) for k, v in params]))
        return folded.set_lineno(node.lineno).set_environment(self.env)


def _texts(args: list[Any], count: int, length: int) -> bool:
    """``length`` arguments, the first ``count`` of them literal strings."""
    return len(args) == length and all(type(a) is str for a in args[:count])


# ---------------------------------------------------------------- macros called once per row, inlined

#: names a macro's body may use that mean something else outside it (then it is never inlined)
MACRO_ONLY = frozenset({"caller", "varargs", "kwargs", "loop"})


def inline_macros(tree: nodes.Template, env: Environment) -> nodes.Template:
    """``{{ m(x) }}`` of a macro imported ``with context`` -> the macro's body, its parameters bound by a
    ``{% with %}`` (as the macro binds them): the same output without a macro call per row, nor the import's
    module made again for every page. A macro is inlined only where that changes nothing: a call that is a
    whole ``{{ }}``, arguments it names, a body that uses no name the template binds itself; what is not inlined
    is called as before (and imported as before while any call or use is left)."""
    imports = [n for n in tree.find_all(nodes.FromImport) if n.with_context and isinstance(n.template, nodes.Const)]
    if not imports:
        return tree
    bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}
    macros: dict[str, nodes.Macro] = {}
    for imp in imports:
        found = _macros(env, imp.template.value)
        for item in imp.names:
            name, alias = item if isinstance(item, tuple) else (item, item)
            if found is not None and name in found:
                macros[alias] = found[name]
    module = {name: m for imp in imports for name, m in (_macros(env, imp.template.value) or {}).items()}
    inliner = Inliner(macros, module, bound)
    tree = inliner.visit(tree)
    used = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    for imp in imports:
        imp.names = [i for i in imp.names if (i[1] if isinstance(i, tuple) else i) in used]
    tree.body = [n for n in tree.body if not (isinstance(n, nodes.FromImport) and n in imports and not n.names)]
    return tree


def _macros(env: Environment, name: str) -> Optional[dict[str, nodes.Macro]]:
    """The macros of template ``name`` when it holds nothing else (no assignment, import or output a macro
    could depend on), else None; parsed once per environment (and its overlays)."""
    kept: dict[str, Optional[dict[str, nodes.Macro]]] = getattr(env, MACROS, {})
    if name not in kept:
        kept[name] = _parse_macros(env, name)
    return kept[name]


def _parse_macros(env: Environment, name: str) -> Optional[dict[str, nodes.Macro]]:
    try:
        source, filename, _uptodate = env.loader.get_source(env, name) if env.loader else (None, None, None)
        tree = env.parse(source, name, filename) if source is not None else None
    except (TemplateError, OSError, UnicodeError):  # not inlined: the import reports its error when the page renders
        return None
    if tree is None or not all(isinstance(n, nodes.Macro) or (isinstance(n, nodes.Output) and all(
            isinstance(d, nodes.TemplateData) and not d.data.strip() for d in n.nodes)) for n in tree.body):
        return None
    return {n.name: n for n in tree.body if isinstance(n, nodes.Macro)}


class Inliner(NodeTransformer):
    """Calls of ``macros`` (by the names the template imported them as) replaced by their bodies; ``module``:
    every macro of the imported templates by its own name (one macro's body calls another by it)."""

    def __init__(self, macros: dict[str, nodes.Macro], module: dict[str, nodes.Macro], bound: set[str],
                 depth: int = 0) -> None:
        self.macros, self.module, self.bound, self.depth = macros, module, bound, depth

    def visit_Output(self, node: nodes.Output) -> Any:
        node = self.generic_visit(node)
        out: list[nodes.Node] = []
        pending: list[nodes.Expr] = []
        for child in node.nodes:
            body = self.inlined(child)
            if body is None:
                pending.append(child)
                continue
            if pending:
                out.append(nodes.Output(pending, lineno=node.lineno))
                pending = []
            out.append(body)
        if not out:
            return node
        if pending:
            out.append(nodes.Output(pending, lineno=node.lineno))
        return out

    def inlined(self, call: nodes.Node) -> Optional[nodes.Node]:
        if not (isinstance(call, nodes.Call) and isinstance(call.node, nodes.Name) and call.node.name in self.macros
                and call.dyn_args is None and call.dyn_kwargs is None and self.depth < 4):
            return None
        macro = self.macros[call.node.name]
        params = [a.name for a in macro.args]
        given = dict(zip(params, call.args))
        defaults = dict(zip(params[len(params) - len(macro.defaults):], _clone(macro.defaults, call.lineno)))
        if len(call.args) > len(params) or any(k.key not in params or k.key in given for k in call.kwargs):
            return None
        given.update({k.key: k.value for k in call.kwargs})
        values = [given[p] if p in given else defaults.get(p) for p in params]
        if any(v is None or (p not in given and not isinstance(v, nodes.Const)) for p, v in zip(params, values)):
            return None  # a parameter without a value, or a default that reads the others: called as it is
        body = [_clone(n, call.lineno) for n in macro.body]
        inner = _names(body, store=True)
        free = _names(body) - set(params) - inner
        if free & (MACRO_ONLY | self.bound) or any(isinstance(n, (nodes.Macro, nodes.CallBlock))
                                                   for b in body for n in _within(b)):
            return None
        nested = Inliner(self.module, self.module, self.bound | set(params) | inner, self.depth + 1)
        body = [n for b in body for n in _flat(nested.visit(b))]
        if _names(body) & (set(self.module) - set(params) - inner):
            return None  # another of the module's macros, called where it cannot be inlined: not reachable here
        return nodes.With([nodes.Name(p, "store", lineno=call.lineno) for p in params], values, body,
                          lineno=call.lineno)


def _names(body: list[nodes.Node], store: bool = False) -> set[str]:
    """The names ``body`` loads (or, with ``store``, binds)."""
    return {n.name for b in body for n in _within(b) if isinstance(n, nodes.Name) and (n.ctx != "load") == store}


def _within(node: nodes.Node) -> list[nodes.Node]:
    """``node`` and every node inside it."""
    return [node, *node.find_all(nodes.Node)]


def _flat(node: Any) -> list[Any]:
    return node if isinstance(node, list) else [node]


def _clone(node: Any, lineno: int) -> Any:
    """A fresh copy of a macro's nodes for one call site (placed at the call's line)."""
    if isinstance(node, list):
        return [_clone(n, lineno) for n in node]
    if isinstance(node, tuple):
        return tuple(_clone(n, lineno) for n in node)
    if not isinstance(node, nodes.Node):
        return node
    return type(node)(*[_clone(getattr(node, f, None), lineno) for f in node.fields], lineno=lineno,
                      environment=node.environment)
