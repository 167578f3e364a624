#pragma once

#include <QObject>

class QWidget;

namespace crisp::ui {

// Keeps the mouse wheel from changing a form's combo boxes and spin boxes unless they have the
// keyboard focus: scrolling over the form scrolls it (an unfocused combo under the pointer once
// silently switched the policy from Crisp top-k to Dense). A field takes the wheel once it is
// clicked or tabbed into. Guards the fields that exist under `form` when it is made.
class WheelGuard : public QObject {
 public:
  explicit WheelGuard(QWidget* form);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace crisp::ui
