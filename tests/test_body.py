"""Body cleaning: which paragraphs, pictures and HTML an article keeps from its page."""

from __future__ import annotations

import re

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.body import ALLOWED_TAGS, Image, clean_body, sanitize_html

GD_URL = "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3456789.html"
TRS_URL = "http://kjj.zhuhai.gov.cn/gzdt/202206/t20220610_59123456.html"
HANWEB_URL = "http://www.sipac.gov.cn/szgyyq/yqdt/art/2016/11/22/art_1621004_30332664.htm"
WP_URL = "https://www.example-news.com/2022/06/10/proposed-investment-of-1-6-billion-zhuhai-first/"
HOST = "http://www.zhuhai-hitech.gov.cn"

SEED_PARAGRAPH = (
    'Closely follow the “industry first”, focus on the chain of chain repair, strong chain, '
    'chain expansion, Zhuhai High-tech Zone targeted investment again!On April 7th, zhuhai '
    'high-tech zone administrative committee and China CLP international information service '
    'co., LTD. Signed a framework cooperation agreement, the parties shall cooperate and '
    'jointly set up a industry fund, project introduction cultivation net letter industry, '
    'promoting the electronic components and integrated circuit function module, landing in '
    'zhuhai and large bay area net letter industry, digital new engine of economic '
    'development.At the same time, CLP information plans to invest about 1.6 billion yuan to '
    'build the first “China Telecom Innovation Valley” in Zhuhai.CLP information is the '
    'world’s top 500 large state China electronic core backbone enterprises, information '
    'service sector leading enterprises, focusing on the main responsibility for the main '
    'digital services, strive to build digital services core ability, strive to become the '
    'industry leader in digital service innovation development, its southern software park '
    'is a national software industry base, national science and technology business '
    'incubator,Located at the core of zhuhai High-tech Zone, it is committed to building the '
    'most influential Internet information industry cluster service provider in The '
    'Guangdong-Hong Kong-Macao Greater Bay Area.Zhuhai High-tech Zone has always taken '
    'innovation-driven development as the leading strategy of urban development. By '
    'attracting investment precisely, aiming at the forefront of science and technology '
    'industry and strategic emerging industries, zhuhai High-tech Zone has improved and '
    'strengthened the “3+3+1” industrial system and the three leading industrial chains of '
    'semiconductors and integrated circuits, information and innovation industry, artificial '
    'intelligence and robotics.Strengthen biological medicine and medical equipment, new '
    'energy and smart grid, digital economy three major characteristics of industrial '
    'cluster, the implementation of artificial intelligence, chain blocks, 6 g, quantum '
    'technology incubation and accelerating the future industry, such as plan, to promote a '
    'strong group of extending chain, chain, chain key industry project, to speed up to form '
    'a new economic growth point, science and technology city to provide strong support for '
    'the construction of future.The signing of the framework agreement will give full play '
    'to the comprehensive advantages of CLP information in the field of digital economy and '
    'network information, and further promote the agglomeration and development of digital '
    'economy and network information industry in Zhuhai High-tech Zone.It is also conducive '
    'to attracting and gathering more innovative resources to participate in the ecological '
    'construction of China’s electronic Internet and information industry, striving to build '
    'a professional demonstration area of PKS system and an Internet and information '
    'industry development cluster area of Zhuhai High-tech Zone, and building a new engine '
    'for the development of Internet and information industry and digital economy in Zhuhai '
    'and even the Greater Bay Area.Song Xuemei of Zhuhai Media Group/article wu '
    'Changfu/Cover photo Source of Zhuhai High-tech Zone, official website of CLP '
    'Information Hu Jieting/responsible editor Yang Ziwei/editor'
)

# --- one realistic fragment per family of zone-pages.md ----------------------------------------

GUANGDONG_ZW = """
<div class="zw">
<p style="text-indent:2em;font-family:仿宋_GB2312;">　　6月9日，珠海高新区召开2022年招商引资工作推进会，总结前期工作，部署下一阶段任务。</p>
<p style="text-indent:2em;">&nbsp;&nbsp;&nbsp;&nbsp;会议指出，今年以来，高新区紧盯“产业第一”，<strong>精准招商</strong>成效明显。</p>
<p style="text-align: center;"><img src="/attachment/0/145/145331/3456789.jpg" alt="" width="600" height="400" /></p>
<p style="text-align: center;">图为会议现场。</p>
<p style="text-indent:2em;">　　下一步，高新区将持续优化营商环境，
    推动更多优质项目落地。</p>
<p style="text-indent:2em;"><br/></p>
<p>文/宋雪梅 图/吴长福</p>
<div class="zw-att">附件：<a href="/attachment/0/145/145332/3456789.pdf">2022年招商引资政策汇编.pdf</a></div>
</div>
"""

GUANGDONG_WITH_CHROME = """
<div class="news_cont_d_wrap">
<div class="fontsize">字号：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a></div>
<div class="artContent">
<p>　　近日，珠海高新区2家企业入选国家级专精特新“小巨人”企业名单。</p>
<p>　　截至目前，高新区累计拥有国家级专精特新“小巨人”企业11家。</p>
</div>
<div class="bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a></div>
<div class="print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
"""

