"""The application layer: the pipeline once, for every way in.

rule set + answers + day + parameters -> checked inputs (``inputs.prepare``) -> a result
(``run``): a report, an explanation, robustness, a batch. The command line (``cli``), the
wizard (``interview``) and the Python API (``api``) all call these, so a day, a parameter or
an answer is read the same way whichever of them is used. Nothing here prints, exits or
knows a command line: problems are raised as ``DaltonError`` (``SettingError`` for a wrong
setting, placed where the caller says the setting came from).
"""
