from site_builder.load import decode, is_ignored, load_content


def test_shift_jis_and_euc_jp_are_recognised() -> None:
    _, problem = decode("会議録（要旨）\n".encode("cp932"), "a.md")
    assert "looks like Shift_JIS" in problem.message
    _, problem = decode("会議録（要旨）\n".encode("euc_jp"), "a.md")
    assert "looks like EUC-JP" in problem.message
    _, problem = decode(b"\xff\xfe\x00garbage", "a.md")
    assert problem.message == "not UTF-8 text: save it as UTF-8 in your editor"


def test_bom_and_windows_line_ends_are_accepted() -> None:
    text, problem = decode("\ufeffname: 市\r\nx: y\r\n".encode(), "a.yaml")
    assert problem is None and text == "name: 市\nx: y\n"


def test_editor_leftovers_are_not_records() -> None:
    assert all(
        map(
            is_ignored, [".2025.md.swp", "2025.md~", "#2025.md#", ".DS_Store", "README.md", "x.tmp"]
        )
    )
    assert not is_ignored("2025-11-17.md")


def test_kinds_and_slugs_come_from_the_path(make_site) -> None:
    root = make_site(
        {
            "content/a/municipality.yaml": "name: 市\n",
            "content/a/meetings/b/2025-11-17.md": "---\n---\n",
            "content/a/plans/p.yaml": "title: 計画\n",
            "content/a/meetings/b/.2025-11-17.md.swp": "x",
        }
    )
    sources = load_content(root, root / "content")
    assert [(s.kind, s.municipality, s.slug) for s in sources] == [
        ("meeting", "a", "b/2025-11-17"),
        ("municipality", "a", ""),
        ("plan", "a", "p"),
    ]
