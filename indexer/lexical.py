"""Chinese lexical tokenisation (jieba + a gazette dictionary) and a BM25 index over chunk texts."""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from indexer.settings import get_settings

if TYPE_CHECKING:
    import bm25s

# Kept whole and never expanded: 文号 prefixes (jieba alone splits 聊政办字 into 聊政办/字), plan
# names and numbers whose parts would only add noise (十四五 → 十四).
ATOMIC_WORDS = (
    "聊政发 聊政字 聊政办发 聊政办字 聊政任 聊政办 聊政函 聊政办函 聊办发 聊发 聊新出准字 "
    "鲁政发 鲁政字 鲁政办发 鲁政办字 鲁政任 鲁发 鲁办发 鲁厅字 国发 国办发 国函 国办函 中发 中办发 "
    "十四五 十三五 十二五 十一五 12345 5g 大事记 低保 聊城 冠县 莘县"
).split()

# Places: the full name is one token and also emits the listed short forms, so 阳谷 matches 阳谷县
# and 经开区 matches 聊城经济技术开发区.
PLACES = {
    "聊城市": ["聊城"], "东昌府区": ["东昌府"], "茌平区": ["茌平"], "临清市": ["临清"], "阳谷县": ["阳谷"],
    "东阿县": ["东阿"], "高唐县": ["高唐"], "江北水城": [], "江北水城旅游度假区": ["江北水城", "度假区"],
    "聊城经济技术开发区": ["经济技术开发区", "经开区"], "聊城高新技术产业开发区": ["高新技术产业开发区", "高新区"],
    "经开区": [], "高新区": [], "度假区": [], "市属开发区": ["开发区"],
}

# Departments (harvested from 牵头/配合/责任单位 in the corpus) and policy words: kept whole, and
# also emit their jieba parts of 2+ characters, so 市人力资源社会保障局 matches 人力资源.
DOMAIN_WORDS = (
    "市政府 市政府办公室 市民政局 市财政局 市科技局 市人力资源社会保障局 市人社局 市住房城乡建设局 "
    "市住房和城乡建设局 市住建局 市教育体育局 市教育局 市发展改革委 市发改委 市工业和信息化局 "
    "市卫生健康委 市应急局 市自然资源和规划局 市农业农村局 市公安局 市市场监管局 市交通运输局 "
    "市城管局 市消防救援支队 市大数据局 市水利局 市商务局 市税务局 市国资委 市文化和旅游局 市司法局 "
    "市生态环境局 市行政审批局 市残联 市统计局 市科协 市知识产权局 市地方金融监管局 市妇联 市气象局 "
    "市医保局 市审计局 市机关事务局 市投资促进局 市邮政管理局 市退役军人事务局 退役军人事务局 "
    "市委组织部 市委宣传部 市委编办 市委网信办 市委农办 市委改革办 市委政法委 市直机关工委 市总工会 "
    "市中级人民法院 市检察院 市文明办 市外办 市金融办 市卫计委 市经信委 市农委 市政务服务中心管理办 "
    "共青团聊城市委 "
    "城市低保 农村低保 最低生活保障 特困人员 特困供养 救助供养 临时救助 烈士褒扬 褒扬金 抚恤金 "
    "优抚对象 退役军人 便民热线 政务服务 一网通办 一次办好 放管服 营商环境 新旧动能转换 乡村振兴 "
    "双招双引 养老服务 居家养老 医养结合 公积金 棚户区改造 老旧小区改造 河长制 湖长制 排污权 "
    "责任规划师 直供到户 集中供气 配套费"
).split()

STOPWORDS = frozenset(
    "的 了 和 与 及 以及 等 是 在 我 我们 你 您 有 什么 吗 呢 吧 啊 怎么 怎样 如何 多少 哪些 哪个 "
    "哪里 哪 几 请问 一下 这 那 这个 那个 其 之 为 对 于 也 都 就 被 把 从 或 或者 而 并 个 "
    "要 会 能 可以 需要 规定 关于".split()
)

# Protected spans jieba must not see: a 文号 tail 〔2018〕76号 (any bracket) and any number + 号.
_SPANS = re.compile(r"[〔\[(【]\s*(\d{4})\s*[〕\])】]\s*第?\s*(\d+)\s*号|(\d+)\s*号")
_WORDLIKE = re.compile(r"[^\W_]")  # a letter or digit
# "precise" (jieba.cut), "search" (jieba.cut_for_search) or "expand" (precise + the parts of
# domain words). On 24 hand-written questions over 943 corpus windows, BM25 MRR@20 was 0.756 /
# 0.729 / 0.815: search mode's 聊城市 → 城市 noise hurts; expansion recovers 度假区, 民政局, 阳谷.
_MODE = "expand"
# Bump when the dictionary or the rules change: a BM25 index is only valid with the same tokens.
LEXICAL_VERSION = 2

_lock = threading.Lock()
_jieba = None
_EXPANSIONS: dict[str, list[str]] = {}


