"""Rebuilding ``models/title/``, the title scorer of ``extractor.readers.titles``.

True titles come from public records: the MEDLINE records of ``robotreviewer_trialstreamer`` (TI, AB,
AU, TA, DP, VI, IP, PG), the article texts of ``evidence_inference`` (their TITLE line and body) and the
question titles of ``pubmedqa_mesh`` with their abstracts. Each record is set in a synthetic web page
whose chrome this module writes itself (menus, banners, logo links, author-manuscript notices, cookie
lines, breadcrumbs, "Page N:" debris, "Title - SiteName" headings, key: value catalogue fields,
download counters, table blocks, unrelated questions), with the title shown plainly, in capitals,
wrapped over two lines, run on into the author list, inside a long citation header line, or not at
all: then the page's answer is "no title", and after its chrome it opens on the abstract, body text, a
table of studies, a database search strategy or an author line. Every candidate span of
``titles.candidates`` is labelled positive when it is the title (case and punctuation aside); a logistic
regression is fitted on the train pages, then a page gate (does the page show a title at all?) on the
train pages scored by candidate models of the other half; the null floor and the gate's floor are chosen
on the dev pages without losing titled dev pages (``TITLED_SLACK``), and page accuracy (the right title,
or None when the page shows none) is reported on the held-out test pages, split by record (hash of the
title).

    extractor train title [--shared ../shared]
    .venv/bin/python -m extractor.training.title [--shared ../shared] [--out models/title] [--seed 0]
"""

from __future__ import annotations

import json
import platform
import random
import re
import sys
import tarfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..models.paths import REPOSITORY_MODELS
from ..readers import text as text_reader
from ..readers.titles import MODEL_FILE, Page, candidates, features, page_features, page_probability
from .common import NoTrainingData, hash_split, package_version, trainer_arguments, write_metrics_and_card

NAME = "title"
VERSION = 1
DEFAULT_PATH = REPOSITORY_MODELS / NAME
MEDLINE = Path("data/robotreviewer_trialstreamer/robotreviewer/pubmed_test.txt")
EVIDENCE = Path("data/evidence_inference/annotations/txt_files.tar.gz")
PUBMEDQA = Path("data/pubmedqa_mesh/pubmedqa_pqal_with_design_mesh.jsonl")
MAX_EVIDENCE = 1500
COPIES = 4  # pages per train or dev record, each with its own chrome (a steadier fit and choice of floors)
TITLED_SLACK = 0.002  # titled dev accuracy a null floor or the page gate may lose (one page in 500)
UNTITLED = 0.15  # share of pages that show no title (chrome, then body text, a table, a search strategy...)


@dataclass
class Record:
    title: str
    abstract: str
    authors: list[str]
    journal: str
    year: str
    source: str
    journal_title: str = ""


# ---------------------------------------------------------------- records


def medline_records(path: Path) -> Iterator[Record]:
    """Title, abstract, authors, journal and year of each MEDLINE record."""
    fields: dict[str, list[str]] = {}
    last = ""

    def flush() -> Iterator[Record]:
        title = " ".join(fields.get("TI", [])).strip()
        if title:
            yield Record(title, " ".join(fields.get("AB", [])), fields.get("AU", []),
                         " ".join(fields.get("TA", [])), " ".join(fields.get("DP", []))[:4], "medline",
                         " ".join(fields.get("JT", [])))

    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("PMID-") and fields:
            yield from flush()
            fields = {}
        tag = re.match(r"^([A-Z]{2,4})\s*-\s?(.*)$", raw)
        if tag:
            last = tag.group(1)
            fields.setdefault(last, []).append(tag.group(2).strip())
        elif raw.startswith("      ") and last in fields:
            fields[last][-1] += " " + raw.strip()
    if fields:
        yield from flush()


def evidence_records(path: Path, limit: int) -> Iterator[Record]:
    """The TITLE line and the opening of the body of each evidence_inference article text."""
    with tarfile.open(path) as archive:
        count = 0
        for member in archive:
            if not member.isfile() or count >= limit:
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            body = handle.read(6000).decode("utf-8", errors="replace")
            match = re.match(r"TITLE:\s*(.+)\n", body)
            if not match or len(match.group(1)) < 10:
                continue
            rest = re.sub(r"ABSTRACT\.[A-Z ]+:\s*", "", body[match.end():])
            count += 1
            yield Record(match.group(1).strip(), rest.strip()[:2500], [], "", "", "evidence_inference")


def pubmedqa_records(path: Path) -> Iterator[Record]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        if row.get("question_title"):
            yield Record(row["question_title"], " ".join(row.get("abstract_context") or []), [], "", "", "pubmedqa")


def load_records(shared: Path) -> list[Record]:
    records: list[Record] = []
    if (shared / MEDLINE).is_file():
        records += list(medline_records(shared / MEDLINE))
    if (shared / EVIDENCE).is_file():
        records += list(evidence_records(shared / EVIDENCE, MAX_EVIDENCE))
    if (shared / PUBMEDQA).is_file():
        records += list(pubmedqa_records(shared / PUBMEDQA))
    if len(records) < 100:
        raise NoTrainingData(f"fewer than 100 titled records under {shared}/data (MEDLINE, evidence_inference, "
                             "pubmedqa_mesh); point --shared at the shared folder")
    return records


# ---------------------------------------------------------------- our own chrome

