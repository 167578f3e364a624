#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/sys/error.h"
#include "core/train/experiment.h"
#include "core/train/experiment_set.h"
#include "core/train/run_directory.h"

namespace {

namespace fs = std::filesystem;

nlohmann::json minimalSet() {
  return nlohmann::json::parse(R"({
    "base": {"policy": "dense", "hyperparameters": {"epochs": 2, "learning_rate": 1e-3}},
    "configurations": [{"name": "sparse", "policy": "crisp:0.8",
                        "hyperparameters": {"learning_rate": 2e-3}},
                       {"name": "dense"}],
    "seeds": [3, 1]
  })");
}

// The message of the crisp::Error that parsing `json` throws ("" if it parses).
std::string parseError(const nlohmann::json& json) {
  try {
    crisp::parseExperimentSet(json, "dir/set.json");
  } catch (const crisp::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The message of the crisp::Error that reading an experiment object throws ("" if it reads).
std::string experimentError(const char* json) {
  try {
    crisp::ExperimentConfig::fromJson(nlohmann::json::parse(json));
  } catch (const crisp::Error& e) {
    return e.what();
  }
  return "";
}

// The message of the crisp::Error that preparing `config` throws ("" if it prepares).
std::string prepareError(const crisp::ExperimentConfig& config) {
  try {
    crisp::prepareExperiment(config);
  } catch (const crisp::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

class TestExperimentSet : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void overridesMergeOntoTheBase() {
    const crisp::ExperimentSet set = crisp::parseExperimentSet(minimalSet(), "dir/set.json");
    QCOMPARE(set.name, std::string("set"));  // the file's stem
    QCOMPARE(set.baseline, std::string("dense"));
    QCOMPARE(set.configurations.size(), size_t{2});
    const crisp::ExperimentConfig& sparse = set.configurations[0].experiment;
    QCOMPARE(sparse.name, std::string("sparse"));
    QCOMPARE(sparse.policy, std::string("crisp:0.8"));
    QCOMPARE(sparse.hyper.learningRate, 2e-3);  // overridden key by key...
    QCOMPARE(sparse.hyper.epochs, 2);           // ...the rest from the base
    QCOMPARE(set.configurations[1].experiment.hyper.learningRate, 1e-3);

    // Seed-major: every configuration of the first seed, then the next.
    const auto runs = set.runs();
    QCOMPARE(runs.size(), size_t{4});
    QCOMPARE(runs[0].directoryName, std::string("sparse-seed3"));
    QCOMPARE(runs[1].directoryName, std::string("dense-seed3"));
    QCOMPARE(runs[2].directoryName, std::string("sparse-seed1"));
    QCOMPARE(runs[2].experiment.hyper.seed, uint64_t{1});
    QCOMPARE(runs[3].configuration, std::string("dense"));

    nlohmann::json firstIsBaseline = minimalSet();
    firstIsBaseline["configurations"][1]["name"] = "plain";
    QCOMPARE(crisp::parseExperimentSet(firstIsBaseline, "x.json").baseline, std::string("sparse"));
  }

  void relativePathsAreAnchoredAtTheFile() {
    nlohmann::json j = minimalSet();
    j["base"]["train_data"] = "data/train.tsv";
    j["base"]["dev_data"] = "/abs/dev.tsv";
    j["base"]["tokenizer"] = "../vocab";
    const crisp::ExperimentSet set = crisp::parseExperimentSet(j, "/tmp/sets/set.json");
    const crisp::ExperimentConfig& e = set.configurations[0].experiment;
    QCOMPARE(e.trainData, std::string("/tmp/sets/data/train.tsv"));
    QCOMPARE(e.devData, std::string("/abs/dev.tsv"));
    QCOMPARE(e.tokenizer, std::string("/tmp/vocab"));
    QCOMPARE(e.model, std::string("preset:tiny"));  // presets are not paths
  }

  void errorsNameTheFileAndTheField() {
    nlohmann::json j = minimalSet();
    j["base"]["hyperparameters"]["learning_rte"] = 1;
    std::string e = parseError(j);
    QVERIFY2(contains(e, "dir/set.json: base.hyperparameters.learning_rte: unknown field"),
             e.c_str());

    j = minimalSet();
    j["configurations"][1]["policy"] = "sparse:0.5";
    e = parseError(j);
    QVERIFY2(contains(e, "dir/set.json: configurations[1].policy (dense): attention policy"),
             e.c_str());
    // Every configuration's policy is checked when the set loads, against the model where it
    // is known: a sweep never dies hours in, on a configuration it reaches late.
    j = minimalSet();
    j["configurations"][1]["policy"] = "crisp:0.5:0.7";
    e = parseError(j);
    QVERIFY2(contains(e, "configurations[1].policy (dense): attention policy \"crisp:0.5:0.7\""),
             e.c_str());
    j = minimalSet();
    j["base"]["model"] = "preset:small";
    j["configurations"][1]["policy"] = "layers:0.5,0.5";
    e = parseError(j);
    QVERIFY2(contains(e, "configurations[1].policy (dense): ") &&
                 contains(e, "2 per-layer sparsities for a model with 4 layers"),
             e.c_str());

    j = minimalSet();
    j["configurations"][0]["hyperparameters"]["epochs"] = 0;
    e = parseError(j);
    QVERIFY2(contains(e, "configurations[0] (sparse): hyperparameters: epochs"), e.c_str());

    j = minimalSet();
    j["configurations"][1]["name"] = "sparse";
    QVERIFY(contains(parseError(j), "configurations[1].name: \"sparse\" appears twice"));
    j["configurations"][1]["name"] = "a/b";
    QVERIFY(contains(parseError(j), "configurations[1].name: \"a/b\" must be"));

    j = minimalSet();
    j["seeds"] = {1, -2};
    e = parseError(j);
    QVERIFY2(contains(e,
                      "dir/set.json: seeds[1]: expected a non-negative integer up to "
                      "18446744073709551615, got -2"),
             e.c_str());
    j["seeds"] = {1, 1};
    QVERIFY(contains(parseError(j), "seeds[1]: 1 appears twice"));
    j["seeds"] = nlohmann::json::array();
    QVERIFY(contains(parseError(j), "dir/set.json: seeds: expected a non-empty array"));

    j = minimalSet();
    j["baseline"] = "nope";
    QVERIFY(contains(parseError(j), "dir/set.json: baseline: \"nope\" is not one of"));
    j = minimalSet();
    j.erase("configurations");
    QVERIFY(contains(parseError(j), "dir/set.json: configurations: expected a non-empty array"));
    j = minimalSet();
    j["seed"] = 3;
    QVERIFY(contains(parseError(j), "dir/set.json: seed: unknown field"));
    j = minimalSet();
    j["configurations"][0]["train_data"] = "only-train.tsv";
    QVERIFY(contains(parseError(j), "configurations[0]: give both train_data and dev_data"));

    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::loadExperimentSet("/no/such/set.json"));
  }

  // Experiment files (crisp train --experiment) and sets (crisp sweep) share one key check.
  void unknownKeysAreErrorsWithASuggestion() {
    nlohmann::json j = minimalSet();
    j["configurations"][0]["polcy"] = "dense";
    std::string e = parseError(j);
    QVERIFY2(contains(e,
                      "dir/set.json: configurations[0].polcy: unknown field; did you mean "
                      "\"policy\"?"),
             e.c_str());
    e = experimentError(R"({"polcy": "crisp:0.5"})");
    QVERIFY2(contains(e, "polcy: unknown field; did you mean \"policy\"?"), e.c_str());
    e = experimentError(R"({"hyperparameters": {"learning_rte": 0.001}})");
    QVERIFY2(contains(e,
                      "hyperparameters.learning_rte: unknown field; did you mean "
                      "\"learning_rate\"?"),
             e.c_str());
    e = experimentError(R"({"zzz": 1})");
    QVERIFY2(contains(e, "zzz: unknown field (expected one of") && !contains(e, "did you mean"),
             e.c_str());
    QCOMPARE(experimentError(R"({"_comment": "free text", "policy": "dense"})"), std::string());
  }

  // get<int> truncated 1.9 epochs to 1 and wrapped a seed of -1 to 2^64-1.
  void numbersAreReadAsTheirExactType() {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"hyperparameters": {"epochs": 1.9}})",
         "hyperparameters.epochs: expected an integer from -2147483648 to 2147483647, got 1.9"},
        {R"({"hyperparameters": {"seed": -1}})",
         "hyperparameters.seed: expected a non-negative integer up to 18446744073709551615, got "
         "-1"},
        {R"({"hyperparameters": {"eval_every": 1e30}})", "hyperparameters.eval_every: expected"},
        {R"({"demo_dev_size": -1})", "demo_dev_size: expected a non-negative integer"},
        {R"({"max_length": 4294967360})", "max_length: expected an integer"},
        {R"({"train_sentencepiece": {"vocab_size": 8000.5}})",
         "train_sentencepiece.vocab_size: expected an integer"},
    };
    for (const auto& [json, expected] : cases) {
      const std::string e = experimentError(json);
      QVERIFY2(contains(e, expected), (std::string(json) + " -> " + e).c_str());
    }
    nlohmann::json j = minimalSet();
    j["seeds"] = {1, 2.5};
    const std::string e = parseError(j);
    QVERIFY2(contains(e, "dir/set.json: seeds[1]: expected a non-negative integer"), e.c_str());
  }

  // How often a run checkpoints changes no number it trains to, so an interrupted run (a paper
  // sweep's) may continue with save_every added or changed; anything else still refuses.
  void saveEveryIsNotPartOfTheResumeKey() {
    const auto key = [](const char* json) {
      return crisp::ExperimentConfig::fromJson(nlohmann::json::parse(json)).resumeKey();
    };
    const nlohmann::json plain = key(R"({"hyperparameters": {"epochs": 2}})");
    const nlohmann::json every10m =
        key(R"({"hyperparameters": {"epochs": 2, "save_every": "10m"}})");
    QVERIFY(plain != every10m);  // recorded in the run's configuration
    const auto run = [](const nlohmann::json& recorded) {
      return nlohmann::json{{"resume_key", recorded}};
    };
    QCOMPARE(crisp::resumeKeyDifference(run(plain), every10m), std::string());
    QCOMPARE(crisp::resumeKeyDifference(run(every10m), plain), std::string());
    QCOMPARE(crisp::resumeKeyDifference(
                 run(every10m), key(R"({"hyperparameters": {"epochs": 2, "save_every": 50}})")),
             std::string());
    // Anything else refuses, and says what differs.
    QCOMPARE(crisp::resumeKeyDifference(
                 run(plain), key(R"({"hyperparameters": {"epochs": 3, "save_every": 50}})")),
             std::string("hyperparameters.epochs: recorded 2, now 3"));
    QCOMPARE(crisp::resumeKeyDifference(run(plain), "golden"),
             "resume key: recorded " + plain.dump() + ", now \"golden\"");
    QCOMPARE(crisp::resumeKeyDifference(nlohmann::json::object(), plain),
             std::string("the run records no resume key"));
  }

  // One class trained a classifier with nothing to tell apart.
  void singleClassTrainingDataIsRefused() {
    QTemporaryDir dir;
    const auto write = [&](const char* name, const std::string& text) {
      const std::string path = dir.filePath(QString::fromUtf8(name)).toStdString();
      std::ofstream(path) << text;
      return path;
    };
    crisp::ExperimentConfig c = crisp::ExperimentConfig::demo();
    c.tokenizer = write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\ngood\nbad\nfilm\n");
    c.trainData = write("train.tsv", "sentence\tlabel\ngood film\t1\nbad film\t0\n");
    c.devData = write("dev.tsv", "sentence\tlabel\ngood\t1\nbad\t0\n");
    c.hyper.epochs = 1;
    QCOMPARE(prepareError(c), std::string());  // two classes, both splits: fine

    crisp::ExperimentConfig bad = c;
    bad.trainData = write("one-class.tsv", "sentence\tlabel\ngood film\t1\ngood\t1\n");
    const std::string e = prepareError(bad);
    QVERIFY2(contains(e, "one-class.tsv: every training sentence has the label \"") &&
                 contains(e, "a classifier needs at least two classes"),
             e.c_str());
  }

  // 0 training sentences "finished" at step -1 and 0 dev sentences recorded "accuracy 0.00 %
  // (best)". (Data files without rows are refused by the readers; the demo's sizes were not.)
  void emptyDemoSplitsAreRefused() {
    crisp::ExperimentConfig demo = crisp::ExperimentConfig::demo();
    demo.demoTrainSize = 64;
    demo.demoDevSize = 0;
    std::string e = prepareError(demo);
    QVERIFY2(contains(e, "demo dev: no dev sentences"), e.c_str());
    demo.demoTrainSize = 0;
    demo.demoDevSize = 32;
    e = prepareError(demo);
    QVERIFY2(contains(e, "demo train: no training sentences"), e.c_str());
  }

  void loadsEveryShippedFile() {
    const QDir dir(QStringLiteral(CRISP_SOURCE_DIR "/experiments"));
    const QStringList files = dir.entryList({"*.json"}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 3, "experiments/ should ship at least three experiment sets");
    const bool shared = QDir(QStringLiteral(CRISP_SHARED_DIR "/data/sst2")).exists();
    for (const QString& name : files) {
      const std::string file = dir.filePath(name).toStdString();
      crisp::ExperimentSet set;
      try {
        set = crisp::loadExperimentSet(file);
      } catch (const std::exception& e) {
        QFAIL(e.what());
      }
      QVERIFY2(set.configurations.size() >= 2, file.c_str());
      // A comparison of policies needs seeds and the dense baseline; a hyperparameter check on
      // one policy (minilm-lr-check.json) names one of its own configurations.
      const bool comparesPolicies =
          std::any_of(set.configurations.begin(), set.configurations.end(), [&](const auto& c) {
            return c.experiment.policy != set.configurations.front().experiment.policy;
          });
      if (comparesPolicies) {
        QVERIFY2(set.seeds.size() >= 3, file.c_str());
        QCOMPARE(set.baseline, std::string("dense"));
      } else {
        QVERIFY2(std::any_of(set.configurations.begin(), set.configurations.end(),
                             [&](const auto& c) { return c.name == set.baseline; }),
                 file.c_str());
      }
      QVERIFY2(!set.notes.empty(), (file + ": hyperparameters must be documented").c_str());
      for (const crisp::ExperimentSetConfiguration& c : set.configurations) {
        const crisp::ExperimentConfig& e = c.experiment;
        QVERIFY2(!e.usesDemoData(), file.c_str());
        QVERIFY2(fs::path(e.trainData).is_absolute(), e.trainData.c_str());
        // Anchored at the file, the data paths reach the team's shared directory; a file made
        // from it (a subset under build/) must be named in the notes with how to make it.
        const std::string sharedData =
            fs::weakly_canonical(CRISP_SHARED_DIR "/data").string() + "/";
        const std::string& notes = set.notes;
        for (const std::string& path : {e.trainData, e.devData, e.tokenizer}) {
          if (path.empty()) continue;
          if (fs::weakly_canonical(path).string().rfind(sharedData, 0) == 0) {
            if (shared) QVERIFY2(fs::exists(path), path.c_str());
          } else if (!fs::exists(path)) {
            const std::string fileName = fs::path(path).filename().string();
            QVERIFY2(
                notes.find(fileName) != std::string::npos &&
                    notes.find("head -n") != std::string::npos,
                (file + ": " + path + " is neither shared data nor made as its notes say").c_str());
          }
        }
      }
    }
    if (!shared) qInfo("../shared/data absent: shipped data paths not checked for existence");

    const auto policies = [&](const char* name) {
      std::vector<std::string> p;
      const crisp::ExperimentSet set = crisp::loadExperimentSet(dir.filePath(name).toStdString());
      for (const auto& c : set.configurations) p.push_back(c.experiment.policy);
      return p;
    };
    const std::vector<std::string> paper = {"dense", "crisp:0.6", "crisp:0.7", "crisp:0.8",
                                            "ramp:0.7:0.1"};
    QCOMPARE(policies("crisp-paper-distilbert.json"), paper);
    QCOMPARE(policies("crisp-paper-small.json"), paper);
    QCOMPARE(policies("crisp-paper-minilm.json"),
             (std::vector<std::string>{"dense", "crisp:0.6", "crisp:0.7", "crisp:0.8",
                                       "crisp:0.8+train-only"}));
    // A hub id stays one (the Hugging Face cache resolves it), a relative path is anchored.
    const crisp::ExperimentSet distilbert =
        crisp::loadExperimentSet(dir.filePath("crisp-paper-distilbert.json").toStdString());
    QCOMPARE(distilbert.configurations.front().experiment.model,
             std::string("distilbert-base-uncased"));
    const crisp::ExperimentSet minilm =
        crisp::loadExperimentSet(dir.filePath("crisp-paper-minilm.json").toStdString());
    QVERIFY(fs::path(minilm.configurations.front().experiment.model).is_absolute());
    QCOMPARE(policies("sparsebert-small.json"),
             (std::vector<std::string>{"dense", "nodiag", "window:3", "bigbird:3:1:2", "dam:1e-4",
                                       "dam:1e-3", "dam:1e-2"}));
  }
};

QTEST_GUILESS_MAIN(TestExperimentSet)
#include "test_experiment_set.moc"
