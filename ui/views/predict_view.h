#pragma once

#include <QFutureWatcher>
#include <QWidget>
#include <memory>

class QLabel;
class QLineEdit;
class QTextBrowser;
class QTimer;

namespace crisp {
class Predictor;
struct Prediction;
}  // namespace crisp

namespace crisp::ui {

// Live prediction as the user types (debounced): label, probabilities, and the tokens shaded
// by their attention from [CLS] (or rollout). Inference runs off the GUI thread on a snapshot
// of the weights from the run's last checkpoint.
class PredictView : public QWidget {
  Q_OBJECT
 public:
  explicit PredictView(QWidget* parent = nullptr);
  ~PredictView() override;
  // Loads the newest checkpoint of a run in the background; predictions follow it.
  void followRun(const QString& runDirectory);
  void setText(const QString& text);
  QString resultText() const;  // the label line shown now

 Q_SIGNALS:
  void predicted();

 private:
  void schedule();
  void run();
  void show(const Prediction& p);
  QLineEdit* input_;
  QLabel* result_;
  QLabel* model_;
  QTextBrowser* tokens_;
  QTimer* debounce_;
  std::shared_ptr<Predictor> predictor_;
  QFutureWatcher<std::shared_ptr<Predictor>> loading_;
  QFutureWatcher<Prediction>* running_;
  bool useRollout_ = false;
};

}  // namespace crisp::ui
