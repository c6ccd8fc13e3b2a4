"""A new planning workbook written by XlsxWriter instead of openpyxl.

The sheet builders (board_sheets, info_sheets, profile_sheets, tables, waves) speak
openpyxl's attribute names. Here they write into light in-memory sheets with the same
names (cells, dimensions, validations, rules, charts, print settings), and
:meth:`LightWorkbook.save` hands the result to XlsxWriter. openpyxl creates a cell
object and a style array per cell and spends most of a workbook's time there; the
light cells only hold references to the style objects, which become one XlsxWriter
format per distinct combination. XlsxWriter only writes, so a workbook the board has
worked in is still refreshed through openpyxl (``update_planning_workbook``), which
reads and edits files; the tests check that both writers give the same workbook.

Only what the builders use is modelled; anything else raises ``AttributeError``
(``__slots__``), so a builder that starts using a new openpyxl feature fails in the
tests instead of being written without it.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.worksheet
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

DEFAULT_ALIGNMENT = Alignment()


class NotModelled(RuntimeError):
    """A sheet builder used something the light sheets do not write (a bug in the toolkit,
    found by the tests): raised instead of writing the workbook without it."""
_FORMULA = re.compile(r"^=.")


class LightCell:
    __slots__ = ("parent", "row", "column", "_value", "data_type", "font", "fill", "_alignment", "protection",
                 "number_format", "comment", "hyperlink", "result")

    def __init__(self, parent: LightSheet, row: int, column: int) -> None:
        self.parent, self.row, self.column = parent, row, column
        self._value: Any = None
        self.data_type = "n"
        self.font = self.fill = self._alignment = self.protection = self.comment = self.hyperlink = None
        self.number_format: str | None = None
        self.result: Any = None  # a formula's value as LibreOffice shows it before any recalculation

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, v: Any) -> None:
        # openpyxl's rule: a string starting with "=" is a formula; builders that write text use excel.put
        self._value = v
        if isinstance(v, str):
            self.data_type = "f" if _FORMULA.match(v) else "s"
        elif isinstance(v, bool):
            self.data_type = "b"
        elif isinstance(v, dt.date | dt.datetime | dt.time):
            self.data_type = "d"
        else:
            self.data_type = "n"

    @property
    def alignment(self) -> Alignment:
        return self._alignment if self._alignment is not None else DEFAULT_ALIGNMENT

    @alignment.setter
    def alignment(self, a: Alignment) -> None:
        self._alignment = a

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


class _Dimension:
    __slots__ = ("width", "hidden", "height")

    def __init__(self) -> None:
        self.width: float | None = None
        self.height: float | None = None
        self.hidden = False


class _Dimensions(dict):
    def __missing__(self, key: Any) -> _Dimension:
        d = self[key] = _Dimension()
        return d


class _Part:
    __slots__ = ("text", "bold")

    def __init__(self) -> None:
        self.text: str | None = None
        self.bold = False


class _HeaderFooter:
    __slots__ = ("left", "center", "right")

    def __init__(self) -> None:
        self.left, self.center, self.right = _Part(), _Part(), _Part()

    def code(self) -> str:
        """Excel's header/footer code (``&L…&C…&R…``) as openpyxl writes it (which ignores ``bold``)."""
        return "".join(tag + part.text for tag, part in (("&L", self.left), ("&C", self.center), ("&R", self.right))
                       if part.text)


class _Attrs:
    """A bag of settings with fixed names (``sheet_properties``, ``page_setup`` …)."""

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.__dict__:
            raise AttributeError(f"the fast workbook writer does not model {name!r}")
        self.__dict__[name] = value


class _Rules:
    def __init__(self) -> None:
        self.rules: list[tuple[str, Any]] = []

    def add(self, ref: str, rule: Any) -> None:
        self.rules.append((ref, rule))

    def __len__(self) -> int:
        return len(self.rules)


