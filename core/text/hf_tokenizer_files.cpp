#include "core/text/hf_tokenizer_files.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/text/wordpiece.h"

namespace crisp {
namespace fs = std::filesystem;
namespace {

nlohmann::json specialToken(const std::string& token) {
  return {{"id", token}, {"type_id", 0}};
}

nlohmann::json sequence(const char* id, int typeId) {
  return {{"Sequence", {{"id", id}, {"type_id", typeId}}}};
}

void writeJson(const fs::path& file, const nlohmann::json& json) {
  writeFileAtomically(file.string(), json.dump(2) + "\n");
}

}  // namespace

nlohmann::json wordPieceConfigJson(const WordPieceConfig& c) {
  nlohmann::json j = {
      {"do_lower_case", c.doLowerCase}, {"tokenize_chinese_chars", c.tokenizeChineseChars},
      {"unk_token", c.unkToken},        {"sep_token", c.sepToken},
      {"pad_token", c.padToken},        {"cls_token", c.clsToken},
      {"mask_token", c.maskToken},      {"additional_special_tokens", c.additionalSpecialTokens},
      {"never_split", c.neverSplit}};
  j["strip_accents"] = c.stripAccents ? nlohmann::json(*c.stripAccents) : nlohmann::json();
  if (c.modelMaxLength > 0) j["model_max_length"] = c.modelMaxLength;
  if (!c.addedTokens.empty()) {
    nlohmann::json added = nlohmann::json::object();
    for (const auto& [id, token] : c.addedTokens) {
      added[std::to_string(id)] = {{"content", token}, {"special", true}};
    }
    j["added_tokens_decoder"] = added;
  }
  return j;
}

nlohmann::json wordPieceTokenizerJson(const WordPieceTokenizer& tokenizer) {
  const WordPieceConfig& c = tokenizer.config();
  nlohmann::json vocab = nlohmann::json::object();
  for (std::size_t id = 0; id < tokenizer.vocabSize(); ++id) {
    vocab[tokenizer.idToToken(static_cast<int32_t>(id))] = id;
  }
  // Special and added tokens are matched whole before normalization, as in BertTokenizerFast.
  std::vector<std::pair<int32_t, std::string>> added;
  const auto add = [&](const std::string& token) {
    const std::optional<int32_t> id = tokenizer.findToken(token);
    if (!id) return;
    const bool seen = std::any_of(added.begin(), added.end(),
                                  [&](const auto& entry) { return entry.first == *id; });
    if (!seen) added.emplace_back(*id, token);
  };
  for (const std::string* token :
       {&c.padToken, &c.unkToken, &c.clsToken, &c.sepToken, &c.maskToken}) {
    add(*token);
  }
  for (const std::string& token : c.additionalSpecialTokens) add(token);
  for (const auto& [id, token] : c.addedTokens) add(token);
  std::sort(added.begin(), added.end());
  nlohmann::json addedTokens = nlohmann::json::array();
  for (const auto& [id, token] : added) {
    addedTokens.push_back({{"id", id},
                           {"content", token},
                           {"single_word", false},
                           {"lstrip", false},
                           {"rstrip", false},
                           {"normalized", false},
                           {"special", true}});
  }
  const nlohmann::json stripAccents =
      c.stripAccents ? nlohmann::json(*c.stripAccents) : nlohmann::json();
  const auto specialEntry = [&](const std::string& token, int32_t id) {
    return nlohmann::json{{"id", token}, {"ids", {id}}, {"tokens", {token}}};
  };
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", addedTokens},
          {"normalizer",
           {{"type", "BertNormalizer"},
            {"clean_text", true},
            {"handle_chinese_chars", c.tokenizeChineseChars},
            {"strip_accents", stripAccents},
            {"lowercase", c.doLowerCase}}},
          {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
          {"post_processor",
           {{"type", "TemplateProcessing"},
            {"single",
             {{{"SpecialToken", specialToken(c.clsToken)}},
              sequence("A", 0),
              {{"SpecialToken", specialToken(c.sepToken)}}}},
            {"pair",
             {{{"SpecialToken", specialToken(c.clsToken)}},
              sequence("A", 0),
              {{"SpecialToken", specialToken(c.sepToken)}},
              sequence("B", 1),
              {{"SpecialToken", {{"id", c.sepToken}, {"type_id", 1}}}}}},
            {"special_tokens",
             {{c.clsToken, specialEntry(c.clsToken, tokenizer.clsId())},
              {c.sepToken, specialEntry(c.sepToken, tokenizer.sepId())}}}}},
          {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
          {"model",
           {{"type", "WordPiece"},
            {"unk_token", c.unkToken},
            {"continuing_subword_prefix", "##"},
            {"max_input_chars_per_word", c.maxInputCharsPerWord},
            {"vocab", vocab}}}};
}

std::vector<std::string> writeHuggingFaceTokenizer(const Tokenizer& tokenizer,
                                                   const std::string& directory,
                                                   std::size_t modelMaxLength,
                                                   const std::string& tokenizerClass) {
  const fs::path dir(directory);
  std::vector<std::string> written = tokenizer.writeFiles(directory);
  const auto note = [&](const std::string& name) {
    if (std::find(written.begin(), written.end(), name) == written.end()) written.push_back(name);
  };
  if (const WordPieceTokenizer* wp = tokenizer.wordPiece()) {
    const WordPieceConfig& c = wp->config();
    nlohmann::json config = wordPieceConfigJson(c);
    config["model_max_length"] = modelMaxLength;
    config["tokenizer_class"] = tokenizerClass;
    writeJson(dir / "tokenizer_config.json", config);
    note("tokenizer_config.json");
    nlohmann::json special = {{"unk_token", c.unkToken},
                              {"sep_token", c.sepToken},
                              {"pad_token", c.padToken},
                              {"cls_token", c.clsToken},
                              {"mask_token", c.maskToken}};
    if (!c.additionalSpecialTokens.empty()) {
      special["additional_special_tokens"] = c.additionalSpecialTokens;
    }
    writeJson(dir / "special_tokens_map.json", special);
    note("special_tokens_map.json");
    // A tokenizer read from a tokenizer.json keeps that file (writeFiles copied it).
    if (std::find(written.begin(), written.end(), "tokenizer.json") == written.end()) {
      writeJson(dir / "tokenizer.json", wordPieceTokenizerJson(*wp));
    }
    note("tokenizer.json");
    return written;
  }
  // SentencePiece: [CLS] pieces [SEP] with no preprocessing of its own; crisp reads the
  // directory back through spiece.model and the special-id rules of core/text/tokenizer.h.
  const nlohmann::json special = {{"cls_token", tokenizer.idToToken(tokenizer.clsId())},
                                  {"sep_token", tokenizer.idToToken(tokenizer.sepId())},
                                  {"pad_token", tokenizer.idToToken(tokenizer.padId())},
                                  {"unk_token", tokenizer.idToToken(tokenizer.unkId())}};
  nlohmann::json config = special;
  config.update({{"tokenizer_class", "AlbertTokenizer"},
                 {"do_lower_case", false},
                 {"keep_accents", true},
                 {"remove_space", true},
                 {"model_max_length", modelMaxLength},
                 {"crisp_tokenizer", tokenizer.describe()}});
  writeJson(dir / "tokenizer_config.json", config);
  writeJson(dir / "special_tokens_map.json", special);
  note("tokenizer_config.json");
  note("special_tokens_map.json");
  return written;
}

}  // namespace crisp
