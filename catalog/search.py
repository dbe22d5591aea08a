"""Search that forgives: typos, hyphens, slashes, plurals and word order.

One module used by the search page, the live suggestions and the API. The catalog is a reference
of a few hundred to a few thousand short texts, so a search reads them all in a fixed number of
queries (the same on SQLite and PostgreSQL) and matches in Python:

- Text and query are folded (case, accents) and split into words. A hyphenated word is indexed
  as its parts and as one word ("hand-off" -> hand, off, handoff), and two adjacent query words
  the catalog writes as one are read as one, so "handoff" and "hand off" find it. A slash
  separates words ("go/no-go" -> go, no-go), plurals are reduced ("roadmaps" -> roadmap) and
  filler words ("or", "the") are dropped, so word order and these spellings do not matter.
- A query word matches a catalog word exactly, as its prefix (live search types half words), as
  another form of it (a shared start: "analysis" and "analyse"), or, when the catalog has none
  of these, by edit distance: rapidfuzz's optimal string alignment (a transposition is one
  edit) over the catalog's own vocabulary ("roadmpa" -> roadmap). That correction is shown.
- A role is found by its other titles ("PO", "agile coach", "program manager") as by its name,
  and its result says which title matched. A query word that is one of the catalog's short
  abbreviations ("PO", "BA", "SRO") matches only that word: no prefix, other form or spelling
  near it, so "PO" never finds "PM" or "portfolio".
- Every query word must match (AND); a result's score sums each word's best match, weighted by
  where it matched (a title counts more than a description), and results rank by that score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Prefetch
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import process
from rapidfuzz.distance import OSA

from catalog.models import (
    Collaboration,
    Contribution,
    KnowledgeArea,
    Responsibility,
    Role,
    RoleKnowledge,
    Trait,
)

SEARCH_MAX_LENGTH = 200  # characters; every search box carries it as its maxlength
SEARCH_MAX_WORDS = 8

# Words of a query that say nothing about what to find ("go or no-go", "the roadmap").
STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "does", "for", "from", "how", "i", "in"}
    | {"is", "it", "of", "on", "or", "the", "to", "vs", "versus", "what", "when", "who", "why"}
    | {"with"}
)
# A word absent from the catalog is corrected to catalog words at least this similar (1 edit in
# 4 letters, 2 in 8), and only words of at least this many letters are corrected at all.
FUZZY_CUTOFF = 0.75
FUZZY_MIN_LENGTH = 4
FUZZY_LIMIT = 3
EXACT, PREFIX, RELATED, FUZZY = 1.0, 0.7, 0.65, 0.6
# An other title of one word this short is an abbreviation, matched only exactly ("PO", "SRO").
ABBREVIATION_MAX_LENGTH = 4
# Two words are forms of one ("analysis", "analyzes"; "prioritise", "prioritize"; "manager",
# "management") when they share a start of at least this many letters and differ only in their
# last three or fewer.
RELATED_PREFIX = 5
RELATED_TAIL = 3

# Letters and digits, with inner hyphens or apostrophes: "hand-off", "team's", "go".
# Joiners: hyphen-minus, hyphen (U+2010), non-breaking hyphen (U+2011), apostrophes.
JOINER_CHARS = "-\u2010\u2011'\u2019"
WORD = re.compile(rf"[^\W_]+(?:[{JOINER_CHARS}][^\W_]+)*")
JOINERS = re.compile(f"[{JOINER_CHARS}]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def stem(word: str) -> str:
    """The singular of a plural, by the common English endings; other words unchanged."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_keys(word: str) -> set[str]:
    """What one written word is found by: its parts and, if hyphenated, the joined whole."""
    folded = fold(word)
    parts = [part for part in JOINERS.split(folded) if part]
    keys = {stem(part) for part in parts}
    if len(parts) > 1:
        keys.add(stem("".join(parts)))
    return keys


def text_keys(text: str) -> set[str]:
    return {key for match in WORD.finditer(text) for key in word_keys(match.group())}


# --- the query ----------------------------------------------------------------------------------


def clean_query(asked: str) -> tuple[str, bool]:
    """The query as searched (printable, spaces collapsed, at most SEARCH_MAX_LENGTH characters)
    and whether it had to be shortened."""
    printable = "".join(ch for ch in asked if ch.isprintable() or ch.isspace())
    collapsed = " ".join(printable.split())
    return collapsed[:SEARCH_MAX_LENGTH].strip(), len(collapsed) > SEARCH_MAX_LENGTH


@dataclass
class Term:
    """One word of the query and the catalog words it stands for, each with a match quality."""

    typed: str
    key: str
    expansions: dict[str, float] = field(default_factory=dict)

    @property
    def corrected_to(self) -> list[str]:
        """The catalog words a word the catalog lacks was taken as (empty if it has the word)."""
        if any(quality >= PREFIX for quality in self.expansions.values()):
            return []
        return list(self.expansions)


