#pragma once

#include <QWidget>

namespace crisp::ui {

// Live prediction as the user types: label, probabilities and tokens shaded by attention.
class PredictView : public QWidget {
  Q_OBJECT
 public:
  explicit PredictView(QWidget* parent = nullptr);
};

}  // namespace crisp::ui
