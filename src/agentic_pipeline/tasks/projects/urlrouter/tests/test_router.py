import pytest

from urlrouter.router import Match, MethodNotAllowed, NotFound, Router, match_segments, split_path


def show_user():
    return "user"


def list_posts():
    return "posts"


def create_post():
    return "created"


@pytest.fixture
def router():
    r = Router()
    r.add("user", "/users/<int:id>", show_user)
    r.add("posts", "/users/<int:id>/posts", list_posts)
    r.add("new_post", "/users/<int:id>/posts", create_post, methods=("post", "PUT"))
    r.add("page", "/pages/<slug>", show_user)
    r.add("me", "/users/me", list_posts)
    return r


def test_split_path():
    assert split_path("/a//b/") == ["a", "b"]
    assert split_path("/") == []
    assert split_path("a") == ["a"]


def test_match_segments():
    assert match_segments(["users", "<int:id>"], ["users", "42"]) == {"id": 42}
    assert match_segments(["users", "<int:id>"], ["users", "x"]) is None
    assert match_segments(["users", "<int:id>"], ["users", "-1"]) is None
    assert match_segments(["p", "<name>"], ["p", "a%20b"]) == {"name": "a b"}
    assert match_segments(["p", "<str:name>"], ["p", "7"]) == {"name": "7"}
    assert match_segments(["a"], ["a", "b"]) is None
    assert match_segments(["a"], ["b"]) is None
    assert match_segments([], []) == {}
    assert match_segments(["->"], ["x"]) is None
    assert match_segments(["<-"], ["<-"]) == {}


def test_match_equality_and_repr():
    assert Match("a", show_user, {"id": 1}, {}) == Match("a", show_user, {"id": 1}, {})
    assert Match("a", show_user, {"id": 1}, {}) != Match("a", show_user, {"id": 2}, {})
    assert Match("a", show_user, {}, {}) != "a"
    assert (
        repr(Match("a", len, {}, {"q": ["1"]}))
        == "Match(name='a', handler=<built-in function len>, params={}, query={'q': ['1']})"
    )


def test_resolve(router):
    assert router.resolve("GET", "/users/7") == Match("user", show_user, {"id": 7}, {})
    match = router.resolve("get", "/users/7/posts/?page=2&tag=a&tag=b")
    assert match.name == "posts"
    assert match.params == {"id": 7}
    assert match.query == {"page": ["2"], "tag": ["a", "b"]}


def test_resolve_by_method(router):
    assert router.resolve("POST", "/users/7/posts").handler is create_post
    assert router.resolve("put", "/users/7/posts").name == "new_post"


def test_first_matching_route_wins(router):
    with pytest.raises(MethodNotAllowed):
        router.resolve("DELETE", "/users/me")
    assert router.resolve("GET", "/users/me").name == "me"


def test_method_not_allowed_lists_methods(router):
    with pytest.raises(MethodNotAllowed) as info:
        router.resolve("DELETE", "/users/7/posts")
    assert info.value.allowed == ["GET", "POST", "PUT"]


def test_not_found(router):
    with pytest.raises(NotFound):
        router.resolve("GET", "/nothing")
    with pytest.raises(NotFound):
        router.resolve("GET", "/users/seven/posts")


def test_add_validation(router):
    with pytest.raises(ValueError, match="duplicate route name 'user'"):
        router.add("user", "/u", show_user)
    with pytest.raises(ValueError, match="unknown converter"):
        router.add("f", "/f/<float:x>", show_user)
    router.add("s", "/s/<str:x>", show_user)
    assert router.resolve("GET", "/s/1").params == {"x": "1"}


def test_url_for(router):
    assert router.url_for("user", id=7) == "/users/7"
    assert router.url_for("page", slug="a b/c") == "/pages/a%20b%2Fc"
    assert router.url_for("posts", id=3, page=2, q="x y") == "/users/3/posts?page=2&q=x%20y"
    assert router.url_for("me") == "/users/me"


def test_url_for_errors(router):
    with pytest.raises(KeyError, match="missing parameter 'id'"):
        router.url_for("user")
    with pytest.raises(KeyError, match="no route named 'nope'"):
        router.url_for("nope")


def test_url_for_round_trips(router):
    url = router.url_for("page", slug="ünïcode & more", ref="home")
    match = router.resolve("GET", url)
    assert match.params == {"slug": "ünïcode & more"}
    assert match.query == {"ref": ["home"]}
