// The tokenizer choice end to end: a real tiny training run on the demo with a SentencePiece
// vocabulary trained on its data, stopped, resumed, evaluated, used for prediction and
// exported, all from the run directory alone; runs from before tokenizers were stored still
// load; a checkpoint with a tokenizer of another size is refused naming both; the experiment
// JSON and `crisp train`'s flags carry the choice.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/cli/eval_command.h"
#include "core/cli/export_command.h"
#include "core/cli/train_command.h"
#include "core/io/json_file.h"
#include "core/train/experiment.h"
#include "core/train/experiment_set.h"
#include "core/train/model_reference.h"
#include "core/train/predictor.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"
#include "tests/core/test_support.h"

using namespace crisp;
using crisp::test::contains;
using crisp::test::errorOf;

namespace {

namespace fs = std::filesystem;

// The demo, small: 400 training and 100 dev sentences, 2 epochs of the tiny model.
ExperimentConfig smallDemo() {
  ExperimentConfig c = ExperimentConfig::demo();
  c.name = "tokenizer-test";
  c.demoTrainSize = 400;
  c.demoDevSize = 100;
  c.hyper.epochs = 2;
  c.hyper.evalEvery = 6;
  c.hyper.learningRate = 1e-3;
  c.hyper.seed = 3;
  return c;
}

ExperimentConfig sentencePieceDemo() {
  ExperimentConfig c = smallDemo();
  c.trainSentencePiece.vocabSize = 100;
  c.trainSentencePiece.modelType = "unigram";
  return c;
}

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunState train(const ExperimentConfig& config, const std::string& dir, bool stopEarly = false) {
  PreparedExperiment prepared = prepareExperiment(config, dir);
  Trainer trainer(std::move(prepared.inputs), config.hyper, dir, prepared.runConfig);
  if (!stopEarly) return trainer.run();
  // Stop as soon as the first evaluation has been checkpointed.
  std::thread stopper([&] {
    while (RunDirectory(dir).checkpointSteps().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    trainer.control().stop();
  });
  const RunState state = trainer.run();
  stopper.join();
  return state;
}

nlohmann::json evalJson(const std::string& reference) {
  cli::EvalOptions options;
  options.reference = reference;
  options.json = true;
  std::ostringstream out, err;
  if (cli::runEval(options, out, err) != 0) throw std::runtime_error("eval: " + err.str());
  return nlohmann::json::parse(out.str());
}

// `crisp export RUN --out DIR`; "" when it succeeds, else what it printed on stderr.
std::string exportRun(const std::string& run, const std::string& out) {
  cli::ExportOptions options;
  options.run = run;
  options.out = out;
  std::ostringstream stdoutText, stderrText;
  return cli::runExport(options, stdoutText, stderrText) == 0 ? std::string()
                                                              : stderrText.str() + " ";
}

}  // namespace

class TestTokenizerRuns : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sentencePieceTrainedOnTheDataEndToEnd() {
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath(QStringLiteral("run")).toStdString();
    const ExperimentConfig config = sentencePieceDemo();
    {
      // What prepare gives: the trained vocabulary sizes the model from scratch.
      const PreparedExperiment prepared = prepareExperiment(config);
      QCOMPARE(prepared.tokenizer->kind(), TokenizerKind::SentencePiece);
      QCOMPARE(prepared.tokenizer->vocabSize(), size_t{100});
      QCOMPARE(prepared.inputs.model->config().vocabSize, 100);
      QCOMPARE(prepared.inputs.model->config().padTokenId, 0);
      QCOMPARE(prepared.inputs.collate.sepId, int64_t{3});
      QVERIFY(!prepared.runConfig.contains("tokenizer"));  // no run directory: nothing stored
      QCOMPARE(prepared.inputs.probes.front().tokens.front(), std::string("[CLS]"));
    }
    QCOMPARE(toString(train(config, dir, /*stopEarly=*/true)), toString(RunState::Stopped));

