#include "core/analysis/attention_stats.h"

#include <cmath>
#include <cstddef>

namespace crisp::analysis {
namespace {

size_t cells(int length) {
  return static_cast<size_t>(length) * static_cast<size_t>(length);
}

}  // namespace

double rowEntropy(const float* row, int length) {
  double h = 0;
  for (int k = 0; k < length; ++k) {
    const double p = row[k];
    if (p > 0) h -= p * std::log(p);
  }
  return h;
}

HeadStatistics headStatistics(const float* matrix, int length) {
  HeadStatistics s;
  if (length <= 0) return s;
  size_t kept = 0;
  for (int q = 0; q < length; ++q) {
    const float* row = matrix + static_cast<size_t>(q) * length;
    s.entropy += rowEntropy(row, length);
    s.diagonalMass += row[q];
    for (int k = 0; k < length; ++k) kept += row[k] > 0 ? 1 : 0;
  }
  s.entropy /= length;
  s.diagonalMass /= length;
  s.keptFraction = static_cast<double>(kept) / static_cast<double>(cells(length));
  return s;
}

std::vector<HeadStatistics> allHeadStatistics(const float* maps, int layers, int heads,
                                              int length) {
  std::vector<HeadStatistics> out;
  out.reserve(static_cast<size_t>(layers) * heads);
  for (int m = 0; m < layers * heads; ++m) {
    out.push_back(headStatistics(maps + static_cast<size_t>(m) * cells(length), length));
  }
  return out;
}

std::vector<float> meanOverHeads(const float* layerMaps, int heads, int length) {
  std::vector<double> sum(cells(length), 0.0);
  for (int h = 0; h < heads; ++h) {
    const float* map = layerMaps + static_cast<size_t>(h) * cells(length);
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += map[i];
  }
  std::vector<float> mean(sum.size());
  for (size_t i = 0; i < sum.size(); ++i) mean[i] = static_cast<float>(sum[i] / heads);
  return mean;
}

std::vector<float> attentionRollout(const float* maps, int layers, int heads, int length,
                                    int upToLayer) {
  const size_t n = static_cast<size_t>(length);
  const int last = upToLayer < 0 || upToLayer >= layers ? layers - 1 : upToLayer;
  // Accumulate in double: a product of many near-stochastic matrices drifts in float.
  std::vector<double> rollout(cells(length), 0.0), a(cells(length)), next(cells(length));
  for (size_t i = 0; i < n; ++i) rollout[i * n + i] = 1.0;
  for (int l = 0; l <= last; ++l) {
    const std::vector<float> mean =
        meanOverHeads(maps + static_cast<size_t>(l) * heads * cells(length), heads, length);
    for (size_t q = 0; q < n; ++q) {
      double rowSum = 0;
      for (size_t k = 0; k < n; ++k) {
        a[q * n + k] = 0.5 * mean[q * n + k] + (q == k ? 0.5 : 0.0);
        rowSum += a[q * n + k];
      }
      for (size_t k = 0; k < n; ++k) a[q * n + k] /= rowSum;
    }
    for (size_t q = 0; q < n; ++q) {
      for (size_t k = 0; k < n; ++k) {
        double v = 0;
        for (size_t j = 0; j < n; ++j) v += a[q * n + j] * rollout[j * n + k];
        next[q * n + k] = v;
      }
    }
    rollout.swap(next);
  }
  return std::vector<float>(rollout.begin(), rollout.end());
}

}  // namespace crisp::analysis
