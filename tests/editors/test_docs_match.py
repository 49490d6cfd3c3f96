"""The README shows the editor set-ups of editors/ exactly as the tests run
them, so the two cannot drift apart; the Helix file is valid TOML with the
settings Helix reads."""

from __future__ import annotations

import sys

from editor_support import EDITORS, PLACEHOLDER

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

README = (EDITORS.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_shows_every_editor_file_verbatim():
    for path, fence in ((EDITORS / "neovim" / "zcsec.lua", "lua"), (EDITORS / "emacs" / "zcsec.el", "elisp"), (EDITORS / "helix" / "languages.toml", "toml")):
        text = path.read_text(encoding="utf-8")
        assert f"```{fence}\n{text}```" in README, f"README.md does not show {path.relative_to(EDITORS.parent)} as it is"
        assert PLACEHOLDER in text


def test_the_helix_set_up_is_valid_toml():
    data = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text(encoding="utf-8"))
    assert data["language-server"]["zcsec"]["args"] == ["serve"]
    by_name = {lang["name"]: lang for lang in data["language"]}
    assert by_name["csd"]["file-types"] == ["csd", "rdo", "jcl"]
    assert all(lang["language-servers"] == ["zcsec"] and ".zcsec.toml" in lang["roots"] for lang in by_name.values())
