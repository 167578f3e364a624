#pragma once

#include <QString>

class QComboBox;
class QLineEdit;

namespace crisp::ui {

// A problem shown where it is: a warning icon at the end of the line edit, the message as the
// icon's tooltip; an empty problem removes it. The form's problem list says the same in words.
void markProblem(QLineEdit* edit, const QString& problem);

// The same for a choice whose problem has no line edit to sit in (e.g. the model's own
// tokenizer is missing): the warning icon on the chosen item, the message ahead of the box's
// own tooltip, which comes back when the problem goes.
void markProblem(QComboBox* box, const QString& problem);

// The message marked on the edit or box ("" when none).
QString markedProblem(const QLineEdit* edit);
QString markedProblem(const QComboBox* box);

}  // namespace crisp::ui