def _tokenizer():
    """jieba with the domain dictionary, built once; its cache lives under settings.cache_dir."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                from indexer.jieba_dict import load_tokenizer

                jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict..." on stderr
                tmp = get_settings().cache_dir / "jieba"
                tmp.mkdir(parents=True, exist_ok=True)
                tk = load_tokenizer(tmp)  # jieba's dictionary from a faster cache file
                for w in ATOMIC_WORDS:
                    tk.add_word(w)
                for w, short in PLACES.items():
                    tk.add_word(w)
                    for p in short:
                        tk.add_word(p)
                    if short:
                        _EXPANSIONS[w] = short
                for w in DOMAIN_WORDS:
                    known = tk.FREQ.get(w, 0)
                    tk.FREQ[w] = 0  # cut w as if it were no word, to find its parts
                    parts = [p for p in tk.lcut(w, HMM=False) if len(p) > 1]  # 市, 局 would match everything
                    if parts:
                        _EXPANSIONS[w] = parts
                    tk.add_word(w, max(known, tk.suggest_freq(w)))
                _jieba = tk
    return _jieba


_pos = None


def domain_tokenizer():
    """jieba's tokenizer with the gazette dictionary (cuts words; see tokenize for index tokens)."""
    return _tokenizer()


def pos_tokenizer():
    """jieba's part-of-speech tagger over the same tokenizer: one dictionary load, not two."""
    global _pos
    if _pos is None:
        import jieba.posseg

        # Importing jieba.posseg already read the tag table (0.8 s); a new POSTokenizer would read
        # it again, so this one shares it and cuts with the domain tokenizer.
        pos = object.__new__(jieba.posseg.POSTokenizer)
        pos.tokenizer = _tokenizer()
        pos.word_tag_tab = jieba.posseg.dt.word_tag_tab
        _pos = pos
    return _pos


def _normalise(text: str) -> str:
    # NFKC: full-width digits/letters/brackets to ASCII (１２３→123, ［→[, （→(), ﹝→〔.
    return unicodedata.normalize("NFKC", text).lower()


def _cut(segment: str, out: list[str]) -> None:
    tk = _tokenizer()
    words = tk.cut_for_search(segment) if _MODE == "search" else tk.cut(segment)
    for w in words:
        w = w.strip()
        if not w or w in STOPWORDS or not _WORDLIKE.search(w):
            continue
        out.append(w)
        if _MODE == "expand" and w in _EXPANSIONS:
            out.extend(p for p in _EXPANSIONS[w] if p not in STOPWORDS)


def tokenize(text: str) -> list[str]:
    """Lexical tokens: jieba words with the gazette dictionary, lower-case, no punctuation/stopwords.

    A 文号 in any bracket style gives the same tokens: 聊政办字〔2018〕76号 and 聊政办字[2018]76 号
    → ["聊政办字", "2018", "76号"].
    """
    text = _normalise(text)
    out: list[str] = []
    pos = 0
    for m in _SPANS.finditer(text):
        _cut(text[pos : m.start()], out)
        if m.group(1):
            out += [m.group(1), f"{int(m.group(2))}号"]
        else:
            out.append(f"{int(m.group(3))}号")
        pos = m.end()
    _cut(text[pos:], out)
    return out


def word_bounds(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """Where jieba (with the domain dictionary) starts and ends words in text: a phrase found by
    substring is a phrase of the text only when it starts and ends there ("网上办" is not in 网上/办理)."""
    spans = list(_tokenizer().tokenize(text))
    return frozenset(s for _, s, _ in spans), frozenset(e for _, _, e in spans)


_CJK_RUN = re.compile(r"^[\u3400-\u9fff]{3,}$")


def subword_tokens(tokens: list[str]) -> list[str]:
    """The tokens plus the character bigrams of each word of 3+ Chinese characters.

    Sub-word matching as Lucene's CJK analyzers do it: the everyday 低保户 (one jieba word)
    then shares 低保 with the gazettes' text, and 种粮户 shares 种粮.
    """
    out = list(tokens)
    for t in tokens:
        if _CJK_RUN.match(t):
            out.extend(t[i : i + 2] for i in range(len(t) - 1))
    return out


class BM25Index:
    """BM25 (Lucene variant, via bm25s) over pre-tokenised texts; rows are positions in the build list."""

    def __init__(self, bm25: bm25s.BM25):
        self.bm25 = bm25

    @classmethod
    def build(cls, texts: list[str]) -> BM25Index:
        import bm25s

        if not texts:
            raise ValueError("BM25Index.build needs at least one text")
        # bm25s's own tokenizer splits on ASCII word boundaries, useless for Chinese: pass token lists.
        corpus = [subword_tokens(tokenize(t)) for t in texts]
        if not any(corpus):  # bm25s fails on an empty vocabulary; "" never comes out of tokenize()
            corpus[0] = [""]
        bm25 = bm25s.BM25(method="lucene")  # k1=1.5, b=0.75
        bm25.index(corpus, show_progress=False)
        return cls(bm25)

    def __len__(self) -> int:
        return int(self.bm25.scores["num_docs"])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for query (float32, zeros where no query token occurs)."""
        ids = self.bm25.get_tokens_ids(subword_tokens(tokenize(query)))
        if not ids:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score), best first, positive scores only; allowed masks rows that pass filters."""
        s = self.scores(query)
        if allowed is not None:
            s = np.where(allowed, s, 0.0)
        rows = np.flatnonzero(s > 0)
        order = rows[np.lexsort((rows, -s[rows]))][:k]  # ties: lower row first, deterministic
        return [(int(r), float(s[r])) for r in order]

    def save(self, directory: Path) -> None:
        """Plain files (.npy arrays, vocab and params JSON) in directory."""
        self.bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        import bm25s

        return cls(bm25s.BM25.load(str(directory), load_corpus=False, show_progress=False))
