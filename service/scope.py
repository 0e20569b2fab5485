"""What the corpus covers: its home region and the years it speaks of, derived from the documents.

A question about another place ("上海市的低保标准是多少？") or a year the gazettes never mention
must not be answered with the home city's figures. Nothing here is a fixed list of this city's
places: the home region is read from the issuers of the indexed documents, and place names come
from the administrative-division table shipped with the `cpca` package.

Each document applies to a region, read from its issuer the same way: a central body's documents
(国务院, 民政部, a 国发 / 国令 文号) apply everywhere, a city's to the city and its counties. A
question about another place is answered from what applies there, and a refusal says what the
corpus holds (聊城市 alone, or 聊城市 and the national level).
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from indexer.models import Document
from indexer.lexical import domain_tokenizer, pos_tokenizer

from . import wording as W
from .vocabulary import CENTRAL_BODY_ENDINGS, HOME_WORDS, LOCAL_ISSUER_OPENERS, NATIONAL_DOCNUM_OPENERS, NATIONAL_ISSUER_OPENERS

# Suffixes of administrative names, longest first: 自治州 before 州.
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区", "省", "市", "县", "区", "盟", "旗")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
NATIONAL = ""  # the region of a central body's documents: the prefix of every adcode


@dataclass(frozen=True)
class Division:
    name: str
    code: str  # 12-digit adcode: 2 digits province, 2 city, 2 county


def place_stem(name: str) -> str:
    """济南市 → 济南: the name without its administrative suffix (kept whole when too short)."""
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def _adcode_table() -> Path:
    """cpca's data file, found without importing cpca (its __init__ loads pandas and pkg_resources)."""
    spec = find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the place table needs the cpca package: pip install cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def divisions() -> dict[str, tuple[Division, ...]]:
    """Administrative divisions by full name and by stem (济南市 and 济南), from cpca's adcode table."""
    table = _adcode_table().read_text("utf-8")
    out: dict[str, list[Division]] = {}
    for row in csv.DictReader(table.splitlines()):
        name, code = row["name"].strip(), row["adcode"].strip()
        if not name or not code.isdigit() or name in ("市辖区", "县", "省直辖县级行政区划"):
            continue
        d = Division(name, code)
        for key in {name, place_stem(name)}:
            if len(key) >= 2:
                out.setdefault(key, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


def _city_prefix(code: str) -> str:
    """The 4-digit city part of an adcode; a municipality (北京, 上海…) is its own city."""
    return code[:4]


def issuer_division(issuer: str | None) -> Division | None:
    """The division whose name the issuer starts with (聊城市人民政府 → 聊城市), a city before a
    county of the same name; None for an issuer that starts with no place (国务院, 民政部)."""
    table = divisions()
    issuer = issuer or ""
    for n in range(min(len(issuer), 8), 1, -1):
        hits = table.get(issuer[:n])
        if hits:
            return ([h for h in hits if h.code[4:6] == "00" and h.code[2:4] != "00"] or list(hits))[0]
    return None


def home_cities(docs: list[Document]) -> tuple[str, ...]:
    """City adcode prefixes of the place names the issuers start with (聊城市人民政府 → 3715)."""
    counts: Counter[str] = Counter()
    for d in docs:
        found = None if is_national(d.issuer, d.docnum) else issuer_division(d.issuer)
        if found:
            counts[_city_prefix(found.code)] += 1
    return tuple(c for c, _ in counts.most_common())


def issuer_base(issuer: str) -> str:
    """聊城市人民政府办公室 → 聊城市人民政府, 民政部办公厅 → 民政部: an office speaks for its government."""
    return re.sub(r"(办公室|办公厅)$", "", issuer.strip())


def _names_place(text: str) -> bool:
    """Whether the text names a province or city (by any name) or a county (by its full name)."""
    table = divisions()
    for i in range(len(text) - 1):
        for j in range(i + 2, min(len(text), i + 8) + 1):
            word = text[i:j]
            hits = table.get(word)
            if hits and (any(_is_city_or_province(d) for d in hits) or (len(word) >= 3 and word != place_stem(word))):
                return True
    return False


def is_national(issuer: str | None, docnum: str | None = None) -> bool:
    """A central body's document, which applies everywhere: a national 文号 (国发, 国办函, 国令), or an
    issuer that names no place and is the central government or one of its bodies (vocabulary.py)."""
    if docnum and docnum.startswith(NATIONAL_DOCNUM_OPENERS):
        return True
    base = issuer_base(issuer or "")
    if not base or _names_place(base):  # 国家税务总局聊城市税务局: a local office
        return False
    return base.startswith(NATIONAL_ISSUER_OPENERS) or (base.endswith(CENTRAL_BODY_ENDINGS) and not base.startswith(LOCAL_ISSUER_OPENERS))


def _region_prefix(code: str) -> str:
    """The adcode prefix of a division and all that lies in it: 37 (a province), 3715, 371521."""
    if code[2:].strip("0") == "":
        return code[:2]
    return code[:4] if code[4:].strip("0") == "" else code[:6]


def region_of(issuer: str | None, docnum: str | None = None) -> str | None:
    """Where a document applies, as an adcode prefix: NATIONAL ("") for a central body, "3715" for
    聊城市人民政府, "371521" for a county's government; None when the issuer says no place."""
    if is_national(issuer, docnum):
        return NATIONAL
    found = issuer_division(issuer)
    return _region_prefix(found.code) if found else None


def _within(region: str | None, outer: str | None) -> bool:
    """Whether a document's region lies in another (an unknown region is never named as another)."""
    if region is None:
        return True
    if outer is None:
        return False
    return region == outer if outer == NATIONAL else region.startswith(outer)


def issuers_beyond(docs: list[Document], outer: str | None) -> tuple[str, ...]:
    """The issuers (offices as their governments) whose documents apply outside a region, most
    documents first: ("国务院", "民政部") beyond 聊城 (3715)."""
    counts = Counter(issuer_base(d.issuer) for d in docs if d.issuer and not _within(region_of(d.issuer, d.docnum), outer))
    return tuple(name for name, _ in counts.most_common())


@dataclass
class CorpusScope:
    home: tuple[str, ...]  # city adcode prefixes of the issuers
    home_name: str  # 聊城市
    corpus_name: str  # 聊城市人民政府公报: what the answers say they cover
    years: frozenset[str]  # every year the corpus mentions or was signed in
    first_year: int | None
    last_year: int | None
    titles: tuple[str, ...] = ()  # document titles: a place inside a named plan is not a question's place
    regions: dict[str, str | None] = field(default_factory=dict)  # doc_id → where it applies (region_of)
    national: bool = False  # the corpus holds documents of central bodies
    held_places: tuple[str, ...] = ()  # other places whose own documents it holds (济南市), most documents first

    @classmethod
    def of(cls, docs: list[Document], texts: list[str], corpus_name: str | None = None) -> "CorpusScope":
        home = home_cities(docs)
        table = divisions()
        home_name = next((d.name for ds in table.values() for d in ds if home and d.code == f"{home[0]}00000000"), "")
        signed = sorted(int(d.date[:4]) for d in docs if d.date)
        years = {y for t in texts for y in _YEAR_IN_TEXT.findall(t)} | {str(y) for y in signed}
        regions = {d.doc_id: region_of(d.issuer, d.docnum) for d in docs}
        outer = _region_prefix(home[0].ljust(12, "0")) if home else None  # 3715; a province or municipality: 37, 31
        held = Counter(found.name for d in docs if regions[d.doc_id] and not _within(regions[d.doc_id], outer)
                       and (found := issuer_division(d.issuer)))
        beyond = issuers_beyond(docs, outer)
        if corpus_name:
            name = corpus_name
        elif beyond:  # never a home-only name for a corpus that holds more: 聊城市人民政府公报及国务院等文件
            name = f"{home_name}人民政府公报及{beyond[0]}等文件" if home_name else f"{beyond[0]}等文件"
        else:
            name = f"{home_name}人民政府公报" if home_name else "公报"
        return cls(home, home_name, name, frozenset(years), signed[0] if signed else None, signed[-1] if signed else None,
                   tuple(d.title for d in docs), regions, NATIONAL in regions.values(), tuple(p for p, _ in held.most_common()))

    @property
    def beyond_home(self) -> bool:
        """Whether the corpus holds documents of other places or of central bodies."""
        return self.national or bool(self.held_places)

    def holdings(self) -> str:
        """What the corpus holds, for a refusal: 聊城市和国家层面, 聊城市、济南市和国家层面."""
        names = [*([self.home_name] if self.home_name else []), *self.held_places, *([W.NATIONAL_LEVEL] if self.national else [])]
        if len(names) < 2:
            return "".join(names)
        return W.LIST_SEPARATOR.join(names[:-1]) + W.LIST_LAST + names[-1]

    def is_home(self, place: str) -> bool:
        """A place of the home city (the city most issuers name); another city whose documents the
        corpus holds is not home: a question about it is answered from what applies there."""
        if place in HOME_WORDS:
            return True
        found = divisions().get(place) or divisions().get(place_stem(place))
        return not found or any(_city_prefix(d.code) in self.home[:1] for d in found)

    def applies_to(self, doc_id: str, place: str) -> bool:
        """Whether a document applies to a place: a central body's everywhere, a region's within it."""
        region = self.regions.get(doc_id)
        if region is None:
            return False
        found = divisions().get(place) or divisions().get(place_stem(place)) or ()
        return region == NATIONAL or any(d.code.startswith(region) for d in found)

    def foreign_places(self, question: str, places: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """Administrative places named in the question that lie outside the home region (`places`:
        the question's places when already found, Question.places)."""
        named = places_in(question) if places is None else places
        return tuple(p for p in named if not self.is_home(p) and not self._in_title(question, p))

    def _in_title(self, question: str, place: str) -> bool:
        """The place is part of a document's name the question quotes ("突破菏泽鲁西崛起的实施方案")."""
        i = question.find(place)
        spans = (question[max(i - 2, 0) : i + len(place)], question[i : i + len(place) + 2])
        return any(len(span) > len(place) and any(span in t for t in self.titles) for span in spans)

    def unknown_years(self, years: tuple[str, ...]) -> tuple[str, ...]:
        """Years named in the question that no indexed text mentions."""
        return tuple(y for y in years if y not in self.years)


def places_in(question: str) -> tuple[str, ...]:
    """Place names in a question: jieba's place tags (ns) or full names, checked against the division table."""
    table = divisions()
    if not any(w.strip() in table for w in domain_tokenizer().lcut(question, HMM=False)):
        return ()  # no place name at all: the tagger (0.8 s to load) is not needed
    out = []
    for w in pos_tokenizer().lcut(question, HMM=False):
        word = w.word.strip()
        if len(word) < 2 or word in out or word not in table:
            continue
        if not (w.flag == "ns" or word != place_stem(word)):
            continue
        # a province or city by any name; a county only by its full name of 3+ characters, since
        # short county names are also common words ("市和县" holds 和县, "主城区" holds 城区)
        if any(_is_city_or_province(d) for d in table[word]) or (len(word) >= 3 and word != place_stem(word)):
            out.append(word)
    return tuple(out)


def _is_city_or_province(d: Division) -> bool:
    return d.code[4:] == "00000000"


DEFAULT_CORPUS_NAME = "政府公报"


def corpus_name(documents: list[Document], configured: str | None = None) -> str:
    """What the pages call the corpus: the setting, else derived from the documents' issuers.

    One issuing government: "聊城市人民政府公报" (or "…文件" when no document comes from a
    gazette issue). Several: the most common one, and the most common issuer whose documents
    apply beyond its region, "…公报及国务院等文件" (a central body, another city), else
    "…公报等政府文件" (its own departments and counties). None: "政府公报".
    """
    if configured and configured.strip():
        return configured.strip()
    bases = Counter(issuer_base(d.issuer) for d in documents if d.issuer)
    if not bases:
        return DEFAULT_CORPUS_NAME
    top = bases.most_common(1)[0][0]
    kind = "公报" if any(d.issue for d in documents) else "文件"
    if len(bases) == 1:
        return f"{top}{kind}"
    beyond = issuers_beyond(documents, region_of(top))
    return f"{top}{kind}及{beyond[0]}等文件" if beyond else f"{top}{kind}等政府文件"

