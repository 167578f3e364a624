// Conformance of crisp::WordPieceTokenizer with Hugging Face's BertTokenizer.
//
// Expected outputs are written down here. They follow transformers' documented algorithm
// (tokenization_bert.py: _clean_text, _tokenize_chinese_chars, NFC, lower(), NFD without Mn,
// _run_split_on_punc, WordpieceTokenizer with max_input_chars_per_word = 100; plus
// PreTrainedTokenizer.tokenize, which lower-cases the text one character at a time around the
// special tokens and keeps added tokens whole) applied to the real bert-base-uncased
// vocab.txt (id = line number - 1). They were cross-checked against a line-by-line Python
// transcription of that code on Debian's python3 (unicodedata 14.0).
#include <QtTest>

#include <fstream>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "core/sys/error.h"
#include "core/text/wordpiece.h"

namespace {

const char* const kBertDir = CRISP_SHARED_DIR "/data/bert-base-uncased";
const char* const kBertVocab = CRISP_SHARED_DIR "/data/bert-base-uncased/vocab.txt";
const char* const kSst2Dir = CRISP_SHARED_DIR "/data/sst2";

// A byte string that may hold NUL and invalid UTF-8.
template <std::size_t N>
QByteArray bytes(const char (&literal)[N]) {
  return QByteArray(literal, static_cast<int>(N - 1));
}

std::string_view view(const QByteArray& b) {
  return std::string_view(b.constData(), static_cast<std::size_t>(b.size()));
}

QStringList toks(std::initializer_list<const char*> list) {
  QStringList out;
  for (const char* t : list) out << QString::fromUtf8(t);
  return out;
}

QStringList toQt(const std::vector<std::string>& tokens) {
  QStringList out;
  for (const std::string& t : tokens) out << QString::fromStdString(t);
  return out;
}

QList<int> toQt(const std::vector<int32_t>& ids) {
  return QList<int>(ids.begin(), ids.end());
}

using Spans = QList<QPair<int, int>>;
Spans toQt(const std::vector<crisp::ByteSpan>& spans) {
  Spans out;
  for (const crisp::ByteSpan& s : spans) {
    out << qMakePair(static_cast<int>(s.begin), static_cast<int>(s.end));
  }
  return out;
}
Spans spans(std::initializer_list<QPair<int, int>> list) {
  return Spans(list);
}

void writeFile(const QString& path, const QByteArray& contents) {
  QFile f(path);
  QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
  f.write(contents);
}

// The small cased vocabulary for the do_lower_case = false tests (id = line index).
const char* const kSmallVocab[] = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]",  "[MASK]", "Hello",     "hello", "World",    "world",
    "!",     ",",     "H",     "##é",    "##llo",  "café",      "caf",   "##e",      "e",
    "Ha",    "##ll",  "##o",   "naïve",  "na",     "##ï",       "##ve",  "≮",        "<",
    ".",     "un",    "##aff", "##able", "İ",      "##stanbul", "i",     "##\u0307", "Ö",
    "##l",   "中",    "文",    "中文",   "<e1>",   "##i",
};
constexpr int kSmallVocabSize = sizeof(kSmallVocab) / sizeof(kSmallVocab[0]);

QByteArray smallVocabText(const char* newline, bool bom, int trailingBlankLines) {
  QByteArray text = bom ? QByteArray("\xEF\xBB\xBF") : QByteArray();
  for (const char* token : kSmallVocab) text += QByteArray(token) + newline;
  for (int i = 0; i < trailingBlankLines; ++i) text += newline;
  return text;
}

}  // namespace

class TestWordPiece : public QObject {
  Q_OBJECT

  std::unique_ptr<crisp::WordPieceTokenizer> bert_;
  QTemporaryDir dir_;

  const crisp::WordPieceTokenizer* bert() const { return bert_.get(); }

