#pragma once

#include <QLabel>

namespace crisp::ui {

// The centred, muted hint a view shows while it has nothing to display yet.
class EmptyState : public QLabel {
 public:
  explicit EmptyState(const QString& title, const QString& hint, QWidget* parent = nullptr);
};

}  // namespace crisp::ui
