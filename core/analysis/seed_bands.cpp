#include "core/analysis/seed_bands.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace crisp {
namespace {

// The curve's value at x by linear interpolation; false outside its x range.
bool valueAt(const SeedCurve& curve, double x, double& value) {
  if (curve.x.empty() || x < curve.x.front() || x > curve.x.back()) return false;
  const auto it = std::lower_bound(curve.x.begin(), curve.x.end(), x);
  const auto i = static_cast<size_t>(it - curve.x.begin());
  if (*it == x || i == 0) {
    value = curve.y[i];
    return true;
  }
  const double x0 = curve.x[i - 1], x1 = curve.x[i];
  const double t = (x - x0) / (x1 - x0);
  value = curve.y[i - 1] + t * (curve.y[i] - curve.y[i - 1]);
  return true;
}

}  // namespace

std::vector<BandPoint> seedBand(const std::vector<SeedCurve>& curves) {
  std::vector<double> xs;
  for (const SeedCurve& curve : curves) {
    if (curve.x.size() != curve.y.size())
      throw std::invalid_argument("seedBand: a curve's x and y differ in length");
    if (!std::is_sorted(curve.x.begin(), curve.x.end()))
      throw std::invalid_argument("seedBand: a curve's x is not ascending");
    xs.insert(xs.end(), curve.x.begin(), curve.x.end());
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());

  std::vector<BandPoint> band;
  band.reserve(xs.size());
  std::vector<double> values;
  for (const double x : xs) {
    values.clear();
    for (const SeedCurve& curve : curves) {
      double v = 0;
      if (valueAt(curve, x, v)) values.push_back(v);
    }
    if (values.empty()) continue;
    BandPoint p;
    p.x = x;
    p.n = static_cast<int>(values.size());
    double sum = 0;
    for (const double v : values) sum += v;
    p.mean = sum / p.n;
    double squares = 0;
    for (const double v : values) squares += (v - p.mean) * (v - p.mean);
    p.sd = p.n > 1 ? std::sqrt(squares / (p.n - 1)) : 0.0;
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    p.min = *low;
    p.max = *high;
    band.push_back(p);
  }
  return band;
}

}  // namespace crisp
