"""Title finding on pasted pages (``extractor.readers.titles`` through the plain-text reader).

Every page here is written for the test: chrome, titles, authors and abstracts are invented.
"""

from __future__ import annotations

import random
import re

import pytest

from extractor.readers import titles
from extractor.readers.text import parse_plain_text
from extractor.readers.titles import by_first_letter
from extractor.training.title import Chrome, Record, fold, make_page, page_of

ABSTRACT = (
    "Abstract\n\nBackground: Fathers are rarely offered help in the first year. Methods: We randomly allocated "
    "212 fathers to weekly groups or a leaflet. Results: Groups improved confidence at six months.\n"
)


def title_of(text: str) -> str | None:
    return parse_plain_text(text, "page.txt").title


def test_chrome_lines_are_rejected() -> None:
    page = (
        "Skip to main content\nHome › Journals › Family Care Today › Vol 12\n"
        "Family Care Today logoLink to Family Care Today\n"
        "Family Care Today. Author manuscript; available in PMC 2016 Mar 3.\n"
        "We use cookies to improve your experience. By continuing you agree to our use of cookies.\n\n"
        "Weekly groups for new fathers: a randomised trial in three towns\n\n"
        "Tomas Berg, Lina Okoro, Pavel Nowak\n\n" + ABSTRACT
    )
    assert title_of(page) == "Weekly groups for new fathers: a randomised trial in three towns"


def test_a_page_heading_with_a_site_suffix_loses_the_suffix() -> None:
    page = "Weekly groups for new fathers in three towns - Paperkiln\n\n12 downloads 40 Views 80KB Size Report\n\n" + ABSTRACT
    assert title_of(page) == "Weekly groups for new fathers in three towns"


def test_a_title_run_on_into_the_author_list_is_cut_there() -> None:
    page = ("Weekly groups for new fathers: a randomised trial Tomas Berg1*, Lina Okoro2, Pavel Nowak1,3\n\n"
            + ABSTRACT)
    assert title_of(page) == "Weekly groups for new fathers: a randomised trial"


def test_a_title_wrapped_over_two_lines_is_joined() -> None:
    page = ("Weekly groups for new fathers and their partners\nin three northern towns: a randomised trial\n\n"
            "Tomas Berg, Lina Okoro\n\n" + ABSTRACT)
    assert title_of(page) == ("Weekly groups for new fathers and their partners in three northern towns: "
                              "a randomised trial")


@pytest.mark.parametrize("page", [
    ABSTRACT,
    "Skip to main content\nLog in\nSearch tips\n\n" + ABSTRACT,
])
def test_a_page_that_shows_no_title_gives_none(page: str) -> None:
    assert title_of(page) is None


def test_a_non_latin_title_is_kept_as_written() -> None:
    title = "父亲小组对产后抑郁的影响:一项随机对照试验"
    page = (f"首页\n{title}\n家庭护理杂志, 2021,12(3) : 101-108. DOI: 10.1234/abcd.2021.03\n摘要\n目的\n\n"
            "评价父亲小组对母亲产后抑郁的作用。\n\n方法\n\n共纳入212名父亲,随机分为两组。\n")
    assert title_of(page) == title


def test_author_lists_are_found_and_title_case_titles_are_not_cut() -> None:
    line = "Weekly groups for new fathers Tomas Berg, MD,a Lina Okoro, PhD,b"
    assert line[: titles.author_cut(line)].strip() == "Weekly groups for new fathers"
    assert titles.author_cut("Home Visits, Parent Groups, and Stress in Young Families") is None


def test_the_chrome_generator_shows_the_title_as_a_candidate() -> None:
    rng = random.Random(3)
    record = Record("Weekly groups for new fathers: a randomised trial", "Fathers were helped. " * 20,
                    ["Berg T", "Okoro L"], "Fam Care Today", "2019", "test")
    chrome = Chrome(rng, ["Fam Care Today"], ["Sleep problems in toddlers and parents"])
    shown_pages = 0
    for _ in range(30):
        text, shown = make_page(record, chrome, rng)
        if shown is None:
            continue
        shown_pages += 1
        found = {fold(c.text) for c in titles.candidates(page_of(text))}
        assert fold(shown) in found, text
    assert shown_pages >= 20


@pytest.mark.parametrize("opening", [
    # a search strategy copied with its abstract
    "Search strategy\n1. exp Fathers/\n2. (father* or paternal*).ti,ab.\n3. or/1-2\n4. randomized controlled trial.pt.\n"
    "5. 3 and 4\n",
    '("father*"[tiab] OR "paternal*"[tiab]) AND (random*[tiab] OR trial[tiab])\n',
    # a table of studies copied on its own before the abstract
    "Study Year Country Design N Outcome Effect size\nBerg, T 2016 Norway RCT 212\nOkoro, L 2019 Ghana RCT 96\n",
])
def test_a_page_opening_on_a_search_strategy_or_a_table_gives_none(opening: str) -> None:
    assert title_of("Skip to main content\n" + opening + "\n" + ABSTRACT) is None


def test_the_chrome_generator_writes_untitled_pages_without_their_title() -> None:
    rng = random.Random(5)
    record = Record("Weekly groups for new fathers: a randomised trial", "Fathers were helped. " * 20,
                    ["Berg T", "Okoro L"], "Fam Care Today", "2019", "test")
    chrome = Chrome(rng, ["Fam Care Today"], ["Sleep problems in toddlers and parents"])
    untitled = [text for text, shown in (make_page(record, chrome, rng) for _ in range(200)) if shown is None]
    assert len(untitled) >= 15
    assert not any("weekly groups" in text.lower() for text in untitled)


def test_a_cached_line_test_answers_as_the_test_itself_and_keeps_no_long_line() -> None:
    calls: list[str] = []

    @titles.line_cache
    def words(line: str) -> int:
        calls.append(line)
        return len(line.split())

    short, long = "Fathers in groups", "word " * 1000
    assert [words(short), words(short), words(long), words(long)] == [3, 3, 1000, 1000]
    assert calls == [short, long, long]  # the short line asked once, the long one each time
    assert titles.author_cut("A trial of groups Anna Smith, Bo Lee") == titles.author_cut.__wrapped__(
        "A trial of groups Anna Smith, Bo Lee")


def test_alternatives_grouped_by_first_letter_match_what_the_plain_alternation_matches() -> None:
    alternatives = "i|it|is|in|link|links|log in|lead|cookies?|full[- ]text|e-?mail|universit[éä]t|site"
    plain = re.compile(rf"\b(?:{alternatives})\b", re.I)
    grouped = re.compile(rf"\b{by_first_letter(alternatives)}\b", re.I)
    texts = ["It is in the links: Log in, LINK, linked, full-text and full text", "Universität E-mail email ſite",
             "iTs I it's iss in-line \u212a lead leads", "", "no match here at all"]
    for text in texts:
        assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert by_first_letter("link|links|menu") == "(?:l(?:ink|inks)|menu)"
    with pytest.raises(ValueError):
        by_first_letter("link|Menu")
