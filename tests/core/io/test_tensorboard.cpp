// TensorBoard event files as crisp writes them: the TFRecord framing and its CRC-32C, and what
// TensorBoard's own reader (tensorboard.backend.event_processing, in the project's Python
// environment) makes of them: scalars, text, and a session restarted by a resumed run.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/tensorboard.h"
#include "core/sys/error.h"

using namespace crisp;

namespace {

// Reads DIR's event files with TensorBoard's EventAccumulator; prints {tag: [[step, value]...],
// "text": {tag: [strings]}}.
const char* kReader = R"py(
import json, sys
from tensorboard.backend.event_processing import event_accumulator as ea
acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
acc.Reload()
out = {tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}
out["text"] = {tag: [t.tensor_proto.string_val[0].decode() for t in acc.Tensors(tag)]
               for tag in acc.Tags()["tensors"]}
print(json.dumps(out))
)py";

}  // namespace

class TestTensorBoard : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void crc32cMatchesTheStandardCheckValues() {
    const std::string check = "123456789";
    QCOMPARE(crc32c(check.data(), check.size()), 0xE3069283u);  // the CRC-32C check value
    const std::string zeros(32, '\0');
    QCOMPARE(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720's 32 zero bytes
  }

  void recordsAreFramedWithMaskedChecksums() {
    QTemporaryDir dir;
    TensorBoardWriter writer;
    writer.open(dir.path().toStdString());
    writer.scalar("loss", 3, 0.5, 1.0);
    writer.close();
    QVERIFY(QFileInfo(QString::fromStdString(writer.path()))
                .fileName()
                .startsWith("events.out.tfevents."));
    std::ifstream in(writer.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    size_t offset = 0, records = 0;
    while (offset < bytes.size()) {
      QVERIFY(offset + 12 <= bytes.size());
      uint64_t length = 0;
      uint32_t lengthCrc = 0, dataCrc = 0;
      std::memcpy(&length, bytes.data() + offset, 8);
      std::memcpy(&lengthCrc, bytes.data() + offset + 8, 4);
      QCOMPARE(lengthCrc, maskedCrc32c(bytes.data() + offset, 8));
      QVERIFY(offset + 12 + length + 4 <= bytes.size());
      std::memcpy(&dataCrc, bytes.data() + offset + 12 + length, 4);
      QCOMPARE(dataCrc, maskedCrc32c(bytes.data() + offset + 12, length));
      offset += 12 + length + 4;
      ++records;
    }
    QCOMPARE(records, size_t{2});  // file_version, then the scalar
  }

  void nothingReachesTheFileBeforeFlush() {
    QTemporaryDir dir;
    TensorBoardWriter writer;
    writer.open(dir.path().toStdString());
    writer.scalar("loss", 1, 0.5, 1.0);
    QCOMPARE(std::filesystem::file_size(writer.path()), uintmax_t{0});
    writer.flush();
    QVERIFY(std::filesystem::file_size(writer.path()) > 0);
  }

  void aFailedWriteIsAnErrorNamingTheFile() {
    if (!QFileInfo::exists(QStringLiteral("/dev/full"))) QSKIP("no /dev/full");
    TensorBoardWriter writer;
    writer.openFile("/dev/full");  // every write fails with ENOSPC
    writer.scalar("loss", 1, 0.5, 1.0);
    try {
      writer.flush();
      QFAIL("a write to /dev/full succeeded");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("/dev/full: cannot write") != std::string::npos,
               e.what());
    }
    QVERIFY(!writer.isOpen());
  }

  // TensorBoard itself reads the scalars and the text back; after SessionLog START at step 6
  // it drops what the first session wrote from step 6 on (a resumed run writes it again).
  void tensorBoardReadsScalarsTextAndAResumedSession() {
    const QString python = qEnvironmentVariable("CRISP_PYENV_PYTHON");
    if (python.isEmpty() || !QFileInfo(python).isExecutable()) {
      QSKIP("no project Python environment (scripts/setup-pyenv)");
    }
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString();
    {
      TensorBoardWriter first;
      first.open(path);
      first.text("configuration", 0, "```json\n{\"policy\": \"crisp:0.8\"}\n```", 1.0);
      for (int step = 1; step <= 10; ++step) first.scalar("train/loss", step, 1.0 / step, step);
      first.flush();
    }
    // The resumed session's file must sort after the first (names carry whole seconds).
    QTest::qWait(1100);
    {
      TensorBoardWriter resumed;
      resumed.open(path);
      resumed.sessionStart(6, 20.0);
      for (int step = 6; step <= 8; ++step) resumed.scalar("train/loss", step, 100.0 + step, 20);
      resumed.close();
    }
    QProcess reader;
    reader.start(python, {QStringLiteral("-c"), QString::fromLatin1(kReader), dir.path()});
    QVERIFY(reader.waitForFinished(120000));
    QVERIFY2(reader.exitCode() == 0, reader.readAllStandardError().constData());
    const nlohmann::json read = nlohmann::json::parse(reader.readAllStandardOutput().toStdString());
    std::vector<std::pair<int, double>> loss;
    for (const auto& point : read.at("train/loss")) {
      loss.emplace_back(point[0].get<int>(), point[1].get<double>());
    }
    const std::vector<std::pair<int, double>> expected = {
        {1, 1.0}, {2, 0.5}, {3, 1.0f / 3}, {4, 0.25}, {5, 0.2f}, {6, 106}, {7, 107}, {8, 108}};
    QCOMPARE(loss.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      QCOMPARE(loss[i].first, expected[i].first);
      QCOMPARE(static_cast<float>(loss[i].second), static_cast<float>(expected[i].second));
    }
    QCOMPARE(read.at("text").at("configuration").at(0).get<std::string>(),
             std::string("```json\n{\"policy\": \"crisp:0.8\"}\n```"));
  }
};

QTEST_GUILESS_MAIN(TestTensorBoard)
#include "test_tensorboard.moc"
