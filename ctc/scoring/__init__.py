"""Scoring: raw answers → scale scores, flags, outcomes and validity screens."""

from .frame import Scored, default_columns, output_frame, score_chunk, score_frame
from .plan import Plan, compile_plan

__all__ = ["Plan", "Scored", "compile_plan", "default_columns", "output_frame", "score_chunk", "score_frame"]
