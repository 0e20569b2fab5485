"""What the corpus covers: its home region and the years it speaks of, derived from the documents.

A question about another place ("上海市的低保标准是多少？") or a year the gazettes never mention
must not be answered with the home city's figures. Nothing here is a fixed list of this city's
places: the home region is read from the issuers of the indexed documents, and place names come
from the administrative-division table shipped with the `cpca` package.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from indexer.models import Document
from indexer.lexical import domain_tokenizer, pos_tokenizer

from .vocabulary import HOME_WORDS

# Suffixes of administrative names, longest first: 自治州 before 州.
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区", "省", "市", "县", "区", "盟", "旗")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


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


def home_cities(docs: list[Document]) -> tuple[str, ...]:
    """City adcode prefixes of the place names the issuers start with (聊城市人民政府 → 3715)."""
    counts: Counter[str] = Counter()
    table = divisions()
    for d in docs:
        issuer = d.issuer or ""
        for n in range(min(len(issuer), 8), 1, -1):
            hits = table.get(issuer[:n])
            if hits:
                city = [h for h in hits if h.code[4:6] == "00" and h.code[2:4] != "00"] or list(hits)
                counts[_city_prefix(city[0].code)] += 1
                break
    return tuple(c for c, _ in counts.most_common())


@dataclass
class CorpusScope:
    home: tuple[str, ...]  # city adcode prefixes of the issuers
    home_name: str  # 聊城市
    corpus_name: str  # 聊城市人民政府公报: what the answers say they cover
    years: frozenset[str]  # every year the corpus mentions or was signed in
    first_year: int | None
    last_year: int | None
    titles: tuple[str, ...] = ()  # document titles: a place inside a named plan is not a question's place

    @classmethod
    def of(cls, docs: list[Document], texts: list[str], corpus_name: str | None = None) -> "CorpusScope":
        home = home_cities(docs)
        table = divisions()
        home_name = next((d.name for ds in table.values() for d in ds if home and d.code == f"{home[0]}00000000"), "")
        signed = sorted(int(d.date[:4]) for d in docs if d.date)
        years = {y for t in texts for y in _YEAR_IN_TEXT.findall(t)} | {str(y) for y in signed}
        name = corpus_name or (f"{home_name}人民政府公报" if home_name else "公报")
        return cls(home, home_name, name, frozenset(years), signed[0] if signed else None, signed[-1] if signed else None,
                   tuple(d.title for d in docs))

    def is_home(self, place: str) -> bool:
        if place in HOME_WORDS:
            return True
        found = divisions().get(place) or divisions().get(place_stem(place))
        return not found or any(_city_prefix(d.code) in self.home for d in found)

    def foreign_places(self, question: str) -> tuple[str, ...]:
        """Administrative places named in the question that lie outside the home region."""
        return tuple(p for p in places_in(question) if not self.is_home(p) and not self._in_title(question, p))

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
