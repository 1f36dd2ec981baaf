"""Signatures from the words the classifier tagged as a signer's name or date.

A form is signed at its end: name words count below the "Explanation of Responses" caption only.
Names are runs of words in reading order, paired with the date runs in order; a run is cut at each
conformed "/s/" mark, and a long name that wraps under its date is joined back. Joint filers who date
each signer's block on its first line and sign it below are read block by block instead.
"""

from __future__ import annotations

import re

from .labels import LabelFinder, catalog
from .layout.document import Layout
from .line_fields import same_line
from .records import Signature
from .tagged import Tagged, joined_text, value_of
from .values import parse_date


# OCR reads the comma before an agent's role as a full stop or a semicolon: "Namoury. Attorney-in-Fact",
# "Craven; as attorney in fact". A name's own full stop follows an initial ("A. Vitan"), not a surname.
_AGENT_COMMA = re.compile(r"(\w{3,})[.;:]\s+((?:as\s+)?attorney)", re.IGNORECASE)


def read_signatures(by_field: dict[str, list[Tagged]], layout: Layout, grid: bool) -> list[Signature]:
    return _signatures(_after_the_tables(by_field, layout), grid)


def _after_the_tables(by_field: dict[str, list[Tagged]], layout: Layout) -> dict[str, list[Tagged]]:
    """Signature words below the "Explanation of Responses" caption: the form is signed at its end,
    and a name or address up in the boxes taken for a signature ("Victory Park Capital Advisors,")
    made a signature of its own."""
    found = LabelFinder(layout).find("explanation", catalog()["sections"]["explanation"], min_score=0.8, mark=False)
    if not found:
        return by_field
    start = next(i for i, w in enumerate(layout.words) if w is found[0].first)
    kept = {name: [t for t in by_field.get(name, []) if t.index > start]
            for name in ("signatures.*.name", "signatures.*.date")}
    return {**by_field, **kept} if kept["signatures.*.name"] else by_field


def _signatures(by_field: dict[str, list[Tagged]], grid: bool) -> list[Signature]:
    dates = _runs(by_field.get("signatures.*.date", []))
    names = _dated_blocks(by_field.get("signatures.*.name", []), dates)
    if names is None:
        names = _runs(by_field.get("signatures.*.name", []))
        names = [piece for run in names for piece in _signed_lines(run, {t.index for run in dates for t in run})]
        names = _wrapped_ends(names)
        names = _wrapped_names(names, max(len(dates), 1), grid)
        names = [piece for run in names for piece in _by_conformed_marks(run)]
        names = _from_first_mark(names, len(dates))
    out: list[Signature] = []
    for i, run in enumerate(names):
        signature = Signature(name=value_of(run, _AGENT_COMMA.sub(r"\1, \2", joined_text(run)), grid))
        if i < len(dates):
            date = parse_date(joined_text(dates[i]))
            if date:
                signature.date = value_of(dates[i], date, grid)
        out.append(signature)
    return out


def _dated_blocks(names: list[Tagged], dates: list[list[Tagged]]) -> list[list[Tagged]] | None:
    """Joint filers that date each block on its first line and sign it on a line below ("OAKTREE
    CAPITAL I, L.P., By: <date>" / "Oaktree Fund GP, LLC, Its: ... By: /s/ Henry Orren, Name: ...",
    "Virgin Investments <date>" / "Limited, By: /s/ James"): each date's line starts a signer's
    block, which runs to the next one's. The name words above the first block are the footnotes'
    (a fund's name in them read like a signer's).

    None unless the first date's line starts with name words that carry no mark and a mark follows
    them before the next date: a signer dated on the line of their own "/s/" is read run by run."""
    ordered = sorted(names, key=lambda t: t.index)
    firsts = [run[0] for run in dates]
    if not ordered or not firsts:
        return None
    lead = [t for t in ordered if t.index < firsts[0].index and same_line(t.word, firsts[0].word)]
    following = firsts[1].index if len(firsts) > 1 else ordered[-1].index + 1
    if not lead or any(_is_mark(t) for t in lead) or not any(
            _is_mark(t) for t in ordered if firsts[0].index < t.index < following):
        return None
    starts = [min((t.index for t in ordered if t.index < d.index and same_line(t.word, d.word)), default=d.index)
              for d in firsts]
    ends = [*starts[1:], ordered[-1].index + 1]
    blocks = [[t for t in ordered if start <= t.index < end] for start, end in zip(starts, ends)]
    return blocks if all(blocks) else None