TRS_EDITOR = """
<div class="TRS_Editor"><style type="text/css">
.TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.5;font-family:宋体;font-size:12pt;}
</style>
<div class="Custom_UnionStyle">
<p align="justify">　　近日，科技部火炬中心公布了2021年度国家高新区评价结果。</p>
<p align="justify">　　在169家国家高新区中，珠海高新区综合排名第<font color="#ff0000">17</font>位。</p>
<p align="center"><img style="border:0px solid;" title="" alt="" src="./W020220610512345678901.jpg" OLDSRC="/protect/P0202206/P020220610/P020220610512345678901.jpg" /></p>
<p align="center">▲珠海高新区全景</p>
<p align="justify">（责任编辑：系统管理员）</p>
</div></div>
"""

HANWEB_ZOOM = """
<div id="zoom"><meta name="ContentStart"><!--<$[信息内容]>begin-->
<script language="javascript">function doZoom(size){document.getElementById('zoom').style.fontSize=size+'px';}</script>
　　11月21日，苏州工业园区召开科技创新大会。<br><br>　　会议表彰了一批科技创新先进集体和个人。<br>　　园区将继续加大研发投入，打造创新高地。<br>
<table width="100%" border="0"><tr><td align="center"><img src="/picture/0/1611221034567.jpg" border="0"></td></tr>
<tr><td align="center">大会现场</td></tr></table>
<!--<$[信息内容]>end--><meta name="ContentEnd"></div>
"""

WORDPRESS_ENTRY = f"""
<div class="entry-content">
<p>{SEED_PARAGRAPH}</p>
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing">
<h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>
<li class="share-twitter"><a rel="nofollow noopener noreferrer" class="share-twitter sd-button share-icon" href="https://www.example-news.com/2022/06/10/x/?share=twitter" target="_blank" title="Click to share on Twitter"><span>Twitter</span><span class="sharing-screen-reader-text">(Opens in new window)</span></a></li>
<li class="share-facebook"><a class="share-facebook sd-button share-icon" href="?share=facebook"><span>Facebook</span></a></li>
</ul></div></div></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3></div>
<div class="post-tags"><a href="/tag/zhuhai/" rel="tag">Zhuhai</a> <a href="/tag/investment/" rel="tag">Investment</a></div>
</div>
"""

GENERIC_BLOCK = """
<div class="article-content">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; 园区动态</div>
<div class="info">浏览次数：<span id="hits">1024</span></div>
<p>园区举办2022年高层次人才招聘会，120家企业提供岗位3000余个。</p>
<p>招聘会现场，求职者与企业面对面交流。</p>
<div class="ewm"><img src="/images/ewm.png"><p>扫一扫在手机打开当前页</p></div>
<div class="prev-next"><p>上一篇：<a href="/a/1.html">园区召开安全生产工作会议</a></p><p>下一篇：没有了</p></div>
<div class="xgwz"><h4>相关文章</h4><ul><li><a href="/a/7.html">园区出台人才新政</a></li></ul></div>
</div>
"""


@pytest.mark.parametrize("fragment, base_url, paragraphs", [
    pytest.param(GUANGDONG_ZW, GD_URL, [
        "6月9日，珠海高新区召开2022年招商引资工作推进会，总结前期工作，部署下一阶段任务。",
        "会议指出，今年以来，高新区紧盯“产业第一”，精准招商成效明显。",
        "图为会议现场。",
        "下一步，高新区将持续优化营商环境，推动更多优质项目落地。",
        "文/宋雪梅 图/吴长福",
    ], id="guangdong-div.zw"),
    pytest.param(GUANGDONG_WITH_CHROME, GD_URL, [
        "近日，珠海高新区2家企业入选国家级专精特新“小巨人”企业名单。",
        "截至目前，高新区累计拥有国家级专精特新“小巨人”企业11家。",
    ], id="guangdong-news_cont_d_wrap-with-share-print-fontsize"),
    pytest.param(TRS_EDITOR, TRS_URL, [
        "近日，科技部火炬中心公布了2021年度国家高新区评价结果。",
        "在169家国家高新区中，珠海高新区综合排名第17位。",
        "▲珠海高新区全景",
        "（责任编辑：系统管理员）",
    ], id="trs-editor-custom-unionstyle"),
    pytest.param(HANWEB_ZOOM, HANWEB_URL, [
        "11月21日，苏州工业园区召开科技创新大会。",
        "会议表彰了一批科技创新先进集体和个人。",
        "园区将继续加大研发投入，打造创新高地。",
        "大会现场",
    ], id="hanweb-zoom-br-separated"),
    pytest.param(WORDPRESS_ENTRY, WP_URL, [SEED_PARAGRAPH], id="wordpress-seed-glued-paragraph"),
    pytest.param(GENERIC_BLOCK, GD_URL, [
        "园区举办2022年高层次人才招聘会，120家企业提供岗位3000余个。",
        "招聘会现场，求职者与企业面对面交流。",
    ], id="generic-article-content"),
])
def test_each_family_keeps_exactly_its_article_paragraphs(
    fragment: str, base_url: str, paragraphs: list[str]
) -> None:
    assert clean_body(fragment, base_url).paragraphs == paragraphs


