#include "core/data/dataset.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>

#include "core/sys/error.h"
#include "core/sys/utf8.h"

namespace crisp::data {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 16;
constexpr size_t kRawKept = 160;  // bytes of a raw row kept for its excerpt

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string singleQuoted(std::string_view s) {
  return "'" + printableExcerpt(s, 60) + "'";
}

std::string joinNames(const std::vector<std::string>& names, size_t max = 12) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += printableExcerpt(names[i], 40);
  }
  if (names.size() > max) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

std::string at(const std::string& path, size_t line) {
  return path + ":" + std::to_string(line);
}

// ---- a streaming byte source ------------------------------------------------------------

// Reads a file in chunks (no line-length limit), skips a UTF-8 BOM, counts lines and rejects
// binary content (NUL bytes) and UTF-16 wherever they appear.
class FileSource {
 public:
  explicit FileSource(const std::string& path) : path_(path), buffer_(kChunkBytes) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
      throw Error(path + ": cannot open: no such file");
    }
    if (std::filesystem::is_directory(status)) {
      throw Error(path + ": cannot open: it is a directory, not a data file");
    }
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) throw Error(path + ": cannot open: " + std::strerror(errno));
    fill();  // checks for UTF-16 first, then for NUL bytes
    if (end_ >= 3 && byteAt(0) == 0xEF && byteAt(1) == 0xBB && byteAt(2) == 0xBF) pos_ = 3;
  }

  const std::string& path() const { return path_; }
  size_t line() const { return line_; }  // the line of the next byte

  int peek() {
    if (pos_ == end_ && !fill()) return -1;
    return byteAt(pos_);
  }

  int get() {
    if (pos_ == end_ && !fill()) return -1;
    const int c = byteAt(pos_++);
    if (c == '\n') ++line_;
    return c;
  }

  // One physical line without its '\n' (and without a final '\r'). False at the end of file.
  bool readLine(std::string& out) {
    out.clear();
    if (pos_ == end_ && !fill()) return false;
    while (true) {
      const char* begin = buffer_.data() + pos_;
      const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
      if (newline != nullptr) {
        out.append(begin, newline);
        pos_ += static_cast<size_t>(newline - begin) + 1;
        ++line_;
        break;
      }
      out.append(begin, end_ - pos_);
      pos_ = end_;
      if (!fill()) break;
    }
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return true;
  }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };

  int byteAt(size_t i) const { return static_cast<unsigned char>(buffer_[i]); }

  bool fill() {
    if (eof_) return false;
    // Lines already consumed from the previous chunk were counted by get()/readLine().
    const size_t n = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
    if (n < buffer_.size()) {
      if (std::ferror(file_.get())) throw Error(path_ + ": read error: " + std::strerror(errno));
      eof_ = true;
    }
    pos_ = 0;
    end_ = n;
    if (offset_ == 0 && n >= 2 &&
        ((byteAt(0) == 0xFF && byteAt(1) == 0xFE) || (byteAt(0) == 0xFE && byteAt(1) == 0xFF))) {
      throw Error(path_ +
                  ": the file is UTF-16 encoded (it starts with a UTF-16 byte order "
                  "mark); save it as UTF-8");
    }
    if (const void* nul = std::memchr(buffer_.data(), '\0', n)) {
      const auto* p = static_cast<const char*>(nul);
      const size_t line = line_ + static_cast<size_t>(std::count(
                                      static_cast<const char*>(buffer_.data()), p, '\n'));
      const uint64_t offset = offset_ + static_cast<uint64_t>(p - buffer_.data());
      throw Error(at(path_, line) + ": binary data (a NUL byte at byte offset " +
                  std::to_string(offset) + "); expected a UTF-8 text file");
    }
    offset_ += n;
    return n > 0;
  }

  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  size_t line_ = 1;
  uint64_t offset_ = 0;
  bool eof_ = false;
};

// ---- records ----------------------------------------------------------------------------

