#include <ATen/ATen.h>
#include <QtTest>

#include <cstring>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/sys/error.h"

namespace {

// Writes a safetensors file by hand: the header text as given, then `data` bytes.
void writeRaw(const QString& path, const std::string& header, const std::string& data,
              uint64_t declaredLength = UINT64_MAX) {
  std::ofstream out(path.toStdString(), std::ios::binary);
  const uint64_t length = declaredLength == UINT64_MAX ? header.size() : declaredLength;
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  out.write(bytes, 8);
  out << header << data;
}

}  // namespace

class TestSafeTensors : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTripsEveryDtype() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("t.safetensors")).toStdString();
    std::vector<std::pair<std::string, at::Tensor>> tensors = {
        {"f32", at::randn({3, 4})},
        {"f16", at::randn({5}).to(at::kHalf)},
        {"bf16", at::randn({2, 2}).to(at::kBFloat16)},
        {"f64", at::randn({1}).to(at::kDouble)},
        {"i64", at::arange(6, at::kLong).view({2, 3})},
        {"i32", at::arange(3, at::kInt)},
        {"u8", at::arange(4, at::kByte)},
        {"bool", at::tensor({1, 0, 1}, at::kInt).to(at::kBool)},
        {"scalar", at::scalar_tensor(2.5)},
        {"empty", at::empty({0, 3})},
        {"strided", at::randn({4, 4}).t()},
    };
    crisp::writeSafeTensors(path, tensors, {{"format", "pt"}, {"note", "ünïcode"}});
    const crisp::SafeTensors read = crisp::readSafeTensors(path);
    QCOMPARE(read.tensors.size(), tensors.size());
    QCOMPARE(read.metadata.at("note"), std::string("ünïcode"));
    for (const auto& [name, tensor] : tensors) {
      auto it = std::find_if(read.tensors.begin(), read.tensors.end(),
                             [&](const auto& kv) { return kv.first == name; });
      QVERIFY2(it != read.tensors.end(), name.c_str());
      QCOMPARE(it->second.scalar_type(), tensor.scalar_type());
      QVERIFY2(at::equal(it->second, tensor), name.c_str());
    }
  }

  void corruptFilesAreClearErrors_data() {
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("declaredLength");
    QTest::addColumn<QString>("needle");
    const QByteArray eight(8, '\0');
    QTest::newRow("header length beyond the file")
        << QByteArray("{}") << QByteArray() << qint64(1000) << "runs past the end";
    QTest::newRow("invalid JSON") << QByteArray("{\"a\": [") << QByteArray() << qint64(-1)
                                  << "not valid JSON";
    QTest::newRow("header not an object")
        << QByteArray("[1,2]") << QByteArray() << qint64(-1) << "not a JSON object";
    QTest::newRow("unknown dtype")
        << QByteArray(R"({"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})") << eight
        << qint64(-1) << "unknown dtype";
    QTest::newRow("offset out of range")
        << QByteArray(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})") << eight
        << qint64(-1) << "outside the 8-byte data section";
    QTest::newRow("offsets disagree with shape")
        << QByteArray(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})") << eight
        << qint64(-1) << "shape and dtype need 12";
    QTest::newRow("overlapping tensors")
        << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})")
        << eight << qint64(-1) << "overlaps";
    QTest::newRow("bytes belonging to no tensor")
        << QByteArray(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})") << eight
        << qint64(-1) << "belong to no tensor";
    QTest::newRow("negative dimension")
        << QByteArray(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})") << eight
        << qint64(-1) << "non-integer dimension";
    QTest::newRow("reversed offsets")
        << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})") << eight
        << qint64(-1) << "outside";
    QTest::newRow("metadata not strings") << QByteArray(R"({"__metadata__":{"format":1}})")
                                          << QByteArray() << qint64(-1) << "is not a string";
    QTest::newRow("bool bytes other than 0/1")
        << QByteArray(R"({"b":{"dtype":"BOOL","shape":[8],"data_offsets":[0,8]}})")
        << QByteArray(8, '\x07') << qint64(-1) << "other than 0 and 1";
  }

  void corruptFilesAreClearErrors() {
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, data);
    QFETCH(qint64, declaredLength);
    QFETCH(QString, needle);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.safetensors"));
    writeRaw(path, header.toStdString(), data.toStdString(),
             declaredLength < 0 ? UINT64_MAX : static_cast<uint64_t>(declaredLength));
    try {
      crisp::readSafeTensors(path.toStdString());
      QFAIL("accepted a corrupt file");
    } catch (const crisp::Error& e) {
      const QString message = QString::fromUtf8(e.what());
      QVERIFY2(message.contains(path), e.what());
      QVERIFY2(message.contains(needle), e.what());
    }
  }

  void truncatedFilesAreClearErrors() {
    QTemporaryDir dir;
    const std::string good = dir.filePath(QStringLiteral("good.safetensors")).toStdString();
    crisp::writeSafeTensors(good, {{"w", at::randn({64})}});
    std::ifstream in(good, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t cut : {size_t{0}, size_t{5}, size_t{8}, size_t{20}, bytes.size() - 1}) {
      const QString path = dir.filePath(QStringLiteral("cut%1.safetensors").arg(cut));
      std::ofstream(path.toStdString(), std::ios::binary).write(bytes.data(), cut);
      QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::readSafeTensors(path.toStdString()));
    }
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::readSafeTensors("/nonexistent.safetensors"));
  }
};

QTEST_GUILESS_MAIN(TestSafeTensors)
#include "test_safetensors.moc"