@pytest.mark.parametrize("fragment, base_url, images", [
    pytest.param(GUANGDONG_ZW, GD_URL, [
        Image(f"{HOST}/attachment/0/145/145331/3456789.jpg", "图为会议现场。"),
    ], id="guangdong"),
    pytest.param(GUANGDONG_WITH_CHROME, GD_URL, [], id="guangdong-share-icons"),
    pytest.param(TRS_EDITOR, TRS_URL, [
        Image("http://kjj.zhuhai.gov.cn/gzdt/202206/W020220610512345678901.jpg", "▲珠海高新区全景"),
    ], id="trs-src-before-oldsrc"),
    pytest.param(HANWEB_ZOOM, HANWEB_URL, [
        Image("http://www.sipac.gov.cn/picture/0/1611221034567.jpg", "大会现场"),
    ], id="hanweb-layout-table"),
    pytest.param(WORDPRESS_ENTRY, WP_URL, [], id="wordpress"),
    pytest.param(GENERIC_BLOCK, GD_URL, [], id="generic-qr-code-dropped"),
])
def test_each_family_keeps_its_pictures_with_captions(
    fragment: str, base_url: str, images: list[Image]
) -> None:
    assert clean_body(fragment, base_url).images == images


def test_the_guangdong_body_html_is_clean_and_absolute() -> None:
    html = clean_body(GUANGDONG_ZW, GD_URL).html
    assert html == (
        "<p>6月9日，珠海高新区召开2022年招商引资工作推进会，总结前期工作，部署下一阶段任务。</p>"
        "<p>会议指出，今年以来，高新区紧盯“产业第一”，<strong>精准招商</strong>成效明显。</p>"
        f'<figure><img src="{HOST}/attachment/0/145/145331/3456789.jpg" alt="图为会议现场。">'
        "</figure>"
        "<p>图为会议现场。</p>"
        "<p>下一步，高新区将持续优化营商环境，推动更多优质项目落地。</p>"
        "<p>文/宋雪梅 图/吴长福</p>"
        f'<p>附件：<a href="{HOST}/attachment/0/145/145332/3456789.pdf"'
        ' rel="noopener noreferrer nofollow">2022年招商引资政策汇编.pdf</a></p>'
    )


@pytest.mark.parametrize("fragment", [
    '<div class="attachment"><p>附件：</p><ul><li><a href="/att/1.docx">1.申请表.docx</a></li>'
    '<li><a href="/att/2.pdf">2.认定工作指引.pdf</a></li></ul></div>',
    '<p>附件：<a href="/att/2.pdf">认定工作指引.pdf</a></p>',
    '<p>相关附件下载：</p><p><a href="/att/1.xlsx">汇总表.xlsx（32KB）</a></p>',
])
def test_an_attachment_list_stays_a_link_but_is_not_article_text(fragment: str) -> None:
    body = clean_body(f"<div><p>请于8月15日前报送材料。</p>{fragment}</div>", GD_URL)
    assert body.paragraphs == ["请于8月15日前报送材料。"]
    assert f"{HOST}/att/" in body.html


def test_a_sentence_about_an_attachment_is_article_text() -> None:
    body = clean_body("<div><p>请按附件格式填写申请表。</p><p>附件：1.申请表</p></div>", GD_URL)
    assert body.paragraphs == ["请按附件格式填写申请表。", "附件：1.申请表"]


def test_body_text_is_the_paragraphs_joined_by_newlines() -> None:
    body = clean_body(GUANGDONG_ZW, GD_URL)
    assert body.text == "\n".join(body.paragraphs)
    assert body.html == "".join(block.html for block in body.blocks)
    assert [block.text for block in body.blocks if block.text] == body.paragraphs


# --- page furniture goes, by markup and by short text ------------------------------------------

ARTICLE = "<p>珠海高新区今年新增市场主体5000余户，同比增长12%。</p>"
ARTICLE_TEXT = "珠海高新区今年新增市场主体5000余户，同比增长12%。"


