#pragma once

#include <QString>

class QLineEdit;

namespace crisp::ui {

// A problem shown where it is: a warning icon at the end of the line edit, the message as the
// icon's tooltip; an empty problem removes it. The form's problem list says the same in words.
void markProblem(QLineEdit* edit, const QString& problem);

// The message marked on the edit ("" when none).
QString markedProblem(const QLineEdit* edit);

}  // namespace crisp::ui