struct Record {
  std::vector<std::string> fields;
  size_t line = 0;
  std::string error;  // non-empty: the record is malformed
  std::string raw;    // the first kRawKept bytes of the record as written
  bool blank = false;
};

void keepRaw(Record& rec, int c) {
  if (rec.raw.size() < kRawKept) rec.raw.push_back(static_cast<char>(c));
}

// GlueTsv: one physical line, split on tabs, no quoting.
bool readPlainRecord(FileSource& in, char delimiter, Record& rec) {
  rec.fields.clear();
  rec.error.clear();
  rec.line = in.line();
  std::string line;
  if (!in.readLine(line)) return false;
  rec.raw = line.substr(0, kRawKept);
  rec.blank = line.empty();
  size_t start = 0;
  while (true) {
    const size_t tab = line.find(delimiter, start);
    if (tab == std::string::npos) {
      rec.fields.emplace_back(line, start);
      break;
    }
    rec.fields.emplace_back(line, start, tab - start);
    start = tab + 1;
  }
  return true;
}

// Delimited: RFC 4180. Quoted fields may hold delimiters, doubled quotes and line breaks; a
// quote inside an unquoted field is kept as a character (as Python's csv module does).
bool readQuotedRecord(FileSource& in, char delimiter, Record& rec) {
  rec.fields.clear();
  rec.error.clear();
  rec.raw.clear();
  rec.blank = false;
  if (in.peek() < 0) return false;
  rec.line = in.line();
  enum class State { FieldStart, Unquoted, Quoted, AfterQuote } state = State::FieldStart;
  std::string field;
  size_t quoteLine = 0;
  const auto finishField = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
  };
  while (true) {
    const int c = in.get();
    if (c >= 0) keepRaw(rec, c);
    switch (state) {
      case State::FieldStart:
        if (c == '"') {
          state = State::Quoted;
          quoteLine = in.line();
          continue;
        }
        state = State::Unquoted;
        [[fallthrough]];
      case State::Unquoted:
        if (c < 0 || c == '\n') {
          if (c == '\n' && !field.empty() && field.back() == '\r') field.pop_back();
          finishField();
          rec.blank = rec.fields.size() == 1 && rec.fields[0].empty();
          return true;
        }
        if (c == delimiter) {
          finishField();
          state = State::FieldStart;
        } else {
          field.push_back(static_cast<char>(c));
        }
        continue;
      case State::Quoted:
        if (c < 0) {
          rec.error = "unterminated quoted field (its opening quote is on line " +
                      std::to_string(quoteLine) + ")";
          finishField();
          return true;
        }
        if (c == '"') {
          if (in.peek() == '"') {
            keepRaw(rec, in.get());
            field.push_back('"');
          } else {
            state = State::AfterQuote;
          }
        } else {
          field.push_back(static_cast<char>(c));
        }
        continue;
      case State::AfterQuote:
        if (c < 0 || c == '\n') {
          finishField();
          return true;
        }
        if (c == '\r' && in.peek() == '\n') continue;
        if (c == delimiter) {
          finishField();
          state = State::FieldStart;
          continue;
        }
        rec.error = "unexpected character " + singleQuoted(std::string(1, static_cast<char>(c))) +
                    " after the closing quote of field " + std::to_string(rec.fields.size() + 1);
        for (int d = in.get(); d >= 0 && d != '\n'; d = in.get()) keepRaw(rec, d);
        finishField();
        return true;
    }
  }
}

// ---- labels -----------------------------------------------------------------------------

