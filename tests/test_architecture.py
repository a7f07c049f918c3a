"""The shape of the code, checked: apps import only the apps below them (the import-linter
contract in pyproject.toml, described in docs/architecture.md), the import graph has no cycles
(imports inside functions count), and no module is over 800 lines."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES = CONFIG["root_packages"]
MAX_LINES = 800


def build_graph():
    return grimp.build_graph(*PACKAGES, include_external_packages=False)


@pytest.fixture(scope="module")
def graph():
    return build_graph()


def layers_contract() -> LayersContract:
    (options,) = [c for c in CONFIG["contracts"] if c["id"] == "layers"]
    options = {k: v for k, v in options.items() if k not in {"id", "name", "type"}}
    return LayersContract(name="layers", session_options=CONFIG, contract_options=options)


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_layers_contract_holds_on_our_graph(graph):
    assert layers_contract().check(graph, verbose=False).kept


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("ndx.views", "buying.models"),  # the foundation reaching up into an app
        ("catalogue.models", "suppliers.models"),  # an app reaching up
        ("contracts.models", "reviews.models"),
    ],
)
def test_a_deliberate_wrong_import_breaks_the_contract(importer, imported):
    wrong = build_graph()
    assert layers_contract().check(wrong, verbose=False).kept
    wrong.add_import(
        importer=importer,
        imported=imported,
        line_number=1,
        line_contents=f"import {imported}",
    )
    assert not layers_contract().check(wrong, verbose=False).kept


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle():
    looped = build_graph()
    looped.add_import(importer="ndx.outbox", imported="ndx.views")
    looped.add_import(importer="ndx.views", imported="ndx.outbox")
    assert any({"ndx.outbox", "ndx.views"} <= set(c) for c in _cycles(looped))


def test_the_import_graph_has_no_cycles(graph):
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_over_800_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