class LightSheet:
    PAPERSIZE_A4 = "9"

    def __init__(self, parent: LightWorkbook, title: str) -> None:
        self.parent, self.title = parent, title
        self._cells: dict[tuple[int, int], LightCell] = {}
        self.column_dimensions = _Dimensions()
        self.row_dimensions = _Dimensions()
        self.conditional_formatting = _Rules()
        self.validations: list[Any] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.charts: list[tuple[Any, str]] = []
        self._freeze: str | None = None
        self.auto_filter = _Attrs(ref=None)
        self.print_title_rows: str | None = None
        self.print_area: str | None = None
        self.print_options = _Attrs(gridLines=False)
        self.page_setup = _Attrs(orientation=None, paperSize=None, fitToWidth=None, fitToHeight=None)
        self.sheet_properties = _Attrs(tabColor=None, codeName=None, pageSetUpPr=_Attrs(fitToPage=False))
        self.oddHeader, self.oddFooter = _HeaderFooter(), _HeaderFooter()
        self.sheet_state = "visible"
        self.protection = _Attrs(sheet=False, formatColumns=True, formatRows=True, autoFilter=True)

    def cell(self, row: int, column: int, value: Any = None) -> LightCell:
        c = self._cells.get((row, column))
        if c is None:
            c = self._cells[(row, column)] = LightCell(self, row, column)
        if value is not None:
            c.value = value
        return c

    def __getitem__(self, coordinate: str) -> LightCell:
        row, col = coordinate_to_tuple(coordinate)
        return self.cell(row, col)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self._cells), default=1)

    @property
    def freeze_panes(self) -> str | None:
        return self._freeze

    @freeze_panes.setter
    def freeze_panes(self, where: Any) -> None:
        self._freeze = where.coordinate if isinstance(where, LightCell) else where

    def add_data_validation(self, dv: Any) -> None:
        self.validations.append(dv)

    def add_chart(self, chart: Any, anchor: str) -> None:
        self.charts.append((chart, anchor))

    def merge_cells(self, *, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        self.merged.append((start_row, start_column, end_row, end_column))


class LightWorkbook:
    """The workbook (sheets in order, defined names) as the builders see ``Book.wb``."""

    def __init__(self) -> None:
        self.worksheets: list[LightSheet] = [LightSheet(self, "Sheet")]
        self.defined_names: dict[str, Any] = {}
        self._active = 0

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.worksheets]

    def create_sheet(self, title: str, index: int | None = None) -> LightSheet:
        ws = LightSheet(self, title)
        self.worksheets.insert(len(self.worksheets) if index is None else index, ws)
        return ws

    def __getitem__(self, title: str) -> LightSheet:
        for ws in self.worksheets:
            if ws.title == title:
                return ws
        raise KeyError(title)

    @property
    def active(self) -> LightSheet:
        return self.worksheets[self._active]

    @active.setter
    def active(self, index: int) -> None:
        self._active = index

    def save(self, path: str | Path) -> None:
        _Writer(self, Path(path)).write()


# --------------------------------------------------------------------------- writing


def _rgb(color: Any) -> str | None:
    """``#RRGGBB`` of an openpyxl colour (its alpha byte dropped), None for none or a theme colour."""
    rgb = getattr(color, "rgb", None)
    return f"#{rgb[-6:]}" if isinstance(rgb, str) and len(rgb) in (6, 8) else None


def _font(font: Any, out: dict[str, Any]) -> None:
    if font.b:
        out["bold"] = True
    if font.i:
        out["italic"] = True
    if font.sz is not None and float(font.sz) != 11:
        out["font_size"] = float(font.sz)
    if font.u:
        out["underline"] = True
    if (c := _rgb(font.color)) is not None:
        out["font_color"] = c


def _fill(fill: Any, out: dict[str, Any]) -> None:
    if fill.patternType == "solid" and (c := _rgb(fill.fgColor)) is not None:
        out["bg_color"] = c  # XlsxWriter stores a solid fill's colour as its foreground, as openpyxl does


_VALIGN = {"top": "top", "center": "vcenter", "bottom": "bottom"}


