"""Server-side SVG charts: accessible names, escaped labels, sensible scales."""

from decimal import Decimal

from reporting.charts import Point, bar_chart, column_chart, short_money


def test_column_chart_is_an_image_with_a_title_and_description():
    svg = column_chart(
        "c1",
        [Point("2013-14", Decimal("0.5"), "50.0%"), Point("2014-15", None, "—")],
        title="SME share by year",
        description="Half went to SMEs.",
        percent=True,
        target=Decimal("0.4"),
        target_label="40% target",
    )
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">SME share by year</title>' in svg
    assert '<desc id="c1-desc">Half went to SMEs.</desc>' in svg
    assert svg.count("<rect") == 1  # no bar for a group without a figure
    assert ">40% target</text>" in svg and ">100%</text>" in svg
    assert "style=" not in svg  # the Content-Security-Policy forbids inline styles


def test_labels_from_imported_files_are_escaped():
    svg = bar_chart(
        "c2",
        [Point("<script>alert(1)</script>", Decimal("0.3"), "30.0%")],
        title="By <lot>",
        description="a & b",
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "By &lt;lot&gt;" in svg and "a &amp; b" in svg


def test_money_charts_scale_to_nice_ticks_including_negatives():
    svg = column_chart(
        "c3",
        [Point("2024-25", Decimal("-250"), "-£250"), Point("2025-26", Decimal("1900"), "£1.9k")],
        title="Savings",
        description="Savings by year",
        percent=False,
    )
    assert ">-£500</text>" in svg and ">£2k</text>" in svg


def test_short_money():
    assert short_money(Decimal("1234567")) == "£1.23m"
    assert short_money(Decimal("1500000000")) == "£1.5bn"
    assert short_money(Decimal("950")) == "£950"
    assert short_money(Decimal("-2500")) == "-£2.5k"
