#include "ui/views/statistics_panel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <cmath>

#include "core/analysis/statistics.h"
#include "ui/studio_types.h"
#include "ui/views/text_export.h"

namespace crisp::ui {

StatisticsPanel::StatisticsPanel(QWidget* parent)
    : QGroupBox(tr("Statistics: best dev accuracy over seeds, paired test against the baseline"),
                parent) {
  setObjectName(QStringLiteral("statisticsPanel"));
  model_ = new QStandardItemModel(this);
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("statisticsTable"));
  table_->setModel(model_);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(false);
  table_->verticalHeader()->hide();
  baseline_ = new QComboBox(this);
  baseline_->setObjectName(QStringLiteral("baselineCombo"));
  baseline_->setToolTip(tr("The configuration every other one is compared with"));
  connect(baseline_, qOverload<int>(&QComboBox::activated), this,
          [this] { setBaseline(baseline_->currentText()); });
  note_ = new QLabel(tr("Statistics appear once runs have finished."), this);
  note_->setObjectName(QStringLiteral("statisticsNote"));
  note_->setWordWrap(true);
  scopeLabel_ = new QLabel(this);
  scopeLabel_->setObjectName(QStringLiteral("statisticsScope"));
  scopeLabel_->setWordWrap(true);
  QFont scopeFont = scopeLabel_->font();
  scopeFont.setBold(true);
  scopeLabel_->setFont(scopeFont);
  auto* csvButton = new QPushButton(tr("Export CSV…"), this);
  connect(csvButton, &QPushButton::clicked, this, [this] { exportStatistics(false); });
  auto* latexButton = new QPushButton(tr("Export LaTeX…"), this);
  connect(latexButton, &QPushButton::clicked, this, [this] { exportStatistics(true); });
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(new QLabel(tr("Baseline:"), this));
  buttons->addWidget(baseline_);
  buttons->addStretch(1);
  buttons->addWidget(csvButton);
  buttons->addWidget(latexButton);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(scopeLabel_);
  layout->addLayout(buttons);
  layout->addWidget(table_, 1);
  layout->addWidget(note_);
}

void StatisticsPanel::setRuns(const QList<ListedRun>& runs) {
  runs_ = runs;
  compute();
}

void StatisticsPanel::setBaseline(const QString& configuration) {
  baselineChoice_ = configuration;
  compute();
}

void StatisticsPanel::compute() {
  // The runs to summarise: the selected ones, else all of them.
  QList<int> rows;
  for (int r = 0; r < runs_.size(); ++r) {
    if (runs_[r].selected) rows << r;
  }
  const bool selection = !rows.isEmpty();
  QStringList configurations;  // of the whole folder, in table order
  QString
      densePolicy;  // a configuration whose policy is dense: "dense" if so named, else the first
  for (int r = 0; r < runs_.size(); ++r) {
    if (!selection) rows << r;
    const QString& configuration = runs_[r].configuration;
    if (!configurations.contains(configuration)) configurations << configuration;
    if (runs_[r].policy == QLatin1String("dense") &&
        (densePolicy.isEmpty() || configuration == QLatin1String("dense")))
      densePolicy = configuration;
  }
  // The baseline as core will choose it: the one picked, else the dense configuration, by
  // policy. A selection without its runs gets them from the folder: a test against nothing says
  // nothing. (Core picks one per data and model.)
  const QString baseline = baselineChoice_.isEmpty() ? densePolicy : baselineChoice_;
  QList<int> added;
  if (selection && !baseline.isEmpty()) {
    const bool has = std::any_of(rows.begin(), rows.end(),
                                 [&](int r) { return runs_[r].configuration == baseline; });
    for (int r = 0; r < runs_.size() && !has; ++r) {
      if (runs_[r].configuration == baseline) added << r;
    }
  }
  QStringList paths;
  for (int r : added + rows) paths << runs_[r].path;
  QString scope, hint;
  if (!selection) {
    scope = tr("All %1 in the folder").arg(runCountText(rows.size()));
    hint = tr("select runs to cover only those");
  } else {
    scope =
        rows.size() == 1 ? tr("The 1 selected run") : tr("The %1 selected runs").arg(rows.size());
    if (!added.isEmpty()) {
      scope += tr(" and, as the baseline, %1's %2 (not selected)")
                   .arg(baseline, runCountText(added.size()));
    }
    hint = tr("clear the selection for all runs");
  }
  {
    const QSignalBlocker block(baseline_);
    baseline_->clear();
    baseline_->addItems(configurations);
    baseline_->setCurrentText(baseline);
  }

  const int generation = ++generation_;
  if (paths.isEmpty()) {
    showStatistics(nullptr, {}, {}, {});
    return;
  }
  std::vector<std::string> runs;
  for (const QString& path : paths) runs.push_back(path.toStdString());
  // In the folders' order, as `crisp stats` meets them, so both list the configurations alike
  // (the runs table lists the newest first).
  std::sort(runs.begin(), runs.end());
  StatisticsOptions options;
  options.baseline = baselineChoice_.toStdString();
  note_->setText(tr("Computing statistics of %1…").arg(runCountText(qsizetype(runs.size()))));
  // The bootstrap reads every run's predictions and resamples them: off the GUI thread.
  using Result = std::shared_ptr<const SweepStatistics>;
  auto* watcher = new QFutureWatcher<Result>(this);
  connect(watcher, &QFutureWatcher<Result>::finished, this,
          [this, watcher, generation, paths, scope, hint] {
            watcher->deleteLater();
            if (generation == generation_) showStatistics(watcher->result(), paths, scope, hint);
          });
  watcher->setFuture(QtConcurrent::run([runs, options]() -> Result {
    try {
      return std::make_shared<const SweepStatistics>(computeSweepStatistics(runs, options));
    } catch (const std::exception& e) {
      auto failed = std::make_shared<SweepStatistics>();
      failed->warnings.push_back(e.what());
      return failed;
    }
  }));
}

