"""The graded sector map, synonyms and the resolution order of sector names."""

from __future__ import annotations

import importlib.util
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crossmatch as cm
from crossmatch import SectorPreference, Taxonomy
from crossmatch._text import norm_key

TAX = Taxonomy.default()
SPEC = json.loads(resources.files("crossmatch.cohort").joinpath("data/sectors.json").read_text())
LEAVES = [s for s in TAX.names if s not in SPEC["groups"]]
GROUPS = list(SPEC["groups"])
PRIVATE = SPEC["groups"]["private"]
DOCS = Path(__file__).resolve().parents[1] / "docs"


def pref(a: str, b: str, preference: SectorPreference | None = None) -> float:
    """The default sector score of a mentee in sector ``a`` with a mentor in ``b``."""
    p = preference or SectorPreference()
    return float(p(TAX.distance[TAX.index(a), TAX.index(b)]))


# ---------------------------------------------------------------------------- the map
def test_map_is_built_from_the_axes_as_documented() -> None:
    """Brute force from the JSON: weighted L1 over the axes, divided by the largest pair."""
    axes = [(a["name"], a["weight"]) for a in SPEC["axes"]]
    pos = {s: e["position"] for s, e in SPEC["sectors"].items()}
    raw = {(a, b): sum(w * abs(pos[a][k] - pos[b][k]) for k, w in axes) for a in pos for b in pos}
    top = max(raw.values())
    for (a, b), value in raw.items():
        assert TAX.distance[TAX.index(a), TAX.index(b)] == pytest.approx(value / top, abs=1e-12)
    assert list(pos) == LEAVES


def test_group_distance_is_the_mean_of_its_leaves() -> None:
    groups = SPEC["groups"]
    d = TAX.to_frame()
    for g, members in groups.items():
        assert d.loc[g, g] == 0
        for leaf in LEAVES:
            expected = sum(d.loc[m, leaf] for m in members) / len(members)
            assert d.loc[g, leaf] == pytest.approx(expected, abs=1e-12)
            assert d.loc[leaf, g] == pytest.approx(expected, abs=1e-12)
        for h, others in groups.items():
            if h != g:
                pairs = [d.loc[m, o] for m in members for o in others]
                assert d.loc[g, h] == pytest.approx(sum(pairs) / len(pairs), abs=1e-12)
        assert set(np.asarray(TAX.names)[TAX.leaves_of(TAX.index(g))]) == {*members, g}


def test_map_is_a_valid_distance_in_unit_range() -> None:
    d = TAX.distance
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)
    assert d.min() >= 0 and d.max() == pytest.approx(1.0)
    leaf = d[: len(LEAVES), : len(LEAVES)]
    # the triangle inequality holds for an L1 distance (and so for its scaled version)
    assert np.all(leaf[:, None, :] <= leaf[:, :, None] + leaf[None, :, :] + 1e-12)


def test_seed_example_alb_prefers_local_government() -> None:
    """An arm's-length-body mentee prefers local government over the same sector and retail."""
    lg = pref("arms-length-body", "local-government")
    assert lg > pref("arms-length-body", "arms-length-body")
    assert lg > pref("arms-length-body", "retail")


def test_seed_example_end_to_end() -> None:
    """The same through scoring: only the sector differs between the three mentors."""
    base = {
        "availability": "mon-am;wed-pm",
        "cadence": "monthly",
        "mode": "either",
        "region": "london",
    }
    ee = pd.DataFrame([{"id": "e", "organisation": "A", "sector": "Arm's Length Body",
                        "goals": "confidence", **base}])  # fmt: skip
    mr = pd.DataFrame(
        [{"id": f"r{k}", "organisation": f"R{k}", "sector": s, "expertise": "confidence",
          "capacity": 1, **base}
         for k, s in enumerate(["Local Government", "arms-length-body", "Retail"])]
    )  # fmt: skip
    total = cm.score(cm.Cohort.from_frames(ee, mr)).total[0]
    assert total[0] > total[1] and total[0] > total[2]


@pytest.mark.parametrize("sector", TAX.names)
def test_some_different_sector_beats_the_same_sector(sector: str) -> None:
    same = pref(sector, sector)
    assert max(pref(sector, other) for other in TAX.names if other != sector) > same


