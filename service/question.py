"""A question, parsed once: what it asks for, its key terms, the figure it wants, its constraints.

`parse_question` is the only place that reads the raw string; evidence selection and answer
writing receive the `Question` (as llama_index passes a QueryBundle down its pipeline).
"""
from __future__ import annotations

import re
from datetime import date
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property, lru_cache

from indexer import numerals as N
from indexer.lexical import tokenize, word_bounds
from indexer.text import DECREE_RE, DOCNUM_RE, normalize_docnum, normalize_for_index

from . import patterns as P
from . import vocabulary as V
from .scope import places_in

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*年|(?=\D|$))")
MONTH_RE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月")
DAY_RE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})[日号]")
ORDINAL_RE = re.compile(rf"第[{N.COUNT_NUMERALS}\d]++[届次期批]?(?!{V.NOT_ORDINAL_NEXT})|\d+[届次期]")  # ++: no backtracking into 第十一步

_MEASURE_RE = re.compile(rf"多少({'|'.join(V.MEASURE_WORDS)})|几({'|'.join(V.MEASURE_WORDS)})")
_COUNT = "|".join(V.COUNT_CLASSIFIERS)


@dataclass(frozen=True)
class Intent:
    figure: bool = False
    date: bool = False
    day: bool = False  # "哪天开幕": a date to the day answers it, a year alone does not
    department: bool = False
    procedure: bool = False
    document: bool = False  # "聊政办字〔2018〕76号是什么文件"
    person: bool = False  # "谁被任命为…", "谁主持的会议"
    yes_no: bool = False  # "能直接要过来用吗？": a rule that allows or forbids answers it
    validity: bool = False  # "这个办法还有效吗？": the document's 施行 / 有效期 clause answers it
    former: bool = False  # "原来是谁？": the removal (免去…职务) answers it, not only the appointment
    new_post: bool = False  # "新任什么职务", "调到哪了": the appointment line answers it
    issued: bool = False  # "是哪天签发的": the document's date line answers it
    phone: bool = False  # "反馈电话是多少": a telephone number answers it, nothing else
    address: bool = False  # "在哪条路上": a street address answers it


@dataclass(frozen=True)
class Question:
    text: str  # as asked, stripped
    query: str  # what is retrieved: the text, with the previous question for a follow-up
    expanded_query: str  # the query plus the gazettes' terms for its everyday words (BM25)
    terms: tuple[str, ...]  # key terms, question words removed
    intent: Intent
    wanted_figure: re.Pattern | None  # what a figure answer must match; None: any figure
    years: tuple[str, ...] = ()
    months: tuple[tuple[str, str], ...] = ()  # (year, month) pairs named together
    days: tuple[str, ...] = ()  # ISO dates named to the day ("2020年4月14日"): a chronicle item must be of that day
    ordinals: tuple[str, ...] = ()  # 第三, 第64次: must match exactly
    docnum: str | None = None  # a 文号 named in the question, normalised
    # the 文号 retrieval puts first: the query's (a follow-up's query holds its subject's 文号 too)
    query_docnum: str | None = None
    # The clauses of a question that asks several things ("现在是谁？原来是谁？"), each parsed on
    # its own; empty for a single question. Each part gets its own evidence.
    parts: tuple["Question", ...] = ()
    # the text on either side of each asked slot: ("收入由", "征收") for "收入由哪个部门征收"
    frames: tuple[tuple[str, str], ...] = ()
    people: tuple[str, ...] = ()  # the people the question names, of those the corpus names
    counted: tuple[str, ...] = ()  # the words of what a count asks about ("多少家上市公司" → 上市公司)

    @cached_property
    def places(self) -> tuple[str, ...]:
        """The administrative place names in the question (scope.places_in), found once, on first
        use: search never needs them, and a name makes places_in load jieba's tagger (0.4 s)."""
        return places_in(self.text)


def named_days(text: str) -> tuple[str, ...]:
    """ISO dates the text names to the day; an impossible date (2月30日) names none."""
    out = []
    for y, m, d in DAY_RE.findall(text):
        try:
            out.append(date(int(y), int(m), int(d)).isoformat())
        except ValueError:
            continue
    return tuple(dict.fromkeys(out))