@pytest.mark.parametrize("furniture", [
    # breadcrumbs and navigation
    pytest.param('<div>当前位置：<a href="/">首页</a> &gt; <a href="/gxxw/">高新动态</a></div>',
                 id="breadcrumb-by-text"),
    pytest.param('<div class="breadcrumb"><a href="/">首页</a> / 新闻</div>', id="breadcrumb-by-class"),
    pytest.param('<nav><a href="/">首页</a><a href="/news/">新闻</a></nav>', id="nav-element"),
    pytest.param("<p>您现在的位置: 首页 &gt; 园区新闻</p>", id="your-position"),
    # share bars
    pytest.param('<div class="bshare-custom"><a class="bshare-qzone" title="分享到QQ空间"></a>'
                 '<a class="bshare-sinaminiblog"></a></div>', id="bshare"),
    pytest.param('<div class="jiathis_style"><span class="jiathis_txt">分享到：</span></div>',
                 id="jiathis"),
    pytest.param('<p>分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></p>',
                 id="share-by-text"),
    pytest.param('<div class="social-links"><a href="https://weibo.com/x">Weibo</a></div>',
                 id="social-class"),
    # font size switches, print and close buttons
    pytest.param("<div>字号：<a>大</a> <a>中</a> <a>小</a></div>", id="font-size-links"),
    pytest.param("<p>【字体：大 中 小】【打印本页】【关闭窗口】</p>", id="font-print-close-brackets"),
    pytest.param('<p><a href="javascript:window.print()">打印</a> '
                 '<a href="javascript:window.close()">关闭</a> <a href="#">收藏</a></p>',
                 id="print-close-collect"),
    pytest.param('<div class="dayin"><a>【打印】</a></div>', id="print-by-pinyin-class"),
    # view counters
    pytest.param('<p>浏览次数：<span id="hits">123</span></p>', id="view-count"),
    pytest.param("<div><span>阅读量：1024</span></div>", id="read-count"),
    pytest.param("<p>访问量：<script>document.write(88)</script></p>", id="visit-count-by-script"),
    pytest.param("<div>点击数：56</div>", id="click-count"),
    # pagers inside articles
    pytest.param("<p>共3页 第1页 <a>下一页</a> <a>尾页</a></p>", id="pager-words"),
    pytest.param('<div class="pagination"><a href="?p=1">1</a> <a href="?p=2">2</a></div>',
                 id="pager-class"),
    pytest.param('<div><a href="p_1.html">1</a> <a href="p_2.html">2</a> '
                 '<a href="p_3.html">3</a></div>', id="pager-bare-numbers"),
    # related-article lists
    pytest.param('<h4>相关文章</h4><ul><li><a href="/1.html">高新区举办人才招聘会</a></li>'
                 '<li><a href="/2.html">高新区召开安全生产会议</a></li></ul>', id="related-heading-list"),
    pytest.param('<p>相关新闻：<a href="/1.html">高新区召开招商大会</a></p>', id="related-inline"),
    pytest.param('<div><strong>相关链接</strong></div><p><a href="http://www.most.gov.cn/">科技部</a></p>',
                 id="related-links"),
    pytest.param('<div class="related-posts"><h3>延伸阅读</h3><p>一篇文章的摘要文字。</p></div>',
                 id="related-class"),
    pytest.param("<h3>Related posts</h3><ul><li><a href=\"/2022/06/09/x/\">Zone signs deal</a></li></ul>",
                 id="related-posts-english"),
    # previous / next links
    pytest.param('<p>上一篇：<a href="/1.html">高新区举办人才招聘会</a></p><p>下一篇：没有了</p>',
                 id="prev-next"),
    pytest.param('<div class="nav-links"><a href="/a/">Previous post: Zone news</a></div>',
                 id="post-navigation"),
    # QR codes
    pytest.param('<div><img src="/images/qrcode.png"><p>扫一扫在手机打开当前页</p></div>',
                 id="qr-scan-open"),
    pytest.param("<p>手机扫描二维码</p>", id="qr-phone-scan"),
    # footers, forms, comments, frames, hidden things
    pytest.param("<footer>主办：珠海高新区管委会 版权所有</footer>", id="footer-element"),
    pytest.param('<div class="footer">Copyright © 2022 珠海高新区</div>', id="footer-class"),
    pytest.param("<p>版权所有：珠海高新区管理委员会</p>", id="copyright-line"),
    pytest.param('<form action="/search"><input name="q"><button>搜索</button></form>', id="form"),
    pytest.param('<div id="comments"><h3>发表评论</h3><textarea></textarea>'
                 "<p>网友评论仅供其表达个人看法。</p></div>", id="comment-box"),
    pytest.param('<iframe src="http://video.example.com/player?id=1">视频</iframe>', id="iframe"),
    pytest.param("<noscript>请启用JavaScript</noscript>", id="noscript"),
    pytest.param("<script>var _hmt = _hmt || [];</script><style>p{color:red}</style>",
                 id="script-style"),
    pytest.param('<div style="display:none">隐藏的统计代码内容</div>', id="display-none"),
    pytest.param('<div style="DISPLAY: none; width:0">隐藏内容</div>', id="display-none-upper"),
    pytest.param("<p hidden>隐藏段落</p>", id="hidden-attribute"),
    # WordPress chrome inside .entry-content
    pytest.param('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
                 '<ul><li><a href="?share=twitter">Twitter</a></li></ul></div>', id="sharedaddy"),
    pytest.param('<div id="jp-relatedposts" class="jp-relatedposts">'
                 '<h3 class="jp-relatedposts-headline"><em>Related</em></h3></div>',
                 id="jp-relatedposts"),
    pytest.param('<div class="post-tags">Tags: <a href="/tag/zhuhai/" rel="tag">Zhuhai</a></div>',
                 id="post-tags"),
    pytest.param("<p>Share this:</p><p>Like this:</p><p>Like Loading...</p>", id="share-like-text"),
    pytest.param('<p>Tags: <a href="/tag/zhuhai/">Zhuhai</a>, <a href="/tag/park/">Park</a></p>',
                 id="tags-line"),
    pytest.param('<table><tr><td><a href="javascript:window.print()">【打印本页】</a></td>'
                 '<td><a href="javascript:window.close()">【关闭窗口】</a></td></tr>'
                 "<tr><td>【返回顶部】</td><td></td></tr></table>", id="print-close-table"),
    pytest.param('<h4>相关阅读</h4><ul><li><a href="/1.html"><img src="/thumb/1.jpg">'
                 "高新区举办人才招聘会</a></li></ul>", id="related-list-with-thumbnails"),
])
@pytest.mark.parametrize("where", ["before", "after"])
def test_page_furniture_is_removed(furniture: str, where: str) -> None:
    fragment = furniture + ARTICLE if where == "before" else ARTICLE + furniture
    assert clean_body(f"<div>{fragment}</div>", GD_URL).paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("fragment, paragraph", [
    # furniture words inside real sentences
    ("<p>请各单位于6月30日前打印申请表并加盖公章后提交。</p>",
     "请各单位于6月30日前打印申请表并加盖公章后提交。"),
    ("<p>园区将关闭高耗能生产线，推动绿色转型。</p>", "园区将关闭高耗能生产线，推动绿色转型。"),
    ("<p>市民可扫一扫下方二维码报名参加活动</p>", "市民可扫一扫下方二维码报名参加活动"),
    ("<p>相关文章指出，高新区的发展得益于营商环境的持续优化。</p>",
     "相关文章指出，高新区的发展得益于营商环境的持续优化。"),
    ("<p>阅读量突破10万的文章讲述了一个创业故事</p>", "阅读量突破10万的文章讲述了一个创业故事"),
    ("<p>分享经济成为新的增长点</p>", "分享经济成为新的增长点"),
    ("<p>收藏家捐赠文物</p>", "收藏家捐赠文物"),
    ("<p>Next, the zone will build a new industrial park.</p>",
     "Next, the zone will build a new industrial park."),
    ("<p>Related companies signed agreements on the same day.</p>",
     "Related companies signed agreements on the same day."),
    ("<p>上一篇报道中提到的项目已经开工。</p>", "上一篇报道中提到的项目已经开工。"),
    # an info line loses only its counter
    ("<p>发布时间：2022-06-10 来源：本网 浏览次数：<span>321</span></p>",
     "发布时间：2022-06-10 来源：本网"),
    # credits stay: they are taken out later, from the paragraphs
    ("<p>（责任编辑：系统管理员）</p>", "（责任编辑：系统管理员）"),
    ("<p>摄影/张艳  编辑/苏芳</p>", "摄影/张艳 编辑/苏芳"),
    ("<p>（记者 崔小远 通讯员 陈白虹）</p>", "（记者 崔小远 通讯员 陈白虹）"),
    ('<p style="text-align:right">【编辑：姚昊】</p>', "【编辑：姚昊】"),
    # layout classes and styles that only sound like furniture
    ('<div class="TRS_PreAppend" style="overflow-x: hidden; word-break: break-all">'
     "<p>园区新签约项目23个。</p></div>", "园区新签约项目23个。"),
    ('<div class="position-relative"><p>园区新签约项目23个。</p></div>', "园区新签约项目23个。"),
    # a furniture-sounding wrapper that holds the article itself
    ('<div class="content share-enabled"><p>高新区召开2022年经济工作会议，'
     "部署全年重点任务，要求各部门狠抓落实，确保完成全年目标，推动经济高质量发展，"
     "为建设现代化国际化经济特区作出新的更大贡献。会议强调，要坚持创新驱动发展战略，"
     "加快培育新兴产业，不断优化营商环境。</p></div>",
     "高新区召开2022年经济工作会议，部署全年重点任务，要求各部门狠抓落实，确保完成全年目标，"
     "推动经济高质量发展，为建设现代化国际化经济特区作出新的更大贡献。会议强调，要坚持创新驱动"
     "发展战略，加快培育新兴产业，不断优化营商环境。"),
])
def test_real_paragraphs_with_furniture_words_are_kept(fragment: str, paragraph: str) -> None:
    assert clean_body(fragment, GD_URL).paragraphs == [paragraph]


