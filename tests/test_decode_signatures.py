"""From word tags to signatures and footnotes on pages: made-up layouts tagged by hand, one test per decoding fix."""

from __future__ import annotations

import numpy as np

from extractor.decode import decode

from .decoding import decode_soft, decode_sure, decode_with_doubts
from .decoding import page_of as _page
from .decoding import word_at as _w
from .decoding import words_at as _caption_words


def test_first_word_of_a_name_torn_between_two_fields_follows_its_sure_neighbour():
    words = [_w("Marta", 300, 74), _w("Woods", 336, 74), _w("by", 372, 74), _w("Proxy", 390, 74), _w("03/03/2023", 484, 74)]
    classes = np.array(["footnotes.*.text", "other", "signatures.*.date", "signatures.*.name"])
    probabilities = np.array([[0.50, 0.03, 0.0, 0.47], [0.02, 0.0, 0.0, 0.98], [0.02, 0.0, 0.0, 0.98],
                              [0.02, 0.0, 0.0, 0.98], [0.0, 0.02, 0.98, 0.0]])
    record = decode(_page(words), probabilities, classes, document_type=("4", 1.0))
    assert [s.name.value for s in record.signatures] == ["Marta Woods by Proxy"]
    assert record.footnotes == []


def test_a_signature_line_is_the_name_to_its_date_however_the_classifiers_belief_fades_along_it():
    # "Legal and" at 0.89 remarks had been cut from "/s/ ... Senior Vice President, Legal and"; and a
    # written-out date lost its year, 0.78 footnote text.
    words = _caption_words("/s/ Ann Lee, Vice President, Legal and", 300, 74)
    words += [_w("May", 560, 74), _w("31,", 584, 74), _w("2023", 606, 74)]
    S, R, F = "signatures.*.name", "remarks", "footnotes.*.text"
    doubts = {4: {R: 0.59, S: 0.34}, 5: {R: 0.88, "label": 0.09}, 6: {R: 0.89, S: 0.05}, 9: {F: 0.78, "signatures.*.date": 0.19}}
    fields = [S] * 4 + [None] * 3 + ["signatures.*.date"] * 2 + [None]
    signatures = decode_with_doubts(_page(words), fields, doubts).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [("/s/ Ann Lee, Vice President, Legal and", "2023-05-31")]


def test_words_torn_between_footnote_and_signer_before_a_signature_date_ending_their_line_are_the_signer():
    # "David Kwon (POA on" 01/13/2023: "David" 0.52 footnote text, 0.47 the signature; the name had
    # gone into the footnote above it.
    F, S = "footnotes.*.text", "signatures.*.name"
    words = [_w("1.", 10, 50), *_caption_words("Sold under a plan.", 24, 50), *_caption_words("David Kwon (POA on", 300, 74),
             _w("01/13/2023", 480, 74)]
    rows = [{"footnote_ref": 1.0}, *[{F: 1.0}] * 4, {F: 0.52, S: 0.47}, {F: 0.6, S: 0.4}, {F: 0.63, S: 0.36},
            {S: 0.64, F: 0.35}, {"signatures.*.date": 0.96, F: 0.04}]
    record = decode_soft(_page(words), rows)
    assert [(s.name.value, str(s.date.value)) for s in record.signatures] == [("David Kwon (POA on", "2023-01-13")]
    assert [n.text.value for n in record.footnotes] == ["Sold under a plan."]


def test_a_year_in_a_footnotes_prose_taken_for_the_signature_date_stays_in_the_footnote():
    # "... granted on June 5, 2023" with "2023" at 0.75 the signature's date: the signer below paired
    # with it and lost the real date, and the footnote its year.
    F = "footnotes.*.text"
    words = [_w("1.", 10, 50), *_caption_words("Options granted on June 5, 2023", 24, 50),
             *_caption_words("/s/ Ann Lee", 300, 74), _w("2023-06-05", 480, 74)]
    fields = ["footnote_ref", *[F] * 5, "signatures.*.date", *["signatures.*.name"] * 3, "signatures.*.date"]
    record = decode_sure(_page(words), fields)
    assert record.footnotes[0].text.value == "Options granted on June 5, 2023"
    assert [(s.name.value, str(s.date.value)) for s in record.signatures] == [("/s/ Ann Lee", "2023-06-05")]


