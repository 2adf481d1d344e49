from storage.rawstore import RawStore


def test_put_get_is_content_addressed(tmp_path):
    store = RawStore(tmp_path)
    ref = store.put(b"<html>hello</html>")
    assert store.put(b"<html>hello</html>") == ref
    assert ref in store and store.get(ref) == b"<html>hello</html>"
    assert len(list(tmp_path.rglob("*.gz"))) == 1
    assert not list(tmp_path.rglob("*.tmp"))
