#pragma once

// The embedded demo corpus: English movie-review-like sentences generated here (no third-party
// text), with sentiment labels that are a deterministic function of the sentence's structure:
//
//   clause polarity = the polarity of its one sentiment adjective, flipped when the clause holds
//                     a negator ("not", "never", "hardly"), wherever it stands in the clause;
//   sentence label  = the polarity of its last clause (the one after "but", when there is one).
//
// Intensifiers ("very", "truly", ...), openers ("honestly ,") and fillers ("in the second
// half") never change a label. A classifier has to link each negator to the adjective it
// negates and "but" to the clause that follows. Details: docs/DATA.md.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.h"

namespace crisp::data {

struct DemoCorpusOptions {
  uint64_t seed = 2025;
  size_t trainSize = 4000;
  size_t devSize = 500;
};

struct DemoCorpus {
  std::vector<Example> train;  // exactly half positive (size/2 rounded down), shuffled
  std::vector<Example> dev;    // the same; no sentence appears in both splits or twice
  LabelMap labels;             // {"negative", "positive"}: 0 = negative, 1 = positive
};

// Deterministic: the same options give the same corpus on every platform.
DemoCorpus generateDemoCorpus(const DemoCorpusOptions& options = {});

// The lines of the demo's WordPiece vocab.txt: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4,
// then every lower-case word and punctuation mark the generator can produce, sorted bytewise.
std::vector<std::string> demoVocabulary();

// The label the rules above give a demo sentence (0 or 1), computed from its text alone; -1
// when the text is not a demo sentence (a clause without exactly one sentiment adjective or
// with an unknown word).
int demoRuleLabel(std::string_view sentence);

// The example sentences users are shown: the demo's attention probes, the studio's Predict
// hint and the README's commands. All are demo sentences (no [UNK]); each holds its rule label,
// and a test trains the default demo and checks that it predicts every one
// (tests/core/train/test_demo_examples.cpp).
struct DemoExample {
  std::string text;
  int label = -1;
};
const std::vector<DemoExample>& demoExamples();  // every one of them
std::vector<std::string> demoProbeSentences();   // those whose attention a run snapshots
const std::string& demoPredictHint();            // the Predict box's placeholder example

// Writes train.tsv and dev.tsv (GLUE format: header `sentence\tlabel`, labels 0/1) and
// vocab.txt into `directory` (created if needed). Throws crisp::Error naming the file on
// failure.
void writeDemoCorpus(const std::string& directory, const DemoCorpusOptions& options = {});

}  // namespace crisp::data
