#pragma once

#include <QWidget>

class QPushButton;

namespace crisp::ui {

// The experiment form: model, tokenizer, data, attention policy, hyperparameters, seed, and the
// run controls.
class ExperimentPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentPanel(QWidget* parent = nullptr);
};

}  // namespace crisp::ui
