#include "core/io/model_location.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/io/json_file.h"
#include "core/sys/input_error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool isModelDirectory(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "config.json", ec);
}

// A sentence-transformers package keeps the encoder in the folder its Transformer module names
// ("" for the package root, "0_Transformer" in older layouts).
std::optional<fs::path> sentenceTransformersEncoder(const fs::path& dir) {
  const fs::path modules = dir / "modules.json";
  std::error_code ec;
  if (!fs::is_regular_file(modules, ec)) return std::nullopt;
  const nlohmann::json j = readJsonFile(modules.string());
  if (!j.is_array()) throw InputError(modules.string() + ": expected a list of modules");
  for (const nlohmann::json& module : j) {
    if (!module.is_object()) continue;
    const std::string type = module.value("type", "");
    if (type.size() < 11 || type.compare(type.size() - 11, 11, "Transformer") != 0) continue;
    const std::string sub = module.value("path", "");
    if (sub.find("..") != std::string::npos || (!sub.empty() && sub.front() == '/')) {
      throw InputError(modules.string() + ": module path \"" + sub + "\" leaves the package");
    }
    return sub.empty() ? dir : dir / sub;
  }
  throw InputError(modules.string() + ": names no Transformer module");
}

std::string readFirstLine(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// models--ORG--NAME's snapshot for refs/main, else its only (or newest) snapshot.
std::optional<fs::path> cachedSnapshot(const fs::path& repo) {
  std::error_code ec;
  const fs::path snapshots = repo / "snapshots";
  if (!fs::is_directory(snapshots, ec)) return std::nullopt;
  const std::string revision = readFirstLine(repo / "refs" / "main");
  if (!revision.empty() && isModelDirectory(snapshots / revision)) return snapshots / revision;
  std::optional<fs::path> newest;
  fs::file_time_type newestTime{};
  for (const auto& entry : fs::directory_iterator(snapshots, ec)) {
    if (!isModelDirectory(entry.path())) continue;
    const fs::file_time_type time = entry.last_write_time(ec);
    if (!newest || time > newestTime) {
      newest = entry.path();
      newestTime = time;
    }
  }
  return newest;
}

// "models--distilbert--distilbert-base-uncased" -> "distilbert/distilbert-base-uncased".
std::string hubIdOfCacheFolder(const std::string& folder) {
  std::string id = folder.substr(8);  // after "models--"
  for (std::size_t at; (at = id.find("--")) != std::string::npos;) id.replace(at, 2, "/");
  return id;
}

}  // namespace

std::vector<std::string> huggingFaceCacheRoots() {
  std::vector<std::string> candidates;
  for (const char* variable : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"}) {
    if (const std::string v = environment(variable); !v.empty()) candidates.push_back(v);
  }
  if (const std::string home = environment("HF_HOME"); !home.empty()) {
    candidates.push_back((fs::path(home) / "hub").string());
  }
  if (const std::string xdg = environment("XDG_CACHE_HOME"); !xdg.empty()) {
    candidates.push_back((fs::path(xdg) / "huggingface" / "hub").string());
  }
  if (const std::string home = environment("HOME"); !home.empty()) {
    candidates.push_back((fs::path(home) / ".cache" / "huggingface" / "hub").string());
  }
  std::vector<std::string> roots;
  std::error_code ec;
  for (const std::string& c : candidates) {
    if (fs::is_directory(c, ec) && std::find(roots.begin(), roots.end(), c) == roots.end()) {
      roots.push_back(c);
    }
  }
  return roots;
}