// 1 to 9 decimal digits: fits an int and maxIntegerLabel checks stay simple.
bool isSmallInteger(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class LabelResolver {
 public:
  LabelResolver(const LabelOptions& options, const std::string& path) : mode_(options.mode) {
    switch (mode_) {
      case LabelMode::Integer: fixedCount_ = !options.names.empty(); break;
      case LabelMode::Explicit:
        if (options.names.empty()) {
          throw Error(path + ": explicit label mapping requested but no label names given");
        }
        break;
      case LabelMode::FirstAppearance: break;
      case LabelMode::Sorted:
        if (!options.names.empty()) {
          throw Error(path + ": sorted label ids take no predefined label names");
        }
        break;
    }
    try {
      map_ = LabelMap(options.names);
    } catch (const Error& e) {
      throw Error(path + ": " + e.what());
    }
  }

  bool integerMode() const { return mode_ == LabelMode::Integer; }

  // The id of a label given as text, or -1 with `reason` set.
  int resolve(std::string_view label, std::string& reason) {
    if (label.empty()) {
      reason = "empty label";
      return -1;
    }
    switch (mode_) {
      case LabelMode::Integer: {
        if (!isSmallInteger(label)) {
          reason = "label " + singleQuoted(label) + " is not a non-negative integer";
          return -1;
        }
        return resolveInteger(std::stoll(std::string(label)), label, reason);
      }
      case LabelMode::Explicit: {
        const int id = map_.find(label);
        if (id < 0) {
          reason = "unknown label " + singleQuoted(label) +
                   " (expected one of: " + joinNames(map_.names()) + ")";
        }
        return id;
      }
      case LabelMode::FirstAppearance:
      case LabelMode::Sorted: return map_.add(label);
    }
    return -1;
  }

  // An integer label; `written` is how the file wrote it (for messages).
  int resolveInteger(long long value, std::string_view written, std::string& reason) {
    if (mode_ != LabelMode::Integer) return resolve(written, reason);
    const long long limit = fixedCount_ ? map_.size() - 1 : maxIntegerLabel;
    if (value < 0 || value > limit) {
      reason = "label " + std::string(written) + " is out of range 0.." + std::to_string(limit);
      if (fixedCount_) reason += " (" + joinNames(map_.names()) + ")";
      return -1;
    }
    if (!fixedCount_) maxSeen_ = std::max(maxSeen_, static_cast<int>(value));
    return static_cast<int>(value);
  }

  // The final map; with Sorted, renumbers the examples' labels.
  LabelMap finish(std::vector<Example>& examples) {
    if (mode_ == LabelMode::Integer && !fixedCount_) {
      LabelMap map;
      for (int i = 0; i <= maxSeen_; ++i) map.add(std::to_string(i));
      return map;
    }
    if (mode_ == LabelMode::Sorted) {
      std::vector<std::string> names = map_.names();
      if (std::all_of(names.begin(), names.end(), isSmallInteger)) {
        std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
          return std::stoll(a) < std::stoll(b);  // "2" before "10"
        });
      } else {
        std::sort(names.begin(), names.end());
      }
      LabelMap sorted(names);
      std::vector<int> remap(static_cast<size_t>(map_.size()));
      for (int id = 0; id < map_.size(); ++id) {
        remap[static_cast<size_t>(id)] = sorted.find(map_.name(id));
      }
      for (Example& e : examples) e.label = remap[static_cast<size_t>(e.label)];
      return sorted;
    }
    return map_;
  }

 private:
  LabelMode mode_;
  bool fixedCount_ = false;
  int maxSeen_ = -1;
  LabelMap map_;
};

// ---- the reader -------------------------------------------------------------------------

class Reader {
 public:
  Reader(const DataSource& source, const ReadOptions& options, bool previewing)
      : source_(source),
        options_(options),
        previewing_(previewing),
        labels_(source.labels, source.path) {
    dataset_.path = source.path;
  }