_SYLLABLES = ("do", "ca", "lib", "ra", "vo", "pa", "per", "shelf", "doc", "ar", "chi", "ve", "read", "stu", "dy",
              "no", "ta", "ki", "zen", "bo", "ok", "net", "hub", "scho", "lar", "mo", "di")
_FIRST = ("Anna", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kwame", "Lena",
          "Mateo", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tamar", "Uma", "Victor", "Wen", "Yusuf")
_LAST = ("Abara", "Bergström", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gupta", "Hallworth", "Ibarra",
         "Jansen", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rinaldi",
         "Sørensen", "Tanaka", "Ulrich", "Varga", "Whitlock", "Young-Hart", "Zielinski", "Mc-Allister")
_DEGREES = ("MD", "PhD", "MPH", "MSc", "RN", "BSc", "DrPH", "FRCP")
_MENU = ("Home", "About", "Journals", "Browse", "Search", "Advanced search", "Search tips", "Log in", "Register",
         "Subscribe", "Contact us", "Help", "Submit a manuscript", "Current issue", "Archive", "For authors",
         "For librarians", "Menu", "Close", "Toggle navigation", "Skip to main content", "Skip navigation",
         "Back to top", "Download PDF", "View PDF", "Cite this article", "Share", "Export citation",
         "Email alerts", "Print", "Permissions", "Metrics", "Related articles", "Full text", "Open Access",
         "Research article", "Sign in via your institution", "Add to my library", "Article information",
         "Table of contents", "Similar documents", "Upload", "Embed", "Citation preview", "Report this document")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HEADER_WORDS = ("Outcome", "Effect", "Sample", "Study", "Year", "Country", "Design", "N", "Mean (SD)",
                 "Intervention", "Comparison", "Follow-up", "Results", "Quality", "Risk of bias", "Age",
                 "Setting", "Measure", "Timing", "Statistical significance", "Program group", "Control group",
                 "Effect size", "Author", "Population", "Duration")
_LOADING = ("Loading…", "Cargando…", "Carregando…", "Chargement…", "Wird geladen…", "Caricamento…")
_KEYS = (("Authors", "Autores", "Auteurs", "Autoren"), ("Format", "Formato", "Format", "Format"),
         ("Language", "Idioma", "Langue", "Sprache"), ("Published", "Publicado", "Publié", "Veröffentlicht"),
         ("Subjects", "Materias", "Sujets", "Schlagwörter"), ("Online access", "Acceso en línea", "Accès", "Zugang"))


class Chrome:
    """Site chrome written here, drawn at random."""

    def __init__(self, rng: random.Random, journals: list[str], vocabulary: list[str],
                 full_journals: list[str] | None = None) -> None:
        self.rng = rng
        self.full_journals = full_journals or []
        self.journals = journals or ["J Child Health", "Int J Fam Stud"]
        self.vocabulary = vocabulary

    def site(self) -> str:
        name = "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))
        return name.capitalize() + self.rng.choice(("", "", ".com", " Library", " Docs", ".org"))

    def journal(self) -> str:
        return self.rng.choice(self.journals)

    def person(self, style: int, number: int) -> str:
        first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
        middle = self.rng.choice(("", "", "", " M", " K.", " J"))
        if style == 0:
            return f"{first}{middle} {last}{number}{self.rng.choice(('', '', '*'))}"
        if style == 1:
            return f"{first} {last}, {self.rng.choice(_DEGREES)},{chr(97 + number % 8)}"
        if style == 2:
            return f"{last} {first[0]}{middle.strip(' .')[:1]}"
        if style == 3:
            return f"{first}{middle} {last} {number},{number + 1}"
        return f"{first}{middle} {last}"

    def authors(self, given: list[str] | None = None) -> str:
        style = self.rng.randint(0, 4)
        if given and self.rng.random() < 0.5:
            return ", ".join(given[:8]) + "."
        people = [self.person(style, i + 1) for i in range(self.rng.randint(2, 7))]
        joiner = " · " if style == 0 and self.rng.random() < 0.3 else ", "
        line = joiner.join(people)
        return line if style != 4 or self.rng.random() < 0.5 else ", ".join(people[:-1]) + " and " + people[-1]

    def citation(self, journal: str, year: str) -> str:
        year = year or str(self.rng.randint(1995, 2024))
        volume, issue, page = self.rng.randint(1, 400), self.rng.randint(1, 12), self.rng.randint(1, 2000)
        doi = f"10.{self.rng.randint(1000, 9999)}/{self.rng.choice(('j', 's', 'x'))}{self.rng.randint(10**5, 10**8)}"
        forms = (
            f"{journal}. {year} {self.rng.choice(_MONTHS)};{volume}({issue}):{page}-{page + self.rng.randint(3, 20)}. doi: {doi}",
            f"{journal} ({year}) {volume}:{page}–{page + 12} DOI {doi}",
            f"{journal}. {year}; {volume}: {page}-{page + 9}.",
            f"Published online {self.rng.randint(1, 28)} {self.rng.choice(_MONTHS)} {year}. doi: {doi}",
            f"PMCID: PMC{self.rng.randint(10**6, 10**7)}  PMID: {self.rng.randint(10**7, 4 * 10**7)}",
            f"{journal}, {year}, {volume}({issue}) : {page}-{page + 5}. DOI: {doi}",
        )
        return self.rng.choice(forms)

    def question(self) -> str:
        words = self.rng.choice(self.vocabulary).lower().rstrip(".?").split()
        phrase = " ".join(words[: self.rng.randint(3, min(9, max(3, len(words))))])
        return self.rng.choice((
            f"What is {phrase}?", f"How does {phrase} work?", f"In which cases do {phrase}?",
            f"Which of the following best describes {phrase}?", f"Why is {phrase} important?",
            f"Is {phrase} effective?"))

    def banner(self) -> str:
        journal = self.journal()
        year = self.rng.randint(2005, 2024)
        funder = self.rng.choice(("NIHPA", "HHS", "Funders Group", "Research Council", "Open Repository"))
        return self.rng.choice((
            f"{journal} logoLink to {journal}",
            f"Logo of {journal.lower().replace(' ', '')}Link to Publisher's site",
            f"{funder} Author Manuscripts logoLink to {funder} Author Manuscripts",
            f"{journal}. Author manuscript; available in PMC {year} {self.rng.choice(_MONTHS)} {self.rng.randint(1, 28)}.",
            f". Author manuscript; available in PMC: {year} {self.rng.choice(_MONTHS)} {self.rng.randint(1, 28)}.",
            "Published in final edited form as:",
            f"{funder} Public Access",
            f"{journal} logo",
            "Link to Publisher's site",
        ))

    def cookie(self) -> str:
        return self.rng.choice((
            "We use cookies to improve your experience on our site. By continuing you agree to our use of cookies.",
            "This website stores cookies on your computer. Accept all cookies",
            "Manage cookie preferences", "Cookie settings", "Accept", "Reject non-essential cookies",
            "Your privacy: we and our partners use cookies to personalise content.",
        ))

    def breadcrumb(self) -> str:
        journal = self.journal()
        sep = self.rng.choice((" › ", " > ", " / ", " » ", " | "))
        parts = ["Home", self.rng.choice(("Journals", "Articles", "Library", "Documents", "Health")), journal,
                 f"Vol {self.rng.randint(1, 90)}" + (f", No {self.rng.randint(1, 12)}" if self.rng.random() < .5 else "")]
        return sep.join(parts[: self.rng.randint(2, 4)])

    def menu_lines(self) -> list[str]:
        count = self.rng.randint(1, 6)
        items = self.rng.sample(_MENU, count)
        if self.rng.random() < 0.3:
            return ["  • " + item for item in items]
        if self.rng.random() < 0.3:
            return [" ".join(items)]
        return items

    def counter(self) -> str:
        return self.rng.choice((
            f"{self.rng.randint(1, 900)} downloads {self.rng.randint(0, 5000)} Views {self.rng.randint(50, 900)}KB Size Report",
            f"Views: {self.rng.randint(1, 9000)}", "Embed Size (px)", f"{self.rng.randint(2, 300)} pages",
            f"Uploaded by {self.rng.choice(_FIRST).lower()}{self.rng.randint(1, 99)}", "Download 0", "View 1",
        ))

    def key_values(self, authors: str, year: str) -> list[str]:
        language = self.rng.randint(0, 3)
        out = []
        for key in self.rng.sample(_KEYS, self.rng.randint(2, 5)):
            label = key[language]
            value = {"Authors": authors}.get(key[0], self.rng.choice(("English", "Online Article Text",
                                                                      f"{self.site()} {year or 2020}", "Medicine")))
            out.append(f"{label}: {value}")
        return out

    def table(self, abstract: str) -> list[str]:
        header = " ".join(self.rng.sample(_HEADER_WORDS, self.rng.randint(4, 10)))
        pieces = re.split(r"(?<=[.;,])\s+", abstract)[:6]
        rows = []
        for piece in pieces:
            person = f"{self.rng.choice(_LAST)}, {self.rng.choice(_FIRST)[0]} {self.rng.randint(1990, 2022)}{self.rng.randint(1, 150)}"
            rows.append(self.rng.choice((person, f"N = {self.rng.randint(20, 900)}", piece.strip()[:160],
                                         f"{piece.strip()[:60]}{self.rng.choice(_HEADER_WORDS)}")))
        return [header, *rows]

    def affiliation(self) -> str:
        place = self.rng.choice(("Oslo, Norway", "Leeds, UK", "Lyon, France", "Pune, India", "Accra, Ghana",
                                 "Osaka, Japan", "Quito, Ecuador", "Perth, Australia"))
        unit = self.rng.choice(("Department of Paediatrics", "School of Public Health", "Faculty of Nursing",
                                "Institute of Psychiatry", "Centre for Child Health Research", "Dept of Psychology"))
        person = f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
        marker = self.rng.choice(("", "", "1", "2", "a", "b", "I", "II", "* "))
        return self.rng.choice((
            f"{marker or self.rng.randint(1, 9)} {unit}, University of {place.split(',')[0]}, {place}",
            f"{marker}{unit.split(' of ')[0]} of {self.rng.choice(_LAST)} Studies, {place}",
            f"{marker}Instituto Nacional de Salud {self.rng.choice(_LAST)}. {place.split(', ')[1]}",
            f"{unit}, {self.rng.choice(_LAST)} University Hospital, {place}",
            f"Correspondence to: {person[0]} {person.split()[1]} {person.split()[1].lower()}@{self.site().lower()}.org",
            f"Corresponding author: {person}, {unit}. E-mail: {person.split()[0].lower()}@example.org",
            f"Dr {person}, Head of Research, {self.rng.choice(_LAST)} Foundation",
            f"{person}, {self.rng.choice(('National lead', 'Programme director', 'Service manager', 'Consultant'))} "
            f"for {self.rng.choice(('Maternity', 'Early Years', 'Child Health', 'Public Health'))}",
            self.rng.choice(self.full_journals) if self.full_journals else f"Journal of {place.split(',')[0]} Health",
            f"Received {self.rng.randint(1, 28)} {self.rng.choice(_MONTHS)} 2019; accepted {self.rng.randint(1, 28)} "
            f"{self.rng.choice(_MONTHS)} 2020",
            f"Keywords: {', '.join(self.rng.choice(self.vocabulary).lower().split()[:4])}",
        ))

    def masthead(self, record: Record) -> list[str]:
        name = self.rng.choice(self.full_journals) if self.full_journals else f"Journal of {self.site()} Studies"
        volume = self.rng.randint(1, 90)
        lines = [f"{name} {volume} ({record.year or 2017}) {self.rng.randint(1, 500)}-{self.rng.randint(501, 900)}",
                 f"Contents lists available at {self.site()}", name,
                 f"journal homepage: www.{self.site().lower().replace(' ', '')}.com/{name.split()[-1].lower()}"]
        start = self.rng.randint(0, 2)
        return [line for line in lines[start:] if self.rng.random() < 0.8]

    def key_points(self, abstract: str) -> str:
        heading = self.rng.choice(("WHAT IS ALREADY KNOWN:", "KEY POINTS:", "HIGHLIGHTS:", "WHAT THIS PAPER ADDS:",
                                   "IN BRIEF:"))
        return f"{heading} {' '.join(abstract.split()[:25])}"

    def tagged(self, title: str, authors: str, journal: str, year: str) -> str:
        people = " , ".join(a.strip(".") for a in authors.split(", "))
        return (f"AUTHOR={people} TITLE={title} JOURNAL={journal} YEAR={year or 2016} "
                f"VOLUME={self.rng.randint(1, 60)} PAGES={self.rng.randint(1, 900)}")

    def caption(self, record: Record) -> tuple[str, str]:
        number = self.rng.choice(("1", "2", "3", "4-1", "S2", "3KQ1", "A1", "II"))
        words = record.title.rstrip(".").split()
        text = self.rng.choice((
            " ".join(words[: self.rng.randint(4, min(12, max(4, len(words))))]),
            self.rng.choice(("Summary of study characteristics", "Characteristics of included trials",
                             "Outcomes by follow-up wave", "Effects of the programme on child outcomes",
                             "Risk of bias of the included studies", "Baseline characteristics of participants")),
        ))
        return f"Table {number}" + self.rng.choice((".", ":", "", " ")), text

    def search_strategy(self) -> list[str]:
        """A database search strategy, its terms drawn from titles (a page that shows no title)."""
        words = [w.strip(",.:;()?").lower() for w in self.rng.choice(self.vocabulary).split()]
        terms = [w for w in words if len(w) > 4][:4] or ["parent", "child"]
        extra = [w.strip(",.:;()?").lower() for w in self.rng.choice(self.vocabulary).split() if len(w) > 5][:3]
        form = self.rng.random()
        heading = self.rng.choice(("Search strategy", "Appendix 1. Search strategy", "MEDLINE (Ovid)",
                                   f"Database: {self.rng.choice(('Embase', 'PsycINFO', 'CINAHL', 'MEDLINE'))} "
                                   f"<1946 to {self.rng.choice(_MONTHS)} {self.rng.randint(2010, 2024)}>",
                                   "Search terms", ""))
        if form < 0.5:
            lines = [f"{i + 1}. {self.rng.choice(('exp ', ''))}{t[:6]}*{self.rng.choice(('.ti,ab.', '.mp.', '/'))}"
                     for i, t in enumerate(terms + extra)]
            count = len(lines)
            lines.append(f"{count + 1}. or/1-{count}")
            lines.append(f"{count + 2}. randomized controlled trial.pt.")
            lines.append(f"{count + 3}. {count + 1} and {count + 2}")
        else:
            tag = self.rng.choice(("[tiab]", "[Title/Abstract]", "[MeSH Terms]", ""))
            block = " OR ".join(f'"{t}*"{tag}' for t in terms)
            other = " OR ".join(f"{t}{tag}" for t in extra or ["random*", "trial"])
            lines = [f"({block}) AND ({other})" if self.rng.random() < 0.7 else f"#1 {block}",
                     f"#2 {other}", "#3 #1 AND #2"][: self.rng.randint(1, 3)]
        return ([heading] if heading else []) + lines

    def body_opening(self, record: Record) -> list[str]:
        """Body text without a title: a section heading (or none) and a paragraph."""
        sentences = re.split(r"(?<=[.!?])\s+", record.abstract.strip())
        start = self.rng.randint(0, max(len(sentences) - 3, 0))
        paragraph = " ".join(sentences[start: start + self.rng.randint(3, 7)])
        heading = self.rng.choice(("Introduction", "1. Introduction", "1 Introduction", "Methods", "Discussion",
                                   "2.1 Participants", "Results", "", "", ""))
        return ([heading] if heading else []) + [paragraph or "The study was described in full in the main text."]

    def untitled_opening(self, record: Record, authors: str) -> list[str]:
        """What a page that shows no title has before its abstract (after its chrome)."""
        kind = self.rng.random()
        if kind < 0.3:
            return []
        if kind < 0.5:
            return self.body_opening(record)
        if kind < 0.7:
            return self.table(record.abstract)
        if kind < 0.9:
            return self.search_strategy()
        return [authors]  # (no catalogue fields: a catalogue record always shows its title)

    def chrome_block(self, record: Record, authors: str) -> list[str]:
        out: list[str] = []
        for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3, 4))):
            kind = self.rng.random()
            if kind < 0.25:
                out += self.menu_lines()
            elif kind < 0.42:
                out.append(self.banner())
            elif kind < 0.5:
                out.append(self.cookie())
            elif kind < 0.6:
                out.append(self.breadcrumb())
            elif kind < 0.67:
                out.append(self.rng.choice(_LOADING))
            elif kind < 0.75:
                out.append(self.counter())
            elif kind < 0.82:
                out.append(self.question())
            elif kind < 0.83:
                out.append(self.citation(self.journal(), record.year))
            elif kind < 0.86:
                out += self.masthead(record)
            elif kind < 0.9:
                out.append(self.affiliation())
            else:
                out.append(self.rng.choice(self.vocabulary).upper()[:40] if self.rng.random() < 0.2 else
                           self.rng.choice(("TRIALS", "RESEARCH", "STUDY PROTOCOL", "Original Article",
                                            "Review", "Open Access", "Article", "Journal Article")))
            if self.rng.random() < 0.5:
                out.append("")
        return out


