"""The rule-based extractor: reads a Record off any Layout by the form's printed labels.

It is the trained model's peer (same `extract(layout) -> Record` interface) and its
fallback. The plan: mask the printed boilerplate, find the box labels of the header,
give every remaining word to the box whose label stands nearest above it in its column,
read the two tables by their column headers, then the footnotes, remarks and signatures
between their section labels. Each value is tagged `method="rules"` with a confidence
that falls with fuzzy label matches and OCR doubt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from .errors import NotAFormError
from .labels import LabelFinder, LabelMatch, catalog, table_spec_names
from .layout.document import GRID_LINE_HEIGHT, Layout, Word, group_lines
from .records import (
    Address,
    DerivativeRow,
    Footnote,
    NonDerivativeRow,
    Provenance,
    Record,
    Relationship,
    ReportingOwner,
    Signature,
    Value,
)
from .tables import Column, read_table
from .values import (find_date_span, is_check_mark, ownership_letter, parse_date, parse_number, split_footnotes,
                     spelled_date, state_code, state_names)

_FORM_TOKEN = re.compile(r"^(3|4|5)(/A)?$", re.I)
_RULE = re.compile(r"^_{3,}$")
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
# EDGAR's code for a non-US owner's country or province, printed where a US state goes ("TOKYO M0
# 105-0011", "LONDON X0 SW1A 1AA"): a letter and a digit.
_COUNTRY_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-Z0-9]{2}$")
_TICKER = re.compile(r"^(.*?)\s*[\[\(|{]\s*([A-Za-z0-9.\-]{1,12})[\s\]\)|}]*$")
# OCR drops the opening bracket now and then ("Apple Inc. AAPL ] |"): a capitalized ticker
# before a closing one is still the ticker.
_TICKER_UNOPENED = re.compile(r"^(.*?)\s+([A-Z0-9.\-]{1,6})\s*[\]\)}][\s\]\)|}]*$")
_FOOTNOTE_START = re.compile(r"^\(?(\d{1,2})[.)]\s*")
# OCR reads a footnote's "4." as "4," now and then; only trusted for the number due next, before a sentence.
_FOOTNOTE_START_OCR = re.compile(r"^\(?(\d{1,2})[.),]\s+(?=[A-Z])")
_CHECKBOXES_TOP = ("not_subject_to_section16", "aff10b5_one", "form3_holdings_reported", "form4_transactions_reported")
_RELATIONSHIP = ("is_director", "is_ten_percent_owner", "is_officer", "is_other")


@dataclass(frozen=True)
class RulesSettings:
    """Knobs of the rule-based extractor."""

    min_label_score: float = 0.7
    min_anchors: int = 3  # fewer form labels than this and the input is not a Form 3/4/5
    base_confidence: float = 0.9

    def __post_init__(self) -> None:
        if not 0.0 < self.min_label_score <= 1.0:
            raise ValueError(f"min_label_score must be in (0, 1], not {self.min_label_score}")
        if self.min_anchors < 1:
            raise ValueError(f"min_anchors must be at least 1, not {self.min_anchors}")
        if not 0.0 < self.base_confidence <= 1.0:
            raise ValueError(f"base_confidence must be in (0, 1], not {self.base_confidence}")


class RuleExtractor:
    """Extracts a Record from a Layout with hand-written rules over the printed labels."""

    method = "rules"

    def __init__(self, settings: RulesSettings | None = None):
        self.settings = settings

    def extract(self, layout: Layout) -> Record:
        return _Extraction(split_glued_words(layout), self.settings or RulesSettings()).run()


def split_glued_words(layout: Layout) -> Layout:
    """Split words PDF and OCR glue together, like '(First)(Middle)', into their parts."""
    for page in layout.pages:
        for line in page.lines:
            out: list[Word] = []
            for w in line.words:
                parts = re.split(r"(?<=\))(?=\()", w.text) if ")(" in w.text and len(w.text) > 3 else [w.text]
                if len(parts) == 1:
                    out.append(w)
                    continue
                width = (w.x1 - w.x0) / max(len(w.text), 1)
                x, offset = w.x0, 0
                for part in parts:
                    out.append(Word(part, x, w.top, x + width * len(part), w.bottom, w.page, w.confidence,
                                    w.underline, w.superscript, w.checkbox, w.chunk, w.cell, w.line,
                                    None if w.column is None else w.column + offset))
                    x += width * len(part)
                    offset += len(part)
            line.words = out
    return layout


class _Extraction:
    def __init__(self, layout: Layout, settings: RulesSettings):
        self.layout = layout
        self.settings = settings
        self.grid = layout.geometry == "grid"
        self.finder = LabelFinder(layout)
        self.labels = catalog()
        self.order = {id(w): (w.page, i, w.x0) for i, line in enumerate(self.finder.lines) for w in line.words}
        widths = [p.width for p in layout.pages] or [600.0]
        self.tol = 1.0 if self.grid else max(widths) * 0.012
        heights = sorted(w.height for w in layout.words)
        # Distances between boxes in units of text height hold in points and in scan pixels alike.
        self.unit = GRID_LINE_HEIGHT if self.grid or not heights else heights[len(heights) // 2]
        self.record = Record()
        self.anchor_count = 0

    # --- helpers -------------------------------------------------------------------------
    def pos(self, w: Word) -> tuple[int, int, float]:
        return self.order[id(w)]

    def value(self, words: list[Word], parsed: Any, label_score: float = 1.0, footnotes: list[str] | None = None) -> Value:
        confidences = [w.confidence for w in words if w.confidence is not None]
        ocr = min(confidences) if confidences else 1.0
        confidence = self.settings.base_confidence * min(1.0, 0.5 + label_score / 2) * (0.6 + 0.4 * ocr)
        provenance = None
        if words:
            if self.grid:
                provenance = Provenance(page=words[0].page, line=words[0].line)
            else:
                page = [w for w in words if w.page == words[0].page]
                bbox = (min(w.x0 for w in page), min(w.top for w in page), max(w.x1 for w in page), max(w.bottom for w in page))
                provenance = Provenance(page=words[0].page, bbox=bbox)
        return Value(value=parsed, footnote_ids=footnotes or [], confidence=round(confidence, 4), method="rules",
                     provenance=provenance)

    def flag(self, checked: bool, words: list[Word], score: float) -> Value:
        return self.value(words, checked, score)

    def find_one(self, key: str, phrase: str, where: Callable[[Word], bool] | None = None) -> LabelMatch | None:
        found = self.finder.find(key, phrase, where=where, min_score=self.settings.min_label_score, limit=1)
        return found[0] if found else None

    def sorted_words(self, words: list[Word]) -> list[Word]:
        return sorted(words, key=self.pos)

    @staticmethod
    def text(words: list[Word]) -> str:
        return " ".join(w.text for w in words)

    # --- the whole document --------------------------------------------------------------
    def run(self) -> Record:
        labels = self.labels
        for phrase in labels["boilerplate"]:
            self.finder.find("boilerplate", phrase, min_score=0.8)
        base_type = self.document_type()
        sections = {k: self.find_one(k, p) for k, p in labels["sections"].items()}
        self.anchor_count += sum(1 for m in sections.values() if m is not None)
        header_end = next((m for m in (sections["table1"], sections["table2"], sections["explanation"]) if m), None)
        in_header = (lambda w: self.pos(w) < self.pos(header_end.first)) if header_end else (lambda w: True)
        self.header(in_header, base_type)
        if self.anchor_count < self.settings.min_anchors:
            raise NotAFormError(self.layout.source, f"not an SEC Form 3, 4 or 5 (found {self.anchor_count} of the form's labels)")
        self.tables(sections, base_type)
        self.closing(sections)
        self.record.source.format = self.layout.format
        self.record.source.path = self.layout.source
        self.record.source.pages = len(self.layout.pages)
        return self.record

    def document_type(self) -> str:
        titles = self.labels["titles"]
        base = None
        title_words: list[Word] = []
        # The title heads the form: remarks that quote another form's title ("...its initial
        # statement of beneficial ownership...") further down do not make it that form.
        head = {id(w) for line in self.finder.lines[:40] for w in line.words}
        for key in ("form3", "form5", "form4"):
            match = self.find_one(key, titles[key], where=lambda w: id(w) in head)
            if match and base is None:
                base, title_words = key[-1], match.words
                self.anchor_count += 1
        amended = False
        for line in self.finder.lines[:40]:
            words = line.words
            for i, w in enumerate(words[:-1]):
                if w.text.upper() == "FORM" and _FORM_TOKEN.match(words[i + 1].text):
                    token = _FORM_TOKEN.match(words[i + 1].text)
                    base = base or token.group(1)
                    amended = amended or bool(token.group(2))
        if base is None:
            for omb, kind in self.labels["omb_numbers"].items():
                if any(omb in line.text for line in self.finder.lines[:60]):
                    base = kind
        if base is not None:
            self.record.document_type = self.value(title_words, base + ("/A" if amended else ""))
        return base or "4"

    # --- the boxes above Table I -----------------------------------------------------------
    def header(self, in_header: Callable[[Word], bool], base_type: str) -> None:
        boxes = self.labels["boxes"]
        anchors: list[LabelMatch] = []
        owners_at: list[LabelMatch] = self.finder.find("name_address", boxes["name_address"], where=in_header,
                                                       min_score=self.settings.min_label_score)
        anchors += owners_at
        found: dict[str, LabelMatch] = {}
        for key in ("issuer", "earliest", "event", "fiscal_year", "amendment", "relationship", "filing"):
            match = self.find_one(key, boxes[key], where=in_header)
            if match:
                found[key] = match
                anchors.append(match)
        self.anchor_count += len(anchors)
        top_boxes: dict[str, LabelMatch] = {}
        for key in _CHECKBOXES_TOP:
            match = self.find_one(key, self.labels["checkboxes"][key], where=in_header)
            if match:
                top_boxes[key] = match
        owned = self.assign(anchors + list(top_boxes.values()), in_header, boxes=anchors)

        for key, match in top_boxes.items():
            setattr(self.record, key, self.checkbox(match))
        for key in _CHECKBOXES_TOP:
            if key not in top_boxes:
                setattr(self.record, key, Value(value=False, confidence=0.6, method="rules"))

        if "issuer" in found:
            self.issuer(owned.get(id(found["issuer"]), []), found["issuer"].score)
        for key in ("earliest", "event", "fiscal_year"):
            if key in found:
                words = owned.get(id(found[key]), [])
                date = parse_date(self.text(words))
                if date:
                    self.record.period_of_report = self.value(words, date, found[key].score)
                    break
        if "amendment" in found:
            words = owned.get(id(found["amendment"]), [])
            date = parse_date(self.text(words))
            if date:
                self.record.date_of_original_submission = self.value(words, date, found["amendment"].score)
                if self.record.document_type.value and not self.record.document_type.value.endswith("/A"):
                    self.record.document_type = self.record.document_type.model_copy(
                        update={"value": self.record.document_type.value + "/A"})

        relationship = found.get("relationship")
        for match in owners_at or []:
            owner = self.owner(match, owned.get(id(match), []))
            if relationship is not None:
                owner.relationship = self.relationship(relationship, owned.get(id(relationship), []))
            self.record.owners.append(owner)
        filing = found.get("filing")
        if filing is not None:
            joint = self.find_one("joint", self.labels["checkboxes"]["joint"], where=self.below_in_band(filing))
            single = self.find_one("individual", self.labels["checkboxes"]["individual"], where=self.below_in_band(filing))
            if joint is not None and self.checked(joint) is True:
                self.record.joint_filing = self.checkbox(joint)
            elif single is not None:
                is_single = self.checkbox(single)
                self.record.joint_filing = is_single.model_copy(update={"value": not is_single.value})
        if self.record.joint_filing.value is None and self.record.owners:
            self.record.joint_filing = Value(value=len(self.record.owners) > 1, confidence=0.7, method="rules")

    def band_end(self, anchor: LabelMatch, anchors: list[LabelMatch]) -> float:
        if self.grid:  # a box ends where the next box of its own row begins (colspans vary by row)
            ends = [a.x0 for a in anchors if a.first.line == anchor.first.line and a.x0 > anchor.x0 + self.tol]
        else:
            ends = [a.x0 for a in anchors if a.page == anchor.page and a.x0 > anchor.x0 + self.tol
                    and a.top < anchor.bottom + 40 * self.unit]
        return min(ends) if ends else float("inf")

    def assign(self, anchors: list[LabelMatch], where: Callable[[Word], bool],
               boxes: list[LabelMatch] | None = None) -> dict[int, list[Word]]:
        """Give each value word to the label nearest above it in its column.

        Columns end where the next box caption begins; long checkbox captions are not boxes
        and must not cut the column of a box below them.
        """
        ends = {id(a): self.band_end(a, anchors if boxes is None else boxes) for a in anchors}
        owned: dict[int, list[Word]] = {id(a): [] for a in anchors}
        for line in self.finder.lines:
            for w in line.words:
                if self.finder.is_label(w) or not where(w) or set(w.text) <= {"*"}:
                    continue
                best = None
                for a in anchors:
                    if a.page != w.page or not (a.x0 - self.tol <= w.x0 < ends[id(a)]):
                        continue
                    same_line = abs(a.first.top - w.top) < max(w.height * 0.5, 0.6)
                    if a.top > w.top + max(w.height * 0.3, 0.5) or (same_line and self.pos(w) < self.pos(a.first)):
                        continue
                    if self.grid and w.cell is not None and a.first.cell is not None and a.first.cell != w.cell:
                        continue
                    if best is None or self.pos(a.first) > self.pos(best.first):
                        best = a
                if best is not None:
                    owned[id(best)].append(w)
        return {k: self.sorted_words(v) for k, v in owned.items()}

    def below_in_band(self, anchor: LabelMatch) -> Callable[[Word], bool]:
        def where(w: Word) -> bool:
            if w.page != anchor.page or self.pos(w) < self.pos(anchor.first):
                return False
            if self.grid and w.cell is not None and anchor.first.cell is not None:
                return w.cell == anchor.first.cell
            return w.x0 >= anchor.x0 - self.tol and w.top < anchor.bottom + 16 * self.unit
        return where

    def checked(self, label: LabelMatch) -> bool | None:
        """A check mark (or an empty box) just left of a checkbox label, on its line."""
        first = label.first
        best: Word | None = None
        for line in self.finder.lines:
            for w in line.words:
                if w.page != first.page or self.finder.is_label(w) or w is first:
                    continue
                if not (w.checkbox is not None or is_check_mark(w.text)):
                    continue
                if abs(w.y_mid - first.y_mid) > max(first.height, w.height) * 0.8:
                    continue
                gap = first.x0 - w.x1
                if self.grid:
                    ok = w.cell == first.cell and -0.5 <= gap <= 12.0
                else:
                    ok = -1.0 <= gap <= first.height * 4
                if ok and (best is None or w.x1 > best.x1):
                    best = w
        if best is None:
            return None
        self.finder.used.add(id(best))
        return best.checkbox if best.checkbox is not None else True

    def checkbox(self, label: LabelMatch) -> Value:
        state = self.checked(label)
        return self.flag(bool(state), label.words, label.score if state is not None else label.score * 0.95)

    def issuer(self, words: list[Word], score: float) -> None:
        text = self.text(words)
        match = _TICKER.match(text) or _TICKER_UNOPENED.match(text)
        if match and match.group(1):
            name, ticker = match.group(1), match.group(2)
            name_words = [w for w in words if w.text not in "[]()|{}" and w.text.strip("[]") != ticker]
            ticker_words = [w for w in words if ticker in w.text]
            self.record.issuer.name = self.value(name_words, " ".join(name.split()), score)
            self.record.issuer.trading_symbol = self.value(ticker_words, ticker.upper(), score)
        elif text:
            self.record.issuer.name = self.value(words, " ".join(text.split()), score * 0.9)

    def owner(self, anchor: LabelMatch, words: list[Word]) -> ReportingOwner:
        parts = self.labels["address_parts"]
        inside = set(id(w) for w in words)
        region = self.below_in_band(anchor)
        lfm = self.address_part("last_first_middle", parts["last_first_middle"], region)
        street = self.address_part("street", parts["street"], region)
        city = self.address_part("city_state_zip", parts["city_state_zip"], region)
        words = [w for w in words if id(w) in inside and not self.finder.is_label(w)]
        cuts = [m.first for m in (lfm, street, city) if m is not None]
        segments: list[list[Word]] = [[] for _ in range(4)]
        for w in words:
            index = 0
            for cut, position in ((lfm, 1), (street, 2), (city, 3)):
                if cut is not None and self.pos(w) > self.pos(cut.first):
                    index = position
            segments[index].append(w)
        name_words, street_words, city_words = segments[0], segments[1], segments[2]
        if not cuts and words:  # no sub-labels survived: name first, city/state/zip last
            lines = self.word_lines(words)
            name_words, city_words = lines[0], lines[-1] if len(lines) > 1 else []
            street_words = [w for line in lines[1:-1] for w in line]
        owner = ReportingOwner()
        score = anchor.score
        if name_words:
            owner.name = self.value(name_words, " ".join(self.text(name_words).split()), score)
        address = Address()
        streets = self.street_lines(street_words)
        if streets:
            address.street1 = self.value(streets[0], self.text(streets[0]), score)
        if len(streets) > 1:
            rest = [w for s in streets[1:] for w in s]
            address.street2 = self.value(rest, self.text(rest), score)
        self.city_state_zip(city_words, address, score)
        owner.address = address
        return owner

    def address_part(self, key: str, phrase: str, region: Callable[[Word], bool]) -> LabelMatch | None:
        """A caption like "(Street)": printed in brackets, which a street named "... Street" is not."""
        bracketed = self.find_one(key, phrase, where=lambda w: region(w) and w.text.startswith("("))
        found = bracketed or self.find_one(key, phrase, where=region)
        if found is None and " " in phrase:
            # A form that spreads "(Last)  (First)  (Middle)" under the parts it names leaves gaps as
            # wide as a cell's edge between them; the first bracketed part marks the line as well.
            def part(w: Word) -> bool:
                return region(w) and w.text.startswith("(") and w.text.endswith(")")

            first, *rest = phrase.split()
            found = self.find_one(key, first, where=part)
            for other in rest if found is not None else []:  # the other parts are captions too, not values
                self.find_one(key, other, where=lambda w: part(w) and abs(w.y_mid - found.first.y_mid) < w.height)
        return found

    def word_lines(self, words: list[Word]) -> list[list[Word]]:
        if self.grid:
            groups: dict[Any, list[Word]] = {}
            for w in words:
                groups.setdefault(w.chunk if w.chunk is not None else ("line", w.line), []).append(w)
            return [self.sorted_words(g) for g in sorted(groups.values(), key=lambda g: self.pos(g[0]))]
        lines = group_lines(words, page=words[0].page) if words else []
        return [line.words for line in lines]

    def street_lines(self, words: list[Word]) -> list[list[Word]]:
        lines = self.word_lines(words)
        while len(lines) > 2 and not self.grid:
            gaps = [lines[i + 1][0].top - lines[i][0].bottom for i in range(len(lines) - 1)]
            i = gaps.index(min(gaps))  # the closest pair is one street wrapped inside its cell
            lines[i:i + 2] = [lines[i] + lines[i + 1]]
        if len(lines) > 2:
            lines = [lines[0], [w for line in lines[1:] for w in line]]
        return lines

    def city_state_zip(self, words: list[Word], address: Address, score: float) -> None:
        if not words:
            return
        tokens = [w.text.strip(",") for w in words]
        if self.non_us_city_line(words, tokens, address, score):
            return
        zip_index = next((i for i in range(len(tokens) - 1, -1, -1) if _ZIP.match(tokens[i])), None)
        end = len(tokens)
        if zip_index is not None:
            address.zip_code = self.value([words[zip_index]], tokens[zip_index], score)
            end = zip_index
        state_start = None
        upper = [t.upper() for t in tokens[:end]]
        for name in state_names():
            n = len(name.split())
            if end - n >= 1 and " ".join(upper[end - n:end]) == name:
                state_start = end - n
                break
        if state_start is None and end >= 2 and state_code(tokens[end - 1]) and len(tokens[end - 1]) == 2:
            state_start = end - 1
        if state_start is not None:
            code = state_code(" ".join(tokens[state_start:end]))
            address.state = self.value(words[state_start:end], code, score)
            end = state_start
        if end > 0:
            address.city = self.value(words[:end], " ".join(tokens[:end]), score)

    def non_us_city_line(self, words: list[Word], tokens: list[str], address: Address, score: float) -> bool:
        """City, country code and a postal code of one or two parts (each with a digit), if the line is that."""
        for i in range(len(tokens) - 1, max(len(tokens) - 4, 0), -1):
            if _COUNTRY_CODE.match(tokens[i]):
                postal = tokens[i + 1:]
                if not all(any(c.isdigit() for c in t) for t in postal):
                    return False
                address.city = self.value(words[:i], " ".join(tokens[:i]), score)
                address.state = self.value([words[i]], tokens[i], score)
                if postal:
                    address.zip_code = self.value(words[i + 1:], " ".join(postal), score)
                return True
        return False

    def relationship(self, anchor: LabelMatch, words: list[Word]) -> Relationship:
        relationship = Relationship()
        region = self.below_in_band(anchor)
        labels: dict[str, LabelMatch] = {}
        for key in _RELATIONSHIP:
            match = self.find_one(key, self.labels["checkboxes"][key], where=region)
            if match is not None:
                labels[key] = match
                setattr(relationship, key, self.checkbox(match))
            else:
                setattr(relationship, key, Value(value=False, confidence=0.5, method="rules"))
        rest = [w for w in words if not self.finder.is_label(w) and not is_check_mark(w.text) and w.checkbox is None]
        rest = [w for w in rest if all(self.pos(w) > self.pos(m.first) for m in labels.values())] or rest
        if not rest:
            return relationship
        officer, other = relationship.is_officer.value, relationship.is_other.value
        if officer and other and "is_other" in labels:
            split = labels["is_other"].x0 - self.tol
            officer_words = [w for w in rest if w.x0 < split]
            other_words = [w for w in rest if w.x0 >= split]
        elif other and not officer:
            officer_words, other_words = [], rest
        else:
            officer_words, other_words = rest, []
        if officer_words:
            relationship.officer_title = self.value(officer_words, self.text(officer_words), anchor.score)
        if other_words:
            relationship.other_text = self.value(other_words, self.text(other_words), anchor.score)
        return relationship

    # --- Tables I and II -------------------------------------------------------------------
    def tables(self, sections: dict[str, LabelMatch | None], base_type: str) -> None:
        specs = self.labels["tables"]
        names = table_spec_names(base_type)
        ends = [m for k, m in sections.items() if m is not None and k in ("explanation", "remarks", "signature", "reminder")]
        end = min((self.pos(m.first) for m in ends), default=(10**6, 0, 0.0))
        t1, t2 = sections["table1"], sections["table2"]
        if t1 is not None:
            stop = self.pos(t2.first) if t2 is not None else end
            self.record.non_derivative = [self.row(NonDerivativeRow, cells, base_type) for cells in
                                          self.read_table(t1, stop, specs[names[0]])]
        if t2 is not None:
            self.record.derivative = [self.row(DerivativeRow, cells, base_type) for cells in
                                      self.read_table(t2, end, specs[names[1]])]

    def read_table(self, title: LabelMatch, stop: tuple, spec: list) -> list[dict[str, tuple[str, list[Word]]]]:
        start = self.pos(title.first)
        in_region = lambda w: start < self.pos(w) < stop and not (w.page == title.page and w.bottom <= title.bottom)
        columns = self.table_columns(spec, lambda w: in_region(w) and w.page == title.page)
        if not columns:
            return []
        data_top = {title.page: max(w.bottom for c in columns for w in c.words)}
        # A table that goes on over the next pages repeats its title and column headers there.
        key = title.key
        for page in sorted({w.page for line in self.finder.lines for w in line.words if in_region(w)} - {title.page}):
            on_page = lambda w, p=page: in_region(w) and w.page == p
            again = self.find_one(key, self.labels["sections"][key], where=on_page)
            if again is not None:
                repeated = self.table_columns(spec, lambda w, p=page, t=again: on_page(w) and self.pos(w) > self.pos(t.first))
                data_top[page] = max([w.bottom for c in repeated for w in c.words] + [again.bottom])
        data = [w for line in self.finder.lines for w in line.words
                if in_region(w) and not self.finder.is_label(w) and w.top >= data_top.get(w.page, float("-inf")) - 0.5]
        return read_table(columns, data, grid=self.grid, order=self.pos)

    def table_columns(self, spec: list, where: Callable[[Word], bool]) -> list[Column]:
        """The columns of a table from its printed headers; grouped headers give their leaf columns."""
        columns: list[Column] = []
        top_level = [(entry, self.find_one("header", entry[1], where=where)) for entry in spec]
        found_x = sorted(m.x0 for _, m in top_level if m is not None)
        for entry, match in top_level:
            if match is None:
                continue
            if entry[0] is not None:
                columns.append(Column(entry[0], match.words))
                continue
            right = min((x for x in found_x if x > match.x0 + self.tol), default=float("inf"))
            # Leaf headers sit just under their group's header, never pages away.
            reach = match.bottom + (6 * GRID_LINE_HEIGHT if self.grid else 8 * max(w.height for w in match.words))
            for leaf_field, leaf_phrase in entry[2]:
                under = lambda w, m=match, r=right, b=reach: (  # noqa: E731
                    where(w) and m.x0 - self.tol <= w.x0 < r and self.pos(w) > self.pos(m.first) and w.top <= b)
                leaf = self.find_one("subheader", leaf_phrase, where=under)
                if leaf is None:
                    # Narrow leaf headers wrap into each other ("Date" over "Expiration", "Exercisable"
                    # under it): the phrase's longest word stands for it.
                    leaf = self.find_one("subheader", max(leaf_phrase.split(), key=len), where=under)
                if leaf is not None:
                    columns.append(Column(leaf_field, leaf.words))
        return columns

    def row(self, cls: type, cells: dict[str, tuple[str, list[Word]]], base_type: str) -> Any:
        row = cls()
        text_fields = {"security_title", "underlying_title", "nature_of_ownership"}
        date_fields = {"transaction_date", "deemed_execution_date", "exercise_date", "expiration_date"}
        number_fields = {"shares", "price_per_share", "shares_owned_following", "conversion_or_exercise_price",
                         "underlying_shares", "shares_acquired", "shares_disposed"}
        v_flag = False
        for field, (raw, words) in cells.items():
            text, notes = split_footnotes(raw)
            if field in text_fields:
                parsed: Any = text or None
            elif field in date_fields:
                parsed = parse_date(text)
            elif field in number_fields:
                parsed = parse_number(text)
            elif field == "transaction_code":
                match = re.search(r"[A-Za-z]", text)
                parsed = match.group(0).upper() if match else None
            elif field == "direct_or_indirect":
                parsed = ownership_letter(text)
            elif field == "acquired_disposed":
                match = re.search(r"\b([AD])\b", text.upper())
                parsed = match.group(1) if match else None
            elif field == "v_flag":
                v_flag = "V" in text.upper()
                continue
            else:
                parsed = text or None
            if parsed is None and not notes:
                continue
            value = self.value(words, parsed, 1.0, notes)
            if field in ("shares_acquired", "shares_disposed"):
                row.shares = value
                row.acquired_disposed = self.value(words, "A" if field == "shares_acquired" else "D")
            elif hasattr(row, field):
                setattr(row, field, value)
        is_transaction = row.transaction_date.present or row.transaction_code.present
        row.kind = "transaction" if is_transaction else "holding"
        if is_transaction:
            row.transaction_form_type = self.value([], base_type)
            if v_flag:  # "V": reported voluntarily, earlier than required (Instruction 8)
                row.transaction_timeliness = self.value([], "E")
            row.equity_swap_involved = self.value([], False)
        return row

    # --- footnotes, remarks, signatures -----------------------------------------------------
    def closing(self, sections: dict[str, LabelMatch | None]) -> None:
        signature = sections["signature"]
        block: list[list[Word]] = self.signature_block(signature) if signature is not None else []
        block_start = self.pos(block[0][0]) if block else (self.pos(signature.first) if signature else (10**6, 0, 0.0))
        explanation, remarks = sections["explanation"], sections["remarks"]
        reminder = sections["reminder"]
        hard_end = min([p for p in (block_start, self.pos(reminder.first) if reminder else None) if p is not None])
        if explanation is not None:
            stop = self.pos(remarks.first) if remarks is not None and self.pos(remarks.first) > self.pos(explanation.first) else hard_end
            self.footnotes(self.lines_between(self.pos(explanation.last), min(stop, hard_end)))
        if remarks is not None:
            lines = self.lines_between(self.pos(remarks.last), hard_end)
            words = [w for line in lines for w in line]
            if words:
                self.record.remarks = self.value(words, " ".join(self.text(words).split()), remarks.score)
        if block:
            self.signatures(block, signature)

    def lines_between(self, start: tuple, stop: tuple) -> list[list[Word]]:
        out = []
        for line in self.finder.lines:
            words = [w for w in line.words if start < self.pos(w) < stop and not self.finder.is_label(w)]
            if words:
                out.append(words)
        return out

    def footnotes(self, lines: list[list[Word]]) -> None:
        notes: list[tuple[str, list[Word]]] = []
        expected = 1
        for words in lines:
            match = _FOOTNOTE_START.match(self.text(words))
            if match is None and self.layout.ocr:
                match = _FOOTNOTE_START_OCR.match(self.text(words))
                match = match if match and int(match.group(1)) == expected else None
            if match and (int(match.group(1)) == expected or not notes):
                expected = int(match.group(1)) + 1
                notes.append((f"F{int(match.group(1))}", list(words)))
            elif notes:
                notes[-1][1].extend(words)
        for note_id, words in notes:
            text = self.text(words)
            start = _FOOTNOTE_START if _FOOTNOTE_START.match(text) else _FOOTNOTE_START_OCR
            text = start.sub("", text, count=1)
            self.record.footnotes.append(Footnote(id=note_id, text=self.value(words, " ".join(text.split()))))

    def signature_block(self, label: LabelMatch) -> list[list[Word]]:
        """The value lines just above the signature label, in its column."""
        index = next(i for i, line in enumerate(self.finder.lines) if label.first in line.words)
        left_edge = min((line.words[0].x0 for line in self.finder.lines), default=0.0)
        # Punctuation printed before the label ("** Signature ...") belongs to it.
        line_words = self.finder.lines[index].words
        lead = [w for w in line_words if w.x1 <= label.x0 + 0.5 and not re.search(r"\w", w.text)]
        band_x0 = min([label.x0] + [w.x0 for w in lead]) - self.tol
        band_only = band_x0 <= left_edge + self.tol * 2  # the band cannot tell signature from remarks
        block: list[list[Word]] = []
        previous_top = label.top
        for line in reversed(self.finder.lines[:index]):
            if line.page != label.page and block:
                break
            if any(self.finder.is_label(w) for w in line.words):
                break
            words = [w for w in line.words if w.x0 >= band_x0]
            if len(words) != len(line.words) or not words:
                break
            if band_only and block:
                # Only blank space tells the signature from text printed above it.
                if self.grid and previous_top - line.top > 1.5 * GRID_LINE_HEIGHT:
                    break
                if not self.grid and previous_top - line.bottom > 0.5 * max(w.height for w in words):
                    break
            block.insert(0, words)
            previous_top = line.top
        return block

    def signatures(self, block: list[list[Word]], label: LabelMatch) -> None:
        # The signature line's rule printed as underscores is no part of a name.
        words = [w for line in block for w in line if not _RULE.match(w.text)]
        order = {id(w): i for i, w in enumerate(words)}
        dates = sorted([[w] for w in words if find_date_span(w.text)] + _spelled_dates(words),
                       key=lambda date: order[id(date[0])])
        dated = {id(w) for date in dates for w in date}
        groups: list[tuple[list[Word] | None, list[Word]]] = [(d, []) for d in dates] or [(None, [])]
        for w in words:
            if id(w) in dated:
                continue
            nearest = min(groups, key=lambda g: abs(g[0][0].y_mid - w.y_mid) if g[0] is not None else 0)
            nearest[1].append(w)
        for date_words, name_words in groups:
            name = " ".join(self.text(self.sorted_words(name_words)).split())
            signature = Signature(name=self.value(name_words, name or None, label.score))
            if date_words is not None:
                date = parse_date(" ".join(w.text for w in date_words))
                signature.date = self.value(date_words, date, label.score)
            if name or date_words is not None:
                self.record.signatures.append(signature)


def _spelled_dates(words: list[Word]) -> list[list[Word]]:
    """Dates a signer wrote out over three words ("Feb 2, 2023") on one line."""
    return [[a, b, c] for a, b, c in zip(words, words[1:], words[2:])
            if abs(a.y_mid - c.y_mid) < max(a.height, 1.0) * 0.5 and spelled_date(f"{a.text} {b.text} {c.text}")]
