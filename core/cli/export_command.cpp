#include "core/cli/export_command.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/cli/command_support.h"
#include "core/data/demo_corpus.h"
#include "core/io/atomic_file.h"
#include "core/io/json_file.h"
#include "core/model/hf_checkpoint.h"
#include "core/train/model_reference.h"

namespace crisp::cli {

int runExport(const ExportOptions& options, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  try {
    if (options.out.empty()) throw InputError("--out DIR is required");
    std::optional<CheckpointChoice> choice;
    if (!options.checkpoint.empty()) choice = CheckpointChoice::parse(options.checkpoint);
    const ModelReference ref =
        loadModelReference(options.run, choice, {false, options.allowNonFinite});
    if (ref.kind != ModelReference::Kind::Run) {
      throw InputError(options.run + " is already a Hugging Face model directory");
    }
    if (fs::exists(options.out) && fs::equivalent(options.out, options.run)) {
      throw InputError("--out " + options.out + " is the run directory itself");
    }
    // A vocabulary file under another name is copied as vocab.txt, where from_pretrained looks.
    std::vector<std::string> standardFiles;
    std::string renamedVocabulary;
    for (const std::string& file : ref.tokenizerFiles) {
      const std::string name = fs::path(file).filename().string();
      if (name == "vocab.txt" || name == "spiece.model" || name == "tokenizer_config.json" ||
          name == "special_tokens_map.json") {
        standardFiles.push_back(file);
      } else {
        renamedVocabulary = file;
      }
    }
    exportHuggingFaceDirectory(*ref.model, options.out, standardFiles);
    std::vector<std::string> written = {"config.json", "model.safetensors"};
    for (const std::string& file : standardFiles) {
      written.push_back(fs::path(file).filename().string());
    }
    const fs::path dir(options.out);
    // The run's label names (from its data) are what id2label must say; a fine-tuned
    // checkpoint's config may still carry its base model's.
    const ModelConfig& config = ref.model->config();
    nlohmann::json hfConfig = readJsonFile((dir / "config.json").string());
    hfConfig["id2label"] = nlohmann::json::object();
    hfConfig["label2id"] = nlohmann::json::object();
    for (size_t i = 0; i < ref.labelNames.size(); ++i) {
      hfConfig["id2label"][std::to_string(i)] = ref.labelNames[i];
      hfConfig["label2id"][ref.labelNames[i]] = i;
    }
    writeFileAtomically((dir / "config.json").string(), hfConfig.dump(2) + "\n");
    if (!renamedVocabulary.empty()) {
      copyFileAtomically(renamedVocabulary, (dir / "vocab.txt").string());
      written.push_back("vocab.txt");
    }
    if (ref.embeddedVocabulary) {
      // The demo's vocabulary is compiled in: write it out so the directory stands alone.
      std::string vocab;
      for (const std::string& token : data::demoVocabulary()) vocab += token + "\n";
      writeFileAtomically((dir / "vocab.txt").string(), vocab);
      written.push_back("vocab.txt");
    }
    if (ref.tokenizer->kind() == TokenizerKind::SentencePiece) {
      // spiece.model with the slow tokenizer class closest to crisp's use of it ([CLS] pieces
      // [SEP], no preprocessing of its own); crisp reads the directory back through
      // spiece.model and the special-id rules of core/text/tokenizer.h.
      const Tokenizer& t = *ref.tokenizer;
      const nlohmann::json special = {{"cls_token", t.idToToken(t.clsId())},
                                      {"sep_token", t.idToToken(t.sepId())},
                                      {"pad_token", t.idToToken(t.padId())},
                                      {"unk_token", t.idToToken(t.unkId())}};
      nlohmann::json tokenizerConfig = special;
      tokenizerConfig.update({{"tokenizer_class", "AlbertTokenizer"},
                              {"do_lower_case", false},
                              {"keep_accents", true},
                              {"remove_space", true},
                              {"model_max_length", ref.maxLength},
                              {"crisp_tokenizer", t.describe()}});
      writeFileAtomically((dir / "tokenizer_config.json").string(), tokenizerConfig.dump(2) + "\n");
      writeFileAtomically((dir / "special_tokens_map.json").string(), special.dump(2) + "\n");
      written.push_back("tokenizer_config.json");
      written.push_back("special_tokens_map.json");
    } else if (!fs::exists(dir / "tokenizer_config.json")) {
      const nlohmann::json tokenizerConfig = {
          {"do_lower_case", ref.tokenizer->wordPiece()->config().doLowerCase},
          {"model_max_length", ref.maxLength},
          {"tokenizer_class",
           config.architecture == Architecture::Bert ? "BertTokenizer" : "DistilBertTokenizer"}};
      writeFileAtomically((dir / "tokenizer_config.json").string(), tokenizerConfig.dump(2) + "\n");
      written.push_back("tokenizer_config.json");
    }
    if (options.json) {
      out << nlohmann::json{{"run", ref.path},
                            {"checkpoint_step", ref.step},
                            {"checkpoint", ref.checkpointRole},
                            {"policy", ref.model->policy().toString()},
                            {"out", options.out},
                            {"files", written}}
                 .dump()
          << "\n";
    } else {
      out << "exported " << ref.describe() << " to " << options.out << ":";
      for (const std::string& file : written) out << " " << file;
      out << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    return reportError("export", e, err);
  }
}

}  // namespace crisp::cli