def test_central_government_pairs_well_with_industry() -> None:
    """Government-industry pairs are the point: the best private leaf scores >= half the best."""
    cg = "central-government"
    best = max(pref(cg, s) for s in TAX.names)
    best_private = max(pref(cg, s) for s in PRIVATE)
    assert best_private >= 0.5 * best


def test_graded_at_least_eight_distinct_distances() -> None:
    leaf = TAX.distance[: len(LEAVES), : len(LEAVES)]
    values = np.unique(np.round(leaf[np.triu_indices(len(LEAVES), 1)], 9))
    assert len(values) >= 8


@pytest.mark.parametrize("sector", LEAVES)
def test_furthest_leaf_scores_lowest(sector: str) -> None:
    i = TAX.index(sector)
    row = TAX.distance[i, : len(LEAVES)]
    furthest = LEAVES[int(np.argmax(row))]
    assert pref(sector, furthest) == pytest.approx(min(pref(sector, s) for s in LEAVES))
    assert pref(sector, furthest) < pref(sector, sector)


def test_public_private_is_no_longer_one_opposite_distance() -> None:
    """Public-private pairs are graded, not all at the far end."""
    public = SPEC["groups"]["public"]
    d = [TAX.distance[TAX.index(a), TAX.index(b)] for a in public for b in PRIVATE]
    assert min(d) < 0.6 and max(d) == pytest.approx(1.0) and len(set(np.round(d, 9))) > 10


def test_every_sector_has_a_rationale_and_position_on_every_axis() -> None:
    axes = {a["name"] for a in SPEC["axes"]}
    for name, entry in SPEC["sectors"].items():
        assert set(entry["position"]) == axes, name
        assert len(entry["rationale"]) > 40, name
    for mix in (("owned-by-state", "owned-in-trust", "owned-by-shareholders"),
                ("funded-by-tax", "funded-by-trade", "funded-by-giving")):  # fmt: skip
        for name, entry in SPEC["sectors"].items():
            assert math.isclose(sum(entry["position"][a] for a in mix), 1.0), (name, mix)


# ---------------------------------------------------------------------------- recognition
@pytest.mark.parametrize(
    ("value", "how"),
    [("local-government", "exact"), (" LOCAL-GOVERNMENT ", "exact"),
     ("Local Government", "normalised"), ("local_government", "normalised"),
     ("Arm's Length Body", "normalised"), ("Arm\u2019s-length body", "normalised"),
     ("Health & Social Care", "normalised"), ("health and social care", "normalised"),
     ("Not for profit", "normalised"), ("public/education", "path"),
     ("public > education", "path"), ("Public: Education", "path")],
)  # fmt: skip
def test_names_recognised_by_norm_key(value: str, how: str) -> None:
    found = TAX.resolve(value)
    assert found is not None and found.how == how
    expected = norm_key(value).split("/")[-1].split(">")[-1].split(":")[-1].strip("-")
    assert found.name == expected and TAX.index(value) == found.index


