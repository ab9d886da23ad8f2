"""Tables (manual: "Generation of data tables", "GitHub Markdown tables")."""

from conftest import muse_body as body


def test_native_table():
    src = ("     Triple bars ||| Separate footer fields\n     Double bars  || Separate header fields\n"
           "     Single bars   | Separate body fields\n     Here are more | body *fields*\n"
           "     |+ This is the caption +|\n")
    assert body(src) == (
        "<body><table><caption>This is the caption</caption>"
        "<thead><tr><th>Double bars</th><th>Separate header fields</th></tr></thead>"
        "<tbody><tr><td>Single bars</td><td>Separate body fields</td></tr>"
        "<tr><td>Here are more</td><td>body <em>fields</em></td></tr></tbody>"
        "<tfoot><tr><td>Triple bars</td><td>Separate footer fields</td></tr></tfoot></table></body>")


def test_github_table_with_header():
    src = ("| Left aligned  | Centered |\n| :------------ | :------: |\n| Content Cell  | *Right* |\n"
           "| See **here**  | Cell 2   |\n|+ legend +|\n")
    assert body(src) == (
        "<body><table><caption>legend</caption>"
        "<thead><tr><th>Left aligned</th><th>Centered</th></tr></thead>"
        "<tbody><tr><td>Content Cell</td><td><em>Right</em></td></tr>"
        "<tr><td>See <strong>here</strong></td><td>Cell 2</td></tr></tbody></table></body>")


def test_github_table_without_header():
    src = "| :------------ | :------: |\n| Content Cell  | Cell 1   |\n"
    assert body(src) == "<body><table><tbody><tr><td>Content Cell</td><td>Cell 1</td></tr></tbody></table></body>"


def test_pipe_without_indentation_is_text():
    assert body("a | b\n") == "<body><p>a | b</p></body>"
