// WordPiece throughput on SST-2 train, one thread: crisp::WordPieceTokenizer against two peers
// measured in the same run: the same tokenizer with its ASCII fast path off, and a naive
// line-by-line port of transformers' BertTokenizer (std::map vocabulary, std::string per
// word, utf8proc for every character). All three must produce the same ids.
//   build/release/bin/bench_wordpiece [train.tsv] [vocab dir] [passes=5]
#include <utf8proc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/sys/utf8.h"
#include "core/text/unicode_text.h"
#include "core/text/wordpiece.h"

namespace {

// The textbook port: each step of tokenization_bert.py on whole strings.
class NaiveBert {
 public:
  explicit NaiveBert(const std::string& vocabFile) {
    std::ifstream in(vocabFile);
    std::string line;
    int id = 0;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      vocab_[line] = id++;
    }
  }

  std::vector<int32_t> encode(const std::string& text) const {
    std::vector<int32_t> ids = {vocab_.at("[CLS]")};
    for (const std::string& word : basicTokenize(text)) wordpiece(word, ids);
    ids.push_back(vocab_.at("[SEP]"));
    return ids;
  }

 private:
  static std::u32string decode(const std::string& s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
      const crisp::Utf8CodePoint d = crisp::decodeUtf8(s, i);
      out.push_back(d.length ? d.cp : 0xFFFD);
      i += d.length ? static_cast<std::size_t>(d.length) : 1;
    }
    return out;
  }
  static std::string encodeUtf8(const std::u32string& s) {
    std::string out;
    for (char32_t c : s) crisp::appendUtf8(out, c);
    return out;
  }
  static std::string mapWith(const std::string& s, int options) {
    utf8proc_uint8_t* result = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                            static_cast<utf8proc_ssize_t>(s.size()), &result,
                                            static_cast<utf8proc_option_t>(options));
    std::string out = n >= 0 ? std::string(reinterpret_cast<char*>(result), n) : s;
    std::free(result);
    return out;
  }
  static std::vector<std::u32string> split(const std::u32string& s) {
    std::vector<std::u32string> out;
    std::u32string current;
    for (char32_t c : s) {
      if (crisp::unicode::isHfWhitespace(c) || crisp::unicode::isLineOrParagraphSeparator(c)) {
        if (!current.empty()) out.push_back(current);
        current.clear();
      } else {
        current.push_back(c);
      }
    }
    if (!current.empty()) out.push_back(current);
    return out;
  }

  std::vector<std::string> basicTokenize(const std::string& text) const {
    std::u32string cleaned;
    for (char32_t c : decode(text)) {
      const char32_t lowered = c == 0x130 ? c : static_cast<char32_t>(utf8proc_tolower(c));
      if (c == 0 || c == 0xFFFD || crisp::unicode::isHfControl(c)) continue;
      if (crisp::unicode::isHfWhitespace(c)) {
        cleaned.push_back(U' ');
      } else if (crisp::unicode::isChineseChar(c)) {
        cleaned += U' ';
        cleaned.push_back(c);
        cleaned += U' ';
      } else if (c == 0x130) {
        cleaned += U"i\u0307";
      } else {
        cleaned.push_back(lowered);
      }
    }
    const std::u32string nfc =
        decode(mapWith(encodeUtf8(cleaned), UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    std::vector<std::string> words;
    for (const std::u32string& token : split(nfc)) {
      std::u32string lower;
      for (char32_t c : token) {
        if (c == 0x130) {
          lower += U"i\u0307";
        } else {
          lower.push_back(
              static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
        }
      }
      std::u32string stripped;
      for (char32_t c : decode(mapWith(encodeUtf8(lower), UTF8PROC_STABLE | UTF8PROC_DECOMPOSE))) {
        if (!crisp::unicode::isNonspacingMark(c)) stripped.push_back(c);
      }
      std::u32string current;
      for (char32_t c : stripped) {
        if (crisp::unicode::isHfPunctuation(c)) {
          if (!current.empty()) words.push_back(encodeUtf8(current));
          current.clear();
          words.push_back(encodeUtf8(std::u32string(1, c)));
        } else {
          current.push_back(c);
        }
      }
      if (!current.empty()) words.push_back(encodeUtf8(current));
    }
    return words;
  }

  void wordpiece(const std::string& word, std::vector<int32_t>& ids) const {
    const std::u32string chars = decode(word);
    if (chars.size() > 100) {
      ids.push_back(vocab_.at("[UNK]"));
      return;
    }
    std::vector<int32_t> pieces;
    std::size_t start = 0;
    while (start < chars.size()) {
      std::size_t end = chars.size();
      int32_t found = -1;
      while (start < end) {
        std::string piece = encodeUtf8(chars.substr(start, end - start));
        if (start > 0) piece = "##" + piece;
        const auto it = vocab_.find(piece);
        if (it != vocab_.end()) {
          found = it->second;
          break;
        }
        --end;
      }
      if (found < 0) {
        ids.push_back(vocab_.at("[UNK]"));
        return;
      }
      pieces.push_back(found);
      start = end;
    }
    ids.insert(ids.end(), pieces.begin(), pieces.end());
  }

  std::map<std::string, int32_t> vocab_;
};

struct Result {
  double seconds = 0;  // median pass
  long tokens = 0;     // per pass, with [CLS]/[SEP]
};

Result measure(int passes, const std::function<long()>& pass) {
  Result r;
  r.tokens = pass();  // warm-up
  std::vector<double> times;
  for (int i = 0; i < passes; ++i) {
    const auto start = std::chrono::steady_clock::now();
    r.tokens = pass();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  r.seconds = times[times.size() / 2];
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string shared = CRISP_DEFAULT_SHARED_DIR;
  const std::string tsv = argc > 1 ? argv[1] : shared + "/data/sst2/train.tsv";
  const std::string vocabDir = argc > 2 ? argv[2] : shared + "/data/bert-base-uncased";
  const int passes = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;

  std::ifstream in(tsv, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "bench_wordpiece: cannot open %s\n", tsv.c_str());
    return 1;
  }
  std::vector<std::string> sentences;
  std::string line;
  std::getline(in, line);  // header: sentence\tlabel
  while (std::getline(in, line)) sentences.push_back(line.substr(0, line.rfind('\t')));

  crisp::WordPieceTokenizer fast(vocabDir);
  crisp::WordPieceTokenizer general(vocabDir);
  general.setAsciiFastPath(false);
  const NaiveBert naive(vocabDir + "/vocab.txt");

  // The three must agree before any timing means anything.
  std::size_t disagreements = 0;
  for (const std::string& s : sentences) {
    const std::vector<int32_t> ids = fast.encode(s).ids;
    if (ids != general.encode(s).ids || ids != naive.encode(s)) ++disagreements;
  }

  crisp::WordPieceEncoding reused;
  const auto runCrisp = [&](const crisp::WordPieceTokenizer& t) {
    return [&] {
      long tokens = 0;
      for (const std::string& s : sentences) {
        t.encode(s, reused);
        tokens += static_cast<long>(reused.size());
      }
      return tokens;
    };
  };
  const Result rFast = measure(passes, runCrisp(fast));
  const Result rFresh = measure(passes, [&] {
    long tokens = 0;
    for (const std::string& s : sentences) tokens += static_cast<long>(fast.encode(s).size());
    return tokens;
  });
  const Result rGeneral = measure(passes, runCrisp(general));
  const Result rNaive = measure(std::max(1, passes / 2), [&] {
    long tokens = 0;
    for (const std::string& s : sentences) tokens += static_cast<long>(naive.encode(s).size());
    return tokens;
  });

  const double n = static_cast<double>(sentences.size());
  std::printf("WordPiece (bert-base-uncased) on %s: %zu sentences, one thread, median of %d\n",
              tsv.c_str(), sentences.size(), passes);
  std::printf("ids identical across the three: %s (%zu sentences differ)\n\n",
              disagreements == 0 ? "yes" : "NO", disagreements);
  std::printf("%-44s %12s %12s %8s\n", "implementation", "sentences/s", "tokens/s", "ratio");
  const auto row = [&](const char* name, const Result& r) {
    std::printf("%-44s %12.0f %12.0f %7.1fx\n", name, n / r.seconds,
                static_cast<double>(r.tokens) / r.seconds, rNaive.seconds / r.seconds);
  };
  row("crisp WordPiece, reused output", rFast);
  row("crisp WordPiece, new output per sentence", rFresh);
  row("crisp WordPiece, ASCII fast path off", rGeneral);
  row("naive port (std::map, utf8proc per char)", rNaive);
  std::printf("\nfast path / fast path off: %.1fx\n", rGeneral.seconds / rFast.seconds);
  return disagreements == 0 ? 0 : 2;
}
