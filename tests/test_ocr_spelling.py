"""OCR's look-alike letters put right (made-up misreadings, no corpus text)."""

from __future__ import annotations

import pytest

from extractor.layout.document import Word
from extractor.layout.ocr_spelling import SpellingSettings, correct_text, correct_words, form_words


def test_lower_case_misreading_becomes_the_english_word_a_look_alike_swap_away():
    # "i" for "l", "l" for "t", "c" for "e", two swaps in one word; punctuation stays.
    assert [correct_text(w) for w in ("aprii", "unils.", "gencral", "muitipie", "(pian)")] == [
        "april", "units.", "general", "multiple", "(plan)"]


def test_misread_word_of_a_filings_values_is_put_right_in_any_case():
    # "STACK" and "Stack" are English, but a filing's titles say stock; "Cammon" is no word at all.
    assert [correct_text(w) for w in ("Cammon", "STACK", "Stack", "Slock", "Sharcs")] == [
        "Common", "STOCK", "Stock", "Stock", "Shares"]


def test_names_english_words_and_short_words_are_left_alone():
    # A capitalised non-word is a name; "shock" is commoner English than a misread "stock";
    # "lo" is too short to tell from "to".
    assert [correct_text(w) for w in ("Tunc", "DOLUCA", "shock", "wading", "lo", "10b5-1", "$1,000")] == [
        "Tunc", "DOLUCA", "shock", "wading", "lo", "10b5-1", "$1,000"]


def test_words_keep_their_boxes_and_confidences():
    words = [Word("slock", 10, 20, 40, 30, confidence=0.81), Word("Tunc", 50, 20, 80, 30, confidence=0.9)]
    fixed = correct_words(words)
    assert [(w.text, w.x0, w.confidence) for w in fixed] == [("stock", 10, 0.81), ("Tunc", 50, 0.9)]
    assert fixed[1] is words[1]


def test_form_words_and_settings_are_checked():
    assert {"stock", "common", "restricted"} <= form_words()
    with pytest.raises(ValueError, match="max_swaps"):
        SpellingSettings(max_swaps=0)


def test_date_with_no_such_month_day_or_year_becomes_the_real_date_one_digit_swap_makes():
    # A fax's "0" reads "9", its "2" reads "7"; real dates and dates two swaps off stay as read.
    assert [correct_text(w) for w in ("94/01/2023", "04/91/2023(1)", "7023-03-03", "(94/01/2023)")] == [
        "04/01/2023", "04/01/2023(1)", "2023-03-03", "(04/01/2023)"]
    assert [correct_text(w) for w in ("2025-06-06", "02/30/2023", "99/99/2023", "12/5/2022")] == [
        "2025-06-06", "02/30/2023", "99/99/2023", "12/5/2022"]


def _line(text: str) -> list[Word]:
    words, x = [], 0.0
    for part in text.split():
        words.append(Word(part, x, 10, x + 10 * len(part), 30))
        x += 10 * len(part) + 8
    return words


def test_initial_or_title_before_a_name_gets_its_full_stop_back():
    # "Kristopher R, Tate" and "for Ms, Park" on faxes; series and roman numerals keep their commas.
    fixed = [" ".join(w.text for w in correct_words(_line(text))) for text in (
        "Kristopher R, Tate", "attorney-in-fact for Ms, Park", "Class A, Class B", "OCM Holdings I, LLC", "A, B")]
    assert fixed == ["Kristopher R. Tate", "attorney-in-fact for Ms. Park", "Class A, Class B", "OCM Holdings I, LLC",
                     "A, B"]