def test_signature_name_wrapped_under_its_date_is_one_name():
    words = [_w("/s/", 300, 74), _w("Sam", 320, 74), _w("Roe,", 345, 74), _w("for", 375, 74), _w("Ann", 396, 74),
             _w("01/04/2023", 500, 74), _w("Lee", 300, 83)]
    tags = ["signatures.*.name"] * 5 + ["signatures.*.date", "signatures.*.name"]
    signatures = decode_sure(_page(words), tags).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [("/s/ Sam Roe, for Ann Lee", "2023-01-04")]


def test_two_signers_names_each_wrapped_under_its_date_stay_two_whole_names():
    # The first name's end ("Acquisition Holdings Sponsor, LLC") had gone before the second "/s/" and
    # been dropped as words before a signature.
    S, D = "signatures.*.name", "signatures.*.date"
    words = [*_caption_words("/s/ Sam Roe, for VPC Impact", 300, 74), _w("04/03/2023", 520, 74),
             *_caption_words("Acquisition Holdings Sponsor, LLC", 300, 83),
             *_caption_words("/s/ Sam Roe, for Ann", 300, 100), _w("04/03/2023", 520, 100), _w("Lee", 300, 109)]
    fields = [S] * 6 + [D] + [S] * 4 + [S] * 5 + [D, S]
    signatures = decode_sure(_page(words), fields).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [
        ("/s/ Sam Roe, for VPC Impact Acquisition Holdings Sponsor, LLC", "2023-04-03"),
        ("/s/ Sam Roe, for Ann Lee", "2023-04-03")]


def test_entities_signing_by_their_agents_keep_each_its_wrapped_title_and_not_the_next_ones():
    # "B. Riley Financial, Inc., by: /s/ Bryant R." / "Riley, Chief Officer": each title had become
    # the start of the next entity's signature.
    S, D = "signatures.*.name", "signatures.*.date"
    words = [*_caption_words("B. Riley Financial, Inc., by: /s/ Bryant R.", 300, 74), _w("05/16/2023", 560, 74),
             *_caption_words("Riley, Chief Officer", 300, 83),
             *_caption_words("BRS, Inc., by: /s/ Andrew", 300, 100), _w("05/16/2023", 560, 100),
             *_caption_words("Moore, Chief Officer", 300, 109)]
    fields = [S] * 8 + [D] + [S] * 3 + [S] * 5 + [D] + [S] * 3
    signatures = decode_sure(_page(words), fields).signatures
    assert [s.name.value for s in signatures] == [
        "B. Riley Financial, Inc., by: /s/ Bryant R. Riley, Chief Officer", "BRS, Inc., by: /s/ Andrew Moore, Chief Officer"]


def test_an_entitys_name_above_a_by_alone_before_the_mark_stays_with_that_signature():
    S, D = "signatures.*.name", "signatures.*.date"
    words = [*_caption_words("/s/ Jane Roe", 300, 74), _w("05/16/2023", 560, 74), *_caption_words("Fund GP, LLC,", 300, 83),
             *_caption_words("by: /s/ Ann Lee", 300, 92), _w("05/16/2023", 560, 92)]
    signatures = decode_sure(_page(words), [S] * 3 + [D] + [S] * 7 + [D]).signatures
    assert [s.name.value for s in signatures] == ["/s/ Jane Roe", "Fund GP, LLC, by: /s/ Ann Lee"]


def test_signature_words_above_the_explanation_of_responses_are_not_a_signature():
    words = [_w("Victory", 10, 10), _w("Park", 60, 10), _w("Explanation", 10, 200), _w("of", 80, 200),
             _w("Responses:", 100, 200), _w("/s/", 10, 300), _w("Jane", 40, 300), _w("Roe", 70, 300),
             _w("05/01/2023", 200, 300)]
    tags = ["signatures.*.name"] * 2 + [None] * 3 + ["signatures.*.name"] * 3 + ["signatures.*.date"]
    signatures = decode_sure(_page(words), tags).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [("/s/ Jane Roe", "2023-05-01")]