def wrap(title: str, rng: random.Random) -> tuple[str, str]:
    words = title.split()
    cut = rng.randint(max(1, len(words) // 3), max(1, 2 * len(words) // 3))
    return " ".join(words[:cut]), " ".join(words[cut:])


def abstract_block(record: Record, rng: random.Random) -> list[str]:
    body = record.abstract.strip() or "Background The study was described in full in the main text."
    sentences = re.split(r"(?<=[.!?])\s+", body)[: rng.randint(2, 8)]
    text = " ".join(sentences)
    form = rng.random()
    if form < 0.5:
        return ["Abstract", "", text]
    if form < 0.7:
        return [rng.choice(("BACKGROUND:", "OBJECTIVE:", "Background", "Objectives")), "", text]
    if form < 0.8:
        return ["Abstract " + text]
    return [text]


def make_page(record: Record, chrome: Chrome, rng: random.Random) -> tuple[str, str | None]:
    """A page showing the record (text, and its title as shown, or None when the page shows none)."""
    title = record.title
    authors = chrome.authors(record.authors)
    journal = record.journal or chrome.journal()
    lines = chrome.chrome_block(record, authors)
    shown: str | None = title
    if rng.random() < UNTITLED:
        if rng.random() < 0.1:
            lines += [chrome.question(), ""]
        if rng.random() < 0.3:
            lines.append(chrome.citation(journal, record.year))
        lines += chrome.untitled_opening(record, authors)
        if rng.random() < 0.2:
            lines += chrome.menu_lines()
        lines += ["", *abstract_block(record, rng)]
        return "\n".join(lines) + "\n", None
    mode = 0.1 + 0.9 * rng.random()  # the titled forms below keep their shares (0.1 was "no title")
    if rng.random() < 0.06:
        title = shown = title.upper()
    heading_debris = rng.random()
    if heading_debris < 0.07:
        lines = [f"{title} - {chrome.site()}", "", *lines]
    elif heading_debris < 0.12:
        head = " ".join(title.split()[: rng.randint(3, 6)])
        tail = " ".join(record.abstract.split()[5:20])
        lines += [f"Page {rng.randint(1, 3)}: {head} …€¦ · {tail}", ""]
    elif heading_debris < 0.16:
        lines += [chrome.question(), ""]
    if rng.random() < 0.35:
        lines.append(chrome.citation(journal, record.year))
    if mode < 0.6:
        lines += ["", title] if rng.random() < 0.7 else [title]
        if rng.random() < 0.6:
            lines += ["", authors]
    elif mode < 0.72:
        first, second = wrap(title, rng)
        lines += [first, "", second] if rng.random() < 0.3 else [first, second]
        if rng.random() < 0.6:
            lines += ["", authors]
    elif mode < 0.82:
        by = rng.random() < 0.2
        lines.append(f"{title} By {chrome.person(4, 1)}" if by else f"{title} {chrome.authors()}")
    elif mode < 0.88:
        kind = rng.choice(("ORIGINAL ARTICLE", "RESEARCH ARTICLE", "Open Access", "STUDY PROTOCOL"))
        citation = chrome.citation(journal, record.year)
        block = abstract_block(record, rng)[-1]
        lines.append(f"{citation} {kind} {title} {chrome.authors()} Published online: {rng.randint(1, 28)} "
                     f"{rng.choice(_MONTHS)} {record.year or 2019} Abstract {block}")
        return "\n".join(lines) + "\n", shown
    elif mode < 0.9:
        lines += ["", title] + chrome.key_values(authors, record.year)
    elif mode < 0.92:
        lines.append(chrome.tagged(title, authors, journal, record.year))
    elif mode < 0.94:
        lines.append(f"{title} {chrome.key_points(record.abstract)}")
    elif mode < 0.975:
        label, caption = chrome.caption(record)
        if rng.random() < 0.5:
            lines += [label, "", caption]
            shown = caption
        else:
            shown = f"{label.strip(' :.')}. {caption}" if rng.random() < 0.5 else f"{label.strip(' :.')}{caption}"
            lines.append(shown)
        lines += chrome.table(record.abstract)
        return "\n".join(lines) + "\n", shown
    elif mode < 0.98:
        lines += ["", title, chrome.rng.choice(chrome.vocabulary), authors]  # a second (translated) title
    else:
        lines += chrome.table(record.abstract) + ["", title]
    for _ in range(rng.choice((0, 0, 1, 2))):
        lines.append(chrome.affiliation())
    if rng.random() < 0.25:
        lines += [chrome.citation(journal, record.year)]
    if rng.random() < 0.2:
        lines += chrome.menu_lines()
    if rng.random() < 0.15:
        lines += chrome.table(record.abstract)
    lines += ["", *abstract_block(record, rng)]
    if shown and rng.random() < 0.2:
        lines += ["", f"Cite this: {authors} {title}. {journal}. {record.year or 2018}."]
    return "\n".join(lines) + "\n", shown


# ---------------------------------------------------------------- pages and candidates


def fold(value: str) -> str:
    return re.sub(r"\W+", " ", value.lower()).strip()


def page_of(text: str) -> Page:
    lines = text_reader._lines(text)
    return Page(text, lines, text_reader._abstract_start(lines), text_reader._starts_abstract,
                text_reader._is_boilerplate, text_reader._title_score)


def _page_rows(page: Page, names: list[str] | None) -> tuple[list[list[float]], list[str], list[str]]:
    found = candidates(page)
    ranks: dict[int, int] = {}
    for index in page._nonblank:
        if page.rule_score(page.lines[index][2]) > 0:
            ranks[index] = len(ranks)
    rows = []
    for candidate in found:
        values = features(candidate, page, ranks.get(candidate.first, len(ranks)))
        names = names or sorted(values)
        rows.append([values[name] for name in names])
    return rows, [c.text for c in found], names or []


def title_agrees(truth: str | None, guess: str | None) -> bool:
    """The page's title found (case and punctuation aside, or one containing the other), or None for None."""
    if truth is None or guess is None:
        return truth is None and guess is None
    g, p = fold(truth), fold(guess)
    return g == p or (min(len(g), len(p)) >= 20 and (g in p or p in g))


@dataclass
class Scored:
    """A page's candidates as a feature matrix, with their texts, the page and its title."""

    matrix: np.ndarray
    texts: list[str]
    title: str | None
    page: Page


def featurise(pages: list[tuple[str, str | None]], names: list[str] | None = None) -> list[Scored]:
    out = []
    for text, title in pages:
        page = page_of(text)
        rows, texts, names = _page_rows(page, names)
        out.append(Scored(np.array(rows, dtype=np.float64).reshape(len(rows), len(names)), texts, title, page))
    return out


def stack(pages: list[Scored]) -> tuple[np.ndarray, np.ndarray]:
    """All candidates of the pages as one matrix, labelled 1 where the candidate is the page's title."""
    rows = [p.matrix for p in pages if len(p.texts)]
    labels = [1 if p.title and fold(t) == fold(p.title) else 0 for p in pages for t in p.texts]
    return np.vstack(rows), np.array(labels)


def best_of(page: Scored, model: dict) -> tuple[int, list[float]] | None:
    """The index of the page's best candidate and all candidates' probabilities, best first."""
    if not len(page.texts):
        return None
    z = page.matrix @ np.array(model["weights"]) + model["bias"]
    probabilities = 1 / (1 + np.exp(-np.clip(z, -40, 40)))
    best = int(np.argmax(z))
    return best, sorted(probabilities.tolist(), reverse=True)


def gate_row(page: Scored, model: dict, names: list[str]) -> tuple[dict[str, float], int] | None:
    """The page gate's features (``titles.page_features``) and the best candidate's index."""
    found = best_of(page, model)
    if found is None:
        return None
    best, probabilities = found
    values = page_features(page.page, probabilities, dict(zip(names, page.matrix[best].tolist(), strict=True)))
    return values, best


def page_accuracy(pages: list[Scored], model: dict, floor: float, gate: dict | None = None) -> dict[str, float]:
    right = titled = titled_right = untitled = untitled_right = 0
    names = model["features"]
    for page in pages:
        guess = None
        found = best_of(page, model)
        if found is not None and found[1][0] >= floor:
            guess = page.texts[found[0]]
            if gate is not None:
                row = gate_row(page, model, names)
                assert row is not None
                if page_probability(row[0], gate) < gate["floor"]:
                    guess = None
        title = page.title
        ok = title_agrees(title, guess)
        right += ok
        if title:
            titled += 1
            titled_right += ok
        else:
            untitled += 1
            untitled_right += ok
    return {"pages": len(pages), "accuracy": right / max(len(pages), 1),
            "titled_accuracy": titled_right / max(titled, 1), "untitled_accuracy": untitled_right / max(untitled, 1)}


def gate_examples(pages: list[Scored], model: dict) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One row per page: the gate's features, labelled 1 when the best candidate is the page's title."""
    rows, labels, gate_names = [], [], None
    for page in pages:
        row = gate_row(page, model, model["features"])
        if row is None:
            continue
        values, best = row
        gate_names = gate_names or sorted(values)
        rows.append([values[name] for name in gate_names])
        labels.append(1 if title_agrees(page.title, page.texts[best]) else 0)
    return np.array(rows, dtype=np.float64), np.array(labels), gate_names or []


def build_pages(records: list[Record], seed: int) -> dict[str, list[tuple[str, str | None]]]:
    rng = random.Random(seed)
    journals = sorted({r.journal for r in records if r.journal})
    vocabulary = [r.title for r in records]
    full = sorted({r.journal_title.split(" : ")[0].title() for r in records if r.journal_title})
    chrome = Chrome(rng, journals, vocabulary, full)
    split: dict[str, list[tuple[str, str | None]]] = {"train": [], "dev": [], "test": []}
    for record in records:
        part = hash_split(fold(record.title))
        for _ in range(COPIES if part != "test" else 1):
            split[part].append(make_page(record, chrome, rng))
        if record.source == "evidence_inference" and rng.random() < 0.3:
            split[part].append((f"{record.title}\n\n{record.abstract}\n", record.title))  # the article text itself
    return split


def features_names(pages: list[Scored]) -> list[str]:
    page = next(p for p in pages if len(p.texts))
    found = candidates(page.page)
    return list(features(found[0], page.page, 0))


def fit_gate(train_pages: list[Scored], dev_pages: list[Scored], model: dict, c: float, floor: float,
             dev: dict[str, float]) -> tuple[dict | None, float]:
    """The page gate (does the page show a title at all?), or None when it does not help on the dev pages.

    Its rows come from the train pages scored by candidate models fitted on the other half of the train
    pages (in blocks that keep a record's copies together), so the best candidate's probability is as
    uncertain as on a new page.
    """
    from sklearn.linear_model import LogisticRegression

    # build_pages writes a record's copies one after another: blocks of 50 pages keep them together
    halves = [[p for i, p in enumerate(train_pages) if i // 50 % 2 == h] for h in (0, 1)]
    rows, labels, gate_names = [], [], []
    for h in (0, 1):
        x, y = stack(halves[1 - h])
        fitted = LogisticRegression(C=c, max_iter=2000).fit(x, y)
        half_model = {"features": model["features"], "weights": fitted.coef_[0].tolist(),
                      "bias": float(fitted.intercept_[0])}
        x_gate, y_gate, gate_names = gate_examples(halves[h], half_model)
        rows.append(x_gate)
        labels.append(y_gate)
    x_all, y_all = np.vstack(rows), np.concatenate(labels)
    best: tuple[float, dict] | None = None
    for gate_c in (0.1, 1.0, 10.0):
        fitted = LogisticRegression(C=gate_c, max_iter=5000).fit(x_all, y_all)
        gate = {"features": gate_names, "weights": fitted.coef_[0].tolist(), "bias": float(fitted.intercept_[0]),
                "C": gate_c}
        for gate_floor in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6):
            gate["floor"] = gate_floor
            found = page_accuracy(dev_pages, model, floor, gate)
            if found["titled_accuracy"] < dev["titled_accuracy"] - TITLED_SLACK:
                continue  # the gate may not buy untitled pages with titled ones
            if best is None or found["accuracy"] > best[0]:
                best = (found["accuracy"], dict(gate))
    if best is None or best[0] <= dev["accuracy"]:
        return None, dev["accuracy"]
    return best[1], best[0]


def train(shared: Path, out: Path, seed: int = 0) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    started = time.time()
    records = load_records(shared)
    pages = build_pages(records, seed)
    train_pages = featurise(pages["train"])
    names = sorted(features_names(train_pages))
    x_train, y_train = stack(train_pages)
    x_dev_pages = featurise(pages["dev"], names)
    settings = []
    for c in (0.1, 1.0, 10.0):
        fitted = LogisticRegression(C=c, max_iter=2000).fit(x_train, y_train)
        model = {"features": names, "weights": fitted.coef_[0].tolist(), "bias": float(fitted.intercept_[0])}
        for floor in (0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5):
            settings.append((page_accuracy(x_dev_pages, model, floor), floor, c, model))
    # the best dev accuracy that keeps titled pages within TITLED_SLACK of the best titled figure: a null
    # floor may not buy untitled pages with titled ones
    titled_best = max(s[0]["titled_accuracy"] for s in settings)
    dev, floor, c, model = max((s for s in settings if s[0]["titled_accuracy"] >= titled_best - TITLED_SLACK),
                               key=lambda s: (s[0]["accuracy"], s[0]["titled_accuracy"]))
    dev_accuracy = dev["accuracy"]
    model.update({"name": NAME, "version": VERSION, "floor": floor, "C": c})
    gate, gate_dev = fit_gate(train_pages, x_dev_pages, model, c, floor, dev)
    if gate is not None:
        model["page"] = gate
    out.mkdir(parents=True, exist_ok=True)
    (out / MODEL_FILE).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    by_source: dict[str, list[tuple[str, str | None]]] = {}
    test_records = [r for r in records if hash_split(fold(r.title)) == "test"]
    rng = random.Random(seed + 1)
    chrome = Chrome(rng, sorted({r.journal for r in records if r.journal}), [r.title for r in records],
                    sorted({r.journal_title.split(" : ")[0].title() for r in records if r.journal_title}))
    for record in test_records:
        by_source.setdefault(record.source, []).append(make_page(record, chrome, rng))
    test_pages = featurise(pages["test"], names)
    metrics = {
        "model": NAME, "version": VERSION, "trained": date.today().isoformat(), "seed": seed, "C": c,
        "floor": floor, "features": len(names), "untitled_share": UNTITLED,
        "records": {source: sum(r.source == source for r in records) for source in sorted({r.source for r in records})},
        "pages": {part: len(value) for part, value in pages.items()},
        "candidates_train": int(len(y_train)), "positives_train": int(y_train.sum()),
        "dev": {"accuracy": dev_accuracy, "accuracy_with_gate": gate_dev},
        "gate": {key: value for key, value in (gate or {}).items() if key in ("C", "floor")} or None,
        "test": page_accuracy(test_pages, model, floor, gate),
        "test_without_gate": page_accuracy(test_pages, model, floor),
        "test_fresh_pages_by_source": {s: page_accuracy(featurise(p, names), model, floor, gate)
                                       for s, p in sorted(by_source.items())},
        "seconds": time.time() - started,
        "python": platform.python_version(), "sklearn": package_version("sklearn"),
    }
    return metrics


def model_card(metrics: dict[str, Any], size: int) -> str:
    test = metrics["test"]
    gate = metrics.get("gate")
    bare = metrics.get("test_without_gate", test)
    gate_text = (
        f"A page gate then asks whether the page shows a title at all: a second logistic regression "
        f"(C={gate['C']:g}) over the best candidate's features, its probability against the second best "
        f"(margin), the number of likely candidates and whether the page opens on a paragraph, fitted on the "
        f"train pages scored by candidate models of the other half of the train pages; below its floor "
        f"{gate['floor']:g} (chosen on the dev pages, losing at most {TITLED_SLACK:g} of titled dev pages) the "
        f"title is None.\n" if gate else "No page gate: none helped on the dev pages without losing titled pages.\n")
    sources = "\n".join(
        f"| {source} | {m['pages']} | {m['accuracy']:.3f} | {m['titled_accuracy']:.3f} | {m['untitled_accuracy']:.3f} |"
        for source, m in metrics["test_fresh_pages_by_source"].items())
    return f"""# Title scorer (models/title)

Scores the candidate title spans of a pasted web page or plain text (`extractor.readers.titles`): every
line before the abstract, its forms cut at a run-on author list, a " - SiteName" suffix, a citation
header or "…" debris, and each line joined with the next one. {metrics['features']} features of position,
length, case, punctuation, neighbours (abstract heading, author line, citation line) and chrome words;
a logistic regression (C={metrics['C']:g}). The best candidate is the title unless its probability is
below the floor {metrics['floor']:g} (chosen on the dev pages): then the title is None.
{gate_text}

## Training data

True titles from public records, each set in a synthetic page whose chrome is written by
`extractor/training/title.py` (menus, banners, logo links, author-manuscript notices, cookie lines,
breadcrumbs, "Page N:" debris, site-name suffixes, catalogue fields, counters, table blocks, unrelated
questions; titles plain, in capitals, wrapped, run on into authors, inside a citation header, or absent:
{metrics.get('untitled_share', 0.1):.0%} of pages show none and open, after their chrome, on the abstract, body text, a
table of studies, a database search strategy or an author line):

- MEDLINE records of `data/robotreviewer_trialstreamer` (TI, AB, AU, TA, DP): {metrics['records'].get('medline', 0)}
- article texts of `data/evidence_inference` (TITLE line, body): {metrics['records'].get('evidence_inference', 0)}
  (some also as the bare article text)
- question titles of `data/pubmedqa_mesh` with their abstracts: {metrics['records'].get('pubmedqa', 0)}

Split by record (MD5 of the folded title): pages {metrics['pages']}; {metrics['candidates_train']} train
candidates, {metrics['positives_train']} of them the title. No gold document is used.

## Held-out figures (test split: records never trained on)

Page accuracy = the right title (case and punctuation aside), or None on a page that shows none.

- test pages: {test['pages']}, accuracy {test['accuracy']:.3f} (titled pages {test['titled_accuracy']:.3f},
  untitled pages {test['untitled_accuracy']:.3f}); dev accuracy {metrics['dev']['accuracy_with_gate']:.3f}
- the same test pages without the page gate: accuracy {bare['accuracy']:.3f} (titled {bare['titled_accuracy']:.3f},
  untitled {bare['untitled_accuracy']:.3f})

Fresh pages of the test records, by source:

| source | pages | accuracy | titled | untitled |
|---|---|---|---|---|
{sources}

Synthetic chrome is easier than real pages. The figure that counts is measured, never trained on, on the
dev gold (title accuracy with score.py after `extractor extract`; the null floor cross-validated by
document with `.venv/bin/python scripts/cv_title_floor.py GOLD.jsonl CORPUS_FOLDER`).

## Files and rebuild

`model.json`: feature names, weights, bias, floor and the page gate (JSON; {size / 1000:.0f} kB with this card).

    extractor train title --shared ../shared
    .venv/bin/python -m extractor.training.title --shared ../shared --out models/title

Trained {metrics['trained']} in {metrics['seconds']:.0f} s (Python {metrics['python']}, scikit-learn {metrics['sklearn']}), seed {metrics['seed']}.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the model from the command-line arguments (``trainer_arguments``); the exit status."""
    args = trainer_arguments(__doc__, DEFAULT_PATH, argv)
    try:
        metrics = train(args.shared, args.out, seed=args.seed)
    except NoTrainingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = write_metrics_and_card(args.out, metrics, lambda size: model_card(metrics, size))
    test = metrics["test"]
    print(f"title: test page accuracy {test['accuracy']:.3f} (titled {test['titled_accuracy']:.3f}, untitled "
          f"{test['untitled_accuracy']:.3f}); floor {metrics['floor']:g}; {size / 1e3:.0f} kB; "
          f"{metrics['seconds']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
