import pytest

from poetbench import forms
from poetbench.metrics import form


@pytest.mark.parametrize("lengths,name", [
    ([5] * 4, "wujue"), ([7] * 4, "qijue"), ([5] * 8, "wulv"), ([7] * 8, "qilv"), ([5] * 12, "pailv"),
    ([5] * 6, "gushi"), ([7, 7, 7, 5, 7, 7], "gushi"), ([12, 9], "other"), ([5], "other"), ([], "other"),
])
def test_detect(lengths, name):
    assert forms.detect(lengths) == name


def test_length_regularity_and_form_ok():
    got = form.score(["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡呀"])
    assert got["length_regularity"] == 0.75 and got["form"] == "gushi" and got["form_ok"] is False
    assert form.score(["一二三四五"] * 4)["form_ok"] is True
    assert form.score(["一二三四五"] * 4, requested_form="qijue")["form_ok"] is False
    assert form.score([])["length_regularity"] is None
