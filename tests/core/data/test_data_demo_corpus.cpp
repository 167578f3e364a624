// The embedded demo corpus: deterministic, disjoint splits, exactly balanced classes, every word
// in the vocabulary, and labels that follow the negation and contrast rules.
#include <QtTest>

#include <fstream>
#include <set>
#include <sstream>
#include <unordered_set>

#include "core/data/demo_corpus.h"

using namespace crisp::data;

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool hasWord(const std::string& text, const char* word) {
  const auto ws = words(text);
  return std::find(ws.begin(), ws.end(), word) != ws.end();
}

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

class TestDataDemoCorpus : public QObject {
  Q_OBJECT

  DemoCorpus corpus_;

 private Q_SLOTS:
  void initTestCase() { corpus_ = generateDemoCorpus(); }

  void sizesAndLabels() {
    QCOMPARE(corpus_.train.size(), size_t{4000});
    QCOMPARE(corpus_.dev.size(), size_t{500});
    QCOMPARE(corpus_.labels.names(), (std::vector<std::string>{"negative", "positive"}));
  }

  void isDeterministic() {
    const DemoCorpus again = generateDemoCorpus();
    QCOMPARE(again.train.size(), corpus_.train.size());
    for (size_t i = 0; i < corpus_.train.size(); ++i) {
      QCOMPARE(again.train[i].text, corpus_.train[i].text);
      QCOMPARE(again.train[i].label, corpus_.train[i].label);
    }
    for (size_t i = 0; i < corpus_.dev.size(); ++i) {
      QCOMPARE(again.dev[i].text, corpus_.dev[i].text);
    }
    DemoCorpusOptions other;
    other.seed = 7;
    const DemoCorpus different = generateDemoCorpus(other);
    size_t same = 0;
    for (size_t i = 0; i < corpus_.train.size(); ++i) {
      same += different.train[i].text == corpus_.train[i].text;
    }
    QVERIFY(same < 10);
  }

  void splitsAreDisjointWithoutDuplicates() {
    std::unordered_set<std::string> train;
    for (const Example& e : corpus_.train) QVERIFY(train.insert(e.text).second);
    std::unordered_set<std::string> dev;
    for (const Example& e : corpus_.dev) {
      QVERIFY(dev.insert(e.text).second);
      QVERIFY2(train.count(e.text) == 0, e.text.c_str());
    }
  }

  // The class balance, stated: exactly 50/50 in both splits (2,000/2,000 and 250/250).
  void classesAreBalanced() {
    int trainPositive = 0, devPositive = 0;
    for (const Example& e : corpus_.train) trainPositive += e.label;
    for (const Example& e : corpus_.dev) devPositive += e.label;
    QCOMPARE(trainPositive, 2000);
    QCOMPARE(devPositive, 250);
    // Not sorted by class: the first 100 rows mix both.
    int firstPositive = 0;
    for (size_t i = 0; i < 100; ++i) firstPositive += corpus_.train[i].label;
    QVERIFY(firstPositive > 30 && firstPositive < 70);
  }

  void vocabularyCoversEveryWord() {
    const std::vector<std::string> vocab = demoVocabulary();
    QCOMPARE(std::vector<std::string>(vocab.begin(), vocab.begin() + 5),
             (std::vector<std::string>{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}));
    QVERIFY(std::is_sorted(vocab.begin() + 5, vocab.end()));
    const std::set<std::string> known(vocab.begin(), vocab.end());
    QCOMPARE(known.size(), vocab.size());  // no duplicates
    std::set<std::string> used;
    for (const auto* split : {&corpus_.train, &corpus_.dev}) {
      for (const Example& e : *split) {
        for (const std::string& w : words(e.text)) {
          QVERIFY2(known.count(w) == 1, w.c_str());
          used.insert(w);
          for (char c : w) QVERIFY(!(c >= 'A' && c <= 'Z'));
        }
      }
    }
    // And the vocabulary holds nothing the generator never says (all of it is used).
    QCOMPARE(used.size(), vocab.size() - 5);
    qInfo("demo vocabulary: %zu entries", vocab.size());
  }

  void rulesHoldOnEveryExample() {
    for (const auto* split : {&corpus_.train, &corpus_.dev}) {
      for (const Example& e : *split) {
        QVERIFY2(demoRuleLabel(e.text) == e.label, e.text.c_str());
      }
    }
  }

