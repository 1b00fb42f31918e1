"""docs/ecosystem.md: every Python block runs as written (the PyTorch one where PyTorch is
installed), and the grid search in it finds a pipeline that learned the digits."""

import re

import pytest
from paths import DOCS

pytest.importorskip("sklearn")


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / "ecosystem.md").read_text("utf-8"), re.S)


def test_the_pipeline_and_grid_search_of_the_page_run_with_two_workers(capsys):
    (search_block,) = [b for b in blocks() if "GridSearchCV" in b]
    namespace: dict = {}
    exec(compile(search_block, "docs/ecosystem.md", "exec"), namespace)  # noqa: S102
    search = namespace["search"]
    assert search.n_jobs == 2 and len(search.cv_results_["params"]) == 4
    assert search.score(namespace["x_test"], namespace["y_test"]) > 0.9
    assert "test accuracy: " in capsys.readouterr().out


@pytest.mark.torch_oracle  # skipped, and counted, where PyTorch is not installed
def test_the_pytorch_block_moves_weights_with_one_transpose():
    (torch_block,) = [b for b in blocks() if "import torch" in b]
    exec(compile(torch_block, "docs/ecosystem.md", "exec"), {})  # noqa: S102 - asserts inside
