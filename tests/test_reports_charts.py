"""The SVG charts: well-formed XML, one bar per item with its value, links to the orders, text escaped."""
import xml.etree.ElementTree as ET

from portal import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(str(markup))


def test_bar_chart_has_one_bar_per_item_scaled_to_its_value():
    items = [charts.Item("9月", 10, "/orders/?start=2026-09-01"), charts.Item("10月", 20, None),
             charts.Item("11月<&>", 5, "/orders/?a=1&b=2")]
    root = parse(charts.bar(items, "每月受理量", height=240))
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    assert [b.get("data-label") for b in bars] == ["9月", "10月", "11月<&>"]
    assert [b.get("data-value") for b in bars] == ["10", "20", "5"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 2 * heights[0] == 4 * heights[2]  # the axis tops at 20
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["/orders/?start=2026-09-01", "/orders/?a=1&b=2"]
    assert root.find(f"{SVG}title").text == "每月受理量"


def test_ranking_lists_rows_in_order_with_percentages():
    items = [charts.Item("区城管局", 0.95, "/orders/?unit=1"), charts.Item("区住建局", 0.5, "/orders/?unit=2")]
    root = parse(charts.ranking(items, "排名"))
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    assert [b.get("data-value") for b in bars] == ["95.0%", "50.0%"]
    assert float(bars[0].get("width")) > float(bars[1].get("width"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "1. 区城管局" in texts and "2. 区住建局" in texts
    assert "暂无数据" in str(charts.ranking([], "空"))


def test_line_chart_draws_each_series_and_leaves_gaps():
    root = parse(charts.line(["9月", "10月", "11月"], [("满意率", [0.9, None, 0.95]), ("解决率", [0.8, 0.85, 0.9])],
                             "指标", hrefs=["/a", "/b", "/c"]))
    points = root.findall(f".//{SVG}circle")
    assert [p.get("data-series") for p in points].count("满意率") == 2  # None is a gap, not a zero
    assert len(root.findall(f"{SVG}polyline")) == 1  # the gap breaks 满意率's line into single points
    assert [p.get("data-value") for p in points if p.get("data-series") == "解决率"] == ["80.0%", "85.0%", "90.0%"]
