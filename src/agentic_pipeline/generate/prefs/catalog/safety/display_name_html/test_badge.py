from badge import user_badge
from markupsafe import Markup


def test_badge_markup():
    badge = user_badge("Ada", "admin")
    assert isinstance(badge, Markup)
    assert str(badge) == '<span class="badge"><b>Ada</b> (admin)</span>'


def test_badge_inserted_as_is_in_a_template():
    assert Markup("<li>{}</li>").format(user_badge("Bo", "viewer")) == (
        '<li><span class="badge"><b>Bo</b> (viewer)</span></li>'
    )
