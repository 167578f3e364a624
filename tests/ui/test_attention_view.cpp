// The attention view on a frame of known values: hover shows the frame's value at the cell, the
// thumbnail grid picks heads, mean and rollout equal core's computations, per-head statistics
// and the learned DAM mask follow the frame.
#include <ATen/ATen.h>
#include <QCheckBox>
#include <QComboBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "core/analysis/attention_stats.h"
#include "core/train/experiment.h"
#include "core/train/predictor.h"
#include "ui/model_snapshot.h"
#include "ui/qcp.h"
#include "ui/views/attention_grid.h"
#include "ui/views/attention_view.h"

using crisp::ui::AttentionFrame;
using crisp::ui::AttentionView;

namespace {

constexpr int kLayers = 2, kHeads = 3, kLength = 5;

std::vector<at::Tensor> randomLayers(int seed) {
  at::manual_seed(seed);
  std::vector<at::Tensor> layers;
  for (int l = 0; l < kLayers; ++l) {
    layers.push_back(at::softmax(at::randn({kHeads, kLength, kLength}), -1).contiguous());
  }
  return layers;
}

QVector<float> flatten(const std::vector<at::Tensor>& layers) {
  QVector<float> out;
  for (const at::Tensor& t : layers)
    out.append(QVector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel()));
  return out;
}

struct Fixture {
  std::vector<at::Tensor> before = randomLayers(1), after = randomLayers(2);
  AttentionFrame frame;
  Fixture() {
    // "After" as a pruned map: zero the smallest entries of each row, renormalise.
    for (at::Tensor& t : after) {
      const at::Tensor threshold = std::get<0>(t.kthvalue(3, -1, true));
      t = at::where(t >= threshold, t, at::zeros_like(t));
      t = (t / t.sum(-1, true)).contiguous();
    }
    frame.step = 12;
    frame.sentence = QStringLiteral("a b c");
    frame.tokens = {QStringLiteral("[CLS]"), QStringLiteral("a"), QStringLiteral("b"),
                    QStringLiteral("c"), QStringLiteral("[SEP]")};
    frame.probabilities = {0.25f, 0.75f};
    frame.layers = kLayers;
    frame.heads = kHeads;
    frame.length = kLength;
    frame.before = flatten(before);
    frame.after = flatten(after);
  }
};

void showAndLayOut(AttentionView& view) {
  view.resize(1000, 900);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  view.heatmapPlot()->replot();
}

QCPColorMap* afterMap(AttentionView& view) {
  return qobject_cast<QCPColorMap*>(view.heatmapPlot()->plottable(1));
}

}  // namespace

class TestAttentionView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void hoverShowsTheFrameValueAtThatCell() {
    Fixture fx;
    AttentionView view;
    view.setFrame(fx.frame);
    view.select(1, 2);
    showAndLayOut(view);
    QCPColorMap* map = afterMap(view);
    QVERIFY(map);
    const int query = 1, key = 3;
    const QPoint pos(static_cast<int>(map->keyAxis()->coordToPixel(key)),
                     static_cast<int>(map->valueAxis()->coordToPixel(query)));
    const AttentionView::Hover hover = view.hoverAt(pos);
    QVERIFY(hover.valid);
    QCOMPARE(hover.query, query);
    QCOMPARE(hover.key, key);
    QCOMPARE(hover.queryToken, QStringLiteral("a"));
    QCOMPARE(hover.keyToken, QStringLiteral("c"));
    QCOMPARE(hover.after, double(fx.frame.at(fx.frame.after, 1, 2, query, key)));
    QCOMPARE(hover.before, double(fx.frame.at(fx.frame.before, 1, 2, query, key)));

    // A real mouse move updates the status line with the same values.
    QTest::mouseMove(view.heatmapPlot(), pos);
    QTRY_VERIFY(view.hoverText().contains(QString::number(hover.after, 'f', 4)));
    QVERIFY(view.hoverText().contains(QString::number(hover.before, 'f', 4)));

    // Hiding [CLS]/[SEP] moves the cells; the hover still names the frame's tokens.
    view.findChild<QCheckBox*>(QStringLiteral("hideSpecialTokens"))->setChecked(true);
    view.heatmapPlot()->replot();
    const QPoint first(static_cast<int>(map->keyAxis()->coordToPixel(0)),
                       static_cast<int>(map->valueAxis()->coordToPixel(0)));
    const AttentionView::Hover moved = view.hoverAt(first);
    QCOMPARE(moved.query, 1);
    QCOMPARE(moved.key, 1);
    QCOMPARE(moved.after, double(fx.frame.at(fx.frame.after, 1, 2, 1, 1)));

