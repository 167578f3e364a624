#pragma once

// Curves of one configuration's seeds summarised point by point, as W&B's run grouping draws
// them: the mean with a band of one sample standard deviation or of the range (min to max).
// Pure numerics: no Qt, no LibTorch.

#include <vector>

namespace crisp {

// One seed's curve: x ascending (steps, epochs or seconds), y its values.
struct SeedCurve {
  std::vector<double> x, y;
};

struct BandPoint {
  double x = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); 0 when n == 1
  double min = 0, max = 0;
  int n = 0;  // seeds with a value at x
};

// At every x of any curve (their union, ascending), the seeds whose x range covers it: a seed
// with a point there gives that value, one between two of its points the linear interpolation
// (so seeds logged at slightly different steps still line up), one that ended earlier or starts
// later gives nothing (runs of unequal length: the band narrows to the seeds still running).
// Curves with no points are ignored; x values not ascending throw std::invalid_argument.
std::vector<BandPoint> seedBand(const std::vector<SeedCurve>& curves);

}  // namespace crisp