def query_terms(query: str) -> list[Term]:
    """The distinct words of a query, filler words dropped unless nothing else is left."""
    words = WORD.findall(query.replace("/", " "))
    terms: list[Term] = []
    for word in words:
        key = stem("".join(part for part in JOINERS.split(fold(word)) if part))
        if key and key not in {term.key for term in terms}:
            terms.append(Term(word, key))
    meaningful = [term for term in terms if term.key not in STOP_WORDS]
    return (meaningful or terms)[:SEARCH_MAX_WORDS]


def related(a: str, b: str) -> bool:
    shared = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return shared >= max(RELATED_PREFIX, min(len(a), len(b)) - RELATED_TAIL) and a != b


def compounds(terms: list[Term], vocabulary: set[str]) -> list[Term]:
    """Adjacent words the catalog writes as one ("hand off" -> hand-off, handoff) become one."""
    merged: list[Term] = []
    for term in terms:
        if merged and (joined := merged[-1].key + term.key) in vocabulary:
            merged[-1] = Term(f"{merged[-1].typed} {term.typed}", joined)
        else:
            merged.append(term)
    return merged


def expand(terms: list[Term], vocabulary: set[str], abbreviations: set[str] = frozenset()) -> None:
    """Fill each term's catalog words: itself, words it begins, other forms of it, or else (when
    the catalog has none of these) the nearest spellings. An abbreviation stands only for itself."""
    ordered = sorted(vocabulary)
    for term in terms:
        if term.key in vocabulary:
            term.expansions[term.key] = EXACT
        if term.key in abbreviations:
            continue
        for word in ordered:
            if word != term.key and word.startswith(term.key):
                term.expansions[word] = PREFIX
            elif related(term.key, word):
                term.expansions[word] = RELATED
        if term.expansions or len(term.key) < FUZZY_MIN_LENGTH:
            continue
        for word, similarity, _ in process.extract(
            term.key,
            ordered,
            scorer=OSA.normalized_similarity,
            score_cutoff=FUZZY_CUTOFF,
            limit=FUZZY_LIMIT,
        ):
            term.expansions[word] = FUZZY * similarity


# --- what is searched ---------------------------------------------------------------------------

TITLE, NAME, BODY = 3.0, 2.0, 1.0


@dataclass
class Field:
    text: str
    weight: float

    @cached_property
    def keys(self) -> set[str]:
        return text_keys(self.text)


@dataclass
class Document:
    """One findable item: its kind, where it lives, and its fields (the first is its title)."""

    kind: str
    title: str
    url: str
    fields: list[Field]
    context: str = ""
    accent: int | None = None
    rank: int = 0  # the kind's place, then the catalog's order, breaks ties
    other_titles: list[str] = field(default_factory=list)  # a role's other names, also fields

    @cached_property
    def keys(self) -> set[str]:
        return set().union(*(f.keys for f in self.fields))

    @cached_property
    def abbreviations(self) -> set[str]:
        """The keys of its one-word short other titles ("PO", "PgM")."""
        return {
            key
            for title in self.other_titles
            if len(title) <= ABBREVIATION_MAX_LENGTH and WORD.fullmatch(title)
            for key in word_keys(title)
        }


def documents() -> list[Document]:
    """Everything the catalog lets a reader find, in 7 queries whatever its size."""
    found: list[Document] = []
    for role in Role.objects.all():
        found.append(
            Document(
                "Role",
                role.name,
                role.get_absolute_url(),
                [
                    Field(role.name, TITLE),
                    *(Field(title, TITLE) for title in role.other_title_list),
                    Field(role.short_name, NAME),
                    Field(role.summary, BODY),
                    Field(role.main_goal, BODY),
                    Field(role.description, BODY),
                ],
                accent=role.accent,
                other_titles=role.other_title_list,
            )
        )
    for item in Responsibility.objects.select_related("role", "function").order_by(
        "role__order", "function__order", "order", "slug"
    ):
        found.append(
            Document(
                "Responsibility",
                item.title,
                item.get_absolute_url(),
                [
                    Field(item.title, TITLE),
                    Field(item.description, BODY),
                    Field(item.function.name, NAME),
                ],
                context=f"{item.role.label} · {item.function.name}",
                accent=item.role.accent,
                rank=1,
            )
        )
    holders = RoleKnowledge.objects.select_related("role", "area").order_by("role__order")
    for area in KnowledgeArea.objects.prefetch_related(Prefetch("holders", queryset=holders)):
        held = list(area.holders.all())
        if not held:
            continue  # an area nobody holds has no page to link to
        found.append(
            Document(
                "Knowledge",
                area.name,
                held[0].get_absolute_url(),
                [
                    Field(area.name, TITLE),
                    Field(area.description, BODY),
                    *(Field(f"{h.role.label}: {h.note}", BODY) for h in held if h.note),
                ],
                context=", ".join(h.role.label for h in held),
                rank=2,
            )
        )
    parts = Contribution.objects.select_related("role").order_by("role__order")
    for activity in Collaboration.objects.prefetch_related(Prefetch("contributions", parts)):
        found.append(
            Document(
                "Shared activity",
                activity.title,
                activity.get_absolute_url(),
                [
                    Field(activity.title, TITLE),
                    Field(activity.description, BODY),
                    *(
                        Field(f"{part.role.label} ({part.raci}): {part.text}", BODY)
                        for part in activity.contributions.all()
                    ),
                ],
                rank=3,
            )
        )
    for trait in Trait.objects.select_related("role", "dimension").order_by(
        "dimension__order", "role__order"
    ):
        found.append(
            Document(
                "At a glance",
                f"{trait.role.label}: {trait.dimension.name}",
                trait.get_absolute_url(),
                [Field(trait.dimension.name, NAME), Field(trait.text, BODY)],
                context=trait.role.label,
                accent=trait.role.accent,
                rank=4,
            )
        )
    for position, document in enumerate(found):
        document.rank = document.rank * 100_000 + position
    return found


