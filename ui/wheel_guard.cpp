#include "ui/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace crisp::ui {

WheelGuard::WheelGuard(QWidget* form) : QObject(form) {
  QList<QWidget*> fields;
  for (QWidget* w : form->findChildren<QComboBox*>()) fields << w;
  for (QWidget* w : form->findChildren<QAbstractSpinBox*>()) fields << w;
  for (QWidget* field : fields) {
    // Qt's default for these, WheelFocus, would hand them the focus on the first wheel turn.
    field->setFocusPolicy(Qt::StrongFocus);
    field->installEventFilter(this);
  }
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Wheel && !static_cast<QWidget*>(watched)->hasFocus()) {
    event->ignore();  // unaccepted, it goes on to the parents: the scroll area scrolls
    return true;
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace crisp::ui
