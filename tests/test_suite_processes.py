"""The suite runs in two processes: a module whose tests share a fixture built once for the
module (the demo's play, the parsed app) has all its tests in one process, so that fixture is
built once per run."""

from __future__ import annotations

import ast

from tests.conftest import ROOT, TOGETHER, xdist_scope

BROAD = {"module", "class", "package"}


def shares_a_fixture(tree: ast.AST) -> bool:
    """Whether a test module defines a fixture broader than one test."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.fixture":
            for keyword in node.keywords:
                if keyword.arg == "scope" and ast.literal_eval(keyword.value) in BROAD:
                    return True
    return False


def test_every_module_that_shares_a_fixture_runs_in_one_process() -> None:
    sharing = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if shares_a_fixture(ast.parse(path.read_text(), str(path)))
    }
    assert sharing == TOGETHER


def test_a_shared_modules_tests_are_one_unit_and_the_rest_go_one_by_one() -> None:
    demo = "tests/sandbox/demo/test_demo.py"
    assert xdist_scope(f"{demo}::test_a") == xdist_scope(f"{demo}::test_b") == demo
    flows = "tests/test_participant_flows.py"
    assert xdist_scope(f"{flows}::test_a[sqlite]") != xdist_scope(f"{flows}::test_a[postgresql]")
