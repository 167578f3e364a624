// What recording a new run's input fingerprints costs: modelDirectoryFingerprint of a
// pretrained model directory (config.json and its weights), against two peers measured in the
// same run on the same files: a plain read of the same bytes (the I/O floor, page cache warm)
// and loadHuggingFaceDirectory, which every run that starts from the model does anyway.
// The directory is copied to a temporary folder whose files get a new modification time before
// each pass, so the process-wide fingerprint cache never answers.
//   build/release/bin/bench_fingerprint MODEL_DIR [passes=5]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/io/content_fingerprint.h"
#include "core/model/hf_checkpoint.h"
#include "core/sys/threads.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Reads every byte of `path` and folds it into a sum, so the read cannot be optimised away.
unsigned long long readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  unsigned long long sum = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    for (std::streamsize i = 0; i < got; i += 4096) sum += static_cast<unsigned char>(buffer[i]);
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL_DIR [passes=5]\n", argv[0]);
    return 2;
  }
  const fs::path source = argv[1];
  const int passes = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  crisp::setCurrentThreadCount(1);  // the load's tensor copies; the other two are single-threaded

  const fs::path copy =
      fs::temp_directory_path() / ("crisp-bench-fingerprint-" + std::to_string(::getpid()));
  fs::create_directories(copy);
  std::vector<fs::path> files;
  std::uintmax_t bytes = 0;
  for (const char* name : {"config.json", "model.safetensors", "pytorch_model.bin"}) {
    if (!fs::exists(source / name)) continue;
    fs::copy_file(source / name, copy / name, fs::copy_options::overwrite_existing);
    files.push_back(copy / name);
    bytes += fs::file_size(copy / name);
    if (std::string(name) == "model.safetensors") break;  // the loader reads only this one
  }
  if (files.size() < 2) {
    std::fprintf(stderr, "%s: needs config.json and model.safetensors or pytorch_model.bin\n",
                 source.c_str());
    fs::remove_all(copy);
    return 2;
  }
  const double mb = static_cast<double>(bytes) / 1e6;

  std::vector<double> read, fingerprint, load;
  unsigned long long sink = 0;
  for (int pass = 0; pass < passes + 1; ++pass) {  // pass 0 warms the page cache, not counted
    for (const fs::path& file : files) {
      fs::last_write_time(file, fs::file_time_type::clock::now());
    }
    auto start = Clock::now();
    for (const fs::path& file : files) sink += readAll(file);
    const double readSeconds = secondsSince(start);
    start = Clock::now();
    const nlohmann::json recorded = crisp::modelDirectoryFingerprint(copy.string());
    const double fingerprintSeconds = secondsSince(start);
    sink += recorded.dump().size();
    start = Clock::now();
    const crisp::LoadedModel loaded = crisp::loadHuggingFaceDirectory(copy.string());
    const double loadSeconds = secondsSince(start);
    sink += loaded.report.missing.size();
    if (pass == 0) continue;
    read.push_back(readSeconds);
    fingerprint.push_back(fingerprintSeconds);
    load.push_back(loadSeconds);
  }
  fs::remove_all(copy);

  const double r = median(read), f = median(fingerprint), l = median(load);
  std::printf("model directory: %s (%.1f MB in %zu files), %d passes, medians\n", source.c_str(),
              mb, files.size(), passes);
  std::printf("  plain read (I/O floor)       %8.1f ms  %7.0f MB/s\n", r * 1e3, mb / r);
  std::printf("  modelDirectoryFingerprint    %8.1f ms  %7.0f MB/s  %.1fx the read\n", f * 1e3,
              mb / f, f / r);
  std::printf("  loadHuggingFaceDirectory     %8.1f ms  %7.0f MB/s  fingerprint = %.2fx the load\n",
              l * 1e3, mb / l, f / l);
  std::printf("  (checksum %llu)\n", sink);
  return 0;
}
