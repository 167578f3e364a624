// The head statistics table as a model, without widgets: a row per (layer, head) with core's
// statistics rounded as shown, the columns' names and explanations, numeric sorting, and a frame
// recomputed only when its sentence or step changes.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>
#include <cmath>

#include "core/analysis/attention_stats.h"
#include "ui/views/head_statistics_model.h"

using crisp::ui::AttentionFrame;
using crisp::ui::HeadStatisticsModel;

namespace {

// One layer, two heads, two tokens, [head][query][key].
AttentionFrame frame() {
  AttentionFrame f;
  f.step = 7;
  f.sentence = QStringLiteral("good film");
  f.tokens = {QStringLiteral("good"), QStringLiteral("film")};
  f.layers = 1;
  f.heads = 2;
  f.length = 2;
  f.before = {0.5f, 0.5f, 0.5f, 0.5f,  // uniform
              0.9f, 0.1f, 0.2f, 0.8f};
  f.after = {1.0f, 0.0f, 0.0f,  1.0f,  // each token to itself alone
             1.0f, 0.0f, 0.25f, 0.75f};
  return f;
}

double cell(const QAbstractItemModel& model, int row, int column) {
  return model.index(row, column).data().toDouble();
}

}  // namespace

class TestHeadStatisticsModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rowsHoldCoresStatisticsRoundedAsShown() {
    HeadStatisticsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 7);
    const AttentionFrame f = frame();
    model.setFrame(f);
    QCOMPARE(model.rowCount(), 2);
    // By hand: uniform over 2 keys is ln 2 nats, keeps every pair, 0.5 on the diagonal.
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kLayer), 1.0);
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kHead), 1.0);
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kEntropyBefore), 0.693);
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kEntropyAfter), 0.0);
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kKeptPercent), 50.0);
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kDiagonalBefore), 0.5);
    QCOMPARE(cell(model, 0, HeadStatisticsModel::kDiagonalAfter), 1.0);
    QCOMPARE(cell(model, 1, HeadStatisticsModel::kHead), 2.0);
    QCOMPARE(cell(model, 1, HeadStatisticsModel::kKeptPercent), 75.0);
    QCOMPARE(cell(model, 1, HeadStatisticsModel::kDiagonalAfter), 0.875);
    // Every value is core's, to the decimals shown.
    const auto before = crisp::analysis::allHeadStatistics(f.before.constData(), 1, 2, 2);
    const auto after = crisp::analysis::allHeadStatistics(f.after.constData(), 1, 2, 2);
    for (int row = 0; row < 2; ++row) {
      QCOMPARE(model.layerAt(row), 0);
      QCOMPARE(model.headAt(row), row);
      const auto& b = before[row];
      const auto& a = after[row];
      QCOMPARE(cell(model, row, HeadStatisticsModel::kEntropyBefore),
               std::round(b.entropy * 1e3) / 1e3);
      QCOMPARE(cell(model, row, HeadStatisticsModel::kEntropyAfter),
               std::round(a.entropy * 1e3) / 1e3);
      QCOMPARE(cell(model, row, HeadStatisticsModel::kKeptPercent),
               std::round(1e3 * a.keptFraction) / 10);
      QCOMPARE(cell(model, row, HeadStatisticsModel::kDiagonalBefore),
               std::round(b.diagonalMass * 1e3) / 1e3);
      QCOMPARE(cell(model, row, HeadStatisticsModel::kDiagonalAfter),
               std::round(a.diagonalMass * 1e3) / 1e3);
      QCOMPARE(model.index(row, 3).data(Qt::TextAlignmentRole).toInt(),
               int(Qt::AlignRight | Qt::AlignVCenter));
    }
  }

  void headersNameAndExplainTheColumns() {
    HeadStatisticsModel model;
    QStringList names;
    for (int c = 0; c < model.columnCount(); ++c) {
      names << model.headerData(c, Qt::Horizontal).toString();
    }
    QCOMPARE(names, (QStringList{"Layer", "Head", "Entropy before", "Entropy after", "Kept %",
                                 "Diagonal before", "Diagonal after"}));
    QVERIFY(model.headerData(HeadStatisticsModel::kEntropyBefore, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("nats")));
    QVERIFY(model.headerData(HeadStatisticsModel::kKeptPercent, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("non-zero")));
    QVERIFY(model.headerData(HeadStatisticsModel::kDiagonalBefore, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("itself")));
  }

  void sortsByValueNotByText() {
    HeadStatisticsModel model;
    AttentionFrame f = frame();
    // Twelve heads: "10" sorts before "9" as text, after it as a number.
    f.heads = 12;
    f.before = QVector<float>(12 * 4, 0.5f);
    f.after = f.before;
    model.setFrame(f);
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.sort(HeadStatisticsModel::kHead, Qt::DescendingOrder);
    QCOMPARE(sorted.index(0, HeadStatisticsModel::kHead).data().toInt(), 12);
    QCOMPARE(sorted.index(11, HeadStatisticsModel::kHead).data().toInt(), 1);
  }

  void recomputesOnlyForAnotherSentenceOrStep() {
    HeadStatisticsModel model;
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    AttentionFrame f = frame();
    model.setFrame(f);
    QCOMPARE(reset.size(), 1);
    const QString description = model.description();
    QVERIFY2(description.contains(QStringLiteral("“good film”, step 7, all 2 tokens")),
             qPrintable(description));
    QVERIFY2(description.contains(QStringLiteral("uniform over 2 keys: 0.69")),
             qPrintable(description));
    model.setFrame(f);  // the same frame again, e.g. another head chosen
    QCOMPARE(reset.size(), 1);
    f.step = 8;
    model.setFrame(f);
    QCOMPARE(reset.size(), 2);
    QVERIFY(model.description().contains(QStringLiteral("step 8")));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.description().contains(QStringLiteral("first attention map")));
  }
};

QTEST_GUILESS_MAIN(TestHeadStatisticsModel)
#include "test_head_statistics_model.moc"
