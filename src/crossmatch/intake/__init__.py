"""Intake: a programme office's files in, in crossmatch's own words (the pipeline's first floor).

Floors and arrows (each imports only what is below it; no circles)::

    crossmatch.programme   load_programme, Programme, check_options   (reads ScoringConfig,
                           the solver's arguments: it sits above scoring and solve)
    crossmatch.cohort      Cohort.from_frames / from_csv call intake, then validate and encode
    crossmatch.intake      read (files), columns (headers), phrases (values), spec (mapping),
                           summary (what was read as what), draft (``crossmatch init``)
    errors, _text, _validation   the ground floor

Intake imports nothing from ``cohort`` or above; the schema's canonical words live in
:mod:`crossmatch.intake.vocab` and ``cohort.schema`` imports them from here. A programme
*file* is read here (:func:`read_programme_file`: the TOML, ``[input]``, and the column
and alias tables, checked by :class:`IntakeSpec`); its ``[scoring]`` table is converted
by the scoring floor (:meth:`crossmatch.ScoringConfig.from_mapping`) and its
``[shortlist]`` arguments checked by :func:`crossmatch.load_programme`, because those
settings live above the cohort. A ``Programme`` *is* an ``IntakeSpec``; a cohort given a
file's path reads it with :func:`read_programme` (a :class:`ProgrammeFile`, carrying the
``[scoring]`` table as read, converted when the cohort is scored).
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
from .programme_file import ProgrammeFile, ProgrammeTables, read_programme, read_programme_file
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
    "ProgrammeFile",
    "ProgrammeTables",
    "Recognised",
    "TableSource",
    "goal_key",
    "guess_columns",
    "ids_as_ints",
    "map_headers",
    "read_programme",
    "read_programme_file",
    "read_table",
    "recognise_cadence",
    "recognise_mode",
    "recognise_slots",
    "split_phrases",
]