  Dataset run() {
    if (source_.textField.empty() || source_.labelField.empty()) {
      throw Error(source_.path + ": the text and label field names must not be empty");
    }
    FileSource in(source_.path);
    if (source_.format == Format::JsonLines) {
      readJsonLines(in);
    } else {
      readDelimited(in);
    }
    if (dataset_.rowsRead == 0) {
      throw Error(source_.path + (source_.format == Format::JsonLines
                                      ? ": empty file (no JSON Lines rows)"
                                      : ": no data rows after the header"));
    }
    if (dataset_.examples.empty() && !previewing_) {
      const RejectedRow& first = dataset_.rejected.front();
      throw Error(source_.path + ": all " + std::to_string(dataset_.rejectedCount) +
                  " rows were rejected; the first, line " + std::to_string(first.line) + ": " +
                  first.reason);
    }
    dataset_.labels = labels_.finish(dataset_.examples);
    return std::move(dataset_);
  }

 private:
  bool done() const {
    if (options_.maxRows > 0 && dataset_.examples.size() >= options_.maxRows) return true;
    // A preview of a file full of bad rows stops once it has enough of them to show.
    return previewing_ && dataset_.rowsRead >= options_.maxRows + options_.maxRejectedKept;
  }

  void reject(size_t line, std::string reason, std::string_view raw) {
    if (options_.policy == ErrorPolicy::Strict) throw Error(at(source_.path, line) + ": " + reason);
    ++dataset_.rejectedCount;
    if (dataset_.rejected.size() < options_.maxRejectedKept) {
      dataset_.rejected.push_back({line, std::move(reason), printableExcerpt(raw, 80)});
    }
  }

  void accept(std::string_view text, int label, size_t line) {
    dataset_.examples.push_back({std::string(text), label, line});
  }

  // Checks the text field; sets `reason` and returns false when it is unusable.
  static bool checkText(std::string_view& text, const std::string& what, std::string& reason) {
    const size_t bad = findInvalidUtf8(text);
    if (bad != std::string_view::npos) {
      reason = "invalid UTF-8 in " + what + " at byte " + std::to_string(bad + 1);
      return false;
    }
    text = trim(text);
    if (text.empty()) {
      reason = "empty text in " + what;
      return false;
    }
    return true;
  }

  void readDelimited(FileSource& in) {
    const bool quoting = source_.format == Format::Delimited;
    const char delimiter = quoting ? source_.delimiter : '\t';
    if (quoting && (delimiter == '"' || delimiter == '\n' || delimiter == '\r')) {
      throw Error(source_.path + ": invalid delimiter for a delimited file");
    }
    const auto next = [&](Record& r) {
      return quoting ? readQuotedRecord(in, delimiter, r) : readPlainRecord(in, delimiter, r);
    };

    Record rec;
    do {
      if (!next(rec)) throw Error(source_.path + ": empty file (expected a header row)");
    } while (rec.blank);
    if (!rec.error.empty()) throw Error(at(source_.path, rec.line) + ": header row: " + rec.error);
    for (const std::string& name : rec.fields) {
      const size_t bad = findInvalidUtf8(name);
      if (bad != std::string::npos) {
        throw Error(at(source_.path, rec.line) + ": header row: invalid UTF-8 at byte " +
                    std::to_string(bad + 1) + " of column " + singleQuoted(name) +
                    "; is this a UTF-8 text file?");
      }
      dataset_.columns.emplace_back(trim(name));
    }
    const size_t headerLine = rec.line;
    const size_t textColumn = findColumn(source_.textField, "text", headerLine);
    const size_t labelColumn = findColumn(source_.labelField, "label", headerLine);
    const std::string textWhat = "column '" + source_.textField + "'";
    const std::string labelWhat = "column '" + source_.labelField + "'";
    const size_t width = dataset_.columns.size();
    const std::string separator = delimiter == '\t' ? "tab-separated" : "delimited";

    std::string reason;
    while (!done() && next(rec)) {
      if (rec.blank) continue;
      ++dataset_.rowsRead;
      if (!rec.error.empty()) {
        reject(rec.line, rec.error, rec.raw);
        continue;
      }
      if (rec.fields.size() != width) {
        reject(rec.line,
               "expected " + std::to_string(width) + " " + separator + " fields, found " +
                   std::to_string(rec.fields.size()),
               rec.raw);
        continue;
      }
      std::string_view text = rec.fields[textColumn];
      if (!checkText(text, textWhat, reason)) {
        reject(rec.line, reason, rec.raw);
        continue;
      }
      std::string_view label = rec.fields[labelColumn];
      const size_t bad = findInvalidUtf8(label);
      if (bad != std::string_view::npos) {
        reject(rec.line, "invalid UTF-8 in " + labelWhat + " at byte " + std::to_string(bad + 1),
               rec.raw);
        continue;
      }
      label = trim(label);
      if (label.empty()) {
        reject(rec.line, "missing label (" + labelWhat + " is empty)", rec.raw);
        continue;
      }
      const int id = labels_.resolve(label, reason);
      if (id < 0) {
        reject(rec.line, reason, rec.raw);
        continue;
      }
      accept(text, id, rec.line);
    }
  }