def question_intent(q: str) -> Intent:
    phone = bool(re.search(V.PHONE_CUES, q))
    return Intent(
        figure=bool(re.search(V.FIGURE_CUES, q)) and not phone,  # "电话是多少" asks no figure
        date=bool(re.search(V.DATE_CUES, q)),
        day=bool(re.search(V.DAY_CUES, q)),
        department=bool(re.search(V.DEPARTMENT_CUES, q)),
        procedure=bool(re.search(V.PROCEDURE_CUES, q)),
        document=bool(normalize_docnum(q)) and (
            bool(re.search(V.DOCUMENT_CUES, q)) or all(t in V.DOCUMENT_WORDS for t in content_terms(q))
        ),
        person=bool(re.search(V.PERSON_CUES, q)) and not re.search(V.NOT_PERSON_CUES, q),
        yes_no=bool(re.search(V.YES_NO_CUES, q)),
        validity=bool(re.search(V.VALIDITY_CUES, q)),
        former=bool(re.search(V.FORMER_HOLDER_CUES, q) or re.search(rf"(?:{V.NEW_POST_CUES})(?:{V.BEFORE_NEW_POST})", q)),
        new_post=bool(re.search(rf"(?:{V.NEW_POST_CUES})(?!{V.BEFORE_NEW_POST})", q)),
        issued=bool(re.search(V.ISSUED_CUES, q)),
        phone=phone,
        address=bool(re.search(V.ADDRESS_CUES, q)),
    )


def is_follow_up(q: str) -> bool:
    """An elliptical question that leans on the previous one: "那农村的呢？", "这个办法由哪个部门负责？"."""
    return len(q) <= 20 and bool(
        re.match(V.FOLLOW_UP_OPENERS, q) or re.search(r"(呢|的呢)[？?]?$", q) or re.search(V.FOLLOW_UP_REFERENCES, q)
    )


# What the previous question asked ("什么时候开始施行"), as opposed to what it was about: a
# follow-up ("这个办法由哪个部门负责？") keeps the subject and asks its own thing.
ASKING_PHRASE_RE = re.compile("|".join((V.VALIDITY_CUES, V.DATE_CUES, V.FIGURE_CUES, V.DEPARTMENT_CUES,
                                         V.PROCEDURE_CUES, V.PERSON_CUES, V.FORMER_HOLDER_CUES)))


def retrieval_query(question: str, history: list[dict]) -> str:
    """The question, with the subject of the previous user question prepended when it is an elliptical follow-up."""
    previous = [h["content"] for h in history if h.get("role") == "user" and h.get("content", "").strip()]
    if previous and is_follow_up(question):
        subject = re.sub(r"[\s？?！!。，,]+", " ", ASKING_PHRASE_RE.sub(" ", previous[-1])).strip()
        return f"{subject} {question}"
    return question


def content_terms(question: str, whole: Collection[str] = ()) -> list[str]:
    """Key terms: jieba tokens that are not question words, nor the 文号 itself; the names in
    `whole` (people the corpus names) are taken as they are, before jieba cuts them."""
    text = DECREE_RE.sub(" ", DOCNUM_RE.sub(" ", normalize_for_index(question)))
    text = re.sub(V.WHEN_ASKED, " ", re.sub(V.COUNT_ASKED, " ", re.sub(V.A_NOT_A, " ", text)))
    names = names_in(text, whole)
    for n in names:
        text = text.replace(n, " ")
    toks = [t for t in tokenize(text) if t not in V.QUESTION_WORDS and not is_interrogative(t)]
    return list(dict.fromkeys([*names, *toks]))


def everyday_phrases_in(text: str) -> list[str]:
    """The lexicon's everyday words of two characters or more that the text holds as whole words
    (starting and ending where jieba starts and ends one), longest first at each place."""
    words, lengths = _lexicon_words()
    starts, ends = word_bounds(text)
    found: list[str] = []
    i = 0
    while i < len(text):
        hit = next((text[i:i + n] for n in lengths if i in starts and i + n in ends and text[i:i + n] in words), None)
        if hit:
            found.append(hit)
        i += len(hit) if hit else 1
    return found


