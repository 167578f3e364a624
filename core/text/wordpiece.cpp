#include "core/text/wordpiece.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/io/json_file.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/utf8.h"
#include "core/text/unicode_text.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// --- vocabulary lookup: open addressing over string views into one arena --------------------

std::uint64_t hashBytes(const char* p, std::size_t n) noexcept {
  constexpr std::uint64_t kMul = 0x9FB21C651E98DF25ull;
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
  while (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, n);
    h = (h ^ v) * kMul;
    h ^= h >> 29;
  }
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 32);
}

class TokenTable {
 public:
  void reserve(std::size_t n) {
    std::size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }

  // Later insertions of the same key win, like Python's dict in HF's load_vocab.
  void insert(const char* arena, std::uint32_t offset, std::uint32_t length, int32_t id) {
    const std::uint64_t h = hashBytes(arena + offset, length);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id < 0) {
        s = Slot{h, offset, length, id};
        maxLength_ = std::max<std::size_t>(maxLength_, length);
        return;
      }
      if (s.hash == h && s.length == length &&
          std::memcmp(arena + s.offset, arena + offset, length) == 0) {
        s.id = id;
        return;
      }
    }
  }

  int32_t find(const char* arena, const char* p, std::size_t n) const noexcept {
    const std::uint64_t h = hashBytes(p, n);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.hash == h && s.length == n && std::memcmp(arena + s.offset, p, n) == 0) return s.id;
    }
  }

  std::size_t maxLength() const { return maxLength_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    int32_t id = -1;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t maxLength_ = 0;
};

// --- per-thread scratch buffers: no allocation per word once warm ---------------------------

struct CodePoint {
  char32_t cp;
  std::size_t begin;  // its source span in the original text
  std::size_t end;
};

struct Piece {
  int32_t id;
  std::size_t begin;  // byte range in the normalised word
  std::size_t end;
};

struct Scratch {
  std::string word;                             // the normalised word being built
  std::vector<std::size_t> wordBegin, wordEnd;  // per byte of word: its source span
  std::size_t wordChars = 0;
  std::vector<CodePoint> cps;   // a chunk's code points after cleaning
  std::vector<CodePoint> norm;  // ... after accent stripping and lower-casing
  std::vector<char32_t> whole;  // one code point's normalised characters
  std::vector<utf8proc_int32_t> buffer;
  std::string utf8;
  std::vector<Piece> pieces;

  void resetWord() {
    word.clear();
    wordBegin.clear();
    wordEnd.clear();
    wordChars = 0;
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// What the normalizer and pre-tokenizer do with one character.
enum CharClass : std::uint8_t { kDrop, kSpace, kPunct, kWordChar, kCjk };

bool isContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Receives the tokens of one text; stops taking them at the truncation limit.
struct Collector {
  WordPieceEncoding* out;
  std::size_t limit;
  std::size_t count = 0;
  bool full() const { return count >= limit; }
  void push(int32_t id, std::string_view token, ByteSpan span) {
    if (count >= limit) return;
    ++count;
    out->ids.push_back(id);
    out->tokens.emplace_back(token);
    out->attentionMask.push_back(1);
    out->offsets.push_back(span);
  }
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error("cannot read " + path.string());
  return ss.str();
}

// --- tokenizer_config.json / special_tokens_map.json ----------------------------------------

std::string tokenContent(const nlohmann::json& value, const std::string& file,
                         const std::string& key) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    return value["content"].get<std::string>();
  }
  throw Error(file + ": \"" + key + "\" must be a string or an object with a \"content\" string");
}

bool boolValue(const nlohmann::json& value, const std::string& file, const std::string& key) {
  if (!value.is_boolean()) throw Error(file + ": \"" + key + "\" must be true or false");
  return value.get<bool>();
}