    const fs::path stored = fs::path(dir) / "tokenizer";
    QVERIFY(fs::is_regular_file(stored / "spiece.model"));
    QVERIFY(!fs::exists(fs::path(dir) / "tokenizer.partial"));
    const nlohmann::json runConfig = readJsonFile(dir + "/config.json");
    QCOMPARE(runConfig.at("tokenizer").at("kind").get<std::string>(), std::string("sentencepiece"));
    QCOMPARE(runConfig.at("tokenizer").at("vocab_size").get<int>(), 100);
    QCOMPARE(runConfig.at("tokenizer").at("special_ids").dump(),
             std::string(R"({"cls":2,"pad":0,"sep":3,"unk":1})"));
    QCOMPARE(runConfig.at("tokenizer").at("source").at("trained_on").get<std::string>(),
             std::string("demo train"));
    QCOMPARE(runConfig.at("experiment").at("train_sentencepiece").at("vocab_size").get<int>(), 100);
    QCOMPARE(runConfig.at("model_config").at("vocab_size").get<int>(), 100);

    // Resume: the stored vocabulary is used as it is, never trained again.
    const std::string modelBytes = readBytes(stored / "spiece.model");
    const auto modified = fs::last_write_time(stored / "spiece.model");
    {
      const PreparedExperiment again = prepareExperiment(config, dir);
      QVERIFY2(contains(again.tokenizer->name(), (stored / "spiece.model").string()),
               again.tokenizer->name().c_str());
    }
    QCOMPARE(toString(train(config, dir)), toString(RunState::Finished));
    QCOMPARE(readBytes(stored / "spiece.model"), modelBytes);
    QVERIFY(fs::last_write_time(stored / "spiece.model") == modified);

    // Evaluation from the run alone reproduces the accuracy it recorded.
    const nlohmann::json state = RunDirectory(dir).readState();
    const nlohmann::json evaluated = evalJson(dir);
    QCOMPARE(evaluated.at("accuracy").get<double>(), state.at("best_accuracy").get<double>());

    const ModelReference ref = loadModelReference(dir);
    QCOMPARE(ref.tokenizer->kind(), TokenizerKind::SentencePiece);
    QCOMPARE(ref.tokenizerFiles, std::vector<std::string>{(stored / "spiece.model").string()});
    const Prediction p = Predictor::fromReference(ref)->predict("the film was not good");
    QCOMPARE(p.tokens.front(), std::string("[CLS]"));
    QCOMPARE(p.tokens.back(), std::string("[SEP]"));
    QCOMPARE(p.ids, ref.tokenizer->encode("the film was not good").ids);
    QVERIFY(p.tokens.size() > 3);

    // Export: spiece.model with a tokenizer_config.json that says so, and crisp reads it back to
    // the same prediction.
    const std::string exported = tmp.filePath(QStringLiteral("exported")).toStdString();
    QCOMPARE(exportRun(dir, exported), std::string());
    QVERIFY(fs::is_regular_file(fs::path(exported) / "spiece.model"));
    QVERIFY(!fs::exists(fs::path(exported) / "vocab.txt"));
    const nlohmann::json tokenizerConfig = readJsonFile(exported + "/tokenizer_config.json");
    QCOMPARE(tokenizerConfig.at("tokenizer_class").get<std::string>(),
             std::string("AlbertTokenizer"));
    QCOMPARE(tokenizerConfig.at("cls_token").get<std::string>(), std::string("[CLS]"));
    const ModelReference hf = loadModelReference(exported);
    QCOMPARE(hf.tokenizer->kind(), TokenizerKind::SentencePiece);
    const Prediction q = Predictor::fromReference(hf)->predict("the film was not good");
    QCOMPARE(q.ids, p.ids);
    for (size_t i = 0; i < p.probabilities.size(); ++i) {
      QVERIFY(std::abs(q.probabilities[i] - p.probabilities[i]) < 1e-6);
    }

    // Another configuration in the same directory is refused before anything is written.
    ExperimentConfig other = config;
    other.trainSentencePiece.vocabSize = 80;
    QVERIFY(contains(errorOf([&] { prepareExperiment(other, dir); }), "different configuration"));
    QCOMPARE(readBytes(stored / "spiece.model"), modelBytes);
  }

