"""The Colab notebook runs headless with its parameter cell switched to the tiny model."""

from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
pytest.importorskip("trl", reason="the [train] extra is not installed")

import nbformat  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

TINY = '''CONFIG = "training/configs/tiny-cpu.yaml"
OVERRIDES = ["model_name_or_path={work}/base", "build_tiny.vocab_size=800", "build_tiny.pretrain_steps=0",
             "max_steps=2", "save_steps=1", "data.max_examples=32", "per_device_train_batch_size=4",
             "poetbench_callback=null", "report_to=[]"]
EVAL_SET = "smoke-v1"
LIMIT = 3
WORKDIR = "{work}"
'''


def test_notebook_runs_with_the_tiny_model(tang, tmp_path):
    notebook = nbformat.read(REPO / "examples" / "colab_qwen_qlora.ipynb", as_version=4)
    parameters = [c for c in notebook.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(parameters) == 1 and "Qwen1.5-1.8B-Chat" in "".join(c.source for c in notebook.cells)
    parameters[0].source = TINY.format(work=tmp_path)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO)}}).execute()
    assert (tmp_path / "run" / "report" / "index.html").is_file()
    outputs = notebook.cells[-1].outputs
    assert any("text/html" in o.get("data", {}) for o in outputs)  # the report, shown inline