nlohmann::json readJson(const fs::path& path) {
  try {
    return nlohmann::json::parse(readFile(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
}

void applySpecialTokens(const nlohmann::json& j, const std::string& file, WordPieceConfig& c) {
  const std::pair<const char*, std::string*> keys[] = {
      {"unk_token", &c.unkToken}, {"sep_token", &c.sepToken},   {"pad_token", &c.padToken},
      {"cls_token", &c.clsToken}, {"mask_token", &c.maskToken},
  };
  for (const auto& [key, target] : keys) {
    if (j.contains(key) && !j[key].is_null()) *target = tokenContent(j[key], file, key);
  }
  if (j.contains("additional_special_tokens") && !j["additional_special_tokens"].is_null()) {
    const auto& list = j["additional_special_tokens"];
    if (!list.is_array()) throw Error(file + ": \"additional_special_tokens\" must be a list");
    c.additionalSpecialTokens.clear();
    for (const auto& item : list) {
      c.additionalSpecialTokens.push_back(tokenContent(item, file, "additional_special_tokens"));
    }
  }
}

void applyTokenizerConfig(const nlohmann::json& j, const std::string& file, WordPieceConfig& c) {
  if (!j.is_object()) throw Error(file + ": expected a JSON object");
  if (j.contains("do_lower_case"))
    c.doLowerCase = boolValue(j["do_lower_case"], file, "do_lower_case");
  if (j.contains("strip_accents")) {
    if (j["strip_accents"].is_null()) {
      c.stripAccents.reset();
    } else {
      c.stripAccents = boolValue(j["strip_accents"], file, "strip_accents");
    }
  }
  if (j.contains("tokenize_chinese_chars")) {
    c.tokenizeChineseChars = boolValue(j["tokenize_chinese_chars"], file, "tokenize_chinese_chars");
  }
  if (j.contains("do_basic_tokenize") &&
      !boolValue(j["do_basic_tokenize"], file, "do_basic_tokenize")) {
    throw Error(file + ": do_basic_tokenize = false is not supported");
  }
  if (j.contains("model_max_length") && !j["model_max_length"].is_null()) {
    const auto& v = j["model_max_length"];
    if (!v.is_number() || v.get<double>() < 0) {
      throw Error(file + ": \"model_max_length\" must be a non-negative number");
    }
    // transformers writes int(1e30) for "no limit".
    const double length = v.get<double>();
    c.modelMaxLength = length >= 1e15 ? 0 : static_cast<std::size_t>(length);
  }
  if (j.contains("never_split") && !j["never_split"].is_null()) {
    const auto& list = j["never_split"];
    if (!list.is_array()) throw Error(file + ": \"never_split\" must be a list or null");
    c.neverSplit.clear();
    for (const auto& item : list) c.neverSplit.push_back(tokenContent(item, file, "never_split"));
  }
  if (j.contains("added_tokens_decoder") && !j["added_tokens_decoder"].is_null()) {
    const auto& added = j["added_tokens_decoder"];
    if (!added.is_object()) throw Error(file + ": \"added_tokens_decoder\" must be an object");
    c.addedTokens.clear();
    for (const auto& [key, value] : added.items()) {
      // Exactly an int32: stol and a cast took "4294967296" for id 0.
      const std::optional<int32_t> id = parseNumber<int32_t>(key);
      if (!id || *id < 0) {
        throw Error(file + ": added_tokens_decoder key \"" + key + "\" is not an id");
      }
      c.addedTokens.emplace_back(*id, tokenContent(value, file, "added_tokens_decoder." + key));
    }
  }
  applySpecialTokens(j, file, c);
}

// HF's clean_up_tokenization, applied in the same order.
std::string cleanUpTokenization(std::string text) {
  const std::pair<const char*, const char*> rules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : rules) {
    const std::size_t fromLength = std::strlen(from);
    std::string result;
    result.reserve(text.size());
    std::size_t pos = 0;
    for (std::size_t hit; (hit = text.find(from, pos)) != std::string::npos;
         pos = hit + fromLength) {
      result.append(text, pos, hit - pos).append(to);
    }
    result.append(text, pos, std::string::npos);
    text = std::move(result);
  }
  return text;
}

}  // namespace

WordPieceConfig WordPieceConfig::fromDirectory(const std::string& directory) {
  WordPieceConfig config;
  applyDirectory(directory, config);
  return config;
}

void WordPieceConfig::applyDirectory(const std::string& directory, WordPieceConfig& config) {
  const fs::path dir(directory);
  if (!fs::is_directory(dir)) throw Error(directory + " is not a directory");
  const fs::path tokenizerConfig = dir / "tokenizer_config.json";
  if (fs::exists(tokenizerConfig)) {
    applyTokenizerConfig(readJson(tokenizerConfig), tokenizerConfig.string(), config);
  }
  // Like from_pretrained: special_tokens_map.json overrides tokenizer_config.json.
  const fs::path specialMap = dir / "special_tokens_map.json";
  if (fs::exists(specialMap)) {
    const nlohmann::json j = readJson(specialMap);
    if (!j.is_object()) throw Error(specialMap.string() + ": expected a JSON object");
    applySpecialTokens(j, specialMap.string(), config);
  }
}

// --- the tokenizer ----------------------------------------------------------------------------

struct WordPieceTokenizer::Impl {
  std::string name;
  WordPieceConfig config;
  bool lower = true;
  bool strip = true;
  bool cjk = true;
  bool asciiFastPath = true;
  std::size_t maxChars = 100;

  std::string arena;                       // every vocabulary token, back to back
  std::vector<std::uint32_t> tokenOffset;  // id -> offset in arena; one extra at the end
  std::size_t vocabLines = 0;
  TokenTable full;          // whole tokens
  TokenTable continuation;  // tokens that start with "##", keyed without it

  struct Added {
    std::string content;
    int32_t id;
  };
  std::vector<Added> added;  // matched in the text before basic tokenisation, longest first
  std::array<bool, 256> addedFirstByte{};
  std::unordered_map<int32_t, std::string> addedById;
  std::unordered_set<std::string> neverSplit;
  std::vector<int32_t> specialIds;  // sorted
  std::size_t totalSize = 0;
  int32_t cls = 0, sep = 0, pad = 0, unk = 0, mask = 0;

  std::array<CharClass, 128> asciiClass{};
  std::array<char, 128> asciiMap{};

  // -- loading --

  void loadVocab(std::string_view text) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
      // Python's universal newlines: \n, \r\n and \r all end a line.
      std::size_t end = text.find_first_of("\r\n", pos);
      if (end == std::string_view::npos) {
        lines.push_back(text.substr(pos));
        break;
      }
      lines.push_back(text.substr(pos, end - pos));
      pos = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty()) throw Error(name + ": the vocabulary is empty");
    if (lines.size() > static_cast<std::size_t>(std::numeric_limits<int32_t>::max() / 2)) {
      throw Error(name + ": too many vocabulary lines");
    }
    vocabLines = lines.size();
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (const size_t bad = findInvalidUtf8(lines[i]); bad != std::string_view::npos) {
        throw Error(name + " line " + std::to_string(i + 1) + ": " +
                    describeInvalidUtf8(lines[i], bad));
      }
      bytes += lines[i].size();
    }
    if (bytes >= std::numeric_limits<std::uint32_t>::max()) throw Error(name + ": too large");
    arena.reserve(bytes);
    tokenOffset.reserve(lines.size() + 1);
    std::size_t continuationCount = 0;
    for (std::string_view line : lines) {
      tokenOffset.push_back(static_cast<std::uint32_t>(arena.size()));
      arena.append(line);
      if (line.size() > 2 && line.substr(0, 2) == "##") ++continuationCount;
    }
    tokenOffset.push_back(static_cast<std::uint32_t>(arena.size()));
    full.reserve(lines.size());
    continuation.reserve(continuationCount);
    for (std::size_t id = 0; id < lines.size(); ++id) {
      const std::uint32_t offset = tokenOffset[id];
      const std::uint32_t length = tokenOffset[id + 1] - offset;
      if (length == 0) continue;  // an empty line keeps its id but matches nothing
      full.insert(arena.data(), offset, length, static_cast<int32_t>(id));
      if (length > 2 && arena.compare(offset, 2, "##") == 0) {
        continuation.insert(arena.data(), offset + 2, length - 2, static_cast<int32_t>(id));
      }
    }
  }

  std::string_view vocabToken(int32_t id) const {
    return std::string_view(arena).substr(tokenOffset[id], tokenOffset[id + 1] - tokenOffset[id]);
  }

  std::optional<int32_t> find(std::string_view token) const {
    for (const Added& a : added) {
      if (a.content == token) return a.id;
    }
    if (token.empty()) return std::nullopt;
    const int32_t id = full.find(arena.data(), token.data(), token.size());
    if (id < 0) return std::nullopt;
    return id;
  }

  // Special and added tokens, in HF's order: added_tokens_decoder, then unk, sep, pad, cls,
  // mask and the additional ones; a token not in the vocabulary gets the next free id.
  void setUpAddedTokens() {
    int32_t nextId = static_cast<int32_t>(vocabLines);
    for (const auto& [id, content] : config.addedTokens) {
      if (content.empty()) continue;
      added.push_back({content, id});
      addedById[id] = content;
      nextId = std::max(nextId, id + 1);
    }
    std::vector<std::string> specials = {config.unkToken, config.sepToken, config.padToken,
                                         config.clsToken, config.maskToken};
    specials.insert(specials.end(), config.additionalSpecialTokens.begin(),
                    config.additionalSpecialTokens.end());
    for (const std::string& token : specials) {
      if (token.empty()) continue;
      const auto known = std::find_if(added.begin(), added.end(),
                                      [&](const Added& a) { return a.content == token; });
      int32_t id;
      if (known != added.end()) {
        id = known->id;
      } else {
        const int32_t inVocab = full.find(arena.data(), token.data(), token.size());
        id = inVocab >= 0 ? inVocab : nextId++;
        added.push_back({token, id});
        if (inVocab < 0) addedById[id] = token;
      }
      specialIds.push_back(id);
    }
    std::sort(specialIds.begin(), specialIds.end());
    specialIds.erase(std::unique(specialIds.begin(), specialIds.end()), specialIds.end());
    std::stable_sort(added.begin(), added.end(), [](const Added& a, const Added& b) {
      return a.content.size() > b.content.size();
    });
    for (const Added& a : added) {
      const auto first = static_cast<unsigned char>(a.content[0]);
      addedFirstByte[first] = true;
      if (lower && first >= 'a' && first <= 'z') addedFirstByte[first - 'a' + 'A'] = true;
    }
    totalSize = static_cast<std::size_t>(nextId);
    const auto idOf = [&](const std::string& token) {
      const auto id = find(token);
      return id ? *id : -1;
    };
    unk = idOf(config.unkToken);
    if (unk < 0) throw Error(name + ": the unknown token \"" + config.unkToken + "\" is empty");
    cls = idOf(config.clsToken);
    sep = idOf(config.sepToken);
    pad = idOf(config.padToken);
    mask = idOf(config.maskToken);
    for (int32_t* id : {&cls, &sep, &pad, &mask}) {
      if (*id < 0) *id = unk;
    }
  }

  void setUpTables() {
    lower = config.doLowerCase;
    strip = config.stripsAccents();
    cjk = config.tokenizeChineseChars;
    if (config.maxInputCharsPerWord <= 0) {
      throw Error(name + ": max_input_chars_per_word must be positive");
    }
    maxChars = static_cast<std::size_t>(config.maxInputCharsPerWord);
    neverSplit.insert(config.neverSplit.begin(), config.neverSplit.end());
    for (int c = 0; c < 128; ++c) {
      const auto cp = static_cast<char32_t>(c);
      CharClass k = kWordChar;
      if (c == 0 || unicode::isHfControl(cp)) {
        k = kDrop;
      } else if (unicode::isHfWhitespace(cp)) {
        k = kSpace;
      } else if (unicode::isHfPunctuation(cp)) {
        k = kPunct;
      }
      asciiClass[c] = k;
      asciiMap[c] = static_cast<char>(lower && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }

  // -- encoding --

  // An added token starting at text[i], longest first. In lower-casing mode HF lower-cases the
  // text (all but exact special tokens) before matching, so a lower-case token also matches
  // any ASCII case of itself.
  const Added* matchAdded(std::string_view text, std::size_t i) const {
    for (const Added& a : added) {
      const std::size_t n = a.content.size();
      if (text.size() - i < n) continue;
      if (text.compare(i, n, a.content) == 0) return &a;
      if (!lower) continue;
      bool same = true;
      for (std::size_t k = 0; k < n && same; ++k) {
        const auto t = static_cast<unsigned char>(text[i + k]);
        const char lowered = t < 128 ? asciiMap[t] : static_cast<char>(t);
        same = lowered == a.content[k];
      }
      if (same) return &a;
    }
    return nullptr;
  }

  void run(std::string_view text, InvalidUtf8 policy, Collector& c) const {
    Scratch& s = scratch();
    std::size_t segment = 0;
    if (!added.empty()) {
      for (std::size_t i = 0; i < text.size();) {
        if (!addedFirstByte[static_cast<unsigned char>(text[i])]) {
          ++i;
          continue;
        }
        const Added* a = matchAdded(text, i);
        if (a == nullptr) {
          ++i;
          continue;
        }
        basic(text, segment, i, policy, c, s);
        if (c.full()) return;
        c.push(a->id, a->content, {i, i + a->content.size()});
        i += a->content.size();
        segment = i;
      }
    }
    basic(text, segment, text.size(), policy, c, s);
  }

  // BasicTokenizer + WordPiece over text[begin, end): splits it into chunks (runs between
  // whitespace; each CJK ideograph is a chunk of its own) and tokenises each chunk.
  void basic(std::string_view text, std::size_t begin, std::size_t end, InvalidUtf8 policy,
             Collector& c, Scratch& s) const {
    const std::string_view segment = text.substr(0, end);
    std::size_t chunk = kNone;
    bool chunkAscii = true;
    const auto flush = [&](std::size_t at) {
      if (chunk == kNone) return;
      tokenizeChunk(text, chunk, at, chunkAscii, c, s);
      chunk = kNone;
      chunkAscii = true;
    };
    std::size_t i = begin;
    while (i < end) {
      const auto byte = static_cast<unsigned char>(text[i]);
      if (byte < 0x80) {
        const CharClass k = asciiClass[byte];
        if (k == kSpace) {
          flush(i);
          if (c.full()) return;
        } else if (chunk == kNone && k != kDrop) {
          chunk = i;
        }
        ++i;
        continue;
      }
      const Utf8CodePoint d = decodeUtf8(segment, i);
      if (d.length == 0) {
        if (policy == InvalidUtf8::kThrow) throw Error(describeInvalidUtf8(text, i));
        if (chunk != kNone) chunkAscii = false;  // dropped, like the U+FFFD Python puts there
        ++i;
        continue;
      }
      const auto length = static_cast<std::size_t>(d.length);
      switch (classify(d.cp)) {
        case kDrop:
          if (chunk != kNone) chunkAscii = false;
          break;
        case kSpace:
          flush(i);
          if (c.full()) return;
          break;
        case kCjk:
          flush(i);
          tokenizeChunk(text, i, i + length, false, c, s);
          if (c.full()) return;
          break;
        default:
          if (chunk == kNone) chunk = i;
          chunkAscii = false;
      }
      i += length;
    }
    flush(end);
  }

  CharClass classify(char32_t cp) const {
    if (cp == 0xFFFD) return kDrop;
    // The fast tokenizer's cleaning drops Cc, Cf and Co (and U+FFFD), but keeps unassigned code
    // points (Cn), which become [UNK].
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
      case UTF8PROC_CATEGORY_CC:
      case UTF8PROC_CATEGORY_CF:
      case UTF8PROC_CATEGORY_CS:
      case UTF8PROC_CATEGORY_CO: return kDrop;
      case UTF8PROC_CATEGORY_ZS:
      case UTF8PROC_CATEGORY_ZL:  // Python's str.split() splits on these two as well
      case UTF8PROC_CATEGORY_ZP: return kSpace;
      default: return cjk && unicode::isChineseChar(cp) ? kCjk : kWordChar;
    }
  }

  void tokenizeChunk(std::string_view text, std::size_t begin, std::size_t end, bool ascii,
                     Collector& c, Scratch& s) const {
    if (!neverSplit.empty() && keptWhole(text, begin, end, c, s)) return;
    s.resetWord();
    if (ascii && asciiFastPath) {
      for (std::size_t j = begin; j < end; ++j) {
        const auto byte = static_cast<unsigned char>(text[j]);
        const CharClass k = asciiClass[byte];
        if (k == kDrop) continue;
        if (k == kPunct) finishWord(c, s);
        s.word.push_back(asciiMap[byte]);
        s.wordBegin.push_back(j);
        s.wordEnd.push_back(j + 1);
        ++s.wordChars;
        if (k == kPunct) finishWord(c, s);
      }
      finishWord(c, s);
      return;
    }
    decodeChunk(text, begin, end, s);
    normalizeChunk(lower, strip, s);
    for (const CodePoint& q : s.norm) {
      const bool punct = unicode::isHfPunctuation(q.cp);
      if (punct || unicode::isHfWhitespace(q.cp) || unicode::isLineOrParagraphSeparator(q.cp)) {
        finishWord(c, s);
        if (!punct) continue;
      }
      appendUtf8(s.word, q.cp);
      s.wordBegin.resize(s.word.size(), q.begin);
      s.wordEnd.resize(s.word.size(), q.end);
      ++s.wordChars;
      if (punct) finishWord(c, s);
    }
    finishWord(c, s);
  }

  // never_split: a whitespace-delimited word equal (after cleaning and lower-casing) to
  // one of them is one token.
  bool keptWhole(std::string_view text, std::size_t begin, std::size_t end, Collector& c,
                 Scratch& s) const {
    decodeChunk(text, begin, end, s);
    normalizeChunk(lower, false, s);
    std::string word;
    for (const CodePoint& q : s.norm) appendUtf8(word, q.cp);
    if (word.empty() || neverSplit.count(word) == 0) return false;
    const auto id = find(word);
    c.push(id ? *id : unk, word, {s.norm.front().begin, s.norm.back().end});
    return true;
  }

  // The chunk's code points with their source spans, without what cleaning drops.
  void decodeChunk(std::string_view text, std::size_t begin, std::size_t end, Scratch& s) const {
    s.cps.clear();
    const std::string_view chunk = text.substr(0, end);
    for (std::size_t j = begin; j < end;) {
      const Utf8CodePoint d = decodeUtf8(chunk, j);
      if (d.length == 0) {
        ++j;  // only reached with InvalidUtf8::kSkip
        continue;
      }
      const auto length = static_cast<std::size_t>(d.length);
      if (d.cp < 0x80 ? asciiClass[d.cp] != kDrop : classify(d.cp) != kDrop) {
        s.cps.push_back({d.cp, j, j + length});
      }
      j += length;
    }
  }

  // What the fast tokenizer's BertNormalizer does after cleaning: (strip) NFD without Mn marks,
  // then (lower) lower-casing, one code point at a time. Every output character keeps the span
  // of the code point it came from, and a stripped mark leaves no trace in any span: exactly
  // the alignment of the Rust tokenizers' NormalizedString. (Canonical reordering of several
  // marks on one base, which NFD of the whole text would do, cannot change the result: the
  // marks it reorders are the Mn marks that stripping removes.)
  void normalizeChunk(bool toLower, bool toStrip, Scratch& s) const {
    s.norm.clear();
    for (const CodePoint& q : s.cps) {
      if (q.cp < 0x80) {
        const char32_t cp = q.cp;
        s.norm.push_back({toLower && cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp, q.begin, q.end});
        continue;
      }
      s.whole.clear();
      if (toStrip) {
        s.utf8.clear();
        appendUtf8(s.utf8, q.cp);
        decompose(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE, s);
        for (utf8proc_int32_t cp : s.buffer) {
          if (!unicode::isNonspacingMark(static_cast<char32_t>(cp))) {
            s.whole.push_back(static_cast<char32_t>(cp));
          }
        }
      } else {
        s.whole.push_back(q.cp);
      }
      for (char32_t cp : s.whole) {
        if (!toLower) {
          s.norm.push_back({cp, q.begin, q.end});
        } else if (cp == 0x130) {  // the one multi-character lower case: İ -> i + U+0307
          s.norm.push_back({U'i', q.begin, q.end});
          s.norm.push_back({0x307, q.begin, q.end});
        } else {
          s.norm.push_back(
              {static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))), q.begin,
               q.end});
        }
      }
    }
  }

  // Canonical decomposition (with reordering) of s.utf8 into s.buffer.
  void decompose(int options, Scratch& s) const {
    std::size_t capacity = std::max<std::size_t>(16, 4 * s.utf8.size());
    for (;;) {
      s.buffer.resize(capacity);
      const utf8proc_ssize_t n = utf8proc_decompose(
          reinterpret_cast<const utf8proc_uint8_t*>(s.utf8.data()),
          static_cast<utf8proc_ssize_t>(s.utf8.size()), s.buffer.data(),
          static_cast<utf8proc_ssize_t>(capacity), static_cast<utf8proc_option_t>(options));
      if (n < 0) throw Error(std::string("utf8proc: ") + utf8proc_errmsg(n));
      if (static_cast<std::size_t>(n) <= capacity) {
        s.buffer.resize(static_cast<std::size_t>(n));
        return;
      }
      capacity = static_cast<std::size_t>(n);
    }
  }

  // The word in s.word is complete: WordPiece it (greedy longest match first).
  void finishWord(Collector& c, Scratch& s) const {
    if (s.word.empty()) return;
    const std::string& word = s.word;
    const std::size_t n = word.size();
    const ByteSpan whole{s.wordBegin.front(), s.wordEnd.back()};
    if (!neverSplit.empty() && neverSplit.count(word) != 0) {
      const auto id = find(word);
      c.push(id ? *id : unk, word, whole);
    } else if (s.wordChars > maxChars) {
      c.push(unk, config.unkToken, whole);
    } else {
      s.pieces.clear();
      bool ok = true;
      for (std::size_t start = 0; start < n && ok;) {
        const TokenTable& table = start == 0 ? full : continuation;
        std::size_t end = std::min(n, start + table.maxLength());
        while (end > start && end < n && isContinuationByte(word[end])) --end;
        int32_t id = -1;
        while (end > start) {
          id = table.find(arena.data(), word.data() + start, end - start);
          if (id >= 0) break;
          --end;
          while (end > start && isContinuationByte(word[end])) --end;
        }
        if (id < 0) {
          ok = false;
        } else {
          s.pieces.push_back({id, start, end});
          start = end;
        }
      }
      if (!ok) {
        c.push(unk, config.unkToken, whole);
      } else {
        for (const Piece& p : s.pieces) {
          c.push(p.id, vocabToken(p.id), {s.wordBegin[p.begin], s.wordEnd[p.end - 1]});
        }
      }
    }
    s.resetWord();
  }
};