  // A WordPiece run keeps its vocabulary too; a run from before tokenizers were stored (no
  // RUN/tokenizer, no "tokenizer" in config.json) still loads and resumes.
  void wordPieceRunsAndOlderRuns() {
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath(QStringLiteral("run")).toStdString();
    ExperimentConfig config = smallDemo();
    config.hyper.epochs = 1;
    QCOMPARE(toString(train(config, dir)), toString(RunState::Finished));
    QVERIFY(fs::is_regular_file(fs::path(dir) / "tokenizer" / "vocab.txt"));
    QVERIFY(fs::is_regular_file(fs::path(dir) / "tokenizer" / "tokenizer_config.json"));
    const ModelReference ref = loadModelReference(dir);
    QCOMPARE(ref.tokenizer->kind(), TokenizerKind::WordPiece);
    QVERIFY(!ref.embeddedVocabulary);
    QCOMPARE(ref.tokenizerFiles.size(), size_t{2});
    const std::vector<int32_t> ids = ref.tokenizer->encode("never boring").ids;
    QCOMPARE(ids, demoTokenizer()->encode("never boring").ids);
    const double accuracy = evalJson(dir).at("accuracy").get<double>();

    // Make it an older run.
    nlohmann::json runConfig = readJsonFile(dir + "/config.json");
    runConfig.erase("tokenizer");
    RunDirectory(dir).writeConfig(runConfig);
    fs::remove_all(fs::path(dir) / "tokenizer");
    const ModelReference old = loadModelReference(dir);
    QVERIFY(old.embeddedVocabulary);
    QCOMPARE(old.tokenizer->encode("never boring").ids, ids);
    QCOMPARE(evalJson(dir).at("accuracy").get<double>(), accuracy);
    const PreparedExperiment resumed = prepareExperiment(config, dir);
    QVERIFY(!resumed.runConfig.contains("tokenizer"));
    QVERIFY(!fs::exists(fs::path(dir) / "tokenizer"));  // an older run stays as it was
    QCOMPARE(toString(train(config, dir)), toString(RunState::Finished));

    // A damaged new-style run says what is missing.
    runConfig["tokenizer"] = {{"kind", "wordpiece"}};
    RunDirectory(dir).writeConfig(runConfig);
    const std::string error = errorOf([&] { loadModelReference(dir); });
    QVERIFY2(contains(error, "tokenizer") && contains(error, "missing"), error.c_str());
  }

  void aCheckpointNeedsATokenizerOfItsSize() {
    QTemporaryDir tmp;
    // A Hugging Face directory with the demo's vocabulary: a run exported.
    const std::string run = tmp.filePath(QStringLiteral("run")).toStdString();
    ExperimentConfig config = smallDemo();
    config.hyper.epochs = 1;
    config.demoTrainSize = 64;
    QCOMPARE(toString(train(config, run)), toString(RunState::Finished));
    const std::string hf = tmp.filePath(QStringLiteral("hf")).toStdString();
    QCOMPARE(exportRun(run, hf), std::string());
    const int modelVocab = readJsonFile(hf + "/config.json").at("vocab_size").get<int>();

    // A SentencePiece model of another size.
    const std::string spmRun = tmp.filePath(QStringLiteral("spm")).toStdString();
    prepareExperiment(sentencePieceDemo(), spmRun);
    const std::string spm = spmRun + "/tokenizer/spiece.model";

    ExperimentConfig fineTune = smallDemo();
    fineTune.model = hf;
    fineTune.tokenizer = spm;
    const std::string error = errorOf([&] { prepareExperiment(fineTune); });
    QVERIFY2(contains(error, spm) && contains(error, "100 entries") && contains(error, hf) &&
                 contains(error, "vocab_size " + std::to_string(modelVocab)),
             error.c_str());
    // The checkpoint's own tokenizer is fine.
    fineTune.tokenizer.clear();
    QCOMPARE(prepareExperiment(fineTune).tokenizer->vocabSize(), size_t(modelVocab));
    // Training a new vocabulary for a pretrained checkpoint is refused in validation.
    fineTune.trainSentencePiece.vocabSize = 100;
    QVERIFY(contains(errorOf([&] { prepareExperiment(fineTune); }), "pretrained checkpoint"));
  }

