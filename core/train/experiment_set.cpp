#include "core/train/experiment_set.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "core/io/json_file.h"
#include "core/io/model_location.h"
#include "core/model/attention_policy.h"
#include "core/model/config.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/train/moved_inputs.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

// The layers and positions of the model a configuration names, when they can be known without
// loading weights: a preset (its positions depend on the run's max_length, so they are left
// unchecked here), or a model directory's config.json. nullopt for a hub id not in the cache.
std::optional<ModelConfig> modelConfigIfKnown(const std::string& model) {
  if (startsWith(model, "preset:")) {
    ModelConfig preset = ModelConfig::preset(model.substr(7), /*vocabSize=*/1);
    preset.maxPositions = 0;
    return preset;
  }
  std::string directory;
  try {
    directory = resolveModelDirectory(model);
  } catch (const Error&) {
    return std::nullopt;  // the run itself says what is missing
  }
  return ModelConfig::fromFile((fs::path(directory) / "config.json").string());
}

bool isComment(const std::string& key) {
  return !key.empty() && key[0] == '_';
}

void checkExperimentObject(const nlohmann::json& object, const std::string& where) {
  if (!object.is_object()) throw Error(where + ": expected a JSON object");
  checkExperimentKeys(object, where);
}

// Drops comment keys so that ExperimentConfig::fromJson sees only its own fields.
nlohmann::json withoutComments(const nlohmann::json& object) {
  nlohmann::json clean = nlohmann::json::object();
  for (const auto& item : object.items())
    if (!isComment(item.key())) clean[item.key()] = item.value();
  return clean;
}

bool validName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
                  ch == '.';
         });
}

template <typename T>
T field(const nlohmann::json& j, const std::string& key, const std::string& where, T fallback) {
  if (!j.contains(key)) return fallback;
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(jsonMember(where, key) + ": has the wrong type");
  }
}

}  // namespace

std::vector<ExperimentSetRun> ExperimentSet::runs() const {
  std::vector<ExperimentSetRun> all;
  for (uint64_t seed : seeds) {
    for (const ExperimentSetConfiguration& c : configurations) {
      ExperimentSetRun run;
      run.configuration = c.name;
      run.seed = seed;
      run.directoryName = c.name + "-seed" + std::to_string(seed);
      run.experiment = c.experiment;
      run.experiment.hyper.seed = seed;
      all.push_back(std::move(run));
    }
  }
  return all;
}

const ExperimentSetConfiguration* ExperimentSet::find(const std::string& configuration) const {
  for (const ExperimentSetConfiguration& c : configurations)
    if (c.name == configuration) return &c;
  return nullptr;
}

nlohmann::json ExperimentSet::toJson() const {
  nlohmann::json configs = nlohmann::json::array();
  for (const ExperimentSetConfiguration& c : configurations)
    configs.push_back(c.experiment.toJson());
  return {{"name", name},   {"notes", notes},       {"source", file},
          {"seeds", seeds}, {"baseline", baseline}, {"configurations", configs}};
}

