// Dataset readers: GLUE TSV, RFC 4180 CSV/TSV, JSON Lines; malformed files give clear errors
// with line numbers under both policies; the full SST-2 files read with no rejected row.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>

#include "core/data/dataset.h"
#include "core/sys/error.h"
#include "core/sys/utf8.h"
#include "tests/core/test_support.h"

using namespace crisp::data;
using crisp::findInvalidUtf8;
using crisp::isValidUtf8;
using crisp::test::contains;
using crisp::test::errorOf;

namespace {

#define VERIFY_CONTAINS(text, part)                                \
  QVERIFY2(contains((text), (part)),                               \
           qPrintable(QStringLiteral("'%1' does not contain '%2'") \
                          .arg(QString::fromStdString(text), QString::fromStdString(part))))

}  // namespace

class TestDataReaders : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  std::string write(const char* name, const std::string& bytes) {
    const std::string path = dir_.filePath(QString::fromUtf8(name)).toStdString();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    return path;
  }

  static DataSource csv(const std::string& path, const std::string& text, const std::string& label,
                        LabelOptions labels) {
    DataSource source;
    source.path = path;
    source.format = Format::Delimited;
    source.delimiter = ',';
    source.textField = text;
    source.labelField = label;
    source.labels = std::move(labels);
    return source;
  }

  static DataSource jsonl(const std::string& path, LabelOptions labels) {
    DataSource source;
    source.path = path;
    source.format = Format::JsonLines;
    source.textField = "review";
    source.labelField = "sentiment";
    source.labels = std::move(labels);
    return source;
  }

  static ReadOptions skip(size_t kept = 100) {
    ReadOptions options;
    options.policy = ErrorPolicy::Skip;
    options.maxRejectedKept = kept;
    return options;
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // ---- well-formed files ---------------------------------------------------------------

  void readsGlueTsv() {
    const auto path = write("glue.tsv",
                            "sentence\tlabel\n"
                            "a gorgeous , witty film \t1\n"
                            "\n"
                            "  dull and slow\t0\n"
                            "caf\xC3\xA9 society \xE2\x80\x94 fine\t1\n");
    const Dataset d = readGlueTsv(path);
    QCOMPARE(d.examples.size(), size_t{3});
    QCOMPARE(d.examples[0].text, std::string("a gorgeous , witty film"));
    QCOMPARE(d.examples[0].label, 1);
    QCOMPARE(d.examples[0].line, size_t{2});
    QCOMPARE(d.examples[1].text, std::string("dull and slow"));
    QCOMPARE(d.examples[1].line, size_t{4});  // the blank line 3 is skipped, not counted
    QCOMPARE(d.examples[2].text, std::string("caf\xC3\xA9 society \xE2\x80\x94 fine"));
    QCOMPARE(d.rowsRead, size_t{3});
    QCOMPARE(d.rejectedCount, size_t{0});
    QCOMPARE(d.labels.names(), (std::vector<std::string>{"negative", "positive"}));
    QCOMPARE(d.columns, (std::vector<std::string>{"sentence", "label"}));
  }

  void glueColumnsInAnyOrderAndExtraColumns() {
    const auto path = write("glue_cols.tsv", "id\tlabel\tsentence\n7\t0\tmeh\n8\t1\tyes !\n");
    const Dataset d = readGlueTsv(path);
    QCOMPARE(d.examples.size(), size_t{2});
    QCOMPARE(d.examples[1].text, std::string("yes !"));
    QCOMPARE(d.examples[1].label, 1);
  }

  void csvWithBomCrlfAndQuoting() {
    const auto path = write("quoted.csv",
                            "\xEF\xBB\xBFid,text,label\r\n"
                            "1,\"good, really good\",pos\r\n"
                            "2,\"she said \"\"wow\"\"\",pos\r\n"
                            "3,\"first line\r\nsecond line\",neg\r\n"
                            "4,plain \"quote\" inside,neg\r\n"
                            "5,\"\",neg\r\n"
                            "6,last one,pos");  // no final newline
    const Dataset d =
        readDataset(csv(path, "text", "label", {LabelMode::FirstAppearance, {}}), skip());
    QCOMPARE(d.columns, (std::vector<std::string>{"id", "text", "label"}));  // BOM stripped
    QCOMPARE(d.examples.size(), size_t{5});
    QCOMPARE(d.examples[0].text, std::string("good, really good"));
    QCOMPARE(d.examples[1].text, std::string("she said \"wow\""));
    QCOMPARE(d.examples[2].text, std::string("first line\r\nsecond line"));
    QCOMPARE(d.examples[2].line, size_t{4});
    QCOMPARE(d.examples[3].text, std::string("plain \"quote\" inside"));
    QCOMPARE(d.examples[3].line, size_t{6});  // the quoted line break counted
    QCOMPARE(d.examples[4].text, std::string("last one"));
    QCOMPARE(d.examples[4].line, size_t{8});
    QCOMPARE(d.rejectedCount, size_t{1});  // row 5: empty quoted text
    QCOMPARE(d.rejected[0].line, size_t{7});
    VERIFY_CONTAINS(d.rejected[0].reason, "empty text in column 'text'");
    // First appearance: pos = 0, neg = 1.
    QCOMPARE(d.labels.names(), (std::vector<std::string>{"pos", "neg"}));
    QCOMPARE(d.examples[0].label, 0);
    QCOMPARE(d.examples[2].label, 1);
  }

  void tsvWithQuoting() {
    const auto path = write("quoted.tsv", "label\tsentence\nneg\t\"tab\there\"\npos\tok\n");
    DataSource source = csv(path, "sentence", "label", {LabelMode::Sorted, {}});
    source.delimiter = '\t';
    const Dataset d = readDataset(source);
    QCOMPARE(d.examples.size(), size_t{2});
    QCOMPARE(d.examples[0].text, std::string("tab\there"));
    QCOMPARE(d.labels.names(), (std::vector<std::string>{"neg", "pos"}));
  }

  void labelModes() {
    const auto path = write("modes.csv", "t,l\na,zebra\nb,apple\nc,zebra\nd,mango\n");
    const Dataset first = readDataset(csv(path, "t", "l", {LabelMode::FirstAppearance, {}}));
    QCOMPARE(first.labels.names(), (std::vector<std::string>{"zebra", "apple", "mango"}));
    QCOMPARE(first.examples[3].label, 2);
    const Dataset sorted = readDataset(csv(path, "t", "l", {LabelMode::Sorted, {}}));
    QCOMPARE(sorted.labels.names(), (std::vector<std::string>{"apple", "mango", "zebra"}));
    QCOMPARE(sorted.examples[0].label, 2);
    QCOMPARE(sorted.examples[1].label, 0);
    const auto numbers = write("numbers.csv", "t,l\na,10\nb,2\nc,7\n");
    const Dataset numeric = readDataset(csv(numbers, "t", "l", {LabelMode::Sorted, {}}));
    QCOMPARE(numeric.labels.names(), (std::vector<std::string>{"2", "7", "10"}));
    const Dataset given =
        readDataset(csv(path, "t", "l", {LabelMode::Explicit, {"mango", "zebra", "apple"}}));
    QCOMPARE(given.examples[0].label, 1);
    QCOMPARE(given.examples[1].label, 2);
    // First appearance seeded with known labels keeps their ids.
    const Dataset seeded =
        readDataset(csv(path, "t", "l", {LabelMode::FirstAppearance, {"mango"}}));
    QCOMPARE(seeded.labels.names(), (std::vector<std::string>{"mango", "zebra", "apple"}));
    // Integers without names: named "0".."max".
    const auto ints = write("ints.csv", "t,l\na,0\nb,3\n");
    const Dataset integers = readDataset(csv(ints, "t", "l", {LabelMode::Integer, {}}));
    QCOMPARE(integers.labels.names(), (std::vector<std::string>{"0", "1", "2", "3"}));
    QCOMPARE(integers.examples[1].label, 3);
    // Bad option combinations are clear errors.
    VERIFY_CONTAINS(errorOf([&] {
                      readDataset(csv(path, "t", "l", {LabelMode::Explicit, {}}));
                    }),
                    "no label names");
  }

  void jsonLines() {
    const auto path = write("rows.jsonl",
                            "{\"review\": \"great fun\", \"sentiment\": \"pos\", \"id\": 1}\r\n"
                            "\n"
                            "{\"review\": \"caf\\u00e9 \\\"noir\\\"\", \"sentiment\": \"neg\"}\n"
                            "{\"review\": \"bad json\", \"sentiment\": \n"
                            "[1, 2]\n"
                            "{\"sentiment\": \"pos\"}\n"
                            "{\"review\": 5, \"sentiment\": \"pos\"}\n"
                            "{\"review\": \"what\", \"sentiment\": \"meh\"}\n"
                            "{\"review\": \"   \", \"sentiment\": \"pos\"}\n"
                            "{\"review\": \"ok\", \"sentiment\": null}\n");
    const Dataset d = readDataset(jsonl(path, {LabelMode::Explicit, {"neg", "pos"}}), skip());
    QCOMPARE(d.examples.size(), size_t{2});
    QCOMPARE(d.examples[0].text, std::string("great fun"));
    QCOMPARE(d.examples[0].label, 1);
    QCOMPARE(d.examples[1].text, std::string("caf\xC3\xA9 \"noir\""));
    QCOMPARE(d.examples[1].line, size_t{3});
    QCOMPARE(d.rowsRead, size_t{9});
    QCOMPARE(d.rejectedCount, size_t{7});
    const std::vector<std::pair<size_t, std::string>> expected = {
        {4, "invalid JSON"},           {5, "expected a JSON object, found array"},
        {6, "missing field 'review'"}, {7, "field 'review' is a number, expected a string"},
        {8, "unknown label 'meh'"},    {9, "empty text in field 'review'"},
        {10, "missing label"}};
    for (size_t i = 0; i < expected.size(); ++i) {
      QCOMPARE(d.rejected[i].line, expected[i].first);
      VERIFY_CONTAINS(d.rejected[i].reason, expected[i].second);
    }
    // Integer labels as JSON numbers or digit strings.
    const auto ints = write("ints.jsonl",
                            "{\"review\": \"a\", \"sentiment\": 1}\n"
                            "{\"review\": \"b\", \"sentiment\": \"0\"}\n"
                            "{\"review\": \"c\", \"sentiment\": 2}\n"
                            "{\"review\": \"d\", \"sentiment\": 0.5}\n");
    const Dataset n = readDataset(jsonl(ints, {LabelMode::Integer, {"neg", "pos"}}), skip());
    QCOMPARE(n.examples.size(), size_t{2});
    QCOMPARE(n.examples[0].label, 1);
    QCOMPARE(n.examples[1].label, 0);
    VERIFY_CONTAINS(n.rejected[0].reason, "label 2 is out of range 0..1");
    VERIFY_CONTAINS(n.rejected[1].reason, "expected an integer");
  }

  void labelMapJsonRoundTrip() {
    const LabelMap map({"negative", "neutral", "positive"});
    const nlohmann::json json = map.toJson();
    QCOMPARE(json.dump(), std::string(R"({"labels":["negative","neutral","positive"]})"));
    const LabelMap back = LabelMap::fromJson(nlohmann::json::parse(json.dump()));
    QVERIFY(back == map);
    QCOMPARE(back.find("neutral"), 1);
    QCOMPARE(back.find("other"), -1);
    VERIFY_CONTAINS(errorOf([] { LabelMap::fromJson(nlohmann::json::parse("[1]")); }),
                    "expected an object");
    VERIFY_CONTAINS(
        errorOf([] { LabelMap::fromJson(nlohmann::json::parse(R"({"labels":["a","a"]})")); }),
        "duplicate label name 'a'");
    VERIFY_CONTAINS(errorOf([&] { map.name(3); }), "out of range");
  }

  // ---- malformed files: one test each -------------------------------------------------

  void missingColumn() {
    const auto path = write("missing_col.tsv", "text\tlabel\nfine\t1\n");
    const std::string message = errorOf([&] { readGlueTsv(path); });
    VERIFY_CONTAINS(message, path + ":1: the header has no text column 'sentence'");
    VERIFY_CONTAINS(message, "columns: text, label");
    // Whole-file problems throw under the skip policy too.
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(path, skip()); }), "no text column");
    const auto noLabel = write("missing_label_col.csv", "sentence,score\nfine,1\n");
    VERIFY_CONTAINS(errorOf([&] { preview(noLabel, 5); }), ":1: the header has no label column");
  }

  void badLabel() {
    const auto path = write("bad_label.tsv", "sentence\tlabel\nfine\t1\nhmm\t2\nwhat\tpos\n");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(path); }),
                    path + ":3: label 2 is out of range 0..1 (negative, positive)");
    const Dataset d = readGlueTsv(path, skip());
    QCOMPARE(d.examples.size(), size_t{1});
    QCOMPARE(d.rejectedCount, size_t{2});
    QCOMPARE(d.rejected[1].line, size_t{4});
    VERIFY_CONTAINS(d.rejected[1].reason, "label 'pos' is not a non-negative integer");
    QCOMPARE(d.rejected[1].excerpt, std::string("what\\tpos"));
    const auto empty = write("empty_label.tsv", "sentence\tlabel\nfine\t \n");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(empty); }),
                    ":2: missing label (column 'label' is empty)");
  }

  void invalidUtf8() {
    // Each row holds one ill-formed sequence; all are rejected, with the byte position.
    const char* bad[] = {
        "caf\xE9",                // Latin-1 e-acute
        "over\xC0\xAFlong",       // overlong '/'
        "sur\xED\xA0\x80rogate",  // UTF-16 surrogate
        "trunc\xE2\x82",          // truncated 3-byte sequence
        "big\xF4\x90\x80\x80",    // above U+10FFFF
        "lone\x80",               // stray continuation byte
        "f5\xF5\x80\x80\x80",     // never valid
    };
    std::string file =
        "sentence\tlabel\nok \xF0\x9F\x8E\xAC \xE2\x82\xAC\t1\n";  // valid: emoji, euro
    for (const char* row : bad) file += std::string(row) + "\t0\n";
    const auto path = write("utf8.tsv", file);
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(path); }),
                    path + ":3: invalid UTF-8 in column 'sentence' at byte 4");
    const Dataset d = readGlueTsv(path, skip());
    QCOMPARE(d.examples.size(), size_t{1});
    QCOMPARE(d.rejectedCount, size_t{7});
    for (size_t i = 0; i < d.rejected.size(); ++i) {
      QCOMPARE(d.rejected[i].line, i + 3);
      VERIFY_CONTAINS(d.rejected[i].reason, "invalid UTF-8");
      QVERIFY(isValidUtf8(d.rejected[i].excerpt));  // safe to show in the UI
    }
    QCOMPARE(d.rejected[0].excerpt, std::string("caf\\xE9\\t0"));
    // The validator itself.
    QVERIFY(
        isValidUtf8("\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xF0\x90\x80\x80 "
                    "\xF4\x8F\xBF\xBF"));
    QCOMPARE(findInvalidUtf8("ab\xC1\xBF"), size_t{2});
    QCOMPARE(findInvalidUtf8("ab\xE0\x9F\xBF"), size_t{2});
    QCOMPARE(findInvalidUtf8("\xF0\x8F\xBF\xBF"), size_t{0});
    QCOMPARE(findInvalidUtf8(std::string_view("a\0b", 3)), std::string_view::npos);
  }

  void emptyFile() {
    const auto empty = write("empty.tsv", "");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(empty); }), empty + ": empty file");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(empty, skip()); }), "empty file");
    const auto bomOnly = write("bom_only.csv", "\xEF\xBB\xBF\r\n\r\n");
    VERIFY_CONTAINS(errorOf([&] { preview(bomOnly, 10); }), "empty file");
    const auto headerOnly = write("header_only.tsv", "sentence\tlabel\n");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(headerOnly); }),
                    headerOnly + ": no data rows after the header");
    const auto emptyJsonl = write("empty.jsonl", "\n\n");
    VERIFY_CONTAINS(errorOf([&] { preview(emptyJsonl, 3); }), "empty file");
  }

  void binaryGarbage() {
    std::string garbage = "sentence\tlabel\nfine\t1\nstill fine\t0\n";
    for (int i = 0; i < 300; ++i) garbage.push_back(static_cast<char>((i * 37 + 11) % 256));
    const auto path = write("garbage.tsv", garbage);
    const std::string message = errorOf([&] { readGlueTsv(path, skip()); });
    VERIFY_CONTAINS(message,
                    path + ":5: binary data (a NUL byte at byte offset");  // a \n in the garbage
    VERIFY_CONTAINS(message, "expected a UTF-8 text file");
    // A NUL far into a large file is found too.
    std::string late = "sentence\tlabel\n";
    for (int i = 0; i < 20000; ++i) late += "a fine row\t1\n";
    late += std::string("nul\0here\t1\n", 11);
    const auto latePath = write("late_nul.tsv", late);
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(latePath, skip()); }), ":20002: binary data");
    // High bytes without NULs: the header itself is not UTF-8.
    std::string noNul;
    for (int i = 0; i < 500; ++i) noNul.push_back(static_cast<char>(0x80 + (i * 7) % 120));
    noNul += "\n\xFF\xFE\t\x81\n";
    const auto noNulPath = write("garbage_no_nul.csv", noNul);
    VERIFY_CONTAINS(errorOf([&] { preview(noNulPath, 5); }), ":1: header row: invalid UTF-8");
    // UTF-16 is named as such.
    const auto utf16 = write("utf16.tsv", std::string("\xFF\xFEs\0e\0", 6));
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(utf16); }), "UTF-16 encoded");
  }

  void missingFileAndDirectory() {
    const std::string missing = dir_.filePath("nope.tsv").toStdString();
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(missing); }), missing + ": cannot open");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(dir_.path().toStdString()); }), "directory");
  }

  void wrongFieldCount() {
    const auto path = write("fields.tsv", "sentence\tlabel\ngood\t1\ttrailing\nfine\t0\nalone\n");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(path); }),
                    path + ":2: expected 2 tab-separated fields, found 3");
    const Dataset d = readGlueTsv(path, skip());
    QCOMPARE(d.examples.size(), size_t{1});
    QCOMPARE(d.rejected[1].line, size_t{4});
    VERIFY_CONTAINS(d.rejected[1].reason, "found 1");
  }

  void emptyText() {
    const auto path = write("empty_text.tsv", "sentence\tlabel\n   \t1\n");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(path); }),
                    path + ":2: empty text in column 'sentence'");
  }

  void malformedQuotes() {
    const auto path = write("quotes.csv",
                            "text,label\n"
                            "\"closed\"junk,1\n"
                            "fine,0\n"
                            "\"never closed,1\n"
                            "more,0\n");
    const DataSource source = csv(path, "text", "label", {LabelMode::Integer, {}});
    VERIFY_CONTAINS(errorOf([&] { readDataset(source); }),
                    path + ":2: unexpected character 'j' after the closing quote of field 1");
    const Dataset d = readDataset(source, skip());
    QCOMPARE(d.examples.size(), size_t{1});
    QCOMPARE(d.examples[0].line, size_t{3});
    QCOMPARE(d.rejected[1].line, size_t{4});
    VERIFY_CONTAINS(d.rejected[1].reason,
                    "unterminated quoted field (its opening quote is on line 4)");
  }

  void skipPolicyCountsAndCaps() {
    std::string file = "sentence\tlabel\n";
    for (int i = 0; i < 100; ++i) {
      file += i % 10 == 3 ? "bad row\tx\n"
                          : "row " + std::to_string(i) + "\t" + std::to_string(i % 2) + "\n";
    }
    const auto path = write("skip.tsv", file);
    const Dataset d = readGlueTsv(path, skip(4));
    QCOMPARE(d.rowsRead, size_t{100});
    QCOMPARE(d.examples.size(), size_t{90});
    QCOMPARE(d.rejectedCount, size_t{10});
    QCOMPARE(d.rejected.size(), size_t{4});  // capped
    QCOMPARE(d.rejected[0].line, size_t{5});
    QCOMPARE(d.rejected[3].line, size_t{35});
    // Strict stops at the first.
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(path); }), path + ":5: label 'x'");
    // Skip still refuses a file where nothing is usable.
    const auto allBad = write("all_bad.tsv", "sentence\tlabel\na\t9\nb\t7\n");
    VERIFY_CONTAINS(errorOf([&] { readGlueTsv(allBad, skip()); }),
                    allBad + ": all 2 rows were rejected; the first, line 2: label 9");
  }

  void veryLongLine() {
    std::string text;
    while (text.size() < (size_t{1} << 20)) text += "a long review \xC3\xA9 ";
    text.pop_back();
    const auto tsv = write("long.tsv", "sentence\tlabel\n" + text + "\t1\nshort\t0\n");
    const Dataset d = readGlueTsv(tsv);
    QCOMPARE(d.examples.size(), size_t{2});
    QCOMPARE(d.examples[0].text, text);
    QCOMPARE(d.examples[1].line, size_t{3});
    const auto quotedCsv = write("long.csv", "text,label\n\"" + text + ",\n\"\"x\"\"\",1\n");
    const Dataset c = readDataset(csv(quotedCsv, "text", "label", {LabelMode::Integer, {}}));
    QCOMPARE(c.examples.at(0).text, text + ",\n\"x\"");
    const auto json = write("long.jsonl", "{\"review\": \"" + text + "\", \"sentiment\": 1}\n");
    const Dataset j = readDataset(jsonl(json, {LabelMode::Integer, {}}));
    QCOMPARE(j.examples.at(0).text, text);
  }

  void previewFirstRowsAndRejected() {
    std::string file = "text,label\nbad one,\n";
    for (int i = 0; i < 1000; ++i)
      file += "row " + std::to_string(i) + "," + (i % 2 ? "1" : "0") + "\n";
    const auto path = write("preview.csv", file);
    const Dataset p = preview(path, 5);  // guessed: CSV
    QCOMPARE(p.examples.size(), size_t{5});
    QCOMPARE(p.examples[0].text, std::string("row 0"));
    QCOMPARE(p.rejectedCount, size_t{1});
    QCOMPARE(p.rejected[0].line, size_t{2});
    VERIFY_CONTAINS(p.rejected[0].reason, "missing label");
    QCOMPARE(p.columns, (std::vector<std::string>{"text", "label"}));
    // Wrong column choice: the preview says which columns there are.
  }

  void previewOfAllBadRowsShowsThem() {
    const auto path = write("preview_bad.tsv", "sentence\tlabel\na\t5\nb\t6\n");
    const Dataset p = preview(path, 10);
    QCOMPARE(p.examples.size(), size_t{0});
    QCOMPARE(p.rejectedCount, size_t{2});
  }

  void guessesSources() {
    const auto glue = write("guess_glue.tsv", "sentence\tlabel\nfine\t1\n");
    QCOMPARE(guessSource(glue).format, Format::GlueTsv);
    QCOMPARE(guessSource(glue).labels.mode, LabelMode::Integer);
    QCOMPARE(guessSource(dir_.filePath("absent.tsv").toStdString()).format, Format::GlueTsv);
    const auto tsv = write("guess_other.tsv", "ID\tReview\tSentiment\n1\tok\tpos\n");
    const DataSource other = guessSource(tsv);
    QCOMPARE(other.format, Format::Delimited);
    QCOMPARE(other.delimiter, '\t');
    QCOMPARE(other.textField, std::string("Review"));
    QCOMPARE(other.labelField, std::string("Sentiment"));
    QCOMPARE(other.labels.mode, LabelMode::Sorted);
    const auto csvFile = write("guess.CSV", "text,target\n\"a, b\",1\n");
    QCOMPARE(guessSource(csvFile).format, Format::Delimited);
    QCOMPARE(guessSource(csvFile).delimiter, ',');
    QCOMPARE(guessSource(csvFile).labelField, std::string("target"));
    const auto rows = write("guess.jsonl", "\n{\"id\": 3, \"content\": \"x\", \"class\": \"b\"}\n");
    const DataSource json = guessSource(rows);
    QCOMPARE(json.format, Format::JsonLines);
    QCOMPARE(json.textField, std::string("content"));
    QCOMPARE(json.labelField, std::string("class"));
    QCOMPARE(preview(rows, 3).examples.at(0).text, std::string("x"));
  }

  // ---- the real SST-2 files -------------------------------------------------------------

  void readsAllOfSst2_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("positives");
    QTest::newRow("train") << QStringLiteral("train.tsv") << 67349 << 37569;
    QTest::newRow("dev") << QStringLiteral("dev.tsv") << 872 << 444;
  }

  void readsAllOfSst2() {
    QFETCH(QString, file);
    QFETCH(int, rows);
    QFETCH(int, positives);
    const QString path = QStringLiteral(CRISP_SHARED_DIR "/data/sst2/") + file;
    if (!QFileInfo::exists(path)) {
      QSKIP(qPrintable(QStringLiteral("SST-2 not found at %1 (the team's shared data)").arg(path)));
    }
    const auto start = std::chrono::steady_clock::now();
    const Dataset d = readGlueTsv(path.toStdString(), skip());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    QCOMPARE(d.rejectedCount, size_t{0});
    QCOMPARE(d.examples.size(), static_cast<size_t>(rows));
    QCOMPARE(d.rowsRead, static_cast<size_t>(rows));
    int positive = 0;
    for (const Example& e : d.examples) positive += e.label;
    QCOMPARE(positive, positives);
    QCOMPARE(d.examples.front().line, size_t{2});
    QCOMPARE(d.examples.back().line, static_cast<size_t>(rows + 1));
    QVERIFY(d.examples.front().text.back() != ' ');  // GLUE's trailing space trimmed
    qInfo("%s: %d rows in %.3f s (%.0f rows/s)", qPrintable(file), rows, seconds, rows / seconds);
    // Strict reads it identically.
    QCOMPARE(readGlueTsv(path.toStdString()).examples.size(), static_cast<size_t>(rows));
  }
};

QTEST_GUILESS_MAIN(TestDataReaders)
#include "test_data_readers.moc"
