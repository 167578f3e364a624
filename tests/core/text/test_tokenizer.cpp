// The tokenizer interface (core/text/tokenizer.h): WordPiece through it gives exactly what the
// WordPiece tokenizer gives; SentencePiece (trained by crisp, or a user's model with other
// special-id conventions) gives [CLS] pieces [SEP] with the documented special ids, truncation,
// offsets and UTF-8 handling; both round-trip through a stored directory; bad files fail with
// messages naming them.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/sys/error.h"
#include "core/text/hf_tokenizer_files.h"
#include "core/text/sentencepiece.h"
#include "core/text/tokenizer.h"
#include "core/train/experiment.h"
#include "tests/core/test_support.h"

using namespace crisp;
using crisp::test::contains;
using crisp::test::errorOf;

namespace {

namespace fs = std::filesystem;

std::vector<std::string> corpusSentences() {
  const char* subjects[] = {"the film", "this movie", "the plot", "the acting", "the ending"};
  const char* verbs[] = {"is", "was", "felt", "seemed", "became"};
  const char* adjectives[] = {"wonderful", "boring",   "not bad", "surprisingly good",
                              "too long",  "charming", "dull",    "brilliant"};
  std::vector<std::string> sentences;
  for (int i = 0; i < 400; ++i) {
    std::string s =
        std::string(subjects[i % 5]) + ' ' + verbs[(i / 5) % 5] + ' ' + adjectives[(i * 7) % 8];
    if (i % 3 == 0) s += std::string(" but ") + adjectives[(i * 3 + 1) % 8];
    sentences.push_back(s + " .");
  }
  return sentences;
}

// A user's model trained outside crisp's conventions (extra SentencePiece trainer options).
std::string trainForeignModel(const QTemporaryDir& dir, const std::string& name,
                              std::vector<std::pair<std::string, std::string>> extra) {
  const std::string corpus = dir.filePath(QStringLiteral("corpus.txt")).toStdString();
  {
    std::ofstream out(corpus);
    for (const std::string& s : corpusSentences()) out << s << "\n";
  }
  SentencePieceTrainOptions options;
  options.inputFile = corpus;
  options.modelPrefix = dir.filePath(QString::fromStdString(name)).toStdString();
  options.vocabSize = 40;
  options.extra = std::move(extra);
  trainSentencePiece(options);
  return options.modelPrefix + ".model";
}

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    SentencePieceVocabularyOptions options;
    options.vocabSize = 40;
    spm_ = trainSentencePieceTokenizer(corpusSentences(), options,
                                       dir_.filePath(QStringLiteral("crisp-spm")).toStdString(),
                                       "the test corpus");
  }

  // The WordPiece path is the WordPiece tokenizer itself: same ids, tokens and offsets.
  void wordPieceThroughTheInterfaceIsTheSame() {
    const QString shared = QStringLiteral(CRISP_SHARED_DIR "/data/bert-base-uncased");
    std::shared_ptr<const Tokenizer> tokenizer;
    std::unique_ptr<WordPieceTokenizer> direct;
    if (QFileInfo(shared + "/vocab.txt").isFile()) {
      tokenizer = openTokenizer(shared.toStdString());
      direct = std::make_unique<WordPieceTokenizer>(shared.toStdString());
    } else {
      qInfo("../shared/data/bert-base-uncased absent: using the demo vocabulary");
      tokenizer = demoTokenizer();
    }
    QCOMPARE(tokenizer->kind(), TokenizerKind::WordPiece);
    const WordPieceTokenizer& wp = direct ? *direct : *tokenizer->wordPiece();
    QCOMPARE(tokenizer->clsId(), wp.clsId());
    QCOMPARE(tokenizer->sepId(), wp.sepId());
    QCOMPARE(tokenizer->padId(), wp.padId());
    QCOMPARE(tokenizer->unkId(), wp.unkId());
    QCOMPARE(tokenizer->vocabSize(), wp.vocabSize());
    for (const char* text :
         {"Hello, World! naïve café", "the film was not good .", "", "unaffable résumé 東京"}) {
      WordPieceEncodeOptions o;
      o.maxLength = 6;
      TokenizerEncodeOptions t;
      t.maxLength = 6;
      for (const auto& [a, b] : {std::pair{tokenizer->encode(text), wp.encode(text)},
                                 std::pair{tokenizer->encode(text, t), wp.encode(text, o)}}) {
        QCOMPARE(a.ids, b.ids);
        QCOMPARE(a.tokens, b.tokens);
        QVERIFY(a.offsets == b.offsets);
      }
    }
    const TokenEncoding empty = tokenizer->encode("");
    QCOMPARE(empty.ids, (std::vector<int32_t>{wp.clsId(), wp.sepId()}));
  }

  // The tokenizer.json an export writes reads back (through crisp's own tokenizer.json reader)
  // as the same tokenizer: same ids, tokens and offsets, special tokens and settings. The
  // Hugging Face oracle (hf_export_round_trip) checks it against the tokenizers library.
  void huggingFaceTokenizerFilesReadBackTheSame() {
    const QString shared = QStringLiteral(CRISP_SHARED_DIR "/data/bert-base-uncased");
    const std::shared_ptr<const Tokenizer> original = QFileInfo(shared + "/vocab.txt").isFile()
                                                          ? openTokenizer(shared.toStdString())
                                                          : demoTokenizer();
    QTemporaryDir out;
    QVERIFY(out.isValid());
    const std::string dir = out.path().toStdString();
    const std::vector<std::string> written =
        writeHuggingFaceTokenizer(*original, dir, 64, "DistilBertTokenizer");
    for (const char* name :
         {"vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
      QVERIFY2(std::find(written.begin(), written.end(), name) != written.end(), name);
    }
    const nlohmann::json config =
        nlohmann::json::parse(std::ifstream(dir + "/tokenizer_config.json"));
    QCOMPARE(config.at("model_max_length").get<int>(), 64);
    QCOMPARE(config.at("tokenizer_class").get<std::string>(), std::string("DistilBertTokenizer"));
    const nlohmann::json special =
        nlohmann::json::parse(std::ifstream(dir + "/special_tokens_map.json"));
    QCOMPARE(special.at("cls_token").get<std::string>(), std::string("[CLS]"));
    // Only tokenizer.json left: the reader must take everything from it.
    std::filesystem::remove(dir + "/vocab.txt");
    std::filesystem::remove(dir + "/tokenizer_config.json");
    std::filesystem::remove(dir + "/special_tokens_map.json");
    const std::shared_ptr<const Tokenizer> reread = openWordPieceTokenizer(dir);
    QCOMPARE(reread->vocabSize(), original->vocabSize());
    QCOMPARE(reread->clsId(), original->clsId());
    QCOMPARE(reread->sepId(), original->sepId());
    QCOMPARE(reread->padId(), original->padId());
    QCOMPARE(reread->unkId(), original->unkId());
    for (const char* text :
         {"Hello, World! naïve café", "the film was not good .", "",
          "unaffable résumé 東京 [CLS] x[SEP]", "\u200b\t\xc2\xa0 tab\tbed",
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
      const TokenEncoding a = original->encode(text);
      const TokenEncoding b = reread->encode(text);
      QCOMPARE(b.ids, a.ids);
      QCOMPARE(b.tokens, a.tokens);
      QVERIFY(b.offsets == a.offsets);
    }
  }

  void crispTrainedSentencePieceHasItsSpecialPieces() {
    const Tokenizer& t = *spm_;
    QCOMPARE(t.kind(), TokenizerKind::SentencePiece);
    QCOMPARE(t.vocabSize(), size_t{40});
    QCOMPARE(t.padId(), 0);
    QCOMPARE(t.unkId(), 1);
    QCOMPARE(t.clsId(), 2);
    QCOMPARE(t.sepId(), 3);
    QCOMPARE(t.idToToken(0), std::string("[PAD]"));
    QCOMPARE(t.idToToken(1), std::string("[UNK]"));
    QCOMPARE(t.idToToken(2), std::string("[CLS]"));
    QCOMPARE(t.idToToken(3), std::string("[SEP]"));
    QCOMPARE(t.idToToken(40), std::string("[UNK]"));  // out of range: the unknown token
    QCOMPARE(t.idToToken(-1), std::string("[UNK]"));
  }

  void sentencePieceEncodesClsPiecesSep() {
    const std::string text = "the film was not bad but too long .";
    const TokenEncoding e = spm_->encode(text);
    const SentencePieceModel model = SentencePieceModel::load(
        dir_.filePath(QStringLiteral("crisp-spm/spiece.model")).toStdString());
    const std::vector<int32_t> pieces = model.encode(text);
    QCOMPARE(e.size(), pieces.size() + 2);
    QCOMPARE(e.ids.front(), 2);
    QCOMPARE(e.ids.back(), 3);
    QVERIFY(std::equal(pieces.begin(), pieces.end(), e.ids.begin() + 1));
    QCOMPARE(e.tokens.front(), std::string("[CLS]"));
    QCOMPARE(e.tokens[1], model.idToPiece(pieces[0]));
    QVERIFY(e.offsets.front().empty() && e.offsets.back().empty());
    QCOMPARE(e.attentionMask, std::vector<int32_t>(e.size(), 1));
    // Offsets: in order, inside the text, and together they cover its non-space characters.
    std::string covered;
    size_t last = 0;
    for (size_t i = 1; i + 1 < e.size(); ++i) {
      QVERIFY(e.offsets[i].begin >= last && e.offsets[i].end <= text.size());
      last = e.offsets[i].end;
      covered += text.substr(e.offsets[i].begin, e.offsets[i].end - e.offsets[i].begin);
    }
    std::string expected = text;
    expected.erase(std::remove(expected.begin(), expected.end(), ' '), expected.end());
    covered.erase(std::remove(covered.begin(), covered.end(), ' '), covered.end());
    QCOMPARE(covered, expected);
    // Text that spells a special piece is only text: control pieces never come from text.
    const TokenEncoding literal = spm_->encode("[CLS] [SEP] [PAD]");
    for (size_t i = 1; i + 1 < literal.size(); ++i) {
      QVERIFY(literal.ids[i] != 0 && literal.ids[i] != 2 && literal.ids[i] != 3);
    }
    QCOMPARE(spm_->encode("").ids, (std::vector<int32_t>{2, 3}));
  }

  void truncationKeepsSep() {
    std::string text;
    for (int i = 0; i < 30; ++i) text += "wonderful boring charming ";
    TokenizerEncodeOptions o;
    o.maxLength = 8;
    for (const auto& t : {spm_, demoTokenizer()}) {
      const TokenEncoding e = t->encode(text, o);
      QCOMPARE(e.size(), size_t{8});
      QCOMPARE(e.ids.front(), t->clsId());
      QCOMPARE(e.ids.back(), t->sepId());
      const std::vector<int32_t> whole = t->encode(text).ids;
      QVERIFY(whole.size() > 8);
      QCOMPARE(std::vector<int32_t>(e.ids.begin(), e.ids.end() - 1),
               std::vector<int32_t>(whole.begin(), whole.begin() + 7));
      o.maxLength = 2;
      QCOMPARE(t->encode(text, o).ids, (std::vector<int32_t>{t->clsId(), t->sepId()}));
      o.maxLength = 1;
      QVERIFY(contains(errorOf([&] { t->encode(text, o); }), "too small"));
      o.maxLength = 8;
    }
  }

  void invalidUtf8IsAnErrorOrDropped() {
    const std::string bad = std::string("good") + '\xff' + "film";
    for (const auto& t : {spm_, demoTokenizer()}) {
      QVERIFY2(contains(errorOf([&] { t->encode(bad); }), "invalid UTF-8 at byte 5"),
               t->name().c_str());
      TokenizerEncodeOptions skip;
      skip.invalidUtf8 = InvalidUtf8::kSkip;
      const TokenEncoding e = t->encode(bad, skip);
      QVERIFY(e.size() >= 3);
      for (size_t i = 1; i + 1 < e.size(); ++i) {
        // Spans point into the original bytes and never cover the dropped one alone.
        QVERIFY(e.offsets[i].end <= bad.size());
        QVERIFY(!(e.offsets[i].begin == 4 && e.offsets[i].end == 5));
      }
    }
    // SentencePiece: the spans after the dropped byte are shifted back onto the original text.
    TokenizerEncodeOptions skip;
    skip.invalidUtf8 = InvalidUtf8::kSkip;
    const TokenEncoding e = spm_->encode(bad, skip);
    QCOMPARE(e.offsets[e.size() - 2].end, bad.size());
  }

  void storedDirectoriesRestoreTheSameTokenizer() {
    for (const auto& t : {spm_, demoTokenizer()}) {
      const std::string dir =
          dir_.filePath(QStringLiteral("stored-%1").arg(toString(t->kind()))).toStdString();
      const nlohmann::json record = storeTokenizer(*t, dir, {{"path", "test"}});
      QCOMPARE(record.at("kind").get<std::string>(), std::string(toString(t->kind())));
      QCOMPARE(record.at("source").at("path").get<std::string>(), std::string("test"));
      QVERIFY(fs::is_regular_file(fs::path(dir) / kStoredTokenizerFile));
      const auto back = openTokenizer(dir);
      QCOMPARE(back->kind(), t->kind());
      QCOMPARE(back->describe().at("special_ids"), t->describe().at("special_ids"));
      QCOMPARE(back->vocabSize(), t->vocabSize());
      for (const char* text : {"the film was not good but charming .", "", "never boring"}) {
        QCOMPARE(back->encode(text).ids, t->encode(text).ids);
        QCOMPARE(back->encode(text).tokens, t->encode(text).tokens);
      }
      // A descriptor that no longer matches its files is refused, naming it.
      nlohmann::json edited = record;
      edited["vocab_size"] = 7;
      std::ofstream((fs::path(dir) / kStoredTokenizerFile).string()) << edited.dump();
      const std::string error = errorOf([&] { openTokenizer(dir); });
      QVERIFY2(contains(error, kStoredTokenizerFile) && contains(error, "vocab_size"),
               error.c_str());
    }
  }

  // A user's model with SentencePiece's defaults: unk 0, <s> 1, </s> 2, no pad.
  void foreignModelMapsBosEosAndFallsBackForPad() {
    const std::string path = trainForeignModel(dir_, "defaults", {});
    const auto t = openTokenizer(path);
    QCOMPARE(t->kind(), TokenizerKind::SentencePiece);
    QCOMPARE(t->unkId(), 0);
    QCOMPARE(t->clsId(), 1);
    QCOMPARE(t->sepId(), 2);
    QCOMPARE(t->padId(), 0);  // documented fallback: the unknown id
    QCOMPARE(t->encode("the plot").tokens.front(), std::string("<s>"));
    QCOMPARE(t->encode("the plot").tokens.back(), std::string("</s>"));
  }

  // ALBERT's convention: [CLS]/[SEP] as control pieces, no BOS/EOS, pad 0.
  void foreignModelWithClsSepPiecesUsesThem() {
    const std::string path = trainForeignModel(dir_, "albert-like",
                                               {{"pad_id", "0"},
                                                {"unk_id", "1"},
                                                {"bos_id", "-1"},
                                                {"eos_id", "-1"},
                                                {"control_symbols", "[CLS],[SEP],[MASK]"}});
    const auto t = openTokenizer(path);
    QCOMPARE(t->padId(), 0);
    QCOMPARE(t->unkId(), 1);
    QCOMPARE(t->idToToken(t->clsId()), std::string("[CLS]"));
    QCOMPARE(t->idToToken(t->sepId()), std::string("[SEP]"));
  }

  void foreignModelWithoutBosEosIsRefusedNamingTheFile() {
    const std::string path =
        trainForeignModel(dir_, "no-bos", {{"bos_id", "-1"}, {"eos_id", "-1"}});
    const std::string error = errorOf([&] { openTokenizer(path); });
    QVERIFY2(contains(error, path) && contains(error, "[CLS] piece or BOS id"), error.c_str());
  }

  void badFilesAreNamed() {
    const std::string missing = dir_.filePath(QStringLiteral("absent.model")).toStdString();
    QVERIFY(contains(errorOf([&] { openTokenizer(missing); }), missing));
    const QString corrupt = dir_.filePath(QStringLiteral("corrupt.model"));
    {
      QFile f(corrupt);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("this is not a protobuf");
    }
    const std::string error = errorOf([&] { openTokenizer(corrupt.toStdString()); });
    QVERIFY2(contains(error, corrupt.toStdString()), error.c_str());
    const QString emptyDir = dir_.filePath(QStringLiteral("empty-dir"));
    QVERIFY(QDir().mkpath(emptyDir));
    QVERIFY(contains(errorOf([&] { openTokenizer(emptyDir.toStdString()); }),
                     "no vocab.txt, spiece.model or tokenizer.json"));
    QVERIFY(contains(errorOf([&] { openTokenizer(""); }), "no tokenizer"));
  }

  void trainingErrorsSayWhatAndWhy() {
    SentencePieceVocabularyOptions options;
    options.vocabSize = 5000;  // far more than 400 short sentences can fill
    const std::string work = dir_.filePath(QStringLiteral("too-big")).toStdString();
    std::string error =
        errorOf([&] { trainSentencePieceTokenizer(corpusSentences(), options, work, "tiny.tsv"); });
    QVERIFY2(contains(error, "tiny.tsv (400 sentences)") && contains(error, "Vocabulary size"),
             error.c_str());
    QVERIFY2(!contains(error, ".cc("), error.c_str());  // SentencePiece's source location dropped
    QVERIFY(!fs::exists(fs::path(work) / "sentencepiece-corpus.txt"));
    options.vocabSize = 5;
    QVERIFY(contains(errorOf([&] { validateSentencePieceOptions(options); }), "vocab_size: 5"));
    options.vocabSize = 40;
    options.modelType = "word";
    QVERIFY(contains(errorOf([&] { validateSentencePieceOptions(options); }), "model_type"));
    options.modelType = "bpe";
    QVERIFY(contains(errorOf([&] {
                       trainSentencePieceTokenizer({"", "  "}, options, work, "x");
                     }),
                     "no sentences"));
    // BPE works the same way, with crisp's special pieces.
    const auto bpe = trainSentencePieceTokenizer(corpusSentences(), options, work, "bpe corpus");
    QCOMPARE(bpe->vocabSize(), size_t{40});
    QCOMPARE(bpe->clsId(), 2);
    QCOMPARE(bpe->padId(), 0);
  }

 private:
  QTemporaryDir dir_;
  std::shared_ptr<const Tokenizer> spm_;
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
