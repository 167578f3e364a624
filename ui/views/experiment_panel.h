#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

namespace crisp {
struct ExperimentConfig;
}

namespace crisp::ui {

// The experiment form (model, data, attention policy, hyperparameters, seed) and the run
// controls. It builds the configuration; it never trains.
class ExperimentPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentPanel(QWidget* parent = nullptr);
  // The form as an experiment (the embedded demo with the chosen policy and hyperparameters).
  ExperimentConfig experiment() const;
  // "" / "preparing" / "running" / "paused" / finished states: enables the right buttons.
  void setRunState(const QString& state);
  QString policyText() const;

 Q_SIGNALS:
  void startRequested();
  void pauseRequested();
  void resumeRequested();
  void stopRequested();

 private:
  QComboBox *model_, *data_, *policy_;
  QDoubleSpinBox* sparsity_;
  QSpinBox *epochs_, *seed_;
  QPushButton *start_, *pause_, *stop_;
  bool paused_ = false;
};

}  // namespace crisp::ui
