"""Fields of a line's words set by the line: rules over the classifier's word labels, before
decoding reads values from them.

The classifier labels each word from its own features and its neighbours'; these rules use what
it cannot see: that the owner's name, street and second street line fill a line each, that a
single-spaced dump's owner and issuer names part where the case changes, and that a line of
footnote prose holds no signature.
"""

from __future__ import annotations

import re

import numpy as np

from .labels import LabelFinder, catalog
from .layout.document import Layout, Line, Word
from .values import YEAR, is_unit_word, state_names, street_words

# A caption in brackets ("(Street)", "(Last)"): a dump runs it into the values beside it.
CAPTION_WORD = re.compile(r"^\([A-Za-z]+\)$")
# What the classifier calls a word that is no value: a printed caption, or nothing.
FILLERS = ("label", "other")
# A title's line that ends so goes on in the next ("Chairman Emeritus and" / "Director").
RUNS_ON = re.compile(r"(?i)^(and|&|of|for|the|,)$|,$")


def filler_classes(names: list[str]) -> set[int]:
    """The indices of the filler classes among the classifier's class names."""
    return {names.index(f) for f in FILLERS if f in names}


def owner_starts(layout: Layout) -> list[Word]:
    """The first word of each "Name and Address of Reporting Person" caption."""
    finder = LabelFinder(layout)
    return [m.first for m in finder.find("name_address", catalog()["boxes"]["name_address"], min_score=0.7)]


_NAME_FIELDS = ("owners.*.name", "issuer.name")
# Words that read the same in either case: initials, generational suffixes, numbers, punctuation,
# an entity's "LLC" or "LP" and EDGAR's "/ADV" tags. Split by case with these left out, 3,000 train
# filings' owner and issuer names (one after the other, as a dump prints them) split 1,243 times,
# 1,217 of them right.
_CASELESS = re.compile(r"^(?:[A-Za-z]\.?|[IVX]{1,4}|JR\.?|SR\.?|Jr\.?|Sr\.?|[^A-Za-z]*|LLC,?|L\.?P\.?,?|LTD\.?|/\w+/?)$")


