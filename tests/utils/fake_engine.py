"""A fake engine over three hand-made documents, for the API tests (it satisfies
service.engine_protocol.EngineProtocol, as the real Engine does)."""
from __future__ import annotations

import asyncio
import re
import threading

from indexer.errors import DocumentNotFound, GazetteError, IndexMissingError
from indexer.models import Chunk, Document, GazetteIssue, Paragraph, Validity
from indexer.settings import Settings
from service.results import Answer, Citation, Hit


def _doc(doc_id, docnum, title, issuer, date, type_, texts, heading, issue=None, validity=None):
    paragraphs = [
        Paragraph(f"{doc_id}-p{i:04d}", doc_id, i, heading, text, "heading" if i == 0 else "text")
        for i, text in enumerate(texts)
    ]
    return Document(doc_id, docnum, title, issuer, date, type_, issue, validity, "test.txt", paragraphs)


def make_documents() -> list[Document]:
    issue = GazetteIssue(2023, "8-9", "245-246")
    return [
        _doc(
            "2023-08-ling46", "聊城市人民政府令第46号", "聊城市烈士褒扬办法", "聊城市人民政府", "2023-07-24",
            "令",
            [
                "聊城市烈士褒扬办法",
                "第一条 为了弘扬烈士精神，抚恤优待烈士遗属，制定本办法。",
                "第十九条 烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍。",
            ],
            ("聊城市烈士褒扬办法", "第一章 总则"),
            issue,
            Validity(effective="2023-09-01", statement="本办法自2023年9月1日起施行。"),
        ),
        _doc(
            "2018-09-76", "聊政办字〔2018〕76号", "关于做好冬春农田水利建设工作的通知", "聊城市人民政府办公室",
            "2018-08-30", "通知",
            ["关于做好冬春农田水利建设工作的通知", "各县（市、区）人民政府要加强农田水利建设，确保工程质量。"],
            ("关于做好冬春农田水利建设工作的通知",),
            GazetteIssue(2018, "9", "186"),
        ),
        _doc(
            "2021-04-dsj", None, "聊城市人民政府大事记（2021年4月）", None, None, "大事记",
            ["聊城市人民政府大事记", "2日，市政府召开常务会议，研究烈士纪念设施保护工作。"],
            ("聊城市人民政府大事记（2021年4月）",),
        ),
    ]


def _docnum_key(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[\[【(（]", "〔", re.sub(r"[\]】)）]", "〕", text))


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


class FakeEngine:
    """The EngineProtocol over make_documents(); one chunk per paragraph after the heading.

    ask() answers by keyword: "slow" blocks until slow_release is set, "boom" crashes, "refuse"
    is a domain error, "noindex" a missing index, "火星" a refusal; anything else cites 第十九条."""

    def __init__(self, settings: Settings, documents: list[Document] | None = None):
        self.settings = settings
        self._docs = {d.doc_id: d for d in (documents or make_documents())}
        self.chunks = [
            Chunk(f"{d.doc_id}-c{i:04d}", d.doc_id, i, (p.paragraph_id,), p.heading_path, p.text,
                  len(p.text), d.docnum, d.title, d.date, d.type, d.issuer)
            for d in self._docs.values()
            for i, p in enumerate(d.paragraphs[1:])
        ]
        self.calls: list[tuple] = []
        self.score = 0.9
        self.model_name = "fake/e5-test"
        self.slow_started = threading.Event()  # a "slow" question blocks until slow_release is set
        self.slow_release = threading.Event()

    @classmethod
    def load(cls, settings: Settings, embedder=None) -> FakeEngine:
        return cls(settings)

    def documents(self) -> list[Document]:
        return list(self._docs.values())

    def get_document(self, doc_id: str) -> Document:
        try:
            return self._docs[doc_id]
        except KeyError:
            raise DocumentNotFound(f"no document {doc_id}") from None

    def find_by_docnum(self, text: str) -> list[Document]:
        return [d for d in self._docs.values() if d.docnum and _docnum_key(d.docnum) == _docnum_key(text)]

    def search(self, query, k=10, filters=None, mode="hybrid", timings=None) -> list[Hit]:
        self.calls.append(("search", query, k, filters, mode, _in_event_loop()))
        if timings is not None:
            timings["bm25"] = 0.5
        terms = query.split()
        scored = [(c, [t for t in terms if t.lower() in c.text.lower()]) for c in self.chunks]
        scored = [(c, m) for c, m in scored if m][:k]
        return [Hit(c, self.score / r, r, tuple(m)) for r, (c, m) in enumerate(scored, 1)]

    def ask(self, question, history=None, top_k=None, filters=None, mode="hybrid") -> Answer:
        self.calls.append(("ask", question, history, top_k, filters, mode, _in_event_loop()))
        if "slow" in question:
            self.slow_started.set()
            self.slow_release.wait(10)
        if "boom" in question:
            raise RuntimeError("engine crashed")
        if "refuse" in question:
            raise GazetteError("filters match no document")
        if "noindex" in question:
            raise IndexMissingError("no index at /tmp/x; run `gazette index`")
        if "火星" in question:
            return Answer("公报中没有找到相关内容。", False, [], {"retrieve": 1.0})
        doc = self._docs["2023-08-ling46"]
        p = doc.paragraphs[2]
        citation = Citation(1, doc.doc_id, doc.docnum, doc.title, doc.date, "聊城市烈士褒扬办法 > 第一章 总则",
                            p.text, p.paragraph_id, f"/documents/{doc.doc_id}#p{p.index}", self.score)
        text = ("烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍[1]。"
                "该办法自2023年9月1日起施行。")
        return Answer(text, True, [citation], {"retrieve": 3.5, "answer": 1.25}, ["本办法自2023年9月1日起施行。"])
