"""Sanity checks on the hand-written benchmark eval/data/dev.jsonl (no model needed).

The file is checked against the gazette text itself: every evidence string must occur verbatim
(whitespace-insensitive) and every gold 文号 / title must exist. When `indexer.parser` exists, the
gold keys are also checked against the parsed documents, and each evidence string must lie inside
one of its gold documents (this is where a mis-attributed moved block 上接/下转 shows up).
"""
from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEV_FILE = REPO_ROOT / "eval" / "data" / "dev.jsonl"
# the held-out split (reported, never tuned on) and the decision model's training split
QUESTION_FILES = [DEV_FILE, REPO_ROOT / "eval" / "data" / "test.jsonl", REPO_ROOT / "eval" / "data" / "train.jsonl",
                  REPO_ROOT / "eval" / "data" / "test2.jsonl", REPO_ROOT / "eval" / "data" / "test3.jsonl"]
GAZETTE_DIR = REPO_ROOT / "data" / "gazettes"

MIN_QUESTIONS = 150
# test3 is a second fresh split of 100, written before the round after "Answers, part two"
MIN_QUESTIONS_OF = {"test3": 100}
MIN_UNANSWERABLE = 15
MIN_QUESTIONS_PER_ARTICLE = 2

KINDS = {"fact", "docnum", "docnum_detail", "citizen", "hotline", "chronicle", "appointment", "plan", "unanswerable"}
REQUIRED = {
    "id": str,
    "question": str,
    "answerable": bool,
    "gold_docnums": list,
    "evidence": list,
    "gold_answer": str,
    "kind": str,
}

# The 44 articles of the five files (corpus-notes.md): 文号, or the title where there is none.
EXPECTED_ARTICLES = [
    # 000 2020年第5期
    "政府工作报告", "聊政字〔2020〕15号", "聊政字〔2020〕16号", "聊政办字〔2020〕27号",
    "聊政办字〔2020〕28号", "聊城市人民政府大事记（2020年4月）",
    # 001 2023年第8-9期
    "聊城市人民政府令第46号", "聊政发〔2023〕7号", "聊政字〔2023〕11号", "聊政字〔2023〕12号",
    "聊政办发〔2023〕10号", "聊政办发〔2023〕11号", "聊政办字〔2023〕19号", "聊政办字〔2023〕20号",
    "聊政办字〔2023〕21号", "聊政办字〔2023〕23号", "聊政办字〔2023〕24号", "聊政办字〔2023〕26号",
    "聊政任〔2023〕13号", "聊政任〔2023〕14号",
    "聊城市人民政府大事记（2023年8月）", "聊城市人民政府大事记（2023年9月）",
    # 002 2021年第4期
    "聊政发〔2021〕5号", "聊政字〔2021〕8号", "聊政办发〔2021〕1号", "聊政办发〔2021〕2号",
    "聊政办字〔2021〕3号", "聊政办字〔2021〕4号", "聊政办字〔2021〕7号",
    "聊政任〔2021〕5号", "聊政任〔2021〕6号", "聊政任〔2021〕7号", "聊城市人民政府大事记（2021年4月）",
    # 003 2018年第9期
    "聊政发〔2018〕61号", "聊政办发〔2018〕23号", "聊政办发〔2018〕24号", "聊政办发〔2018〕25号",
    "聊政办发〔2018〕26号", "聊政办字〔2018〕71号", "聊政办字〔2018〕73号", "聊政办字〔2018〕76号",
    "聊政办字〔2018〕78号", "聊城市人民政府大事记（2018年8月）",
    # 004 the five-year plan
    "聊政发〔2021〕4号",
]

# Evidence the current parser is known to leave out of its paragraphs (kept as real gold: the
# question is a fair one). Reported as a warning instead of a failure; delete an entry once fixed.
KNOWN_PARSER_GAPS = {
    # the report's subtitle and speaker line are dropped as header metadata (only the date survives)
    "2020 年 5 月 26 日在聊城市第十七届人民代表大会第四次会议上",
    "聊城市代市长 李长萍",
}

DOCNUM_RE = re.compile(r"^(聊[\u4e00-\u9fff]{1,4}〔\d{4}〕\d+号|聊城市人民政府令第\d+号)$")
TITLE_RE = re.compile(r"^(政府工作报告|聊城市人民政府大事记（\d{4}年\d{1,2}月）)$")
_WS = re.compile(r"\s+")
_YEAR_BRACKETS = re.compile(r"[\[【(（〔［]\s*(\d{4})\s*[\]】)）〕］]")


def strip_ws(s: str) -> str:
    return _WS.sub("", s)


def norm_key(s: str) -> str:
    """Whitespace-free, 〔YYYY〕 for any bracket around a year, full-width parentheses elsewhere."""
    s = _YEAR_BRACKETS.sub(r"〔\1〕", strip_ws(s))
    return s.replace("(", "（").replace(")", "）")


def loose(s: str) -> str:
    """For comparing with parser output: NFKC (widths), no whitespace, no Markdown markup."""
    return re.sub(r"[\s*#]", "", unicodedata.normalize("NFKC", s))


# ---------------------------------------------------------------- loading

