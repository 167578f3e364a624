#include "ui/views/runs_view.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTextStream>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <cmath>

#include "core/analysis/statistics.h"
#include "core/train/run_directory.h"

namespace crisp::ui {
namespace {

constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kResumableRole = Qt::UserRole + 2;  // RunSummary::resumable

QStandardItem* number(double value, int decimals, const QString& suffix = {}) {
  auto* item = new QStandardItem;
  if (value < 0) {
    item->setText(QStringLiteral("–"));
  } else {
    item->setData(value, Qt::DisplayRole);  // sorts numerically
    item->setText(QString::number(value, 'f', decimals) + suffix);
    item->setData(value, Qt::UserRole);
  }
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QString latexEscape(QString text) {
  for (const char* c : {"\\", "&", "%", "$", "#", "_", "{", "}"}) {
    text.replace(QLatin1String(c), QStringLiteral("\\") + QLatin1String(c));
  }
  return text;
}

// Asks for a file name (default name.tex or name.csv) and writes the text there.
void saveText(QWidget* parent, const QString& name, bool latex, const QString& text) {
  const QString path = QFileDialog::getSaveFileName(
      parent, latex ? QObject::tr("Export LaTeX table") : QObject::tr("Export CSV"),
      name + (latex ? QStringLiteral(".tex") : QStringLiteral(".csv")));
  if (path.isEmpty()) return;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text) ||
      file.write(text.toUtf8()) < 0) {
    QMessageBox::warning(parent, QObject::tr("Export"),
                         QObject::tr("%1: cannot be written").arg(path));
  }
}

}  // namespace

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("runsView"));
  model_ = new QStandardItemModel(0, 0, this);
  model_->setHorizontalHeaderLabels({tr("Configuration"), tr("Attention"), tr("Seed"),
                                     tr("Best dev acc. (%)"), tr("Dev loss"), tr("Epoch"),
                                     tr("Wall time (s)"), tr("State")});
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("runsTable"));
  table_->setModel(model_);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);  // Ctrl/Shift: compare runs
  table_->setToolTip(
      tr("Select runs (Ctrl/Shift-click) to overlay their curves; double-click to open one"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  connect(table_, &QTableView::activated, this, [this](const QModelIndex& index) {
    Q_EMIT runActivated(model_->item(index.row(), 0)->data(kPathRole).toString());
  });
  // A stopped or crashed run continues from its checkpoint, as `crisp resume` does.
  resume_ = new QPushButton(tr("Resume"), this);
  resume_->setObjectName(QStringLiteral("resumeRunButton"));
  resume_->setToolTip(tr("Continue the selected run from its last checkpoint (crisp resume)"));
  resume_->setEnabled(false);
  connect(resume_, &QPushButton::clicked, this, [this] {
    if (const QString run = resumableRun(); !run.isEmpty()) Q_EMIT resumeRequested(run);
  });
  table_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(table_, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
    const QModelIndex index = table_->indexAt(at);
    if (!index.isValid()) return;
    const QStandardItem* run = model_->item(index.row(), 0);
    const QString path = run->data(kPathRole).toString();
    QMenu menu(this);
    menu.addAction(tr("Open"), this, [this, path] { Q_EMIT runActivated(path); });
    QAction* resume =
        menu.addAction(tr("Resume"), this, [this, path] { Q_EMIT resumeRequested(path); });
    resume->setEnabled(run->data(kResumableRole).toBool());
    menu.exec(table_->viewport()->mapToGlobal(at));
  });
  // The statistics follow the selection, once the selection has settled.
  statsTimer_ = new QTimer(this);
  statsTimer_->setSingleShot(true);
  statsTimer_->setInterval(150);
  connect(statsTimer_, &QTimer::timeout, this, &RunsView::computeStatistics);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    resume_->setEnabled(!resumableRun().isEmpty());
    Q_EMIT runsSelected(selectedRuns());
    statsTimer_->start();
  });

  // The table follows the folder: a new run appears, a running one's state and epoch move on
  // (state.json is replaced at each checkpoint, which changes its directory).
  watcher_ = new QFileSystemWatcher(this);
  refreshTimer_ = new QTimer(this);
  refreshTimer_->setSingleShot(true);
  refreshTimer_->setInterval(300);  // one refresh for a burst of file changes
  connect(refreshTimer_, &QTimer::timeout, this, &RunsView::refresh);
  connect(watcher_, &QFileSystemWatcher::directoryChanged, refreshTimer_,
          qOverload<>(&QTimer::start));

  auto* refreshButton = new QPushButton(tr("Refresh"), this);
  connect(refreshButton, &QPushButton::clicked, this, &RunsView::refresh);
  auto* csv = new QPushButton(tr("Export CSV…"), this);
  connect(csv, &QPushButton::clicked, this, [this] { exportTable(false); });
  auto* latex = new QPushButton(tr("Export LaTeX…"), this);
  connect(latex, &QPushButton::clicked, this, [this] { exportTable(true); });
  // Where the runs live: shown, and changeable here as from File > Open Runs Folder.
  folderLabel_ = new QLabel(this);
  folderLabel_->setObjectName(QStringLiteral("runsFolderLabel"));
  folderLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  folderLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  auto* changeFolder = new QPushButton(tr("Change…"), this);
  changeFolder->setObjectName(QStringLiteral("changeRunsFolderButton"));
  changeFolder->setToolTip(tr("List the runs of another folder, e.g. the root of a sweep"));
  connect(changeFolder, &QPushButton::clicked, this, &RunsView::changeFolderRequested);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(refreshButton);
  buttons->addWidget(resume_);
  buttons->addWidget(folderLabel_, 1);
  buttons->addWidget(changeFolder);
  buttons->addWidget(csv);
  buttons->addWidget(latex);

  // The statistics panel under the table.
  statsModel_ = new QStandardItemModel(this);
  statsTable_ = new QTableView(this);
  statsTable_->setObjectName(QStringLiteral("statisticsTable"));
  statsTable_->setModel(statsModel_);
  statsTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  statsTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
  statsTable_->setAlternatingRowColors(true);
  statsTable_->horizontalHeader()->setStretchLastSection(false);
  statsTable_->verticalHeader()->hide();
  baseline_ = new QComboBox(this);
  baseline_->setObjectName(QStringLiteral("baselineCombo"));
  baseline_->setToolTip(tr("The configuration every other one is compared with"));
  connect(baseline_, qOverload<int>(&QComboBox::activated), this,
          [this] { setBaseline(baseline_->currentText()); });
  statsNote_ = new QLabel(tr("Statistics appear once runs have finished."), this);
  statsNote_->setObjectName(QStringLiteral("statisticsNote"));
  statsNote_->setWordWrap(true);
  statsScope_ = new QLabel(this);
  statsScope_->setObjectName(QStringLiteral("statisticsScope"));
  statsScope_->setWordWrap(true);
  QFont scopeFont = statsScope_->font();
  scopeFont.setBold(true);
  statsScope_->setFont(scopeFont);
  auto* statsCsv = new QPushButton(tr("Export CSV…"), this);
  connect(statsCsv, &QPushButton::clicked, this, [this] { exportStatistics(false); });
  auto* statsLatex = new QPushButton(tr("Export LaTeX…"), this);
  connect(statsLatex, &QPushButton::clicked, this, [this] { exportStatistics(true); });
  auto* statsButtons = new QHBoxLayout;
  statsButtons->addWidget(new QLabel(tr("Baseline:"), this));
  statsButtons->addWidget(baseline_);
  statsButtons->addStretch(1);
  statsButtons->addWidget(statsCsv);
  statsButtons->addWidget(statsLatex);
  auto* stats = new QGroupBox(
      tr("Statistics: best dev accuracy over seeds, paired test against the baseline"), this);
  auto* statsLayout = new QVBoxLayout(stats);
  statsLayout->addWidget(statsScope_);
  statsLayout->addLayout(statsButtons);
  statsLayout->addWidget(statsTable_, 1);
  statsLayout->addWidget(statsNote_);

  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addLayout(buttons);
  topLayout->addWidget(table_);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(top);
  splitter->addWidget(stats);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(splitter);
}

