"""Imports point one way: a lower app never names a higher one, in code or in templates.

    core <- bridges <- events <- video <- attendance <- training <- schoolreports <- followups <- reports
    <- console <- demo

Python imports are read with `ast` (function-level imports included, since they are still an edge);
templates are read for `{% url %}` names owned by a higher app and `{% load %}` of a higher app's tags.
`config/` (settings, root URLs, API, routing) sits above every app and may name any of them.
"""

import ast
import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "bridges", "events", "video", "attendance", "training", "schoolreports", "followups", "reports",
         "console", "demo"]
RANK = {app: rank for rank, app in enumerate(ORDER)}


def _apps_present() -> list[str]:
    return [app for app in ORDER if (ROOT / app / "__init__.py").exists()]


def _imported_packages(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_the_layout_has_its_apps():
    assert _apps_present() == ORDER, "the apps of the target layout, each a package at the root"


def test_no_python_import_points_up():
    wrong = []
    for app in _apps_present():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # generated; their dependencies follow the models' foreign keys
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, package in _imported_packages(tree):
                if package in RANK and RANK[package] > RANK[app]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} ({app}) imports {package}")
    assert not wrong, "imports against the order:\n" + "\n".join(wrong)


def _url_owners() -> dict[str, str]:
    """Every URL name (with its namespaces) -> the app whose view answers it."""
    owners: dict[str, str] = {}

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                module = getattr(entry.callback, "__module__", "") or ""
                owners.setdefault(namespace + entry.name, module.split(".")[0])

    walk(get_resolver(), "")
    return owners


def _template_files() -> list[tuple[str, Path]]:
    """(owning app, file) for the app-named template folders."""
    files = []
    for app in _apps_present():
        for folder in (ROOT / "templates" / app, ROOT / app / "templates" / app):
            files += [(app, path) for path in folder.rglob("*") if path.is_file()]
    return files


URL_TAG = re.compile(r"""{%\s*url\s+['"]([\w:.-]+)['"]""")
LOAD_TAG = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def test_no_template_names_a_higher_app():
    owners = _url_owners()
    libraries = engines["django"].engine.template_libraries
    wrong = []
    for app, path in _template_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in URL_TAG.findall(text):
            owner = owners.get(name)
            if owner in RANK and RANK[owner] > RANK[app]:
                wrong.append(f"{path.relative_to(ROOT)}: url '{name}' belongs to {owner}")
        for names in LOAD_TAG.findall(text):
            for library in names.split():
                module = getattr(libraries.get(library), "__module__", "") if library in libraries else ""
                owner = module.split(".")[0]
                if owner in RANK and RANK[owner] > RANK[app]:
                    wrong.append(f"{path.relative_to(ROOT)}: load {library} belongs to {owner}")
    assert not wrong, "templates naming a higher app:\n" + "\n".join(wrong)


@pytest.mark.parametrize("source, package", [("from attendance.board import x\n", "attendance"),
                                             ("def f():\n    import training.models\n", "training")])
def test_the_walker_sees_top_level_and_function_imports(source, package):
    assert package in [p for _line, p in _imported_packages(ast.parse(source))]
