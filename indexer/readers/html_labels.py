"""Words of government portal pages, as data: the metadata table's labels and the site chrome.

indexer.readers.html_meta reads the labels, indexer.readers.html the chrome words; a portal that
prints another label is served by adding it here.
Labels are written without spaces: the page may print "索 引 号" or "标　　题", which match too.
"""
from __future__ import annotations

# label as printed → the meta key it fills. A canonical key is filled by its own label first,
# then by the synonyms in the order listed (名称 fills 标题 only when the page has no 标题).
CANONICAL_LABELS: dict[str, tuple[str, ...]] = {
    "标题": ("标题", "名称", "文件名称", "文件标题"),
    "发文字号": ("发文字号", "文号", "文件编号", "发文号"),
    "成文日期": ("成文日期", "成文时间", "印发日期"),
    "发布日期": ("发布日期", "发布时间", "公开日期", "公开时间"),
    "发文机关": ("发文机关", "发布机构", "发文单位", "发布机关"),
    "索引号": ("索引号",),
    "主题分类": ("主题分类", "主题类别"),
    "有效性": ("有效性", "时效性", "效力状态"),
}

# labels of the same tables that are kept in meta under their own name
OTHER_LABELS: tuple[str, ...] = (
    "生成日期", "主题词", "公文种类", "体裁分类", "组配分类", "服务对象分类", "信息来源", "来源",
    "实施日期", "生效日期", "废止日期", "失效日期", "公开方式", "公开范围",
)

# labels of the page's info bar that are taken out of the text and not kept
IGNORED_LABELS: tuple[str, ...] = ("浏览次数", "访问次数", "点击数", "阅读次数", "作者", "责任编辑")

# A label that names the document itself: one of these in a group of labels marks the group as a
# metadata table (标题 and 名称 alone are also a data table's column names).
STRONG_LABELS: frozenset[str] = frozenset(
    {"索引号", "主题分类", "发文机关", "成文日期", "发文字号", "发布日期", "有效性", "生成日期", "主题词",
     "公文种类", "体裁分类", "组配分类"}
)

# Whole lines of site chrome. A line made only of these words and punctuation is dropped.
CHROME_WORDS: tuple[str, ...] = (
    "我要纠错", "打印本页", "打印此页", "打印", "关闭本页", "关闭窗口", "关闭", "收藏本页", "收藏", "加入收藏",
    "分享到", "分享", "微信", "微博", "QQ空间", "返回顶部", "返回首页", "返回", "字体", "字号", "大", "中", "小",
    "默认", "保存本页", "保存", "扫一扫", "在手机上打开", "手机扫码", "视力保护色", "无障碍浏览", "长者模式",
)
CHROME_PUNCT = "【】[]（）()|｜/：:·•,，、 \t\u3000\xa0"

# A line holding one of these is the page footer, a breadcrumb or a pager, never document text.
# (not 主办单位 or 技术支持: a notice of an event prints them too)
FOOTER_MARKS: tuple[str, ...] = ("版权所有", "ICP备", "ICP证", "公网安备", "网站标识码", "网站识别码")
LINE_START_MARKS: tuple[str, ...] = ("当前位置", "您现在的位置", "您的位置", "上一篇", "下一篇", "上一条", "下一条")
BREADCRUMB_SEPARATORS = (">", "＞", "›", "»", "→")

# A heading after which a page lists links to other pages; cut with what follows at the end of the text.
RELATED_HEADINGS: tuple[str, ...] = ("相关链接", "相关文件", "相关阅读", "相关新闻", "相关解读", "相关信息", "相关文章", "政策解读", "热点推荐")

# A line that starts so names an attachment: document text even when it is all link.
ATTACHMENT_MARKS: tuple[str, ...] = ("附件", "附：")
