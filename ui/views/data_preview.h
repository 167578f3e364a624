#pragma once

#include <QString>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace crisp::ui {

// The first rows of the training and dev files as core reads them, one tab each: accepted and
// rejected rows in file order, with the format, columns and labels found. Training reads
// strictly, so a rejected row is a problem of the file (problem()).
class DataPreview : public QWidget {
  Q_OBJECT
 public:
  enum File { Train = 0, Dev = 1 };

  explicit DataPreview(QWidget* parent = nullptr);
  // Reads the files' first rows again; "" shows a hint to choose one.
  void showFiles(const QString& train, const QString& dev);
  // What training would stop at in the file's first rows, or why it cannot be read; "" if none.
  QString problem(File file) const { return problem_[file]; }
  QTableWidget* table(File file) const { return table_[file]; }
  int rejectedCount(File file) const { return rejected_[file]; }

 private:
  void showFile(File file, const QString& path);

  QLabel* summary_[2];
  QTableWidget* table_[2];
  int rejected_[2] = {0, 0};
  QString problem_[2];
};

}  // namespace crisp::ui