// --- public API -------------------------------------------------------------------------------

WordPieceTokenizer::WordPieceTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WordPieceTokenizer WordPieceTokenizer::fromVocabText(std::string_view vocabText,
                                                     WordPieceConfig config, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->config = std::move(config);
  impl->setUpTables();
  impl->loadVocab(vocabText);
  impl->setUpAddedTokens();
  return WordPieceTokenizer(std::move(impl));
}

namespace {

// Hugging Face's fast-tokenizer file (tokenizer.json) of a WordPiece model: the vocabulary as
// vocab.txt text (ids dense from 0) and the settings its normalizer, model and added tokens
// hold. Anything that is not the BERT pipeline is refused, naming the key.
std::pair<std::string, WordPieceConfig> readTokenizerJson(const fs::path& file) {
  const std::string name = file.string();
  const nlohmann::json j = readJson(file);
  if (!j.is_object()) throw Error(name + ": expected a JSON object");
  const auto object = [&](const nlohmann::json& parent, const char* key) -> const nlohmann::json& {
    if (!parent.contains(key) || !parent[key].is_object()) {
      throw Error(name + ": \"" + key + "\" must be an object");
    }
    return parent[key];
  };
  // A component's "type", or "" when it has none or a non-string one: json::value would throw
  // nlohmann's type_error for a component that is not an object or a "type" that is no string.
  const auto typeOf = [](const nlohmann::json& component) -> std::string {
    if (!component.is_object()) return {};
    const auto type = component.find("type");
    return type != component.end() && type->is_string() ? type->get<std::string>() : "";
  };
  const nlohmann::json& model = object(j, "model");
  if (typeOf(model) != "WordPiece") {
    throw Error(name + ": model.type " + model.value("type", nlohmann::json()).dump() +
                " is not supported (only WordPiece)");
  }
  if (model.contains("continuing_subword_prefix") && model["continuing_subword_prefix"] != "##") {
    throw Error(name + ": model.continuing_subword_prefix must be \"##\"");
  }
  WordPieceConfig config;
  if (model.contains("unk_token"))
    config.unkToken = tokenContent(model["unk_token"], name, "model.unk_token");
  if (model.contains("max_input_chars_per_word")) {
    const auto& v = model["max_input_chars_per_word"];
    if (!v.is_number_unsigned() || v.get<uint64_t>() > 1'000'000) {
      throw Error(name + ": model.max_input_chars_per_word must be a whole number <= 1000000");
    }
    config.maxInputCharsPerWord = v.get<int>();
  }
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    const nlohmann::json& normalizer = j["normalizer"];
    if (typeOf(normalizer) != "BertNormalizer") {
      throw Error(name + ": normalizer " + normalizer.dump() +
                  " is not supported (only BertNormalizer)");
    }
    if (normalizer.contains("lowercase"))
      config.doLowerCase = boolValue(normalizer["lowercase"], name, "normalizer.lowercase");
    if (normalizer.contains("strip_accents") && !normalizer["strip_accents"].is_null())
      config.stripAccents =
          boolValue(normalizer["strip_accents"], name, "normalizer.strip_accents");
    if (normalizer.contains("handle_chinese_chars")) {
      config.tokenizeChineseChars =
          boolValue(normalizer["handle_chinese_chars"], name, "normalizer.handle_chinese_chars");
    }
  }
  if (j.contains("pre_tokenizer") && !j["pre_tokenizer"].is_null() &&
      typeOf(j["pre_tokenizer"]) != "BertPreTokenizer") {
    throw Error(name + ": pre_tokenizer " + j["pre_tokenizer"].dump() +
                " is not supported (only BertPreTokenizer)");
  }
  const nlohmann::json& vocab = object(model, "vocab");
  std::vector<std::string> tokens(vocab.size());
  std::vector<bool> seen(vocab.size(), false);
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_unsigned() || id.get<uint64_t>() >= tokens.size() ||
        seen[id.get<std::size_t>()]) {
      throw Error(name + ": model.vocab[\"" + token + "\"] = " + id.dump() +
                  ": ids must be distinct whole numbers below the vocabulary's size " +
                  std::to_string(tokens.size()));
    }
    if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
      throw Error(name + ": model.vocab entry " + nlohmann::json(token).dump() +
                  " is empty or holds a line break");
    }
    seen[id.get<std::size_t>()] = true;
    tokens[id.get<std::size_t>()] = token;
  }
  std::string vocabText;
  for (const std::string& token : tokens) vocabText.append(token).push_back('\n');
  if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
    if (!j["added_tokens"].is_array()) throw Error(name + ": \"added_tokens\" must be a list");
    for (const auto& added : j["added_tokens"]) {
      if (!added.is_object() || !added.contains("id") || !added["id"].is_number_unsigned()) {
        throw Error(name + ": added_tokens entry " + added.dump() + " has no whole-number id");
      }
      config.addedTokens.emplace_back(jsonNumber<int32_t>(added["id"], name + ": added_tokens id"),
                                      tokenContent(added, name, "added_tokens"));
    }
  }
  return {std::move(vocabText), std::move(config)};
}

