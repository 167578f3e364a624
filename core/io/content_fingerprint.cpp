#include "core/io/content_fingerprint.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "core/io/model_location.h"
#include "core/sys/error.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

std::string hashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open to fingerprint its content");
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a's 64-bit offset basis and prime
  uint64_t bytes = 0;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    for (std::streamsize i = 0; i < got; ++i) {
      hash ^= static_cast<unsigned char>(buffer[static_cast<size_t>(i)]);
      hash *= 0x100000001b3ULL;
    }
    bytes += static_cast<uint64_t>(got);
  }
  if (in.bad()) throw Error(path + ": read error while fingerprinting its content");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::to_string(bytes) + ":" + hex;
}

}  // namespace

std::string fileFingerprint(const std::string& path) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  if (ec || !fs::is_regular_file(canonical, ec)) {
    throw Error(path + ": no such file to fingerprint");
  }
  const uint64_t size = fs::file_size(canonical, ec);
  const auto modified = fs::last_write_time(canonical, ec).time_since_epoch().count();
  if (ec) throw Error(path + ": cannot read its size and time: " + ec.message());
  // A sweep checks every run against the same few large files (a model's weights).
  using Key = std::tuple<std::string, uint64_t, int64_t>;
  static std::mutex mutex;
  static std::map<Key, std::string> cache;
  const Key key{canonical.string(), size, static_cast<int64_t>(modified)};
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  std::string fingerprint = hashFile(canonical.string());
  const std::lock_guard<std::mutex> lock(mutex);
  cache[key] = fingerprint;
  return fingerprint;
}

nlohmann::json pathFingerprint(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fileFingerprint(path);
  nlohmann::json files = nlohmann::json::object();
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    std::error_code kind;  // a dangling link is no file of the folder's, not an error
    if (name.empty() || name[0] == '.' || !entry.is_regular_file(kind)) continue;
    files[name] = fileFingerprint(entry.path().string());
  }
  if (ec) throw Error(path + ": cannot list to fingerprint its files: " + ec.message());
  return files;
}

nlohmann::json modelDirectoryFingerprint(const std::string& directory) {
  PretrainedModelInfo info;
  if (!describePretrainedModel(directory, info)) {
    throw Error(directory + ": no config.json and weights to fingerprint");
  }
  return {{"config.json", fileFingerprint((fs::path(directory) / "config.json").string())},
          {fs::path(info.weightsFile).filename().string(), fileFingerprint(info.weightsFile)}};
}

}  // namespace crisp
