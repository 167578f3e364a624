#pragma once

#include <QStringList>
#include <QWidget>

#include "ui/experiment_form.h"
#include "ui/studio_types.h"
#include "ui/views/path_field.h"
#include "ui/views/run_controls.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace crisp::ui {

class DataPreview;
class ModelChoice;
class PolicyEditor;

// The experiment form (model, tokenizer, data with a preview, attention policy,
// hyperparameters, seed) and the run controls. It shows what checkExperimentForm
// (ui/experiment_form.h) says of its values; it never trains. Invalid choices disable Start and
// say why.
class ExperimentPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentPanel(QWidget* parent = nullptr);
  // The form as a full experiment configuration.
  ExperimentConfig experiment() const;
  // The data-parallel processes to train it on (1: in the studio's own process).
  int processes() const;
  void setProcesses(int processes);
  // "" / "preparing" / "running" / "paused" / finished states: enables the right buttons.
  void setRunState(RunPhase phase);
  QString policyText() const;
  // What keeps the form from starting ("" when it can start), one line each.
  QStringList problems() const { return problems_; }
  bool canStart() const { return problems_.isEmpty(); }
  // Start, Pause/Resume and Stop, with their shortcuts (the window's Training menu).
  QList<QAction*> runActions() const { return controls_->runActions(); }
  // Narrow by default: the views beside it need the room (the window fits 1024 px).
  QSize sizeHint() const override { return QSize(300, 600); }

  // Programmatic setup (tests, saved sessions): a Hugging Face directory or "preset:NAME";
  // data files ("" for the demo corpus); a tokenizer file ("" for the model's own; a .model is
  // SentencePiece, anything else WordPiece); SentencePiece trained on the data.
  void setModel(const QString& model);
  void setDataFiles(const QString& train, const QString& dev);
  void setVocabulary(const QString& path);
  void setSentencePieceTraining(int vocabSize, const QString& modelType);
  // Row counts of the preview tables; which: 0 train, 1 dev.
  QTableWidget* previewTable(int which) const;
  int previewRejectedCount(int which) const;

 Q_SIGNALS:
  void startRequested();
  void pauseRequested();
  void resumeRequested();
  void stopRequested();

 private:
  QWidget* buildModelGroup();
  QWidget* buildDataGroup();
  QWidget* buildPolicyGroup();
  QWidget* buildTrainingGroup();
  void onModelChanged();
  void updateVisibility();
  void updatePreview();
  ExperimentFormValues::Tokenizer tokenizerChoice() const;
  ExperimentFormValues::Data dataChoice() const;
  ExperimentFormValues formValues() const;
  void validate();
  // A path row that previews and validates as it changes.
  PathField* pathField(const QString& name, const QString& placeholder, PathField::Kind kind,
                       const QString& filter, QWidget* parent);

  ModelChoice* model_;
  QComboBox *tokenizer_, *data_;
  PolicyEditor* policyEditor_;
  PathField *modelDir_, *vocab_, *trainPath_, *devPath_;
  QLineEdit* learningRate_;
  QWidget* spmRow_;
  QSpinBox* spmVocab_;
  QComboBox* spmType_;
  TokenizerProbe tokenizers_;
  QSpinBox *epochs_, *seed_, *batch_, *maxLength_;
  QComboBox* device_;     // cpu, then each cuda:N torch reports
  QComboBox* precision_;  // fp32, bf16 (enabled on a CUDA device only)
  QSpinBox* processes_;   // data-parallel processes, CPU only
  QLabel* problemLabel_;
  DataPreview* preview_;
  QTimer* previewTimer_;
  RunControls* controls_;
  QStringList problems_;
  bool active_ = false;
};

}  // namespace crisp::ui
