#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crisp {

// The learning curves of one run, read from its metrics.jsonl: what a plot of several runs needs.
struct CurvePoint {
  int64_t step = 0;
  double epoch = 0, seconds = 0;  // the three possible x axes
  double loss = 0;
  double accuracy = -1;  // dev records only
};

struct RunCurves {
  std::string path, name, policy;
  uint64_t seed = 0;
  std::vector<CurvePoint> train, dev;
  bool isDense() const;  // the baseline: no pruning or mask at all
};

// Reads a run directory's config.json (name, policy) and metrics.jsonl. A run resumed after a
// crash may repeat steps: a later record replaces an earlier one of the same step, so each curve
// is strictly increasing in step. Throws crisp::Error if the run has no readable config.json.
RunCurves readRunCurves(const std::string& path);

// Debiased exponential moving average (TensorBoard's): s_t = w s_{t-1} + (1-w) x_t divided by
// 1 - w^t, so the first values are not pulled towards zero. weight in [0, 1).
std::vector<double> emaDebiased(const std::vector<double>& values, double weight);
// Trailing moving average over the last `window` values (fewer at the start); window >= 1.
std::vector<double> movingAverage(const std::vector<double>& values, int window);

}  // namespace crisp
