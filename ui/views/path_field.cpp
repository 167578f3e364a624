#include "ui/views/path_field.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

#include "ui/settings.h"

namespace crisp::ui {

PathField::PathField(const QString& name, const QString& placeholder, Kind kind,
                     const QString& filter, QWidget* parent)
    : QWidget(parent) {
  edit_ = new QLineEdit(this);
  edit_->setObjectName(name);
  edit_->setPlaceholderText(placeholder);
  edit_->setClearButtonEnabled(true);
  auto* browse = new QToolButton(this);
  browse->setText(QStringLiteral("…"));
  browse->setToolTip(kind == Directory ? tr("Choose a directory") : tr("Choose a file"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(edit_, 1);
  layout->addWidget(browse);
  connect(browse, &QToolButton::clicked, this, [this, kind, filter] {
    const QString start = edit_->text().isEmpty() ? QDir::homePath() : edit_->text();
    const QString chosen = kind == Directory
                               ? QFileDialog::getExistingDirectory(this, tr("Choose"), start)
                               : QFileDialog::getOpenFileName(this, tr("Choose"), start, filter);
    if (!chosen.isEmpty()) edit_->setText(chosen);
  });
  edit_->setText(StudioSettings::formPath(name));  // where the user left it last time
  connect(edit_, &QLineEdit::textChanged, this, [this, name](const QString& text) {
    StudioSettings::setFormPath(name, text);
    Q_EMIT changed();
  });
}

QString PathField::path() const {
  return edit_->text().trimmed();
}

}  // namespace crisp::ui
