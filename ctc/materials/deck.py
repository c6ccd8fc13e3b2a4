"""The editable slide deck (.pptx) with native charts and trainer notes on every slide.

Charts are PowerPoint charts (python-pptx), so trainers can restyle them and edit the
numbers' presentation; a hidden cell is an empty point, never a value. Municipality
and baseline are told apart by colour (Okabe–Ito) *and* by fill pattern, so the deck
reads in black-and-white print. The zip is rewritten with fixed entry times and fixed
document dates so a rerun gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from ..errors import UsageError
from .render import INSTALL_HINT
from .strings import msg

BLUE, VERMILLION = "0072B2", "D55E00"
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _pptx() -> Any:
    try:
        import pptx
    except ImportError:
        raise UsageError("the slide deck needs the 'python-pptx' package", INSTALL_HINT) from None
    return pptx


class _Deck:
    def __init__(self, view: dict[str, Any]) -> None:
        pptx = _pptx()
        from pptx.util import Cm

        self.v, self.lang, self.Cm = view, view["lang"], Cm
        self.prs = pptx.Presentation()
        self.prs.slide_width, self.prs.slide_height = Cm(33.867), Cm(19.05)  # 16:9

    def slide(self, title: str, notes: str) -> Any:
        s = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # title only
        s.shapes.title.text = title
        s.shapes.title.text_frame.paragraphs[0].font.size = self._pt(30)
        s.notes_slide.notes_text_frame.text = notes
        if self.v["synthetic"]:
            self.text(s, self.v["mark"], 0.8, 17.6, 32, 1.2, 14, bold=True)
        return s

    @staticmethod
    def _pt(size: float) -> Any:
        from pptx.util import Pt

        return Pt(size)

    def text(self, s: Any, text: str, x: float, y: float, w: float, h: float, size: float, bold: bool = False) -> Any:
        Cm = self.Cm
        box = s.shapes.add_textbox(Cm(x), Cm(y), Cm(w), Cm(h))
        tf = box.text_frame
        tf.word_wrap = True
        for i, line in enumerate(text.split("\n")):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size = self._pt(size)
            p.font.bold = bold
        return box

    def table(self, s: Any, head: list[str], rows: list[list[str]], y: float, widths: list[float], size: float = 12) -> None:
        Cm = self.Cm
        shape = s.shapes.add_table(len(rows) + 1, len(head), Cm(1.2), Cm(y), Cm(sum(widths)), Cm(1.0 * (len(rows) + 1)))
        tbl = shape.table
        for c, w in enumerate(widths):
            tbl.columns[c].width = Cm(w)
        for r, values in enumerate([head, *rows]):
            for c, value in enumerate(values):
                cell = tbl.cell(r, c)
                cell.text = value
                for p in cell.text_frame.paragraphs:
                    p.font.size = self._pt(size)
                    p.font.bold = r == 0

    def chart(self, s: Any, f: dict[str, Any]) -> None:
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.enum.dml import MSO_PATTERN

        cells = [*f["cells"], f["total"]]
        data = CategoryChartData(number_format="0.0")
        data.categories = [c["grade"] for c in cells]
        data.add_series(self.v["municipality"], [c["v"] for c in cells])
        if any(c["b"] is not None for c in cells):
            data.add_series(msg("legend.base", self.lang).replace("◇ ", ""), [c["b"] for c in cells])
        Cm = self.Cm
        gf = s.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Cm(1.2), Cm(3.6), Cm(31), Cm(12.5), data)
        chart = gf.chart
        chart.has_legend, chart.legend.position, chart.legend.include_in_layout = True, XL_LEGEND_POSITION.BOTTOM, False
        chart.value_axis.maximum_scale = 100.0
        chart.value_axis.minimum_scale = 0.0
        chart.value_axis.has_major_gridlines = True
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format, plot.data_labels.number_format_is_linked = "0.0", False
        plot.data_labels.font.size = self._pt(12)
        for series, colour, pattern in zip(plot.series, (BLUE, VERMILLION), (None, MSO_PATTERN.WIDE_UPWARD_DIAGONAL)):
            fill = series.format.fill
            if pattern is None:
                fill.solid()
                fill.fore_color.rgb = RGBColor.from_string(colour)
            else:
                fill.patterned()
                fill.pattern = pattern
                fill.fore_color.rgb = RGBColor.from_string(colour)
                fill.back_color.rgb = RGBColor.from_string("FFFFFF")
            series.format.line.color.rgb = RGBColor.from_string("000000")

    def trend_slide(self) -> None:
        """One line chart: each shown candidate's % per wave (a hidden wave is a gap), verdicts in the notes."""
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION

        v, lang = self.v, self.lang
        every = {f["id"]: f for f in [*v["factors"], *v["outcomes"]]}
        shown = [every[i] for i in v["trend_factors"]]
        lines = [f"{f['label']}: {f['trend']['pair']} {f['trend']['verdict_label']}"
                 + (f" — {f['trend']['change']}" if f["trend"]["change"] else "")
                 + (f"; {msg('trend.label', lang)}: {f['trend']['trend']}" if f["trend"]["trend"] else "") for f in shown]
        s = self.slide(msg("trend.slide", lang), "\n".join([msg("trend.notes", lang), *lines]))
        if not shown:
            self.text(s, msg("trend.none_shown", lang), 1.2, 4, 31, 3, 22)
            return
        data = CategoryChartData(number_format="0.0")
        data.categories = [c["grade"] for c in shown[0]["trend"]["waves"]]
        for f in shown:
            data.add_series(f["label"], [c["v"] for c in f["trend"]["waves"]])
        Cm = self.Cm
        chart = s.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Cm(1.2), Cm(3.6), Cm(31), Cm(13.5), data).chart
        chart.has_legend, chart.legend.position, chart.legend.include_in_layout = True, XL_LEGEND_POSITION.BOTTOM, False
        chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = 0.0, 100.0
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format, plot.data_labels.number_format_is_linked = "0.0", False
        plot.data_labels.font.size = self._pt(11)

    def build(self) -> bytes:
        v, lang = self.v, self.lang
        s = self.slide(f"{v['municipality']} — {msg('item.deck', lang)}", msg("deck.notes.title", lang))
        self.text(s, v["source"], 1.2, 5, 31, 3, 18)
        s = self.slide(msg("board.participation", lang), msg("deck.notes.participation", lang))
        self.text(s, v["sample"], 1.2, 4, 31, 4, 24)
        rows = [[c["label"], c["pct"], c["ci"], c["base"], c["diff"]] for k in ("risk", "protective") for c in v["candidates"][k]]
        s = self.slide(msg("board.candidates", lang), msg("deck.notes.candidates", lang))
        head = [msg("col.factor", lang), "%", v["col_ci"], msg("col.baseline", lang), msg("col.diff", lang)]
        self.table(s, head, rows or [[msg("board.none", lang), "", "", "", ""]], 3.6, [13, 3, 5.5, 4, 5], 13)
        for f in (x for x in v["factors"] if x["shortlisted"]):
            tot = f["total"]
            s = self.slide(f["label"], msg("deck.notes.factor", lang, factor=f["label"], pct=tot["pct"], ci=tot["ci"], base=tot["base"]))
            self.chart(s, f)
        if v.get("has_trend"):
            self.trend_slide()
        s = self.slide(msg("deck.next", lang), msg("deck.notes.next", lang))
        self.text(s, "\n".join(msg(f"board.next{i}", lang) for i in range(1, 5)), 1.2, 4, 31, 10, 22)
        props = self.prs.core_properties
        props.title, props.author, props.last_modified_by = f"{v['municipality']} — {msg('item.deck', lang)}", "ctc", "ctc"
        y, m, d = v["date_iso"]
        props.created = props.modified = dt.datetime(y, m, d)
        props.revision = 1
        buf = io.BytesIO()
        self.prs.save(buf)
        return fixed_zip(buf.getvalue())


_W3CDTF = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def fixed_zip(data: bytes, embedded: bool = False) -> bytes:
    """The same zip with every entry's time fixed (python-pptx stamps entries with now),
    recursively for the charts' embedded workbooks, whose document dates are fixed too."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                blob = fixed_zip(blob, embedded=True)
            elif embedded and info.filename == "docProps/core.xml":  # the deck's own dates are the run date
                blob = _W3CDTF.sub(b"2000-01-01T00:00:00Z", blob)
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, blob)
    return out.getvalue()


def build_deck(view: dict[str, Any]) -> bytes:
    """The .pptx bytes of one municipality's deck."""
    return _Deck(view).build()
