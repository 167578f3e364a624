#pragma once

// Statistics and aggregations of attention maps, on plain float arrays (no LibTorch, no Qt), so
// the studio can compute them on the values its frames carry. Layout everywhere: row-major,
// maps[layer][head][query][key]; each query row is a probability distribution over keys.

#include <vector>

namespace crisp::analysis {

// One head's attention matrix [T, T], summarised over its query rows.
struct HeadStatistics {
  double entropy = 0;       // mean over rows of -sum p log p, in nats (0 log 0 = 0)
  double keptFraction = 0;  // fraction of (query, key) entries with p > 0
  double diagonalMass = 0;  // mean over rows of p[i][i]: attention of a token to itself
};

// Entropy of one row, in nats; entries <= 0 contribute nothing.
double rowEntropy(const float* row, int length);

HeadStatistics headStatistics(const float* matrix, int length);

// One HeadStatistics per (layer, head), layer-major.
std::vector<HeadStatistics> allHeadStatistics(const float* maps, int layers, int heads, int length);

// The mean over heads of one layer's maps [heads, T, T] -> [T, T].
std::vector<float> meanOverHeads(const float* layerMaps, int heads, int length);

// Attention rollout (Abnar & Zuidema 2020) over layers 0..upToLayer: per layer
// A = 0.5 * mean over heads + 0.5 * I with rows renormalised, multiplied from the first layer
// up (R = A_l ... A_1). Returns [T, T]; row 0 is what [CLS] gathers from each input token.
// The same computation as crisp::attentionRollout (core/train/predictor.h) on tensors.
std::vector<float> attentionRollout(const float* maps, int layers, int heads, int length,
                                    int upToLayer = -1);

}  // namespace crisp::analysis
