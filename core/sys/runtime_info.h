#pragma once

#include <string>
#include <vector>

namespace crisp {

enum class BlasKind { OpenBlas, Blis, Mkl, Atlas, Reference, Unknown, NotLoaded };

struct BlasInfo {
  BlasKind kind = BlasKind::NotLoaded;
  std::string library;  // resolved path of the loaded libblas, empty if none is loaded
  std::string detail;   // e.g. OpenBLAS's own configuration string
};

// Classifies a BLAS library by its resolved path (Debian installs each implementation in its
// own directory behind the libblas.so.3 alternative).
BlasKind classifyBlasLibrary(const std::string& resolvedPath);
std::string describe(BlasKind kind);

// Inspects this process: which libblas the dynamic linker actually loaded for LibTorch.
BlasInfo loadedBlas();

struct RuntimeInfo {
  std::string crispVersion;
  std::string gitRevision;
  std::string buildType;
  std::string compiler;
  std::string torchVersion;
  std::string sentencePieceVersion;
  std::string sentencePieceShim;  // path of the isolated shim, or the reason it failed to load
  bool sentencePieceLoaded = false;
  std::string qtVersion;           // empty in a headless build
  std::string qcustomplotVersion;  // empty in a headless build
  BlasInfo blas;
  int threads = 0;
  int machineCores = 0;
  bool torchHasCuda = false;          // built with CUDA (the `cuda` preset's LibTorch)
  std::vector<std::string> devices;   // cpu, then cuda:0 ... as torch reports them now
  std::vector<std::string> warnings;  // things the user should fix, e.g. the reference BLAS
};

// Everything `crisp info` and the About dialog report. Loads the SentencePiece shim to prove
// it works in this process.
RuntimeInfo collectRuntimeInfo();

// Multiply-adds per second of a square float GEMM on the current threads, in GFLOP/s
// (2·n³ flops per product): how a slow reference BLAS shows (docs/ARCHITECTURE.md).
double measureGemmGflops(int n = 1024, int repeats = 5);

}  // namespace crisp
