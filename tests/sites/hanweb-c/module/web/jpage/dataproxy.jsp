<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>园区动态</title>
<meta name="SiteName" content="德清县莫干山国家高新技术产业开发区">
<meta name="SiteDomain" content="www.mgsgxq.gov.cn">
<meta name="SiteIDCode" content="3305210012">
<meta name="ColumnName" content="园区动态">
<meta name="ColumnType" content="工作动态">
<meta name="ArticleTitle" content="园区动态">
<script type="text/javascript" src="/script/jquery.js"></script>
<link href="/images/zxcss.css" rel="stylesheet" type="text/css">
</head>
<body>
<script type="text/javascript" src="/script/0/1808230926403463.js"></script>
<div class="top"><a href="/">首页</a> | <a href="/col/col1229516/index.html">园区动态</a> | <a href="/col/col1229517/index.html">通知公告</a> | <a href="/col/col1229520/index.html">政策文件</a></div>
<div class="position">您当前的位置：<a href="/">首页</a> &gt; 园区动态</div>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td width="240" valign="top"><div class="lm">新闻中心</div><a href="/col/col1229516/index.html">园区动态</a><br><a href="/col/col1229517/index.html">通知公告</a></td>
<td valign="top"><div id="5361">
<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td width="15"><img src="/images/dian.jpg"></td><td align="left"><a href="/art/2023/9/5/art_1229516_58815530.html" title="莫干山高新区召开“亩均论英雄”改革推进会" target="_blank">莫干山高新区召开“亩均论英雄”改革推进会</a></td><td width="80" align="right">[2023-09-05]</td></tr>
<tr><td width="15"><img src="/images/dian.jpg"></td><td align="left"><a href="/art/2023/8/30/art_1229516_58808264.html" title="莫干山高新区地理信息产业园获评省级特色产业园" target="_blank">莫干山高新区地理信息产业园获评省级特色产业园</a></td><td width="80" align="right">[2023-08-30]</td></tr>
<tr><td width="15"><img src="/images/dian.jpg"></td><td align="left"><a href="/art/2023/8/25/art_1229516_58801143.html" title="莫干山高新区企业服务专员制度全面推行" target="_blank">莫干山高新区企业服务专员制度全面推行</a></td><td width="80" align="right">[2023-08-25]</td></tr>
<tr><td width="15"><img src="/images/dian.jpg"></td><td align="left"><a href="/art/2023/8/21/art_1229516_58797012.html" title="莫干山高新区开展防汛防台应急演练" target="_blank">莫干山高新区开展防汛防台应急演练</a></td><td width="80" align="right">[2023-08-21]</td></tr>
</table>
<div class="default_pgContainer" align="center"><a href="/col/col1229516/index.html?uid=5361&pageNum=1">首页</a> <a href="/col/col1229516/index.html?uid=5361&pageNum=1">上一页</a> <span>下一页</span> <span>尾页</span> 共2页 8条</div>
</div></td></tr>
</table>
<div class="bottom">
<p>主办：莫干山国家高新技术产业开发区管理委员会　承办：德清县大数据发展管理局</p>
<p>网站标识码：3305210012　<a href="https://beian.miit.gov.cn/">浙ICP备13019876号-1</a>　浙公网安备 33052102000321号</p>
<p><script type="text/javascript">document.write('<span id="_ideConac"></span>');</script></p>
</div>
</body>
</html>