def test_signature_starts_at_its_conformed_mark_and_a_second_mark_is_a_second_signature():
    words = _caption_words("Title: Chief Legal Officer /s/ Jane Roe, attorney-in-fact 05/01/2023", 10, 300)
    tags = ["signatures.*.name"] * 8 + ["signatures.*.date"]
    assert [s.name.value for s in decode_sure(_page(words), tags).signatures] == ["/s/ Jane Roe, attorney-in-fact"]
    words = _caption_words("Bay Fund LP, by: /s/ Sam Doe /s/ Sam Doe 06/29/2023 06/29/2023", 10, 300)
    tags = ["signatures.*.name"] * 10 + ["signatures.*.date"] * 2
    signatures = decode_sure(_page(words), tags).signatures
    assert [s.name.value for s in signatures] == ["Bay Fund LP, by: /s/ Sam Doe", "/s/ Sam Doe"]


def test_footnote_words_taken_for_a_signature_before_the_first_conformed_one_are_dropped():
    words = [*_caption_words("1. Boardwalk Merger Sub, Inc. merged into the Issuer.", 10, 260),
             *_caption_words("/s/ Jane Roe, as attorney-in-fact", 10, 300), _w("05/01/2023", 500, 300)]
    tags = [None, "signatures.*.name", "signatures.*.name"] + [None] * 6 + ["signatures.*.name"] * 5 + [
        "signatures.*.date"]
    signatures = decode_sure(_page(words), tags).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [("/s/ Jane Roe, as attorney-in-fact", "2023-05-01")]


def test_number_in_parentheses_inside_a_footnote_sentence_does_not_cut_the_footnote():
    words = [*_caption_words("1. Each unit converts into one (1) share of common stock.", 10, 400),
             *_caption_words("2. Held by a trust.", 10, 412), *_caption_words("(3) The options vest.", 10, 424)]
    tags = ["footnote_ref"] + ["footnotes.*.text"] * 10 + ["footnote_ref"] + ["footnotes.*.text"] * 4 + [
        "footnote_ref"] + ["footnotes.*.text"] * 3
    notes = decode_sure(_page(words), tags).footnotes
    assert [(n.id, n.text.value) for n in notes] == [
        ("F1", "Each unit converts into one (1) share of common stock."), ("F2", "Held by a trust."),
        ("F3", "The options vest.")]


def test_a_footnote_number_whose_full_stop_the_ocr_lost_or_read_as_a_comma_still_starts_its_footnote():
    # A scan's "3 Vests May 18, 2024 ..." and "4, Represents ..." had run on into the footnote before.
    words = [*_caption_words("1. Vests May 19, 2023.", 10, 400), *_caption_words("2 Vests May 18, 2024.", 10, 412),
             *_caption_words("3, Held by 2 trusts.", 10, 424), *_caption_words("7 Held by a trust.", 10, 436)]
    tags = ["footnote_ref", *["footnotes.*.text"] * 4] * 2 + ["footnote_ref", *["footnotes.*.text"] * 4] + [
        "footnote_ref", *["footnotes.*.text"] * 4]
    notes = decode_sure(_page(words), tags).footnotes
    # Only the number after the last footnote's, first on its line: "by 2 trusts" stays text, "7" starts nothing.
    assert [(n.id, n.text.value) for n in notes] == [
        ("F1", "Vests May 19, 2023."), ("F2", "Vests May 18, 2024."), ("F3", "Held by 2 trusts. Held by a trust.")]


