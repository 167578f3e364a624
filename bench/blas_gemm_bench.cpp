// GEMM throughput: LibTorch's matmul on the BLAS it loaded, against Debian's reference BLAS
// called directly (loaded in a private link namespace), measured side by side in one run
// (docs/ARCHITECTURE.md, "Platform hazards").
//   build/release/bin/bench_blas_gemm [n=1024] [repeats=5]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "core/sys/runtime_info.h"

namespace {

using Sgemm = void (*)(const char*, const char*, const int*, const int*, const int*, const float*,
                       const float*, const int*, const float*, const int*, const float*, float*,
                       const int*);

double medianSeconds(const std::function<void()>& run, int repeats) {
  run();  // warm-up
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

Sgemm referenceSgemm() {
  const char* path = "/usr/lib/" CRISP_LIBRARY_ARCHITECTURE "/blas/libblas.so.3";
  void* lib = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return nullptr;
  return reinterpret_cast<Sgemm>(dlsym(lib, "sgemm_"));
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1024;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const double flops = 2.0 * n * n * static_cast<double>(n);
  const at::Tensor a = at::rand({n, n});
  const at::Tensor b = at::rand({n, n});
  at::Tensor c = at::empty({n, n});

  const crisp::BlasInfo blas = crisp::loadedBlas();
  std::printf("GEMM %dx%d float, median of %d\nLibTorch's BLAS: %s (%s)\n\n", n, n, repeats,
              crisp::describe(blas.kind).c_str(), blas.library.c_str());
  std::printf("%-36s %8s %10s\n", "implementation", "threads", "GFLOP/s");

  double loaded1 = 0;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    const double s = medianSeconds([&] { at::matmul_out(c, a, b); }, repeats);
    if (threads == 1) loaded1 = flops / s / 1e9;
    std::printf("%-36s %8d %10.1f\n", "at::matmul (loaded BLAS)", threads, flops / s / 1e9);
  }

  Sgemm sgemm = referenceSgemm();
  if (sgemm == nullptr) {
    std::printf("reference BLAS not installed (libblas3): no peer to compare\n");
    return 0;
  }
  const float one = 1.0f, zero = 0.0f;
  const double s = medianSeconds(
      [&] {
        sgemm("N", "N", &n, &n, &n, &one, b.data_ptr<float>(), &n, a.data_ptr<float>(), &n, &zero,
              c.data_ptr<float>(), &n);
      },
      std::max(1, repeats / 2));
  const double reference = flops / s / 1e9;
  std::printf("%-36s %8d %10.1f\n", "reference sgemm_ (netlib, direct)", 1, reference);
  std::printf("\nratio loaded/reference, one thread: %.1fx\n", loaded1 / reference);
  return 0;
}