def _load(path: Path = DEV_FILE) -> tuple[list[dict], list[str]]:
    records, errors = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: invalid JSON ({e})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {n}: not a JSON object")
            continue
        obj["_line"] = n
        obj["_split"] = path.stem
        records.append(obj)
    return records, errors


# Splits written from paragraphs drawn at random: they need not cover every article.
DRAWN_AT_RANDOM = {"test2", "test3"}


@pytest.fixture(scope="module", params=QUESTION_FILES, ids=lambda p: p.stem)
def loaded(request) -> tuple[list[dict], list[str]]:
    assert request.param.exists(), f"missing {request.param}"
    return _load(request.param)


@pytest.fixture(scope="module")
def split_name(records) -> str:
    return records[0]["_split"]


@pytest.fixture(scope="module")
def records(loaded) -> list[dict]:
    return loaded[0]


@pytest.fixture(scope="module")
def answerable(records) -> list[dict]:
    return [r for r in records if r.get("answerable") is True]


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    files = sorted(GAZETTE_DIR.glob("*.txt"))
    assert len(files) == 5, f"expected 5 gazette files in {GAZETTE_DIR}, found {len(files)}"
    return files


@pytest.fixture(scope="module")
def corpus_texts(corpus_files) -> list[str]:
    """Each file's text with all whitespace removed."""
    return [strip_ws(f.read_text(encoding="utf-8")) for f in corpus_files]


# ---------------------------------------------------------------- format

def test_file_parses(loaded):
    _, errors = loaded
    assert not errors, "malformed lines:\n" + "\n".join(errors)


def test_enough_questions(records, split_name):
    need = MIN_QUESTIONS_OF.get(split_name, MIN_QUESTIONS)
    assert len(records) >= need, f"{len(records)} questions, need ≥ {need}"


def test_ids_unique(records):
    counts = Counter(r.get("id") for r in records)
    dup = [i for i, c in counts.items() if c > 1]
    assert not dup, f"duplicate ids: {dup}"


def test_required_keys_and_types(records):
    problems = []
    for r in records:
        where = f"line {r['_line']} ({r.get('id')})"
        for key, typ in REQUIRED.items():
            if key not in r:
                problems.append(f"{where}: missing {key}")
            elif not isinstance(r[key], typ):
                problems.append(f"{where}: {key} is {type(r[key]).__name__}, want {typ.__name__}")
        if problems and problems[-1].startswith(where):
            continue
        if not re.fullmatch(r"(q|t[AB]|t[23][A-Z]|r)\d{3,}", r["id"]):
            problems.append(f"{where}: id should look like q001 (dev), tA001 (test), t2A001 (test2), t3A001 (test3) or r001 (train)")
        if not r["question"].strip():
            problems.append(f"{where}: empty question")
        for key in ("gold_docnums", "evidence"):
            if not all(isinstance(x, str) and x.strip() for x in r[key]):
                problems.append(f"{where}: {key} must hold non-empty strings")
        if r["answerable"]:
            if not r["gold_docnums"]:
                problems.append(f"{where}: answerable but no gold_docnums")
            if not 1 <= len(r["evidence"]) <= 2:
                problems.append(f"{where}: answerable questions carry 1–2 evidence strings")
            if not r["gold_answer"].strip():
                problems.append(f"{where}: answerable but empty gold_answer")
        elif r["gold_docnums"] or r["evidence"]:
            problems.append(f"{where}: unanswerable must have gold_docnums=[] and evidence=[]")
    assert not problems, "\n".join(problems)


def test_kinds(records):
    bad = [f"line {r['_line']}: {r.get('kind')!r}" for r in records if r.get("kind") not in KINDS]
    assert not bad, "unknown kinds:\n" + "\n".join(bad)
    mismatch = [
        f"line {r['_line']} ({r['id']})"
        for r in records
        if (r.get("kind") == "unanswerable") != (r.get("answerable") is False)
    ]
    assert not mismatch, "kind 'unanswerable' ⇔ answerable=false broken at:\n" + "\n".join(mismatch)


def test_enough_unanswerable(records):
    n = sum(1 for r in records if r.get("answerable") is False)
    assert n >= MIN_UNANSWERABLE, f"{n} unanswerable questions, need ≥ {MIN_UNANSWERABLE}"


# ---------------------------------------------------------------- against the gazette text

def test_evidence_occurs_verbatim(answerable, corpus_texts):
    missing = []
    for r in answerable:
        for ev in r["evidence"]:
            e = strip_ws(ev)
            if not 6 <= len(e) <= 80:
                missing.append(f"line {r['_line']} ({r['id']}): evidence length {len(e)}: {ev}")
            elif not any(e in t for t in corpus_texts):
                missing.append(f"line {r['_line']} ({r['id']}): not in the gazettes: {ev}")
    assert not missing, "\n".join(missing)


