"""Tiny hand-made cohorts shared by the tests (valid unless a test breaks them)."""

from __future__ import annotations

import pandas as pd


def mentees_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["e1", "e2", "e3"],
            "organisation": ["Agency A", "Council B", "Trust C"],
            "sector": ["arms-length-body", "local-government", "health-and-social-care"],
            "availability": ["mon-am;wed-pm", "tue-am;thu-pm", "mon-am;fri-eve"],
            "cadence": ["monthly", "fortnightly", "weekly"],
            "mode": ["either", "remote", "in-person"],
            "region": ["london", "north west", "london"],
            "seniority": [3, 4, 5],
            "goals": ["confidence;leading change", "strategic leadership", "people management"],
        }
    )


def mentors_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["r1", "r2", "r3", "r4"],
            "organisation": ["Council X", "Agency Y", "Shop Z", "Bank W"],
            "sector": ["local-government", "arms-length-body", "retail", "financial-services"],
            "availability": ["mon-am;wed-pm", "mon-am;tue-am", "wed-pm;fri-eve", "mon-am;thu-pm"],
            "cadence": ["monthly", "monthly", "fortnightly", "weekly"],
            "mode": ["either", "either", "remote", "either"],
            "region": ["london", "london", "scotland", "london"],
            "seniority": [5, 5, 6, 7],
            "expertise": [
                "confidence;leading change",
                "confidence;leading change",
                "strategic leadership;people management",
                "people management",
            ],
            "capacity": [2, 1, 3, 1],
        }
    )