  size_t findColumn(const std::string& name, const char* role, size_t headerLine) const {
    const auto& columns = dataset_.columns;
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) {
      throw Error(at(source_.path, headerLine) + ": the header has no " + role + " column '" +
                  name + "' (columns: " + joinNames(columns) + ")");
    }
    if (std::find(it + 1, columns.end(), name) != columns.end()) {
      throw Error(at(source_.path, headerLine) + ": the header names column '" + name +
                  "' more than once");
    }
    return static_cast<size_t>(it - columns.begin());
  }

  void readJsonLines(FileSource& in) {
    std::string line, reason;
    const std::string textWhat = "field '" + source_.textField + "'";
    bool sawAnything = false;
    while (!done()) {
      const size_t lineNo = in.line();
      if (!in.readLine(line)) break;
      sawAnything = true;
      if (trim(line).empty()) continue;
      ++dataset_.rowsRead;
      const size_t bad = findInvalidUtf8(line);
      if (bad != std::string::npos) {
        reject(lineNo, "invalid UTF-8 at byte " + std::to_string(bad + 1), line);
        continue;
      }
      nlohmann::json row;
      try {
        row = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        reject(lineNo, std::string("invalid JSON: ") + e.what(), line);
        continue;
      }
      if (!row.is_object()) {
        reject(lineNo, std::string("expected a JSON object, found ") + row.type_name(), line);
        continue;
      }
      const auto textIt = row.find(source_.textField);
      if (textIt == row.end() || textIt->is_null()) {
        reject(lineNo, "missing " + textWhat, line);
        continue;
      }
      if (!textIt->is_string()) {
        reject(lineNo, textWhat + " is a " + textIt->type_name() + ", expected a string", line);
        continue;
      }
      std::string_view text = textIt->get_ref<const std::string&>();
      if (!checkText(text, textWhat, reason)) {
        reject(lineNo, reason, line);
        continue;
      }
      const int id = jsonLabel(row, reason);
      if (id < 0) {
        reject(lineNo, reason, line);
        continue;
      }
      accept(text, id, lineNo);
    }
    if (!sawAnything) throw Error(source_.path + ": empty file");
  }

  int jsonLabel(const nlohmann::json& row, std::string& reason) {
    const std::string what = "field '" + source_.labelField + "'";
    const auto it = row.find(source_.labelField);
    if (it == row.end() || it->is_null()) {
      reason = "missing label (" + what + ")";
      return -1;
    }
    if (it->is_number_unsigned()) {
      const auto v = it->get<unsigned long long>();
      const long long value =
          v > static_cast<unsigned long long>(LLONG_MAX) ? LLONG_MAX : static_cast<long long>(v);
      return labels_.resolveInteger(value, it->dump(), reason);
    }
    if (it->is_number_integer()) {
      return labels_.resolveInteger(it->get<long long>(), it->dump(), reason);
    }
    if (it->is_string()) return labels_.resolve(trim(it->get_ref<const std::string&>()), reason);
    if (it->is_boolean() && !labels_.integerMode()) {
      return labels_.resolve(it->get<bool>() ? "true" : "false", reason);
    }
    reason = what + " is a " + std::string(it->type_name()) +
             (labels_.integerMode() ? ", expected an integer" : ", expected a string or integer");
    return -1;
  }

  const DataSource& source_;
  ReadOptions options_;
  bool previewing_;
  LabelResolver labels_;
  Dataset dataset_;
};

