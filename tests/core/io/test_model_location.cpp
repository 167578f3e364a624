#include <QtTest>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/io/content_fingerprint.h"
#include "core/io/model_location.h"
#include "tests/core/test_support.h"

using crisp::test::contains;
using crisp::test::errorOf;

namespace {

namespace fs = std::filesystem;

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A model directory as far as locating it goes: config.json and a weights file.
void makeModel(const fs::path& dir, const std::string& modelType = "bert") {
  writeFile(dir / "config.json", "{\"model_type\": \"" + modelType + "\"}");
  writeFile(dir / "model.safetensors", std::string(1234, 'x'));
}

// A Hugging Face hub cache entry: models--ORG--NAME with two snapshots, refs/main naming one.
fs::path makeCacheEntry(const fs::path& cache, const std::string& folder,
                        const std::string& mainRevision) {
  const fs::path repo = cache / folder;
  makeModel(repo / "snapshots" / "0000older");
  makeModel(repo / "snapshots" / mainRevision);
  writeFile(repo / "refs" / "main", mainRevision + "\n");
  return repo / "snapshots" / mainRevision;
}

// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.empty()) {
      ::unsetenv(name_);
    } else {
      ::setenv(name_, old_.c_str(), 1);
    }
  }

 private:
  const char* name_;
  std::string old_;
};

}  // namespace

