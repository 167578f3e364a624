#pragma once

// Text-classification datasets read into memory: GLUE TSV, CSV/TSV with named columns
// (RFC 4180), JSON Lines. No Qt, no LibTorch. Formats and error policy: docs/DATA.md.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/label_map.h"

namespace crisp::data {

struct Example {
  std::string text;  // trimmed of leading/trailing ASCII whitespace, valid UTF-8, non-empty
  int label = 0;     // an id of the dataset's LabelMap
  size_t line = 0;   // 1-based line of the file where the row starts (the header is line 1)
};

enum class Format {
  GlueTsv,    // tab-separated, header row, no quoting (GLUE's own files, e.g. SST-2)
  Delimited,  // CSV/TSV with a header row and RFC 4180 quoting
  JsonLines,  // one JSON object per line
};

// How label fields become ids.
enum class LabelMode {
  Integer,          // the field is a non-negative integer id, used as is
  Explicit,         // the field is one of LabelOptions::names; id = its index
  FirstAppearance,  // string labels, ids in order of first appearance in the file
  Sorted,           // ids in sorted order of the distinct labels: numeric when every label is
                    // an integer ("2" < "10"), byte-wise otherwise
};

struct LabelOptions {
  LabelMode mode = LabelMode::Integer;
  // Integer: names of ids 0..n-1; ids >= n are bad rows. Empty: any id in 0..maxIntegerLabel,
  //          named "0", "1", ... up to the largest id seen.
  // Explicit: the accepted label strings (required).
  // FirstAppearance: labels known in advance keep these ids; new ones are appended.
  // Sorted: must be empty.
  std::vector<std::string> names;
};

inline constexpr int maxIntegerLabel = 9999;

struct DataSource {
  std::string path;
  Format format = Format::GlueTsv;
  char delimiter = '\t';               // Delimited only (',' for CSV, '\t' for TSV, ';' ...)
  std::string textField = "sentence";  // column name, or JSON Lines key
  std::string labelField = "label";
  // Default: GLUE's 0/1 with SST-2's meaning (0 = negative, 1 = positive).
  LabelOptions labels{LabelMode::Integer, {"negative", "positive"}};
};

// Guesses a source for the studio's setup form from the file name and its first row:
// *.jsonl / *.ndjson -> JsonLines, *.csv -> Delimited ','. Anything else whose header has
// `sentence` and `label` columns -> GlueTsv (the defaults above); other headers -> Delimited
// '\t'. For non-GLUE sources the text and label fields are the first header column (or first
// object's key) named, ignoring case, sentence/text/review/content/document/comment/body/tweet
// and label/sentiment/class/target/category/polarity/labels, and labels are Sorted.
// Never throws: an unreadable file keeps the defaults and readDataset reports it.
DataSource guessSource(const std::string& path);

enum class ErrorPolicy {
  Strict,  // throw crisp::Error at the first bad row
  Skip,    // leave bad rows out, count them and keep the first few with their reasons
};

struct ReadOptions {
  ErrorPolicy policy = ErrorPolicy::Strict;
  size_t maxRejectedKept = 100;  // Skip: how many rejected rows to keep (all are counted)
  size_t maxRows = 0;            // stop after this many accepted rows; 0 = read everything
};

struct RejectedRow {
  size_t line = 0;      // 1-based line where the row starts
  std::string reason;   // e.g. "unknown label 'maybe' (expected one of: neg, pos)"
  std::string excerpt;  // the start of the raw row (valid UTF-8, at most ~80 bytes)
};

struct Dataset {
  std::string path;
  std::vector<Example> examples;
  LabelMap labels;
  size_t rowsRead = 0;       // data rows seen (accepted + rejected; blank lines not counted)
  size_t rejectedCount = 0;  // all rejected rows
  std::vector<RejectedRow> rejected;  // the first ReadOptions::maxRejectedKept of them
  std::vector<std::string> columns;   // header columns (Delimited, GlueTsv); empty for JSONL
};

// Reads a whole dataset. Whole-file problems always throw crisp::Error: the file is missing,
// unreadable, a directory, empty (or only a header), binary (a NUL byte), UTF-16, has no header
// or lacks the chosen column, or — with Skip — every row was rejected. Bad rows throw (Strict)
// or are counted (Skip). Messages read "<path>:<line>: <reason>".
Dataset readDataset(const DataSource& source, const ReadOptions& options = {});

// Shorthand for GLUE's `sentence\tlabel` files with 0/1 labels.
Dataset readGlueTsv(const std::string& path, const ReadOptions& options = {});

// For the studio's setup form: the first n accepted rows plus the rows rejected on the way
// (Skip policy, up to 100 kept). Whole-file problems throw as in readDataset. With
// LabelMode::Sorted the ids only reflect the rows previewed.
Dataset preview(const DataSource& source, size_t n);
Dataset preview(const std::string& path, size_t n);  // preview(guessSource(path), n)

// Describes a policy/format/mode for messages and the UI ("strict", "glue-tsv", "sorted").
const char* toString(ErrorPolicy policy);
const char* toString(Format format);
const char* toString(LabelMode mode);

}  // namespace crisp::data
