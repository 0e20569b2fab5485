"""The query encoder on ONNX Runtime: the converted e5 folder exported once (fp32 and int8), then run.

Why: a question is one short text, and on 2 cores torch's per-call overhead is most of the cost of
embedding it; ONNX Runtime runs the same graph in about half the time (fp32) or a quarter (int8).
Passages (index builds) stay on torch, so the cached vectors do not change.

Set-up (`python -m indexer.model_cache`) writes, beside the sentence-transformers folder:
    models_dir/multilingual-e5-small-onnx/model-fp32.onnx   (mean pooling and L2 norm in the graph)
    models_dir/multilingual-e5-small-onnx/model-int8.onnx   (BERT operators fused, then dynamic QInt8 weights)
    models_dir/multilingual-e5-small-onnx/tokenizer.json

Both encoders keep only the vocabulary a Chinese gazette question can use (see `kept_piece`):
the e5 vocabulary has 250,000 pieces in a hundred scripts, and its embedding table and the
tokenizer's lattice were two thirds of the service's memory. Pieces of other scripts can never
be part of the segmentation of Chinese, ASCII or CJK-punctuation text, so such text gets the
same tokens (renumbered) and the same vector; text in other scripts falls back to <unk>.
The export uses only `onnx` and `onnxruntime` (optimum pins an old transformers: see
/work/shared/docs/offline-models.md). The tokenizer is the folder's own tokenizer.json, so the
token ids are those sentence-transformers feeds torch.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

ONNX_DIRNAME_SUFFIX = "-onnx"
FP32_FILE = "model-fp32.onnx"
INT8_FILE = "model-int8.onnx"
MARKER = ".complete"
FORMAT = 3  # bump to force a re-export when the export changes (3: the int8 file is fused first)
EMBEDDING_TABLE = "bert.embeddings.word_embeddings.weight"
OPSET = 17
MAX_TOKENS = 512

QUERY_ENCODERS = ("torch", "onnx-fp32", "onnx-int8")


def onnx_folder(st_folder: Path) -> Path:
    """Where the ONNX files of a sentence-transformers folder live: a sibling folder."""
    return st_folder.parent / (st_folder.name + ONNX_DIRNAME_SUFFIX)


def onnx_file(st_folder: Path, encoder: str) -> Path:
    """The .onnx file for encoder "onnx-fp32" / "onnx-int8" (ValueError for anything else)."""
    files = {"onnx-fp32": FP32_FILE, "onnx-int8": INT8_FILE}
    if encoder not in files:
        raise ValueError(f"unknown ONNX query encoder {encoder!r}: choose one of {', '.join(files)}")
    return onnx_folder(st_folder) / files[encoder]


def is_complete(folder: Path) -> bool:
    try:
        return json.loads((folder / MARKER).read_text()).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def ensure_onnx_encoder(st_folder: Path) -> Path:
    """Export (once) the fp32 and int8 query encoders beside st_folder; return their folder.

    Built in a temporary sibling folder and renamed into place; the marker is written last.
    """
    st_folder = Path(st_folder)
    target = onnx_folder(st_folder)
    if is_complete(target):
        return target
    with tempfile.TemporaryDirectory(dir=st_folder.parent, prefix=".onnx-build-") as tmp:
        out = Path(tmp) / target.name
        out.mkdir()
        _export_fp32(st_folder, out / "full.onnx")
        prune_vocabulary(out / "full.onnx", st_folder / "tokenizer.json", out / FP32_FILE, out / "tokenizer.json")
        (out / "full.onnx").unlink()
        _quantize_int8(out / FP32_FILE, out / INT8_FILE, json.loads((st_folder / "config.json").read_text()))
        for f in out.iterdir():
            f.chmod(0o644)
        (out / MARKER).write_text(json.dumps({"format": FORMAT, "source": st_folder.name, "opset": OPSET}))
        if is_complete(target):  # another process finished first
            return target
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    return target


def _export_fp32(st_folder: Path, path: Path) -> None:
    """torch.onnx.export (TorchScript exporter) of BertModel + mean pooling + L2 norm, dynamic axes."""
    import torch
    import transformers
    from transformers import AutoModel

    transformers.utils.logging.disable_progress_bar()

    class MeanPooledNormalized(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    bert = AutoModel.from_pretrained(str(st_folder), local_files_only=True, attn_implementation="eager")
    model = MeanPooledNormalized(bert).eval()
    ids = torch.tensor([[0, 6, 7, 8, 2], [0, 9, 10, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, mask),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
        )


def kept_piece(piece: str) -> bool:
    """Whether a vocabulary piece can occur in Chinese text: CJK, ASCII, CJK and full-width punctuation."""
    return all(
        ch == "\u2581"  # the Metaspace word-start mark
        or ch.isascii()
        or "\u2000" <= ch <= "\u206f"  # general punctuation: —, “ ”, …
        or "\u2e80" <= ch <= "\u9fff"  # CJK radicals, symbols and punctuation (〔〕《》), kana, ideographs
        or "\uf900" <= ch <= "\ufaff"  # CJK compatibility ideographs
        or "\ufe30" <= ch <= "\ufe4f"  # CJK compatibility forms
        or "\uff00" <= ch <= "\uffef"  # full-width forms
        or ch in "·×÷°±§№※→←↑↓①②③④⑤⑥⑦⑧⑨⑩‰℃"
        for ch in piece
    )


def prune_vocabulary(src_model: Path, src_tokenizer: Path, dst_model: Path, dst_tokenizer: Path) -> int:
    """The model and tokenizer with only the kept pieces (special tokens included), renumbered
    in their old order; the embedding table keeps the matching rows. Returns the kept count."""
    import onnx
    from onnx import numpy_helper

    tok = json.loads(Path(src_tokenizer).read_text("utf-8"))
    vocab = tok["model"]["vocab"]
    special = {t["content"] for t in tok.get("added_tokens", [])}
    keep = [i for i, (piece, _) in enumerate(vocab) if piece in special or kept_piece(piece)]
    new_id = {old: new for new, old in enumerate(keep)}
    tok["model"]["vocab"] = [vocab[i] for i in keep]
    tok["model"]["unk_id"] = new_id[tok["model"]["unk_id"]]
    ids = {vocab[i][0]: new_id[i] for i in keep}
    for t in tok.get("added_tokens", []):
        t["id"] = ids[t["content"]]
    for t in (tok.get("post_processor") or {}).get("special_tokens", {}).values():
        t["ids"] = [ids[x] for x in t["tokens"]]
    Path(dst_tokenizer).write_text(json.dumps(tok, ensure_ascii=False), "utf-8")

    model = onnx.load(str(src_model))
    table = next(t for t in model.graph.initializer if t.name == EMBEDDING_TABLE)
    rows = numpy_helper.to_array(table)[np.array(keep)]
    table.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(rows), EMBEDDING_TABLE))
    onnx.save(model, str(dst_model))
    return len(keep)


def _quantize_int8(src: Path, dst: Path, config: dict) -> None:
    """Dynamic QInt8 of the graph with BERT's operators fused first (Attention, SkipLayerNorm,
    BiasGelu, EmbedLayerNorm): a question runs 271 graph nodes instead of 1,260, and per-node
    overhead is much of a short question's time (p50 6.0–7.4 → 5.6–6.3 ms here). Only the int8
    file is fused: the fp32 one stays the plain export, whose vectors are torch's."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    fused = dst.with_name("fused.onnx")
    optimize_model(str(src), model_type="bert", num_heads=config["num_attention_heads"],
                   hidden_size=config["hidden_size"], opt_level=1).save_model_to_file(str(fused))
    # the fused operators are in Microsoft's domain, where shape inference finds no output types
    quantize_dynamic(str(fused), str(dst), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    fused.unlink()


class OnnxQueryEncoder:
    """Texts → float32 (n, dim) L2-normalised rows, on ONNX Runtime with the folder's tokenizer."""

    def __init__(self, model_file: Path, threads: int = 2):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_file = Path(model_file)
        if not self.model_file.is_file():
            raise FileNotFoundError(f"{self.model_file} not found: run `python -m indexer.model_cache` (make model)")
        self.tokenizer = Tokenizer.from_file(str(self.model_file.parent / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        pad_id = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # no warnings about unused initialisers on every start
        self.session = ort.InferenceSession(str(self.model_file), options, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[1] or 0) or self.encode(["x"]).shape[1]

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (out,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.ascontiguousarray(out, dtype=np.float32)