void StatisticsPanel::showStatistics(std::shared_ptr<const SweepStatistics> statistics,
                                     const QStringList& runs, const QString& scope,
                                     const QString& hint) {
  statistics_ = std::move(statistics);
  shownRuns_ = runs;
  shownScope_ = scope;
  scopeLabel_->setText(scope.isEmpty() ? QString() : tr("Showing: %1 (%2).").arg(scope, hint));
  const SweepStatistics empty;
  const SweepStatistics& s = statistics_ ? *statistics_ : empty;
  fillTable(s);

  if (!s.configurations.empty()) {
    // The table's names: runs of one name with other settings are told apart there.
    const QSignalBlocker block(baseline_);
    baseline_->clear();
    baseline_->setPlaceholderText(tr("none: no dense run"));
    for (const ConfigurationSummary& c : s.configurations)
      baseline_->addItem(QString::fromStdString(c.name));
    baseline_->setCurrentIndex(-1);
    for (const ConfigurationSummary& c : s.configurations) {
      if (c.isBaseline) {
        baseline_->setCurrentText(QString::fromStdString(c.name));
        break;
      }
    }
  }
  QString note = tr("Statistics appear once runs have finished.");
  if (statistics_) {
    note = tr("Paired over matched seeds, on the dev predictions of each run's best evaluation, "
              "against the baseline on the same data and model. Σb / Σc: only the baseline / "
              "only this configuration right, summed over seeds. CI: hierarchical percentile "
              "bootstrap (%1 resamples of seeds, then of the dev sentences they share). "
              "Stratified p: the sentence as the unit, not each seed's copy of it (the per-seed "
              "McNemar tests are in the CI's tooltip).")
               .arg(s.bootstrapResamples);
    if (!s.warnings.empty()) {
      QStringList warnings;
      for (const std::string& w : s.warnings) warnings << QString::fromStdString(w);
      note += QLatin1Char('\n') + tr("Note: ") + warnings.join(QStringLiteral("; "));
    }
  }
  note_->setText(note);
  Q_EMIT updated();
}

