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
``Weekends; Wednesday evenings`` is all weekend and ``wed-eve``). When every
comma-separated piece names both days and times (``Monday mornings, Wednesday
afternoons``, what form tools export), each piece is read on its own. Days without a period
mean every period of those days; periods without a day mean those periods on every day.
Filler words (``on``, ``in``, ``every``, ...) are skipped; any other word is reported,
never ignored.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .._text import norm_key
from .vocab import CADENCES, DAYS, MODES, PERIODS, SLOT_BIT

__all__ = [
    "FUZZY_THRESHOLD",
    "LIST_SEP",
    "GoalMatcher",
    "Recognised",
    "goal_key",
    "recognise_cadence",
    "recognise_mode",
    "recognise_slots",
    "slots_mask",
    "split_phrases",
]

#: Smallest rapidfuzz ``token_sort_ratio`` (0-100) between the normalised forms of two goal
#: phrases for one to be read as the other. 90 joins spelling slips and reordered words
#: (``stakeholder managment``, ``change management``/``managing change``) but keeps
#: different goals apart (``people management`` and ``project management`` score 75).
FUZZY_THRESHOLD = 90.0

#: How a cell holding a Python list reaches the parsers (the ASCII unit separator, which
#: no one types): its items stay whole, so a goal may contain a comma.
LIST_SEP = "\x1f"

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
        # the alias target is read like a cell ("Online", "biweekly" -> remote, fortnightly);
        # a target nothing recognises makes the alias useless (IntakeSpec rejects it)
        target = _lookup(aliases[key], canonical, table, None)
        return None if target is None else Recognised(target.value, "alias")
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


_DAY_BITS = {w: sum(1 << d for d in ds) for w, ds in _DAY_WORDS.items()}
_PERIOD_BITS = {w: sum(1 << q for q in qs) for w, qs in _PERIOD_WORDS.items()}
#: slot mask of every (days bit set, periods bit set) pair: _MASK[days][periods]
_MASK = [
    [
        sum(
            1 << SLOT_BIT[f"{DAYS[d]}-{PERIODS[q]}"]
            for d in range(7)
            for q in range(3)
            if days >> d & 1 and periods >> q & 1
        )
        for periods in range(8)
    ]
    for days in range(128)
]
_PHRASE_HINTS = ("any", "all", "no", "every", "each", "a.", "p.", "a m", "p m")
Token = tuple[str, int, int]  # kind (d: days, p: periods, s: list break, r: range, u: unknown)


_DAY_PARTS = [
    ["".join(f";{DAYS[d]}-{PERIODS[q]}" for q in range(3) if bits >> q & 1) for bits in range(8)]
    for d in range(7)
]


def _canonical(mask: int) -> str:
    """``mon-am;wed-pm``: the slots of a mask, in slot order (bit 3d + q is day d, period q)."""
    return "".join([_DAY_PARTS[d][mask >> (3 * d) & 7] for d in range(7)])[1:]


@functools.lru_cache(maxsize=1 << 14)
def _piece(piece: str) -> tuple[tuple[Token, ...], tuple[str, ...], int]:
    """Tokens, unknown words and, when the piece is complete on its own (days *and*
    times, nothing else), its slot mask (cached: a form's cells repeat their pieces)."""
    tokens, unknown = _piece_tokens(piece.strip().lower())
    kinds = [t[0] for t in tokens]
    if unknown or "d" not in kinds or "p" not in kinds or set(kinds) - {"d", "p"}:
        return tokens, unknown, 0
    # one group only: all days then all times, or all times then all days
    switches = sum(1 for a, b in itertools.pairwise(kinds) if a != b)
    if switches != 1:
        return tokens, unknown, 0
    days = periods = 0
    for kind, bits, _ in tokens:
        if kind == "d":
            days |= bits
        else:
            periods |= bits
    return tokens, unknown, _MASK[days][periods]


def _piece_tokens(piece: str) -> tuple[tuple[Token, ...], tuple[str, ...]]:
    """The tokens of one comma-separated piece."""
    text = piece.replace("\u2013", "-").replace("\u2014", "-")
    if any(h in text for h in _PHRASE_HINTS):
        for pattern, repl in _PHRASES:
            text = pattern.sub(repl, text)
    out: list[Token] = []
    unknown: list[str] = []
    for tok in _TOKENS.findall(text):
        if tok in _DAY_BITS:
            bits = _DAY_BITS[tok]
            out.append(("d", bits, bits.bit_length() - 1 if bits & (bits - 1) == 0 else -1))
        elif tok in _PERIOD_BITS:
            out.append(("p", _PERIOD_BITS[tok], 0))
        elif tok in (";", "\n"):
            out.append(("s", 0, 0))
        elif tok in _RANGE_WORDS:
            out.append(("r", 0, 0))
        elif tok not in _FILLERS:
            unknown.append(tok)
            out.append(("u", 0, 0))
    return tuple(out), tuple(unknown)


def recognise_slots(value: object) -> tuple[Recognised | None, list[str]]:
    """Read an availability cell: ``(Recognised, [])`` or ``(None, unknown words)``.

    The recognised value is the canonical ``;``-separated slot list in slot order (see
    the module docstring for the grammar).

    >>> recognise_slots("Tuesday mornings, Thursday afternoons")[0].value
    'tue-am;thu-pm'
    >>> recognise_slots("weekday evenings")[0].value
    'mon-eve;tue-eve;wed-eve;thu-eve;fri-eve'
    >>> recognise_slots("Tuesdays after lunch")[1]
    ['after', 'lunch']
    """
    mask, how, unknown = slots_mask(value)
    if mask == 0:
        return None, unknown
    return Recognised(_canonical(mask), how), []


