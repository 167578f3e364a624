#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace crisp::data {

// A private, seeded generator: results depend on (seed, stream) only, never on global RNG
// state, and are the same with every standard library (std::mt19937_64 is fully specified;
// std::shuffle and the std distributions are not, so they are not used).
class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0) : engine_(mix(seed, stream)) {}

  // SplitMix64-style mixing of a seed and a stream (e.g. the epoch): nearby inputs give
  // unrelated engine seeds.
  static uint64_t mix(uint64_t seed, uint64_t stream) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  uint64_t next() { return engine_(); }

  // Uniform in [0, n), without modulo bias. n must be > 0.
  uint64_t below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    uint64_t x = engine_();
    while (x < threshold) x = engine_();
    return x % n;
  }

  // True with probability numerator / denominator.
  bool chance(uint64_t numerator, uint64_t denominator) { return below(denominator) < numerator; }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(below(items.size()))];
  }

  // Fisher-Yates.
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      const auto j = static_cast<size_t>(below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace crisp::data
