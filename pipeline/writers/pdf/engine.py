"""The one correction zinepress makes to WeasyPrint's layout: ``footnote-policy``.

The pamphlet's notes have ``footnote-policy: line``, which CSS GCPM defines as:
when a note does not fit on the page of its call, the line holding the call
goes to the next page with it (honouring widows and orphans). WeasyPrint 70
does so when the *note* does not fit, but when a *line of text* does not fit
and breaking before it would leave an orphan, it sends the page's last notes
to the next page instead, whatever their policy (``_linebox_layout``, "report
footnotes and see if we don't overflow"). In Kropotkin's Ethics that put 5 of
251 notes a page after their calls.

``apply()`` keeps that move for notes whose policy is ``auto`` (which allows
it) and, for the others, lets WeasyPrint's ordinary orphan rule act: the
paragraph goes to the next page, and the notes stay with their calls. It
rewrites one condition of WeasyPrint's function and raises ``EngineMismatch``
when that condition is not found, so that a WeasyPrint whose code moved is
noticed (by the tests) instead of silently laying notes out late.
"""

from __future__ import annotations

import inspect

_CONDITION = "report = not context.in_column and can_break_now and not could_break_before"
_POLICY = " and all(note.style['footnote_policy'] == 'auto' for note in context.current_page_footnotes)"
_applied = False


class EngineMismatch(RuntimeError):
    """The installed WeasyPrint's layout code is not the one the correction is written for."""


def apply() -> None:
    """Correct WeasyPrint's line layout (once per process)."""
    global _applied
    if _applied:
        return
    import weasyprint.layout.block as block

    lines, first = inspect.getsourcelines(block._linebox_layout)
    source = "".join(lines)
    if source.count(_CONDITION) != 1:
        raise EngineMismatch("WeasyPrint's line layout has changed: zinepress' footnote-policy "
                             "correction does not fit it (see pipeline/writers/pdf/engine.py)")
    # Compiled with the original file name and line numbers, so tracebacks still point into WeasyPrint.
    code = compile("\n" * (first - 1) + source.replace(_CONDITION, _CONDITION + _POLICY),
                   block.__file__, "exec")
    exec(code, block.__dict__)
    _applied = True
