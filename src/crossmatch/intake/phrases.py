"""Recognising what people write: availability sentences, modes, cadences and goal phrases.

Every recogniser takes one cell value and says what it means in the schema's canonical
words *and how it knows* (the ``how`` of :class:`Recognised`), so the intake summary can
show every guess:

``exact``
    already written in the canonical form (``mon-am;wed-pm``, ``remote``).
``normalised``
    equal after :func:`crossmatch._text.norm_key` (case, spaces, hyphens, underscores,
    apostrophes, ``&``/``and``, Unicode NFC) and, for goals, plural and ``-ing`` forms
    (``Leading change`` = ``lead change``).
``synonym``
    a built-in synonym (``Face to face`` -> ``in-person``, ``every two weeks`` ->
    ``fortnightly``, ``self-confidence`` -> ``confidence``).
``alias``
    the programme's own mapping (``aliases=`` or ``[aliases.*]`` of the programme file).
``parsed``
    an availability sentence read word by word (``Tuesday mornings, Thursday afternoons``).
``fuzzy``
    a goal phrase close to another one: rapidfuzz ``token_sort_ratio`` of the two
    normalised forms at least :data:`FUZZY_THRESHOLD` (90 of 100), with its score.

Availability grammar
--------------------
Words are read left to right. Days (``Monday``, ``Tue``, ``Thurs``, plurals), day groups
(``weekday(s)``, ``weekend(s)``, ``every day``/``daily``) and day ranges (``Mon-Fri``,
``Monday to Friday``) combine with periods (``morning(s)``/``AM``, ``afternoon(s)``/``PM``,
``evening(s)``/``night(s)``, ``any time``/``all day``/``flexible``). A day named after a
period starts a new group, so ``Tuesday mornings, Thursday afternoons`` is ``tue-am`` and
``thu-pm``, and ``Monday, Wednesday and Friday mornings`` is ``mon-am``, ``wed-am`` and
``fri-am`` (``,``, ``/``, ``and``, ``&`` join; ``;`` and a new line end a group, so
``Weekends; Wednesday evenings`` is all weekend and ``wed-eve``). Days without a period
mean every period of those days; periods without a day mean those periods on every day.
Filler words (``on``, ``in``, ``every``, ...) are skipped; any other word is reported,
never ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .._text import norm_key
from .vocab import CADENCES, DAYS, MODES, PERIODS, SLOT_BIT, SLOTS

__all__ = [
    "FUZZY_THRESHOLD",
    "GoalMatcher",
    "Recognised",
    "goal_key",
    "recognise_cadence",
    "recognise_mode",
    "recognise_slots",
    "split_phrases",
]

#: Smallest rapidfuzz ``token_sort_ratio`` (0-100) between the normalised forms of two goal
#: phrases for one to be read as the other. 90 joins spelling slips and reordered words
#: (``stakeholder managment``, ``change management``/``managing change``) but keeps
#: different goals apart (``people management`` and ``project management`` score 75).
FUZZY_THRESHOLD = 90.0

#: Goal phrases shorter than this (normalised) are never matched fuzzily: two short
#: words differ by one letter too easily (``sales``, ``scale``).
FUZZY_MIN_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Recognised:
    """How one value was read: its canonical form, the way it was found, a score."""

    value: str
    how: str  # exact, normalised, synonym, alias, parsed, fuzzy
    score: float = 100.0


# ---------------------------------------------------------------------------- modes, cadences
_MODE_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        [
            "face to face",
            "f2f",
            "in person only",
            "in the office",
            "on site",
            "onsite",
            "offline",
            "in real life",
            "meet in person",
            "face-to-face only",
            "physical",
        ],
        "in-person",
    ),
    **dict.fromkeys(
        [
            "online",
            "virtual",
            "virtually",
            "video",
            "video call",
            "videocall",
            "remotely",
            "remote only",
            "online only",
            "zoom",
            "teams",
            "ms teams",
            "microsoft teams",
            "phone",
            "telephone",
            "by phone",
            "video or phone",
            "distance",
        ],
        "remote",
    ),
    **dict.fromkeys(
        [
            "hybrid",
            "both",
            "no preference",
            "any",
            "either is fine",
            "dont mind",
            "flexible",
            "blended",
            "mixed",
            "either way",
            "in person or online",
            "online or in person",
            "face to face or online",
            "online or face to face",
            "in person or remote",
            "remote or in person",
            "no pref",
            "whichever",
            "both are fine",
        ],
        "either",
    ),
}

_CADENCE_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        [
            "every week",
            "once a week",
            "each week",
            "weekly meetings",
            "once per week",
            "1 per week",
            "one a week",
            "once weekly",
        ],
        "weekly",
    ),
    **dict.fromkeys(
        [
            "every two weeks",
            "every 2 weeks",
            "every other week",
            "biweekly",
            "bi weekly",
            "twice a month",
            "twice monthly",
            "two weekly",
            "2 weekly",
            "once a fortnight",
            "every fortnight",
            "each fortnight",
            "twice per month",
            "2 per month",
            "every second week",
            "fortnight",
        ],
        "fortnightly",
    ),
    **dict.fromkeys(
        [
            "once a month",
            "every month",
            "each month",
            "once per month",
            "1 per month",
            "every four weeks",
            "every 4 weeks",
            "four weekly",
            "4 weekly",
            "once monthly",
            "month",
        ],
        "monthly",
    ),
}


def _table(canonical: Sequence[str], synonyms: Mapping[str, str]) -> dict[str, Recognised]:
    table = {norm_key(k): Recognised(v, "synonym") for k, v in synonyms.items()}
    table.update({norm_key(c): Recognised(c, "normalised") for c in canonical})
    return table


_MODES = _table(MODES, _MODE_SYNONYMS)
_CADENCES = _table(CADENCES, _CADENCE_SYNONYMS)


def _lookup(
    value: object,
    canonical: Sequence[str],
    table: Mapping[str, Recognised],
    aliases: Mapping[str, str] | None,
) -> Recognised | None:
    text = str(value).strip()
    if text in canonical:
        return Recognised(text, "exact")
    key = norm_key(text)
    if aliases and key in aliases:
        return Recognised(aliases[key], "alias")
    return table.get(key)


def recognise_mode(value: object, aliases: Mapping[str, str] | None = None) -> Recognised | None:
    """The meeting mode a cell means (``in-person``, ``remote``, ``either``), or None.

    ``aliases`` maps :func:`norm_key` of the programme's own words to a mode.

    >>> recognise_mode("Face to face")
    Recognised(value='in-person', how='synonym', score=100.0)
    >>> recognise_mode("zoom or carrier pigeon") is None
    True
    """
    return _lookup(value, MODES, _MODES, aliases)


def recognise_cadence(value: object, aliases: Mapping[str, str] | None = None) -> Recognised | None:
    """The meeting cadence a cell means (``weekly``, ``fortnightly``, ``monthly``), or None.

    >>> recognise_cadence("every two weeks").value
    'fortnightly'
    """
    return _lookup(value, CADENCES, _CADENCES, aliases)


# ---------------------------------------------------------------------------- availability
_ALL_DAYS = frozenset(range(7))
_DAY_WORDS: dict[str, frozenset[int]] = {}
for _i, _names in enumerate(
    [
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    ]
):
    for _n in _names:
        _DAY_WORDS[_n] = frozenset({_i})
        _DAY_WORDS[_n + "s"] = frozenset({_i})
for _n in ("weekday", "weekdays", "workday", "workdays", "working-days", "week-days"):
    _DAY_WORDS[_n] = frozenset(range(5))
for _n in ("weekend", "weekends"):
    _DAY_WORDS[_n] = frozenset({5, 6})
for _n in ("everyday", "daily", "days", "day"):
    _DAY_WORDS[_n] = _ALL_DAYS

_ALL_PERIODS = frozenset(range(3))
_PERIOD_WORDS: dict[str, frozenset[int]] = {
    **dict.fromkeys(["am", "morning", "mornings", "morn", "a.m."], frozenset({0})),
    **dict.fromkeys(["pm", "afternoon", "afternoons", "p.m."], frozenset({1})),
    **dict.fromkeys(["eve", "evening", "evenings", "night", "nights", "evng"], frozenset({2})),
    **dict.fromkeys(["anytime", "flexible", "whenever"], _ALL_PERIODS),
}
_FILLERS = frozenset(
    "and or on in the at every each any only also plus both either most usually generally "
    "mostly available availability free preferably ideally pref is are fine ok".split()
)
_RANGE_WORDS = frozenset({"to", "through", "thru", "till", "until", "-"})
_PHRASES = [
    (
        re.compile(r"\b(?:any|all)[\s-]*times?\b|\ball[\s-]*day\b|\bno[\s-]*preference\b"),
        " anytime ",
    ),
    (re.compile(r"\b(?:every|any|each)[\s-]*days?\b|\ball[\s-]*week\b"), " everyday "),
    (re.compile(r"\ba\.?\s?m\b\.?"), " am "),
    (re.compile(r"\bp\.?\s?m\b\.?"), " pm "),
]
_TOKENS = re.compile(r"[a-z0-9]+|-|[;\n]")


def _slot_mask(days: Iterable[int], periods: Iterable[int]) -> int:
    mask = 0
    for d in days:
        for p in periods:
            mask |= 1 << SLOT_BIT[f"{DAYS[d]}-{PERIODS[p]}"]
    return mask


def recognise_slots(value: object) -> tuple[Recognised | None, list[str]]:
    """Read an availability cell into slots: ``(Recognised, [])`` or ``(None, unknown words)``.

    The recognised value is the canonical ``;``-separated slot list in slot order (see
    the module docstring for the grammar).

    >>> recognise_slots("Tuesday mornings, Thursday afternoons")[0].value
    'tue-am;thu-pm'
    >>> recognise_slots("weekday evenings")[0].value
    'mon-eve;tue-eve;wed-eve;thu-eve;fri-eve'
    >>> recognise_slots("Tuesdays after lunch")[1]
    ['after', 'lunch']
    """
    if isinstance(value, list | tuple | set | frozenset):
        value = ";".join(str(v) for v in value)
    raw = str(value).strip()
    text = raw.lower().replace("\u2013", "-").replace("\u2014", "-")
    for pattern, repl in _PHRASES:
        text = pattern.sub(repl, text)
    tokens = _TOKENS.findall(text)
    mask = 0
    unknown: list[str] = []
    days: set[int] = set()
    periods: set[int] = set()
    first: str | None = None  # what the current group started with: "day" or "period"
    last_day: int | None = None
    pending_range = False

    def flush() -> None:
        nonlocal mask, days, periods, first
        if days or periods:
            mask |= _slot_mask(days or _ALL_DAYS, periods or _ALL_PERIODS)
        days, periods, first = set(), set(), None

    for tok in tokens:
        if tok in _DAY_WORDS:
            found = _DAY_WORDS[tok]
            if first == "day" and periods:
                flush()
            if pending_range and last_day is not None and len(found) == 1:
                (end,) = found
                span = range(last_day, end + 1) if end >= last_day else range(last_day, 7)
                days.update(span)
                pending_range = False
            days.update(found)
            last_day = max(found) if len(found) == 1 else None
            first = first or "day"
        elif tok in _PERIOD_WORDS:
            if first == "period" and days:
                flush()
            periods.update(_PERIOD_WORDS[tok])
            first = first or "period"
            last_day = None
        elif tok in (";", "\n"):
            flush()  # a new item of a list
            last_day = None
        elif tok in _RANGE_WORDS:
            pending_range = last_day is not None
            continue
        elif tok not in _FILLERS:
            unknown.append(tok)
        pending_range = False
    flush()
    if unknown or not mask:
        return None, unknown
    canonical = ";".join(s for s in SLOTS if mask >> SLOT_BIT[s] & 1)
    listed = [s.strip().lower() for s in raw.split(";")]
    how = "exact" if all(s in SLOT_BIT for s in listed) else "parsed"
    return Recognised(canonical, how), []


# ---------------------------------------------------------------------------- goals
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u2023\u25e6>]+|\(?\d{1,2}[.)])\s*")
_LIST_SPLIT = re.compile(r"[;,\n\r\u2022\u00b7\u25aa\u2023\u25e6|]+")
_WS = re.compile(r"\s+")
_STOPWORDS = frozenset("a an the my of to for in on with our your me i".split())


def split_phrases(value: object) -> list[str]:
    """Split a goals cell into phrases: on ``;``, ``,``, new lines, ``|`` and bullets.

    Each phrase is stripped, lower-cased and its inner white space collapsed; empty
    items and repeats are dropped; the order is kept (the first is the primary goal).

    >>> split_phrases("Build confidence, lead change\\n- Networking")
    ['build confidence', 'lead change', 'networking']
    """
    if isinstance(value, list | tuple | set | frozenset):
        pieces: list[str] = [str(v) for v in value]
    else:
        pieces = [str(value)]
    out: list[str] = []
    for piece in pieces:
        for line in str(piece).splitlines() or [""]:
            for item in _LIST_SPLIT.split(_BULLET.sub("", line)):
                item = _WS.sub(" ", _BULLET.sub("", item).strip().lower()).strip(" .")
                if item and item not in out:
                    out.append(item)
    return out


def _stem(word: str) -> str:
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]  # planning -> plan, running -> run
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # manage / managing -> manag
    return word


def goal_key(phrase: object) -> str:
    """The normalised form of a goal phrase: :func:`norm_key`, stop words dropped, each
    word's plural and ``-ing`` endings removed.

    >>> goal_key("Leading change") == goal_key("lead changes") == goal_key("lead change")
    True
    """
    words = [w for w in norm_key(phrase).split("-") if w and w not in _STOPWORDS]
    return " ".join(_stem(w) for w in words)


_GOAL_SYNONYMS: dict[str, str] = {
    "self confidence": "confidence",
    "self-belief": "confidence",
    "self belief": "confidence",
    "building confidence": "confidence",
    "confidence building": "confidence",
    "being more confident": "confidence",
    "public speaking": "presentation skills",
    "presenting": "presentation skills",
    "managing people": "people management",
    "line management": "people management",
    "managing teams": "people management",
    "team management": "people management",
    "leading change": "change management",
    "managing change": "change management",
    "change leadership": "change management",
    "work life balance": "wellbeing",
    "work-life balance": "wellbeing",
    "well-being": "wellbeing",
    "career progression": "career development",
    "career planning": "career development",
    "career growth": "career development",
    "promotion": "career development",
    "strategic thinking": "strategy",
    "strategic planning": "strategy",
    "networking skills": "networking",
    "building networks": "networking",
    "influencing skills": "influencing",
    "influencing stakeholders": "stakeholder management",
    "managing stakeholders": "stakeholder management",
    "stakeholder engagement": "stakeholder management",
    "budgeting": "financial management",
    "managing budgets": "financial management",
    "finance": "financial management",
}
_GOAL_SYNONYM_KEYS = {goal_key(k): goal_key(v) for k, v in _GOAL_SYNONYMS.items()}


@dataclass(frozen=True, slots=True)
class GoalMatcher:
    """One goal vocabulary for both tables: every phrase mapped to a label.

    Built from every phrase of both tables (with how often each appears), it gives
    each phrase its label: phrases with the same :func:`goal_key` share one label (the
    most used spelling); a built-in synonym or the programme's ``aliases.goals`` joins a
    phrase to another goal present in the data; a phrase whose key is within
    :data:`FUZZY_THRESHOLD` of a more used goal's key joins that goal. Phrases that match
    nothing stay goals of their own.

    Attributes
    ----------
    labels : dict
        Phrase (as :func:`split_phrases` gives it) -> :class:`Recognised` (``value`` is
        the label used in the cohort).
    """

    labels: dict[str, Recognised]

    @classmethod
    def build(
        cls,
        phrases: Mapping[str, int],
        aliases: Mapping[str, str] | None = None,
        *,
        fuzzy_threshold: float = FUZZY_THRESHOLD,
    ) -> GoalMatcher:
        """``phrases``: phrase -> rows using it; ``aliases``: their phrase -> our goal."""
        alias_keys = {goal_key(k): v for k, v in (aliases or {}).items()}
        # 1. an alias replaces the phrase by the programme's own goal, before anything else
        target: dict[str, tuple[str, str]] = {}  # phrase -> (phrase to cluster, how)
        counts: Counter[str] = Counter()
        for phrase, n in phrases.items():
            alias = alias_keys.get(goal_key(phrase))
            if alias is not None:
                alias_text = split_phrases(alias)[0] if split_phrases(alias) else phrase
                target[phrase] = (alias_text, "alias")
                counts[alias_text] += n
            else:
                target[phrase] = (phrase, "exact")
                counts[phrase] += n
        # 2. clusters by normalised key; the most used spelling is the label
        by_key: dict[str, Counter[str]] = {}
        for text, n in counts.items():
            by_key.setdefault(goal_key(text) or text, Counter())[text] += n
        size = {k: sum(c.values()) for k, c in by_key.items()}
        label = {k: min(c, key=lambda t: (-c[t], len(t), t)) for k, c in by_key.items()}
        # 3. synonyms and 4. fuzzy matches join a key to another key present in the data
        joined: dict[str, tuple[str, str, float]] = {}
        order = sorted(by_key, key=lambda k: (-size[k], k))
        kept: list[str] = []
        for key in order:
            syn = _GOAL_SYNONYM_KEYS.get(key)
            if syn is not None and syn in by_key and syn != key:
                joined[key] = (syn, "synonym", 100.0)
                continue
            if len(key) >= FUZZY_MIN_LENGTH and kept:
                best = process.extractOne(
                    key, kept, scorer=fuzz.token_sort_ratio, score_cutoff=fuzzy_threshold
                )
                if best is not None:
                    joined[key] = (best[0], "fuzzy", float(best[1]))
                    continue
            kept.append(key)

        def root(key: str) -> tuple[str, str, float]:
            how, score = "normalised", 100.0
            seen = {key}
            while key in joined:
                nxt, h, s = joined[key]
                if nxt in seen:
                    break
                seen.add(nxt)
                how, score, key = h, min(score, s), nxt
            return key, how, score

        labels: dict[str, Recognised] = {}
        for phrase, (text, first_how) in target.items():
            key = goal_key(text) or text
            final, how, score = root(key)
            value = label[final]
            if first_how == "alias":
                how = "alias"
            elif final == key:
                how = "exact" if value == phrase else "normalised"
            labels[phrase] = Recognised(value, how, score)
        return cls(labels)

    def __call__(self, phrases: Iterable[str]) -> tuple[str, ...]:
        """The labels of a cell's phrases, in order, repeats dropped."""
        return tuple(dict.fromkeys(self.labels[p].value for p in phrases))
