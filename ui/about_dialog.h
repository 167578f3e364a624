#pragma once

#include <QDialog>

namespace crisp::ui {

// Versions of every library in use, the BLAS actually loaded and the thread count.
class AboutDialog : public QDialog {
  Q_OBJECT
 public:
  explicit AboutDialog(QWidget* parent = nullptr);
  // The report shown, as HTML (for tests and "copy to clipboard").
  QString reportHtml() const { return report_; }

 private:
  QString report_;
};

}  // namespace crisp::ui
