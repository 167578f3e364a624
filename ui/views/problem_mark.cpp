#include "ui/views/problem_mark.h"

#include <QAction>
#include <QLineEdit>
#include <QStyle>

namespace crisp::ui {
namespace {

const QString kMarkName = QStringLiteral("problemMark");

QAction* markOf(const QLineEdit* edit) {
  for (QAction* action : edit->actions()) {
    if (action->objectName() == kMarkName) return action;
  }
  return nullptr;
}

}  // namespace

void markProblem(QLineEdit* edit, const QString& problem) {
  QAction* mark = markOf(edit);
  if (problem.isEmpty()) {
    delete mark;  // also takes it off the edit
    return;
  }
  if (mark == nullptr) {
    mark = new QAction(edit->style()->standardIcon(QStyle::SP_MessageBoxWarning), QString(), edit);
    mark->setObjectName(kMarkName);
    edit->addAction(mark, QLineEdit::TrailingPosition);
  }
  mark->setToolTip(problem);
}

QString markedProblem(const QLineEdit* edit) {
  const QAction* mark = markOf(edit);
  return mark != nullptr ? mark->toolTip() : QString();
}

}  // namespace crisp::ui
