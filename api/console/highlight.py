"""检索命中高亮: the words of a search marked in the text a list line shows (``<mark>``).

The text is escaped first and only the marks are markup; words are matched as the search
matches them (``domain.case.search.query_tokens``: full-width folded, lower case, a Chinese run
as its pairs), so a masked phone ``139****5678`` shows ``5678`` marked for a search of 5678 and
never a hidden digit.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from domain.case.search import normalised, query_tokens


def highlight(text: str | None, query: str | None) -> Markup:
    """``text`` escaped, each occurrence of a search word in ``<mark>``."""
    if not text:
        return Markup("")
    tokens = query_tokens(query or "")
    folded = [normalised(char) for char in text]
    if not tokens or any(len(char) != 1 for char in folded):
        return Markup(escape(text))
    line = "".join(folded)
    marked = [False] * len(text)
    for token in tokens:
        start = line.find(token)
        while start != -1:
            for index in range(start, start + len(token)):
                marked[index] = True
            start = line.find(token, start + 1)
    # One mark over a number's separators (JF-2026-000012, 139-1234-5678) when both sides are.
    for index in range(1, len(text) - 1):
        if marked[index - 1] and marked[index + 1] and not line[index].isalnum():
            marked[index] = True
    parts: list[str] = []
    for index, char in enumerate(text):
        opening = marked[index] and (index == 0 or not marked[index - 1])
        closing = marked[index] and (index == len(text) - 1 or not marked[index + 1])
        parts.append(
            ("<mark>" if opening else "") + str(escape(char)) + ("</mark>" if closing else "")
        )
    return Markup("".join(parts))
