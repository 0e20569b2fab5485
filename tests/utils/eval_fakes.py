"""A scripted engine for the benchmark runner: three hand-made documents, fixed rankings and
answers per retrieval mode for four questions, and those questions with their gold references."""
from __future__ import annotations

from eval.dataset import Question
from indexer.models import Chunk, Document, Paragraph
from service.results import Answer, Citation, Hit

D76 = "聊政办字〔2018〕76号"
D5 = "聊政发〔2020〕5号"
CHRONICLE = "聊城市人民政府大事记（2020年4月）"

TEXTS = {
    "d1": (D76, "关于印发聊城市烈士褒扬办法的通知",
           ["第一条 为了弘扬烈士精神，制定本办法。", "烈士褒扬金标准为 30 万元。"]),
    "d2": (D5, "关于推进创新型城市建设若干措施的通知", ["全市生产总值增长 3.7%。", "新增就业 6.78 万人。"]),
    "d3": (None, CHRONICLE, ["4月2日，市长主持召开常务会议。"]),
}


def make_documents():
    docs = {}
    for doc_id, (docnum, title, paras) in TEXTS.items():
        ps = [Paragraph(f"{doc_id}-p{i:04d}", doc_id, i, (title,), t) for i, t in enumerate(paras)]
        docs[doc_id] = Document(doc_id, docnum, title, "聊城市人民政府", "2020-05-01", "通知", None, None,
                                "x.txt", paragraphs=ps)
    return docs


def make_chunk(document, index):
    p = document.paragraphs[index]
    return Chunk(f"{document.doc_id}-c{index:04d}", document.doc_id, index, (p.paragraph_id,),
                 p.heading_path, p.text, len(p.text), document.docnum, document.title, document.date,
                 document.type, document.issuer)


Q1, Q2, Q3, Q4 = "烈士褒扬金标准是多少？", "2019年生产总值增长多少？", "4月2日召开了什么会议？", "<script>alert(1)</script>2030年目标？"

RANKINGS = {  # mode → question → chunk refs (doc_id, paragraph index)
    "hybrid": {Q1: [("d1", 1), ("d2", 0)], Q2: [("d1", 0), ("d2", 0), ("d2", 1)], Q3: [("d3", 0)],
               Q4: [("d2", 0)]},
    "bm25": {Q1: [("d2", 0), ("d3", 0), ("d1", 1)], Q2: [("d2", 1), ("d2", 0)], Q3: [("d1", 0), ("d2", 0)],
             Q4: []},
}


class FakeEngine:
    """search/ask/get_document like service.engine.Engine, with scripted results per mode."""

    def __init__(self):
        self.docs = make_documents()
        self.calls = []

    def documents(self):
        return list(self.docs.values())

    def get_document(self, doc_id):
        if doc_id not in self.docs:
            raise KeyError(doc_id)
        return self.docs[doc_id]

    def search(self, query, k=10, filters=None, mode="hybrid"):
        self.calls.append(("search", query, k, mode))
        refs = RANKINGS[mode][query][:k]
        return [Hit(make_chunk(self.docs[d], i), 1.0 / r, r) for r, (d, i) in enumerate(refs, 1)]

    def ask(self, question, history=None, top_k=None, filters=None, mode="hybrid"):
        self.calls.append(("ask", question, top_k, mode))
        return self.ANSWERS[mode][question](self)

    def cite(self, n, doc_id, para, quote=None):
        d = self.docs[doc_id]
        p = d.paragraphs[para]
        return Citation(n, doc_id, d.docnum, d.title, d.date, "", quote or p.text, p.paragraph_id,
                        f"/documents/{doc_id}#p{para}", 1.0)

    ANSWERS = {
        "hybrid": {
            Q1: lambda e: Answer("烈士褒扬金标准为30万元[1]。", True, [e.cite(1, "d1", 1)]),
            Q2: lambda e: Answer("全市生产总值增长3.7%[1]。", True,
                                 [e.cite(1, "d2", 0), e.cite(2, "d1", 0, quote="编造的引文")]),
            Q3: lambda e: Answer("4月2日，市长主持召开常务会议[1]。", True, [e.cite(1, "d3", 0)]),
            Q4: lambda e: Answer("公报中没有找到相关内容。", False),
        },
        "bm25": {
            Q1: lambda e: Answer("公报中没有找到相关内容。", False),
            Q2: lambda e: Answer("增长3.7%，新增就业6.78万人[1]。", True, [e.cite(1, "d2", 1)]),
            Q3: lambda e: Answer("见[1]。", True, [e.cite(1, "d1", 0)]),
            Q4: lambda e: Answer("目标为增长5%[1]。", True, [e.cite(1, "d2", 0)]),
        },
    }


def fake_questions():
    return [
        Question("q1", Q1, True, ("聊政办字[2018] 76号",), ("烈士褒扬金标准为30万元",), kind="figure", line=1),
        Question("q2", Q2, True, (D5,), ("全市生产总值增长 3.7%", "新增就业 6.78 万人"), kind="figure", line=2),
        Question("q3", Q3, True, ("聊城市人民政府大事记(2020年4月)",), ("4月2日，市长主持召开常务会议",),
                 gold_answer="市长主持召开常务会议", kind="chronicle", line=3),  # facts: 常务会议, 市长
        Question("q4", Q4, False, (), (), kind="unanswerable", line=4),
    ]
