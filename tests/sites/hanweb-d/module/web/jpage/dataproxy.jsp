<?xml version="1.0" encoding="UTF-8"?>
<datastore><totalrecord>8</totalrecord><totalpage>2</totalpage>
<nextgroup><![CDATA[]]></nextgroup>
<recordset>
<record><![CDATA[
<li class="clearfix"><a href="/art/2024/3/12/art_1229637215_59048871.html" title="宁波高新区召开2024年度“双招双引”工作大会" target="_blank">宁波高新区召开2024年度“双招双引”工作大会</a><span class="bt-data">2024-03-12</span></li>
]]></record>
<record><![CDATA[
<li class="clearfix"><a href="/art/2024/3/6/art_1229637215_59035519.html" title="宁波高新区发布2024年人才新政“十条”" target="_blank">宁波高新区发布2024年人才新政“十条”</a><span class="bt-data">2024-03-06</span></li>
]]></record>
<record><![CDATA[
<li class="clearfix"><a href="/art/2024/2/29/art_1229637215_59021064.html" title="2023年宁波高新区规上工业增加值增长9.6%" target="_blank">2023年宁波高新区规上工业增加值增长9.6%</a><span class="bt-data">2024-02-29</span></li>
]]></record>
</recordset>
</datastore>
