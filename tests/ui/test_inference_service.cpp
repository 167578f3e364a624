// The inference service on a real (tiny) run's snapshot: predictions arrive on the GUI thread
// and equal core's, a newer request supersedes an older one with the same key (the one waiting
// and the running one's result are dropped), different keys all run in the order asked, and
// nothing runs without a model.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "core/train/predictor.h"
#include "tiny_run.h"
#include "ui/inference_service.h"
#include "ui/model_snapshot.h"

using crisp::Prediction;
using crisp::ui::InferenceService;

namespace {

// What the service delivered, in order, and on which threads.
struct Received {
  QStringList texts;
  QList<std::vector<float>> probabilities;
  QList<QThread*> threads;
};

void record(InferenceService& service, Received& received) {
  QObject::connect(&service, &InferenceService::inferred, &service,
                   [&received](const QString& text, const Prediction& p) {
                     received.texts << text;
                     received.probabilities << p.probabilities;
                     received.threads << QThread::currentThread();
                   });
}

}  // namespace

class TestInferenceService : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(runs_.isValid());
    tiny_run::train(run(), "crisp:0.8", 3);
    QSignalSpy loaded(&snapshot_, &crisp::ui::ModelSnapshot::loaded);
    snapshot_.follow(run());
    QVERIFY(loaded.wait(20000));
  }

  void predictionsArriveOnTheGuiThreadAndEqualCores() {
    InferenceService service;
    service.setSnapshot(&snapshot_);
    QVERIFY(service.hasModel());
    Received received;
    record(service, received);
    const QString sentence = QStringLiteral("the ending was wonderful");
    service.request(sentence);
    QVERIFY(received.texts.isEmpty());  // it runs in the background, not in request()
    QTRY_COMPARE_WITH_TIMEOUT(received.texts.size(), 1, 20000);
    QCOMPARE(received.texts.front(), sentence);
    QCOMPARE(received.threads.front(), QCoreApplication::instance()->thread());
    const Prediction expected =
        crisp::Predictor::fromRun(run().toStdString())->predict(sentence.toStdString());
    QCOMPARE(received.probabilities.front().size(), expected.probabilities.size());
    for (size_t i = 0; i < expected.probabilities.size(); ++i) {
      QVERIFY(qAbs(received.probabilities.front()[i] - expected.probabilities[i]) < 1e-6f);
    }
  }

  void aNewerRequestSupersedesTheRunningAndTheWaitingOne() {
    InferenceService service;
    service.setSnapshot(&snapshot_);
    Received received;
    record(service, received);
    // "first" starts at once, "second" waits; "third" drops "second" and first's result.
    for (const char* text : {"first", "second", "third"})
      service.request(QString::fromLatin1(text));
    QTRY_VERIFY_WITH_TIMEOUT(!received.texts.isEmpty(), 20000);
    // One at a time and in order: had "first" been delivered, it would have come before.
    QCOMPARE(received.texts, QStringList{QStringLiteral("third")});
  }

  void differentKeysAllRunInTheOrderAsked() {
    InferenceService service;
    service.setSnapshot(&snapshot_);
    Received received;
    record(service, received);
    const QStringList texts{QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")};
    for (const QString& text : texts) service.request(text, text);
    service.request(texts[0], texts[0]);  // asked again while it runs: it goes last
    QTRY_COMPARE_WITH_TIMEOUT(received.texts.size(), 3, 20000);
    QCOMPARE(received.texts, (QStringList{texts[1], texts[2], texts[0]}));
    for (QThread* thread : received.threads)
      QCOMPARE(thread, QCoreApplication::instance()->thread());
  }

  void withoutAModelNothingRuns() {
    crisp::ui::ModelSnapshot unloaded;  // follows no run
    for (crisp::ui::ModelSnapshot* snapshot :
         {&unloaded, static_cast<crisp::ui::ModelSnapshot*>(nullptr)}) {
      InferenceService service;
      service.setSnapshot(snapshot);
      QVERIFY(!service.hasModel());
      Received received;
      record(service, received);
      service.request(QStringLiteral("anything"));
      QTest::qWait(100);
      QVERIFY(received.texts.isEmpty());
    }
    // Once the snapshot has a model, the dropped request is not run late.
    InferenceService service;
    service.setSnapshot(&unloaded);
    Received received;
    record(service, received);
    service.request(QStringLiteral("dropped"));
    QSignalSpy loaded(&unloaded, &crisp::ui::ModelSnapshot::loaded);
    unloaded.follow(run());
    QVERIFY(loaded.wait(20000));
    service.request(QStringLiteral("asked with a model"));
    QTRY_COMPARE_WITH_TIMEOUT(received.texts.size(), 1, 20000);
    QCOMPARE(received.texts, QStringList{QStringLiteral("asked with a model")});
  }

 private:
  QString run() const { return runs_.filePath(QStringLiteral("crisp")); }
  QTemporaryDir runs_;
  crisp::ui::ModelSnapshot snapshot_;
};

QTEST_MAIN(TestInferenceService)
#include "test_inference_service.moc"
