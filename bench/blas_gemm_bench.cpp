// GEMM throughput on the BLAS LibTorch actually loaded, at 1 and 2 threads (hazard B, C).
// Run it twice to compare BLAS implementations side by side:
//   build/release/bin/bench_blas_gemm
//   LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas build/release/bin/bench_blas_gemm
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "core/sys/runtime_info.h"

namespace {

void BM_Gemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  at::set_num_threads(static_cast<int>(state.range(1)));
  const at::Tensor a = at::rand({n, n});
  const at::Tensor b = at::rand({n, n});
  at::Tensor c = at::matmul(a, b);
  for (auto _ : state) {
    at::matmul_out(c, a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * static_cast<double>(n),
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.counters["GFLOP/s"] = state.counters["GFLOP/s"].value / 1e9;
  state.SetLabel(crisp::describe(crisp::loadedBlas().kind));
}

BENCHMARK(BM_Gemm)->ArgsProduct({{256, 1024}, {1, 2}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
