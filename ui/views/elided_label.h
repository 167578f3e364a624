#pragma once

#include <QLabel>

namespace crisp::ui {

// A one-line label that never widens its layout: text longer than its width ends in "…" instead
// of being cut off mid-word, and the whole text is its tooltip.
class ElidedLabel : public QLabel {
 public:
  explicit ElidedLabel(const QString& text, QWidget* parent = nullptr);

  // QLabel::setText is not virtual: this one keeps the tooltip in step.
  void setText(const QString& text);
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
};

}  // namespace crisp::ui
