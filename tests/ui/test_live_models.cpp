// Two real (tiny) runs: live prediction shows both side by side for the same sentence, and the
// attention view shows a typed sentence's attention from the current model snapshot.
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QtTest>

#include "core/train/predictor.h"
#include "core/train/run_directory.h"
#include "tiny_run.h"
#include "ui/model_snapshot.h"
#include "ui/views/attention_view.h"
#include "ui/views/predict_view.h"

using namespace crisp;

class TestLiveModels : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(runs_.isValid());
    tiny_run::train(runs_.filePath(QStringLiteral("dense")), "dense", 1);
    tiny_run::train(runs_.filePath(QStringLiteral("crisp")), "crisp:0.8", 2);
  }

  void twoRunsPredictSideBySide() {
    ui::PredictView view;
    view.setRunsRoot(runs_.path());
    const QString dense = runs_.filePath(QStringLiteral("dense"));
    const QString crisp = runs_.filePath(QStringLiteral("crisp"));
    // The comparison list offers both runs.
    auto* combo = view.findChild<QComboBox*>(QStringLiteral("compareCombo"));
    QVERIFY(combo->findData(dense) >= 0 || combo->findData(QDir(dense).absolutePath()) >= 0);
    view.followRun(dense);
    view.compareWith(crisp);
    QVERIFY(view.isComparing());
    const QString sentence = QStringLiteral("the film was not good but the ending was wonderful .");
    view.setText(sentence);
    QTRY_VERIFY_WITH_TIMEOUT(!view.resultText().isEmpty() && !view.comparisonResultText().isEmpty(),
                             20000);
    for (const QString& text : {view.resultText(), view.comparisonResultText()}) {
      QVERIFY2(
          text.contains(QStringLiteral("positive")) && text.contains(QStringLiteral("negative")),
          qPrintable(text));
    }
    // Each side is its own run's model: the labels shown are what each predictor says.
    const auto densePrediction =
        Predictor::fromRun(dense.toStdString())->predict(sentence.toStdString());
    const auto crispPrediction =
        Predictor::fromRun(crisp.toStdString())->predict(sentence.toStdString());
    const auto percent = [](const Prediction& p) {
      return QStringLiteral("%1%").arg(100.0 * p.probabilities[p.label], 0, 'f', 1);
    };
    QVERIFY2(view.resultText().contains(percent(densePrediction)), qPrintable(view.resultText()));
    QVERIFY2(view.comparisonResultText().contains(percent(crispPrediction)),
             qPrintable(view.comparisonResultText()));
    view.compareWith(QString());
    QVERIFY(!view.isComparing());
    QVERIFY(view.comparisonResultText().isEmpty());
  }

  // The snapshot's step label is the checkpoint core loaded. The studio used to name the newest
  // step-* folder it saw, complete or not, while core loaded the newest complete one.
  void theSnapshotNamesTheCheckpointCoreLoaded() {
    const QString dense = runs_.filePath(QStringLiteral("dense"));
    const std::vector<int64_t> steps = RunDirectory(dense.toStdString()).checkpointSteps();
    QVERIFY(!steps.empty());
    QDir checkpoints(dense + QStringLiteral("/checkpoints"));
    QVERIFY(checkpoints.mkdir(QStringLiteral("step-99999999")));  // staged, not yet complete
    ui::ModelSnapshot snapshot;
    QSignalSpy loaded(&snapshot, &ui::ModelSnapshot::loaded);
    snapshot.follow(dense);
    QVERIFY(loaded.wait(20000));
    checkpoints.rmdir(QStringLiteral("step-99999999"));
    QCOMPARE(snapshot.checkpointStep(), qint64(steps.back()));
    QVERIFY2(snapshot.describe().endsWith(QStringLiteral("step %1").arg(steps.back())),
             qPrintable(snapshot.describe()));
  }

  void attentionOfATypedSentenceFromTheSnapshot() {
    ui::ModelSnapshot snapshot;
    ui::AttentionView view;
    view.setModelSnapshot(&snapshot);
    QSignalSpy loaded(&snapshot, &ui::ModelSnapshot::loaded);
    const QString crisp = runs_.filePath(QStringLiteral("crisp"));
    snapshot.follow(crisp);
    QVERIFY(loaded.wait(20000));
    QSignalSpy shown(&view, &ui::AttentionView::typedSentenceShown);
    const QString sentence = QStringLiteral("honestly the plot was dull");
    view.showSentence(sentence);
    QVERIFY(shown.wait(20000));
    const ui::AttentionFrame* frame = view.currentFrame();
    QVERIFY(frame);
    QCOMPARE(frame->sentence, sentence);
    const Prediction p = Predictor::fromRun(crisp.toStdString())->predict(sentence.toStdString());
    QCOMPARE(frame->length, static_cast<int>(p.tokens.size()));
    QCOMPARE(frame->layers, p.layers);
    view.select(p.layers - 1, 1);
    const auto after = view.shownAfter();
    const int T = frame->length;
    const size_t base = static_cast<size_t>((p.layers - 1) * p.heads + 1) * T * T;
    for (int q = 0; q < T; ++q) {
      for (int k = 0; k < T; ++k) QVERIFY(qAbs(after[q][k] - p.after[base + q * T + k]) < 1e-6);
    }
  }

 private:
  QTemporaryDir runs_;
};

QTEST_MAIN(TestLiveModels)
#include "test_live_models.moc"
