"""Many organisations at once: read rows of answers, evaluate each, and collect one table.

Inputs: a CSV file (a header row: an ``id`` or ``name`` column, an optional ``as_of``
column, then question ids; one row per organisation), a JSON Lines file (one answers
object per line, with ``id`` or ``name`` and optionally ``as_of``), or a folder of answers
files (each named by its file name). In a CSV cell a list is written ``acute;community``
and an empty list ``[]``; an empty cell, or ``unknown``, is an unknown answer; yes/no and
true/false are both read for a yes-or-no question; numbers as people type them (``£300m``,
``1,200``, ``-5%``).

Each row is checked exactly as an answers file is, with the same codes and hints, and a
problem is placed at FILE:ROW:COLUMN (for CSV, ROW is the line and COLUMN the column's
number; for JSON Lines, the line and the character). A bad row is reported and left out;
the others are still evaluated. The rule set is loaded once per day and each row is
evaluated on it: nothing is parsed or compiled twice.

Reading a table (``csvread``, ``excel``, ``table``) is bounded and accounts for every line;
the outputs (CSV, JSON Lines, an Excel workbook) never carry a cell a spreadsheet would run
as a formula (``report.cells``).

The package in modules: ``read`` (the inputs into rows), ``cells`` (a cell's text as an answer),
``run`` (checking and evaluating), ``write`` (the tables out); ``csvread``, ``excel`` and
``table`` read a table. Each is imported where it is used, so that nothing here costs a start-up.
"""