// One row per configuration: its seeds' mean ± sd, and its paired test against the baseline.
void StatisticsPanel::fillTable(const SweepStatistics& s) {
  model_->clear();
  model_->setHorizontalHeaderLabels({tr("Configuration"), tr("Attention"), tr("Seeds"),
                                     tr("Best dev acc. (%)"), tr("Dev loss at best"),
                                     tr("Δ acc. (pp)"),
                                     tr("%1% CI (pp)").arg(100 * s.confidenceLevel, 0, 'g', 3),
                                     tr("Stratified p"), tr("Σb / Σc")});
  const auto meanSd = [](const MeanSd& m, double scale, int decimals) {
    if (m.n == 0 || !std::isfinite(m.mean)) return QStringLiteral("–");
    const QString mean = QString::number(scale * m.mean, 'f', decimals);
    if (m.n < 2 || !std::isfinite(m.sd)) return mean;
    return QStringLiteral("%1 ± %2").arg(mean, QString::number(scale * m.sd, 'f', decimals));
  };
  for (const ConfigurationSummary& c : s.configurations) {
    QList<QStandardItem*> row;
    row << new QStandardItem(QString::fromStdString(c.name))
        << new QStandardItem(QString::fromStdString(c.policy))
        << new QStandardItem(QString::number(c.bestAccuracy.n))
        << new QStandardItem(meanSd(c.bestAccuracy, 100, 2))
        << new QStandardItem(meanSd(c.devLossAtBest, 1, 4));
    const Comparison* comparison = nullptr;
    for (const Comparison& candidate : s.comparisons) {
      if (candidate.configuration == c.name) comparison = &candidate;
    }
    if (c.isBaseline) {
      row << new QStandardItem(tr("baseline"));
      QFont bold = row.front()->font();
      bold.setBold(true);
      row.front()->setFont(bold);
    } else if (comparison == nullptr) {
      row << new QStandardItem(tr("no baseline on its data and model"));
    } else if (comparison->perSeed.empty()) {
      row << new QStandardItem(tr("no matched seeds"));
    } else {
      const double p = comparison->stratified.pValue;
      auto* pItem = new QStandardItem(!std::isfinite(p) ? QStringLiteral("–")
                                      : p < 1e-4        ? QStringLiteral("< 0.0001")
                                                        : QString::number(p, 'g', 3));
      pItem->setToolTip(
          tr("Two-sided test of the pairs matched within each of %n seed(s), with the dev "
             "sentence as the independent unit (%1); with one seed, the exact McNemar test",
             nullptr, static_cast<int>(comparison->perSeed.size()))
              .arg(comparison->stratified.exact ? tr("exact") : tr("chi-square approximation")));
      if (p < 0.05) {
        QFont bold = pItem->font();
        bold.setBold(true);
        pItem->setFont(bold);
      }
      const BootstrapInterval& d = comparison->meanDifference;
      auto* ci = new QStandardItem(
          std::isfinite(d.low)
              ? QStringLiteral("[%1, %2]").arg(100 * d.low, 0, 'f', 2).arg(100 * d.high, 0, 'f', 2)
              : QStringLiteral("–"));
      QStringList perSeed;
      for (const SeedComparison& sc : comparison->perSeed) {
        perSeed << tr("seed %1: %2 pp, b / c %3 / %4, McNemar p %5")
                       .arg(sc.seed)
                       .arg(100 * sc.accuracyDifference.observed, 0, 'f', 2)
                       .arg(sc.b)
                       .arg(sc.c)
                       .arg(sc.pValue, 0, 'g', 3);
      }
      ci->setToolTip(perSeed.join(QLatin1Char('\n')));
      row << new QStandardItem(QString::asprintf("%+.2f", 100 * d.observed)) << ci << pItem
          << new QStandardItem(
                 QStringLiteral("%1 / %2").arg(comparison->pooledB).arg(comparison->pooledC));
    }
    while (row.size() < model_->columnCount()) row << new QStandardItem;
    for (int i = 2; i < row.size(); ++i)
      row[i]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    model_->appendRow(row);
  }
  table_->resizeColumnsToContents();
}

QString StatisticsPanel::csv() const {
  return statistics_ ? QString::fromStdString(crisp::toCsv(*statistics_)) : QString();
}

QString StatisticsPanel::latex() const {
  if (!statistics_) return {};
  // Which runs the table is of, as LaTeX comments: the file says what it was made from.
  QString text = QStringLiteral("% Crisp Studio: %1.\n").arg(shownScope_);
  QStringList names;
  for (const QString& path : shownRuns_) names << QFileInfo(path).fileName();
  text += QStringLiteral("% Runs: %1\n").arg(names.join(QStringLiteral(", ")));
  return text + QString::fromStdString(crisp::toLatex(*statistics_));
}

void StatisticsPanel::exportStatistics(bool latex) {
  if (!statistics_) {
    QMessageBox::information(this, tr("Export statistics"), tr("No statistics yet."));
    return;
  }
  const bool all = shownRuns_.size() == runs_.size();
  saveTableText(this, all ? QStringLiteral("statistics") : QStringLiteral("statistics-selection"),
                latex, latex ? this->latex() : csv());
}

}  // namespace crisp::ui
