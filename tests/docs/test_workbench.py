"""docs/workbench.md: every Python block runs as written, in order, in one namespace."""

import re

from paths import DOCS


def test_every_code_block_of_the_workbench_page_runs(capsys):
    blocks = re.findall(
        r"```python\n(.*?)```", (DOCS / "workbench.md").read_text(encoding="utf-8"), re.S
    )
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/workbench.md", "exec"), namespace)  # noqa: S102
    assert namespace["report"].passed is False  # the last report: the sigmoid bug, caught


def test_the_threshold_on_the_page_is_the_codes():
    from numpynn.testing import THRESHOLD

    page = (DOCS / "workbench.md").read_text(encoding="utf-8")
    assert float(re.search(r"relative error below ([0-9.e-]+)", page)[1]) == THRESHOLD