def test_gold_docnums_well_formed_and_present(answerable, corpus_texts):
    text = "\n".join(norm_key(t) for t in corpus_texts)
    problems = []
    for r in answerable:
        for g in r["gold_docnums"]:
            if not (DOCNUM_RE.match(g) or TITLE_RE.match(g)):
                problems.append(f"line {r['_line']} ({r['id']}): not a normalised 文号/title: {g}")
            elif norm_key(g) not in text:
                problems.append(f"line {r['_line']} ({r['id']}): not in the gazettes: {g}")
    assert not problems, "\n".join(problems)


def test_every_article_covered(answerable, split_name):
    if split_name in DRAWN_AT_RANDOM:
        pytest.skip("a random draw of paragraphs covers the articles it happens to hit")
    assert len(set(EXPECTED_ARTICLES)) == 44
    counts = Counter(g for r in answerable for g in r["gold_docnums"])
    unknown = sorted(set(counts) - set(EXPECTED_ARTICLES))
    assert not unknown, f"gold keys that are none of the 44 articles: {unknown}"
    thin = {a: counts[a] for a in EXPECTED_ARTICLES if counts[a] < MIN_QUESTIONS_PER_ARTICLE}
    assert not thin, f"articles with fewer than {MIN_QUESTIONS_PER_ARTICLE} questions: {thin}"


# ---------------------------------------------------------------- against the parser, once it exists

@pytest.fixture(scope="module")
def parsed_docs(corpus_files):
    parser = pytest.importorskip("indexer.parser")
    if not hasattr(parser, "parse_corpus"):
        pytest.skip("indexer.parser has no parse_corpus yet")
    return parser.parse_corpus(list(corpus_files))


def _doc_key(doc) -> str:
    return norm_key(doc.docnum or doc.title)


def test_gold_docnums_match_parsed_documents(answerable, parsed_docs):
    keys = {_doc_key(d) for d in parsed_docs} | {norm_key(d.title) for d in parsed_docs}
    unknown = sorted(
        {f"{g} (line {r['_line']})" for r in answerable for g in r["gold_docnums"] if norm_key(g) not in keys}
    )
    assert not unknown, "gold keys that match no parsed document's docnum or title:\n" + "\n".join(unknown)


def test_parsed_documents_all_covered(answerable, parsed_docs, split_name):
    if split_name in DRAWN_AT_RANDOM:
        pytest.skip("a random draw of paragraphs covers the documents it happens to hit")
    gold = {norm_key(g) for r in answerable for g in r["gold_docnums"]}
    uncovered = [
        f"{d.docnum or d.title} ({d.source_file if hasattr(d, 'source_file') else '?'})"
        for d in parsed_docs
        if _doc_key(d) not in gold and norm_key(d.title) not in gold
    ]
    assert not uncovered, "parsed documents no answerable question points to:\n" + "\n".join(uncovered)


def test_evidence_lies_in_a_gold_document(answerable, parsed_docs):
    """Catches moved blocks (上接/下转) attributed to the wrong document, by parser or by gold."""
    by_key: dict[str, list] = {}
    for d in parsed_docs:
        by_key.setdefault(_doc_key(d), []).append(d)
        by_key.setdefault(norm_key(d.title), []).append(d)

    def doc_text(d) -> str:
        parts = [d.docnum or "", d.title or "", getattr(d, "issuer", None) or ""]
        parts += list(getattr(d, "embedded_titles", ()) or ())
        parts += [p.text for p in d.paragraphs]
        return loose("".join(parts))

    cache: dict[int, str] = {}
    problems, known = [], []
    for r in answerable:
        docs = [d for g in r["gold_docnums"] for d in by_key.get(norm_key(g), [])]
        if not docs:
            continue  # reported by test_gold_docnums_match_parsed_documents
        texts = [cache.setdefault(id(d), doc_text(d)) for d in docs]
        for ev in r["evidence"]:
            if not any(loose(ev) in t for t in texts):
                msg = f"line {r['_line']} ({r['id']}) {r['gold_docnums']}: {ev}"
                (known if ev in KNOWN_PARSER_GAPS else problems).append(msg)
    if known:
        warnings.warn("known parser gaps (evidence not in the parsed gold document):\n" + "\n".join(known))
    assert not problems, "evidence not found in any gold document's parsed text:\n" + "\n".join(problems)


def test_gold_answer_holds_the_evidence_facts(answerable, loaded, request):
    # only dev's gold answers were written to this rule; the test and train splits' authors wrote
    # theirs freely, and the test split stays as written (its figures are reported)
    if "dev" not in request.node.callspec.id:
        pytest.skip("the rule applies to dev.jsonl")
    """fact_recall scores an answer by the figures/dates/文号/quoted terms of the evidence, so the
    gold answer itself must contain all of them (otherwise even a perfect answer scores < 1)."""
    metrics = pytest.importorskip("eval.metrics")
    if not all(hasattr(metrics, n) for n in ("extract_facts", "facts_found")):
        pytest.skip("eval.metrics has no extract_facts/facts_found")
    problems = []
    for r in answerable:
        facts = metrics.extract_facts(r["evidence"])
        missing = [f.text for f, ok in zip(facts, metrics.facts_found(facts, r["gold_answer"])) if not ok]
        if missing:
            problems.append(f"line {r['_line']} ({r['id']}): gold_answer lacks {missing}")
    assert not problems, "\n".join(problems)