  void rulesOnHandWrittenSentences_data() {
    QTest::addColumn<QString>("sentence");
    QTest::addColumn<int>("label");
    QTest::newRow("plain positive") << "the film is good ." << 1;
    QTest::newRow("plain negative") << "the plot was boring ." << 0;
    QTest::newRow("not good") << "the film is not good ." << 0;
    QTest::newRow("never boring") << "the film is never boring !" << 1;
    QTest::newRow("negator before intensifier") << "the acting is not very funny ." << 0;
    QTest::newRow("negator before the verb") << "the ending does not seem dull at times ." << 1;
    QTest::newRow("good but boring") << "the film is good but boring ." << 0;
    QTest::newRow("bad but charming") << "the script was bad , but it felt charming ." << 1;
    QTest::newRow("negation in the first clause only")
        << "the cast is not bad but the pacing is slow ." << 0;
    QTest::newRow("negation after but") << "the story is dull but never tedious ." << 1;
    QTest::newRow("intensifier and filler")
        << "honestly , the humor is truly awful in places ." << 0;
    QTest::newRow("no adjective") << "the film is ." << -1;
    QTest::newRow("two adjectives in a clause") << "the film is good boring ." << -1;
    QTest::newRow("unknown word") << "the film is excellent ." << -1;
  }

  void rulesOnHandWrittenSentences() {
    QFETCH(QString, sentence);
    QFETCH(int, label);
    QCOMPARE(demoRuleLabel(sentence.toStdString()), label);
  }

  // The constructions the corpus exists for are frequent in both classes.
  void coversNegationAndContrast() {
    size_t negated[2] = {0, 0}, contrast[2] = {0, 0}, intensified = 0;
    for (const Example& e : corpus_.train) {
      const std::string& t = e.text;
      const size_t but = t.rfind(" but ");
      const std::string last = but == std::string::npos ? t : t.substr(but);
      negated[e.label] += hasWord(last, "not") || hasWord(last, "never") || hasWord(last, "hardly");
      contrast[e.label] += but != std::string::npos;
      intensified += hasWord(t, "very") || hasWord(t, "truly");
    }
    qInfo("train: negated last clause %zu/%zu, contrast %zu/%zu (negative/positive)", negated[0],
          negated[1], contrast[0], contrast[1]);
    for (int label = 0; label < 2; ++label) {
      QVERIFY(negated[label] > 800 && negated[label] < 1200);    // ~50% of 2,000
      QVERIFY(contrast[label] > 600 && contrast[label] < 1000);  // ~40% of 2,000
    }
    QVERIFY(intensified > 200);
    // Neither the adjective nor the first clause alone gives the label: a word-polarity
    // baseline (positive adjective in the last clause) is right only about half the time.
    const std::set<std::string> positive = {
        "good",       "great",    "funny",     "charming", "brilliant", "moving", "clever",
        "delightful", "gripping", "beautiful", "fresh",    "wonderful", "smart",  "touching"};
    size_t adjectiveRight = 0;
    for (const Example& e : corpus_.train) {
      const auto ws = words(e.text);
      int guess = 0;
      for (const auto& w : ws) {
        if (positive.count(w) != 0) guess = 1;  // any positive word
      }
      adjectiveRight += guess == e.label;
    }
    QVERIFY(adjectiveRight < 3000);  // < 75%: the rules matter
  }

  void writesGlueFilesAndVocab() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string out = dir.filePath(QStringLiteral("demo/nested")).toStdString();
    DemoCorpusOptions options;
    writeDemoCorpus(out, options);
    const Dataset train = readGlueTsv(out + "/train.tsv");
    const Dataset dev = readGlueTsv(out + "/dev.tsv");
    QCOMPARE(train.examples.size(), corpus_.train.size());
    QCOMPARE(dev.examples.size(), corpus_.dev.size());
    for (size_t i = 0; i < train.examples.size(); ++i) {
      QCOMPARE(train.examples[i].text, corpus_.train[i].text);
      QCOMPARE(train.examples[i].label, corpus_.train[i].label);
      QCOMPARE(train.examples[i].line, corpus_.train[i].line);
    }
    QCOMPARE(readLines(out + "/vocab.txt"), demoVocabulary());
    QCOMPARE(readLines(out + "/train.tsv").front(), std::string("sentence\tlabel"));
  }

  void smallAndOddSizes() {
    DemoCorpusOptions options;
    options.trainSize = 11;
    options.devSize = 3;
    options.seed = 1;
    const DemoCorpus small = generateDemoCorpus(options);
    QCOMPARE(small.train.size(), size_t{11});
    QCOMPARE(small.dev.size(), size_t{3});
    int positive = 0;
    for (const Example& e : small.train) positive += e.label;
    QCOMPARE(positive, 5);
  }
};

QTEST_GUILESS_MAIN(TestDataDemoCorpus)
#include "test_data_demo_corpus.moc"
