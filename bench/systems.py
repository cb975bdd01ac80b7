"""The benchmarks' names for what they measure.

``bahth-ENGINE`` analyses with the compiled core, ``bahth-ENGINE-py`` with the
Python chain: the same engine and the same index either way, so the core's
gain (and its sameness) shows in one run.
"""

PYTHON_CHAIN = "-py"


def system_name(engine: str, analysis: str) -> str:
    """>>> system_name("tantivy", "python")
    'bahth-tantivy-py'
    """
    return f"bahth-{engine}{PYTHON_CHAIN if analysis == 'python' else ''}"


def engine_and_analysis(system: str) -> tuple[str, str]:
    """``bahth-tantivy`` → ("tantivy", "native"); ``bahth-tantivy-py`` → ("tantivy", "python").

    >>> engine_and_analysis("bahth-tantivy-py")
    ('tantivy', 'python')
    """
    name = system.removeprefix("bahth-")
    if name.endswith(PYTHON_CHAIN):
        return name.removesuffix(PYTHON_CHAIN), "python"
    return name, "native"
