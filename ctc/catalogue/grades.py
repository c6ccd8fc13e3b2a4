"""Grade ↔ age conversion (one place, one rule).

US grades 6–12 correspond to ages of about 11–18; German Klassen 6–11 likewise. The
toolkit uses **age ≈ grade + 5** (the age most pupils reach during the school year).
It is an approximation: a grade spans two birth-year cohorts, and school-entry rules
differ between countries and Länder.
"""

from __future__ import annotations

GRADE_TO_AGE_OFFSET = 5


def grade_to_age(grade: int) -> int:
    """Typical age in years of pupils in ``grade`` (age ≈ grade + 5)."""
    return grade + GRADE_TO_AGE_OFFSET


def age_to_grade(age: int) -> int:
    """Inverse of :func:`grade_to_age`."""
    return age - GRADE_TO_AGE_OFFSET


def grades_to_ages(grades: tuple[int, int]) -> tuple[int, int]:
    """An inclusive grade range → the matching inclusive age range, e.g. (6, 8) → (11, 13)."""
    lo, hi = grades
    return grade_to_age(min(lo, hi)), grade_to_age(max(lo, hi))


def ages_to_grades(ages: tuple[int, int]) -> tuple[int, int]:
    lo, hi = ages
    return age_to_grade(min(lo, hi)), age_to_grade(max(lo, hi))