@lru_cache(maxsize=1)
def _lexicon_words() -> tuple[frozenset[str], tuple[int, ...]]:
    words = frozenset(w for w in V.colloquial_lexicon() if len(w) >= 2)
    return words, tuple(sorted({len(w) for w in words}, reverse=True))


def names_in(text: str, names: Collection[str]) -> list[str]:
    """The names the text holds, longest first at each place: a look-up per window of a name's
    length, so a corpus that names thousands of people costs no more per question than one."""
    found: list[str] = []
    i = 0
    while i < len(text) and names:
        hit = next((text[i:i + n] for n in range(V.NAME_CHARS[1], V.NAME_CHARS[0] - 1, -1) if text[i:i + n] in names), None)
        if hit:
            found.append(hit)
        i += len(hit) if hit else 1
    return found


def is_interrogative(token: str) -> bool:
    return any(ch in V.INTERROGATIVE_CHARS for ch in token)


def official_terms(terms: tuple[str, ...] | list[str]) -> list[str]:
    """The gazettes' words for the everyday words among terms (a key also counts inside a term: 低保户)."""
    lex = V.colloquial_lexicon()
    out: list[str] = []
    for t in terms:
        for word, official in lex.items():
            if word == t or (len(word) >= 2 and word in t):
                out.extend(o for o in official if o != t)
    return list(dict.fromkeys(out))


_CN_NUMBER_RE = re.compile(f"[{N.BELOW_HUNDRED_NUMERALS}]+")
_BELOW_HUNDRED_RE = re.compile(N.BELOW_HUNDRED)
_COUNTED_RE = re.compile(f"^[{N.BELOW_HUNDRED_NUMERALS}]+个?(?:{'|'.join(V.COUNTED_UNITS)})$")


def with_arabic_numerals(term: str) -> str:
    """The term with its Chinese numerals below 100 written in digits ("两年" → "2年"), as the
    gazettes often write counts; a run that is no such numeral ("一二") stays as written."""
    return _CN_NUMBER_RE.sub(lambda m: str(N.cn_number(m[0])) if _BELOW_HUNDRED_RE.fullmatch(m[0]) else m[0], term)


@lru_cache(maxsize=4096)
def term_variants(term: str) -> tuple[str, ...]:
    """The term, the gazettes' words for it, its digits form ("两年" → "2年"), and compounds with
    an everyday word inside ("城市低保" → "城市最低生活保障")."""
    lex = V.colloquial_lexicon()
    out = [term, *lex.get(term, ())]
    if _COUNTED_RE.match(term):  # "两年", "三个月": a count the gazettes may write in digits
        out.append(with_arabic_numerals(term))
    for word, official in lex.items():
        if word != term and len(word) >= 2 and word in term:
            out.extend(term.replace(word, o) for o in official)
            out.extend(official)
    return tuple(dict.fromkeys(out))


def expected_figure(question: str) -> re.Pattern | None:
    """What a figure answer must contain: money for 多少钱/补贴; the measure word asked for; else any figure."""
    if re.search(V.MONEY_CUES, question):
        return P.MONEY_RE
    if re.search(V.MONEY_TOPIC_CUES, question) and re.search(r"多少|几|多高|标准", question):
        return P.MONEY_OR_PERCENT_RE
    if re.search(V.DURATION_CUES, question):
        return P.DURATION_RE
    m = _MEASURE_RE.search(question)
    if m:
        unit = m.group(1) or m.group(2)
        # 个 is the general classifier: "多少个基站" is answered by "建成5G基站1500处"
        unit = _COUNT if unit in V.COUNT_CLASSIFIERS else unit
        return P.counted_figure_re(unit)
    return None


# "聊政发2023年7号", "聊政发 2023 7号": a 文号 typed without brackets
_BARE_DOCNUM = re.compile(r"(?P<prefix>[\u4e00-\u9fff]{1,8}?(?:发|字|函|任|办))\s*(?P<year>(?:19|20)\d\d)\s*年?\s*(?:第\s*)?(?P<num>\d{1,4})\s*号")


def canonical_docnums(text: str) -> str:
    """The text with bracketless 文号 written the usual way (聊政发〔2023〕7号)."""
    return _BARE_DOCNUM.sub(lambda m: f"{m['prefix']}〔{m['year']}〕{m['num']}号", text)


