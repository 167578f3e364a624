#include <QtTest>

#include <QTemporaryDir>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/sys/error.h"
#include "core/sys/threads.h"

using crisp::ThreadSource;

class TestThreads : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    ::unsetenv("CRISP_THREADS");
    ::unsetenv("OMP_NUM_THREADS");
    ::unsetenv("LOCAL_WORLD_SIZE");
  }

  void defaultsToTheUsableCpus() {
    const auto choice = crisp::resolveThreadCount(std::nullopt, std::nullopt);
    QCOMPARE(choice.count, choice.cpus.usableThreads());
    QVERIFY(choice.count >= 1 && choice.count <= crisp::machineCores());
    QCOMPARE(choice.source, ThreadSource::AvailableCpus);
    QVERIFY(choice.automatic());
  }

  void openMpEnvironmentIsHonouredBelowCrispThreads() {
    ::setenv("OMP_NUM_THREADS", "1", 1);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 3).source, ThreadSource::OpenMpEnvironment);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, 3).count, 1);
    ::setenv("OMP_NUM_THREADS", "3,2", 1);  // one count per nesting level: the first is ours
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, std::nullopt).count, 3);
    ::setenv("CRISP_THREADS", "2", 1);
    QCOMPARE(crisp::resolveThreadCount(std::nullopt, std::nullopt).source,
             ThreadSource::Environment);
    ::unsetenv("CRISP_THREADS");
    ::setenv("OMP_NUM_THREADS", "lots", 1);
    try {
      crisp::resolveThreadCount(std::nullopt, std::nullopt);
      QFAIL("accepted OMP_NUM_THREADS=lots");
    } catch (const crisp::Error& e) {
      QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("OMP_NUM_THREADS")), e.what());
    }
  }

  void usableCpusAreTheTightestLimitSharedAmongLocalRanks() {
    crisp::CpuAvailability cpus;
    cpus.machineCores = 8;
    QCOMPARE(cpus.usableThreads(), 8);
    cpus.affinityCpus = 4;
    QCOMPARE(cpus.usableThreads(), 4);
    cpus.cgroupQuota = 1.5;  // a fraction of a CPU still runs a thread
    QCOMPARE(cpus.usableThreads(), 2);
    cpus.localProcesses = 2;
    QCOMPARE(cpus.usableThreads(), 1);
    cpus.localProcesses = 4;  // never fewer than one
    QCOMPARE(cpus.usableThreads(), 1);
    QCOMPARE(QString::fromStdString(cpus.describe()),
             QStringLiteral("8 cores, affinity 4 CPUs, cgroup quota 1.5 CPUs, 4 local ranks"));
    ::setenv("LOCAL_WORLD_SIZE", "2", 1);
    QCOMPARE(crisp::detectCpuAvailability().localProcesses, 2);
  }

  void cgroupQuotaIsReadFromV1AndV2Hierarchies() {
    QTemporaryDir root;
    const auto write = [&](const QString& relative, const char* text) {
      const QString path = root.filePath(relative);
      QDir().mkpath(QFileInfo(path).absolutePath());
      std::ofstream(path.toStdString()) << text;
    };
    const std::string rootPath = root.path().toStdString();
    // v2: the tightest of the group and its parents.
    write(QStringLiteral("job/cpu.max"), "max 100000\n");
    write(QStringLiteral("job/step/cpu.max"), "250000 100000\n");
    write(QStringLiteral("cpu.max"), "300000 100000\n");
    QCOMPARE(crisp::cgroupCpuQuota("0::/job/step\n", rootPath), 2.5);
    write(QStringLiteral("job/cpu.max"), "150000 100000\n");
    QCOMPARE(crisp::cgroupCpuQuota("0::/job/step\n", rootPath), 1.5);
    // v1: quota -1 is unlimited.
    write(QStringLiteral("cpu,cpuacct/slurm/cpu.cfs_quota_us"), "200000\n");
    write(QStringLiteral("cpu,cpuacct/slurm/cpu.cfs_period_us"), "100000\n");
    write(QStringLiteral("cpu,cpuacct/cpu.cfs_quota_us"), "-1\n");
    write(QStringLiteral("cpu,cpuacct/cpu.cfs_period_us"), "100000\n");
    QCOMPARE(crisp::cgroupCpuQuota("4:memory:/x\n3:cpu,cpuacct:/slurm\n", rootPath), 2.0);
    QCOMPARE(crisp::cgroupCpuQuota("3:cpu,cpuacct:/\n", rootPath), 0.0);
    // Unreadable or missing: no quota, never an error.
    QCOMPARE(crisp::cgroupCpuQuota("garbage\n0::/nowhere\n", rootPath + "/absent"), 0.0);
  }

  void governorLowersThreadsUnderLoadAndRaisesThemAfter() {
    crisp::ThreadGovernor governor(2, 2, std::chrono::milliseconds(0));
    QCOMPARE(governor.current(), 2);
    QVERIFY(!governor.observe(0.1));
    QVERIFY(!governor.observe(1.0));  // one busy sample is not enough
    QCOMPARE(governor.observe(0.95), std::optional<int>(1));
    QCOMPARE(governor.current(), 1);
    QVERIFY(!governor.observe(0.9));
    QVERIFY(!governor.observe(0.2));
    QCOMPARE(governor.observe(0.0), std::optional<int>(2));
    QVERIFY(!governor.observe(3.5));  // never below one thread
    QCOMPARE(governor.observe(3.5), std::optional<int>(1));

    // Two local ranks of 4 threads on 8 CPUs: the other rank's 4 CPUs leave this one its 4;
    // a busy process beside them takes one more.
    crisp::ThreadGovernor rank(4, 8, std::chrono::milliseconds(0));
    QVERIFY(!rank.observe(4.0));
    QVERIFY(!rank.observe(4.1));
    QVERIFY(!rank.observe(5.0));
    QCOMPARE(rank.observe(5.1), std::optional<int>(3));
  }

  void otherProcessesLoadIsMeasured() {
    // A busy thread of our own is not "another process": the measure leaves it out.
    const crisp::CpuLoadSample before = crisp::sampleCpuLoad();
    // Spin until 0.2 s of CPU are ours (longer in wall time on a busy machine).
    std::thread spin([&before] {
      const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      volatile double x = 0;
      while (crisp::sampleCpuLoad().selfSeconds - before.selfSeconds < 0.2 &&
             std::chrono::steady_clock::now() < limit) {
        for (int i = 0; i < 100000; ++i) x = x + 1;
      }
    });
    spin.join();
    const crisp::CpuLoadSample after = crisp::sampleCpuLoad();
    QVERIFY(after.selfSeconds - before.selfSeconds >= 0.2);
    QVERIFY(after.busySeconds > before.busySeconds);
    const double others = crisp::otherProcessesCpus(before, after);
    QVERIFY2(others >= 0 && others <= crisp::machineCores(), qPrintable(QString::number(others)));
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
