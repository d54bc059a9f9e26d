"""The layout's rules, read from the imports themselves (grimp builds the graph, lazy imports included):
no import cycle anywhere in the generator or the dataset contract, none between the generator's packages,
a dependency-free contract, and a sandbox that never imports the generator."""
from __future__ import annotations

import sys
from itertools import combinations

import grimp
import pytest

PACKAGES = ("generator", "dataset_contract", "sandbox")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, include_external_packages=True)


def _cycles(graph, modules) -> list[list[str]]:
    """One import chain back to the importer for every import A -> B inside `modules` that closes a cycle."""
    found = []
    for importer in sorted(modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & modules):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.append([importer, *back])
    return found


def test_no_module_imports_itself_through_others(graph):
    modules = {m for m in graph.modules if m.split(".")[0] in ("generator", "dataset_contract")}
    assert _cycles(graph, modules) == []


def test_the_generators_packages_import_each_other_in_one_direction(graph):
    children = sorted(m for m in graph.find_children("generator"))
    both_ways = [(a, b) for a, b in combinations(children, 2)
                 if graph.chain_exists(a, b, as_packages=True) and graph.chain_exists(b, a, as_packages=True)]
    assert both_ways == []


def test_the_dataset_contract_depends_on_the_standard_library_only(graph):
    imported = {m.split(".")[0] for m in graph.find_upstream_modules("dataset_contract", as_package=True)}
    assert imported - set(sys.stdlib_module_names) - {"dataset_contract"} == set()


def test_the_sandbox_never_imports_the_generator(graph):
    assert not graph.chain_exists("sandbox", "generator", as_packages=True)