std::string lowerCase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
  });
  return s;
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && lowerCase(s.substr(s.size() - suffix.size())) == suffix;
}

}  // namespace

DataSource guessSource(const std::string& path) {
  DataSource source;  // GlueTsv: sentence / label, 0 = negative, 1 = positive
  source.path = path;
  std::vector<std::string> fields;  // header columns or the first object's keys
  const bool jsonLines = endsWith(path, ".jsonl") || endsWith(path, ".ndjson");
  const char delimiter = endsWith(path, ".csv") ? ',' : '\t';
  try {
    FileSource in(path);
    Record rec;
    if (jsonLines) {
      std::string line;
      while (in.readLine(line) && trim(line).empty()) {
      }
      const nlohmann::json first = nlohmann::json::parse(line, nullptr, false);
      if (first.is_object()) {
        for (const auto& item : first.items()) fields.push_back(item.key());
      }
    } else {
      while (readQuotedRecord(in, delimiter, rec) && rec.blank) {
      }
      for (const std::string& name : rec.fields) fields.emplace_back(trim(name));
    }
  } catch (const Error&) {
    // Unreadable: keep the defaults; reading the file will report the problem.
  }
  const auto has = [&](const std::string& name) {
    return std::find(fields.begin(), fields.end(), name) != fields.end();
  };
  if (!jsonLines && delimiter == '\t' && (fields.empty() || (has("sentence") && has("label")))) {
    return source;  // GLUE
  }
  source.format = jsonLines ? Format::JsonLines : Format::Delimited;
  source.delimiter = delimiter;
  source.labels = {LabelMode::Sorted, {}};
  const auto pick = [&](std::initializer_list<const char*> candidates, std::string& field) {
    for (const char* candidate : candidates) {
      for (const std::string& name : fields) {
        if (lowerCase(name) == candidate) {
          field = name;
          return;
        }
      }
    }
  };
  source.textField = "text";
  pick({"sentence", "text", "review", "content", "document", "comment", "body", "tweet"},
       source.textField);
  pick({"label", "sentiment", "class", "target", "category", "polarity", "labels"},
       source.labelField);
  return source;
}

Dataset readDataset(const DataSource& source, const ReadOptions& options) {
  return Reader(source, options, false).run();
}

Dataset readGlueTsv(const std::string& path, const ReadOptions& options) {
  DataSource source;
  source.path = path;
  return readDataset(source, options);
}

Dataset preview(const DataSource& source, size_t n) {
  ReadOptions options;
  options.policy = ErrorPolicy::Skip;
  options.maxRows = std::max<size_t>(n, 1);
  options.maxRejectedKept = 100;
  return Reader(source, options, true).run();
}

Dataset preview(const std::string& path, size_t n) {
  return preview(guessSource(path), n);
}

const char* toString(ErrorPolicy policy) {
  return policy == ErrorPolicy::Strict ? "strict" : "skip";
}

const char* toString(Format format) {
  switch (format) {
    case Format::GlueTsv: return "glue-tsv";
    case Format::Delimited: return "delimited";
    case Format::JsonLines: return "jsonl";
  }
  return "?";
}

const char* toString(LabelMode mode) {
  switch (mode) {
    case LabelMode::Integer: return "integer";
    case LabelMode::Explicit: return "explicit";
    case LabelMode::FirstAppearance: return "first-appearance";
    case LabelMode::Sorted: return "sorted";
  }
  return "?";
}

}  // namespace crisp::data
