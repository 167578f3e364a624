// All-reduce cost per training step for a model's gradients, with N local Gloo ranks
// (docs/BENCHMARKS.md): the GradientSynchronizer the trainer uses (core/dist), on gradients of
// a preset's shapes (distilbert-base: 66.4 M parameters, 265 MB of float32), per bucket size.
//   bench_allreduce [--nproc 2] [--preset distilbert-base] [--steps 10] [--buckets 1,25,100,0]
// (bucket sizes in MB; 0: every gradient on its own). Starts its ranks itself, as crisp train
// --nproc does; rank 0 prints the figures. Checks the sums too.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/dist/c10d_synchronizer.h"
#include "core/dist/launch.h"
#include "core/model/classifier.h"
#include "core/model/config.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<double> parseList(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stod(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int nproc = 2, steps = 10;
  std::string preset = "distilbert-base", bucketList = "1,25,100,0";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--nproc")
      nproc = std::stoi(value);
    else if (flag == "--steps")
      steps = std::stoi(value);
    else if (flag == "--preset")
      preset = value;
    else if (flag == "--buckets")
      bucketList = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    if (!std::getenv("WORLD_SIZE")) {
      const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
      return crisp::dist::launchLocalRanks(self, std::vector<std::string>(argv + 1, argv + argc),
                                           nproc, 60);
    }
    at::set_num_threads(1);  // the ranks share the machine; Gloo has its own threads
    auto env = crisp::dist::LaunchEnvironment::fromEnvironment();
    crisp::dist::C10dSynchronizer sync(*env, std::chrono::seconds(120));
    auto model = crisp::makeClassifier(crisp::ModelConfig::preset(preset, 30522));
    std::vector<at::Tensor> parameters;
    int64_t count = 0;
    for (const auto& p : model->parameters()) {
      parameters.push_back(p);
      count += p.numel();
    }
    const double bytes = 4.0 * static_cast<double>(count);
    if (env->rank == 0) {
      std::printf(
          "all-reduce of %s gradients: %.1f M parameters (%.0f MB float32), %zu tensors, "
          "%d ranks on this machine (Gloo over TCP loopback), %d steps each\n",
          preset.c_str(), count / 1e6, bytes / 1e6, parameters.size(), env->worldSize, steps);
      std::printf("%-10s %10s %10s %10s %14s\n", "bucket", "mean ms", "min ms", "max ms",
                  "busbw GB/s");
    }
    const float expected = static_cast<float>(env->worldSize * (env->worldSize + 1) / 2);
    for (const double mb : parseList(bucketList)) {
      sync.setBucketBytes(mb > 0 ? static_cast<int64_t>(mb * (1 << 20)) : 1);
      std::vector<double> times;
      for (int s = -2; s < steps; ++s) {  // two warm-up steps
        for (auto& p : parameters) p.mutable_grad() = at::full_like(p, env->rank + 1.0);
        const auto start = Clock::now();
        sync.synchronize(parameters);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (s >= 0) times.push_back(ms);
        for (const auto& p : parameters) {
          if (p.grad().max().item<float>() != expected ||
              p.grad().min().item<float>() != expected) {
            std::fprintf(stderr, "rank %d: wrong sum\n", env->rank);
            return 1;
          }
        }
      }
      double mean = 0;
      for (double t : times) mean += t;
      mean /= static_cast<double>(times.size());
      const double busFactor = 2.0 * (env->worldSize - 1) / env->worldSize;
      if (env->rank == 0) {
        const std::string name =
            mb > 0 ? std::to_string(static_cast<int>(mb)) + " MB" : "per tensor";
        std::printf("%-10s %10.1f %10.1f %10.1f %14.2f\n", name.c_str(), mean,
                    *std::min_element(times.begin(), times.end()),
                    *std::max_element(times.begin(), times.end()),
                    bytes * busFactor / (mean / 1e3) / 1e9);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_allreduce: %s\n", e.what());
    return 1;
  }
  return 0;
}
