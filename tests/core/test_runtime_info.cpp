#include <QtTest>

#include "core/sys/runtime_info.h"
#include "core/sys/threads.h"

using crisp::BlasKind;

class TestRuntimeInfo : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void classifiesDebianBlasPaths() {
    QCOMPARE(crisp::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"),
             BlasKind::OpenBlas);
    QCOMPARE(crisp::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"),
             BlasKind::OpenBlas);
    QCOMPARE(crisp::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"),
             BlasKind::Reference);
    QCOMPARE(crisp::classifyBlasLibrary("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3"),
             BlasKind::Blis);
    QCOMPARE(crisp::classifyBlasLibrary("/opt/somewhere/libblas.so.3"), BlasKind::Unknown);
    QCOMPARE(crisp::classifyBlasLibrary(""), BlasKind::NotLoaded);
  }

  void findsTheBlasLibTorchLoaded() {
    const crisp::BlasInfo blas = crisp::loadedBlas();
    QVERIFY2(!blas.library.empty(), "LibTorch links libblas.so.3, so one must be loaded");
    QVERIFY(blas.kind != BlasKind::NotLoaded);
  }

  void reportsThreadsAndWarnsOnlyWhenItShould() {
    crisp::configureThreads(crisp::machineCores(), std::nullopt);
    const crisp::RuntimeInfo info = crisp::collectRuntimeInfo();
    QCOMPARE(info.threads, crisp::machineCores());
    QVERIFY(!info.torchVersion.empty());
    QVERIFY(info.sentencePieceLoaded);
    const bool warnsAboutReference = std::any_of(
        info.warnings.begin(), info.warnings.end(),
        [](const std::string& w) { return w.find("reference BLAS") != std::string::npos; });
    QCOMPARE(warnsAboutReference, info.blas.kind == BlasKind::Reference);
  }

  void gemmThroughputIsMeasured() {
    const double gflops = crisp::measureGemmGflops(128, 2);
    QVERIFY2(gflops > 0.0 && std::isfinite(gflops), qPrintable(QString::number(gflops)));
  }
};

QTEST_GUILESS_MAIN(TestRuntimeInfo)
#include "test_runtime_info.moc"
