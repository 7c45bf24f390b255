"""The catalog as an Excel workbook: export, and an all-or-nothing import.

The workbook has three sheets with Chinese headers in row 1:

- 事项: one row per item (its published version, or its latest version when nothing is published);
- 材料: one row per material, tied to its item by 事项编码;
- 表单字段: one row per application-form field, tied to its item by 事项编码.

:func:`catalog_import` first parses and validates every row of every sheet (types, required
columns, known domain/department codes, promised ≤ legal, duplicates, material rows of unknown
items, file type and size) and, if anything is wrong, returns a report naming each bad row and
changes nothing. Only a clean file is applied, in one transaction: a new code becomes a new item,
an existing code gets a new draft version with the imported content (unchanged items are left
alone). Views, the CLI and the API all call these two functions.

Modules: ``cells`` (reading one cell), ``columns`` (the sheets and their columns), ``export``,
``parse`` (read and validate), ``apply`` (write a clean file), ``result`` (the import report). The
package exports the two functions and their report; the sheets' columns are read from ``columns``.
"""

from onewindow.catalog.excel.apply import catalog_import
from onewindow.catalog.excel.export import catalog_export
from onewindow.catalog.excel.result import ImportResult, RowError

__all__ = ["ImportResult", "RowError", "catalog_export", "catalog_import"]
