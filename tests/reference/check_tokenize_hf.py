"""`crisp tokenize` against transformers' BertTokenizerFast (the Rust `tokenizers`): ids and
offsets identical on every sentence of SST-2 (train and dev, where the shared data is present)
and on a Unicode torture list, for

- the real bert-base-uncased vocabulary (../shared/data/bert-base-uncased),
- each pretrained package's own tokenizer files,
- the same read from tokenizer.json alone (no vocab.txt: crisp's tokenizer.json reader),
- and tokenizer_config.json variants: strip_accents false and true, cased (do_lower_case false),
  tokenize_chinese_chars false.

crisp gives byte offsets into the UTF-8 line; transformers gives character offsets into the
Python string; they are compared after converting crisp's to characters. [CLS]/[SEP] have (0, 0)
in both. Texts go one per line, so line breaks themselves are not in the torture list.

usage: PYENV_PYTHON check_tokenize_hf.py CRISP_BINARY WORK_DIR [SHARED_DIR]
"""

import json
import os
import shutil
import sys

import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_oracle  # noqa: E402

TORTURE = [
    "",
    " ",
    "Hello, World!",
    # CJK, kana, Hangul
    "日本語のテキストです。", "中文测试，标点！", "한국어 문장", "混合text和中文",
    # accents, precomposed and combining
    "Café résumé naïve façade", "ÅNGSTRÖM Ärger über Öl", "e\u0301 a\u0308\u0304 o\u0303\u0301",
    "\u0301leading combining mark", "e\u0301 \u00e9 E\u0301 \u00c9 n\u0303 \u00f1",
    "a\u0323\u0308 x\u0301\u0301y", "Ελληνικά ΣΊΣΥΦΟΣ", "İstanbul ıI", "Straße ß ẞ",
    "ﬁ ligature ﬀ", "Ǆ ǅ ǆ", "Ⅻ ½ ² ①", "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ",
    # right-to-left and other scripts
    "مرحبا بالعالم", "שָׁלוֹם", "नमस्ते दुनिया", "สวัสดีครับ", "Привет, мир!",
    # emoji: single, skin tone, ZWJ family, flags, keycap, variation selector
    "😀 👍🏽 👨\u200d👩\u200d👧 🇫🇷 1\ufe0f\u20e3 ❤\ufe0f",
    # zero-width and control characters
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060wj",
    "nul\x00bel\x07esc\x1b[31mred\x7fdel", "c1\x85nel\x9fapc", "repl\ufffdacement",
    "private\ue000use \uffff nonchar", "soft\u00adhyphen",
    "unassigned \u0378 \U0010fffe tag\U000e0001 new emoji \U0001F972 \U0001FAE0",
    # every whitespace kind (but the line break itself)
    "tab\there\x0bvt\x0cff\rcr",
    "nbsp\u00a0ogham\u1680en\u2000em\u2003thin\u2009hair\u200a",
    "ls\u2028ps\u2029nnbsp\u202fmmsp\u205fideo\u3000end",
    "  leading and trailing  ",
    # long words around max_input_chars_per_word (100)
    "a" * 200, "b" * 100, "c" * 101, "é" * 101, "超" * 150, ("ab" * 60) + " ok",
    # punctuation
    "don't U.S.A. $100.00 «quotes» ¿qué? — … 'single' \"double\" (paren) [MASK] [cls]",
    "[CLS] [SEP] [UNK] [PAD]", "∑∫√∞ ≠ ≤ ±", "~!@#$%^&*()_+`-={}|[]\\:;<>?,./",
]


def tokenizer_sources(work, shared, pretrained):
    sources = []
    if shared:
        vocab = os.path.join(shared, "data", "bert-base-uncased")
        if os.path.isfile(os.path.join(vocab, "vocab.txt")):
            sources.append(("bert-base-uncased", vocab))
            for name, settings in [("strip_accents=false", {"strip_accents": False}),
                                   ("strip_accents=true", {"strip_accents": True}),
                                   ("cased", {"do_lower_case": False}),
                                   ("no chinese split", {"tokenize_chinese_chars": False})]:
                d = os.path.join(work, "bert-base-uncased " + name)
                os.makedirs(d, exist_ok=True)
                shutil.copy(os.path.join(vocab, "vocab.txt"), d)
                config = json.load(open(os.path.join(vocab, "tokenizer_config.json")))
                config.update(settings)
                json.dump(config, open(os.path.join(d, "tokenizer_config.json"), "w"))
                sources.append(("bert-base-uncased " + name, d))
    for name, directory in sorted(pretrained.items()):
        sources.append((name, directory))
        # The fast-tokenizer file alone: transformers' own tokenizer.json written for it.
        d = os.path.join(work, name + " tokenizer.json only")
        fast = transformers.AutoTokenizer.from_pretrained(directory)
        fast.save_pretrained(d)
        for extra in ("vocab.txt",):
            if os.path.exists(os.path.join(d, extra)):
                os.remove(os.path.join(d, extra))
        sources.append((name + " tokenizer.json only", d))
    return sources


def sst2_sentences(shared):
    sentences = []
    for split in ("train", "dev"):
        path = os.path.join(shared, "data", "sst2", split + ".tsv") if shared else ""
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            next(f)
            sentences += [line.rstrip("\n").split("\t")[0] for line in f]
    return sentences


def char_offsets(text, byte_spans):
    data = text.encode("utf-8")
    return [(len(data[:b].decode("utf-8")), len(data[:e].decode("utf-8"))) for b, e in byte_spans]


def main():
    crisp, work = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 and os.path.isdir(sys.argv[3]) else ""
    os.makedirs(work, exist_ok=True)
    pretrained = hf_oracle.pretrained_models()
    sst2 = sst2_sentences(shared)
    if not sst2:
        print("note: ../shared/data/sst2 not found: SST-2 sentences skipped")
    texts = sst2 + TORTURE
    failures = 0
    for name, directory in tokenizer_sources(work, shared, pretrained):
        fast = transformers.BertTokenizerFast.from_pretrained(directory)
        expected = fast(texts, return_offsets_mapping=True)
        stdout, _ = hf_oracle.run_crisp(
            crisp, ["tokenize", "--tokenizer", directory, "--offsets"],
            stdin="".join(t + "\n" for t in texts))
        # split("\n"), not splitlines(): tokens may hold U+2028 or U+0085, which JSON keeps raw.
        got = [json.loads(line) for line in stdout.split("\n") if line]
        if len(got) != len(texts):
            print(f"FAIL {name}: {len(got)} lines for {len(texts)} texts")
            failures += 1
            continue
        differences = 0
        for i, text in enumerate(texts):
            ids = expected["input_ids"][i]
            offsets = [tuple(o) for o in expected["offset_mapping"][i]]
            crisp_ids = got[i]["ids"]
            crisp_offsets = char_offsets(text, got[i]["offsets"])
            if crisp_ids != ids or crisp_offsets != offsets:
                differences += 1
                if differences <= 5:
                    print(f"     {name}: {text!r}\n       ids {ids}\n     crisp {crisp_ids}\n"
                          f"   offsets {offsets}\n     crisp {crisp_offsets}")
        failures += differences > 0
        print(f"{'ok  ' if not differences else 'FAIL'} {name:45s} {len(texts)} texts "
              f"({len(sst2)} SST-2, {len(TORTURE)} torture): {differences} differ")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
