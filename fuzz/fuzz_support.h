#pragma once
// Shared by the libFuzzer targets. The contract each target checks: for any input, a parser
// either returns a value that satisfies the target's invariants or throws crisp::Error (the
// documented rejection, core/sys/error.h; InputError derives from it). Any other exception
// escapes LLVMFuzzerTestOneInput and aborts, so libFuzzer reports it like a crash or a
// sanitizer report.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace crisp::fuzz {

// A broken invariant of an accepted input: abort, which libFuzzer records as a crash, naming
// the check that failed (the stack trace alone does not, inlined).
inline void require(bool condition, const char* file = __builtin_FILE(),
                    int line = __builtin_LINE()) {
  if (condition) return;
  std::fprintf(stderr, "crisp fuzz: invariant broken at %s:%d\n", file, line);
  std::abort();
}

// How inputs ended, for docs/RELIABILITY.md: with CRISP_FUZZ_TALLY set in the environment, a
// run over a corpus (`TARGET_fuzzer -runs=0 DIR`) prints how many were accepted and how many
// refused with crisp::Error.
inline void tally(bool accepted) {
  static const bool enabled = std::getenv("CRISP_FUZZ_TALLY") != nullptr;
  static size_t counts[2] = {0, 0};
  if (!enabled) return;
  static const bool registered =
      std::atexit([] {
        std::fprintf(stderr, "crisp fuzz: %zu accepted, %zu refused with crisp::Error\n", counts[1],
                     counts[0]);
      }) == 0;
  (void)registered;
  ++counts[accepted ? 1 : 0];
}

inline std::string_view bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// One scratch directory per fuzzing process, for parsers whose entry point takes a path (the
// path-based entry points are what `crisp` calls, so they are what is worth fuzzing).
inline const std::filesystem::path& scratchDirectory() {
  static const std::filesystem::path directory = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "crisp-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("crisp fuzz: mkdtemp");
      std::abort();
    }
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratchDirectory(), ignored);
    });
    return std::filesystem::path(pattern);
  }();
  return directory;
}

// Writes `content` to NAME in the scratch directory (replacing it) and returns its path.
inline std::string writeScratchFile(const std::string& name, std::string_view content) {
  const std::string path = (scratchDirectory() / name).string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(content.data(), 1, content.size(), file) != content.size() ||
      std::fclose(file) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace crisp::fuzz
