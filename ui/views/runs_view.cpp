#include "ui/views/runs_view.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTextStream>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "core/io/csv.h"
#include "core/io/latex.h"
#include "core/train/run_directory.h"
#include "ui/views/statistics_panel.h"
#include "ui/views/text_export.h"

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

}  // namespace

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("runsView"));
  model_ = new QStandardItemModel(0, 0, this);
  model_->setHorizontalHeaderLabels({tr("Configuration"), tr("Attention"), tr("Seed"),
                                     tr("Best dev acc. (%)"), tr("Last dev loss"), tr("Epoch"),
                                     tr("Wall time (s)"), tr("State")});
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("runsTable"));
  table_->setModel(model_);
  // Newest first (listRuns' order) until a header is clicked: no sort indicator claims another.
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
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
  updateResume();
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
    resume->setEnabled(!trainingActive_ && run->data(kResumableRole).toBool());
    menu.exec(table_->viewport()->mapToGlobal(at));
  });
  // The statistics follow the selection, once the selection has settled.
  statisticsTimer_ = new QTimer(this);
  statisticsTimer_->setSingleShot(true);
  statisticsTimer_->setInterval(150);
  connect(statisticsTimer_, &QTimer::timeout, this, &RunsView::updateStatistics);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    updateResume();
    Q_EMIT runsSelected(selectedRuns());
    statisticsTimer_->start();
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
  statistics_ = new StatisticsPanel(this);
  connect(statistics_, &StatisticsPanel::updated, this, &RunsView::statisticsUpdated);

  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addLayout(buttons);
  topLayout->addWidget(table_);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(top);
  splitter->addWidget(statistics_);
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

void RunsView::setTrainingActive(bool active) {
  trainingActive_ = active;
  updateResume();
}

void RunsView::updateResume() {
  resume_->setEnabled(!trainingActive_ && !resumableRun().isEmpty());
  resume_->setToolTip(
      trainingActive_ ? tr("A run is training in the studio: stop it first to resume another")
                      : tr("Continue the selected run from its last checkpoint (crisp resume)"));
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
  updateResume();  // the selection's signals are blocked
  updateStatistics();
}

QTableView* RunsView::statisticsTable() const {
  return statistics_->table();
}

QString RunsView::statisticsCsv() const {
  return statistics_->csv();
}

QString RunsView::statisticsLatex() const {
  return statistics_->latex();
}

QStringList RunsView::statisticsRuns() const {
  return statistics_->coveredRuns();
}

QString RunsView::statisticsScope() const {
  return statistics_->scope();
}

void RunsView::setBaseline(const QString& configuration) {
  statistics_->setBaseline(configuration);
}

void RunsView::updateStatistics() {
  statisticsTimer_->stop();
  QList<ListedRun> runs;
  for (int r = 0; r < model_->rowCount(); ++r) {
    runs << ListedRun{model_->item(r, 0)->text(), model_->item(r, 1)->text(),
                      model_->item(r, 0)->data(kPathRole).toString(),
                      table_->selectionModel()->isRowSelected(r)};
  }
  statistics_->setRuns(runs);
}

QString RunsView::toCsv() const {
  const auto field = [](const QString& text) {
    return QString::fromStdString(csvField(text.toStdString()));
  };
  QString text;
  QTextStream out(&text);
  for (int c = 0; c < model_->columnCount(); ++c) {
    out << (c ? "," : "") << field(model_->horizontalHeaderItem(c)->text());
  }
  out << '\n';
  for (int r = 0; r < model_->rowCount(); ++r) {
    for (int c = 0; c < model_->columnCount(); ++c) {
      out << (c ? "," : "") << field(model_->item(r, c)->text());
    }
    out << '\n';
  }
  return text;
}

QString RunsView::toLatex() const {
  const auto cell = [](const QString& text) {
    return QString::fromStdString(latexEscape(text.toStdString()));
  };
  QString text = QStringLiteral("\\begin{tabular}{llrrrrrl}\n\\toprule\n");
  QStringList header;
  for (int c = 0; c < model_->columnCount(); ++c) {
    header << cell(model_->horizontalHeaderItem(c)->text());
  }
  text += header.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\\n\\midrule\n");
  for (int r = 0; r < model_->rowCount(); ++r) {
    QStringList cells;
    for (int c = 0; c < model_->columnCount(); ++c) cells << cell(model_->item(r, c)->text());
    text += cells.join(QStringLiteral(" & ")) + QStringLiteral(" \\\\\n");
  }
  return text + QStringLiteral("\\bottomrule\n\\end{tabular}\n");
}

void RunsView::exportTable(bool latex) {
  saveTableText(this, QStringLiteral("runs"), latex, latex ? toLatex() : toCsv());
}

}  // namespace crisp::ui
