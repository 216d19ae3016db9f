"""Every notebook in notebooks/ runs top to bottom (code cells executed in order).

Outputs are not committed; a notebook that ends in an error fails here. Plots draw on
matplotlib's Agg backend (matplotlib is in the `test` extra).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.fixture
def agg():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch, agg):
    monkeypatch.chdir(tmp_path)
    notebook = json.loads(path.read_text())
    cells = notebook["cells"]
    namespace: dict = {"__name__": "__notebook__"}
    for k, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        assert not cell.get("outputs"), f"{path.name} cell {k}: outputs are not committed"
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name}[cell {k}]", "exec"), namespace)


def test_there_are_the_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"01_quick_start.ipynb", "02_tuning.ipynb", "03_programme_letters.ipynb"} <= names
