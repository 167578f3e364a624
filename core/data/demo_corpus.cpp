#include "core/data/demo_corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_set>

#include "core/data/random.h"
#include "core/sys/error.h"

namespace crisp::data {
namespace {

// ---- the word tables: everything the generator can say ---------------------------------

const std::vector<std::string>& subjects() {
  static const std::vector<std::string> words = {
      "the film",     "the movie",  "this film",    "this movie",     "the story",      "the plot",
      "the acting",   "the script", "the dialogue", "the ending",     "the soundtrack", "the cast",
      "the director", "the humor",  "the pacing",   "the camera work"};
  return words;
}

struct Verb {
  std::string plain;
  std::vector<std::string> negated;  // each holds exactly one negator
};

const std::vector<Verb>& verbs() {
  static const std::vector<Verb> table = {
      {"is", {"is not", "is never", "is hardly"}},
      {"was", {"was not", "was never", "was hardly"}},
      {"seems", {"does not seem", "never seems", "hardly seems"}},
      {"seemed", {"did not seem", "never seemed"}},
      {"feels", {"does not feel", "never feels"}},
      {"felt", {"did not feel", "never felt"}},
      {"remains", {"does not remain", "never remains"}},
  };
  return table;
}

const std::vector<std::string>& negators() {
  static const std::vector<std::string> words = {"not", "never", "hardly"};
  return words;
}

const std::vector<std::string>& intensifiers() {
  static const std::vector<std::string> words = {"very", "truly",     "really",     "quite",
                                                 "so",   "extremely", "remarkably", "genuinely"};
  return words;
}

const std::vector<std::string>& positiveAdjectives() {
  static const std::vector<std::string> words = {
      "good",       "great",    "funny",     "charming", "brilliant", "moving", "clever",
      "delightful", "gripping", "beautiful", "fresh",    "wonderful", "smart",  "touching"};
  return words;
}

const std::vector<std::string>& negativeAdjectives() {
  static const std::vector<std::string> words = {
      "bad",   "boring", "dull",        "tedious", "predictable", "clumsy", "bland",
      "awful", "messy",  "forgettable", "slow",    "weak",        "silly",  "lifeless"};
  return words;
}

const std::vector<std::string>& fillers() {
  static const std::vector<std::string> words = {
      "in the second half", "from start to finish", "for the most part", "at times",
      "in the end",         "by the end",           "most of the time",  "in places",
      "as a whole",         "on the whole"};
  return words;
}

const std::vector<std::string>& openers() {
  static const std::vector<std::string> words = {"honestly ,", "overall ,",    "frankly ,",
                                                 "in short ,", "all in all ,", "for me ,"};
  return words;
}

const std::vector<std::string>& glueWords() {
  static const std::vector<std::string> words = {"but", "it", ",", ".", "!"};
  return words;
}

const std::vector<std::string>& specialTokens() {
  static const std::vector<std::string> words = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  return words;
}

std::vector<std::string> splitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t space = std::min(text.find(' ', start), text.size());
    if (space > start) words.emplace_back(text.substr(start, space - start));
    start = space + 1;
  }
  return words;
}

// ---- generation -------------------------------------------------------------------------

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed, 0xDE70) {}

  // One sentence whose rule label is `positive`.
  std::string sentence(bool positive) {
    std::string s;
    if (rng_.chance(1, 5)) s += rng_.pick(openers()) + " ";
    const bool negatedLast = rng_.chance(1, 2);
    if (rng_.chance(2, 5)) {  // contrast: "<clause> but <clause>"
      const bool firstPositive = rng_.chance(3, 4) ? !positive : positive;
      s += clause(firstPositive, rng_.chance(2, 5), /*elliptic=*/false, /*second=*/false);
      s += rng_.chance(1, 2) ? " , but " : " but ";
      s += clause(positive, negatedLast, rng_.chance(2, 5), /*second=*/true);
    } else {
      s += clause(positive, negatedLast, false, false);
    }
    s += rng_.chance(1, 6) ? " !" : " .";
    return s;
  }

  Rng& rng() { return rng_; }

 private:
  // A clause with polarity `positive`; negated ones hold one negator and an adjective of the
  // opposite polarity. Elliptic clauses ("not very funny") only follow "but".
  std::string clause(bool positive, bool negated, bool elliptic, bool second) {
    const bool adjectivePositive = positive != negated;
    const std::string& adjective =
        rng_.pick(adjectivePositive ? positiveAdjectives() : negativeAdjectives());
    std::string intensified = adjective;
    if (rng_.chance(2, 5)) intensified = rng_.pick(intensifiers()) + " " + adjective;
    std::string out;
    if (elliptic) {
      out = negated ? rng_.pick(negators()) + " " + intensified : intensified;
    } else {
      const std::string subject = second && rng_.chance(1, 3) ? "it" : rng_.pick(subjects());
      const Verb& verb = rng_.pick(verbs());
      out = subject + " " + (negated ? rng_.pick(verb.negated) : verb.plain) + " " + intensified;
    }
    if (rng_.chance(1, 3)) out += " " + rng_.pick(fillers());
    return out;
  }

  Rng rng_;
};

