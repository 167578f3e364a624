#include "core/io/json_file.h"

#include <fstream>

#include "core/sys/error.h"

namespace crisp {

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

}  // namespace crisp
