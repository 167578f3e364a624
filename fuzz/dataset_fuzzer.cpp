// libFuzzer target for the dataset readers (core/data/dataset.h): GLUE TSV, CSV/TSV with RFC
// 4180 quoting and JSON Lines, under every label mode and error policy, through readDataset,
// preview and guessSource (the studio's setup form). Accepted rows must hold what Example and
// Dataset promise.
// Input: one byte of settings (bits 0-1: format GLUE TSV, CSV, TSV, JSON Lines; 2-3: label
// mode; 4: skip bad rows; 5: preview 3 rows; 6: guess the source from the file), then the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/data/dataset.h"
#include "core/sys/error.h"
#include "core/sys/utf8.h"
#include "fuzz/fuzz_support.h"

using crisp::fuzz::require;
namespace data = crisp::data;

namespace {

bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = input[0];
  static const char* const names[] = {"data.tsv", "data.csv", "data.tsv", "data.jsonl"};
  const std::string path =
      crisp::fuzz::writeScratchFile(names[flags & 3], crisp::fuzz::bytes(input + 1, size - 1));

  data::DataSource source;
  source.path = path;
  source.format = (flags & 3) == 0   ? data::Format::GlueTsv
                  : (flags & 3) == 3 ? data::Format::JsonLines
                                     : data::Format::Delimited;
  source.delimiter = (flags & 3) == 1 ? ',' : '\t';
  switch ((flags >> 2) & 3) {
    case 0: break;  // GLUE's 0/1
    case 1: source.labels = {data::LabelMode::Explicit, {"neg", "pos", "neutral"}}; break;
    case 2: source.labels = {data::LabelMode::FirstAppearance, {}}; break;
    case 3: source.labels = {data::LabelMode::Sorted, {}}; break;
  }
  if (flags & 64) source = data::guessSource(path);
  data::ReadOptions options;
  options.policy = flags & 16 ? data::ErrorPolicy::Skip : data::ErrorPolicy::Strict;
  options.maxRejectedKept = 4;
  const bool preview = flags & 32;

  data::Dataset dataset;
  try {
    dataset = preview ? data::preview(source, 3) : data::readDataset(source, options);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
    return 0;
  }
  crisp::fuzz::tally(true);
  // A preview may hold only rejected rows (the form shows them); a read never does.
  require(preview ? dataset.examples.size() <= 3 : !dataset.examples.empty());
  require(dataset.rowsRead >= dataset.examples.size() + dataset.rejected.size());
  require(dataset.rejected.size() <= dataset.rejectedCount);
  if (!preview) require(dataset.rejected.size() <= options.maxRejectedKept);
  size_t previousLine = 0;
  for (const data::Example& e : dataset.examples) {
    require(!e.text.empty() && crisp::isValidUtf8(e.text));
    require(!isAsciiSpace(e.text.front()) && !isAsciiSpace(e.text.back()));
    require(e.label >= 0 && e.label < dataset.labels.size());
    require(e.line > previousLine);  // rows in file order, after the header
    previousLine = e.line;
  }
  for (const data::RejectedRow& r : dataset.rejected) {
    require(r.line >= 1 && !r.reason.empty() && crisp::isValidUtf8(r.excerpt));
  }
  return 0;
}
