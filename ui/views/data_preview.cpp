#include "ui/views/data_preview.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/data/dataset.h"

namespace crisp::ui {
namespace {

constexpr int kPreviewRows = 8;

}  // namespace

DataPreview::DataPreview(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* tabs = new QTabWidget(this);
  tabs->setObjectName(QStringLiteral("dataPreview"));
  tabs->setDocumentMode(true);
  for (File file : {Train, Dev}) {
    auto* page = new QWidget(tabs);
    summary_[file] = new QLabel(page);
    summary_[file]->setWordWrap(true);
    QTableWidget* table = table_[file] = new QTableWidget(0, 3, page);
    table->setObjectName(file == Train ? QStringLiteral("trainPreview")
                                       : QStringLiteral("devPreview"));
    table->setHorizontalHeaderLabels({tr("Line"), tr("Label"), tr("Text")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    table->setMinimumHeight(150);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 2, 0, 0);
    pageLayout->addWidget(summary_[file]);
    pageLayout->addWidget(table, 1);
    tabs->addTab(page, file == Train ? tr("Training preview") : tr("Dev preview"));
  }
  layout->addWidget(tabs);
}

void DataPreview::showFiles(const QString& train, const QString& dev) {
  showFile(Train, train);
  showFile(Dev, dev);
}

void DataPreview::showFile(File file, const QString& path) {
  QTableWidget* table = table_[file];
  table->setRowCount(0);
  rejected_[file] = 0;
  problem_[file].clear();
  if (path.isEmpty()) {
    summary_[file]->setText(tr("Choose a file to see its first rows."));
    return;
  }
  const QString name = QFileInfo(path).fileName();
  try {
    const data::Dataset d = data::preview(path.toStdString(), kPreviewRows);
    const auto addRow = [table](size_t line, const QString& label, const QString& text, bool bad) {
      const int row = table->rowCount();
      table->insertRow(row);
      const QString cells[3] = {QString::number(line), label, text};
      for (int c = 0; c < 3; ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        item->setToolTip(text);
        if (bad) item->setForeground(QColor(192, 57, 43));
        table->setItem(row, c, item);
      }
    };
    const auto addRejected = [&](const data::RejectedRow& r) {
      addRow(r.line, tr("rejected"), QString::fromStdString(r.reason + " — " + r.excerpt), true);
    };
    // Rows in file order: accepted and rejected interleaved as they occur.
    size_t next = 0;
    const std::vector<std::string>& names = d.labels.names();
    for (const data::Example& e : d.examples) {
      while (next < d.rejected.size() && d.rejected[next].line < e.line) {
        addRejected(d.rejected[next++]);
      }
      const QString label = e.label >= 0 && e.label < static_cast<int>(names.size())
                                ? QString::fromStdString(names[e.label])
                                : QString::number(e.label);
      addRow(e.line, label, QString::fromStdString(e.text), false);
    }
    while (next < d.rejected.size()) addRejected(d.rejected[next++]);
    rejected_[file] = static_cast<int>(d.rejectedCount);
    QStringList labels;
    for (const std::string& n : names) labels << QString::fromStdString(n);
    QStringList columns;
    for (const std::string& c : d.columns) columns << QString::fromStdString(c);
    const char* format = data::toString(data::guessSource(path.toStdString()).format);
    QString summary =
        tr("%1 · %2 · %3 · labels: %4")
            .arg(name, QString::fromLatin1(format),
                 columns.isEmpty() ? tr("JSON keys") : tr("columns: %1").arg(columns.join(", ")),
                 labels.join(QStringLiteral(", ")));
    if (d.rejectedCount > 0) {
      summary +=
          tr("<br><b style='color:#c0392b'>%n rejected row(s) in the first rows</b> — "
             "training reads strictly and would stop there.",
             nullptr, static_cast<int>(d.rejectedCount));
      problem_[file] =
          tr("%1:%2: %3")
              .arg(name)
              .arg(d.rejected.empty() ? 0 : d.rejected.front().line)
              .arg(d.rejected.empty() ? QString()
                                      : QString::fromStdString(d.rejected.front().reason));
    }
    summary_[file]->setText(summary);
  } catch (const std::exception& e) {
    problem_[file] = QString::fromUtf8(e.what());
    summary_[file]->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>")
                                .arg(problem_[file].toHtmlEscaped()));
  }
}

}  // namespace crisp::ui