# --- matching and showing -----------------------------------------------------------------------


@dataclass
class Hit:
    document: Document
    score: float
    matched: set[str]  # the catalog words that matched, for marking
    terms: list[Term] = field(default_factory=list)  # the query's words, expanded

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def url(self) -> str:
        return self.document.url

    @property
    def context(self) -> str:
        return self.document.context

    @property
    def accent(self) -> int | None:
        return self.document.accent

    @property
    def title_html(self) -> SafeString:
        return mark(self.document.title, self.matched)

    @cached_property
    def matched_title(self) -> str:
        """The other title the query found the role by, when it matches some query word better
        than the name does ("PO"; "program manager", not the "programme" of the name): the one
        that matches best, then the shortest ("program manager" before "technical …")."""

        def quality(keys: set[str]) -> list[float]:
            return [max((t.expansions.get(k, 0.0) for k in keys), default=0.0) for t in self.terms]

        name = quality(text_keys(self.document.title))
        found = []
        for title in self.document.other_titles:
            own = quality(keys := text_keys(title))
            if any(mine > theirs for mine, theirs in zip(own, name, strict=True)):
                found.append((sum(own), -len(keys), title))
        return max(found)[2] if found else ""

    @property
    def matched_title_html(self) -> SafeString:
        return mark(self.matched_title, self.matched)

    def snippet(self, width: int) -> SafeString:
        """Why it matched: the body text with most matched words, marked, cut around them."""
        bodies = [f for f in self.document.fields[1:] if f.text and f.weight == BODY]
        if not bodies:
            return mark_safe("")
        best = max(bodies, key=lambda f: len(f.keys & self.matched))
        return mark(excerpt(best.text, self.matched, width), self.matched)

    @property
    def snippet_html(self) -> SafeString:
        return self.snippet(180)

    @property
    def short_snippet_html(self) -> SafeString:
        return self.snippet(90)


def score(document: Document, terms: list[Term]) -> Hit | None:
    """The document's relevance if every term matches somewhere in it, else None."""
    total, matched = 0.0, set()
    for term in terms:
        best = 0.0
        for f in document.fields:
            common = f.keys & term.expansions.keys()
            if common:
                matched |= common
                best = max(best, f.weight * max(term.expansions[k] for k in common))
        if not best:
            return None
        total += best
    return Hit(document, total, matched, terms)


def mark(text: str, matched: set[str]) -> SafeString:
    """`text` escaped, each word that matched wrapped in <mark>."""
    pieces, end = [], 0
    for match in WORD.finditer(text):
        if word_keys(match.group()) & matched:
            pieces.append(escape(text[end : match.start()]))
            pieces.append(format_html("<mark>{}</mark>", match.group()))
            end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))


def excerpt(text: str, matched: set[str], width: int) -> str:
    """About `width` characters of `text` around its first matched word, cut at spaces."""
    if len(text) <= width:
        return text
    first = next((m.start() for m in WORD.finditer(text) if word_keys(m.group()) & matched), 0)
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    if start and (space := text.find(" ", start, first)) >= 0:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first, end)) > first:
        end = space
    return f"{'…' if start else ''}{text[start:end].strip()}{'…' if end < len(text) else ''}"


@dataclass
class SearchResults:
    query: str
    terms: list[Term]
    hits: list[Hit]

    @property
    def corrections(self) -> list[tuple[str, list[str]]]:
        """(typed word, catalog words used instead) for each misspelt word."""
        return [(term.typed, term.corrected_to) for term in self.terms if term.corrected_to]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)


def search(query: str, docs: Iterable[Document] | None = None) -> SearchResults:
    """Every catalog item matching every word of `query`, best first."""
    terms = query_terms(query)
    if not terms:
        return SearchResults(query, [], [])
    docs = documents() if docs is None else list(docs)
    vocabulary = set().union(*(d.keys for d in docs)) if docs else set()
    abbreviations = set().union(*(d.abbreviations for d in docs)) if docs else set()
    terms = compounds(terms, vocabulary)
    expand(terms, vocabulary, abbreviations)
    hits = [hit for document in docs if (hit := score(document, terms))]
    hits.sort(key=lambda hit: (-hit.score, hit.document.rank))
    return SearchResults(query, terms, hits)
