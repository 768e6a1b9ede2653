from commonweal.experiments.charts import comparison_chart, ticks


def test_the_chart_is_an_image_with_a_title_description_and_both_lines() -> None:
    svg = comparison_chart(
        ["2019", "2020", "2021"], [1.0, 2.0, 5.0], [1.0, 2.1, 2.9], "2021", "Vale <&>", "%"
    )

    assert 'role="img"' in svg
    assert '<title id="trajectory-title">Vale &lt;&amp;&gt; against its synthetic comparison' in svg
    assert "<desc" in svg
    assert 'class="area"' in svg and 'class="comparison"' in svg
    assert "Change from 2021" in svg


def test_ticks_are_round_numbers() -> None:
    assert ticks(0, 10) == [0, 2, 4, 6, 8, 10]