def test_a_related_list_ends_at_the_next_real_paragraph() -> None:
    fragment = (
        '<h4>相关新闻</h4><ul><li><a href="/1.html">高新区召开招商大会</a></li></ul>'
        "<p>记者从会上获悉，今年将新建三个孵化器。</p>"
    )
    assert clean_body(fragment, GD_URL).paragraphs == ["记者从会上获悉，今年将新建三个孵化器。"]


# --- whitespace -----------------------------------------------------------------------------------

@pytest.mark.parametrize("inner, paragraph", [
    ("　　珠海高新区", "珠海高新区"),
    ("&nbsp;&nbsp;&nbsp;&nbsp;珠海高新区", "珠海高新区"),
    ("\u3000\u3000\u200b珠海\ufeff高新区\u200d", "珠海高新区"),
    ("\xa0\u2003珠海高新区\u3000", "珠海高新区"),
    ("High-tech   Zone  of\tZhuhai", "High-tech Zone of Zhuhai"),
    ("Zhuhai\nHigh-tech Zone", "Zhuhai High-tech Zone"),
    ("珠海高新区\n        管委会", "珠海高新区管委会"),
    ("文/图 刘玺东 易赛楠", "文/图 刘玺东 易赛楠"),
    ("<span>珠海</span><span>高新区</span>", "珠海高新区"),
    ("<span>Zhuhai</span> <span>High-tech</span>", "Zhuhai High-tech"),
    ("&amp;nbsp;&amp;nbsp;双重转义的空格", "双重转义的空格"),
    ("&lt;p&gt;双重转义的段落&lt;/p&gt;", "双重转义的段落"),
])
def test_whitespace_is_trimmed_and_collapsed(inner: str, paragraph: str) -> None:
    assert clean_body(f"<p>{inner}</p>", GD_URL).paragraphs == [paragraph]


@pytest.mark.parametrize("fragment", [
    "",
    "<p></p>",
    "<p>&nbsp;</p><p>　　</p><div><br><br></div>",
    "<p>\u200b</p><p><span> </span></p>",
    '<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></p>',
])
def test_empty_markup_gives_no_blocks(fragment: str) -> None:
    assert clean_body(fragment, GD_URL).blocks == []