def _by_conformed_marks(run: list[Tagged]) -> list[list[Tagged]]:
    """A signature starts at its "/s/" unless an entity signs "by:" it. Words before the first mark
    are a title or a printed name beside the signature ("Title: Chief Legal Officer /s/ Jennifer
    ...") unless they sign by a mark of their own, and a second mark starts a second signature
    that ran on from the first."""
    starts = [k for k, t in enumerate(run) if _is_mark(t)
              and not (k and run[k - 1].word.text.lower().rstrip(":,") == "by")]
    if not starts or starts == [0]:
        return [run]
    pieces = [run[a:b] for a, b in zip(starts, [*starts[1:], len(run)])]
    head = run[:starts[0]]
    signed = any(_is_mark(t) for t in head)  # "Fund LP, by: /s/ ..." signs too
    return [head, *pieces] if head and signed else pieces


def _from_first_mark(names: list[list[Tagged]], dates: int) -> list[list[Tagged]]:
    """Where the form is signed with "/s/" and has more names than dates, name runs before the first
    signed one are words of the footnotes or remarks above it taken for a signature ("Boardwalk
    Merger", "Title: Chief Legal"). With a date for each, they are signers of a joint filing."""
    signed = [k for k, run in enumerate(names) if any(_is_mark(t) for t in run)]
    drop = min(signed[0], len(names) - dates) if signed else 0
    return names[drop:] if drop > 0 else names


def _is_mark(t: Tagged) -> bool:
    return t.word.text.lower().startswith("/s/")


def _wrapped_names(names: list[list[Tagged]], signatures: int, grid: bool) -> list[list[Tagged]]:
    """More names than dates: a name run starting on the line under the one before it is that name's end.

    A long "/s/ agent, attorney-in-fact for owner" wraps, and its date, set beside the first
    line, comes between the two lines in reading order.
    """
    names = [list(run) for run in names]
    i = 1
    while len(names) > signatures and i < len(names):
        last, first = names[i - 1][-1].word, names[i][0].word
        below = (first.line == (last.line or 0) + 1) if grid else (
            first.page == last.page and 0 <= first.top - last.bottom <= 1.0 * max(last.height, first.height))
        if below:
            names[i - 1].extend(names.pop(i))
        else:
            i += 1
    return names


def _wrapped_ends(names: list[list[Tagged]]) -> list[list[Tagged]]:
    """Each name's end wrapped onto the lines above the next signer's "/s/" goes back to it:
    "... for VPC Impact" / "Acquisition Holdings Sponsor, LLC" / "/s/ ...", "B. Riley Financial,
    Inc., by: /s/ Bryant R." / "Riley, Co-Chief Executive Officer" / "B. Riley Securities, Inc., by:
    /s/ Andrew". Such an end had been read as the next name's start, or dropped as words before a
    signature. Not where a "by:" alone before the mark ties the lines above to it ("Fund GP, LLC," /
    "by: /s/ ..."): an entity that signs starts the mark's line with its name."""
    out: list[list[Tagged]] = []
    for run in names:
        mark = next((k for k, t in enumerate(run) if _is_mark(t)), 0)
        if out and mark:
            first = run[mark].word
            above = [t for t in run[:mark] if (t.word.page, t.word.bottom) <= (first.page, first.top)]
            tied = run[mark - 1].word.text.lower().rstrip(":,") == "by"
            if above and (not tied or mark - len(above) > 1):
                out[-1] = [*out[-1], *above]
                run = [t for t in run if t not in above]
        out.append(list(run))
    return out


def _signed_lines(run: list[Tagged], dates: set[int]) -> list[list[Tagged]]:
    """A name run cut at each date inside it where what follows signs with a mark of its own: a joint
    filing's signers each sign on a line, "B. Riley Securities, Inc., by: /s/ Andrew Moore" then the
    date, and four such lines had read as one signature. A name's wrapped end under its date ("...,
    attorney-in-fact for" / "Richard N. Levy") carries no mark and stays."""
    pieces = [[run[0]]]
    for before, t in zip(run, run[1:]):
        if any(before.index < d < t.index for d in dates):
            pieces.append([])
        pieces[-1].append(t)
    out = [pieces[0]]
    for piece in pieces[1:]:
        if any(_is_mark(t) for t in piece):
            out.append(piece)
        else:
            out[-1].extend(piece)
    return out


def _runs(tags: list[Tagged]) -> list[list[Tagged]]:
    """Consecutive words (in reading order) of one field: one value each."""
    runs: list[list[Tagged]] = []
    for t in sorted(tags, key=lambda t: t.index):
        if runs and t.index - runs[-1][-1].index <= 3:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs
