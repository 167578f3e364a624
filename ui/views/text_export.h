#pragma once

#include <QString>

class QWidget;

namespace crisp::ui {

// Asks for a file name (default baseName.tex or baseName.csv) and writes the text there; a file
// that cannot be written is said so in a message box. Cancelling writes nothing.
void saveTableText(QWidget* parent, const QString& baseName, bool latex, const QString& text);

}  // namespace crisp::ui
