#include "core/train/run_curves.h"

#include <algorithm>
#include <filesystem>

#include "core/train/run_directory.h"

namespace crisp {
namespace {

// Keeps the last record of each step, in step order (a resumed run re-writes steps after the
// checkpoint it resumed from only if metrics were not truncated; be robust either way).
void keepLastPerStep(std::vector<CurvePoint>& points) {
  std::stable_sort(points.begin(), points.end(),
                   [](const CurvePoint& a, const CurvePoint& b) { return a.step < b.step; });
  std::vector<CurvePoint> unique;
  for (const CurvePoint& p : points) {
    if (!unique.empty() && unique.back().step == p.step) {
      unique.back() = p;
    } else {
      unique.push_back(p);
    }
  }
  points.swap(unique);
}

}  // namespace

bool RunCurves::isDense() const {
  return policy.empty() || policy == "dense";
}

RunCurves readRunCurves(const std::string& path) {
  const RunSummary summary = summarizeRun(path);  // throws without a readable config.json
  RunCurves curves;
  curves.path = path;
  curves.name =
      summary.name.empty() ? std::filesystem::path(path).filename().string() : summary.name;
  curves.policy = summary.policy;
  curves.seed = summary.seed;
  for (const nlohmann::json& r : RunDirectory(path).readMetrics()) {
    const std::string type = r.value("type", "");
    if (type != "train" && type != "eval") continue;
    CurvePoint p;
    p.step = r.value("step", int64_t{0});
    p.epoch = r.value("epoch", 0.0);
    p.seconds = r.value("time", 0.0);
    p.loss = r.value("loss", 0.0);
    if (type == "eval") {
      p.accuracy = r.value("accuracy", 0.0);
      curves.dev.push_back(p);
    } else {
      curves.train.push_back(p);
    }
  }
  keepLastPerStep(curves.train);
  keepLastPerStep(curves.dev);
  return curves;
}

std::vector<double> emaDebiased(const std::vector<double>& values, double weight) {
  weight = std::clamp(weight, 0.0, 0.999999);
  std::vector<double> out;
  out.reserve(values.size());
  double ema = 0, bias = 1;
  for (double v : values) {
    ema = weight * ema + (1 - weight) * v;
    bias *= weight;
    out.push_back(bias < 1 ? ema / (1 - bias) : v);
  }
  return out;
}

std::vector<double> movingAverage(const std::vector<double>& values, int window) {
  window = std::max(window, 1);
  std::vector<double> out;
  out.reserve(values.size());
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= static_cast<size_t>(window)) sum -= values[i - window];
    out.push_back(sum / static_cast<double>(std::min(i + 1, static_cast<size_t>(window))));
  }
  return out;
}

}  // namespace crisp