WordPieceTokenizer loadFromPath(const std::string& path) {
  const fs::path p(path);
  if (fs::is_directory(p)) {
    const fs::path vocab = p / "vocab.txt";
    if (fs::exists(vocab)) {
      return WordPieceTokenizer::fromVocabText(
          readFile(vocab), WordPieceConfig::fromDirectory(path), vocab.string());
    }
    const fs::path fast = p / "tokenizer.json";
    if (!fs::exists(fast)) throw Error(path + " has no vocab.txt or tokenizer.json");
    // Like the fast tokenizer: tokenizer.json first, then tokenizer_config.json and
    // special_tokens_map.json override its settings.
    auto [vocabText, config] = readTokenizerJson(fast);
    WordPieceConfig::applyDirectory(path, config);
    return WordPieceTokenizer::fromVocabText(vocabText, std::move(config), fast.string());
  }
  if (!fs::exists(p)) throw Error(path + ": no such file or directory");
  return WordPieceTokenizer::fromVocabText(readFile(p), WordPieceConfig{}, path);
}
}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const std::string& path)
    : WordPieceTokenizer(loadFromPath(path)) {}

WordPieceTokenizer::WordPieceTokenizer(const std::string& vocabFile, WordPieceConfig config)
    : WordPieceTokenizer(fromVocabText(readFile(vocabFile), std::move(config), vocabFile)) {}

