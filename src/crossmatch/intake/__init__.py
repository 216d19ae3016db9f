"""Intake: a programme office's files in, in crossmatch's own words (the pipeline's first floor).

Floors and arrows (each imports only what is below it; no circles)::

    crossmatch.programme   load_programme, Programme, check_options   (reads ScoringConfig,
                           the solver's arguments: it sits above scoring and solve)
    crossmatch.cohort      Cohort.from_frames / from_csv call intake, then validate and encode
    crossmatch.intake      read (files), columns (headers), phrases (values), spec (mapping),
                           summary (what was read as what), draft (``crossmatch init``)
    errors, _text, _validation   the ground floor

Intake imports nothing from ``cohort`` or above; the schema's canonical words live in
:mod:`crossmatch.intake.vocab` and ``cohort.schema`` imports them from here. The programme
*file* is read one floor up, in :mod:`crossmatch.programme`, because it also holds the
scoring and solver settings, which live above the cohort; its column and alias tables
are checked here (:class:`IntakeSpec`), so a ``Programme`` *is* an ``IntakeSpec``.
"""

from .columns import HEADER_PHRASES, ColumnMatch, guess_columns, map_headers
from .phrases import (
    FUZZY_THRESHOLD,
    GoalMatcher,
    Recognised,
    goal_key,
    recognise_cadence,
    recognise_mode,
    recognise_slots,
    split_phrases,
)
from .read import TableSource, ids_as_ints, read_table
from .spec import ALIAS_KINDS, IntakeSpec
from .summary import IntakeNote, IntakeSummary, NoteGroup
from .vocab import CADENCES, DAYS, MODES, NA_STRINGS, PERIODS, SLOT_BIT, SLOTS

__all__ = [
    "ALIAS_KINDS",
    "CADENCES",
    "DAYS",
    "FUZZY_THRESHOLD",
    "HEADER_PHRASES",
    "MODES",
    "NA_STRINGS",
    "PERIODS",
    "SLOTS",
    "SLOT_BIT",
    "ColumnMatch",
    "GoalMatcher",
    "IntakeNote",
    "IntakeSpec",
    "IntakeSummary",
    "NoteGroup",
    "Recognised",
    "TableSource",
    "goal_key",
    "guess_columns",
    "ids_as_ints",
    "map_headers",
    "read_table",
    "recognise_cadence",
    "recognise_mode",
    "recognise_slots",
    "split_phrases",
]