# --- one block per paragraph ----------------------------------------------------------------------

@pytest.mark.parametrize("fragment, paragraphs", [
    ("<div>第一段<br><br>第二段<br>第三段</div>", ["第一段", "第二段", "第三段"]),
    ("<p>第一段<br/>　　第二段</p>", ["第一段", "第二段"]),
    ("<div><div>甲</div><div>乙</div></div>", ["甲", "乙"]),
    ("<div>引言<p>正文</p>结语</div>", ["引言", "正文", "结语"]),
    ("<ul><li>一是强化招商</li><li>二是优化服务</li></ul>", ["一是强化招商", "二是优化服务"]),
    ("<ol><li><p>第一条</p></li><li>第二条</li></ol>", ["第一条", "第二条"]),
    ("<h3>一、总体要求</h3><p>坚持创新驱动。</p>", ["一、总体要求", "坚持创新驱动。"]),
    ("<blockquote><p>引用的话</p></blockquote><p>正文</p>", ["引用的话", "正文"]),
    ("<section><p>甲</p></section><section><p>乙</p></section>", ["甲", "乙"]),
    ("<center>居中的一段</center>", ["居中的一段"]),
    ("<p><strong>加粗<br>换行</strong></p>", ["加粗", "换行"]),
    ("<dl><dt>项目名称</dt><dd>智能制造产业园</dd></dl>", ["项目名称", "智能制造产业园"]),
    ("<p>正文</p><hr><p>补充</p>", ["正文", "补充"]),
])
def test_each_paragraph_becomes_one_block(fragment: str, paragraphs: list[str]) -> None:
    assert clean_body(fragment, GD_URL).paragraphs == paragraphs


DATA_TABLE = """
<table border="1" style="width:600px" class="MsoTableGrid">
<tr><th>项目</th><th style="color:red">金额（万元）</th></tr>
<tr><td>研发中心</td><td>1200</td></tr>
<tr><td colspan="2" onclick="alert(1)">合计 1200</td></tr>
</table>
"""


def test_a_data_table_is_one_block_with_cells_and_rows_joined() -> None:
    body = clean_body(f"<p>经费安排如下：</p>{DATA_TABLE}<p>以上。</p>", GD_URL)
    assert body.paragraphs == ["经费安排如下：", "项目\t金额（万元） 研发中心\t1200 合计 1200", "以上。"]
    assert body.blocks[1].html == (
        "<table><tbody><tr><th>项目</th><th>金额（万元）</th></tr>"
        "<tr><td>研发中心</td><td>1200</td></tr>"
        '<tr><td colspan="2">合计 1200</td></tr></tbody></table>'
    )


@pytest.mark.parametrize("fragment, html", [
    ('<p class="MsoNormal" style="text-indent:2em">　　<span style="font-family:仿宋">正文</span>'
     "<b>重点</b><em>强调</em>x<sup>2</sup></p>",
     "<p>正文<b>重点</b><em>强调</em>x<sup>2</sup></p>"),
    ("<h1>一级标题</h1>", "<h2>一级标题</h2>"),
    ("<h3>三级标题</h3>", "<h3>三级标题</h3>"),
    ('<h4 style="text-align:center"><span>四级</span></h4>', "<h4>四级</h4>"),
    ("<li>列表项</li>", "<p>列表项</p>"),
    ('<p><a href="/attachment/0/1/2/3456789.docx" target="_blank">申报表.docx</a></p>',
     f'<p><a href="{HOST}/attachment/0/1/2/3456789.docx" rel="noopener noreferrer nofollow">'
     "申报表.docx</a></p>"),
    ('<p><a href="../../gxdt/content/post_1.html">前文</a></p>',
     f'<p><a href="{HOST}/gxxw/gxdt/content/post_1.html" rel="noopener noreferrer nofollow">'
     "前文</a></p>"),
    ('<p><a href="javascript:void(0)" onclick="share()">点我</a>看看</p>', "<p>点我看看</p>"),
    ("<p><font color=red><u>下划线</u></font></p>", "<p><u>下划线</u></p>"),
    ('<figure><img src="/a/1.jpg"><figcaption>签约仪式</figcaption></figure>',
     f'<figure><img src="{HOST}/a/1.jpg" alt="签约仪式"><figcaption>签约仪式</figcaption></figure>'),
])
def test_block_html_keeps_only_allowed_markup(fragment: str, html: str) -> None:
    assert [block.html for block in clean_body(fragment, GD_URL).blocks] == [html]


