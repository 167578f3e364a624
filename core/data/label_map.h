#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace crisp::data {

// Label names <-> dense class ids 0..size()-1. A run saves it with toJson() next to its
// checkpoint and restores it with fromJson(), so predictions map back to the same names.
// JSON form: {"labels": ["negative", "positive"]} (the position in the array is the id).
class LabelMap {
 public:
  LabelMap() = default;
  // names[i] gets id i. Throws crisp::Error on an empty or duplicate name.
  explicit LabelMap(std::vector<std::string> names);

  // The id of `name`, or -1 when absent.
  int find(std::string_view name) const;
  // The id of `name`, appending it (with the next id) when absent. Throws on an empty name.
  int add(std::string_view name);
  // Throws crisp::Error when id is out of range.
  const std::string& name(int id) const;

  int size() const { return static_cast<int>(names_.size()); }
  bool empty() const { return names_.empty(); }
  const std::vector<std::string>& names() const { return names_; }

  nlohmann::json toJson() const;
  // Throws crisp::Error (naming the problem) on anything but the form toJson() writes.
  static LabelMap fromJson(const nlohmann::json& json);

  bool operator==(const LabelMap& other) const { return names_ == other.names_; }
  bool operator!=(const LabelMap& other) const { return !(*this == other); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int> ids_;
};

}  // namespace crisp::data
