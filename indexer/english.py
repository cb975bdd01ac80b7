"""English wording for the command's lines."""


def counted(number: int, noun: str) -> str:
    """``1 result``, ``2 results``, ``0 results``.

    >>> counted(1, "headline"), counted(15, "headline"), counted(0, "article")
    ('1 headline', '15 headlines', '0 articles')
    """
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