# --- pictures -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fragment, images", [
    # where the address comes from
    ('<img src="3456789_1.jpg">', [Image(f"{HOST}/gxxw/gxdt/content/3456789_1.jpg", None)]),
    ('<img src="/images/loading.gif" data-src="/uploads/2022/06/photo.jpg">',
     [Image(f"{HOST}/uploads/2022/06/photo.jpg", None)]),
    ('<img src="data:image/png;base64,iVBORw0KGgo=" data-original="/up/a.jpg">',
     [Image(f"{HOST}/up/a.jpg", None)]),
    ('<img src="" oldsrc="/protect/P020220610.jpg">', [Image(f"{HOST}/protect/P020220610.jpg", None)]),
    ('<img src="//cdn.zhuhai-hitech.gov.cn/a.png">', [Image("http://cdn.zhuhai-hitech.gov.cn/a.png", None)]),
    ('<img src="https://img.example.com/a.jpg">', [Image("https://img.example.com/a.jpg", None)]),
    # what is not a picture of the article
    ('<img src="/stat/count.gif" width="1" height="1">', []),
    ('<img src="/images/spacer.gif">', []),
    ('<img src="/images/share_weixin.png" width="16" height="16">', []),
    ('<img src="/skin/icon_print.gif">', []),
    ('<img src="/a.png" style="width:20px;height:20px">', []),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', []),
    ('<img src="javascript:alert(1)">', []),
    ("<img>", []),
    # captions
    ('<figure><img src="/a.jpg"><figcaption>签约仪式现场</figcaption></figure>',
     [Image(f"{HOST}/a.jpg", "签约仪式现场")]),
    ('<img src="/a.jpg" alt="珠海高新区全景">', [Image(f"{HOST}/a.jpg", "珠海高新区全景")]),
    ('<img src="/a.jpg" title="唐家湾夜景">', [Image(f"{HOST}/a.jpg", "唐家湾夜景")]),
    ('<img src="/a.jpg" alt="P020220610512345678901.jpg">', [Image(f"{HOST}/a.jpg", None)]),
    ('<img src="/a.jpg" alt="微信图片_20220610103012">', [Image(f"{HOST}/a.jpg", None)]),
    ('<img src="/a.jpg" alt="IMG_2045">', [Image(f"{HOST}/a.jpg", None)]),
    ('<img src="/a.jpg" alt="image">', [Image(f"{HOST}/a.jpg", None)]),
    ('<p style="text-align:center"><img src="/a.jpg" alt="签约"></p>'
     '<p style="text-align:center">签约仪式现场</p>', [Image(f"{HOST}/a.jpg", "签约仪式现场")]),
    ('<p><img src="/a.jpg"></p><p>图为高新区企业生产车间。</p>',
     [Image(f"{HOST}/a.jpg", "图为高新区企业生产车间。")]),
    ('<p><img src="/a.jpg"></p><p>▲ 项目效果图</p>', [Image(f"{HOST}/a.jpg", "▲ 项目效果图")]),
    ('<p><img src="/a.jpg"></p><p>（图片来源：珠海高新区）</p>',
     [Image(f"{HOST}/a.jpg", "（图片来源：珠海高新区）")]),
    ('<p align="center"><img src="/a.jpg"><br>大会现场</p>', [Image(f"{HOST}/a.jpg", "大会现场")]),
    ('<div class="wp-caption aligncenter"><img src="/a.jpg" alt="">'
     '<p class="wp-caption-text">The signing ceremony</p></div>',
     [Image(f"{HOST}/a.jpg", "The signing ceremony")]),
    ('<p><img src="/a.jpg"></p><p>会上，高新区管委会主任介绍了今年以来的招商引资情况。</p>',
     [Image(f"{HOST}/a.jpg", None)]),
    # pictures whose names only contain a furniture word
    ('<img src="/uploads/silicon-wafer.jpg">', [Image(f"{HOST}/uploads/silicon-wafer.jpg", None)]),
    ('<img src="/uploads/shareholders-meeting.jpg">',
     [Image(f"{HOST}/uploads/shareholders-meeting.jpg", None)]),
    # a picture shown twice is one picture
    ('<img src="/a.jpg"><p>正文</p><img src="/a.jpg">', [Image(f"{HOST}/a.jpg", None)]),
])
def test_pictures_are_absolute_and_captioned(fragment: str, images: list[Image]) -> None:
    assert clean_body(fragment, GD_URL).images == images


@pytest.mark.parametrize("fragment, paragraphs", [
    ('<figure><img src="/a.jpg"><figcaption>签约仪式现场</figcaption></figure><p>正文</p>',
     ["签约仪式现场", "正文"]),
    ('<p style="text-align:center"><img src="/a.jpg"></p><p style="text-align:center">签约仪式现场</p>',
     ["签约仪式现场"]),
    ('<img src="/a.jpg" alt="珠海高新区全景"><p>正文</p>', ["正文"]),
])
def test_a_visible_caption_also_stays_a_paragraph(fragment: str, paragraphs: list[str]) -> None:
    assert clean_body(fragment, GD_URL).paragraphs == paragraphs


def test_a_picture_is_its_own_block_between_the_paragraphs_around_it() -> None:
    body = clean_body('<p>上文<img src="/a.jpg">下文</p>', GD_URL)
    assert [block.text for block in body.blocks] == ["上文", "", "下文"]
    assert body.blocks[1].html == f'<figure><img src="{HOST}/a.jpg" alt=""></figure>'


def test_pictures_inside_a_data_table_are_kept() -> None:
    fragment = ('<table><tr><td><img data-src="/a.jpg"></td><td><img src="/b.jpg"></td></tr>'
                "<tr><td>厂房</td><td>车间</td></tr></table>")
    body = clean_body(fragment, GD_URL)
    assert body.images == [Image(f"{HOST}/a.jpg", None), Image(f"{HOST}/b.jpg", None)]
    assert f'src="{HOST}/a.jpg"' in body.html