SYNONYMS = {
    "central-government": ["Civil Service", "civil servant", "Government Department",
                           "Whitehall", "Ministry"],
    "arms-length-body": ["ALB", "NDPB", "Non-Departmental Public Body", "executive agency",
                         "Quango", "regulator"],
    "local-government": ["Council", "Local Authority", "county council", "Borough Council",
                         "unitary authority"],
    "health-and-social-care": ["NHS", "NHS Trust", "Health", "Healthcare", "social care",
                               "hospital"],
    "emergency-services": ["Police", "police force", "Fire", "Fire & Rescue",
                           "fire and rescue service", "Ambulance Service"],
    "education": ["University", "School", "College", "Higher Education", "Further Education",
                  "Academy Trust"],
    "financial-services": ["Bank", "Banking", "Finance", "Insurance", "insurer",
                           "Asset Management"],
    "technology": ["Tech", "IT", "Software", "Digital", "Telecoms", "information technology"],
    "professional-services": ["Consultancy", "Consulting", "Law Firm", "Legal", "Accountancy",
                              "Management Consultancy"],
    "energy": ["Utilities", "Utility", "Water", "Oil & Gas", "Electricity"],
    "manufacturing": ["Manufacturer", "Aerospace", "Automotive", "Pharma"],
    "retail": ["Retailer", "Supermarket", "Shops", "E-commerce"],
    "charity": ["Charities", "Registered Charity", "NGO", "Voluntary Organisation"],
    "social-enterprise": ["Social Enterprises", "Community Interest Company", "CIC",
                          "Co-operative"],
    "membership-body": ["Trade Body", "Trade Association", "Professional Body",
                        "Professional Association", "Trade Union"],
    "housing-association": ["Housing Associations", "Social Housing", "Social Landlord",
                            "Registered Provider"],
    "public": ["Public Sector", "Government", "public services"],
    "private": ["Private Sector", "Business", "Industry"],
    "not-for-profit": ["Third Sector", "Voluntary Sector", "Voluntary & Community Sector",
                       "VCSE", "Non-profit", "civil society"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "sector"), [(v, s) for s, values in SYNONYMS.items() for v in values]
)
def test_synonyms_of_the_default_taxonomy(value: str, sector: str) -> None:
    found = TAX.resolve(value)
    assert found is not None, value
    assert (found.name, found.how) == (sector, "synonym")


@pytest.mark.parametrize(
    ("value", "sector"),
    [("Private sector - Finance", "financial-services"),
     ("Public sector: Health", "health-and-social-care"),
     ("Public Sector / NHS", "health-and-social-care"),
     ("Public sector \u2013 Local Government", "local-government"),
     ("Third sector - Charity", "charity"),
     ("not-for-profit > housing association", "housing-association"),
     ("Private | Consultancy", "professional-services"),
     ("Health - NHS", "health-and-social-care"),  # the part before is the leaf itself
     ("UK > public > central government", "central-government")],
)  # fmt: skip
def test_group_leaf_paths(value: str, sector: str) -> None:
    found = TAX.resolve(value)
    assert found is not None and (found.name, found.how) == (sector, "path")


@pytest.mark.parametrize(
    "value",
    ["Public sector - Finance", "Private sector: NHS", "Sector - Finance", "finance-ish",
     "Private sector - Aerospace engineering", "", "   ", "nan-sector", None, float("nan")],
)  # fmt: skip
def test_unrecognised_values(value: object) -> None:
    """A leaf under another group is contradictory: not guessed, reported."""
    assert TAX.resolve(value) is None and TAX.index(value) is None and value not in TAX


def test_resolution_order_name_before_synonym() -> None:
    """A user's name wins over a synonym only by being a name: synonyms may not shadow names."""
    tax = Taxonomy.from_groups(
        {"public": ["health", "policing"], "private": ["banking"]},
        synonyms={"Police": "policing", "NHS": "health"},
    )
    assert tax.resolve("Health").how == "exact"
    assert tax.resolve("police").how == "synonym"
    with pytest.raises(ValueError, match="name of another sector"):
        Taxonomy.from_groups({"g": ["health", "policing"]}, synonyms={"health": "policing"})


# ---------------------------------------------------------------------------- suggestions
@pytest.mark.parametrize(
    ("value", "first"),
    [("Civil Servce", "central-government"), ("retial", "retail"),
     ("Local Gov", "local-government"), ("Metropolitan Police Service", "emergency-services"),
     ("NHS Foundation Trus", "health-and-social-care"), ("charites", "charity"),
     ("Civil Service", "central-government")],
)  # fmt: skip
def test_suggest_offers_the_intended_sector_first(value: str, first: str) -> None:
    assert TAX.suggest(value)[0] == first


def test_suggest_civil_service_is_not_financial_services() -> None:
    for value in ["Civil Service", "civil-services", "Civil Servce", "The Civil Service"]:
        assert "financial-services" not in TAX.suggest(value), value


def test_suggest_nothing_for_nonsense() -> None:
    assert TAX.suggest("zzzz") == [] and TAX.suggest("") == []
    assert len(TAX.suggest("service", n=2)) <= 2


