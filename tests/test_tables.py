"""Tables as text: CSV and Markdown."""

from numpynn.tables import aligned_text, csv_text, markdown_table


def test_csv_has_the_first_row_s_keys_as_header_and_none_as_an_empty_field():
    rows = [{"a": 1, "b": 0.5}, {"a": None, "b": "x,y"}]
    assert csv_text(rows) == 'a,b\n1,0.5\n,"x,y"\n'


def test_markdown_table():
    assert markdown_table(["k", "v"], [["lr", 0.1], ["seed", 0]]) == (
        "| k | v |\n| --- | --- |\n| lr | 0.1 |\n| seed | 0 |"
    )


def test_aligned_text_lines_up_columns_left_or_right():
    rows = [["name", "n"], ["a", "100"], ["bbbb", "2"]]
    assert aligned_text(rows) == ["name  n", "a     100", "bbbb  2"]
    assert aligned_text(rows, right=True) == ["name    n", "   a  100", "bbbb    2"]
