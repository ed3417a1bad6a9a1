from pages import greeting_page


def test_renders_name():
    assert greeting_page("Ada") == "<h1>Hello, Ada!</h1>"
