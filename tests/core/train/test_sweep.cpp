// `crisp sweep` end to end on the embedded demo at a tiny size: 2 configurations x 2 seeds,
// statistics files, skipping finished runs, resuming an interrupted one, `crisp stats`.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include <torch/cuda.h>

#include "core/cli/sweep_command.h"

namespace {

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

nlohmann::json readJson(const QString& path) {
  std::ifstream in(path.toStdString());
  return nlohmann::json::parse(in);
}

}  // namespace

class TestSweep : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    std::ofstream(setFile().toStdString()) << R"({
      "notes": "tiny demo sweep for the test",
      "base": {"demo_train_size": 96, "demo_dev_size": 48, "max_length": 32, "probes": [],
               "hyperparameters": {"epochs": 2, "batch_size": 16, "learning_rate": 5e-4}},
      "configurations": [{"name": "dense", "policy": "dense"},
                         {"name": "crisp-0.8", "policy": "crisp:0.8"}],
      "seeds": [1, 2]
    })";
  }

  void sweepTrainsEveryRunAndWritesStatistics() {
    std::ostringstream out, err;
    QCOMPARE(crisp::cli::runSweep(options(), out, err), 0);
    for (const char* run : {"dense-seed1", "crisp-0.8-seed1", "dense-seed2", "crisp-0.8-seed2"}) {
      const nlohmann::json state = readJson(root() + "/" + run + "/state.json");
      QCOMPARE(state.value("state", ""), std::string("finished"));
      QVERIFY(QFileInfo::exists(root() + "/" + run + "/predictions"));
    }
    for (const char* file :
         {"statistics.md", "statistics.csv", "statistics.tex", "experiment-set.json"})
      QVERIFY2(QFileInfo::exists(root() + "/" + file), file);
    const std::string printed = out.str();
    QVERIFY2(printed.find("| dense (baseline) | `dense` | 2 |") != std::string::npos,
             printed.c_str());
    QVERIFY2(printed.find("| crisp-0.8 | `crisp:0.8` | 2 |") != std::string::npos, printed.c_str());
    QFile md(root() + "/statistics.md");
    QVERIFY(md.open(QIODevice::ReadOnly));
    QVERIFY(printed.find(md.readAll().toStdString()) != std::string::npos);
    QFile csv(root() + "/statistics.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), 3);  // header + 2 configurations
  }

  void rerunSkipsFinishedRunsAndResumesInterruptedOnes() {
    const QString state = root() + "/crisp-0.8-seed2/state.json";
    const QDateTime finishedAt = QFileInfo(root() + "/dense-seed1/state.json").lastModified();
    // As after kill -9: the state file still says running.
    nlohmann::json s = readJson(state);
    s["state"] = "running";
    std::ofstream(state.toStdString()) << s.dump();

    std::ostringstream out, err;
    QCOMPARE(crisp::cli::runSweep(options(), out, err), 0);
    QCOMPARE(count(out.str(), "finished already"), 3);
    QCOMPARE(count(out.str(), "crisp-0.8-seed2: resuming"), 1);
    QCOMPARE(readJson(state).value("state", ""), std::string("finished"));
    QCOMPARE(QFileInfo(root() + "/dense-seed1/state.json").lastModified(), finishedAt);
  }

  void dryRunAndStats() {
    crisp::cli::SweepOptions dry = options();
    dry.dryRun = true;
    std::ostringstream out, err;
    QCOMPARE(crisp::cli::runSweep(dry, out, err), 0);
    QCOMPARE(count(out.str(), "finished, best"), 4);
    // One column per field, however long a name or policy: every status starts at one place.
    std::istringstream lines(out.str());
    std::string line;
    std::getline(lines, line);  // the heading
    std::set<size_t> statusColumns;
    while (std::getline(lines, line)) statusColumns.insert(line.find("finished"));
    QCOMPARE(statusColumns.size(), size_t{1});

    crisp::cli::StatsOptions stats;
    stats.roots = {root().toStdString()};
    stats.format = "csv";
    std::ostringstream table;
    QCOMPARE(crisp::cli::runStats(stats, table, err), 0);
    QVERIFY2(table.str().rfind("configuration,policy,baseline,", 0) == 0, table.str().c_str());
    QCOMPARE(count(table.str(), "\n"), 3);

    stats.roots = {dir_.path().toStdString() + "/empty"};
    QDir().mkpath(QString::fromStdString(stats.roots.front()));
    QCOMPARE(crisp::cli::runStats(stats, table, err), 2);
  }

  void shardsSplitTheSweepAndStatsMergesTheirRoots() {
    // Two shards in two roots, as two machines of a Slurm array would leave them.
    std::vector<std::string> roots;
    std::vector<QStringList> trained;
    for (int shard = 0; shard < 2; ++shard) {
      crisp::cli::SweepOptions o = options();
      o.root = (dir_.path() + QStringLiteral("/shard%1").arg(shard)).toStdString();
      o.shard = std::make_pair(shard, 2);
      std::ostringstream out, err;
      QCOMPARE(crisp::cli::runSweep(o, out, err), 0);
      QVERIFY2(out.str().find("--stats-only") != std::string::npos, out.str().c_str());
      QVERIFY2(!QFileInfo::exists(QString::fromStdString(o.root) + "/statistics.md"),
               "a shard wrote partial statistics");
      roots.push_back(o.root);
      trained.push_back(QDir(QString::fromStdString(o.root))
                            .entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name));
    }
    // Every run in exactly one shard, round robin over the set's order (seed by seed).
    QCOMPARE(trained[0], QStringList({"dense-seed1", "dense-seed2"}));
    QCOMPARE(trained[1], QStringList({"crisp-0.8-seed1", "crisp-0.8-seed2"}));

    crisp::cli::StatsOptions stats;
    stats.roots = roots;
    stats.format = "csv";
    std::ostringstream table, err;
    QCOMPARE(crisp::cli::runStats(stats, table, err), 0);
    QCOMPARE(count(table.str(), "\n"), 3);  // header + 2 configurations, each with both seeds
    QCOMPARE(count(table.str(), ",2,"), 2);

    for (const char* bad : {"2/2", "-1/2", "1", "a/b", "0/0", "1/2/3"}) {
      try {
        crisp::cli::parseShard(bad);
        QFAIL(bad);
      } catch (const std::exception& e) {
        QVERIFY2(std::string(e.what()).find("--shard") != std::string::npos, e.what());
      }
    }
  }

  void aFailedRunIsNamedWithItsReasonAndTheOthersStillRun() {
    QTemporaryDir dir;
    const std::string set = dir.filePath(QStringLiteral("diverging.json")).toStdString();
    std::ofstream(set) << R"({
      "base": {"demo_train_size": 96, "demo_dev_size": 48, "max_length": 32, "probes": [],
               "hyperparameters": {"epochs": 1, "batch_size": 16, "learning_rate": 5e-4}},
      "configurations": [{"name": "diverges", "policy": "dense",
                          "hyperparameters": {"learning_rate": 1e30}},
                         {"name": "dense", "policy": "dense"}],
      "seeds": [1]
    })";
    crisp::cli::SweepOptions o;
    o.experimentSet = set;
    o.root = dir.filePath(QStringLiteral("runs")).toStdString();
    o.bootstrapResamples = 100;
    std::ostringstream out, err;
    QCOMPARE(crisp::cli::runSweep(o, out, err), 1);
    QVERIFY2(err.str().find("1 run(s) failed:\n  diverges-seed1: non-finite training loss") !=
                 std::string::npos,
             err.str().c_str());
    QCOMPARE(
        readJson(QString::fromStdString(o.root) + "/dense-seed1/state.json").value("state", ""),
        std::string("finished"));
  }

  // A run records its input files' contents beside their paths, so a sweep continues from its
  // records in a moved checkout (or on a node that mounts the data elsewhere), and its seeds
  // from either place are one configuration; other content is still refused, and so is a run
  // from before the fingerprints at another path.
  void aMovedCheckoutContinuesItsSweepByContent() {
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("runs"));
    const auto writeCheckout = [&](const QString& name, const std::vector<int>& seeds) {
      QDir().mkpath(dir.filePath(name + "/data"));
      std::ofstream train(dir.filePath(name + "/data/train.tsv").toStdString());
      train << "sentence\tlabel\n";
      for (int i = 0; i < 64; ++i)
        train << (i % 2 ? "a good and moving film " : "a dull and tedious film ") << i << "\t"
              << i % 2 << "\n";
      std::ofstream dev(dir.filePath(name + "/data/dev.tsv").toStdString());
      dev << "sentence\tlabel\n";
      for (int i = 0; i < 16; ++i) dev << (i % 2 ? "good film\t1\n" : "dull film\t0\n");
      const nlohmann::json set = {{"base",
                                   {{"train_data", "data/train.tsv"},
                                    {"dev_data", "data/dev.tsv"},
                                    {"tokenizer", CRISP_SHARED_DIR "/data/bert-base-uncased"},
                                    {"max_length", 16},
                                    {"probes", nlohmann::json::array()},
                                    {"hyperparameters", {{"epochs", 1}, {"batch_size", 16}}}}},
                                  {"configurations", {{{"name", "dense"}, {"policy", "dense"}}}},
                                  {"seeds", seeds}};
      std::ofstream(dir.filePath(name + "/set.json").toStdString()) << set.dump();
    };
    const auto sweep = [&](const QString& name, std::string& out, std::string& err) {
      crisp::cli::SweepOptions o;
      o.experimentSet = dir.filePath(name + "/set.json").toStdString();
      o.root = root.toStdString();
      o.bootstrapResamples = 100;
      std::ostringstream printed, errors;
      const int code = crisp::cli::runSweep(o, printed, errors);
      out = printed.str();
      err = errors.str();
      return code;
    };
    std::string out, err;
    writeCheckout(QStringLiteral("here"), {1});
    QCOMPARE(sweep(QStringLiteral("here"), out, err), 0);
    const QString config = root + "/dense-seed1/config.json";
    const nlohmann::json recorded = readJson(config);
    QVERIFY2(recorded.at("input_fingerprints").contains("train_data"), recorded.dump().c_str());
    QVERIFY(recorded.at("input_fingerprints").at("tokenizer").contains("vocab.txt"));

    // The same files under another path, and one more seed.
    writeCheckout(QStringLiteral("moved"), {1, 2});
    QVERIFY2(sweep(QStringLiteral("moved"), out, err) == 0, err.c_str());
    QCOMPARE(count(out, "dense-seed1: finished already"), 1);
    QVERIFY2(out.find("| dense (baseline) | `dense` | 2 |") != std::string::npos, out.c_str());

    // Other content at the new path.
    std::ofstream(dir.filePath(QStringLiteral("moved/data/train.tsv")).toStdString(), std::ios::app)
        << "one more sentence\t1\n";
    QCOMPARE(sweep(QStringLiteral("moved"), out, err), 2);
    QVERIFY2(
        err.find("train_data: recorded \"" +
                 dir.filePath(QStringLiteral("here/data/train.tsv")).toStdString() + "\", now \"" +
                 dir.filePath(QStringLiteral("moved/data/train.tsv")).toStdString() +
                 "\", which holds other content") != std::string::npos,
        err.c_str());

    // A run recorded before fingerprints existed needs its paths.
    writeCheckout(QStringLiteral("moved"), {1, 2});
    nlohmann::json old = recorded;
    old.erase("input_fingerprints");
    std::ofstream(config.toStdString()) << old.dump();
    QCOMPARE(sweep(QStringLiteral("moved"), out, err), 2);
    QVERIFY2(err.find("the run recorded no content fingerprint, so the paths must be equal") !=
                 std::string::npos,
             err.c_str());
    QVERIFY2(sweep(QStringLiteral("here"), out, err) == 0, err.c_str());
  }

  void badOptionsExitWithTwo() {
    std::ostringstream out, err;
    crisp::cli::SweepOptions only = options();
    only.only = {"crisp-0.9"};
    QCOMPARE(crisp::cli::runSweep(only, out, err), 2);
    QVERIFY(err.str().find("--only crisp-0.9: not a configuration") != std::string::npos);

    // Finished runs recorded with 2 epochs must not be mistaken for 3-epoch runs.
    crisp::cli::SweepOptions longer = options();
    longer.epochs = 3;
    QCOMPARE(crisp::cli::runSweep(longer, out, err), 2);
    QVERIFY(err.str().find("holds a run with a different configuration") != std::string::npos);

    // This build or machine has no CUDA device: refused before any run starts.
    crisp::cli::SweepOptions cuda = options();
    cuda.device = "cuda";
    std::ostringstream cudaErr;
    if (!torch::cuda::is_available()) {
      QCOMPARE(crisp::cli::runSweep(cuda, out, cudaErr), 2);
      QVERIFY2(cudaErr.str().find("--device") != std::string::npos, cudaErr.str().c_str());
    }
    crisp::cli::SweepOptions typo = options();
    typo.device = "gpu";
    std::ostringstream typoErr;
    QCOMPARE(crisp::cli::runSweep(typo, out, typoErr), 2);
    QVERIFY2(typoErr.str().find("--device") != std::string::npos, typoErr.str().c_str());

    crisp::cli::SweepOptions missing = options();
    missing.experimentSet = dir_.path().toStdString() + "/missing.json";
    QCOMPARE(crisp::cli::runSweep(missing, out, err), 2);
  }

 private:
  QString setFile() const { return dir_.path() + "/tiny.json"; }
  QString root() const { return dir_.path() + "/runs"; }
  crisp::cli::SweepOptions options() const {
    crisp::cli::SweepOptions o;
    o.experimentSet = setFile().toStdString();
    o.root = root().toStdString();
    o.bootstrapResamples = 1000;
    return o;
  }

  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