class TestModelLocation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    for (const char* v : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"}) {
      ::unsetenv(v);
    }
    dir_ = std::make_unique<QTemporaryDir>();  // a fresh tree per test
    home_ = std::make_unique<ScopedEnv>("HOME", dir_->path().toStdString() + "/home");
  }
  void cleanup() {
    home_.reset();
    dir_.reset();
  }

  void aModelDirectoryIsItself() {
    const fs::path model = fs::path(dir_->path().toStdString()) / "plain";
    makeModel(model);
    QCOMPARE(crisp::resolveModelDirectory(model.string()), model.string());
  }

  void aSentenceTransformersPackageResolvesToItsTransformerFolder() {
    const fs::path package = fs::path(dir_->path().toStdString()) / "st-package";
    makeModel(package / "0_Transformer");
    writeFile(package / "modules.json",
              R"([{"idx": 0, "name": "0", "path": "0_Transformer",
                   "type": "sentence_transformers.models.Transformer"},
                  {"idx": 1, "name": "1", "path": "1_Pooling",
                   "type": "sentence_transformers.models.Pooling"}])");
    QCOMPARE(crisp::resolveModelDirectory(package.string()), (package / "0_Transformer").string());
    // A module path that leaves the package is refused, naming modules.json.
    writeFile(package / "modules.json",
              R"([{"path": "../elsewhere", "type": "sentence_transformers.models.Transformer"}])");
    const std::string error = errorOf([&] { crisp::resolveModelDirectory(package.string()); });
    QVERIFY2(contains(error, "modules.json") && contains(error, "leaves the package"),
             error.c_str());
  }

  void aHubIdResolvesThroughEachCacheVariable() {
    const fs::path root(dir_->path().toStdString());
    // ~/.cache/huggingface/hub, the default.
    const fs::path home = makeCacheEntry(root / "home" / ".cache" / "huggingface" / "hub",
                                         "models--distilbert--distilbert-base-uncased", "abc123");
    QCOMPARE(crisp::resolveModelDirectory("distilbert/distilbert-base-uncased"), home.string());
    // The bare name finds the organisation's copy.
    QCOMPARE(crisp::resolveModelDirectory("distilbert-base-uncased"), home.string());
    {
      // HF_HOME/hub comes before the default ...
      const fs::path hfHome =
          makeCacheEntry(root / "hf-home" / "hub", "models--distilbert-base-uncased", "def456");
      ScopedEnv env("HF_HOME", (root / "hf-home").string());
      QCOMPARE(crisp::resolveModelDirectory("distilbert-base-uncased"), hfHome.string());
      // ... and HF_HUB_CACHE before both.
      const fs::path hubCache =
          makeCacheEntry(root / "hub-cache", "models--distilbert-base-uncased", "fed789");
      ScopedEnv cache("HF_HUB_CACHE", (root / "hub-cache").string());
      QCOMPARE(crisp::resolveModelDirectory("distilbert-base-uncased"), hubCache.string());
    }
    // Without refs/main, the newest snapshot.
    fs::remove(root / "home" / ".cache" / "huggingface" / "hub" /
               "models--distilbert--distilbert-base-uncased" / "refs" / "main");
    QVERIFY(fs::exists(crisp::resolveModelDirectory("distilbert-base-uncased")));
  }

  void aMissingModelSaysWhatWasSearchedAndHowToGetIt() {
    const std::string error = errorOf([] { crisp::resolveModelDirectory("bert-base-cased"); });
    QVERIFY2(contains(error, "bert-base-cased") && contains(error, "Hugging Face cache") &&
                 contains(error, "huggingface-cli download"),
             error.c_str());
    const std::string path = dir_->filePath(QStringLiteral("no/such/dir")).toStdString();
    QVERIFY(contains(errorOf([&] { crisp::resolveModelDirectory(path); }), "no such model"));
    const fs::path empty = fs::path(dir_->path().toStdString()) / "empty";
    fs::create_directories(empty);
    QVERIFY(
        contains(errorOf([&] { crisp::resolveModelDirectory(empty.string()); }), "no config.json"));
  }

  void findsPretrainedModelsInTheCacheAndChosenFolders() {
    const fs::path root(dir_->path().toStdString());
    makeCacheEntry(root / "home" / ".cache" / "huggingface" / "hub",
                   "models--sentence-transformers--all-MiniLM-L6-v2", "aaa");
    makeModel(root / "mine" / "my-distilbert", "distilbert");
    makeModel(root / "mine" / "a-gpt2", "gpt2");
    const std::vector<crisp::PretrainedModelInfo> found =
        crisp::findPretrainedModels({(root / "mine").string()});
    QCOMPARE(found.size(), size_t{3});
    QCOMPARE(found[0].name, std::string("a-gpt2"));
    QVERIFY(!found[0].supported);
    QCOMPARE(found[1].name, std::string("my-distilbert"));
    QVERIFY(found[1].supported);
    QCOMPARE(found[1].weightsBytes, uint64_t{1234});
    QCOMPARE(found[2].name, std::string("sentence-transformers/all-MiniLM-L6-v2"));
    QCOMPARE(found[2].modelType, std::string("bert"));
    QCOMPARE(found[2].vocabSize, int64_t{-1});  // config.json names none
  }

  // vocab_size as the studio checks a tokenizer against it: a whole number, else unknown.
  void readsTheVocabularySize() {
    const fs::path model = fs::path(dir_->path().toStdString()) / "model";
    makeModel(model);
    for (const auto& [text, expected] : std::vector<std::pair<std::string, int64_t>>{
             {"30522", 30522}, {"105.7", -1}, {"-5", -1}, {"\"big\"", -1}}) {
      writeFile(model / "config.json", "{\"model_type\": \"bert\", \"vocab_size\": " + text + "}");
      crisp::PretrainedModelInfo info;
      QVERIFY(crisp::describePretrainedModel(model.string(), info));
      QCOMPARE(info.vocabSize, expected);
    }
  }

  // What a run records of its input files: equal for equal bytes wherever they lie, different
  // for any other bytes, FNV-1a's published values for "" and "a".
  void contentFingerprintsFollowTheBytesNotThePath() {
    const fs::path root = dir_->path().toStdString();
    writeFile(root / "empty.txt", "");
    writeFile(root / "a.txt", "a");
    QCOMPARE(crisp::fileFingerprint((root / "empty.txt").string()),
             std::string("0:cbf29ce484222325"));
    QCOMPARE(crisp::fileFingerprint((root / "a.txt").string()), std::string("1:af63dc4c8601ec8c"));

    const std::string text(3 << 20, 'x');  // more than one read buffer
    writeFile(root / "here" / "train.tsv", text);
    writeFile(root / "there" / "train.tsv", text);
    const std::string here = crisp::fileFingerprint((root / "here" / "train.tsv").string());
    QCOMPARE(crisp::fileFingerprint((root / "there" / "train.tsv").string()), here);
    QCOMPARE(here.substr(0, here.find(':')), std::to_string(text.size()));
    // One byte changed, the size kept: a new fingerprint, not the one read before.
    std::string changed = text;
    changed[text.size() / 2] = 'y';
    writeFile(root / "there" / "train.tsv", changed);
    fs::last_write_time(root / "there" / "train.tsv",
                        fs::last_write_time(root / "here" / "train.tsv") + std::chrono::seconds(5));
    QVERIFY(crisp::fileFingerprint((root / "there" / "train.tsv").string()) != here);

    // A directory: its regular files by name, hidden ones and dangling links left out.
    writeFile(root / "here" / ".hidden", "z");
    fs::create_symlink(root / "nowhere", root / "here" / "dangling");
    const nlohmann::json files = crisp::pathFingerprint((root / "here").string());
    QCOMPARE(files, nlohmann::json({{"train.tsv", here}}));
    // A model: config.json and the weights the loader reads, nothing else.
    makeModel(root / "model");
    writeFile(root / "model" / "README.md", "notes");
    const nlohmann::json model = crisp::modelDirectoryFingerprint((root / "model").string());
    QCOMPARE(model.size(), size_t{2});
    QVERIFY(model.contains("config.json") && model.contains("model.safetensors"));

    const std::string missing = (root / "missing.tsv").string();
    QVERIFY(contains(errorOf([&] { crisp::fileFingerprint(missing); }), missing));
    QVERIFY(contains(errorOf([&] { crisp::modelDirectoryFingerprint(root.string()); }),
                     root.string() + ": no config.json and weights"));
  }

 private:
  std::unique_ptr<QTemporaryDir> dir_;
  std::unique_ptr<ScopedEnv> home_;
};

QTEST_GUILESS_MAIN(TestModelLocation)
#include "test_model_location.moc"
