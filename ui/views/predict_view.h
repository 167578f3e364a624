#pragma once

#include <QWidget>
#include <array>
#include <memory>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QTextBrowser;
class QTimer;

namespace crisp {
struct Prediction;
}  // namespace crisp

namespace crisp::ui {

class InferenceService;
class ModelSnapshot;

// Live prediction as the user types (debounced): label, probabilities, and the tokens shaded
// by their attention from [CLS] (or rollout). Inference runs off the GUI thread on a snapshot
// of the weights from the run's last checkpoint. A second run (e.g. dense next to crisp) can
// be chosen to predict the same sentence side by side.
class PredictView : public QWidget {
  Q_OBJECT
 public:
  explicit PredictView(QWidget* parent = nullptr);
  // Loads the newest checkpoint of a run in the background; predictions follow it.
  void followRun(const QString& runDirectory);
  // Predicts with a second run beside the first; "" ends the comparison.
  void compareWith(const QString& runDirectory);
  // Where the "Compare with" list finds runs (directories with checkpoints).
  void setRunsRoot(const QString& directory);
  void refreshRuns();
  void setText(const QString& text);
  QString resultText() const;            // the label line shown now for the followed run
  QString comparisonResultText() const;  // the same for the compared run ("" when none)
  bool isComparing() const;
  ModelSnapshot* snapshot() const { return panes_[0].snapshot; }

 Q_SIGNALS:
  void predicted();

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  struct Pane {
    QGroupBox* box = nullptr;
    QLabel* model = nullptr;
    QLabel* result = nullptr;
    QTextBrowser* tokens = nullptr;
    ModelSnapshot* snapshot = nullptr;
    InferenceService* inference = nullptr;
  };
  void buildPane(Pane& pane, const QString& title, const QString& name);
  void schedule();
  void run();
  void show(Pane& pane, const Prediction& p);
  void chooseComparison(int index);
  QLineEdit* input_;
  QComboBox* compare_;
  QCheckBox* rollout_;
  QTimer* debounce_;
  std::array<Pane, 2> panes_;
  QString runsRoot_, followed_;
  bool useRollout_ = false;
};

}  // namespace crisp::ui