def test_number_in_parentheses_wrapped_to_the_start_of_a_footnote_line_does_not_cut_the_footnote():
    # "...automatically convert into one" / "(1) share of common stock" in footnote 3 of a PDF.
    words = [*_caption_words("1. Granted.", 10, 400), *_caption_words("3. Each unit converts into one", 10, 412),
             *_caption_words("(1) share of common stock.", 10, 424)]
    tags = ["footnote_ref", "footnotes.*.text", "footnote_ref"] + ["footnotes.*.text"] * 5 + ["footnote_ref"] + [
        "footnotes.*.text"] * 4
    notes = decode_sure(_page(words), tags).footnotes
    assert [(n.id, n.text.value) for n in notes] == [
        ("F1", "Granted."), ("F3", "Each unit converts into one (1) share of common stock.")]


def test_signature_words_between_footnote_words_of_a_pdf_line_are_footnote_text():
    # "...to provide to Example Power Corporation, any security holder..." on a page; a signature
    # standing right of a footnote's last line stays a signature.
    words = [*_caption_words("1. The person will provide to Example Power Corporation, any holder full data.", 10, 400),
             *_caption_words("2. Held by a trust.", 10, 412), *_caption_words("/s/ Pat Roe 03/10/2023", 500, 412)]
    tags = ["footnote_ref"] + ["footnotes.*.text"] * 5 + ["signatures.*.name"] * 3 + ["footnotes.*.text"] * 4
    tags += ["footnote_ref"] + ["footnotes.*.text"] * 4 + ["signatures.*.name"] * 3 + ["signatures.*.date"]
    record = decode_sure(_page(words), tags)
    assert [s.name.value for s in record.signatures] == ["/s/ Pat Roe"]
    assert record.footnotes[0].text.value == "The person will provide to Example Power Corporation, any holder full data."


def test_names_ending_or_starting_a_footnote_line_of_a_pdf_are_footnote_text():
    # "...filed jointly by B. Riley Financial, Inc., ..., and Bryant R." on a page: the name ending the
    # line was taken for a signature and the remarks, the name starting the next for a signature, with
    # no gap between them and the footnote's words. A signature a column gap right of a footnote's
    # line stays one.
    words = [*_caption_words("1. This Form 4 is filed jointly by Roe Holdings, Inc., a Delaware corporation, and Pat Q.",
                             10, 400),
             *_caption_words("Roe. Each of them disclaims ownership.", 10, 412),
             *_caption_words("2. Held by a trust.", 10, 424), *_caption_words("/s/ Pat Roe 03/10/2023", 500, 424)]
    tags = ["footnote_ref"] + ["footnotes.*.text"] * 7 + ["signatures.*.name"] * 2 + ["footnotes.*.text"] * 5
    tags += ["signatures.*.name", "remarks"] + ["signatures.*.name"] + ["footnotes.*.text"] * 5
    tags += ["footnote_ref"] + ["footnotes.*.text"] * 4 + ["signatures.*.name"] * 3 + ["signatures.*.date"]
    assert len(tags) == len(words)
    record = decode_sure(_page(words), tags)
    assert [s.name.value for s in record.signatures] == ["/s/ Pat Roe"]
    assert record.footnotes[0].text.value == ("This Form 4 is filed jointly by Roe Holdings, Inc., a Delaware corporation, "
                                              "and Pat Q. Roe. Each of them disclaims ownership.")
    assert not record.remarks.present


def test_full_stop_or_semicolon_ocr_read_before_attorney_in_fact_is_the_comma():
    # "/s/ Adam Namoury. Attorney-in-Fact" on a scan; an initial's own full stop stays.
    words = [*_caption_words("Explanation of Responses:", 10, 300),
             *_caption_words("/s/ Adam Roe. Attorney-in-Fact 01/24/2023", 10, 400)]
    tags = [None] * 3 + ["signatures.*.name"] * 4 + ["signatures.*.date"]
    assert decode_sure(_page(words), tags).signatures[0].name.value == "/s/ Adam Roe, Attorney-in-Fact"
    words = [*_caption_words("Explanation of Responses:", 10, 300),
             *_caption_words("/s/ Nathaniel A. Roe, Attorney-in-Fact 01/24/2023", 10, 400)]
    tags = [None] * 3 + ["signatures.*.name"] * 5 + ["signatures.*.date"]
    assert decode_sure(_page(words), tags).signatures[0].name.value == "/s/ Nathaniel A. Roe, Attorney-in-Fact"