ExperimentSet parseExperimentSet(const nlohmann::json& j, const std::string& file) {
  if (!j.is_object()) throw Error(file + ": expected a JSON object");
  checkJsonKeys(j, {"name", "notes", "base", "configurations", "seeds", "baseline"}, file + ": ");
  ExperimentSet set;
  set.file = file;
  set.name = field<std::string>(j, "name", file + ": ", fs::path(file).stem().string());
  // Notes may be one string or a list of lines (long notes read better that way in JSON).
  if (j.contains("notes") && j.at("notes").is_array()) {
    for (const std::string& line : field<std::vector<std::string>>(j, "notes", file + ": ", {}))
      set.notes += (set.notes.empty() ? "" : "\n") + line;
  } else {
    set.notes = field<std::string>(j, "notes", file + ": ", "");
  }
  const fs::path anchor = fs::path(file).parent_path();

  nlohmann::json base = nlohmann::json::object();
  if (j.contains("base")) {
    checkExperimentObject(j.at("base"), file + ": base");
    base = withoutComments(j.at("base"));
  }

  if (!j.contains("configurations") || !j.at("configurations").is_array() ||
      j.at("configurations").empty()) {
    throw Error(file + ": configurations: expected a non-empty array of objects");
  }
  const nlohmann::json& configurations = j.at("configurations");
  for (size_t i = 0; i < configurations.size(); ++i) {
    const std::string where = file + ": configurations[" + std::to_string(i) + "]";
    const nlohmann::json& c = configurations[i];
    checkExperimentObject(c, where);
    const std::string name = field<std::string>(c, "name", where, "");
    if (!validName(name)) {
      throw Error(where + ".name: \"" + name +
                  "\" must be a non-empty name of letters, digits, '-', '_' or '.' (it names the "
                  "run directories)");
    }
    if (set.find(name)) throw Error(where + ".name: \"" + name + "\" appears twice");

    nlohmann::json merged = base;
    const nlohmann::json overrides = withoutComments(c);
    for (const auto& item : overrides.items()) {
      if (item.key() == "hyperparameters" && merged.contains("hyperparameters"))
        merged["hyperparameters"].update(item.value());
      else
        merged[item.key()] = item.value();
    }
    ExperimentSetConfiguration configuration;
    configuration.name = name;
    try {
      configuration.experiment = ExperimentConfig::fromJson(merged);
      configuration.experiment.hyper.validate();
    } catch (const std::exception& e) {
      throw Error(where + " (" + name + "): " + e.what());
    }
    ExperimentConfig& e = configuration.experiment;
    AttentionPolicySpec policy;
    try {
      policy = AttentionPolicySpec::parse(e.policy);
    } catch (const std::exception& error) {
      throw Error(where + ".policy (" + name + "): " + error.what());
    }
    if (e.maxLength < 2) throw Error(where + ".max_length: must be at least 2");
    if (e.trainData.empty() != e.devData.empty())
      throw Error(where + ": give both train_data and dev_data, or neither (the embedded demo)");
    // Paths relative to the file; a hub id stays one (the Hugging Face cache resolves it when
    // the run starts).
    anchorInputPaths(e, anchor);
    // The checks that need the model, before any run of the set starts.
    std::optional<ModelConfig> model;
    try {
      model = modelConfigIfKnown(e.model);
    } catch (const std::exception& error) {
      throw Error(where + ".model (" + name + "): " + error.what());
    }
    try {
      if (model) policy.validate(model->layers, model->maxPositions);
    } catch (const std::exception& error) {
      throw Error(where + ".policy (" + name + "): " + error.what());
    }
    try {
      validateTokenizerChoice(e);
    } catch (const std::exception& error) {
      throw Error(where + " (" + name + "): " + error.what());
    }
    e.name = name;
    set.configurations.push_back(std::move(configuration));
  }

  if (!j.contains("seeds") || !j.at("seeds").is_array() || j.at("seeds").empty())
    throw Error(file + ": seeds: expected a non-empty array of non-negative integers");
  for (size_t i = 0; i < j.at("seeds").size(); ++i) {
    const nlohmann::json& seed = j.at("seeds")[i];
    const uint64_t value = jsonNumber<uint64_t>(seed, file + ": seeds[" + std::to_string(i) + "]");
    if (std::find(set.seeds.begin(), set.seeds.end(), value) != set.seeds.end())
      throw Error(file + ": seeds[" + std::to_string(i) + "]: " + seed.dump() + " appears twice");
    set.seeds.push_back(value);
  }

  set.baseline = field<std::string>(j, "baseline", file + ": ", "");
  if (set.baseline.empty()) {
    set.baseline = set.find("dense") ? "dense" : set.configurations.front().name;
  } else if (!set.find(set.baseline)) {
    throw Error(file + ": baseline: \"" + set.baseline + "\" is not one of the configurations");
  }
  return set;
}

ExperimentSet loadExperimentSet(const std::string& file) {
  return parseExperimentSet(readJsonFile(file), file);
}

}  // namespace crisp