  // A directory holding the small vocabulary and the given config files.
  QString smallDir(const QString& name, const QByteArray& tokenizerConfig,
                   const QByteArray& specialTokensMap = {}) {
    const QString path = dir_.filePath(name);
    QDir().mkpath(path);
    writeFile(path + "/vocab.txt", smallVocabText("\n", false, 0));
    if (!tokenizerConfig.isEmpty()) writeFile(path + "/tokenizer_config.json", tokenizerConfig);
    if (!specialTokensMap.isEmpty()) {
      writeFile(path + "/special_tokens_map.json", specialTokensMap);
    }
    return path;
  }

#define REQUIRE_BERT() \
  if (!bert()) QSKIP("no bert-base-uncased/vocab.txt in the shared data directory")

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    if (QFile::exists(QString::fromUtf8(kBertVocab))) {
      bert_ = std::make_unique<crisp::WordPieceTokenizer>(kBertDir);
    }
  }

  // --- the real bert-base-uncased vocabulary --------------------------------------------------

  void helloWorld() {
    REQUIRE_BERT();
    const crisp::WordPieceEncoding e = bert()->encode("Hello, World!");
    QCOMPARE(toQt(e.ids), QList<int>({101, 7592, 1010, 2088, 999, 102}));
    QCOMPARE(toQt(e.tokens), toks({"[CLS]", "hello", ",", "world", "!", "[SEP]"}));
    QCOMPARE(QList<int>(e.attentionMask.begin(), e.attentionMask.end()),
             QList<int>({1, 1, 1, 1, 1, 1}));
    QCOMPARE(toQt(e.offsets), spans({{0, 0}, {0, 5}, {5, 6}, {7, 12}, {12, 13}, {0, 0}}));
  }

  void loadsTheRealConfig() {
    REQUIRE_BERT();
    const crisp::WordPieceConfig& c = bert()->config();
    QVERIFY(c.doLowerCase);
    QVERIFY(!c.stripAccents.has_value());
    QVERIFY(c.stripsAccents());
    QVERIFY(c.tokenizeChineseChars);
    QCOMPARE(c.modelMaxLength, std::size_t{0});  // int(1e30) in the file: no limit
    QCOMPARE(bert()->vocabSize(), std::size_t{30522});
    QCOMPARE(bert()->size(), std::size_t{30522});
    QCOMPARE(bert()->clsId(), 101);
    QCOMPARE(bert()->sepId(), 102);
    QCOMPARE(bert()->padId(), 0);
    QCOMPARE(bert()->unkId(), 100);
    QCOMPARE(bert()->maskId(), 103);
    // The vocabulary file alone: BertTokenizer(vocab_file) defaults, the same ids here.
    const crisp::WordPieceTokenizer fromFile(kBertVocab);
    QCOMPARE(toQt(fromFile.encode("Hello, World!").ids),
             QList<int>({101, 7592, 1010, 2088, 999, 102}));
  }

  void matchesBertTokenizer_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::addColumn<QList<int>>("ids");
    // Both include [CLS] (101) and [SEP] (102).
    QTest::newRow("empty") << QByteArray() << toks({"[CLS]", "[SEP]"}) << QList<int>{101, 102};
    QTest::newRow("only whitespace")
        << bytes(" \t\u3000 ") << toks({"[CLS]", "[SEP]"}) << QList<int>{101, 102};
    QTest::newRow("only dropped characters")
        << bytes("\u200b\x07\ufeff") << toks({"[CLS]", "[SEP]"}) << QList<int>{101, 102};
    // Lower-casing, then NFD with the Mn marks dropped.
    QTest::newRow("accents") << bytes("Héllo naïve café")
                             << toks({"[CLS]", "hello", "naive", "cafe", "[SEP]"})
                             << QList<int>{101, 7592, 15743, 7668, 102};
    QTest::newRow("decomposed accents")
        << bytes("cafe\u0301 nai\u0308ve") << toks({"[CLS]", "cafe", "naive", "[SEP]"})
        << QList<int>{101, 7668, 15743, 102};
    // Æ and ø have no decomposition: they stay (lower-cased).
    QTest::newRow("upper-case accents")
        << bytes("ÉCOLE Ñandú Ærø")
        << toks({"[CLS]", "ecole", "nan", "##du", "æ", "##r", "##ø", "[SEP]"})
        << QList<int>{101, 12431, 16660, 8566, 1097, 2099, 16415, 102};
    // Each character is lower-cased on its own first, so Σ becomes σ, never final ς.
    QTest::newRow("Greek capital sigma")
        << bytes("ΟΔΟΣ") << toks({"[CLS]", "ο", "##δ", "##ο", "##σ", "[SEP]"})
        << QList<int>{101, 1169, 29722, 29730, 29733, 102};
    // İ lower-cases to i + U+0307, whose mark is then stripped.
    QTest::newRow("dotted capital I")
        << bytes("İstanbul") << toks({"[CLS]", "istanbul", "[SEP]"}) << QList<int>{101, 9960, 102};
    // ASCII 33-47, 58-64, 91-96, 123-126 split even where Unicode says symbol ($ + = ^ ` | ~).
    QTest::newRow("ASCII punctuation")
        << bytes("don't stop-me (now)... $5 @home #1 a+b=c ~x|y^z`q")
        << toks({"[CLS]", "don", "'", "t", "stop", "-",    "me", "(", "now", ")", ".",
                 ".",     ".",   "$", "5", "@",    "home", "#",  "1", "a",   "+", "b",
                 "=",     "c",   "~", "x", "|",    "y",    "^",  "z", "`",   "q", "[SEP]"})
        << QList<int>{101,  2123, 1005, 1056, 2644, 1011, 2033, 1006, 2085, 1007, 1012,
                      1012, 1012, 1002, 1019, 1030, 2188, 1001, 1015, 1037, 1009, 1038,
                      1027, 1039, 1066, 1060, 1064, 1061, 1034, 1062, 1036, 1053, 102};
    QTest::newRow("Unicode punctuation")
        << bytes("“quoted” — dash… «guillemets» ¿qué? ¡sí!")
        << toks({"[CLS]", "“",   "quoted", "”", "—",   "dash", "…", "«",  "gui", "##lle",
                 "##met", "##s", "»",      "¿", "que", "?",    "¡", "si", "!",   "[SEP]"})
        << QList<int>{101,   1523, 9339, 1524, 1517,  11454, 1529, 1077, 26458, 6216,
                      11368, 2015, 1090, 1094, 10861, 1029,  1067, 9033, 999,   102};
    // Non-ASCII symbols (Sc, So, No) are not punctuation: they stay inside the word.
    QTest::newRow("symbols are not punctuation")
        << bytes("5€ 10° ©2020 ½")
        << toks({"[CLS]", "5", "##€", "10", "##°", "©", "##20", "##20", "½", "[SEP]"})
        << QList<int>{101, 1019, 30102, 2184, 7737, 1075, 11387, 11387, 1092, 102};
    QTest::newRow("numbers") << bytes("3.14159 1,000,000 2nd")
                             << toks({"[CLS]", "3", ".", "141", "##59", "1", ",", "000", ",", "000",
                                      "2nd", "[SEP]"})
                             << QList<int>{101,  1017, 1012, 15471, 28154, 1015,
                                           1010, 2199, 1010, 2199,  3416,  102};
    QTest::newRow("subwords") << bytes("unaffable tokenization embeddings")
                              << toks({"[CLS]", "una", "##ffa", "##ble", "token", "##ization", "em",
                                       "##bed", "##ding", "##s", "[SEP]"})
                              << QList<int>{101,  14477, 20961, 3468, 19204, 3989,
                                            7861, 8270,  4667,  2015, 102};
    // CJK ideographs are words of their own; 爱 and 门 are not in the vocabulary.
    QTest::newRow("CJK") << bytes("我爱北京天安门")
                         << toks({"[CLS]", "我", "[UNK]", "北", "京", "天", "安", "[UNK]", "[SEP]"})
                         << QList<int>{101, 1855, 100, 1781, 1755, 1811, 1820, 100, 102};
    // Kana are not in _is_chinese_char's ranges: they stay one word.
    QTest::newRow("CJK and kana") << bytes("日本語のテキスト")
                                  << toks({"[CLS]", "日", "本", "語", "の", "##テ", "##キ", "##ス",
                                           "##ト", "[SEP]"})
                                  << QList<int>{101,   1864,  1876,  1950,  1671,
                                                30239, 30227, 30233, 30240, 102};
    QTest::newRow("CJK between Latin")
        << bytes("BERT模型works") << toks({"[CLS]", "bert", "[UNK]", "[UNK]", "works", "[SEP]"})
        << QList<int>{101, 14324, 100, 100, 2573, 102};
    // The voicing mark U+3099 that NFD splits from が is Mn: stripped.
    QTest::newRow("kana voicing marks stripped")
        << bytes("がぎぐ") << toks({"[CLS]", "か", "##き", "##く", "[SEP]"})
        << QList<int>{101, 1651, 30178, 30179, 102};
    // NFD splits Hangul syllables into conjoining jamo (letters, kept).
    QTest::newRow("Hangul") << bytes("한국어")
                            << toks({"[CLS]", "ᄒ", "##ᅡ", "##ᆫ", "##ᄀ", "##ᅮ", "##ᆨ", "##ᄋ",
                                     "##ᅥ", "[SEP]"})
                            << QList<int>{101,   1469,  30006, 30021, 29991,
                                          30014, 30020, 29999, 30008, 102};
    // Format characters (Cf) are removed without splitting the word.
    QTest::newRow("zero-width and format characters")
        << bytes("zero\u200bwidth soft\u00adhyphen join\u200dme bom\ufeffhere")
        << toks({"[CLS]", "zero", "##wi", "##dt", "##h", "soft", "##hy", "##ph", "##en", "join",
                 "##me", "bo", "##m", "##her", "##e", "[SEP]"})
        << QList<int>{101,  5717, 9148, 11927, 2232, 3730, 10536, 8458,
                      2368, 3693, 4168, 8945,  2213, 5886, 2063,  102};
    // NUL, U+FFFD and control characters (Cc: BEL, NEL) are removed.
    QTest::newRow("control characters")
        << bytes(
               "bell\x07"
               "char nul\0byte a\ufffdb \u0085next")
        << toks({"[CLS]", "bell", "##cha", "##r", "nu", "##lby", "##te", "ab", "next", "[SEP]"})
        << QList<int>{101, 4330, 7507, 2099, 16371, 14510, 2618, 11113, 2279, 102};
    // VT and FF are Cc, not whitespace for _is_whitespace: removed, joining the words.
    QTest::newRow("vertical tab and form feed join")
        << bytes(
               "vertical\x0btab form\x0c"
               "feed")
        << toks({"[CLS]", "vertical", "##ta", "##b", "form", "##fe", "##ed", "[SEP]"})
        << QList<int>{101, 7471, 2696, 2497, 2433, 7959, 2098, 102};
    QTest::newRow("tab newline carriage return")
        << bytes("tab\there\nnew\rline") << toks({"[CLS]", "tab", "here", "new", "line", "[SEP]"})
        << QList<int>{101, 21628, 2182, 2047, 2240, 102};
    QTest::newRow("Unicode spaces (Zs)")
        << bytes("nbsp\u00a0space ideographic\u3000space em\u2003space thin\u2009space")
        << toks({"[CLS]", "n", "##bs", "##p", "space", "id", "##eo", "##graphic", "space", "em",
                 "space", "thin", "space", "[SEP]"})
        << QList<int>{101,   1050, 5910, 2361, 2686, 8909, 8780,
                      14773, 2686, 7861, 2686, 4857, 2686, 102};
    // U+2028/U+2029 (Zl, Zp) survive _clean_text but Python's str.split() splits on them.
    QTest::newRow("line and paragraph separators")
        << bytes("line\u2028separator para\u2029graph")
        << toks({"[CLS]", "line", "sep", "##arat", "##or", "para", "graph", "[SEP]"})
        << QList<int>{101, 2240, 19802, 25879, 2953, 11498, 10629, 102};
    QTest::newRow("emoji") << bytes("I \u2764 \U0001F600")
                           << toks({"[CLS]", "i", "[UNK]", "[UNK]", "[SEP]"})
                           << QList<int>{101, 1045, 100, 100, 102};
    // Full-width forms are compatibility characters: NFC keeps them; ！ is punctuation.
    QTest::newRow("full-width") << bytes("ＡＢＣ！") << toks({"[CLS]", "[UNK]", "！", "[SEP]"})
                                << QList<int>{101, 100, 1986, 102};
    QTest::newRow("ligature") << bytes("ﬁne") << toks({"[CLS]", "ﬁ", "##ne", "[SEP]"})
                              << QList<int>{101, 1984, 2638, 102};
    QTest::newRow("lone combining mark")
        << bytes("\u0301 a") << toks({"[CLS]", "a", "[SEP]"}) << QList<int>{101, 1037, 102};
    // Special tokens are kept whole, even glued to words; their case must match exactly.
    QTest::newRow("special tokens in text")
        << bytes("[CLS] hello [SEP] world [MASK] [UNK] [PAD]")
        << toks({"[CLS]", "[CLS]", "hello", "[SEP]", "world", "[MASK]", "[UNK]", "[PAD]", "[SEP]"})
        << QList<int>{101, 101, 7592, 102, 2088, 103, 100, 0, 102};
    QTest::newRow("special token glued")
        << bytes("hello[MASK]world") << toks({"[CLS]", "hello", "[MASK]", "world", "[SEP]"})
        << QList<int>{101, 7592, 103, 2088, 102};
    QTest::newRow("special tokens in other case are text")
        << bytes("[mask] [Cls]")
        << toks({"[CLS]", "[", "mask", "]", "[", "cl", "##s", "]", "[SEP]"})
        << QList<int>{101, 1031, 7308, 1033, 1031, 18856, 2015, 1033, 102};
    // max_input_chars_per_word = 100: a word of 101 characters (not bytes) is [UNK].
    QList<int> aIds{101, 13360};
    QStringList aTokens = toks({"[CLS]", "aaa"});
    for (int i = 0; i < 48; ++i) {  // 3 + 48 * 2 + 1 = 100
      aIds << 11057;
      aTokens << QStringLiteral("##aa");
    }
    aIds << 2050 << 102;
    aTokens << QStringLiteral("##a") << QStringLiteral("[SEP]");
    QTest::newRow("100 characters") << QByteArray(100, 'a') << aTokens << aIds;
    QTest::newRow("101 characters")
        << QByteArray(101, 'a') << toks({"[CLS]", "[UNK]", "[SEP]"}) << QList<int>{101, 100, 102};
    QList<int> eIds{101, 25212};
    QStringList eTokens = toks({"[CLS]", "ee"});
    for (int i = 0; i < 29; ++i) {  // 2 + 29 * 2 = 60
      eIds << 4402;
      eTokens << QStringLiteral("##ee");
    }
    eIds << 102;
    eTokens << QStringLiteral("[SEP]");
    QTest::newRow("60 accented characters (120 bytes)")
        << QString(60, QChar(0xE9)).toUtf8() << eTokens << eIds;
    QTest::newRow("101 accented characters")
        << QString(101, QChar(0xE9)).toUtf8() << toks({"[CLS]", "[UNK]", "[SEP]"})
        << QList<int>{101, 100, 102};
    // The limit applies after the punctuation split.
    QTest::newRow("long word then punctuation")
        << QByteArray(101, 'x') + ".yyyyy"
        << toks({"[CLS]", "[UNK]", ".", "y", "##y", "##y", "##y", "##y", "[SEP]"})
        << QList<int>{101, 100, 1012, 1061, 2100, 2100, 2100, 2100, 102};
  }

  void matchesBertTokenizer() {
    REQUIRE_BERT();
    QFETCH(QByteArray, text);
    QFETCH(QStringList, tokens);
    QFETCH(QList<int>, ids);
    const crisp::WordPieceEncoding e = bert()->encode(view(text));
    QCOMPARE(toQt(e.tokens), tokens);
    QCOMPARE(toQt(e.ids), ids);
    QCOMPARE(e.attentionMask.size(), e.ids.size());
    QCOMPARE(e.offsets.size(), e.ids.size());
    // Spans lie inside the text, on character boundaries, in order; only [CLS]/[SEP] are empty.
    const auto boundary = [&](std::size_t at) {
      return at == static_cast<std::size_t>(text.size()) ||
             (static_cast<unsigned char>(text[static_cast<int>(at)]) & 0xC0) != 0x80;
    };
    for (std::size_t i = 1; i + 1 < e.size(); ++i) {
      const crisp::ByteSpan span = e.offsets[i];
      QVERIFY(span.begin < span.end && span.end <= static_cast<std::size_t>(text.size()));
      QVERIFY(boundary(span.begin) && boundary(span.end));
      QVERIFY(span.begin >= e.offsets[i - 1].begin);
    }
    // The same without the ASCII fast path.
    crisp::WordPieceTokenizer slow(kBertDir);
    slow.setAsciiFastPath(false);
    QCOMPARE(toQt(slow.encode(view(text)).ids), ids);
    // tokenize() is the same list without [CLS] and [SEP].
    QCOMPARE(toQt(bert()->tokenize(view(text))), tokens.mid(1, tokens.size() - 2));
  }

  void offsets_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Spans>("expected");  // without [CLS] and [SEP]
    QTest::newRow("multi-byte characters")
        << bytes("Héllo naïve café") << spans({{0, 6}, {7, 13}, {14, 19}});
    // As the Rust tokenizers: no NFC, and a stripped mark belongs to no token's span.
    QTest::newRow("stripped accents belong to no span")
        << bytes("cafe\u0301 nai\u0308ve") << spans({{0, 4}, {7, 14}});
    QTest::newRow("subwords") << bytes("unaffable") << spans({{0, 3}, {3, 6}, {6, 9}});
    QTest::newRow("CJK") << bytes("我爱") << spans({{0, 3}, {3, 6}});
    QTest::newRow("dropped control inside a word") << bytes(
                                                          "ab\x01"
                                                          "cd")
                                                   << spans({{0, 4}, {4, 5}});
    QTest::newRow("whitespace") << bytes(" tab\there\u3000x") << spans({{1, 4}, {5, 9}, {12, 13}});
    QTest::newRow("special token in text") << bytes("[CLS] hi") << spans({{0, 5}, {6, 8}});
    QTest::newRow("unknown word spans the word")
        << QByteArray("x ") + QByteArray(101, 'a') << spans({{0, 1}, {2, 103}});
    QTest::newRow("Hangul jamo share their syllable")
        << bytes("한") << spans({{0, 3}, {0, 3}, {0, 3}});
    QTest::newRow("Greek letters") << bytes("ΟΔΟΣ") << spans({{0, 2}, {2, 4}, {4, 6}, {6, 8}});
    QTest::newRow("dotted capital I") << bytes("İstanbul") << spans({{0, 9}});
    QTest::newRow("punctuation") << bytes("“a”") << spans({{0, 3}, {3, 4}, {4, 7}});
  }

  void offsets() {
    REQUIRE_BERT();
    QFETCH(QByteArray, text);
    QFETCH(Spans, expected);
    const crisp::WordPieceEncoding e = bert()->encode(view(text));
    QCOMPARE(toQt(e.offsets), Spans({{0, 0}}) + expected + Spans({{0, 0}}));
  }

  // For ASCII text the span of every token is the token's own text (without "##").
  void offsetsSliceTheOriginalText() {
    REQUIRE_BERT();
    const std::string text = "The Film's PLOT -- unaffable, tokenization [MASK] isn't bad!";
    const crisp::WordPieceEncoding e = bert()->encode(text);
    for (std::size_t i = 1; i + 1 < e.size(); ++i) {
      std::string slice = text.substr(e.offsets[i].begin, e.offsets[i].end - e.offsets[i].begin);
      std::string token = e.tokens[i];
      if (token != "[MASK]") {
        for (char& ch : slice) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      if (token.rfind("##", 0) == 0) token = token.substr(2);
      QCOMPARE(QString::fromStdString(slice), QString::fromStdString(token));
    }
  }

  void truncationKeepsSep() {
    REQUIRE_BERT();
    crisp::WordPieceEncodeOptions options;
    options.maxLength = 5;
    crisp::WordPieceEncoding e = bert()->encode("Hello, World!", options);
    QCOMPARE(toQt(e.ids), QList<int>({101, 7592, 1010, 2088, 102}));
    QCOMPARE(toQt(e.tokens), toks({"[CLS]", "hello", ",", "world", "[SEP]"}));
    QCOMPARE(toQt(e.offsets), spans({{0, 0}, {0, 5}, {5, 6}, {7, 12}, {0, 0}}));
    options.maxLength = 2;
    QCOMPARE(toQt(bert()->encode("Hello, World!", options).ids), QList<int>({101, 102}));
    options.maxLength = 6;  // exactly fits
    QCOMPARE(toQt(bert()->encode("Hello, World!", options).ids),
             QList<int>({101, 7592, 1010, 2088, 999, 102}));
    options.maxLength = 512;
    QCOMPARE(bert()->encode("Hello, World!", options).size(), std::size_t{6});
    // Truncation inside a word's pieces and after a special token in the text.
    options.maxLength = 4;
    QCOMPARE(toQt(bert()->encode("unaffable", options).tokens),
             toks({"[CLS]", "una", "##ffa", "[SEP]"}));
    QCOMPARE(toQt(bert()->encode("[MASK] hello world", options).ids),
             QList<int>({101, 103, 7592, 102}));
    // Without special tokens the limit is on the tokens alone.
    options.addSpecialTokens = false;
    options.maxLength = 2;
    QCOMPARE(toQt(bert()->encode("Hello, World!", options).ids), QList<int>({7592, 1010}));
    options.addSpecialTokens = true;
    options.maxLength = 1;
    QVERIFY_THROWS_EXCEPTION(crisp::Error, bert()->encode("Hello", options));
  }

  void padding() {
    REQUIRE_BERT();
    crisp::WordPieceEncodeOptions options;
    options.maxLength = 6;
    options.padToMaxLength = true;
    const crisp::WordPieceEncoding e = bert()->encode("hi there", options);
    QCOMPARE(toQt(e.ids), QList<int>({101, 7632, 2045, 102, 0, 0}));
    QCOMPARE(toQt(e.tokens), toks({"[CLS]", "hi", "there", "[SEP]", "[PAD]", "[PAD]"}));
    QCOMPARE(QList<int>(e.attentionMask.begin(), e.attentionMask.end()),
             QList<int>({1, 1, 1, 1, 0, 0}));
    QCOMPARE(toQt(e.offsets), spans({{0, 0}, {0, 2}, {3, 8}, {0, 0}, {0, 0}, {0, 0}}));
  }

  void invalidUtf8_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("offset");
    QTest::addColumn<QByteArray>("validPart");  // the text without its ill-formed bytes
    QTest::newRow("stray byte") << bytes(
                                       "ab\xff"
                                       "cd")
                                << 2 << bytes("abcd");
    QTest::newRow("lone continuation") << bytes("\x80hello") << 0 << bytes("hello");
    QTest::newRow("truncated at the end") << bytes("euro \xe2\x82") << 5 << bytes("euro ");
    QTest::newRow("truncated before ASCII") << bytes(
                                                   "a\xe2\x82"
                                                   "b c")
                                            << 1 << bytes("ab c");
    QTest::newRow("overlong slash") << bytes("x\xc0\xafy") << 1 << bytes("xy");
    QTest::newRow("surrogate") << bytes("hi \xed\xa0\x80") << 3 << bytes("hi ");
    QTest::newRow("above U+10FFFF") << bytes("\xf4\x90\x80\x80 ok") << 0 << bytes(" ok");
    QTest::newRow("after a special token") << bytes("[SEP]\xfe") << 5 << bytes("[SEP]");
  }

  void invalidUtf8() {
    REQUIRE_BERT();
    QFETCH(QByteArray, text);
    QFETCH(int, offset);
    QFETCH(QByteArray, validPart);
    try {
      bert()->encode(view(text));
      QFAIL("no crisp::Error for invalid UTF-8");
    } catch (const crisp::Error& e) {
      const QString message = QString::fromUtf8(e.what());
      QVERIFY2(message.startsWith(QStringLiteral("invalid UTF-8 at byte %1 (0x").arg(offset + 1)),
               qPrintable(message));
    }
    QVERIFY_THROWS_EXCEPTION(crisp::Error, bert()->tokenize(view(text)));
    // kSkip: the ill-formed bytes are dropped (Python: decode with errors="replace", then
    // _clean_text drops U+FFFD); offsets still point into the original bytes.
    crisp::WordPieceEncodeOptions skip;
    skip.invalidUtf8 = crisp::InvalidUtf8::kSkip;
    const crisp::WordPieceEncoding e = bert()->encode(view(text), skip);
    QCOMPARE(toQt(e.ids), toQt(bert()->encode(view(validPart)).ids));
    for (const crisp::ByteSpan& s : e.offsets) {
      QVERIFY(s.begin <= s.end && s.end <= static_cast<std::size_t>(text.size()));
    }
  }

  void invalidUtf8SkipKeepsOffsets() {
    REQUIRE_BERT();
    crisp::WordPieceEncodeOptions skip;
    skip.invalidUtf8 = crisp::InvalidUtf8::kSkip;
    const crisp::WordPieceEncoding e = bert()->encode(view(bytes("ab\xff"
                                                                 "cd ok")),
                                                      skip);
    QCOMPARE(toQt(e.tokens), toks({"[CLS]", "abc", "##d", "ok", "[SEP]"}));
    QCOMPARE(toQt(e.ids), QList<int>({101, 5925, 2094, 7929, 102}));
    QCOMPARE(toQt(e.offsets), spans({{0, 0}, {0, 4}, {4, 5}, {6, 8}, {0, 0}}));
  }

  void decode() {
    REQUIRE_BERT();
    const std::vector<int32_t> ids = {101, 7592, 1010, 2088, 999, 102};
    QCOMPARE(QString::fromStdString(bert()->decode(ids)),
             QStringLiteral("[CLS] hello, world! [SEP]"));
    QCOMPARE(QString::fromStdString(bert()->decode(ids, true)), QStringLiteral("hello, world!"));
    QCOMPARE(QString::fromStdString(bert()->decode(ids, false, false)),
             QStringLiteral("[CLS] hello , world ! [SEP]"));
    QCOMPARE(QString::fromStdString(bert()->decode(bert()->encode("unaffable").ids, true)),
             QStringLiteral("unaffable"));
    QCOMPARE(QString::fromStdString(bert()->decode(bert()->encode("I don't know.").ids, true)),
             QStringLiteral("i don't know."));
    QCOMPARE(toQt(bert()->convertIdsToTokens({7592, 2015, 30522, -1})),
             toks({"hello", "##s", "[UNK]", "[UNK]"}));
    QCOMPARE(toQt(bert()->convertIdsToTokens({101, 7592, 0, 102}, true)), toks({"hello"}));
    QCOMPARE(toQt(bert()->convertTokensToIds({"hello", "##s", "no-such-token", "[MASK]"})),
             QList<int>({7592, 2015, 100, 103}));
    QCOMPARE(QString::fromStdString(bert()->idToToken(1996)), QStringLiteral("the"));
    QVERIFY(!bert()->findToken("no-such-token").has_value());
    QVERIFY(bert()->isSpecialId(101) && bert()->isSpecialId(0) && !bert()->isSpecialId(7592));
  }

  void concurrentEncodesAgree() {
    REQUIRE_BERT();
    const std::string text = "Héllo, Wörld! 我爱 unaffable [MASK] tokenization";
    const std::vector<int32_t> expected = bert()->encode(text).ids;
    std::vector<int> failures(2, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 2000; ++i) {
          if (bert()->encode(text).ids != expected) ++failures[static_cast<std::size_t>(t)];
        }
      });
    }
    for (std::thread& th : threads) th.join();
    QCOMPARE(failures, std::vector<int>({0, 0}));
  }

  // Every sentence of SST-2 train and dev, as the trainer will read them.
  void readsAllOfSst2_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("tokens");  // without [CLS]/[SEP], from the Python transcription
    QTest::addColumn<int>("longest");
    QTest::newRow("train") << QStringLiteral("train.tsv") << 67349 << 762341 << 66;
    QTest::newRow("dev") << QStringLiteral("dev.tsv") << 872 << 20199 << 55;
  }

  void readsAllOfSst2() {
    REQUIRE_BERT();
    QFETCH(QString, file);
    QFETCH(int, rows);
    QFETCH(int, tokens);
    QFETCH(int, longest);
    const std::string path = std::string(kSst2Dir) + "/" + file.toStdString();
    std::ifstream in(path, std::ios::binary);
    if (!in) QSKIP(qPrintable(QStringLiteral("no %1 in the shared data directory").arg(file)));
    std::string line;
    QVERIFY(std::getline(in, line));
    QCOMPARE(QString::fromStdString(line), QStringLiteral("sentence\tlabel"));
    int count = 0;
    long total = 0;
    std::size_t maxLength = 0;
    crisp::WordPieceEncoding e;
    while (std::getline(in, line)) {
      const std::size_t tab = line.rfind('\t');
      QVERIFY2(tab != std::string::npos, line.c_str());
      bert()->encode(std::string_view(line).substr(0, tab), e);  // throws on bad UTF-8
      ++count;
      total += static_cast<long>(e.size()) - 2;
      maxLength = std::max(maxLength, e.size());
      for (int32_t id : e.ids) QVERIFY(id >= 0 && id < 30522);
    }
    QCOMPARE(count, rows);
    QCOMPARE(total, static_cast<long>(tokens));
    QCOMPARE(static_cast<int>(maxLength), longest);
  }

  // --- a small vocabulary: loading, configs, cased behaviour ----------------------------------

  void vocabularyFileFormats_data() {
    QTest::addColumn<QByteArray>("contents");
    QTest::newRow("LF") << smallVocabText("\n", false, 0);
    QTest::newRow("CRLF") << smallVocabText("\r\n", false, 0);
    QTest::newRow("BOM and CRLF") << smallVocabText("\r\n", true, 0);
    QTest::newRow("trailing empty lines") << smallVocabText("\n", false, 3);
    QTest::newRow("no final newline") << smallVocabText("\n", false, 0).chopped(1);
  }

  void vocabularyFileFormats() {
    QFETCH(QByteArray, contents);
    const QString path = dir_.filePath(QStringLiteral("vocab-%1.txt").arg(QTest::currentDataTag()));
    writeFile(path, contents);
    const crisp::WordPieceTokenizer t(path.toStdString());
    QCOMPARE(t.vocabSize(), std::size_t{kSmallVocabSize});
    for (int id = 0; id < kSmallVocabSize; ++id) {
      QCOMPARE(t.tokenToId(kSmallVocab[id]), id);
      QCOMPARE(QString::fromStdString(t.idToToken(id)), QString::fromUtf8(kSmallVocab[id]));
    }
    QCOMPARE(t.clsId(), 2);
    QCOMPARE(t.sepId(), 3);
    QCOMPARE(t.unkId(), 1);
    // A vocabulary file alone means BertTokenizer's defaults: lower-case, strip accents.
    QCOMPARE(toQt(t.encode("Hello World!").ids), QList<int>({2, 6, 8, 9, 3}));
  }

  void badVocabularies() {
    const QString empty = dir_.filePath(QStringLiteral("empty.txt"));
    writeFile(empty, "\n\n");
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::WordPieceTokenizer(empty.toStdString()));
    const QString invalid = dir_.filePath(QStringLiteral("invalid.txt"));
    writeFile(invalid, "[UNK]\nok\nbad\xff\n");
    try {
      crisp::WordPieceTokenizer t(invalid.toStdString());
      QFAIL("no error for an invalid vocabulary");
    } catch (const crisp::Error& e) {
      QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("line 3")), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::WordPieceTokenizer("/no/such/vocab.txt"));
    const QString noVocab = dir_.filePath(QStringLiteral("no-vocab"));
    QDir().mkpath(noVocab);
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::WordPieceTokenizer(noVocab.toStdString()));
  }

  void badConfigs_data() {
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not JSON") << QByteArray("{do_lower_case: true") << "not valid JSON";
    QTest::newRow("wrong type") << QByteArray(R"({"do_lower_case": "yes"})") << "do_lower_case";
    QTest::newRow("bad token") << QByteArray(R"({"unk_token": 5})") << "unk_token";
    QTest::newRow("no basic tokenizer")
        << QByteArray(R"({"do_basic_tokenize": false})") << "do_basic_tokenize";
  }

  void badConfigs() {
    QFETCH(QByteArray, config);
    QFETCH(QString, mentions);
    const QString path = smallDir(QStringLiteral("bad-%1").arg(QTest::currentDataTag()), config);
    try {
      crisp::WordPieceTokenizer t(path.toStdString());
      QFAIL("no error for a bad tokenizer_config.json");
    } catch (const crisp::Error& e) {
      const QString message = QString::fromUtf8(e.what());
      QVERIFY2(message.contains(mentions) && message.contains("tokenizer_config.json"),
               qPrintable(message));
    }
  }

  // A "type" that is not a string, or a component that is not an object, escaped as nlohmann's
  // type_error, naming no file (found by fuzz/tokenizer_json_fuzzer).
  void badTokenizerJson_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("model type an object") << QByteArray(R"({"model": {"type": {"a": 0}}})")
                                          << "model.type {\"a\":0} is not supported";
    QTest::newRow("normalizer type a number")
        << QByteArray(R"({"normalizer": {"type": 1}, "model": {"type": "WordPiece", "vocab": {}}})")
        << "normalizer {\"type\":1} is not supported";
    QTest::newRow("pre_tokenizer a list")
        << QByteArray(R"({"pre_tokenizer": [1], "model": {"type": "WordPiece", "vocab": {}}})")
        << "pre_tokenizer [1] is not supported";
  }

  void badTokenizerJson() {
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    const QString directory = dir_.filePath(QStringLiteral("json-%1").arg(QTest::currentDataTag()));
    QDir().mkpath(directory);
    writeFile(directory + QStringLiteral("/tokenizer.json"), json);
    try {
      crisp::WordPieceTokenizer t(directory.toStdString());
      QFAIL("no error for a bad tokenizer.json");
    } catch (const crisp::Error& e) {
      const QString message = QString::fromUtf8(e.what());
      QVERIFY2(message.contains(mentions) && message.contains("tokenizer.json"),
               qPrintable(message));
    }
  }

  void casedTokenizer_data() {
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QList<int>>("ids");  // with [CLS] = 2 and [SEP] = 3
    const QByteArray cased = R"({"do_lower_case": false, "model_max_length": 512})";
    const QByteArray casedStrip = R"({"do_lower_case": false, "strip_accents": true})";
    const QByteArray lowerKeep = R"({"do_lower_case": true, "strip_accents": false})";
    const QByteArray noChinese = R"({"do_lower_case": false, "tokenize_chinese_chars": false})";
    QTest::newRow("cased keeps case")
        << cased << bytes("Hello World! hello world") << QList<int>{2, 5, 7, 9, 6, 8, 3};
    QTest::newRow("cased keeps accents")
        << cased << bytes("Héllo café naïve") << QList<int>{2, 11, 12, 13, 14, 21, 3};
    // No NFC (as BertTokenizerFast; the slow BertTokenizer composes first): e + U+0301 stays
    // two characters, so "cafe\u0301" is not the vocabulary's "café", and < + U+0338 is "<"
    // then a word of the lone mark, not "≮".
    QTest::newRow("cased does not compose")
        << cased << bytes("He\u0301llo cafe\u0301") << QList<int>{2, 1, 1, 3};
    QTest::newRow("cased: < + U+0338 stays two characters")
        << cased << bytes("<\u0338 ≮ <") << QList<int>{2, 26, 1, 25, 26, 3};
    QTest::newRow("cased: İ stays") << cased << bytes("İstanbul") << QList<int>{2, 31, 32, 3};
    // H matches but no "##E..." does: the whole word is [UNK].
    QTest::newRow("cased, unknown") << cased << bytes("HELLO") << QList<int>{2, 1, 3};
    QTest::newRow("cased with strip_accents")
        << casedStrip << bytes("Héllo café") << QList<int>{2, 5, 15, 16, 3};
    // Lower-case without stripping: İ becomes i + U+0307 (Python's str.lower()).
    QTest::newRow("lower-case keeps accents")
        << lowerKeep << bytes("HELLO CAFÉ İ") << QList<int>{2, 6, 14, 33, 34, 3};
    // Lower-case with stripping (the default): ≮ decomposes to < and a mark, which goes.
    QTest::newRow("lower-case strips the mark of ≮")
        << QByteArray(R"({"do_lower_case": true})") << bytes("<\u0338") << QList<int>{2, 26, 3};
    QTest::newRow("CJK split") << cased << bytes("中文") << QList<int>{2, 37, 38, 3};
    QTest::newRow("CJK not split") << noChinese << bytes("中文") << QList<int>{2, 39, 3};
    // Longest match first: ##llo wins over ##ll + ##o.
    QTest::newRow("subwords") << cased << bytes("unaffable Hallo")
                              << QList<int>{2, 28, 29, 30, 18, 13, 3};
  }

  void casedTokenizer() {
    QFETCH(QByteArray, config);
    QFETCH(QByteArray, text);
    QFETCH(QList<int>, ids);
    const QString path = smallDir(QStringLiteral("cfg-%1").arg(qHash(config)), config);
    const crisp::WordPieceTokenizer t(path.toStdString());
    QCOMPARE(toQt(t.encode(view(text)).ids), ids);
    crisp::WordPieceTokenizer slow(path.toStdString());
    slow.setAsciiFastPath(false);
    QCOMPARE(toQt(slow.encode(view(text)).ids), ids);
  }

  void casedConfigIsRead() {
    const QString path = smallDir(QStringLiteral("cased-config"),
                                  R"({"do_lower_case": false, "model_max_length": 512})");
    const crisp::WordPieceTokenizer t(path.toStdString());
    QVERIFY(!t.config().doLowerCase);
    QVERIFY(!t.config().stripsAccents());
    QCOMPARE(t.config().modelMaxLength, std::size_t{512});
    // The vocabulary file alone ignores the config beside it, like BertTokenizer(vocab_file).
    const crisp::WordPieceTokenizer fromFile((path + "/vocab.txt").toStdString());
    QVERIFY(fromFile.config().doLowerCase);
  }

  void addedAndSpecialTokens() {
    // special_tokens_map.json overrides tokenizer_config.json; <e2> is not in the vocabulary
    // and gets the next id, like transformers' added tokens.
    const QString path = smallDir(
        QStringLiteral("specials"), R"({"do_lower_case": true, "additional_special_tokens": []})",
        R"({"additional_special_tokens": ["<e1>", {"content": "<e2>", "lstrip": false}]})");
    const crisp::WordPieceTokenizer t(path.toStdString());
    QCOMPARE(t.vocabSize(), std::size_t{kSmallVocabSize});
    QCOMPARE(t.size(), std::size_t{kSmallVocabSize + 1});
    QCOMPARE(t.tokenToId("<e2>"), kSmallVocabSize);
    QCOMPARE(QString::fromStdString(t.idToToken(kSmallVocabSize)), QStringLiteral("<e2>"));
    const crisp::WordPieceEncoding e = t.encode("Hello<e1>World <e2>!");
    QCOMPARE(toQt(e.tokens), toks({"[CLS]", "hello", "<e1>", "world", "<e2>", "!", "[SEP]"}));
    QCOMPARE(toQt(e.ids), QList<int>({2, 6, 40, 8, kSmallVocabSize, 9, 3}));
    QCOMPARE(toQt(e.offsets), spans({{0, 0}, {0, 5}, {5, 9}, {9, 14}, {15, 19}, {19, 20}, {0, 0}}));
    // Lower-casing happens before matching, so a lower-case special token matches any case.
    QCOMPARE(toQt(t.encode("<E1>").ids), QList<int>({2, 40, 3}));
    QVERIFY(t.isSpecialId(40) && t.isSpecialId(kSmallVocabSize));
    QCOMPARE(QString::fromStdString(t.decode({2, 6, 40, 8, 3}, true)),
             QStringLiteral("hello world"));
  }

  void neverSplit() {
    const QString path =
        smallDir(QStringLiteral("never-split"),
                 R"({"do_lower_case": false, "never_split": ["Hallo", "naïve!"]})");
    const crisp::WordPieceTokenizer t(path.toStdString());
    // Without never_split, "Hallo" would be Ha ##llo. Kept whole, it is not in the
    // vocabulary: [UNK]'s id, under its own name (convert_tokens_to_ids).
    crisp::WordPieceEncoding e = t.encode("Hallo, naïve! Hallo");
    QCOMPARE(toQt(e.tokens), toks({"[CLS]", "Hallo", ",", "naïve!", "Hallo", "[SEP]"}));
    QCOMPARE(toQt(e.ids), QList<int>({2, 1, 10, 1, 1, 3}));
    QCOMPARE(toQt(e.offsets), spans({{0, 0}, {0, 5}, {5, 6}, {7, 14}, {15, 20}, {0, 0}}));
  }
};

QTEST_GUILESS_MAIN(TestWordPiece)
#include "test_wordpiece.moc"
