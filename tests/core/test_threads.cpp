#include <QtTest>

#include <cstdlib>

#include "core/sys/error.h"
#include "core/sys/threads.h"

using crisp::ThreadSource;

class TestThreads : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { ::unsetenv("CRISP_THREADS"); }

  void defaultsToMachineCores() {
    const auto choice = crisp::resolveThreadCount(std::nullopt, std::nullopt);
    QCOMPARE(choice.count, crisp::machineCores());
    QCOMPARE(choice.source, ThreadSource::MachineCores);
  }

  void precedenceIsFlagThenEnvironmentThenSetting() {
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 3).source, ThreadSource::Setting);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 3).count, 3);
    ::setenv("CRISP_THREADS", "5", 1);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 3).source, ThreadSource::Environment);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 3).count, 5);
    QCOMPARE(crisp::resolveThreadCount(7, 3).source, ThreadSource::Flag);
    QCOMPARE(crisp::resolveThreadCount(7, 3).count, 7);
  }

  void rejectsBadValuesNamingTheirSource() {
    for (const char* bad : {"0", "-2", "two", "3x", "99999"}) {
      ::setenv("CRISP_THREADS", bad, 1);
      try {
        crisp::resolveThreadCount(std::nullopt, std::nullopt);
        QFAIL(qPrintable(QStringLiteral("accepted CRISP_THREADS=%1").arg(bad)));
      } catch (const crisp::Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("CRISP_THREADS")), e.what());
      }
    }
    ::unsetenv("CRISP_THREADS");
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::resolveThreadCount(0, std::nullopt));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::resolveThreadCount(std::nullopt, -1));
  }

  void emptyEnvironmentValueIsIgnored() {
    ::setenv("CRISP_THREADS", "", 1);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 2).source, ThreadSource::Setting);
  }

  void appliesToLibTorch() {
    crisp::configureThreads(1, std::nullopt);
    QCOMPARE(crisp::currentThreadCount(), 1);
    crisp::configureThreads(2, std::nullopt);
    QCOMPARE(crisp::currentThreadCount(), 2);
  }
};

QTEST_GUILESS_MAIN(TestThreads)
#include "test_threads.moc"