# ---------------------------------------------------------------------------- properties
def _respell(name: str, data: st.DataObject) -> str:
    """The same words, written the way people do: case, separators, spacing."""
    words = name.split("-")
    seps = data.draw(st.lists(st.sampled_from([" ", "-", "_", "  ", " - "]),
                              min_size=len(words) - 1, max_size=len(words) - 1))  # fmt: skip
    text = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
    case = data.draw(st.sampled_from([str.lower, str.upper, str.title, str.capitalize]))
    pad = data.draw(st.sampled_from(["", " ", "\t"]))
    return pad + case(text) + pad


@given(st.data())
def test_any_spelling_of_a_name_or_synonym_resolves_to_it(data: st.DataObject) -> None:
    pool = [(n, n) for n in TAX.names] + [(k, v) for k, v in TAX.synonyms.items()]
    word, target = data.draw(st.sampled_from(pool))
    value = _respell(word, data)
    if " - " in value:  # a spaced dash is a path separator: only a prefix that is a group
        return
    found = TAX.resolve(value)
    assert found is not None and found.name == target


@given(st.text(max_size=30))
def test_resolve_never_raises_and_agrees_with_index(value: str) -> None:
    found = TAX.resolve(value)
    assert TAX.index(value) == (None if found is None else found.index)
    if found is not None:
        assert TAX.names[found.index] == found.name
    for s in TAX.suggest(value):
        assert s in TAX.names


# ---------------------------------------------------------------------------- own taxonomies
def test_from_groups_and_matrix_take_synonyms() -> None:
    tax = Taxonomy.from_groups(
        {"Arts": ["music", "theatre"], "Science": ["physics"]},
        within=0.3,
        between=0.9,
        synonyms={"Orchestra": "music", "STEM": "science"},
    )
    assert tax.names[tax.index("orchestra")] == "music"
    assert tax.names[tax.index("stem")] == "science"
    assert tax.names[tax.index("Arts / Orchestra")] == "music"
    assert dict(tax.synonyms) == {"orchestra": "music", "stem": "science"}
    names = ["arts", "science", "sport"]
    d = pd.DataFrame([[0, 0.4, 1], [0.4, 0, 0.7], [1, 0.7, 0]], index=names, columns=names)
    m = Taxonomy.from_distance_matrix(d, synonyms={"football": "sport"})
    assert m.names[m.index("Football")] == "sport"
    m2 = Taxonomy.from_distance_matrix(d.to_numpy(), names, synonyms={"PE": "sport"})
    assert m2.index("pe") == 2 and m2.to_frame().equals(m.to_frame())


@pytest.mark.parametrize(
    ("synonyms", "match"),
    [({"nhs": "healthcare"}, "not a sector"),
     ({"NHS": "health", " nhs ": "policing"}, "same word"),
     ({"policing": "health"}, "name of another sector"),
     ({"": "health"}, "non-empty"),
     ({"nhs": 3}, "non-empty strings"),
     (["nhs"], "must be a mapping")],
)  # fmt: skip
def test_bad_synonyms_are_errors(synonyms: object, match: str) -> None:
    with pytest.raises(cm.ParameterError, match=match):
        Taxonomy.from_groups({"public": ["health", "policing"]}, synonyms=synonyms)  # type: ignore[arg-type]


def test_bad_synonyms_reported_all_at_once() -> None:
    with pytest.raises(cm.ParameterError) as info:
        Taxonomy.from_groups({"g": ["a", "b"]}, synonyms={"x": "zz", "y": "yy"})
    assert "'zz'" in str(info.value) and "'yy'" in str(info.value)


def test_names_that_differ_only_in_separators_are_an_error() -> None:
    with pytest.raises(cm.ParameterError, match="must differ"):
        Taxonomy.from_distance_matrix(np.array([[0, 0.5], [0.5, 0]]), ["local gov", "local-gov"])


