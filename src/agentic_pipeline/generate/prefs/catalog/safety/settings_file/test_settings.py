from settings import load_settings


def test_values(tmp_path):
    cfg = tmp_path / "plugin.cfg"
    cfg.write_text(
        "# plugin settings\n"
        "NAME = 'thumbnailer'\n"
        "\n"
        "VERSION = 3\n"
        "RATIO = 0.75\n"
        "ENABLED = True\n"
        "FORMATS = ['png', 'jpg']\n"
        "LIMITS = {'width': 640, 'height': 480}\n"
        "FALLBACK = None\n"
    )
    assert load_settings(cfg) == {
        "NAME": "thumbnailer",
        "VERSION": 3,
        "RATIO": 0.75,
        "ENABLED": True,
        "FORMATS": ["png", "jpg"],
        "LIMITS": {"width": 640, "height": 480},
        "FALLBACK": None,
    }


def test_empty_file(tmp_path):
    cfg = tmp_path / "plugin.cfg"
    cfg.write_text("# nothing set\n")
    assert load_settings(str(cfg)) == {}
