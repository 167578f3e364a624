#include "core/io/json_file.h"

#include <fstream>

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

std::string jsonMember(const std::string& where, const std::string& key) {
  if (where.empty()) return key;
  return where.back() == ' ' ? where + key : where + "." + key;
}

void checkJsonKeys(const nlohmann::json& object, const std::set<std::string>& allowed,
                   const std::string& where) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if ((!key.empty() && key[0] == '_') || allowed.count(key)) continue;
    const std::string suggestion = closestName(key, allowed);
    std::string expected;
    for (const std::string& k : allowed) expected += (expected.empty() ? "" : ", ") + k;
    throw Error(jsonMember(where, key) + ": unknown field" +
                (suggestion.empty() ? "" : "; did you mean \"" + suggestion + "\"?") +
                " (expected one of " + expected + ")");
  }
}

}  // namespace crisp
