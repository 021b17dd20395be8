"""The page's HTML fragments and Markdown blocks, from templates in `pages/templates/`.

Pages are Markdown with a few HTML blocks (the `markdown` attribute, for md_in_html), so a
value is escaped for where it lands: in an `.html` template as HTML, in an `.md` template as
Markdown (`md_text`, which also makes it safe inside the HTML around it). Forgetting to escape
is therefore not possible; only text the portal wrote itself, whose outside values are already
escaped (a catalogue's words, a link), is passed in as `trusted(...)`. Escaping is the same as
the f-strings the templates replaced (`html.escape`, `md_text`), so pages are unchanged.

Jinja's comments are `{## ##}` here: `{#id}` is attr_list's syntax for a heading's anchor.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from policy_portal.text.formatting import md_text


def trusted(text: str) -> Markup:
    """Text the portal made, with any outside values in it already escaped: placed as it is."""
    return Markup(text)


def _escaping(escape_text: Callable[[str], str]) -> Callable[[Any], Any]:
    """Jinja's `finalize`: every value placed, escaped as `escape_text` does, unless trusted."""
    def finalize(value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Markup):
            return Markup(escape_text(value))
        return value
    return finalize


def _environment(escape_text: Callable[[str], str]) -> Environment:
    """Templates are package data, read once: `auto_reload` would look at each file's date on
    every page."""
    return Environment(loader=PackageLoader("policy_portal.pages", "templates"), autoescape=True,
                       finalize=_escaping(escape_text), undefined=StrictUndefined, trim_blocks=True,
                       lstrip_blocks=True, comment_start_string="{##", comment_end_string="##}",
                       auto_reload=False)


_ENVIRONMENTS = {".html": _environment(escape), ".md": _environment(md_text)}


def render(name: str, **values: Any) -> str:
    """The template `name` filled in, without a final line break: pages join blocks with blank
    lines themselves."""
    environment = _ENVIRONMENTS[name[name.rindex("."):]]
    return environment.get_template(name).render(**values).rstrip("\n")
