#include "ui/views/text_export.h"

#include <QFile>
#include <QFileDialog>
#include <QMessageBox>

namespace crisp::ui {

void saveTableText(QWidget* parent, const QString& baseName, bool latex, const QString& text) {
  const QString path = QFileDialog::getSaveFileName(
      parent, latex ? QObject::tr("Export LaTeX table") : QObject::tr("Export CSV"),
      baseName + (latex ? QStringLiteral(".tex") : QStringLiteral(".csv")));
  if (path.isEmpty()) return;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text) ||
      file.write(text.toUtf8()) < 0) {
    QMessageBox::warning(parent, QObject::tr("Export"),
                         QObject::tr("%1: cannot be written").arg(path));
  }
}

}  // namespace crisp::ui