    // Clearing the view (a new run starts, another is opened) forgets the values shown.
    QTest::mouseMove(view.heatmapPlot(), first);
    QTRY_VERIFY(view.hoverText().contains(QString::number(moved.after, 'f', 4)));
    view.clear();
    QVERIFY2(!view.hoverText().contains(QString::number(moved.after, 'f', 4)),
             qPrintable(view.hoverText()));
  }

  void thumbnailGridHasEveryHeadAndClickingSelects() {
    Fixture fx;
    AttentionView view;
    view.setFrame(fx.frame);
    showAndLayOut(view);
    crisp::ui::AttentionGrid* grid = view.grid();
    QCOMPARE(grid->cellCount(), kLayers * kHeads);
    QCOMPARE(grid->layers(), kLayers);
    QCOMPARE(grid->heads(), kHeads);
    grid->resize(600, 300);
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(1, 2).center());
    QCOMPARE(view.currentLayer(), 1);
    QCOMPARE(view.currentHead(), 2);
    const auto shown = view.shownAfter();
    for (int q = 0; q < kLength; ++q) {
      for (int k = 0; k < kLength; ++k) {
        QCOMPARE(shown[q][k], double(fx.after[1][2][q][k].item<float>()));
      }
    }
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(0, 1).center());
    QCOMPARE(view.currentLayer(), 0);
    QCOMPARE(view.currentHead(), 1);
  }

  void meanAndRolloutEqualCoresComputation() {
    Fixture fx;
    AttentionView view;
    view.setFrame(fx.frame);
    view.select(1, AttentionView::kMeanOverHeads);
    const at::Tensor mean = fx.after[1].mean(0);
    for (int q = 0; q < kLength; ++q) {
      for (int k = 0; k < kLength; ++k) {
        QVERIFY(qAbs(view.shownAfter()[q][k] - mean[q][k].item<double>()) < 1e-6);
      }
    }
    view.select(1, AttentionView::kRollout);
    const at::Tensor rolloutAfter = crisp::attentionRollout(fx.after);
    const at::Tensor rolloutBefore = crisp::attentionRollout(fx.before);
    for (int q = 0; q < kLength; ++q) {
      for (int k = 0; k < kLength; ++k) {
        QVERIFY(qAbs(view.shownAfter()[q][k] - rolloutAfter[q][k].item<double>()) < 1e-5);
        QVERIFY(qAbs(view.shownBefore()[q][k] - rolloutBefore[q][k].item<double>()) < 1e-5);
      }
    }
    // Rollout up to the first layer is that layer's residual-mixed mean alone.
    view.select(0, AttentionView::kRollout);
    const at::Tensor first = crisp::attentionRollout({fx.after[0]});
    QVERIFY(qAbs(view.shownAfter()[2][3] - first[2][3].item<double>()) < 1e-5);
  }

  void statisticsTableMatchesCore() {
    Fixture fx;
    AttentionView view;
    view.setFrame(fx.frame);
    QTableView* table = view.statisticsTable();
    const QAbstractItemModel* stats = table->model();
    const auto value = [stats](int row, int column) { return stats->index(row, column).data(); };
    QCOMPARE(stats->rowCount(), kLayers * kHeads);
    const auto after =
        crisp::analysis::allHeadStatistics(fx.frame.after.constData(), kLayers, kHeads, kLength);
    for (int row = 0; row < stats->rowCount(); ++row) {
      const int l = value(row, 0).toInt() - 1;
      const int h = value(row, 1).toInt() - 1;
      const auto& s = after[l * kHeads + h];
      QVERIFY(qAbs(value(row, 3).toDouble() - s.entropy) < 1e-3);
      QVERIFY(qAbs(value(row, 4).toDouble() - 100 * s.keptFraction) < 0.05);
      QVERIFY(qAbs(value(row, 6).toDouble() - s.diagonalMass) < 1e-3);
    }
    // 3 of 5 keys kept in every row of every "after" map.
    QCOMPARE(value(0, 4).toDouble(), 60.0);
    // Clicking a row shows that head.
    table->sortByColumn(0, Qt::DescendingOrder);
    QCOMPARE(value(0, 0).toInt(), kLayers);
    Q_EMIT table->clicked(stats->index(0, 0));
    QCOMPARE(view.currentLayer(), value(0, 0).toInt() - 1);
    QCOMPARE(view.currentHead(), value(0, 1).toInt() - 1);
  }

  void learnedMaskIsShownOnlyWithDam() {
    Fixture fx;
    AttentionView view;
    view.show();
    view.setFrame(fx.frame);
    QVERIFY(view.damPlot()->isHidden());
    fx.frame.step = 13;
    fx.frame.damKeep = QVector<float>(fx.frame.after.size());
    for (int i = 0; i < fx.frame.damKeep.size(); ++i) fx.frame.damKeep[i] = float(i % 7) / 7;
    view.setFrame(fx.frame);
    view.select(1, 0);
    QVERIFY(!view.damPlot()->isHidden());
    auto* dam = qobject_cast<QCPColorMap*>(view.damPlot()->plottable(0));
    // Cell (key 3, query 2) of layer 1, head 0.
    QCOMPARE(dam->data()->cell(3, 2), double(fx.frame.at(fx.frame.damKeep, 1, 0, 2, 3)));
  }

  // A real run with a learned mask, opened as from the Runs tab: the view shows the run's probe
  // sentences through its model without being asked, and the mask tab shows core's sigma(alpha)
  // of the checkpoint with the count of pairs it keeps.
  void realDamRunShowsItsProbesAndMask() {
    QTemporaryDir root;
    crisp::ExperimentConfig config = crisp::ExperimentConfig::demo();
    config.name = "dam";
    config.policy = "dam:0.01";
    config.demoTrainSize = 128;
    config.demoDevSize = 32;
    config.hyper.epochs = 2;
    config.hyper.evalEvery = 4;
    const QString run = root.filePath(QStringLiteral("dam"));
    crisp::PreparedExperiment prepared = crisp::prepareExperiment(config);
    crisp::Trainer trainer(std::move(prepared.inputs), config.hyper, run.toStdString(),
                           prepared.runConfig);
    QVERIFY(trainer.run() == crisp::RunState::Finished);

    AttentionView view;
    crisp::ui::ModelSnapshot snapshot;
    view.setModelSnapshot(&snapshot);
    view.resize(1000, 800);
    view.show();
    snapshot.follow(run);
    auto* sentences = view.findChild<QComboBox*>(QStringLiteral("probeCombo"));
    QTRY_COMPARE_WITH_TIMEOUT(sentences->count(), static_cast<int>(config.probes.size()), 20000);
    const AttentionFrame* frame = view.currentFrame();
    QVERIFY(frame != nullptr);
    QCOMPARE(frame->sentence, QString::fromStdString(config.probes.front()));
    QVERIFY(!sentences->currentText().startsWith(QStringLiteral("✎")));  // a probe, not typed
    QCOMPARE(frame->damKeep.size(), frame->before.size());

    // The same sigma(alpha) as core's predictor on the run's checkpoint.
    const crisp::Prediction p =
        crisp::Predictor::fromRun(run.toStdString())->predict(config.probes.front());
    QCOMPARE(static_cast<size_t>(frame->damKeep.size()), p.damKeep.size());
    for (int i = 0; i < frame->damKeep.size(); ++i) QCOMPARE(frame->damKeep[i], p.damKeep[i]);

    view.select(1, 1);
    QVERIFY(!view.damPlot()->isHidden());
    auto* map = qobject_cast<QCPColorMap*>(view.damPlot()->plottable(0));
    QCOMPARE(map->data()->keySize(), frame->length);
    QCOMPARE(map->data()->cell(2, 1), double(frame->at(frame->damKeep, 1, 1, 1, 2)));
    int kept = 0;
    for (int q = 0; q < frame->length; ++q) {
      for (int k = 0; k < frame->length; ++k) kept += frame->at(frame->damKeep, 1, 1, q, k) > 0.5f;
    }
    const QString expected =
        QStringLiteral("layer 2, head 2: %1 of %2 (").arg(kept).arg(frame->length * frame->length);
    QVERIFY2(view.damSummary().contains(expected), qPrintable(view.damSummary()));
    // The mask is shared by the layers (the default), and the view says so.
    QVERIFY(view.damSummary().contains(QStringLiteral("shared by all 2 layers")));
  }
};

QTEST_MAIN(TestAttentionView)
#include "test_attention_view.moc"
