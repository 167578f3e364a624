#pragma once

#include <QStringList>
#include <QWidget>

#include "ui/studio_types.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QTabWidget;
class QTimer;

namespace crisp {
struct ExperimentConfig;
}

namespace crisp::ui {

class PolicyEditor;

// The experiment form (model, tokenizer, data with a preview, attention policy,
// hyperparameters, seed) and the run controls. It builds and validates the configuration; it
// never trains. Invalid choices disable Start and say why.
class ExperimentPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentPanel(QWidget* parent = nullptr);
  // The form as a full experiment configuration.
  ExperimentConfig experiment() const;
  // "" / "preparing" / "running" / "paused" / finished states: enables the right buttons.
  void setRunState(RunPhase phase);
  QString policyText() const;
  // What keeps the form from starting ("" when it can start), one line each.
  QStringList problems() const { return problems_; }
  bool canStart() const { return problems_.isEmpty(); }
  // Start, Pause/Resume and Stop, with their shortcuts (the window's Training menu).
  QList<QAction*> runActions() const { return {startAction_, pauseAction_, stopAction_}; }
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
  // Lists the supported pretrained checkpoints in the Hugging Face cache and in folders (and
  // those listed before) as model choices.
  void listPretrainedModels(const QStringList& folders);
  bool fineTunesCheckpoint() const;  // not a preset from scratch
  void updatePreview();
  void validate();
  QString chosenModel() const;
  // Loads a tokenizer file through core once per version of the file: "" when it loads (its
  // vocabulary size in vocabSize), else core's message.
  QString tokenizerProblem(const QString& path, qint64* vocabSize) const;
  QLineEdit* pathEdit(const QString& name, const QString& placeholder, bool directory,
                      const QString& filter, QWidget* parent, QWidget** row);

  QComboBox *model_, *tokenizer_, *data_;
  PolicyEditor* policyEditor_;
  QStringList pretrainedFolders_;
  QLineEdit *modelDir_, *vocab_, *trainPath_, *devPath_, *learningRate_;
  QWidget *modelDirRow_, *vocabRow_, *spmRow_, *trainRow_, *devRow_, *filesBox_;
  QSpinBox* spmVocab_;
  QComboBox* spmType_;
  mutable QString checkedTokenizer_, checkedProblem_;  // tokenizerProblem's cache
  mutable qint64 checkedVocabSize_ = -1;
  QSpinBox *epochs_, *seed_, *batch_, *maxLength_;
  QComboBox* device_;     // cpu, then each cuda:N torch reports
  QComboBox* precision_;  // fp32, bf16 (enabled on a CUDA device only)
  QLabel* problemLabel_;
  QLabel* previewSummary_[2];
  QTableWidget* preview_[2];
  int rejected_[2] = {0, 0};
  QString previewError_[2];
  QTabWidget* previewTabs_;
  QTimer* previewTimer_;
  QAction *startAction_, *pauseAction_, *stopAction_;
  QStringList problems_;
  bool paused_ = false, active_ = false;
};

}  // namespace crisp::ui