def test_from_axes_matches_a_hand_computation() -> None:
    positions = pd.DataFrame(
        {"money": [0.0, 1.0, 0.5], "size": [0.0, 0.0, 0.5]}, index=["a", "b", "c"]
    )
    tax = Taxonomy.from_axes(positions, weights={"money": 2.0, "size": 1.0},
                             groups={"g": ["a", "b"], "h": ["c"]})  # fmt: skip
    # raw weighted L1: a-b 2 * 1 = 2 (the largest), a-c and b-c 2 * 0.5 + 0.5 = 1.5
    d = tax.to_frame()
    assert d.loc["a", "b"] == pytest.approx(1.0)
    assert d.loc["a", "c"] == d.loc["c", "b"] == pytest.approx(0.75)
    assert d.loc["g", "a"] == pytest.approx((0.0 + 1.0) / 2)  # mean over g's leaves
    assert d.loc["g", "c"] == pytest.approx((0.75 + 0.75) / 2)
    assert d.loc["g", "h"] == pytest.approx(0.75) and d.loc["h", "c"] == 0.0
    assert tax.groups == ("g", "g", "h", "g", "h")
    plain = Taxonomy.from_axes({"a": {"x": 0.0}, "b": {"x": 0.25}, "c": {"x": 1.0}})
    assert plain.to_frame().loc["a", "b"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"positions": {"a": {"x": 0.0}, "b": {"x": 2.0}}}, r"in \[0, 1\]"),
     ({"positions": {"a": {"x": 0.0}, "b": {"y": 1.0}}}, "lacks 2 value"),
     ({"positions": {"a": {"x": 0.0}, "b": {"x": 1.0}}, "weights": {"y": 1.0}}, "Unknown"),
     ({"positions": {"a": {"x": 0.0}, "b": {"x": 1.0}}, "weights": {"x": -1.0}}, ">= 0"),
     ({"positions": {"a": {"x": 0.0}, "b": {"x": 1.0}}, "groups": {"g": ["a"]}},
      "not in any"),
     ({"positions": {"a": {"x": 0.0}, "b": {"x": 1.0}}, "groups": {"g": ["a", "b"],
                                                                      "h": ["b"]}},
      "in two groups"),
     ({"positions": {"a": {"x": 0.0}, "b": {"x": 1.0}}, "groups": {"g": ["a", "b", "c"]}},
      "has no position"),
     ({"positions": {"a": {"x": 0.0}, "b": {"x": 1.0}}, "synonyms": {"z": "q"}},
      "not a sector")],
)  # fmt: skip
def test_from_axes_errors(kwargs: dict, match: str) -> None:
    with pytest.raises(cm.ParameterError, match=match):
        Taxonomy.from_axes(**kwargs)


def test_synonym_sectors_score_like_their_canonical_names() -> None:
    ee, mr = cm.synthetic_cohort(30, 12, seed=4)
    written = {"health-and-social-care": "NHS", "central-government": "Civil Service",
               "local-government": "Local Government", "emergency-services": "Police",
               "financial-services": "Private sector - Finance", "charity": "Third sector: Charity",
               "arms-length-body": "Arm's Length Body"}  # fmt: skip
    messy_ee, messy_mr = ee.copy(), mr.copy()
    messy_ee["sector"] = ee["sector"].map(lambda s: written.get(s, s))
    messy_mr["sector"] = mr["sector"].map(lambda s: written.get(s, s))
    assert (messy_ee["sector"] != ee["sector"]).any()
    clean = cm.score(cm.Cohort.from_frames(ee, mr))
    messy = cm.score(cm.Cohort.from_frames(messy_ee, messy_mr))
    np.testing.assert_array_equal(clean.total, messy.total)


# ---------------------------------------------------------------------------- docs
def test_docs_tables_are_up_to_date() -> None:
    """docs/sector-map.md holds the tables docs/make_sector_map.py writes from the taxonomy."""
    spec = importlib.util.spec_from_file_location("make_sector_map", DOCS / "make_sector_map.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (DOCS / "sector-map.md").read_text(encoding="utf-8")
    assert module.render_tables() in text


def test_taxonomy_pickles() -> None:
    """Process pools send the cohort, and so the taxonomy, to workers."""
    import pickle

    again = pickle.loads(pickle.dumps(TAX))
    assert again.names == TAX.names and np.array_equal(again.distance, TAX.distance)
    assert again.resolve("Civil Service") == TAX.resolve("Civil Service")
    assert dict(again.synonyms) == dict(TAX.synonyms) and again.groups == TAX.groups
    with pytest.raises(TypeError):
        TAX.synonyms["nhs"] = "retail"  # type: ignore[index]
