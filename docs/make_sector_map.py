"""Draw the default sector map and write its tables into docs/sector-map.md.

Run from the repository root after changing ``src/crossmatch/cohort/data/sectors.json``::

    PYTHONPATH=src python docs/make_sector_map.py

It writes ``docs/sector-map.png`` (a heat map of the distances and of the default sector
scores; needs matplotlib, the ``plot`` extra) and replaces the part of
``docs/sector-map.md`` between the ``tables`` markers. ``tests/test_taxonomy.py`` checks
that the committed tables are what this script writes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np

from crossmatch import SectorPreference, Taxonomy

HERE = Path(__file__).resolve().parent
START, END = "<!-- tables: start -->", "<!-- tables: end -->"
#: Short column labels for the matrices.
SHORT = {
    "central-government": "CG",
    "arms-length-body": "ALB",
    "local-government": "LG",
    "health-and-social-care": "HSC",
    "emergency-services": "ES",
    "education": "Edu",
    "financial-services": "Fin",
    "technology": "Tech",
    "professional-services": "Prof",
    "energy": "En",
    "manufacturing": "Man",
    "retail": "Ret",
    "charity": "Cha",
    "social-enterprise": "SE",
    "membership-body": "Mem",
    "housing-association": "HA",
    "public": "PUB",
    "private": "PRI",
    "not-for-profit": "NFP",
}


def _spec() -> dict:
    text = resources.files("crossmatch.cohort").joinpath("data/sectors.json").read_text("utf-8")
    spec: dict = json.loads(text)
    return spec


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _matrix(tax: Taxonomy, values: np.ndarray, names: list[str]) -> list[str]:
    idx = [tax.index(n) for n in names]
    lines = [_row(["", *(SHORT.get(n, n) for n in names)]), _row(["---"] * (len(names) + 1))]
    for a, i in zip(names, idx, strict=True):
        lines.append(_row([f"**{SHORT.get(a, a)}** {a}", *(f"{values[i, j]:.2f}" for j in idx)]))
    return lines


def render_tables() -> str:
    """The markdown tables of the map, the axes and the default preference."""
    spec = _spec()
    tax = Taxonomy.default()
    pref = SectorPreference()
    score = pref(tax.distance)
    leaves = list(spec["sectors"])
    groups = list(spec["groups"])
    axes = spec["axes"]
    out = [START, "", "### The axes", ""]
    out += [_row(["axis", "weight", "what it measures"]), _row(["---", "---:", "---"])]
    out += [_row([f"`{a['name']}`", f"{a['weight']:g}", a["about"]]) for a in axes]
    out += ["", "### Where each sector sits, and why", ""]
    out.append(_row(["sector", "group", *(f"`{a['name']}`" for a in axes), "rationale"]))
    out.append(_row(["---", "---", *(["---:"] * len(axes)), "---"]))
    group_of = {leaf: g for g, members in spec["groups"].items() for leaf in members}
    for s in leaves:
        pos = spec["sectors"][s]["position"]
        cells = [f"{pos[a['name']]:g}" for a in axes]
        out.append(_row([f"`{s}`", group_of[s], *cells, spec["sectors"][s]["rationale"]]))
    out += ["", "### Distances (0 = same sector, 1 = furthest apart)", ""]
    out += _matrix(tax, tax.distance, leaves + groups)
    out += [
        "",
        f"### Default sector scores (`SectorPreference(peak={pref.peak}, width={pref.width})`)",
        "",
        "Row = the mentee's sector, column = the mentor's.",
        "",
    ]
    out += _matrix(tax, score, leaves + groups)
    out += ["", "### Best and furthest partners of each sector (default scores)", ""]
    out += [_row(["mentee sector", "same sector", "best three", "lowest"])]
    out += [_row(["---", "---:", "---", "---"])]
    for s in leaves + groups:
        i = tax.index(s)
        assert i is not None
        order = [j for j in np.argsort(-score[i], kind="stable") if j != i]
        best = ", ".join(f"{tax.names[j]} {score[i, j]:.2f}" for j in order[:3])
        j = int(np.argmin(score[i, : len(leaves)]))
        low = f"{tax.names[j]} {score[i, j]:.2f} (distance {tax.distance[i, j]:.2f})"
        out.append(_row([f"`{s}`", f"{score[i, i]:.2f}", best, low]))
    out += ["", "### From distance to score (default preference)", ""]
    grid = np.round(np.linspace(0, 1, 11), 2)
    out += [_row(["distance", *(f"{d:.1f}" for d in grid)]), _row(["---"] * (len(grid) + 1))]
    out.append(_row(["score", *(f"{v:.2f}" for v in pref(grid))]))
    out += ["", END]
    return "\n".join(out)


def draw(path: Path) -> None:
    """Heat maps of the distances and of the default sector scores (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tax = Taxonomy.default()
    names = list(tax.names)
    labels = [f"{SHORT.get(n, n)}  {n}" for n in names]
    panels = [
        (tax.distance, "Sector distance (0 = same, 1 = furthest)", "viridis"),
        (SectorPreference()(tax.distance), "Default sector score, mentee row x mentor column",
         "magma"),
    ]  # fmt: skip
    fig, axes = plt.subplots(1, 2, figsize=(17, 7.6), constrained_layout=True)
    n_leaves = sum(1 for g, n in zip(tax.groups, names, strict=True) if g != n)
    for ax, (values, title, cmap) in zip(axes, panels, strict=True):
        image = ax.imshow(values, cmap=cmap, vmin=0, vmax=1)
        ax.set_title(title)
        ax.set_xticks(range(len(names)), [SHORT.get(n, n) for n in names], rotation=90)
        ax.set_yticks(range(len(names)), labels)
        for i in range(len(names)):
            for j in range(len(names)):
                v = values[i, j]
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if v < 0.55 else "black")  # fmt: skip
        cuts = [k - 0.5 for k in range(1, n_leaves) if tax.groups[k] != tax.groups[k - 1]]
        for k in (*cuts, n_leaves - 0.5):
            ax.axhline(k, color="white", lw=1.5)
            ax.axvline(k, color="white", lw=1.5)
        fig.colorbar(image, ax=ax, shrink=0.7)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> None:
    doc = HERE / "sector-map.md"
    text = doc.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    doc.write_text(head + render_tables() + tail, encoding="utf-8")
    draw(HERE / "sector-map.png")
    print(f"wrote {doc} and {HERE / 'sector-map.png'}")


if __name__ == "__main__":
    main()
