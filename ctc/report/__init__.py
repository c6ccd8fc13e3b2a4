"""The board-facing HTML report of one municipality (``render_html``)."""

from .html import (
    SECTIONS,
    ReportView,
    build_view,
    render_html,
    render_section,
    render_view,
)

__all__ = ["SECTIONS", "ReportView", "build_view", "render_html", "render_section", "render_view"]
