"""docs/workbench.md: every Python block runs as written, in order, in one namespace."""

import re

from paths import DOCS


def test_every_code_block_of_the_workbench_page_runs(capsys, tmp_path, monkeypatch, mnist_dir):
    monkeypatch.chdir(tmp_path)  # compare_to_reference writes comparison.png here
    blocks = re.findall(
        r"```python\n(.*?)```", (DOCS / "workbench.md").read_text(encoding="utf-8"), re.S
    )
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/workbench.md", "exec"), namespace)  # noqa: S102
    assert namespace["report"].passed is False  # the sigmoid bug, caught
    assert namespace["comparison"].agree and (tmp_path / "comparison.png").exists()


def test_the_threshold_on_the_page_is_the_codes():
    from numpynn.testing import THRESHOLD

    page = (DOCS / "workbench.md").read_text(encoding="utf-8")
    assert float(re.search(r"relative error below ([0-9.e-]+)", page)[1]) == THRESHOLD
