#include "ui/views/empty_state.h"

namespace crisp::ui {

EmptyState::EmptyState(const QString& title, const QString& hint, QWidget* parent)
    : QLabel(parent) {
  setObjectName(QStringLiteral("emptyState"));
  setAlignment(Qt::AlignCenter);
  setWordWrap(true);
  setTextFormat(Qt::RichText);
  setText(QStringLiteral("<p style='font-size:13pt'>%1</p><p style='color:palette(mid)'>%2</p>")
              .arg(title.toHtmlEscaped(), hint.toHtmlEscaped()));
}

}  // namespace crisp::ui
