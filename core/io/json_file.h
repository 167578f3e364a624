#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace crisp {

// Parses the JSON file at `path`. Throws crisp::Error naming the file: "PATH: cannot open" or
// "PATH: invalid JSON: ...".
nlohmann::json readJsonFile(const std::string& path);

}  // namespace crisp
