"""Everything the service says in its own words: refusals, hedges, scope, citation lines.

One place, so that the wording can be reviewed and changed without reading the answer logic.
`{corpus}` is the name of what is indexed (derived from the corpus, see service/scope.py).
"""
from __future__ import annotations

HOTLINE = "建议拨打12345政务服务便民热线咨询。"

REFUSAL = "抱歉，已收录的{corpus}中没有找到能回答这个问题的内容。" + HOTLINE
UNKNOWN_DOCNUM = "已收录的{corpus}中没有文号为{docnum}的文件。" + HOTLINE
OUT_OF_SCOPE_PLACE = "已收录的{corpus}只涉及{home}的事务，没有关于{place}的这项内容。" + HOTLINE
# the same, for a corpus that holds more than its home city's documents ({held}: CorpusScope.holdings)
OUT_OF_SCOPE_PLACE_HELD = "已收录的文件中没有关于{place}的这项内容（收录的是{held}的文件）。" + HOTLINE
NATIONAL_LEVEL = "国家层面"
LIST_SEPARATOR = "、"
LIST_LAST = "和"
OUT_OF_SCOPE_YEAR = "已收录的{corpus}中没有{year}年的这项内容（收录的文件签发于{first}年至{last}年）。" + HOTLINE

# A passage that is on topic but does not state exactly what was asked: shown under a plain lead-in.
NO_FIGURE = "已收录的{corpus}中没有写明您问的具体数字。" + HOTLINE
NO_DATE = "已收录的{corpus}中没有写明您问的具体日期。" + HOTLINE
NO_PHONE = "已收录的{corpus}中没有写明您问的电话号码。" + HOTLINE
NO_ADDRESS = "已收录的{corpus}中没有写明您问的具体地址。" + HOTLINE
NO_POST = "已收录的{corpus}中没有写明{name}的{which}职务。" + HOTLINE
POST_WHICH = {"new": "新任", "former": "原任"}
HEDGE_LEAD = "公报中没有找到与您的问题完全对应的表述，与之最相关的规定是："
CITED_ONLY = "已收录的公报没有收录{docnum}原文，但以下文件提到了它："

SOURCE_LINE = "根据{label}{when}："
SOURCE_YEAR = "（{year}年）"
SOURCE_SIGNED = "（{date}签发）"
SOURCE_PAGE = "（第{page}页）"
# A table row, quoted cell by cell under its header: "基本养老保险参保人数(万人)：2020年 396.3；2025年 408"
TABLE_ROW = "{label}：{cells}"
TABLE_ROW_IN = "【{caption}】{row}"
TABLE_CELL = "{header} {value}"
TABLE_CELL_SEP = "；"
TABLE_ROW_END = "。"
DOCUMENT_LOOKUP = "{docnum}是{issuer}的《{title}》{when}。其中写道：{lead}[1]"
# the same, when the title line is quoted as a passage of its own
DOCUMENT_LOOKUP_TITLED = "{docnum}是{issuer}的《{title}》[1]{when}。其中写道：{lead}[2]"
DOCUMENT_SIGNED = "，{date}签发"

EXPIRED = "注意：{label}的有效期至{date}，已经到期。"
REPEALED = "注意：{label}已被{other}废止。"
PERIOD_DIFFERS = "注意：您问的是{asked}的数额，公报写的是{stated}的：{clauses}。"
SEVERAL_YEARS = "以上各条出自不同年份的文件，最新的是{label}（{date}）。"
