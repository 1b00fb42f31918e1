"""The architecture of docs/architecture.md, kept true: which layer may import which, the reading
path in order, the line counts the page gives, and the size limits that keep the tree readable.
Each checker is shown failing on a bad case too."""

import ast
import re
import subprocess
import sys

import paths
import pytest

PACKAGE = paths.SRC / "numpynn"
PAGE = paths.DOCS / "architecture.md"
APPLICATION = ("cli", "workbench", "experiments", "runs", "plots")
# the core's reading path, in order: a module on it never imports one that comes later
READING_PATH = ["validation", "parameter", "buffers", "init", "layers", "activations", "losses",
                "model", "saving", "optim", "schedules", "history", "progress", "training",
                "gradcheck"]  # fmt: skip
OPTIM_MAY_IMPORT = {"numpynn.parameter", "numpynn.buffers", "numpynn.validation"}
MAX_APPLICATION_FILE = 250  # lines of a module in cli/ or plots/
MAX_FUNCTION = 65  # lines of a function, docstring included


def module_sources() -> dict[str, str]:
    """Every module of the package: dotted name -> source."""
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(paths.SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        sources[name] = path.read_text()
    return sources


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in APPLICATION:
        return parts[1]
    return "cli" if parts[-1] == "__main__" else "core"


def imported(module: str, source: str, known: set[str]) -> list[tuple[str, str, int]]:
    """(module imported, name imported from it or "", line) for every numpynn import of
    ``module``, at any depth (a lazy import inside a function counts too)."""
    is_package = f"{module}.__init__" in known or any(k.startswith(f"{module}.") for k in known)
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("numpynn")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("numpynn"):
                continue
            for alias in node.names:
                if f"{target}.{alias.name}" in known:  # a submodule: `from . import data`
                    found.append((f"{target}.{alias.name}", "", node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
    return found


def rules_from_page() -> dict[str, set[str]]:
    """The page's table of what each layer may import."""
    rows = re.findall(r"^\| `(\w+)` \| ([\w, ]+) \|", PAGE.read_text(), re.M)
    return {layer: {x.strip() for x in allowed.split(",")} | {layer} for layer, allowed in rows}


def violations(sources: dict[str, str], rules: dict[str, set[str]]) -> list[str]:
    """Every import that breaks the layering, reaches into another module's private names, or
    runs against the reading path (or lets optim see more than parameters)."""
    known = set(sources)
    found = []
    for module, source in sources.items():
        for target, name, line in imported(module, source, known):
            where = f"{module}:{line} imports {target}{'.' + name if name else ''}"
            if layer_of(target) not in rules[layer_of(module)]:
                found.append(f"{where}: {layer_of(module)} may not import {layer_of(target)}")
            if name.startswith("_") and not name.startswith("__") and target != module:
                found.append(f"{where}: a private name of another module")
            found += [f"{where}: {problem}" for problem in _path_problems(module, target)]
    return found


def _path_problems(module: str, target: str) -> list[str]:
    short = lambda name: name.removeprefix("numpynn.")  # noqa: E731
    problems = []
    if short(module) in READING_PATH and short(target) in READING_PATH:
        if READING_PATH.index(short(target)) > READING_PATH.index(short(module)):
            problems.append("it comes later on the reading path")
    if module == "numpynn.optim" and target not in OPTIM_MAY_IMPORT:
        problems.append("optim touches only Parameter.value and .grad")
    return problems


def test_every_module_imports_only_what_its_layer_may():
    rules = rules_from_page()
    assert set(rules) == {*APPLICATION, "core"}, "docs/architecture.md must give every layer's rule"
    assert rules["core"] == {"core"}
    assert all("cli" not in allowed for layer, allowed in rules.items() if layer != "cli")
    assert violations(module_sources(), rules) == []


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        ("numpynn.training", "from .runs.config import TrainConfig", "core may not import runs"),
        ("numpynn.layers", "def f():\n    from .plots.style import pyplot", "core may not import plots"),
        ("numpynn.plots.run", "from ..experiments import ablation", "plots may not import experiments"),
        ("numpynn.experiments.x", "from ..cli.main import main", "experiments may not import cli"),
        ("numpynn.data.idx", "from ..files import _tmp", "a private name of another module"),
        ("numpynn.layers", "from .model import Sequential", "it comes later on the reading path"),
        ("numpynn.optim", "from .layers import Dense", "optim touches only Parameter.value and .grad"),
    ],
)  # fmt: skip
def test_the_import_checker_catches_each_kind_of_violation(module, source, problem):
    sources = module_sources() | {module: source}
    assert any(problem in v for v in violations(sources, rules_from_page())), problem


def test_import_numpynn_loads_numpy_and_the_standard_library_only():
    optional = ["matplotlib", "tqdm", "PIL", "torch", "scipy", "joblib", "dask", "threadpoolctl",
                "pandas"]  # fmt: skip
    code = f"import sys, numpynn; print([m for m in {optional} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stdout + result.stderr


def counted_rows(page: str) -> list[tuple[str, int]]:
    """(module, lines) of the page's reading-path tables."""
    rows = re.findall(r"^\| \d+ \| `([\w/]+\.py)` \| (\d+) \|", page, re.M)
    return [(name, int(lines)) for name, lines in rows]


def stale_counts(page: str) -> dict[str, tuple[int, int]]:
    """Module -> (lines on the page, lines in the code) wherever they differ, totals included."""
    rows = counted_rows(page)
    real = {name: len((PACKAGE / name).read_text().splitlines()) for name, _ in rows}
    stale = {name: (lines, real[name]) for name, lines in rows if lines != real[name]}
    totals = re.findall(r"^\| \| \*\*([^*]+)\*\* \| \*\*(\d+)\*\* \|", page, re.M)
    for (name, given), part in zip(totals, (rows[:7], rows[7:]), strict=True):
        if int(given) != sum(real[module] for module, _ in part):
            stale[name] = (int(given), sum(real[module] for module, _ in part))
    return stale


def test_the_reading_path_on_the_page_is_the_code_as_it_is():
    page = PAGE.read_text()
    assert [name.removesuffix(".py") for name, _ in counted_rows(page)] == [
        m for m in READING_PATH if m not in ("validation", "buffers", "saving", "schedules", "progress")
    ]  # fmt: skip
    assert stale_counts(page) == {}, "docs/architecture.md: (page, code) line counts differ"
    first = sum(lines for _, lines in counted_rows(page)[:7])
    assert first < 1050  # the first sitting stays an afternoon's reading (DESIGN.md: ~1,000)
    name, lines = counted_rows(page)[0]
    wrong = page.replace(f"| `{name}` | {lines} |", f"| `{name}` | {lines + 1} |")
    assert stale_counts(wrong) == {name: (lines + 1, lines)}


def too_long(sources: dict[str, str]) -> list[str]:
    """Modules of cli/ and plots/ over their limit, and functions anywhere over theirs."""
    found = []
    for name, source in sources.items():
        lines = source.splitlines()
        if layer_of(name) in ("cli", "plots") and len(lines) > MAX_APPLICATION_FILE:
            found.append(f"{name}: {len(lines)} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno >= MAX_FUNCTION:
                found.append(f"{name}:{node.lineno} {node.name}")
    return found


def test_application_files_and_functions_stay_short():
    assert too_long(module_sources()) == []
    long_function = "def f():\n" + "    x = 1\n" * MAX_FUNCTION
    long_module = "x = 1\n" * (MAX_APPLICATION_FILE + 1)
    assert too_long({"numpynn.model": long_function, "numpynn.cli.x": long_module}) == [
        "numpynn.model:1 f",
        f"numpynn.cli.x: {MAX_APPLICATION_FILE + 1} lines",
    ]