  void experimentJsonAndFlagsCarryTheChoice() {
    const ExperimentConfig plain = smallDemo();
    QVERIFY(!plain.toJson().contains("train_sentencepiece"));  // older runs' keys unchanged
    ExperimentConfig spm = sentencePieceDemo();
    spm.trainSentencePiece.modelType = "bpe";
    const ExperimentConfig back = ExperimentConfig::fromJson(spm.toJson());
    QCOMPARE(back.trainSentencePiece.vocabSize, 100);
    QCOMPARE(back.trainSentencePiece.modelType, std::string("bpe"));
    QCOMPARE(back.toJson(), spm.toJson());

    nlohmann::json j = spm.toJson();
    j["train_sentencepiece"]["vocab_sise"] = 3;
    QVERIFY(contains(errorOf([&] { ExperimentConfig::fromJson(j); }),
                     "train_sentencepiece.vocab_sise: unknown field"));
    j = spm.toJson();
    j["train_sentencepiece"]["vocab_size"] = "8000";
    QVERIFY(contains(errorOf([&] { ExperimentConfig::fromJson(j); }),
                     "train_sentencepiece.vocab_size: expected an integer"));
    j = spm.toJson();
    j["train_sentencepiece"] = 8000;
    QVERIFY(contains(errorOf([&] { ExperimentConfig::fromJson(j); }), "train_sentencepiece"));

    ExperimentConfig both = spm;
    both.tokenizer = "vocab.txt";
    QVERIFY(contains(errorOf([&] { validateTokenizerChoice(both); }), "exclude each other"));
    ExperimentConfig tooSmall = spm;
    tooSmall.trainSentencePiece.vocabSize = 4;
    QVERIFY(contains(errorOf([&] { validateTokenizerChoice(tooSmall); }),
                     "train_sentencepiece.vocab_size: 4 is out of range"));
    ExperimentConfig word = spm;
    word.trainSentencePiece.modelType = "word";
    QVERIFY(contains(errorOf([&] { validateTokenizerChoice(word); }),
                     "train_sentencepiece.model_type"));

    // Experiment sets take the same field, strictly.
    const nlohmann::json set = {
        {"base", {{"train_sentencepiece", {{"vocab_size", 500}, {"model_type", "bpe"}}}}},
        {"configurations", {{{"name", "dense"}, {"policy", "dense"}}}},
        {"seeds", {1}}};
    const ExperimentSet parsed = parseExperimentSet(set, "/tmp/set.json");
    QCOMPARE(parsed.configurations[0].experiment.trainSentencePiece.vocabSize, 500);
    nlohmann::json bad = set;
    bad["configurations"][0]["train_sentencepiece"] = {{"vocab_size", 2}};
    QVERIFY(contains(errorOf([&] { parseExperimentSet(bad, "/tmp/set.json"); }),
                     "configurations[0] (dense): train_sentencepiece.vocab_size"));
    bad = set;
    bad["configurations"][0]["tokenizer"] = "vocab.txt";
    QVERIFY(
        contains(errorOf([&] { parseExperimentSet(bad, "/tmp/set.json"); }), "exclude each other"));

    // crisp train: a tokenizer flag replaces the file's trained one, and the other way round.
    QTemporaryDir tmp;
    const QString file = tmp.filePath(QStringLiteral("experiment.json"));
    {
      std::ofstream out(file.toStdString());
      out << spm.toJson().dump();
    }
    cli::TrainOptions options;
    options.experimentFile = file.toStdString();
    options.experiment.tokenizer = "my.model";
    cli::resolveExperiment(options, [](const std::string& f) { return f == "--tokenizer"; });
    QCOMPARE(options.experiment.tokenizer, std::string("my.model"));
    QVERIFY(!options.experiment.trainSentencePiece.enabled());
    options = {};
    options.experimentFile = file.toStdString();
    options.experiment.trainSentencePiece.modelType = "unigram";
    cli::resolveExperiment(options,
                           [](const std::string& f) { return f == "--sentencepiece-type"; });
    QCOMPARE(options.experiment.trainSentencePiece.vocabSize, 100);
    QCOMPARE(options.experiment.trainSentencePiece.modelType, std::string("unigram"));
  }
};

QTEST_GUILESS_MAIN(TestTokenizerRuns)
#include "test_tokenizer_runs.moc"
