#include "ui/views/runs_view.h"

#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>
#include <QTextStream>
#include <QVBoxLayout>

#include "core/train/run_directory.h"

namespace crisp::ui {
namespace {

constexpr int kPathRole = Qt::UserRole + 1;

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
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  connect(table_, &QTableView::activated, this, [this](const QModelIndex& index) {
    Q_EMIT runActivated(model_->item(index.row(), 0)->data(kPathRole).toString());
  });

  auto* refreshButton = new QPushButton(tr("Refresh"), this);
  connect(refreshButton, &QPushButton::clicked, this, &RunsView::refresh);
  auto* csv = new QPushButton(tr("Export CSV…"), this);
  connect(csv, &QPushButton::clicked, this, [this] { exportTable(false); });
  auto* latex = new QPushButton(tr("Export LaTeX…"), this);
  connect(latex, &QPushButton::clicked, this, [this] { exportTable(true); });
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(refreshButton);
  buttons->addStretch(1);
  buttons->addWidget(csv);
  buttons->addWidget(latex);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(table_);
}

void RunsView::setRoot(const QString& root) {
  root_ = root;
  refresh();
}

void RunsView::refresh() {
  model_->setRowCount(0);
  for (const RunSummary& run : listRuns(root_.toStdString())) {
    auto* name = new QStandardItem(QString::fromStdString(run.name));
    name->setData(QString::fromStdString(run.path), kPathRole);
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
  const QString path = QFileDialog::getSaveFileName(
      this, latex ? tr("Export LaTeX table") : tr("Export CSV"),
      QStringLiteral("runs.") + (latex ? QStringLiteral("tex") : QStringLiteral("csv")));
  if (path.isEmpty()) return;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text) ||
      file.write((latex ? toLatex() : toCsv()).toUtf8()) < 0) {
    QMessageBox::warning(this, tr("Export"), tr("%1: cannot be written").arg(path));
  }
}

}  // namespace crisp::ui
