#include "core/data/label_map.h"

#include <nlohmann/json.hpp>

#include "core/sys/error.h"

namespace crisp::data {

LabelMap::LabelMap(std::vector<std::string> names) {
  for (const std::string& n : names) {
    if (find(n) >= 0) throw Error("label map: duplicate label name '" + n + "'");
    add(n);
  }
}

int LabelMap::find(std::string_view name) const {
  const auto it = ids_.find(std::string(name));
  return it == ids_.end() ? -1 : it->second;
}

int LabelMap::add(std::string_view name) {
  if (name.empty()) throw Error("label map: empty label name");
  const auto [it, inserted] = ids_.emplace(std::string(name), size());
  if (inserted) names_.emplace_back(name);
  return it->second;
}

const std::string& LabelMap::name(int id) const {
  if (id < 0 || id >= size()) {
    throw Error("label map: label id " + std::to_string(id) + " out of range (" +
                std::to_string(size()) + " labels)");
  }
  return names_[static_cast<size_t>(id)];
}

nlohmann::json LabelMap::toJson() const {
  return nlohmann::json{{"labels", names_}};
}

LabelMap LabelMap::fromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("labels") || !json.at("labels").is_array()) {
    throw Error("label map JSON: expected an object {\"labels\": [names...]}");
  }
  std::vector<std::string> names;
  for (const auto& item : json.at("labels")) {
    if (!item.is_string()) throw Error("label map JSON: label names must be strings");
    names.push_back(item.get<std::string>());
  }
  return LabelMap(std::move(names));
}

}  // namespace crisp::data
