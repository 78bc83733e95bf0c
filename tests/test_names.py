"""Names in a question that the sources never mention: which words count as names, spelling
tolerance, identifiers read as their parts, and the message."""

from __future__ import annotations

import pytest

from askrel.answering.names import (
    close_spelling,
    lower_case_words,
    missing_names,
    missing_names_message,
    name_words,
)


def terms(text: str) -> list[str]:
    """A stand-in for the index's terms: lower-case words of two or more characters."""
    import re

    return re.findall(r"\w\w+", text.lower())


KNOWN = frozenset({"gnuplot", "x11", "kishida", "pyongyang", "legend", "plot", "key",
                   "outside", "nippon", "com", "home", "docket"})


@pytest.mark.parametrize("question, names", [
    ("How did the Philippines react to the Camp David summit?",
     ["Philippines", "Camp", "David"]),
    ("Which toolchain builds R 4.2 on Windows?", ["Windows"]),
    # letters with digits, and identifiers, count wherever they stand
    ("ggplot2 or HDF5 or x11?", ["ggplot2", "HDF5", "x11"]),
    ("what does plt.tight_layout() do, and R_HOME?", ["plt.tight_layout", "R_HOME"]),
    # a capital that starts a sentence says nothing; numbers are not names
    ("Docker is new to me. Where is the 1990s plan?", []),
    ("My locale is Swedish: Which setting wins?", []),
    # adjectives of nationality or region describe; contractions and possessives are no names
    ("I've a European locale and German or Japanese text; is it Yoon's plan?", ["Yoon"]),
    ("Is Debian or Japan covered?", ["Debian", "Japan"]),
    # the asker's own files and modules are no names the sources could mention
    ("Why does cron skip /etc/cron.d/myapp.cron and my_module.py on Ubuntu?",
     ["cron.d", "Ubuntu"]),
    # short all-capital abbreviations are often spelled out in the sources
    ("When did North Korea last test an ICBM or fire SLBMs?", ["North", "Korea"]),
    ("Can I use my NVIDIA GPU?", ["NVIDIA"]),
    # title case: capitals carry no meaning, only digits and identifiers count
    ("How Did Yoon Propose To Settle The Forced Labor Issue In 2023 With ggplot2?",
     ["ggplot2"]),
    ("Did Yoon and Kishida meet in Tokyo?", ["Yoon", "Kishida", "Tokyo"]),
    ("Which Kishida? Kishida.", ["Kishida"]),
])
def test_name_words(question: str, names: list[str]) -> None:
    assert name_words(question) == names


def test_close_spelling_forgives_typos_in_longer_terms_only() -> None:
    assert close_spelling("kishda", KNOWN)
    assert close_spelling("pyeongyang", KNOWN)
    assert not close_spelling("docker", KNOWN)  # "docket" is a different word
    assert not close_spelling("x12", KNOWN)  # short terms must match exactly
    assert not close_spelling("kishda", frozenset())


def test_missing_names_are_the_unknown_ones() -> None:
    question = ("Does gnuplot_x11 work in Docker or Jupyter with Kishda's key "
                "on nippon.com?")
    assert missing_names(question, terms, KNOWN) == ("Docker", "Jupyter")
    assert missing_names("How do I place the Legend Outside?", terms, KNOWN) == ()
    assert missing_names("Who wrote it?", terms, KNOWN) == ()


def test_an_identifier_is_mentioned_when_all_its_parts_are() -> None:
    # PDF text often loses the underscore: "gnuplot_x11" is indexed as "gnuplot" and "x11"
    assert "gnuplot_x11" not in KNOWN
    assert missing_names("Where is gnuplot_x11?", terms, KNOWN) == ()
    assert missing_names("Where is gnuplot_x12?", terms, KNOWN) == ("gnuplot_x12",)


def test_a_compound_is_mentioned_when_its_name_is() -> None:
    # "style" is no name: "eth0-style" is mentioned wherever "eth0" is
    assert missing_names("How do I get eth0-style names?", terms, KNOWN | {"eth0"}) == ()
    assert missing_names("How do I get eth1-style names?", terms, KNOWN) == ("eth1-style",)
    assert missing_names("Is a Docker-based setup possible?", terms, KNOWN) == ("Docker-based",)


def test_a_closed_compound_is_mentioned_when_the_sources_write_it_open() -> None:
    known = KNOWN | {"press", "domain", "name", "mark", "down"}
    text = "press a key to go on; the key press is read; mark the domain name down"

    def says(phrase: str) -> bool:
        return phrase in text

    assert missing_names("How do I read a keypress?", terms, known, says) == ()
    assert missing_names("How do I find my domainname from a keypress?", terms,
                         known - {"press"}, says) == ("keypress",)
    # the parts apart are not the compound: "mark" and "down" are no "markdown"
    assert missing_names("Can I write it in Markdown?", terms, known, says) == ("Markdown",)
    # without a way to look for phrases, only the word itself counts
    assert missing_names("How do I read a keypress?", terms, known) == ("keypress",)


def test_a_name_the_sources_abbreviate_is_mentioned() -> None:
    question = "Does the same apply to the original UC Berkeley BSD license?"
    assert missing_names(question, terms, KNOWN | {"ucb", "bsd"}) == ()
    assert missing_names(question, terms, KNOWN | {"bsd"}) == ("Berkeley",)
    # two letters are too short to tell: "cd" is a word of its own
    assert missing_names("Did Camp David matter?", terms, KNOWN | {"cd"}) == ("Camp", "David")


def test_a_character_class_is_no_name() -> None:
    assert name_words('How can I match a locale-smart version of "/[a-zA-Z]/"?') == []
    assert name_words("Is A-Z0-9 or Foo-Bar allowed?") == ["Foo-Bar"]


def test_rare_lower_case_words_count_as_names_common_ones_do_not() -> None:
    assert lower_case_words("Netplan or chrony? I've garbled text, Netplan.") == [
        "netplan", "chrony", "garbled", "text"]
    question = "How do I set up chrony and netplan when the output is garbled?"
    assert missing_names(question, terms, KNOWN) == ("chrony", "netplan")
    assert missing_names("Can the legend go outside with gnuplott?", terms, KNOWN) == ()


def test_missing_names_message() -> None:
    assert missing_names_message(["Docker"]) == "No source mentions “Docker”."
    assert missing_names_message(["HDF5", "NetCDF"]) == "No source mentions “HDF5” or “NetCDF”."
    assert (missing_names_message(["a", "b", "c"])
            == "No source mentions “a”, “b” or “c”.")
    assert (missing_names_message(["Docker"], chosen=True)
            == "None of the chosen sources mentions “Docker”.")
