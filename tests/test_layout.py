"""The layout's import rules (docs/layout.md): poetbench is built in floors, and an import only
runs down a floor or along one; the scripts (``bench/``, ``tools/``) and the tests import the
package and never each other. Every import counts, a function's deferred ones too; the one
exception is the package's lazy re-export of the scoring API (``poetbench.__getattr__``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The floors, lowest first. A module's floor is that of the longest name here that is the module
# or a package holding it (``poetbench.metrics`` is 3, its ``registry`` 0).
FLOORS = {
    0: ("poetbench.tempfiles", "poetbench.console", "poetbench.numerics", "poetbench.versions", "poetbench.stats",
        "poetbench.jsonl", "poetbench.cache", "poetbench.lookup", "poetbench.forms", "poetbench.cipu", "poetbench.diversity",
        "poetbench.metrics.registry"),
    1: ("poetbench.text",),
    2: ("poetbench.phonology", "poetbench.language", "poetbench.data.chinese_poetry"),
    3: ("poetbench.metrics",),
    4: ("poetbench.scoring", "poetbench.explain", "poetbench.display", "poetbench.sft", "poetbench.checkpoints",
        "poetbench.generation", "poetbench.data", "poetbench.evalsets", "poetbench.rewards", "poetbench.cipu_derive"),
    5: ("poetbench.rundir", "poetbench.compare", "poetbench.gate", "poetbench.audit", "poetbench.calibrate",
        "poetbench.report", "poetbench.runner", "poetbench.reward_gap", "poetbench.integrations"),
    6: ("poetbench.demo", "poetbench.cli", "poetbench.__main__", "training"),
}
SCRIPT_FOLDERS = ("bench", "tools", "tests")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor(module: str) -> int | None:
    """The floor of a module; ``poetbench`` itself (the version, the lazy re-export) is below all."""
    if module == "poetbench":
        return -1
    named = [(len(name), level) for level, names in FLOORS.items() for name in names
             if module == name or module.startswith(name + ".")]
    return max(named)[1] if named else None


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, a function's too (``imports_of``)."""
    return [found for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) for found in imports_of(node)]


def imports_of(node) -> list[tuple[int, str]]:
    """The modules one statement imports: ``from a import b`` names ``a.b`` where that is a
    module of the repository, and ``a`` unless every name is such a module."""
    if isinstance(node, ast.Import):
        return [(node.lineno, alias.name) for alias in node.names]
    if not isinstance(node, ast.ImportFrom) or node.module is None or node.level:
        return []
    inner = [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES]
    whole = [] if len(inner) == len(node.names) else [node.module]
    return [(node.lineno, name) for name in whole + inner]


def changes_sys_path(path: Path) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr in ("insert", "append", "extend")
               and ast.unparse(node.value) == "sys.path" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


MODULES = {module_name(p) for folder in ("poetbench", "training") for p in (ROOT / folder).rglob("*.py")}


def test_every_module_has_a_floor():
    assert not [m for m in MODULES if floor(m) is None], "a module with no floor: add it to FLOORS"


def test_imports_run_down_the_floors():
    upward = []
    for module in sorted(MODULES):
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / module.replace(".", "/") / "__init__.py"
        if module == "poetbench":
            continue  # the lazy re-export of Scorer and score
        for line, target in imports(path):
            if target in MODULES and floor(target) > floor(module):
                upward.append(f"{path.relative_to(ROOT)}:{line}: {module} (floor {floor(module)}) imports {target} "
                              f"(floor {floor(target)})")
    assert not upward, "\n".join(upward)


def test_module_level_imports_make_no_circle():
    graph = {}
    for module in MODULES:
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / module.replace(".", "/") / "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {target for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
                         for line, target in imports_of(node) if target in MODULES and target != module}
    seen, on_path = set(), []

    def visit(module):
        if module in on_path:
            raise AssertionError("import circle: " + " -> ".join(on_path[on_path.index(module):] + [module]))
        if module in seen:
            return
        on_path.append(module)
        for target in graph[module]:
            visit(target)
        on_path.pop()
        seen.add(module)

    for module in sorted(graph):
        visit(module)


def test_scripts_and_tests_import_the_package_not_each_other():
    own = {folder: {p.stem for p in (ROOT / folder).rglob("*.py")} | {folder} for folder in SCRIPT_FOLDERS}
    crossing = []
    for folder in SCRIPT_FOLDERS:
        others = set().union(*(own[f] for f in SCRIPT_FOLDERS if f != folder)) - own[folder]
        for path in (ROOT / folder).rglob("*.py"):
            if changes_sys_path(path):
                crossing.append(f"{path.relative_to(ROOT)}: changes sys.path")
            for line, target in imports(path):
                if target.split(".")[0] in others:
                    crossing.append(f"{path.relative_to(ROOT)}:{line}: imports {target}")
    assert not crossing, "\n".join(crossing)


def test_the_checks_see_an_upward_import(tmp_path):
    """The floor test is not vacuous: the rule it applies flags a metric importing the runner."""
    assert floor("poetbench.metrics.rhyme") == 3 and floor("poetbench.runner") == 5
    assert floor("poetbench.metrics.registry") == 0 and floor("poetbench.data.chinese_poetry") == 2
    assert floor("poetbench.data.prepare") == 4 and floor("poetbench.text.extract") == 1
    probe = tmp_path / "probe.py"
    probe.write_text("import sys\n\n\ndef f():\n    from poetbench.runner import Run\n    sys.path.insert(0, 'x')\n",
                     encoding="utf-8")
    assert (5, "poetbench.runner") in imports(probe) and changes_sys_path(probe)