def slots_mask(value: object) -> tuple[int, str, list[str]]:
    """``(mask, how, unknown words)`` of an availability cell: bit ``k`` of the mask is
    ``SLOTS[k]``; ``how`` is ``exact`` or ``parsed``; the mask is 0 when not understood."""
    if type(value) is not str:
        if isinstance(value, list | tuple | set | frozenset):
            value = ";".join(str(v) for v in value)
        value = str(value)
    if LIST_SEP in value:
        value = value.replace(LIST_SEP, ";")
    mask = 0
    if "," not in value:  # slots have no commas: sentences skip this
        for item in value.split(";"):
            bit = SLOT_BIT.get(item.strip().lower())
            if bit is None:
                break
            mask |= 1 << bit
        else:  # already slots: the common, fast case
            return mask, "exact", []
    pieces = list(map(_piece, value.split(",")))
    mask = 0
    for p in pieces:
        if not p[2]:
            break
        mask |= p[2]
    else:  # every piece names days and times: each is read on its own
        return mask, "parsed", []
    tokens: list[Token] = []
    unknown: list[str] = []
    for t, u, _ in pieces:
        tokens += t
        unknown += u
    if unknown:
        return 0, "parsed", unknown
    mask = days = periods = 0
    first = ""  # what the current group started with: "d" or "p"
    last_day = -1
    pending_range = False
    for kind, bits, single in tokens:
        if kind == "d":
            if first == "d" and periods:
                mask |= _MASK[days or 127][periods]
                days = periods = 0
                first = ""
            if pending_range and last_day >= 0 and single >= 0:
                lo, hi = (last_day, single) if single >= last_day else (last_day, 6)
                days |= ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)
            days |= bits
            last_day = single
            first = first or "d"
        elif kind == "p":
            if first == "p" and days:
                mask |= _MASK[days][periods or 7]
                days = periods = 0
                first = ""
            periods |= bits
            first = first or "p"
            last_day = -1
        elif kind == "s":  # a new item of a list
            if days or periods:
                mask |= _MASK[days or 127][periods or 7]
            days = periods = 0
            first, last_day = "", -1
        elif kind == "r":
            pending_range = last_day >= 0
            continue
        pending_range = False
    if days or periods:
        mask |= _MASK[days or 127][periods or 7]
    return mask, "parsed", []


# ---------------------------------------------------------------------------- goals
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u2023\u25e6>]+|\(?\d{1,2}[.)])\s*")
_LIST_SPLIT = re.compile(r"[;,\n\r\u2022\u00b7\u25aa\u2023\u25e6|]+")
_WS = re.compile(r"\s+")
_BULLET_START = frozenset("-*>0123456789")
_STOPWORDS = frozenset("a an the my of to for in on with our your me i".split())


def split_phrases(value: object) -> list[str]:
    """Split a goals cell into phrases: on ``;``, ``,``, new lines, ``|`` and bullets.

    Each phrase is stripped, lower-cased and its inner white space collapsed; empty
    items and repeats are dropped; the order is kept (the first is the primary goal).

    >>> split_phrases("Build confidence, lead change\\n- Networking")
    ['build confidence', 'lead change', 'networking']
    """
    if isinstance(value, list | tuple | set | frozenset):
        value = LIST_SEP.join(str(v) for v in value)
    text = str(value)
    if LIST_SEP in text:  # the items of a list: each is one phrase, commas and all
        out: dict[str, None] = {}
        for item in text.split(LIST_SEP):
            item = _WS.sub(" ", _BULLET.sub("", item.lower())).strip(" \t.")
            if item:
                out[item] = None
        return list(out)
    return list(_split(text))


@functools.lru_cache(maxsize=1 << 16)
def _split(text: str) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for p in _LIST_SPLIT.split(text.lower()):  # new lines and bullet glyphs split too
        p = p.strip(" \t.")
        if p and p[0] in _BULLET_START:  # "- networking", "2) strategy"
            p = _BULLET.sub("", p).strip(" \t.")
        if "  " in p or "\t" in p:
            p = _WS.sub(" ", p)
        if p:
            out[p] = None
    return tuple(out)


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
    return _goal_key(norm_key(phrase))


@functools.lru_cache(maxsize=1 << 16)
def _goal_key(key: str) -> str:
    words = []
    for w in key.split("-"):
        stem = _stem(w)
        while stem != w:  # to a fixed point, so that goal_key(goal_key(x)) == goal_key(x)
            w, stem = stem, _stem(stem)
        if w and w not in _STOPWORDS:
            words.append(w)
    return " ".join(words)


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
    phrase to another goal present in the data (phrases that are synonyms of one goal
    join each other even when that goal is absent); a phrase whose key is within
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
        first_of: dict[str, str] = {}  # a synonym group's goal -> its most used phrase here
        for key in order:
            syn = _GOAL_SYNONYM_KEYS.get(key)
            if syn is not None and syn != key:
                # the group's goal is in the data: join it; else the group's phrases join
                # each other (``budgeting`` = ``managing budgets``), on the most used one
                to = syn if syn in by_key else first_of.setdefault(syn, key)
                if to != key:
                    joined[key] = (to, "synonym", 100.0)
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
