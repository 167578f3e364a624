#include "ui/views/problem_mark.h"

#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QStyle>

namespace crisp::ui {
namespace {

const QString kMarkName = QStringLiteral("problemMark");
// A marked box's problem and the tooltip it had before, as dynamic properties.
const char* const kBoxProblem = "problemMark";
const char* const kBoxToolTip = "problemMarkToolTip";

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

void markProblem(QComboBox* box, const QString& problem) {
  const bool marked = box->property(kBoxProblem).isValid();
  if (marked) {  // unmark first: the choice may have changed since
    box->setToolTip(box->property(kBoxToolTip).toString());
    box->setProperty(kBoxProblem, QVariant());
    for (int i = 0; i < box->count(); ++i) box->setItemIcon(i, QIcon());
  }
  if (problem.isEmpty()) return;
  box->setProperty(kBoxToolTip, box->toolTip());
  box->setProperty(kBoxProblem, problem);
  box->setItemIcon(box->currentIndex(), box->style()->standardIcon(QStyle::SP_MessageBoxWarning));
  box->setToolTip(box->toolTip().isEmpty() ? problem
                                           : problem + QStringLiteral("\n\n") + box->toolTip());
}

QString markedProblem(const QComboBox* box) {
  return box->property(kBoxProblem).toString();
}

}  // namespace crisp::ui