bool looksLikeHubId(const std::string& text) {
  std::error_code ec;
  if (text.empty() || fs::exists(text, ec)) return false;
  if (std::count(text.begin(), text.end(), '/') > 1 || text.front() == '/' || text.front() == '.' ||
      text.find("--") != std::string::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

std::string resolveModelDirectory(const std::string& nameOrPath) {
  if (nameOrPath.empty()) throw InputError("no model given");
  std::error_code ec;
  const fs::path path(nameOrPath);
  if (fs::is_directory(path, ec)) {
    if (isModelDirectory(path)) return nameOrPath;
    if (const auto encoder = sentenceTransformersEncoder(path)) {
      if (!isModelDirectory(*encoder)) {
        throw InputError(nameOrPath + "/modules.json: its Transformer module folder " +
                         encoder->string() + " has no config.json");
      }
      return encoder->string();
    }
    throw InputError(nameOrPath + ": no config.json (not a Hugging Face model directory)");
  }
  if (fs::exists(path, ec)) {
    throw InputError(nameOrPath + ": a file, not a model directory");
  }
  if (!looksLikeHubId(nameOrPath)) {
    throw InputError(nameOrPath + ": no such model directory");
  }
  const std::vector<std::string> roots = huggingFaceCacheRoots();
  std::string folder = "models--" + nameOrPath;
  for (std::size_t at; (at = folder.find('/')) != std::string::npos;) folder.replace(at, 1, "--");
  for (const std::string& root : roots) {
    if (const auto snapshot = cachedSnapshot(fs::path(root) / folder)) return snapshot->string();
  }
  // A bare name also matches any organisation's copy ("distilbert-base-uncased" is
  // "distilbert/distilbert-base-uncased" on the hub today).
  if (nameOrPath.find('/') == std::string::npos) {
    const std::string suffix = "--" + nameOrPath;
    for (const std::string& root : roots) {
      for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        if (startsWith(name, "models--") && name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          if (const auto snapshot = cachedSnapshot(entry.path())) return snapshot->string();
        }
      }
    }
  }
  std::string searched;
  for (const std::string& root : roots) searched += (searched.empty() ? "" : ", ") + root;
  throw InputError(nameOrPath + ": not a directory, and not in the Hugging Face cache (" +
                   (searched.empty()
                        ? std::string("no cache folder found: set HF_HUB_CACHE or HF_HOME")
                        : "searched " + searched) +
                   "); download it on a machine with network access, e.g. "
                   "`huggingface-cli download " +
                   nameOrPath +
                   "`, and copy the cache or the "
                   "snapshot folder here");
}

bool describePretrainedModel(const std::string& directory, PretrainedModelInfo& info) {
  const fs::path dir(directory);
  std::error_code ec;
  if (!isModelDirectory(dir)) return false;
  for (const char* weights : {"model.safetensors", "pytorch_model.bin"}) {
    if (fs::is_regular_file(dir / weights, ec)) {
      info.weightsFile = (dir / weights).string();
      info.weightsBytes = fs::file_size(dir / weights, ec);
      break;
    }
  }
  if (info.weightsFile.empty()) return false;
  info.directory = directory;
  try {
    const nlohmann::json config = readJsonFile((dir / "config.json").string());
    info.modelType = config.is_object() ? config.value("model_type", "") : "";
    const auto vocab = config.is_object() ? config.find("vocab_size") : config.end();
    if (vocab != config.end() && vocab->is_number_unsigned())
      info.vocabSize = vocab->get<int64_t>();
  } catch (const std::exception&) {
    info.modelType.clear();  // loading the model reports what is wrong with its config.json
  }
  info.supported = info.modelType == "bert" || info.modelType == "distilbert";
  return true;
}

std::vector<PretrainedModelInfo> findPretrainedModels(
    const std::vector<std::string>& extraFolders) {
  std::vector<PretrainedModelInfo> found;
  std::error_code ec;
  for (const std::string& root : huggingFaceCacheRoots()) {
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      const std::string name = entry.path().filename().string();
      if (!startsWith(name, "models--")) continue;
      const auto snapshot = cachedSnapshot(entry.path());
      PretrainedModelInfo info;
      if (snapshot && describePretrainedModel(snapshot->string(), info)) {
        info.name = hubIdOfCacheFolder(name);
        found.push_back(std::move(info));
      }
    }
  }
  for (const std::string& folder : extraFolders) {
    std::vector<fs::path> candidates = {folder};
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.is_directory(ec)) candidates.push_back(entry.path());
    }
    for (const fs::path& candidate : candidates) {
      PretrainedModelInfo info;
      try {
        if (describePretrainedModel(resolveModelDirectory(candidate.string()), info)) {
          info.name = candidate.filename().string();
          found.push_back(std::move(info));
        }
      } catch (const std::exception&) {
        // not a model folder
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return found;
}

}  // namespace crisp
