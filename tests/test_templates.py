"""Templates link to our pages by route name, so a moved route cannot leave a dead link."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import nodes

from app.config import ROOT, Settings
from app.main import create_app
from app.templating import env
from app.web import path_for

TEMPLATES = ROOT / "templates"

# A path written out: an attribute value (href, action, formaction, src) or a string
# literal in an expression (`post_button("/rounds/%s/open"|format(...))`) that starts
# with one slash. `"/>` closing an SVG element and `//host` are not paths of ours.
HARD_CODED = re.compile(r"""(?:href|action|src)="/|["']/[\w{"']""")

# (template, text matched) -> why it may stay. Certificates and e-mails render outside a
# request and get absolute URLs from Python, so they have nothing to list here.
ALLOWED: dict[tuple[str, str], str] = {}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _parse(path: Path) -> nodes.Template:
    return env.parse(path.read_text(encoding="utf-8"), path.name, str(path))


def _url_for_calls(tree: nodes.Node) -> list[nodes.Call]:
    return [
        call
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name == "url_for"
    ]


def test_templates_have_no_hard_coded_links_to_our_pages() -> None:
    found: list[str] = []
    used: set[tuple[str, str]] = set()
    for path in _templates():
        name = str(path.relative_to(TEMPLATES))
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            for match in HARD_CODED.finditer(line):
                key = (name, match.group())
                if key in ALLOWED:
                    used.add(key)
                else:
                    found.append(f"templates/{name}:{number}: {line.strip()}")

    assert found == [], "use url_for(name, **params) for these links:\n" + "\n".join(found)
    assert sorted(set(ALLOWED) - used) == [], "exceptions that no longer occur"


def test_url_for_names_a_page_with_its_parameters(settings: Settings) -> None:
    app = create_app(settings)
    wrong: list[str] = []
    for path in _templates():
        for call in _url_for_calls(_parse(path)):
            where = f"templates/{path.relative_to(TEMPLATES)}:{call.lineno}"
            if len(call.args) != 1 or not isinstance(call.args[0], nodes.Const):
                wrong.append(f"{where}: the route name must be the only positional argument")
                continue
            params = {keyword.key: "1" for keyword in call.kwargs}
            try:
                path_for(app, call.args[0].value, **params)
            except Exception as exc:  # KeyError for a name, NoMatchFound for parameters
                wrong.append(f"{where}: url_for({call.args[0].value!r}, {params}): {exc!r}")

    assert wrong == []


def test_macros_that_build_links_are_imported_with_the_context() -> None:
    # url_for comes with the request's context: a macro imported without it cannot see it.
    linking: dict[str, set[str]] = {}
    for path in _templates():
        for macro in _parse(path).find_all(nodes.Macro):
            if _url_for_calls(macro):
                linking.setdefault(str(path.relative_to(TEMPLATES)), set()).add(macro.name)
    without: list[str] = []
    for path in _templates():
        tree = _parse(path)
        imports: list[tuple[nodes.Import | nodes.FromImport, set[str]]] = [
            (node, {name if isinstance(name, str) else name[0] for name in node.names})
            for node in tree.find_all(nodes.FromImport)
        ]
        imports += [(node, {"*"}) for node in tree.find_all(nodes.Import)]
        for node, names in imports:
            source = node.template.value if isinstance(node.template, nodes.Const) else ""
            macros = linking.get(str(source), set())
            if macros and (names & macros or "*" in names) and not node.with_context:
                without.append(f"templates/{path.relative_to(TEMPLATES)}:{node.lineno}")

    assert without == [], "add `with context` to these imports"