WordPieceTokenizer::WordPieceTokenizer(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer& WordPieceTokenizer::operator=(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer::~WordPieceTokenizer() = default;

WordPieceEncoding WordPieceTokenizer::encode(std::string_view text,
                                             const WordPieceEncodeOptions& options) const {
  WordPieceEncoding out;
  encode(text, out, options);
  return out;
}

void WordPieceTokenizer::encode(std::string_view text, WordPieceEncoding& out,
                                const WordPieceEncodeOptions& options) const {
  const Impl& m = *impl_;
  out.clear();
  const std::size_t reserved = options.addSpecialTokens ? 2 : 0;
  std::size_t limit = kNone;
  if (options.maxLength > 0) {
    if (options.maxLength < std::max<std::size_t>(reserved, 1)) {
      throw Error("max length " + std::to_string(options.maxLength) +
                  " is too small: [CLS] and [SEP] alone take 2");
    }
    limit = options.maxLength - reserved;
  }
  if (options.addSpecialTokens) Collector{&out, kNone}.push(m.cls, m.config.clsToken, {});
  Collector c{&out, limit};
  m.run(text, options.invalidUtf8, c);
  if (options.addSpecialTokens) Collector{&out, kNone}.push(m.sep, m.config.sepToken, {});
  if (options.padToMaxLength) {
    while (out.ids.size() < options.maxLength) {
      out.ids.push_back(m.pad);
      out.tokens.push_back(m.config.padToken);
      out.attentionMask.push_back(0);
      out.offsets.push_back({});
    }
  }
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text,
                                                      InvalidUtf8 invalidUtf8) const {
  WordPieceEncodeOptions options;
  options.addSpecialTokens = false;
  options.invalidUtf8 = invalidUtf8;
  return encode(text, options).tokens;
}

std::optional<int32_t> WordPieceTokenizer::findToken(std::string_view token) const {
  return impl_->find(token);
}

int32_t WordPieceTokenizer::tokenToId(std::string_view token) const {
  return impl_->find(token).value_or(impl_->unk);
}

std::string WordPieceTokenizer::idToToken(int32_t id) const {
  const Impl& m = *impl_;
  if (const auto it = m.addedById.find(id); it != m.addedById.end()) return it->second;
  if (id >= 0 && static_cast<std::size_t>(id) < m.vocabLines) {
    return std::string(m.vocabToken(id));
  }
  return m.config.unkToken;
}

std::vector<int32_t> WordPieceTokenizer::convertTokensToIds(
    const std::vector<std::string>& tokens) const {
  std::vector<int32_t> ids;
  ids.reserve(tokens.size());
  for (const std::string& t : tokens) ids.push_back(tokenToId(t));
  return ids;
}

std::vector<std::string> WordPieceTokenizer::convertIdsToTokens(const std::vector<int32_t>& ids,
                                                                bool skipSpecialTokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (skipSpecialTokens && isSpecialId(id)) continue;
    tokens.push_back(idToToken(id));
  }
  return tokens;
}

std::string WordPieceTokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecialTokens,
                                       bool cleanUpTokenizationSpaces) const {
  std::string text;
  const std::vector<std::string> tokens = convertIdsToTokens(ids, skipSpecialTokens);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) text += ' ';
    text += tokens[i];
  }
  // " ".join(tokens).replace(" ##", "").strip()
  std::string joined;
  joined.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, " ##") == 0) {
      i += 2;
      continue;
    }
    joined += text[i];
  }
  const auto isSpace = [](char ch) { return ch == ' ' || (ch >= '\t' && ch <= '\r'); };
  std::size_t b = 0;
  std::size_t e = joined.size();
  while (b < e && isSpace(joined[b])) ++b;
  while (e > b && isSpace(joined[e - 1])) --e;
  joined = joined.substr(b, e - b);
  return cleanUpTokenizationSpaces ? cleanUpTokenization(std::move(joined)) : joined;
}

int32_t WordPieceTokenizer::clsId() const {
  return impl_->cls;
}
int32_t WordPieceTokenizer::sepId() const {
  return impl_->sep;
}
int32_t WordPieceTokenizer::padId() const {
  return impl_->pad;
}
int32_t WordPieceTokenizer::unkId() const {
  return impl_->unk;
}
int32_t WordPieceTokenizer::maskId() const {
  return impl_->mask;
}
bool WordPieceTokenizer::isSpecialId(int32_t id) const {
  return std::binary_search(impl_->specialIds.begin(), impl_->specialIds.end(), id);
}
std::size_t WordPieceTokenizer::vocabSize() const {
  return impl_->vocabLines;
}
std::size_t WordPieceTokenizer::size() const {
  return impl_->totalSize;
}
const WordPieceConfig& WordPieceTokenizer::config() const {
  return impl_->config;
}
const std::string& WordPieceTokenizer::name() const {
  return impl_->name;
}
void WordPieceTokenizer::setAsciiFastPath(bool enabled) {
  impl_->asciiFastPath = enabled;
}

}  // namespace crisp
