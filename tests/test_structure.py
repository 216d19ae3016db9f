"""The package's shape: no import circle between modules, and solve/ modules a newcomer can read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import crossmatch

ROOT = Path(crossmatch.__file__).resolve().parent
#: The largest a module of solve/ may be (issue 11).
MAX_SOLVE_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """crossmatch modules a module imports, anywhere in it (a function-level import
    dodges a circle at import time but is a circle all the same), except under ``if
    TYPE_CHECKING:`` (annotations only); relative imports resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("crossmatch"))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                if not mod.startswith("crossmatch"):
                    continue
                for alias in node.names:  # `from . import x` may name a submodule
                    sub = f"{mod}.{alias.name}"
                    found.add(sub if _exists(sub) else mod)
            else:  # functions, classes, try, with, loops: their bodies
                for field in ("body", "orelse", "finalbody", "handlers"):
                    visit([n for n in getattr(node, field, []) if isinstance(n, ast.stmt)])
                for h in getattr(node, "handlers", []):
                    visit(h.body)

    visit(tree.body)
    found.discard(name)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def import_graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in ROOT.rglob("*.py")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph (modules, first repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := dfs(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := dfs(node)) is not None:
            return found
    return None


#: Known circles, each broken here at one edge so that any *new* circle still fails (none
#: left: reporting's plots read the shared tables of `_figures`, not `report`).
KNOWN_EDGES: set[tuple[str, str]] = set()


def test_the_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    for a, b in KNOWN_EDGES:
        graph.get(a, set()).discard(b)
    # a package's __init__ re-exports its modules: an edge from a module to its own
    # package's __init__ would be a circle through it, so it counts too
    assert graph.get("crossmatch.solve.shortlist")
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("path", sorted((ROOT / "solve").glob("*.py")), ids=lambda p: p.name)
def test_no_solve_module_is_over_300_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_SOLVE_LINES, f"{path.name} has {lines} lines"


def test_solve_and_scoring_have_no_cycle_at_all() -> None:
    graph = import_graph()
    ours = ("crossmatch.solve", "crossmatch.scoring")
    inner = {k: {v for v in vs if v.startswith(ours)} for k, vs in graph.items()
             if k.startswith(ours)}  # fmt: skip
    assert _cycle(inner) is None, " -> ".join(_cycle(inner) or [])


#: The score kinds. Nothing in solve/ or reporting/ asks which one it was given: they read
#: `crossmatch.scoring.interface.ScoreSource`, and the one type check, at public doors,
#: is `interface.is_score_source` / `SCORE_SOURCE` (outside these packages).
SCORE_KINDS = {"Scores", "CandidateScores"}


def _kind_checks(source: str) -> list[str]:
    """Every ``isinstance(x, T)`` whose ``T`` names a score kind (alone, in a tuple or a
    ``|`` union), as source text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and len(node.args) == 2
            and {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)} & SCORE_KINDS
        ):
            found.append(ast.unparse(node))
    return found


def test_the_kind_check_finder_finds_kind_checks() -> None:
    src = (
        "isinstance(s, CandidateScores)\nisinstance(s, Scores | CandidateScores)\n"
        "isinstance(s, (Scores, CandidateScores))\nisinstance(r, Shortlists | Assignment)\n"
        "is_score_source(s)\n"
    )
    assert len(_kind_checks(src)) == 3


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "solve").glob("*.py"), *(ROOT / "reporting").glob("*.py")]),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_solvers_and_reports_never_ask_the_kind_of_scores(path: Path) -> None:
    checks = _kind_checks(path.read_text(encoding="utf-8"))
    assert not checks, (
        f"{path.name} branches on the kind of scores ({'; '.join(checks)}): read them through "
        "crossmatch.scoring.interface.ScoreSource (add a method there and to both kinds), "
        "and check the type at a public door with is_score_source / SCORE_SOURCE"
    )


def test_import_crossmatch_loads_no_heavy_solver_or_plotting_library():
    """Heavy libraries load on first use, not at ``import crossmatch`` (run in a fresh
    process, so other tests' imports do not count)."""
    import subprocess
    import sys

    heavy = ["ortools", "scipy.optimize", "matplotlib", "sklearn", "openpyxl", "dask"]
    code = (
        "import sys, crossmatch; "
        f"print(','.join(m for m in {heavy!r} if any(k == m or k.startswith(m + '.') "
        "for k in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
