// The demo is right: every example sentence users are shown (the README's commands, the
// studio's probes and Predict hint) is a demo sentence, and the default demo run — stopped after
// its first evaluation and resumed, as a user would — reaches 97% dev accuracy and predicts
// every one of them correctly.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "core/data/demo_corpus.h"
#include "core/train/experiment.h"
#include "core/train/model_reference.h"
#include "core/train/predictor.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"

using namespace crisp;

namespace {

// The quoted sentences of README.md's `crisp predict runs/demo` and `crisp inspect` lines.
std::vector<std::string> readmeExampleSentences() {
  std::ifstream in(std::string(CRISP_SOURCE_DIR) + "/README.md");
  std::vector<std::string> sentences;
  const std::regex command(R"(crisp (predict|inspect) runs/demo)");
  const std::regex quoted("\"([^\"]*)\"");
  for (std::string line; std::getline(in, line);) {
    if (!std::regex_search(line, command)) continue;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), quoted);
         it != std::sregex_iterator(); ++it)
      sentences.push_back((*it)[1].str());
  }
  return sentences;
}

bool isDemoExample(const std::string& text) {
  for (const data::DemoExample& e : data::demoExamples())
    if (e.text == text) return true;
  return false;
}

}  // namespace

class TestDemoExamples : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void examplesAreDemoSentencesWithTheirRuleLabels() {
    for (const data::DemoExample& e : data::demoExamples())
      QVERIFY2(data::demoRuleLabel(e.text) == e.label, e.text.c_str());
    const auto tokenizer = demoTokenizer();
    for (const data::DemoExample& e : data::demoExamples()) {
      for (int32_t id : tokenizer->encode(e.text).ids)
        QVERIFY2(id != tokenizer->unkId(), e.text.c_str());
    }
    QVERIFY(isDemoExample(data::demoPredictHint()));
    const std::vector<std::string> probes = ExperimentConfig::demo().probes;
    QVERIFY(!probes.empty());
    for (const std::string& probe : probes) QVERIFY2(isDemoExample(probe), probe.c_str());
  }

  void readmeUsesOnlyDemoExamples() {
    const std::vector<std::string> sentences = readmeExampleSentences();
    QVERIFY(sentences.size() >= 2);
    for (const std::string& s : sentences) QVERIFY2(isDemoExample(s), s.c_str());
  }

  // One thread: bit-reproducible, so a failure here is the same failure on every machine.
  void theDefaultDemoPredictsEveryExample() {
    QTemporaryDir dir;
    const std::string run = dir.filePath(QStringLiteral("demo")).toStdString();
    const ExperimentConfig config = ExperimentConfig::demo();
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    {
      PreparedExperiment prepared = prepareExperiment(config, run);
      Trainer trainer(std::move(prepared.inputs), config.hyper, run, prepared.runConfig);
      std::thread stopper([&] {
        while (RunDirectory(run).checkpointSteps().empty())
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        trainer.control().stop();
      });
      const RunState state = trainer.run();
      stopper.join();
      QCOMPARE(toString(state), toString(RunState::Stopped));
    }
    {
      PreparedExperiment prepared = prepareExperiment(config, run);
      Trainer trainer(std::move(prepared.inputs), config.hyper, run, prepared.runConfig);
      QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    }
    at::set_num_threads(threads);
    const double best = RunDirectory(run).readState()["best_accuracy"].get<double>();
    qInfo("best dev accuracy %.3f", best);
    QVERIFY(best >= 0.97);

    const auto predictor = Predictor::fromReference(loadModelReference(run));
    for (const data::DemoExample& e : data::demoExamples()) {
      const Prediction p = predictor->predict(e.text);
      qInfo("%s -> %s %.3f", e.text.c_str(), p.labelName.c_str(),
            p.probabilities[static_cast<size_t>(p.label)]);
      QVERIFY2(p.label == e.label, e.text.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestDemoExamples)
#include "test_demo_examples.moc"
