"""Cohort: the input schema, the sector taxonomy, validation and encoding."""

from .cohort import Cohort, read_table
from .schema import CADENCES, MODES, SLOTS
from .taxonomy import Taxonomy

__all__ = ["CADENCES", "MODES", "SLOTS", "Cohort", "Taxonomy", "read_table"]
