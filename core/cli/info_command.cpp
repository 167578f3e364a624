#include "core/cli/info_command.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/sys/build_info.h"
#include "core/sys/git_revision.h"
#include "core/sys/runtime_info.h"

namespace crisp::cli {
namespace {

std::string orNotBuilt(const std::string& version) {
  return version.empty() ? "not built (headless build)" : version + " (studio build)";
}

}  // namespace

std::string versionLine() {
  return std::string("Crisp Studio ") + build_info::kVersion + " (git " + build_info::kGitRevision +
         ", " + build_info::kBuildType + ", " + build_info::kCompiler + ")";
}

int runInfo(const InfoOptions& options, const ThreadChoice& threads, std::ostream& out,
            std::ostream& err) {
  const RuntimeInfo info = collectRuntimeInfo();
  const double gflops = options.measureGemm ? measureGemmGflops() : 0.0;

  if (options.json) {
    nlohmann::json j = {
        {"crisp",
         {{"version", info.crispVersion},
          {"git_revision", info.gitRevision},
          {"build_type", info.buildType},
          {"compiler", info.compiler}}},
        {"libtorch", info.torchVersion},
        {"libtorch_cuda", info.torchHasCuda},
        {"devices", info.devices},
        {"blas",
         {{"kind", describe(info.blas.kind)},
          {"library", info.blas.library},
          {"detail", info.blas.detail}}},
        {"threads",
         {{"intra_op", info.threads},
          {"source", describe(threads.source)},
          {"machine_cores", info.machineCores},
          {"usable_cpus", threads.cpus.usableThreads()},
          {"affinity_cpus", threads.cpus.affinityCpus},
          {"cgroup_quota_cpus", threads.cpus.cgroupQuota},
          {"local_ranks", threads.cpus.localProcesses},
          {"adapts_to_load", threads.automatic()}}},
        {"sentencepiece",
         {{"version", info.sentencePieceVersion},
          {"loaded", info.sentencePieceLoaded},
          {"shim", info.sentencePieceShim}}},
        {"qt", info.qtVersion},
        {"qcustomplot", info.qcustomplotVersion},
        {"warnings", info.warnings},
    };
    if (options.measureGemm) j["gemm_1024_gflops"] = gflops;
    out << j.dump(2) << "\n";
  } else {
    const auto row = [&out](const char* key) -> std::ostream& {
      return out << std::left << std::setw(15) << key;
    };
    out << versionLine() << "\n";
    row("LibTorch") << info.torchVersion << (info.torchHasCuda ? " (CUDA)\n" : " (CPU)\n");
    row("Devices");
    for (size_t i = 0; i < info.devices.size(); ++i) out << (i ? ", " : "") << info.devices[i];
    out << "\n";
    row("BLAS") << describe(info.blas.kind) << "  " << info.blas.library << "\n";
    if (!info.blas.detail.empty()) row("") << info.blas.detail << "\n";
    row("Threads") << info.threads << " intra-op (from " << describe(threads.source) << "; "
                   << threads.cpus.describe() << ")\n";
    if (threads.automatic()) {
      row("") << "training lowers them while other processes use these CPUs\n";
    }
    row("SentencePiece") << info.sentencePieceVersion
                         << (info.sentencePieceLoaded ? " (isolated shim: " : " (unavailable: ")
                         << info.sentencePieceShim << ")\n";
    row("Qt") << orNotBuilt(info.qtVersion) << "\n";
    row("QCustomPlot") << orNotBuilt(info.qcustomplotVersion) << "\n";
    if (options.measureGemm) {
      row("GEMM 1024") << std::fixed << std::setprecision(1) << gflops << " GFLOP/s\n";
    }
  }
  for (const std::string& warning : info.warnings) err << "warning: " << warning << "\n";
  return 0;
}

}  // namespace crisp::cli