def owner_issuer_by_case(layout: Layout, probabilities: np.ndarray, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """On a single-spaced text dump, the owner's name and the issuer's share a line with nothing
    between them ("Black Maria AUTOMATIC DATA PROCESSING INC [ ADP ]"). Where one is written in
    capitals and the other not (44% of 1,500 train filings), the change of case is where the
    owner's name ends; the classifier, seeing no gap, often moves the boundary a word. A dump that
    keeps the columns' gap ("SCHERER BARBARA VAUGHN    ANSYS INC") parts them there.
    """
    names = [str(c) for c in classes]
    if not all(f in names for f in _NAME_FIELDS):
        return best
    owner, issuer = (names.index(f) for f in _NAME_FIELDS)
    out = best.copy()
    words = list(layout.words)
    position = {id(w): i for i, w in enumerate(words)}
    for line in layout.lines:
        run = [position[id(w)] for w in line.words
               if out[position[id(w)]] in (owner, issuer)
               or probabilities[position[id(w)], owner] + probabilities[position[id(w)], issuer] >= 0.2]
        if len(run) < 3 or run != list(range(run[0], run[0] + len(run))):
            continue
        if not {out[i] for i in run} >= {owner, issuer}:
            continue
        gaps = [k for k in range(1, len(run)) if column_gap(words[run[k - 1]], words[run[k]])]
        split = gaps[0] if len(gaps) == 1 else _case_split([words[i].text for i in run])
        if split is None:
            split = _entity_split([words[i].text for i in run])
        if split is None:
            split = _split_by_phrases([words[i].text for i in run], [out[i] == issuer for i in run],
                                      _pairs_elsewhere(layout, line))
        if split is not None:
            out[run[:split]] = owner
            out[run[split:]] = issuer
    return out


def _split_by_phrases(texts: list[str], issuer_tagged: list[bool], elsewhere: set[tuple[str, str]]) -> int | None:
    """Where two names in one case part, by the document's other lines: the issuer's name starts
    with a pair of words printed together elsewhere ("C/O CHICKEN SOUP FOR THE SOUL" in the
    street, "South Jersey Industries" in a footnote), and no such pair straddles the boundary.
    None where that moves no boundary the classifier drew."""
    if True not in issuer_tagged or issuer_tagged[issuer_tagged.index(True):] != [True] * issuer_tagged.count(True):
        return None  # the tags are not owner words then issuer words
    drawn = issuer_tagged.index(True)
    tokens = [_token(t) for t in texts]

    def neighbour(k: int, step: int) -> str:
        k += step
        while 0 <= k < len(tokens) and not tokens[k]:  # "&" and other signs: "Babcock & Wilcox"
            k += step
        return tokens[k] if 0 <= k < len(tokens) else ""

    def score(k: int) -> int:
        starts = tokens[k] not in _ENTITY_WORDS and (tokens[k], neighbour(k, 1)) in elsewhere
        straddles = (neighbour(k, -1), tokens[k]) in elsewhere
        return int(starts) - int(straddles)

    best = max(range(1, len(tokens)), key=lambda k: (score(k), k == drawn))
    return best if best != drawn and score(best) > score(drawn) and score(best) > 0 else None


def _pairs_elsewhere(layout: Layout, skip) -> set[tuple[str, str]]:
    """Pairs of neighbouring words (lower case, letters and digits) on the layout's other lines."""
    pairs = set()
    for line in layout.lines:
        if line is skip:
            continue
        tokens = [t for t in (_token(w.text) for w in line.words) if t]
        pairs.update((a, b) for a, b in zip(tokens, tokens[1:]) if len(a) > 1 and len(b) > 1)
    return pairs


# Words that end or fill any company's name: a pair starting with one says nothing of where a name starts.
_ENTITY_WORDS = frozenset({"holdings", "holding", "inc", "llc", "lp", "llp", "ltd", "corp", "corporation", "co",
                           "company", "group", "trust", "fund", "capital", "partners", "the", "of", "and"})


def _token(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


ADDRESS_LINE_FIELDS = ("owners.*.name", "owners.*.address.street1", "owners.*.address.street2")


def one_field_per_address_line(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                                best: np.ndarray, starts: list[Word]) -> np.ndarray:
    """The owner's name, street and second street line each fill a line of their own: words of one
    line tagged with two of them take the one their probabilities add up to most ("RUIZ PAUL" had
    "PAUL" at 0.40 street and 0.40 name). Runs stop at a gap of three characters, where a dump
    prints the next column. `starts` are the first words of the "Name and Address" captions."""
    names = [str(c) for c in classes]
    if not all(f in names for f in ADDRESS_LINE_FIELDS):
        return best
    fields = np.array([names.index(f) for f in ADDRESS_LINE_FIELDS])
    out = best.copy()
    position = {id(w): i for i, w in enumerate(layout.words)}
    lines = list(layout.lines)
    captions = {id(w) for w in starts}
    # The line under a "Name and Address" caption is the name's wherever a word of it was tagged so:
    # the model reads the end of "OAKTREE CAPITAL MANAGEMENT LP" as a street.
    name_lines = {k + 1 for k, line in enumerate(lines) if any(id(w) in captions for w in line.words)}
    for k, line in enumerate(lines):
        runs: list[list[int]] = []
        previous = None
        for w in line.words:
            i = position[id(w)]
            if out[i] not in fields:
                previous = None
                continue
            if previous is None or column_gap(previous, w):
                runs.append([])
            runs[-1].append(i)
            previous = w
        for run in runs:
            if len({out[j] for j in run}) < 2:
                continue
            if k in name_lines and fields[0] in out[run]:
                out[run] = fields[0]
            else:
                out[run] = fields[int(np.argmax(probabilities[run][:, fields].sum(axis=0)))]
    return out


def same_cell_line(a: Word, b: Word, grid: bool) -> bool:
    """On one line of one cell: on a grid one markdown row holds several cells' lines."""
    if grid:
        return a.line == b.line and a.cell == b.cell
    return a.page == b.page and abs(a.y_mid - b.y_mid) < 0.6 * max(a.height, b.height, 0.1)


def column_gap(left: Word, right: Word) -> bool:
    """Three characters' width or more between two words of a line: the next column."""
    width = max((left.x1 - left.x0) / max(len(left.text), 1), 0.1)
    return right.x0 - left.x1 >= 3 * width


def prose_lines_hold_no_signature(layout: Layout, classes: np.ndarray, best: np.ndarray,
                                  between_only: bool = False) -> np.ndarray:
    """A footnote's or the remarks' lines are prose throughout: signature words, and words of the
    other prose field, inside a line that is two-thirds footnote or remarks text are that text
    ("Corp., Catalyst Merger" of a merger's footnote; "B. Riley" of "filed jointly by B. Riley
    Financial, Inc.", 0.89 a signature, and "Bryant R." ending the line, 0.38 remarks; a footnote's
    "2023", 0.75 the signature's date, which then paired with the signer in the date's place).

    `between_only` (a page, where a signature may stand on a footnote's last line, right of it):
    only such words with that text on both sides of them, or with no column gap between them and it."""
    names = [str(c) for c in classes]
    if "signatures.*.name" not in names:
        return best
    prose = {names.index(f) for f in ("footnotes.*.text", "remarks") if f in names}
    strays = prose | {names.index(f) for f in ("signatures.*.name", "signatures.*.date") if f in names}
    out = best.copy()
    position = {id(w): i for i, w in enumerate(layout.words)}
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        counts = {c: sum(1 for i in members if out[i] == c) for c in prose}
        main = max(counts, key=counts.get, default=None)
        if main is None or counts[main] * 3 < len(members) * 2:
            continue
        inside = [k for k, i in enumerate(members) if out[i] == main]
        for k, i in enumerate(members):
            if out[i] not in strays or out[i] == main:
                continue
            if between_only and not inside[0] < k < inside[-1]:
                span = range(k, inside[0]) if k < inside[0] else range(inside[-1], k)
                if any(column_gap(line.words[m], line.words[m + 1]) for m in span):
                    continue
            out[i] = main
    return out


def signature_lines_run_on(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                           best: np.ndarray) -> np.ndarray:
    """A line that starts with a signer's name is that name up to its date or the line's end, and
    a date's year on its line is the date's.

    The classifier's belief in a signature fades along its line: "/s/ Michael Marron, Senior Vice
    President, Legal and" ended at "Vice", the rest 0.59-0.89 remarks; "for Amir Cohen" lost "Cohen"
    (0.64 remarks), "by Power of Attorney" its "of", and "May 31, 2023" its year (0.78 footnote
    text). Only prose and filler words are taken, none past a column gap, and after the rule that
    gives a line of footnote or remarks prose its stray signature words (it runs first). So are the
    words before a signature's date that ends its line (`_name_before_its_date`)."""
    names = [str(c) for c in classes]
    if "signatures.*.name" not in names:
        return best
    name = names.index("signatures.*.name")
    date = names.index("signatures.*.date") if "signatures.*.date" in names else None
    taken = {names.index(f) for f in ("footnotes.*.text", "remarks") if f in names} | filler_classes(names)
    out = best.copy()
    position = {id(w): i for i, w in enumerate(layout.words)}
    lines = list(layout.lines)
    for n, line in enumerate(lines):
        members = [position[id(w)] for w in line.words]
        for k in range(1, len(members)):
            before, here = members[k - 1], members[k]
            if column_gap(line.words[k - 1], line.words[k]) or out[here] not in taken:
                continue
            if out[before] == date and YEAR.match(line.words[k].text.rstrip(".")):
                out[here] = date
            elif out[before] == name and all(out[i] == name for i in members[:min(k, 2)]):
                out[here] = name
        below = lines[n + 1] if n + 1 < len(lines) else None
        signed_below = (below is not None and out[position[id(below.words[0])]] == name
                        and abs(below.words[0].x0 - line.words[0].x0) <= line.words[0].height)
        _name_before_its_date(line, members, probabilities, out, name, date, taken, signed_below)
    return out


_SIGNER_SHARE = 0.3  # a prose word before a signature's date this likely the signer's name is the name


def _name_before_its_date(line: Line, members: list[int], probabilities: np.ndarray, out: np.ndarray,
                          name: int, date: int | None, taken: set[int], signed_below: bool = False) -> None:
    """The words a line ends with before a signature's date, torn between prose and the signer's name,
    are the name: a footnote's line does not end with the signature's date ("David Kwon (POA on"
    01/13/2023, "David" 0.52 footnote text and 0.47 the signature).

    Past a word of the name, or where the line under it starts a signer's name at the same place (a
    joint filer's block, dated on its first line), prose words before it are the name however unsure:
    an entity's name in capitals reads like remarks ("OAKTREE VALUE OPPORTUNITIES FUND GP, L.P., By:",
    0.67-0.94 remarks)."""
    if date is None or len(members) < 2 or out[members[-1]] != date:
        return
    run = []
    named = signed_below
    for k in range(len(members) - 2, -1, -1):
        i = members[k]
        if out[i] == date or (out[i] != name and not (out[i] in taken
                                                      and (named or probabilities[i, name] >= _SIGNER_SHARE))):
            break
        named = named or out[i] == name
        run.append(i)
        if k and column_gap(line.words[k - 1], line.words[k]):
            break
    for i in run:
        out[i] = name


def _case_split(texts: list[str]) -> int | None:
    """Where a run of words changes from capitals to mixed case or back, if it does so once: the
    index of the first word of the second part. Each side needs two words of its case: "PASCAL
    ANDREW S PLAYSTUDIOS, Inc." changes case once, inside the issuer's name."""
    kinds = [None if _CASELESS.match(t) else ("upper" if t.upper() == t else "mixed") for t in texts]
    cased = [(i, k) for i, k in enumerate(kinds) if k is not None]
    changes = [j for j in range(1, len(cased)) if cased[j][1] != cased[j - 1][1]]
    if len(changes) != 1 or changes[0] < 2 or len(cased) - changes[0] < 2:
        return None
    return cased[changes[0]][0]


# What ends a company's name: "Sponsor, LLC", "Holdings, Inc.", "Partners, L.P.".
_ENTITY_END = re.compile(r"(?i)^(?:llc|l\.l\.c\.|inc|corp|l\.p\.|lp|ltd|plc|n\.v\.)[.,]?$")


def _entity_split(texts: list[str]) -> int | None:
    """Where two company names in one case part: after the first of two company endings ("VPC
    Impact Acquisition Holdings Sponsor, LLC Bakkt Holdings, Inc."), the classifier having
    started the issuer's name at "Sponsor,"."""
    ends = [k for k, text in enumerate(texts) if _ENTITY_END.match(text)]
    if len(ends) < 2 or ends[0] < 1:
        return None
    return ends[0] + 1


_TITLE_FIELDS = ("owners.*.relationship.officer_title", "owners.*.relationship.other_text")
_LINE_SHARE = 0.05  # a word this likely the line's field, in a line mostly that field, is the field's


def whole_field_lines(layout: Layout, probabilities: np.ndarray, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """An officer's title, the other relationship's text, the owner's name and each street line
    fill their line: a run of words without a column gap, most of them tagged one of these, is
    that field throughout. Titles end in words the form's captions use ("EVP & Exec. Dir.,
    Treasury", "... & Director"), and a street starts with a spelled number ("ONE ANALOG WAY"),
    which the classifier takes for captions or nothing. After a street's last street word a word in
    lower case is the caption a single-spaced dump runs on ("4650 CUSHING PARKWAY title")."""
    names = [str(c) for c in classes]
    out = best.copy()
    words = list(layout.words)
    position = {id(w): i for i, w in enumerate(words)}
    fillers = filler_classes(names)
    fields = [(names.index(f), f in _TITLE_FIELDS) for f in (*_TITLE_FIELDS, *ADDRESS_LINE_FIELDS) if f in names]
    # Which of the name and street lines a line is was settled by the line rules before this: a
    # word's share of the three together counts ("NW" of "6700 BROKEN SOUND PARKWAY NW": 0.07
    # the first street, the line the second).
    address = [names.index(f) for f in ADDRESS_LINE_FIELDS if f in names]
    address_share = probabilities[:, address].sum(axis=1)
    # A table's cell never runs on from a name or a street without a column gap ("PARTNERS, LP":
    # "LP" 0.43 a nature of ownership, 0.40 the street).
    table = {i for i, name in enumerate(names) if name.startswith(("non_derivative.", "derivative."))}
    # A footnote marker is raised or bracketed; a bare number starting a street is its house number
    # ("1 TOWER LANE, SUITE 800": "1" 0.67 a marker, 0.22 the street).
    marker = names.index("footnote_ref") if "footnote_ref" in names else -1
    address_strays = fillers | table
    runs: list[list[int]] = []  # each line's words between column gaps, as word indices
    for line in layout.lines:
        for previous, w in zip([None, *line.words], line.words):
            if previous is None or column_gap(previous, w):
                runs.append([])
            runs[-1].append(position[id(w)])
    for field, to_the_end in fields:
        for run in runs:
            tagged = [k for k, i in enumerate(run) if out[i] == field]
            if len(tagged) * 2 < len(run) or len(tagged) == len(run):
                continue
            for k, i in enumerate(run):
                after = k > tagged[-1] and not to_the_end
                share = probabilities[i, field] if to_the_end else address_share[i]
                strays = fillers if to_the_end else address_strays
                house_number = (not to_the_end and k == 0 and out[i] == marker and words[i].text.isdigit()
                                and not words[i].superscript)
                if ((out[i] in strays or house_number) and share >= _LINE_SHARE
                        and not CAPTION_WORD.match(words[i].text) and not (after and words[i].text[:1].islower())):
                    out[i] = field
            if not to_the_end:
                _street_ending(run, words, field, out)
    return out


_UNIT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,4}$")


def _street_ending(run: list[int], words: list[Word], field: int, out: np.ndarray) -> None:
    """A name or street line's last words are its own when they are how a street ends: its type or
    direction ("800 NICOLLET MALL", where "MALL" was 0.63 an officer's title; "1331 L STREET, NW") or
    a unit's number or letter ("SUITE E", 0.89 a title; "FL. 2", 0.90 a caption)."""
    endings = street_words()["endings"]
    k = len(run)
    while k > 1 and out[run[k - 1]] != field:
        k -= 1
    for j in range(k, len(run)):
        text = words[run[j]].text.strip(".,").upper()
        if text in endings or (is_unit_word(words[run[j - 1]].text) and _UNIT_NUMBER.match(text)):
            out[run[j]] = field
        else:
            break


def same_line(a: Word, b: Word) -> bool:
    """Two words on one page sharing over half the shorter one's height."""
    return a.page == b.page and min(a.bottom, b.bottom) - max(a.top, b.top) > 0.5 * min(a.height, b.height)


def whole_state_names(layout: Layout, classes: np.ndarray, best: np.ndarray) -> np.ndarray:
    """A state printed by name is one value: the words beside a word tagged as the state that make a
    state's name with it are the state's ("WASHINGTON District Of Columbia 20037": "District" had gone
    to the owner's name, and the state read "Of Columbia")."""
    names = [str(c) for c in classes]
    if "owners.*.address.state" not in names:
        return best
    state = names.index("owners.*.address.state")
    full_names = {name for name in state_names() if len(name) > 2 and " " in name}
    longest = max((name.count(" ") + 1 for name in full_names), default=1)
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    for line in layout.lines:
        words = line.words
        for k, w in enumerate(words):
            if best[position[id(w)]] != state:
                continue
            spans = [(a, b) for a in range(max(0, k - longest + 1), k + 1) for b in range(k + 1, min(len(words), a + longest) + 1)
                     if b - a > 1 and " ".join(v.text for v in words[a:b]).upper().strip(",") in full_names
                     and not any(column_gap(u, v) for u, v in zip(words[a:b - 1], words[a + 1:b]))]
            if spans:
                a, b = max(spans, key=lambda s: s[1] - s[0])
                out[[position[id(v)] for v in words[a:b]]] = state
    return out


_NAME_START_SHARE = 0.05


def issuer_name_after_its_caption(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                                  best: np.ndarray) -> np.ndarray:
    """An issuer's name that follows its caption in one cell keeps its first words, which the caption's
    closeness made captions too ("Trading Symbol Finance of America Companies Inc.": "Finance" 0.68 a
    caption, 0.31 the name; "of" 0.94 and 0.05). Going left from the name's first word, words taken
    for captions that are not the caption's own, this likely the name's, are the name's."""
    names = [str(c) for c in classes]
    if "issuer.name" not in names:
        return best
    issuer = names.index("issuer.name")
    # The words of the issuer box's caption ("2. Issuer Name and Ticker or Trading Symbol"): a name's
    # first words are never these, where they stand just after it.
    caption = {*catalog()["boxes"]["issuer"].lower().split(), "2."}
    fillers = filler_classes(names)
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    for line in layout.lines:
        members = [position[id(w)] for w in line.words]
        first = next((k for k, i in enumerate(members) if out[i] == issuer), None)
        k = first - 1 if first is not None else -1
        while k >= 0:
            i, w = members[k], line.words[k]
            if (out[i] not in fillers or probabilities[i, issuer] < _NAME_START_SHARE
                    or w.text.lower() in caption or column_gap(w, line.words[k + 1])):
                break
            out[i] = issuer
            k -= 1
    return out


# The marks printed or read around a ticker: "[ ]", and as OCR reads them "(", "|" or braces.
TICKER_MARK = re.compile(r"[\[\](){}|]")
# A ticker's bracket as a word: one such mark, or two run together ("(|", "|]").
_TICKER_BRACKET = re.compile(rf"^{TICKER_MARK.pattern}{{1,2}}$")
_TICKER_SHARE = 0.3  # a word in a ticker's brackets this likely the ticker is the ticker
_TICKER_WORD = re.compile(r"^[A-Z][A-Z.]{0,5}$")


def ticker_in_its_brackets(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                           best: np.ndarray) -> np.ndarray:
    """A word in capitals between two bracket marks right after the issuer's name is its ticker where
    the classifier is torn and took no word for the ticker: OCR mangles the brackets ("Inc. (| RBOT )",
    "RBOT" 0.53 a caption and 0.46 the ticker)."""
    names = [str(c) for c in classes]
    if not all(f in names for f in ("issuer.name", "issuer.trading_symbol")):
        return best
    issuer, ticker = names.index("issuer.name"), names.index("issuer.trading_symbol")
    if (best == ticker).any():
        return best
    position = {id(w): i for i, w in enumerate(layout.words)}
    out = best.copy()
    for line in layout.lines:
        words, members = line.words, [position[id(w)] for w in line.words]
        for k in range(2, len(members) - 1):
            if (out[members[k - 2]] == issuer and _TICKER_BRACKET.match(words[k - 1].text)
                    and _TICKER_BRACKET.match(words[k + 1].text) and _TICKER_WORD.match(words[k].text)
                    and probabilities[members[k], ticker] >= _TICKER_SHARE):
                out[members[k]] = ticker
                return out
    return out


_NAME_REST_SHARE = 0.05  # a word before the ticker this likely the issuer's name, where the name wrapped, is its rest


def issuer_name_wrapped_onto_its_tickers_line(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                                              best: np.ndarray) -> np.ndarray:
    """A text dump's issuer name that wraps in its cell ends on the ticker's line: "WESTERN ALLIANCE" /
    "(Last) (First) (Middle) BANCORPORATION [ WAL ]", where the classifier took the name's rest for a
    caption (0.64; 0.17 the name). Going left from the ticker's bracket, up to a bracketed caption or a
    column gap, words taken for captions are the name's when the line above holds the name."""
    names = [str(c) for c in classes]
    if "issuer.name" not in names or "issuer.trading_symbol" not in names:
        return best
    issuer, ticker = names.index("issuer.name"), names.index("issuer.trading_symbol")
    fillers = filler_classes(names)
    position = {id(w): i for i, w in enumerate(layout.words)}
    lines = list(layout.lines)
    out = best.copy()
    for above, line in zip(lines, lines[1:]):
        members = [position[id(w)] for w in line.words]
        bracket = next((k for k in range(1, len(members) - 1) if line.words[k].text == "["
                        and out[members[k + 1]] == ticker), None)
        if (bracket is None or any(out[i] == issuer for i in members)
                or not any(out[position[id(w)]] == issuer for w in above.words)):
            continue
        k = bracket - 1
        while k >= 0:
            i, w = members[k], line.words[k]
            if (out[i] not in fillers or probabilities[i, issuer] < _NAME_REST_SHARE or CAPTION_WORD.match(w.text)
                    or column_gap(w, line.words[k + 1])):
                break
            out[i] = issuer
            k -= 1
    return out


_DUMP_WRAP_AFTER_RUN_ON = 0.001  # a title's next line this likely the title's goes to it when the title runs on
_DUMP_WRAP_SURE = 0.3  # ... and this likely when it does not
_DUMP_WRAP_WORDS = 4  # a box's wrapped line is short
_DUMP_WRAP_ALIGNED = 0.1  # ... and this likely whatever it was taken for, standing under a title that runs on
_DUMP_WRAP_LINES = 3  # a kept-layout dump can print other boxes' lines between a box's lines


def title_wrapped_onto_the_next_dump_line(layout: Layout, probabilities: np.ndarray, classes: np.ndarray,
                                          best: np.ndarray) -> np.ndarray:
    """A text dump's officer title (or other relationship text) that wraps in its box goes on in the
    next line: where the dump kept its layout, in the words that start under the title's first word
    ("Emeritus and" / "(City) (State) (Zip) Director"); in a single-spaced dump, in a short line of
    nothing else, after any bracketed caption ("EVP & Exec. Dir.," / "Treasury", "... & Corp" /
    "(Street) Sec"). The classifier, which sees no box there, took them for captions ("Director"
    at 0.004 the title, "Treasury" 0.16); a line that runs on ("and", a comma) needs less."""
    names = [str(c) for c in classes]
    fillers = filler_classes(names)
    position = {id(w): i for i, w in enumerate(layout.words)}
    lines = list(layout.lines)
    out = best.copy()
    for name in (n for n in _TITLE_FIELDS if n in names):
        field = names.index(name)
        holding = [k for k, line in enumerate(lines) if any(out[position[id(w)]] == field for w in line.words)]
        if not holding:
            continue
        line = lines[holding[-1]]
        title = [w for w in line.words if out[position[id(w)]] == field]
        run = _next_run_under(title, lines[holding[-1] + 1:holding[-1] + 1 + _DUMP_WRAP_LINES])
        if run is None:
            continue
        runs_on = RUNS_ON.search(title[-1].text) is not None
        share = _DUMP_WRAP_AFTER_RUN_ON if runs_on else _DUMP_WRAP_SURE
        # Under a title that runs on, in a dump that kept its columns, a word taken for another field
        # is the title's too when the classifier gave the title a fair share ("ISG": 0.73 a city, 0.20).
        aligned = runs_on and title[0].column is not None
        members = [position[id(w)] for w in run]
        if 0 < len(run) <= _DUMP_WRAP_WORDS and all(
                (out[i] in fillers and probabilities[i, field] >= share
                 or aligned and probabilities[i, field] >= _DUMP_WRAP_ALIGNED) and not CAPTION_WORD.match(w.text)
                for i, w in zip(members, run)):
            out[members] = field
    return out


def _next_run_under(title: list[Word], following: list[Line]) -> list[Word] | None:
    """Where a box's text starting at `title` goes on: the next line, or in a dump that kept its layout
    the first of the next lines that prints a word under the title, lines in between leaving its
    column empty ("SVP & GM," / "SCOTTSDALE AZ 85250" / "ISG")."""
    first = title[0]
    end = max((w.column + len(w.text) for w in title if w.column is not None), default=0)
    for below in following:
        if below.words[0].line is None or first.line is None:
            return None
        skipped = below.words[0].line - first.line - 1
        if skipped > (_DUMP_WRAP_LINES - 1 if first.column is not None else 0):
            return None
        run = _run_under(first, below.words)
        if run is not None:
            return run
        if first.column is None or any(w.column is not None and w.column < end and w.column + len(w.text) > first.column
                                       for w in below.words):
            return None
    return None


def _run_under(first: Word, below: list[Word]) -> list[Word] | None:
    """The words of the next dump line that go on a box's text starting at `first` (see above)."""
    if first.column is None:
        if any(w.column is not None for w in below):
            return None
        start = 0
        while start < len(below) and CAPTION_WORD.match(below[start].text):
            start += 1
        return below[start:]
    start = next((k for k, w in enumerate(below) if w.column is not None and abs(w.column - first.column) <= 2), None)
    if start is None:
        return None
    run = below[start:start + 1]
    for left, right in zip(below[start:], below[start + 1:]):
        if column_gap(left, right):
            break
        run.append(right)
    return run