void RunsView::setRoot(const QString& root) {
  root_ = root;
  const QString shown = QDir::toNativeSeparators(root);
  folderLabel_->setText(tr("Folder: %1").arg(shown));
  folderLabel_->setToolTip(shown);
  refresh();
}

QStringList RunsView::selectedRuns() const {
  QModelIndexList rows = table_->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(),
            [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  QStringList paths;
  for (const QModelIndex& row : rows) {
    paths << model_->item(row.row(), 0)->data(kPathRole).toString();
  }
  return paths;
}

QString RunsView::resumableRun() const {
  const QModelIndexList rows = table_->selectionModel()->selectedRows();
  if (rows.size() != 1) return {};
  const QStandardItem* run = model_->item(rows.first().row(), 0);
  return run->data(kResumableRole).toBool() ? run->data(kPathRole).toString() : QString();
}

void RunsView::refresh() {
  // Keep the selection across a refresh (a run finishing refreshes the table).
  const QStringList selected = selectedRuns();
  const QSignalBlocker block(table_->selectionModel());
  model_->setRowCount(0);
  for (const RunSummary& run : listRuns(root_.toStdString())) {
    auto* name = new QStandardItem(QString::fromStdString(run.name));
    name->setData(QString::fromStdString(run.path), kPathRole);
    name->setData(run.resumable, kResumableRole);
    name->setToolTip(QString::fromStdString(run.path));
    auto* seed = new QStandardItem;
    seed->setData(static_cast<qulonglong>(run.seed), Qt::DisplayRole);
    model_->appendRow({name, new QStandardItem(QString::fromStdString(run.policy)), seed,
                       number(run.bestAccuracy < 0 ? -1 : 100 * run.bestAccuracy, 2),
                       number(run.lastDevLoss, 4), number(run.epoch, 2),
                       number(run.elapsedSeconds, 0),
                       new QStandardItem(QString::fromStdString(run.state))});
  }
  table_->resizeColumnsToContents();
  if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
  QStringList watched;
  if (QFileInfo(root_).isDir()) watched << root_;
  for (int r = 0; r < model_->rowCount(); ++r)
    watched << model_->item(r, 0)->data(kPathRole).toString();
  if (!watched.isEmpty()) watcher_->addPaths(watched);
  for (int r = 0; r < model_->rowCount(); ++r) {
    if (selected.contains(model_->item(r, 0)->data(kPathRole).toString())) {
      table_->selectionModel()->select(model_->index(r, 0),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
  }
  resume_->setEnabled(!resumableRun().isEmpty());  // the selection's signals are blocked
  computeStatistics();
}

void RunsView::setBaseline(const QString& configuration) {
  baselineChoice_ = configuration;
  computeStatistics();
}

void RunsView::computeStatistics() {
  statsTimer_->stop();
  // The rows to summarise: the selected ones, else all of them.
  QList<int> rows;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows()) rows << index.row();
  std::sort(rows.begin(), rows.end());
  const bool selection = !rows.isEmpty();
  QStringList configurations;  // of the whole folder, in table order
  QString
      densePolicy;  // a configuration whose policy is dense: "dense" if so named, else the first
  for (int r = 0; r < model_->rowCount(); ++r) {
    if (!selection) rows << r;
    const QString configuration = model_->item(r, 0)->text();
    if (!configurations.contains(configuration)) configurations << configuration;
    if (model_->item(r, 1)->text() == QLatin1String("dense") &&
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
                                 [&](int r) { return model_->item(r, 0)->text() == baseline; });
    for (int r = 0; r < model_->rowCount() && !has; ++r) {
      if (model_->item(r, 0)->text() == baseline) added << r;
    }
  }
  QStringList paths;
  for (int r : added + rows) paths << model_->item(r, 0)->data(kPathRole).toString();
  const auto count = [](qsizetype n) { return n == 1 ? tr("1 run") : tr("%1 runs").arg(n); };
  QString scope, hint;
  if (!selection) {
    scope = tr("All %1 in the folder").arg(count(rows.size()));
    hint = tr("select runs to cover only those");
  } else {
    scope =
        rows.size() == 1 ? tr("The 1 selected run") : tr("The %1 selected runs").arg(rows.size());
    if (!added.isEmpty()) {
      scope +=
          tr(" and, as the baseline, %1's %2 (not selected)").arg(baseline, count(added.size()));
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
  StatisticsOptions options;
  options.baseline = baselineChoice_.toStdString();
  statsNote_->setText(tr("Computing statistics of %n run(s)…", nullptr, int(runs.size())));
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

void RunsView::showStatistics(std::shared_ptr<const SweepStatistics> statistics,
                              const QStringList& runs, const QString& scope, const QString& hint) {
  statistics_ = std::move(statistics);
  shownRuns_ = runs;
  shownScope_ = scope;
  statsScope_->setText(scope.isEmpty() ? QString() : tr("Showing: %1 (%2).").arg(scope, hint));
  statsModel_->clear();
  const SweepStatistics empty;
  const SweepStatistics& s = statistics_ ? *statistics_ : empty;
  statsModel_->setHorizontalHeaderLabels({tr("Configuration"), tr("Attention"), tr("Seeds"),
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
    while (row.size() < statsModel_->columnCount()) row << new QStandardItem;
    for (int i = 2; i < row.size(); ++i)
      row[i]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    statsModel_->appendRow(row);
  }
  statsTable_->resizeColumnsToContents();

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
  statsNote_->setText(note);
  Q_EMIT statisticsUpdated();
}

QString RunsView::statisticsScope() const {
  return shownScope_;
}

QString RunsView::statisticsCsv() const {
  return statistics_ ? QString::fromStdString(crisp::toCsv(*statistics_)) : QString();
}

QString RunsView::statisticsLatex() const {
  if (!statistics_) return {};
  // Which runs the table is of, as LaTeX comments: the file says what it was made from.
  QString text = QStringLiteral("% Crisp Studio: %1.\n").arg(statisticsScope());
  QStringList names;
  for (const QString& path : shownRuns_) names << QFileInfo(path).fileName();
  text += QStringLiteral("% Runs: %1\n").arg(names.join(QStringLiteral(", ")));
  return text + QString::fromStdString(crisp::toLatex(*statistics_));
}

void RunsView::exportStatistics(bool latex) {
  if (!statistics_) {
    QMessageBox::information(this, tr("Export statistics"), tr("No statistics yet."));
    return;
  }
  const bool all = shownRuns_.size() == model_->rowCount();
  saveText(this, all ? QStringLiteral("statistics") : QStringLiteral("statistics-selection"), latex,
           latex ? statisticsLatex() : statisticsCsv());
}

QString RunsView::toCsv() const {
  QString text;
  QTextStream out(&text);
  for (int c = 0; c < model_->columnCount(); ++c) {
    out << (c ? "," : "") << '"' << model_->horizontalHeaderItem(c)->text() << '"';
  }
  out << '\n';
  for (int r = 0; r < model_->rowCount(); ++r) {
    for (int c = 0; c < model_->columnCount(); ++c) {
      QString cell = model_->item(r, c)->text();
      cell.replace(QLatin1Char('"'), QLatin1String("\"\""));
      out << (c ? "," : "") << '"' << cell << '"';
    }
    out << '\n';
  }
  return text;
}

QString RunsView::toLatex() const {
  QString text = QStringLiteral("\\begin{tabular}{llrrrrrl}\n\\toprule\n");
  QStringList header;
  for (int c = 0; c < model_->columnCount(); ++c) {
    header << latexEscape(model_->horizontalHeaderItem(c)->text());
  }
  text += header.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\\n\\midrule\n");
  for (int r = 0; r < model_->rowCount(); ++r) {
    QStringList cells;
    for (int c = 0; c < model_->columnCount(); ++c)
      cells << latexEscape(model_->item(r, c)->text());
    text += cells.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\\n");
  }
  return text + QStringLiteral("\\bottomrule\n\\end{tabular}\n");
}

void RunsView::exportTable(bool latex) {
  saveText(this, QStringLiteral("runs"), latex, latex ? toLatex() : toCsv());
}

}  // namespace crisp::ui
