"""Words a PDF's text extraction split apart are joined again, words it ran together are
split again, and nothing else is."""

from __future__ import annotations

import io

import pytest

from askrel.reading.mending import (
    MIN_MERGED,
    PRONE_SCORE,
    SPLIT_SCORE,
    fonts_running_words_together,
    join_score,
    mend_pages,
    mend_split_words,
    merged_words,
    space_font_changes,
    split_run_together_words,
)
from askrel.reading.sections import TypeRun
from askrel.reading.sources import read_pdf


@pytest.mark.parametrize("pieces", [("def", "ault"), ("e", "xpression"), ("ar", "gument"),
                                    ("kno", "wn"), ("Ho", "wever"), ("OPERA", "TORS")])
def test_a_split_word_scores_above_the_sure_bar(pieces):
    assert join_score(*pieces) >= SPLIT_SCORE


@pytest.mark.parametrize("pair", [("of", "the"), ("may", "be"), ("a", "long"), ("set", "up"),
                                  ("the", "y"), ("shut", "down"), ("web", "site")])
def test_two_real_words_score_below_the_sure_bar(pair):
    score = join_score(*pair)
    assert score is None or score < SPLIT_SCORE


def test_join_score_refuses_mixed_case_and_uncommon_joins():
    assert join_score("gi", "Ven") is None  # "giVen" is no way to write a word
    assert join_score("Kim", "Jong") is None  # "kimjong" is not a common word


def test_mending_joins_split_words_and_keeps_real_pairs():
    text = "the e xpression is evaluated, by def ault, until the outcome is kno wn."
    assert mend_split_words(text) == ("the expression is evaluated, by default, until the "
                                      "outcome is known.")


def test_mending_leaves_tokens_that_belong_to_longer_ones():
    for text in ("see file.e xpression here", "the -e xpression flag", "it's def ault-ish",
                 "path/def ault", "x2 def ault3"):
        assert mend_split_words(text) == text


def test_a_full_stop_after_the_word_does_not_stop_the_join():
    assert mend_split_words("Use the def ault.") == "Use the default."


def test_mending_does_not_touch_a_clean_text():
    text = ("The y axis of the plot may be set up along the x axis. Of the two, the R "
            "language and C are used; a long list follows.")
    assert mend_split_words(text) == text


def test_a_document_full_of_sure_splits_gets_the_lower_bar():
    clean = ["The y axis may be set up along the x axis of the plot."] * 10
    assert mend_pages(clean) == (clean, SPLIT_SCORE)
    split = ["the e xpression is kno wn by def ault, b ut F or the ar gument it is not."] * 10
    mended, bar = mend_pages(split)
    assert bar == PRONE_SCORE
    assert mended == ["the expression is known by default, but For the argument it is not."] * 10
    assert mend_split_words(split[0]) == (  # with the sure bar, the short splits stay
        "the expression is known by default, but F or the argument it is not.")


def test_a_word_hyphenated_at_a_line_end_is_joined_on_the_first_line():
    assert mend_split_words("by de-\nfault is no.") == "by default\nis no."
    assert mend_split_words("the de-\nfault.\nNext") == "the default.\nNext"
    assert mend_split_words("Ac-\ntions that") == "Actions\nthat"


def test_a_rarer_word_hyphenated_at_a_line_end_is_joined_when_its_parts_are_no_words():
    # "subdirectory" is not common, but "subdi" is no word: one word is far likelier
    assert mend_split_words("the subdi-\nrectory is") == "the subdirectory\nis"
    assert mend_split_words("optimi-\nsation") == "optimisation"


def test_a_compound_hyphenated_at_a_line_end_keeps_its_hyphen():
    for text in ("a command-\nline tool", "a well-\nknown name", "x-\ny", "non-\nzero",
                 "the host-\nname", "a CD-\nROM", "Marquardt-\nLevenberg"):
        assert mend_split_words(text) == text


def test_a_hyphen_split_off_its_word_is_joined_only_where_words_are_split():
    text = "they can per -\nform operations"
    assert mend_split_words(text, PRONE_SCORE) == "they can perform\noperations"
    assert mend_split_words(text) == text  # elsewhere " -" at a line end is a dash


