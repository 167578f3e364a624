#include "core/sys/runtime_info.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <dlfcn.h>
#include <link.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "core/sys/build_info.h"
#include "core/sys/device.h"
#include "core/sys/git_revision.h"
#include "core/sys/sentencepiece_shim.h"
#include "core/sys/threads.h"

namespace crisp {
namespace {

bool contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string realPath(const char* path) {
  char resolved[PATH_MAX];
  return ::realpath(path, resolved) != nullptr ? std::string(resolved) : std::string(path);
}

int findBlasObject(struct dl_phdr_info* info, size_t, void* out) {
  const char* name = info->dlpi_name;
  if (name == nullptr) return 0;
  const char* base = std::strrchr(name, '/');
  base = base ? base + 1 : name;
  if (std::strncmp(base, "libblas.so", 10) == 0) {
    *static_cast<std::string*>(out) = name;
    return 1;
  }
  return 0;
}

}  // namespace

BlasKind classifyBlasLibrary(const std::string& resolvedPath) {
  if (resolvedPath.empty()) return BlasKind::NotLoaded;
  if (contains(resolvedPath, "openblas")) return BlasKind::OpenBlas;
  if (contains(resolvedPath, "blis")) return BlasKind::Blis;
  if (contains(resolvedPath, "mkl")) return BlasKind::Mkl;
  if (contains(resolvedPath, "atlas")) return BlasKind::Atlas;
  // Debian's netlib reference implementation lives in .../blas/libblas.so.3.
  if (contains(resolvedPath, "/blas/libblas.so")) return BlasKind::Reference;
  return BlasKind::Unknown;
}

std::string describe(BlasKind kind) {
  switch (kind) {
    case BlasKind::OpenBlas: return "OpenBLAS";
    case BlasKind::Blis: return "BLIS";
    case BlasKind::Mkl: return "Intel MKL";
    case BlasKind::Atlas: return "ATLAS";
    case BlasKind::Reference: return "reference BLAS (netlib)";
    case BlasKind::Unknown: return "unrecognised BLAS";
    case BlasKind::NotLoaded: return "no BLAS loaded";
  }
  return "unknown";
}

BlasInfo loadedBlas() {
  BlasInfo info;
  std::string loaded;
  dl_iterate_phdr(findBlasObject, &loaded);
  if (loaded.empty()) return info;
  info.library = realPath(loaded.c_str());
  info.kind = classifyBlasLibrary(info.library);
  // OpenBLAS describes its own build (version, kernel, threading) through this symbol.
  using ConfigFn = char* (*)();
  if (auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    if (info.kind == BlasKind::OpenBlas) info.detail = config();
  }
  return info;
}

RuntimeInfo collectRuntimeInfo() {
  RuntimeInfo info;
  info.crispVersion = build_info::kVersion;
  info.gitRevision = build_info::kGitRevision;
  info.buildType = build_info::kBuildType;
  info.compiler = build_info::kCompiler;
  info.torchVersion = TORCH_VERSION;
  info.qtVersion = build_info::kQtVersion;
  info.qcustomplotVersion = build_info::kQCustomPlotVersion;
  info.sentencePieceVersion = build_info::kSentencePieceVersion;
  try {
    info.sentencePieceShim = sentencePieceShimPath();
    info.sentencePieceLoaded = true;
  } catch (const std::exception& e) {
    info.sentencePieceShim = e.what();
    info.warnings.push_back(std::string("SentencePiece is unavailable: ") + e.what());
  }
  info.blas = loadedBlas();
  // The PyPI wheel's LibTorch (the `cuda` preset) carries MKL linked in: no BLAS library is
  // loaded, yet its GEMMs are fast. Only with neither is the slow fallback real.
  if (info.blas.kind == BlasKind::NotLoaded && at::hasMKL()) {
    info.blas.kind = BlasKind::Mkl;
    info.blas.library = "linked into LibTorch";
  }
  info.torchHasCuda = torchHasCuda();
  info.devices = availableDevices();
  info.threads = currentThreadCount();
  info.machineCores = machineCores();

  switch (info.blas.kind) {
    case BlasKind::Reference:
      info.warnings.push_back(
          "LibTorch runs on the slow reference BLAS (" + info.blas.library +
          "), typically 15-30x slower than OpenBLAS (compare with `crisp info --measure`); install "
          "libopenblas0-openmp (scripts/setup "
          "does) or unset LD_LIBRARY_PATH if it points at the reference library.");
      break;
    case BlasKind::NotLoaded:
      info.warnings.push_back("no BLAS library is loaded; LibTorch will use its slow fallbacks");
      break;
    default: break;
  }
  const CpuAvailability cpus = detectCpuAvailability();
  if (info.threads < cpus.usableThreads()) {
    info.warnings.push_back("using " + std::to_string(info.threads) + " threads where " +
                            std::to_string(cpus.usableThreads()) + " CPUs are usable (" +
                            cpus.describe() + ")");
  }
  return info;
}

double measureGemmGflops(int n, int repeats) {
  at::NoGradGuard noGrad;
  const at::Tensor a = at::rand({n, n});
  const at::Tensor b = at::rand({n, n});
  at::Tensor c = at::matmul(a, b);  // warm-up: page in, spin up the thread pool
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    at::matmul_out(c, a, b);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return 2.0 * n * n * static_cast<double>(n) / best / 1e9;
}

}  // namespace crisp