def _alignment(a: Any, out: dict[str, Any]) -> None:
    if a.wrap_text:
        out["text_wrap"] = True
    if a.vertical in _VALIGN:
        out["valign"] = _VALIGN[a.vertical]
    if a.horizontal:
        out["align"] = a.horizontal
    if a.text_rotation:
        out["rotation"] = int(a.text_rotation)


_OPERATORS = {"equal": "==", "notEqual": "!=", "greaterThan": ">", "lessThan": "<", "greaterThanOrEqual": ">=",
              "lessThanOrEqual": "<=", "between": "between", "notBetween": "not between"}


#: XlsxWriter's prepared text of each formula of this process (see _Worksheet)
_PREPARED: dict[tuple[str, bool, bool], str] = {}


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    """XlsxWriter's worksheet, its formula preparation remembered: every formula, rule and
    validation goes through 29 (in rules 200) regular-expression substitutions that add
    prefixes to newer Excel functions; the result depends on the text alone, and a run's
    workbooks repeat the same few hundred formulas (XlsxWriter documents subclassing its
    worksheets, through ``add_worksheet(worksheet_class=...)``)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        key = (formula, expand_future_functions, self.use_future_functions)
        out = _PREPARED.get(key)
        if out is None:
            if len(_PREPARED) > 100_000:  # bounded, whatever a process writes
                _PREPARED.clear()
            out = _PREPARED[key] = super()._prepare_formula(formula, expand_future_functions)
        return out


class _Writer:
    def __init__(self, wb: LightWorkbook, path: Path) -> None:
        self.light, self.path = wb, path
        # keyed by the ids of the style objects: the light cells hold them for the whole write
        self.formats: dict[tuple[int, int, int, int, str | None], Any] = {}
        self.url_format: Any = None

    def format(self, c: LightCell) -> Any:
        key = (id(c.font), id(c.fill), id(c._alignment), id(c.protection), c.number_format)
        fmt = self.formats.get(key, False)
        if fmt is False:
            props: dict[str, Any] = {}
            if c.font is not None:
                _font(c.font, props)
            if c.fill is not None:
                _fill(c.fill, props)
            if c._alignment is not None:
                _alignment(c._alignment, props)
            if c.protection is not None and c.protection.locked is False:
                props["locked"] = False
            if c.number_format and c.number_format != "General":
                props["num_format"] = c.number_format
            fmt = self.formats[key] = self.book.add_format(props) if props else None
        return fmt

    def write(self) -> None:
        # strings are never turned into formulas, numbers or links: every cell is written by its own type
        self.book = xlsxwriter.Workbook(str(self.path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                         "strings_to_urls": False, "nan_inf_to_errors": True,
                                                         "in_memory": True})
        self.url_format = self.book.add_format({})
        try:
            for ws in self.light.worksheets:
                self.sheet(ws, self.book.add_worksheet(ws.title, worksheet_class=_Worksheet))
            for name, dn in self.light.defined_names.items():
                self.book.define_name(name, f"={dn.attr_text}")
            self.book.worksheets()[self.light._active].activate()
        finally:
            self.book.close()

    def sheet(self, light: LightSheet, ws: Any) -> None:
        inside = {(r, c) for r1, c1, r2, c2 in light.merged for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        # the plain cells (most of a workbook) straight to XlsxWriter's undecorated writers, which its own
        # write() dispatches to; everything else through cell()
        formats, fmt_of = self.formats, self.format
        string, number, blank = ws._write_string, ws._write_number, ws._write_blank
        for key, c in light._cells.items():
            if key in inside:
                continue
            if c.comment is not None or c.hyperlink is not None:
                self.cell(ws, c)
                continue
            fmt = formats.get((id(c.font), id(c.fill), id(c._alignment), id(c.protection), c.number_format), False)
            if fmt is False:
                fmt = fmt_of(c)
            v, kind = c._value, c.data_type
            if v is None or v == "":
                if fmt is not None:
                    blank(c.row - 1, c.column - 1, None, fmt)
            elif kind == "s":
                string(c.row - 1, c.column - 1, v, fmt)
            elif kind == "n" and v.__class__ in (int, float):
                number(c.row - 1, c.column - 1, v, fmt)
            else:
                self.cell(ws, c)
        for r1, c1, r2, c2 in light.merged:  # the range, then its first cell's value (as openpyxl keeps it)
            top = light._cells.get((r1, c1))
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", self.format(top) if top is not None else None)
            if top is not None:
                self.cell(ws, top)
        for key, d in light.column_dimensions.items():
            col = range_boundaries(f"{key}1")[0] - 1 if isinstance(key, str) else key - 1
            # in pixels: XlsxWriter adds a cell's padding to a width given in characters, openpyxl stores it as given
            px = None if d.width is None else round(d.width * 7)
            ws.set_column_pixels(col, col, px, None, {"hidden": True} if d.hidden else None)
        for r, d in light.row_dimensions.items():
            ws.set_row(r - 1, d.height, None, {"hidden": True} if d.hidden else None)
        with warnings.catch_warnings():  # XlsxWriter warns and skips what it cannot write: fail instead
            warnings.simplefilter("error")
            for ref, rule in light.conditional_formatting.rules:
                ws.conditional_format(ref, self.rule(rule))
            for dv in light.validations:
                for ref in str(dv.sqref).split():
                    ws.data_validation(ref, self.validation(dv))
        for chart, anchor in light.charts:
            ws.insert_chart(anchor, self.chart(chart))
        self.settings(light, ws)

    def cell(self, ws: Any, c: LightCell) -> None:
        r, col, v, fmt = c.row - 1, c.column - 1, c._value, self.format(c)
        if v is None or v == "":  # openpyxl writes an empty string as an empty cell
            if fmt is not None:
                ws.write_blank(r, col, None, fmt)
        elif c.data_type == "f":
            if c.result is None:
                raise NotModelled(f"{ws.name}!{c.coordinate}: a formula needs the value it shows before recalculation")
            ws.write_formula(r, col, v, fmt, c.result)
        elif isinstance(v, str):
            linked = False
            if c.hyperlink is not None:
                with warnings.catch_warnings():  # a link Excel cannot hold (over 2,079 characters): the text alone
                    warnings.simplefilter("ignore")
                    linked = ws.write_url(r, col, str(c.hyperlink), fmt or self.url_format, v) == 0
            if not linked:
                ws.write_string(r, col, v, fmt)
        elif isinstance(v, bool):
            ws.write_boolean(r, col, v, fmt)
        elif isinstance(v, dt.date | dt.datetime | dt.time):
            if fmt is None:
                fmt = self.book.add_format({"num_format": "yyyy-mm-dd h:mm:ss"})  # openpyxl's default for dates
            ws.write_datetime(r, col, v, fmt)
        else:
            ws.write_number(r, col, v, fmt)
        if c.comment is not None:
            ws.write_comment(r, col, c.comment.text, {"author": c.comment.author or ""})

    def dxf(self, rule: Any) -> Any:
        props: dict[str, Any] = {}
        dxf = rule.dxf
        if dxf is not None and dxf.font is not None:
            _font(dxf.font, props)
        if dxf is not None and dxf.fill is not None and (c := _rgb(dxf.fill.fgColor) or _rgb(dxf.fill.bgColor)):
            props["bg_color"] = c
        return self.book.add_format(props)

    def rule(self, rule: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"format": self.dxf(rule)}
        if rule.stopIfTrue:
            out["stop_if_true"] = True
        if rule.type == "expression":
            out.update(type="formula", criteria=f"={rule.formula[0]}")
        elif rule.type == "cellIs":
            out.update(type="cell", criteria=_OPERATORS[rule.operator], value=rule.formula[0])
            if len(rule.formula) > 1:
                out.update(minimum=rule.formula[0], maximum=rule.formula[1])
                del out["value"]
        else:
            raise NotModelled(f"conditional formatting of type {rule.type!r}")
        return out

    @staticmethod
    def validation(dv: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"validate": {"list": "list", "whole": "integer", "decimal": "decimal"}[dv.type],
                               "ignore_blank": bool(dv.allow_blank), "show_error": bool(dv.showErrorMessage),
                               "show_input": bool(dv.showInputMessage)}
        if dv.type == "list":
            out["source"] = f"={dv.formula1}" if not dv.formula1.startswith('"') else dv.formula1.strip('"').split(",")
        else:
            op = _OPERATORS[dv.operator or "between"]
            out["criteria"] = op
            if op in ("between", "not between"):
                out["minimum"], out["maximum"] = _number(dv.formula1), _number(dv.formula2)
            else:
                out["value"] = _number(dv.formula1)
        if dv.error:
            out["error_message"] = dv.error
        if dv.errorTitle:
            out["error_title"] = dv.errorTitle
        if dv.errorStyle in ("warning", "information"):
            out["error_type"] = dv.errorStyle
        return out

    def chart(self, ch: Any) -> Any:
        horizontal = ch.type == "bar"
        chart = self.book.add_chart({"type": "bar" if horizontal else "column"})
        for s in ch.series:
            series: dict[str, Any] = {"values": f"={s.val.numRef.f}"}
            if s.tx is not None and s.tx.strRef is not None:
                series["name"] = f"={s.tx.strRef.f}"
            if s.cat is not None:
                ref = s.cat.strRef if s.cat.strRef is not None else s.cat.numRef
                series["categories"] = f"={ref.f}"
            chart.add_series(series)
        if ch.title is not None:
            chart.set_title({"name": _text(ch.title)})
        value_axis = {"min": ch.y_axis.scaling.min, "max": ch.y_axis.scaling.max}
        if ch.y_axis.title is not None:
            value_axis["name"] = _text(ch.y_axis.title)
        category_axis = {"reverse": True} if ch.x_axis.scaling.orientation == "maxMin" else {}
        # XlsxWriter names a bar chart's axes by direction: its x axis is the (horizontal) value axis
        (chart.set_x_axis, chart.set_y_axis)[not horizontal](value_axis)
        (chart.set_y_axis, chart.set_x_axis)[not horizontal](category_axis)
        chart.set_size({"width": round(ch.width * 96 / 2.54), "height": round(ch.height * 96 / 2.54)})
        return chart

    @staticmethod
    def settings(light: LightSheet, ws: Any) -> None:
        if light._freeze:
            ws.freeze_panes(light._freeze)
        if light.auto_filter.ref:
            ws.autofilter(light.auto_filter.ref)
        if light.print_title_rows:
            first, last = (int(x) for x in light.print_title_rows.split(":"))
            ws.repeat_rows(first - 1, last - 1)
        if light.print_area:
            ws.print_area(light.print_area)
        if light.page_setup.orientation == "landscape":
            ws.set_landscape()
        if light.page_setup.paperSize:
            ws.set_paper(int(light.page_setup.paperSize))
        if light.sheet_properties.pageSetUpPr.fitToPage:
            ws.fit_to_pages(light.page_setup.fitToWidth or 0, light.page_setup.fitToHeight or 0)
        if (header := light.oddHeader.code()):
            ws.set_header(header)
        if (footer := light.oddFooter.code()):
            ws.set_footer(footer)
        if light.print_options.gridLines:
            ws.hide_gridlines(0)
        if light.sheet_properties.tabColor:
            ws.set_tab_color(f"#{light.sheet_properties.tabColor[-6:]}")
        if light.sheet_properties.codeName:
            ws.set_vba_name(light.sheet_properties.codeName)
        if light.sheet_state == "hidden":
            ws.hide()
        p = light.protection
        if p.sheet:
            ws.protect("", {"format_columns": not p.formatColumns, "format_rows": not p.formatRows,
                            "autofilter": not p.autoFilter, "objects": True, "scenarios": True})


def _number(text: str) -> int | float:
    x = float(text)
    return int(x) if x.is_integer() else x


def _text(title: Any) -> str:
    """The plain text of an openpyxl chart or axis title."""
    if isinstance(title, str):
        return title
    return "".join(r.t for p in title.tx.rich.p for r in (p.r or []))