// Fills a split with `size` new sentences, exactly size/2 positive, none already in `seen`.
std::vector<Example> generateSplit(Generator& generator, size_t size,
                                   std::unordered_set<std::string>& seen) {
  const size_t positives = size / 2;
  size_t counts[2] = {size - positives, positives};
  std::vector<Example> split;
  split.reserve(size);
  size_t attempts = 0;
  bool positive = false;
  while (split.size() < size) {
    if (++attempts > 100 * size + 1000) {
      throw Error("demo corpus: could not generate " + std::to_string(size) +
                  " distinct sentences");
    }
    positive = !positive;
    if (counts[positive] == 0) continue;
    std::string text = generator.sentence(positive);
    if (!seen.insert(text).second) continue;
    --counts[positive];
    split.push_back({std::move(text), positive ? 1 : 0, 0});
  }
  generator.rng().shuffle(split);
  for (size_t i = 0; i < split.size(); ++i) split[i].line = i + 2;  // line 1: the header
  return split;
}

void writeFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path.string() + ": cannot write the demo corpus file");
  out << content;
  out.close();
  if (!out) throw Error(path.string() + ": failed writing the demo corpus file");
}

std::string glueTsv(const std::vector<Example>& examples) {
  std::string out = "sentence\tlabel\n";
  for (const Example& e : examples) out += e.text + "\t" + std::to_string(e.label) + "\n";
  return out;
}

}  // namespace

DemoCorpus generateDemoCorpus(const DemoCorpusOptions& options) {
  Generator generator(options.seed);
  std::unordered_set<std::string> seen;
  DemoCorpus corpus;
  // Dev first, then train never repeats a dev sentence.
  corpus.dev = generateSplit(generator, options.devSize, seen);
  corpus.train = generateSplit(generator, options.trainSize, seen);
  corpus.labels = LabelMap({"negative", "positive"});
  return corpus;
}

std::vector<std::string> demoVocabulary() {
  std::set<std::string> words;
  const auto addAll = [&](const std::vector<std::string>& phrases) {
    for (const std::string& phrase : phrases) {
      for (std::string& w : splitWords(phrase)) words.insert(std::move(w));
    }
  };
  addAll(subjects());
  for (const Verb& verb : verbs()) {
    addAll({verb.plain});
    addAll(verb.negated);
  }
  addAll(negators());
  addAll(intensifiers());
  addAll(positiveAdjectives());
  addAll(negativeAdjectives());
  addAll(fillers());
  addAll(openers());
  addAll(glueWords());
  std::vector<std::string> vocabulary = specialTokens();
  vocabulary.insert(vocabulary.end(), words.begin(), words.end());  // std::set: sorted bytewise
  return vocabulary;
}

int demoRuleLabel(std::string_view sentence) {
  static const std::unordered_set<std::string> known = [] {
    const auto v = demoVocabulary();
    return std::unordered_set<std::string>(v.begin() + 5, v.end());
  }();
  const auto isIn = [](const std::vector<std::string>& list, const std::string& w) {
    return std::find(list.begin(), list.end(), w) != list.end();
  };
  const std::vector<std::string> words = splitWords(sentence);
  if (words.empty()) return -1;
  int label = -1;
  int adjectives = 0;  // in the current clause
  bool adjectivePositive = false, negated = false;
  const auto closeClause = [&] {
    if (adjectives != 1) return false;
    label = adjectivePositive != negated ? 1 : 0;
    adjectives = 0;
    negated = false;
    return true;
  };
  for (const std::string& w : words) {
    if (known.count(w) == 0) return -1;
    if (w == "but") {
      if (!closeClause()) return -1;
    } else if (isIn(negators(), w)) {
      negated = true;
    } else if (isIn(positiveAdjectives(), w) || isIn(negativeAdjectives(), w)) {
      ++adjectives;
      adjectivePositive = isIn(positiveAdjectives(), w);
    }
  }
  return closeClause() ? label : -1;
}

namespace {

enum class ExampleUse { Probe, PredictHint, Readme };

struct UsedExample {
  DemoExample example;
  ExampleUse use;
};

// Negation and contrast, in both classes; the README's `crisp predict` and `crisp inspect`
// lines use the Readme ones.
const std::vector<UsedExample>& usedExamples() {
  static const std::vector<UsedExample> examples = {
      {{"the film was not good but the ending was truly wonderful .", 1}, ExampleUse::Probe},
      {{"honestly , the acting was never boring .", 1}, ExampleUse::Probe},
      {{"the acting was not bad but the ending was dull .", 0}, ExampleUse::PredictHint},
      {{"the film was not good .", 0}, ExampleUse::Readme},
      {{"the plot was predictable but never boring .", 1}, ExampleUse::Readme},
  };
  return examples;
}

}  // namespace

const std::vector<DemoExample>& demoExamples() {
  static const std::vector<DemoExample> examples = [] {
    std::vector<DemoExample> all;
    for (const UsedExample& used : usedExamples()) all.push_back(used.example);
    return all;
  }();
  return examples;
}

std::vector<std::string> demoProbeSentences() {
  std::vector<std::string> probes;
  for (const UsedExample& used : usedExamples())
    if (used.use == ExampleUse::Probe) probes.push_back(used.example.text);
  return probes;
}

const std::string& demoPredictHint() {
  for (const UsedExample& used : usedExamples())
    if (used.use == ExampleUse::PredictHint) return used.example.text;
  throw Error("demo corpus: no Predict hint");  // unreachable: the list above has one
}

void writeDemoCorpus(const std::string& directory, const DemoCorpusOptions& options) {
  const std::filesystem::path dir(directory);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(directory + ": cannot create the demo corpus directory: " + ec.message());
  const DemoCorpus corpus = generateDemoCorpus(options);
  writeFile(dir / "train.tsv", glueTsv(corpus.train));
  writeFile(dir / "dev.tsv", glueTsv(corpus.dev));
  std::string vocab;
  for (const std::string& line : demoVocabulary()) vocab += line + "\n";
  writeFile(dir / "vocab.txt", vocab);
}

}  // namespace crisp::data