_ASKED_SLOT_RE = re.compile(V.ASKED_SLOT)
_FRAME_BREAK_RE = re.compile(rf"{V.CLAUSE_BREAK}|{V.SUBCLAUSE_BREAK}|[。！!：:\s]")


def slot_frames(text: str) -> tuple[tuple[str, str], ...]:
    """(left, right) context of each question word, within its clause: the answer is the words
    a sentence puts between them ("排污权出让收入由[税务部门]征收")."""
    n = V.FRAME_CONTEXT_CHARS
    out = []
    for clause in _FRAME_BREAK_RE.split(text):
        for m in _ASKED_SLOT_RE.finditer(clause):
            right = re.sub(r"^[的是]", "", clause[m.end():])
            out.append((clause[:m.start()][-n:], right[:n]))
    return tuple(dict.fromkeys(out))


def question_clauses(text: str) -> list[str]:
    """The separately asked clauses of a question: split after each question mark or semicolon,
    and at a comma between two pieces that each ask something."""
    pieces = [p.strip(" ，,") for p in re.split(V.CLAUSE_BREAK, text)]
    return [c for p in pieces if len(p) >= V.MIN_CLAUSE_CHARS for c in asking_pieces(p)]


def asking_pieces(clause: str) -> list[str]:
    """A clause cut at its commas into pieces that each hold a question word (context joins the next)."""
    out: list[str] = []
    context: list[str] = []
    for piece in filter(None, re.split(V.SUBCLAUSE_BREAK, clause)):
        context.append(piece)
        if re.search(V.ASKING_CUES, piece):
            out.append("，".join(context))
            context = []
    if len(out) < 2:
        return [clause]
    out[-1] = "，".join([out[-1], *context])
    return out


def parse_question(text: str, history: list[dict] | None = None, is_rare: Callable[[str], bool] | None = None,
                   whole: Collection[str] = ()) -> Question:
    """The question parsed once; everything downstream reads this, not the raw string.

    `is_rare(term)` says whether the corpus (almost) never uses a term: only such everyday words
    are expanded to the gazettes' terms, so a word the gazettes do use keeps its own weight.
    `whole` are names that stay one key term each (TermStats.people_names).
    """
    text = canonical_docnums(text.strip())
    query = retrieval_query(text, history or [])
    terms = tuple(content_terms(query, whole))
    # an everyday phrase jieba cuts into pieces ("找工作": 找/工作) is looked up whole as well
    phrases = [w for w in everyday_phrases_in(normalize_for_index(query)) if w not in terms]
    extra = official_terms([*(t for t in terms if is_rare is None or is_rare(t)), *phrases])
    flat = re.sub(r"\s+", "", text)
    bare = DECREE_RE.sub(" ", DOCNUM_RE.sub(" ", flat))  # numbers inside a 文号 are not constraints
    clauses = question_clauses(text)
    parts = tuple(parse_question(c, None, is_rare, whole) for c in clauses) if len(clauses) > 1 else ()
    return Question(
        text=text,
        query=query,
        expanded_query=" ".join([query, *extra]) if extra else query,
        terms=terms,
        intent=question_intent(text),
        wanted_figure=expected_figure(text),
        years=tuple(dict.fromkeys(YEAR_RE.findall(bare))),
        months=tuple(dict.fromkeys(MONTH_RE.findall(bare))),
        days=named_days(bare),
        ordinals=tuple(dict.fromkeys(ORDINAL_RE.findall(bare))),
        docnum=normalize_docnum(text),
        query_docnum=normalize_docnum(query),
        parts=parts,
        frames=slot_frames(text),
        people=tuple(dict.fromkeys(names_in(re.sub(r"\s+", "", text), whole))),
        counted=counted_thing(text),
    )


def counted_thing(text: str) -> tuple[str, ...]:
    """The first words of what the question counts ("多少个数据集" → 数据集), or () when it counts nothing named."""
    m = re.search(V.COUNTED_THING, re.sub(r"\s+", "", text))
    if not m:
        return ()
    words = [t for t in tokenize(m["thing"]) if t not in V.QUESTION_WORDS and not is_interrogative(t)]
    return tuple(words[:V.COUNTED_THING_TOKENS])