def _justified_pdf(make_pdf) -> bytes:
    """A page set the way groff sets justified text: word spacing (Tw) stretches the spaces
    of a run, and the next letter is moved into place on its own (Td). pypdf does not count
    the word spacing, takes the move for a word gap and splits "expression"."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream, DecodedStreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["x"]))))
    page = writer.pages[0]
    font = next(iter(page["/Resources"]["/Font"]))  # the page's Helvetica
    # "Use the e" is 41.69 points wide in 10 pt Helvetica; its two spaces stretch by 3 each.
    content = (f"BT {font} 10 Tf 1 0 0 1 72 700 Tm 3 Tw (Use the e) Tj 47.69 0 Td 0 Tw "
               "(xpression by default.) Tj ET").encode()
    stream = DecodedStreamObject()
    stream.set_data(content)
    page.replace_contents(ContentStream(stream, writer))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_word_split_by_word_spacing_is_read_whole(make_pdf):
    from pypdf import PdfReader

    data = _justified_pdf(make_pdf)
    raw = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "e xpression" in raw  # pypdf's own reading splits the word
    _, units = read_pdf(data)
    assert "Use the expression by default." in units[0].text


def test_where_two_joins_share_a_piece_the_likelier_one_wins():
    text = "on the command line ar guments are read"
    assert mend_split_words(text, PRONE_SCORE) == "on the command line arguments are read"


@pytest.mark.parametrize("token, words", [
    ("informationisused", ("information", "is", "used")),
    ("isincludedinastandard", ("is", "included", "in", "a", "standard")),
    ("Inaddition", ("In", "addition")),
    ("withwhichthepackagecomplies", ("with", "which", "the", "package", "complies")),
    ("userswillconsiderthisabug", ("users", "will", "consider", "this", "a", "bug")),
    ("Logfilesmustberotated", ("Log", "files", "must", "be", "rotated")),
    # names run together hold no function word, or only short rare parts
    ("postinst", None), ("debhelper", None), ("getent", None), ("sunique", None),
    ("controlfiles", None),  # two words, but no function word: left as it is
    ("ExecStart", None),  # capitals inside: a name
    ("filename", None),  # a word
])
def test_words_run_together(token: str, words: tuple[str, ...] | None) -> None:
    assert merged_words(token) == words


def test_capitalised_words_inside_are_read_only_where_names_are_allowed() -> None:
    token = "installationofDebian"
    assert merged_words(token) is None
    assert merged_words(token, names=True) == ("installation", "of", "Debian")


def _runs(font: str, text: str, copies: int) -> list[TypeRun]:
    return [TypeRun(10.0, text, False, 700.0, font)] * copies


def test_only_a_font_that_runs_many_words_together_is_split_again() -> None:
    merged = "This informationisused to controlwhichpackages areincludedinstandardor not. "
    code = ("Run postinst and debhelper; then getent and ExecStart with setenv and prerm, "
            "dpkg and apt and sbuild and lintian and piuparts and dput and ucf ifthisfails. ")
    pages = [_runs("Serif", merged, MIN_MERGED) + _runs("Mono", code, MIN_MERGED)]
    assert fonts_running_words_together(pages) == {"Serif"}
    # a few such tokens in a font prove nothing
    assert fonts_running_words_together([_runs("Serif", merged, 5)]) == set()
    texts = ["".join(run.text for run in runs) for runs in pages]
    (page,), (runs,) = split_run_together_words(texts, pages)
    assert page.startswith("This information is used to control which packages are included "
                           "in standard or not. This")
    assert page.endswith("ucf ifthisfails. ")  # 1 token in 30 words: the font is left alone
    assert page == "".join(run.text for run in runs)


def test_splitting_keeps_clitics_and_puts_back_spaces_after_commas() -> None:
    runs = _runs("Serif", "informationisused by thepackage’sowner, a strong,but fair rule. ",
                 MIN_MERGED)
    text = "".join(run.text for run in runs)
    (page,), _ = split_run_together_words([text], [runs])
    assert page.startswith("information is used by the package’sowner, a strong, but fair")
    # in such a font, pieces of a hyphenated token and slips English knows are read too
    runs = _runs("Serif", "Thisisso: composedofarchitecture-independent data withthe onto rule. ",
                 MIN_MERGED)
    (page,), _ = split_run_together_words(["".join(run.text for run in runs)], [runs])
    assert page.startswith("This is so: composed of architecture-independent data with the onto")
    # a page whose text is not its runs' text is left as it is
    (other,), _ = split_run_together_words(["Other text."], [runs])
    assert other == "Other text."


def test_a_space_lost_where_the_font_changes_is_put_back() -> None:
    def runs(*pieces: tuple[str, str]) -> list[TypeRun]:
        return [TypeRun(10.0, text, False, 700.0, font) for font, text in pieces]

    spaced = space_font_changes(runs(("Serif", "if the"), ("Mono", "postinst"),
                                     ("Serif", "or the"), ("Serif", ""), ("Bold", "Maintainer"),
                                     ("Serif", "field")))
    assert "".join(run.text for run in spaced) == "if the postinst or the Maintainer field"
    # a name that ends in a digit ("why3", "G2") is a word too; a number alone is not
    spaced = space_font_changes(runs(("Mono", "/usr/share/why3"), ("Serif", "after install "),
                                     ("Mono", "G2"), ("Serif", "is"), ("Serif", " 10"),
                                     ("Italic", "pt")))
    assert "".join(run.text for run in spaced) == "/usr/share/why3 after install G2 is 10pt"
    # within a word: a plural or a ligature set apart, or part of a word English knows
    for pieces in ((("Mono", "conffile"), ("Serif", "s are")),
                   (("Serif", "de"), ("Sym", "ﬁ"), ("Serif", "ne")),
                   (("Serif", "de"), ("Sym", "ﬁne")),
                   (("Italic", "re"), ("Serif", "build")),
                   (("Serif", "hierarchy\n"), ("Bold", "SYNOPSIS")),  # a line ends between
                   (("Serif", "the"), ("Serif", "postinst"))):  # one font: not this rule's
        assert space_font_changes(runs(*pieces)) == runs(*pieces)
    # the pages are rebuilt from their runs; a page that is not its runs' text stays
    page = runs(("Serif", "Use the"), ("Mono", "postinst"), ("Serif", "script."))
    (text, other), (mended, _) = split_run_together_words(
        ["Use thepostinstscript.", "Something else."], [page, page])
    assert text == "Use the postinst script." == "".join(run.text for run in mended)
    assert other == "Something else."


def test_a_web_address_run_into_the_word_before_it_is_set_apart() -> None:
    from askrel.reading.mending import space_before_addresses

    text = "Find it athttps://example.org/amc, and seehttp://gnu.org/licenses/."
    assert space_before_addresses(text) == (
        "Find it at https://example.org/amc, and see http://gnu.org/licenses/.")
    for kept in ("git+https://example.org/x", "xqzhttps://example.org", "Visit:https://a.org",
                 "https://example.org"):
        assert space_before_addresses(kept) == kept
    # pages are mended so when read
    assert mend_pages(["The site is athttps://example.org today."])[0] == [
        "The site is at https://example.org today."]