def test_word_between_two_of_a_signatures_taken_for_the_remarks_is_the_signatures():
    """"of" of "/s/ Sean Ricker, by Power of Attorney" was taken for the remarks (0.74, the signature 0.23):
    the signature read "by Power Attorney"."""
    words = _caption_words("/s/ Sean Ricker, by Power of Attorney", 300, 116) + [_w("05/24/2023", 560, 116)]
    fields = ["signatures.*.name"] * 5 + ["remarks"] + ["signatures.*.name", "signatures.*.date"]
    doubts = {5: {"remarks": 0.74, "signatures.*.name": 0.23, "label": 0.03}}
    record = decode_with_doubts(_page(words), fields, doubts)
    assert [s.name.value for s in record.signatures] == ["/s/ Sean Ricker, by Power of Attorney"]


def test_signers_dated_beside_their_first_line_and_signing_below_it_keep_their_own_names():
    """ "Maple Holdings <date>" / "Limited, By: /s/ Ann" / "Lee, attorney-in-fact", then the next signer
    the same way: cut at the dates, each signer's first words had ended the signature before it
    ("... Lee, attorney-in-fact Birch Partners")."""
    S, D = "signatures.*.name", "signatures.*.date"
    words, fields = [], []
    for k, entity in enumerate(("Maple Holdings", "Birch Partners")):
        top = 74 + 30 * k
        words += [*_caption_words(entity, 300, top), _w("03/02/2023", 480, top),
                  *_caption_words("Limited, By: /s/ Ann", 300, top + 9), *_caption_words("Lee, attorney-in-fact", 300, top + 18)]
        fields += [S, S, D] + [S] * 4 + [S] * 2
    signatures = decode_sure(_page(words), fields).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [
        ("Maple Holdings Limited, By: /s/ Ann Lee, attorney-in-fact", "2023-03-02"),
        ("Birch Partners Limited, By: /s/ Ann Lee, attorney-in-fact", "2023-03-02")]


def test_joint_filers_dated_on_their_blocks_first_line_in_capitals_read_as_remarks_are_each_a_signature():
    """ "OAKTREE CAPITAL I, L.P., By: <date>" / "Maple GP, Its: Director, By: /s/ Ann Lee," / "Name: Ann
    Lee": the entity's name in capitals read like remarks (0.7-0.9), a fund's name in the footnotes above
    like a signer's, and ten such blocks had paired their dates with the wrong words."""
    S, D, R, F = "signatures.*.name", "signatures.*.date", "remarks", "footnotes.*.text"
    words = _caption_words("1. Held by Birch Fund LP.", 40, 60)
    doubts = {3: {S: 0.6, F: 0.4}, 4: {S: 0.6, F: 0.4}, 5: {S: 0.6, F: 0.4}}
    fields = [F] * len(words)
    for k, entity in enumerate(("BIRCH CAPITAL I, L.P., By:", "ELM HOLDINGS LLC, By:")):
        top = 90 + 40 * k
        block = _caption_words(entity, 300, top)
        for j in range(len(block) - 2):
            doubts[len(words) + j] = {R: 0.8, S: 0.15, F: 0.05}
        fields += [S] * len(block)
        words += block
        words.append(_w("06/08/2023", 520, top))
        fields.append(D)
        below = _caption_words("Maple GP, Its: Director, By: /s/ Ann Lee,", 300, top + 9)
        below += _caption_words("Name: Ann Lee", 300, top + 18)
        words += below
        fields += [S] * len(below)
    signatures = decode_with_doubts(_page(words), fields, doubts).signatures
    assert [(s.name.value, str(s.date.value)) for s in signatures] == [
        ("BIRCH CAPITAL I, L.P., By: Maple GP, Its: Director, By: /s/ Ann Lee, Name: Ann Lee", "2023-06-08"),
        ("ELM HOLDINGS LLC, By: Maple GP, Its: Director, By: /s/ Ann Lee, Name: Ann Lee", "2023-06-08")]