# --- sanitising -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dirty, clean", [
    ("<img src=x onerror=alert(1)>", f'<img src="{HOST}/gxxw/gxdt/content/x">'),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="java&#x09;script:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
     '<a rel="noopener noreferrer nofollow">x</a>'),
    ("<svg><script>alert(1)</script></svg>安全", "安全"),
    ('<svg onload="alert(1)"><circle r="1"/></svg>', ""),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ""),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', ""),
    ('<p style="color:red" class="x" id="y" onclick="evil()">段落</p>', "<p>段落</p>"),
    ('<iframe src="http://evil.example.com/"></iframe>正文', "正文"),
    ("<style>p{color:red}</style><p>x</p>", "<p>x</p>"),
    ("<script>alert(1)</script><noscript>n</noscript>", ""),
    ('<div><span style="x">文字</span></div>', "文字"),
    ("<h1>标题</h1>", "标题"),
    ('<form action="/x"><input value="v">表单</form>', "表单"),
    ('<a href="/x.pdf" target="_blank" title="t">附件</a>',
     f'<a href="{HOST}/x.pdf" rel="noopener noreferrer nofollow">附件</a>'),
    ('<a href="mailto:office@zhuhai-hitech.gov.cn">来信</a>',
     '<a href="mailto:office@zhuhai-hitech.gov.cn" rel="noopener noreferrer nofollow">来信</a>'),
    ('<td rowspan="2" width="10">格</td>', "格"),
    ('<table><tr><td rowspan="2" width="10">格</td></tr></table>',
     '<table><tbody><tr><td rowspan="2">格</td></tr></tbody></table>'),
    ("<!-- 注释 --><p>正文</p>", "<p>正文</p>"),
])
def test_sanitize_html_keeps_only_the_allow_list(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty, GD_URL) == clean


@pytest.mark.parametrize("base_url", ["", "not a url", "http://[broken"])
def test_sanitize_html_drops_relative_links_it_cannot_resolve(base_url: str) -> None:
    assert sanitize_html('<a href="/x.html">x</a><img src="a.jpg">', base_url) == (
        '<a rel="noopener noreferrer nofollow">x</a>'
    )


@pytest.mark.parametrize("fragment", [
    '<p>文字<img src="x" onerror="alert(1)"></p>',
    '<p><a href="javascript:alert(document.cookie)">链接</a></p>',
    "<p><svg><script>alert(1)</script></svg>文字</p>",
    '<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">链接</a></p>',
    '<p onmouseover="alert(1)">文字</p>',
    '<p><object data="evil.swf"></object><embed src="evil.swf">文字</p>',
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;文字</p>",
])
def test_clean_body_never_passes_script_through(fragment: str) -> None:
    body = clean_body(fragment, GD_URL)
    assert "<script" not in body.html.lower()
    assert not ON_ATTRIBUTE.search(body.html)
    assert "javascript:" not in body.html.lower()
    assert "data:" not in body.html


# --- properties -----------------------------------------------------------------------------------

ON_ATTRIBUTE = re.compile(r"<[^>]*\son\w+\s*=", re.I)
TAG_IN_TEXT = re.compile(r"<[!/?]?[A-Za-z][^<>]*>")
SAFE_URL = re.compile(r"^(?:https?://|mailto:)", re.I)

TAG_NAMES = ["p", "div", "span", "a", "img", "br", "table", "tr", "td", "script", "style", "svg",
             "iframe", "ul", "li", "h3", "strong", "figure", "figcaption", "form", "font", "center"]
ATTRIBUTES = st.sampled_from([
    'href="javascript:alert(1)"', 'src="data:image/png;base64,AA"', 'onerror="alert(1)"',
    'onclick="x()"', 'style="display:none"', 'style="text-align:center"', 'class="share"',
    'class="zw"', 'id="zoom"', 'href="/a.pdf"', 'src="/a.jpg"', 'data-src="b.jpg"',
    'width="1"', 'alt="图为现场"', 'hidden', 'colspan="2"',
])
TEXTS = st.text(alphabet=st.sampled_from(list("珠海高新区 　\u200b\n<>&;'\"=/图为▲打印关闭abc1")),
                max_size=12)


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 4 and draw(st.booleans()):
            name = draw(st.sampled_from(TAG_NAMES))
            attrs = " ".join(draw(st.lists(ATTRIBUTES, max_size=2)))
            parts.append(f"<{name} {attrs}>{draw(markup(depth + 1))}</{name}>")
        else:
            parts.append(draw(TEXTS))
    return "".join(parts)


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    for element in lxml.html.fragment_fromstring(html, create_parent="div").iterdescendants():
        assert element.tag in ALLOWED_TAGS
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if name in ("href", "src"):
                assert SAFE_URL.match(value)


@settings(max_examples=300, deadline=None)
@given(fragment=st.one_of(markup(), st.text(max_size=200)))
def test_any_html_gives_safe_blocks_of_plain_text(fragment: str) -> None:
    body = clean_body(fragment, GD_URL)
    for block in body.blocks:
        assert block.text or "<img" in block.html
        assert block.text == block.text.strip()
        assert "\n" not in block.text
        assert not TAG_IN_TEXT.search(block.text)
        assert_safe(block.html)
    for image in body.images:
        assert image.url.startswith(("http://", "https://"))


@settings(max_examples=300, deadline=None)
@given(html=st.one_of(markup(), st.text(max_size=200)))
def test_sanitize_html_output_is_always_safe(html: str) -> None:
    assert_safe(sanitize_html(html, GD_URL))
